// `microcredit borrower line|loans|schedule|quote|accept|draw|repay|mandate`: a credit line and its loans, through the
// client; quotes and plans from CreditQuotes (or, without it, microcredit/core's schedule).
import type { ContractTransactionReceipt, Result } from "ethers";
import { schedule as planOf } from "../core/schedule.ts";
import { loanLabel } from "../core/loan-id.ts";
import { percent } from "../format/money.ts";
import { withDecodedErrors } from "../sdk/errors.ts";
import type { DrawBounds, Microcredit } from "../client/index.ts";
import { amount, integer, loanId, oneOf, required, str, UsageError, type Values } from "./args.ts";
import { accept } from "./accept.ts";
import type { Command, Role } from "./command.ts";
import type { Context } from "./context.ts";
import { date, pairs, table, units } from "./output.ts";

const SECONDS_PER_DAY = 86_400n;
const addressOption = { address: { type: "string" as const } };
const addressUsage = "  --address <a>       whose (default: the key's address)";

/** Product ids of a bit mask: 0b100011 → [0, 1, 5]. */
function productIds(mask: number): number[] {
  return Array.from({ length: 32 }, (_, i) => i).filter((i) => (mask >>> i) & 1);
}

const line: Command = {
  name: "line",
  summary:
    "line [--address <a>]                  the credit line: limit, outstanding, available, APR, mandate",
  usage: addressUsage,
  options: addressOption,
  async run(ctx) {
    const client = await ctx.client(false);
    const who = await ctx.who();
    const [view, mandate] = await Promise.all([
      client.line(who),
      client.ledger.mandateOf(who) as Promise<Result>,
    ]);
    const d = client.decimals;
    const products = productIds(view.productMask);
    const mandateJson = { active: Boolean(mandate[0]), capPerCollection: mandate[1] as bigint };
    return {
      json: { command: "borrower line", address: who, ...view, products, mandate: mandateJson, decimals: d },
      human: pairs([
        ["borrower", who],
        ["status", view.status],
        ["limit", units(view.limit, d)],
        ["outstanding", units(view.outstanding, d)],
        ["available", units(view.available, d)],
        ["APR", percent(view.aprBps)],
        ["products", products.length ? products.join(", ") : "none"],
        ["loans drawn", String(view.loanCount)],
        ["late loans", String(view.lateLoans)],
        ["KYC draws until", date(view.kycExpiresAt)],
        [
          "mandate",
          !mandateJson.active
            ? "none"
            : mandateJson.capPerCollection === 0n
              ? "active, no cap"
              : `active, cap ${units(mandateJson.capPerCollection, d)} per collection`,
        ],
      ]),
    };
  },
};

const loans: Command = {
  name: "loans",
  summary: "loans [--address <a>]                 every loan of the line, oldest first",
  usage: addressUsage,
  options: addressOption,
  async run(ctx) {
    const client = await ctx.client(false);
    const who = await ctx.who();
    const all = await client.loans(who);
    const d = client.decimals;
    const rows = all.map((l) => [
      l.id.toString(),
      loanLabel(l.id).split(" ")[0],
      l.status,
      units(l.principal, d),
      units(l.principalOutstanding, d),
      units(l.payoff, d),
      l.status === "active" ? date(l.nextDueAt) : "—",
      l.status === "active" ? units(l.nextDueAmount, d) : "—",
      l.bucket,
    ]);
    const header = [
      "id",
      "n",
      "status",
      "principal",
      "outstanding",
      "payoff",
      "next due",
      "amount",
      "bucket",
    ];
    return {
      json: { command: "borrower loans", address: who, loans: all, decimals: d },
      human: all.length === 0 ? [`no loans for ${who}`] : table(header, rows),
    };
  },
};

interface PlanRow {
  dueAt: bigint;
  payment: bigint;
  principal: bigint;
  interest: bigint;
}

