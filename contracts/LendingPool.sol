// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ILendingPool} from "./interfaces/ILendingPool.sol";
import {ILedgerBook} from "./interfaces/ILedgerBook.sol";

/// @title LendingPool
/// @notice ERC-4626 shares over the credit ledger's book, with a FIFO redemption queue.
contract LendingPool is ILendingPool, ERC4626, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @inheritdoc ILendingPool
    address public immutable ledger;

    uint256 internal _queuedShares;
    uint256 internal _queueHead;
    uint256 internal _queueTail;
    mapping(uint256 requestId => RedemptionRequest) internal _requests;

    constructor(
        IERC20 asset_,
        string memory name_,
        string memory symbol_,
        address ledger_
    ) ERC4626(asset_) ERC20(name_, symbol_) {
        if (ledger_ == address(0)) revert ZeroAddress();
        ledger = ledger_;
    }

    // ---------------------------------------------------------------- redemption queue

    /// @inheritdoc ILendingPool
    function requestRedeem(uint256 shares) external nonReentrant returns (uint256 requestId) {
        if (shares == 0) revert ZeroShares();
        _transfer(msg.sender, address(this), shares);
        requestId = _queueTail++;
        _requests[requestId] = RedemptionRequest({owner: msg.sender, shares: shares.toUint128()});
        _setQueued(_queuedShares + shares);
        emit RedeemRequested(requestId, msg.sender, shares);
    }

    /// @inheritdoc ILendingPool
    function cancelRedeem(uint256 requestId) external nonReentrant {
        RedemptionRequest memory request = _requests[requestId];
        if (request.owner != msg.sender) revert NotRequestOwner(requestId, msg.sender);
        if (request.shares == 0) revert RequestClosed(requestId);
        delete _requests[requestId];
        _setQueued(_queuedShares - request.shares);
        emit RedeemCancelled(requestId, msg.sender, request.shares);
        _transfer(address(this), msg.sender, request.shares);
    }

    /// @inheritdoc ILendingPool
    function processRedemptions(uint256 maxRequests) external nonReentrant returns (uint256 filled) {
        uint256 head = _queueHead;
        uint256 tail = _queueTail;
        uint256 cashLeft = ILedgerBook(ledger).cash();
        while (filled < maxRequests && head < tail) {
            uint256 requestId = head;
            RedemptionRequest memory request = _requests[requestId];
            if (request.shares == 0) {
                ++head; // cancelled
                continue;
            }
            uint256 shares = request.shares;
            uint256 assets = _convertToAssets(shares, Math.Rounding.Floor);
            bool partFill = assets > cashLeft;
            if (partFill) {
                // Fill with all the cash there is; the request keeps its place at the head of the queue.
                shares = _convertToShares(cashLeft, Math.Rounding.Floor);
                assets = _convertToAssets(shares, Math.Rounding.Floor);
                if (shares == 0) break;
                _requests[requestId].shares = uint128(request.shares - shares);
            } else {
                delete _requests[requestId];
                ++head;
                ++filled;
            }
            cashLeft -= assets;
            _queuedShares -= shares;
            _burn(address(this), shares);
            emit RedeemFilled(requestId, request.owner, shares, assets);
            ILedgerBook(ledger).release(request.owner, assets, true);
            if (partFill) break;
        }
        _queueHead = head;
        _setQueued(_queuedShares);
    }

    // ---------------------------------------------------------------- ERC-4626

    /// @notice Lenders' assets, from the ledger's book: O(1).
    function totalAssets() public view override(ERC4626, IERC4626) returns (uint256) {
        return ILedgerBook(ledger).lenderAssets();
    }

    /// @notice Withdrawable now: the owner's assets, capped by cash available for instant exits.
    function maxWithdraw(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        return Math.min(_convertToAssets(balanceOf(owner), Math.Rounding.Floor), _instant());
    }

    /// @notice Redeemable now: the owner's shares, capped by cash available for instant exits.
    function maxRedeem(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        return Math.min(balanceOf(owner), _convertToShares(_instant(), Math.Rounding.Floor));
    }

    /// @dev Assets go straight to the ledger, which holds the pool's cash.
    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        IERC20(asset()).safeTransferFrom(caller, ledger, assets);
        ILedgerBook(ledger).recordDeposit(assets);
        _mint(receiver, shares);
        emit Deposit(caller, receiver, assets, shares);
    }

    /// @dev The ledger pays the receiver; it refuses to dip into the liquidity reserve or the queue's hold.
    function _withdraw(
        address caller,
        address receiver,
        address owner,
        uint256 assets,
        uint256 shares
    ) internal override {
        if (caller != owner) _spendAllowance(owner, caller, shares);
        _burn(owner, shares);
        emit Withdraw(caller, receiver, owner, assets, shares);
        ILedgerBook(ledger).release(receiver, assets, false);
    }

    /// @dev Virtual shares (10^6 per unit of asset) make a first-deposit inflation attack cost the attacker
    /// a million times what it could steal.
    function _decimalsOffset() internal pure override returns (uint8) {
        return 6;
    }

    // ---------------------------------------------------------------- views

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

    // ---------------------------------------------------------------- internals

    function _instant() internal view returns (uint256) {
        return ILedgerBook(ledger).availableLiquidity();
    }

    /// @dev Tells the ledger how much cash to hold back for the queue: the queued shares' value now, rounded up.
    function _setQueued(uint256 shares) internal {
        _queuedShares = shares;
        ILedgerBook(ledger).setQueueReserve(_convertToAssets(shares, Math.Rounding.Ceil));
    }
}
