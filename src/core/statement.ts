// A buyer's purchases gathered into monthly statements (PRODUCT.md C6): which cycle a purchase falls in, when a cycle
// closes and its statement is due, the minimum payment, and the interest on what revolves. Operation for operation the
// twin of contracts/libraries/StatementMath.sol, with the same rules:
// - Cycles: each line has an `anchor` timestamp (seconds), its statement day, fixed when the line opens. A cycle is
//   `cycleDays` days of 86,400 seconds (default 30: a month on 30/360). Cycle `i` (from 0) covers the half-open
//   interval `[anchor + i × cycle, anchor + (i + 1) × cycle)`, so a time `t ≥ anchor` falls in cycle
//   `floor((t − anchor) / cycle)`; a time before the anchor belongs to no cycle (`TimeBeforeAnchorError`). Consecutive
//   cycles touch: cycle `i` closes at the first second of cycle `i + 1`, when its statement is drawn.
// - Due date: `dueAfterDays` days (default 10) after the close: the time a statement gives to pay before it is due.
//   Not the delinquency grace of `RiskParams.graceDays` (3 days, PRODUCT.md §5), which starts at a due date.
// - Interest-free: a statement paid in full by its due date (at or before that second) bears no interest at all, so a
//   purchase is interest-free until the due date of its cycle: from `dueAfterDays` days and one second (bought in the
//   cycle's last second) up to `cycleDays + dueAfterDays` days (bought at its start), 10 days to 40 days by default.
// - Minimum payment: the larger of `minimumBps` of the statement balance (default 1,000 = 10 %), rounded up to the base
//   unit (in favour of the pool), and the instalments due in that statement; capped at the statement balance, which a
//   statement smaller than its instalments due (after a refund, say) asks in full.
// - Revolving: what is unpaid at the due date revolves at the line's APR from the due date, accruing per second on
//   30/360 (`accruedInterestUp`, rounded up); nothing accrues up to and including the due date. The balance is the one
//   over the whole interval: the caller splits the interval where the balance changes.
// - Past due: a statement is past due once the due date has passed (`time > dueAt`) with less than its minimum paid.
// - Every function is O(1): no loop, no plan to build.
// Pure: no ethers, no chain access.
import { BPS, SECONDS_PER_DAY, accruedInterestUp, divUp } from "./schedule.ts";

/**
 * The default length of a statement cycle, in days: PRODUCT.md C6's statement cycles on the 30-day month of 30/360
 * (PRODUCT.md §4). `StatementMath.DEFAULT_CYCLE_DAYS`; configuration may set another.
 */
export const DEFAULT_STATEMENT_CYCLE_DAYS = 30n;
/**
 * The default time from a cycle's close to its statement's due date, in days (so up to 40 days free): the product's
 * default for PRODUCT.md C6's due date, which PRODUCT.md names without a length. `StatementMath.DEFAULT_DUE_AFTER_DAYS`.
 */
export const DEFAULT_STATEMENT_DUE_AFTER_DAYS = 10n;
/**
 * The default minimum payment of a statement not paid in full, in basis points of its balance (10 %): the product's
 * default for PRODUCT.md C6's revolving statements. `StatementMath.DEFAULT_MINIMUM_BPS`.
 */
export const DEFAULT_STATEMENT_MINIMUM_BPS = 1_000n;

/** `StatementMath.TimeBeforeAnchor`: the cycle of a time before the line's anchor, which belongs to no cycle. */
export class TimeBeforeAnchorError extends Error {
  readonly time: bigint;
  readonly anchor: bigint;
  constructor(time: bigint, anchor: bigint) {
    super(`time ${time} is before the statement anchor ${anchor}`);
    this.name = "TimeBeforeAnchorError";
    this.time = time;
    this.anchor = anchor;
  }
}

/** `StatementMath.UnsupportedCycleLength`: a cycle of no days. */
export class UnsupportedCycleLengthError extends Error {
  readonly cycleDays: bigint;
  constructor(cycleDays: bigint) {
    super(`unsupported statement cycle: ${cycleDays} days`);
    this.name = "UnsupportedCycleLengthError";
    this.cycleDays = cycleDays;
  }
}

function nonNegative(values: Record<string, bigint>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value < 0n) throw new RangeError(`${name} must not be negative`);
  }
}

