// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IRiskLimits} from "./IRiskLimits.sol";
import {ICostDisclosure} from "./ICostDisclosure.sol";

/// @title ICreditLedger
/// @notice The borrowers' side of Microcredit: revolving credit lines, loans drawn from them with a repayment plan,
/// repayment. Its reads (loans, lines, products, limits, the book) are served by the CreditLens (ICreditLens), which
/// runs them on this contract's storage through `extView`, so an integrator needs no math off chain.
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
/// Fee rebate: a product's origination fee is earned per unit of principal (`fee / principal`) over the period in which
/// that principal falls due. Principal repaid ahead of the plan retires the unearned part of its share too, given back
/// by the protocol's fee claim (`FeeRebated`; FeeRebateMath), so a payoff after instalments paid when due costs at
/// most the APR disclosed at the draw (up to the base unit: interest is rounded up, the rebate down). The payoff
/// (`loanState().payoff`, `type(uint256).max`) is net of it.
///
/// Waterfall of every payment: past-due interest → past-due principal (oldest first) → interest accrued in the
/// current period → principal prepayment. Paying more than the payoff (net of the fee rebate) is refused
/// (`RepaymentExceedsPayoff`);
/// `type(uint256).max` means "the payoff, whatever it is at execution".
///
/// Loan ids encode the borrower: `loanId = uint256(uint160(borrower)) << 96 | n` for the borrower's n-th loan
/// (n from 1), so a borrower's loans are enumerable from `lineOf(borrower).loanCount` without an index.
///
/// Assumptions: the asset is a plain ERC-20 (no fee on transfer, no callbacks). Repayments are pulled by this
/// contract from the payer (`approve` the ledger, not the pool). The underwriter role is trusted to open lines
/// within policy; the risk caps of later modules bound what a compromised underwriter can do.
interface ICreditLedger is IRiskLimits, ICostDisclosure {
    /// @notice Status of a credit line.
    enum LineStatus {
        None,
        Active,
        Frozen,
        Closed
    }

    /// @notice Status of a loan. A defaulted loan is written off; payments on it are recoveries.
    enum LoanStatus {
        None,
        Active,
        Repaid,
        Defaulted
    }

    /// @notice Delinquency bucket by days past due (DPD) from the oldest unpaid due date: Current (nothing past
    /// due), Grace (≤ grace days), M1 (≤ 30), M2 (≤ 60), M3 (≤ 90), Default (> default days; written off).
    enum Bucket {
        Current,
        Grace,
        M1,
        M2,
        M3,
        Default
    }

    /// @notice Delinquency and collection parameters. A late loan's provision is what writing it off would cost the
    /// lenders and the first-loss reserve, as of its last touch (`mark`, a payment), times rates that rise with its
    /// days past due (ArrearsMath.provisionUp). Both rates run from 0 at the due date to `provisionM1Bps` at the end
    /// of grace (released if the loan is paid within grace). Then its principal part (principal outstanding less the
    /// fee's unearned share) runs in straight lines between the bucket rates, each reached where its bucket ends:
    /// `provisionM2Bps` at 30 days past due, `provisionM3Bps` at 60 and 100 % at `defaultDays`; rates that fall with
    /// age make it fall. Its interest part (interest owed less the protocol fee's share) runs on to 100 % at 30 days
    /// past due and stays there: from then on the interest the loan owed at its last touch is provisioned in full
    /// (non-accrual) until it is paid. Both rates follow the days past due of the oldest unpaid instalment. The book
    /// charges provisions to the reserve first, so the lenders' assets bear only what exceeds it.
    struct RiskParams {
        uint16 graceDays;
        uint16 defaultDays;
        uint16 penaltyMultiplierBps;
        uint16 provisionM1Bps;
        uint16 provisionM2Bps;
        uint16 provisionM3Bps;
    }

    /// @notice A credit product: repayment method, number of instalments, period length, the origination fee
    /// deducted from each draw (basis points of the amount; see ICostDisclosure), and who originates its loans.
    struct Product {
        uint8 method;
        uint8 instalments;
        uint16 periodDays;
        bool enabled;
        uint16 feeBps;
        /// The product contract that originates this product's loans (`originate`), or zero when borrowers draw it
        /// themselves (`draw`, `drawTo`, `drawWithin`). Each path is refused for the other kind of product.
        address originator;
    }

