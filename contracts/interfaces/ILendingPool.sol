// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

/// @title ILendingPool
/// @notice The lenders' side of Microcredit: an ERC-4626 vault whose only strategy is the credit ledger. The ledger
/// holds the cash and the loans; this contract holds the shares and the redemption queue.
/// @dev `totalAssets()` is the ledger's `lenderAssets()`: cash + principal + interest receivable, net of the protocol
/// fee and the first-loss reserve. It is O(1) whatever the size of the book, and never reads token balances, so a
/// donation to either contract changes nothing. Virtual shares (10^6 per asset unit) defeat inflation attacks.
///
/// Warning: an instant withdrawal is limited to cash above the liquidity reserve and above what queued redemptions
/// are owed (`maxWithdraw` says how much). Beyond that, lenders queue shares with `requestRedeem`; anyone fills the
/// queue in FIFO order with `processRedemptions` as repayments bring cash back. Queued shares keep earning (and
/// bearing losses) until filled, at the price of the fill.
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

    /// @notice Emitted when a lender queues `shares` for redemption.
    event RedeemRequested(uint256 indexed requestId, address indexed owner, uint256 shares);
    /// @notice Emitted when a queued request is (partly) filled: `shares` burnt for `assets` paid to `owner`.
    event RedeemFilled(uint256 indexed requestId, address indexed owner, uint256 shares, uint256 assets);
    /// @notice Emitted when a request is cancelled and its unfilled `shares` returned.
    event RedeemCancelled(uint256 indexed requestId, address indexed owner, uint256 shares);

    /// @notice The credit ledger that holds this pool's cash and loans; fixed at deployment.
    function ledger() external view returns (address);

    /// @notice Escrows `shares` of the caller and queues them for redemption. Returns the request id.
    function requestRedeem(uint256 shares) external returns (uint256 requestId);

    /// @notice Cancels the caller's request `requestId` and returns its unfilled shares.
    function cancelRedeem(uint256 requestId) external;

    /// @notice Fills up to `maxRequests` queued requests in FIFO order with the ledger's cash. Permissionless.
    /// @return filled the number of requests fully filled.
    function processRedemptions(uint256 maxRequests) external returns (uint256 filled);

    /// @notice Shares waiting in the redemption queue.
    function queuedShares() external view returns (uint256);

    /// @notice A redemption request by id.
    function redemptionRequest(uint256 requestId) external view returns (RedemptionRequest memory);

    /// @notice Id of the first still-open request and of the next request to be created.
    function queueBounds() external view returns (uint256 head, uint256 tail);
}
