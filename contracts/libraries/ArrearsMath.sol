// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {ScheduleMath} from "./ScheduleMath.sol";
import {LoanMath} from "./LoanMath.sol";

/// @title ArrearsMath
/// @notice Pure delinquency math: the oldest unpaid due date, the bucket, and penalty interest.
/// @dev DPD (days past due) counts from the oldest unpaid due date (`pastDueSince`). Penalty interest runs per second
/// on the past-due amount from each due date at `aprBps × penaltyMultiplierBps / 10000`, rounded up at each touch.
library ArrearsMath {
    uint256 internal constant SCALE = ScheduleMath.INTEREST_SCALE;
    uint256 internal constant BPS = 10_000;

    function dueDate(ICreditLedger.Loan memory loan, uint256 k) internal pure returns (uint256) {
        unchecked {
            return loan.drawnAt + k * LoanMath.periodSeconds(loan); // k ≤ instalments + 1 < 2^9
        }
    }

    /// @notice Whether all that a rolled loan has past due fell due at its last due date (`a.period − 1`): no earlier
    /// instalment's principal is unpaid, and the unpaid interest is at most the last period's.
    /// @dev The last period opened on at least the smaller of the outstanding and its scheduled balance, so its
    /// interest is at least the interest on that (see `pastDueSince`).
    function onlyLastDue(ICreditLedger.Loan memory loan, LoanMath.Accrual memory a) internal pure returns (bool) {
        uint256 outstanding = uint256(loan.principal) - loan.principalPaid;
        if (outstanding > a.scheduledBalanceBefore) return false;
        int256 interest = loan.interestBalance;
        return
            interest <= 0 ||
            uint256(interest) <= ScheduleMath.periodInterestUp(outstanding, loan.aprBps, loan.periodDays);
    }

    /// @notice Oldest unpaid due date of a loan rolled to `a.period` (and possibly paid since), 0 when nothing is past
    /// due.
    /// @dev A payment clears past-due interest before past-due principal, and principal paid covers the earliest
    /// instalments first, so:
    /// - the oldest instalment with principal unpaid is the first `k` whose scheduled balance is below the
    ///   outstanding principal (exact);
    /// - unpaid interest is that of the latest periods. Since the last payment of principal, each period has opened
    ///   on the smaller of the outstanding and its scheduled balance, and the period of that payment has at most
    ///   the interest on it left unpaid; walking back from the last due date with that interest per period dates
    ///   the unpaid interest exactly.
    /// Scheduled instalments are not used: after a prepayment each later period owes less than its instalment, and
    /// dating by instalments would let arrears restart at a later due date.
    function pastDueSince(ICreditLedger.Loan memory loan, LoanMath.Accrual memory a) internal pure returns (uint256) {
        uint256 outstanding = uint256(loan.principal) - loan.principalPaid;
        int256 balance = loan.interestBalance;
        uint256 interest = balance > 0 ? uint256(balance) : 0;
        if (interest == 0 && outstanding <= a.scheduledBalanceDue) return 0;
        uint256 last = a.period - 1;
        if (onlyLastDue(loan, a)) return dueDate(loan, last);
        (uint256[] memory principalOf, uint256[] memory interestOf) = _fellDue(loan, outstanding, last);
        uint256 oldest = last;
        for (uint256 k = 1; k < last; ++k) {
            if (principalOf[k - 1] != 0) {
                oldest = k;
                break;
            }
        }
        for (uint256 k = last; k != 0 && interest != 0; --k) {
            if (k < oldest) oldest = k;
            interest -= interestOf[k - 1] < interest ? interestOf[k - 1] : interest;
        }
        return dueDate(loan, oldest);
    }

    /// @notice The bucket for `pastDue` outstanding since `since`, at `now_`.
    function bucketOf(
        uint256 pastDue,
        uint256 since,
        uint256 now_,
        ICreditLedger.RiskParams memory params
    ) internal pure returns (ICreditLedger.Bucket) {
        if (pastDue == 0) return ICreditLedger.Bucket.Current;
        uint256 late = now_ - since;
        if (late <= uint256(params.graceDays) * 1 days) return ICreditLedger.Bucket.Grace;
        if (late > uint256(params.defaultDays) * 1 days) return ICreditLedger.Bucket.Default;
        if (late <= 30 days) return ICreditLedger.Bucket.M1;
        if (late <= 60 days) return ICreditLedger.Bucket.M2;
        return ICreditLedger.Bucket.M3;
    }

    /// @notice Penalty accrued between the checkpoint `from` and `now_` on a loan with `outstanding` principal over
    /// that span, rounded up: on `dueAtCheckpoint` for the whole span, plus on what fell due at each due date in
    /// between, from that date.
    /// @dev Nothing is paid between two touches, so what became past due in between is `dueNow − dueAtCheckpoint`,
    /// and what fell due at each due date after the first one in between is exact (`_fellDue`): the part of its
    /// instalment's principal not paid ahead, and its period's interest on the balance it opened with. The first
    /// due date in between takes the rest. Charging scheduled instalments instead would put penalty on money already
    /// prepaid, or date it too late.
    function penaltyAccruedUp(
        ICreditLedger.Loan memory loan,
        uint256 outstanding,
        uint256 from,
        uint256 now_,
        uint256 dueAtCheckpoint,
        uint256 dueNow,
        uint256 multiplierBps
    ) internal pure returns (uint256) {
        uint256 weighted = dueAtCheckpoint * (now_ - from);
        uint256 period = LoanMath.periodSeconds(loan);
        uint256 first = (from - loan.drawnAt) / period + 1; // first due date after `from`
        uint256 last = (now_ - loan.drawnAt) / period; // last due date at or before `now_`
        if (last > loan.instalments) last = loan.instalments;
        if (first <= last && dueNow > dueAtCheckpoint) {
            (uint256[] memory principalOf, uint256[] memory interestOf) = _fellDue(loan, outstanding, last);
            uint256 left = dueNow - dueAtCheckpoint;
            // The first due date takes all that is left, so k stops there (first ≥ 1).
            for (uint256 k = last; left != 0; --k) {
                uint256 fell = principalOf[k - 1] + interestOf[k - 1];
                uint256 part = k > first && fell < left ? fell : left;
                weighted += part * (now_ - dueDate(loan, k));
                left -= part;
            }
        }
        return ScheduleMath.divUp(weighted * loan.aprBps * multiplierBps, SCALE * BPS);
    }

    /// @dev What fell due at each due date `k` up to `last` (index `k − 1`), counting each period as opened on the
    /// smaller of `outstanding` and its scheduled balance (exact for the periods that opened after the last payment
    /// of principal): the part of instalment `k`'s principal not paid ahead, and period `k`'s interest.
    function _fellDue(
        ICreditLedger.Loan memory loan,
        uint256 outstanding,
        uint256 last
    ) private pure returns (uint256[] memory principalOf, uint256[] memory interestOf) {
        LoanMath.Plan memory p = LoanMath.plan(loan);
        principalOf = new uint256[](last);
        interestOf = new uint256[](last);
        uint256 scheduled = p.principal;
        for (uint256 k = 1; k <= last; ++k) {
            uint256 opening = outstanding < scheduled ? outstanding : scheduled;
            scheduled = LoanMath.scheduledAfter(p, scheduled, k);
            principalOf[k - 1] = opening > scheduled ? opening - scheduled : 0;
            interestOf[k - 1] = ScheduleMath.periodInterestUp(opening, p.aprBps, p.periodDays);
        }
    }

    /// @notice Days past due from which a late loan's unpaid interest is provisioned in full (non-accrual, as interest
    /// in suspense): it counts again only as it is paid (or the loan is cured). Provisions are charged to the
    /// first-loss reserve first, so the lenders' assets bear it once the reserve is used up.
    uint256 internal constant NON_ACCRUAL_AFTER = 30 days;

    /// @notice The provision of a late loan, rounded UP: what writing it off would cost, its principal part
    /// `principalBase` and its interest part `interestBase`, each times a rate that rises with `late`, the seconds
    /// since its oldest unpaid due date, so that a loan's value falls day by day as it ages instead of in steps at
    /// the bucket edges. Zero at the due date; the caller gives zero for a loan with nothing past due. The write-off
    /// takes the rest after `defaultDays`.
    /// @dev Both rates start at 0 at the due date and reach `provisionM1Bps` at the end of grace (a loan paid within
    /// grace is on time, and the cure releases the provision). From there the principal's rate runs in straight
    /// lines between the bucket rates, each reached where its bucket ends: `provisionM2Bps` at 30 days,
    /// `provisionM3Bps` at 60 days, and 100 % at `defaultDays` (61 to 365 days). With the defaults (10 / 30 / 60 %,
    /// a 3-day grace, default after 90 days) a day adds at most 3.33 % of the principal part (in grace), 1.33 % in
    /// M3, and a loan marked daily is at least 98.67 % provisioned when it is written off. The interest's rate runs
    /// on from `provisionM1Bps` at the end of grace to 100 % at `NON_ACCRUAL_AFTER` (non-accrual), and stays there.
    /// Each part is rounded up. A zero grace starts both at `provisionM1Bps` the second after the due date.
    function provisionUp(
        uint256 principalBase,
        uint256 interestBase,
        uint256 late,
        ICreditLedger.RiskParams memory params
    ) internal pure returns (uint256) {
        uint256 grace = uint256(params.graceDays) * 1 days;
        if (late <= grace) {
            if (late == 0) return 0;
            uint256 m1 = params.provisionM1Bps;
            return _lineUp(principalBase, late, 0, grace, 0, m1) + _lineUp(interestBase, late, 0, grace, 0, m1);
        }
        uint256 interest =
            late < NON_ACCRUAL_AFTER
                ? _lineUp(interestBase, late, grace, NON_ACCRUAL_AFTER, params.provisionM1Bps, BPS)
                : interestBase;
        uint256 principal;
        if (late <= 30 days) {
            principal = _lineUp(principalBase, late, grace, 30 days, params.provisionM1Bps, params.provisionM2Bps);
        } else if (late <= 60 days) {
            principal = _lineUp(principalBase, late, 30 days, 60 days, params.provisionM2Bps, params.provisionM3Bps);
        } else {
            uint256 end = uint256(params.defaultDays) * 1 days;
            principal = _lineUp(principalBase, late < end ? late : end, 60 days, end, params.provisionM3Bps, BPS);
        }
        return principal + interest;
    }

    /// @dev `base` times the rate at `at` on the straight line from `from` bps at `start` to `to` bps at `end`
    /// (`start < at ≤ end`), rounded up; `to < from` falls as it goes.
    function _lineUp(
        uint256 base,
        uint256 at,
        uint256 start,
        uint256 end,
        uint256 from,
        uint256 to
    ) private pure returns (uint256) {
        // rate × span = from × span + (to − from) × (at − start), in bps-seconds.
        uint256 span = end - start;
        uint256 x = at - start;
        uint256 scaled = to >= from ? from * span + (to - from) * x : from * span - (from - to) * x;
        return ScheduleMath.divUp(base * scaled, BPS * span);
    }
}