    /// @notice What a borrower accepted from a quote (ICreditQuotes.quote), for `drawWithin`: the draw reverts rather
    /// than be worse on any of them.
    struct DrawBounds {
        /// Highest APR including the fee, in basis points (the quote's `aprBps`).
        uint256 maxAprBps;
        /// Least the recipient receives (the quote's `netDisbursed`).
        uint256 minReceived;
        /// The plan as the loan is drawn: method (0 equal instalment, 1 equal principal, 2 interest-first,
        /// 3 bullet), number of payments and days between them (a bullet plan: 1 payment after the whole term; the
        /// quote's `payments.length` and `periodDays`).
        uint8 method;
        uint8 payments;
        uint16 periodDays;
    }

    /// @notice A borrower's line. `outstanding` is principal not yet repaid across all its loans.
    struct Line {
        /// At most 2^80 − 1 base units (1.2 × 10^18 tokens of 6 decimals): ample for micro-credit lines.
        uint80 limit;
        uint80 outstanding;
        uint16 aprBps;
        uint16 productMask;
        uint24 loanCount;
        LineStatus status;
        /// Loans of this line past grace as last marked; any freezes new draws.
        uint16 lateLoans;
        /// Day (Unix time / 86,400) the borrower's KYC credential expires; 0 = none recorded. Draws stop at the start
        /// of that day; repayment never depends on it.
        uint16 kycExpiryDay;
    }

    /// @notice A borrower's repayment record, kept by the ledger (never reset, never written by a role).
    struct CreditHistory {
        /// Loans repaid in full a day or more after their draw, and their instalments whose due date had come when the
        /// loan closed (a bullet loan counts one at most). A loan paid off within a day of its draw counts in none of
        /// these nor in `principalRepaid`, so that a draw repaid at once (free on a fee product, whose fee then comes
        /// back) adds nothing a risk engine would read as a repayment record. A loan prepaid ahead of its plan and
        /// kept open counts its instalments (and its principal in `principalRepaid`) in proportion to the share of
        /// its plan's balance it kept, `(15 − Loan.aheadFifteenths) / 15` rounded down (never more than it kept,
        /// measured against the balance after each current instalment): a loan prepaid to dust and kept open past its
        /// due dates still counts in `loansRepaid`, but adds no instalment and no principal.
        uint256 loansRepaid;
        uint256 instalmentsRepaid;
        /// Payments made after the grace period of the oldest unpaid instalment that cured the loan or paid that
        /// instalment off: at most one per due date, whoever paid. A part payment that leaves it unpaid does not count
        /// (anyone may pay dust on anyone's loan).
        uint256 latePayments;
        /// Worst days past due seen at a payment counted in `latePayments` or at default.
        uint256 maxDaysLate;
        uint256 defaults;
        /// Principal the plans of the loans repaid in full had scheduled by their close (all of it for a loan that
        /// ran its plan; none for one paid off before its first due date), in the proportion above; and principal
        /// written off at default.
        uint256 principalRepaid;
        uint256 principalDefaulted;
        /// Principal outstanding on the line now.
        uint256 principalOutstanding;
    }

