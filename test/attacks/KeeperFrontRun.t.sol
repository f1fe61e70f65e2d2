// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {AttackBase} from "./AttackBase.sol";
import {ScheduleMath} from "../../contracts/libraries/ScheduleMath.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ILedger} from "../invariants/ILedger.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// Attack: a keeper's `collect` front-runs (or simply lands before) a borrower's manual repayment of the same
/// instalment, so that the borrower is charged twice for one instalment; or the keeper collects again after the
/// borrower already paid.
///
/// Defence: collection pulls at most what is due now (past-due amount plus penalty, capped by the mandate) and books
/// it like any payment, so a second collect finds nothing due and pulls nothing. A manual repayment is never
/// "for an instalment": it goes through the waterfall, so after the keeper's collect it pays ahead (a principal
/// prepayment that lowers the next instalments and the interest) or, if it is now more than the payoff, it is
/// refused with `RepaymentExceedsPayoff(amount, payoff)` and nothing is taken. A borrower who wants to pay off
/// whatever is left uses `type(uint256).max`.
///
/// Without the defence: if collect pulled the scheduled instalment regardless of payments, `assertEq(collected, 0)`
/// after a manual payment would fail; if repay accepted more than the payoff, the `RepaymentExceedsPayoff`
/// expectation would fail and the borrower's balance check `assertEq(token.balanceOf(borrower), before)` with it.
contract KeeperFrontRunTest is AttackBase {
    uint256 internal constant PRINCIPAL = 9_000e6;

    uint256 internal loanId;
    uint256 internal due1;

    function setUp() public override {
        super.setUp();
        loanId = _openAndDraw(borrower, 0, PRINCIPAL, APR);
        _fund(borrower, 20_000e6);
        vm.prank(borrower);
        ledger.setMandate(0);
        due1 = _instalment(PRINCIPAL, APR, 3);
    }

    function _ids() internal view returns (uint256[] memory ids) {
        ids = new uint256[](1);
        ids[0] = loanId;
    }

    function _collect() internal returns (uint256) {
        vm.prank(keeper);
        return ledger.collect(_ids());
    }

    function _dueDate(uint256 k) internal view returns (uint256) {
        return ledger.loanRecord(loanId).drawnAt + k * 30 days;
    }

    function _planTotal() internal pure returns (uint256 total) {
        (uint256[] memory payments, , ) = ScheduleMath.schedule(EQUAL_INSTALMENT, PRINCIPAL, APR, 3, 30);
        for (uint256 i = 0; i < payments.length; ++i) total += payments[i];
    }

    function test_keeperFirst_thenManualInstalment_isAPrepayment_neverADoubleCharge() public {
        vm.warp(_dueDate(1));
        assertEq(ledger.dueNow(loanId), due1);
        uint256 start = token.balanceOf(borrower);
        (, uint256[] memory principals, uint256[] memory interests) = ScheduleMath.schedule(
            EQUAL_INSTALMENT,
            PRINCIPAL,
            APR,
            3,
            30
        );

        vm.expectEmit(address(ledger));
        emit ICreditLedger.Collected(loanId, address(uint160(loanId >> 96)), due1);
        assertEq(_collect(), due1, "the keeper takes the instalment");

        // The borrower's own payment of the same amount lands next: all of it is principal paid ahead.
        vm.expectEmit(address(ledger));
        emit ICreditLedger.Repaid(loanId, borrower, 0, due1, PRINCIPAL - principals[0] - due1);
        vm.prank(borrower);
        assertEq(ledger.repay(loanId, due1), due1);
        assertEq(_outstanding(loanId), PRINCIPAL - principals[0] - due1);

        // Nothing is due any more, so a later collect in the same period takes nothing.
        vm.recordLogs();
        assertEq(_collect(), 0, "a second collect takes nothing");
        assertEq(vm.getRecordedLogs().length, 0, "no event, no transfer");
        assertEq(token.balanceOf(borrower), start - 2 * due1);

        // The prepayment lowers what falls due next: at due date 2 only the interest on the lower balance.
        vm.warp(_dueDate(2));
        uint256 due2 = ledger.dueNow(loanId);
        assertLt(due2, interests[1], "less than the planned interest alone");
        assertEq(_collect(), due2);
        vm.warp(_dueDate(3));
        uint256 due3 = ledger.dueNow(loanId);
        assertEq(_collect(), due3);
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Repaid));

        uint256 paid = start - token.balanceOf(borrower);
        assertLt(paid, _planTotal(), "paying ahead saved interest: never charged twice");
        assertGt(paid, PRINCIPAL);
    }

    function test_borrowerFirst_thenKeeperCollect_takesNothing() public {
        vm.warp(_dueDate(1));
        uint256 start = token.balanceOf(borrower);
        vm.prank(borrower);
        ledger.repay(loanId, due1);

        vm.recordLogs();
        assertEq(_collect(), 0);
        assertEq(vm.getRecordedLogs().length, 0, "no Collected, no CollectionFailed");
        assertEq(token.balanceOf(borrower), start - due1, "charged once");
        assertEq(ledger.dueNow(loanId), 0);

        // Three days later (still in grace) the keeper tries again: still nothing.
        vm.warp(_dueDate(1) + 3 days);
        assertEq(_collect(), 0);
        assertEq(token.balanceOf(borrower), start - due1);
    }

    /// The borrower signs a payoff of the amount its wallet showed; the keeper's collect of instalment 2 lands first.
    function test_keeperFirst_thenStalePayoff_refusedWithRepaymentExceedsPayoff() public {
        vm.warp(_dueDate(1));
        _collect();
        vm.warp(_dueDate(2));
        uint256 stalePayoff = ledger.loanState(loanId).payoff;
        uint256 due2 = _collect();
        assertEq(due2, due1, "instalment 2");
        uint256 before = token.balanceOf(borrower);

        vm.expectRevert(
            abi.encodeWithSelector(ICreditLedger.RepaymentExceedsPayoff.selector, stalePayoff, stalePayoff - due2)
        );
        vm.prank(borrower);
        ledger.repay(loanId, stalePayoff);
        assertEq(token.balanceOf(borrower), before, "nothing taken");

        // "Pay off whatever is left" is type(uint256).max.
        vm.prank(borrower);
        assertEq(ledger.repay(loanId, type(uint256).max), stalePayoff - due2);
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Repaid));
        assertEq(before - token.balanceOf(borrower), stalePayoff - due2);
    }

    function test_keeperCollectsLastInstalment_thenManualRepay_refusedAsRepaid() public {
        for (uint256 k = 1; k <= 3; ++k) {
            vm.warp(_dueDate(k));
            _collect();
        }
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Repaid));
        uint256 before = token.balanceOf(borrower);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.LoanAlreadyRepaid.selector, loanId));
        vm.prank(borrower);
        ledger.repay(loanId, due1);
        assertEq(token.balanceOf(borrower), before);
        assertEq(_collect(), 0, "and collect skips it");
        assertEq(before, 20_000e6 + PRINCIPAL - _planTotal(), "exactly the plan, once");
    }

    /// Both orders at the due date, any manual amount: the keeper takes at most what was due, the two payments
    /// together reduce the payoff by exactly what left the borrower's wallet, and nothing is due afterwards unless
    /// the manual payment was refused.
    function testFuzz_raceAtDueDate(uint256 manual, bool keeperFirst) public {
        vm.warp(_dueDate(1));
        uint256 payoff = ledger.loanState(loanId).payoff;
        manual = bound(manual, 1, payoff);
        uint256 start = token.balanceOf(borrower);
        uint256 collected;
        uint256 repaid;

        if (keeperFirst) {
            collected = _collect();
            assertEq(collected, due1);
            if (manual > payoff - collected) {
                vm.expectRevert(
                    abi.encodeWithSelector(ICreditLedger.RepaymentExceedsPayoff.selector, manual, payoff - collected)
                );
                vm.prank(borrower);
                ledger.repay(loanId, manual);
            } else {
                vm.prank(borrower);
                repaid = ledger.repay(loanId, manual);
            }
        } else {
            vm.prank(borrower);
            repaid = ledger.repay(loanId, manual);
            if (repaid < payoff) collected = _collect();
            assertEq(collected, manual >= due1 ? 0 : due1 - manual, "the keeper takes only what is still due");
        }
        assertLe(collected, due1, "never more than due");
        assertEq(start - token.balanceOf(borrower), collected + repaid, "each unit taken once");
        if (collected + repaid < payoff) {
            assertEq(ledger.loanState(loanId).payoff, payoff - collected - repaid, "payoff fell by what was paid");
        } else {
            assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Repaid));
        }
        assertEq(ledger.dueNow(loanId), 0, "nothing left due");
        assertEq(_collect(), 0, "a second collect takes nothing");
    }
}
