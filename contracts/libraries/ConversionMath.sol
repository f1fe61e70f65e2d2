// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AprMath} from "./AprMath.sol";
import {DisclosureMath} from "./DisclosureMath.sol";

/// @title ConversionMath
/// @notice A statement or a purchase converted into monthly instalments at a total fee rate per term (PRODUCT.md C6):
/// the plan, each instalment's principal and fee, and the APR including the fee.
/// @dev Rules, the same in the TypeScript twin `src/core/conversion.ts`, which mirrors every operation:
/// - Fee: `feeBps` of the amount converted, rounded DOWN to the base unit (in the borrower's favour, as
///   `DisclosureMath.feeDown`). No interest: the fee is the whole cost. A merchant-subsidised conversion has fee 0.
/// - Plan: `instalments` payments, one at the end of each 30-day period. The principal and the fee are each split
///   evenly: every instalment but the last takes `floor(total / instalments)`, the last takes the remainder, so the
///   parts add up to the amount and to the fee exactly (the principal as ScheduleMath's equal-principal plan does).
///   Instalment k's parts are O(1) to compute, so nothing needs to build the plan to know one of them.
/// - APR: the internal rate of return per 30-day period of receiving the amount and paying the plan, from
///   `AprMath.periodicRateDown` searched from 0 (rounded down), annualised on 30/360 (`× 12`) in basis points and
///   rounded UP by `AprMath.annualBpsUp`. The search may start at 0 because the payments add up to the amount plus a
///   fee of at least 0, so the plan is worth at least the amount at a rate of 0: 0 is at or below the root. Fee 0
///   gives an APR of exactly 0. Checked against an APR cap as `aprUp(...) <= cap`: rounded up, a conversion that
///   passes is never above the cap.
/// - Rounding only lowers the cost: the fee rounds down and both remainders fall on the last instalment, so no
///   amount's IRR exceeds that of the same rate on an amount that splits exactly, `maxAprUp(feeBps, instalments)`:
///   the figure to check a fee rate (configuration) against the cap with.
library ConversionMath {
    uint256 internal constant BPS = 10_000;
    /// @notice The length of every instalment period, in days (a month on 30/360).
    uint256 internal constant PERIOD_DAYS = 30;

    /// @notice Thrown when a plan of `instalments` instalments is asked for that cannot exist (none).
    error UnsupportedTerm(uint256 instalments);
    /// @notice Thrown when instalment `k` (1-based) is asked for of a plan of `instalments` instalments.
    error InstalmentOutOfRange(uint256 k, uint256 instalments);

    /// @notice The total fee of converting `amount` at `feeBps`, rounded DOWN (in the borrower's favour).
    function totalFeeDown(uint256 amount, uint256 feeBps) internal pure returns (uint256) {
        return DisclosureMath.feeDown(amount, feeBps);
    }

    /// @notice Instalment `k`'s share (1-based) of `total` split evenly over `instalments`: `floor(total /
    /// instalments)`, and for the last one the remainder, so the shares add up to `total` exactly.
    function evenPartDown(uint256 total, uint256 instalments, uint256 k) internal pure returns (uint256) {
        if (instalments == 0) revert UnsupportedTerm(instalments);
        if (k == 0 || k > instalments) revert InstalmentOutOfRange(k, instalments);
        uint256 part = total / instalments;
        // (instalments − 1) × floor(total / instalments) ≤ total: the remainder cannot underflow.
        return k < instalments ? part : total - part * (instalments - 1);
    }

    /// @notice The principal in instalment `k` (1-based) of `amount` converted into `instalments`.
    function principalOfInstalmentDown(uint256 amount, uint256 instalments, uint256 k) internal pure returns (uint256) {
        return evenPartDown(amount, instalments, k);
    }

    /// @notice The fee in instalment `k` (1-based) of `amount` converted into `instalments` at `feeBps`.
    function feeOfInstalmentDown(
        uint256 amount,
        uint256 feeBps,
        uint256 instalments,
        uint256 k
    ) internal pure returns (uint256) {
        return evenPartDown(totalFeeDown(amount, feeBps), instalments, k);
    }

    /// @notice What instalment `k` (1-based) of `amount` converted into `instalments` at `feeBps` asks: its
    /// principal plus its fee.
    function paymentOfInstalmentDown(
        uint256 amount,
        uint256 feeBps,
        uint256 instalments,
        uint256 k
    ) internal pure returns (uint256) {
        return principalOfInstalmentDown(amount, instalments, k) + feeOfInstalmentDown(amount, feeBps, instalments, k);
    }

    /// @notice The full plan of `amount` converted into `instalments` at `feeBps`: per instalment the payment, its
    /// principal and its fee, each row equal to the accessors' for its `k`.
    function plan(
        uint256 amount,
        uint256 feeBps,
        uint256 instalments
    ) internal pure returns (uint256[] memory payments, uint256[] memory principals, uint256[] memory fees) {
        if (instalments == 0) revert UnsupportedTerm(instalments);
        uint256 fee = totalFeeDown(amount, feeBps);
        payments = new uint256[](instalments);
        principals = new uint256[](instalments);
        fees = new uint256[](instalments);
        for (uint256 k = 1; k <= instalments; ++k) {
            principals[k - 1] = evenPartDown(amount, instalments, k);
            fees[k - 1] = evenPartDown(fee, instalments, k);
            payments[k - 1] = principals[k - 1] + fees[k - 1];
        }
    }

    /// @notice The APR including the fee of `amount` converted into `instalments` at `feeBps`, in basis points,
    /// rounded UP: the IRR per 30-day period of receiving `amount` and paying the plan, × 360 / 30. 0 without a fee.
    function aprUp(uint256 amount, uint256 feeBps, uint256 instalments) internal pure returns (uint256) {
        if (instalments == 0) revert UnsupportedTerm(instalments);
        if (totalFeeDown(amount, feeBps) == 0) return 0;
        (uint256[] memory payments, , ) = plan(amount, feeBps, instalments);
        return AprMath.annualBpsUp(AprMath.periodicRateDown(amount, payments, 0), PERIOD_DAYS);
    }

    /// @notice The APR of the fee rate `feeBps` over `instalments` without rounding, rounded UP: `aprUp` of an amount
    /// that splits exactly (`instalments × 10,000`: each instalment 10,000 of principal and `feeBps` of fee). Rounding
    /// only removes cost or moves it to the last instalment, so no amount's IRR at this rate is above it: a fee rate
    /// whose `maxAprUp` is within a cap keeps every conversion at that rate within the cap.
    function maxAprUp(uint256 feeBps, uint256 instalments) internal pure returns (uint256) {
        return aprUp(instalments * BPS, feeBps, instalments);
    }
}
