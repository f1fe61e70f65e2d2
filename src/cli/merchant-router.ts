// `microcredit merchant borrow|pay`: what moves money through the SalesRouter (docs/MERCHANTS.md, "Merchant loans repaid
// from sales"). The owner borrows the merchant loan on its own line, paid to the payout address; anyone pays a sale,
// of which the router's share repays the merchant's loans first.
import { SalesRouter } from "../client/sales-router.ts";
import { loanLabel } from "../core/loan-id.ts";
import { MAX_ORDER_ID } from "../sdk/sales.ts";
import { amount, integer, required } from "./args.ts";
import { boundsFor } from "./borrower.ts";
import type { Command } from "./command.ts";
import {
  MANAGED_MERCHANT_USAGE,
  managedMerchant,
  MERCHANT_OPTION,
  OWN_MERCHANT_USAGE,
  openRegistry,
  recordOf,
  whichMerchant,
} from "./merchant-record.ts";
import { date, units } from "./output.ts";

export const borrow: Command = {
  name: "borrow",
  summary:
    "borrow --amount <tokens> [--merchant <id>]  the owner borrows the merchant loan, paid to the payout, repaid from sales",
  usage:
    `${OWN_MERCHANT_USAGE}\n  --amount <tokens>      what to borrow, in token units\n` +
    "  --max-apr-bps <bps>    highest APR (fees included) accepted (default: the quote's, read just before)\n" +
    "  --min-received <tokens> least the payout receives (default: the quote's net disbursement)\n" +
    "  When the router may not originate on the key's line yet, the command lets it (setOriginatorAllowed) just\n" +
    "  before the borrow, and takes that back if the borrow is refused.",
  options: {
    ...MERCHANT_OPTION,
    amount: { type: "string" },
    "max-apr-bps": { type: "string" },
    "min-received": { type: "string" },
  },
  check: (values) => void required(values, "amount"),
  async run(ctx, values) {
    const open = await openRegistry(ctx, true);
    const { client } = open;
    const d = client.decimals;
    const me = await ctx.signer().getAddress();
    const merchantId = await whichMerchant(ctx, open.registry, values);
    const value = amount(required(values, "amount"), d, "amount");
    await recordOf(open.registry, merchantId); // an id never registered is a usage error
    await ctx.optional("salesRouter");
    const sales = await SalesRouter.connect(client);
    const product = Number(await sales.router.loanProduct());
    const quoted = await boundsFor(ctx, client, me, product, value, values);
    if (quoted === undefined) await ctx.optional("quotes"); // a merchant loan is always bound to a quote
    const { value: b, receipt } = await sales.borrow(merchantId, value, quoted);
    const loan = await client.loan(b.loanId);
    const lines: string[] = [];
    if (b.allowTx !== null) {
      lines.push(
        `let the sales router ${String(sales.router.target)} originate loans on your line (tx ${b.allowTx})`,
      );
    }
    lines.push(
      `merchant ${merchantId} borrowed ${units(value, d)} as loan ${b.loanId} (${loanLabel(b.loanId)}); the payout ` +
        `address ${b.payout} received ${units(b.received, d)}; first minimum ${units(loan.nextDueAmount, d)} by ` +
        `${date(loan.nextDueAt)}; sales repay it first (tx ${receipt.hash})`,
    );
    return {
      json: {
        command: "merchant borrow",
        merchantId,
        router: String(sales.router.target),
        loanId: b.loanId,
        product,
        amount: value,
        payout: b.payout,
        received: b.received,
        bounds: b.bounds,
        nextDueAt: loan.nextDueAt,
        nextDueAmount: loan.nextDueAmount,
        allowTx: b.allowTx,
        decimals: d,
        tx: receipt.hash,
      },
      human: lines,
    };
  },
};

export const pay: Command = {
  name: "pay",
  summary:
    "pay --merchant <id> --amount <tokens> --order <n>  pay a sale through the sales router (approves when short)",
  usage:
    `${MANAGED_MERCHANT_USAGE}\n  --amount <tokens>     the sale, in token units\n` +
    "  --order <n>           the merchant's order id (each is paid once)",
  options: { ...MERCHANT_OPTION, amount: { type: "string" }, order: { type: "string" } },
  check: (values) =>
    void (
      managedMerchant(values),
      required(values, "amount"),
      integer(required(values, "order"), "order", 0, Number(MAX_ORDER_ID))
    ),
  async run(ctx, values) {
    const merchantId = managedMerchant(values);
    const open = await openRegistry(ctx, true);
    const d = open.client.decimals;
    const value = amount(required(values, "amount"), d, "amount");
    const orderId = BigInt(integer(required(values, "order"), "order", 0, Number(MAX_ORDER_ID)));
    await ctx.optional("salesRouter");
    const sales = await SalesRouter.connect(open.client);
    const { value: sale, receipt } = await sales.pay(merchantId, value, orderId);
    const { repaid, toMerchant } = sale;
    return {
      json: {
        command: "merchant pay",
        merchantId,
        router: String(sales.router.target),
        orderId,
        amount: value,
        repaid,
        toMerchant,
        decimals: d,
        tx: receipt.hash,
      },
      human: [
        `paid order ${orderId} of merchant ${merchantId}: ${units(value, d)}, of which ${units(toMerchant, d)} to the merchant` +
          repaid.map((r) => `, ${units(r.amount, d)} to loan ${r.loanId} (${loanLabel(r.loanId)})`).join("") +
          ` (tx ${receipt.hash})`,
      ],
    };
  },
};
