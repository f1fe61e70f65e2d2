// `microcredit merchant borrow|pay`: what moves money through the SalesRouter (docs/MERCHANTS.md, "Merchant loans repaid
// from sales"). The owner borrows the merchant loan on its own line, paid to the payout address; anyone pays a sale,
// of which the router's share repays the merchant's loans first.
import type { Contract } from "ethers";
import { eventsEmittedBy } from "../client/events.ts";
import { ensureAllowance, restoreAllowance } from "../client/token.ts";
import { loanLabel } from "../core/loan-id.ts";
import { amount, integer, required } from "./args.ts";
import { boundsFor } from "./borrower.ts";
import type { Command } from "./command.ts";
import type { Context } from "./context.ts";
import {
  MANAGED_MERCHANT_USAGE,
  managedMerchant,
  MERCHANT_OPTION,
  OWN_MERCHANT_USAGE,
  openRegistry,
  sendFrom,
  whichMerchant,
} from "./merchant-record.ts";
import { date, units } from "./output.ts";

/** The deployment's router, connected to the key. */
async function routerAsSigner(ctx: Context): Promise<Contract> {
  return (await ctx.optional("salesRouter")).connect(ctx.signer()) as Contract;
}

export const borrow: Command = {
  name: "borrow",
  summary:
    "borrow --amount <tokens> [--merchant <id>]  the owner borrows the merchant loan, paid to the payout, repaid from sales",
  usage:
    `${OWN_MERCHANT_USAGE}\n  --amount <tokens>      what to borrow, in token units\n` +
    "  --max-apr-bps <bps>    highest APR (fees included) accepted (default: the quote's, read just before)\n" +
    "  --min-received <tokens> least the payout receives (default: the quote's net disbursement)\n" +
    "  The first borrow also lets the router originate on the key's line (setOriginatorAllowed).",
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
    const router = await routerAsSigner(ctx);
    const routerAt = String(router.target);
    const product = Number(await router.loanProduct());
    const bounds = await boundsFor(ctx, client, me, product, value, values);
    if (bounds === undefined) await ctx.optional("quotes"); // a merchant loan is always bound to a quote
    const lines: string[] = [];
    let allowTx: string | null = null;
    if (!((await client.lens.originatorAllowed(me, routerAt)) as boolean)) {
      const receipt = await sendFrom(
        client.ledger.connect(ctx.signer()) as Contract,
        "setOriginatorAllowed",
        [routerAt, true],
        d,
      );
      allowTx = receipt.hash;
      lines.push(`let the sales router ${routerAt} originate loans on your line (tx ${receipt.hash})`);
    }
    const receipt = await sendFrom(router, "borrow", [merchantId, value, bounds], d);
    const opened = eventsEmittedBy(router, receipt.logs).find((e) => e.name === "MerchantLoanOpened");
    if (!opened) throw new Error(`the borrow transaction ${receipt.hash} has no MerchantLoanOpened event`);
    const loanId = opened.args.loanId as bigint;
    const loan = await client.loan(loanId);
    lines.push(
      `merchant ${merchantId} borrowed ${units(value, d)} as loan ${loanId} (${loanLabel(loanId)}), paid to the payout address; ` +
        `first minimum ${units(loan.nextDueAmount, d)} by ${date(loan.nextDueAt)}; sales repay it first (tx ${receipt.hash})`,
    );
    return {
      json: {
        command: "merchant borrow",
        merchantId,
        loanId,
        product,
        amount: value,
        bounds,
        nextDueAt: loan.nextDueAt,
        nextDueAmount: loan.nextDueAmount,
        allowTx,
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
      integer(required(values, "order"), "order", 0, 2 ** 50 - 1)
    ),
  async run(ctx, values) {
    const merchantId = managedMerchant(values);
    const open = await openRegistry(ctx, true);
    const d = open.client.decimals;
    const value = amount(required(values, "amount"), d, "amount");
    const orderId = BigInt(integer(required(values, "order"), "order", 0, 2 ** 50 - 1));
    const router = await routerAsSigner(ctx);
    const signer = ctx.signer();
    const spender = String(router.target);
    const before = await ensureAllowance(open.client.token, signer, spender, value);
    let receipt;
    try {
      receipt = await sendFrom(router, "pay", [merchantId, value, orderId], d);
    } catch (error) {
      // Refused: the allowance given for it is taken back.
      await restoreAllowance(open.client.token, signer, spender, before);
      throw error;
    }
    const repaid = eventsEmittedBy(router, receipt.logs)
      .filter((e) => e.name === "RepaidFromSale")
      .map((e) => ({ loanId: e.args.loanId as bigint, amount: e.args.amount as bigint }));
    const toLoans = repaid.reduce((sum, r) => sum + r.amount, 0n);
    return {
      json: {
        command: "merchant pay",
        merchantId,
        orderId,
        amount: value,
        repaid,
        toMerchant: value - toLoans,
        decimals: d,
        tx: receipt.hash,
      },
      human: [
        `paid order ${orderId} of merchant ${merchantId}: ${units(value, d)}, of which ${units(value - toLoans, d)} to the merchant` +
          (repaid.length === 0
            ? ""
            : ` and ${units(toLoans, d)} repaid ${repaid.map((r) => `loan ${loanLabel(r.loanId)}`).join(", ")}`) +
          ` (tx ${receipt.hash})`,
      ],
    };
  },
};
