// The ledger's delinquency buckets and the rule that assigns them, the twin of `ArrearsMath.bucketOf`. Pure: no
// chain access, so the keeper, the monitor and the client all classify a loan the same way.

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
