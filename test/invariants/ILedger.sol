// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {ILedgerBook} from "../../contracts/interfaces/ILedgerBook.sol";
import {IProductLimits} from "../../contracts/interfaces/IProductLimits.sol";

/// The CreditLedger as the invariant handler, its model and its wallet actor see it: its interfaces and the two
/// bounds they read. Importing the interfaces instead of the contract
/// keeps the CreditLedger's code out of their compilation jobs (under `--coverage` those jobs would otherwise overflow
/// the wasm compiler's memory).
interface ILedger is ICreditLedger, ILedgerBook, IProductLimits {
    /// @notice LedgerCore.APR_CAP_BPS
    function APR_CAP_BPS() external view returns (uint256);

    /// @notice LedgerBook.MAX_RATE_BPS
    function MAX_RATE_BPS() external view returns (uint256);
}
