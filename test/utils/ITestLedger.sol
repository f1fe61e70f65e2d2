// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ILedger} from "../invariants/ILedger.sol";

/// The CreditLedger as the tests see it: its interfaces (`ILedger`), AccessControl and its role getters. The tests
/// deploy the ledger and the pool from their artifacts (`MicrocreditDeployer`) and call them through interfaces, so
/// no test compilation job carries their code: solc generates bytecode for every contract of every source in a job,
/// and under `--coverage` a test job holding the instrumented ledger (and CreditOffers) overflows the wasm
/// compiler's memory (docs/INVARIANTS.md, Coverage).
interface ITestLedger is ILedger, IAccessControl {
    /// @notice LedgerCore.UNDERWRITER_ROLE
    function UNDERWRITER_ROLE() external view returns (bytes32);

    /// @notice LedgerCore.PAUSER_ROLE
    function PAUSER_ROLE() external view returns (bytes32);

    /// @notice LedgerCore.RISK_ROLE
    function RISK_ROLE() external view returns (bytes32);
}

/// MicrocreditDeployer's two getters, as addresses.
interface IMicrocreditDeployer {
    /// @notice MicrocreditDeployer.ledger
    function ledger() external view returns (address);

    /// @notice MicrocreditDeployer.pool
    function pool() external view returns (address);
}
