// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title GainMath
/// @notice Pure math of the pool's gain lock: which part of a rise in the book's value is smooth interest (counted at
/// once) and which is a step (locked, unlocking linearly), and how much is still locked at a given second.
/// @dev Rounding: the locked amount rounds up, so the value the pool reports rounds down.
library GainMath {
    using SafeCast for uint256;

    /// @notice The book's value at the last sync, the gains locked then, and until when they unlock.
    struct Lock {
        uint128 lastAssets;
        uint128 locked;
        uint32 lastSync;
        uint32 unlockEnd;
        /// The book's gross interest recognised (whole units) and penalty income at the last sync.
        uint104 lastGross;
        uint88 lastPenalty;
    }

    /// @notice Gains of `lock` still locked at `now_`, rounded up: `locked` falls linearly from `lastSync` to
    /// `unlockEnd`.
    function lockedUp(Lock memory lock, uint256 now_) internal pure returns (uint256) {
        if (lock.locked == 0 || now_ >= lock.unlockEnd) return 0;
        return Math.mulDiv(lock.locked, lock.unlockEnd - now_, lock.unlockEnd - lock.lastSync, Math.Rounding.Ceil);
    }

    /// @notice Interest earned smoothly since the last sync, rounded down: the interest the book recognised
    /// (`gross` − the last sync's) less the penalty paid meanwhile (`penalty` − the last sync's), which is recognised
    /// at once when paid. Gross, not the lenders' share: what the protocol fee and first-loss cut take of it is the
    /// slack a step can use across a gap between syncs (never within one block). A provision released or a recovery
    /// is never recognised interest.
    function smoothDown(Lock memory lock, uint256 gross, uint256 penalty) internal pure returns (uint256) {
        uint256 recognised = gross > lock.lastGross ? gross - lock.lastGross : 0;
        uint256 paidPenalty = penalty - lock.lastPenalty;
        return recognised > paidPenalty ? recognised - paidPenalty : 0;
    }

    /// @notice The lock after a sync at `now_` that finds the book worth `value`, with `gross` and `penalty` as in
    /// `smoothDown`. A rise up to `smoothDown` is interest; any rise beyond it is a step, added to what is still
    /// locked, all of which then unlocks linearly over `period` from now (a new step never speeds up an older one's
    /// unlock, nor the older one the new). A fall uses up locked gains first: what was not yet counted cannot be lost
    /// twice.
    function syncUp(
        Lock memory lock,
        uint256 value,
        uint256 gross,
        uint256 penalty,
        uint256 now_,
        uint256 period
    ) internal pure returns (Lock memory next) {
        uint256 locked = lockedUp(lock, now_);
        uint256 end = locked == 0 ? now_ : lock.unlockEnd;
        if (value > lock.lastAssets) {
            uint256 smooth = smoothDown(lock, gross, penalty);
            uint256 gain = value - lock.lastAssets;
            if (gain > smooth) {
                locked += gain - smooth;
                end = now_ + period;
            }
        } else {
            uint256 loss = lock.lastAssets - value;
            locked -= loss < locked ? loss : locked;
            if (locked == 0) end = now_;
        }
        next.lastAssets = value.toUint128();
        next.locked = locked.toUint128();
        next.lastSync = uint32(now_);
        next.unlockEnd = uint32(end);
        next.lastGross = gross.toUint104();
        next.lastPenalty = penalty.toUint88();
    }
}
