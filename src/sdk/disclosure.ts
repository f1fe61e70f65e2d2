// Cost disclosure from the chain (PRODUCT.md C9): `CreditQuotes.quote` read through the typechain bindings, the
// bounds a quoted draw is taken within, and the sentence a borrower reads. The pure math (APR as IRR, fees, the
// disclosure of given terms) is `microcredit/core`'s (src/core/disclosure.ts), re-exported here.
import type { ContractRunner } from "ethers";
import { percent } from "../format/money.ts";
import { ICreditQuotes__factory } from "../../typechain-types/factories/interfaces/ICreditQuotes__factory.ts";
import { ledgerViews } from "../chain/lens.ts";
import { drawBoundsOf, type DrawBounds } from "../core/draw-bounds.ts";
import { costDisclosureOf, type CostDisclosure, type Disclosure } from "../core/disclosure.ts";

export * from "../core/disclosure.ts";

export interface Quote extends CostDisclosure {
  /** The product's repayment method (0 equal instalment, 1 equal principal, 2 interest-first, 3 bullet). */
  method: number;
  aprCapBps: bigint;
  /** Whether the draw's APR is within the cap (the draw still checks availability, limits and the product mask). */
  admissible: boolean;
}

/**
 * `CreditQuotes.quote`: what `borrower` drawing `amount` on `productId` now would cost, from the chain (the product's
 * method read through the quotes' ledger's `extView`, as its CreditLens reads it).
 */
export async function quote(
  quotesAddress: string,
  runner: ContractRunner,
  borrower: string,
  productId: number,
  amount: bigint,
): Promise<Quote> {
  const quotes = ICreditQuotes__factory.connect(quotesAddress, runner);
  const views = ledgerViews(await quotes.ledger(), runner);
  const [[d, aprCapBps, admissible], product] = await Promise.all([
    quotes.quote(borrower, productId, amount),
    views.product(productId),
  ]);
  return { method: Number(product.method), ...costDisclosureOf(d), aprCapBps, admissible };
}

export type { DrawBounds };

/** The bounds `CreditLedger.drawWithin` takes from a quote (`drawBoundsOf` with the quoted product's method). */
export function boundsOf(q: Quote): DrawBounds {
  return drawBoundsOf(q, q.method);
}

/** A disclosure as the sentence a borrower reads before committing. */
export function describe(d: Disclosure, money: (units: bigint) => string): string {
  return (
    `APR ${percent(d.aprBps)} including fees (contract rate ${percent(d.contractAprBps)}); you receive ${money(d.netDisbursed)} ` +
    `after a fee of ${money(d.totalFees)}; interest ${money(d.totalInterest)}; you repay ${money(d.totalRepayable)} ` +
    `in ${d.payments.length} payment${d.payments.length === 1 ? "" : "s"} every ${d.periodDays} days.`
  );
}
