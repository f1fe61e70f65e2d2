// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {LedgerCore} from "../base/LedgerCore.sol";
import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";

/// @title CollectionModule
/// @notice The CreditLedger's automatic collection (`collect`): the one module on a budgeted path, compiled at the
/// default 10,000 optimizer runs. Marking, write-offs and late repayments are the DelinquencyModule's.
/// @dev Runs only by DELEGATECALL from the CreditLedger, on the ledger's storage (see LedgerCore). It is deployed
/// with the ledger's asset (the ledger's constructor checks it); it serves no pool-facing call, so its pool is zero.
/// Called directly it acts on its own empty storage and can do no harm. The ledger's wrappers hold the reentrancy
/// guard; functions here do not take it.
contract CollectionModule is LedgerCore {
    using TransientSlot for bytes32;
    using TransientSlot for TransientSlot.Uint256Slot;

    /// @dev keccak256("microcredit.collect.tally"): salt of the per-transaction tally of capped pulls.
    bytes32 private constant COLLECT_TALLY_SALT = 0x61c8ae07924e70ccd38a580568f030345266d4ff977098c70f4ee9e0ee4092f2;

    /// @dev The pool immutable is unused here: pool-facing functions are never delegated to the module.
    constructor(IERC20 asset_) LedgerCore(asset_, address(0)) {}

    function collect(uint256[] calldata loanIds) external returns (uint256 collected) {
        for (uint256 i = 0; i < loanIds.length; ++i) collected += _collectOne(loanIds[i]);
    }

    /// @dev One loan of a collection batch; failures are events, never reverts. The loan is rolled once; the pull
    /// is tried first for the whole amount due (capped by the mandate), and only if it fails are the balance and
    /// the allowance read, to collect what is there or to name the reason.
    function _collectOne(uint256 loanId) internal returns (uint256 paid) {
        ICreditLedger.Loan memory loan = _loadLoan(loanId);
        if (loan.status != ICreditLedger.LoanStatus.Active) return _failed(loanId, FAIL_NOT_ACTIVE);
        Position memory p = _position(loanId, loan);
        uint256 amount = p.pastDue + p.penalty;
        if (amount == 0) return 0;
        address borrower = _borrowerOf(loanId);
        Mandate memory m = _mandates[borrower];
        if (!m.active) return _failed(loanId, FAIL_NO_MANDATE);
        uint256 capLeft;
        if (m.cap != 0) {
            // The cap holds per loan per call: a loan id repeated in a batch shares one cap (transient tally).
            uint256 tallied = _tallied(loanId);
            if (tallied >= m.cap) return _failed(loanId, FAIL_CAP_USED);
            capLeft = m.cap - tallied;
            if (capLeft < amount) amount = capLeft;
        }
        // Pull first: a token that reverts or returns false for this borrower must not touch the loan.
        if (!_tryPull(borrower, amount)) {
            uint256 balance = asset.balanceOf(borrower);
            if (balance == 0) return _failed(loanId, FAIL_NO_BALANCE);
            uint256 allowance = asset.allowance(borrower, address(this));
            if (allowance == 0) return _failed(loanId, FAIL_NO_ALLOWANCE);
            uint256 pullable = balance < allowance ? balance : allowance;
            if (pullable >= amount || !_tryPull(borrower, pullable)) return _failed(loanId, FAIL_TRANSFER);
            amount = pullable;
        }
        paid = _settle(loanId, loan, p, amount, true);
        if (capLeft != 0) _tally(loanId, m.cap - capLeft + paid);
        emit ICreditLedger.Collected(loanId, borrower, paid);
    }

    /// @dev Transient slot of a loan's tally of capped pulls in this transaction (salted: no clash with the
    /// reentrancy guard's slot or another loan's).
    function _tallySlot(uint256 loanId) private pure returns (bytes32) {
        return keccak256(abi.encode(COLLECT_TALLY_SALT, loanId));
    }

    function _tallied(uint256 loanId) private view returns (uint256) {
        return _tallySlot(loanId).asUint256().tload();
    }

    function _tally(uint256 loanId, uint256 pulled) private {
        _tallySlot(loanId).asUint256().tstore(pulled);
    }

    /// @dev `transferFrom(from, ledger, amount)` that reports failure instead of reverting. Like SafeERC20, a token
    /// that returns nothing counts as success; one that returns anything but `true` does not.
    function _tryPull(address from, uint256 amount) internal returns (bool) {
        // solhint-disable-next-line avoid-low-level-calls
        (bool success, bytes memory ret) = address(asset).call(
            abi.encodeCall(IERC20.transferFrom, (from, address(this), amount))
        );
        return success && (ret.length == 0 || (ret.length > 31 && abi.decode(ret, (uint256)) == 1));
    }

    function _failed(uint256 loanId, uint8 reason) internal returns (uint256) {
        emit ICreditLedger.CollectionFailed(loanId, reason);
        return 0;
    }
}
