// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";
import {LedgerCore} from "../base/LedgerCore.sol";
import {ICostDisclosure} from "../interfaces/ICostDisclosure.sol";
import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {LoanMath} from "../libraries/LoanMath.sol";
import {Packing} from "../libraries/Packing.sol";

/// @title DelinquencyModule
/// @notice The CreditLedger's late loans: delinquency marking and write-offs (`mark`), manual repayments of loans that
/// are late or that the payment leaves late (`repayLate`), recoveries on written-off loans (`recover`) and penalty
/// waivers (`waivePenalty`).
/// @dev Runs only by DELEGATECALL from the CreditLedger, on the ledger's storage (see LedgerCore). It is deployed
/// with the ledger's asset (the ledger's constructor checks it); it serves no pool-facing call, so its pool is zero.
/// Called directly it acts on its own empty storage and can do no harm. The ledger's wrappers hold the reentrancy
/// guard; functions here do not take it. None of its paths has a gas budget: compiled for size (200 optimizer runs,
/// `hardhat.config.ts`).
contract DelinquencyModule is LedgerCore {
    using SafeERC20 for IERC20;
    using TransientSlot for bytes32;
    using TransientSlot for TransientSlot.AddressSlot;

    /// @dev keccak256("microcredit.collection.rebateModule"): the ConfigModule a late repayment's fee rebate runs in,
    /// set by `repayLate` for its own duration.
    bytes32 private constant REBATE_MODULE_SLOT = 0x84554b4f6118dd72ffc8d70df5520455f5ed471a95a9587cb9a9222bb14f067e;

    /// @dev The pool immutable is unused here: pool-facing functions are never delegated to the module.
    constructor(IERC20 asset_) LedgerCore(asset_, address(0)) {}

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

    /// @dev A payment on a written-off loan (the ledger's `repay` routes here, IModuleSteps): lenders first, then the
    /// reserve.
    function recover(uint256 loanId, uint256 amount) external returns (uint256) {
        WriteOff memory w = _writeOffs[loanId];
        if (amount == type(uint256).max) amount = w.claimLeft;
        else if (amount > w.claimLeft) revert ICreditLedger.RepaymentExceedsPayoff(amount, w.claimLeft);
        (uint256 toLenders, uint256 toReserve) = _bookRecovery(amount, w.lenderLossLeft, w.reserveLeft);
        w.claimLeft -= uint88(amount);
        w.lenderLossLeft -= uint88(_min(toLenders, w.lenderLossLeft));
        w.reserveLeft -= uint80(toReserve);
        _writeOffs[loanId] = w;
        emit ICreditLedger.Recovered(loanId, amount, toLenders, toReserve);
        asset.safeTransferFrom(msg.sender, address(this), amount);
        return amount;
    }

    /// @dev The ledger's `waivePenalty` (ICostDisclosure), servicer only.
    function waivePenalty(uint256 loanId, uint256 amount, bytes32 reason) external onlyRole(SERVICER_ROLE) {
        if (reason == bytes32(0)) revert ICostDisclosure.WaiverReasonMissing();
        ICreditLedger.Loan memory loan = _loadLoan(loanId);
        if (loan.status != ICreditLedger.LoanStatus.Active) {
            if (loan.status == ICreditLedger.LoanStatus.None) revert ICreditLedger.LoanNotFound(loanId);
            if (loan.status == ICreditLedger.LoanStatus.Defaulted) revert ICostDisclosure.WriteOffDue(loanId);
            revert ICreditLedger.LoanAlreadyRepaid(loanId);
        }
        // The loan rolled and classified to now, as `mark` does, so the arrears record and its checkpoint agree.
        ICreditLedger.RiskParams memory params = _risk;
        Mark memory m = _markNow(loanId, loan, params);
        if (m.bucket == ICreditLedger.Bucket.Default) revert ICostDisclosure.WriteOffDue(loanId);
        // Inside grace the penalty is latent, not owed (a payment in grace waives it anyway): nothing to waive.
        uint256 owed = m.bucket < ICreditLedger.Bucket.M1 ? 0 : m.ar.penalty;
        if (amount == type(uint256).max) amount = owed;
        if (amount == 0 || amount > owed) revert ICostDisclosure.WaiverExceedsPenalty(amount, owed);
        m.ar.penalty = uint88(owed - amount);
        _storeMark(loanId, loan, m, params);
        emit ICostDisclosure.PenaltyWaived(loanId, amount, reason, msg.sender);
    }

    /// @dev Default: write off principal and interest owed (reserve first), remember what recoveries owe whom. `mark`
    /// has booked the loan's accrual true-up already (`m.a.accrualAdjustment` is not booked here).
    function _writeOff(uint256 loanId, ICreditLedger.Loan memory loan, Mark memory m) internal {
        uint256 interest = m.o.pastDueInterest + m.o.currentInterest;
        _reclassify(loanId, loan, m.ar, ICreditLedger.Bucket.Default, 0, m.o.principalOutstanding, 0);
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
