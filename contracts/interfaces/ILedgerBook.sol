// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ILedgerBook
/// @notice The credit book: the pool's cash and the loans it funds, valued in O(1).
/// @dev The CreditLedger holds the asset (the pool is an ERC-4626 vault whose only strategy is the ledger) so a draw
/// or a repayment touches one contract: no cross-contract call on the borrower's hot path.
///
/// Accounting identity. With `capital` = cash + principal − interest collected (it moves only with deposits,
/// withdrawals, claims paid, losses and origination fees, which raise capital and the protocol's claim together)
/// and `gross` = interest recognised since deployment:
///     lenderAssets = capital + gross − protocol fees − max(first-loss reserve, provisions) − interest written off
/// which, with no loan late or written off, equals cash + principal + interest receivable − claims. Provisions are
/// charged to the first-loss reserve first, as write-offs are. Interest is recognised continuously at `rateSum`,
/// the sum of active loans' per-second rates; each loan event trues the book up to the loan's contract.
///
/// Assumptions:
/// - The asset is a plain ERC-20: no fee on transfer, no rebasing, no callbacks. Others are not supported.
/// - Book size: the sum over active loans of `principal × aprBps` stays below 2^88 (for a 6-decimals asset at 24% APR,
///   about 2.6e17 tokens); beyond that a draw reverts and nothing is corrupted.
///
/// Warning: cash above the liquidity reserve and the queued redemptions is all that can leave instantly; a loan may
/// not take cash below that line either.
interface ILedgerBook {
    /// @notice Thrown when a pool-only entry point is called by anyone else.
    error NotPool(address caller);
    /// @notice Thrown when cash would go below what must stay (liquidity reserve and queued redemptions).
    error InsufficientLiquidity(uint256 requested, uint256 available);
    /// @notice Thrown when fee, first-loss and reserve rates are out of bounds.
    error RateOutOfBounds(uint256 bps, uint256 maxBps);
    /// @notice Thrown when more fees are claimed than are claimable: accrued, less the fee share of the interest
    /// receivable and what fee rebates may still need.
    error FeesExceeded(uint256 requested, uint256 claimable);

    /// @notice Emitted when fee, first-loss and liquidity-reserve rates change.
    event RatesSet(uint256 protocolFeeBps, uint256 firstLossBps, uint256 liquidityReserveBps);
    /// @notice Emitted when accrued protocol fees are paid out.
    event FeesClaimed(address indexed to, uint256 assets);

    /// @notice The ERC-4626 pool whose shares own this book; fixed at deployment.
    function pool() external view returns (address);

    /// @notice Pool only: books `assets` the pool just moved into the ledger for a lender's deposit.
    function recordDeposit(uint256 assets) external;

    /// @notice Pool only: pays `assets` of cash to `to` for a withdrawal. `fromQueue` lets a queued redemption use
    /// the cash held back for the queue; an instant withdrawal may only use `availableLiquidity()`.
    function release(address to, uint256 assets, bool fromQueue) external;

    /// @notice Pool only: sets the cash held back for queued redemptions (their value in assets).
    function setQueueReserve(uint256 assets) external;

    /// @notice Sets the protocol fee and first-loss cut (shares of interest) and the liquidity reserve (share of
    /// cash + principal kept idle), in basis points. Interest recognised so far keeps its old split, but for a cut of
    /// the protocol fee: the fee on interest still receivable falls to the new rate at once (a write-off takes it
    /// back at the rate in force, and `claimFees` holds it back at that rate), never below what that and the open
    /// loans' fee rebates need. Admin only.
    function setRates(uint256 protocolFeeBps, uint256 firstLossBps, uint256 liquidityReserveBps) external;

    /// @notice Pays `assets` of accrued protocol fees to `to`. Admin only. At most `availableLiquidity()`
    /// (`InsufficientLiquidity`): the liquidity reserve and the redemption queue's hold are the lenders'. At most the
    /// fees owed less the fee share, at the protocol fee in force, of the interest still receivable (fees are earned
    /// on interest received: a write-off takes that share back) and less what the open loans' fee rebates may still
    /// need (each fee product's fee on its principal outstanding), else `FeesExceeded(assets, claimable)`.
    function claimFees(address to, uint256 assets) external;

    /// @notice Idle cash held by the book (internal accounting, never the token balance).
    function cash() external view returns (uint256);

    /// @notice `lenderAssets()`, `grossInterest()` and `penaltyIncome()` in one call: what the pool reads to price
    /// shares and sync its gain lock (one call, and an early selector, instead of three).
    function bookValue() external view returns (uint256 assets, uint256 gross, uint256 penalty);

    /// @notice Cash available now for new loans and instant withdrawals.
    function availableLiquidity() external view returns (uint256);
}
