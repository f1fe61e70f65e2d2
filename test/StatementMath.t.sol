// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {ScheduleMath} from "../contracts/libraries/ScheduleMath.sol";
import {StatementMath} from "../contracts/libraries/StatementMath.sol";

/// Monthly statements (PRODUCT.md C6): golden cycles, due dates, minimum payments and revolving interest, the same
/// figures `test/core-statement.ts` pins the TypeScript twin to, and fuzzed cycle, minimum and interest properties.
contract StatementMathTest is Test {
    /// 2026-01-01T00:00:00Z: the statement day of the golden line.
    uint256 internal constant ANCHOR = 1_767_225_600;
    uint256 internal constant DAY = 86_400;
    uint256 internal constant CYCLE = 30 * DAY;
    uint256 internal constant CYCLE_DAYS = StatementMath.DEFAULT_CYCLE_DAYS;
    uint256 internal constant GRACE_DAYS = StatementMath.DEFAULT_DUE_AFTER_DAYS;
    uint256 internal constant MINIMUM_BPS = StatementMath.DEFAULT_MINIMUM_BPS;
    uint256 internal constant STATEMENT = 10_000e6;
    uint256 internal constant APR_BPS = 1_800;

    function test_defaults() public pure {
        assertEq(CYCLE_DAYS, 30);
        assertEq(GRACE_DAYS, 10);
        assertEq(MINIMUM_BPS, 1_000);
        assertEq(StatementMath.cycleSeconds(CYCLE_DAYS), 2_592_000);
    }

    /// The first second of a cycle, its last second and the first second of the next.
    function test_cycleOf_golden() public pure {
        assertEq(StatementMath.cycleOf(ANCHOR, 1_767_225_600, CYCLE_DAYS), 0, "first second of cycle 0");
        assertEq(StatementMath.cycleOf(ANCHOR, 1_769_817_599, CYCLE_DAYS), 0, "last second of cycle 0");
        assertEq(StatementMath.cycleOf(ANCHOR, 1_769_817_600, CYCLE_DAYS), 1, "first second of cycle 1");
        assertEq(StatementMath.cycleOf(ANCHOR, 1_798_329_599, CYCLE_DAYS), 11, "last second of cycle 11");
        assertEq(StatementMath.cycleOf(ANCHOR, 1_798_329_600, CYCLE_DAYS), 12, "first second of cycle 12");
    }

    function test_cycleStart_cycleClose_dueDate_golden() public pure {
        assertEq(StatementMath.cycleStart(ANCHOR, 0, CYCLE_DAYS), 1_767_225_600, "start 0");
        assertEq(StatementMath.cycleClose(ANCHOR, 0, CYCLE_DAYS), 1_769_817_600, "close 0");
        assertEq(StatementMath.dueDate(ANCHOR, 0, CYCLE_DAYS, GRACE_DAYS), 1_770_681_600, "due 0");
        assertEq(StatementMath.cycleStart(ANCHOR, 1, CYCLE_DAYS), 1_769_817_600, "start 1");
        assertEq(StatementMath.cycleClose(ANCHOR, 1, CYCLE_DAYS), 1_772_409_600, "close 1");
        assertEq(StatementMath.dueDate(ANCHOR, 1, CYCLE_DAYS, GRACE_DAYS), 1_773_273_600, "due 1");
        assertEq(StatementMath.cycleStart(ANCHOR, 12, CYCLE_DAYS), 1_798_329_600, "start 12");
        assertEq(StatementMath.dueDate(ANCHOR, 12, CYCLE_DAYS, GRACE_DAYS), 1_801_785_600, "due 12");
    }

    /// Another configuration: 28-day cycles due 15 days after the close; due 0 days after makes the due date the close.
    function test_dueDate_otherLengths() public pure {
        assertEq(StatementMath.cycleClose(ANCHOR, 1, 28), 1_772_064_000);
        assertEq(StatementMath.dueDate(ANCHOR, 1, 28, 15), 1_773_360_000);
        assertEq(StatementMath.cycleOf(ANCHOR, 1_772_063_999, 28), 1);
        assertEq(StatementMath.cycleOf(ANCHOR, 1_772_064_000, 28), 2);
        assertEq(StatementMath.dueDate(ANCHOR, 1, 28, 0), 1_772_064_000);
    }

    /// A purchase at the anchor is free for 40 days, one in the cycle's last second for 10 days and a second, one in
    /// the next cycle's first second for 40 days again.
    function test_interestFreeUntil_golden() public pure {
        assertEq(StatementMath.interestFreeUntil(ANCHOR, 1_767_225_600, CYCLE_DAYS, GRACE_DAYS), 1_770_681_600);
        assertEq(StatementMath.interestFreeUntil(ANCHOR, 1_769_817_599, CYCLE_DAYS, GRACE_DAYS), 1_770_681_600);
        assertEq(StatementMath.interestFreeUntil(ANCHOR, 1_769_817_600, CYCLE_DAYS, GRACE_DAYS), 1_773_273_600);
        assertEq(1_770_681_600 - 1_767_225_600, 40 * DAY);
        assertEq(1_770_681_600 - 1_769_817_599, 10 * DAY + 1);
    }

    function test_minimumPaymentUp_golden() public pure {
        assertEq(StatementMath.minimumPaymentUp(STATEMENT, 0, MINIMUM_BPS), 1_000e6, "10 %");
        assertEq(StatementMath.minimumPaymentUp(STATEMENT, 1_200e6, MINIMUM_BPS), 1_200e6, "instalments due");
        assertEq(StatementMath.minimumPaymentUp(STATEMENT, 800e6, MINIMUM_BPS), 1_000e6, "10 % above instalments");
        assertEq(StatementMath.minimumPaymentUp(500e6, 1_200e6, MINIMUM_BPS), 500e6, "capped at the statement");
        assertEq(StatementMath.minimumPaymentUp(10_000_000001, 0, MINIMUM_BPS), 1_000_000001, "rounded up");
        assertEq(StatementMath.minimumPaymentUp(1, 0, MINIMUM_BPS), 1, "one unit");
        assertEq(StatementMath.minimumPaymentUp(0, 0, MINIMUM_BPS), 0, "empty statement");
        assertEq(StatementMath.minimumPaymentUp(STATEMENT, 0, 10_000), STATEMENT, "100 %");
        assertEq(StatementMath.minimumPaymentUp(STATEMENT, 0, 20_000), STATEMENT, "above 100 %");
        assertEq(StatementMath.minimumPaymentUp(STATEMENT, 0, 0), 0, "no share, nothing due");
    }

    /// 10,000.000000 with 1,000.000000 paid by the due date: 9,000.000000 revolves at 18 %.
    function test_revolvingInterestUp_golden() public pure {
        uint256 due = StatementMath.dueDate(ANCHOR, 0, CYCLE_DAYS, GRACE_DAYS);
        uint256 unpaid = STATEMENT - StatementMath.minimumPaymentUp(STATEMENT, 0, MINIMUM_BPS);
        assertEq(unpaid, 9_000e6);
        assertEq(StatementMath.revolvingInterestUp(unpaid, APR_BPS, due, due + 30 * DAY), 135_000000, "30 days");
        assertEq(StatementMath.revolvingInterestUp(unpaid, APR_BPS, due, due + DAY), 4_500000, "1 day");
        // 9,000e6 × 1,800 / 311,040,000,000 = 52.08…, rounded up.
        assertEq(StatementMath.revolvingInterestUp(unpaid, APR_BPS, due, due + 1), 53, "1 second");
        assertEq(StatementMath.revolvingInterestUp(unpaid, APR_BPS, due, due + 365 * DAY), 1_642_500000, "365 days");
        assertEq(StatementMath.revolvingInterestUp(unpaid, APR_BPS, due, due), 0, "at the due date");
        assertEq(StatementMath.revolvingInterestUp(unpaid, APR_BPS, due, ANCHOR), 0, "before the due date");
        assertEq(StatementMath.revolvingInterestUp(0, APR_BPS, due, due + 30 * DAY), 0, "paid in full");
    }

    function test_isPastDue_golden() public pure {
        uint256 due = StatementMath.dueDate(ANCHOR, 0, CYCLE_DAYS, GRACE_DAYS);
        assertFalse(StatementMath.isPastDue(999e6, 1_000e6, due, due), "short at the due date");
        assertTrue(StatementMath.isPastDue(999e6, 1_000e6, due, due + 1), "short after the due date");
        assertFalse(StatementMath.isPastDue(1_000e6, 1_000e6, due, due + 1), "minimum paid");
        assertFalse(StatementMath.isPastDue(0, 0, due, due + 1), "nothing asked");
        assertTrue(StatementMath.isPastDue(0, 1, due, due + 365 * DAY), "nothing paid");
    }

    function test_cycleOf_revertsBeforeTheAnchor() public {
        vm.expectRevert(abi.encodeWithSelector(StatementMath.TimeBeforeAnchor.selector, ANCHOR - 1, ANCHOR));
        this.callCycleOf(ANCHOR, ANCHOR - 1, CYCLE_DAYS);
        vm.expectRevert(abi.encodeWithSelector(StatementMath.TimeBeforeAnchor.selector, 0, ANCHOR));
        this.callInterestFreeUntil(ANCHOR, 0, CYCLE_DAYS, GRACE_DAYS);
    }

    function test_cycles_revertWithoutALength() public {
        vm.expectRevert(abi.encodeWithSelector(StatementMath.UnsupportedCycleLength.selector, 0));
        this.callCycleOf(ANCHOR, ANCHOR, 0);
        vm.expectRevert(abi.encodeWithSelector(StatementMath.UnsupportedCycleLength.selector, 0));
        this.callCycleStart(ANCHOR, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(StatementMath.UnsupportedCycleLength.selector, 0));
        this.callDueDate(ANCHOR, 0, 0, GRACE_DAYS);
        vm.expectRevert(abi.encodeWithSelector(StatementMath.UnsupportedCycleLength.selector, 0));
        this.callInterestFreeUntil(ANCHOR, ANCHOR, 0, GRACE_DAYS);
    }

    function callCycleOf(uint256 anchor, uint256 time, uint256 cycleDays) external pure returns (uint256) {
        return StatementMath.cycleOf(anchor, time, cycleDays);
    }

    function callCycleStart(uint256 anchor, uint256 cycle, uint256 cycleDays) external pure returns (uint256) {
        return StatementMath.cycleStart(anchor, cycle, cycleDays);
    }

    function callDueDate(
        uint256 anchor,
        uint256 cycle,
        uint256 cycleDays,
        uint256 dueAfterDays
    ) external pure returns (uint256) {
        return StatementMath.dueDate(anchor, cycle, cycleDays, dueAfterDays);
    }

    function callInterestFreeUntil(
        uint256 anchor,
        uint256 time,
        uint256 cycleDays,
        uint256 dueAfterDays
    ) external pure returns (uint256) {
        return StatementMath.interestFreeUntil(anchor, time, cycleDays, dueAfterDays);
    }

    /// Every second of cycle i, from its start to the second before its close, maps to i.
    function testFuzz_cycleOf_everySecondOfACycleMapsToIt(
        uint256 anchor,
        uint256 cycle,
        uint256 offset,
        uint256 cycleDays
    ) public pure {
        anchor = bound(anchor, 0, type(uint64).max);
        cycle = bound(cycle, 0, 100_000);
        cycleDays = bound(cycleDays, 1, 366);
        uint256 start = StatementMath.cycleStart(anchor, cycle, cycleDays);
        uint256 close = StatementMath.cycleClose(anchor, cycle, cycleDays);
        offset = bound(offset, 0, close - start - 1);
        assertEq(close - start, cycleDays * DAY, "length");
        assertEq(StatementMath.cycleOf(anchor, start + offset, cycleDays), cycle, "inside");
        assertEq(StatementMath.cycleOf(anchor, close, cycleDays), cycle + 1, "close opens the next");
    }

    /// Cycles touch, and the due date is `dueAfterDays` days after the close.
    function testFuzz_cycleClose_isTheNextStartAndDueIsDueAfterDaysLater(
        uint256 anchor,
        uint256 cycle,
        uint256 cycleDays,
        uint256 dueAfterDays
    ) public pure {
        anchor = bound(anchor, 0, type(uint64).max);
        cycle = bound(cycle, 0, 100_000);
        cycleDays = bound(cycleDays, 1, 366);
        dueAfterDays = bound(dueAfterDays, 0, 366);
        uint256 close = StatementMath.cycleClose(anchor, cycle, cycleDays);
        assertEq(close, StatementMath.cycleStart(anchor, cycle + 1, cycleDays), "close == next start");
        assertEq(
            StatementMath.dueDate(anchor, cycle, cycleDays, dueAfterDays) - close,
            dueAfterDays * DAY,
            "dueAfterDays"
        );
    }

    /// A purchase is interest-free for more than `dueAfterDays` and at most a cycle plus `dueAfterDays` (10 days to 40 days).
    function testFuzz_interestFreeUntil_betweenDueAfterDaysAndACycleMore(
        uint256 anchor,
        uint256 time,
        uint256 cycleDays,
        uint256 dueAfterDays
    ) public pure {
        anchor = bound(anchor, 0, type(uint64).max);
        time = bound(time, anchor, anchor + 100 * 366 * DAY);
        cycleDays = bound(cycleDays, 1, 366);
        dueAfterDays = bound(dueAfterDays, 0, 366);
        uint256 free = StatementMath.interestFreeUntil(anchor, time, cycleDays, dueAfterDays) - time;
        assertGt(free, dueAfterDays * DAY, "more than dueAfterDays");
        assertLe(free, (cycleDays + dueAfterDays) * DAY, "at most a cycle and dueAfterDays");
    }

    /// The minimum is at most the balance, at least `minimumBps` of it (when that is within 100 %) and at least the
    /// instalments due that the balance covers; and exactly the larger of the two within the balance.
    function testFuzz_minimumPaymentUp_withinTheBalanceAndAtLeastTheShare(
        uint256 balance,
        uint256 instalmentsDue,
        uint256 minimumBps
    ) public pure {
        balance = bound(balance, 0, 1e15);
        instalmentsDue = bound(instalmentsDue, 0, 2e15);
        minimumBps = bound(minimumBps, 0, 10_000);
        uint256 minimum = StatementMath.minimumPaymentUp(balance, instalmentsDue, minimumBps);
        assertLe(minimum, balance, "within the balance");
        assertGe(minimum * 10_000, balance * minimumBps, "at least the share");
        assertGe(minimum, instalmentsDue < balance ? instalmentsDue : balance, "at least the instalments due");
        // Rounded up by less than one unit: one unit less would be below the share or the instalments due.
        if (minimum > 0) {
            assertTrue((minimum - 1) * 10_000 < balance * minimumBps || minimum - 1 < instalmentsDue, "tight");
        }
    }

    /// Nothing accrues up to the due date; after it the interest never falls as time passes, is positive on a
    /// positive balance and rate (rounded up), and over whole days is the period interest of those days.
    function testFuzz_revolvingInterestUp_zeroUntilDueThenMonotone(
        uint256 unpaid,
        uint256 aprBps,
        uint256 dueAt,
        uint256 a,
        uint256 b
    ) public pure {
        unpaid = bound(unpaid, 0, 1e15);
        aprBps = bound(aprBps, 0, 10_000);
        dueAt = bound(dueAt, 0, type(uint64).max);
        // From up to a year before the due date to ten years after it.
        a = bound(a, dueAt > 365 * DAY ? dueAt - 365 * DAY : 0, dueAt + 10 * 366 * DAY);
        b = bound(b, a, dueAt + 10 * 366 * DAY);
        uint256 atA = StatementMath.revolvingInterestUp(unpaid, aprBps, dueAt, a);
        uint256 atB = StatementMath.revolvingInterestUp(unpaid, aprBps, dueAt, b);
        assertLe(atA, atB, "monotone in time");
        if (a <= dueAt) assertEq(atA, 0, "free up to the due date");
        if (b > dueAt) {
            assertEq(atB, ScheduleMath.accruedInterestUp(unpaid, aprBps, b - dueAt), "per second on 30/360");
            assertEq(atB > 0, unpaid > 0 && aprBps > 0, "positive once anything accrues");
        }
        uint256 d = (b - a) / DAY;
        assertEq(
            StatementMath.revolvingInterestUp(unpaid, aprBps, dueAt, dueAt + d * DAY),
            ScheduleMath.periodInterestUp(unpaid, aprBps, d),
            "whole days"
        );
    }

    /// Never past due at or before the due date, nor with the minimum paid; always past due short of it after.
    function testFuzz_isPastDue_onlyShortAfterTheDueDate(
        uint256 paid,
        uint256 minimum,
        uint256 dueAt,
        uint256 time
    ) public pure {
        dueAt = bound(dueAt, 0, type(uint64).max);
        time = bound(time, 0, type(uint64).max);
        bool pastDue = StatementMath.isPastDue(paid, minimum, dueAt, time);
        if (time <= dueAt || paid >= minimum) assertFalse(pastDue);
        else assertTrue(pastDue);
    }
}
