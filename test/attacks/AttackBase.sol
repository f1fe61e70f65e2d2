// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {MicrocreditBase} from "../utils/MicrocreditBase.sol";
import {ITestLedger, IMicrocreditDeployer} from "../utils/ITestLedger.sol";
import {ILendingPool} from "../../contracts/interfaces/ILendingPool.sol";
import {ScheduleMath} from "../../contracts/libraries/ScheduleMath.sol";

/// A plain 6-decimals ERC-20 anyone can mint: the base of the special tokens the attack suites deploy pools over.
contract MintableToken is ERC20 {
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// The shared deployment of `MicrocreditBase` (MockStablecoin pool, a lender with 1,000,000 tokens in it), plus a
/// second, empty deployment over any asset: the same contracts from the artifacts, the same roles and catalogue.
abstract contract AttackBase is MicrocreditBase {
    /// lenderAssets may dip by up to 2 base units as time passes (docs/INVARIANTS.md, KI-2).
    uint256 internal constant PRICE_DUST_ASSETS = 2;

    address internal keeper = makeAddr("keeper");
    address internal attacker = makeAddr("attacker");
    address internal victim = makeAddr("victim");

    /// Deploys a ledger and a pool over `asset` with `MicrocreditDeployer` and its own `CollectionModule`, grants
    /// the test's underwriter and pauser their roles and defines the default catalogue. No deposit.
    function _deployWith(address asset) internal returns (ITestLedger l, ILendingPool p) {
        IMicrocreditDeployer deployer = IMicrocreditDeployer(
            deployCode(
                "MicrocreditDeployer.sol:MicrocreditDeployer",
                abi.encode(
                    asset,
                    "Pool",
                    "mcX",
                    admin,
                    deployCode("CollectionModule.sol:CollectionModule", abi.encode(asset)),
                    deployCode("DelinquencyModule.sol:DelinquencyModule", abi.encode(asset)),
                    deployCode("ConfigModule.sol:ConfigModule", abi.encode(asset)),
                    deployCode("ViewModule.sol:ViewModule", abi.encode(asset))
                )
            )
        );
        l = ITestLedger(deployer.ledger());
        p = ILendingPool(deployer.pool());
        vm.startPrank(admin);
        l.grantRole(l.UNDERWRITER_ROLE(), underwriter);
        l.grantRole(l.PAUSER_ROLE(), pauser);
        for (uint8 id = 0; id < PRODUCT_COUNT; ++id) {
            (uint8 method, uint8 instalments, uint16 periodDays) = _productTerms(id);
            l.setProduct(id, method, instalments, periodDays, true);
        }
        vm.stopPrank();
    }

    /// The first instalment of an equal-instalment loan as the ledger plans it (ScheduleMath).
    function _instalment(uint256 principal, uint256 aprBps, uint256 instalments) internal pure returns (uint256) {
        (uint256[] memory payments, , ) = ScheduleMath.schedule(EQUAL_INSTALMENT, principal, aprBps, instalments, 30);
        return payments[0];
    }

    /// The POOL_A check of docs/INVARIANTS.md: the ledger's token balance covers its internal cash.
    function _poolA(address asset, ITestLedger l) internal view returns (bool) {
        return ERC20(asset).balanceOf(address(l)) >= l.cash();
    }
}
