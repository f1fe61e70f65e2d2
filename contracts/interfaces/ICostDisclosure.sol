// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICostDisclosure
/// @notice What a draw costs, in full, before and when it happens (PRODUCT.md C9): the APR including every fee, the
/// total interest, the total fees, the total repayable and the plan; and the explicit, logged waivers of penalty.
///
/// Fees. A product may carry an origination fee of `feeBps` of the amount drawn, rounded down (in the borrower's
/// favour). It is deducted from what the recipient receives: the loan's principal, plan and interest are those of the
/// full amount, the recipient gets `amount − fee`. The fee is paid to the protocol (it adds to `protocolFeesOwed`),
/// so the lenders' share price does not step on a draw. It is earned as principal falls due: repaying ahead of the
/// plan gives back its unearned part (`FeeRebated`, ICreditLedger), so `totalFees` is the most a loan keeps, and
/// `claimFees` keeps back what open loans may still get back. There is no other fee: penalty interest on late payments
/// (C5) is not a fee of the plan and is disclosed as a rate (`riskParams().penaltyMultiplierBps`).
///
/// APR. The comprehensive annual cost is the internal rate of return of the borrower's cash flows, annualised on the
/// 30/360 day count without compounding (`APR = r × 360 / periodDays` for the periodic IRR `r`): the recipient
/// receives `amount − fee` at the draw and pays the plan's instalments at draw time + k × period (a bullet plan is
/// one period of the whole term). It is stated in basis points rounded UP, so a disclosed APR is never below the
/// true one and an APR cap is never passed by rounding. The IRR is found by Newton's method from the contract rate
/// (`AprMath`); with no fee the APR is the contract APR (rounding an instalment up to the base unit is not a fee).
/// The SDK (`src/sdk/disclosure.ts`) computes the same figures operation for operation.
///
/// Cap. Every draw's APR must be at most the APR cap (`IRiskLimits.Limits.aprCapBps`, 0 = the default 24 %): a line
/// above it cannot be opened, a product whose fee alone would exceed it cannot be configured, and a draw above it
/// (a line's contract APR plus the product's fee) is refused with `AprAboveCap(aprBps, capBps)`.
interface ICostDisclosure {
    /// @notice The full cost of a draw of `amount` on a product at a contract APR.
    struct Disclosure {
        /// APR including fees, in basis points, rounded up (see the interface notes).
        uint256 aprBps;
        /// The line's contract (nominal) APR the plan's interest is computed at.
        uint256 contractAprBps;
        /// Origination fee, deducted from what the recipient receives.
        uint256 totalFees;
        /// What the recipient receives: `amount − totalFees`.
        uint256 netDisbursed;
        /// Interest of the plan if every instalment is paid on its due date.
        uint256 totalInterest;
        /// Principal plus interest: what the borrower pays back on the plan.
        uint256 totalRepayable;
        /// Days between due dates (a bullet plan: the whole term).
        uint256 periodDays;
        /// Due dates (Unix seconds; empty where no start time applies), and per instalment the payment, its
        /// principal and its interest.
        uint256[] dueDates;
        uint256[] payments;
        uint256[] principals;
        uint256[] interests;
    }

    /// @notice A product's fee would be `feeBps`, above the most any product may charge.
    error FeeTooHigh(uint256 feeBps, uint256 maxFeeBps);
    /// @notice A waiver of `requested` is more than the penalty the loan owes now (`penalty`), or is zero.
    error WaiverExceedsPenalty(uint256 requested, uint256 penalty);
    /// @notice A waiver needs a reason code.
    error WaiverReasonMissing();
    /// @notice The loan is written off, or past the default threshold and written off by the next `mark`: what is
    /// left is a recovery claim, not waived here.
    error WriteOffDue(uint256 loanId);

    /// @notice The product's fee cannot change while `outstanding` of its principal is lent out: each loan's fee
    /// rebate is worked out from it. Offer the new fee as another product id, or wait until the book is repaid.
    error ProductFeeLocked(uint8 productId, uint256 outstanding);

    /// @notice Emitted when a repayment ahead of the plan retires `rebate` of principal on top of the cash paid: the
    /// unearned part of the loan's origination fee, given back (FeeRebateMath). `Repaid.principal` includes it.
    event FeeRebated(uint256 indexed loanId, uint256 rebate);
    /// @notice Emitted when a product's origination fee is set.
    event ProductFeeSet(uint8 indexed productId, uint256 feeBps);
    /// @notice Emitted when a servicer waives `amount` of a loan's penalty, with the reason code.
    event PenaltyWaived(uint256 indexed loanId, uint256 amount, bytes32 indexed reason, address indexed by);

    /// @notice Waives `amount` of loan `loanId`'s penalty interest (servicer role), `type(uint256).max` for all of
    /// it (the amount waived is in the event), logged with a non-zero `reason` code (the SDK names the codes it
    /// knows: `HARDSHIP`, `SERVICE_ERROR`, `DISPUTE`, `GOODWILL`). What the borrower owes falls by exactly `amount`:
    /// the penalty is income only when paid, so no lender value is given up. The loan is also rolled to now and
    /// classified as a `mark` would (bucket, provision, the breaker's aggregate, the line's freeze move exactly as a
    /// mark at that second would move them). Refused for more than the penalty owed now (`WaiverExceedsPenalty`;
    /// inside grace the penalty is latent and is waived anyway if the borrower pays in grace), for a repaid or
    /// unknown loan, and for one written off or past the default threshold (`WriteOffDue`). Only penalty can be
    /// waived: the plan's interest and principal are the lenders' and cannot.
    function waivePenalty(uint256 loanId, uint256 amount, bytes32 reason) external;

    /// @notice Sets product `productId`'s origination fee (admin; behind the timelock outside a local chain). Refused
    /// above `MAX_FEE_BPS` (`FeeTooHigh`) or when the fee alone, at a contract APR of 0, would put the product's APR
    /// above the cap (`AprAboveCap`), and while the product has principal outstanding (`ProductFeeLocked`: each loan's
    /// fee rebate is worked out from it). The product must be defined.
    function setProductFee(uint8 productId, uint16 feeBps) external;
}
