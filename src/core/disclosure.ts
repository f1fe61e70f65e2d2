// Cost disclosure (PRODUCT.md C9): the APR including fees (the IRR of the borrower's cash flows), total interest,
// total fees, total repayable and the plan of a draw. Operation for operation the twin of
// contracts/libraries/AprMath.sol and DisclosureMath.sol, so a figure computed here equals the one
// `CreditQuotes.quote` returns and the ledger emits in `Drawn`. Pure: no ethers, no chain access.
import { Method, schedule, BPS, DAYS_PER_YEAR } from "./schedule.ts";

export const WAD = 10n ** 18n;
/** Newton steps before giving up (the contract's `AprMath.MAX_STEPS`). */
export const MAX_STEPS = 40;
/** A Newton step below 10^-9 per period (WAD 10^9) is the last one taken (`AprMath.TOLERANCE`). */
export const TOLERANCE = 10n ** 9n;
/** The default APR cap (PRODUCT.md §5), in basis points: `Limits.aprCapBps` 0 means this. */
export const DEFAULT_APR_CAP_BPS = 2_400n;

/** A draw's terms: the product's plan and fee, the line's contract APR and the amount drawn. */
export interface Terms {
  method: number;
  instalments: bigint | number;
  periodDays: bigint | number;
  /** The line's contract APR, basis points per year. */
  aprBps: bigint | number;
  /** The product's origination fee, basis points of the amount, deducted from what the recipient receives. */
  feeBps: bigint | number;
  amount: bigint;
}

/** `ICostDisclosure.Disclosure` without the due dates. */
export interface Disclosure {
  /** APR including fees: the IRR of the borrower's cash flows × 360 / period days, basis points rounded up. */
  aprBps: bigint;
  contractAprBps: bigint;
  totalFees: bigint;
  netDisbursed: bigint;
  totalInterest: bigint;
  totalRepayable: bigint;
  periodDays: bigint;
  payments: bigint[];
  principals: bigint[];
  interests: bigint[];
}

/** The fee of `amount` at `feeBps`, rounded down (in the borrower's favour): `DisclosureMath.feeDown`. */
export function feeDown(amount: bigint, feeBps: bigint): bigint {
  return (amount * feeBps) / BPS;
}

/** The periodic rate (WAD) of a contract APR over `periodDays` days, rounded down: `AprMath.periodicRateOfDown`. */
export function periodicRateOfDown(aprBps: bigint, periodDays: bigint): bigint {
  return (aprBps * periodDays * WAD) / (BPS * DAYS_PER_YEAR);
}

/**
 * The periodic IRR (WAD, rounded down) at which `payments`, due at the end of periods 1..n, are worth `net` today:
 * Newton's method from `start` (a rate at or below the root), exactly as `AprMath.periodicRateDown`.
 */
export function periodicRateDown(net: bigint, payments: readonly bigint[], start: bigint): bigint {
  let rate = start;
  const target = net * WAD;
  for (let step = 0; step < MAX_STEPS; step++) {
    const discount = (WAD * WAD) / (WAD + rate);
    let factor = WAD;
    let value = 0n;
    let slope = 0n;
    for (let k = 0; k < payments.length; k++) {
      factor = (factor * discount) / WAD;
      const term = payments[k] * factor;
      value += term;
      slope += BigInt(k + 1) * term;
    }
    if (value <= target) break;
    slope = (slope * discount) / WAD;
    const move = ((value - target) * WAD) / slope;
    rate += move;
    if (move < TOLERANCE) break;
  }
  return rate;
}

/** `ceil(r × 360 / periodDays × 10,000)`: a periodic rate (WAD) as an APR in basis points, rounded up. */
export function annualBpsUp(periodicRate: bigint, periodDays: bigint): bigint {
  const numerator = periodicRate * DAYS_PER_YEAR * BPS;
  const denominator = periodDays * WAD;
  return numerator === 0n ? 0n : (numerator - 1n) / denominator + 1n;
}

/** The period the APR is computed over: the whole term for a bullet (one payment), else one instalment. */
export function aprPeriodDays(method: number, instalments: bigint, periodDays: bigint): bigint {
  return method === Method.Bullet ? periodDays * instalments : periodDays;
}

/**
 * The APR including the fee, `DisclosureMath.aprWithFeeUp`: the rate per `periodDays` at which `net` received repays
 * `payments` (rounded down, searched from the contract rate `aprBps`), annualised in basis points and rounded up.
 */
export function aprWithFeeUp(
  net: bigint,
  payments: readonly bigint[],
  aprBps: bigint,
  periodDays: bigint,
): bigint {
  return annualBpsUp(periodicRateDown(net, payments, periodicRateOfDown(aprBps, periodDays)), periodDays);
}

/** Everything `DisclosureMath.discloseUp` returns for these terms (the APR rounded up). */
export function disclose(terms: Terms): Disclosure {
  const instalments = BigInt(terms.instalments);
  const periodDays = BigInt(terms.periodDays);
  const aprBps = BigInt(terms.aprBps);
  const feeBps = BigInt(terms.feeBps);
  const rows = schedule({ method: terms.method, principal: terms.amount, aprBps, instalments, periodDays });
  const planPeriod = aprPeriodDays(terms.method, instalments, periodDays);
  const payments = rows.map((r) => r.payment);
  const totalFees = feeDown(terms.amount, feeBps);
  const netDisbursed = terms.amount - totalFees;
  return {
    aprBps: totalFees === 0n ? aprBps : aprWithFeeUp(netDisbursed, payments, aprBps, planPeriod),
    contractAprBps: aprBps,
    totalFees,
    netDisbursed,
    totalInterest: rows.reduce((s, r) => s + r.interest, 0n),
    totalRepayable: payments.reduce((s, p) => s + p, 0n),
    periodDays: planPeriod,
    payments,
    principals: rows.map((r) => r.principal),
    interests: rows.map((r) => r.interest),
  };
}

/** The APR cap in force for a `Limits.aprCapBps` value (0 = the default 24 %): `DisclosureMath.aprCapOf`. */
export function aprCapOf(aprCapBps: bigint): bigint {
  return aprCapBps === 0n ? DEFAULT_APR_CAP_BPS : aprCapBps;
}

/** `ICostDisclosure.Disclosure` as `CreditQuotes.quote` returns it: the figures of `Disclosure` with the due dates. */
export interface CostDisclosure extends Disclosure {
  /** Unix seconds, from the quote's block. */
  dueDates: bigint[];
}

/** The struct as a client decodes it: each figure by name, the lists as any iterable of bigints. */
export type DecodedDisclosure = Omit<Disclosure, "payments" | "principals" | "interests"> & {
  dueDates: Iterable<bigint>;
  payments: Iterable<bigint>;
  principals: Iterable<bigint>;
  interests: Iterable<bigint>;
};

/** A decoded `ICostDisclosure.Disclosure` (an ethers Result, a typechain struct) as plain data. */
export function costDisclosureOf(d: DecodedDisclosure): CostDisclosure {
  return {
    aprBps: d.aprBps,
    contractAprBps: d.contractAprBps,
    totalFees: d.totalFees,
    netDisbursed: d.netDisbursed,
    totalInterest: d.totalInterest,
    totalRepayable: d.totalRepayable,
    periodDays: d.periodDays,
    dueDates: [...d.dueDates],
    payments: [...d.payments],
    principals: [...d.principals],
    interests: [...d.interests],
  };
}
