// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ICreditLedger} from "./interfaces/ICreditLedger.sol";
import {IRiskLimits} from "./interfaces/IRiskLimits.sol";
import {IProductLimits} from "./interfaces/IProductLimits.sol";
import {ICostDisclosure} from "./interfaces/ICostDisclosure.sol";
import {LedgerCore} from "./base/LedgerCore.sol";
import {LedgerBookApi} from "./base/LedgerBookApi.sol";
import {IModuleSteps} from "./interfaces/IModuleSteps.sol";
import {LoanMath} from "./libraries/LoanMath.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";
import {ScheduleMath} from "./libraries/ScheduleMath.sol";
import {Packing} from "./libraries/Packing.sol";
import {DisclosureMath} from "./libraries/DisclosureMath.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title CreditLedger
/// @notice Credit lines, loans and their repayment plans, over the book that holds the pool's cash.
contract CreditLedger is ICreditLedger, IProductLimits, LedgerBookApi {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using TransientSlot for bytes32;
    using TransientSlot for TransientSlot.Uint256Slot;

    /// @dev The modules that run on this contract's storage (see `modules`).
    address private immutable _collectionModule;
    address private immutable _delinquencyModule;
    address private immutable _configModule;
    address private immutable _viewModule;

    constructor(
        IERC20 asset_,
        address pool_,
        address admin,
        address collection,
        address delinquency,
        address config,
        address views
    ) LedgerCore(asset_, pool_) {
        if (
            address(asset_) == address(0) ||
            pool_ == address(0) ||
            admin == address(0) ||
            collection == address(0) ||
            delinquency == address(0) ||
            config == address(0) ||
            views == address(0)
        ) revert ZeroAddress();
        _checkModule(collection, asset_);
        _checkModule(delinquency, asset_);
        _checkModule(config, asset_);
        _checkModule(views, asset_);
        _collectionModule = collection;
        _delinquencyModule = delinquency;
        _configModule = config;
        _viewModule = views;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _initBook();
        _setRiskParams(
            RiskParams({
                graceDays: 3,
                defaultDays: 90,
                penaltyMultiplierBps: 15_000,
                provisionM1Bps: 1_000,
                provisionM2Bps: 3_000,
                provisionM3Bps: 6_000
            })
        );
    }

    // ---------------------------------------------------------------- configuration

    // Configuration runs in the ConfigModule (a penalty waiver in the DelinquencyModule), which checks the roles, on
    // this contract's storage. Every entry point is declared here, so this contract's ABI is complete.

    /// @inheritdoc ICreditLedger
    function setProduct(uint8, uint8, uint8, uint16, bool) external {
        _configure(msg.data);
    }

    /// @dev Role changes run in the ConfigModule: the same AccessControl code and checks, on this contract's storage.
    function grantRole(bytes32, address) public override {
        _configure(msg.data);
    }

    /// @dev See `grantRole`.
    function revokeRole(bytes32, address) public override {
        _configure(msg.data);
    }

    /// @dev See `grantRole`.
    function renounceRole(bytes32, address) public override {
        _configure(msg.data);
    }

    /// @inheritdoc ICostDisclosure
    function setProductFee(uint8, uint16) external {
        _configure(msg.data);
    }

    /// @inheritdoc ICostDisclosure
    function waivePenalty(uint256, uint256, bytes32) external {
        // No guard needed: a waiver moves no tokens and calls nothing outside.
        _delegate(_delinquencyModule, msg.data);
    }

    /// @inheritdoc ICreditLedger
    function setLine(address, uint256, uint256, uint32, LineStatus) external {
        _configure(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function pause() external {
        _configure(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function unpause() external {
        _configure(msg.data);
    }

    /// @inheritdoc IRiskLimits
    function setLimits(Limits calldata) external {
        _configure(msg.data);
    }

    /// @inheritdoc IRiskLimits
    function tightenLimits(Limits calldata) external {
        _configure(msg.data);
    }

    /// @inheritdoc IRiskLimits
    function cutLine(address, uint256) external {
        _configure(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function setProductOriginator(uint8, address) external {
        _configure(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function setOriginatorAllowed(address, bool) external {
        _configure(msg.data);
    }

    /// @inheritdoc IProductLimits
    function setProductCap(uint8, uint256) external {
        _configure(msg.data);
    }

    /// @inheritdoc IProductLimits
    function cutProductCap(uint8, uint256) external {
        _configure(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function paused() external view returns (bool) {
        return _loadBook().creditPaused;
    }

    // ---------------------------------------------------------------- borrowing

    /// @inheritdoc ICreditLedger
    function drawTo(uint8 productId, uint256 amount, address recipient) external nonReentrant returns (uint256) {
        return _draw(msg.sender, productId, amount, recipient == address(0) ? msg.sender : recipient);
    }

    /// @inheritdoc ICreditLedger
    function draw(uint8 productId, uint256 amount) external nonReentrant returns (uint256) {
        return _draw(msg.sender, productId, amount, msg.sender);
    }

    /// @inheritdoc ICreditLedger
    function drawWithin(
        uint8 productId,
        uint256 amount,
        address recipient,
        DrawBounds calldata bounds
    ) external nonReentrant returns (uint256 loanId) {
        _setBounds(bounds);
        loanId = _draw(msg.sender, productId, amount, recipient == address(0) ? msg.sender : recipient);
        DRAW_BOUNDS_SLOT.asUint256().tstore(0);
    }

    /// @inheritdoc ICreditLedger
    function originate(
        address borrower,
        uint8 productId,
        uint256 amount,
        address recipient,
        DrawBounds calldata bounds
    ) external nonReentrant returns (uint256 loanId) {
        _setBounds(bounds);
        loanId = _draw(borrower, productId, amount, recipient == address(0) ? borrower : recipient);
        DRAW_BOUNDS_SLOT.asUint256().tstore(0);
    }

    /// @inheritdoc ICreditLedger
    function repay(uint256 loanId, uint256 amount) external nonReentrant returns (uint256) {
        if (amount == 0) revert ZeroAmount();
        Loan memory loan = _loadLoan(loanId);
        LoanStatus status = loan.status; // read once: each read of an enum from memory is range-checked
        if (status != LoanStatus.Active) {
            if (status == LoanStatus.Defaulted) {
                bytes memory data = abi.encodeCall(IModuleSteps.recover, (loanId, amount));
                return abi.decode(_delegate(_delinquencyModule, data), (uint256));
            }
            if (status == LoanStatus.None) revert LoanNotFound(loanId);
            revert LoanAlreadyRepaid(loanId);
        }
        // A loan off its fast path, or one this payment leaves with something past due, is repaid in the
        // DelinquencyModule, which keeps the arrears (the same payment path, with `_afterLatePayment`). An amount at
        // or above what is past due on a loan on its fast path leaves nothing due (a fast position carries no
        // penalty), so it is settled here.
        Position memory p = _position(loanId, loan);
        if (!p.fast || amount < p.pastDue) {
            return
                abi.decode(
                    _delegate(
                        _delinquencyModule,
                        abi.encodeCall(IModuleSteps.repayLate, (loanId, amount, _configModule))
                    ),
                    (uint256)
                );
        }
        uint256 paid = _settle(loanId, loan, p, amount, false);
        asset.safeTransferFrom(msg.sender, address(this), paid);
        return paid;
    }

    // ------------------------------------------------- collection and delinquency (CollectionModule, DelinquencyModule)

    /// @inheritdoc ICreditLedger
    function setMandate(uint256) external {
        _configure(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function setMandateWithPermit(uint256, uint256, uint256, uint8, bytes32, bytes32) external {
        _configure(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function revokeMandate() external {
        _configure(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function setMandateFor(address, uint256) external {
        _configure(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function setKycExpiry(address, uint256) external {
        _configure(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function setKycRequired(bool) external {
        _configure(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function collect(uint256[] calldata) external nonReentrant returns (uint256) {
        return abi.decode(_delegate(_collectionModule, msg.data), (uint256));
    }

    /// @inheritdoc ICreditLedger
    function mark(uint256[] calldata) external nonReentrant {
        _delegate(_delinquencyModule, msg.data);
    }

    /// @inheritdoc ICreditLedger
    function setRiskParams(RiskParams calldata) external {
        _configure(msg.data);
    }

    // ---------------------------------------------------------------- views

    // Loans, lines, products, limits and the book are read through the CreditLens (ICreditLens), which runs each view
    // in the ViewModule on this contract's storage (`extView`). The ledger keeps the views the pool reads.

    /// @inheritdoc ICreditLedger
    function modules() external view returns (address collection, address delinquency, address config, address views) {
        return (_collectionModule, _delinquencyModule, _configModule, _viewModule);
    }

    /// @inheritdoc ICreditLedger
    function extView(bytes calldata) external view returns (bytes memory) {
        _asView(_viewRaw)();
        revert(); // solhint-disable-line reason-string, gas-custom-errors
    }

    // ---------------------------------------------------------------- internals

    /// @dev Deployment only: a module must answer `asset()` with this ledger's asset, so an address with no code, a
    /// contract without `asset()` or a module built over another asset fails here rather than at the first
    /// collection or configuration call (a DELEGATECALL to an address with no code would succeed and do nothing).
    /// It is a check against mistakes, not against a malicious deployer: verify the code at `modules()`.
    function _checkModule(address module, IERC20 asset_) private view {
        (bool ok, bytes memory answer) = module.staticcall(abi.encodeCall(LedgerCore(module).asset, ()));
        if (!ok || answer.length != 32 || bytes32(answer) != bytes32(uint256(uint160(address(asset_))))) {
            revert InvalidModule(module);
        }
    }

    /// @dev The one origination path, on `borrower`'s line: the borrower's own draw when the caller is the borrower,
    /// else a product contract's (`originate`), which must be the product's originator and allowed by the borrower.
    /// (So a product contract cannot originate on its own line. Which path it is comes from the caller, not from an
    /// argument: a literal argument would make the optimizer compile a second copy of this function.)
    function _draw(
        address borrower,
        uint8 productId,
        uint256 amount,
        address recipient
    ) internal returns (uint256 loanId) {
        Book memory book = _loadBook();
        if (book.creditPaused) revert EnforcedPause();
        if (amount == 0) revert ZeroAmount();
        Line memory l = Packing.decodeLine(_lines[borrower]);
        if (l.status != LineStatus.Active) revert LineNotActive(borrower, l.status);
        if (l.lateLoans != 0) revert LineFrozenByArrears(borrower, l.lateLoans);
        if (l.kycExpiryDay != 0 || book.kycRequired) {
            uint256 kycUntil = uint256(l.kycExpiryDay) * 1 days;
            if (block.timestamp >= kycUntil) revert KycRequiredToDraw(borrower, kycUntil);
        }
        if (productId > 15 || (l.productMask >> productId) & 1 == 0) revert ProductNotAllowed(borrower, productId);
        ProductBook memory p = _productBooks[productId];
        if (p.config & PRODUCT_ENABLED == 0) revert ProductNotEnabled(productId);
        if (borrower != msg.sender) {
            address originator = _originators[productId];
            if (originator != msg.sender) revert NotProductOriginator(productId, originator, msg.sender);
            if (!_originatorAllowed[borrower][msg.sender]) revert OriginatorNotAllowed(borrower, msg.sender);
        } else if (p.config & PRODUCT_ORIGINATED != 0) {
            revert NotProductOriginator(productId, _originators[productId], msg.sender);
        }
        uint256 available = l.limit > l.outstanding ? l.limit - l.outstanding : 0;
        if (amount > available) revert CreditLimitExceeded(amount, available);
        unchecked {
            // amount ≤ limit − outstanding < 2^80; a borrower cannot draw 2^24 loans at gas prices that exist.
            loanId = _loanId(borrower, ++l.loanCount);
            l.outstanding += uint80(amount);
        }
        (uint256 apr, uint256 fee, uint256 totalInterest) = _admit(
            borrower,
            productId,
            p,
            amount,
            l.aprBps,
            l.outstanding,
            book
        );

        uint8 method = p.config & PRODUCT_METHOD;
        (uint8 instalments, uint16 periodDays) = method == ScheduleMath.BULLET
            ? (1, p.periodDays * p.instalments)
            : (p.instalments, p.periodDays);
        _lines[borrower] = Packing.encodeLine(l);
        // A new loan is on its plan in its first period, so `_storeLoan` would write word 0 alone, with the period
        // bits and the segment flag clear: written here without its checks. Its segment (opened now on the principal)
        // is derived when it is loaded. Keep in step with `_storeLoan` (LoanStorage.t.sol checks the slots).
        _loans[loanId][0] = Packing.encodeLoanTerms(
            Loan({
                drawnAt: uint32(block.timestamp),
                method: method,
                instalments: instalments,
                periodDays: periodDays,
                aprBps: l.aprBps,
                principal: uint88(amount),
                openingBalance: 0,
                checkpoint: 0,
                principalPaid: 0,
                interestBalance: 0,
                status: LoanStatus.Active,
                segmentStart: 0,
                bucket: Bucket.Current,
                productId: productId,
                aheadFifteenths: 0
            })
        );
        _bookDisburse(book, amount, amount - fee, amount * l.aprBps);
        emit Drawn(loanId, borrower, recipient, productId, amount, apr, fee, totalInterest);
        asset.safeTransfer(recipient, amount - fee);
    }

    /// @dev The draw's checks and its cost, before the draw's own effects: the portfolio limits (IRiskLimits) and the
    /// product's outstanding cap (IProductLimits), then the APR cap on the draw's cost (ICostDisclosure), whose
    /// figures it returns for `Drawn` and whose fee it books to the protocol. `p` is the product's word and `book`
    /// the book as the draw loaded them; `exposureAfter` is the line's principal after the draw. A draw moves cash to
    /// principal, so the base of the shares (cash + principal) is the same after it, plus the fee when there is one.
    /// Writes only the origination bucket, the product's outstanding and, for a fee, the protocol's fee claim. Returns
    /// the cost (`_disclose`): the draw keeps the fee out of what it sends. Under `drawWithin` and `originate` it also
    /// checks the borrower's bounds (`DRAW_BOUNDS_SLOT`).
    function _admit(
        address borrower,
        uint8 productId,
        ProductBook memory p,
        uint256 amount,
        uint256 aprBps,
        uint256 exposureAfter,
        Book memory book
    ) private returns (uint256 apr, uint256 fee, uint256 totalInterest) {
        IRiskLimits.Limits memory lim = Packing.decodeLimits(_limitsWord);
        if (amount < lim.minDraw) revert DrawBelowMinimum(amount, lim.minDraw);
        if (lim.maxDraw != 0 && amount > lim.maxDraw) revert DrawAboveMaximum(amount, lim.maxDraw);
        // The shares are of the book's value, at most what it was before this block's first deposit (`_capitalWord`).
        uint256 principal = book.principal;
        uint256 bookValue = book.cash + principal;
        uint256 flow = _flowWord;
        if (book.depositBlock == uint16(block.number)) {
            uint256 saved = _capitalWord;
            if (saved >> CAPITAL_BLOCK_SHIFT == uint40(block.number)) {
                bookValue = _min(bookValue, uint104(saved >> CAPITAL_BLOCK_VALUE_SHIFT));
            }
        }
        uint256 cap = lim.maxExposure == 0 ? type(uint256).max : lim.maxExposure;
        if (lim.maxExposureBps != 0) cap = _min(cap, (bookValue * lim.maxExposureBps) / BPS);
        if (exposureAfter > cap) revert ExposureCapExceeded(borrower, exposureAfter, cap);
        if (lim.maxUtilisationBps != 0) {
            uint256 maxPrincipal = (bookValue * lim.maxUtilisationBps) / BPS;
            if (principal + amount > maxPrincipal) revert UtilisationCapExceeded(principal + amount, maxPrincipal);
        }
        uint256 late = flow >> FLOW_LATE_SHIFT;
        if (lim.breakerBps != 0 && late * BPS > principal * lim.breakerBps) {
            revert CircuitBreakerTripped(late, principal, lim.breakerBps);
        }
        if (lim.dailyOriginationCap != 0) {
            uint256 level = _originationNow(flow, lim.dailyOriginationCap) + amount;
            if (level > lim.dailyOriginationCap) revert OriginationCapExceeded(level, lim.dailyOriginationCap);
            _flowWord = (late << FLOW_LATE_SHIFT) | (level << 32) | block.timestamp;
        }
        uint256 productAfter = p.outstanding + amount;
        if (p.cap != 0 && productAfter > p.cap) revert ProductCapExceeded(productId, productAfter, p.cap);
        _productBooks[productId].outstanding = productAfter.toUint96();
        return _disclose(p, amount, aprBps, DisclosureMath.aprCapOf(lim.aprCapBps));
    }

    /// @dev The draw's cost in `costUp`'s and `Drawn`'s order (APR including the fee, fee, the plan's total
    /// interest): refused above the APR cap, and its fee booked as a protocol claim funded by the cash the ledger keeps
    /// (capital and claim rise together: the lenders' assets do not move).
    function _disclose(
        ProductBook memory p,
        uint256 amount,
        uint256 aprBps,
        uint256 aprCap
    ) private returns (uint256 apr, uint256 fee, uint256 totalInterest) {
        (apr, fee, totalInterest) = DisclosureMath.costUp(
            p.config & PRODUCT_METHOD,
            p.instalments,
            p.periodDays,
            aprBps,
            p.feeBps,
            amount
        );
        if (apr > aprCap) revert AprAboveCap(apr, aprCap);
        uint256 bounds = DRAW_BOUNDS_SLOT.asUint256().tload();
        if (bounds != 0) _checkBounds(bounds, p, apr, amount - fee);
        if (fee != 0) {
            // Added to the claim's checkpoint, the fee is owed at every later gross without moving the split.
            _feesAtCheckpoint += uint128(fee);
            _addCapital(int256(fee));
        }
    }

    /// @dev The bounds of `drawWithin` or `originate` (`DRAW_BOUNDS_SLOT`) against the draw's APR, what the
    /// recipient receives and the product's plan as the loan is drawn (a bullet product: one payment after the whole
    /// term).
    function _checkBounds(uint256 bounds, ProductBook memory p, uint256 apr, uint256 received) private pure {
        if (apr > uint32(bounds >> 128)) revert AprAboveBound(apr, uint32(bounds >> 128));
        if (received < uint128(bounds)) revert ReceivedBelowMinimum(received, uint128(bounds));
        uint8 method = p.config & PRODUCT_METHOD;
        (uint256 payments, uint256 periodDays) = method == ScheduleMath.BULLET
            ? (1, uint256(p.periodDays) * p.instalments)
            : (uint256(p.instalments), uint256(p.periodDays));
        if (method != uint8(bounds >> 160) || payments != uint8(bounds >> 168) || periodDays != uint16(bounds >> 176))
            revert PlanChanged(method, payments, periodDays);
    }

    /// @dev Hands `bounds` to the draw's cost check (`_admit`) through a transient slot, which the caller clears
    /// after the draw. Both amounts saturate at their field's largest value, never looser than asked.
    function _setBounds(DrawBounds calldata bounds) private {
        DRAW_BOUNDS_SLOT.asUint256().tstore(
            DRAW_BOUNDS_SET |
                (uint256(bounds.periodDays) << 176) |
                (uint256(bounds.payments) << 168) |
                (uint256(bounds.method) << 160) |
                (_min(bounds.maxAprBps, type(uint32).max) << 128) |
                _min(bounds.minReceived, type(uint128).max)
        );
    }

    /// @dev `extView`'s body: runs the `data` argument of this call's calldata in the ViewModule on this contract's
    /// storage and returns its answer as ABI-encoded `bytes` (or its revert as is), with one copy each way. Views cannot
    /// DELEGATECALL, so `extView` reaches it through a function pointer retyped as view (`_asView`): every ViewModule
    /// function only reads (its role setters revert), and under STATICCALL any write fails. Never returns to its caller.
    function _viewRaw() private {
        address views = _viewModule;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // Past the free memory pointer, which nothing reads again: the call never returns to Solidity code.
            let ptr := mload(0x40)
            let data := add(4, calldataload(4))
            let size := calldataload(data)
            calldatacopy(ptr, add(data, 0x20), size)
            let ok := delegatecall(gas(), views, ptr, size, 0, 0)
            size := returndatasize()
            if iszero(ok) {
                returndatacopy(ptr, 0, size)
                revert(ptr, size)
            }
            mstore(ptr, 0x20)
            mstore(add(ptr, 0x20), size)
            returndatacopy(add(ptr, 0x40), 0, size)
            // An answer's length is a multiple of 32 (ABI encoding): no padding to add.
            return(ptr, add(0x40, size))
        }
    }

    function _asView(function() internal f) private pure returns (function() internal view g) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            g := f
        }
    }

    /// @dev A prepayment's fee rebate runs in the ConfigModule (never on an instalment paid when due).
    function _feeRebate(
        uint256 loanId,
        Loan memory loan,
        LoanMath.Accrual memory,
        LoanMath.Owed memory,
        uint256 prepaid
    ) internal override returns (uint256, uint256) {
        return _feeRebateIn(_configModule, loanId, loan, prepaid);
    }

    /// @dev `repay` settles a loan here only on its fast path (`_position`) and for at least what is past due, which
    /// leaves no arrears: a position off it is not classified here, and the arrears step is never reached. Every
    /// other payment runs in the DelinquencyModule (`IModuleSteps.repayLate`), whose `_position` is complete.
    // solhint-disable-next-line no-empty-blocks
    function _classifyLate(uint256, Loan memory, Position memory) internal pure override {}

    /// @dev Never reached here (see `_classifyLate`).
    function _afterLatePayment(uint256, Loan memory, Position memory, uint256, uint256) internal pure override {
        revert(); // solhint-disable-line reason-string, gas-custom-errors
    }

    /// @dev Runs `data` in `module` on this contract's storage, bubbling up its revert.
    function _delegate(address module, bytes memory data) private returns (bytes memory) {
        return Address.functionDelegateCall(module, data);
    }

    /// @dev Runs `data` in the ConfigModule on this contract's storage, bubbling up its revert.
    function _configure(bytes memory data) internal override {
        Address.functionDelegateCall(_configModule, data);
    }
}
