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
import {GainMath} from "./libraries/GainMath.sol";

/// @title LendingPool
/// @notice ERC-4626 shares over the credit ledger's book, with step gains unlocking linearly and a FIFO redemption
/// queue whose fills are claimed.
contract LendingPool is ILendingPool, ERC4626, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @inheritdoc ILendingPool
    uint256 public constant GAIN_UNLOCK_PERIOD = 7 days;

    /// @inheritdoc ILendingPool
    address public immutable ledger;

    uint256 internal _queuedShares;
    uint256 internal _queueHead;
    uint256 internal _queueTail;
    mapping(uint256 requestId => RedemptionRequest) internal _requests;
    mapping(address owner => uint256) internal _claimable;
    /// @dev The book at the last sync (`GainMath.Baseline`, packed): every sync rewrites it.
    uint256 internal _baseline;
    /// @dev The gains locked (`GainMath.Lock`, packed): only a step, or a fall that uses locked gains up, rewrites it.
    uint256 internal _lock;

    constructor(
        IERC20 asset_,
        string memory name_,
        string memory symbol_,
        address ledger_
    ) ERC4626(asset_) ERC20(name_, symbol_) {
        if (ledger_ == address(0)) revert ZeroAddress();
        ledger = ledger_;
    }

    // The entry points below sync first (validate → sync → effects → events → interactions). `deposit` and `mint`
    // price on the value the sync read, as `previewDeposit` / `previewMint` do (the whole book, locked gains
    // included), `withdraw` and `redeem` with `totalAssets()` (the book less locked gains).

    // ---------------------------------------------------------------- gains

    /// @inheritdoc ILendingPool
    function sync() external nonReentrant {
        _syncEntry();
    }

    /// @inheritdoc ILendingPool
    function lockedGains() external view returns (uint256) {
        (, , uint256 step, uint256 loss) = _synced();
        return _lockedNow(step, loss);
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
        if (maxRequests == 0) revert ZeroRequests();
        uint256 total = _syncExit();
        uint256 head = _queueHead;
        uint256 end = _queueTail;
        // Every request visited counts, cancelled ones included: a griefer's cancelled entries cost the caller one
        // slot read each, never an unbounded walk.
        if (end - head > maxRequests) end = head + maxRequests;
        // One price for the whole call: every fill burns shares and releases assets in proportion.
        uint256 assetsBase = total + 1;
        uint256 sharesBase = totalSupply() + 10 ** _decimalsOffset();
        uint256 cashLeft = ILedgerBook(ledger).cash();
        uint256 released;
        for (; head < end; ++head) {
            RedemptionRequest memory request = _requests[head];
            if (request.shares == 0) continue; // cancelled
            uint256 shares = request.shares;
            uint256 assets = Math.mulDiv(shares, assetsBase, sharesBase);
            if (assets > cashLeft - released) {
                // Fill with all the cash there is; the request keeps its place at the head of the queue.
                shares = Math.mulDiv(cashLeft - released, sharesBase, assetsBase);
                assets = Math.mulDiv(shares, assetsBase, sharesBase);
                if (shares != 0) {
                    _requests[head].shares = uint128(request.shares - shares);
                    _fill(head, request.owner, shares, assets);
                    released += assets;
                }
                break;
            }
            delete _requests[head];
            ++filled;
            released += assets;
            _fill(head, request.owner, shares, assets);
        }
        _queueHead = head;
        if (released != 0) {
            _moveBaseline(-int256(released));
            ILedgerBook(ledger).release(address(this), released, true);
        }
        // The fills left the price as it was: `totalAssets()` is now `total − released` on the shares left.
        _setQueuedAt(_queuedShares, total - released);
    }

    /// @inheritdoc ILendingPool
    function claim(address receiver) external nonReentrant returns (uint256 assets) {
        if (receiver == address(0)) revert ZeroAddress();
        assets = _claimable[msg.sender];
        if (assets == 0) revert NothingToClaim(msg.sender);
        delete _claimable[msg.sender];
        emit RedeemClaimed(msg.sender, receiver, assets);
        IERC20(asset()).safeTransfer(receiver, assets);
    }

    /// @inheritdoc ILendingPool
    function redeemAvailable(
        uint256 shares,
        address receiver
    ) external nonReentrant returns (uint256 redeemed, uint256 assets) {
        uint256 total = _syncExit();
        redeemed = Math.min(shares, _maxRedeemAt(msg.sender, total));
        if (redeemed == 0) return (0, 0);
        assets = _toAssets(redeemed, total, Math.Rounding.Floor);
        _withdraw(msg.sender, receiver, msg.sender, assets, redeemed);
    }

    // ---------------------------------------------------------------- ERC-4626

    /// @notice Lenders' assets as an exit is paid: the ledger's book less the step gains still locked. O(1).
    function totalAssets() public view override(ERC4626, IERC4626) returns (uint256) {
        (uint256 value, , uint256 step, uint256 loss) = _synced();
        uint256 locked = _lockedNow(step, loss);
        return value > locked ? value - locked : 0;
    }

    /// @notice Shares a deposit of `assets` mints now: priced on the whole book, locked gains included, so a
    /// deposit made after a step buys no part of it at the price before it.
    function previewDeposit(uint256 assets) public view override(ERC4626, IERC4626) returns (uint256) {
        return _sharesIn(assets, _entryAssets());
    }

    /// @notice Assets a mint of `shares` costs now, priced like `previewDeposit`.
    function previewMint(uint256 shares) public view override(ERC4626, IERC4626) returns (uint256) {
        return _assetsIn(shares, _entryAssets());
    }

    /// @notice The most a deposit can add now: the ledger holds the pool's cash in 104 bits, so this is that bound
    /// less the cash it holds (EIP-4626: never more than `deposit` accepts). The same for every receiver.
    function maxDeposit(address) public view override(ERC4626, IERC4626) returns (uint256) {
        return type(uint104).max - ILedgerBook(ledger).cash();
    }

    /// @notice The shares a deposit of `maxDeposit` would mint now.
    function maxMint(address receiver) public view override(ERC4626, IERC4626) returns (uint256) {
        return previewDeposit(maxDeposit(receiver));
    }

    /// @notice ERC-4626 `deposit`, priced as `previewDeposit` on the value the sync reads (one read of the ledger).
    /// The bound of `maxDeposit` is the ledger's own (its cash is 104 bits), which refuses a deposit above it (an
    /// arithmetic panic), so it is not read again here: reading it would cost every deposit about 2,200 gas for a
    /// bound no real token supply reaches. Guarded, as every function that syncs: a token hook inside the pull cannot
    /// sync or exit against a half-recorded deposit.
    function deposit(
        uint256 assets,
        address receiver
    ) public override(ERC4626, IERC4626) nonReentrant returns (uint256 shares) {
        shares = _sharesIn(assets, _syncEntry());
        _deposit(_msgSender(), receiver, assets, shares);
    }

    /// @notice ERC-4626 `mint`, bounded and guarded like `deposit`, priced as `previewMint` on the value the sync
    /// reads.
    function mint(
        uint256 shares,
        address receiver
    ) public override(ERC4626, IERC4626) nonReentrant returns (uint256 assets) {
        assets = _assetsIn(shares, _syncEntry());
        _deposit(_msgSender(), receiver, assets, shares);
    }

    /// @notice Withdrawable now: the owner's assets, capped by cash available for instant exits.
    function maxWithdraw(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        return _maxWithdrawAt(owner, totalAssets());
    }

    /// @notice Redeemable now: the owner's shares, capped by cash available for instant exits.
    function maxRedeem(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        return _maxRedeemAt(owner, totalAssets());
    }

    /// @notice ERC-4626 `withdraw`, priced as `previewWithdraw` on the value its sync read (one read of the ledger).
    /// Guarded like `deposit`: no exit runs inside a deposit's token pull.
    function withdraw(
        uint256 assets,
        address receiver,
        address owner
    ) public override(ERC4626, IERC4626) nonReentrant returns (uint256 shares) {
        uint256 total = _syncExit();
        uint256 maxAssets = _maxWithdrawAt(owner, total);
        if (assets > maxAssets) revert ERC4626ExceededMaxWithdraw(owner, assets, maxAssets);
        shares = _toShares(assets, total, Math.Rounding.Ceil);
        _withdraw(_msgSender(), receiver, owner, assets, shares);
    }

    /// @notice ERC-4626 `redeem`, priced as `previewRedeem` on the value its sync read (one read of the ledger),
    /// guarded as `withdraw`.
    function redeem(
        uint256 shares,
        address receiver,
        address owner
    ) public override(ERC4626, IERC4626) nonReentrant returns (uint256 assets) {
        uint256 total = _syncExit();
        uint256 maxShares = _maxRedeemAt(owner, total);
        if (shares > maxShares) revert ERC4626ExceededMaxRedeem(owner, shares, maxShares);
        assets = _toAssets(shares, total, Math.Rounding.Floor);
        _withdraw(_msgSender(), receiver, owner, assets, shares);
    }

    /// @dev Assets go straight to the ledger, which holds the pool's cash. `deposit` and `mint`, its only callers, have
    /// synced the lock already.
    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        IERC20(asset()).safeTransferFrom(caller, ledger, assets);
        ILedgerBook(ledger).recordDeposit(assets);
        // After the ledger's record, so that baseline and ledger agree at every external call (a token hook reading
        // the pool's views sees the book before the deposit on both sides).
        _moveBaseline(int256(assets));
        _mint(receiver, shares);
        emit Deposit(caller, receiver, assets, shares);
    }

    /// @dev The ledger pays the receiver; it refuses to dip into the liquidity reserve or the queue's hold.
    /// `withdraw`, `redeem` and `redeemAvailable`, its only callers, have synced the lock already.
    function _withdraw(
        address caller,
        address receiver,
        address owner,
        uint256 assets,
        uint256 shares
    ) internal override {
        if (caller != owner) _spendAllowance(owner, caller, shares);
        _burn(owner, shares);
        _moveBaseline(-int256(assets));
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

    /// @inheritdoc ILendingPool
    function claimable(address owner) external view returns (uint256) {
        return _claimable[owner];
    }

    // ---------------------------------------------------------------- internals

    /// @dev The ledger's value now, and the baseline, step and loss a sync now would find (one call to the ledger).
    function _synced()
        internal
        view
        returns (uint256 value, GainMath.Baseline memory base, uint256 step, uint256 loss)
    {
        uint256 gross;
        uint256 penalty;
        (value, gross, penalty) = ILedgerBook(ledger).bookValue();
        (base, step, loss) = GainMath.rebase(GainMath.unpackBaseline(_baseline), value, gross, penalty);
    }

    /// @dev The gains still locked now, after a sync that found `step` or `loss`.
    function _lockedNow(uint256 step, uint256 loss) internal view returns (uint256) {
        (GainMath.Lock memory lock, ) = GainMath.relock(
            GainMath.unpackLock(_lock),
            step,
            loss,
            block.timestamp,
            GAIN_UNLOCK_PERIOD
        );
        return GainMath.lockedUp(lock, block.timestamp);
    }

    /// @dev The book as an entry pays for it: the ledger's value now, locked gains included.
    function _entryAssets() internal view returns (uint256 value) {
        (value, , ) = ILedgerBook(ledger).bookValue();
    }

    /// @dev Shares a deposit of `assets` mints when the ledger's value is `value`, rounded down.
    function _sharesIn(uint256 assets, uint256 value) internal view returns (uint256) {
        return Math.mulDiv(assets, totalSupply() + 10 ** _decimalsOffset(), value + 1, Math.Rounding.Floor);
    }

    /// @dev Assets a mint of `shares` costs when the ledger's value is `value`, rounded up.
    function _assetsIn(uint256 shares, uint256 value) internal view returns (uint256) {
        return Math.mulDiv(shares, value + 1, totalSupply() + 10 ** _decimalsOffset(), Math.Rounding.Ceil);
    }

    /// @dev Syncs and returns `totalAssets()` as of the sync: the value it read less the gains locked now.
    function _syncExit() internal returns (uint256) {
        (uint256 value, uint256 step, uint256 loss) = _syncBaseline();
        GainMath.Lock memory lock = GainMath.unpackLock(_lock);
        if (step != 0 || loss != 0) lock = _relock(lock, step, loss);
        uint256 locked = GainMath.lockedUp(lock, block.timestamp);
        return value > locked ? value - locked : 0;
    }

    /// @dev `maxWithdraw` when `totalAssets()` is `total`.
    function _maxWithdrawAt(address owner, uint256 total) internal view returns (uint256) {
        return Math.min(_toAssets(balanceOf(owner), total, Math.Rounding.Floor), _instant());
    }

    /// @dev `maxRedeem` when `totalAssets()` is `total`.
    function _maxRedeemAt(address owner, uint256 total) internal view returns (uint256) {
        return Math.min(balanceOf(owner), _toShares(_instant(), total, Math.Rounding.Floor));
    }

    /// @dev Assets `shares` are worth when `totalAssets()` is `total` (ERC-4626 `_convertToAssets`).
    function _toAssets(uint256 shares, uint256 total, Math.Rounding rounding) internal view returns (uint256) {
        return Math.mulDiv(shares, total + 1, totalSupply() + 10 ** _decimalsOffset(), rounding);
    }

    /// @dev Shares `assets` are worth when `totalAssets()` is `total` (ERC-4626 `_convertToShares`).
    function _toShares(uint256 assets, uint256 total, Math.Rounding rounding) internal view returns (uint256) {
        return Math.mulDiv(assets, totalSupply() + 10 ** _decimalsOffset(), total + 1, rounding);
    }

    /// @dev Syncs and returns the ledger's value it read, the price of an entry. A sync that finds only interest
    /// (neither a step nor a fall) leaves the lock word unread.
    function _syncEntry() internal returns (uint256 value) {
        uint256 step;
        uint256 loss;
        (value, step, loss) = _syncBaseline();
        if (step != 0 || loss != 0) _relock(GainMath.unpackLock(_lock), step, loss);
    }

    /// @dev Stores the baseline as of now (the same word within a block, but after a change of the book) and returns
    /// the ledger's value it read and the step or loss it found since the last sync.
    function _syncBaseline() private returns (uint256 value, uint256 step, uint256 loss) {
        GainMath.Baseline memory base;
        (value, base, step, loss) = _synced();
        _baseline = GainMath.pack(base);
    }

    /// @dev Applies a sync's `step` or `loss` to `lock`, stores the lock when it moved and announces a step.
    function _relock(
        GainMath.Lock memory lock,
        uint256 step,
        uint256 loss
    ) private returns (GainMath.Lock memory next) {
        bool moved;
        (next, moved) = GainMath.relock(lock, step, loss, block.timestamp, GAIN_UNLOCK_PERIOD);
        if (moved) _lock = GainMath.pack(next);
        if (step != 0) emit GainLocked(step, next.locked, next.end);
    }

    /// @dev Moves the baseline's value by what entered (`delta` > 0) or left the book outside a sync.
    function _moveBaseline(int256 delta) private {
        GainMath.Baseline memory base = GainMath.unpackBaseline(_baseline);
        base.lastAssets = uint256(int256(uint256(base.lastAssets)) + delta).toUint128(); // a fall below 0 reverts
        _baseline = GainMath.pack(base);
    }

    /// @dev Burns a fill's escrowed shares and credits its assets to the owner's claimable balance.
    function _fill(uint256 requestId, address owner, uint256 shares, uint256 assets) internal {
        _queuedShares -= shares;
        _burn(address(this), shares);
        _claimable[owner] += assets;
        emit RedeemFilled(requestId, owner, shares, assets);
    }

    function _instant() internal view returns (uint256) {
        return ILedgerBook(ledger).availableLiquidity();
    }

    /// @dev Tells the ledger how much cash to hold back for the queue: the queued shares' value now, rounded up.
    function _setQueued(uint256 shares) internal {
        _setQueuedAt(shares, totalAssets());
    }

    /// @dev `_setQueued` when `totalAssets()` is `total`.
    function _setQueuedAt(uint256 shares, uint256 total) internal {
        _queuedShares = shares;
        ILedgerBook(ledger).setQueueReserve(_toAssets(shares, total, Math.Rounding.Ceil));
    }
}
