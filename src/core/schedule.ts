// Pure bigint repayment-plan math, operation for operation the twin of contracts/libraries/ScheduleMath.sol.
// Never `number` for money: every amount is a bigint in token base units.

export const Method = {
  EqualInstalment: 0,
  EqualPrincipal: 1,
  InterestFirst: 2,
  Bullet: 3,
} as const;
export type MethodId = (typeof Method)[keyof typeof Method];

export const BPS = 10_000n;
export const DAYS_PER_YEAR = 360n;
export const SECONDS_PER_DAY = 86_400n;
export const RATE_DENOMINATOR = BPS * DAYS_PER_YEAR;
/** Interest accrued per second is `balance × aprBps / INTEREST_SCALE` base units. */
export const INTEREST_SCALE = RATE_DENOMINATOR * SECONDS_PER_DAY;
export const RAY = 10n ** 27n;

export interface ScheduleInput {
  method: number;
  principal: bigint;
  aprBps: bigint | number;
  instalments: bigint | number;
  periodDays: bigint | number;
}

export interface ScheduleRow {
  payment: bigint;
  principal: bigint;
  interest: bigint;
}

export function divUp(a: bigint, b: bigint): bigint {
  return a === 0n ? 0n : (a - 1n) / b + 1n;
}

/** `ceil(balance × r)` for a period of `periodDays` days. */
export function periodInterestUp(balance: bigint, aprBps: bigint, periodDays: bigint): bigint {
  return divUp(balance * aprBps * periodDays, RATE_DENOMINATOR);
}

/** Interest on `balance` for `elapsed` seconds, rounded up to the base unit. */
export function accruedInterestUp(balance: bigint, aprBps: bigint, elapsed: bigint): bigint {
  return divUp(balance * aprBps * elapsed, INTEREST_SCALE);
}

/** `A = ceil(P·r(1+r)^n / ((1+r)^n − 1))`, `(1+r)^n` in ray precision rounding down (as on chain). */
export function equalInstalmentUp(
  principal: bigint,
  aprBps: bigint,
  instalments: bigint,
  periodDays: bigint,
): bigint {
  const rateNumerator = aprBps * periodDays;
  if (rateNumerator === 0n) return divUp(principal, instalments);
  let growthRay = RAY;
  for (let k = 0n; k < instalments; k++) {
    growthRay = (growthRay * (RATE_DENOMINATOR + rateNumerator)) / RATE_DENOMINATOR;
  }
  return divUp(principal * rateNumerator * growthRay, RATE_DENOMINATOR * (growthRay - RAY));
}

/** Principal scheduled for instalment `k` (1-based), given the scheduled balance before it. */
export function scheduledPrincipalDown(
  method: number,
  principal: bigint,
  balanceBefore: bigint,
  payment: bigint,
  aprBps: bigint,
  instalments: bigint,
  periodDays: bigint,
  k: bigint,
): bigint {
  if (k >= instalments) return balanceBefore;
  if (method === Method.EqualInstalment) {
    const interest = periodInterestUp(balanceBefore, aprBps, periodDays);
    const part = payment > interest ? payment - interest : 0n;
    return part < balanceBefore ? part : balanceBefore;
  }
  if (method === Method.EqualPrincipal) {
    const part = principal / instalments;
    return part < balanceBefore ? part : balanceBefore;
  }
  return 0n;
}

/**
 * Scheduled balance after the first `count` instalments, the twin of `ScheduleMath.scheduledBalanceUp`: the principal
 * parts round down, so the balance is the larger one. Zero once `count` reaches `instalments`.
 */
export function scheduledBalanceUp(
  method: number,
  principal: bigint,
  payment: bigint,
  aprBps: bigint,
  instalments: bigint,
  periodDays: bigint,
  count: bigint,
): bigint {
  if (count >= instalments) return 0n;
  let balance = principal;
  if (method === Method.EqualInstalment) {
    for (let k = 0n; k < count; k++) {
      const interest = periodInterestUp(balance, aprBps, periodDays);
      const part = payment > interest ? payment - interest : 0n;
      balance -= part < balance ? part : balance;
    }
  } else if (method === Method.EqualPrincipal) {
    balance = principal - (principal / instalments) * count;
  }
  return balance;
}

export class UnknownMethodError extends Error {
  readonly method: number;
  constructor(method: number) {
    super(
      `unknown repayment method ${method} (0 equal instalment, 1 equal principal, 2 interest-first, 3 bullet)`,
    );
    this.name = "UnknownMethodError";
    this.method = method;
  }
}

/**
 * The full plan, identical to `CreditQuotes.previewSchedule` (and a drawn loan's `CreditQuotes.loanSchedule`) to the unit.
 * Bullet plans have one row, due after `instalments × periodDays` days.
 */
export function schedule(input: ScheduleInput): ScheduleRow[] {
  const { method, principal } = input;
  if (!Number.isInteger(method) || method < 0 || method > 3) throw new UnknownMethodError(method);
  const aprBps = BigInt(input.aprBps);
  let instalments = BigInt(input.instalments);
  let periodDays = BigInt(input.periodDays);
  if (instalments <= 0n || periodDays <= 0n)
    throw new RangeError("instalments and periodDays must be positive");
  if (principal < 0n || aprBps < 0n) throw new RangeError("principal and aprBps must not be negative");
  if (method === Method.Bullet) {
    periodDays *= instalments;
    instalments = 1n;
  }
  const payment =
    method === Method.EqualInstalment ? equalInstalmentUp(principal, aprBps, instalments, periodDays) : 0n;
  const rows: ScheduleRow[] = [];
  let balance = principal;
  for (let k = 1n; k <= instalments; k++) {
    const interest = periodInterestUp(balance, aprBps, periodDays);
    const part = scheduledPrincipalDown(
      method,
      principal,
      balance,
      payment,
      aprBps,
      instalments,
      periodDays,
      k,
    );
    balance -= part;
    rows.push({ payment: part + interest, principal: part, interest });
  }
  return rows;
}

/** Sum of a plan's payments. */
export function totalRepayable(rows: ScheduleRow[]): bigint {
  return rows.reduce((sum, row) => sum + row.payment, 0n);
}
