// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {GainMath} from "../contracts/libraries/GainMath.sol";

/// The pool's gain lock in units: the smooth-interest allowance, steps and losses, the unlock line, the packed words.
contract GainMathTest is Test {
    uint256 internal constant PERIOD = 7 days;
    uint256 internal constant T0 = 1_700_000_000;

    function _base(
        uint256 lastAssets,
        uint256 lastGross,
        uint256 lastPenalty
    ) internal pure returns (GainMath.Baseline memory) {
        return
            GainMath.Baseline({
                lastAssets: uint128(lastAssets),
                lastNet: int128(int256(lastGross) - int256(lastPenalty))
            });
    }

    /// The one-difference allowance equals the term-by-term one it stands for: max(0, max(0, Δgross) − Δpenalty),
    /// penalty income never falling.
    function testFuzz_smoothDown_matchesTermByTerm(
        uint96 lastGross,
        uint96 gross,
        uint80 lastPenalty,
        uint80 paid
    ) public pure {
        uint256 penalty = uint256(lastPenalty) + paid;
        uint256 recognised = gross > lastGross ? gross - lastGross : 0;
        uint256 expected = recognised > paid ? recognised - paid : 0;
        assertEq(GainMath.smoothDown(_base(0, lastGross, lastPenalty), gross, penalty), expected);
    }

    function test_rebase_interestOnlyIsNeitherStepNorLoss() public pure {
        // 1,000 of gross interest recognised, of which the lenders' 850 reached the value: no step.
        (GainMath.Baseline memory next, uint256 step, uint256 loss) = GainMath.rebase(
            _base(1_000_000, 5_000, 0),
            1_000_850,
            6_000,
            0
        );
        assertEq(step, 0);
        assertEq(loss, 0);
        assertEq(next.lastAssets, 1_000_850);
        assertEq(next.lastNet, 6_000);
    }

    function test_rebase_stepIsTheRiseBeyondInterest() public pure {
        // A provision of 120,000 released and 300 of interest recognised, 200 of it penalty paid at once.
        (, uint256 step, uint256 loss) = GainMath.rebase(_base(1_000_000, 5_000, 100), 1_120_300, 5_300, 300);
        assertEq(step, 120_300 - 100, "penalty paid is not smooth interest");
        assertEq(loss, 0);
    }

    function test_rebase_fallIsALoss() public pure {
        (GainMath.Baseline memory next, uint256 step, uint256 loss) = GainMath.rebase(
            _base(1_000_000, 5_000, 0),
            880_000,
            5_100,
            0
        );
        assertEq(step, 0);
        assertEq(loss, 120_000);
        assertEq(next.lastAssets, 880_000);
    }

    function test_rebase_unchangedValueMovesNothing() public pure {
        (GainMath.Baseline memory next, uint256 step, uint256 loss) = GainMath.rebase(
            _base(1_000_000, 5_000, 0),
            1_000_000,
            5_400,
            0
        );
        assertEq(step, 0);
        assertEq(loss, 0);
        assertEq(next.lastNet, 5_400);
    }

    function test_rebase_negativeBaselineAfterDownwardTrueUps() public pure {
        // Gross interest fell below the penalty income paid: the baseline is negative and round-trips packed.
        GainMath.Baseline memory base = GainMath.unpackBaseline(GainMath.pack(_base(1_000_000, 100, 400)));
        assertEq(base.lastNet, -300);
        // 600 of interest recognised since the baseline (net -300 to 300): a rise of 500 is interest, 900 has a step.
        (, uint256 step, ) = GainMath.rebase(base, 1_000_500, 700, 400);
        assertEq(step, 0);
        (, step, ) = GainMath.rebase(base, 1_000_900, 700, 400);
        assertEq(step, 300);
    }

    function test_relock_stepUnlocksLinearly() public pure {
        GainMath.Lock memory none;
        (GainMath.Lock memory lock, bool moved) = GainMath.relock(none, 70_000, 0, T0, PERIOD);
        assertTrue(moved);
        assertEq(lock.locked, 70_000);
        assertEq(lock.start, T0);
        assertEq(lock.end, T0 + PERIOD);
        assertEq(GainMath.lockedUp(lock, T0), 70_000);
        assertEq(GainMath.lockedUp(lock, T0 + 1 days), 60_000);
        assertEq(GainMath.lockedUp(lock, T0 + PERIOD - 1), 1, "rounds up to the last second");
        assertEq(GainMath.lockedUp(lock, T0 + PERIOD), 0);
    }

    function test_relock_newStepMovesTheEndByItsWeight() public pure {
        GainMath.Lock memory lock = GainMath.Lock({locked: 70_000, start: uint32(T0), end: uint32(T0 + PERIOD)});
        (GainMath.Lock memory next, ) = GainMath.relock(lock, 5_000, 0, T0 + 1 days, PERIOD);
        assertEq(next.locked, 65_000);
        assertEq(next.start, T0 + 1 days);
        // 60,000 still locked for 6 days and 5,000 for 7: ⌊(60,000 × 6 d + 5,000 × 7 d) / 65,000⌋ = 525,046 s.
        assertEq(next.end, T0 + 1 days + 525_046);
        // The same area: what stays locked, summed over time, is what the two would have had apart (to rounding).
        uint256 apart = (60_000 * 6 days + 5_000 * PERIOD) / 2;
        uint256 merged = (uint256(next.locked) * (next.end - next.start)) / 2;
        assertLe(merged, apart);
        assertLe(apart - merged, 65_000, "less than a second of the whole");
    }

    /// A griefer's 1-unit steps cannot hold back a lock: one every 6 hours until its last 6 hours leaves its end where
    /// it was (each is worth under a second of it). Only once fewer units are locked than the period has seconds is a
    /// unit worth a second or more, so one step a second through the lock's last hour holds back less than `PERIOD`
    /// units (under 0.61 of a 6-decimal token). Under a restart of the whole period on every step, 37% of the lock
    /// would still be locked at its end.
    function test_relock_dustStepsCannotHoldBackALock() public pure {
        GainMath.Lock memory none;
        (GainMath.Lock memory lock, ) = GainMath.relock(none, 50_000e6, 0, T0, PERIOD);
        for (uint256 i = 1; i < 28; ++i) (lock, ) = GainMath.relock(lock, 1, 0, T0 + i * 6 hours, PERIOD);
        assertEq(lock.end, T0 + PERIOD, "the end did not move");
        for (uint256 t = T0 + PERIOD - 1 hours; t < T0 + PERIOD; ++t) (lock, ) = GainMath.relock(lock, 1, 0, t, PERIOD);
        assertLe(GainMath.lockedUp(lock, T0 + PERIOD), PERIOD, "fewer units than the period has seconds");
    }

    /// A merged step: the end is the weighted mean rounded down, never before the old end nor after a fresh period,
    /// and at every second before the old end at least as much stays locked as the old lock alone held.
    function testFuzz_relock_mergedStepEndsAtTheWeightedMean(
        uint128 locked,
        uint32 length,
        uint32 elapsed,
        uint128 step,
        uint32 later
    ) public pure {
        locked = uint128(bound(locked, 0, type(uint96).max));
        step = uint128(bound(step, 1, type(uint96).max));
        length = uint32(bound(length, 1, PERIOD));
        elapsed = uint32(bound(elapsed, 0, 2 * PERIOD)); // past the end too
        GainMath.Lock memory lock = GainMath.Lock({locked: locked, start: uint32(T0), end: uint32(T0 + length)});
        uint256 now_ = T0 + elapsed;
        uint256 before = GainMath.lockedUp(lock, now_);
        uint256 left = before == 0 ? 0 : T0 + length - now_;
        (GainMath.Lock memory next, bool moved) = GainMath.relock(lock, step, 0, now_, PERIOD);
        assertTrue(moved);
        assertEq(next.locked, before + step);
        assertEq(next.start, now_);
        assertEq(next.end - now_, (before * left + uint256(step) * PERIOD) / (before + step), "the weighted mean");
        assertGe(next.end - now_, left, "never before the old end");
        assertLe(next.end - now_, PERIOD, "never after a fresh period");
        uint256 t = now_ + bound(later, 0, PERIOD);
        assertGe(GainMath.lockedUp(next, t), GainMath.lockedUp(lock, t), "nothing already locked unlocks sooner");
    }

    function test_relock_lossUsesLockedGainsFirstAndKeepsTheEnd() public pure {
        GainMath.Lock memory lock = GainMath.Lock({locked: 70_000, start: uint32(T0), end: uint32(T0 + PERIOD)});
        (GainMath.Lock memory next, bool moved) = GainMath.relock(lock, 0, 20_000, T0 + 1 days, PERIOD);
        assertTrue(moved);
        assertEq(next.locked, 40_000);
        assertEq(next.start, T0 + 1 days);
        assertEq(next.end, T0 + PERIOD);
        assertEq(GainMath.lockedUp(next, T0 + 4 days), 20_000);
        (next, ) = GainMath.relock(lock, 0, 90_000, T0 + 1 days, PERIOD);
        assertEq(GainMath.lockedUp(next, T0 + 1 days), 0, "a loss beyond the lock empties it");
    }

    function test_relock_nothingToMove() public pure {
        GainMath.Lock memory lock = GainMath.Lock({locked: 70_000, start: uint32(T0), end: uint32(T0 + PERIOD)});
        (, bool moved) = GainMath.relock(lock, 0, 0, T0 + 1 days, PERIOD);
        assertFalse(moved, "interest only");
        (, moved) = GainMath.relock(lock, 0, 5_000, T0 + PERIOD, PERIOD);
        assertFalse(moved, "a loss after the lock has unlocked");
    }

    /// Leaving the lock word alone on a sync with neither step nor loss keeps it on the line a rewrite at that sync
    /// would have drawn (from what was locked then to the same end), never below it.
    function testFuzz_lockLineNeedsNoRewrite(uint128 locked, uint32 elapsed, uint32 later) public pure {
        locked = uint128(bound(locked, 1, type(uint104).max));
        uint256 t1 = T0 + bound(elapsed, 0, PERIOD - 1);
        uint256 t2 = t1 + bound(later, 0, PERIOD);
        GainMath.Lock memory lock = GainMath.Lock({locked: locked, start: uint32(T0), end: uint32(T0 + PERIOD)});
        GainMath.Lock memory rebased = GainMath.Lock({
            locked: uint128(GainMath.lockedUp(lock, t1)),
            start: uint32(t1),
            end: uint32(T0 + PERIOD)
        });
        uint256 kept = GainMath.lockedUp(lock, t2);
        uint256 rewritten = GainMath.lockedUp(rebased, t2);
        assertLe(kept, rewritten, "never above the rewritten line");
        assertLe(rewritten - kept, 1, "a unit of rounding at most");
    }

    function testFuzz_packRoundTrips(
        uint128 lastAssets,
        int128 lastNet,
        uint128 locked,
        uint32 start,
        uint32 end
    ) public pure {
        GainMath.Baseline memory base = GainMath.unpackBaseline(
            GainMath.pack(GainMath.Baseline({lastAssets: lastAssets, lastNet: lastNet}))
        );
        assertEq(base.lastAssets, lastAssets);
        assertEq(base.lastNet, lastNet);
        GainMath.Lock memory lock = GainMath.unpackLock(
            GainMath.pack(GainMath.Lock({locked: locked, start: start, end: end}))
        );
        assertEq(lock.locked, locked);
        assertEq(lock.start, start);
        assertEq(lock.end, end);
    }
}
