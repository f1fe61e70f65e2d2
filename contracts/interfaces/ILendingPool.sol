// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

/// @title ILendingPool
/// @notice The lenders' side of Microcredit: an ERC-4626 vault whose assets are idle cash, principal lent
/// through the credit ledger and interest accrued on it, net of the protocol fee, the first-loss reserve
/// and loss provisions.
/// @dev Accounting never reads `asset.balanceOf(pool)`: cash is tracked internally, so donations change nothing.
/// Interest accrues continuously at the sum of the active loans' rates (`rateSum`), which the ledger updates on
/// every loan event; `totalAssets()` is O(1) whatever the size of the book.
///
/// Assumptions:
/// - The asset is a plain ERC-20: no fee on transfer, no rebasing, no transfer hooks that call back. Such tokens are
///   not supported (a fee-on-transfer token would make internal cash exceed the real balance).
/// - The credit ledger set once by the admin is trusted to report principal and interest truthfully.
///
/// Warning: an instant withdrawal is limited to idle cash above the liquidity reserve and above what queued
/// redemptions are owed; beyond that, lenders join a FIFO queue (`requestRedeem`) filled by `processRedemptions`.
interface ILendingPool is IERC4626 {
    /// @notice A queued redemption: `shares` escrowed by the pool for `owner`, paid out in FIFO order.
    struct RedemptionRequest {
        address owner;
        uint128 shares;
    }

    /// @notice Thrown when a ledger-only entry point is called by anyone else.
    error NotLedger(address caller);
    /// @notice Thrown when the ledger is set a second time.
    error LedgerAlreadySet(address ledger);
    /// @notice Thrown when an address argument is zero.
    error ZeroAddress();
    /// @notice Thrown when a loan would take cash the pool must keep (liquidity reserve and queued redemptions).
    error InsufficientLiquidity(uint256 requested, uint256 available);
    /// @notice Thrown when fee, first-loss and reserve rates are out of bounds.
    error RateOutOfBounds(uint256 bps, uint256 maxBps);
    /// @notice Thrown when a redemption request is queued for zero shares.
    error ZeroShares();
    /// @notice Thrown when someone other than the owner cancels a redemption request.
    error NotRequestOwner(uint256 requestId, address caller);
    /// @notice Thrown when a redemption request is already filled or cancelled.
    error RequestClosed(uint256 requestId);
    /// @notice Thrown when more fees are claimed than have accrued.
    error FeesExceeded(uint256 requested, uint256 owed);

    /// @notice Emitted when the pool recognises interest: `grossInterest` accrued since the last event, of which
    /// `protocolFee` and `firstLossCut` are set aside (all in asset units, rounded down).
    event InterestAccrued(uint256 grossInterest, uint256 protocolFee, uint256 firstLossCut);
    /// @notice Emitted when principal leaves the pool for a loan.
    event Disbursed(address indexed to, uint256 assets);
    /// @notice Emitted when a repayment is booked.
    event RepaymentRecorded(uint256 principal, uint256 interest);
    /// @notice Emitted when a lender queues `shares` for redemption.
    event RedeemRequested(uint256 indexed requestId, address indexed owner, uint256 shares);
    /// @notice Emitted when a queued request is (partly) filled: `shares` burnt for `assets` paid to `owner`.
    event RedeemFilled(uint256 indexed requestId, address indexed owner, uint256 shares, uint256 assets);
    /// @notice Emitted when a request is cancelled and its unfilled `shares` returned.
    event RedeemCancelled(uint256 indexed requestId, address indexed owner, uint256 shares);
    /// @notice Emitted when fee, first-loss and liquidity-reserve rates change.
    event RatesSet(uint256 protocolFeeBps, uint256 firstLossBps, uint256 liquidityReserveBps);
    /// @notice Emitted when accrued protocol fees are paid out.
    event FeesClaimed(address indexed to, uint256 assets);
    /// @notice Emitted once, when the credit ledger is connected.
    event LedgerSet(address ledger);

    /// @notice Connects the credit ledger. Callable once, by the admin.
    function setLedger(address ledger) external;

    /// @notice Sets the protocol fee and first-loss cut (shares of interest) and the liquidity reserve (share of
    /// cash + principal kept idle), all in basis points. Interest accrued so far keeps its old split.
    function setRates(uint256 protocolFeeBps, uint256 firstLossBps, uint256 liquidityReserveBps) external;

    /// @notice Ledger only: sends `assets` of idle cash to `to` as a new loan whose interest accrues at
    /// `rateAdded` (asset units × 1/INTEREST_SCALE per second).
    function disburse(address to, uint256 assets, uint256 rateAdded) external;

    /// @notice Ledger only: books a repayment whose tokens the ledger already moved into the pool, and applies
    /// the loan's accrual correction. `rateDelta` changes the pool's accrual rate; `accrualAdjustment` (1/INTEREST_SCALE
    /// units) trues the pool's recognised interest up to the loan's contractual interest.
    function recordRepayment(uint256 principal, uint256 interest, int256 rateDelta, int256 accrualAdjustment) external;

    /// @notice Ledger only: applies an accrual correction without a payment (used when a loan is touched).
    function adjustAccrual(int256 rateDelta, int256 accrualAdjustment) external;

    /// @notice Escrows `shares` of the caller and queues them for redemption. Returns the request id.
    function requestRedeem(uint256 shares) external returns (uint256 requestId);

    /// @notice Cancels the caller's request `requestId` and returns its unfilled shares.
    function cancelRedeem(uint256 requestId) external;

    /// @notice Fills up to `maxRequests` queued requests in FIFO order with idle cash. Permissionless.
    /// @return filled the number of requests fully filled.
    function processRedemptions(uint256 maxRequests) external returns (uint256 filled);

    /// @notice Pays `assets` of accrued protocol fees to `to`. Admin only.
    function claimFees(address to, uint256 assets) external;

    /// @notice Idle cash held by the pool (internal accounting, not the token balance).
    function cash() external view returns (uint256);

    /// @notice Principal currently lent out.
    function principalOutstanding() external view returns (uint256);

    /// @notice Interest recognised but not yet paid, gross of fee and first-loss cut.
    function interestReceivable() external view returns (uint256);

    /// @notice Sum of the active loans' accrual rates, in asset units × 1/INTEREST_SCALE per second.
    function rateSum() external view returns (uint256);

    /// @notice Protocol fees accrued and not yet claimed.
    function protocolFeesOwed() external view returns (uint256);

    /// @notice The first-loss reserve: interest set aside to absorb losses before lenders.
    function firstLossReserve() external view returns (uint256);

    /// @notice Idle cash available now for new loans and instant withdrawals.
    function availableLiquidity() external view returns (uint256);

    /// @notice Shares waiting in the redemption queue.
    function queuedShares() external view returns (uint256);

    /// @notice A redemption request by id.
    function redemptionRequest(uint256 requestId) external view returns (RedemptionRequest memory);

    /// @notice Ids of the first still-open request and of the next request to be created.
    function queueBounds() external view returns (uint256 head, uint256 tail);
}
