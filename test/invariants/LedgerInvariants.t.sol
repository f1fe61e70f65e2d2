// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {ArrearsMath} from "../../contracts/libraries/ArrearsMath.sol";
import {ProvisionModel} from "./ProvisionModel.sol";
import {HandlerSetup} from "./HandlerSetup.sol";
import {ILedgerHandler} from "./ILedgerHandler.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ILedger} from "../invariants/ILedger.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// Handler-based invariants of the pool and the ledger (docs/INVARIANTS.md lists them with their ids).
/// Lenders deposit, withdraw, queue, cancel and fill redemptions; the underwriter changes lines and KYC expiries;
/// borrowers draw every product, repay in every way, set and revoke mandates and move their wallets; a keeper collects
/// and marks random batches; defaulted loans get recoveries; time jumps by 1 s to 100 days or to a bucket edge; the
/// admin pauses, requires KYC, changes rates, risk parameters and product caps, and claims fees.
contract LedgerInvariants is HandlerSetup {
    /// Invariants read the book at the handler's clock.
    function _sync() internal {
        vm.warp(handler.currentTime());
    }

    // ---------------------------------------------------------------- pool

    /// POOL_A: "asset.balanceOf(ledger) >= ledger.cash(): cash covers internal accounting; equality if no donation."
    function invariant_POOL_A_cashIsBackedByTokens() public {
        _sync();
        assertGe(token.balanceOf(address(ledger)), ledger.cash(), "tokens cover cash");
        assertEq(token.balanceOf(address(ledger)), ledger.cash() + handler.ghost().donations, "cash + donations");
    }

    /// POOL_B: "cash + principalOutstanding − interest collected == capital (deposits − withdrawals − queue payouts −
    /// fees claimed − principal written off + recoveries)."
    function invariant_POOL_B_bookIdentity() public {
        _sync();
        assertEq(
            int256(ledger.cash() + ledger.principalOutstanding()) - int256(handler.ghost().interestCollected),
            handler.ghostCapital()
        );
    }

    /// POOL_C: "totalSupply equals the sum of the actors' share balances plus the queued shares escrowed by the pool."
    function invariant_POOL_C_sharesAreAccountedFor() public view {
        address[] memory lenders = handler.lendersList();
        uint256 sum;
        for (uint256 i = 0; i < lenders.length; ++i) {
            assertEq(pool.balanceOf(lenders[i]), handler.ghost_shares(lenders[i]), "actor shares");
            sum += handler.ghost_shares(lenders[i]);
        }
        uint256 escrow = handler.ghost().escrowedShares;
        assertEq(pool.balanceOf(address(pool)), escrow, "escrow held by the pool");
        assertEq(pool.queuedShares(), escrow, "queue = escrow");
        assertEq(pool.totalSupply(), sum + escrow, "supply");
    }

    /// POOL_D: "totalAssets() == ledger.lenderAssets() − lockedGains() (at 0 at least) and lenderAssets ≤ cash +
    /// principal + interestReceivable."
    function invariant_POOL_D_totalAssetsIsTheLendersBook() public {
        _sync();
        uint256 lenderAssets = ledger.lenderAssets();
        uint256 locked = pool.lockedGains();
        assertEq(pool.totalAssets(), lenderAssets > locked ? lenderAssets - locked : 0, "totalAssets");
        assertLe(
            lenderAssets,
            ledger.cash() + ledger.principalOutstanding() + ledger.interestReceivable(),
            "claims come off the book"
        );
        // The pool reads these three through `bookValue()`, in one call.
        (uint256 value, uint256 gross, uint256 penalty) = ledger.bookValue();
        assertEq(value, lenderAssets, "bookValue: the lenders' assets");
        assertEq(gross, ledger.grossInterest(), "bookValue: gross interest");
        assertEq(penalty, ledger.penaltyIncome(), "bookValue: penalty income");
    }

    /// POOL_H: "a deposit and a redemption of the shares it bought in the same block, around any step (a cure that
    /// releases a provision and pays penalty, a recovery, or nothing), never get back more than was paid" (but for 2
    /// units of rounding: the paid loan's true-up counts at once, KI-2/KI-3).
    function invariant_POOL_H_noGainFromARoundTripInOneBlock() public view {
        ILedgerHandler.Ghost memory g = handler.ghost();
        assertEq(g.flashGains, 0, string.concat("largest gain ", vm.toString(g.largestFlashGain)));
    }

    /// POOL_I: "processRedemptions(n) visits at most n requests, cancelled ones included, and moves the head past
    /// every one it visits."
    function invariant_POOL_I_queueWorkIsBoundedByItsArgument() public view {
        assertEq(handler.ghost().queueOverreach, 0);
    }

    /// LEDGER_H: "a deposit never loosens a cap in its own block: a draw after a deposit in the same block is
    /// accepted only within the per-borrower cap on the book before the deposit", and the cap refuses nothing within
    /// it.
    function invariant_LEDGER_H_sameBlockDepositsLoosenNoCap() public view {
        assertEq(handler.ghost().capsLoosened, 0, "accepted above the pre-block cap");
        assertEq(handler.ghost().capsTightened, 0, "refused within the pre-block cap");
    }

    /// POOL_E: "share price (convertToAssets(1e18)) never decreases between handler calls", but for new provisions,
    /// 2 units of totalAssets of rounding (KI-2) and the true-up of a loan touched with something past due (KI-1: a
    /// repayment, collection or mark of a late loan, which includes every write-off). POOL_G bounds those calls.
    function invariant_POOL_E_sharePriceNeverFalls() public view {
        assertEq(handler.ghost().priceDrops, 0, handler.note().lastPriceDrop);
    }

    /// POOL_F: "lenderAssets == capital + gross − fees − max(reserve, provisions) − interestWrittenOff (provisions are
    /// charged to the first-loss reserve first), and provisions() == Σ over active loans in Grace–M3 of write-off
    /// cost × rate(days past due)." Capital,
    /// interest collected (gross = interestReceivable + interest collected + interest written off) and interest
    /// written off are the handler's ghosts; each loan's provision is worked out at its last touch from its record
    /// and the rates then in force (ProvisionModel).
    function invariant_POOL_F_poolValueIncludesProvisionsAndWriteOffs() public {
        _sync();
        ILedgerHandler.Ghost memory g = handler.ghost();
        ICreditLedger.RiskParams memory params = ledger.riskParams();
        uint256 sum;
        uint256 n = handler.loanCount();
        for (uint256 i = 0; i < n; ++i) {
            uint256 loanId = handler.loans(i);
            ICreditLedger.Loan memory loan = ledger.loanRecord(loanId);
            uint256 provision = handler.ghost_provision(loanId);
            bool pastDue = loan.bucket >= ICreditLedger.Bucket.Grace && loan.bucket <= ICreditLedger.Bucket.M3;
            if (loan.status != ICreditLedger.LoanStatus.Active || !pastDue) {
                assertEq(provision, 0, "only active loans in Grace-M3 are provisioned");
            } else if (handler.ghost_provisionEpoch(loanId) == g.riskEpoch) {
                assertEq(provision, ProvisionModel.ofRecord(ledger, loan, params), "rate");
            }
            sum += provision;
        }
        assertEq(sum, g.provisions, "ghost sum");
        assertEq(ledger.provisions(), sum, "provisions = sum of the loans' provisions");
        uint256 receivable = ledger.interestReceivable();
        // gross = interest receivable + interest collected + interest written off (which is no longer receivable)
        int256 value =
            handler.ghostCapital() +
                int256(receivable + g.interestCollected + g.interestWrittenOff) -
                int256(
                    ledger.protocolFeesOwed() +
                        _max(ledger.firstLossReserve(), ledger.provisions()) +
                        g.interestWrittenOff
                );
        // interestReceivable is clamped at 0 (KI-3): then gross is at most the interest collected. lenderAssets is
        // clamped at 0 too: losses beyond the lenders' assets leave them 0.
        if (receivable == 0) assertLe(int256(ledger.lenderAssets()), value < 0 ? int256(0) : value, "identity (<)");
        else if (value <= 0) assertEq(ledger.lenderAssets(), 0, "pool value identity (insolvent)");
        else assertEq(int256(ledger.lenderAssets()), value, "pool value identity");
    }

    /// POOL_G: "share price never decreases except in a provision/write-off transaction, and then by at most the loss
    /// booked in that transaction" (the net provision increase of the loans it touched + the lenders' part of its
    /// write-offs), plus POOL_E's allowances, bounded: 2 units of rounding (KI-2) and, on a call that touched a late
    /// loan, the fall of gross interest recognised that the call caused (KI-1).
    function invariant_POOL_G_priceFallsOnlyByBookedLosses() public view {
        assertEq(handler.ghost().lossDrops, 0, handler.note().lastLossDrop);
        assertEq(handler.ghost().grossBelowPenalty, 0, "grossInterest() below penaltyIncome()");
    }

    // ---------------------------------------------------------------- ledger

    /// LEDGER_A: "Σ over borrowers of lineOf(b).outstanding == principalOutstanding", and each line's outstanding is
    /// the sum of its active loans' (a write-off takes a defaulted loan's principal off its line).
    function invariant_LEDGER_A_linesSumToTheBook() public view {
        address[] memory borrowers = handler.borrowersList();
        uint256[] memory perBorrower = new uint256[](borrowers.length);
        uint256 n = handler.loanCount();
        for (uint256 i = 0; i < n; ++i) {
            uint256 loanId = handler.loans(i);
            // A defaulted loan's principal was written off its line.
            if (ledger.loanRecord(loanId).status != ICreditLedger.LoanStatus.Active) continue;
            address owner = address(uint160(loanId >> 96));
            for (uint256 b = 0; b < borrowers.length; ++b) {
                if (borrowers[b] == owner) perBorrower[b] += _outstanding(loanId);
            }
        }
        uint256 sum;
        for (uint256 b = 0; b < borrowers.length; ++b) {
            uint256 outstanding = ledger.lineOf(borrowers[b]).outstanding;
            assertEq(outstanding, perBorrower[b], "line = its loans");
            sum += outstanding;
        }
        assertEq(sum, ledger.principalOutstanding(), "lines = book");
    }

    /// LEDGER_B: "every active loan's principalOutstanding ≤ its principal, and Σ of active loans' outstanding ==
    /// principalOutstanding", per product too (Σ of the product's active loans == its `productExposure`); repaid
    /// loans repaid exactly their principal; a defaulted loan's principal is what was repaid plus what was written
    /// off, and it accrues nothing.
    function invariant_LEDGER_B_loansSumToTheBook() public view {
        uint256 n = handler.loanCount();
        uint256 sum;
        uint256[16] memory perProduct;
        for (uint256 i = 0; i < n; ++i) {
            uint256 loanId = handler.loans(i);
            ICreditLedger.Loan memory loan = ledger.loanRecord(loanId);
            assertLe(loan.principalPaid, loan.principal, "principal never negative");
            assertEq(loan.principalPaid, handler.ghost_principalRepaid(loanId), "principal repaid as tracked");
            if (loan.status == ICreditLedger.LoanStatus.Active) {
                sum += uint256(loan.principal) - loan.principalPaid;
                perProduct[loan.productId] += uint256(loan.principal) - loan.principalPaid;
            } else if (loan.status == ICreditLedger.LoanStatus.Defaulted) {
                assertEq(
                    uint256(loan.principalPaid) + handler.ghost_principalWrittenOff(loanId),
                    loan.principal,
                    "defaulted: repaid + written off"
                );
                assertEq(loan.openingBalance, 0, "defaulted loans accrue nothing");
            } else {
                assertEq(uint8(loan.status), uint8(ICreditLedger.LoanStatus.Repaid), "drawn loans exist");
                assertEq(loan.principalPaid, loan.principal, "repaid in full");
                assertEq(loan.openingBalance, 0, "repaid loans accrue nothing");
            }
        }
        assertEq(sum, ledger.principalOutstanding(), "loans = book");
        for (uint8 p = 0; p < 16; ++p) {
            (uint256 outstanding, ) = ledger.productExposure(p);
            assertEq(outstanding, perProduct[p], "product = its loans");
        }
    }

    /// LEDGER_C: "a borrower can always repay in full: repay(loanId, max) succeeds and leaves the loan Repaid — also
    /// while paused." Checked on a snapshot for one active loan, picked anew after every call.
    function invariant_LEDGER_C_fullRepaymentAlwaysWorks() public {
        _sync();
        uint256 loanId = handler.activeLoan(handler.ghost().totalCalls);
        if (loanId == 0) return;
        uint256 snapshot = vm.snapshotState();
        if (!ledger.paused()) {
            vm.prank(pauser);
            ledger.pause();
        }
        ICreditLedger.LoanView memory v = ledger.loanState(loanId);
        uint256 bookBefore = ledger.principalOutstanding();
        uint256 paid = _repay(v.borrower, loanId, type(uint256).max);
        assertEq(paid, v.payoff, "paid the payoff");
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Repaid), "repaid");
        assertEq(ledger.principalOutstanding(), bookBefore - v.principalOutstanding, "book freed");
        vm.revertToState(snapshot);
    }

    /// LEDGER_D: "limits never exceeded: for each line, outstanding ≤ limit at the time of each draw."
    function invariant_LEDGER_D_drawsRespectLimits() public view {
        assertEq(handler.ghost().limitBreaches, 0);
    }

    /// LEDGER_E: "a lender can always exit up to maxWithdraw (paused or not)." Checked on a snapshot for one lender,
    /// picked anew after every call, while paused.
    function invariant_LEDGER_E_lendersCanExitUpToMaxWithdraw() public {
        _sync();
        address[] memory lenders = handler.lendersList();
        address who = lenders[handler.ghost().totalCalls % lenders.length];
        uint256 value = pool.convertToAssets(pool.balanceOf(who));
        uint256 available = ledger.availableLiquidity();
        uint256 max = pool.maxWithdraw(who);
        assertEq(max, value < available ? value : available, "maxWithdraw = min(value, idle cash)");
        if (max == 0) return;
        uint256 snapshot = vm.snapshotState();
        if (!ledger.paused()) {
            vm.prank(pauser);
            ledger.pause();
        }
        uint256 before = token.balanceOf(who);
        vm.prank(who);
        pool.withdraw(max, who, who);
        assertEq(token.balanceOf(who) - before, max, "paid maxWithdraw");
        vm.revertToState(snapshot);
    }

    /// LEDGER_F: "rateSum equals Σ over active loans of openingBalance × aprBps."
    function invariant_LEDGER_F_rateSumIsTheLoansRates() public view {
        uint256 n = handler.loanCount();
        uint256 sum;
        for (uint256 i = 0; i < n; ++i) {
            ICreditLedger.Loan memory loan = ledger.loanRecord(handler.loans(i));
            if (loan.status == ICreditLedger.LoanStatus.Active) sum += uint256(loan.openingBalance) * loan.aprBps;
        }
        assertEq(ledger.rateSum(), sum);
    }

    /// LEDGER_G: "a borrower can always repay in full, paused or not, including a loan in any bucket (payoff includes
    /// penalty); a defaulted loan accepts recovery up to its claim." Checked on a snapshot for a late loan (or any
    /// active loan) and a defaulted loan, picked anew after every call, paused after every other call.
    function invariant_LEDGER_G_payoffInAnyBucketAndRecoveryUpToTheClaim() public {
        _sync();
        uint256 seed = handler.ghost().totalCalls;
        uint256 snapshot = vm.snapshotState();
        if ((seed % 2 == 0) != ledger.paused()) {
            vm.prank(pauser);
            if (seed % 2 == 0) ledger.pause();
            else ledger.unpause();
        }
        uint256 loanId = handler.lateLoan(seed);
        if (loanId != 0) _assertPayoff(loanId);
        loanId = handler.defaultedLoan(seed);
        if (loanId != 0) _assertRecovery(loanId);
        vm.revertToState(snapshot);
    }

    function _assertPayoff(uint256 loanId) internal {
        ICreditLedger.LoanView memory v = ledger.loanState(loanId);
        assertEq(v.payoff, v.principalOutstanding + v.interestAccrued + v.penalty, "payoff includes the penalty");
        uint256 provisions = ledger.provisions();
        uint256 lateLoans = ledger.lineOf(v.borrower).lateLoans;
        uint256 paid = _repay(v.borrower, loanId, type(uint256).max);
        assertEq(paid, v.payoff, "paid the payoff");
        ICreditLedger.Loan memory loan = ledger.loanRecord(loanId);
        assertEq(uint8(loan.status), uint8(ICreditLedger.LoanStatus.Repaid), "repaid");
        assertEq(uint8(loan.bucket), uint8(ICreditLedger.Bucket.Current), "cured");
        assertEq(ledger.provisions(), provisions - handler.ghost_provision(loanId), "provision released");
        bool wasLate = v.markedBucket >= ICreditLedger.Bucket.M1;
        assertEq(ledger.lineOf(v.borrower).lateLoans, lateLoans - (wasLate ? 1 : 0), "line no longer late");
    }

    function _assertRecovery(uint256 loanId) internal {
        uint256 claim = ledger.loanState(loanId).payoff;
        ILedgerHandler.Claim memory booked = handler.claimOf(loanId);
        assertEq(claim, booked.claimLeft, "claim as booked");
        uint256 toReserve = claim > booked.lenderLossLeft ? claim - booked.lenderLossLeft : 0;
        if (toReserve > booked.reserveLeft) toReserve = booked.reserveLeft;
        address payer = address(uint160(loanId >> 96));
        _fund(payer, claim + 1);
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.RepaymentExceedsPayoff.selector, claim + 1, claim));
        ledger.repay(loanId, claim + 1);
        uint256 lenderAssets = ledger.lenderAssets();
        uint256 reserve = ledger.firstLossReserve();
        uint256 provisions = ledger.provisions();
        uint256 paid = _repay(payer, loanId, type(uint256).max);
        // Provisions are charged to the reserve first: the lenders gain what the reserve gets back beyond its own
        // rise of max(reserve, provisions).
        uint256 reserveKeeps = _max(reserve + toReserve, provisions) - _max(reserve, provisions);
        assertEq(paid, claim, "recovered the claim");
        assertEq(ledger.loanState(loanId).payoff, 0, "nothing left to claim");
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Defaulted), "stays defaulted");
        if (handler.KNOWN_ISSUE_INSOLVENT_POOL() && lenderAssets == 0 && pool.totalSupply() != 0) {
            // KI-5: lenderAssets was clamped at 0 over a deficit (the fees owed outlive the loss), and the
            // recovery fills that deficit before lenders see any of it.
            assertLe(ledger.lenderAssets(), claim - reserveKeeps, "insolvent pool: at most the lenders' part (KI-5)");
        } else {
            assertEq(ledger.lenderAssets(), lenderAssets + claim - reserveKeeps, "lenders first, then the reserve");
        }
    }

    // ---------------------------------------------------------------- collection and delinquency

    /// COLL_A: "no collection above what is due: each Collected(loanId, borrower, amount) amount ≤ dueNow(loanId) read just
    /// before in the same handler call; a second collect of the same ids in the same block collects nothing" for a
    /// loan whose due the first collected in full (after a capped or short pull it collects at most the rest).
    function invariant_COLL_A_noCollectionAboveDue() public view {
        ILedgerHandler.Ghost memory g = handler.ghost();
        assertEq(g.overCollections, 0, handler.note().lastCollection);
        assertEq(g.secondCollections, 0, handler.note().lastCollection);
    }

    /// COLL_B: "delinquency is a pure function of time and payments: for every active loan,
    /// loanState(id).markedBucket after mark([id]) (and loanState(id).bucket before it) equals
    /// ArrearsMath.bucketOf(pastDue, pastDueSince, now, riskParams) recomputed from the view (except Default, which
    /// writes off), and marking twice in the same block changes nothing." The handler checks every
    /// loan it marks, pays or collects; here one active loan, picked anew after every call, is marked on a snapshot.
    function invariant_COLL_B_bucketIsAFunctionOfTimeAndPayments() public {
        ILedgerHandler.Ghost memory g = handler.ghost();
        assertEq(g.bucketMismatches, 0, handler.note().lastBucket);
        assertEq(g.markChanges, 0, "a second mark in the same block changed the state");
        _sync();
        uint256 loanId = handler.lateLoan(g.totalCalls + 1);
        if (loanId == 0) return;
        uint256 snapshot = vm.snapshotState();
        ICreditLedger.LoanView memory v = ledger.loanState(loanId);
        ICreditLedger.RiskParams memory params = ledger.riskParams();
        ICreditLedger.Bucket expected = ArrearsMath.bucketOf(v.pastDue, v.pastDueSince, block.timestamp, params);
        uint256[] memory ids = new uint256[](1);
        ids[0] = loanId;
        ledger.mark(ids);
        if (expected == ICreditLedger.Bucket.Default) {
            assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Defaulted), "written off");
        } else {
            ICreditLedger.LoanView memory w = ledger.loanState(loanId);
            assertEq(uint8(w.markedBucket), uint8(expected), "bucket = bucketOf(view before)");
            assertEq(uint8(v.bucket), uint8(expected), "the live bucket before the mark already said so");
            assertEq(
                uint8(w.markedBucket),
                uint8(ArrearsMath.bucketOf(w.pastDue, w.pastDueSince, block.timestamp, params)),
                "bucket = bucketOf(view after)"
            );
        }
        bytes32 state = _markedState(loanId);
        ledger.mark(ids);
        assertEq(_markedState(loanId), state, "second mark changes nothing");
        vm.revertToState(snapshot);
    }

    /// COLL_C: "a loan's oldest unpaid due date (loanState(id).pastDueSince) never moves without a payment and never
    /// moves back": checked by the handler after every call on a late loan it picks, against its own record of the
    /// loan's payments, not against the ledger's arrears math (KI-6 moved it to a later due date with no payment).
    function invariant_COLL_C_pastDueDateMovesOnlyWithAPayment() public view {
        assertEq(handler.ghost().dueDateMoves, 0, handler.note().lastDueDateMove);
    }

    function _markedState(uint256 loanId) internal view returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    ledger.loanRecord(loanId),
                    ledger.loanState(loanId),
                    ledger.lineOf(address(uint160(loanId >> 96))),
                    ledger.provisions(),
                    ledger.lenderAssets(),
                    ledger.rateSum(),
                    ledger.interestReceivable(),
                    ledger.firstLossReserve()
                )
            );
    }

    /// HANDLER: "every call the handler's model accepts is accepted, and every refusal carries the predicted error."
    function invariant_HANDLER_noUnexpectedOutcome() public view {
        ILedgerHandler.Notes memory notes = handler.note();
        assertEq(
            handler.ghost().unexpected,
            0,
            string.concat(notes.lastUnexpected, " ", vm.toString(notes.lastUnexpectedData))
        );
    }

    function _max(uint256 a, uint256 b) private pure returns (uint256) {
        return a > b ? a : b;
    }
}
