// `microcredit lender deposit|redeem|request|cancel|claim|status`: the pool as a lender uses it, through the client.
// Shares are in the pool's own decimals (the token's + 6), read from `pool.decimals()`.
import type { ContractTransactionReceipt } from "ethers";
import {
  eventsNamed,
  readSharesAhead,
  type Microcredit,
  type Position,
  type QueuePosition,
} from "../client/index.ts";
import { address, amount, integer, oneOf, required, str, UsageError, type Values } from "./args.ts";
import type { Command, Role } from "./command.ts";
import type { Context } from "./context.ts";
import { pairs, shareUnits, units, type Report } from "./output.ts";

async function shareDecimals(client: Microcredit): Promise<number> {
  return Number(await client.pool.decimals());
}

/** `--shares` in share units with at most the pool's `decimals` decimals, as base units (more than zero). */
function sharesOf(values: Values, decimals: number): bigint {
  return amount(required(values, "shares"), decimals, "shares", false, "the pool shares'");
}

/** `--shares <shares>` or `--all`, exactly one: the options of redeem and request. */
const SHARES_OR_ALL = {
  options: { shares: { type: "string" as const }, all: { type: "boolean" as const } },
  check: (values: Values) => void oneOf(values, ["shares", "all"]),
};

/** A request id as `lender status` prints it: a non-negative integer. */
function requestIdOf(values: Values): bigint {
  const raw = required(values, "request").trim();
  if (!/^\d+$/.test(raw) || BigInt(raw) >= 1n << 256n) {
    throw new UsageError(`--request must be a request id (an integer, see lender status), got "${raw}"`);
  }
  return BigInt(raw);
}

const deposit: Command = {
  name: "deposit",
  summary: "deposit --amount <tokens>        deposit into the pool (approving it first when needed)",
  usage: "  --amount <tokens>   what to deposit, in token units (e.g. 1000.50)",
  options: { amount: { type: "string" } },
  check: (values) => void required(values, "amount"),
  async run(ctx, values) {
    const client = await ctx.client(true);
    const assets = amount(required(values, "amount"), client.decimals, "amount");
    const { value: shares, receipt } = await client.deposit(assets);
    const sd = await shareDecimals(client);
    return {
      json: {
        command: "lender deposit",
        assets,
        shares,
        decimals: client.decimals,
        shareDecimals: sd,
        tx: receipt.hash,
      },
      human: [
        `deposited ${units(assets, client.decimals)} for ${shareUnits(shares, sd)} shares (tx ${receipt.hash})`,
      ],
    };
  },
};

/** The assets paid and shares burnt by the pool's `Withdraw` events in a receipt. */
function withdrawn(
  client: Microcredit,
  receipt: ContractTransactionReceipt,
): { assets: bigint; shares: bigint } {
  const events = eventsNamed(client.events(receipt), "Withdraw");
  return {
    assets: events.reduce((sum, e) => sum + e.args.assets, 0n),
    shares: events.reduce((sum, e) => sum + e.args.shares, 0n),
  };
}

/** `redeem --all` sends nothing when nothing can leave: a transaction that burns no share only costs gas. */
async function somethingCanLeave(client: Microcredit, me: string): Promise<void> {
  const [balance, maxRedeem] = (await Promise.all([
    client.pool.balanceOf(me),
    client.pool.maxRedeem(me),
  ])) as [bigint, bigint];
  if (balance === 0n) throw new Error(`${me} has no shares to redeem; no transaction sent`);
  if (maxRedeem === 0n) {
    throw new Error(
      "nothing can leave now: no cash above the reserve and the queue; no transaction sent " +
        "(queue the shares with microcredit lender request)",
    );
  }
}

