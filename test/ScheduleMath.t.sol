// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {ScheduleMath} from "../contracts/libraries/ScheduleMath.sol";

/// Golden schedules of PRODUCT.md §4 (P = 10,000.000000, 18%, 12 × 30 days) and fuzzed plan properties.
contract ScheduleMathTest is Test {
    uint256 internal constant P = 10_000e6;

    function _sum(uint256[] memory xs) internal pure returns (uint256 total) {
        for (uint256 i = 0; i < xs.length; ++i) total += xs[i];
    }

    function test_schedule_equalInstalmentGolden() public pure {
        (uint256[] memory pay, uint256[] memory pr, uint256[] memory it) = ScheduleMath.schedule(0, P, 1800, 12, 30);
        assertEq(pay.length, 12);
        for (uint256 k = 0; k < 11; ++k) assertEq(pay[k], 916_799930);
        assertEq(pay[11], 916_799924);
        assertEq(it[0], 150_000000);
        assertEq(it[1], 138_498002);
        assertEq(it[11], 13_548768);
        assertEq(_sum(pay), 11_001_599154);
        assertEq(_sum(pr), P);
    }

    function test_schedule_equalPrincipalGolden() public pure {
        (uint256[] memory pay, uint256[] memory pr, uint256[] memory it) = ScheduleMath.schedule(1, P, 1800, 12, 30);
        for (uint256 k = 0; k < 11; ++k) assertEq(pr[k], 833_333333);
        assertEq(pr[11], 833_333337);
        assertEq(it[0], 150_000000);
        assertEq(it[1], 137_500001);
        assertEq(it[11], 12_500001);
        assertEq(_sum(pay), 10_975_000011);
    }

    function test_schedule_interestFirstGolden() public pure {
        (uint256[] memory pay, uint256[] memory pr, ) = ScheduleMath.schedule(2, P, 1800, 12, 30);
        for (uint256 k = 0; k < 11; ++k) {
            assertEq(pay[k], 150_000000);
            assertEq(pr[k], 0);
        }
        assertEq(pay[11], 10_150_000000);
    }

    function test_schedule_bulletIsOnePaymentAtTheEnd() public pure {
        (uint256[] memory pay, uint256[] memory pr, uint256[] memory it) = ScheduleMath.schedule(3, P, 1800, 12, 30);
        assertEq(pay.length, 1);
        assertEq(pr[0], P);
        assertEq(it[0], 1_800_000000);
    }

    function test_schedule_revertsOnUnknownMethod() public {
        vm.expectRevert(abi.encodeWithSelector(ScheduleMath.UnknownMethod.selector, 4));
        this.callSchedule(4);
    }

    function callSchedule(uint8 method) external pure {
        ScheduleMath.schedule(method, P, 1800, 12, 30);
    }

    function test_equalInstalmentUp_zeroRateSplitsEvenlyRoundingUp() public pure {
        assertEq(ScheduleMath.equalInstalmentUp(100, 0, 3, 30), 34);
    }

    function test_periodInterestUp_matchesSecondsAccrualOverAFullPeriod() public pure {
        assertEq(ScheduleMath.periodInterestUp(P, 1800, 30), ScheduleMath.accruedInterestUp(P, 1800, 30 days));
    }

    /// Every plan repays exactly the principal, never charges negative interest, and each row's payment is
    /// its principal plus its interest; interest never exceeds `ceil(P·r)` per period.
    function testFuzz_schedule_repaysExactlyThePrincipal(
        uint8 method,
        uint256 principal,
        uint256 aprBps,
        uint256 instalments,
        uint256 periodDays
    ) public pure {
        method = uint8(bound(method, 0, 3));
        principal = bound(principal, 1, 1e30);
        aprBps = bound(aprBps, 0, 10_000);
        instalments = bound(instalments, 1, 60);
        periodDays = bound(periodDays, 1, 366);
        (uint256[] memory pay, uint256[] memory pr, uint256[] memory it) = ScheduleMath.schedule(
            method,
            principal,
            aprBps,
            instalments,
            periodDays
        );
        assertEq(_sum(pr), principal, "principal repaid");
        uint256 maxInterest = ScheduleMath.periodInterestUp(
            principal,
            aprBps,
            method == 3 ? periodDays * instalments : periodDays
        );
        for (uint256 k = 0; k < pay.length; ++k) {
            assertEq(pay[k], pr[k] + it[k], "row sum");
            assertLe(it[k], maxInterest, "interest bounded by a full-balance period");
        }
    }

    /// The equal-instalment payment is constant for all but the last row. Every interest rounds up, so each period
    /// leaves up to one unit more balance than exact arithmetic, compounding at (1 + r): the last payment exceeds the
    /// others by at most n × (1 + r)^n units, under 5n for these bounds ((1 + 50%/12)^36 < 4.4).
    function testFuzz_schedule_equalInstalmentIsConstant(uint256 principal, uint256 aprBps, uint256 n) public pure {
        principal = bound(principal, 1e6, 1e30);
        aprBps = bound(aprBps, 1, 5_000);
        n = bound(n, 2, 36);
        (uint256[] memory pay, , ) = ScheduleMath.schedule(0, principal, aprBps, n, 30);
        for (uint256 k = 1; k + 1 < n; ++k) assertEq(pay[k], pay[0]);
        assertLe(pay[n - 1], pay[0] + 5 * n);
    }

    /// The tight loop used on every roll equals the schedule's own balance, instalment by instalment.
    function testFuzz_scheduledBalanceUp_matchesSchedule(uint256 shape, uint256 principal, uint256 aprBps) public pure {
        // One seed for the plan's shape keeps the fuzzed arguments few enough for the stack.
        _assertBalances(
            uint8(shape % 3),
            bound(principal, 1, type(uint88).max),
            bound(aprBps, 0, 2_400),
            ((shape >> 8) % 36) + 1,
            ((shape >> 16) % 92) + 1
        );
    }

    function _assertBalances(
        uint8 method,
        uint256 principal,
        uint256 aprBps,
        uint256 n,
        uint256 periodDays
    ) internal pure {
        (, uint256[] memory pr, ) = ScheduleMath.schedule(method, principal, aprBps, n, periodDays);
        uint256 payment = method == 0 ? ScheduleMath.equalInstalmentUp(principal, aprBps, n, periodDays) : 0;
        uint256 balance = principal;
        for (uint256 count = 0; count <= n; ++count) {
            assertEq(
                ScheduleMath.scheduledBalanceUp(method, principal, payment, aprBps, n, periodDays, count),
                balance
            );
            if (count < n) balance -= pr[count];
        }
    }

    /// The cheap total the ledger emits on every draw (`Drawn.totalInterest`) is the plan's interest to the
    /// unit, for every method: it mirrors `schedule` step for step without building it.
    function testFuzz_totalInterestUp_isThePlansInterest(uint256 shape, uint256 principal, uint256 aprBps) public pure {
        _assertTotalInterest(
            uint8(shape % 4),
            bound(principal, 0, 1e30),
            bound(aprBps, 0, 10_000),
            ((shape >> 8) % 60) + 1,
            ((shape >> 16) % 366) + 1
        );
    }

    function _assertTotalInterest(
        uint8 method,
        uint256 principal,
        uint256 aprBps,
        uint256 n,
        uint256 days_
    ) internal pure {
        (, , uint256[] memory it) = ScheduleMath.schedule(method, principal, aprBps, n, days_);
        assertEq(ScheduleMath.totalInterestUp(method, principal, aprBps, n, days_), _sum(it), "sum of the plan");
    }
}
