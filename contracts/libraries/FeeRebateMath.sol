// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title FeeRebateMath
/// @notice The unearned part of a loan's origination fee, given back when principal is repaid ahead of its plan.
/// @dev The fee is earned per unit of principal, `fee / principal` per unit, over the period in which that principal
/// falls due: evenly from the period's start to its due date. Principal repaid ahead of the plan gets back the
/// unearned part of its share: all of it for principal due after the current period, the part of the period still
/// to run for principal due at its end. A prepayment retires the principal due at the end of the current period
/// first, as the plan's arithmetic does (what falls due is what the outstanding exceeds the plan's balance by).
/// So a borrower pays the fee on principal as it falls due, as the plan the APR was disclosed on does, spread over
/// the period as interest is; a payoff after instalments paid when due costs at most the disclosed APR
/// (`test/fee-rebate.ts` checks it for every repayment method over payoff dates). A fee is below the principal it is
/// taken from (at most 20 %), so every denominator below is positive.
library FeeRebateMath {
    /// @notice What a loan's rebate depends on at one second.
    struct Unearned {
        /// The loan's origination fee and principal.
        uint256 fee;
        uint256 principal;
        /// Principal not yet due: falling due at the end of the current period, and after it.
        uint256 current;
        uint256 later;
        /// Seconds from now to the current period's due date, and the period's length.
        uint256 left;
        uint256 period;
    }

    /// @notice The rebate on retiring all principal not yet due, rounded DOWN:
    /// `fee × (later + current × left / period) / principal`.
    function payoffRebateDown(Unearned memory u) internal pure returns (uint256) {
        return (u.fee * (u.later * u.period + u.current * u.left)) / (u.principal * u.period);
    }

    /// @notice The principal `cash` retires ahead of the plan (`current` first, then `later`), cash plus its rebate,
    /// rounded DOWN: its rebate (the result less `cash`) is never more than `payoffRebateDown` would give the same
    /// principal, so a loan's rebates never add up to more than `fee / principal` of the principal they retire. The
    /// caller handles a payoff (`cash` at least the principal not yet due less `payoffRebateDown`) apart.
    function retiredByDown(Unearned memory u, uint256 cash) internal pure returns (uint256) {
        uint256 perUnit = u.principal * u.period;
        uint256 rebatePerUnit = u.fee * u.left; // on `current`, over `perUnit`
        uint256 forCurrent = u.current - (u.current * rebatePerUnit) / perUnit;
        if (cash < forCurrent) return (cash * perUnit) / (perUnit - rebatePerUnit);
        return u.current + ((cash - forCurrent) * u.principal) / (u.principal - u.fee);
    }
}
