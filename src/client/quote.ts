// What a draw would cost before it happens (`CreditQuotes.quote`, PRODUCT.md C9), and the bounds that hold the draw
// to it: `drawWithin` reverts rather than cost more, pay out less or follow another plan than quoted.
import type { Contract, Result } from "ethers";
import { costDisclosureOf, type CostDisclosure, type DecodedDisclosure } from "../core/disclosure.ts";
import { drawBoundsOf, type DrawBounds } from "../core/draw-bounds.ts";

export type { CostDisclosure };

/** A quote: the disclosure, whether its APR is within the cap, and the bounds to pass to `draw`. */
export interface Quote {
  productId: number;
  amount: bigint;
  disclosure: CostDisclosure;
  aprCapBps: bigint;
  /** Whether the APR is within the cap (the draw still checks availability, limits and the product mask). */
  admissible: boolean;
  /** The draw bounded to this quote: its APR, its net disbursement and its plan. */
  bounds: DrawBounds;
}

/**
 * `CreditQuotes.quote` of `borrower` drawing `amount` on `productId` now, with the product's method (read on the
 * CreditLens `lens`) for the bounds.
 */
export async function readQuote(
  quotes: Contract,
  lens: Contract,
  borrower: string,
  productId: number,
  amount: bigint,
): Promise<Quote> {
  const [[disclosure, aprCapBps, admissible], product] = (await Promise.all([
    quotes.quote(borrower, productId, amount),
    lens.product(productId),
  ])) as [Result, Result];
  const cost = costDisclosureOf(disclosure as unknown as DecodedDisclosure);
  return {
    productId,
    amount,
    disclosure: cost,
    aprCapBps,
    admissible: Boolean(admissible),
    bounds: drawBoundsOf(cost, Number(product.method)),
  };
}
