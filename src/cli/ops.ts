// `microcredit ops collect|mark|process|status`: the operator's side, through the client. Without --loans, collect
// finds the book's active loans from the CreditLens's views (borrowerCount/borrowerAt, each line's loans) and collects
// those with something due now, in batches; the keeper (npm run keeper) does the same from events, checkpointed, for
// a large book. `process` fills the pool's redemption queue with the cash there is (anyone may send it).
import type { Microcredit } from "../client/index.ts";
import { ratio } from "../format/money.ts";
import { withDecodedErrors } from "../sdk/errors.ts";
import { mapLimit } from "../util/async.ts";
import { startProgress, withProgress, type StartProgress } from "../util/progress.ts";
import { integer, list, loanId, required, str, type Values } from "./args.ts";
import type { Command, Role } from "./command.ts";
import { pairs, shareUnits, toJsonText, units } from "./output.ts";

/** Loans per collect transaction (the ledger's batch is gas-bounded; 100 fits a block comfortably). */
const BATCH = 100;
const READS_IN_FLIGHT = 16;

/**
 * A bar on stderr for a pass that lasts (plain lines when stderr is not a terminal; nothing for a pass under two
 * seconds): stdout keeps only the result, so `--json` stays one object.
 */
const progress: StartProgress = (label, total) =>
  startProgress(label, total, { stream: process.stderr, log: (line) => process.stderr.write(`${line}\n`) });

/** Every active loan of the book with something due now, from the CreditLens's views. */
async function dueLoans(client: Microcredit): Promise<{ active: number; due: bigint[] }> {
  return withDecodedErrors(async () => {
    const count = Number(await client.lens.borrowerCount());
    const books = await withProgress(progress, "reading the book's lines", count, (update) =>
      mapLimit(
        Array.from({ length: count }, (_, i) => i),
        READS_IN_FLIGHT,
        async (i) => client.loans(String(await client.lens.borrowerAt(i))),
        undefined,
        update,
      ),
    );
    const active = books.flat().filter((l) => l.status === "active");
    const dues = await withProgress(progress, "reading what is due", active.length, (update) =>
      mapLimit(
        active,
        READS_IN_FLIGHT,
        async (l) => (await client.lens.dueNow(l.id)) as bigint,
        undefined,
        update,
      ),
    );
    return { active: active.length, due: active.filter((_, i) => dues[i] > 0n).map((l) => l.id) };
  }, client.decimals);
}

const loansOption = { loans: { type: "string" as const } };
const parseLoans = (raw: string) => list(raw, "loans", loanId);

/**
 * Batches mined before one failed stay mined: says what they collected before the error's line (stderr; with --json
 * the one object on stdout, with the error), so a rerun is not taken for the first attempt.
 */
function reportPartial(
  ids: bigint[],
  batches: number,
  collected: bigint,
  hashes: string[],
  decimals: number,
  error: unknown,
  json: boolean,
): void {
  const done = ids.slice(0, batches * BATCH);
  if (json) {
    const e = error as { shortMessage?: string; message?: string };
    const message = (e?.shortMessage ?? e?.message ?? String(error)).replace(/\s*\n\s*/g, " ");
    const partial = { command: "ops collect", loans: done, collected, decimals, tx: hashes, error: message };
    process.stdout.write(`${toJsonText(partial)}\n`);
    return;
  }
  process.stderr.write(
    `collected ${units(collected, decimals)} from ${done.length} of ${ids.length} loan(s) in ` +
      `${batches} batch(es) before batch ${batches + 1} failed (tx ${hashes.join(", ")})\n`,
  );
}

const collect: Command = {
  name: "collect",
  summary: "collect [--loans <id,id>]   collect what is due from the borrowers' mandates",
  usage: `  --loans <ids>       loan ids, comma-separated (default: every active loan with something due, in batches of ${BATCH})`,
  options: loansOption,
  check: (values) => void (str(values, "loans") !== undefined && parseLoans(str(values, "loans")!)),
  async run(ctx, values) {
    const client = await ctx.client(true);
    const given = str(values, "loans");
    const found = given === undefined ? await dueLoans(client) : undefined;
    const ids = given !== undefined ? parseLoans(given) : found!.due;
    let collected = 0n;
    const hashes: string[] = [];
    const d = client.decimals;
    try {
      await withProgress(progress, "collecting (loans)", ids.length, async (update) => {
        for (let i = 0; i < ids.length; i += BATCH) {
          const outcome = await client.collect(ids.slice(i, i + BATCH));
          collected += outcome.value;
          hashes.push(outcome.receipt.hash);
          update(Math.min(ids.length, i + BATCH));
        }
      });
    } catch (error) {
      if (hashes.length > 0)
        reportPartial(ids, hashes.length, collected, hashes, d, error, values.json === true);
      throw error;
    }
    const scope = found
      ? `${ids.length} of ${found.active} active loan(s) had something due`
      : `${ids.length} loan(s)`;
    return {
      json: { command: "ops collect", loans: ids, collected, decimals: d, tx: hashes },
      human: [
        ids.length === 0
          ? `nothing due on ${found!.active} active loan(s); no transaction sent`
          : `collected ${units(collected, d)}: ${scope} (tx ${hashes.join(", ")})`,
      ],
    };
  },
};

