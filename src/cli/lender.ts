// `microcredit lender deposit|redeem|status`: the pool as a lender uses it, through the client.
import type { ContractTransactionReceipt } from "ethers";
import { withDecodedErrors } from "../sdk/errors.ts";
import type { Microcredit } from "../client/index.ts";
import { amount, oneOf, required } from "./args.ts";
import type { Command, Role } from "./command.ts";
import type { Context } from "./context.ts";
import { pairs, shareUnits, units } from "./output.ts";

async function shareDecimals(client: Microcredit): Promise<number> {
  return Number(await client.pool.decimals());
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
  let assets = 0n;
  let shares = 0n;
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== client.addresses.pool.toLowerCase()) continue;
    const event = client.pool.interface.parseLog(log);
    if (event?.name === "Withdraw") {
      assets += event.args.assets as bigint;
      shares += event.args.shares as bigint;
    }
  }
  return { assets, shares };
}

async function redeemAll(client: Microcredit, me: string): Promise<ContractTransactionReceipt> {
  return withDecodedErrors(async () => {
    const balance: bigint = await client.pool.balanceOf(me);
    const tx = await client.pool.getFunction("redeemAvailable")(balance, me);
    return (await tx.wait()) as ContractTransactionReceipt;
  }, client.decimals);
}

const redeem: Command = {
  name: "redeem",
  summary: "redeem --shares <shares> | --all  redeem shares now (--all: as many as can leave now)",
  usage:
    "  --shares <shares>   shares to redeem, in share units (the pool's decimals)\n" +
    "  --all               every share that can leave now (the pool's redeemAvailable; the rest stays)",
  options: { shares: { type: "string" }, all: { type: "boolean" } },
  check: (values) => void oneOf(values, ["shares", "all"]),
  async run(ctx, values) {
    const client = await ctx.client(true);
    const sd = await shareDecimals(client);
    const me = await ctx.signer().getAddress();
    let receipt: ContractTransactionReceipt;
    if (values.all) receipt = await redeemAll(client, me);
    else receipt = (await client.redeem(amount(required(values, "shares"), sd, "shares"))).receipt;
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

async function statusOf(ctx: Context) {
  const client = await ctx.client(false);
  const who = await ctx.who();
  const [position, balance, sd] = await Promise.all([
    client.position(who),
    client.token.balanceOf(who) as Promise<bigint>,
    shareDecimals(client),
  ]);
  const d = client.decimals;
  return {
    json: {
      command: "lender status",
      address: who,
      ...position,
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
      ["claimable", units(position.claimable, d)],
      ["wallet", units(balance, d)],
    ]),
  };
}

const status: Command = {
  name: "status",
  summary: "status [--address <a>]           shares, their value, what can leave now, the wallet",
  usage: "  --address <a>       whose position (default: the key's address)",
  options: { address: { type: "string" } },
  run: statusOf,
};

export const lender: Role = {
  name: "lender",
  summary: "deposit into the pool, redeem, see a position",
  commands: [deposit, redeem, status],
};
