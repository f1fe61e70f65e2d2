// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {LedgerCore} from "../base/LedgerCore.sol";
import {LoanMath} from "../libraries/LoanMath.sol";
import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {Packing} from "../libraries/Packing.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";

/// @title CollectionModule
/// @notice Automatic collection, delinquency marking and write-offs of the CreditLedger, and its manual repayments
/// of late loans.
/// @dev Runs only by DELEGATECALL from the CreditLedger, on the ledger's storage (see LedgerCore). It is deployed
/// with the ledger's asset (the ledger's constructor checks it); it serves no pool-facing call, so its pool is zero.
/// Called directly it acts on its own empty storage and can do no harm. The ledger's wrappers hold the reentrancy
/// guard; functions here do not take it.
contract CollectionModule is LedgerCore {
    using SafeERC20 for IERC20;
    using TransientSlot for bytes32;
    using TransientSlot for TransientSlot.Uint256Slot;
    using TransientSlot for TransientSlot.AddressSlot;

    /// @dev keccak256("microcredit.collect.tally"): salt of the per-transaction tally of capped pulls.
    bytes32 private constant COLLECT_TALLY_SALT = 0x61c8ae07924e70ccd38a580568f030345266d4ff977098c70f4ee9e0ee4092f2;
    /// @dev keccak256("microcredit.collection.rebateModule"): the ConfigModule a late repayment's fee rebate runs in,
    /// set by `repayLate` for its own duration.
    bytes32 private constant REBATE_MODULE_SLOT = 0x84554b4f6118dd72ffc8d70df5520455f5ed471a95a9587cb9a9222bb14f067e;

    /// @dev The pool immutable is unused here: pool-facing functions are never delegated to the module.
    constructor(IERC20 asset_) LedgerCore(asset_, address(0)) {}

    function collect(uint256[] calldata loanIds) external returns (uint256 collected) {
        for (uint256 i = 0; i < loanIds.length; ++i) collected += _collectOne(loanIds[i]);
    }

    /// @dev Two passes: every loan's accrual true-up is booked first, then the write-offs. A write-off checkpoints the
    /// fee and first-loss split at the book's gross interest; a true-up booked after it in the same call would fall
    /// on the lenders alone (the split takes nothing back below a checkpoint), so none is. A loan to write off is
    /// classified again in the second pass, from the same storage (the first pass stores nothing of it), so that
    /// only its id is kept in memory.
    function mark(uint256[] calldata loanIds) external {
        ICreditLedger.RiskParams memory params = _risk;
        uint256[] memory ids = new uint256[](loanIds.length);
        uint256 n;
        for (uint256 i = 0; i < loanIds.length; ++i) {
            uint256 loanId = loanIds[i];
            ICreditLedger.Loan memory loan = _loadLoan(loanId);
            if (loan.status != ICreditLedger.LoanStatus.Active || _listed(ids, n, loanId)) continue;
            Mark memory m = _markNow(loanId, loan, params);
            if (m.bucket != ICreditLedger.Bucket.Default) {
                _storeMark(loanId, loan, m, params);
                continue;
            }
            _bookRepay(0, 0, 0, m.a.accrualAdjustment);
            ids[n++] = loanId;
        }
        for (uint256 j = 0; j < n; ++j) {
            ICreditLedger.Loan memory loan = _loadLoan(ids[j]);
            _writeOff(ids[j], loan, _markNow(ids[j], loan, params));
        }
    }

    /// @dev Whether `loanId` is among the first `n` of `ids` (a loan written off by this call stays `Active` in
    /// storage until the second pass, so a repeated id must not be marked twice).
    function _listed(uint256[] memory ids, uint256 n, uint256 loanId) private pure returns (bool) {
        for (uint256 j = 0; j < n; ++j) if (ids[j] == loanId) return true;
        return false;
    }

    /// @dev The ledger's `repay` of an active loan that is late, or that the payment leaves late (IModuleSteps):
    /// the same payment path as an on-time repayment, with the arrears bookkeeping the ledger does not carry. A
    /// prepayment retires its fee rebate in `config` (the ledger's ConfigModule) as the ledger's own repayment does.
    /// The payer is the ledger's caller (`msg.sender` is kept by DELEGATECALL).
    function repayLate(uint256 loanId, uint256 amount, address config) external returns (uint256 paid) {
        ICreditLedger.Loan memory loan = _loadLoan(loanId);
        if (loan.status != ICreditLedger.LoanStatus.Active) revert ICreditLedger.LoanNotFound(loanId);
        REBATE_MODULE_SLOT.asAddress().tstore(config);
        paid = _settle(loanId, loan, _position(loanId, loan), amount, false);
        REBATE_MODULE_SLOT.asAddress().tstore(address(0));
        asset.safeTransferFrom(msg.sender, address(this), paid);
    }

    /// @dev A prepayment's fee rebate (only `repayLate` prepays: collection takes what is due, never more), run as the
    /// ledger runs it: in the ConfigModule, skipped for a loan without a fee.
    function _feeRebate(
        uint256 loanId,
        ICreditLedger.Loan memory loan,
        LoanMath.Accrual memory,
        LoanMath.Owed memory,
        uint256 prepaid
    ) internal override returns (uint256, uint256) {
        return _feeRebateIn(REBATE_MODULE_SLOT.asAddress().tload(), loanId, loan, prepaid);
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

    /// @dev Default: write off principal and interest owed (reserve first), remember what recoveries owe whom. `mark`
    /// has booked the loan's accrual true-up already (`m.a.accrualAdjustment` is not booked here).
    function _writeOff(uint256 loanId, ICreditLedger.Loan memory loan, Mark memory m) internal {
        uint256 interest = m.o.pastDueInterest + m.o.currentInterest;
        _reclassify(loanId, loan, m.ar, ICreditLedger.Bucket.Default, 0, m.o.principalOutstanding, _risk);
        int256 rateDelta = m.a.rateDelta - int256(uint256(loan.openingBalance) * loan.aprBps);
        // The fee share of principal that had not fallen due was never earned: the protocol gives it back and the
        // borrower no longer owes it, as a payoff now would have had it.
        uint256 unearnedFee = _payoffRebate(loan, m.a, m.o);
        (uint256 absorbed, uint256 lenderLoss) = _bookWriteOff(
            m.o.principalOutstanding,
            interest,
            unearnedFee,
            rateDelta
        );
        uint256 loss = m.o.principalOutstanding + interest;
        _writeOffs[loanId] = WriteOff({
            claimLeft: uint88(loss + m.ar.penalty - unearnedFee),
            lenderLossLeft: uint88(lenderLoss),
            reserveLeft: uint80(absorbed)
        });
        address borrower = _borrowerOf(loanId);
        ICreditLedger.Line memory l = Packing.decodeLine(_lines[borrower]);
        l.outstanding -= uint80(m.o.principalOutstanding);
        _productBooks[loan.productId].outstanding -= uint96(m.o.principalOutstanding);
        l.status = ICreditLedger.LineStatus.Frozen;
        _lines[borrower] = Packing.encodeLine(l);
        _recordDefault(borrower, m.o.principalOutstanding, (block.timestamp - m.since) / 1 days);
        loan.openingBalance = 0;
        loan.status = ICreditLedger.LoanStatus.Defaulted;
        _storeLoan(loanId, loan, m.a.period);
        emit ICreditLedger.LoanDefaulted(loanId, loss, absorbed, lenderLoss);
    }
}
