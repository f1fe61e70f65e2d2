// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {ScheduleMath} from "./ScheduleMath.sol";
import {LoanMath} from "./LoanMath.sol";

/// @title ArrearsMath
/// @notice Pure delinquency math: the oldest unpaid due date, the bucket, and penalty interest.
/// @dev DPD (days past due) counts from the oldest unpaid due date, found by walking the plan backwards from the last
/// due date until the scheduled instalments cover what is past due. Penalty interest runs per second on the
/// past-due amount from each due date at `aprBps × penaltyMultiplierBps / 10000`, rounded up at each touch.
library ArrearsMath {
    uint256 internal constant SCALE = ScheduleMath.INTEREST_SCALE;
    uint256 internal constant BPS = 10_000;

    /// @notice The plan rows of a stored loan (bullet loans are stored as one period, i.e. interest-first).
    function plan(ICreditLedger.Loan memory loan) internal pure returns (uint256[] memory payments) {
        uint8 method = loan.method == ScheduleMath.BULLET ? ScheduleMath.INTEREST_FIRST : loan.method;
        (payments, , ) = ScheduleMath.schedule(method, loan.principal, loan.aprBps, loan.instalments, loan.periodDays);
    }

    function dueDate(ICreditLedger.Loan memory loan, uint256 k) internal pure returns (uint256) {
        unchecked {
            return loan.drawnAt + k * LoanMath.periodSeconds(loan); // k ≤ instalments + 1 < 2^9
        }
    }

    /// @notice Oldest unpaid due date of a loan rolled to `period` with `pastDue` outstanding (0 when none).
    function pastDueSince(
        ICreditLedger.Loan memory loan,
        uint256 period,
        uint256 pastDue,
        uint256 lastInstalment
    ) internal pure returns (uint256) {
        if (pastDue == 0) return 0;
        uint256 last = period - 1;
        if (pastDue <= lastInstalment) return dueDate(loan, last);
        uint256[] memory payments = plan(loan);
        uint256 covered;
        for (uint256 k = last; k > 0; --k) {
            covered += payments[k - 1];
            if (covered >= pastDue) return dueDate(loan, k);
        }
        return dueDate(loan, 1);
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

    /// @notice Penalty accrued between the checkpoint `from` and `now_`, rounded up: on `dueAtCheckpoint` for the
    /// whole span, plus on each instalment that fell due in between, from its due date, on the part of it still
    /// unpaid.
    /// @dev Nothing is paid between two touches, so what became past due in between is `dueNow − dueAtCheckpoint`.
    /// Money paid ahead covers the earliest instalments, so that amount is the unpaid tail of the latest ones: it is
    /// spread from the latest due date backwards, each instalment taking at most its scheduled payment (the same
    /// walk as `pastDueSince`). Charging the scheduled payment instead would put penalty on money already prepaid.
    function penaltyAccruedUp(
        ICreditLedger.Loan memory loan,
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
            uint256[] memory payments = plan(loan);
            uint256 left = dueNow - dueAtCheckpoint;
            // first ≥ 1, so k stops at first − 1 ≥ 0 without wrapping.
            for (uint256 k = last; k >= first && left != 0; --k) {
                uint256 part = payments[k - 1] < left ? payments[k - 1] : left;
                weighted += part * (now_ - dueDate(loan, k));
                left -= part;
            }
        }
        return ScheduleMath.divUp(weighted * loan.aprBps * multiplierBps, SCALE * BPS);
    }

    /// @notice Provision rate of a bucket, in basis points.
    function provisionBps(
        ICreditLedger.Bucket bucket,
        ICreditLedger.RiskParams memory params
    ) internal pure returns (uint256) {
        if (bucket == ICreditLedger.Bucket.M1) return params.provisionM1Bps;
        if (bucket == ICreditLedger.Bucket.M2) return params.provisionM2Bps;
        if (bucket == ICreditLedger.Bucket.M3) return params.provisionM3Bps;
        return 0;
    }
}
