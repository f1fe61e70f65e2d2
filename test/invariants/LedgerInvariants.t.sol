// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {MicrocreditBase} from "../utils/MicrocreditBase.sol";
import {LedgerHandler} from "./LedgerHandler.sol";

/// Handler-based invariants of the pool and the ledger (docs/INVARIANTS.md lists them with their ids).
/// Lenders deposit, withdraw, queue, cancel and fill redemptions; the underwriter changes lines; borrowers draw every
/// product and repay in every way; time jumps by 1 s to 40 days; the admin pauses, changes rates and claims fees.
contract LedgerInvariants is MicrocreditBase {
    LedgerHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new LedgerHandler(
            token,
            ledger,
            pool,
            LedgerHandler.Roles({admin: admin, underwriter: underwriter, pauser: pauser, thirdParty: recipient}),
            lender,
            INITIAL_DEPOSIT
        );
        address[] memory borrowers = handler.borrowersList();
        for (uint256 i = 0; i < borrowers.length; ++i) _openLine(borrowers[i], 100_000e6, 1_000 + 300 * i);

        // Time, draws and repayments are listed several times: the fuzzer picks an entry uniformly.
        bytes4[] memory selectors = new bytes4[](22);
        selectors[0] = LedgerHandler.deposit.selector;
        selectors[1] = LedgerHandler.withdraw.selector;
        selectors[2] = LedgerHandler.requestRedeem.selector;
        selectors[3] = LedgerHandler.cancelRedeem.selector;
        selectors[4] = LedgerHandler.processRedemptions.selector;
        selectors[5] = LedgerHandler.donate.selector;
        selectors[6] = LedgerHandler.setLine.selector;
        selectors[7] = LedgerHandler.setPaused.selector;
        selectors[8] = LedgerHandler.setRates.selector;
        selectors[9] = LedgerHandler.claimFees.selector;
        for (uint256 i = 10; i < 13; ++i) selectors[i] = LedgerHandler.warp.selector;
        for (uint256 i = 13; i < 17; ++i) selectors[i] = LedgerHandler.draw.selector;
        for (uint256 i = 17; i < 22; ++i) selectors[i] = LedgerHandler.repay.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

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
    /// fees claimed)."
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

    /// POOL_D: "totalAssets() == ledger.lenderAssets() and lenderAssets ≤ cash + principal + interestReceivable."
    function invariant_POOL_D_totalAssetsIsTheLendersBook() public {
        _sync();
        uint256 lenderAssets = ledger.lenderAssets();
        assertEq(pool.totalAssets(), lenderAssets, "totalAssets");
        assertLe(
            lenderAssets,
            ledger.cash() + ledger.principalOutstanding() + ledger.interestReceivable(),
            "claims come off the book"
        );
    }

    /// POOL_E: "share price (convertToAssets(1e18)) never decreases between handler calls", but for new provisions
    /// (a repayment that leaves a loan past grace provisions it; the handler never marks or writes off), 2 units of
    /// totalAssets of rounding (KI-2) and the true-up of a loan touched with something past due (KI-1).
    function invariant_POOL_E_sharePriceNeverFalls() public view {
        assertEq(handler.ghost().priceDrops, 0, handler.note().lastPriceDrop);
    }

    // ---------------------------------------------------------------- ledger

    /// LEDGER_A: "Σ over borrowers of lineOf(b).outstanding == principalOutstanding", and each line's outstanding is
    /// the sum of its loans'.
    function invariant_LEDGER_A_linesSumToTheBook() public view {
        address[] memory borrowers = handler.borrowersList();
        uint256[] memory perBorrower = new uint256[](borrowers.length);
        uint256 n = handler.loanCount();
        for (uint256 i = 0; i < n; ++i) {
            uint256 loanId = handler.loans(i);
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
    /// principalOutstanding"; repaid loans repaid exactly their principal.
    function invariant_LEDGER_B_loansSumToTheBook() public view {
        uint256 n = handler.loanCount();
        uint256 sum;
        for (uint256 i = 0; i < n; ++i) {
            uint256 loanId = handler.loans(i);
            ICreditLedger.Loan memory loan = ledger.loanRecord(loanId);
            assertLe(loan.principalPaid, loan.principal, "principal never negative");
            assertEq(loan.principalPaid, handler.ghost_principalRepaid(loanId), "principal repaid as tracked");
            if (loan.status == ICreditLedger.LoanStatus.Active) {
                sum += uint256(loan.principal) - loan.principalPaid;
            } else {
                assertEq(uint8(loan.status), uint8(ICreditLedger.LoanStatus.Repaid), "drawn loans exist");
                assertEq(loan.principalPaid, loan.principal, "repaid in full");
                assertEq(loan.openingBalance, 0, "repaid loans accrue nothing");
            }
        }
        assertEq(sum, ledger.principalOutstanding(), "loans = book");
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

    /// HANDLER: "every call the handler's model accepts is accepted, and every refusal carries the predicted error."
    function invariant_HANDLER_noUnexpectedOutcome() public view {
        LedgerHandler.Notes memory notes = handler.note();
        assertEq(
            handler.ghost().unexpected,
            0,
            string.concat(notes.lastUnexpected, " ", vm.toString(notes.lastUnexpectedData))
        );
    }
}
