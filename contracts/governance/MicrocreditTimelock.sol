// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title MicrocreditTimelock
/// @notice The admin of a production deployment. Every admin change (products, rates and fees, delinquency
/// parameters, portfolio limits, roles) is scheduled first, announced in `CallScheduled` with its full calldata, and
/// can run only after `getMinDelay()`; lenders and borrowers see it coming and can leave. The emergency levers are
/// not behind it: the pauser role halts new credit and the risk role tightens limits or cuts lines at once, and
/// neither can raise risk or move funds.
/// @dev OpenZeppelin's TimelockController as is, under our name so deployments and tests can refer to it.
contract MicrocreditTimelock is TimelockController {
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {}
}
