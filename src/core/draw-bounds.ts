// The borrower's bounds on a draw (`ICreditLedger.DrawBounds`, taken by `drawWithin`): what they accepted from a
// quote. The draw reverts unless its APR (fees included), the amount received and the plan are within them.

/** `ICreditLedger.DrawBounds`: what a borrower accepted from a quote (`CreditQuotes.quote`). */
export interface DrawBounds {
  maxAprBps: bigint;
  minReceived: bigint;
  method: number;
  payments: number;
  periodDays: number;
}

/** The figures of a disclosure the bounds hold a draw to. */
export interface BoundedFigures {
  aprBps: bigint;
  netDisbursed: bigint;
  payments: readonly bigint[];
  periodDays: bigint;
}

/**
 * The bounds `drawWithin` takes from a quote of a product with repayment `method` (the product's): the draw reverts
 * (`AprAboveBound`, `ReceivedBelowMinimum`, `PlanChanged`) rather than cost more, pay out less or follow another plan
 * than quoted, whatever changes on the line or the product in between.
 */
export function drawBoundsOf(quoted: BoundedFigures, method: number): DrawBounds {
  return {
    maxAprBps: quoted.aprBps,
    minReceived: quoted.netDisbursed,
    method,
    payments: quoted.payments.length,
    periodDays: Number(quoted.periodDays),
  };
}
