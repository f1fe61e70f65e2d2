// The unearned part of a loan's origination fee, given back when principal is repaid ahead of its plan: the twin of
// contracts/libraries/FeeRebateMath.sol and of the ledger's `_unearned`, as far as a payoff needs it.
import { feeDown } from "./disclosure.ts";
import { type Accrual, type Loan, type Owed, periodSeconds, planOf, scheduledAfter } from "./loan.ts";

/** `FeeRebateMath.Unearned`: what a loan's rebate depends on at one second. */
export interface Unearned {
  fee: bigint;
  principal: bigint;
  /** Principal not yet due: falling due at the end of the current period, and after it. */
  current: bigint;
  later: bigint;
  /** Seconds from now to the current period's due date, and the period's length. */
  left: bigint;
  period: bigint;
}

/**
 * What a loan rolled to `now` has unearned of its fee (`feeBps` of its principal): nothing without a fee or after the
 * plan (`principal` 0 then).
 */
export function unearnedAt(loan: Loan, a: Accrual, o: Owed, feeBps: bigint, now: bigint): Unearned {
  const fee = feeDown(loan.principal, feeBps);
  const none = { fee, principal: 0n, current: 0n, later: 0n, left: 0n, period: 0n };
  if (fee === 0n || a.period > loan.instalments) return none;
  const period = periodSeconds(loan);
  const left = loan.drawnAt + a.period * period - now;
  // Due by the end of this period: what the outstanding exceeds the plan's balance after it by.
  const planAfter = scheduledAfter(planOf(loan), a.scheduledBalanceDue, a.period);
  const outstanding = o.principalOutstanding;
  const current = (outstanding > planAfter ? outstanding - planAfter : 0n) - o.pastDuePrincipal;
  const later = outstanding - o.pastDuePrincipal - current;
  return { fee, principal: loan.principal, current, later, left, period };
}

/** The rebate on retiring all principal not yet due, rounded down: `fee × (later + current × left / period) / principal`. */
export function payoffRebateDown(u: Unearned): bigint {
  if (u.principal === 0n) return 0n;
  return (u.fee * (u.later * u.period + u.current * u.left)) / (u.principal * u.period);
}