    /// @notice A loan's terms (set at draw) and its repayment state. Bullet loans are stored as one period of
    /// `instalments × periodDays` days. Principal is at most a line's limit (< 2^80), so `principalPaid` needs 80 bits.
    /// The accrual segment (`checkpoint`, `openingBalance`, `interestBalance`, `segmentStart`) is stored only while
    /// the loan is off its plan (something past due, interest paid ahead, a period split by a prepayment); on its
    /// plan it reads as the segment the ledger derives: the current period's start as `checkpoint` and
    /// `segmentStart`, the outstanding principal as `openingBalance`, no interest balance. The two give the same
    /// amounts to the unit. A repaid or written-off loan accrues nothing: its segment reads the same way, with an
    /// opening balance and interest balance of 0.
    struct Loan {
        uint32 drawnAt;
        uint8 method;
        uint8 instalments;
        uint16 periodDays;
        uint16 aprBps;
        uint88 principal;
        /// Balance the current accrual segment accrues on.
        uint88 openingBalance;
        /// The last touch, or the current period's start for a loan on its plan.
        uint32 checkpoint;
        uint80 principalPaid;
        /// Interest booked for completed periods less interest paid (negative when paid ahead).
        int88 interestBalance;
        LoanStatus status;
        uint32 segmentStart;
        Bucket bucket;
        /// The product drawn under (its outstanding principal counts against the product's cap, IProductLimits).
        uint8 productId;
        /// How far ahead of its plan a prepayment that left the loan open took it at most: the principal it had
        /// prepaid beyond the current instalment, in fifteenths of the plan's balance after that instalment, rounded
        /// up, except that under half a fifteenth is 0 (0: never ahead, or by under 1/30; 15: by more than 14/15).
        /// In the last period (a bullet loan's only one) the last instalment counts as prepaid too: measured against
        /// the balance before it. When the loan closes, the credit history counts its instalments and principal in
        /// proportion (15 − this) / 15 (`CreditHistory`).
        uint8 aheadFifteenths;
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
        uint256 penalty;
        uint256 daysPastDue;
        /// The bucket the loan is in at the current block, by days past due (`ArrearsMath.bucketOf`): what `mark`
        /// would move it to now (Default: `mark` writes it off).
        Bucket bucket;
        /// The bucket as last classified by `mark` or a payment: what its provision and its line's freeze reflect
        /// until the next touch.
        Bucket markedBucket;
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
        uint256 lateLoans;
        /// Unix time from which draws are refused for an expired KYC credential (0 = none recorded).
        uint256 kycExpiresAt;
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
    /// @notice Thrown at deployment when a module address does not answer `asset()` with the ledger's asset: no code,
    /// a contract that is not a module, or a module over another asset.
    error InvalidModule(address module);
    /// @notice Thrown when an amount does not fit the ledger's storage (2^88 − 1 base units).
    error AmountTooLarge(uint256 amount, uint256 max);
    /// @notice Thrown when an APR is above the protocol's hard cap.
    error AprAboveCap(uint256 aprBps, uint256 capBps);
    /// @notice `drawWithin`: the draw's APR including the fee is above the borrower's bound.
    error AprAboveBound(uint256 aprBps, uint256 maxAprBps);
    /// @notice `drawWithin`: the recipient would receive less than the borrower's bound.
    error ReceivedBelowMinimum(uint256 received, uint256 minReceived);
    /// @notice `drawWithin`: the product's plan is no longer the one the borrower accepted; the plan the draw would
    /// have (method, payments, days between them).
    error PlanChanged(uint8 method, uint256 payments, uint256 periodDays);
    /// @notice The caller may not originate product `productId`: its originator is `originator` (zero: borrowers
    /// draw it themselves; otherwise only that contract may, through `originate`).
    error NotProductOriginator(uint8 productId, address originator, address caller);
    /// @notice `borrower` has not let `originator` originate loans on their line (`setOriginatorAllowed`).
    error OriginatorNotAllowed(address borrower, address originator);
    /// @notice Thrown when a loan id does not exist.
    error LoanNotFound(uint256 loanId);
    /// @notice Thrown when a loan is already repaid.
    error LoanAlreadyRepaid(uint256 loanId);
    /// @notice Thrown when a payment exceeds what would pay the loan off.
    error RepaymentExceedsPayoff(uint256 amount, uint256 payoff);
    /// @notice Thrown when a line has loans past grace: no new draws until they are cured.
    error LineFrozenByArrears(address borrower, uint256 lateLoans);
    /// @notice Thrown when a draw needs a KYC credential and the borrower's has expired (`expiredAt`, 0 if none).
    error KycRequiredToDraw(address borrower, uint256 expiredAt);
    /// @notice Thrown when delinquency parameters are out of bounds.
    error InvalidRiskParams();
    /// @notice Thrown when a product id does not fit the 16-product mask.
    error ProductIdOutOfRange(uint8 productId);
    /// @notice Thrown when new credit is paused.
    error EnforcedPause();
    /// @notice Thrown when unpausing while not paused.
    error ExpectedPause();

