// What a loan owes at a given second, from its stored state: the twin of the ledger's `loanState` (ViewModule over
// LedgerCore's `_position`): principal outstanding, interest to that second, the penalty once past grace, less the
// fee rebate of a payoff. And an upper bound of the payoff a little later, for the allowance a payoff is sent with.
import { Bucket, targetBucket } from "./buckets.ts";
import { SECONDS_PER_DAY, accruedInterestUp } from "./schedule.ts";
import { type LoanRecord, LoanStatus, type Loan, loanOf, owed, roll } from "./loan.ts";
import { dueDateOf, onlyLastDue, pastDueSince, penaltyAccruedUp, penaltyInterestUp } from "./arrears.ts";
import { payoffRebateDown, unearnedAt } from "./fee-rebate.ts";

/** The ledger's delinquency parameters a payoff depends on (`riskParams()`). */
export interface PenaltyParams {
  graceDays: bigint | number;
  defaultDays: bigint | number;
  penaltyMultiplierBps: bigint | number;
}

/**
 * A loan's arrears record as the ledger stores it at the loan's last touch (`LedgerCore.Arrears`): the penalty accrued
 * to the checkpoint (latent inside grace) and what was past due then. Empty for a loan whose `loanRecord().bucket` is
 * Current. No view returns it: `arrearsOf` recovers it.
 */
export interface ArrearsRecord {
  penalty: bigint;
  dueAtCheckpoint: bigint;
}

/** The arrears record of a loan in bucket Current. */
export const NO_ARREARS: ArrearsRecord = { penalty: 0n, dueAtCheckpoint: 0n };

/** A loan at one second: the figures of `ICreditLedger.LoanView` that depend on time, and the latent penalty. */
export interface LoanPosition {
  principalOutstanding: bigint;
  interestAccrued: bigint;
  pastDue: bigint;
  /** Oldest unpaid due date, 0 when nothing is past due. */
  pastDueSince: bigint;
  daysPastDue: bigint;
  /** Penalty a payment at this second is charged: zero inside grace. */
  penalty: bigint;
  /** Whether a payment at this second is charged the penalty (something past due, past its grace period). */
  penaltyPayable: boolean;
  /** Penalty accrued to this second whether payable or not: inside grace it becomes `penalty` when grace ends. */
  latentPenalty: bigint;
  /** What paying the loan off at this second costs: `loanState().payoff`. */
  payoff: bigint;
  /** The bucket the loan is in at this second (`loanState().bucket`). */
  bucket: number;
}

const ZERO_POSITION: LoanPosition = {
  principalOutstanding: 0n,
  interestAccrued: 0n,
  pastDue: 0n,
  pastDueSince: 0n,
  daysPastDue: 0n,
  penalty: 0n,
  penaltyPayable: false,
  latentPenalty: 0n,
  payoff: 0n,
  bucket: Bucket.Current,
};

/** A written-off loan's payoff is its remaining claim (`loanState().payoff`), which no pure rule derives. */
export class WrittenOffLoanError extends Error {
  constructor() {
    super("a written-off loan's payoff is its remaining claim: read loanState(loanId).payoff");
    this.name = "WrittenOffLoanError";
  }
}

/** The arrears a touch at `now` would work with (`LedgerCore._accrueArrears`): the record plus the penalty since. */
function accrueArrears(
  loan: Loan,
  rolled: Loan,
  arrears: ArrearsRecord,
  outstanding: bigint,
  pastDue: bigint,
  multiplierBps: bigint,
  now: bigint,
): bigint {
  const ar = loan.bucket === Bucket.Current ? NO_ARREARS : arrears;
  if (pastDue === 0n && ar.dueAtCheckpoint === 0n) return ar.penalty;
  return (
    ar.penalty +
    penaltyAccruedUp(rolled, outstanding, loan.checkpoint, now, ar.dueAtCheckpoint, pastDue, multiplierBps)
  );
}

/**
 * Loan `record` (`loanRecord(loanId)`) at second `now` (not before its checkpoint), with its stored `arrears`, the
 * ledger's `risk` parameters and its product's `feeBps` (`product(record.productId).feeBps`): equal to
 * `loanState(loanId)` read in a block of timestamp `now` while the loan is not touched in between. A repaid loan
 * owes nothing; a written-off one throws `WrittenOffLoanError`.
 */
