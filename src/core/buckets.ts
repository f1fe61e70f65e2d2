// The ledger's delinquency buckets and the rule that assigns them, the twin of `ArrearsMath.bucketOf`. Pure: no
// chain access, so the keeper, the monitor and the client all classify a loan the same way.

import { BPS, divUp } from "./schedule.ts";

/** Delinquency buckets as the ledger numbers them (`ICreditLedger.Bucket`). */
export const Bucket = { Current: 0, Grace: 1, M1: 2, M2: 3, M3: 4, Default: 5 } as const;
export const BUCKET_NAMES = ["current", "grace", "M1", "M2", "M3", "default"] as const;

/** The ledger's delinquency parameters that decide buckets (`ICreditLedger.RiskParams`). */
export interface BucketParams {
  graceDays: bigint;
  defaultDays: bigint;
}

const DAY = 86_400n;

/**
 * The bucket a loan belongs in at `now`, the twin of `ArrearsMath.bucketOf`: Grace from the first second something
 * is past due until `graceDays` after the oldest unpaid due date, then M1 to 30 days, M2 to 60, M3, and Default
 * beyond `defaultDays`.
 */
export function targetBucket(
  pastDue: bigint,
  pastDueSince: bigint,
  now: bigint,
  params: BucketParams,
): number {
  if (pastDue === 0n) return Bucket.Current;
  const late = now - pastDueSince;
  if (late <= params.graceDays * DAY) return Bucket.Grace;
  if (late > params.defaultDays * DAY) return Bucket.Default;
  if (late <= 30n * DAY) return Bucket.M1;
  if (late <= 60n * DAY) return Bucket.M2;
  return Bucket.M3;
}

/** The ledger's delinquency parameters that set provisions (`ICreditLedger.RiskParams`). */
export interface ProvisionParams extends BucketParams {
  provisionM1Bps: bigint;
  provisionM2Bps: bigint;
  provisionM3Bps: bigint;
}

/** Days past due from which a late loan's unpaid interest is provisioned in full (`ArrearsMath.NON_ACCRUAL_AFTER`). */
export const NON_ACCRUAL_AFTER = 30n * DAY;

/** The two parts of a late loan's provision base (`provisionBase`). */
export interface ProvisionBase {
  principal: bigint;
  interest: bigint;
}

/**
 * The base of a late loan's provision: what writing it off now would cost the lenders and the first-loss reserve
 * together, as the ledger's write-off books it, in two parts. The principal outstanding less the origination fee's
 * unearned share (`unearnedFee`: the fee rebate a payoff now would get, 0 without a fee), and the interest owed less
 * the protocol fee's share of it (`protocolFeeBps`, rounded down as the ledger takes it back).
 */
export function provisionBase(
  principalOutstanding: bigint,
  interestOwed: bigint,
  unearnedFee: bigint,
  protocolFeeBps: bigint,
): ProvisionBase {
  return {
    principal: principalOutstanding - unearnedFee,
    interest: interestOwed - (interestOwed * protocolFeeBps) / BPS,
  };
}

/** `base` times the rate at `at` on the line from `from` bps at `start` to `to` bps at `end`, rounded up. */
function lineUp(base: bigint, at: bigint, start: bigint, end: bigint, from: bigint, to: bigint): bigint {
  const span = end - start;
  return divUp(base * (from * span + (to - from) * (at - start)), BPS * span);
}

/**
 * A late loan's provision, rounded up, the twin of `ArrearsMath.provisionUp`. Both parts (`provisionBase`) times a
 * rate from 0 at the due date to `provisionM1Bps` at the end of grace; then the principal part's rate runs in straight
 * lines to `provisionM2Bps` at 30 days past due, `provisionM3Bps` at 60 and 100 % at `defaultDays`, and the interest
 * part's to 100 % at 30 days, all of it after (non-accrual). Each part is rounded up. `late` is the seconds since the
 * oldest unpaid due date.
 */
export function provisionUp(base: ProvisionBase, late: bigint, params: ProvisionParams): bigint {
  const grace = params.graceDays * DAY;
  if (late <= grace) {
    if (late === 0n) return 0n;
    const m1 = params.provisionM1Bps;
    return lineUp(base.principal, late, 0n, grace, 0n, m1) + lineUp(base.interest, late, 0n, grace, 0n, m1);
  }
  const interest =
    late < NON_ACCRUAL_AFTER
      ? lineUp(base.interest, late, grace, NON_ACCRUAL_AFTER, params.provisionM1Bps, BPS)
      : base.interest;
  const end = params.defaultDays * DAY;
  const principal =
    late <= 30n * DAY
      ? lineUp(base.principal, late, grace, 30n * DAY, params.provisionM1Bps, params.provisionM2Bps)
      : late <= 60n * DAY
        ? lineUp(base.principal, late, 30n * DAY, 60n * DAY, params.provisionM2Bps, params.provisionM3Bps)
        : lineUp(base.principal, late < end ? late : end, 60n * DAY, end, params.provisionM3Bps, BPS);
  return principal + interest;
}

/**
 * Whether `mark` has work on an active loan: its stored bucket (`markedBucket`) is not the one its days past due call
 * for (`target`), or it is past due (Grace–M3) and was last touched (`checkpoint`, the record's) a day or more before
 * `now`, so its provision, which rises with each day past due, is a day behind. The rule `CollectionUpkeep` lists
 * loans by.
 */
export function markDue(markedBucket: number, target: number, checkpoint: bigint, now: bigint): boolean {
  if (target !== markedBucket) return true;
  if (markedBucket < Bucket.Grace || markedBucket > Bucket.M3) return false;
  return now >= checkpoint + DAY;
}