const redeem: Command = {
  name: "redeem",
  summary: "redeem --shares <shares> | --all  redeem shares now (--all: as many as can leave now)",
  usage:
    "  --shares <shares>   shares to redeem, in share units (the pool's decimals)\n" +
    "  --all               every share that can leave now (the pool's redeemAvailable; the rest stays)",
  ...SHARES_OR_ALL,
  async run(ctx, values) {
    const client = await ctx.client(true);
    const sd = await shareDecimals(client);
    const me = await ctx.signer().getAddress();
    if (values.all) await somethingCanLeave(client, me);
    const { receipt } = values.all ? await client.redeemAll() : await client.redeem(sharesOf(values, sd));
    const { assets, shares } = withdrawn(client, receipt);
    const left: bigint = await client.pool.balanceOf(me);
    return {
      json: {
        command: "lender redeem",
        shares,
        assets,
        sharesLeft: left,
        decimals: client.decimals,
        shareDecimals: sd,
        tx: receipt.hash,
      },
      human: [
        shares === 0n
          ? `nothing could leave now: no idle cash above the reserve and the queue (tx ${receipt.hash})`
          : `redeemed ${shareUnits(shares, sd)} shares for ${units(assets, client.decimals)} (tx ${receipt.hash})`,
        `shares left: ${shareUnits(left, sd)}`,
      ],
    };
  },
};

const request: Command = {
  name: "request",
  summary: "request --shares <shares> | --all queue shares for redemption (filled as cash comes back)",
  usage:
    "  --shares <shares>   shares to queue, in share units (the pool's decimals)\n" +
    "  --all               every share of the key's address",
  ...SHARES_OR_ALL,
  async run(ctx, values) {
    const client = await ctx.client(true);
    const sd = await shareDecimals(client);
    const me = await ctx.signer().getAddress();
    const shares = values.all ? ((await client.pool.balanceOf(me)) as bigint) : sharesOf(values, sd);
    if (shares === 0n) throw new UsageError(`${me} has no shares to queue`, false);
    const { value: requestId, receipt } = await client.requestRedeem(shares);
    // Read at the block that mined the request: a fill or a request mined since would change the count.
    const ahead = await readSharesAhead(client.pool, requestId, receipt.blockNumber);
    return {
      json: {
        command: "lender request",
        requestId,
        shares,
        sharesAhead: ahead,
        shareDecimals: sd,
        tx: receipt.hash,
      },
      human: [
        `queued ${shareUnits(shares, sd)} shares as request ${requestId}, ${shareUnits(ahead, sd)} shares ahead ` +
          `(tx ${receipt.hash})`,
        "filled as repayments bring cash back (microcredit ops process, which anyone may run); " +
          "then: microcredit lender claim",
      ],
    };
  },
};

const cancel: Command = {
  name: "cancel",
  summary: "cancel --request <id>            cancel a queued request; its unfilled shares come back",
  usage: "  --request <id>      the request id (lender status lists them)",
  options: { request: { type: "string" } },
  check: (values) => void requestIdOf(values),
  async run(ctx, values) {
    const client = await ctx.client(true);
    const sd = await shareDecimals(client);
    const id = requestIdOf(values);
    const { value: shares, receipt } = await client.cancelRedeem(id);
    return {
      json: { command: "lender cancel", requestId: id, shares, shareDecimals: sd, tx: receipt.hash },
      human: [`cancelled request ${id}: ${shareUnits(shares, sd)} shares returned (tx ${receipt.hash})`],
    };
  },
};

const claim: Command = {
  name: "claim",
  summary: "claim [--to <a>]                 take the filled redemptions (claimable)",
  usage: "  --to <a>            pay to this address (default: the key's)",
  options: { to: { type: "string" } },
  check(values) {
    const to = str(values, "to");
    if (to !== undefined) address(to, "to");
  },
  async run(ctx, values) {
    const client = await ctx.client(true);
    const to = str(values, "to");
    const receiver = to !== undefined ? address(to, "to") : await ctx.signer().getAddress();
    const { value: assets, receipt } = await client.claim(receiver);
    return {
      json: {
        command: "lender claim",
        assets,
        receiver,
        decimals: client.decimals,
        tx: receipt.hash,
      },
      human: [`claimed ${units(assets, client.decimals)} to ${receiver} (tx ${receipt.hash})`],
    };
  },
};

/** How many queue ids `lender status` reads by default (one `redemptionRequest` read each, all at one block). */
export const STATUS_MAX_REQUESTS = 200;
const MAX_REQUESTS_LIMIT = 100_000;

