// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title GainMath
/// @notice Pure math of the pool's gain lock: which part of a rise in the book's value is smooth interest (counted at
/// once) and which is a step (locked, unlocking linearly), and how much is still locked at a given second.
/// @dev Two words: the baseline, which every sync rewrites, and the lock, which only a step or a fall that uses up
/// locked gains rewrites. A sync that finds neither (the common case: interest only) reads and writes the baseline
/// alone. Rounding: the locked amount rounds up, so the value the pool reports rounds down.
library GainMath {
    using SafeCast for uint256;
    using SafeCast for int256;

    /// @notice The book at the last sync: its value, and its gross interest recognised (whole units) less its
    /// penalty income then (the smooth-interest baseline of `smoothDown`).
    struct Baseline {
        uint128 lastAssets;
        int128 lastNet;
    }

    /// @notice Gains locked at `start`, unlocking linearly until `end`.
    struct Lock {
        uint128 locked;
        uint32 start;
        uint32 end;
    }

    /// @notice Gains of `lock` still locked at `now_`, rounded up: `locked` falls linearly from `start` to `end`.
    function lockedUp(Lock memory lock, uint256 now_) internal pure returns (uint256) {
        if (lock.locked == 0 || now_ >= lock.end) return 0;
        return Math.mulDiv(lock.locked, lock.end - now_, lock.end - lock.start, Math.Rounding.Ceil);
    }

    /// @notice Interest earned smoothly since the baseline, rounded down: the interest the book recognised (`gross`
    /// less the baseline's) less the penalty paid meanwhile (`penalty` less the baseline's), which is recognised at
    /// once when paid. As one difference, `(gross − penalty) − lastNet`, floored at zero: penalty income never falls,
    /// so when gross falls this is zero, as it would be term by term. Gross, not the lenders' share: what the
    /// protocol fee and first-loss cut take of it is the slack a step can use across a gap between syncs (never
    /// within one block). A provision released or a recovery is never recognised interest.
    function smoothDown(Baseline memory base, uint256 gross, uint256 penalty) internal pure returns (uint256) {
        int256 earned = int256(gross) - int256(penalty) - base.lastNet;
        return earned > 0 ? uint256(earned) : 0;
    }

    /// @notice The baseline after a sync that finds the book worth `value`, with `gross` and `penalty` as in
    /// `smoothDown`: a rise up to `smoothDown` is interest; any rise beyond it is a `step`; a fall is a `loss`
    /// (at most one of the two is non-zero).
    function rebase(
        Baseline memory base,
        uint256 value,
        uint256 gross,
        uint256 penalty
    ) internal pure returns (Baseline memory next, uint256 step, uint256 loss) {
        if (value > base.lastAssets) {
            uint256 gain = value - base.lastAssets;
            uint256 smooth = smoothDown(base, gross, penalty);
            if (gain > smooth) step = gain - smooth;
        } else {
            loss = base.lastAssets - value;
        }
        next.lastAssets = value.toUint128();
        next.lastNet = (int256(gross) - int256(penalty)).toInt128();
    }

    /// @notice The lock after a sync at `now_` that found `step` or `loss` (`rebase`), and whether it moved. A step
    /// is added to what is still locked, and the whole then unlocks linearly from now until the amount-weighted mean
    /// of the two ends, rounded down: `now_ + ⌊(locked × (end − now_) + step × period) / (locked + step)⌋`
    /// (`weightedEndDown`). It is never before the old end, so nothing already locked unlocks sooner. A step moves
    /// the end by its weight only, and a step too small to move it by a whole second does not move it. A unit is
    /// worth a second only once fewer units are locked than `period` has seconds, so dust steps, however many, hold
    /// back less than `period` units. The amount locked over time (the area under the line) is what the two
    /// would have had apart, less under a second of rounding. In exchange, a step merged into an older lock unlocks
    /// faster than `period`: at worst, timed against a lock `L0` that started a whole period earlier, in about
    /// `2 × period × √(step / L0)` (30 hours for a step of 1% of the lock). A loss uses up locked gains first (what
    /// was not yet counted cannot be lost twice); what is left keeps its end.
    function relock(
        Lock memory lock,
        uint256 step,
        uint256 loss,
        uint256 now_,
        uint256 period
    ) internal pure returns (Lock memory next, bool moved) {
        next = lock;
        if (step != 0) {
            uint256 locked = lockedUp(lock, now_);
            next.locked = (locked + step).toUint128();
            next.start = uint32(now_);
            next.end = uint32(now_ + weightedEndDown(locked, locked == 0 ? 0 : lock.end - now_, step, period));
            moved = true;
        } else if (loss != 0) {
            uint256 locked = lockedUp(lock, now_);
            if (locked != 0) {
                next.locked = loss < locked ? uint128(locked - loss) : 0;
                next.start = uint32(now_);
                moved = true;
            }
        }
    }

    /// @notice Seconds from now until the merged lock of `locked` (ending in `left` seconds, `left ≤ period`) and
    /// `step` (to unlock over `period`) ends: their amount-weighted mean, rounded down, so never below `left` and
    /// moved by nothing for a step worth less than a second. `period` when nothing was locked.
    function weightedEndDown(
        uint256 locked,
        uint256 left,
        uint256 step,
        uint256 period
    ) internal pure returns (uint256) {
        return (locked * left + step * period) / (locked + step);
    }

    /// @notice `base` in one word: lastAssets 0..127 | lastNet 128..255.
    function pack(Baseline memory base) internal pure returns (uint256) {
        return uint256(base.lastAssets) | (uint256(uint128(base.lastNet)) << 128);
    }

    function unpackBaseline(uint256 word) internal pure returns (Baseline memory base) {
        base.lastAssets = uint128(word);
        base.lastNet = int128(uint128(word >> 128));
    }

    /// @notice `lock` in one word: locked 0..127 | start 128..159 | end 160..191.
    function pack(Lock memory lock) internal pure returns (uint256) {
        return uint256(lock.locked) | (uint256(lock.start) << 128) | (uint256(lock.end) << 160);
    }

    function unpackLock(uint256 word) internal pure returns (Lock memory lock) {
        lock.locked = uint128(word);
        lock.start = uint32(word >> 128);
        lock.end = uint32(word >> 160);
    }
}
