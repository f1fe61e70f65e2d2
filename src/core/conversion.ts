// A statement or a purchase converted into monthly instalments at a total fee rate per term (PRODUCT.md C6): the plan,
// each instalment's principal and fee, and the APR including the fee. Operation for operation the twin of
// contracts/libraries/ConversionMath.sol, with the same rules:
// - Fee: `feeBps` of the amount converted, rounded down to the base unit (in the borrower's favour, as `feeDown`). No
//   interest: the fee is the whole cost. A merchant-subsidised conversion has fee 0.
// - Plan: `instalments` payments, one at the end of each 30-day period. The principal and the fee are each split
//   evenly: every instalment but the last takes `floor(total / instalments)`, the last takes the remainder, so the
//   parts add up to the amount and to the fee exactly (the principal as the equal-principal schedule does).
// - APR: the IRR per 30-day period of receiving the amount and paying the plan, `periodicRateDown` searched from 0
//   (rounded down), annualised on 30/360 (× 12) in basis points and rounded up by `annualBpsUp`. 0 is at or below the
//   root because the payments add up to the amount plus a fee of at least 0. Fee 0 gives an APR of exactly 0. Checked
//   against an APR cap as `conversionAprUp(...) <= cap`: rounded up, a conversion that passes is never above the cap.
// - Rounding only lowers the cost (the fee rounds down, both remainders fall on the last instalment), so no amount's
//   IRR exceeds that of the same rate on an amount that splits exactly, `conversionMaxAprUp`: the figure to check a
//   fee rate (configuration) against the cap with.
// Pure: no ethers, no chain access.
import { feeDown, periodicRateDown, annualBpsUp } from "./disclosure.ts";
import { BPS } from "./schedule.ts";

/** The length of every instalment period, in days (a month on 30/360): `ConversionMath.PERIOD_DAYS`. */
export const CONVERSION_PERIOD_DAYS = 30n;

/**
 * The default total fee per term, in basis points of the amount converted, by number of instalments: PRODUCT.md C6
 * (2.5 % / 4.5 % / 6.5 % / 8.8 % for 3 / 6 / 9 / 12 instalments). Configuration: a deployment may set others.
 */
export const DEFAULT_CONVERSION_FEE_BPS: Readonly<Record<3 | 6 | 9 | 12, bigint>> = Object.freeze({
  3: 250n,
  6: 450n,
  9: 650n,
  12: 880n,
});

/** A conversion's plan, row k − 1 for instalment k: `ConversionMath.plan`. */
export interface ConversionPlan {
  payments: bigint[];
  principals: bigint[];
  fees: bigint[];
}

/** `ConversionMath.UnsupportedTerm`: a plan of no instalments. */
export class UnsupportedTermError extends Error {
  readonly instalments: bigint;
  constructor(instalments: bigint) {
    super(`unsupported term: ${instalments} instalments`);
    this.name = "UnsupportedTermError";
    this.instalments = instalments;
  }
}

/** `ConversionMath.InstalmentOutOfRange`: instalment `k` (1-based) of a plan that has not that many. */
export class InstalmentOutOfRangeError extends Error {
  readonly k: bigint;
  readonly instalments: bigint;
  constructor(k: bigint, instalments: bigint) {
    super(`instalment ${k} out of range 1..${instalments}`);
    this.name = "InstalmentOutOfRangeError";
    this.k = k;
    this.instalments = instalments;
  }
}

/** The total fee of converting `amount` at `feeBps`, rounded down: `ConversionMath.totalFeeDown`. */
export function conversionTotalFeeDown(amount: bigint, feeBps: bigint): bigint {
  if (amount < 0n || feeBps < 0n) throw new RangeError("amount and feeBps must not be negative");
  return feeDown(amount, feeBps);
}

/**
 * Instalment `k`'s share (1-based) of `total` split evenly over `instalments`: `floor(total / instalments)`, and for the
 * last one the remainder (`ConversionMath.evenPartDown`).
 */
export function evenPartDown(total: bigint, instalments: bigint, k: bigint): bigint {
  if (instalments <= 0n) throw new UnsupportedTermError(instalments);
  if (k <= 0n || k > instalments) throw new InstalmentOutOfRangeError(k, instalments);
  if (total < 0n) throw new RangeError("total must not be negative");
  const part = total / instalments;
  return k < instalments ? part : total - part * (instalments - 1n);
}

/** The principal in instalment `k` (1-based): `ConversionMath.principalOfInstalmentDown`. */
export function principalOfInstalmentDown(amount: bigint, instalments: bigint, k: bigint): bigint {
  return evenPartDown(amount, instalments, k);
}

/** The fee in instalment `k` (1-based): `ConversionMath.feeOfInstalmentDown`. */
export function feeOfInstalmentDown(amount: bigint, feeBps: bigint, instalments: bigint, k: bigint): bigint {
  return evenPartDown(conversionTotalFeeDown(amount, feeBps), instalments, k);
}

/** What instalment `k` (1-based) asks, principal plus fee: `ConversionMath.paymentOfInstalmentDown`. */
export function paymentOfInstalmentDown(
  amount: bigint,
  feeBps: bigint,
  instalments: bigint,
  k: bigint,
): bigint {
  return (
    principalOfInstalmentDown(amount, instalments, k) + feeOfInstalmentDown(amount, feeBps, instalments, k)
  );
}

/** The full plan of `amount` converted into `instalments` at `feeBps`: `ConversionMath.plan`. */
export function conversionPlan(amount: bigint, feeBps: bigint, instalments: bigint): ConversionPlan {
  if (instalments <= 0n) throw new UnsupportedTermError(instalments);
  const fee = conversionTotalFeeDown(amount, feeBps);
  const plan: ConversionPlan = { payments: [], principals: [], fees: [] };
  for (let k = 1n; k <= instalments; k++) {
    const principal = evenPartDown(amount, instalments, k);
    const instalmentFee = evenPartDown(fee, instalments, k);
    plan.principals.push(principal);
    plan.fees.push(instalmentFee);
    plan.payments.push(principal + instalmentFee);
  }
  return plan;
}

/**
 * The APR including the fee, basis points rounded up: the IRR per 30-day period of receiving `amount` and paying the
 * plan, × 360 / 30; 0 without a fee (`ConversionMath.aprUp`).
 */
export function conversionAprUp(amount: bigint, feeBps: bigint, instalments: bigint): bigint {
  if (instalments <= 0n) throw new UnsupportedTermError(instalments);
  if (conversionTotalFeeDown(amount, feeBps) === 0n) return 0n;
  const { payments } = conversionPlan(amount, feeBps, instalments);
  return annualBpsUp(periodicRateDown(amount, payments, 0n), CONVERSION_PERIOD_DAYS);
}

/**
 * The APR of the fee rate over the term without rounding, rounded up: `conversionAprUp` of `instalments × 10,000`,
 * which splits exactly. No amount's IRR at this rate is above it (`ConversionMath.maxAprUp`).
 */
export function conversionMaxAprUp(feeBps: bigint, instalments: bigint): bigint {
  return conversionAprUp(instalments * BPS, feeBps, instalments);
}
