// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {ILedgerBook} from "../../contracts/interfaces/ILedgerBook.sol";
import {ScheduleMath} from "../../contracts/libraries/ScheduleMath.sol";
import {MicrocreditBase} from "../utils/MicrocreditBase.sol";
import {ICreditQuotes} from "../../contracts/interfaces/ICreditQuotes.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ILedger} from "../invariants/ILedger.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// Draws and repayments through the ledger: the plan is paid to the unit, the book and the lines stay consistent
/// through random sequences, refusals name their inputs and change nothing.
contract DrawRepayTest is MicrocreditBase {
    /// lenderAssets floors gross interest, fees and the first-loss reserve separately, so a change of gross by less
    /// than a unit can lower it by up to 2 base units (reported; see docs/INVARIANTS.md, KI-2).
    uint256 internal constant ROUNDING_DUST = 2;
    uint256 internal constant STEPS = 16;
    uint256 internal constant LINE_LIMIT = 200_000e6;

    address internal borrower2 = makeAddr("borrower2");

    /// Everything a refused call could have touched.
    struct State {
        uint256 cash;
        uint256 principal;
        uint256 rateSum;
        uint256 lenderAssets;
        uint256 receivable;
        uint256 feesOwed;
        uint256 firstLoss;
        uint256 provisions;
        uint256 available;
        uint256 queueReserve;
        bool paused;
        uint256 supply;
        uint256 lenderShares;
        bytes line;
        bytes loan;
        uint256 ledgerTokens;
        uint256 borrowerTokens;
        uint256 lenderTokens;
        uint256 recipientTokens;
    }

    // Ghosts of the random sequence.
    uint256[] internal loanIds;
    mapping(uint256 loanId => uint256) internal principalRepaid;
    uint256 internal interestCollected;

    // ---------------------------------------------------------------- helpers

    function _state(uint256 loanId) internal view returns (State memory s) {
        s.cash = ledger.cash();
        s.principal = ledger.principalOutstanding();
        s.rateSum = ledger.rateSum();
        s.lenderAssets = ledger.lenderAssets();
        s.receivable = ledger.interestReceivable();
        s.feesOwed = ledger.protocolFeesOwed();
        s.firstLoss = ledger.firstLossReserve();
        s.provisions = ledger.provisions();
        s.available = ledger.availableLiquidity();
        s.queueReserve = ledger.queueReserve();
        s.paused = ledger.paused();
        s.supply = pool.totalSupply();
        s.lenderShares = pool.balanceOf(lender);
        s.line = abi.encode(ledger.lineOf(borrower));
        s.loan = abi.encode(ledger.loanRecord(loanId));
        s.ledgerTokens = token.balanceOf(address(ledger));
        s.borrowerTokens = token.balanceOf(borrower);
        s.lenderTokens = token.balanceOf(lender);
        s.recipientTokens = token.balanceOf(recipient);
    }

    function _assertSameState(State memory a, State memory b) internal pure {
        assertEq(a.cash, b.cash, "cash");
        assertEq(a.principal, b.principal, "principal");
        assertEq(a.rateSum, b.rateSum, "rateSum");
        assertEq(a.lenderAssets, b.lenderAssets, "lenderAssets");
        assertEq(a.receivable, b.receivable, "interestReceivable");
        assertEq(a.feesOwed, b.feesOwed, "protocolFeesOwed");
        assertEq(a.firstLoss, b.firstLoss, "firstLossReserve");
        assertEq(a.provisions, b.provisions, "provisions");
        assertEq(a.available, b.available, "availableLiquidity");
        assertEq(a.queueReserve, b.queueReserve, "queueReserve");
        assertEq(a.paused, b.paused, "paused");
        assertEq(a.supply, b.supply, "totalSupply");
        assertEq(a.lenderShares, b.lenderShares, "lender shares");
        assertEq(a.line, b.line, "line");
        assertEq(a.loan, b.loan, "loan");
        assertEq(a.ledgerTokens, b.ledgerTokens, "ledger tokens");
        assertEq(a.borrowerTokens, b.borrowerTokens, "borrower tokens");
        assertEq(a.lenderTokens, b.lenderTokens, "lender tokens");
        assertEq(a.recipientTokens, b.recipientTokens, "recipient tokens");
    }

    function _method(uint8 productId) internal pure returns (uint8 method) {
        (method, , ) = _productTerms(productId);
    }

    /// An open loan of 1,000 tokens on product 5, 10 days old, so refusals have a loan to leave untouched.
    function _loanForRefusals() internal returns (uint256 loanId) {
        _openLine(borrower, 50_000e6, APR);
        loanId = _draw(borrower, 5, 1_000e6);
        vm.warp(block.timestamp + 10 days);
    }

    // ---------------------------------------------------------------- the plan, paid on time

    /// Paying every instalment on its due date pays exactly the previewed plan, leaves nothing past due, never
    /// lowers the lenders' assets, closes the loan, frees the line and leaves all the interest in the pool's cash.
    function testFuzz_repay_onTimeInstalmentsPayThePreviewedPlan(
        uint8 productId,
        uint256 principal,
        uint256 aprBps
    ) public {
        productId = uint8(bound(productId, 0, PRODUCT_COUNT - 1));
        principal = bound(principal, 1, 500_000e6);
        aprBps = bound(aprBps, 0, ledger.APR_CAP_BPS());
        (uint8 method, uint8 instalments, uint16 periodDays) = _productTerms(productId);
        _openLine(borrower, principal, aprBps);
        uint256 loanId = _draw(borrower, productId, principal);

        (uint256[] memory pay, uint256[] memory pr, uint256[] memory it) = ScheduleMath.schedule(
            method,
            principal,
            aprBps,
            instalments,
            periodDays
        );
        (uint256[] memory dueDates, uint256[] memory planned, , ) = ICreditQuotes(
            deployCode("CreditQuotes.sol:CreditQuotes", abi.encode(ledger))
        ).loanSchedule(loanId);
        assertEq(planned, pay, "the loan's plan is the previewed plan");

        uint256 interest;
        for (uint256 k = 0; k < pay.length; ++k) {
            assertEq(
                dueDates[k],
                START + (k + 1) * uint256(periodDays) * (method == BULLET ? instalments : 1) * 1 days
            );
            vm.warp(dueDates[k]);
            assertEq(ledger.loanState(loanId).pastDue, pay[k], "instalment due");
            if (pay[k] == 0) continue; // interest-only rows of a 0% loan: nothing to pay
            uint256 lenderAssetsBefore = ledger.lenderAssets();
            uint256 paidBefore = ledger.loanRecord(loanId).principalPaid;
            uint256 balance = token.balanceOf(borrower);
            assertEq(_repay(borrower, loanId, pay[k]), pay[k], "paid");
            // _repay may top the wallet up first; the ledger takes exactly the instalment.
            assertEq(token.balanceOf(borrower) + pay[k], balance > pay[k] ? balance : pay[k], "pulled");
            assertEq(ledger.loanRecord(loanId).principalPaid - paidBefore, pr[k], "principal part");
            assertEq(ledger.loanState(loanId).pastDue, 0, "nothing past due");
            assertGe(ledger.lenderAssets() + ROUNDING_DUST, lenderAssetsBefore, "lender assets never fall");
            interest += it[k];
        }
        ICreditLedger.LoanView memory v = ledger.loanState(loanId);
        assertEq(uint8(v.status), uint8(ICreditLedger.LoanStatus.Repaid), "closed");
        assertEq(ledger.loanRecord(loanId).principalPaid, principal, "principal repaid");
        assertEq(ledger.lineOf(borrower).outstanding, 0, "line freed");
        assertEq(ledger.lineOf(borrower).available, principal, "limit available again");
        assertEq(ledger.principalOutstanding(), 0, "no principal out");
        assertEq(ledger.rateSum(), 0, "nothing accrues");
        assertEq(ledger.interestReceivable(), 0, "interest all collected");
        assertEq(ledger.cash(), INITIAL_DEPOSIT + interest, "cash = deposits + plan interest");
    }

    /// Paying off at any second of the first period costs the principal plus interest to that second only.
    function testFuzz_repay_payoffInFirstPeriodPaysInterestToDate(
        uint8 productId,
        uint256 principal,
        uint256 elapsed
    ) public {
        productId = uint8(bound(productId, 0, PRODUCT_COUNT - 1));
        principal = bound(principal, 1, 500_000e6);
        elapsed = bound(elapsed, 0, 30 days - 1);
        uint256 loanId = _openAndDraw(borrower, productId, principal, APR);
        vm.warp(START + elapsed);
        uint256 expected = principal + ScheduleMath.accruedInterestUp(principal, APR, elapsed);
        assertEq(ledger.loanState(loanId).payoff, expected, "payoff view");
        uint256 lenderAssetsBefore = ledger.lenderAssets();
        assertEq(_repay(borrower, loanId, type(uint256).max), expected, "paid");
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Repaid), "closed");
        assertEq(ledger.rateSum(), 0, "rate removed");
        assertGe(ledger.lenderAssets() + ROUNDING_DUST, lenderAssetsBefore, "lender assets never fall");
    }

    // ---------------------------------------------------------------- random sequences

    function _activeLoan(uint256 r) internal view returns (uint256 loanId, bool found) {
        uint256 n = loanIds.length;
        for (uint256 i = 0; i < n; ++i) {
            loanId = loanIds[(r + i) % n];
            if (ledger.loanRecord(loanId).status == ICreditLedger.LoanStatus.Active) return (loanId, true);
        }
        return (0, false);
    }

    function _stepDraw(uint256 r) internal {
        address who = r % 2 == 0 ? borrower : borrower2;
        uint8 productId = uint8((r >> 8) % PRODUCT_COUNT);
        uint256 room = ledger.lineOf(who).available;
        uint256 cashRoom = ledger.availableLiquidity();
        if (cashRoom < room) room = cashRoom;
        if (room == 0) return;
        uint256 amount = bound(r >> 16, 1, room);
        uint256 cashBefore = ledger.cash();
        uint256 loanId = _draw(who, productId, amount);
        assertEq(loanId, ledger.loanIdOf(who, ledger.lineOf(who).loanCount), "loan id encodes the borrower");
        assertEq(ledger.cash(), cashBefore - amount, "cash paid out");
        assertLe(ledger.lineOf(who).outstanding, ledger.lineOf(who).limit, "limit respected");
        loanIds.push(loanId);
    }

    function _stepRepay(uint256 r, uint256 mode) internal {
        (uint256 loanId, bool found) = _activeLoan(r);
        if (!found) return _stepDraw(r);
        address who = address(uint160(loanId >> 96));
        ICreditLedger.LoanView memory v = ledger.loanState(loanId);
        uint256 amount;
        if (mode == 0) amount = bound(r >> 32, 1, v.payoff);
        else if (mode == 1) amount = v.pastDue != 0 ? v.pastDue : v.nextDueAmount;
        else amount = type(uint256).max;
        if (amount > v.payoff && amount != type(uint256).max) amount = v.payoff;
        if (amount == 0) return;

        uint256 lenderAssetsBefore = ledger.lenderAssets();
        uint256 principalBefore = ledger.loanRecord(loanId).principalPaid;
        uint256 paid = _repay(who, loanId, amount);
        uint256 principalPart = ledger.loanRecord(loanId).principalPaid - principalBefore;
        assertEq(paid, amount == type(uint256).max ? v.payoff : amount, "paid what was asked");
        assertLe(principalPart, v.principalOutstanding, "principal part within outstanding");
        assertLe(paid - principalPart, v.interestAccrued + v.penalty, "interest part within interest and penalty owed");
        if (paid == v.payoff) {
            assertEq(principalPart, v.principalOutstanding, "payoff clears the principal");
            assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Repaid), "closed");
        }
        principalRepaid[loanId] += principalPart;
        interestCollected += paid - principalPart;
        // A loan with something past due is trued up on this touch; that may lower lenderAssets (KI-1).
        if (v.pastDue == 0) {
            assertGe(ledger.lenderAssets() + ROUNDING_DUST, lenderAssetsBefore, "repayment never lowers lenders");
        }
    }

    function _checkBook() internal view {
        uint256 total;
        uint256 rate;
        uint256[2] memory perBorrower;
        for (uint256 i = 0; i < loanIds.length; ++i) {
            uint256 loanId = loanIds[i];
            ICreditLedger.Loan memory loan = ledger.loanRecord(loanId);
            assertLe(loan.principalPaid, loan.principal, "principal never negative");
            assertEq(loan.principalPaid, principalRepaid[loanId], "principal repaid as tracked");
            uint256 outstanding = uint256(loan.principal) - loan.principalPaid;
            if (loan.status == ICreditLedger.LoanStatus.Repaid) {
                assertEq(principalRepaid[loanId], loan.principal, "closed loans repaid their principal exactly");
            } else {
                assertGt(outstanding, 0, "active loans owe principal");
            }
            assertEq(ledger.loanState(loanId).principalOutstanding, outstanding, "view = record");
            total += outstanding;
            rate += uint256(loan.openingBalance) * loan.aprBps;
            perBorrower[address(uint160(loanId >> 96)) == borrower ? 0 : 1] += outstanding;
        }
        assertEq(ledger.lineOf(borrower).outstanding, perBorrower[0], "line 1 = its loans");
        assertEq(ledger.lineOf(borrower2).outstanding, perBorrower[1], "line 2 = its loans");
        assertEq(ledger.principalOutstanding(), total, "book principal = loans");
        assertEq(ledger.rateSum(), rate, "rateSum = sum of opening balance x APR");
        assertEq(
            ledger.cash() + ledger.principalOutstanding() - interestCollected,
            INITIAL_DEPOSIT,
            "cash + principal - interest collected = capital"
        );
    }

    /// Random draws of every method, partial, instalment and full repayments, and time jumps of up to 40 days:
    /// principal never goes negative, closed loans repaid exactly their principal, each line's outstanding is its
    /// loans', the book identity holds, and a repayment of a loan with nothing past due never lowers lenderAssets.
    function testFuzz_drawRepay_randomSequenceKeepsTheBook(uint256 seed, uint256 aprBps) public {
        aprBps = bound(aprBps, 0, ledger.APR_CAP_BPS());
        _openLine(borrower, LINE_LIMIT, aprBps);
        _openLine(borrower2, LINE_LIMIT / 2, ledger.APR_CAP_BPS() - aprBps);
        for (uint256 i = 0; i < STEPS; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint256 action = r % 6;
            if (action == 0 || loanIds.length == 0) _stepDraw(r >> 8);
            else if (action == 1) vm.warp(block.timestamp + bound(r >> 8, 1, 40 days));
            else if (action == 2) vm.warp(block.timestamp + bound(r >> 8, 1, 2 hours));
            else _stepRepay(r >> 8, action - 3);
            _checkBook();
        }
    }

    // ---------------------------------------------------------------- over-payment and refusals

    /// Any amount above the payoff is refused with the amount and the payoff, and changes nothing; the payoff
    /// itself is then accepted and closes the loan.
    function testFuzz_repay_overPaymentRevertsWithPayoff(
        uint8 productId,
        uint256 principal,
        uint256 elapsed,
        uint256 excess
    ) public {
        productId = uint8(bound(productId, 0, PRODUCT_COUNT - 1));
        principal = bound(principal, 1, 500_000e6);
        uint256 loanId = _openAndDraw(borrower, productId, principal, APR);
        vm.warp(START + bound(elapsed, 0, 400 days));
        uint256 payoff = ledger.loanState(loanId).payoff;
        uint256 amount = payoff + bound(excess, 1, type(uint256).max - 1 - payoff);
        _fund(borrower, payoff);
        State memory before = _state(loanId);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.RepaymentExceedsPayoff.selector, amount, payoff));
        vm.prank(borrower);
        ledger.repay(loanId, amount);
        _assertSameState(before, _state(loanId));

        vm.prank(borrower);
        assertEq(ledger.repay(loanId, payoff), payoff, "the payoff itself is accepted");
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Repaid));
    }

    function test_draw_overLimitRevertsAndChangesNothing() public {
        uint256 loanId = _loanForRefusals();
        State memory before = _state(loanId);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.CreditLimitExceeded.selector, 49_000e6 + 1, 49_000e6));
        vm.prank(borrower);
        ledger.draw(0, 49_000e6 + 1);
        _assertSameState(before, _state(loanId));
    }

    /// The limit is checked against the outstanding principal at draw time: lowering it below the outstanding
    /// leaves the loans alone and refuses every new draw.
    function test_draw_limitLoweredBelowOutstandingRefusesDraws() public {
        uint256 loanId = _loanForRefusals();
        vm.prank(underwriter);
        ledger.setLine(borrower, 400e6, APR, ALL_PRODUCTS_MASK, ICreditLedger.LineStatus.Active);
        assertEq(ledger.lineOf(borrower).available, 0, "nothing available");
        State memory before = _state(loanId);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.CreditLimitExceeded.selector, 1, 0));
        vm.prank(borrower);
        ledger.draw(0, 1);
        _assertSameState(before, _state(loanId));
        assertEq(ledger.lineOf(borrower).outstanding, 1_000e6, "the loan is untouched");
    }

    function test_draw_inactiveLinesRevertAndChangeNothing() public {
        uint256 loanId = _loanForRefusals();
        ICreditLedger.LineStatus[2] memory statuses = [
            ICreditLedger.LineStatus.Frozen,
            ICreditLedger.LineStatus.Closed
        ];
        for (uint256 i = 0; i < statuses.length; ++i) {
            vm.prank(underwriter);
            ledger.setLine(borrower, 50_000e6, APR, ALL_PRODUCTS_MASK, statuses[i]);
            State memory before = _state(loanId);
            vm.expectRevert(abi.encodeWithSelector(ICreditLedger.LineNotActive.selector, borrower, statuses[i]));
            vm.prank(borrower);
            ledger.draw(0, 1e6);
            _assertSameState(before, _state(loanId));
        }
        vm.expectRevert(
            abi.encodeWithSelector(ICreditLedger.LineNotActive.selector, recipient, ICreditLedger.LineStatus.None)
        );
        vm.prank(recipient);
        ledger.draw(0, 1e6);
    }

    function test_draw_productRefusalsChangeNothing() public {
        uint256 loanId = _loanForRefusals();
        vm.prank(underwriter);
        ledger.setLine(borrower, 50_000e6, APR, 0x21, ICreditLedger.LineStatus.Active);
        State memory before = _state(loanId);

        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.ProductNotAllowed.selector, borrower, 1));
        vm.prank(borrower);
        ledger.draw(1, 1e6);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.ProductNotAllowed.selector, borrower, 32));
        vm.prank(borrower);
        ledger.draw(32, 1e6);
        _assertSameState(before, _state(loanId));

        vm.prank(admin);
        ledger.setProduct(0, EQUAL_INSTALMENT, 3, 30, false);
        before = _state(loanId);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.ProductNotEnabled.selector, 0));
        vm.prank(borrower);
        ledger.draw(0, 1e6);
        _assertSameState(before, _state(loanId));
    }

    function test_draw_pausedOrZeroOrIlliquidRevertsAndChangesNothing() public {
        uint256 loanId = _loanForRefusals();
        State memory before = _state(loanId);
        vm.expectRevert(ICreditLedger.ZeroAmount.selector);
        vm.prank(borrower);
        ledger.draw(0, 0);
        _assertSameState(before, _state(loanId));

        vm.prank(underwriter);
        ledger.setLine(borrower, 5_000_000e6, APR, ALL_PRODUCTS_MASK, ICreditLedger.LineStatus.Active);
        uint256 available = ledger.availableLiquidity();
        before = _state(loanId);
        vm.expectRevert(abi.encodeWithSelector(ILedgerBook.InsufficientLiquidity.selector, available + 1, available));
        vm.prank(borrower);
        ledger.drawTo(0, available + 1, recipient);
        _assertSameState(before, _state(loanId));

        vm.prank(pauser);
        ledger.pause();
        before = _state(loanId);
        vm.expectRevert(ICreditLedger.EnforcedPause.selector);
        vm.prank(borrower);
        ledger.draw(0, 1e6);
        _assertSameState(before, _state(loanId));
    }

    function test_repay_refusalsNameTheLoanAndChangeNothing() public {
        uint256 loanId = _loanForRefusals();
        _fund(borrower, 2_000e6);
        State memory before = _state(loanId);
        vm.startPrank(borrower);
        vm.expectRevert(ICreditLedger.ZeroAmount.selector);
        ledger.repay(loanId, 0);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.LoanNotFound.selector, loanId + 1));
        ledger.repay(loanId + 1, 1);
        vm.stopPrank();
        _assertSameState(before, _state(loanId));

        _repay(borrower, loanId, type(uint256).max);
        before = _state(loanId);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.LoanAlreadyRepaid.selector, loanId));
        vm.prank(borrower);
        ledger.repay(loanId, 1);
        _assertSameState(before, _state(loanId));
    }

    function test_roles_refusalsNameTheAccountAndChangeNothing() public {
        uint256 loanId = _loanForRefusals();
        State memory before = _state(loanId);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                borrower,
                ledger.UNDERWRITER_ROLE()
            )
        );
        vm.prank(borrower);
        ledger.setLine(borrower, 1e30, APR, ALL_PRODUCTS_MASK, ICreditLedger.LineStatus.Active);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector,
                borrower,
                ledger.PAUSER_ROLE()
            )
        );
        vm.prank(borrower);
        ledger.pause();
        vm.expectRevert(abi.encodeWithSelector(ILedgerBook.NotPool.selector, borrower));
        vm.prank(borrower);
        ledger.release(borrower, 1, true);
        _assertSameState(before, _state(loanId));
    }

    /// An instant withdrawal beyond maxWithdraw is refused by the vault and changes nothing.
    function test_withdraw_beyondMaxWithdrawRevertsAndChangesNothing() public {
        uint256 loanId = _openAndDraw(borrower, 4, 900_000e6, APR);
        uint256 max = pool.maxWithdraw(lender);
        assertEq(max, ledger.availableLiquidity(), "capped by idle cash above the reserve");
        State memory before = _state(loanId);
        vm.expectRevert(abi.encodeWithSelector(ERC4626.ERC4626ExceededMaxWithdraw.selector, lender, max + 1, max));
        vm.prank(lender);
        pool.withdraw(max + 1, lender, lender);
        _assertSameState(before, _state(loanId));
    }

    // ---------------------------------------------------------------- pause

    /// Pause stops new credit only: repayment and lender exits up to maxWithdraw still go through.
    function test_pause_neverBlocksRepaymentOrExits() public {
        uint256 loanId = _openAndDraw(borrower, 0, 10_000e6, APR);
        vm.prank(pauser);
        ledger.pause();
        assertTrue(ledger.paused());
        vm.warp(START + 45 days);
        uint256 payoff = ledger.loanState(loanId).payoff;
        assertEq(_repay(borrower, loanId, type(uint256).max), payoff, "repaid while paused");
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Repaid));
        uint256 max = pool.maxWithdraw(lender);
        assertGt(max, 0);
        uint256 before = token.balanceOf(lender);
        vm.prank(lender);
        IERC4626(address(pool)).withdraw(max, lender, lender);
        assertEq(token.balanceOf(lender) - before, max, "lender exits while paused");
    }

    /// `drawTo` pays the recipient and books the loan on the caller's line.
    function test_drawTo_paysTheRecipientAndChargesTheCaller() public {
        _openLine(borrower, 50_000e6, APR);
        vm.prank(borrower);
        uint256 loanId = ledger.drawTo(3, 2_500e6, recipient);
        assertEq(token.balanceOf(recipient), 2_500e6, "recipient paid");
        assertEq(token.balanceOf(borrower), 0, "borrower receives nothing");
        assertEq(ledger.loanState(loanId).borrower, borrower, "caller is the borrower");
        assertEq(ledger.lineOf(borrower).outstanding, 2_500e6, "caller's line charged");
        assertEq(loanId, (uint256(uint160(borrower)) << 96) | 1, "loan id = borrower << 96 | n");
    }
}
