// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICreditLedger
/// @notice The borrowers' side of Microcredit: revolving credit lines, loans drawn from them with a repayment plan,
/// repayment, and the views an integrator needs without doing any math off chain.
///
/// Conventions (PRODUCT.md §4): money in asset base units; rates in basis points per year; 30/360 day count; a
/// period of `d` days has rate `r = aprBps/10000 × d/360`; due date k = draw time + k × period. Interest and
/// instalments round up; the last instalment takes the remaining principal.
///
/// Interest model: period k charges `ceil(O_k × r)` where the opening balance `O_k` is the smaller of the
/// principal still outstanding and the plan's scheduled balance at the start of the period; between due dates it
/// accrues per second on `O_k`. So an on-time borrower pays exactly the plan, and a late instalment keeps its regular
/// interest (penalty interest comes with delinquency). A principal prepayment mid-period closes the period's
/// accrual segment: interest to that second is booked (rounded up) and the rest of the period accrues on the lower
/// balance. Paying off early pays interest only to the second of payment.
///
/// Waterfall of every payment: past-due interest → past-due principal (oldest first) → interest accrued in the
/// current period → principal prepayment. Paying more than the payoff is refused (`RepaymentExceedsPayoff`);
/// `type(uint256).max` means "the payoff, whatever it is at execution".
///
/// Loan ids encode the borrower: `loanId = uint256(uint160(borrower)) << 96 | n` for the borrower's n-th loan
/// (n from 1), so a borrower's loans are enumerable from `lineOf(borrower).loanCount` without an index.
///
/// Assumptions: the asset is a plain ERC-20 (no fee on transfer, no callbacks). Repayments are pulled by this
/// contract from the payer (`approve` the ledger, not the pool). The underwriter role is trusted to open lines
/// within policy; the risk caps of later modules bound what a compromised underwriter can do.
interface ICreditLedger {
    /// @notice Status of a credit line.
    enum LineStatus {
        None,
        Active,
        Frozen,
        Closed
    }

    /// @notice Status of a loan.
    enum LoanStatus {
        None,
        Active,
        Repaid
    }

    /// @notice A credit product: repayment method, number of instalments and period length.
    struct Product {
        uint8 method;
        uint8 instalments;
        uint16 periodDays;
        bool enabled;
    }

    /// @notice A borrower's line. `outstanding` is principal not yet repaid across all its loans.
    struct Line {
        uint88 limit;
        uint88 outstanding;
        uint16 aprBps;
        uint32 productMask;
        uint24 loanCount;
        LineStatus status;
    }

    /// @notice A loan's terms (set at draw) and its repayment state. Bullet loans are stored as one period of
    /// `instalments × periodDays` days.
    struct Loan {
        // slot 0: terms and the opening balance of the current period
        uint32 drawnAt;
        uint8 method;
        uint8 instalments;
        uint16 periodDays;
        uint16 aprBps;
        uint88 principal;
        uint88 openingBalance;
        // slot 1: repayment state
        uint32 checkpoint;
        uint88 principalPaid;
        int88 interestBalance;
        LoanStatus status;
        uint32 segmentStart;
    }

    /// @notice Everything about a loan at the current block, for integrators.
    struct LoanView {
        address borrower;
        LoanStatus status;
        uint256 principal;
        uint256 principalOutstanding;
        uint256 interestAccrued;
        uint256 pastDue;
        uint256 pastDueSince;
        uint256 nextDueAt;
        uint256 nextDueAmount;
        uint256 payoff;
        uint256 maturity;
    }

    /// @notice A line with its derived available amount.
    struct LineView {
        uint256 limit;
        uint256 outstanding;
        uint256 available;
        uint256 aprBps;
        uint256 productMask;
        uint256 loanCount;
        LineStatus status;
    }

    /// @notice Thrown when a draw asks for more than the line has available.
    error CreditLimitExceeded(uint256 requested, uint256 available);
    /// @notice Thrown when the borrower's line is not active (none, frozen or closed).
    error LineNotActive(address borrower, LineStatus status);
    /// @notice Thrown when a line does not include the product.
    error ProductNotAllowed(address borrower, uint8 productId);
    /// @notice Thrown when a product is unknown or disabled.
    error ProductNotEnabled(uint8 productId);
    /// @notice Thrown when a product's terms are invalid (unknown method, zero instalments or period).
    error InvalidProduct(uint8 method, uint256 instalments, uint256 periodDays);
    /// @notice Thrown when an amount is zero.
    error ZeroAmount();
    /// @notice Thrown when an address argument is zero.
    error ZeroAddress();
    /// @notice Thrown when an amount does not fit the ledger's storage (2^88 − 1 base units).
    error AmountTooLarge(uint256 amount, uint256 max);
    /// @notice Thrown when an APR is above the protocol's hard cap.
    error AprAboveCap(uint256 aprBps, uint256 capBps);
    /// @notice Thrown when a loan id does not exist.
    error LoanNotFound(uint256 loanId);
    /// @notice Thrown when a loan is already repaid.
    error LoanAlreadyRepaid(uint256 loanId);
    /// @notice Thrown when a payment exceeds what would pay the loan off.
    error RepaymentExceedsPayoff(uint256 amount, uint256 payoff);
    /// @notice Thrown when a product id does not fit the 32-product mask.
    error ProductIdOutOfRange(uint8 productId);
    /// @notice Thrown when new credit is paused.
    error EnforcedPause();
    /// @notice Thrown when unpausing while not paused.
    error ExpectedPause();

