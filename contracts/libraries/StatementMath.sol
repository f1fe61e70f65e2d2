// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ScheduleMath} from "./ScheduleMath.sol";

/// @title StatementMath
/// @notice A buyer's purchases gathered into monthly statements (PRODUCT.md C6): which cycle a purchase falls in, when
/// a cycle closes and its statement is due, the minimum payment, and the interest on what revolves.
/// @dev Rules, the same in the TypeScript twin `src/core/statement.ts`, which mirrors every operation:
/// - Cycles: each line has an `anchor` timestamp (seconds), its statement day, fixed when the line opens. A cycle is
///   `cycleDays` days of 86,400 seconds (default 30: a month on 30/360). Cycle `i` (from 0) covers the half-open
///   interval `[anchor + i × cycle, anchor + (i + 1) × cycle)`, so a time `t ≥ anchor` falls in cycle
///   `floor((t − anchor) / cycle)`; a time before the anchor belongs to no cycle and reverts with `TimeBeforeAnchor`.
///   Consecutive cycles touch: cycle `i` closes at the first second of cycle `i + 1`, when its statement is drawn.
/// - Due date: `dueAfterDays` days (default 10) after the close: the time a statement gives to pay before it is due.
///   Not the delinquency grace of `RiskParams.graceDays` (3 days, PRODUCT.md §5), which starts at a due date.
/// - Interest-free: a statement paid in full by its due date (at or before that second) bears no interest at all, so
///   a purchase is interest-free until the due date of its cycle: from `dueAfterDays` days and one second (bought in the
///   cycle's last second) up to `cycleDays + dueAfterDays` days (bought at its start), 10 days to 40 days by default.
/// - Minimum payment: the larger of `minimumBps` of the statement balance (default 1,000 = 10 %), rounded UP to the
///   base unit (in favour of the pool), and the instalments due in that statement; capped at the statement balance,
///   which a statement smaller than its instalments due (after a refund, say) asks in full.
/// - Revolving: what is unpaid at the due date revolves at the line's APR from the due date, accruing per second on
///   30/360 (`ScheduleMath.accruedInterestUp`, rounded UP); nothing accrues up to and including the due date. The
///   balance is the one over the whole interval: the caller splits the interval where the balance changes.
/// - Past due: a statement is past due once the due date has passed (`time > dueAt`) with less than its minimum paid.
/// - Every function is O(1): no loop, no plan to build. Plain checked arithmetic: only inputs far beyond any timestamp,
///   cycle or balance (a product above 2^256) revert, with a panic, where the twin's bigints would not.
library StatementMath {
    /// @notice The default length of a cycle, in days: the 30-day month of 30/360 (PRODUCT.md §4).
    uint256 internal constant DEFAULT_CYCLE_DAYS = 30;
    /// @notice The default time from a cycle's close to its statement's due date, in days (up to 40 days free): the
    /// product's default for the due date PRODUCT.md C6 names without a length.
    uint256 internal constant DEFAULT_DUE_AFTER_DAYS = 10;
    /// @notice The default minimum payment of a statement not paid in full, in basis points of its balance (10 %).
    uint256 internal constant DEFAULT_MINIMUM_BPS = 1_000;

    /// @notice Thrown when the cycle of a `time` before the line's `anchor` is asked for: it belongs to no cycle.
    error TimeBeforeAnchor(uint256 time, uint256 anchor);
    /// @notice Thrown when a cycle of `cycleDays` days is asked for that cannot exist (none).
    error UnsupportedCycleLength(uint256 cycleDays);

    /// @notice The length of a cycle of `cycleDays` days, in seconds.
    function cycleSeconds(uint256 cycleDays) internal pure returns (uint256) {
        if (cycleDays == 0) revert UnsupportedCycleLength(cycleDays);
        return cycleDays * ScheduleMath.SECONDS_PER_DAY;
    }

    /// @notice The cycle (from 0) of a line anchored at `anchor` in which `time` falls: `floor((time − anchor) /
    /// cycle)`. Rounding down makes a cycle cover its first second and not its close.
    function cycleOf(uint256 anchor, uint256 time, uint256 cycleDays) internal pure returns (uint256) {
        if (time < anchor) revert TimeBeforeAnchor(time, anchor);
        return (time - anchor) / cycleSeconds(cycleDays);
    }

    /// @notice The first second of cycle `cycle` of a line anchored at `anchor`: `anchor + cycle × cycleDays days`.
    function cycleStart(uint256 anchor, uint256 cycle, uint256 cycleDays) internal pure returns (uint256) {
        return anchor + cycle * cycleSeconds(cycleDays);
    }

    /// @notice When cycle `cycle` closes and its statement is drawn: the first second after it, which is the first
    /// second of the next cycle (`cycleStart(anchor, cycle + 1, cycleDays)`).
    function cycleClose(uint256 anchor, uint256 cycle, uint256 cycleDays) internal pure returns (uint256) {
        return cycleStart(anchor, cycle + 1, cycleDays);
    }

    /// @notice The due date of cycle `cycle`'s statement: `dueAfterDays` days after the cycle closes. Paid in full at or
    /// before this second, the statement bears no interest.
    function dueDate(
        uint256 anchor,
        uint256 cycle,
        uint256 cycleDays,
        uint256 dueAfterDays
    ) internal pure returns (uint256) {
        return cycleClose(anchor, cycle, cycleDays) + dueAfterDays * ScheduleMath.SECONDS_PER_DAY;
    }

    /// @notice Until when a purchase at `purchaseTime` is interest-free: the due date of the statement of the cycle it
    /// falls in. Reverts with `TimeBeforeAnchor` for a purchase before the line's anchor.
    function interestFreeUntil(
        uint256 anchor,
        uint256 purchaseTime,
        uint256 cycleDays,
        uint256 dueAfterDays
    ) internal pure returns (uint256) {
        return dueDate(anchor, cycleOf(anchor, purchaseTime, cycleDays), cycleDays, dueAfterDays);
    }

    /// @notice The minimum payment of a statement of `statementBalance` with `instalmentsDue` of instalments in it:
    /// `max(ceil(statementBalance × minimumBps / 10,000), instalmentsDue)`, capped at `statementBalance`. The share
    /// rounds UP (in favour of the pool); a `minimumBps` of 10,000 or more asks the whole balance.
    function minimumPaymentUp(
        uint256 statementBalance,
        uint256 instalmentsDue,
        uint256 minimumBps
    ) internal pure returns (uint256) {
        uint256 share = ScheduleMath.divUp(statementBalance * minimumBps, ScheduleMath.BPS);
        uint256 minimum = share > instalmentsDue ? share : instalmentsDue;
        return minimum < statementBalance ? minimum : statementBalance;
    }

    /// @notice The interest on `unpaidBalance` revolving at `aprBps` from the due date `dueAt` to `to`, rounded UP:
    /// `ScheduleMath.accruedInterestUp` over `to − dueAt` seconds, and 0 when `to <= dueAt`.
    function revolvingInterestUp(
        uint256 unpaidBalance,
        uint256 aprBps,
        uint256 dueAt,
        uint256 to
    ) internal pure returns (uint256) {
        if (to <= dueAt) return 0;
        return ScheduleMath.accruedInterestUp(unpaidBalance, aprBps, to - dueAt);
    }

    /// @notice Whether a statement due at `dueAt` with a minimum payment of `minimumPayment` is past due at `time`
    /// after `paid` has been paid towards it: the due date has passed (`time > dueAt`) and `paid < minimumPayment`.
    function isPastDue(uint256 paid, uint256 minimumPayment, uint256 dueAt, uint256 time) internal pure returns (bool) {
        return time > dueAt && paid < minimumPayment;
    }
}
