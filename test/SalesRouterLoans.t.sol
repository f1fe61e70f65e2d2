// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ICreditLedger} from "../contracts/interfaces/ICreditLedger.sol";
import {IMerchantRegistry} from "../contracts/interfaces/IMerchantRegistry.sol";
import {ISalesRouter} from "../contracts/interfaces/ISalesRouter.sol";
import {LedgerViews} from "../contracts/libraries/LedgerViews.sol";
import {ITestLedger} from "./utils/ITestLedger.sol";
import {MicrocreditBase} from "./utils/MicrocreditBase.sol";

using LedgerViews for ITestLedger;

/// Merchant loans repaid from sales (ISalesRouter, PRODUCT.md C7) against the real ledger: a merchant borrows through
/// the router, every sale's share repays its loans oldest first and never more than they owe, the share rises while
/// its line has a loan past grace and falls back at the cure, loans closed elsewhere drop out, refunds are the
/// merchant's own, a written-off loan is recovered from sales, and every sale's amount is split exactly.
contract SalesRouterLoansTest is MicrocreditBase {
    uint8 internal constant PRODUCT = 7;
    uint256 internal constant SHARE = 2_000;
    uint256 internal constant LATE_SHARE = 5_000;
    bytes32 internal constant REPAID_FROM_SALE = keccak256("RepaidFromSale(uint256,uint256,uint256,uint256)");

    IMerchantRegistry internal registry;
    ISalesRouter internal router;

    address internal owner = makeAddr("merchant owner");
    address internal payout = makeAddr("merchant payout");
    address internal customer = makeAddr("customer");
    uint256 internal merchantId;
    uint256 internal orderId;

    function setUp() public override {
        super.setUp();
        registry = IMerchantRegistry(deployCode("MerchantRegistry.sol:MerchantRegistry", abi.encode(token, admin)));
        router = ISalesRouter(
            deployCode("SalesRouter.sol:SalesRouter", abi.encode(registry, ledger, PRODUCT, SHARE, LATE_SHARE))
        );
        vm.startPrank(admin);
        ledger.setProduct(PRODUCT, EQUAL_PRINCIPAL, 6, 30, true); // the minimum per 30 days
        ledger.setProductOriginator(PRODUCT, address(router));
        IAccessControl(address(registry)).grantRole(registry.MERCHANT_MANAGER_ROLE(), admin);
        merchantId = registry.register(owner, 0, 1);
        vm.stopPrank();
        vm.prank(underwriter);
        ledger.setLine(owner, 100_000 * ONE, APR, uint32(1) << PRODUCT, ICreditLedger.LineStatus.Active);
        vm.startPrank(owner);
        registry.accept(merchantId, payout);
        ledger.setOriginatorAllowed(address(router), true);
        vm.stopPrank();
        _fund(customer, 10_000_000 * ONE);
        vm.prank(customer);
        token.approve(address(router), type(uint256).max);
    }

    // ---------------------------------------------------------------- helpers

    function _bounds() internal pure returns (ICreditLedger.DrawBounds memory) {
        return ICreditLedger.DrawBounds({maxAprBps: 2_400, minReceived: 0, method: 1, payments: 6, periodDays: 30});
    }

    function _borrow(uint256 amount) internal returns (uint256 loanId) {
        vm.prank(owner);
        loanId = router.borrow(merchantId, amount, _bounds());
    }

    /// A customer's sale of `amount`; returns what the loans got (ledger's cash change) and the payout's.
    function _sale(uint256 amount) internal returns (uint256 toLoans, uint256 toMerchant) {
        uint256 ledgerBefore = token.balanceOf(address(ledger));
        uint256 payoutBefore = token.balanceOf(payout);
        vm.prank(customer);
        router.pay(merchantId, amount, ++orderId);
        toLoans = token.balanceOf(address(ledger)) - ledgerBefore;
        toMerchant = token.balanceOf(payout) - payoutBefore;
        assertEq(toLoans + toMerchant, amount, "the sale is split exactly");
        assertEq(token.balanceOf(address(router)), 0, "the router holds nothing");
    }

    /// Hands the merchant to a new owner key with its own line for the merchant loan, the router let in.
    function _newOwnerKey() internal returns (address next) {
        next = makeAddr("next owner key");
        vm.prank(owner);
        registry.proposeOwner(merchantId, next);
        vm.prank(next);
        registry.acceptOwner(merchantId, payout);
        vm.prank(underwriter);
        ledger.setLine(next, 100_000 * ONE, APR, uint32(1) << PRODUCT, ICreditLedger.LineStatus.Active);
        vm.prank(next);
        ledger.setOriginatorAllowed(address(router), true);
    }

    function _mark(uint256 loanId) internal {
        uint256[] memory ids = new uint256[](1);
        ids[0] = loanId;
        ledger.mark(ids);
    }

    function _payoff(uint256 loanId) internal view returns (uint256) {
        return ledger.loanState(loanId).payoff;
    }

    // ---------------------------------------------------------------- tests

    function test_constructor_refusesAnotherToken() public {
        address other = deployCode("MockStablecoin.sol:MockStablecoin");
        address otherRegistry = deployCode("MerchantRegistry.sol:MerchantRegistry", abi.encode(other, admin));
        vm.expectRevert(abi.encodeWithSelector(ISalesRouter.AssetMismatch.selector, other, address(token)));
        deployCode("SalesRouter.sol:SalesRouter", abi.encode(otherRegistry, ledger, PRODUCT, SHARE, LATE_SHARE));
    }

    function test_payoutAtTheRouter_isRefused_nothingMoves() public {
        vm.prank(owner);
        registry.setPayout(merchantId, address(router));
        vm.prank(customer);
        vm.expectRevert(abi.encodeWithSelector(ISalesRouter.PayoutIsRouter.selector, merchantId, address(router)));
        router.pay(merchantId, 1_000 * ONE, 1);
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(ISalesRouter.PayoutIsRouter.selector, merchantId, address(router)));
        router.borrow(merchantId, 1_000 * ONE, _bounds());
        assertEq(token.balanceOf(address(router)), 0);
    }

    function test_constructor_refusesBadShares() public {
        vm.expectRevert(abi.encodeWithSelector(ISalesRouter.InvalidShares.selector, 0, LATE_SHARE));
        deployCode("SalesRouter.sol:SalesRouter", abi.encode(registry, ledger, PRODUCT, 0, LATE_SHARE));
        vm.expectRevert(abi.encodeWithSelector(ISalesRouter.InvalidShares.selector, 6_000, 5_000));
        deployCode("SalesRouter.sol:SalesRouter", abi.encode(registry, ledger, PRODUCT, 6_000, 5_000));
        vm.expectRevert(abi.encodeWithSelector(ISalesRouter.InvalidShares.selector, 2_000, 10_001));
        deployCode("SalesRouter.sol:SalesRouter", abi.encode(registry, ledger, PRODUCT, 2_000, 10_001));
    }

    function test_borrow_paysThePayout_andSalesRepayTheShare() public {
        assertEq(router.repaymentShareBps(merchantId), 0, "nothing owed: the whole sale is the merchant's");
        (uint256 toLoans, uint256 toMerchant) = _sale(1_000 * ONE);
        assertEq(toLoans, 0);
        assertEq(toMerchant, 1_000 * ONE);

        uint256 loanId = _borrow(10_000 * ONE);
        assertEq(token.balanceOf(payout), 11_000 * ONE, "the loan is paid to the payout address");
        assertEq(ledger.loanState(loanId).borrower, owner, "on the owner's line");
        uint256[] memory open = router.openLoans(merchantId);
        assertEq(open.length, 1);
        assertEq(open[0], loanId);
        assertEq(router.repaymentShareBps(merchantId), SHARE);

        vm.warp(vm.getBlockTimestamp() + 10 days);
        uint256 payoffBefore = _payoff(loanId);
        vm.recordLogs();
        (toLoans, toMerchant) = _sale(1_000 * ONE);
        assertEq(toLoans, 200 * ONE, "20% of the sale");
        assertEq(toMerchant, 800 * ONE);
        assertEq(_payoff(loanId), payoffBefore - 200 * ONE, "the loan owes what the sale repaid less");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 events;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(router) && logs[i].topics[0] == REPAID_FROM_SALE) {
                ++events;
                assertEq(uint256(logs[i].topics[3]), loanId);
                assertEq(abi.decode(logs[i].data, (uint256)), 200 * ONE);
            }
        }
        assertEq(events, 1);

        // A sale too small for a unit of share pays the merchant in full.
        (toLoans, toMerchant) = _sale(4);
        assertEq(toLoans, 0);
        assertEq(toMerchant, 4);
    }

    function test_sale_neverRepaysMoreThanOwed_theExcessGoesToTheMerchant() public {
        uint256 loanId = _borrow(1_000 * ONE);
        vm.warp(vm.getBlockTimestamp() + 3 days);
        uint256 owed = _payoff(loanId);
        (uint256 toLoans, uint256 toMerchant) = _sale(10_000 * ONE); // share 2,000 > what the loan owes
        assertEq(toLoans, owed, "exactly the payoff");
        assertEq(toMerchant, 10_000 * ONE - owed);
        assertEq(uint8(ledger.loanState(loanId).status), uint8(ICreditLedger.LoanStatus.Repaid));
        assertEq(router.openLoans(merchantId).length, 0, "repaid: no longer listed");
        assertEq(router.repaymentShareBps(merchantId), 0);
        (toLoans, toMerchant) = _sale(1_000 * ONE);
        assertEq(toLoans, 0, "nothing owed: nothing taken");
    }

    function test_oldestLoanFirst_thenTheNext() public {
        uint256 first = _borrow(500 * ONE);
        vm.warp(vm.getBlockTimestamp() + 1 days);
        uint256 second = _borrow(5_000 * ONE);
        vm.warp(vm.getBlockTimestamp() + 1 days);
        uint256 owedFirst = _payoff(first);
        uint256 owedSecond = _payoff(second);
        (uint256 toLoans, uint256 toMerchant) = _sale(5_000 * ONE); // share 1,000: the first, then the second
        assertEq(toLoans, 1_000 * ONE);
        assertEq(toMerchant, 4_000 * ONE);
        assertEq(uint8(ledger.loanState(first).status), uint8(ICreditLedger.LoanStatus.Repaid), "oldest repaid");
        assertEq(_payoff(second), owedSecond - (1_000 * ONE - owedFirst), "the rest to the next");
        uint256[] memory open = router.openLoans(merchantId);
        assertEq(open.length, 1);
        assertEq(open[0], second);
    }

    function test_shareRisesWhileALoanIsPastGrace_andFallsBackAtTheCure() public {
        uint256 loanId = _borrow(6_000 * ONE);
        // No sales for the first period: the instalment falls due; 5 days past grace the keeper marks it (M1).
        vm.warp(vm.getBlockTimestamp() + 30 days + 8 days);
        _mark(loanId);
        assertEq(ledger.lineOf(owner).lateLoans, 1, "past grace");
        assertEq(router.repaymentShareBps(merchantId), LATE_SHARE);

        (uint256 toLoans, ) = _sale(100 * ONE); // half of it repays, not enough to cure
        assertEq(toLoans, 50 * ONE, "50% while late");
        assertEq(router.repaymentShareBps(merchantId), LATE_SHARE, "still late");
        uint256 due = ledger.dueNow(loanId);
        assertGt(due, 0);

        (toLoans, ) = _sale(2 * due); // its half covers the arrears
        assertEq(toLoans, due, "half of the sale");
        assertEq(ledger.lineOf(owner).lateLoans, 0, "cured");
        assertEq(ledger.loanState(loanId).pastDue, 0);
        assertEq(router.repaymentShareBps(merchantId), SHARE, "back to 20%");
        (toLoans, ) = _sale(1_000 * ONE);
        assertEq(toLoans, 200 * ONE);
    }

    function test_loanRepaidOutsideTheRouter_isDroppedAtTheNextSale() public {
        uint256 loanId = _borrow(1_000 * ONE);
        _repay(owner, loanId, type(uint256).max);
        assertEq(router.openLoans(merchantId).length, 1, "listed until a sale reaches it");
        (uint256 toLoans, uint256 toMerchant) = _sale(1_000 * ONE);
        assertEq(toLoans, 0);
        assertEq(toMerchant, 1_000 * ONE, "the whole sale to the merchant");
        assertEq(router.openLoans(merchantId).length, 0, "dropped");
    }

    function test_refundOfARoutedSale_isTheMerchantsAlone() public {
        uint256 loanId = _borrow(10_000 * ONE);
        (uint256 toLoans, ) = _sale(1_000 * ONE);
        assertEq(toLoans, 200 * ONE);
        uint256 payoffAfterSale = _payoff(loanId);
        uint256 customerBefore = token.balanceOf(customer);
        vm.startPrank(payout);
        token.approve(address(router), type(uint256).max);
        uint256 payoutBefore = token.balanceOf(payout);
        router.refund(merchantId, orderId, 1_000 * ONE, customer);
        vm.stopPrank();
        assertEq(token.balanceOf(customer) - customerBefore, 1_000 * ONE, "the customer gets the whole sale back");
        assertEq(payoutBefore - token.balanceOf(payout), 1_000 * ONE, "from the merchant");
        assertEq(_payoff(loanId), payoffAfterSale, "what the sale repaid stays repaid");
    }

    function test_writtenOffLoan_isRecoveredFromSales() public {
        uint256 loanId = _borrow(1_000 * ONE);
        vm.warp(vm.getBlockTimestamp() + 30 days + 120 days);
        _mark(loanId);
        assertEq(uint8(ledger.loanState(loanId).status), uint8(ICreditLedger.LoanStatus.Defaulted));
        assertEq(router.repaymentShareBps(merchantId), LATE_SHARE, "a write-off keeps the line late: 50%");
        uint256 claim = _payoff(loanId);
        (uint256 toLoans, ) = _sale(1_000 * ONE);
        assertEq(toLoans, 500 * ONE, "half of the sale, a recovery");
        assertEq(_payoff(loanId), claim - 500 * ONE, "the claim falls by it");
        // A sale whose share passes what is left recovers exactly that, and the loan is dropped.
        (toLoans, ) = _sale(100_000 * ONE);
        assertEq(toLoans, claim - 500 * ONE, "exactly what the write-off left to recover");
        assertEq(_payoff(loanId), 0);
        assertEq(router.openLoans(merchantId).length, 0, "recovered in full: dropped");
        (toLoans, ) = _sale(1_000 * ONE);
        assertEq(toLoans, 0);
    }

    function test_writtenOffLoanRecoveredOutsideTheRouter_isDroppedAtTheNextSale() public {
        uint256 loanId = _borrow(1_000 * ONE);
        vm.warp(vm.getBlockTimestamp() + 30 days + 120 days);
        _mark(loanId);
        _repay(owner, loanId, type(uint256).max); // the whole recovery, paid directly
        assertEq(ledger.loanState(loanId).payoff, 0, "nothing left to recover");
        assertEq(router.openLoans(merchantId).length, 1, "listed until a sale reaches it");
        (uint256 toLoans, uint256 toMerchant) = _sale(1_000 * ONE);
        assertEq(toLoans, 0, "nothing taken for a loan that owes nothing");
        assertEq(toMerchant, 1_000 * ONE);
        assertEq(router.openLoans(merchantId).length, 0, "dropped");
    }

    function test_borrow_refusals() public {
        address stranger = makeAddr("stranger");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotMerchantOwner.selector, merchantId, stranger));
        router.borrow(merchantId, 1_000 * ONE, _bounds());

        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 99));
        router.borrow(99, 1_000 * ONE, _bounds());

        vm.prank(owner);
        ledger.setOriginatorAllowed(address(router), false);
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.OriginatorNotAllowed.selector, owner, address(router)));
        router.borrow(merchantId, 1_000 * ONE, _bounds());
        vm.prank(owner);
        ledger.setOriginatorAllowed(address(router), true);

        vm.prank(admin);
        registry.suspend(merchantId);
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantSuspended.selector, merchantId));
        router.borrow(merchantId, 1_000 * ONE, _bounds());
        assertEq(router.openLoans(merchantId).length, 0, "nothing opened");
    }

    function test_newOwnerKey_borrowsOnceThePreviousKeysLoansAreClosed() public {
        uint256 old = _borrow(1_000 * ONE);
        address next = _newOwnerKey();
        vm.startPrank(next);
        vm.expectRevert(abi.encodeWithSelector(ISalesRouter.OpenLoansOfAnotherKey.selector, merchantId, owner, next));
        router.borrow(merchantId, 1_000 * ONE, _bounds());
        vm.stopPrank();
        (uint256 toLoans, ) = _sale(1_000 * ONE);
        assertEq(toLoans, 200 * ONE, "sales still repay the previous key's loan");

        _repay(owner, old, type(uint256).max);
        vm.prank(next);
        uint256 fresh = router.borrow(merchantId, 2_000 * ONE, _bounds());
        uint256[] memory open = router.openLoans(merchantId);
        assertEq(open.length, 1, "the closed loan dropped");
        assertEq(open[0], fresh);
        assertEq(ledger.loanState(fresh).borrower, next);
        (toLoans, ) = _sale(1_000 * ONE);
        assertEq(toLoans, 200 * ONE, "and repay the new key's loan");
    }

    function test_borrow_dropsLoansThatOweNothing_soSalesMeetAnOpenLoanFirst() public {
        uint256 first = _borrow(1_000 * ONE);
        _repay(owner, first, type(uint256).max);
        uint256 second = _borrow(1_000 * ONE);
        uint256[] memory open = router.openLoans(merchantId);
        assertEq(open.length, 1, "the repaid loan dropped at the borrow");
        assertEq(open[0], second);
    }

    function test_newOwnerKey_isRefusedWhileAWrittenOffLoanStillOwesARecovery() public {
        uint256 old = _borrow(1_000 * ONE);
        vm.warp(vm.getBlockTimestamp() + 30 days + 120 days);
        _mark(old);
        assertEq(uint8(ledger.loanState(old).status), uint8(ICreditLedger.LoanStatus.Defaulted));
        address next = _newOwnerKey();
        // Fails before: a written-off loan counted as closed, so the new key's borrow dropped it and sales stopped
        // recovering it.
        vm.prank(next);
        vm.expectRevert(abi.encodeWithSelector(ISalesRouter.OpenLoansOfAnotherKey.selector, merchantId, owner, next));
        router.borrow(merchantId, 1_000 * ONE, _bounds());
        // Sales recover it in full; then the new key borrows.
        _sale(100_000 * ONE);
        assertEq(ledger.loanState(old).payoff, 0, "recovered in full");
        vm.prank(next);
        uint256 fresh = router.borrow(merchantId, 1_000 * ONE, _bounds());
        uint256[] memory open = router.openLoans(merchantId);
        assertEq(open.length, 1);
        assertEq(open[0], fresh);
    }

    function testFuzz_everySaleIsSplitExactly_andNeverRepaysMoreThanOwed(
        uint256 principal,
        uint256 amount,
        uint256 elapsed
    ) public {
        principal = bound(principal, 1 * ONE, 50_000 * ONE);
        amount = bound(amount, 1, 1_000_000 * ONE);
        uint256 loanId = _borrow(principal);
        vm.warp(vm.getBlockTimestamp() + bound(elapsed, 0, 200 days));
        uint256 owedBefore = ledger.loanState(loanId).status == ICreditLedger.LoanStatus.Active ? _payoff(loanId) : 0;
        (uint256 toLoans, ) = _sale(amount); // asserts the exact split and an empty router
        assertLe(toLoans, (amount * LATE_SHARE) / 10_000, "at most the share");
        if (owedBefore != 0) assertLe(toLoans, owedBefore, "never more than the loan owes");
    }
}