    /// @notice Emitted when a product is defined or changed.
    event ProductSet(uint8 indexed productId, uint8 method, uint8 instalments, uint16 periodDays, bool enabled);
    /// @notice Emitted when the contract that originates a product's loans changes (zero: borrowers draw it).
    event ProductOriginatorSet(uint8 indexed productId, address originator);
    /// @notice Emitted when a borrower lets a product contract originate loans on their line, or stops it.
    event OriginatorAllowed(address indexed borrower, address indexed originator, bool allowed);
    /// @notice Emitted when a line is opened or its terms change.
    event LineSet(address indexed borrower, uint256 limit, uint256 aprBps, uint256 productMask, LineStatus status);
    /// @notice Emitted on every draw, with its cost as `CreditQuotes.quote` disclosed it (ICostDisclosure), in one
    /// event. The borrower is indexed so that a client can filter a borrower's loans (it is also `loanId >> 96`). The
    /// recipient receives `principal − totalFees`. `aprBps` is the APR including the fee, as an IRR (30/360, rounded
    /// up; the line's APR when there is no fee), the figure the APR cap is checked on; the line's nominal APR is in
    /// `loanRecord`. `totalInterest` is the plan's interest if every instalment is paid on its due date, so the
    /// borrower repays `principal + totalInterest`; the plan itself is `ICreditQuotes.loanSchedule(loanId)` (or the
    /// SDK's).
    event Drawn(
        uint256 indexed loanId,
        address indexed borrower,
        address recipient,
        uint8 productId,
        uint256 principal,
        uint256 aprBps,
        uint256 totalFees,
        uint256 totalInterest
    );
    /// @notice Emitted on every repayment, with the split of the amount paid: `interest` (penalty is in
    /// `PenaltyCharged`) and `principal` retired, which includes any fee rebate (`FeeRebated`, emitted before it), so
    /// `principal` may exceed what was paid towards it.
    event Repaid(
        uint256 indexed loanId,
        address indexed payer,
        uint256 interest,
        uint256 principal,
        uint256 principalOutstanding
    );
    /// @notice Emitted when a loan is repaid in full.
    event LoanClosed(uint256 indexed loanId);
    /// @notice Emitted when a borrower sets or changes the auto-debit mandate.
    event MandateSet(address indexed borrower, uint256 capPerCollection);
    /// @notice Emitted when a borrower revokes the auto-debit mandate.
    event MandateRevoked(address indexed borrower);
    /// @notice Emitted when `collect` pulls `amount` from `borrower` (indexed) for a loan. Its split into penalty,
    /// interest and principal is in the `PenaltyCharged` and `Repaid` the same collection emits just before (kept
    /// there, not repeated here, to keep collection within its gas budget).
    event Collected(uint256 indexed loanId, address indexed borrower, uint256 amount);
    /// @notice Emitted when `collect` skips a loan with something due: 1 not active, 2 no mandate, 3 no balance,
    /// 4 no allowance, 5 the token transfer failed, 6 the mandate's cap for this loan is used up in this call (the
    /// loan id came earlier in the batch).
    event CollectionFailed(uint256 indexed loanId, uint8 reason);
    /// @notice Emitted when a loan moves between delinquency buckets; `provision` is its new provision (its change in
    /// the same bucket is `ProvisionChanged`).
    event BucketChanged(uint256 indexed loanId, Bucket from, Bucket to, uint256 provision);
    /// @notice Emitted when a past-due loan's provision moves while it stays in its bucket, at a touch: a mark as it
    /// ages, a payment that leaves it past due, a penalty waiver. `provision` is its new provision; the sum over loans
    /// is `provisions()` on the CreditLens. With `BucketChanged`, every change of the book's provisions has an event.
    event ProvisionChanged(uint256 indexed loanId, uint256 provision);
    /// @notice Emitted when a loan defaults and is written off: `loss` = principal + interest owed. The protocol fee
    /// and the first-loss cut of the written-off interest are taken back (never earned); of the rest,
    /// `absorbedByReserve` came out of the first-loss reserve and `lenderLoss` is the lenders'. What the lenders'
    /// assets lost was mostly booked before, as the loan's provision rose (provisions are charged to the reserve
    /// first): the write-off moves them by its cost less the provision it releases, beyond the reserve's slack.
    event LoanDefaulted(uint256 indexed loanId, uint256 loss, uint256 absorbedByReserve, uint256 lenderLoss);
    /// @notice Emitted for a payment on a written-off loan: `toLenders` first (up to their loss), then `toReserve`.
    event Recovered(uint256 indexed loanId, uint256 amount, uint256 toLenders, uint256 toReserve);
    /// @notice Emitted when penalty interest is charged on a payment.
    event PenaltyCharged(uint256 indexed loanId, uint256 penalty);
    /// @notice Emitted when the delinquency parameters change.
    event RiskParamsSet(RiskParams params);
    /// @notice Emitted when the underwriter (the offers contract) records a borrower's KYC expiry.
    event KycExpirySet(address indexed borrower, uint256 expiry, uint256 drawsUntil);
    /// @notice Emitted when the admin turns the requirement of a KYC credential for every draw on or off.
    event KycRequirementSet(bool required);
    /// @notice Emitted when new credit is paused.
    event Paused(address account);
    /// @notice Emitted when new credit resumes.
    event Unpaused(address account);