export function loanPositionAt(
  record: LoanRecord,
  arrears: ArrearsRecord,
  risk: PenaltyParams,
  feeBps: bigint,
  now: bigint,
): LoanPosition {
  const loan = loanOf(record);
  if (loan.status === LoanStatus.Defaulted) throw new WrittenOffLoanError();
  if (loan.status !== LoanStatus.Active) return { ...ZERO_POSITION };
  const grace = BigInt(risk.graceDays) * SECONDS_PER_DAY;
  const { loan: rolled, accrual: a } = roll(loan, now);
  const o = owed(rolled, a, now);
  const pastDue = o.pastDueInterest + o.pastDuePrincipal;
  const since = pastDueSince(rolled, a);
  const latentPenalty = accrueArrears(
    loan,
    rolled,
    arrears,
    o.principalOutstanding,
    pastDue,
    BigInt(risk.penaltyMultiplierBps),
    now,
  );
  // `_position`'s fast path (nothing due but the latest instalment, inside its grace) charges no penalty either.
  const fast =
    loan.bucket === Bucket.Current &&
    (pastDue === 0n || (onlyLastDue(rolled, a) && now <= dueDateOf(rolled, a.period - 1n) + grace));
  const penaltyPayable = !fast && pastDue !== 0n && now - since > grace;
  const penalty = penaltyPayable ? latentPenalty : 0n;
  const rebate = payoffRebateDown(unearnedAt(rolled, a, o, feeBps, now));
  return {
    principalOutstanding: o.principalOutstanding,
    interestAccrued: o.pastDueInterest + o.currentInterest,
    pastDue,
    pastDueSince: since,
    daysPastDue: pastDue !== 0n ? (now - since) / SECONDS_PER_DAY : 0n,
    penalty,
    penaltyPayable,
    latentPenalty,
    payoff: o.payoff + penalty - rebate,
    bucket: targetBucket(pastDue, since, now, {
      graceDays: BigInt(risk.graceDays),
      defaultDays: BigInt(risk.defaultDays),
    }),
  };
}

/** `loanPositionAt(…).payoff`: what paying loan `record` off at second `now` costs. */
export function payoffAt(
  record: LoanRecord,
  arrears: ArrearsRecord,
  risk: PenaltyParams,
  feeBps: bigint,
  now: bigint,
): bigint {
  return loanPositionAt(record, arrears, risk, feeBps, now).payoff;
}

/** An arrears record recovered from the views, and whether it is the stored one exactly. */
export interface RecoveredArrears extends ArrearsRecord {
  /**
   * True when `penalty` is the stored penalty. False inside grace after a mark or a part payment, where the latent
   * penalty shows in no view: `penalty` is then an upper bound, provided nothing was paid since it fell due.
   */
  exact: boolean;
}

/**
 * The arrears record of loan `record` (`loanRecord(loanId)`), recovered from `penalty` (`loanState(loanId).penalty`)
 * read in the same block, of timestamp `now`. `dueAtCheckpoint` is always exact (what the loan had past due at its
 * checkpoint); the penalty is exact in bucket Current (no record) and past grace (where the view shows it whole).
 */
export function arrearsOf(
  record: LoanRecord,
  penalty: bigint,
  risk: PenaltyParams,
  now: bigint,
): RecoveredArrears {
  const loan = loanOf(record);
  if (loan.bucket === Bucket.Current || loan.status !== LoanStatus.Active)
    return { ...NO_ARREARS, exact: true };
  const multiplier = BigInt(risk.penaltyMultiplierBps);
  const checkpoint = loan.checkpoint;
  const atCheckpoint = roll(loan, checkpoint);
  const oc = owed(atCheckpoint.loan, atCheckpoint.accrual, checkpoint);
  const dueAtCheckpoint = oc.pastDueInterest + oc.pastDuePrincipal;
  const { loan: rolled, accrual: a } = roll(loan, now);
  const o = owed(rolled, a, now);
  const pastDue = o.pastDueInterest + o.pastDuePrincipal;
  const since = pastDueSince(rolled, a);
  if (pastDue !== 0n && now - since > BigInt(risk.graceDays) * SECONDS_PER_DAY) {
    // Past grace the view shows the record's penalty plus what accrued since the checkpoint.
    const accrued = penaltyAccruedUp(
      rolled,
      o.principalOutstanding,
      checkpoint,
      now,
      dueAtCheckpoint,
      pastDue,
      multiplier,
    );
    return { penalty: penalty - accrued, dueAtCheckpoint, exact: true };
  }
  // Latent: the penalty on what was past due at the checkpoint, from its due dates, plus a unit for each second a
  // touch could have rounded it up at since the oldest of them.
  const oldest = pastDueSince(atCheckpoint.loan, atCheckpoint.accrual);
  const latent = penaltyAccruedUp(
    atCheckpoint.loan,
    oc.principalOutstanding,
    loan.drawnAt,
    checkpoint,
    0n,
    dueAtCheckpoint,
    multiplier,
  );
  const touches = oldest !== 0n && checkpoint > oldest ? checkpoint - oldest : 0n;
  return { penalty: latent + touches, dueAtCheckpoint, exact: false };
}

