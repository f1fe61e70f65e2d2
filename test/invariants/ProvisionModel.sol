// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {ArrearsMath} from "../../contracts/libraries/ArrearsMath.sol";
import {DisclosureMath} from "../../contracts/libraries/DisclosureMath.sol";
import {FeeRebateMath} from "../../contracts/libraries/FeeRebateMath.sol";
import {LoanMath} from "../../contracts/libraries/LoanMath.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ILedger} from "./ILedger.sol";

using LedgerViews for ILedger;

/// The provision a stored loan record carries, worked out again from the record alone: at its last touch (its
/// checkpoint), what writing it off then would have cost the lenders and the first-loss reserve (the principal
/// outstanding less the origination fee's unearned share, the interest owed less the protocol fee's share), times
/// the rates for its days past due then (ArrearsMath.provisionUp: from 0 at the due date; all of the interest from
/// 30 days). Zero unless the loan is active in Grace–M3.
library ProvisionModel {
    uint256 internal constant BPS = 10_000;

    /// `atTouch` with the loan's product fee and the protocol fee read from `ledger` now.
    function ofRecord(
        ILedger ledger,
        ICreditLedger.Loan memory loan,
        ICreditLedger.RiskParams memory params
    ) internal view returns (uint256) {
        (uint256 protocolFeeBps, , ) = ledger.rates();
        return atTouch(loan, params, ledger.product(loan.productId).feeBps, protocolFeeBps);
    }

    /// `productFeeBps` is the loan's product's origination fee, `protocolFeeBps` the protocol's share of interest.
    function atTouch(
        ICreditLedger.Loan memory loan,
        ICreditLedger.RiskParams memory params,
        uint256 productFeeBps,
        uint256 protocolFeeBps
    ) internal pure returns (uint256) {
        if (loan.status != ICreditLedger.LoanStatus.Active) return 0;
        if (loan.bucket < ICreditLedger.Bucket.Grace || loan.bucket > ICreditLedger.Bucket.M3) return 0;
        uint256 at = loan.checkpoint;
        LoanMath.Accrual memory a = LoanMath.roll(loan, at);
        LoanMath.Owed memory o = LoanMath.owed(loan, a, at);
        uint256 interest = o.pastDueInterest + o.currentInterest;
        uint256 unearned = _unearnedFee(loan, a, o, productFeeBps, at);
        uint256 interestPart = interest - (interest * protocolFeeBps) / BPS;
        uint256 late = at - ArrearsMath.pastDueSince(loan, a);
        return ArrearsMath.provisionUp(o.principalOutstanding - unearned, interestPart, late, params);
    }

    /// The origination fee's share of the principal not yet due at `at` (FeeRebateMath.payoffRebateDown).
    function _unearnedFee(
        ICreditLedger.Loan memory loan,
        LoanMath.Accrual memory a,
        LoanMath.Owed memory o,
        uint256 feeBps,
        uint256 at
    ) private pure returns (uint256) {
        FeeRebateMath.Unearned memory u;
        u.fee = DisclosureMath.feeDown(loan.principal, feeBps);
        if (u.fee == 0 || a.period > loan.instalments) return 0;
        u.principal = loan.principal;
        u.period = LoanMath.periodSeconds(loan);
        u.left = loan.drawnAt + a.period * u.period - at;
        uint256 planAfter = LoanMath.scheduledAfter(LoanMath.plan(loan), a.scheduledBalanceDue, a.period);
        uint256 outstanding = o.principalOutstanding;
        u.current = (outstanding > planAfter ? outstanding - planAfter : 0) - o.pastDuePrincipal;
        u.later = outstanding - o.pastDuePrincipal - u.current;
        return FeeRebateMath.payoffRebateDown(u);
    }
}
