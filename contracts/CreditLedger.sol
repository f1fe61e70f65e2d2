// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ICreditLedger} from "./interfaces/ICreditLedger.sol";
import {IRiskLimits} from "./interfaces/IRiskLimits.sol";
import {ICostDisclosure} from "./interfaces/ICostDisclosure.sol";
import {LedgerCore} from "./base/LedgerCore.sol";
import {LedgerBookApi} from "./base/LedgerBookApi.sol";
import {CollectionModule} from "./modules/CollectionModule.sol";
import {ConfigModule} from "./modules/ConfigModule.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";
import {ScheduleMath} from "./libraries/ScheduleMath.sol";
import {LoanMath} from "./libraries/LoanMath.sol";
import {Packing} from "./libraries/Packing.sol";
import {ArrearsMath} from "./libraries/ArrearsMath.sol";

/// @title CreditLedger
/// @notice Credit lines, loans and their repayment plans, over the book that holds the pool's cash.
contract CreditLedger is ICreditLedger, LedgerBookApi {
    using SafeERC20 for IERC20;
    using TransientSlot for bytes32;
    using TransientSlot for TransientSlot.Uint256Slot;

    /// @notice The module that runs configuration, collection, marking, write-offs and recoveries on this contract's
    /// storage.
    address public immutable collectionModule;
    /// @dev The CollectionModule's ConfigModule, where `fallback` sends calls this contract does not define.
    address private immutable _configModule;

    constructor(IERC20 asset_, address pool_, address admin, address module) LedgerCore(asset_, pool_) {
        if (address(asset_) == address(0) || pool_ == address(0) || admin == address(0) || module == address(0)) {
            revert ZeroAddress();
        }
        collectionModule = module;
        _configModule = CollectionModule(module).configModule();
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

    // Configuration runs in the CollectionModule (this contract would pass the 24 KiB code-size limit); the
    // module checks the roles, on this contract's storage.

    /// @notice Calls this contract does not define (IProductLimits) run in the ConfigModule on this contract's
    /// storage, which checks the caller's role on every entry point that writes. They go straight to the
    /// ConfigModule, never to the CollectionModule, whose draw and recovery steps must only run inside `draw` and
    /// `repay`.
    fallback(bytes calldata data) external returns (bytes memory) {
        return Address.functionDelegateCall(_configModule, data);
    }

    /// @inheritdoc ICreditLedger
    function setProduct(uint8, uint8, uint8, uint16, bool) external {
        _delegate(msg.data);
    }

    /// @inheritdoc ICostDisclosure
    function setProductFee(uint8, uint16) external {
        _delegate(msg.data);
    }

    /// @inheritdoc ICostDisclosure
    function waivePenalty(uint256, uint256, bytes32) external {
        // No guard needed: a waiver moves no tokens and calls nothing outside.
        _delegate(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function setLine(address, uint256, uint256, uint32, LineStatus) external {
        _delegate(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function pause() external {
        _delegate(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function unpause() external {
        _delegate(msg.data);
    }

    /// @inheritdoc IRiskLimits
    function setLimits(Limits calldata) external {
        _delegate(msg.data);
    }

    /// @inheritdoc IRiskLimits
    function tightenLimits(Limits calldata) external {
        _delegate(msg.data);
    }

    /// @inheritdoc IRiskLimits
    function cutLine(address, uint256) external {
        _delegate(msg.data);
    }

    /// @inheritdoc IRiskLimits
    function riskState() external view returns (RiskState memory) {
        // Computed in the ConfigModule (code room): a static call to this contract's `fallback`, which runs it there
        // on this contract's storage; its return data is returned as is (decoding and re-encoding the struct would
        // cost the room this saves).
        (bool ok, bytes memory ret) = address(this).staticcall(abi.encodeCall(ConfigModule.riskStateView, ()));
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            if iszero(ok) {
                revert(add(ret, 32), mload(ret))
            }
            return(add(ret, 32), mload(ret))
        }
    }

    /// @inheritdoc ICreditLedger
    function paused() external view returns (bool) {
        return _loadBook().creditPaused;
    }

    // ---------------------------------------------------------------- borrowing

    /// @inheritdoc ICreditLedger
    function drawTo(uint8 productId, uint256 amount, address recipient) external nonReentrant returns (uint256) {
        return _draw(productId, amount, recipient == address(0) ? msg.sender : recipient);
    }

    /// @inheritdoc ICreditLedger
    function draw(uint8 productId, uint256 amount) external nonReentrant returns (uint256) {
        return _draw(productId, amount, msg.sender);
    }

    /// @inheritdoc ICreditLedger
    function drawWithin(
        uint8 productId,
        uint256 amount,
        address recipient,
        DrawBounds calldata bounds
    ) external nonReentrant returns (uint256 loanId) {
        // The bounds reach the draw's cost check (`admitDraw`) through a transient slot, cleared before returning.
        // Both amounts saturate at their field's largest value, never looser than asked.
        DRAW_BOUNDS_SLOT.asUint256().tstore(
            DRAW_BOUNDS_SET |
                (uint256(bounds.periodDays) << 176) |
                (uint256(bounds.payments) << 168) |
                (uint256(bounds.method) << 160) |
                (_min(bounds.maxAprBps, type(uint32).max) << 128) |
                _min(bounds.minReceived, type(uint128).max)
        );
        loanId = _draw(productId, amount, recipient == address(0) ? msg.sender : recipient);
        DRAW_BOUNDS_SLOT.asUint256().tstore(0);
    }

    /// @inheritdoc ICreditLedger
    function repay(uint256 loanId, uint256 amount) external nonReentrant returns (uint256) {
        if (amount == 0) revert ZeroAmount();
        Loan memory loan = _loadLoan(loanId);
        if (loan.status == LoanStatus.Defaulted) {
            return abi.decode(_delegate(abi.encodeCall(CollectionModule.recover, (loanId, amount))), (uint256));
        }
        if (loan.status != LoanStatus.Active) {
            if (loan.status == LoanStatus.None) revert LoanNotFound(loanId);
            revert LoanAlreadyRepaid(loanId);
        }
        uint256 paid = _settle(loanId, loan, _position(loanId, loan), amount, false);
        asset.safeTransferFrom(msg.sender, address(this), paid);
        return paid;
    }

    // ---------------------------------------------------------------- collection and delinquency

    // ---------------------------------------------------------------- collection and delinquency (CollectionModule)

    /// @inheritdoc ICreditLedger
    function setMandate(uint256) external {
        _delegate(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function setMandateWithPermit(uint256, uint256, uint256, uint8, bytes32, bytes32) external {
        _delegate(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function revokeMandate() external {
        _delegate(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function setMandateFor(address, uint256) external {
        _delegate(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function setKycExpiry(address, uint256) external {
        _delegate(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function setKycRequired(bool) external {
        _delegate(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function collect(uint256[] calldata) external nonReentrant returns (uint256) {
        return abi.decode(_delegate(msg.data), (uint256));
    }

    /// @inheritdoc ICreditLedger
    function mark(uint256[] calldata) external nonReentrant {
        _delegate(msg.data);
    }

    /// @inheritdoc ICreditLedger
    function setRiskParams(RiskParams calldata) external {
        _delegate(msg.data);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ICreditLedger
    function loanState(uint256 loanId) external view returns (LoanView memory v) {
        Loan memory loan = _existing(loanId);
        v.borrower = _borrowerOf(loanId);
        v.status = loan.status;
        v.principal = loan.principal;
        uint256 period = LoanMath.periodSeconds(loan);
        v.maturity = loan.drawnAt + uint256(loan.instalments) * period;
        v.bucket = loan.bucket;
        v.markedBucket = loan.bucket;
        if (loan.status == LoanStatus.Defaulted) {
            v.payoff = _writeOffs[loanId].claimLeft;
            v.bucket = Bucket.Default;
            v.markedBucket = Bucket.Default;
            return v;
        }
        if (loan.status != LoanStatus.Active) return v;
        Position memory p = _position(loanId, loan);
        LoanMath.Accrual memory a = p.a;
        LoanMath.Owed memory o = p.o;
        v.principalOutstanding = o.principalOutstanding;
        v.interestAccrued = o.pastDueInterest + o.currentInterest;
        v.pastDue = p.pastDue;
        v.penalty = p.penalty;
        v.payoff = o.payoff + v.penalty;
        v.pastDueSince = ArrearsMath.pastDueSince(loan, a.period, v.pastDue, a.lastInstalment);
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

    /// @inheritdoc ICreditLedger
    function dueNow(uint256 loanId) external view returns (uint256) {
        return _dueNow(loanId);
    }

    /// @inheritdoc ICreditLedger
    function mandateOf(address borrower) external view returns (bool active, uint256 capPerCollection) {
        Mandate memory m = _mandates[borrower];
        return (m.active, m.cap);
    }

    /// @inheritdoc ICreditLedger
    function riskParams() external view returns (RiskParams memory) {
        return _risk;
    }

    /// @inheritdoc ICreditLedger
    function borrowerCount() external view returns (uint256) {
        return _borrowers.length;
    }

    /// @inheritdoc ICreditLedger
    function borrowerAt(uint256 index) external view returns (address) {
        return _borrowers[index];
    }

    /// @inheritdoc ICreditLedger
    function loanRecord(uint256 loanId) external view returns (Loan memory) {
        return _loadLoan(loanId);
    }

    /// @inheritdoc ICreditLedger
    function lineOf(address borrower) external view returns (LineView memory v) {
        Line memory l = Packing.decodeLine(_lines[borrower]);
        v.limit = l.limit;
        v.outstanding = l.outstanding;
        v.available =
            l.status == LineStatus.Active && l.lateLoans == 0 && l.limit > l.outstanding ? l.limit - l.outstanding : 0;
        v.aprBps = l.aprBps;
        v.productMask = l.productMask;
        v.loanCount = l.loanCount;
        v.status = l.status;
        v.lateLoans = l.lateLoans;
        v.kycExpiresAt = uint256(l.kycExpiryDay) * 1 days;
    }

    /// @inheritdoc ICreditLedger
    function creditHistory(address borrower) external view returns (CreditHistory memory c) {
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

    /// @inheritdoc ICreditLedger
    function kycRequired() external view returns (bool) {
        return _loadBook().kycRequired;
    }

    /// @inheritdoc ICreditLedger
    function product(uint8 productId) external view returns (Product memory) {
        return _products[productId];
    }

    /// @inheritdoc ICreditLedger
    function loanIdOf(address borrower, uint256 n) external pure returns (uint256) {
        return _loanId(borrower, n);
    }

    // ---------------------------------------------------------------- internals

    function _draw(uint8 productId, uint256 amount, address recipient) internal returns (uint256 loanId) {
        Book memory book = _loadBook();
        if (book.creditPaused) revert EnforcedPause();
        if (amount == 0) revert ZeroAmount();
        Line memory l = Packing.decodeLine(_lines[msg.sender]);
        if (l.status != LineStatus.Active) revert LineNotActive(msg.sender, l.status);
        if (l.lateLoans != 0) revert LineFrozenByArrears(msg.sender, l.lateLoans);
        if (l.kycExpiryDay != 0 || book.kycRequired) {
            uint256 kycUntil = uint256(l.kycExpiryDay) * 1 days;
            if (block.timestamp >= kycUntil) revert KycRequiredToDraw(msg.sender, kycUntil);
        }
        if (productId > 15 || (l.productMask >> productId) & 1 == 0) revert ProductNotAllowed(msg.sender, productId);
        Product memory p = _products[productId];
        if (!p.enabled) revert ProductNotEnabled(productId);
        uint256 available = l.limit > l.outstanding ? l.limit - l.outstanding : 0;
        if (amount > available) revert CreditLimitExceeded(amount, available);
        unchecked {
            // amount ≤ limit − outstanding < 2^80; a borrower cannot draw 2^24 loans at gas prices that exist.
            loanId = _loanId(msg.sender, ++l.loanCount);
            l.outstanding += uint80(amount);
        }
        uint256 fee = abi.decode(
            _delegate(
                abi.encodeCall(
                    CollectionModule.admitDraw,
                    (msg.sender, loanId, productId, amount, l.aprBps, l.outstanding, book.cash, book.principal)
                )
            ),
            (uint256)
        );

        (uint8 instalments, uint16 periodDays) = p.method == ScheduleMath.BULLET
            ? (1, p.periodDays * p.instalments)
            : (p.instalments, p.periodDays);
        _lines[msg.sender] = Packing.encodeLine(l);
        _storeLoan(
            loanId,
            Loan({
                drawnAt: uint32(block.timestamp),
                method: p.method,
                instalments: instalments,
                periodDays: periodDays,
                aprBps: l.aprBps,
                principal: uint88(amount),
                openingBalance: uint88(amount),
                checkpoint: uint32(block.timestamp),
                principalPaid: 0,
                interestBalance: 0,
                status: LoanStatus.Active,
                segmentStart: uint32(block.timestamp),
                bucket: Bucket.Current,
                productId: productId
            })
        );
        _bookDisburse(book, amount, amount - fee, amount * l.aprBps);
        emit Drawn(loanId, recipient, productId, amount);
        asset.safeTransfer(recipient, amount - fee);
    }

    /// @dev The single path through which lines open and change; the signed-offer flow will call it too.
    /// @dev Runs `data` in the collection module on this contract's storage, bubbling up its revert.
    function _delegate(bytes memory data) internal override returns (bytes memory) {
        return Address.functionDelegateCall(collectionModule, data);
    }
}