/** The loan's plan as drawn: CreditQuotes.loanSchedule, or microcredit/core's schedule of the loan's record. */
async function loanPlan(
  ctx: Context,
  client: Microcredit,
  id: bigint,
): Promise<{ rows: PlanRow[]; source: string }> {
  return withDecodedErrors(async () => {
    if ((await ctx.deployment()).quotes !== undefined) {
      const quotes = await ctx.optional("quotes");
      const [dueDates, payments, principals, interests] = (await quotes.loanSchedule(id)) as bigint[][];
      const rows = payments.map((payment, i) => ({
        dueAt: dueDates[i],
        payment,
        principal: principals[i],
        interest: interests[i],
      }));
      return { rows, source: "CreditQuotes.loanSchedule" };
    }
    await client.loan(id); // LoanNotFound for an id never drawn
    const r = await client.ledger.loanRecord(id);
    const plan = planOf({
      method: Number(r.method),
      principal: r.principal as bigint,
      aprBps: r.aprBps as bigint,
      instalments: r.instalments as bigint,
      periodDays: r.periodDays as bigint,
    });
    const period = BigInt(r.periodDays) * SECONDS_PER_DAY;
    const rows = plan.map((row, i) => ({ dueAt: BigInt(r.drawnAt) + period * BigInt(i + 1), ...row }));
    return { rows, source: "microcredit/core schedule" };
  }, client.decimals);
}

const scheduleCommand: Command = {
  name: "schedule",
  summary:
    "schedule --loan <id>                  the loan's plan as drawn: due dates, payment, principal, interest",
  usage: "  --loan <id>         the loan id (`borrower loans` prints it)",
  options: { loan: { type: "string" } },
  check: (values) => void loanId(required(values, "loan"), "loan"),
  async run(ctx, values) {
    const id = loanId(required(values, "loan"), "loan");
    const client = await ctx.client(false);
    const { rows, source } = await loanPlan(ctx, client, id);
    const d = client.decimals;
    const total = rows.reduce((sum, r) => sum + r.payment, 0n);
    return {
      json: { command: "borrower schedule", loanId: id, source, rows, totalRepayable: total, decimals: d },
      human: [
        `loan ${id} (${loanLabel(id)}), plan from ${source}`,
        ...table(
          ["#", "due", "payment", "principal", "interest"],
          rows.map((r, i) => [
            String(i + 1),
            date(r.dueAt),
            units(r.payment, d),
            units(r.principal, d),
            units(r.interest, d),
          ]),
        ),
        `total repayable ${units(total, d)}`,
      ],
    };
  },
};

const productOption = { product: { type: "string" as const }, amount: { type: "string" as const } };

async function quoteFor(ctx: Context, client: Microcredit, who: string, product: number, value: bigint) {
  const quotes = await ctx.optional("quotes");
  return withDecodedErrors(async () => {
    const [disclosure, aprCapBps, admissible] = (await quotes.quote(who, product, value)) as Result;
    return {
      disclosure: disclosure as Result,
      aprCapBps: aprCapBps as bigint,
      admissible: Boolean(admissible),
    };
  }, client.decimals);
}

const quote: Command = {
  name: "quote",
  summary: "quote --product <id> --amount <tokens> what a draw would cost now (CreditQuotes)",
  usage:
    "  --product <id>      product id (0–15)\n  --amount <tokens>   what to draw, in token units\n" +
    addressUsage,
  options: { ...productOption, ...addressOption },
  check: (values) =>
    void (integer(required(values, "product"), "product", 0, 15), required(values, "amount")),
  async run(ctx, values) {
    const client = await ctx.client(false);
    const who = await ctx.who();
    const product = integer(required(values, "product"), "product", 0, 15);
    const value = amount(required(values, "amount"), client.decimals, "amount");
    const { disclosure: q, aprCapBps, admissible } = await quoteFor(ctx, client, who, product, value);
    const d = client.decimals;
    const payments = [...(q.payments as bigint[])];
    return {
      json: {
        command: "borrower quote",
        address: who,
        product,
        amount: value,
        aprBps: q.aprBps,
        contractAprBps: q.contractAprBps,
        totalFees: q.totalFees,
        netDisbursed: q.netDisbursed,
        totalInterest: q.totalInterest,
        totalRepayable: q.totalRepayable,
        periodDays: q.periodDays,
        payments,
        aprCapBps,
        admissible,
        decimals: d,
      },
      human: pairs([
        ["product", String(product)],
        ["amount", units(value, d)],
        [
          "APR (fees included)",
          `${percent(q.aprBps)}${admissible ? "" : ` — above the cap of ${percent(aprCapBps)}`}`,
        ],
        ["contract APR", percent(q.contractAprBps)],
        ["fees", units(q.totalFees, d)],
        ["you receive", units(q.netDisbursed, d)],
        ["interest", units(q.totalInterest, d)],
        ["total repayable", units(q.totalRepayable, d)],
        [
          "payments",
          `${payments.length} × every ${q.periodDays} days: ${payments.map((p) => units(p, d)).join(", ")}`,
        ],
      ]),
    };
  },
};

