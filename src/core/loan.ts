// One loan between two touches, the twin of contracts/libraries/LoanMath.sol: the period a second falls in, the
// plan's scheduled balances, rolling the stored loan forward (booking the interest of the periods completed since its
// checkpoint) and what it owes at that second. The pool's accrual corrections (`accrualAdjustment`, `rateDelta`) are
// left out: they never change what the loan owes.
import {
  Method,
  SECONDS_PER_DAY,
  accruedInterestUp,
  equalInstalmentUp,
  periodInterestUp,
  scheduledBalanceUp,
  scheduledPrincipalDown,
} from "./schedule.ts";

/** Loan statuses as the ledger numbers them (`ICreditLedger.LoanStatus`). */
export const LoanStatus = { None: 0, Active: 1, Repaid: 2, Defaulted: 3 } as const;

/**
 * `ICreditLedger.Loan`, as `loanRecord(loanId)` returns it (ethers gives every integer as a bigint; numbers are
 * accepted too). Bullet loans are stored as one period of `instalments × periodDays` days.
 */
export interface LoanRecord {
  drawnAt: bigint | number;
  method: bigint | number;
  instalments: bigint | number;
  periodDays: bigint | number;
  aprBps: bigint | number;
  principal: bigint;
  openingBalance: bigint;
  checkpoint: bigint | number;
  principalPaid: bigint;
  interestBalance: bigint;
  status: bigint | number;
  segmentStart: bigint | number;
  bucket: bigint | number;
  productId: bigint | number;
}

/** A loan record with every field a bigint (the shape the functions below work on). */
export interface Loan {
  drawnAt: bigint;
  method: number;
  instalments: bigint;
  periodDays: bigint;
  aprBps: bigint;
  principal: bigint;
  openingBalance: bigint;
  checkpoint: bigint;
  principalPaid: bigint;
  interestBalance: bigint;
  status: number;
  segmentStart: bigint;
  bucket: number;
  productId: number;
}

/** A copy of `record` with bigint fields. */
export function loanOf(record: LoanRecord): Loan {
  return {
    drawnAt: BigInt(record.drawnAt),
    method: Number(record.method),
    instalments: BigInt(record.instalments),
    periodDays: BigInt(record.periodDays),
    aprBps: BigInt(record.aprBps),
    principal: BigInt(record.principal),
    openingBalance: BigInt(record.openingBalance),
    checkpoint: BigInt(record.checkpoint),
    principalPaid: BigInt(record.principalPaid),
    interestBalance: BigInt(record.interestBalance),
    status: Number(record.status),
    segmentStart: BigInt(record.segmentStart),
    bucket: Number(record.bucket),
    productId: Number(record.productId),
  };
}

/** `LoanMath.Accrual` without the pool's corrections: where a roll to `now` left the loan's plan. */
export interface Accrual {
  /** Index (1-based) of the period containing `now`; `instalments + 1` once matured. */
  period: bigint;
  /** Scheduled balance after the last completed instalment (`period − 1`). */
  scheduledBalanceDue: bigint;
  /** Scheduled balance before the last completed instalment; the principal before the first due date. */
  scheduledBalanceBefore: bigint;
}

/** `LoanMath.Owed`: what a rolled loan owes at the second it was rolled to. */
export interface Owed {
  pastDueInterest: bigint;
  pastDuePrincipal: bigint;
  currentInterest: bigint;
  principalOutstanding: bigint;
  /** Past-due and current interest plus the principal outstanding (before penalty and fee rebate). */
  payoff: bigint;
}

/** A loan's plan parameters, with the equal-instalment payment (`LoanMath.Plan`). */
export interface Plan {
  method: number;
  principal: bigint;
  aprBps: bigint;
  instalments: bigint;
  periodDays: bigint;
  payment: bigint;
}

/** Seconds in one of the loan's periods. */
export function periodSeconds(loan: Loan): bigint {
  return loan.periodDays * SECONDS_PER_DAY;
}

/** Period (1-based) containing `time`, capped at `instalments + 1` after maturity. */
export function periodAt(loan: Loan, time: bigint): bigint {
  const k = (time - loan.drawnAt) / periodSeconds(loan) + 1n;
  const cap = loan.instalments + 1n;
  return k > cap ? cap : k;
}