    /// @notice Defines product `productId` (0–15). Admin only. Keeps the product's fee (`setProductFee`), and is
    /// refused (`AprAboveCap`) if with the new terms that fee alone would put an enabled product above the APR
    /// cap.
    function setProduct(uint8 productId, uint8 method, uint8 instalments, uint16 periodDays, bool enabled) external;

    /// @notice Makes `originator` the only contract that may originate product `productId`'s loans (`originate`),
    /// or, with zero, lets borrowers draw it themselves. Admin only; the product must be defined. A product contract
    /// (a merchant checkout, a statement plan) is periphery: this is all the core needs to know of it. Naming one
    /// gives it no borrower: each borrower lets it in (`setOriginatorAllowed`).
    function setProductOriginator(uint8 productId, address originator) external;

    /// @notice Lets `originator` (a product contract) originate loans on the caller's line, or (`allowed` false)
    /// stops it. A loan it originates still passes every check of a draw on the caller's line; this is the
    /// borrower's own consent to the contract, which the admin cannot give or move to another contract. It covers
    /// every product that contract originates: a product contract must originate one product id only (the ledger
    /// does not enforce it; the admin names one contract per product).
    function setOriginatorAllowed(address originator, bool allowed) external;

    /// @notice Opens or changes `borrower`'s line. Underwriter only. A limit below the outstanding principal only
    /// blocks new draws; existing loans are untouched. While paused no new line opens (`EnforcedPause` for any line
    /// whose status is still None, KYC expiry recorded or not).
    function setLine(address borrower, uint256 limit, uint256 aprBps, uint32 productMask, LineStatus status) external;

    /// @notice Draws `amount` from the caller's line as a new loan of product `productId`, paid to the caller in the
    /// same transaction (less the product's fee, ICostDisclosure). Blocked while paused. The whole `amount` must be
    /// within `availableLiquidity()` (`InsufficientLiquidity`), the portfolio limits (IRiskLimits), the product's
    /// outstanding cap (IProductLimits) and the APR cap.
    /// @return loanId the new loan's id.
    function draw(uint8 productId, uint256 amount) external returns (uint256 loanId);

    /// @notice Like `draw`, but the funds go to `recipient` (a merchant, another wallet; the caller when zero).
    /// The caller remains the borrower.
    function drawTo(uint8 productId, uint256 amount, address recipient) external returns (uint256 loanId);

    /// @notice Like `drawTo`, bound to what the borrower was quoted (ICreditQuotes.quote): reverts `AprAboveBound`
    /// if the draw's APR including the fee is above `bounds.maxAprBps`, `ReceivedBelowMinimum` if the recipient
    /// would receive less than `bounds.minReceived`, and `PlanChanged` if the product's plan is not the one in
    /// `bounds`. A line's rate, a product's fee or its plan changed between the quote and the draw then cost the
    /// borrower nothing.
    function drawWithin(
        uint8 productId,
        uint256 amount,
        address recipient,
        DrawBounds calldata bounds
    ) external returns (uint256 loanId);

    /// @notice A product contract's draw: a new loan of product `productId` on `borrower`'s line, paid to
    /// `recipient` (the borrower when zero), with every check of `drawWithin` on the borrower (line, product mask,
    /// limits, product cap, circuit breaker, KYC, APR cap, liquidity, and `bounds`: what the borrower accepted for
    /// this purchase). Only the product's originator may call it (`NotProductOriginator`), and only for a borrower
    /// who lets it (`OriginatorNotAllowed`, `setOriginatorAllowed`); each purchase's consent is the product
    /// contract's to obtain (being called by the borrower, or checking the borrower's signature).
    /// @return loanId the new loan's id, the borrower's next.
    function originate(
        address borrower,
        uint8 productId,
        uint256 amount,
        address recipient,
        DrawBounds calldata bounds
    ) external returns (uint256 loanId);

