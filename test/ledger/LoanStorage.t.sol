// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {ScheduleMath} from "../../contracts/libraries/ScheduleMath.sol";
import {MicrocreditBase} from "../utils/MicrocreditBase.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ILedger} from "../invariants/ILedger.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// A loan on its plan is one storage word: its accrual segment (word 1) is stored only while the loan is off its plan
/// (LedgerCore `_storeLoan`), and what the ledger derives in its place gives the plan to the unit.
contract LoanStorageTest is MicrocreditBase {
    uint256 internal constant DAYS_30 = 30 days;
    uint256 internal constant AMOUNT = 12_000e6;
    uint256 private constant SEGMENT_STORED = 1 << 255;

    error LoanSlotNotFound(uint256 loanId);

    /// The storage slot of `loanId`'s word 0, found by its content (principal 0..79, drawnAt 160..191), so the test
    /// does not depend on the ledger's slot numbering.
    function _word0Slot(uint256 loanId) internal view returns (bytes32) {
        ICreditLedger.Loan memory loan = ledger.loanRecord(loanId);
        for (uint256 p = 0; p < 256; ++p) {
            bytes32 slot = keccak256(abi.encode(loanId, p));
            uint256 word = uint256(vm.load(address(ledger), slot));
            if (uint80(word) == loan.principal && uint32(word >> 160) == loan.drawnAt && word != 0) return slot;
        }
        revert LoanSlotNotFound(loanId);
    }

    /// The loan's draw time, read from the ledger: a `block.timestamp` kept in a local can be read again after a
    /// warp once the test is compiled with viaIR.
    function _drawnAt(uint256 loanId) internal view returns (uint256) {
        return ledger.loanRecord(loanId).drawnAt;
    }

    function _words(uint256 loanId) internal view returns (uint256 word0, uint256 word1) {
        bytes32 slot = _word0Slot(loanId);
        word0 = uint256(vm.load(address(ledger), slot));
        word1 = uint256(vm.load(address(ledger), bytes32(uint256(slot) + 1)));
    }

    /// On its plan: the segment flag is clear, and word 1 is empty unless the loan was off its plan before.
    function _assertOnPlan(uint256 loanId, string memory when) internal view {
        (uint256 word0, uint256 word1) = _words(loanId);
        assertEq(word0 & SEGMENT_STORED, 0, string.concat(when, ": segment flag clear"));
        if (!_wasOffPlan[loanId]) assertEq(word1, 0, string.concat(when, ": word 1 never written"));
    }

    mapping(uint256 loanId => bool) internal _wasOffPlan;

    function _assertOffPlan(uint256 loanId, string memory when) internal {
        _wasOffPlan[loanId] = true;
        (uint256 word0, uint256 word1) = _words(loanId);
        assertEq(word0 & SEGMENT_STORED, SEGMENT_STORED, string.concat(when, ": segment flag set"));
        assertGt(word1, 0, string.concat(when, ": word 1 stored"));
    }

    /// A draw writes one word; each instalment paid on its due date keeps it one word; the plan is paid to the unit.
    function test_loanStorage_onTimeLoanIsOneWord() public {
        uint256 loanId = _openAndDraw(borrower, 2, AMOUNT, APR); // 12 × 30 days, equal instalments
        _assertOnPlan(loanId, "after the draw");
        (uint256[] memory payments, uint256[] memory principals, ) = ScheduleMath.schedule(
            EQUAL_INSTALMENT,
            AMOUNT,
            APR,
            12,
            30
        );
        uint256 drawnAt = _drawnAt(loanId);
        uint256 balance = AMOUNT;
        for (uint256 k = 1; k <= 12; ++k) {
            vm.warp(drawnAt + k * DAYS_30 + (k % 3) * 1 days); // on the due date or inside the 3-day grace
            ICreditLedger.LoanView memory v = ledger.loanState(loanId);
            assertEq(v.pastDue, payments[k - 1], "what is due is the plan's instalment");
            assertEq(_repay(borrower, loanId, payments[k - 1]), payments[k - 1], "paid");
            balance -= principals[k - 1];
            assertEq(_outstanding(loanId), balance, "the plan's balance");
            if (k < 12) _assertOnPlan(loanId, "after an instalment paid when due");
        }
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Repaid), "repaid");
    }

    /// A prepayment mid-period takes the loan off its plan (its segment starts at the payment); the next instalment
    /// paid when due brings it back (word 1 is kept, unread); a second prepayment takes it off again and rewrites
    /// word 1. Amounts are the stored loan's to the unit.
    function test_loanStorage_prepaymentStoresTheSegmentUntilBackOnPlan() public {
        uint256 loanId = _openAndDraw(borrower, 2, AMOUNT, APR);
        uint256 drawnAt = _drawnAt(loanId);
        vm.warp(drawnAt + 10 days);
        _repay(borrower, loanId, 1_000e6);
        _assertOffPlan(loanId, "after a prepayment");
        ICreditLedger.Loan memory loan = ledger.loanRecord(loanId);
        assertEq(loan.segmentStart, drawnAt + 10 days, "the segment starts at the prepayment");
        assertEq(loan.checkpoint, drawnAt + 10 days, "checkpoint");
        // The interest of days 0..10 was paid and the segment closed on it: the period goes on from the payment, on
        // the lower balance.
        assertEq(loan.interestBalance, 0, "the closed segment's interest, paid");
        assertEq(loan.openingBalance, _outstanding(loanId), "on the lower balance");
        assertEq(
            _outstanding(loanId),
            AMOUNT - (1_000e6 - ScheduleMath.accruedInterestUp(AMOUNT, APR, 10 days)),
            "the prepayment less the interest"
        );
        vm.warp(drawnAt + DAYS_30);
        uint256 due = ledger.loanState(loanId).pastDue;
        assertGt(due, 0, "the first due date asks for interest");
        _repay(borrower, loanId, due);
        _assertOnPlan(loanId, "after the next instalment paid when due");
        (, uint256 kept) = _words(loanId);
        assertGt(kept, 0, "word 1 is kept, unread, so leaving the plan again rewrites a non-zero slot");
        loan = ledger.loanRecord(loanId);
        assertEq(loan.interestBalance, 0, "nothing owed");
        assertEq(loan.segmentStart, drawnAt + DAYS_30, "the period's start");
        assertEq(loan.openingBalance, _outstanding(loanId), "opens on the outstanding");
        assertEq(ledger.loanState(loanId).pastDue, 0, "nothing past due");

        vm.warp(drawnAt + DAYS_30 + 5 days);
        _repay(borrower, loanId, 500e6);
        _assertOffPlan(loanId, "after a second prepayment");
        loan = ledger.loanRecord(loanId);
        assertEq(loan.segmentStart, drawnAt + DAYS_30 + 5 days, "the kept word 1 is rewritten, not read");
        assertEq(loan.checkpoint, drawnAt + DAYS_30 + 5 days, "checkpoint of the second prepayment");
        assertEq(loan.interestBalance, 0, "the closed segment's interest, paid");
        assertEq(loan.openingBalance, _outstanding(loanId), "on the lower balance");
    }

    /// A late loan keeps its segment and its exact checkpoint: the penalty runs from the real last touch, so marking
    /// twice in a block changes nothing.
    function test_loanStorage_lateLoanKeepsItsSegment() public {
        uint256 loanId = _openAndDraw(borrower, 2, AMOUNT, APR);
        uint256 drawnAt = _drawnAt(loanId);
        vm.warp(drawnAt + DAYS_30 + 10 days);
        uint256[] memory ids = new uint256[](1);
        ids[0] = loanId;
        ledger.mark(ids);
        _assertOffPlan(loanId, "late and marked");
        assertEq(ledger.loanRecord(loanId).checkpoint, block.timestamp, "the real checkpoint");
        uint256 penalty = ledger.loanState(loanId).penalty;
        ledger.mark(ids);
        assertEq(ledger.loanState(loanId).penalty, penalty, "a second mark adds no penalty");
        // Paying the interest part only leaves principal past due: still off the plan.
        ICreditLedger.LoanView memory v = ledger.loanState(loanId);
        uint256 interestDue = ScheduleMath.periodInterestUp(AMOUNT, APR, 30);
        _repay(borrower, loanId, v.penalty + interestDue);
        assertEq(ledger.loanRecord(loanId).interestBalance, 0, "interest paid");
        assertGt(ledger.loanState(loanId).pastDue, 0, "principal still past due");
        _assertOffPlan(loanId, "principal past due");
    }

    /// On its plan, the loan at any second owes the plan's balance plus interest accrued on it since the last due
    /// date, whatever the product's method: the derived segment is the stored one it replaces.
    function testFuzz_loanStorage_onPlanPayoffIsThePlans(uint8 productSeed, uint256 paidSeed, uint256 atSeed) public {
        uint8 productId = uint8(bound(productSeed, 0, PRODUCT_COUNT - 1));
        (uint8 method, uint8 instalments, uint16 periodDays) = _productTerms(productId);
        uint256 loanId = _openAndDraw(borrower, productId, AMOUNT, APR);
        if (method == BULLET) {
            periodDays = uint16(uint256(periodDays) * instalments);
            instalments = 1;
        }
        (uint256[] memory payments, uint256[] memory principals, ) = ScheduleMath.schedule(
            method,
            AMOUNT,
            APR,
            instalments,
            periodDays
        );
        uint256 drawnAt = _drawnAt(loanId);
        uint256 period = uint256(periodDays) * 1 days;
        uint256 paid = bound(paidSeed, 0, uint256(instalments) - 1);
        uint256 balance = AMOUNT;
        for (uint256 k = 1; k <= paid; ++k) {
            vm.warp(drawnAt + k * period);
            _repay(borrower, loanId, payments[k - 1]);
            balance -= principals[k - 1];
        }
        _assertOnPlan(loanId, "paid when due");
        uint256 since = drawnAt + paid * period;
        uint256 at = since + bound(atSeed, 0, period - 1);
        vm.warp(at);
        ICreditLedger.LoanView memory v = ledger.loanState(loanId);
        uint256 accrued = ScheduleMath.accruedInterestUp(balance, APR, at - since);
        assertEq(v.principalOutstanding, balance, "outstanding");
        assertEq(v.payoff, balance + accrued, "payoff = balance + interest since the last due date");
        assertEq(v.pastDue, 0, "nothing past due");
        assertEq(ledger.dueNow(loanId), 0, "collection takes nothing");
    }
}