export function planOf(loan: Loan): Plan {
  const { method, principal, aprBps, instalments, periodDays } = loan;
  const payment =
    method === Method.EqualInstalment ? equalInstalmentUp(principal, aprBps, instalments, periodDays) : 0n;
  return { method, principal, aprBps, instalments, periodDays, payment };
}

/** Scheduled balance after instalment `k`, given the scheduled balance before it. */
export function scheduledAfter(p: Plan, balanceBefore: bigint, k: bigint): bigint {
  const part = scheduledPrincipalDown(
    p.method,
    p.principal,
    balanceBefore,
    p.payment,
    p.aprBps,
    p.instalments,
    p.periodDays,
    k,
  );
  return balanceBefore - part;
}

/** Scheduled balance after the first `count` instalments. */
export function scheduledThrough(p: Plan, count: bigint): bigint {
  return scheduledBalanceUp(p.method, p.principal, p.payment, p.aprBps, p.instalments, p.periodDays, count);
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * `LoanMath.roll`: the loan rolled forward to `now` (a copy; `loan` is not changed), with the interest of every
 * period completed since its checkpoint booked into `interestBalance` and the current period opened.
 */
export function roll(loan: Loan, now: bigint): { loan: Loan; accrual: Accrual } {
  const rolled = { ...loan };
  const p = planOf(loan);
  const checkpointPeriod = periodAt(loan, loan.checkpoint);
  const a: Accrual = { period: periodAt(loan, now), scheduledBalanceDue: 0n, scheduledBalanceBefore: 0n };
  if (a.period > checkpointPeriod) {
    const period = periodSeconds(loan);
    const periodEnd = loan.drawnAt + checkpointPeriod * period;
    // The checkpoint's period in full, then every later completed period on the balance it opened with.
    let booked = accruedInterestUp(loan.openingBalance, p.aprBps, periodEnd - loan.segmentStart);
    const outstanding = p.principal - loan.principalPaid;
    let opening = 0n;
    let scheduled = scheduledThrough(p, checkpointPeriod - 1n);
    for (let k = checkpointPeriod; k < a.period; k++) {
      const before = scheduled;
      scheduled = scheduledAfter(p, scheduled, k);
      if (k + 1n === a.period) a.scheduledBalanceBefore = before;
      if (k >= p.instalments) continue;
      opening = min(outstanding, scheduled);
      if (k + 1n < a.period) booked += periodInterestUp(opening, p.aprBps, p.periodDays);
    }
    if (a.period > p.instalments) opening = 0n; // matured: regular interest stops at the last due date
    a.scheduledBalanceDue = scheduled;
    rolled.interestBalance += booked;
    rolled.openingBalance = opening;
    rolled.segmentStart = loan.drawnAt + (a.period - 1n) * period;
  } else if (a.period > 1n) {
    a.scheduledBalanceBefore = scheduledThrough(p, a.period - 2n);
    a.scheduledBalanceDue = scheduledAfter(p, a.scheduledBalanceBefore, a.period - 1n);
  } else {
    a.scheduledBalanceDue = p.principal;
    a.scheduledBalanceBefore = p.principal;
  }
  rolled.checkpoint = now;
  return { loan: rolled, accrual: a };
}

/** `LoanMath.owed`: what a loan rolled to `now` owes at that second. */
export function owed(loan: Loan, a: Accrual, now: bigint): Owed {
  const balance = loan.interestBalance;
  const pastDueInterest = balance > 0n ? balance : 0n;
  let current = balance < 0n ? balance : 0n;
  if (a.period <= loan.instalments) {
    current += accruedInterestUp(loan.openingBalance, loan.aprBps, now - loan.segmentStart);
  }
  const currentInterest = current > 0n ? current : 0n;
  const principalOutstanding = loan.principal - loan.principalPaid;
  const dueByNow = loan.principal - a.scheduledBalanceDue;
  const pastDuePrincipal = dueByNow > loan.principalPaid ? dueByNow - loan.principalPaid : 0n;
  return {
    pastDueInterest,
    pastDuePrincipal,
    currentInterest,
    principalOutstanding,
    payoff: pastDueInterest + currentInterest + principalOutstanding,
  };
}
