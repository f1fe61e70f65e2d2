// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "./ICreditLedger.sol";
import {IRiskLimits} from "./IRiskLimits.sol";

/// @title ICreditLens
/// @notice Every read of a CreditLedger's loans, lines, products, limits and book that the ledger itself does not
/// need on chain. A periphery contract with no state: each view but `ledger()` and `loanIdOf` (answered here) runs,
/// unchanged, in the ledger's ViewModule on the ledger's storage (`ICreditLedger.extView`), so an answer here is the
/// ledger's own, at the same block.
/// @dev The ledger keeps what the pool and the entry points use (`bookValue`, `cash`, `availableLiquidity`, `pool`,
/// `paused`, the roles): every function the ledger does not have is one fewer comparison in its selector dispatch,
/// which is linear, before `draw` and `repay`. A view's error (`LoanNotFound`, an out-of-range index) is the ledger's,
/// bubbled unchanged. On-chain callers may skip the lens: `LedgerViews` reads through `extView` directly.
interface ICreditLens {
    /// @notice The ledger this lens reads.
    function ledger() external view returns (address);

    // ---------------------------------------------------------------- loans and lines

    /// @notice Live state of a loan: outstanding, past due, next due, payoff now.
    function loanState(uint256 loanId) external view returns (ICreditLedger.LoanView memory);

    /// @notice The stored loan record, its accrual segment derived while it is on its plan (see `Loan`).
    function loanRecord(uint256 loanId) external view returns (ICreditLedger.Loan memory);

    /// @notice What `collect` would pull now for `loanId` if balance, allowance and cap allow (0 if nothing due).
    function dueNow(uint256 loanId) external view returns (uint256);

    /// @notice The loan id of `borrower`'s `n`-th loan (n from 1): `uint256(uint160(borrower)) << 96 | n`.
    function loanIdOf(address borrower, uint256 n) external pure returns (uint256);

    /// @notice A borrower's line with its available amount.
    function lineOf(address borrower) external view returns (ICreditLedger.LineView memory);

    /// @notice A borrower's repayment record (see `CreditHistory`).
    function creditHistory(address borrower) external view returns (ICreditLedger.CreditHistory memory);

    /// @notice A borrower's auto-debit mandate.
    function mandateOf(address borrower) external view returns (bool active, uint256 capPerCollection);

    /// @notice Number of borrowers that ever had a line (for keepers and automation to page through).
    function borrowerCount() external view returns (uint256);

    /// @notice The `index`-th borrower, in order of their first line. Reverts past `borrowerCount()`.
    function borrowerAt(uint256 index) external view returns (address);

    /// @notice Whether `originator` may originate loans on `borrower`'s line (a product's periphery, allowed by
    /// the borrower: `setOriginatorAllowed`).
    function originatorAllowed(address borrower, address originator) external view returns (bool);

    // ---------------------------------------------------------------- products, limits, delinquency

    /// @notice Product `productId`.
    function product(uint8 productId) external view returns (ICreditLedger.Product memory);

    /// @notice Product `productId`'s principal outstanding and its cap (0 = none). See IProductLimits.
    function productExposure(uint8 productId) external view returns (uint256 outstanding, uint256 cap);

    /// @notice The portfolio limits and the aggregates they are checked against. See IRiskLimits.
    function riskState() external view returns (IRiskLimits.RiskState memory);

    /// @notice Current delinquency parameters.
    function riskParams() external view returns (ICreditLedger.RiskParams memory);

    /// @notice Whether every draw needs a recorded, unexpired KYC credential.
    function kycRequired() external view returns (bool);

    // ---------------------------------------------------------------- the book (see ILedgerBook)

    /// @notice The lenders' assets: cash + principal + interest receivable − protocol fees − the larger of the
    /// first-loss reserve and the provisions (charged to the reserve first).
    function lenderAssets() external view returns (uint256);

    /// @notice Principal currently lent out.
    function principalOutstanding() external view returns (uint256);

    /// @notice Interest recognised on loans and not yet paid, gross of fee and first-loss cut; interest written off
    /// with a defaulted loan is not receivable (a recovery on it is cash, never receivable).
    function interestReceivable() external view returns (uint256);

    /// @notice Interest recognised since deployment, in whole units, rounded down: every loan's rate over time, the
    /// loan events' true-ups and penalty paid. Provisions, write-offs and recoveries never move it.
    function grossInterest() external view returns (uint256);

    /// @notice Penalty interest paid since deployment (part of `grossInterest()`, recognised when paid).
    function penaltyIncome() external view returns (uint256);

    /// @notice Sum of the active loans' rates, in asset units × 1/INTEREST_SCALE per second.
    function rateSum() external view returns (uint256);

    /// @notice Protocol fees accrued and not yet claimed.
    function protocolFeesOwed() external view returns (uint256);

    /// @notice The first-loss reserve: interest set aside to absorb losses before lenders.
    function firstLossReserve() external view returns (uint256);

    /// @notice Expected-loss provisions of loans past due (Grace–M3): each loan's write-off cost times rates that rise
    /// with its days past due from 0 at the due date, all of its unpaid interest from 30 days (non-accrual), as of its
    /// last touch (ICreditLedger.RiskParams). Charged to the first-loss reserve first: the lenders' assets bear what
    /// exceeds `firstLossReserve()`.
    function provisions() external view returns (uint256);

    /// @notice Cash held back for queued redemptions.
    function queueReserve() external view returns (uint256);

    /// @notice Current protocol fee, first-loss cut and liquidity reserve, in basis points.
    function rates() external view returns (uint256 protocolFeeBps, uint256 firstLossBps, uint256 liquidityReserveBps);
}
