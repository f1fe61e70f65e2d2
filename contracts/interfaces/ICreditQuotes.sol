// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICostDisclosure} from "./ICostDisclosure.sol";

/// @title ICreditQuotes
/// @notice Cost disclosure before commitment (PRODUCT.md C9): what a draw would cost, from the same math the ledger
/// runs when the draw happens (its `Drawn` event carries the same APR, fees and total interest; the total repayable is
/// `principal + totalInterest`). Views only; no state.
interface ICreditQuotes {
    /// @notice The ledger whose lines, products and APR cap the quotes read.
    function ledger() external view returns (address);

    /// @notice What `borrower` drawing `amount` on product `productId` now would cost: APR including the fee,
    /// total interest, total fees, what the recipient receives, total repayable, and the plan with its due dates
    /// (from now). Quotes at the line's APR whatever the line's state; `admissible` says whether the APR is within the
    /// cap. It does not check availability, limits or the product mask: the draw does.
    function quote(
        address borrower,
        uint8 productId,
        uint256 amount
    ) external view returns (ICostDisclosure.Disclosure memory disclosure, uint256 aprCapBps, bool admissible);

    /// @notice The same figures for any terms (no due dates): a product shape at a contract APR and a fee (at most
    /// the ledger's `MAX_FEE_BPS`, else `FeeTooHigh`).
    function quoteTerms(
        uint8 method,
        uint8 instalments,
        uint16 periodDays,
        uint256 aprBps,
        uint256 feeBps,
        uint256 amount
    ) external pure returns (ICostDisclosure.Disclosure memory);

    /// @notice The plan of a prospective loan: per-instalment payment, principal and interest, exactly as the ledger
    /// would draw it (`loanSchedule` of a loan drawn on the same terms). Methods: 0 equal instalment, 1 equal principal,
    /// 2 interest-first, 3 bullet (one row). Zero instalments or period revert `InvalidProduct`.
    function previewSchedule(
        uint8 method,
        uint256 principal,
        uint256 aprBps,
        uint256 instalments,
        uint256 periodDays
    ) external pure returns (uint256[] memory payments, uint256[] memory principals, uint256[] memory interests);

    /// @notice A drawn loan's plan with its due dates, read from the ledger's `loanRecord`: as drawn, whatever has
    /// been paid since. A bullet loan has one row. Reverts `ICreditLedger.LoanNotFound` for an id never drawn.
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

    /// @notice The APR cap in force on the ledger (basis points).
    function aprCapBps() external view returns (uint256);
}
