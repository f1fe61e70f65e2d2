// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {ICreditLens} from "../interfaces/ICreditLens.sol";
import {IRiskLimits} from "../interfaces/IRiskLimits.sol";
import {Packing} from "./Packing.sol";

/// @title LedgerViews
/// @notice ICreditLens's views for on-chain callers, read straight from the ledger's `extView` (no lens deployed, one
/// call fewer): `using LedgerViews for ICreditLedger;` then `ledger.lineOf(borrower)` as if the ledger had the view.
/// Documentation: ICreditLens. A view's revert is bubbled unchanged.
library LedgerViews {
    /// @notice `ledger.extView(request)`'s answer, unwrapped from its `bytes` encoding as it is copied from the return
    /// data (one copy, no second decoding pass); a revert is bubbled as is. A `ledger` without code reverts without
    /// data. The typed views below decode it; the CreditLens returns it as is.
    function ask(ICreditLedger ledger, bytes memory request) internal view returns (bytes memory answer) {
        bytes4 selector = ICreditLedger.extView.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let size := mload(request)
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), 0x20)
            mcopy(add(ptr, 0x24), request, add(size, 0x20))
            mstore(add(add(ptr, 0x44), size), 0)
            let ok := staticcall(gas(), ledger, ptr, add(0x44, and(add(size, 31), not(31))), 0, 0)
            if iszero(ok) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0x40) {
                revert(0, 0)
            }
            size := sub(returndatasize(), 0x40)
            answer := ptr
            mstore(answer, size)
            returndatacopy(add(answer, 0x20), 0x40, size)
            mstore(0x40, add(add(answer, 0x20), size))
        }
    }

    /// @dev ICreditLens.loanIdOf (computed here, no call).
    function loanIdOf(ICreditLedger, address borrower, uint256 n) internal pure returns (uint256) {
        return Packing.loanId(borrower, n);
    }

    /// @dev ICreditLens.loanState
    function loanState(ICreditLedger ledger, uint256 loanId) internal view returns (ICreditLedger.LoanView memory) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.loanState, (loanId))), (ICreditLedger.LoanView));
    }

    /// @dev ICreditLens.loanRecord
    function loanRecord(ICreditLedger ledger, uint256 loanId) internal view returns (ICreditLedger.Loan memory) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.loanRecord, (loanId))), (ICreditLedger.Loan));
    }

    /// @dev ICreditLens.dueNow
    function dueNow(ICreditLedger ledger, uint256 loanId) internal view returns (uint256) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.dueNow, (loanId))), (uint256));
    }

    /// @dev ICreditLens.lineOf
    function lineOf(ICreditLedger ledger, address borrower) internal view returns (ICreditLedger.LineView memory) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.lineOf, (borrower))), (ICreditLedger.LineView));
    }

    /// @dev ICreditLens.creditHistory
    function creditHistory(
        ICreditLedger ledger,
        address borrower
    ) internal view returns (ICreditLedger.CreditHistory memory) {
        return
            abi.decode(
                ask(ledger, abi.encodeCall(ICreditLens.creditHistory, (borrower))),
                (ICreditLedger.CreditHistory)
            );
    }

    /// @dev ICreditLens.mandateOf
    function mandateOf(
        ICreditLedger ledger,
        address borrower
    ) internal view returns (bool active, uint256 capPerCollection) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.mandateOf, (borrower))), (bool, uint256));
    }

    /// @dev ICreditLens.borrowerCount
    function borrowerCount(ICreditLedger ledger) internal view returns (uint256) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.borrowerCount, ())), (uint256));
    }

    /// @dev ICreditLens.borrowerAt
    function borrowerAt(ICreditLedger ledger, uint256 index) internal view returns (address) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.borrowerAt, (index))), (address));
    }

    /// @dev ICreditLens.originatorAllowed
    function originatorAllowed(
        ICreditLedger ledger,
        address borrower,
        address originator
    ) internal view returns (bool) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.originatorAllowed, (borrower, originator))), (bool));
    }

    /// @dev ICreditLens.product
    function product(ICreditLedger ledger, uint8 productId) internal view returns (ICreditLedger.Product memory) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.product, (productId))), (ICreditLedger.Product));
    }

    /// @dev ICreditLens.productExposure
    function productExposure(
        ICreditLedger ledger,
        uint8 productId
    ) internal view returns (uint256 outstanding, uint256 cap) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.productExposure, (productId))), (uint256, uint256));
    }

    /// @dev ICreditLens.riskState
    function riskState(ICreditLedger ledger) internal view returns (IRiskLimits.RiskState memory) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.riskState, ())), (IRiskLimits.RiskState));
    }

    /// @dev ICreditLens.riskParams
    function riskParams(ICreditLedger ledger) internal view returns (ICreditLedger.RiskParams memory) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.riskParams, ())), (ICreditLedger.RiskParams));
    }

    /// @dev ICreditLens.kycRequired
    function kycRequired(ICreditLedger ledger) internal view returns (bool) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.kycRequired, ())), (bool));
    }

    /// @dev ICreditLens.lenderAssets
    function lenderAssets(ICreditLedger ledger) internal view returns (uint256) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.lenderAssets, ())), (uint256));
    }

    /// @dev ICreditLens.principalOutstanding
    function principalOutstanding(ICreditLedger ledger) internal view returns (uint256) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.principalOutstanding, ())), (uint256));
    }

    /// @dev ICreditLens.interestReceivable
    function interestReceivable(ICreditLedger ledger) internal view returns (uint256) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.interestReceivable, ())), (uint256));
    }

    /// @dev ICreditLens.grossInterest
    function grossInterest(ICreditLedger ledger) internal view returns (uint256) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.grossInterest, ())), (uint256));
    }

    /// @dev ICreditLens.penaltyIncome
    function penaltyIncome(ICreditLedger ledger) internal view returns (uint256) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.penaltyIncome, ())), (uint256));
    }

    /// @dev ICreditLens.rateSum
    function rateSum(ICreditLedger ledger) internal view returns (uint256) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.rateSum, ())), (uint256));
    }

    /// @dev ICreditLens.protocolFeesOwed
    function protocolFeesOwed(ICreditLedger ledger) internal view returns (uint256) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.protocolFeesOwed, ())), (uint256));
    }

    /// @dev ICreditLens.firstLossReserve
    function firstLossReserve(ICreditLedger ledger) internal view returns (uint256) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.firstLossReserve, ())), (uint256));
    }

    /// @dev ICreditLens.provisions
    function provisions(ICreditLedger ledger) internal view returns (uint256) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.provisions, ())), (uint256));
    }

    /// @dev ICreditLens.queueReserve
    function queueReserve(ICreditLedger ledger) internal view returns (uint256) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.queueReserve, ())), (uint256));
    }

    /// @dev ICreditLens.rates
    function rates(
        ICreditLedger ledger
    ) internal view returns (uint256 protocolFeeBps, uint256 firstLossBps, uint256 liquidityReserveBps) {
        return abi.decode(ask(ledger, abi.encodeCall(ICreditLens.rates, ())), (uint256, uint256, uint256));
    }
}
