// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "./interfaces/ICreditLedger.sol";
import {ICostDisclosure} from "./interfaces/ICostDisclosure.sol";
import {ICreditQuotes} from "./interfaces/ICreditQuotes.sol";
import {DisclosureMath} from "./libraries/DisclosureMath.sol";
import {ScheduleMath} from "./libraries/ScheduleMath.sol";
import {LoanMath} from "./libraries/LoanMath.sol";
import {LedgerViews} from "./libraries/LedgerViews.sol";

/// @title CreditQuotes
/// @notice A read-only lens over a CreditLedger that discloses the cost of a prospective draw (ICreditQuotes).
/// @dev Kept out of the ledger, which is at its code-size limit; it reads only the ledger's public views and runs the
/// library the ledger runs on the draw, so a quote and the `Drawn` of the same draw at the same second agree.
contract CreditQuotes is ICreditQuotes {
    using LedgerViews for ICreditLedger;

    ICreditLedger private immutable _ledger;

    constructor(ICreditLedger ledger_) {
        if (address(ledger_) == address(0)) revert ICreditLedger.ZeroAddress();
        _ledger = ledger_;
    }

    /// @inheritdoc ICreditQuotes
    function ledger() external view returns (address) {
        return address(_ledger);
    }

    /// @inheritdoc ICreditQuotes
    function quote(
        address borrower,
        uint8 productId,
        uint256 amount
    ) external view returns (ICostDisclosure.Disclosure memory d, uint256 aprCap, bool admissible) {
        ICreditLedger.Product memory p = _ledger.product(productId);
        if (p.instalments == 0) revert ICreditLedger.InvalidProduct(p.method, p.instalments, p.periodDays);
        d = DisclosureMath.discloseUp(
            p.method,
            p.instalments,
            p.periodDays,
            _ledger.lineOf(borrower).aprBps,
            p.feeBps,
            amount
        );
        d.dueDates = new uint256[](d.payments.length);
        uint256 period = d.periodDays * 1 days;
        for (uint256 k = 0; k < d.dueDates.length; ++k) d.dueDates[k] = block.timestamp + (k + 1) * period;
        aprCap = aprCapBps();
        admissible = d.aprBps <= aprCap;
    }

    /// @inheritdoc ICreditQuotes
    function quoteTerms(
        uint8 method,
        uint8 instalments,
        uint16 periodDays,
        uint256 aprBps,
        uint256 feeBps,
        uint256 amount
    ) external pure returns (ICostDisclosure.Disclosure memory) {
        if (method > 3 || instalments == 0 || periodDays == 0) {
            revert ICreditLedger.InvalidProduct(method, instalments, periodDays);
        }
        uint256 maxFee = DisclosureMath.MAX_FEE_BPS;
        if (feeBps > maxFee) revert ICostDisclosure.FeeTooHigh(feeBps, maxFee);
        return DisclosureMath.discloseUp(method, instalments, periodDays, aprBps, feeBps, amount);
    }

    /// @inheritdoc ICreditQuotes
    function previewSchedule(
        uint8 method,
        uint256 principal,
        uint256 aprBps,
        uint256 instalments,
        uint256 periodDays
    ) external pure returns (uint256[] memory payments, uint256[] memory principals, uint256[] memory interests) {
        if (instalments == 0 || periodDays == 0) revert ICreditLedger.InvalidProduct(method, instalments, periodDays);
        return ScheduleMath.schedule(method, principal, aprBps, instalments, periodDays);
    }

    /// @inheritdoc ICreditQuotes
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
        )
    {
        ICreditLedger.Loan memory loan = _ledger.loanRecord(loanId);
        if (loan.status == ICreditLedger.LoanStatus.None) revert ICreditLedger.LoanNotFound(loanId);
        // Bullet loans are stored as one period already, so the interest-first plan is the same plan.
        uint8 method = loan.method == ScheduleMath.BULLET ? ScheduleMath.INTEREST_FIRST : loan.method;
        (payments, principals, interests) = ScheduleMath.schedule(
            method,
            loan.principal,
            loan.aprBps,
            loan.instalments,
            loan.periodDays
        );
        dueDates = new uint256[](payments.length);
        uint256 period = LoanMath.periodSeconds(loan);
        for (uint256 k = 0; k < dueDates.length; ++k) dueDates[k] = loan.drawnAt + (k + 1) * period;
    }

    /// @inheritdoc ICreditQuotes
    function aprCapBps() public view returns (uint256) {
        return DisclosureMath.aprCapOf(_ledger.riskState().limits.aprCapBps);
    }
}
