// `microcredit borrower line|loans|schedule|quote`: what a borrower reads, through the client; plans and quotes
// from CreditQuotes (or, without it, microcredit/core's schedule).
import type { Result } from "ethers";
import { loanLabel } from "../core/loan-id.ts";
import { percent } from "../format/money.ts";
import { withDecodedErrors } from "../sdk/errors.ts";
import type { Microcredit } from "../client/index.ts";
import { amount, integer, loanId, required } from "./args.ts";
import type { Command } from "./command.ts";
import type { Context } from "./context.ts";
import { date, pairs, table, units } from "./output.ts";

const addressOption = { address: { type: "string" as const } };
const addressUsage = "  --address <a>       whose (default: the key's address)";

/** Product ids of a bit mask: 0b100011 → [0, 1, 5]. */
function productIds(mask: number): number[] {
  return Array.from({ length: 32 }, (_, i) => i).filter((i) => (mask >>> i) & 1);
}

export const line: Command = {
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
      client.lens.mandateOf(who) as Promise<Result>,
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

export const loans: Command = {
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

export const scheduleCommand: Command = {
  name: "schedule",
  summary:
    "schedule --loan <id>                  the loan's plan as drawn: due dates, payment, principal, interest",
  usage: "  --loan <id>         the loan id (`borrower loans` prints it)",
  options: { loan: { type: "string" } },
  check: (values) => void loanId(required(values, "loan"), "loan"),
  async run(ctx, values) {
    const id = loanId(required(values, "loan"), "loan");
    const client = await ctx.client(false);
    const { rows, source } = await client.plan(id);
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

export const productOption = { product: { type: "string" as const }, amount: { type: "string" as const } };

export async function quoteFor(
  ctx: Context,
  client: Microcredit,
  who: string,
  product: number,
  value: bigint,
) {
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

export const quote: Command = {
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