const mark: Command = {
  name: "mark",
  summary: "mark --loans <id,id>        move loans to the bucket their arrears put them in",
  usage: "  --loans <ids>       loan ids, comma-separated",
  options: loansOption,
  check: (values) => void parseLoans(required(values, "loans")),
  async run(ctx, values) {
    const ids = parseLoans(required(values, "loans"));
    const client = await ctx.client(true);
    const { value: changes, receipt } = await client.mark(ids);
    const moves = client.events(receipt).filter((e) => e.name === "ProvisionChanged").length;
    const after = await Promise.all(ids.map((id) => client.loan(id)));
    return {
      json: {
        command: "ops mark",
        loans: after.map((l) => ({ id: l.id, status: l.status, bucket: l.markedBucket })),
        bucketChanges: changes,
        provisionMoves: moves,
        tx: receipt.hash,
      },
      human: [
        `marked ${ids.length} loan(s): ${changes} bucket change(s), ${moves} provision(s) moved (tx ${receipt.hash})`,
        ...after.map((l) => `  ${l.id}: ${l.status}, ${l.markedBucket}`),
      ],
    };
  },
};

/** Requests `ops process` visits by default, and at most (each costs the transaction a slot read or a fill). */
const PROCESS_DEFAULT = 20;
const PROCESS_MAX = 200;

const maxOf = (values: Values): number => {
  const raw = str(values, "max");
  return raw === undefined ? PROCESS_DEFAULT : integer(raw, "max", 1, PROCESS_MAX);
};

const processQueue: Command = {
  name: "process",
  summary:
    "process [--max <n>]         fill queued redemptions from the head with the cash there is (anyone may)",
  usage: `  --max <n>           requests to visit from the queue's head, 1–${PROCESS_MAX} (default ${PROCESS_DEFAULT})`,
  options: { max: { type: "string" } },
  check: (values) => void maxOf(values),
  async run(ctx, values) {
    const max = maxOf(values);
    const client = await ctx.client(true);
    const sd = Number(await client.pool.decimals());
    const d = client.decimals;
    const waiting = (await client.pool.queuedShares()) as bigint;
    if (waiting === 0n) {
      return {
        json: {
          command: "ops process",
          filled: 0,
          shares: 0n,
          assets: 0n,
          queuedShares: 0n,
          decimals: d,
          shareDecimals: sd,
          tx: null,
        },
        human: ["nothing to fill: the queue is empty; no transaction sent"],
      };
    }
    const { value, receipt } = await client.processRedemptions(max);
    const left = (await client.pool.queuedShares({ blockTag: receipt.blockNumber })) as bigint;
    const still = `${shareUnits(left, sd)} shares still queued`;
    return {
      json: {
        command: "ops process",
        ...value,
        queuedShares: left,
        decimals: d,
        shareDecimals: sd,
        tx: receipt.hash,
      },
      human: [
        value.filled === 0
          ? `nothing to fill: no cash for the queue's head now; ${still} (tx ${receipt.hash})`
          : `filled ${value.filled} request(s): ${shareUnits(value.shares, sd)} shares for ` +
            `${units(value.assets, d)}; ${still} (tx ${receipt.hash})`,
      ],
    };
  },
};

const status: Command = {
  name: "status",
  summary: "status                      the pool and the book: assets, cash, principal, provisions, paused",
  usage: "",
  options: {},
  async run(ctx) {
    const client = await ctx.client(false);
    const figures = await withDecodedErrors(async () => {
      const [totalAssets, totalSupply, cash, principal, interest, provisions, available, paused] =
        await Promise.all([
          client.pool.totalAssets() as Promise<bigint>,
          client.pool.totalSupply() as Promise<bigint>,
          client.ledger.cash() as Promise<bigint>,
          client.lens.principalOutstanding() as Promise<bigint>,
          client.lens.interestReceivable() as Promise<bigint>,
          client.lens.provisions() as Promise<bigint>,
          client.ledger.availableLiquidity() as Promise<bigint>,
          client.ledger.paused() as Promise<boolean>,
        ]);
      return {
        totalAssets,
        totalSupply,
        cash,
        principalOutstanding: principal,
        interestReceivable: interest,
        provisions,
        availableLiquidity: available,
        paused,
      };
    }, client.decimals);
    const d = client.decimals;
    const book = figures.cash + figures.principalOutstanding;
    return {
      json: {
        command: "ops status",
        ledger: client.addresses.ledger,
        pool: client.addresses.pool,
        ...figures,
        decimals: d,
      },
      human: pairs([
        ["ledger", client.addresses.ledger],
        ["pool", client.addresses.pool],
        ["pool total assets", units(figures.totalAssets, d)],
        ["cash", units(figures.cash, d)],
        ["available to lend", units(figures.availableLiquidity, d)],
        ["principal outstanding", units(figures.principalOutstanding, d)],
        ["interest receivable", units(figures.interestReceivable, d)],
        ["provisions", units(figures.provisions, d)],
        ["utilisation", ratio(figures.principalOutstanding, book)],
        ["new credit", figures.paused ? "paused" : "open"],
      ]),
    };
  },
};

export const ops: Role = {
  name: "ops",
  summary: "collect, mark, fill the redemption queue, see the pool and the book",
  commands: [collect, mark, processQueue, status],
};