    /// @notice Emitted when a product is defined or changed.
    event ProductSet(uint8 indexed productId, uint8 method, uint8 instalments, uint16 periodDays, bool enabled);
    /// @notice Emitted when a line is opened or its terms change.
    event LineSet(address indexed borrower, uint256 limit, uint256 aprBps, uint256 productMask, LineStatus status);
    /// @notice Emitted on every draw. The borrower is in the loan id (`loanId >> 96`); the APR is the line's at the
    /// time (`loanRecord`), and the plan follows from principal, APR and product (`loanSchedule`, or the SDK).
    event Drawn(uint256 indexed loanId, address recipient, uint8 productId, uint256 principal);
    /// @notice Emitted on every repayment, with the split of the amount paid.
    event Repaid(
        uint256 indexed loanId,
        address indexed payer,
        uint256 interest,
        uint256 principal,
        uint256 principalOutstanding
    );
    /// @notice Emitted when a loan is repaid in full.
    event LoanClosed(uint256 indexed loanId);
    /// @notice Emitted when new credit is paused.
    event Paused(address account);
    /// @notice Emitted when new credit resumes.
    event Unpaused(address account);

    /// @notice Defines product `productId` (0–31). Admin only.
    function setProduct(uint8 productId, uint8 method, uint8 instalments, uint16 periodDays, bool enabled) external;

    /// @notice Opens or changes `borrower`'s line. Underwriter only. A limit below the outstanding principal only
    /// blocks new draws; existing loans are untouched.
    function setLine(address borrower, uint256 limit, uint256 aprBps, uint32 productMask, LineStatus status) external;

    /// @notice Draws `amount` from the caller's line as a new loan of product `productId`, paid to the caller in the
    /// same transaction. Blocked while paused.
    /// @return loanId the new loan's id.
    function draw(uint8 productId, uint256 amount) external returns (uint256 loanId);

    /// @notice Like `draw`, but the funds go to `recipient` (a merchant, another wallet; the caller when zero).
    /// The caller remains the borrower.
    function drawTo(uint8 productId, uint256 amount, address recipient) external returns (uint256 loanId);

    /// @notice Pays `amount` (or the payoff, with `type(uint256).max`) towards `loanId` from the caller's wallet.
    /// Anyone may pay for anyone. Never blocked by pause.
    /// @return paid the amount taken from the caller.
    function repay(uint256 loanId, uint256 amount) external returns (uint256 paid);

    /// @notice Pauses new draws. Pauser only. Repayment is never paused.
    function pause() external;

    /// @notice Resumes new draws. Pauser only.
    function unpause() external;

    /// @notice Whether new draws are paused.
    function paused() external view returns (bool);

    /// @notice The plan of a prospective loan: per-instalment payment, principal and interest.
    /// Methods: 0 equal instalment, 1 equal principal, 2 interest-first, 3 bullet (one row).
    function previewSchedule(
        uint8 method,
        uint256 principal,
        uint256 aprBps,
        uint256 instalments,
        uint256 periodDays
    ) external pure returns (uint256[] memory payments, uint256[] memory principals, uint256[] memory interests);

    /// @notice The loan's plan as drawn, with due dates.
    function loanSchedule(
        uint256 loanId
    )
        external
        view
        returns (
            uint256[] memory dueDates,
            uint256[] memory payments,
            uint256[] memory principals,
            uint256[] memory interests
        );

    /// @notice Live state of a loan: outstanding, past due, next due, payoff now.
    function loanState(uint256 loanId) external view returns (LoanView memory);

    /// @notice Raw stored loan record.
    function loanRecord(uint256 loanId) external view returns (Loan memory);

    /// @notice A borrower's line with its available amount.
    function lineOf(address borrower) external view returns (LineView memory);

    /// @notice Product `productId`.
    function product(uint8 productId) external view returns (Product memory);

    /// @notice The loan id of `borrower`'s `n`-th loan (n from 1).
    function loanIdOf(address borrower, uint256 n) external pure returns (uint256);
}
