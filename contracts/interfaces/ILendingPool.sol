// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

/// @title ILendingPool
/// @notice The lenders' side of Microcredit: an ERC-4626 vault whose only strategy is the credit ledger. The ledger
/// holds the cash and the loans; this contract holds the shares and the redemption queue.
/// @dev `totalAssets()` is the ledger's `lenderAssets()`: cash + principal + interest receivable, net of the protocol
/// fee, of the larger of the first-loss reserve and the provisions on late loans, and of interest written off. It is
/// O(1) whatever the size of the book, and never reads token balances, so a donation to either contract changes
/// nothing. Virtual shares (10^6 per asset unit) defeat inflation attacks.
///
/// Gains unlock, losses do not wait. `totalAssets()` (the price of exits: withdraw, redeem, queue fills) is the
/// ledger's `lenderAssets()` minus gains still locked; deposits and mints are priced on `lenderAssets()` itself, so
/// nobody buys a locked gain at the price before it. Interest counts at once: the rise of the ledger's
/// `grossInterest()` since the last sync, less the penalty paid meanwhile (`penaltyIncome()`).
/// Any other rise of `lenderAssets()` (a provision released on cure, a recovery, penalty paid) is a step, and steps
/// unlock linearly over `GAIN_UNLOCK_PERIOD`. A step that arrives while others are unlocking joins them, and the whole
/// then unlocks by the amount-weighted mean of the two ends (`GainMath.relock`): a small step moves the end by its
/// weight only, so dust steps, which anyone can make (1 unit of a recovery or of penalty), cannot hold back gains the
/// lenders earned (they hold back fewer units than `GAIN_UNLOCK_PERIOD` has seconds); in exchange a step timed
/// against a lock that is ending unlocks faster than the period (at worst in about `2 × period × √(step / lock)`).
/// A fall uses up locked gains first, then lowers `totalAssets()`.
///
/// So nobody can deposit before a step and redeem after it, in one transaction or one block, nor deposit after it at
/// the old price, and take a share of a gain the lenders already in the pool earned; and nobody can exit ahead of a
/// loss already booked. Cost to honest lenders: one who exits (or whose queued request is filled) while a step is
/// unlocking leaves its locked part to those who stay, and a deposit made while a step is unlocking is worth less
/// on exit than it paid until the step has unlocked.
///
/// Warning: an instant withdrawal is limited to cash above the liquidity reserve and above what queued redemptions
/// are owed (`maxWithdraw` says how much). Beyond that, lenders queue shares with `requestRedeem`; anyone fills the
/// queue in FIFO order with `processRedemptions` as repayments bring cash back. Queued shares keep earning (and
/// bearing losses) until filled, at the price of the fill. A fill moves its assets to the pool as the owner's
/// claimable balance, which the owner takes with `claim` (pull): an owner the token refuses to pay never blocks the
/// queue or holds cash back from others. `maxRedeem` and `maxWithdraw` can fall from one block to the next (interest
/// accrues each second and the queue fills); `redeemAvailable` redeems what can leave at execution instead.
interface ILendingPool is IERC4626 {
    /// @notice A queued redemption: `shares` escrowed by the pool for `owner`.
    struct RedemptionRequest {
        address owner;
        uint128 shares;
    }

    /// @notice Thrown when an address argument is zero.
    error ZeroAddress();
    /// @notice Thrown when a redemption request is queued for zero shares.
    error ZeroShares();
    /// @notice Thrown when someone other than the owner cancels a redemption request.
    error NotRequestOwner(uint256 requestId, address caller);
    /// @notice Thrown when a redemption request is already filled or cancelled.
    error RequestClosed(uint256 requestId);
    /// @notice Thrown when `processRedemptions` is asked to visit no request.
    error ZeroRequests();
    /// @notice Thrown when the caller has nothing to claim.
    error NothingToClaim(address owner);

    /// @notice Emitted when a lender queues `shares` for redemption.
    event RedeemRequested(uint256 indexed requestId, address indexed owner, uint256 shares);
    /// @notice Emitted when a queued request is (partly) filled: `shares` burnt for `assets` that `owner` can now
    /// `claim`.
    event RedeemFilled(uint256 indexed requestId, address indexed owner, uint256 shares, uint256 assets);
    /// @notice Emitted when `owner` takes `assets` of filled redemptions, paid to `receiver`.
    event RedeemClaimed(address indexed owner, address indexed receiver, uint256 assets);
    /// @notice Emitted when a sync finds a step gain: `locked` is what is still locked after it, unlocking linearly
    /// until `unlockEnd`.
    event GainLocked(uint256 step, uint256 locked, uint256 unlockEnd);
    /// @notice Emitted when a request is cancelled and its unfilled `shares` returned.
    event RedeemCancelled(uint256 indexed requestId, address indexed owner, uint256 shares);

    /// @notice The credit ledger that holds this pool's cash and loans; fixed at deployment.
    function ledger() external view returns (address);

    /// @notice Escrows `shares` of the caller and queues them for redemption. Returns the request id.
    function requestRedeem(uint256 shares) external returns (uint256 requestId);

    /// @notice Cancels the caller's request `requestId` and returns its unfilled shares.
    function cancelRedeem(uint256 requestId) external;

    /// @notice Visits up to `maxRequests` queued requests in FIFO order and fills them with the ledger's cash; the
    /// assets of each fill become the owner's claimable balance. Permissionless. Cancelled requests count as visited,
    /// so a call's cost is bounded by `maxRequests` whatever the queue holds, and the head moves past every request
    /// visited.
    /// @return filled the number of requests fully filled.
    function processRedemptions(uint256 maxRequests) external returns (uint256 filled);

    /// @notice Pays the caller's claimable balance (filled redemptions) to `receiver`. Returns the assets paid.
    function claim(address receiver) external returns (uint256 assets);

    /// @notice Redeems as many of the caller's shares as can leave now (at most `shares`), so that a call prepared
    /// from `maxRedeem` one block earlier cannot revert because the figure moved. Returns the shares redeemed and the
    /// assets paid to `receiver`.
    function redeemAvailable(uint256 shares, address receiver) external returns (uint256 redeemed, uint256 assets);

    /// @notice Records the ledger's value now and locks any step gain since the last sync. Permissionless; every
    /// deposit, withdrawal and queue fill does it first. A sync after a loss is booked (a `mark`) lets the pool
    /// tell a later cure from the loss: without one, a provision booked and released between two syncs nets out.
    function sync() external;

    /// @notice Assets of filled redemptions waiting for `owner` to claim them.
    function claimable(address owner) external view returns (uint256);

    /// @notice Step gains still locked now (already left out of `totalAssets()`).
    function lockedGains() external view returns (uint256);

    /// @notice Seconds over which a step gain unlocks.
    function GAIN_UNLOCK_PERIOD() external view returns (uint256);

    /// @notice Shares waiting in the redemption queue.
    function queuedShares() external view returns (uint256);

    /// @notice A redemption request by id.
    function redemptionRequest(uint256 requestId) external view returns (RedemptionRequest memory);

    /// @notice Id of the first still-open request and of the next request to be created.
    function queueBounds() external view returns (uint256 head, uint256 tail);
}
