// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {LedgerCore} from "../base/LedgerCore.sol";
import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {ILedgerBook} from "../interfaces/ILedgerBook.sol";
import {IRiskLimits} from "../interfaces/IRiskLimits.sol";
import {ICostDisclosure} from "../interfaces/ICostDisclosure.sol";
import {IProductLimits} from "../interfaces/IProductLimits.sol";
import {DisclosureMath} from "../libraries/DisclosureMath.sol";
import {LoanMath} from "../libraries/LoanMath.sol";
import {Packing} from "../libraries/Packing.sol";
import {ScheduleMath} from "../libraries/ScheduleMath.sol";

/// @title ConfigModule
/// @notice The CreditLedger's configuration: auto-debit mandates, products (their fees, originators and outstanding
/// caps), borrowers' consents to originators, lines, KYC expiry and requirement, pause, delinquency parameters,
/// portfolio limits (and the risk role's tightening), pool rates and fee claims; and one inner step of `repay`, off
/// its hot path: a prepayment's fee rebate.
/// @dev Runs by DELEGATECALL from the ledger's configuration functions, on the ledger's storage. Never on a hot path,
/// so it is compiled for size (200 optimizer runs, `hardhat.config.ts`). Its views are the ViewModule's. Called
/// directly it acts on its own empty storage and can do no harm. Every entry point that writes checks its role
/// (`setOriginatorAllowed` is the borrower's own: it writes only the caller's consent).
contract ConfigModule is LedgerCore {
    using SafeERC20 for IERC20;

    /// @dev The draw on which a product's fee-only APR is measured (`_checkFeeApr`): 10^12 base units.
    uint256 private constant FEE_PROBE_AMOUNT = 1e12;

    constructor(IERC20 asset_) LedgerCore(asset_, address(0)) {}

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

    // ---------------------------------------------------------------- mandates

    function setMandate(uint256 capPerCollection) public {
        _setMandate(msg.sender, capPerCollection);
    }

    function setMandateFor(address borrower, uint256 capPerCollection) external onlyRole(UNDERWRITER_ROLE) {
        if (borrower == address(0)) revert ICreditLedger.ZeroAddress();
        _setMandate(borrower, capPerCollection);
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
        ProductBook storage b = _productBooks[productId];
        uint16 feeBps = b.feeBps;
        ICreditLedger.Product memory p = ICreditLedger.Product(
            method,
            instalments,
            periodDays,
            enabled,
            feeBps,
            address(0)
        );
        // A product can always be disabled, even if a lowered cap now binds its fee.
        if (feeBps != 0 && enabled) _checkFeeApr(p);
        b.periodDays = periodDays;
        b.instalments = instalments;
        b.config = (b.config & PRODUCT_ORIGINATED) | method | (enabled ? PRODUCT_ENABLED : 0);
        emit ICreditLedger.ProductSet(productId, method, instalments, periodDays, enabled);
    }

    function setProductOriginator(uint8 productId, address originator) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_product(productId).instalments == 0) revert ICreditLedger.InvalidProduct(0, 0, 0); // not configured
        ProductBook storage b = _productBooks[productId];
        _originators[productId] = originator;
        b.config = (b.config & ~PRODUCT_ORIGINATED) | (originator != address(0) ? PRODUCT_ORIGINATED : 0);
        emit ICreditLedger.ProductOriginatorSet(productId, originator);
    }

    function setOriginatorAllowed(address originator, bool allowed) external {
        if (originator == address(0)) revert ICreditLedger.ZeroAddress();
        _originatorAllowed[msg.sender][originator] = allowed;
        emit ICreditLedger.OriginatorAllowed(msg.sender, originator, allowed);
    }

    function setProductCap(uint8 productId, uint256 cap) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setProductCap(productId, cap);
    }

    function cutProductCap(uint8 productId, uint256 cap) external onlyRole(RISK_ROLE) {
        _noRaise(9, _productBook(productId).cap, cap);
        _setProductCap(productId, cap);
    }

    function _setProductCap(uint8 productId, uint256 cap) private {
        ProductBook storage b = _productBook(productId);
        if (b.instalments == 0) revert ICreditLedger.InvalidProduct(0, 0, 0); // not configured: every term is zero
        if (cap > type(uint112).max) revert IRiskLimits.InvalidLimits();
        emit IProductLimits.ProductCapSet(productId, b.cap, cap, msg.sender);
        b.cap = uint112(cap);
    }

    /// @dev The most the open loans' fee rebates can still give back: per product, its fee on its principal
    /// outstanding (a loan's rebates never add up to more than its fee share of the principal they retire).
    function _rebatesHeld() private view returns (uint256 held) {
        for (uint256 id = 0; id < 16; ++id) {
            ProductBook storage b = _productBooks[id];
            uint256 feeBps = b.feeBps;
            if (feeBps != 0) held += DisclosureMath.feeDown(b.outstanding, feeBps);
        }
    }

    function _productBook(uint8 productId) private view returns (ProductBook storage) {
        if (productId > 15) revert ICreditLedger.ProductIdOutOfRange(productId);
        return _productBooks[productId];
    }

    function setProductFee(uint8 productId, uint16 feeBps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        ICreditLedger.Product memory p = _product(productId);
        if (p.instalments == 0) revert ICreditLedger.InvalidProduct(p.method, p.instalments, p.periodDays);
        if (feeBps > MAX_FEE_BPS) revert ICostDisclosure.FeeTooHigh(feeBps, MAX_FEE_BPS);
        ProductBook storage b = _productBooks[productId];
        uint256 outstanding = b.outstanding;
        if (feeBps != p.feeBps && outstanding != 0) revert ICostDisclosure.ProductFeeLocked(productId, outstanding);
        p.feeBps = feeBps;
        _checkFeeApr(p);
        b.feeBps = feeBps;
        emit ICostDisclosure.ProductFeeSet(productId, feeBps);
    }

    /// @dev A prepayment's fee rebate (LedgerCore._feeRebate), for the ledger's repayment (not one of its functions:
    /// reachable only by the ledger's own DELEGATECALL from `repay`, directly or through the DelinquencyModule's
    /// `repayLate`, neither of which has stored the loan yet, so its stored copy is the one before the payment).
    /// Called on the module directly, it reads the module's empty storage and reverts.
    function feeRebate(uint256 loanId, uint256 prepaid) external returns (uint256 rebate, uint256 excess) {
        ICreditLedger.Loan memory loan = _loadLoan(loanId);
        LoanMath.Accrual memory a = LoanMath.roll(loan, block.timestamp);
        return _feeRebate(loanId, loan, a, LoanMath.owed(loan, a, block.timestamp), prepaid);
    }

    /// @dev A product whose fee alone (contract APR 0) puts its APR above the cap cannot be configured. Measured on
    /// a draw of FEE_PROBE_AMOUNT, large enough that rounding to the base unit does not move the APR; a draw also
    /// pays its line's contract APR and is checked again in full (the ledger's `_admit`).
    function _checkFeeApr(ICreditLedger.Product memory p) private view {
        uint256 cap = DisclosureMath.aprCapOf(Packing.decodeLimits(_limitsWord).aprCapBps);
        uint256 apr = DisclosureMath
            .discloseUp(p.method, p.instalments, p.periodDays, 0, p.feeBps, FEE_PROBE_AMOUNT)
            .aprBps;
        if (apr > cap) revert ICreditLedger.AprAboveCap(apr, cap);
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
        uint256 aprCap = DisclosureMath.aprCapOf(Packing.decodeLimits(_limitsWord).aprCapBps);
        if (aprBps > aprCap) revert ICreditLedger.AprAboveCap(aprBps, aprCap);
        if (productMask > type(uint16).max) revert ICreditLedger.ProductIdOutOfRange(16);
        uint256 word = _lines[borrower];
        ICreditLedger.Line memory l = Packing.decodeLine(word);
        // Pause stops new credit: no line opens, even for a borrower whose KYC expiry is already recorded in the line
        // word (status None). Existing lines can still be changed, e.g. cut or frozen.
        if (l.status == ICreditLedger.LineStatus.None && _loadBook().creditPaused) {
            revert ICreditLedger.EnforcedPause();
        }
        if (word == 0) _enrol(borrower);
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

    // ---------------------------------------------------------------- portfolio limits (IRiskLimits)

    function setLimits(IRiskLimits.Limits calldata limits) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setLimits(limits);
    }

    function tightenLimits(IRiskLimits.Limits calldata limits) external onlyRole(RISK_ROLE) {
        IRiskLimits.Limits memory old = Packing.decodeLimits(_limitsWord);
        if (limits.minDraw < old.minDraw) revert IRiskLimits.LimitRaiseNotAllowed(0, old.minDraw, limits.minDraw);
        _noRaise(1, old.maxDraw, limits.maxDraw);
        _noRaise(2, old.maxExposure, limits.maxExposure);
        _noRaise(3, old.dailyOriginationCap, limits.dailyOriginationCap);
        _noRaise(4, old.maxExposureBps, limits.maxExposureBps);
        _noRaise(5, old.maxUtilisationBps, limits.maxUtilisationBps);
        _noRaise(6, old.breakerBps, limits.breakerBps);
        if (DisclosureMath.aprCapOf(limits.aprCapBps) > DisclosureMath.aprCapOf(old.aprCapBps)) {
            revert IRiskLimits.LimitRaiseNotAllowed(8, old.aprCapBps, limits.aprCapBps);
        }
        _setLimits(limits);
    }

    function cutLine(address borrower, uint256 newLimit) external onlyRole(RISK_ROLE) {
        ICreditLedger.Line memory l = Packing.decodeLine(_lines[borrower]);
        if (newLimit > l.limit) revert IRiskLimits.LimitRaiseNotAllowed(7, l.limit, newLimit);
        emit IRiskLimits.LineLimitCut(borrower, l.limit, newLimit, msg.sender);
        l.limit = uint80(newLimit);
        _lines[borrower] = Packing.encodeLine(l);
    }

    /// @dev A cap (0 = none) may only go down, and never from a value to "none".
    function _noRaise(uint8 field, uint256 current, uint256 requested) private pure {
        uint256 none = type(uint256).max;
        if ((requested == 0 ? none : requested) > (current == 0 ? none : current)) {
            revert IRiskLimits.LimitRaiseNotAllowed(field, current, requested);
        }
    }

    function _setLimits(IRiskLimits.Limits calldata limits) private {
        if (
            limits.maxExposureBps > BPS ||
            limits.maxUtilisationBps > BPS ||
            limits.breakerBps > BPS ||
            limits.aprCapBps > BPS ||
            (limits.maxDraw != 0 && limits.minDraw > limits.maxDraw)
        ) revert IRiskLimits.InvalidLimits();
        _limitsWord = Packing.encodeLimits(limits);
        emit IRiskLimits.LimitsSet(limits, msg.sender);
    }

    // ---------------------------------------------------------------- pool rates and fees (ILedgerBook)

    function setRates(
        uint256 protocolFeeBps,
        uint256 firstLossBps,
        uint256 liquidityReserveBps
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        // `_setRates` accrues; only a fee cut reads the rebates' hold, a walk over the 16 product words.
        uint256 held = protocolFeeBps < _split.feeBps ? _rebatesHeld() : 0;
        _setRates(protocolFeeBps, firstLossBps, liquidityReserveBps, held);
    }

    function claimFees(address to, uint256 assets) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 gross = _accrue();
        uint256 owed = _feesAt(gross);
        Book memory book = _loadBook();
        // Fees are earned on interest received: the fee share of interest still receivable stays back (a write-off
        // takes it back), and so does what the open loans' fee rebates may need.
        uint256 held = _rebatesHeld() + ScheduleMath.divUp(_receivableAt(gross, book) * _split.feeBps, BPS);
        uint256 claimable = owed > held ? owed - held : 0;
        if (assets > claimable) revert ILedgerBook.FeesExceeded(assets, claimable);
        // Only cash above the liquidity reserve and the redemption queue's hold: lenders waiting come first.
        uint256 available = _available(book);
        if (assets > available) revert ILedgerBook.InsufficientLiquidity(assets, available);
        _checkpointSplit(gross, owed - assets, _reserveAt(gross));
        book.cash = uint104(book.cash - assets);
        _storeBook(book);
        // Paying a claim reduces capital and the claim alike: lenders' assets do not move.
        _addCapital(-int256(assets));
        emit ILedgerBook.FeesClaimed(to, assets);
        asset.safeTransfer(to, assets);
    }
}
