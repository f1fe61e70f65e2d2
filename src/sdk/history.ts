// A borrower's on-chain repayment record, in the shape the risk engine re-scores with (src/risk/history.ts).
import type { CreditHistory } from "../core/terms.ts";

export type { CreditHistory };

/** The fields of `ICreditLedger.CreditHistory` as ethers returns them. */
export interface OnChainHistory {
  loansRepaid: bigint;
  instalmentsRepaid: bigint;
  latePayments: bigint;
  maxDaysLate: bigint;
  defaults: bigint;
  principalRepaid: bigint;
  principalDefaulted: bigint;
  principalOutstanding: bigint;
}

/**
 * Anything with the `creditHistory(borrower)` view: the CreditLens (a typechain `CreditLens`, or a plain Contract), or
 * `ledgerViews` of the ledger (src/chain/lens.ts).
 */
export interface HistorySource {
  creditHistory(borrower: string): Promise<OnChainHistory>;
}

/**
 * Maps the ledger's record to the engine's: instalments of loans repaid in full (those whose due date had come when
 * the loan closed) count as on time unless a late payment was recorded for them (`onTimeCount = instalmentsRepaid − latePayments`, never below zero); money is
 * principal only (interest and penalties are not part of the record). `totalRepaid` is the principal closed loans'
 * plans had scheduled by their close, less the share of loans prepaid ahead of their plan (`ICreditLedger.CreditHistory`);
 * `totalBorrowed` adds what was written off and what is outstanding now, so it omits principal paid off ahead of a
 * plan and principal already repaid on loans still open.
 */
export function toCreditHistory(h: OnChainHistory): CreditHistory {
  const late = Number(h.latePayments);
  const instalments = Number(h.instalmentsRepaid);
  return {
    onTimeCount: Math.max(0, instalments - late),
    lateCount: late,
    maxDaysLate: Number(h.maxDaysLate),
    defaults: Number(h.defaults),
    totalBorrowed: h.principalRepaid + h.principalDefaulted + h.principalOutstanding,
    totalRepaid: h.principalRepaid,
  };
}

/** Reads `borrower`'s record from the ledger's CreditLens (or its `ledgerViews`). */
export async function readCreditHistory(ledger: HistorySource, borrower: string): Promise<CreditHistory> {
  return toCreditHistory(await ledger.creditHistory(borrower));
}

/** The JSON form `npm run risk -- score|offer --history` reads (money as decimal strings). */
export function historyToJson(h: CreditHistory): Record<string, number | string> {
  return { ...h, totalBorrowed: h.totalBorrowed.toString(), totalRepaid: h.totalRepaid.toString() };
}