/** The reads `payoffAllowanceUp` works from, all made in one block. */
export interface PayoffReads {
  /** `loanRecord(loanId)`. */
  record: LoanRecord;
  /** `loanState(loanId).penalty`. */
  penalty: bigint;
  /** `riskParams()`: `graceDays`, `defaultDays`, `penaltyMultiplierBps`. */
  risk: PenaltyParams;
  /** `product(record.productId).feeBps`. */
  feeBps: bigint;
  /** The timestamp of the block the reads were made in. */
  now: bigint;
}

/**
 * An upper bound of what paying the loan off costs at any second of the next `seconds` after `reads.now`: the payoff
 * at the end of that window (a payoff only grows with time: interest and penalty accrue, the fee rebate runs down),
 * including the penalty, counted from the due date, that becomes payable when a grace period ends inside the window,
 * plus a unit per second of the window for touches of the loan that round its penalty up. For a loan marked or
 * part-paid inside its grace period the latent penalty shows in no view (`arrearsOf`): while the window stays inside
 * grace the payoff does not include it, and when grace ends inside the window the bound adds the most penalty the loan
 * can have accrued (`latentPenaltyBoundUp`), generous but never short (`payoffAllowance(…).tight` is then false). Meant for the allowance sent with `repay(loanId, type(uint256).max)`. Throws
 * `WrittenOffLoanError` for a written-off loan (its payoff, the claim left, does not grow).
 */
export function payoffAllowanceUp(reads: PayoffReads, seconds: bigint): bigint {
  return payoffAllowance(reads, seconds).allowance;
}

/** `payoffAllowanceUp`, and whether it is tight (see `PayoffAllowance`). */
export function payoffAllowance(reads: PayoffReads, seconds: bigint): PayoffAllowance {
  const arrears = arrearsOf(reads.record, reads.penalty, reads.risk, reads.now);
  const endsAt = reads.now + seconds;
  // Without the stored latent penalty (which no view shows) count none of it, and add a bound of it only if the
  // penalty is payable by the window's end (inside grace the payoff does not include it).
  const known = arrears.exact ? arrears : { penalty: 0n, dueAtCheckpoint: arrears.dueAtCheckpoint };
  const end = loanPositionAt(reads.record, known, reads.risk, reads.feeBps, endsAt);
  const rounding = end.latentPenalty !== 0n ? seconds : 0n;
  if (arrears.exact || !end.penaltyPayable) return { allowance: end.payoff + rounding, tight: true };
  const unseen = latentPenaltyBoundUp(loanOf(reads.record), reads.risk, endsAt);
  return { allowance: end.payoff + seconds + unseen, tight: false };
}

/** An allowance for a payoff, and whether it is within the window's rounding of the payoff. */
export interface PayoffAllowance {
  allowance: bigint;
  /**
   * False when it had to bound a latent penalty no view shows (a loan marked or part-paid in grace whose grace ends
   * inside the window): it can then exceed the payoff by much more than the window's interest, and a client should
   * take the rest back after the payment.
   */
  tight: boolean;
}

/**
 * A bound of any penalty loan `loan` can have accrued by second `at`, whatever was paid and when: the penalty on the
 * most it can ever have had past due (its principal plus interest on all of it since the draw), from its first due
 * date, plus a unit per second for the rounding of each touch. For the case `arrearsOf` cannot recover exactly.
 */
function latentPenaltyBoundUp(loan: Loan, risk: PenaltyParams, at: bigint): bigint {
  const firstDue = dueDateOf(loan, 1n);
  if (at <= firstDue) return 0n;
  const most = loan.principal + accruedInterestUp(loan.principal, loan.aprBps, at - loan.drawnAt);
  const seconds = at - firstDue;
  return penaltyInterestUp(most, loan.aprBps, BigInt(risk.penaltyMultiplierBps), seconds) + seconds;
}
