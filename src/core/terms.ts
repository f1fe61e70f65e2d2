// What the protocol fixes for every offer and borrower, shared by the risk engine (which decides) and the client
// (which signs and reads): the APR cap, the terms a decision hands to an offer, and the on-chain repayment record.

/** Protocol APR cap (24 %, `DisclosureMath.DEFAULT_APR_CAP_BPS`): a policy may stay below it, never reach or exceed it. */
export const APR_CAP_BPS = 2400;

export type DecisionKind = "approve" | "refer" | "decline";

/** The part of a credit decision an offer is built from. */
export interface DecisionTerms {
  decision: DecisionKind;
  limit: bigint;
  aprBps: number | null;
  products: number[];
}

/** What the protocol records per borrower (paid within grace counts as on time). */
export interface CreditHistory {
  onTimeCount: number;
  lateCount: number;
  maxDaysLate: number;
  defaults: number;
  /** Token base units. Carried for audit; v1 rules decide on counts only, see docs. */
  totalBorrowed: bigint;
  totalRepaid: bigint;
}
