// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";

/// Whether the tests run under `npm run coverage`, which sets `MICROCREDIT_COVERAGE=1` (package.json). Coverage
/// instruments every statement of the contracts with a call that records it, so gas figures measured there are not
/// the contracts' gas: a test reads this to leave its gas-budget assertions out of the coverage run only. Every
/// other run (`npm test`, CI's test step, `npm run bench:gas`) checks the budgets.
library Coverage {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function active() internal view returns (bool) {
        return VM.envOr("MICROCREDIT_COVERAGE", uint256(0)) != 0;
    }
}
