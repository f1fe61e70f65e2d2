// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "./interfaces/ICreditLedger.sol";
import {ICreditLens} from "./interfaces/ICreditLens.sol";
import {IRiskLimits} from "./interfaces/IRiskLimits.sol";
import {Packing} from "./libraries/Packing.sol";
import {LedgerViews} from "./libraries/LedgerViews.sol";

/// @title CreditLens
/// @notice Reads a CreditLedger's loans, lines, products, limits and book (ICreditLens). No state: each view sends its
/// own calldata, unchanged, to the ledger's `extView` and returns the answer as is.
contract CreditLens is ICreditLens {
    ICreditLedger private immutable _ledger;

    constructor(ICreditLedger ledger_) {
        if (address(ledger_) == address(0)) revert ICreditLedger.ZeroAddress();
        _ledger = ledger_;
    }

    /// @inheritdoc ICreditLens
    function ledger() external view returns (address) {
        return address(_ledger);
    }

    /// @inheritdoc ICreditLens
    function loanIdOf(address borrower, uint256 n) external pure returns (uint256) {
        return Packing.loanId(borrower, n);
    }

    // Every function below answers through `_forward`, which never returns to it.

    /// @inheritdoc ICreditLens
    function loanState(uint256) external view returns (ICreditLedger.LoanView memory) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function loanRecord(uint256) external view returns (ICreditLedger.Loan memory) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function dueNow(uint256) external view returns (uint256) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function lineOf(address) external view returns (ICreditLedger.LineView memory) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function creditHistory(address) external view returns (ICreditLedger.CreditHistory memory) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function mandateOf(address) external view returns (bool, uint256) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function borrowerCount() external view returns (uint256) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function borrowerAt(uint256) external view returns (address) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function originatorAllowed(address, address) external view returns (bool) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function product(uint8) external view returns (ICreditLedger.Product memory) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function productExposure(uint8) external view returns (uint256, uint256) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function riskState() external view returns (IRiskLimits.RiskState memory) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function riskParams() external view returns (ICreditLedger.RiskParams memory) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function kycRequired() external view returns (bool) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function lenderAssets() external view returns (uint256) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function principalOutstanding() external view returns (uint256) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function interestReceivable() external view returns (uint256) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function grossInterest() external view returns (uint256) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function penaltyIncome() external view returns (uint256) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function rateSum() external view returns (uint256) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function protocolFeesOwed() external view returns (uint256) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function firstLossReserve() external view returns (uint256) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function provisions() external view returns (uint256) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function queueReserve() external view returns (uint256) {
        _forward();
    }

    /// @inheritdoc ICreditLens
    function rates() external view returns (uint256, uint256, uint256) {
        _forward();
    }

    /// @dev Answers this call with the ledger's `extView` of the same calldata (`LedgerViews.ask`), as is.
    function _forward() private view {
        bytes memory answer = LedgerViews.ask(_ledger, msg.data);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            return(add(answer, 0x20), mload(answer))
        }
    }
}