    /// @notice Pays `amount` (or the payoff, with `type(uint256).max`) towards `loanId` from the caller's wallet.
    /// Anyone may pay for anyone. Never blocked by pause.
    /// @return paid the amount taken from the caller.
    function repay(uint256 loanId, uint256 amount) external returns (uint256 paid);

    /// @notice Authorises auto-debit of the caller's wallet for their loans, up to `capPerCollection` per loan and
    /// call of `collect` (0 = no cap; a loan id repeated in one batch, or in several calls of one transaction,
    /// shares the cap). The ledger also needs an ERC-20 allowance; collection never pulls more than is due.
    function setMandate(uint256 capPerCollection) external;

    /// @notice `setMandate` with an ERC-2612 permit giving the ledger `value` of allowance, in one transaction.
    /// A permit that fails (already used, front-run) does not block the mandate.
    function setMandateWithPermit(
        uint256 capPerCollection,
        uint256 value,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Stops auto-debit for the caller's loans.
    function revokeMandate() external;

    /// @notice Collects what is due now on each loan: `min(due, balance, allowance, mandate cap)`, never more than
    /// due, never twice for the same amount. Permissionless; a borrower whose pull fails is skipped with a
    /// `CollectionFailed` event and the batch goes on. Never paused.
    /// @return collected the total pulled.
    function collect(uint256[] calldata loanIds) external returns (uint256 collected);

    /// @notice Moves each loan into its current delinquency bucket (provisioning, freezing its line past grace,
    /// writing it off past the default threshold) and brings a late loan's provision up to its days past due (see
    /// `RiskParams`: from its due date a loan marked daily loses value a day at a time, at most 3.33 % of it a day
    /// with the default rates (in grace), rather than in steps at the bucket edges).
    /// Permissionless and deterministic; cost per loan is constant.
    function mark(uint256[] calldata loanIds) external;

    /// @notice Sets grace, default threshold, penalty multiplier and provision rates. Admin only.
    function setRiskParams(RiskParams calldata params) external;

    /// @notice Records `borrower`'s KYC expiry (Unix time), as verified from a signed credential by the offers
    /// contract. Underwriter only. Draws are refused from the start of the expiry's day (`KycRequiredToDraw`); repayment,
    /// collection and recoveries never look at it.
    function setKycExpiry(address borrower, uint256 expiry) external;

    /// @notice When on, a line without a recorded credential cannot draw either. Admin only. A recorded credential
    /// is always enforced, on or off.
    function setKycRequired(bool required) external;

    /// @notice Sets `borrower`'s auto-debit mandate on their behalf. Underwriter only: the offers contract calls it
    /// when the borrower accepts an offer with an ERC-2612 permit for the ledger (the borrower's consent). The
    /// borrower can revoke it at any time with `revokeMandate`.
    function setMandateFor(address borrower, uint256 capPerCollection) external;

    /// @notice Pauses new draws. Pauser only. Repayment is never paused.
    function pause() external;

    /// @notice Resumes new draws. Pauser only.
    function unpause() external;

    /// @notice Whether new draws are paused.
    function paused() external view returns (bool);

    /// @notice The modules that run on the ledger's storage by DELEGATECALL: `collection` (`collect`), `delinquency`
    /// (`mark`, write-offs, repayments of late loans, recoveries on written-off loans, penalty waivers), `config`
    /// (configuration, each call checking its role; and a prepayment's fee rebate) and `views` (the computed views).
    /// Immutable. One getter for the four keeps them out of the way of the hot paths in the selector dispatch, which
    /// is linear.
    function modules() external view returns (address collection, address delinquency, address config, address views);

    /// @notice Runs `data`, a call of one of ICreditLens's views (without `ledger()`), in the ViewModule on this
    /// contract's storage and returns its ABI-encoded answer; a view's revert is bubbled unchanged. The CreditLens and
    /// `LedgerViews` decode it. The ViewModule also answers `hasRole`, `getRoleAdmin`, `supportsInterface`, `asset`
    /// and the constants, as the ledger does; any other selector reverts without data. Reads only: the ViewModule has
    /// no function that writes (its role setters revert `ViewOnly`).
    function extView(bytes calldata data) external view returns (bytes memory);
}
