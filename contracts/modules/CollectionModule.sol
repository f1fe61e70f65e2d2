// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {LedgerCore} from "../base/LedgerCore.sol";
import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {IRiskLimits} from "../interfaces/IRiskLimits.sol";
import {ICostDisclosure} from "../interfaces/ICostDisclosure.sol";
import {IProductLimits} from "../interfaces/IProductLimits.sol";
import {DisclosureMath} from "../libraries/DisclosureMath.sol";
import {LoanMath} from "../libraries/LoanMath.sol";
import {ScheduleMath} from "../libraries/ScheduleMath.sol";
import {Packing} from "../libraries/Packing.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title CollectionModule
/// @notice Automatic collection, delinquency marking and write-offs of the CreditLedger, and the portfolio-limit
/// checks of its draws.
/// @dev Runs only by DELEGATECALL from the CreditLedger, on the ledger's storage (see LedgerCore). It is deployed
/// with the ledger's asset (the ledger's constructor checks it); it serves no pool-facing call, so its pool is zero.
/// Called directly it acts on its own empty storage and can do no harm. The ledger's wrappers hold the reentrancy
/// guard; functions here do not take it.
contract CollectionModule is LedgerCore {
    using SafeCast for uint256;
    using TransientSlot for bytes32;
    using TransientSlot for TransientSlot.Uint256Slot;

    /// @dev keccak256("microcredit.collect.tally"): salt of the per-transaction tally of capped pulls.
    bytes32 private constant COLLECT_TALLY_SALT = 0x61c8ae07924e70ccd38a580568f030345266d4ff977098c70f4ee9e0ee4092f2;

    /// @dev The pool immutable is unused here: pool-facing functions are never delegated to the module.
    constructor(IERC20 asset_) LedgerCore(asset_, address(0)) {}

    /// @dev Collection takes only what is due, never a prepayment: no fee rebate, and no product read.
    function _feeRebate(
        uint256,
        ICreditLedger.Loan memory,
        LoanMath.Accrual memory,
        LoanMath.Owed memory,
        uint256
    ) internal pure override returns (uint256, uint256) {
        return (0, 0);
    }

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

    // ---------------------------------------------------------------- portfolio limits (IRiskLimits)

    /// @dev The draw's checks and its cost, run by the ledger's `_draw` before its own effects: the portfolio limits
    /// and the product's outstanding cap (IProductLimits), then the APR cap on the draw's cost (ICostDisclosure),
    /// whose figures it emits in `DrawDisclosed` and whose fee it books to the protocol. `exposureAfter` is the
    /// line's principal after the draw; `cash` and `principal` are the book before it (a draw moves cash to
    /// principal, so their sum, the base of the shares, is the same after, plus the fee when there is one). Writes
    /// only the origination bucket, the product's outstanding and, for a fee, the protocol's fee claim. Returns the
    /// fee, which the ledger keeps out of what it sends. Under `drawWithin` and `originate` it also checks the
    /// borrower's bounds (`DRAW_BOUNDS_SLOT`).
    function admitDraw(
        address borrower,
        uint256 loanId,
        uint8 productId,
        uint256 amount,
        uint256 aprBps,
        uint256 exposureAfter,
        uint256 cash,
        uint256 principal
    ) external returns (uint256 fee) {
        IRiskLimits.Limits memory lim = _limits;
        if (amount < lim.minDraw) revert IRiskLimits.DrawBelowMinimum(amount, lim.minDraw);
        if (lim.maxDraw != 0 && amount > lim.maxDraw) revert IRiskLimits.DrawAboveMaximum(amount, lim.maxDraw);
        // The shares are of the book's value, at most what it was before this block's first deposit (`_capitalWord`).
        uint256 bookValue = cash + principal;
        uint256 flow = _flowWord;
        if (uint16(_bookWord >> BOOK_DEPOSIT_BLOCK_SHIFT) == uint16(block.number)) {
            uint256 saved = _capitalWord;
            if (saved >> CAPITAL_BLOCK_SHIFT == uint40(block.number)) {
                bookValue = _min(bookValue, uint104(saved >> CAPITAL_BLOCK_VALUE_SHIFT));
            }
        }
        uint256 cap = lim.maxExposure == 0 ? type(uint256).max : lim.maxExposure;
        if (lim.maxExposureBps != 0) cap = _min(cap, (bookValue * lim.maxExposureBps) / BPS);
        if (exposureAfter > cap) revert IRiskLimits.ExposureCapExceeded(borrower, exposureAfter, cap);
        if (lim.maxUtilisationBps != 0) {
            uint256 maxPrincipal = (bookValue * lim.maxUtilisationBps) / BPS;
            if (principal + amount > maxPrincipal) {
                revert IRiskLimits.UtilisationCapExceeded(principal + amount, maxPrincipal);
            }
        }
        uint256 late = flow >> FLOW_LATE_SHIFT;
        if (lim.breakerBps != 0 && late * BPS > principal * lim.breakerBps) {
            revert IRiskLimits.CircuitBreakerTripped(late, principal, lim.breakerBps);
        }
        if (lim.dailyOriginationCap != 0) {
            uint256 level = _originationNow(flow, lim.dailyOriginationCap) + amount;
            if (level > lim.dailyOriginationCap)
                revert IRiskLimits.OriginationCapExceeded(level, lim.dailyOriginationCap);
            _flowWord = (late << FLOW_LATE_SHIFT) | (level << 32) | block.timestamp;
        }
        ProductBook memory pb = _productBooks[productId];
        uint256 productAfter = pb.outstanding + amount;
        uint256 productCap = pb.cap;
        if (productCap != 0 && productAfter > productCap) {
            revert IProductLimits.ProductCapExceeded(productId, productAfter, productCap);
        }
        _productBooks[productId].outstanding = productAfter.toUint96();
        fee = _disclose(loanId, pb, amount, aprBps, DisclosureMath.aprCapOf(lim.aprCapBps));
    }

    /// @dev The draw's cost: refused above the APR cap, emitted, and its fee booked as a protocol claim funded by the
    /// cash the ledger keeps (capital and claim rise together: the lenders' assets do not move).
    function _disclose(
        uint256 loanId,
        ProductBook memory p,
        uint256 amount,
        uint256 aprBps,
        uint256 aprCap
    ) private returns (uint256 fee) {
        uint256 apr;
        uint256 totalInterest;
        (apr, fee, totalInterest) = DisclosureMath.costUp(
            p.config & PRODUCT_METHOD,
            p.instalments,
            p.periodDays,
            aprBps,
            p.feeBps,
            amount
        );
        if (apr > aprCap) revert ICreditLedger.AprAboveCap(apr, aprCap);
        uint256 bounds = DRAW_BOUNDS_SLOT.asUint256().tload();
        if (bounds != 0) _checkBounds(bounds, p, apr, amount - fee);
        if (fee != 0) {
            // Added to the claim's checkpoint, the fee is owed at every later gross without moving the split.
            _feesAtCheckpoint += uint128(fee);
            _addCapital(int256(fee));
        }
        emit ICostDisclosure.DrawDisclosed(loanId, apr, fee, totalInterest, amount + totalInterest);
    }

    /// @dev The bounds of `drawWithin` or `originate` (`DRAW_BOUNDS_SLOT`) against the draw's APR, what the
    /// recipient receives and the product's plan as the loan is drawn (a bullet product: one payment after the whole
    /// term).
    function _checkBounds(uint256 bounds, ProductBook memory p, uint256 apr, uint256 received) private pure {
        if (apr > uint32(bounds >> 128)) revert ICreditLedger.AprAboveBound(apr, uint32(bounds >> 128));
        if (received < uint128(bounds)) revert ICreditLedger.ReceivedBelowMinimum(received, uint128(bounds));
        uint8 method = p.config & PRODUCT_METHOD;
        (uint256 payments, uint256 periodDays) = method == ScheduleMath.BULLET
            ? (1, uint256(p.periodDays) * p.instalments)
            : (uint256(p.instalments), uint256(p.periodDays));
        if (method != uint8(bounds >> 160) || payments != uint8(bounds >> 168) || periodDays != uint16(bounds >> 176))
            revert ICreditLedger.PlanChanged(method, payments, periodDays);
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
