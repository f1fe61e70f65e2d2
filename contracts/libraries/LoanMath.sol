// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {ScheduleMath} from "./ScheduleMath.sol";

/// @title LoanMath
/// @notice Pure accrual of one loan between two touches, and what it owes at a given second.
/// @dev Cost is bounded by the loan's own instalment count, never by the size of the book.
library LoanMath {
    using SafeCast for uint256;
    using SafeCast for int256;

    uint256 internal constant SCALE = ScheduleMath.INTEREST_SCALE;
    /// @notice Denominator of `ICreditLedger.Loan.aheadFifteenths` (4 bits of the loan's word).
    uint256 internal constant AHEAD_SCALE = 15;

    /// @notice Result of rolling a loan forward to `now`.
    struct Accrual {
        /// Index (1-based) of the period containing `now`; `instalments + 1` once matured.
        uint256 period;
        /// Scheduled balance after the last completed instalment (`period − 1`).
        uint256 scheduledBalanceDue;
        /// Correction of the pool's recognised interest for this loan, in 1/SCALE units.
        int256 accrualAdjustment;
        /// Change of the loan's accrual rate in the pool, in 1/SCALE units per second.
        int256 rateDelta;
        /// Scheduled balance before the last completed instalment (after instalment `period − 2`); the principal
        /// before the first due date.
        uint256 scheduledBalanceBefore;
    }

    /// @notice Amounts a loan owes at the second it was rolled to.
    struct Owed {
        uint256 pastDueInterest;
        uint256 pastDuePrincipal;
        uint256 currentInterest;
        uint256 principalOutstanding;
        uint256 payoff;
    }

    function periodSeconds(ICreditLedger.Loan memory loan) internal pure returns (uint256) {
        unchecked {
            return uint256(loan.periodDays) * ScheduleMath.SECONDS_PER_DAY; // < 2^33
        }
    }

    /// @notice The part of `amount` in proportion to what is left of the day that began at `start`, at `now_`
    /// (start ≤ now_ < start + 1 day), rounded down.
    function dayLeftShareDown(uint256 amount, uint256 start, uint256 now_) internal pure returns (uint256) {
        return (amount * (start + ScheduleMath.SECONDS_PER_DAY - now_)) / ScheduleMath.SECONDS_PER_DAY;
    }

    /// @notice How far an `outstanding` principal below the plan's balance `planBalance` is ahead of the plan, in
    /// fifteenths of that balance (`ICreditLedger.Loan.aheadFifteenths`): rounded up, so a loan never counts more than
    /// it carried, except that less than half a fifteenth (an honest overpayment of under 1/30 of the balance) is 0.
    function aheadFifteenthsUp(uint256 outstanding, uint256 planBalance) internal pure returns (uint256) {
        if (outstanding >= planBalance) return 0;
        uint256 gap = (planBalance - outstanding) * AHEAD_SCALE;
        if (gap * 2 < planBalance) return 0;
        return ScheduleMath.divUp(gap, planBalance);
    }

    /// @notice The part of `amount` (instalments or principal) a closed loan that was `ahead` fifteenths ahead of its
    /// plan at most counts in the credit history, rounded down.
    function carriedDown(uint256 amount, uint256 ahead) internal pure returns (uint256) {
        return (amount * (AHEAD_SCALE - ahead)) / AHEAD_SCALE;
    }

    /// @notice Period (1-based) containing `time`, capped at `instalments + 1` after maturity.
    function periodAt(ICreditLedger.Loan memory loan, uint256 time) internal pure returns (uint256 k) {
        k = (time - loan.drawnAt) / periodSeconds(loan) + 1;
        uint256 cap = uint256(loan.instalments) + 1;
        if (k > cap) k = cap;
    }

    /// @notice A loan's plan parameters, gathered once so the walk below stays within the stack.
    struct Plan {
        uint8 method;
        uint256 principal;
        uint256 aprBps;
        uint256 instalments;
        uint256 periodDays;
        uint256 payment;
    }

    function plan(ICreditLedger.Loan memory loan) internal pure returns (Plan memory p) {
        p.method = loan.method;
        p.principal = loan.principal;
        p.aprBps = loan.aprBps;
        p.instalments = loan.instalments;
        p.periodDays = loan.periodDays;
        if (p.method == ScheduleMath.EQUAL_INSTALMENT) {
            p.payment = ScheduleMath.equalInstalmentUp(p.principal, p.aprBps, p.instalments, p.periodDays);
        }
    }

    /// @notice Scheduled balance after instalment `k`, given the scheduled balance before it.
    function scheduledAfter(Plan memory p, uint256 balanceBefore, uint256 k) internal pure returns (uint256) {
        return
            balanceBefore -
            ScheduleMath.scheduledPrincipalDown(
                p.method,
                p.principal,
                balanceBefore,
                p.payment,
                p.aprBps,
                p.instalments,
                p.periodDays,
                k
            );
    }

    /// @notice Scheduled balance after the first `count` instalments.
    function scheduledThrough(Plan memory p, uint256 count) internal pure returns (uint256) {
        return
            ScheduleMath.scheduledBalanceUp(
                p.method,
                p.principal,
                p.payment,
                p.aprBps,
                p.instalments,
                p.periodDays,
                count
            );
    }

    /// @notice Rolls `loan` (a memory copy) forward to `now_`: books the interest of every period completed since
    /// the last checkpoint into `interestBalance`, sets the opening balance of the current period, and returns
    /// the pool's accrual correction for this loan.
    function roll(ICreditLedger.Loan memory loan, uint256 now_) internal pure returns (Accrual memory a) {
        rollInto(loan, now_, a);
    }

    /// @notice `roll` written into `a`, which must be all zero (a struct just allocated): a caller that holds one
    /// saves allocating another.
    function rollInto(ICreditLedger.Loan memory loan, uint256 now_, Accrual memory a) internal pure {
        Plan memory p = plan(loan);
        uint256 checkpointPeriod = periodAt(loan, loan.checkpoint);
        a.period = periodAt(loan, now_);
        uint256 oldOpening = loan.openingBalance;
        uint256 opening = oldOpening;
        uint256 booked;
        if (a.period > checkpointPeriod) {
            // Take back what the pool recognised since the checkpoint at the old rate, charge the checkpoint's
            // period in full (less what was recognised before the checkpoint), then every later period.
            uint256 segmentStart = loan.segmentStart;
            uint256 periodEnd = loan.drawnAt + checkpointPeriod * periodSeconds(loan);
            uint256 interest = ScheduleMath.accruedInterestUp(oldOpening, p.aprBps, periodEnd - segmentStart);
            booked = interest;
            // Unchecked: stored fields (balances < 2^88, APR < 2^16, times < 2^32), segmentStart ≤ now.
            unchecked {
                a.accrualAdjustment = int256(interest * SCALE) - int256(oldOpening * p.aprBps * (now_ - segmentStart));
            }
            uint256 extra;
            (opening, extra, a.accrualAdjustment) = _chargeLaterPeriods(loan, p, checkpointPeriod, a, now_);
            booked += extra;
            loan.interestBalance = (int256(loan.interestBalance) + int256(booked)).toInt88();
            loan.openingBalance = uint88(opening);
            loan.segmentStart = uint32(loan.drawnAt + (a.period - 1) * periodSeconds(loan));
        } else {
            // Within one period the pool's linear accrual is exactly the contract's: nothing to true up.
            (a.scheduledBalanceDue, a.scheduledBalanceBefore) = _scheduledAndBefore(p, a.period - 1);
        }
        loan.checkpoint = uint32(now_);
        unchecked {
            a.rateDelta = int256(opening * p.aprBps) - int256(oldOpening * p.aprBps); // both < 2^104
        }
    }

    /// @notice After a principal prepayment at `now_`, closes the current accrual segment: books its interest
    /// (rounded up) and continues the period on the lower balance. Returns the pool's accrual correction and rate
    /// change. No-op after maturity.
    function splitSegment(
        ICreditLedger.Loan memory loan,
        Accrual memory a,
        uint256 now_
    ) internal pure returns (int256 accrualAdjustment, int256 rateDelta) {
        if (a.period > loan.instalments) return (0, 0);
        uint256 opening = loan.openingBalance;
        uint256 elapsed = now_ - loan.segmentStart;
        uint256 booked = ScheduleMath.accruedInterestUp(opening, loan.aprBps, elapsed);
        loan.interestBalance = (int256(loan.interestBalance) + int256(booked)).toInt88();
        accrualAdjustment = int256(booked * SCALE) - int256(opening * loan.aprBps * elapsed);
        uint256 outstanding = uint256(loan.principal) - loan.principalPaid;
        uint256 next = outstanding < a.scheduledBalanceDue ? outstanding : a.scheduledBalanceDue;
        rateDelta = int256(next * loan.aprBps) - int256(opening * loan.aprBps);
        loan.openingBalance = uint88(next);
        loan.segmentStart = uint32(now_);
    }

    /// @dev Periods after the checkpoint's: full ones are charged, the current one is recognised to `now_`.
    function _chargeLaterPeriods(
        ICreditLedger.Loan memory loan,
        Plan memory p,
        uint256 checkpointPeriod,
        Accrual memory a,
        uint256 now_
    ) private pure returns (uint256 opening, uint256 booked, int256 adjustment) {
        adjustment = a.accrualAdjustment;
        uint256 outstanding = p.principal - loan.principalPaid;
        uint256 period = periodSeconds(loan);
        // Periods before the checkpoint's only move the scheduled balance: skip them in one tight loop.
        uint256 scheduled = scheduledThrough(p, checkpointPeriod - 1);
        for (uint256 k = checkpointPeriod; k < a.period; ++k) {
            uint256 before = scheduled;
            scheduled = scheduledAfter(p, scheduled, k);
            if (k + 1 == a.period) a.scheduledBalanceBefore = before;
            // Period k + 1 opens at due date k on the smaller of the real and the scheduled balance.
            if (k >= p.instalments) continue;
            opening = outstanding < scheduled ? outstanding : scheduled;
            if (k + 1 < a.period) {
                uint256 interest = ScheduleMath.periodInterestUp(opening, p.aprBps, p.periodDays);
                booked += interest;
                unchecked {
                    adjustment += int256(interest * SCALE); // interest < 2^88, SCALE < 2^39
                }
            } else {
                // Unchecked: opening < 2^88, APR < 2^16, and due date k is at or before now (k < period).
                unchecked {
                    adjustment += int256(opening * p.aprBps * (now_ - (loan.drawnAt + k * period)));
                }
            }
        }
        if (a.period > p.instalments) opening = 0; // matured: regular interest stops at the last due date
        a.scheduledBalanceDue = scheduled;
    }

    /// @dev Scheduled balance after the first `count` instalments, and before instalment `count` (the principal when
    /// `count` is 0).
    function _scheduledAndBefore(
        Plan memory p,
        uint256 count
    ) private pure returns (uint256 scheduled, uint256 before) {
        if (count == 0) return (p.principal, p.principal);
        before = scheduledThrough(p, count - 1);
        scheduled = scheduledAfter(p, before, count);
    }

    /// @notice What a rolled loan owes at `now_` (the second it was rolled to).
    function owed(
        ICreditLedger.Loan memory loan,
        Accrual memory a,
        uint256 now_
    ) internal pure returns (Owed memory o) {
        owedInto(loan, a, now_, o);
    }

    /// @notice `owed` written into `o` (every field is set).
    function owedInto(ICreditLedger.Loan memory loan, Accrual memory a, uint256 now_, Owed memory o) internal pure {
        int256 balance = loan.interestBalance;
        o.pastDueInterest = balance > 0 ? uint256(balance) : 0;
        int256 current = balance < 0 ? balance : int256(0);
        if (a.period <= loan.instalments) {
            current += int256(
                ScheduleMath.accruedInterestUp(loan.openingBalance, loan.aprBps, now_ - loan.segmentStart)
            );
        }
        o.currentInterest = current > 0 ? uint256(current) : 0;
        o.principalOutstanding = uint256(loan.principal) - loan.principalPaid;
        uint256 dueByNow = uint256(loan.principal) - a.scheduledBalanceDue;
        o.pastDuePrincipal = dueByNow > loan.principalPaid ? dueByNow - loan.principalPaid : 0;
        o.payoff = o.pastDueInterest + o.currentInterest + o.principalOutstanding;
    }
}
