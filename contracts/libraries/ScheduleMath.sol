// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title ScheduleMath
/// @notice Pure repayment-plan math on the 30/360 day count (PRODUCT.md §4).
/// @dev Rates are in basis points per year; a period of `d` days has rate `r = aprBps/10000 × d/360`.
/// Interest and instalments round UP (in favour of the pool); the last instalment's principal is whatever
/// balance remains. Function names carry the rounding direction. The TypeScript twin in
/// `src/core/schedule.ts` mirrors every function here operation for operation.
library ScheduleMath {
    /// @notice Equal instalment (等额本息): constant payment, interest on the declining balance.
    uint8 internal constant EQUAL_INSTALMENT = 0;
    /// @notice Equal principal (等额本金): constant principal, interest on the declining balance.
    uint8 internal constant EQUAL_PRINCIPAL = 1;
    /// @notice Interest first (先息后本): interest every period, all principal with the last one.
    uint8 internal constant INTEREST_FIRST = 2;
    /// @notice Bullet: principal and all interest in one payment at the end of the term.
    uint8 internal constant BULLET = 3;

    uint256 internal constant BPS = 10_000;
    uint256 internal constant DAYS_PER_YEAR = 360;
    uint256 internal constant SECONDS_PER_DAY = 86_400;
    /// @dev `aprBps × days / RATE_DENOMINATOR` is the rate of a period of `days` days.
    uint256 internal constant RATE_DENOMINATOR = BPS * DAYS_PER_YEAR;
    /// @dev Interest accrued per second is `balance × aprBps / INTEREST_SCALE` base units. Keeping accruals in
    /// units of 1/INTEREST_SCALE makes per-second accrual exact integer arithmetic.
    uint256 internal constant INTEREST_SCALE = RATE_DENOMINATOR * SECONDS_PER_DAY;
    uint256 internal constant RAY = 1e27;
    /// @dev `rateNumerator × instalments` up to which the compounding loop cannot overflow (r·n ≤ 80).
    uint256 internal constant UNCHECKED_GROWTH_BOUND = 80 * RATE_DENOMINATOR;

    /// @notice Thrown when a method id is not one of the four methods.
    error UnknownMethod(uint8 method);

    /// @notice Interest of one period of `periodDays` days on `balance`, rounded up: `ceil(balance × r)`.
    /// @dev Plain checked arithmetic: reverts (never wraps) if `balance × aprBps × periodDays` overflows, which
    /// needs a balance above 2^200 base units.
    function periodInterestUp(uint256 balance, uint256 aprBps, uint256 periodDays) internal pure returns (uint256) {
        return divUp(balance * aprBps * periodDays, RATE_DENOMINATOR);
    }

    /// @notice Interest on `balance` for `elapsed` seconds, rounded up to the base unit.
    function accruedInterestUp(uint256 balance, uint256 aprBps, uint256 elapsed) internal pure returns (uint256) {
        return divUp(balance * aprBps * elapsed, INTEREST_SCALE);
    }

    /// @notice `ceil(numerator / denominator)`; zero stays zero.
    function divUp(uint256 numerator, uint256 denominator) internal pure returns (uint256) {
        return numerator == 0 ? 0 : (numerator - 1) / denominator + 1;
    }

    /// @notice The constant payment of an equal-instalment plan, rounded up:
    /// `A = ceil(P·r(1+r)^n / ((1+r)^n − 1))`, with `(1+r)^n` evaluated in ray precision rounding down.
    function equalInstalmentUp(
        uint256 principal,
        uint256 aprBps,
        uint256 instalments,
        uint256 periodDays
    ) internal pure returns (uint256) {
        uint256 rateNumerator = aprBps * periodDays;
        if (rateNumerator == 0) return Math.ceilDiv(principal, instalments);
        uint256 growthRay = RAY;
        uint256 growthFactor = RATE_DENOMINATOR + rateNumerator;
        if (rateNumerator * instalments <= UNCHECKED_GROWTH_BOUND) {
            // (1 + r)^n ≤ e^(r·n) ≤ e^80 here, so RAY × growth × growthFactor stays far below 2^256: the same
            // steps without overflow checks, in assembly (this runs on every draw and every roll of an
            // equal-instalment loan).
            uint256 periodDenominator = RATE_DENOMINATOR;
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                function grow(g, factor, denominator) -> r {
                    r := div(mul(g, factor), denominator)
                }
                // Four periods per turn of the loop (a quarter of the loop overhead), then the two and the one left
                // over: the same step, `instalments` times.
                for {
                    let k := 3
                } lt(k, instalments) {
                    k := add(k, 4)
                } {
                    growthRay := grow(growthRay, growthFactor, periodDenominator)
                    growthRay := grow(growthRay, growthFactor, periodDenominator)
                    growthRay := grow(growthRay, growthFactor, periodDenominator)
                    growthRay := grow(growthRay, growthFactor, periodDenominator)
                }
                if and(instalments, 2) {
                    growthRay := grow(growthRay, growthFactor, periodDenominator)
                    growthRay := grow(growthRay, growthFactor, periodDenominator)
                }
                if and(instalments, 1) {
                    growthRay := grow(growthRay, growthFactor, periodDenominator)
                }
            }
        } else {
            for (uint256 k = 0; k < instalments; ++k) {
                growthRay = (growthRay * growthFactor) / RATE_DENOMINATOR;
            }
        }
        uint256 numerator = principal * rateNumerator;
        uint256 denominator = RATE_DENOMINATOR * (growthRay - RAY);
        // Same value as the 512-bit mulDiv whenever the product fits in a word, the common case.
        if (numerator <= type(uint256).max / growthRay) return Math.ceilDiv(numerator * growthRay, denominator);
        return Math.mulDiv(numerator, growthRay, denominator, Math.Rounding.Ceil);
    }

    /// @notice Scheduled balance after the first `count` instalments, rounded exactly as `schedule` rounds (the
    /// principal parts round down, so the balance is the larger one). Zero once `count` reaches `instalments`.
    /// @dev Same result as applying `scheduledPrincipalDown` `count` times, in a tight loop: a loan is rolled on
    /// every touch, so this is on the path of every repayment and collection.
    function scheduledBalanceUp(
        uint8 method,
        uint256 principal,
        uint256 payment,
        uint256 aprBps,
        uint256 instalments,
        uint256 periodDays,
        uint256 count
    ) internal pure returns (uint256 balance) {
        if (count >= instalments) return 0;
        balance = principal;
        if (method == EQUAL_INSTALMENT) {
            balance = _equalInstalmentBalance(principal, payment, aprBps * periodDays, count);
        } else if (method == EQUAL_PRINCIPAL) {
            // count < instalments, so count × (principal / instalments) < principal.
            balance = principal - (principal / instalments) * count;
        }
    }

    /// @notice Principal scheduled for instalment `k` (1-based) of a plan, given the scheduled balance
    /// before it and the equal-instalment payment (ignored by the other methods).
    /// @dev The last instalment takes whatever balance remains, so the plan always repays exactly `principal`.
    function scheduledPrincipalDown(
        uint8 method,
        uint256 principal,
        uint256 balanceBefore,
        uint256 payment,
        uint256 aprBps,
        uint256 instalments,
        uint256 periodDays,
        uint256 k
    ) internal pure returns (uint256) {
        if (k >= instalments) return balanceBefore;
        if (method == EQUAL_INSTALMENT) {
            uint256 interest = periodInterestUp(balanceBefore, aprBps, periodDays);
            uint256 part = payment > interest ? payment - interest : 0;
            return part < balanceBefore ? part : balanceBefore;
        }
        if (method == EQUAL_PRINCIPAL) {
            uint256 part = principal / instalments;
            return part < balanceBefore ? part : balanceBefore;
        }
        return 0;
    }

    /// @notice The sum of the plan's interests (`schedule`), without building the plan: what a borrower who pays
    /// every instalment on its due date pays in interest. Same steps and rounding as `schedule`.
    function totalInterestUp(
        uint8 method,
        uint256 principal,
        uint256 aprBps,
        uint256 instalments,
        uint256 periodDays
    ) internal pure returns (uint256 total) {
        if (method > BULLET) revert UnknownMethod(method);
        if (method == BULLET) return periodInterestUp(principal, aprBps, periodDays * instalments);
        if (method == INTEREST_FIRST) return periodInterestUp(principal, aprBps, periodDays) * instalments;
        // Checked once on the largest balance (the first): later balances are smaller, so the unchecked steps
        // below cannot overflow; each step subtracts at most the balance, and the interests sum to less than
        // instalments × that first interest. This runs on every draw.
        total = periodInterestUp(principal, aprBps, periodDays);
        uint256 rate = aprBps * periodDays;
        uint256 denominator = RATE_DENOMINATOR;
        if (method == EQUAL_INSTALMENT) {
            uint256 payment = equalInstalmentUp(principal, aprBps, instalments, periodDays);
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                // One period after the first: the balance falls by what the payment leaves after interest, and the
                // next interest is charged on it.
                function period(left_, interest_, payment_, rate_, denominator_) -> left, interest {
                    // part = payment > interest ? payment − interest : 0; the balance falls by min(part, left)
                    let part := mul(gt(payment_, interest_), sub(payment_, interest_))
                    left := sub(left_, xor(part, mul(xor(part, left_), lt(left_, part))))
                    // interest = ceil(left × rate / RATE_DENOMINATOR); zero stays zero
                    let product := mul(left, rate_)
                    interest := mul(iszero(iszero(product)), add(div(sub(product, 1), denominator_), 1))
                }
                let left := principal
                let interest := total
                // Periods 2 … instalments: the odd one out first when there is one, then two per turn of the loop
                // (half the loop overhead; the same steps in the same order).
                if and(iszero(and(instalments, 1)), iszero(iszero(instalments))) {
                    left, interest := period(left, interest, payment, rate, denominator)
                    total := add(total, interest)
                }
                for {
                    let k := 2
                } lt(k, instalments) {
                    k := add(k, 2)
                } {
                    left, interest := period(left, interest, payment, rate, denominator)
                    total := add(total, interest)
                    left, interest := period(left, interest, payment, rate, denominator)
                    total := add(total, interest)
                }
            }
        } else {
            // Equal principal: the balance (`left`) falls by `principal / instalments` each time, never below zero.
            uint256 part = principal / instalments;
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                let left := principal
                for {
                    let k := 1
                } lt(k, instalments) {
                    k := add(k, 1)
                } {
                    left := sub(left, xor(part, mul(xor(part, left), lt(left, part))))
                    let product := mul(left, rate)
                    total := add(total, mul(iszero(iszero(product)), add(div(sub(product, 1), denominator), 1)))
                }
            }
        }
    }

    /// @dev The scheduled balance of an equal-instalment plan after `count` payments of `payment` at `rate`
    /// (`aprBps × periodDays`): each step takes `payment` less the period's interest (rounded up) off the balance,
    /// never below zero. Safe unchecked: the balance is below 2^200 (see periodInterestUp) and rate below 2^32; each
    /// step subtracts at most the balance. In assembly (`balance` is a Yul builtin, so the balance is `left`): it runs
    /// on every roll of an equal-instalment loan.
    function _equalInstalmentBalance(
        uint256 principal,
        uint256 payment,
        uint256 rate,
        uint256 count
    ) private pure returns (uint256 left) {
        uint256 denominator = RATE_DENOMINATOR;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            left := principal
            for {
                let k := 0
            } lt(k, count) {
                k := add(k, 1)
            } {
                let product := mul(left, rate)
                let interest := mul(iszero(iszero(product)), add(div(sub(product, 1), denominator), 1))
                let part := mul(gt(payment, interest), sub(payment, interest))
                left := sub(left, xor(part, mul(xor(part, left), lt(left, part))))
            }
        }
    }

    /// @notice The full plan: per instalment payment, principal and interest.
    /// @dev Bullet plans have one row, due after `instalments × periodDays` days.
    function schedule(
        uint8 method,
        uint256 principal,
        uint256 aprBps,
        uint256 instalments,
        uint256 periodDays
    ) internal pure returns (uint256[] memory payments, uint256[] memory principals, uint256[] memory interests) {
        if (method > BULLET) revert UnknownMethod(method);
        if (method == BULLET) {
            periodDays = periodDays * instalments;
            instalments = 1;
        }
        payments = new uint256[](instalments);
        principals = new uint256[](instalments);
        interests = new uint256[](instalments);
        uint256 payment =
            method == EQUAL_INSTALMENT ? equalInstalmentUp(principal, aprBps, instalments, periodDays) : 0;
        uint256 balance = principal;
        for (uint256 k = 1; k <= instalments; ++k) {
            uint256 interest = periodInterestUp(balance, aprBps, periodDays);
            uint256 part = scheduledPrincipalDown(
                method,
                principal,
                balance,
                payment,
                aprBps,
                instalments,
                periodDays,
                k
            );
            balance -= part;
            payments[k - 1] = part + interest;
            principals[k - 1] = part;
            interests[k - 1] = interest;
        }
    }
}
