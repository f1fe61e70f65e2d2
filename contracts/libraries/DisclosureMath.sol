// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICostDisclosure} from "../interfaces/ICostDisclosure.sol";
import {ScheduleMath} from "./ScheduleMath.sol";
import {AprMath} from "./AprMath.sol";

/// @title DisclosureMath
/// @notice The cost of a draw (ICostDisclosure): fee, plan, totals and the APR including the fee. The ledger runs it
/// on every draw (to check the APR cap and emit in `Drawn`) and `CreditQuotes` before one, so the two agree.
library DisclosureMath {
    uint256 internal constant BPS = 10_000;
    /// @notice The most a product's origination fee may be, whatever the APR cap: 20 % of the amount drawn.
    uint256 internal constant MAX_FEE_BPS = 2_000;
    /// @notice The default cap on a draw's APR, fees included: 24 % (PRODUCT.md §5).
    uint256 internal constant DEFAULT_APR_CAP_BPS = 2_400;

    /// @notice The APR cap in force for a `Limits.aprCapBps` of `aprCapBps` (0 = the default).
    function aprCapOf(uint256 aprCapBps) internal pure returns (uint256) {
        return aprCapBps == 0 ? DEFAULT_APR_CAP_BPS : aprCapBps;
    }

    /// @notice The origination fee of `amount` at `feeBps`, rounded DOWN (in the borrower's favour).
    function feeDown(uint256 amount, uint256 feeBps) internal pure returns (uint256) {
        return (amount * feeBps) / BPS;
    }

    /// @notice What a draw emits and is checked on (`Drawn`): the APR including the fee (rounded up), the
    /// fee, and the plan's total interest. Without a fee the plan is not built (the APR is the contract APR), so
    /// fee-free draws stay cheap; with one the figures are `discloseUp`'s, without the rest of its disclosure.
    function costUp(
        uint8 method,
        uint256 instalments,
        uint256 periodDays,
        uint256 aprBps,
        uint256 feeBps,
        uint256 amount
    ) internal pure returns (uint256 apr, uint256 fee, uint256 totalInterest) {
        fee = feeDown(amount, feeBps);
        if (fee == 0) {
            return (aprBps, 0, ScheduleMath.totalInterestUp(method, amount, aprBps, instalments, periodDays));
        }
        (uint256[] memory payments, , uint256[] memory interests) = ScheduleMath.schedule(
            method,
            amount,
            aprBps,
            instalments,
            periodDays
        );
        for (uint256 k = 0; k < interests.length; ++k) totalInterest += interests[k];
        apr = aprWithFeeUp(amount - fee, payments, aprBps, aprPeriodDays(method, instalments, periodDays));
    }

    /// @notice The period the APR is computed over: the whole term for a bullet (one payment), else one instalment.
    function aprPeriodDays(uint8 method, uint256 instalments, uint256 periodDays) internal pure returns (uint256) {
        return method == ScheduleMath.BULLET ? periodDays * instalments : periodDays;
    }

    /// @notice The APR including the fee: the rate per `periodDays_` at which `net` received repays `payments`
    /// (rounded down, searched from the contract rate `aprBps`), annualised in bps and rounded UP.
    function aprWithFeeUp(
        uint256 net,
        uint256[] memory payments,
        uint256 aprBps,
        uint256 periodDays_
    ) internal pure returns (uint256) {
        uint256 rate = AprMath.periodicRateDown(net, payments, AprMath.periodicRateOfDown(aprBps, periodDays_));
        return AprMath.annualBpsUp(rate, periodDays_);
    }

    /// @notice Everything but the due dates for a draw of `amount` on a product (`method`, `instalments`,
    /// `periodDays`, `feeBps`) at a contract APR of `aprBps`; APR rounded up.
    function discloseUp(
        uint8 method,
        uint256 instalments,
        uint256 periodDays,
        uint256 aprBps,
        uint256 feeBps,
        uint256 amount
    ) internal pure returns (ICostDisclosure.Disclosure memory d) {
        (d.payments, d.principals, d.interests) = ScheduleMath.schedule(
            method,
            amount,
            aprBps,
            instalments,
            periodDays
        );
        d.periodDays = aprPeriodDays(method, instalments, periodDays);
        d.contractAprBps = aprBps;
        d.totalFees = feeDown(amount, feeBps);
        d.netDisbursed = amount - d.totalFees;
        for (uint256 k = 0; k < d.payments.length; ++k) {
            d.totalRepayable += d.payments[k];
            d.totalInterest += d.interests[k];
        }
        d.aprBps = d.totalFees == 0 ? aprBps : aprWithFeeUp(d.netDisbursed, d.payments, aprBps, d.periodDays);
    }
}
