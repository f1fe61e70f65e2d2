// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {LedgerCore} from "../base/LedgerCore.sol";
import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {IRiskLimits} from "../interfaces/IRiskLimits.sol";
import {ScheduleMath} from "../libraries/ScheduleMath.sol";
import {LoanMath} from "../libraries/LoanMath.sol";
import {ArrearsMath} from "../libraries/ArrearsMath.sol";
import {Packing} from "../libraries/Packing.sol";

/// @title ViewModule
/// @notice The CreditLedger's views of loans, lines, histories, products, limits and the book, answered on the ledger's
/// storage. Integrators call them on the CreditLens (ICreditLens, the documentation), which forwards each call to the
/// ledger's `extView`, which runs it here.
/// @dev Runs by DELEGATECALL from `CreditLedger.extView`, whose caller picks the calldata: so nothing here writes.
/// Every function is a view, and the role setters inherited from AccessControl revert (`ViewOnly`). Its functions keep
/// the selectors and return types of ICreditLens. Called directly it reads its own empty storage.
contract ViewModule is LedgerCore {
    /// @notice A function that writes was called through `extView`.
    error ViewOnly(bytes4 selector);

    /// @dev The pool immutable is unused here.
    constructor(IERC20 asset_) LedgerCore(asset_, address(0)) {}

    /// @dev Reads only (see the contract's notice).
    function grantRole(bytes32, address) public pure override {
        revert ViewOnly(msg.sig);
    }

    /// @dev Reads only (see the contract's notice).
    function revokeRole(bytes32, address) public pure override {
        revert ViewOnly(msg.sig);
    }

    /// @dev Reads only (see the contract's notice).
    function renounceRole(bytes32, address) public pure override {
        revert ViewOnly(msg.sig);
    }

    /// @dev ICreditLens.borrowerCount
    function borrowerCount() external view returns (uint256) {
        return _borrowers.length;
    }

    /// @dev ICreditLens.borrowerAt
    function borrowerAt(uint256 index) external view returns (address) {
        return _borrowers[index];
    }

    /// @dev ICreditLens.kycRequired
    function kycRequired() external view returns (bool) {
        return _loadBook().kycRequired;
    }

    /// @dev ICreditLens.loanIdOf
    function loanIdOf(address borrower, uint256 n) external pure returns (uint256) {
        return _loanId(borrower, n);
    }

    /// @dev ICreditLens.lenderAssets
    function lenderAssets() external view returns (uint256) {
        return _lenderAssetsAt(_grossNow());
    }

    /// @dev ICreditLens.principalOutstanding
    function principalOutstanding() external view returns (uint256) {
        return _loadBook().principal;
    }

    /// @dev ICreditLens.grossInterest
    function grossInterest() external view returns (uint256) {
        return _grossNow() / SCALE;
    }

    /// @dev ICreditLens.penaltyIncome
    function penaltyIncome() external view returns (uint256) {
        return _split.penaltyIncome;
    }

    /// @dev ICreditLens.rateSum
    function rateSum() external view returns (uint256) {
        return _loadAccrual().rateSum;
    }

    /// @dev ICreditLens.provisions
    function provisions() external view returns (uint256) {
        return _provisions;
    }

    /// @dev ICreditLens.queueReserve
    function queueReserve() external view returns (uint256) {
        return _queueReserve;
    }

    /// @dev ICreditLens.interestReceivable
    function interestReceivable() external view returns (uint256) {
        return _receivableAt(_grossNow(), _loadBook());
    }

    /// @dev ICreditLens.protocolFeesOwed
    function protocolFeesOwed() external view returns (uint256) {
        return _feesAt(_grossNow());
    }

    /// @dev ICreditLens.firstLossReserve
    function firstLossReserve() external view returns (uint256) {
        return _reserveAt(_grossNow());
    }

    /// @dev ICreditLens.rates
    function rates() external view returns (uint256 protocolFeeBps, uint256 firstLossBps, uint256 liquidityReserveBps) {
        Split memory split = _split;
        return (split.feeBps, split.firstLossBps, _loadBook().liquidityBps);
    }

    /// @dev What `collect` would pull now (0 if nothing is due).
    function dueNow(uint256 loanId) external view returns (uint256) {
        ICreditLedger.Loan memory loan = _loadLoan(loanId);
        if (loan.status != ICreditLedger.LoanStatus.Active) return 0;
        Position memory p = _position(loanId, loan);
        return p.pastDue + p.penalty;
    }

    /// @dev ICreditLens.loanState
    function loanState(uint256 loanId) external view returns (ICreditLedger.LoanView memory v) {
        ICreditLedger.Loan memory loan = _existing(loanId);
        v.borrower = _borrowerOf(loanId);
        v.status = loan.status;
        v.principal = loan.principal;
        uint256 period = LoanMath.periodSeconds(loan);
        v.maturity = loan.drawnAt + uint256(loan.instalments) * period;
        v.bucket = loan.bucket;
        v.markedBucket = loan.bucket;
        if (loan.status == ICreditLedger.LoanStatus.Defaulted) {
            v.payoff = _writeOffs[loanId].claimLeft;
            v.bucket = ICreditLedger.Bucket.Default;
            v.markedBucket = ICreditLedger.Bucket.Default;
            return v;
        }
        if (loan.status != ICreditLedger.LoanStatus.Active) return v;
        Position memory p = _position(loanId, loan);
        LoanMath.Accrual memory a = p.a;
        LoanMath.Owed memory o = p.o;
        v.principalOutstanding = o.principalOutstanding;
        v.interestAccrued = o.pastDueInterest + o.currentInterest;
        v.pastDue = p.pastDue;
        v.penalty = p.penalty;
        v.payoff = o.payoff + v.penalty - _payoffRebate(loan, a, o);
        v.pastDueSince = ArrearsMath.pastDueSince(loan, a);
        if (v.pastDue != 0) v.daysPastDue = (block.timestamp - v.pastDueSince) / 1 days;
        v.bucket = ArrearsMath.bucketOf(v.pastDue, v.pastDueSince, block.timestamp, _risk);
        if (a.period <= loan.instalments) {
            v.nextDueAt = loan.drawnAt + a.period * period;
            int256 interestByNext =
                int256(loan.interestBalance) +
                    int256(
                        ScheduleMath.accruedInterestUp(
                            loan.openingBalance,
                            loan.aprBps,
                            v.nextDueAt - loan.segmentStart
                        )
                    );
            uint256 scheduledNext = LoanMath.scheduledAfter(LoanMath.plan(loan), a.scheduledBalanceDue, a.period);
            uint256 principalByNext = uint256(loan.principal) - scheduledNext;
            v.nextDueAmount =
                (interestByNext > 0 ? uint256(interestByNext) : 0) +
                (principalByNext > loan.principalPaid ? principalByNext - loan.principalPaid : 0);
        } else {
            v.nextDueAt = v.maturity;
            v.nextDueAmount = o.payoff;
        }
    }

    /// @dev ICreditLens.lineOf
    function lineOf(address borrower) external view returns (ICreditLedger.LineView memory v) {
        ICreditLedger.Line memory l = Packing.decodeLine(_lines[borrower]);
        v.limit = l.limit;
        v.outstanding = l.outstanding;
        v.available =
            l.status == ICreditLedger.LineStatus.Active && l.lateLoans == 0 && l.limit > l.outstanding
                ? l.limit - l.outstanding
                : 0;
        v.aprBps = l.aprBps;
        v.productMask = l.productMask;
        v.loanCount = l.loanCount;
        v.status = l.status;
        v.lateLoans = l.lateLoans;
        v.kycExpiresAt = uint256(l.kycExpiryDay) * 1 days;
    }

    /// @dev ICreditLens.creditHistory
    function creditHistory(address borrower) external view returns (ICreditLedger.CreditHistory memory c) {
        History memory h = _history[borrower];
        c.loansRepaid = h.loansRepaid;
        c.instalmentsRepaid = h.instalmentsRepaid;
        c.latePayments = h.latePayments;
        c.maxDaysLate = h.maxDaysLate;
        c.defaults = h.defaults;
        c.principalRepaid = h.principalRepaid;
        c.principalDefaulted = h.principalDefaulted;
        c.principalOutstanding = Packing.decodeLine(_lines[borrower]).outstanding;
    }

    /// @dev ICreditLens.loanRecord
    function loanRecord(uint256 loanId) external view returns (ICreditLedger.Loan memory) {
        return _loadLoan(loanId);
    }

    /// @dev ICreditLens.product
    function product(uint8 productId) external view returns (ICreditLedger.Product memory) {
        return _product(productId);
    }

    /// @dev ICreditLens.riskParams
    function riskParams() external view returns (ICreditLedger.RiskParams memory) {
        return _risk;
    }

    /// @dev ICreditLens.mandateOf
    function mandateOf(address borrower) external view returns (bool active, uint256 capPerCollection) {
        Mandate memory m = _mandates[borrower];
        return (m.active, m.cap);
    }

    /// @dev ICreditLens.originatorAllowed
    function originatorAllowed(address borrower, address originator) external view returns (bool) {
        return _originatorAllowed[borrower][originator];
    }

    /// @dev ICreditLens.riskState
    function riskState() external view returns (IRiskLimits.RiskState memory r) {
        r.limits = Packing.decodeLimits(_limitsWord);
        Book memory book = _loadBook();
        uint256 flow = _flowWord;
        r.principal30Plus = flow >> FLOW_LATE_SHIFT;
        r.principalOutstanding = book.principal;
        r.bookValue = uint256(book.cash) + book.principal;
        r.originationInWindow = _originationNow(flow, r.limits.dailyOriginationCap);
        r.breakerTripped =
            r.limits.breakerBps != 0 &&
            r.principal30Plus * BPS > r.principalOutstanding * r.limits.breakerBps;
    }

    /// @dev ICreditLens.productExposure
    function productExposure(uint8 productId) external view returns (uint256 outstanding, uint256 cap) {
        if (productId > 15) revert ICreditLedger.ProductIdOutOfRange(productId);
        ProductBook storage b = _productBooks[productId];
        return (b.outstanding, b.cap);
    }
}
