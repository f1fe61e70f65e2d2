// A merchant loan repaid from its sales, simulated day by day against a sales path: the router keeps a share of every
// sale until the loan and its fee are repaid; a minimum falls due every 30 days. This is how the generator labels its
// merchants and how the report measures what the policy's limits would have lost (docs/RISK.md, "Merchant model").
//   owed       principal + fee,  fee = floor(principal · aprBps · 30 · term / (10,000 · 360))   simple interest,
//              on the ledger's 360-day year
//   repayment  each day, floor(shareBps / 10,000 · that day's volume), until the owed amount is paid
//   minimum    ceil(owed / term) per 30-day period: by the end of period k, min(owed, k · minimum) must be paid
//   shortfall  at a period's end, the merchant tops up from its cash buffer as far as the buffer goes
//   default    more than one minimum behind at a period's end; or 30 days in a row without a sale while owing;
//              or anything still owed 30 days after the term
//   loss       principal − floor(paid · principal / owed): each payment is principal and fee pro rata
import { DAYS_PER_YEAR } from "../core/schedule.ts";
import { WINDOW_DAYS } from "./merchant-history.ts";

export interface SalesLoanTerms {
  principal: bigint;
  aprBps: number;
  /** Periods of 30 days. */
  termPeriods: number;
  /** Share of each sale the router keeps, in basis points. */
  salesShareBps: number;
}

export type LoanEnd = "repaid" | "behind" | "stopped trading" | "unpaid after the term";

export interface LoanOutcome {
  defaulted: boolean;
  end: LoanEnd;
  /** Day (0 = the loan's first) on which the loan was repaid or defaulted. */
  day: number;
  owed: bigint;
  paid: bigint;
  /** Unpaid principal at default; 0 when repaid. */
  loss: bigint;
  /** Cash the merchant put in from its buffer. */
  toppedUp: bigint;
}

/** Days of sales a loan of `termPeriods` needs to be settled either way: the term and one grace period. */
export function loanHorizonDays(termPeriods: number): number {
  return (termPeriods + 1) * WINDOW_DAYS;
}

/** Simple interest at `aprBps` on the whole principal for the whole term, rounded down. */
export function loanFee(principal: bigint, aprBps: number, termPeriods: number): bigint {
  return (principal * BigInt(aprBps) * BigInt(termPeriods * WINDOW_DAYS)) / (10_000n * DAYS_PER_YEAR);
}

/**
 * Runs a loan against `dailyVolume` (settled sales per day in base units, day 0 the loan's first day; at least
 * `loanHorizonDays(term)` days) with `buffer` base units of cash to cover shortfalls.
 */
export function simulateSalesLoan(
  dailyVolume: ArrayLike<number>,
  terms: SalesLoanTerms,
  buffer: bigint,
): LoanOutcome {
  const { principal, aprBps, termPeriods, salesShareBps } = terms;
  if (principal < 0n) throw new Error("the principal must not be negative");
  if (!Number.isInteger(termPeriods) || termPeriods < 1)
    throw new Error(`the term must be a whole number of periods, got ${termPeriods}`);
  if (!Number.isInteger(salesShareBps) || salesShareBps < 1 || salesShareBps > 10_000) {
    throw new Error(`the sales share must be 1–10,000 bps, got ${salesShareBps}`);
  }
  const horizon = loanHorizonDays(termPeriods);
  if (dailyVolume.length < horizon)
    throw new Error(`a ${termPeriods}-period loan needs ${horizon} days of sales, got ${dailyVolume.length}`);
  const owed = principal + loanFee(principal, aprBps, termPeriods);
  const minimum = (owed + BigInt(termPeriods) - 1n) / BigInt(termPeriods);
  const share = BigInt(salesShareBps);
  let paid = 0n;
  let cash = buffer;
  let quietDays = 0;
  const end = (e: LoanEnd, day: number): LoanOutcome => {
    const defaulted = e !== "repaid";
    const loss = defaulted && owed > 0n ? principal - (paid * principal) / owed : 0n;
    return { defaulted, end: e, day, owed, paid, loss, toppedUp: buffer - cash };
  };
  const topUp = (need: bigint) => {
    const top = need < cash ? need : cash;
    paid += top;
    cash -= top;
  };
  if (owed === 0n) return end("repaid", 0);
  for (let day = 0; day < horizon; day++) {
    const volume = BigInt(Math.floor(dailyVolume[day]));
    if (volume > 0n) {
      quietDays = 0;
      const take = (volume * share) / 10_000n;
      paid += take < owed - paid ? take : owed - paid;
    } else quietDays++;
    if (paid >= owed) return end("repaid", day);
    if (quietDays >= WINDOW_DAYS) return end("stopped trading", day);
    if ((day + 1) % WINDOW_DAYS !== 0) continue;
    const period = (day + 1) / WINDOW_DAYS;
    const due =
      period > termPeriods ? owed : BigInt(period) * minimum < owed ? BigInt(period) * minimum : owed;
    if (paid < due) topUp(due - paid);
    if (paid >= owed) return end("repaid", day);
    if (period > termPeriods) return end("unpaid after the term", day);
    if (due - paid > minimum) return end("behind", day);
  }
  return end("unpaid after the term", horizon - 1);
}