/** The length of a cycle of `cycleDays` days, in seconds: `StatementMath.cycleSeconds`. */
export function statementCycleSeconds(cycleDays: bigint): bigint {
  if (cycleDays <= 0n) throw new UnsupportedCycleLengthError(cycleDays);
  return cycleDays * SECONDS_PER_DAY;
}

/**
 * The cycle (from 0) of a line anchored at `anchor` in which `time` falls, `floor((time − anchor) / cycle)`:
 * `StatementMath.cycleOf`.
 */
export function statementCycleOf(anchor: bigint, time: bigint, cycleDays: bigint): bigint {
  nonNegative({ anchor, time });
  if (time < anchor) throw new TimeBeforeAnchorError(time, anchor);
  return (time - anchor) / statementCycleSeconds(cycleDays);
}

/** The first second of cycle `cycle`, `anchor + cycle × cycleDays days`: `StatementMath.cycleStart`. */
export function statementCycleStart(anchor: bigint, cycle: bigint, cycleDays: bigint): bigint {
  nonNegative({ anchor, cycle });
  return anchor + cycle * statementCycleSeconds(cycleDays);
}

/**
 * When cycle `cycle` closes and its statement is drawn: the first second of the next cycle
 * (`StatementMath.cycleClose`).
 */
export function statementCycleClose(anchor: bigint, cycle: bigint, cycleDays: bigint): bigint {
  nonNegative({ cycle });
  return statementCycleStart(anchor, cycle + 1n, cycleDays);
}

/**
 * The due date of cycle `cycle`'s statement, `dueAfterDays` days after its close; paid in full at or before this second,
 * the statement bears no interest (`StatementMath.dueDate`).
 */
export function statementDueDate(
  anchor: bigint,
  cycle: bigint,
  cycleDays: bigint,
  dueAfterDays: bigint,
): bigint {
  nonNegative({ dueAfterDays });
  return statementCycleClose(anchor, cycle, cycleDays) + dueAfterDays * SECONDS_PER_DAY;
}

/**
 * Until when a purchase at `purchaseTime` is interest-free: the due date of the statement of its cycle
 * (`StatementMath.interestFreeUntil`).
 */
export function statementInterestFreeUntil(
  anchor: bigint,
  purchaseTime: bigint,
  cycleDays: bigint,
  dueAfterDays: bigint,
): bigint {
  return statementDueDate(anchor, statementCycleOf(anchor, purchaseTime, cycleDays), cycleDays, dueAfterDays);
}

/**
 * The minimum payment of a statement, `max(ceil(statementBalance × minimumBps / 10,000), instalmentsDue)` capped at
 * `statementBalance`; the share rounds up (`StatementMath.minimumPaymentUp`).
 */
export function statementMinimumPaymentUp(
  statementBalance: bigint,
  instalmentsDue: bigint,
  minimumBps: bigint,
): bigint {
  nonNegative({ statementBalance, instalmentsDue, minimumBps });
  const share = divUp(statementBalance * minimumBps, BPS);
  const minimum = share > instalmentsDue ? share : instalmentsDue;
  return minimum < statementBalance ? minimum : statementBalance;
}

/**
 * The interest on `unpaidBalance` revolving at `aprBps` from the due date `dueAt` to `to`, rounded up: per second on
 * 30/360 over `to − dueAt`, 0 when `to <= dueAt` (`StatementMath.revolvingInterestUp`).
 */
export function revolvingInterestUp(
  unpaidBalance: bigint,
  aprBps: bigint,
  dueAt: bigint,
  to: bigint,
): bigint {
  nonNegative({ unpaidBalance, aprBps, dueAt, to });
  if (to <= dueAt) return 0n;
  return accruedInterestUp(unpaidBalance, aprBps, to - dueAt);
}

/**
 * Whether a statement due at `dueAt` is past due at `time` with `paid` paid towards its `minimumPayment`: `time >
 * dueAt` and `paid < minimumPayment` (`StatementMath.isPastDue`).
 */
export function isStatementPastDue(
  paid: bigint,
  minimumPayment: bigint,
  dueAt: bigint,
  time: bigint,
): boolean {
  nonNegative({ paid, minimumPayment, dueAt, time });
  return time > dueAt && paid < minimumPayment;
}
