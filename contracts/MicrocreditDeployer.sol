// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {LendingPool} from "./LendingPool.sol";
import {CreditLedger} from "./CreditLedger.sol";
import {CreditLens} from "./CreditLens.sol";

/// @title MicrocreditDeployer
/// @notice Deploys a ledger and its pool in one transaction, each knowing the other as an immutable, and the lens that
/// reads the ledger.
/// @dev The ledger needs the pool's address before the pool exists (it checks `msg.sender == pool` without a storage
/// read). Contract nonces start at 1, so the ledger is this contract's first creation and the pool its second; the
/// pool's address is computed up front and checked after; the lens is the third creation. The ledger's four modules
/// (`CollectionModule`, `DelinquencyModule`, `ConfigModule`, `ViewModule`, each constructed with the asset) are
/// deployed beforehand and passed in: their creation codes with the ledger's would exceed the 48 KiB initcode limit.
contract MicrocreditDeployer {
    /// @notice Thrown if the pool did not land on its precomputed address.
    error DeploymentMismatch(address expected, address actual);

    /// @notice Emitted with the addresses of the new pool, ledger and lens.
    event Deployed(address indexed pool, address indexed ledger, address indexed asset, address admin, address lens);

    LendingPool public immutable pool;
    CreditLedger public immutable ledger;
    CreditLens public immutable lens;

    constructor(
        IERC20 asset,
        string memory name,
        string memory symbol,
        address admin,
        address collectionModule,
        address delinquencyModule,
        address configModule,
        address viewModule
    ) {
        address expected = address(
            uint160(uint256(keccak256(abi.encodePacked(bytes2(0xd694), address(this), bytes1(0x02)))))
        );
        CreditLedger ledger_ = new CreditLedger(
            asset,
            expected,
            admin,
            collectionModule,
            delinquencyModule,
            configModule,
            viewModule
        );
        LendingPool pool_ = new LendingPool(asset, name, symbol, address(ledger_));
        if (address(pool_) != expected) revert DeploymentMismatch(expected, address(pool_));
        CreditLens lens_ = new CreditLens(ledger_);
        pool = pool_;
        ledger = ledger_;
        lens = lens_;
        emit Deployed(address(pool_), address(ledger_), address(asset), admin, address(lens_));
    }
}
