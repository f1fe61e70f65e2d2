// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IModuleSteps
/// @notice Steps of the ledger's own `repay` that run in its modules, by DELEGATECALL on the ledger's
/// storage. They are not the ledger's API: the ledger declares none of them and has no `fallback`, so calldata naming
/// one at the ledger's address reverts. Called on a module directly, each acts on the module's own empty storage.
/// @dev Lets the ledger encode these calls without compiling the modules into its own build.
interface IModuleSteps {
    /// @notice DelinquencyModule: the ledger's `repay` of an active loan that is late or that the payment leaves late
    /// (the arrears bookkeeping runs only here); a prepayment's fee rebate runs in `config`, the ledger's
    /// ConfigModule (`feeRebate`). Pulls the payment from the ledger's caller; returns what it took.
    function repayLate(uint256 loanId, uint256 amount, address config) external returns (uint256);

    /// @notice ConfigModule: the fee rebate a prepayment of `prepaid` retires on a fee product's loan; `excess` is the
    /// cash beyond the payoff net of the rebate.
    function feeRebate(uint256 loanId, uint256 prepaid) external returns (uint256 rebate, uint256 excess);

    /// @notice DelinquencyModule: a payment of `amount` on a written-off loan (lenders first, then the reserve). Returns
    /// what it took.
    function recover(uint256 loanId, uint256 amount) external returns (uint256);
}
