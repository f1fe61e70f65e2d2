// `microcredit merchant borrow|pay`: what moves money through the SalesRouter (docs/MERCHANTS.md, "Merchant loans repaid
// from sales"). The owner borrows the merchant loan on its own line, paid to the payout address; anyone pays a sale,
// of which the router's share repays the merchant's loans first.
import type { Contract } from "ethers";
import { eventsEmittedBy } from "../client/events.ts";
import { ensureAllowance, restoreAllowance, transferred } from "../client/token.ts";
import { loanLabel } from "../core/loan-id.ts";
import { decodeError, withDecodedErrors } from "../sdk/errors.ts";
import { MAX_ORDER_ID } from "../sdk/sales.ts";
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
  recordOf,
  sendFrom,
  whichMerchant,
} from "./merchant-record.ts";
import { date, units } from "./output.ts";

/** The contract's error `name` with `args`, as the SDK decodes it when the contract reverts with it. */
function refusal(contract: Contract, name: string, args: unknown[], decimals: number): Error {
  return decodeError(contract.interface.encodeErrorResult(name, args), decimals) ?? new Error(name);
}

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
    const router = await routerAsSigner(ctx);
    const routerAt = String(router.target);
    // Refused before any transaction: another key than the owner's, a merchant that is not active.
    const record = await recordOf(open.registry, merchantId);
    if (record.owner.toLowerCase() !== me.toLowerCase()) {
      throw refusal(open.registry, "NotMerchantOwner", [merchantId, me], d);
    }
    const [payout] = (await withDecodedErrors(() => open.registry.checkActive(merchantId), d)) as [string];
    const product = Number(await router.loanProduct());
    const bounds = await boundsFor(ctx, client, me, product, value, values);
    if (bounds === undefined) await ctx.optional("quotes"); // a merchant loan is always bound to a quote
    const lines: string[] = [];
    const ledger = client.ledger.connect(ctx.signer()) as Contract;
    let allowTx: string | null = null;
    if (!((await client.lens.originatorAllowed(me, routerAt)) as boolean)) {
      allowTx = (await sendFrom(ledger, "setOriginatorAllowed", [routerAt, true], d)).hash;
      lines.push(`let the sales router ${routerAt} originate loans on your line (tx ${allowTx})`);
    }
    let receipt;
    try {
      receipt = await sendFrom(router, "borrow", [merchantId, value, bounds], d);
    } catch (error) {
      // Refused: the consent given for it is taken back.
      if (allowTx !== null) await sendFrom(ledger, "setOriginatorAllowed", [routerAt, false], d);
      throw error;
    }
    const opened = eventsEmittedBy(router, receipt.logs).find((e) => e.name === "MerchantLoanOpened");
    if (!opened) throw new Error(`the borrow transaction ${receipt.hash} has no MerchantLoanOpened event`);
    const loanId = opened.args.loanId as bigint;
    const received = transferred(client.token, client.addresses.token, "to", payout, receipt.logs);
    const loan = await client.loan(loanId);
    lines.push(
      `merchant ${merchantId} borrowed ${units(value, d)} as loan ${loanId} (${loanLabel(loanId)}); the payout ` +
        `address ${payout} received ${units(received, d)}; first minimum ${units(loan.nextDueAmount, d)} by ` +
        `${date(loan.nextDueAt)}; sales repay it first (tx ${receipt.hash})`,
    );
    return {
      json: {
        command: "merchant borrow",
        merchantId,
        router: routerAt,
        loanId,
        product,
        amount: value,
        payout,
        received,
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
      integer(required(values, "order"), "order", 0, Number(MAX_ORDER_ID))
    ),
  async run(ctx, values) {
    const merchantId = managedMerchant(values);
    const open = await openRegistry(ctx, true);
    const d = open.client.decimals;
    const value = amount(required(values, "amount"), d, "amount");
    const orderId = BigInt(integer(required(values, "order"), "order", 0, Number(MAX_ORDER_ID)));
    const router = await routerAsSigner(ctx);
    const signer = ctx.signer();
    const spender = String(router.target);
    // Refused before any approval: a merchant that may not be paid, an order already paid.
    await withDecodedErrors(() => open.registry.checkActive(merchantId), d);
    if ((await router.orderPaid(merchantId, orderId)) as boolean) {
      throw refusal(router, "OrderAlreadyPaid", [merchantId, orderId], d);
    }
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
        router: spender,
        orderId,
        amount: value,
        repaid,
        toMerchant: value - toLoans,
        decimals: d,
        tx: receipt.hash,
      },
      human: [
        `paid order ${orderId} of merchant ${merchantId}: ${units(value, d)}, of which ${units(value - toLoans, d)} to the merchant` +
          repaid.map((r) => `, ${units(r.amount, d)} to loan ${r.loanId} (${loanLabel(r.loanId)})`).join("") +
          ` (tx ${receipt.hash})`,
      ],
    };
  },
};
