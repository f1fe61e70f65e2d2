// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {MockStablecoin} from "../../contracts/mocks/MockStablecoin.sol";
import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {ITestLedger, IMicrocreditDeployer} from "./ITestLedger.sol";
import {ILendingPool} from "../../contracts/interfaces/ILendingPool.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ILedger} from "../invariants/ILedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// Shared deployment for the ledger and pool tests: token, ledger and pool from `MicrocreditDeployer`, roles, the
/// default product catalogue (src/config/defaults.ts) and a lender with 1,000,000 tokens in the pool.
abstract contract MicrocreditBase is Test {
    uint256 internal constant CHAIN = 31337;
    uint256 internal constant START = 1_750_000_000;
    uint256 internal constant ONE = 1e6;
    uint256 internal constant APR = 1800;
    uint256 internal constant INITIAL_DEPOSIT = 1_000_000e6;
    uint32 internal constant ALL_PRODUCTS_MASK = 0x3f;
    uint256 internal constant PRODUCT_COUNT = 6;

    uint8 internal constant EQUAL_INSTALMENT = 0;
    uint8 internal constant EQUAL_PRINCIPAL = 1;
    uint8 internal constant INTEREST_FIRST = 2;
    uint8 internal constant BULLET = 3;

    /// `ScheduleMath.INTEREST_SCALE`: pool accrual is in 1/SCALE base units per second.
    uint256 internal constant SCALE = 10_000 * 360 * 86_400;

    MockStablecoin internal token;
    ITestLedger internal ledger;
    ILendingPool internal pool;

    address internal admin = makeAddr("admin");
    address internal underwriter = makeAddr("underwriter");
    address internal pauser = makeAddr("pauser");
    address internal lender = makeAddr("lender");
    address internal borrower = makeAddr("borrower");
    address internal recipient = makeAddr("recipient");

    function setUp() public virtual {
        vm.chainId(CHAIN);
        vm.warp(START);
        token = MockStablecoin(deployCode("MockStablecoin.sol:MockStablecoin"));
        // deployCode reads the artifacts, so test bytecode does not carry the ledger's and the pool's.
        IMicrocreditDeployer deployer = IMicrocreditDeployer(
            deployCode(
                "MicrocreditDeployer.sol:MicrocreditDeployer",
                abi.encode(
                    token,
                    "Pool",
                    "mcUSD",
                    admin,
                    deployCode("CollectionModule.sol:CollectionModule", abi.encode(token)),
                    deployCode("DelinquencyModule.sol:DelinquencyModule", abi.encode(token)),
                    deployCode("ConfigModule.sol:ConfigModule", abi.encode(token)),
                    deployCode("ViewModule.sol:ViewModule", abi.encode(token))
                )
            )
        );
        ledger = ITestLedger(deployer.ledger());
        pool = ILendingPool(deployer.pool());

        vm.startPrank(admin);
        ledger.grantRole(ledger.UNDERWRITER_ROLE(), underwriter);
        ledger.grantRole(ledger.PAUSER_ROLE(), pauser);
        for (uint8 id = 0; id < PRODUCT_COUNT; ++id) {
            (uint8 method, uint8 instalments, uint16 periodDays) = _productTerms(id);
            ledger.setProduct(id, method, instalments, periodDays, true);
        }
        vm.stopPrank();

        _deposit(lender, INITIAL_DEPOSIT);
    }

    // ---------------------------------------------------------------- catalogue

    /// The default catalogue: 0–2 equal instalment 3/6/12 × 30 days, 3 equal principal 12 × 30, 4 interest-first
    /// 12 × 30, 5 bullet 1 × 30.
    function _productTerms(uint8 id) internal pure returns (uint8 method, uint8 instalments, uint16 periodDays) {
        if (id == 0) return (EQUAL_INSTALMENT, 3, 30);
        if (id == 1) return (EQUAL_INSTALMENT, 6, 30);
        if (id == 2) return (EQUAL_INSTALMENT, 12, 30);
        if (id == 3) return (EQUAL_PRINCIPAL, 12, 30);
        if (id == 4) return (INTEREST_FIRST, 12, 30);
        return (BULLET, 1, 30);
    }

    // ---------------------------------------------------------------- actors

    /// Mints `amount` to `who` and lets both the pool (deposits) and the ledger (repayments) pull from it.
    function _fund(address who, uint256 amount) internal {
        while (amount != 0) {
            uint256 part = amount < token.FAUCET_MAX() ? amount : token.FAUCET_MAX();
            token.faucet(who, part);
            amount -= part;
        }
        vm.startPrank(who);
        token.approve(address(pool), type(uint256).max);
        token.approve(address(ledger), type(uint256).max);
        vm.stopPrank();
    }

    function _deposit(address who, uint256 assets) internal returns (uint256 shares) {
        _fund(who, assets);
        vm.prank(who);
        shares = pool.deposit(assets, who);
    }

    function _openLine(address who, uint256 limit, uint256 aprBps) internal {
        vm.prank(underwriter);
        ledger.setLine(who, limit, aprBps, ALL_PRODUCTS_MASK, ICreditLedger.LineStatus.Active);
    }

    function _draw(address who, uint8 productId, uint256 amount) internal returns (uint256 loanId) {
        vm.prank(who);
        loanId = ledger.draw(productId, amount);
    }

    /// Opens a line for `who` of exactly `amount` at `aprBps` and draws it all as product `productId`.
    function _openAndDraw(address who, uint8 productId, uint256 amount, uint256 aprBps) internal returns (uint256) {
        _openLine(who, amount, aprBps);
        return _draw(who, productId, amount);
    }

    /// Repays `amount` of `loanId` from `payer`, funding it first; returns what the ledger took.
    function _repay(address payer, uint256 loanId, uint256 amount) internal returns (uint256 paid) {
        uint256 need = amount == type(uint256).max ? ledger.loanState(loanId).payoff : amount;
        uint256 balance = token.balanceOf(payer);
        if (balance < need) _fund(payer, need - balance);
        else if (token.allowance(payer, address(ledger)) < need) _fund(payer, 0);
        vm.prank(payer);
        paid = ledger.repay(loanId, amount);
    }

    function _outstanding(uint256 loanId) internal view returns (uint256) {
        ICreditLedger.Loan memory loan = ledger.loanRecord(loanId);
        return uint256(loan.principal) - loan.principalPaid;
    }

    /// Share price: the assets 1e18 shares are worth (1e18 shares ≈ 1 token with the pool's 10^6 virtual offset).
    function _sharePrice() internal view returns (uint256) {
        return pool.convertToAssets(1e18);
    }
}
