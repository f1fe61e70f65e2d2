// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title AprMath
/// @notice The annual percentage rate of a loan's cash flows: the internal rate of return, annualised on 30/360.
/// @dev Pure fixed-point math (WAD = 10^18). The TypeScript twin in `src/sdk/disclosure.ts` mirrors every operation.
library AprMath {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant DAYS_PER_YEAR = 360;
    /// @dev Newton's method from below converges quadratically; 40 steps is far more than any plan needs.
    uint256 internal constant MAX_STEPS = 40;
    /// @dev A Newton step below 10^-9 (WAD 10^9) is the last one taken.
    uint256 internal constant TOLERANCE = 1e9;

    /// @notice The periodic rate `r` (WAD) at which the payments, due at the end of periods 1..n, are worth `net`
    /// today: `Σ payments[k−1] / (1+r)^k = net`. Rounded DOWN: the result is at most the true root (to within a few
    /// units of 10^-18), because Newton's method on this decreasing convex function never overshoots from below and
    /// the discount factors round down.
    /// @param start A rate (WAD) at or below the root; the contract rate of the plan is one when `net` ≤ principal.
    /// @dev Returns `start` if the payments are worth `net` or less at `start` (no positive cost above it).
    function periodicRateDown(
        uint256 net,
        uint256[] memory payments,
        uint256 start
    ) internal pure returns (uint256 rate) {
        rate = start;
        uint256 target = net * WAD;
        for (uint256 step = 0; step < MAX_STEPS; ++step) {
            uint256 discount = (WAD * WAD) / (WAD + rate);
            uint256 factor = WAD;
            uint256 value;
            uint256 slope;
            for (uint256 k = 0; k < payments.length; ++k) {
                // Unchecked: discount is at most WAD (the rate is never negative), and factor starts at WAD and only
                // falls, so their product is at most 10^36.
                unchecked {
                    factor = (factor * discount) / WAD;
                }
                uint256 term = payments[k] * factor;
                value += term;
                slope += (k + 1) * term;
            }
            if (value <= target) break;
            // d/dr Σ P_k (1+r)^-k = −Σ k P_k (1+r)^-(k+1): the sum above times one more discount.
            slope = (slope * discount) / WAD;
            uint256 move = ((value - target) * WAD) / slope;
            rate += move;
            // From below, Newton's error after a step is of the order of the step squared: below 10^-9 per period
            // the rate is exact to far less than 10^-12, a millionth of a basis point a year.
            if (move < TOLERANCE) break;
        }
    }

    /// @notice The APR in basis points, rounded UP, of a rate `periodicRate` (WAD) per period of `periodDays` days:
    /// `ceil(r × 360 / periodDays × 10,000)`.
    function annualBpsUp(uint256 periodicRate, uint256 periodDays) internal pure returns (uint256) {
        uint256 numerator = periodicRate * DAYS_PER_YEAR * BPS;
        uint256 denominator = periodDays * WAD;
        return numerator == 0 ? 0 : (numerator - 1) / denominator + 1;
    }

    /// @notice The periodic rate (WAD, rounded down) of a contract APR over a period of `periodDays` days.
    function periodicRateOfDown(uint256 aprBps, uint256 periodDays) internal pure returns (uint256) {
        return (aprBps * periodDays * WAD) / (BPS * DAYS_PER_YEAR);
    }
}
