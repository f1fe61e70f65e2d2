// The ledger's and the pool's views as plain objects: money in base units (bigint), statuses and buckets by name.
import type { Result } from "ethers";
import { BUCKET_NAMES } from "../core/buckets.ts";

export const LINE_STATUSES = ["none", "active", "frozen", "closed"] as const;
export const LOAN_STATUSES = ["none", "active", "repaid", "defaulted"] as const;

export type LineStatus = (typeof LINE_STATUSES)[number];
export type LoanStatus = (typeof LOAN_STATUSES)[number];
export type BucketName = (typeof BUCKET_NAMES)[number];

/** `ICreditLedger.LineView`. */
export interface Line {
  limit: bigint;
  outstanding: bigint;
  available: bigint;
  aprBps: bigint;
  productMask: number;
  loanCount: number;
  status: LineStatus;
  lateLoans: number;
  /** Unix seconds from which draws are refused for an expired KYC credential (0n = none recorded). */
  kycExpiresAt: bigint;
}

/** `ICreditLedger.LoanView` with the loan's id. */
export interface Loan {
  id: bigint;
  borrower: string;
  status: LoanStatus;
  principal: bigint;
  principalOutstanding: bigint;
  interestAccrued: bigint;
  pastDue: bigint;
  pastDueSince: bigint;
  nextDueAt: bigint;
  nextDueAmount: bigint;
  payoff: bigint;
  maturity: bigint;
  penalty: bigint;
  daysPastDue: bigint;
  bucket: BucketName;
  markedBucket: BucketName;
}

/** A lender's stake in the pool. */
export interface Position {
  shares: bigint;
  /** What the shares are worth at the exit price (`convertToAssets`). */
  assets: bigint;
  /** What can leave now (`maxWithdraw`, `maxRedeem`); the rest is queued with `requestRedeem`. */
  maxWithdraw: bigint;
  maxRedeem: bigint;
  /** Filled queued redemptions waiting for `claim`. */
  claimable: bigint;
}

const nameOf = <T extends string>(names: readonly T[], value: unknown): T => {
  const name = names[Number(value)];
  if (name === undefined) throw new Error(`unknown enum value ${value} (expected 0–${names.length - 1})`);
  return name;
};

export function toLine(v: Result): Line {
  return {
    limit: v.limit,
    outstanding: v.outstanding,
    available: v.available,
    aprBps: v.aprBps,
    productMask: Number(v.productMask),
    loanCount: Number(v.loanCount),
    status: nameOf(LINE_STATUSES, v.status),
    lateLoans: Number(v.lateLoans),
    kycExpiresAt: v.kycExpiresAt,
  };
}

export function toLoan(id: bigint, v: Result): Loan {
  return {
    id,
    borrower: v.borrower,
    status: nameOf(LOAN_STATUSES, v.status),
    principal: v.principal,
    principalOutstanding: v.principalOutstanding,
    interestAccrued: v.interestAccrued,
    pastDue: v.pastDue,
    pastDueSince: v.pastDueSince,
    nextDueAt: v.nextDueAt,
    nextDueAmount: v.nextDueAmount,
    payoff: v.payoff,
    maturity: v.maturity,
    penalty: v.penalty,
    daysPastDue: v.daysPastDue,
    bucket: nameOf(BUCKET_NAMES, v.bucket),
    markedBucket: nameOf(BUCKET_NAMES, v.markedBucket),
  };
}
