// `microcredit merchant sales`: a merchant's sales history as the SalesRouter keeps it on chain (docs/MERCHANTS.md,
// "Sales router"), and what the merchant model reads of it (docs/RISK.md); `microcredit merchant loans`: the loans the
// merchant's sales repay, and the share of each sale that repays them now.
import { money } from "../format/money.ts";
import { toMerchantHistory } from "../client/sales-history.ts";
import { readMerchantLoans, readSalesHistory, windowStart, type RouterWindow } from "../sdk/sales.ts";
import type { Command } from "./command.ts";
import { checkWhich, MANAGED_MERCHANT_USAGE, openRegistry, whichMerchant } from "./merchant-record.ts";
import { date } from "./output.ts";

/** `--merchant <id>` or `--owner <a>`, else the key's own merchant: the options both commands take. */
const WHICH_MERCHANT = {
  usage:
    `${MANAGED_MERCHANT_USAGE}\n  --owner <a>           the merchant of this owner key\n` +
    "  (neither: the key's own merchant)",
  options: { merchant: { type: "string" as const }, owner: { type: "string" as const } },
  check: checkWhich,
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function windowJson(w: RouterWindow) {
  return {
    window: w.window.toString(),
    from: windowStart(w.window).toString(),
    volume: w.volume.toString(),
    sales: w.sales,
    refunds: w.refunds.toString(),
    activeDays: w.activeDays,
  };
}

export const sales: Command = {
  name: "sales",
  summary:
    "sales [--merchant <id> | --owner <a>]  a merchant's sales per 30-day window, as the sales router keeps them",
  ...WHICH_MERCHANT,
  async run(ctx, values) {
    const { client, registry } = await openRegistry(ctx, false);
    const merchantId = await whichMerchant(ctx, registry, values);
    const router = await ctx.optional("salesRouter");
    const h = await readSalesHistory(router, merchantId);
    const now = await ctx.now();
    const model = toMerchantHistory(h, now);
    const m = (units: bigint) => money(units, client.decimals);
    const rows = [h.current, ...h.complete].filter((w) => w.sales > 0 || w.refunds > 0n);
    const human = [
      `merchant ${merchantId} through the sales router at ${String(router.target)}`,
      h.firstSaleAt === 0n
        ? "no sale yet"
        : `first sale ${date(h.firstSaleAt)} (tenure ${model.tenureDays} days, ${model.windows.length} complete windows for the merchant model)`,
      ...rows.map(
        (w, i) =>
          `  ${w === h.current ? "current " : "window  "} from ${date(windowStart(w.window))}: ${m(w.volume)} in ` +
          `${plural(w.sales, "sale")} on ${plural(w.activeDays, "day")}, refunds ${m(w.refunds)}` +
          (i === 0 && w === h.current ? " (in progress)" : ""),
      ),
    ];
    if (rows.length === 0 && h.firstSaleAt !== 0n) human.push("  no sale or refund in the last 13 windows");
    return {
      json: {
        command: "merchant sales",
        merchantId: merchantId.toString(),
        router: String(router.target),
        decimals: client.decimals,
        firstSaleAt: h.firstSaleAt.toString(),
        tenureDays: model.tenureDays,
        current: windowJson(h.current),
        complete: h.complete.map(windowJson),
      },
      human,
    };
  },
};

const pct = (bps: bigint) => `${(Number(bps) / 100).toFixed(2)}%`;

export const loans: Command = {
  name: "loans",
  summary:
    "loans [--merchant <id> | --owner <a>]  the loans a merchant's sales repay, and the share of each sale now",
  ...WHICH_MERCHANT,
  async run(ctx, values) {
    const { client, registry } = await openRegistry(ctx, false);
    const merchantId = await whichMerchant(ctx, registry, values);
    const router = await ctx.optional("salesRouter");
    const l = await readMerchantLoans(router, merchantId);
    const states = await Promise.all(l.loanIds.map((id) => client.loan(id)));
    const m = (units: bigint) => money(units, client.decimals);
    const share =
      l.shareBps === 0n
        ? "nothing owed: every sale goes to the merchant in full"
        : `${pct(l.shareBps)} of each sale repays the loans, oldest first` +
          (l.shareBps === l.lateShareBps && l.lateShareBps !== l.normalShareBps
            ? ` (raised from ${pct(l.normalShareBps)}: the line has a loan past grace)`
            : "");
    const human = [
      `merchant ${merchantId}: ${share}`,
      ...states.map(
        (s) =>
          `  loan ${s.id} (${s.status}, ${s.markedBucket}): owes ${m(s.payoff)}` +
          (s.status === "active"
            ? s.pastDue > 0n
              ? `, ${m(s.pastDue)} past due since ${date(s.pastDueSince)}`
              : s.nextDueAt > 0n
                ? `, next minimum ${m(s.nextDueAmount)} by ${date(s.nextDueAt)}`
                : ""
            : ""),
      ),
    ];
    if (states.length === 0)
      human.push(`  no loan (product ${l.loanProduct}, borrowed with the router's borrow)`);
    return {
      json: {
        command: "merchant loans",
        merchantId: merchantId.toString(),
        router: String(router.target),
        decimals: client.decimals,
        shareBps: Number(l.shareBps),
        normalShareBps: Number(l.normalShareBps),
        lateShareBps: Number(l.lateShareBps),
        loanProduct: l.loanProduct,
        loans: states.map((s) => ({
          loanId: s.id.toString(),
          status: s.status,
          markedBucket: s.markedBucket,
          payoff: s.payoff.toString(),
          pastDue: s.pastDue.toString(),
          nextDueAt: s.nextDueAt.toString(),
          nextDueAmount: s.nextDueAmount.toString(),
        })),
      },
      human,
    };
  },
};
