// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {LedgerCore} from "../base/LedgerCore.sol";
import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {LoanMath} from "../libraries/LoanMath.sol";
import {ArrearsMath} from "../libraries/ArrearsMath.sol";
import {Packing} from "../libraries/Packing.sol";
import {ScheduleMath} from "../libraries/ScheduleMath.sol";

/// @title CollectionModule
/// @notice Automatic collection, mandates, delinquency marking, write-offs and recoveries of the CreditLedger, and its
/// configuration (products, lines, pause, risk parameters, KYC expiry and requirement).
/// @dev Runs only by DELEGATECALL from the CreditLedger, on the ledger's storage (see LedgerCore). It is deployed
/// with the same asset and pool so its immutables match the ledger's. Called directly it acts on its own empty
/// storage and can do no harm. The ledger's wrappers hold the reentrancy guard; functions here do not take it.
contract CollectionModule is LedgerCore {
    using SafeERC20 for IERC20;

    /// @dev The pool immutable is unused here: pool-facing functions are never delegated to the module.
    constructor(IERC20 asset_) LedgerCore(asset_, address(0)) {}

    function setMandate(uint256 capPerCollection) public {
        _setMandate(msg.sender, capPerCollection);
    }

    function setMandateFor(address borrower, uint256 capPerCollection) external onlyRole(UNDERWRITER_ROLE) {
        if (borrower == address(0)) revert ICreditLedger.ZeroAddress();
        _setMandate(borrower, capPerCollection);
    }

    function setKycExpiry(address borrower, uint256 expiry) external onlyRole(UNDERWRITER_ROLE) {
        if (borrower == address(0)) revert ICreditLedger.ZeroAddress();
        uint256 word = _lines[borrower];
        if (word == 0) _enrol(borrower);
        ICreditLedger.Line memory l = Packing.decodeLine(word);
        // Whole days, rounded down: a credential is honoured until the start of its expiry's day, never after.
        uint256 day = expiry / 1 days;
        l.kycExpiryDay = uint16(day < type(uint16).max ? day : type(uint16).max);
        _lines[borrower] = Packing.encodeLine(l);
        emit ICreditLedger.KycExpirySet(borrower, expiry, uint256(l.kycExpiryDay) * 1 days);
    }

    function setKycRequired(bool required) external onlyRole(DEFAULT_ADMIN_ROLE) {
        Book memory book = _loadBook();
        book.kycRequired = required;
        _storeBook(book);
        emit ICreditLedger.KycRequirementSet(required);
    }

    /// @dev A borrower's first record: the registry the upkeep pages through, and the history slot made non-zero.
    function _enrol(address borrower) internal {
        _borrowers.push(borrower);
        _history[borrower].opened = true;
    }

    function _setMandate(address borrower, uint256 capPerCollection) internal {
        if (capPerCollection > MAX_AMOUNT) revert ICreditLedger.AmountTooLarge(capPerCollection, MAX_AMOUNT);
        _mandates[borrower] = Mandate(true, uint88(capPerCollection));
        emit ICreditLedger.MandateSet(borrower, capPerCollection);
    }

    function setMandateWithPermit(
        uint256 capPerCollection,
        uint256 value,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        // A permit someone front-ran (or already used) must not block the mandate: the allowance is what matters.
        // solhint-disable-next-line no-empty-blocks
        try IERC20Permit(address(asset)).permit(msg.sender, address(this), value, deadline, v, r, s) {} catch {}
        setMandate(capPerCollection);
    }

    function revokeMandate() external {
        delete _mandates[msg.sender];
        emit ICreditLedger.MandateRevoked(msg.sender);
    }

    function collect(uint256[] calldata loanIds) external returns (uint256 collected) {
        for (uint256 i = 0; i < loanIds.length; ++i) collected += _collectOne(loanIds[i]);
    }

    function mark(uint256[] calldata loanIds) external {
        ICreditLedger.RiskParams memory params = _risk;
        for (uint256 i = 0; i < loanIds.length; ++i) {
            uint256 loanId = loanIds[i];
            ICreditLedger.Loan memory loan = _loadLoan(loanId);
            if (loan.status != ICreditLedger.LoanStatus.Active) continue;
            uint256 checkpoint = loan.checkpoint;
            LoanMath.Accrual memory a = LoanMath.roll(loan, block.timestamp);
            LoanMath.Owed memory o = LoanMath.owed(loan, a, block.timestamp);
            uint256 pastDue = o.pastDueInterest + o.pastDuePrincipal;
            Arrears memory ar = _accrueArrears(loanId, loan, checkpoint, pastDue, params);
            uint256 since = ArrearsMath.pastDueSince(loan, a.period, pastDue, a.lastInstalment);
            ICreditLedger.Bucket bucket = ArrearsMath.bucketOf(pastDue, since, block.timestamp, params);
            if (bucket == ICreditLedger.Bucket.Default) {
                _writeOff(loanId, loan, a, o, ar, (block.timestamp - since) / 1 days);
                continue;
            }
            ar.dueAtCheckpoint = uint88(pastDue);
            _reclassify(loanId, loan, ar, bucket, o.principalOutstanding, params);
            _storeLoan(loanId, loan);
            _bookRepay(0, 0, a.rateDelta, a.accrualAdjustment);
        }
    }

    // ---------------------------------------------------------------- configuration

    function setProduct(
        uint8 productId,
        uint8 method,
        uint8 instalments,
        uint16 periodDays,
        bool enabled
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (productId > 15) revert ICreditLedger.ProductIdOutOfRange(productId);
        if (method > ScheduleMath.BULLET || instalments == 0 || periodDays == 0) {
            revert ICreditLedger.InvalidProduct(method, instalments, periodDays);
        }
        if (method == ScheduleMath.BULLET && uint256(instalments) * periodDays > type(uint16).max) {
            revert ICreditLedger.InvalidProduct(method, instalments, periodDays);
        }
        _products[productId] = ICreditLedger.Product(method, instalments, periodDays, enabled);
        emit ICreditLedger.ProductSet(productId, method, instalments, periodDays, enabled);
    }

    function setLine(
        address borrower,
        uint256 limit,
        uint256 aprBps,
        uint32 productMask,
        ICreditLedger.LineStatus status
    ) external onlyRole(UNDERWRITER_ROLE) {
        if (borrower == address(0)) revert ICreditLedger.ZeroAddress();
        if (limit > MAX_LINE) revert ICreditLedger.AmountTooLarge(limit, MAX_LINE);
        if (aprBps > APR_CAP_BPS) revert ICreditLedger.AprAboveCap(aprBps, APR_CAP_BPS);
        if (productMask > type(uint16).max) revert ICreditLedger.ProductIdOutOfRange(16);
        uint256 word = _lines[borrower];
        if (word == 0) _enrol(borrower);
        ICreditLedger.Line memory l = Packing.decodeLine(word);
        l.limit = uint80(limit);
        l.aprBps = uint16(aprBps);
        l.productMask = uint16(productMask);
        l.status = status;
        _lines[borrower] = Packing.encodeLine(l);
        emit ICreditLedger.LineSet(borrower, limit, aprBps, productMask, status);
    }

    function pause() external onlyRole(PAUSER_ROLE) {
        Book memory book = _loadBook();
        if (book.creditPaused) revert ICreditLedger.EnforcedPause();
        book.creditPaused = true;
        _storeBook(book);
        emit ICreditLedger.Paused(msg.sender);
    }

    function unpause() external onlyRole(PAUSER_ROLE) {
        Book memory book = _loadBook();
        if (!book.creditPaused) revert ICreditLedger.ExpectedPause();
        book.creditPaused = false;
        _storeBook(book);
        emit ICreditLedger.Unpaused(msg.sender);
    }

    function setRiskParams(ICreditLedger.RiskParams calldata params) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRiskParams(params);
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
        if (m.cap != 0 && m.cap < amount) amount = m.cap;
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
        emit ICreditLedger.Collected(loanId, paid);
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

    /// @dev Default: write off principal and interest owed (reserve first), remember what recoveries owe whom.
    function _writeOff(
        uint256 loanId,
        ICreditLedger.Loan memory loan,
        LoanMath.Accrual memory a,
        LoanMath.Owed memory o,
        Arrears memory ar,
        uint256 daysLate
    ) internal {
        uint256 interest = o.pastDueInterest + o.currentInterest;
        _reclassify(loanId, loan, ar, ICreditLedger.Bucket.Default, 0, _risk);
        int256 rateDelta = a.rateDelta - int256(uint256(loan.openingBalance) * loan.aprBps);
        _bookRepay(0, 0, 0, a.accrualAdjustment);
        uint256 absorbed = _bookWriteOff(o.principalOutstanding, interest, rateDelta);
        uint256 loss = o.principalOutstanding + interest;
        _writeOffs[loanId] = WriteOff({
            claimLeft: uint88(loss + ar.penalty),
            lenderLossLeft: uint88(loss - absorbed),
            reserveLeft: uint80(absorbed)
        });
        address borrower = _borrowerOf(loanId);
        ICreditLedger.Line memory l = Packing.decodeLine(_lines[borrower]);
        l.outstanding -= uint80(o.principalOutstanding);
        l.status = ICreditLedger.LineStatus.Frozen;
        _lines[borrower] = Packing.encodeLine(l);
        _recordDefault(borrower, o.principalOutstanding, daysLate);
        loan.openingBalance = 0;
        loan.status = ICreditLedger.LoanStatus.Defaulted;
        _storeLoan(loanId, loan);
        emit ICreditLedger.LoanDefaulted(loanId, loss, absorbed, loss - absorbed);
    }

    /// @notice A payment on a written-off loan (the ledger's `repay` routes here): lenders first, then the reserve.
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
}