/** What `lender status` read: the position and the wallet, and the queue or why it could not be read. */
export interface StatusReads {
  who: string;
  position: Position;
  balance: bigint;
  decimals: number;
  shareDecimals: number;
  /** The queue ids read at most. */
  maxRequests: number;
  queue: QueuePosition | { error: string };
}

/** The queue in one line: each open request with the shares ahead of it, and how much of the queue was read. */
function queueLine(queue: QueuePosition, maxRequests: number, sd: number): string {
  const requests = queue.requests.map(
    (r) =>
      `request ${r.requestId}: ${shareUnits(r.shares, sd)} shares, ${shareUnits(r.sharesAhead, sd)} ahead`,
  );
  if (!queue.truncated) return requests.length === 0 ? "none" : requests.join("; ");
  const read = `first ${maxRequests} of the queue's ${queue.tail - queue.head} requests read (--max-requests for more)`;
  return requests.length === 0 ? `none in the ${read}` : `${requests.join("; ")}; only the ${read}`;
}

/** One line of a failed read: ethers' short message when there is one. */
function oneLine(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string };
  return (e?.shortMessage ?? e?.message ?? String(error)).replace(/\s*\n\s*/g, " ");
}

/** `lender status` as printed: the queue's line says "unavailable (…)" when its walk failed; the rest stands. */
export function statusReport(reads: StatusReads): Report {
  const { who, position, balance, decimals: d, shareDecimals: sd, queue } = reads;
  const read = "error" in queue ? undefined : queue;
  return {
    json: {
      command: "lender status",
      address: who,
      ...position,
      queue: read ? read.requests : null,
      queueTruncated: read ? read.truncated : null,
      ...(read ? {} : { queueError: (queue as { error: string }).error }),
      tokenBalance: balance,
      decimals: d,
      shareDecimals: sd,
    },
    human: pairs([
      ["lender", who],
      ["shares", shareUnits(position.shares, sd)],
      ["value", units(position.assets, d)],
      ["can withdraw now", units(position.maxWithdraw, d)],
      ["can redeem now", `${shareUnits(position.maxRedeem, sd)} shares`],
      [
        "queued",
        read ? queueLine(read, reads.maxRequests, sd) : `unavailable (${(queue as { error: string }).error})`,
      ],
      ["claimable", units(position.claimable, d)],
      ["wallet", units(balance, d)],
    ]),
  };
}

const maxRequestsOf = (values: Values): number => {
  const raw = str(values, "max-requests");
  return raw === undefined ? STATUS_MAX_REQUESTS : integer(raw, "max-requests", 1, MAX_REQUESTS_LIMIT);
};

async function statusOf(ctx: Context, values: Values): Promise<Report> {
  const client = await ctx.client(false);
  const who = await ctx.who();
  const maxRequests = maxRequestsOf(values);
  // The queue is a walk of many reads that a rate-limited node may refuse: its failure leaves the rest standing.
  const [position, balance, sd, queue] = await Promise.all([
    client.position(who),
    client.token.balanceOf(who) as Promise<bigint>,
    shareDecimals(client),
    client.queuePosition(who, { maxRequests }).catch((error: unknown) => ({ error: oneLine(error) })),
  ]);
  return statusReport({
    who,
    position,
    balance,
    decimals: client.decimals,
    shareDecimals: sd,
    maxRequests,
    queue,
  });
}

const status: Command = {
  name: "status",
  summary: "status [--address <a>]           shares, their value, what can leave now, the queue, the wallet",
  usage:
    "  --address <a>       whose position (default: the key's address)\n" +
    `  --max-requests <n>  queue ids to read looking for the address's requests, 1–${MAX_REQUESTS_LIMIT} ` +
    `(default ${STATUS_MAX_REQUESTS}; one read each)`,
  options: { address: { type: "string" }, "max-requests": { type: "string" } },
  check: (values) => void maxRequestsOf(values),
  run: statusOf,
};

export const lender: Role = {
  name: "lender",
  summary: "deposit into the pool, redeem or queue shares, claim, see a position",
  commands: [deposit, redeem, request, cancel, claim, status],
};