/** What the signer received from the ledger in a receipt (the token's Transfers to it). */
function received(client: Microcredit, me: string, receipt: ContractTransactionReceipt): bigint {
  let total = 0n;
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== client.addresses.token.toLowerCase()) continue;
    const event = client.token.interface.parseLog(log);
    if (event?.name === "Transfer" && String(event.args.to).toLowerCase() === me.toLowerCase()) {
      total += event.args.value as bigint;
    }
  }
  return total;
}

/** drawWithin's bounds: the quote now, with --max-apr-bps and --min-received in place of its figures. */
async function boundsFor(
  ctx: Context,
  client: Microcredit,
  me: string,
  product: number,
  value: bigint,
  values: Values,
) {
  const maxApr = str(values, "max-apr-bps");
  const minReceived = str(values, "min-received");
  if ((await ctx.deployment()).quotes === undefined) {
    if (maxApr !== undefined || minReceived !== undefined) await ctx.optional("quotes"); // says it is needed
    return undefined;
  }
  const { disclosure: q } = await quoteFor(ctx, client, me, product, value);
  const p = await client.ledger.product(product);
  const bounds: DrawBounds = {
    maxAprBps:
      maxApr !== undefined ? BigInt(integer(maxApr, "max-apr-bps", 0, 1_000_000)) : (q.aprBps as bigint),
    minReceived:
      minReceived !== undefined
        ? amount(minReceived, client.decimals, "min-received", true)
        : (q.netDisbursed as bigint),
    method: Number(p.method),
    payments: (q.payments as bigint[]).length,
    periodDays: Number(q.periodDays),
  };
  return bounds;
}

const draw: Command = {
  name: "draw",
  summary: "draw --product <id> --amount <tokens>  draw a loan, bound to the quote (drawWithin)",
  usage:
    "  --product <id>         product id (0–15)\n  --amount <tokens>      what to draw, in token units\n" +
    "  --max-apr-bps <bps>    highest APR (fees included) accepted (default: the quote's, read just before)\n" +
    "  --min-received <tokens> least to receive (default: the quote's net disbursement)",
  options: { ...productOption, "max-apr-bps": { type: "string" }, "min-received": { type: "string" } },
  check: (values) =>
    void (integer(required(values, "product"), "product", 0, 15), required(values, "amount")),
  async run(ctx, values) {
    const client = await ctx.client(true);
    const me = await ctx.signer().getAddress();
    const product = integer(required(values, "product"), "product", 0, 15);
    const value = amount(required(values, "amount"), client.decimals, "amount");
    const bounds = await boundsFor(ctx, client, me, product, value, values);
    const { value: id, receipt } = await client.draw(product, value, bounds);
    const got = received(client, me, receipt);
    const d = client.decimals;
    return {
      json: {
        command: "borrower draw",
        loanId: id,
        product,
        amount: value,
        received: got,
        bounds: bounds ?? null,
        decimals: d,
        tx: receipt.hash,
      },
      human: [
        `drew loan ${id} (${loanLabel(id)}): ${units(value, d)} on product ${product}, received ${units(got, d)} (tx ${receipt.hash})`,
      ],
    };
  },
};

