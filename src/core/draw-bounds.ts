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
