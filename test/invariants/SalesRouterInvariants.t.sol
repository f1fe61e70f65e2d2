// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {IMerchantRegistry} from "../../contracts/interfaces/IMerchantRegistry.sol";
import {ISalesRouter} from "../../contracts/interfaces/ISalesRouter.sol";
import {MicrocreditBase} from "../utils/MicrocreditBase.sol";
import {SalesRouterHandler} from "./SalesRouterHandler.sol";

/// Handler-based invariants of the sales router on the real ledger (docs/INVARIANTS.md, ROUTER_A–E): whatever the
/// sequence of sales, borrows, repayments outside the router, refunds, collections, marks, write-offs and time, the
/// router never holds funds, every sale is split exactly, no sale repays more than its share or than the loans it
/// reaches owe, no sale is refused, and the loans are listed in borrow order until they owe nothing.
contract SalesRouterInvariants is MicrocreditBase {
    uint8 internal constant PRODUCT = 7;

    SalesRouterHandler internal handler;
    ISalesRouter internal router;

    function setUp() public override {
        super.setUp();
        address owner = makeAddr("router merchant owner");
        address payout = makeAddr("router merchant payout");
        IMerchantRegistry registry = IMerchantRegistry(
            deployCode("MerchantRegistry.sol:MerchantRegistry", abi.encode(token, admin))
        );
        router = ISalesRouter(
            deployCode("SalesRouter.sol:SalesRouter", abi.encode(registry, ledger, PRODUCT, 2_000, 5_000))
        );
        vm.startPrank(admin);
        ledger.setProduct(PRODUCT, EQUAL_PRINCIPAL, 6, 30, true);
        ledger.setProductOriginator(PRODUCT, address(router));
        IAccessControl(address(registry)).grantRole(registry.MERCHANT_MANAGER_ROLE(), admin);
        uint256 merchantId = registry.register(owner, 0, 1);
        vm.stopPrank();
        vm.prank(underwriter);
        ledger.setLine(owner, 100_000 * ONE, APR, uint32(1) << PRODUCT, ICreditLedger.LineStatus.Active);
        _fund(owner, 1_000_000 * ONE);
        vm.startPrank(owner);
        registry.accept(merchantId, payout);
        ledger.setOriginatorAllowed(address(router), true);
        ledger.setMandate(0);
        token.approve(address(router), type(uint256).max);
        vm.stopPrank();

        handler = new SalesRouterHandler(token, ICreditLedger(address(ledger)), router, merchantId, owner, payout);
        // Sales are listed four times and borrows twice: the fuzzer picks an entry uniformly.
        bytes4[] memory selectors = new bytes4[](14);
        for (uint256 i = 0; i < 4; ++i) selectors[i] = SalesRouterHandler.sale.selector;
        selectors[4] = SalesRouterHandler.borrow.selector;
        selectors[5] = SalesRouterHandler.borrow.selector;
        selectors[6] = SalesRouterHandler.repayOutside.selector;
        selectors[7] = SalesRouterHandler.refund.selector;
        selectors[8] = SalesRouterHandler.collect.selector;
        selectors[9] = SalesRouterHandler.mark.selector;
        selectors[10] = SalesRouterHandler.setOwnerWallet.selector;
        selectors[11] = SalesRouterHandler.warp.selector;
        selectors[12] = SalesRouterHandler.warp.selector;
        selectors[13] = SalesRouterHandler.warpLong.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// ROUTER_A: "the router holds no tokens after any transaction."
    function invariant_ROUTER_A_holdsNothing() public view {
        assertEq(token.balanceOf(address(router)), 0);
    }

    /// ROUTER_B: "every sale's amount is split exactly between the loans and the payout address."
    function invariant_ROUTER_B_everySaleIsSplitExactly() public view {
        assertEq(handler.salesToLoans() + handler.salesToMerchant(), handler.sales(), "sum over the sales");
    }

    /// ROUTER_C: "a sale repays min(its share, what the first four listed loans owe): never more than owed, never
    /// more than the share, and no less while a loan owes."
    function invariant_ROUTER_C_repaysItsShareCappedByWhatIsOwed() public view {
        assertEq(handler.splitDepartures(), 0, handler.firstDeparture());
    }

    /// ROUTER_E: "the router lists the owner's loans in the order they were borrowed and drops only loans that owe
    /// nothing, from the front."
    function invariant_ROUTER_E_listsLoansInBorrowOrderAndDropsOnlyClosedOnes() public view {
        assertEq(handler.listDepartures(), 0);
    }

    /// ROUTER_D: "a sale to an active merchant is never refused, whatever state its loans are in."
    function invariant_ROUTER_D_noSaleIsRefused() public view {
        assertEq(handler.revertedSales(), 0);
    }
}