const repay: Command = {
  name: "repay",
  summary: "repay --loan <id> --amount <tokens> | --all  pay towards a loan (--all: pay it off)",
  usage:
    "  --loan <id>         the loan id\n  --amount <tokens>   what to pay, in token units\n  --all               the payoff, whatever it is when the transaction runs",
  options: { loan: { type: "string" }, amount: { type: "string" }, all: { type: "boolean" } },
  check: (values) => void (loanId(required(values, "loan"), "loan"), oneOf(values, ["amount", "all"])),
  async run(ctx, values) {
    const id = loanId(required(values, "loan"), "loan");
    const client = await ctx.client(true);
    const outcome = values.all
      ? await client.payoff(id)
      : await client.repay(id, amount(required(values, "amount"), client.decimals, "amount"));
    const after = await client.loan(id);
    const d = client.decimals;
    return {
      json: {
        command: "borrower repay",
        loanId: id,
        paid: outcome.value,
        status: after.status,
        payoff: after.payoff,
        decimals: d,
        tx: outcome.receipt.hash,
      },
      human: [
        `paid ${units(outcome.value, d)} towards loan ${id} (${loanLabel(id)}) (tx ${outcome.receipt.hash})`,
        after.status === "active" ? `still owed: ${units(after.payoff, d)}` : `the loan is ${after.status}`,
      ],
    };
  },
};

async function sent(client: Microcredit, call: () => Promise<{ wait: () => Promise<unknown> }>) {
  return withDecodedErrors(
    async () => (await (await call()).wait()) as ContractTransactionReceipt,
    client.decimals,
  );
}

const mandate: Command = {
  name: "mandate",
  summary:
    "mandate --cap <tokens> [--allowance <tokens>] | --revoke  auto-debit of the wallet for collection",
  usage:
    "  --cap <tokens>        most collected per loan and call of collect (0: no cap)\n" +
    "  --allowance <tokens>  also approve the ledger for this much (collection needs an allowance)\n" +
    "  --revoke              stop auto-debit",
  options: { cap: { type: "string" }, allowance: { type: "string" }, revoke: { type: "boolean" } },
  check(values) {
    oneOf(values, ["cap", "revoke"]);
    if (values.revoke && values.allowance !== undefined)
      throw new UsageError("--allowance goes with --cap, not --revoke");
  },
  async run(ctx, values) {
    const client = await ctx.client(true);
    const me = await ctx.signer().getAddress();
    const d = client.decimals;
    const hashes: string[] = [];
    if (values.revoke) {
      hashes.push((await sent(client, () => client.ledger.getFunction("revokeMandate")())).hash);
    } else {
      const cap = amount(required(values, "cap"), d, "cap", true);
      const allowance = str(values, "allowance");
      if (allowance !== undefined) {
        const value = amount(allowance, d, "allowance", true);
        hashes.push(
          (await sent(client, () => client.token.getFunction("approve")(client.addresses.ledger, value)))
            .hash,
        );
      }
      hashes.push((await sent(client, () => client.ledger.getFunction("setMandate")(cap))).hash);
    }
    const [active, cap] = (await client.ledger.mandateOf(me)) as [boolean, bigint];
    const allowed: bigint = await client.token.allowance(me, client.addresses.ledger);
    return {
      json: {
        command: "borrower mandate",
        address: me,
        active,
        capPerCollection: cap,
        allowance: allowed,
        decimals: d,
        tx: hashes,
      },
      human: [
        active
          ? `mandate active, ${cap === 0n ? "no cap" : `cap ${units(cap, d)} per collection`}; the ledger may spend ${units(allowed, d)} (tx ${hashes.join(", ")})`
          : `mandate revoked (tx ${hashes.join(", ")})`,
      ],
    };
  },
};

export const borrower: Role = {
  name: "borrower",
  summary: "see a line and its loans, quote, accept an offer, draw, repay, set the collection mandate",
  commands: [line, loans, scheduleCommand, quote, accept, draw, repay, mandate],
};
