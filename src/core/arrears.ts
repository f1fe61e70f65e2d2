// Delinquency math of one loan, the twin of contracts/libraries/ArrearsMath.sol: its due dates, the oldest unpaid
// one, and penalty interest. Penalty runs per second on what is past due, from the due date it fell due at, at
// `aprBps × penaltyMultiplierBps / 10,000`, rounded up at each touch of the loan. Inside the grace period it is latent
// (waived if the borrower catches up); from the first second past grace the whole of it, from the due date, is owed.
import { BPS, INTEREST_SCALE, divUp, periodInterestUp } from "./schedule.ts";
import { type Accrual, type Loan, periodSeconds, planOf, scheduledAfter } from "./loan.ts";

/** Due date `k` (1-based) of a loan. */
export function dueDateOf(loan: Loan, k: bigint): bigint {
  return loan.drawnAt + k * periodSeconds(loan);
}

/**
 * Penalty interest on `overdue` base units for `seconds`, at the contract APR times `penaltyMultiplierBps / 10,000`,
 * rounded up: `ceil(overdue × seconds × aprBps × penaltyMultiplierBps / (INTEREST_SCALE × 10,000))`. What the ledger
 * charges on an amount past due since one due date, `seconds` after that due date, with the loan untouched since (each
 * touch rounds up what accrued until then). Counted from the due date, not from the end of grace; payable only once
 * the grace period (`riskParams().graceDays`) has passed.
 */
export function penaltyInterestUp(
  overdue: bigint,
  aprBps: bigint,
  penaltyMultiplierBps: bigint,
  seconds: bigint,
): bigint {
  return divUp(overdue * seconds * aprBps * penaltyMultiplierBps, INTEREST_SCALE * BPS);
}

/**
 * What fell due at each due date `k` up to `last` (index `k − 1`), counting each period as opened on the smaller of
 * `outstanding` and its scheduled balance: the part of instalment `k`'s principal not paid ahead, and period `k`'s
 * interest (`ArrearsMath._fellDue`).
 */
export function fellDue(
  loan: Loan,
  outstanding: bigint,
  last: bigint,
): { principalOf: bigint[]; interestOf: bigint[] } {
  const p = planOf(loan);
  const principalOf: bigint[] = [];
  const interestOf: bigint[] = [];
  let scheduled = p.principal;
  for (let k = 1n; k <= last; k++) {
    const opening = outstanding < scheduled ? outstanding : scheduled;
    scheduled = scheduledAfter(p, scheduled, k);
    principalOf.push(opening > scheduled ? opening - scheduled : 0n);
    interestOf.push(periodInterestUp(opening, p.aprBps, p.periodDays));
  }
  return { principalOf, interestOf };
}

/**
 * Whether all that a rolled loan has past due fell due at its last due date (`ArrearsMath.onlyLastDue`): no earlier
 * instalment's principal is unpaid, and the unpaid interest is at most the last period's.
 */
export function onlyLastDue(loan: Loan, a: Accrual): boolean {
  const outstanding = loan.principal - loan.principalPaid;
  if (outstanding > a.scheduledBalanceBefore) return false;
  const interest = loan.interestBalance;
  return interest <= 0n || interest <= periodInterestUp(outstanding, loan.aprBps, loan.periodDays);
}

/** Oldest unpaid due date of a rolled loan, 0 when nothing is past due (`ArrearsMath.pastDueSince`). */
export function pastDueSince(loan: Loan, a: Accrual): bigint {
  const outstanding = loan.principal - loan.principalPaid;
  let interest = loan.interestBalance > 0n ? loan.interestBalance : 0n;
  if (interest === 0n && outstanding <= a.scheduledBalanceDue) return 0n;
  const last = a.period - 1n;
  if (onlyLastDue(loan, a)) return dueDateOf(loan, last);
  const { principalOf, interestOf } = fellDue(loan, outstanding, last);
  let oldest = last;
  for (let k = 1n; k < last; k++) {
    if (principalOf[Number(k - 1n)] !== 0n) {
      oldest = k;
      break;
    }
  }
  for (let k = last; k !== 0n && interest !== 0n; k--) {
    if (k < oldest) oldest = k;
    const fell = interestOf[Number(k - 1n)];
    interest -= fell < interest ? fell : interest;
  }
  return dueDateOf(loan, oldest);
}

/**
 * Penalty accrued between the checkpoint `from` and `now` on a loan with `outstanding` principal over that span,
 * rounded up (`ArrearsMath.penaltyAccruedUp`): on `dueAtCheckpoint` for the whole span, plus on what fell due at each
 * due date in between, from that date (the first due date in between takes what the later ones do not explain).
 */
export function penaltyAccruedUp(
  loan: Loan,
  outstanding: bigint,
  from: bigint,
  now: bigint,
  dueAtCheckpoint: bigint,
  dueNow: bigint,
  penaltyMultiplierBps: bigint,
): bigint {
  let weighted = dueAtCheckpoint * (now - from);
  const period = periodSeconds(loan);
  const first = (from - loan.drawnAt) / period + 1n;
  let last = (now - loan.drawnAt) / period;
  if (last > loan.instalments) last = loan.instalments;
  if (first <= last && dueNow > dueAtCheckpoint) {
    const { principalOf, interestOf } = fellDue(loan, outstanding, last);
    let left = dueNow - dueAtCheckpoint;
    for (let k = last; left !== 0n; k--) {
      const fell = principalOf[Number(k - 1n)] + interestOf[Number(k - 1n)];
      const part = k > first && fell < left ? fell : left;
      weighted += part * (now - dueDateOf(loan, k));
      left -= part;
    }
  }
  return divUp(weighted * loan.aprBps * penaltyMultiplierBps, INTEREST_SCALE * BPS);
}
