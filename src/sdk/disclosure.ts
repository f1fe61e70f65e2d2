// Cost disclosure (PRODUCT.md C9): the APR including fees, total interest, total fees, total repayable and the plan
// of a draw. Operation for operation the twin of contracts/libraries/AprMath.sol and DisclosureMath.sol, so a
// figure computed here equals the one `CreditQuotes.quote` returns and the ledger emits in `DrawDisclosed`.
import type { ContractRunner } from "ethers";
import { Method, schedule, BPS, DAYS_PER_YEAR } from "../core/schedule.ts";
import { percent } from "../format/money.ts";
import { ICreditQuotes__factory } from "../../typechain-types/factories/interfaces/ICreditQuotes__factory.ts";
import { ICreditLedger__factory } from "../../typechain-types/factories/interfaces/ICreditLedger__factory.ts";
import type { DrawBounds } from "../core/draw-bounds.ts";

export const WAD = 10n ** 18n;
/** Newton steps before giving up (the contract's `AprMath.MAX_STEPS`). */
export const MAX_STEPS = 40;
/** A Newton step below 10^-9 per period (WAD 10^9) is the last one taken (`AprMath.TOLERANCE`). */
export const TOLERANCE = 10n ** 9n;
/** The default APR cap (PRODUCT.md §5), in basis points: `Limits.aprCapBps` 0 means this. */
export const DEFAULT_APR_CAP_BPS = 2_400n;

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

/** The fee of `amount` at `feeBps`, rounded down (in the borrower's favour). */
export function feeDown(amount: bigint, feeBps: bigint): bigint {
  return (amount * feeBps) / BPS;
}

/** The periodic rate (WAD) of a contract APR over `periodDays` days, rounded down. */
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

/** Everything `DisclosureMath.discloseUp` returns for these terms (the APR rounded up). */
export function disclose(terms: Terms): Disclosure {
  const instalments = BigInt(terms.instalments);
  const periodDays = BigInt(terms.periodDays);
  const aprBps = BigInt(terms.aprBps);
  const feeBps = BigInt(terms.feeBps);
  const rows = schedule({ method: terms.method, principal: terms.amount, aprBps, instalments, periodDays });
  const planPeriod = terms.method === Method.Bullet ? periodDays * instalments : periodDays;
  const payments = rows.map((r) => r.payment);
  const totalFees = feeDown(terms.amount, feeBps);
  const netDisbursed = terms.amount - totalFees;
  const apr =
    totalFees === 0n
      ? aprBps
      : annualBpsUp(periodicRateDown(netDisbursed, payments, periodicRateOfDown(aprBps, planPeriod)), planPeriod);
  return {
    aprBps: apr,
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

/** The APR cap in force for a `Limits.aprCapBps` value (0 = the default 24 %). */
export function aprCapOf(aprCapBps: bigint): bigint {
  return aprCapBps === 0n ? DEFAULT_APR_CAP_BPS : aprCapBps;
}

export interface Quote extends Disclosure {
  /** The product's repayment method (0 equal instalment, 1 equal principal, 2 interest-first, 3 bullet). */
  method: number;
  dueDates: bigint[];
  aprCapBps: bigint;
  /** Whether the draw's APR is within the cap (the draw still checks availability, limits and the product mask). */
  admissible: boolean;
}

/** `CreditQuotes.quote`: what `borrower` drawing `amount` on `productId` now would cost, from the chain. */
export async function quote(
  quotesAddress: string,
  runner: ContractRunner,
  borrower: string,
  productId: number,
  amount: bigint,
): Promise<Quote> {
  const quotes = ICreditQuotes__factory.connect(quotesAddress, runner);
  const ledger = ICreditLedger__factory.connect(await quotes.ledger(), runner);
  const [[d, aprCapBps, admissible], product] = await Promise.all([
    quotes.quote(borrower, productId, amount),
    ledger.product(productId),
  ]);
  return {
    method: Number(product.method),
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
    aprCapBps,
    admissible,
  };
}

export type { DrawBounds };

/**
 * The bounds `CreditLedger.drawWithin` takes from a quote: the draw reverts (`AprAboveBound`, `ReceivedBelowMinimum`,
 * `PlanChanged`) rather than cost more, pay out less or follow another plan than quoted, whatever changes on the line
 * or the product in between.
 */
export function boundsOf(q: Quote): DrawBounds {
  return {
    maxAprBps: q.aprBps,
    minReceived: q.netDisbursed,
    method: q.method,
    payments: q.payments.length,
    periodDays: Number(q.periodDays),
  };
}

/** A disclosure as the sentence a borrower reads before committing. */
export function describe(d: Disclosure, money: (units: bigint) => string): string {
  return (
    `APR ${percent(d.aprBps)} including fees (contract rate ${percent(d.contractAprBps)}); you receive ${money(d.netDisbursed)} ` +
    `after a fee of ${money(d.totalFees)}; interest ${money(d.totalInterest)}; you repay ${money(d.totalRepayable)} ` +
    `in ${d.payments.length} payment${d.payments.length === 1 ? "" : "s"} every ${d.periodDays} days.`
  );
}
