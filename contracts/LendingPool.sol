// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {ILendingPool} from "./interfaces/ILendingPool.sol";
import {ScheduleMath} from "./libraries/ScheduleMath.sol";

/// @title LendingPool
/// @notice ERC-4626 pool of lenders' funds lent out through the CreditLedger.
contract LendingPool is ILendingPool, ERC4626, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using SafeCast for int256;

    uint256 internal constant BPS = 10_000;
    uint256 internal constant SCALE = ScheduleMath.INTEREST_SCALE;
    /// @notice Upper bound for fee + first-loss cut (share of interest) and for the liquidity reserve.
    uint256 public constant MAX_RATE_BPS = 5_000;

    // Hot state: read and written by every loan event. Packed to touch as few slots as possible.
    uint128 internal _cash;
    uint128 internal _principal;
    /// @dev Cumulative interest recognised since deployment, in 1/SCALE units. A loan left untouched past a due
    /// date keeps accruing at its last period's rate; the ledger trues that up (either way) when the loan is touched.
    uint176 internal _grossScaled;
    uint40 internal _lastAccrual;
    uint128 internal _rateSum;
    /// @dev Cumulative interest paid in, in asset units. Receivable = gross/SCALE − collected.
    uint128 internal _collected;

    // Cold state: rates and the fee/reserve split, checkpointed whenever a rate or balance changes by hand.
    uint16 internal _feeBps;
    uint16 internal _firstLossBps;
    uint16 internal _liquidityBps;
    uint176 internal _grossAtCheckpoint;
    uint128 internal _feesAtCheckpoint;
    uint128 internal _reserveAtCheckpoint;

    uint256 internal _queuedShares;
    uint256 internal _queueHead;
    uint256 internal _queueTail;
    mapping(uint256 requestId => RedemptionRequest) internal _requests;

    address public ledger;

    modifier onlyLedger() {
        if (msg.sender != ledger) revert NotLedger(msg.sender);
        _;
    }

    constructor(
        IERC20 asset_,
        string memory name_,
        string memory symbol_,
        address admin
    ) ERC4626(asset_) ERC20(name_, symbol_) {
        if (admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _lastAccrual = uint40(block.timestamp);
        _setRates(500, 1_000, 500);
    }

    // ---------------------------------------------------------------- admin

    /// @inheritdoc ILendingPool
    function setLedger(address ledger_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (ledger != address(0)) revert LedgerAlreadySet(ledger);
        if (ledger_ == address(0)) revert ZeroAddress();
        ledger = ledger_;
        emit LedgerSet(ledger_);
    }

    /// @inheritdoc ILendingPool
    function setRates(
        uint256 protocolFeeBps,
        uint256 firstLossBps,
        uint256 liquidityReserveBps
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _accrue();
        _setRates(protocolFeeBps, firstLossBps, liquidityReserveBps);
    }

    /// @inheritdoc ILendingPool
    function claimFees(address to, uint256 assets) external onlyRole(DEFAULT_ADMIN_ROLE) nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        _accrue();
        uint256 owed = protocolFeesOwed();
        if (assets > owed) revert FeesExceeded(assets, owed);
        uint256 available = _cash;
        if (assets > available) revert InsufficientLiquidity(assets, available);
        _checkpointSplit(owed - assets, firstLossReserve());
        _cash = uint128(available - assets);
        emit FeesClaimed(to, assets);
        IERC20(asset()).safeTransfer(to, assets);
    }

    // ---------------------------------------------------------------- ledger hooks

    /// @inheritdoc ILendingPool
    function disburse(address to, uint256 assets, uint256 rateAdded) external onlyLedger {
        _accrue();
        uint256 available = availableLiquidity();
        if (assets > available) revert InsufficientLiquidity(assets, available);
        _cash -= uint128(assets);
        _principal += assets.toUint128();
        _rateSum += rateAdded.toUint128();
        emit Disbursed(to, assets);
        IERC20(asset()).safeTransfer(to, assets);
    }

    /// @inheritdoc ILendingPool
    function recordRepayment(
        uint256 principal,
        uint256 interest,
        int256 rateDelta,
        int256 accrualAdjustment
    ) external onlyLedger {
        _accrue();
        _applyAdjustment(rateDelta, accrualAdjustment);
        _cash += (principal + interest).toUint128();
        _principal -= principal.toUint128();
        uint256 collected = _collected + interest;
        _collected = collected.toUint128();
        // Interest is charged rounded up, so a payment can exceed the exact accrual by under one unit per period:
        // recognise that rounding as interest now rather than letting the receivable go negative.
        uint256 floorScaled = collected * SCALE;
        if (floorScaled > _grossScaled) _grossScaled = floorScaled.toUint176();
        emit RepaymentRecorded(principal, interest);
    }

    /// @inheritdoc ILendingPool
    function adjustAccrual(int256 rateDelta, int256 accrualAdjustment) external onlyLedger {
        _accrue();
        _applyAdjustment(rateDelta, accrualAdjustment);
    }

    // ---------------------------------------------------------------- redemption queue

    /// @inheritdoc ILendingPool
    function requestRedeem(uint256 shares) external nonReentrant returns (uint256 requestId) {
        if (shares == 0) revert ZeroShares();
        _transfer(msg.sender, address(this), shares);
        requestId = _queueTail++;
        _requests[requestId] = RedemptionRequest({owner: msg.sender, shares: shares.toUint128()});
        _queuedShares += shares;
        emit RedeemRequested(requestId, msg.sender, shares);
    }

    /// @inheritdoc ILendingPool
    function cancelRedeem(uint256 requestId) external nonReentrant {
        RedemptionRequest memory request = _requests[requestId];
        if (request.owner != msg.sender) revert NotRequestOwner(requestId, msg.sender);
        if (request.shares == 0) revert RequestClosed(requestId);
        delete _requests[requestId];
        _queuedShares -= request.shares;
        emit RedeemCancelled(requestId, msg.sender, request.shares);
        _transfer(address(this), msg.sender, request.shares);
    }

    /// @inheritdoc ILendingPool
    function processRedemptions(uint256 maxRequests) external nonReentrant returns (uint256 filled) {
        _accrue();
        uint256 head = _queueHead;
        uint256 tail = _queueTail;
        IERC20 token = IERC20(asset());
        while (filled < maxRequests && head < tail) {
            uint256 requestId = head;
            RedemptionRequest memory request = _requests[requestId];
            if (request.shares == 0) {
                ++head; // cancelled
                continue;
            }
            uint256 cashNow = _cash;
            uint256 shares = request.shares;
            uint256 assets = _convertToAssets(shares, Math.Rounding.Floor);
            bool partFill = assets > cashNow;
            if (partFill) {
                // Fill with all the cash there is; the request keeps its place at the head of the queue.
                shares = _convertToShares(cashNow, Math.Rounding.Floor);
                assets = _convertToAssets(shares, Math.Rounding.Floor);
                if (shares == 0) break;
                _requests[requestId].shares = uint128(request.shares - shares);
            } else {
                delete _requests[requestId];
                ++head;
                ++filled;
            }
            _queuedShares -= shares;
            _burn(address(this), shares);
            _cash = uint128(cashNow - assets);
            emit RedeemFilled(requestId, request.owner, shares, assets);
            token.safeTransfer(request.owner, assets);
            if (partFill) break;
        }
        _queueHead = head;
    }

    // ---------------------------------------------------------------- ERC-4626

    /// @notice Lenders' assets: cash + principal + interest receivable − protocol fees − first-loss reserve.
    /// @dev O(1): pending interest since the last accrual is `rateSum × elapsed`.
    function totalAssets() public view override(ERC4626, IERC4626) returns (uint256) {
        uint256 gross = _grossNow();
        uint256 receivable = gross / SCALE - _collected;
        uint256 gross_ = _cash + _principal + receivable;
        uint256 claims = _feesAt(gross) + _reserveAt(gross);
        return gross_ > claims ? gross_ - claims : 0;
    }

    /// @notice Withdrawable now: the owner's assets, capped by idle cash available for instant exits.
    function maxWithdraw(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        return Math.min(_convertToAssets(balanceOf(owner), Math.Rounding.Floor), availableLiquidity());
    }

    /// @notice Redeemable now: the owner's shares, capped by idle cash available for instant exits.
    function maxRedeem(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        return Math.min(balanceOf(owner), _convertToShares(availableLiquidity(), Math.Rounding.Floor));
    }

    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        _accrue();
        _cash += assets.toUint128();
        super._deposit(caller, receiver, assets, shares);
    }

    function _withdraw(
        address caller,
        address receiver,
        address owner,
        uint256 assets,
        uint256 shares
    ) internal override {
        _accrue();
        _cash -= assets.toUint128();
        super._withdraw(caller, receiver, owner, assets, shares);
    }

    /// @dev Virtual shares (10^6 per unit of asset) make a first-deposit inflation attack cost the attacker
    /// a million times what it could steal.
    function _decimalsOffset() internal pure override returns (uint8) {
        return 6;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ILendingPool
    function cash() external view returns (uint256) {
        return _cash;
    }

    /// @inheritdoc ILendingPool
    function principalOutstanding() external view returns (uint256) {
        return _principal;
    }

    /// @inheritdoc ILendingPool
    function interestReceivable() external view returns (uint256) {
        return _grossNow() / SCALE - _collected;
    }

    /// @inheritdoc ILendingPool
    function rateSum() external view returns (uint256) {
        return _rateSum;
    }

    /// @inheritdoc ILendingPool
    function protocolFeesOwed() public view returns (uint256) {
        return _feesAt(_grossNow());
    }

    /// @inheritdoc ILendingPool
    function firstLossReserve() public view returns (uint256) {
        return _reserveAt(_grossNow());
    }

    /// @inheritdoc ILendingPool
    function availableLiquidity() public view returns (uint256) {
        uint256 cashNow = _cash;
        uint256 kept = Math.mulDiv(cashNow + _principal, _liquidityBps, BPS, Math.Rounding.Ceil);
        uint256 queued = _queuedShares;
        if (queued != 0) kept += _convertToAssets(queued, Math.Rounding.Ceil);
        return cashNow > kept ? cashNow - kept : 0;
    }

    /// @inheritdoc ILendingPool
    function queuedShares() external view returns (uint256) {
        return _queuedShares;
    }

    /// @inheritdoc ILendingPool
    function redemptionRequest(uint256 requestId) external view returns (RedemptionRequest memory) {
        return _requests[requestId];
    }

    /// @inheritdoc ILendingPool
    function queueBounds() external view returns (uint256 head, uint256 tail) {
        return (_queueHead, _queueTail);
    }

    /// @notice Current protocol fee, first-loss cut and liquidity reserve, in basis points.
    function rates() external view returns (uint256 protocolFeeBps, uint256 firstLossBps, uint256 liquidityReserveBps) {
        return (_feeBps, _firstLossBps, _liquidityBps);
    }

    // ---------------------------------------------------------------- internals

    function _grossNow() internal view returns (uint256) {
        return _grossScaled + _rateSum * (block.timestamp - _lastAccrual);
    }

    function _feesAt(uint256 gross) internal view returns (uint256) {
        return _feesAtCheckpoint + (_sinceCheckpoint(gross) * _feeBps) / (BPS * SCALE);
    }

    function _reserveAt(uint256 gross) internal view returns (uint256) {
        return _reserveAtCheckpoint + (_sinceCheckpoint(gross) * _firstLossBps) / (BPS * SCALE);
    }

    /// @dev Interest recognised since the split was last checkpointed; a downward true-up right after a
    /// checkpoint counts as zero rather than clawing back fees already set aside.
    function _sinceCheckpoint(uint256 gross) internal view returns (uint256) {
        uint256 base = _grossAtCheckpoint;
        return gross > base ? gross - base : 0;
    }

    function _accrue() internal {
        uint256 elapsed = block.timestamp - _lastAccrual;
        if (elapsed == 0) return;
        _lastAccrual = uint40(block.timestamp);
        uint256 rate = _rateSum;
        if (rate == 0) return;
        _grossScaled += (rate * elapsed).toUint176();
    }

    function _applyAdjustment(int256 rateDelta, int256 accrualAdjustment) internal {
        if (rateDelta != 0) _rateSum = (int256(uint256(_rateSum)) + rateDelta).toUint256().toUint128();
        if (accrualAdjustment != 0) {
            _grossScaled = (int256(uint256(_grossScaled)) + accrualAdjustment).toUint256().toUint176();
        }
    }

    function _checkpointSplit(uint256 fees, uint256 reserve) internal {
        _grossAtCheckpoint = _grossScaled;
        _feesAtCheckpoint = fees.toUint128();
        _reserveAtCheckpoint = reserve.toUint128();
    }

    function _setRates(uint256 feeBps, uint256 firstLossBps, uint256 liquidityBps) internal {
        if (feeBps + firstLossBps > MAX_RATE_BPS) revert RateOutOfBounds(feeBps + firstLossBps, MAX_RATE_BPS);
        if (liquidityBps > MAX_RATE_BPS) revert RateOutOfBounds(liquidityBps, MAX_RATE_BPS);
        _checkpointSplit(_feesAt(_grossScaled), _reserveAt(_grossScaled));
        _feeBps = uint16(feeBps);
        _firstLossBps = uint16(firstLossBps);
        _liquidityBps = uint16(liquidityBps);
        emit RatesSet(feeBps, firstLossBps, liquidityBps);
    }
}
