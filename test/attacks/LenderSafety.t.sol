// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {ILedgerBook} from "../../contracts/interfaces/ILedgerBook.sol";
import {ILendingPool} from "../../contracts/interfaces/ILendingPool.sol";
import {IRiskLimits} from "../../contracts/interfaces/IRiskLimits.sol";
import {ICostDisclosure} from "../../contracts/interfaces/ICostDisclosure.sol";
import {ICreditQuotes} from "../../contracts/interfaces/ICreditQuotes.sol";
import {Vm} from "forge-std/Vm.sol";
import {ScheduleMath} from "../../contracts/libraries/ScheduleMath.sol";
import {AttackBase, MintableToken} from "./AttackBase.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ILedger} from "../invariants/ILedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// A USDC-style token that refuses any transfer from or to a sanctioned address.
contract SanctionToken is MintableToken {
    error Sanctioned(address account);

    mapping(address account => bool) public sanctioned;

    constructor() MintableToken("Sanction USD", "sUSD") {}

    function setSanctioned(address account, bool on) external {
        sanctioned[account] = on;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (sanctioned[from]) revert Sanctioned(from);
        if (sanctioned[to]) revert Sanctioned(to);
        super._update(from, to, value);
    }
}

/// The attacks of the lender-safety review, one test per numbered item (docs/SECURITY.md, "Lender safety"). Each
/// test is the attack as the review ran it, with the values it measured in the comments; before the fixes each
/// assertion marked "(fails before)" failed.
contract LenderSafetyTest is AttackBase {
    error NoLoanDefaulted();
    error LineSlotNotFound(address borrower);

    uint256 internal constant LOAN = 200_000e6;
    uint256 internal constant FLASH = 10_000_000e6;

    function _markOne(uint256 loanId) internal {
        uint256[] memory ids = new uint256[](1);
        ids[0] = loanId;
        vm.prank(keeper);
        ledger.mark(ids);
    }

    function _valueOf(address who) internal view returns (uint256) {
        return pool.convertToAssets(pool.balanceOf(who));
    }

    /// A 200,000 loan (12 equal instalments at 18%) that pays nothing until it is in bucket M3 (65 days past due).
    /// The pool is synced after the mark (any deposit, withdrawal or `sync()` does it), so it has seen the provision
    /// fall before the cure.
    function _loanInM3() internal returns (uint256 loanId) {
        loanId = _openAndDraw(attacker, 2, LOAN, APR);
        vm.warp(block.timestamp + 30 days + 65 days);
        _markOne(loanId);
        pool.sync();
        assertEq(uint8(ledger.loanRecord(loanId).bucket), uint8(ICreditLedger.Bucket.M3), "M3");
        assertGt(ledger.provisions(), 100_000e6, "60% provisioned");
    }

    // ---------------------------------------------------------------- 1. share-price steps and flash capital

    /// Item 1: the borrower lets the loan reach M3, then in one transaction deposits 10,000,000 (a flash loan), pays
    /// the arrears (the 120,000 provision is released, penalty paid) and redeems. Measured before the fix: the
    /// borrower gained 111,189 and the lender lost exactly that.
    function test_item01_flashDepositAroundCure_gainsNothing() public {
        uint256 loanId = _loanInM3();
        uint256 lenderBefore = _valueOf(lender);
        uint256 provision = ledger.provisions();

        _fund(attacker, FLASH);
        vm.prank(attacker);
        uint256 shares = pool.deposit(FLASH, attacker);
        _repay(attacker, loanId, ledger.dueNow(loanId));
        assertEq(uint8(ledger.loanRecord(loanId).bucket), uint8(ICreditLedger.Bucket.Current), "cured");
        assertEq(ledger.provisions(), 0, "provision released");
        vm.prank(attacker);
        uint256 out = pool.redeem(shares, attacker, attacker);

        assertLe(out, FLASH, "no gain from the cure step (fails before)");
        assertGe(_valueOf(lender), lenderBefore, "the lender lost nothing (fails before)");
        emit log_named_uint("flash round trip, assets back", out);

        // The step unlocks to the lenders who were there, linearly over the unlock period.
        uint256 locked = pool.lockedGains();
        assertGe(locked, provision, "the release and the penalty are locked");
        vm.warp(block.timestamp + pool.GAIN_UNLOCK_PERIOD() / 2);
        assertApproxEqAbs(pool.lockedGains(), locked / 2, 1, "half unlocked at half time");
        vm.warp(block.timestamp + pool.GAIN_UNLOCK_PERIOD());
        assertEq(pool.lockedGains(), 0, "all unlocked");
        assertGe(_valueOf(lender), lenderBefore + provision, "the lender has the release back");
    }

    /// Item 1, held for one hour instead of one transaction: the gain is at most the part of the step unlocked in
    /// that hour.
    function test_item01_depositHeldAcrossCure_getsOnlyWhatUnlockedMeanwhile() public {
        uint256 loanId = _loanInM3();
        uint256 provision = ledger.provisions();
        _fund(attacker, FLASH);
        vm.prank(attacker);
        uint256 shares = pool.deposit(FLASH, attacker);
        _repay(attacker, loanId, ledger.dueNow(loanId));
        uint256 locked = pool.lockedGains();
        vm.warp(block.timestamp + 1 hours);
        vm.prank(attacker);
        uint256 out = pool.redeem(shares, attacker, attacker);
        uint256 unlockedShare = (locked * 1 hours) / pool.GAIN_UNLOCK_PERIOD();
        // The attacker's share of an hour of interest on the book, plus its share of what unlocked.
        uint256 hourOfInterest = (ledger.rateSum() * 1 hours) / SCALE + 1;
        assertLe(out, FLASH + unlockedShare + hourOfInterest, "at most what unlocked in the hour");
        assertLt(out - FLASH, provision / 100, "under 1% of the release");
    }

    /// Item 1, after the step: a depositor who comes in once the step is locked (the `GainLocked` event announces it)
    /// and holds until it has unlocked pays the price with the step in it, so it earns only interest.
    function test_item01_depositAfterAStep_buysNoPartOfIt() public {
        uint256 loanId = _loanInM3();
        _repay(attacker, loanId, ledger.dueNow(loanId));
        pool.sync();
        uint256 locked = pool.lockedGains();
        assertGt(locked, 100_000e6, "the cure is locked");

        _fund(victim, FLASH);
        vm.prank(victim);
        uint256 shares = pool.deposit(FLASH, victim);
        assertLt(pool.convertToAssets(shares), FLASH, "an exit now would leave the locked part behind");
        uint256 interestBefore = ledger.lenderAssets();
        vm.warp(block.timestamp + pool.GAIN_UNLOCK_PERIOD());
        uint256 interest = ledger.lenderAssets() - interestBefore; // interest only: no step in the week
        vm.prank(victim);
        uint256 out = pool.redeem(shares, victim, victim);
        // At most its share of the week's interest; before the fix it would also take ~91% of the locked step.
        assertLe(out, FLASH + (interest * FLASH) / (FLASH + 1_000_000e6) + 2, "no part of the step (fails before)");
    }

    /// Item 1, a loss while a gain is still locked uses the locked gain up first: nobody buys cheaply into a pool
    /// whose price is below what it holds.
    function test_item01_lossUsesUpLockedGainsFirst() public {
        uint256 other = _openAndDraw(borrower, 2, 100_000e6, APR); // as late as the attacker's, never marked
        uint256 cured = _loanInM3();
        _repay(attacker, cured, ledger.dueNow(cured));
        pool.sync();
        uint256 locked = pool.lockedGains();
        uint256 exitPrice = pool.totalAssets();
        // The other loan marked into M3 now: a 60% provision, a fall of the ledger's value.
        uint256 valueBefore = ledger.lenderAssets();
        _markOne(other);
        uint256 loss = valueBefore - ledger.lenderAssets();
        assertGt(loss, 50_000e6);
        assertLt(loss, locked);
        pool.sync();
        assertLe(pool.lockedGains() + loss, locked, "the loss used up locked gains");
        assertGe(pool.totalAssets() + 1, exitPrice, "so the exit price did not fall");
    }

    /// Item 1, a third party sandwiches an honest full recovery after a write-off. Measured before the fix: 200,375
    /// earned on a 216,702 recovery.
    function test_item01_sandwichOfARecovery_gainsNothing() public {
        uint256 loanId = _openAndDraw(borrower, 2, LOAN, APR);
        vm.warp(block.timestamp + 30 days + 91 days);
        _markOne(loanId);
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Defaulted), "written off");
        uint256 lenderBefore = _valueOf(lender);

        _fund(attacker, FLASH);
        vm.prank(attacker);
        uint256 shares = pool.deposit(FLASH, attacker);
        uint256 claim = ledger.loanState(loanId).payoff;
        _repay(borrower, loanId, claim);
        vm.prank(attacker);
        uint256 out = pool.redeem(shares, attacker, attacker);

        assertLe(out, FLASH, "no gain from the recovery step (fails before)");
        assertGe(_valueOf(lender), lenderBefore, "the lender lost nothing");
        vm.warp(block.timestamp + pool.GAIN_UNLOCK_PERIOD());
        assertGt(_valueOf(lender), lenderBefore + LOAN / 2, "the recovery reaches the lender once unlocked");
    }

    /// Item 1, the gain lock itself: a griefer cannot hold back gains the lenders earned with dust steps. Every 6
    /// hours for a week, in one block, it syncs, repays 1 unit of a written-off loan (a recovery: open to anyone, and a
    /// step) and syncs again. Measured before the fix, when every step restarted the whole period: 18,058 of a 50,000
    /// recovery still locked at day 7, for 28 base units and gas.
    function test_item01_dustStepsCannotHoldBackTheLock() public {
        uint256 loanId = _openAndDraw(borrower, 2, LOAN, APR);
        vm.warp(block.timestamp + 30 days + 91 days);
        _markOne(loanId);
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Defaulted), "written off");
        pool.sync(); // the pool has seen the loss
        _repay(borrower, loanId, 50_000e6);
        pool.sync();
        uint256 locked = pool.lockedGains();
        assertGt(locked, 49_000e6, "the recovery is locked");
        uint256 start = vm.getBlockTimestamp(); // not `block.timestamp`, which viaIR may read again after a warp
        uint256 exitPriceUnlocked = pool.totalAssets() + locked;

        for (uint256 i = 1; i <= 28; ++i) {
            vm.warp(start + i * 6 hours - 1);
            pool.sync();
            uint256 before = pool.lockedGains();
            _repay(attacker, loanId, 1);
            pool.sync();
            assertEq(pool.lockedGains(), before + 1, "each unit is a step");
        }
        // A unit moves the end by a second or more only once fewer units are locked than the period has seconds, so
        // what the steps held back at the end is below 604,800 units (0.6 of a token); before, 18,058 tokens.
        vm.warp(start + pool.GAIN_UNLOCK_PERIOD());
        assertLe(pool.lockedGains(), pool.GAIN_UNLOCK_PERIOD(), "unlocked at the end but dust (fails before)");
        assertGe(pool.totalAssets() + pool.lockedGains(), exitPriceUnlocked + 28, "the recovery and the dust");
    }

    /// Item 1: a loss is never locked or delayed: a write-off lowers the price in the transaction that books it.
    function test_item01_lossesCountAtOnce() public {
        uint256 loanId = _openAndDraw(borrower, 5, LOAN, APR);
        vm.warp(block.timestamp + 30 days + 91 days);
        uint256 before = pool.totalAssets();
        _markOne(loanId);
        assertLt(pool.totalAssets() + LOAN / 2, before, "the write-off is in the price at once");
        assertEq(pool.lockedGains(), 0, "nothing locked");
    }

    /// The slot of `borrower`'s line word, found by its content (limit 0..79, aprBps 160..175), so the test does not
    /// depend on the ledger's slot numbering.
    function _lineSlot(address borrower) internal view returns (bytes32) {
        ICreditLedger.LineView memory l = ledger.lineOf(borrower);
        for (uint256 p = 0; p < 256; ++p) {
            bytes32 slot = keccak256(abi.encode(borrower, p));
            uint256 word = uint256(vm.load(address(ledger), slot));
            if (word != 0 && uint80(word) == l.limit && uint16(word >> 160) == l.aprBps) return slot;
        }
        revert LineSlotNotFound(borrower);
    }

    /// Dust loans (draw, prepay all but 1 unit) left unpaid until marked: 65,535 of them filled the 16-bit count of a
    /// line's late loans, so the mark of a real loan on that line overflowed and it was never provisioned or written
    /// off (a keeper's upkeep reverted with it). The count now sticks at its maximum, through a cure too (it no longer
    /// knows how many are late), and the line stays frozen. The 65,535 marks are set in storage; each costs the
    /// attacker a draw and a prepayment (about 213,000 gas).
    function test_dustLateLoans_cannotStopTheMarkOfARealLoan() public {
        uint256 loanId = _openAndDraw(borrower, 2, LOAN, APR);
        bytes32 slot = _lineSlot(borrower);
        uint256 word = uint256(vm.load(address(ledger), slot));
        vm.store(address(ledger), slot, bytes32(word | (uint256(type(uint16).max) << 224)));
        assertEq(ledger.lineOf(borrower).lateLoans, type(uint16).max);

        vm.warp(vm.getBlockTimestamp() + 30 days + 10 days);
        _markOne(loanId); // reverted with an overflow (fails before)
        assertEq(uint8(ledger.loanRecord(loanId).bucket), uint8(ICreditLedger.Bucket.M1), "marked late");
        _repay(borrower, loanId, ledger.dueNow(loanId));
        assertEq(uint8(ledger.loanRecord(loanId).bucket), uint8(ICreditLedger.Bucket.Current), "cured");
        assertEq(ledger.lineOf(borrower).lateLoans, type(uint16).max, "the count stays at its maximum");
        vm.prank(borrower);
        vm.expectRevert(
            abi.encodeWithSelector(ICreditLedger.LineFrozenByArrears.selector, borrower, uint256(type(uint16).max))
        );
        ledger.draw(2, 1_000e6);

        vm.warp(vm.getBlockTimestamp() + 30 days + 91 days);
        _markOne(loanId);
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Defaulted), "written off");
        assertEq(ledger.lineOf(borrower).lateLoans, type(uint16).max);
    }

    // ---------------------------------------------------------------- 3. protocol fee on written-off interest

    /// Item 3: the protocol fee and the first-loss cut set aside on interest that is then written off are taken
    /// back. Measured before the fix: 26.51 of fee per 10,000 default, paid out of lenders' principal.
    function test_item03_writeOff_takesBackTheFeeOnUnpaidInterest() public {
        uint256 loanId = _openAndDraw(borrower, 5, 10_000e6, APR);
        // Touched at maturity, so the write-off trues nothing up (KI-1) and the figures below are exact.
        vm.warp(block.timestamp + 30 days);
        _markOne(loanId);
        vm.warp(block.timestamp + 91 days);
        uint256 feesBefore = ledger.protocolFeesOwed();
        uint256 reserveBefore = ledger.firstLossReserve();
        uint256 lenderBefore = ledger.lenderAssets();
        uint256 provisionBefore = ledger.provisions();
        ICreditLedger.LoanView memory v = ledger.loanState(loanId);
        uint256 interest = v.interestAccrued;
        assertEq(interest, 150e6, "one period of interest written off (1.5% of 10,000)");

        vm.recordLogs();
        _markOne(loanId);
        (uint256 loss, uint256 absorbed, uint256 lenderLoss) = _defaulted();
        assertEq(loss, 10_000e6 + interest, "loss = principal + interest");

        uint256 feeBack = (interest * 500) / 10_000;
        uint256 reserveBack = (interest * 1_000) / 10_000;
        assertEq(ledger.protocolFeesOwed(), feesBefore - feeBack, "fee on unpaid interest taken back (fails before)");
        assertEq(
            ledger.firstLossReserve(),
            reserveBefore - reserveBack - absorbed,
            "reserve: its cut back, then absorbs"
        );
        assertEq(lenderLoss + absorbed + feeBack + reserveBack, loss, "lenders bear only their share");
        assertEq(ledger.lenderAssets() + lenderLoss, lenderBefore + provisionBefore, "lenders fall by their loss");
    }

    /// Item 3, the claim: fees are earned on interest received, so the fee share of the interest still receivable
    /// cannot be claimed, and a write-off can take all of it back. Before, the admin could claim it; the take-back
    /// was then capped at the fees left (none), and the lenders paid the fee on interest nobody paid.
    function test_item03_feeOnUnpaidInterestCannotBeClaimed() public {
        (uint256 loanId, uint256 interest) = _unpaidAtMaturity();
        uint256 owed = ledger.protocolFeesOwed();
        uint256 held = (ledger.interestReceivable() * 500 + 9_999) / 10_000;
        assertApproxEqAbs(held, (interest * 500) / 10_000, 1, "the fee on the receivable: 5% of 150");
        uint256 claimable = owed > held ? owed - held : 0;
        assertLe(claimable, 1, "nothing of it was received");

        vm.expectRevert(abi.encodeWithSelector(ILedgerBook.FeesExceeded.selector, owed, claimable));
        vm.prank(admin);
        ledger.claimFees(admin, owed); // fails before: paid

        // The loan defaults unpaid: the whole fee on its interest comes back from the claim.
        _writeOffTakesBackTheFee(loanId, (interest * 500) / 10_000);
    }

    /// Item 3, a rise then a cut: interest recognised before the rise carries the lower fee, so the cut leaves the fee
    /// on the receivable at the new rate. Cutting by the receivable times the cut alone took 22.50 off a claim of 7.50
    /// and left the write-off nothing to take back.
    function test_item03_feeRiseThenCut_keepsTheFeeOnUnpaidInterest() public {
        (uint256 loanId, uint256 interest) = _unpaidAtMaturity();
        (uint256 feeBps, uint256 firstLossBps, uint256 liquidityBps) = ledger.rates();
        assertEq(feeBps, 500, "recognised at 5%");
        uint256 feesBefore = ledger.protocolFeesOwed();
        assertEq(feesBefore, (interest * 500) / 10_000, "7.50 of fee on the 150");
        vm.startPrank(admin);
        ledger.setRates(2_000, firstLossBps, liquidityBps);
        ledger.setRates(500, firstLossBps, liquidityBps);
        vm.stopPrank();
        assertEq(ledger.protocolFeesOwed(), feesBefore, "the fee at the new rate stays");
        _writeOffTakesBackTheFee(loanId, (interest * 500) / 10_000);
    }

    /// A 10,000 bullet loan at maturity, marked, its one period of interest unpaid.
    function _unpaidAtMaturity() internal returns (uint256 loanId, uint256 interest) {
        loanId = _openAndDraw(borrower, 5, 10_000e6, APR);
        vm.warp(block.timestamp + 30 days);
        _markOne(loanId);
        interest = ledger.loanState(loanId).interestAccrued;
        assertEq(interest, 150e6, "one period of interest, unpaid");
    }

    /// Writes the loan off 91 days later; the fee on its interest, `feeBack`, comes back from the claim.
    function _writeOffTakesBackTheFee(uint256 loanId, uint256 feeBack) internal {
        vm.warp(block.timestamp + 91 days);
        uint256 feesBefore = ledger.protocolFeesOwed();
        _markOne(loanId);
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Defaulted), "written off");
        assertEq(feesBefore - ledger.protocolFeesOwed(), feeBack, "the fee on the unpaid interest, all of it");
    }

    /// Item 3, a fee cut: the fee on interest still receivable falls to the new rate at once, so what the old rate
    /// accrued on unpaid interest cannot be claimed, and a write-off takes back all that is left of it. Before, the
    /// hold fell to the new rate while the fee stayed: the admin could cut the fee from 20% to 5%, claim 22.50 of fee
    /// on 150 of interest nobody paid, and the lenders paid it at the default.
    function test_item03_feeCutCannotFreeTheFeeOnUnpaidInterest() public {
        (, uint256 firstLossBps, uint256 liquidityBps) = ledger.rates();
        vm.prank(admin);
        ledger.setRates(2_000, firstLossBps, liquidityBps);
        (uint256 loanId, uint256 interest) = _unpaidAtMaturity();
        uint256 receivable = ledger.interestReceivable();
        uint256 feesBefore = ledger.protocolFeesOwed();
        uint256 lenderBefore = ledger.lenderAssets();

        vm.prank(admin);
        ledger.setRates(500, firstLossBps, liquidityBps);
        uint256 cut = (receivable * 1_500) / 10_000;
        assertApproxEqAbs(cut, 22.5e6, 1, "15% of the 150 receivable");
        assertEq(feesBefore - ledger.protocolFeesOwed(), cut, "the fee on it falls to 5% (fails before: 0)");
        assertEq(ledger.lenderAssets() - lenderBefore, cut, "the lenders get the difference");
        uint256 held = (ledger.interestReceivable() * 500 + 9_999) / 10_000;
        uint256 owed = ledger.protocolFeesOwed();
        assertLe(owed > held ? owed - held : 0, 1, "no fee on the unpaid interest is claimable");

        // At the default, the fee on it at 5% comes back.
        _writeOffTakesBackTheFee(loanId, (interest * 500) / 10_000);
    }

    /// KI-12 (open, pinned): paying each instalment a full period early, at the start of the period it falls due in,
    /// retires its principal before any of its fee share is earned, so almost the whole fee comes back. The protocol's
    /// income, not the lenders' money; the fix (an actuarial fee) flips this test.
    function test_KI12_payingAPeriodEarly_keepsAlmostNoFee() public {
        (uint256 loanId, uint256 start) = _feeLoan();
        _fund(borrower, 2_000e6);
        uint256 rebates;
        for (uint256 k = 0; k < 6 && ledger.loanRecord(loanId).status == ICreditLedger.LoanStatus.Active; ++k) {
            vm.warp(start + k * 30 days + 1);
            // The period's interest to date and the principal of the instalment due at its end.
            ICreditLedger.LoanView memory v = ledger.loanState(loanId);
            (, uint256[] memory principals, ) = ScheduleMath.schedule(EQUAL_INSTALMENT, 10_000e6, APR, 6, 30);
            uint256 amount = v.interestAccrued + principals[k];
            if (amount > v.payoff) amount = v.payoff;
            rebates += _repayForRebate(loanId, amount);
        }
        if (ledger.loanRecord(loanId).status == ICreditLedger.LoanStatus.Active) {
            _repay(borrower, loanId, type(uint256).max);
        }
        assertGt(rebates, 149e6, "almost the whole 150 of fee comes back (KI-12)");
    }

    /// KI-8: a write-off also takes back the origination fee's share of the principal that had not fallen due (it
    /// was never earned, as an early payoff would have shown), so the lenders' loss is lower by that much. Before,
    /// the protocol kept the whole 150 of fee and the lenders lost it with the principal.
    function test_KI8_writeOffTakesBackTheUnearnedFee() public {
        vm.prank(admin);
        ledger.setProductFee(2, 150);
        uint256 loanId = _openAndDraw(borrower, 2, 10_000e6, APR);
        vm.warp(block.timestamp + 30 days);
        _markOne(loanId);
        vm.warp(block.timestamp + 91 days); // day 121: instalments 1-4 fell due, 5-12 did not
        uint256 feesBefore = ledger.protocolFeesOwed();
        uint256 notDue = _planBalanceAfter(4);
        // Instalment 5 falls due at day 150: 29 of its period's 30 days still to run.
        uint256 later = _planBalanceAfter(5);
        uint256 unearned = (150e6 * (later * 30 days + (notDue - later) * 29 days)) / (10_000e6 * 30 days);
        assertGt(unearned, 100e6, "two thirds of the principal had not fallen due");

        uint256 penalty = ledger.loanState(loanId).penalty;
        vm.recordLogs();
        _markOne(loanId);
        (uint256 loss, uint256 absorbed, uint256 lenderLoss) = _defaulted();
        // Nor does the borrower owe it: a full recovery does not hand the lenders a fee nobody earned.
        assertEq(ledger.loanState(loanId).payoff, loss + penalty - unearned, "the recovery claim");
        uint256 interest = loss - 10_000e6;
        uint256 reserveBack = (interest * 1_000) / 10_000;
        // What the lenders do not lose is the reserve's cut of the interest and the fee taken back: the fee on the
        // unpaid interest and the unearned origination fee.
        uint256 feeBack = loss - lenderLoss - absorbed - reserveBack;
        assertEq(feeBack, (interest * 500) / 10_000 + unearned, "the unearned fee is taken back (fails before)");
        assertLe(ledger.protocolFeesOwed(), feesBefore - feeBack, "from the protocol's claim");
    }

    /// The planned balance of 10,000 over 12 × 30 days at 18 % (equal instalments) after `count` instalments.
    function _planBalanceAfter(uint256 count) internal pure returns (uint256) {
        uint256 payment = _instalment(10_000e6, APR, 12);
        return ScheduleMath.scheduledBalanceUp(EQUAL_INSTALMENT, 10_000e6, payment, APR, 12, 30, count);
    }

    function _defaulted() internal returns (uint256 loss, uint256 absorbed, uint256 lenderLoss) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == ICreditLedger.LoanDefaulted.selector) {
                return abi.decode(logs[i].data, (uint256, uint256, uint256));
            }
        }
        revert NoLoanDefaulted();
    }

    // ---------------------------------------------------------------- 5. queue griefing

    /// Item 5: a griefer fills the queue with request+cancel pairs of one token. Measured before the fix: 8,000
    /// pairs made `processRedemptions(1)` cost 37,275,571 gas, so the request behind them was never filled.
    function test_item05_cancelledRequestsCannotBlockTheQueue() public {
        address griefer = makeAddr("griefer");
        _deposit(griefer, 10_000e6);
        uint256 oneToken = pool.convertToShares(1e6);
        vm.startPrank(griefer);
        for (uint256 i = 0; i < 2_000; ++i) pool.cancelRedeem(pool.requestRedeem(oneToken));
        vm.stopPrank();
        uint256 victimShares = pool.convertToShares(50_000e6);
        vm.prank(lender);
        uint256 victimRequest = pool.requestRedeem(victimShares);

        uint256 gas = gasleft();
        pool.processRedemptions(1);
        gas -= gasleft();
        (uint256 head, ) = pool.queueBounds();
        assertEq(head, 1, "one request visited, and the head saved");
        assertLt(gas, 100_000, "one visit costs one visit (fails before: 37,275,571 for 8,000 pairs)");

        uint256 calls;
        while (pool.redemptionRequest(victimRequest).shares != 0) {
            gas = gasleft();
            pool.processRedemptions(500);
            gas -= gasleft();
            assertLt(gas, 1_500_000, "a call of 500 stays bounded");
            ++calls;
        }
        assertEq(calls, 4, "1,999 cancelled entries and the request: four calls of 500");
        assertGe(pool.claimable(lender), 50_000e6 - 1, "filled");
    }

    // ---------------------------------------------------------------- 6. a sanctioned lender in the queue

    /// Item 6: one lender the token refuses to pay sits at the head of the queue. Measured before the fix:
    /// `processRedemptions` reverted at that request for everyone, and a victim who cancelled could withdraw only
    /// 457,087 of 505,737 because cash stayed held for a request that could never be paid.
    function test_item06_sanctionedLenderNeverBlocksTheQueue() public {
        SanctionToken sToken = new SanctionToken();
        (ITestLedger sLedger, ILendingPool sPool) = _deployWith(address(sToken));
        address sanctionedLender = makeAddr("sanctionedLender");
        uint256[3] memory amounts = [uint256(1_000_000e6), 100_000e6, 500_000e6];
        address[3] memory who = [lender, sanctionedLender, victim];
        for (uint256 i = 0; i < 3; ++i) {
            sToken.mint(who[i], amounts[i]);
            vm.startPrank(who[i]);
            sToken.approve(address(sPool), type(uint256).max);
            sPool.deposit(amounts[i], who[i]);
            vm.stopPrank();
        }
        vm.prank(underwriter);
        sLedger.setLine(borrower, 2_000_000e6, APR, ALL_PRODUCTS_MASK, ICreditLedger.LineStatus.Active);
        uint256 available = sLedger.availableLiquidity();
        vm.prank(borrower);
        uint256 loanId = sLedger.draw(5, available);

        uint256 sanctionedShares = sPool.balanceOf(sanctionedLender);
        vm.prank(sanctionedLender);
        sPool.requestRedeem(sanctionedShares);
        uint256 victimShares = sPool.balanceOf(victim);
        vm.prank(victim);
        sPool.requestRedeem(victimShares);
        sToken.setSanctioned(sanctionedLender, true);

        // The loan is repaid in full: cash for everyone.
        vm.warp(block.timestamp + 30 days);
        uint256 payoff = sLedger.loanState(loanId).payoff;
        sToken.mint(borrower, payoff);
        vm.startPrank(borrower);
        sToken.approve(address(sLedger), payoff);
        sLedger.repay(loanId, type(uint256).max);
        vm.stopPrank();

        assertEq(sPool.processRedemptions(10), 2, "both filled (fails before: reverted)");
        assertEq(sPool.queuedShares(), 0);
        assertEq(sLedger.queueReserve(), 0, "no cash held back for anyone");
        uint256 victimOwed = sPool.claimable(victim);
        assertGt(victimOwed, 500_000e6, "the victim's fill, with interest");
        vm.prank(victim);
        assertEq(sPool.claim(victim), victimOwed);
        assertEq(sToken.balanceOf(victim), victimOwed, "paid in full");

        // The sanctioned lender's claim fails only for itself, and its fill stays claimable to another address.
        uint256 owed = sPool.claimable(sanctionedLender);
        vm.expectRevert(abi.encodeWithSelector(SanctionToken.Sanctioned.selector, sanctionedLender));
        vm.prank(sanctionedLender);
        sPool.claim(sanctionedLender);
        address elsewhere = makeAddr("elsewhere");
        vm.prank(sanctionedLender);
        sPool.claim(elsewhere);
        assertEq(sToken.balanceOf(elsewhere), owed);
        assertGe(sToken.balanceOf(address(sLedger)), sLedger.cash(), "POOL_A");
    }

    /// Item 6, the second half: a victim who cancels and withdraws instantly is not short of the cash held for a
    /// request that cannot be paid.
    function test_item06_cancelThenWithdraw_getsEverything() public {
        SanctionToken sToken = new SanctionToken();
        (ITestLedger sLedger, ILendingPool sPool) = _deployWith(address(sToken));
        address sanctionedLender = makeAddr("sanctionedLender");
        sToken.mint(sanctionedLender, 100_000e6);
        sToken.mint(victim, 500_000e6);
        vm.startPrank(sanctionedLender);
        sToken.approve(address(sPool), type(uint256).max);
        sPool.deposit(100_000e6, sanctionedLender);
        sPool.requestRedeem(sPool.balanceOf(sanctionedLender));
        vm.stopPrank();
        vm.startPrank(victim);
        sToken.approve(address(sPool), type(uint256).max);
        sPool.deposit(500_000e6, victim);
        vm.stopPrank();
        sToken.setSanctioned(sanctionedLender, true);

        sPool.processRedemptions(1);
        assertEq(sLedger.queueReserve(), 0, "the fill left the ledger: nothing held back (fails before)");
        uint256 max = sPool.maxWithdraw(victim);
        // All the cash above the 5% liquidity reserve: nothing is held for the request that cannot be paid.
        assertEq(max, sLedger.availableLiquidity());
        assertEq(max, sLedger.cash() - (sLedger.cash() * 500 + 9_999) / 10_000, "cash less the reserve only");
        vm.prank(victim);
        sPool.withdraw(max, victim, victim);
        assertEq(sToken.balanceOf(victim), max);
    }

    // ---------------------------------------------------------------- 4. caps and flash capital

    /// Switches the two caps on in a block after the set-up's deposit.
    function _limits(uint16 exposureBps, uint16 utilisationBps) internal {
        vm.roll(vm.getBlockNumber() + 1);
        IRiskLimits.Limits memory lim;
        lim.maxExposureBps = exposureBps;
        lim.maxUtilisationBps = utilisationBps;
        vm.prank(admin);
        ledger.setLimits(lim);
    }

    /// Item 4, exposure: with a 2% per-borrower cap on a 1,000,000 pool, a borrower with a 200,000 line deposited
    /// 10,000,000 around the draw and drew all of it (2,000 bps of the pool). The block's deposits no longer count.
    function test_item04_flashDepositCannotLoosenTheExposureCap() public {
        _limits(200, 0);
        uint256 book = ledger.cash() + ledger.principalOutstanding();
        _openLine(attacker, LOAN, APR);
        _fund(attacker, FLASH + 1e6);
        vm.prank(attacker);
        pool.deposit(FLASH, attacker);
        vm.prank(attacker);
        vm.expectRevert(
            abi.encodeWithSelector(IRiskLimits.ExposureCapExceeded.selector, attacker, LOAN, (book * 200) / 10_000)
        );
        ledger.draw(2, LOAN); // (fails before: drawn)
        // A second deposit in the same block adds to what is left out; the cap is still the pre-block one.
        vm.prank(attacker);
        pool.deposit(1e6, attacker);
        vm.prank(attacker);
        vm.expectRevert(
            abi.encodeWithSelector(IRiskLimits.ExposureCapExceeded.selector, attacker, LOAN, (book * 200) / 10_000)
        );
        ledger.draw(2, LOAN);
        // What the pool held before the block still counts: 2% of it can be drawn in the deposit's block.
        uint256 cap = (book * 200) / 10_000;
        assertGt(_draw(attacker, 2, cap), 0, "the cap on the pre-block book");

        // In a later block the deposit is the pool's capital like any other.
        vm.roll(vm.getBlockNumber() + 1);
        assertEq(ledger.riskState().bookValue, book + FLASH + 1e6);
        _draw(attacker, 2, LOAN - cap);
        assertEq(ledger.lineOf(attacker).outstanding, LOAN);
    }

    /// Item 4, the other way round: a deposit withdrawn in the same block (a flash loan round trip) must not tighten
    /// the caps for the honest draws of that block.
    function test_item04_depositWithdrawnInTheSameBlock_tightensNothing() public {
        _limits(200, 0);
        uint256 cap = ((ledger.cash() + ledger.principalOutstanding()) * 200) / 10_000;
        _fund(attacker, FLASH);
        vm.startPrank(attacker);
        uint256 shares = pool.deposit(FLASH, attacker);
        pool.redeem(shares, attacker, attacker);
        vm.stopPrank();
        _openLine(borrower, cap, APR);
        _draw(borrower, 2, cap);
        assertEq(ledger.lineOf(borrower).outstanding, cap, "the whole pre-block cap");
    }

    /// Item 4, utilisation: a 390,000 deposit in the draw's transaction took utilisation to 9,300 bps against a
    /// 9,000 cap. Now the draw is measured against the book without it.
    function test_item04_flashDepositCannotLoosenTheUtilisationCap() public {
        _limits(0, 9_000);
        uint256 book = ledger.cash() + ledger.principalOutstanding();
        uint256 amount = (book * 9_300) / 10_000;
        _openLine(attacker, amount, APR);
        _fund(attacker, 390_000e6);
        vm.prank(attacker);
        pool.deposit(390_000e6, attacker);
        uint256 principalAfter = ledger.principalOutstanding() + amount;
        vm.prank(attacker);
        vm.expectRevert(
            abi.encodeWithSelector(IRiskLimits.UtilisationCapExceeded.selector, principalAfter, (book * 9_000) / 10_000)
        );
        ledger.draw(2, amount); // (fails before: drawn at 9,300 bps of the pre-block book)
    }

    // ---------------------------------------------------------------- 8. farming a repayment record

    /// Item 8: one draw of 10 tokens paid off in the same second recorded 12 on-time instalments before the fix
    /// (the risk engine raises limits after 6). Now a loan and its instalments count only once a due date has come,
    /// and so does its principal (the engine also wants half the limit repaid).
    function test_item08_drawAndRepayAtOnce_recordsNoInstalment() public {
        _openLine(borrower, 1_000e6, APR);
        uint256 loanId = _draw(borrower, 2, 10e6);
        _repay(borrower, loanId, type(uint256).max);
        ICreditLedger.CreditHistory memory h = ledger.creditHistory(borrower);
        assertEq(h.loansRepaid, 0, "no due date had come");
        assertEq(h.principalRepaid, 0, "nor its principal");
        assertEq(h.instalmentsRepaid, 0, "no instalment had come due (fails before: 12)");

        // Paid on schedule for three periods, then off: three instalments count.
        loanId = _draw(borrower, 2, 10e6);
        for (uint256 k = 1; k <= 3; ++k) {
            vm.warp(ledger.loanState(loanId).nextDueAt);
            _repay(borrower, loanId, ledger.dueNow(loanId));
        }
        _repay(borrower, loanId, type(uint256).max);
        assertEq(ledger.creditHistory(borrower).instalmentsRepaid, 3, "three due dates came");
    }

    /// KI-13: six loans of 10,000, each prepaid to dust (58 units) a second after its draw and paid off just after
    /// its first due date, wrote "6 instalments, 60,000 repaid" for 360 units of interest, and the risk engine raised
    /// the limit by 20%. Now a loan counts in proportion to the balance it carried: prepaid to dust, it counts nothing.
    function test_KI13_dustPrepayments_writeNoRecord() public {
        _openLine(borrower, 10_000e6, APR);
        uint256 paid;
        for (uint256 i = 0; i < 6; ++i) {
            uint256 loanId = _draw(borrower, 0, 10_000e6);
            vm.warp(vm.getBlockTimestamp() + 1); // (under viaIR `block.timestamp` is read once per function)
            paid += _repay(borrower, loanId, 10_000e6); // interest for the second, the rest prepays principal
            assertEq(ledger.loanRecord(loanId).aheadFifteenths, 15, "prepaid to dust: 15 fifteenths ahead");
            vm.warp(ledger.loanRecord(loanId).drawnAt + 30 days + 1 hours);
            paid += _repay(borrower, loanId, type(uint256).max);
        }
        ICreditLedger.CreditHistory memory h = ledger.creditHistory(borrower);
        assertEq(h.loansRepaid, 6, "six loans were repaid");
        assertEq(h.instalmentsRepaid, 0, "none carried its debt to a due date (fails before: 6)");
        assertEq(h.principalRepaid, 0, "nor counts its principal (fails before: 60,000)");
        assertEq(paid - 60_000e6, 360, "for 360 units of interest (6 x 58 for the second, 6 x 2 on the dust)");
    }

    /// KI-13, split: instalments from six loans of 10 tokens carried to a due date, principal from a loan of 5,000
    /// held for a day. Principal now counts only as the plan scheduled it by the close, so the day-long loan adds none.
    function test_KI13_splitRecord_principalComesOnlyFromDueDates() public {
        _openLine(borrower, 10_000e6, APR);
        for (uint256 i = 0; i < 6; ++i) {
            uint256 loanId = _draw(borrower, 0, 10e6);
            vm.warp(ledger.loanRecord(loanId).drawnAt + 30 days + 1 hours);
            _repay(borrower, loanId, type(uint256).max);
        }
        uint256 big = _draw(borrower, 0, 5_000e6);
        vm.warp(ledger.loanRecord(big).drawnAt + 1 days);
        _repay(borrower, big, type(uint256).max);
        uint256 payment = _instalment(10e6, APR, 3);
        uint256 firstPrincipal = 10e6 - ScheduleMath.scheduledBalanceUp(EQUAL_INSTALMENT, 10e6, payment, APR, 3, 30, 1);
        ICreditLedger.CreditHistory memory h = ledger.creditHistory(borrower);
        assertEq(h.instalmentsRepaid, 6, "six due dates came");
        assertEq(h.principalRepaid, 6 * firstPrincipal, "the principal they scheduled (fails before: 5,060 tokens)");
    }

    /// KI-13: a loan prepaid by half in its first period and kept open counts 8/15 of its instalments and of the
    /// principal its plan scheduled (the share it carried, rounded against the borrower); one kept on its plan counts
    /// in full, even overpaying each instalment by a token.
    function test_KI13_partialPrepayment_countsWhatWasCarried() public {
        _openLine(borrower, 20_000e6, APR);
        uint256 loanId = _draw(borrower, 2, 10_000e6);
        vm.warp(vm.getBlockTimestamp() + 1 days);
        uint256 interest = ledger.loanState(loanId).payoff - 10_000e6;
        _repay(borrower, loanId, interest + 5_000e6);
        uint256 planAfter = _planBalanceAfter(1);
        assertEq(((planAfter - 5_000e6) * 15 + planAfter / 2) / planAfter, 7, "4,233 of 9,233 is 6.88 fifteenths");
        assertEq(ledger.loanRecord(loanId).aheadFifteenths, 7, "ahead of the plan after the first instalment");
        for (uint256 k = 1; k <= 3; ++k) {
            vm.warp(ledger.loanState(loanId).nextDueAt);
            uint256 due = ledger.dueNow(loanId);
            if (due != 0) _repay(borrower, loanId, due);
        }
        _repay(borrower, loanId, type(uint256).max);
        uint256 scheduled = 10_000e6 - _planBalanceAfter(3);
        ICreditLedger.CreditHistory memory h = ledger.creditHistory(borrower);
        assertEq(h.instalmentsRepaid, 1, "3 due dates x 8/15, rounded down (fails before: 3)");
        assertEq(h.principalRepaid, (scheduled * 8) / 15, "what 3 instalments scheduled x 8/15 (fails before: 10,000)");

        uint256 honest = _draw(borrower, 2, 10_000e6);
        for (uint256 k = 1; k <= 3; ++k) {
            vm.warp(ledger.loanState(honest).nextDueAt);
            _repay(borrower, honest, ledger.dueNow(honest) + 1e6);
        }
        assertEq(ledger.loanRecord(honest).aheadFifteenths, 0, "a token over each instalment is not ahead");
        _repay(borrower, honest, type(uint256).max);
        h = ledger.creditHistory(borrower);
        assertEq(h.instalmentsRepaid, 1 + 3, "kept to its plan: every due date counts");
        assertEq(h.principalRepaid, (scheduled * 8) / 15 + scheduled, "and what its plan scheduled");
    }

    /// KI-13: the mark survives the loan's other records: a dust loan that falls late, is marked, is cured and then
    /// paid off still counts nothing.
    function test_KI13_aheadSurvivesMarkAndCure() public {
        _openLine(borrower, 10_000e6, APR);
        uint256 loanId = _draw(borrower, 2, 10_000e6);
        vm.warp(vm.getBlockTimestamp() + 1);
        _repay(borrower, loanId, 10_000e6);
        vm.warp(ledger.loanRecord(loanId).drawnAt + 30 days + 10 days);
        _markOne(loanId);
        assertEq(uint8(ledger.loanRecord(loanId).bucket), uint8(ICreditLedger.Bucket.M1), "late on its dust");
        assertEq(ledger.loanRecord(loanId).aheadFifteenths, 15, "kept through the mark");
        _repay(borrower, loanId, ledger.dueNow(loanId)); // arrears and penalty
        assertEq(ledger.loanRecord(loanId).aheadFifteenths, 15, "kept through the cure");
        vm.warp(ledger.loanRecord(loanId).drawnAt + 60 days + 1 hours); // within the grace of due date 2
        _repay(borrower, loanId, type(uint256).max);
        ICreditLedger.CreditHistory memory h = ledger.creditHistory(borrower);
        assertEq(h.instalmentsRepaid, 0, "no instalment counts");
        assertEq(h.principalRepaid, 0, "no principal counts");
        assertEq(h.latePayments, 1, "the late payment does");
    }

    /// Pays what is due on each of `loanId`'s next `count` due dates, at the second it falls due.
    function _payOnDueDates(uint256 loanId, uint256 count) internal {
        for (uint256 k = 1; k <= count; ++k) {
            vm.warp(ledger.loanState(loanId).nextDueAt);
            _repay(borrower, loanId, ledger.dueNow(loanId));
        }
    }

    /// KI-13: the last instalment (a bullet loan's only one) cannot be prepaid to dust with the loan kept open to its
    /// due date: in the last period the mark is measured against the balance before the instalment. Paying off
    /// instead counts what came due.
    function test_KI13_lastPeriodAndBullet_cannotBePrepaidToDust() public {
        _openLine(borrower, 20_000e6, APR);
        uint256 bullet = _draw(borrower, 5, 10_000e6);
        vm.warp(vm.getBlockTimestamp() + 1);
        _repay(borrower, bullet, 10_000e6);
        assertEq(ledger.loanRecord(bullet).aheadFifteenths, 15, "a bullet prepaid to dust");
        vm.warp(ledger.loanRecord(bullet).drawnAt + 30 days + 1 hours);
        _repay(borrower, bullet, type(uint256).max);
        ICreditLedger.CreditHistory memory h = ledger.creditHistory(borrower);
        assertEq(h.instalmentsRepaid, 0, "its due date does not count (fails before: 1)");
        assertEq(h.principalRepaid, 0, "nor its principal (fails before: 10,000)");

        uint256 loanId = _draw(borrower, 0, 10_000e6);
        _payOnDueDates(loanId, 2);
        uint256 left = ledger.loanState(loanId).principalOutstanding;
        _repay(borrower, loanId, left - 100); // the last instalment, but for dust, at the start of its period
        assertEq(ledger.loanRecord(loanId).aheadFifteenths, 15, "the last instalment prepaid to dust");
        vm.warp(ledger.loanState(loanId).nextDueAt);
        _repay(borrower, loanId, type(uint256).max);
        h = ledger.creditHistory(borrower);
        assertEq(h.instalmentsRepaid, 0, "kept open to its last due date on dust, it counts nothing (fails before: 3)");

        uint256 paidOff = _draw(borrower, 0, 10_000e6);
        _payOnDueDates(paidOff, 2);
        _repay(borrower, paidOff, type(uint256).max);
        uint256 payment = _instalment(10_000e6, APR, 3);
        uint256 due = 10_000e6 - ScheduleMath.scheduledBalanceUp(EQUAL_INSTALMENT, 10_000e6, payment, APR, 3, 30, 2);
        h = ledger.creditHistory(borrower);
        assertEq(h.instalmentsRepaid, 2, "paid off in its last period: the two due dates that came");
        assertEq(h.principalRepaid, due, "and the principal they scheduled");
    }

    /// KI-13: the mark rounds up, so a loan never counts more than it kept: a bullet of 10,000 prepaid down to just
    /// over 1/30 of it (14.49 fifteenths ahead) counts nothing, where rounding to the nearest counted 1/15 for 1/30.
    function test_KI13_aheadRoundsAgainstTheBorrower() public {
        _openLine(borrower, 10_000e6, APR);
        uint256 bullet = _draw(borrower, 5, 10_000e6);
        _repay(borrower, bullet, 10_000e6 - 333_333_334); // same second: no interest yet, all prepays principal
        assertEq(ledger.loanRecord(bullet).aheadFifteenths, 15, "14.49 fifteenths, rounded up (fails before: 14)");
    }

    /// KI-13: a late payment that also prepays (the delinquency path) marks the loan ahead like any other, and so
    /// does a prepayment of a fee product (its fee rebate counts as principal prepaid).
    function test_KI13_latePaymentsAndFeeRebatesMarkAheadToo() public {
        (uint256 feeLoan, ) = _feeLoan();
        uint256 rebate = _repayForRebate(feeLoan, ledger.loanState(feeLoan).payoff - 2_000);
        assertGt(rebate, 0, "the prepayment got back part of the fee");
        assertEq(ledger.loanRecord(feeLoan).aheadFifteenths, 15, "fee product prepaid to dust");

        address late = makeAddr("late borrower");
        _openLine(late, 10_000e6, APR);
        uint256 loanId = _draw(late, 2, 10_000e6);
        vm.warp(ledger.loanRecord(loanId).drawnAt + 40 days);
        _markOne(loanId);
        assertEq(uint8(ledger.loanRecord(loanId).bucket), uint8(ICreditLedger.Bucket.M1), "10 days late");
        _repay(late, loanId, ledger.loanState(loanId).payoff - 100); // the payoff includes the penalty
        assertEq(ledger.loanRecord(loanId).aheadFifteenths, 15, "late, then prepaid to dust");
        vm.warp(ledger.loanRecord(loanId).drawnAt + 60 days + 1 hours);
        _repay(late, loanId, type(uint256).max);
        ICreditLedger.CreditHistory memory h = ledger.creditHistory(late);
        assertEq(h.instalmentsRepaid, 0, "no instalment counts");
        assertEq(h.principalRepaid, 0, "no principal counts");
        assertEq(h.latePayments, 1, "the late payment does");
    }

    /// Dust payments past grace do not write late payments: only a payment that cures the loan or pays its oldest
    /// unpaid instalment off counts, at most once per due date, whoever pays. (Fails before: 5 payments of one unit by
    /// a stranger added 5 late payments to the borrower's record.)
    function test_latePayments_dustPastGraceCountsNothing_payingTheInstalmentOffCountsOnce() public {
        address late = makeAddr("dusted borrower");
        address stranger = makeAddr("stranger paying dust");
        _openLine(late, 10_000e6, APR);
        uint256 loanId = _draw(late, 2, 10_000e6);
        uint256 drawnAt = ledger.loanRecord(loanId).drawnAt;
        vm.warp(drawnAt + 70 days); // due dates 1 (day 30) and 2 (day 60) unpaid: 40 days past due
        for (uint256 i = 0; i < 5; ++i) _repay(stranger, loanId, 1);
        ICreditLedger.CreditHistory memory h = ledger.creditHistory(late);
        assertEq(h.latePayments, 0, "dust counts nothing (fails before: 5)");
        assertEq(h.maxDaysLate, 0, "nor its lateness");

        // The oldest instalment paid off (the second stays due): one late payment, 40 days late.
        uint256 pastDue = ledger.loanState(loanId).pastDue;
        _repay(stranger, loanId, ledger.dueNow(loanId) - pastDue / 3);
        assertEq(ledger.loanState(loanId).pastDueSince, drawnAt + 60 days, "the oldest unpaid is now due date 2");
        h = ledger.creditHistory(late);
        assertEq(h.latePayments, 1, "the payoff of instalment 1 counts");
        assertEq(h.maxDaysLate, 40);
        _repay(stranger, loanId, 1);
        assertEq(ledger.creditHistory(late).latePayments, 1, "more dust, nothing more");

        // The cure of instalment 2 (past its grace too) counts once more.
        _repay(late, loanId, ledger.dueNow(loanId));
        h = ledger.creditHistory(late);
        assertEq(ledger.loanState(loanId).pastDue, 0, "cured");
        assertEq(h.latePayments, 2, "one per due date");
        assertEq(h.maxDaysLate, 40);
    }

    // ---------------------------------------------------------------- 12. views true at the current block

    /// Item 12: `interestReceivable()` kept the interest of a written-off loan (530.30 on a 10,000 default, still
    /// there after a full recovery); `loanState().bucket` said Current at 95 days past due until someone marked.
    function test_item12_viewsAreTrueAtTheCurrentBlock() public {
        uint256 loanId = _openAndDraw(borrower, 5, 10_000e6, APR);
        vm.warp(block.timestamp + 30 days + 95 days);
        ICreditLedger.LoanView memory v = ledger.loanState(loanId);
        assertEq(uint8(v.bucket), uint8(ICreditLedger.Bucket.Default), "the bucket now (fails before: Current)");
        assertEq(uint8(v.markedBucket), uint8(ICreditLedger.Bucket.Current), "never marked");
        assertGt(ledger.interestReceivable(), 500e6, "interest recognised on the live loan");

        _markOne(loanId);
        assertLe(ledger.interestReceivable(), 1, "written-off interest is not receivable (fails before: 530.30)");
        _repay(borrower, loanId, ledger.loanState(loanId).payoff);
        assertLe(ledger.interestReceivable(), 1, "nor after a full recovery");
        v = ledger.loanState(loanId);
        assertEq(uint8(v.bucket), uint8(ICreditLedger.Bucket.Default));
        assertEq(uint8(v.markedBucket), uint8(ICreditLedger.Bucket.Default));
    }

    // ---------------------------------------------------------------- 10. mandate cap and repeated ids

    /// Item 10: a loan id repeated in one `collect` batch pulled the mandate's per-collection cap once per repeat.
    /// Measured before the fix: cap 100, ten repeats pulled 916.80.
    function test_item10_repeatedIdsShareTheMandateCap() public {
        uint256 loanId = _openAndDraw(borrower, 2, 10_000e6, APR);
        _fund(borrower, 10_000e6);
        vm.prank(borrower);
        ledger.setMandate(100e6);
        vm.warp(block.timestamp + 30 days);
        assertEq(ledger.dueNow(loanId), 916_799_930);

        uint256[] memory ids = new uint256[](10);
        for (uint256 i = 0; i < 10; ++i) ids[i] = loanId;
        vm.expectEmit(address(ledger));
        emit ICreditLedger.Collected(loanId, borrower, 100e6);
        for (uint256 i = 1; i < 10; ++i) {
            vm.expectEmit(address(ledger));
            emit ICreditLedger.CollectionFailed(loanId, 6);
        }
        vm.prank(keeper);
        uint256 collected = ledger.collect(ids);
        assertEq(collected, 100e6, "the cap holds per loan per call (fails before: 916.80)");
        assertEq(ledger.dueNow(loanId), 816_799_930);
    }

    // ---------------------------------------------------------------- 7. free loops and the origination cap

    function _originationCap(uint96 cap) internal {
        IRiskLimits.Limits memory lim;
        lim.dailyOriginationCap = cap;
        vm.prank(admin);
        ledger.setLimits(lim);
    }

    /// Item 7: 20 draw+repay pairs of 50,000 in the same second filled a 1,000,000 daily origination cap and blocked
    /// every honest draw for a day, repeatable forever. Principal repaid within a day of its draw now gives back its
    /// share of the bucket: here 20 pairs of 25,000 against a 500,000 cap leave nothing in it.
    function test_item07_drawAndRepayLoops_cannotFillTheOriginationCap() public {
        _originationCap(500_000e6);
        _openLine(attacker, 25_000e6, APR);
        for (uint256 i = 0; i < 20; ++i) _repay(attacker, _draw(attacker, 2, 25_000e6), type(uint256).max);
        assertEq(ledger.riskState().originationInWindow, 0, "the loops left nothing (fails before: 500,000)");
        _openLine(borrower, 500_000e6, APR);
        _draw(borrower, 2, 500_000e6);
        assertEq(ledger.riskState().originationInWindow, 500_000e6, "the whole cap was there for an honest draw");
    }

    /// Item 7, the rule: a part repayment at once gives back its part; six hours later, 18/24 of the principal
    /// repaid (rounded down) comes off the bucket, which has drained at the cap's daily rate meanwhile; more than a
    /// day after the draw nothing comes back (and the repayment goes through).
    function test_item07_repaymentGivesBackTheDayLeftOfItsDraw() public {
        _originationCap(240_000e6); // drains 10,000 an hour
        _openLine(borrower, 240_000e6, APR);
        uint256 loanId = _draw(borrower, 2, 120_000e6);
        _repay(borrower, loanId, 20_000e6);
        assertEq(ledger.riskState().originationInWindow, 100_000e6, "a repayment at once gives back all of it");

        vm.warp(block.timestamp + 6 hours);
        uint256 paidBefore = ledger.loanRecord(loanId).principalPaid;
        _repay(borrower, loanId, 40_000e6);
        uint256 principalPaid = ledger.loanRecord(loanId).principalPaid - paidBefore;
        assertLt(principalPaid, 40_000e6, "six hours of interest came first");
        assertEq(
            ledger.riskState().originationInWindow,
            100_000e6 - (principalPaid * 18) / 24 - 60_000e6,
            "18/24 of the principal repaid, less six hours of drain"
        );

        vm.warp(block.timestamp + 19 hours);
        uint256 other = _draw(borrower, 2, 10_000e6); // a fresh draw sets the bucket to 10,000 at this second
        assertEq(ledger.riskState().originationInWindow, 10_000e6);
        _repay(borrower, loanId, 20_000e6); // the first draw is 25 hours old: nothing comes back
        assertEq(ledger.riskState().originationInWindow, 10_000e6, "a day-old draw gives nothing back");
        _repay(borrower, other, type(uint256).max);
        assertEq(ledger.riskState().originationInWindow, 0);
    }

    // ---------------------------------------------------------------- 13. KI-10: a quote binds the draw

    function _boundsOf(
        ICostDisclosure.Disclosure memory q,
        uint8 method
    ) internal pure returns (ICreditLedger.DrawBounds memory) {
        return
            ICreditLedger.DrawBounds({
                maxAprBps: q.aprBps,
                minReceived: q.netDisbursed,
                method: method,
                payments: uint8(q.payments.length),
                periodDays: uint16(q.periodDays)
            });
    }

    /// Item 13, KI-10: a quote did not bind the draw, so a line's rate, a product's fee or its plan changed between
    /// a borrower's quote and draw cost the borrower more than quoted. `drawWithin` carries the quote as bounds; a
    /// refusal changes nothing, and the bounds do not outlive their call.
    function test_item13_KI10_drawWithinHoldsTheQuote() public {
        ICreditQuotes quotes = ICreditQuotes(deployCode("CreditQuotes.sol:CreditQuotes", abi.encode(ledger)));
        _openLine(borrower, 20_000e6, APR);
        (ICostDisclosure.Disclosure memory quoted, , ) = quotes.quote(borrower, 2, 10_000e6);
        ICreditLedger.DrawBounds memory b = _boundsOf(quoted, EQUAL_INSTALMENT);

        _openLine(borrower, 20_000e6, APR + 300); // the line's rate rises after the quote
        (ICostDisclosure.Disclosure memory later, , ) = quotes.quote(borrower, 2, 10_000e6);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.AprAboveBound.selector, later.aprBps, quoted.aprBps));
        ledger.drawWithin(2, 10_000e6, recipient, b);
        _openLine(borrower, 20_000e6, APR);

        vm.startPrank(admin);
        ledger.setProduct(2, EQUAL_INSTALMENT, 3, 30, true); // the plan shortens: same rate, 3 payments
        vm.stopPrank();
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.PlanChanged.selector, EQUAL_INSTALMENT, 3, 30));
        ledger.drawWithin(2, 10_000e6, recipient, b);
        vm.startPrank(admin);
        ledger.setProduct(2, EQUAL_INSTALMENT, 12, 30, true);
        ledger.setProductFee(2, 150); // a fee appears after the quote
        vm.stopPrank();
        b.maxAprBps = type(uint256).max;
        vm.prank(borrower);
        vm.expectRevert(
            abi.encodeWithSelector(ICreditLedger.ReceivedBelowMinimum.selector, 9_850e6, quoted.netDisbursed)
        );
        ledger.drawWithin(2, 10_000e6, recipient, b);
        assertEq(ledger.lineOf(borrower).outstanding, 0, "refusals drew nothing");
        assertEq(token.balanceOf(recipient), 0);

        // Quoted again, the draw goes through, to the recipient, exactly as quoted.
        (quoted, , ) = quotes.quote(borrower, 2, 10_000e6);
        vm.prank(borrower);
        uint256 loanId = ledger.drawWithin(2, 10_000e6, recipient, _boundsOf(quoted, EQUAL_INSTALMENT));
        assertEq(token.balanceOf(recipient), quoted.netDisbursed);
        assertEq(ledger.lineOf(borrower).outstanding, 10_000e6);
        (uint256[] memory dueDates, uint256[] memory payments, , ) = quotes.loanSchedule(loanId);
        assertEq(payments, quoted.payments, "the loan's plan is the quoted plan");
        assertEq(dueDates, quoted.dueDates);

        // Same transaction, a plain draw outside those bounds (another plan, less received): not bound by them.
        vm.prank(borrower);
        ledger.draw(0, 1_000e6);
        assertEq(ledger.lineOf(borrower).outstanding, 11_000e6);

        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.LoanNotFound.selector, loanId + 2));
        quotes.loanSchedule(loanId + 2);
    }

    /// Item 13, KI-6: days past due were dated by walking scheduled instalments back from the last due date. After a
    /// large prepayment each later period owes only interest on the lower balance, so the unpaid interest of due
    /// date 1 plus the whole of due date 2 fit under "one instalment" and were dated from due date 2: a loan marked
    /// M1 went back to Grace one day after due date 2 (provision released, penalty under-charged). Now the oldest
    /// unpaid due date stays due date 1 and the penalty runs on each period's interest from its own due date.
    function test_item13_KI6_prepaymentDoesNotRestartDaysPastDue() public {
        uint256 loanId = _openAndDraw(borrower, 2, 10_000e6, APR); // 12 × 30 days, equal instalments
        uint256 start = ledger.loanRecord(loanId).drawnAt;
        vm.warp(start + 1 days);
        _repay(borrower, loanId, 5_000e6); // a day's interest, the rest prepays the first instalments' principal
        ICreditLedger.RiskParams memory params = ledger.riskParams();
        uint256 outstanding = _outstanding(loanId);

        vm.warp(start + 50 days); // 20 days after due date 1, nothing paid since the prepayment
        _markOne(loanId);
        ICreditLedger.LoanView memory v = ledger.loanState(loanId);
        assertEq(v.pastDueSince, start + 30 days, "due date 1");
        assertEq(uint8(v.markedBucket), uint8(ICreditLedger.Bucket.M1), "marked M1");
        uint256 interest1 = v.pastDue; // the rest of period 1's interest: no principal is due yet
        assertEq(interest1, ScheduleMath.accruedInterestUp(outstanding, APR, 29 days), "period 1, lower balance");
        uint256 penaltyAtMark = v.penalty;
        assertEq(penaltyAtMark, _penaltyUp(interest1 * 20 days, params), "20 days on it");

        vm.warp(start + 61 days); // a day after due date 2
        v = ledger.loanState(loanId);
        uint256 interest2 = v.pastDue - interest1;
        assertEq(interest2, ScheduleMath.periodInterestUp(outstanding, APR, 30), "period 2 is interest only");
        assertEq(v.pastDueSince, start + 30 days, "still due date 1 (fails before: due date 2)");
        assertEq(v.daysPastDue, 31);
        assertEq(uint8(v.bucket), uint8(ICreditLedger.Bucket.M2), "fails before: Grace");
        assertEq(
            v.penalty,
            penaltyAtMark + _penaltyUp(interest1 * 11 days + interest2 * 1 days, params),
            "each period's interest from its own due date (fails before: 0, inside grace)"
        );
        _markOne(loanId);
        assertEq(uint8(ledger.loanRecord(loanId).bucket), uint8(ICreditLedger.Bucket.M2), "not back to Grace");
        // A day into M2 (31 days past due), on what a write-off would cost: 30 % + 1/30 of the way to 60 % of the
        // principal, and all of the interest owed less the protocol fee's share of it (non-accrual from 30 days).
        ICreditLedger.LoanView memory w = ledger.loanState(loanId);
        (uint256 feeBps, , ) = ledger.rates();
        uint256 interestPart = w.interestAccrued - (w.interestAccrued * feeBps) / 10_000;
        assertEq(
            ledger.provisions(),
            ScheduleMath.divUp(w.principalOutstanding * 3_100, 10_000) + interestPart,
            "M2 provision kept"
        );
    }

    /// Penalty on `weighted` (amount × seconds) at the penalty rate, rounded up as the ledger rounds each touch.
    function _penaltyUp(uint256 weighted, ICreditLedger.RiskParams memory params) internal pure returns (uint256) {
        return ScheduleMath.divUp(weighted * APR * params.penaltyMultiplierBps, SCALE * 10_000);
    }

    // ---------------------------------------------------------------- 11. early payoff of a fee product

    /// 10,000 drawn at 18 % on product 1 (6 × 30 days, equal instalments) with a 1.5 % fee, and its draw time (read
    /// from the ledger, not `block.timestamp`, which the optimizer may re-read after a warp).
    function _feeLoan() internal returns (uint256 loanId, uint256 start) {
        vm.prank(admin);
        ledger.setProductFee(1, 150);
        _openLine(borrower, 10_000e6, APR);
        loanId = _draw(borrower, 1, 10_000e6);
        start = ledger.loanRecord(loanId).drawnAt;
    }

    /// Repays `amount` of `loanId` from the borrower (funded); returns the fee rebate it got (`FeeRebated`, 0 if none).
    function _repayForRebate(uint256 loanId, uint256 amount) internal returns (uint256 rebate) {
        vm.recordLogs();
        _repay(borrower, loanId, amount);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == ICostDisclosure.FeeRebated.selector) rebate += abi.decode(logs[i].data, (uint256));
        }
    }

    /// The fee rebate of a payoff at `elapsed` seconds after the draw of 10,000 on product 1 (6 × 30 days, equal
    /// instalments, 18 %) with a 150 fee, instalments paid when due: the fee share of principal due after the current
    /// period, and of the current instalment's principal the part of the period still to run (FeeRebateMath).
    function _payoffRebate(uint256 elapsed) internal pure returns (uint256) {
        (, uint256[] memory principals, ) = ScheduleMath.schedule(EQUAL_INSTALMENT, 10_000e6, APR, 6, 30);
        uint256 k = elapsed / 30 days; // instalments due
        if (k >= 6) return 0;
        uint256 later;
        for (uint256 j = k + 1; j < 6; ++j) later += principals[j];
        uint256 left = (k + 1) * 30 days - elapsed;
        return (150e6 * (later * 30 days + principals[k] * left)) / (10_000e6 * 30 days);
    }

    /// Item 11: on the 1.5 % fee product at 18 % (6 × 30 days; 23.35 % disclosed), a borrower who received 9,850 and
    /// paid off at day 10 paid 10,050: 73.1 % realised. The fee is now earned as principal falls due, spread over
    /// the period it falls due in, so the payoff at day 10 gives back all of the fee but a third of the first
    /// instalment's share: 9,908.03 (21.2 %). `test/fee-rebate.ts` checks the realised APR against the disclosed
    /// one for every repayment method over payoff dates.
    function test_item11_earlyPayoffOfAFeeProduct_staysWithinTheDisclosedApr() public {
        (uint256 loanId, ) = _feeLoan();
        assertEq(token.balanceOf(borrower), 9_850e6, "received");
        uint256 feesBefore = ledger.protocolFeesOwed();
        vm.warp(block.timestamp + 10 days);
        uint256 rebate = _payoffRebate(10 days);
        assertEq(rebate, 141_973_739, "150 less a third of the first instalment's 24.08 share");
        assertEq(ledger.loanState(loanId).payoff, 10_050e6 - rebate, "the payoff is net of the fee rebate");
        _fund(borrower, 100e6);
        vm.expectEmit(address(ledger));
        emit ICostDisclosure.FeeRebated(loanId, rebate);
        vm.prank(borrower);
        uint256 paid = ledger.repay(loanId, type(uint256).max);
        assertEq(paid, 9_908_026_261, "(fails before: 10,050)");
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Repaid));
        // The rebate came out of the protocol's claim, which gained only its share of the interest paid (5 % of 50).
        assertApproxEqAbs(ledger.protocolFeesOwed(), feesBefore - rebate + 2.5e6, 1, "fee claim");
    }

    /// Item 11, over payoff dates: whatever the date, the rebate is the unearned fee share of the principal not yet
    /// due, and what the payoff takes is what `loanState` showed.
    function testFuzz_item11_payoffOnAnyDate_getsBackTheUnearnedFee(uint256 elapsed) public {
        elapsed = bound(elapsed, 0, 180 days); // up to maturity: after it, the plan has paid the loan off
        (uint256 loanId, uint256 start) = _feeLoan();
        _fund(borrower, 1_000e6); // the interest; the principal comes back from what the draw sent
        for (uint256 k = 1; k <= 6 && k * 30 days < elapsed; ++k) {
            vm.warp(start + k * 30 days);
            uint256 instalment = ledger.dueNow(loanId);
            if (instalment != 0) _repay(borrower, loanId, instalment);
        }
        vm.warp(start + elapsed);
        uint256 payoff = ledger.loanState(loanId).payoff;
        uint256 balance = token.balanceOf(borrower);
        uint256 rebate = _repayForRebate(loanId, type(uint256).max);
        assertEq(balance - token.balanceOf(borrower), payoff, "the payoff shown is the payoff taken");
        assertEq(rebate, _payoffRebate(elapsed), "the unearned share");
    }

    /// Item 11: an instalment paid a second before its due date is a prepayment of principal not yet due, and gets
    /// back only a second's worth of its fee share (a rule that gave back the whole share would let a borrower who
    /// always pays early never pay the fee).
    function test_item11_payingEarly_getsBackOnlyTheSecondsLeft() public {
        (uint256 loanId, uint256 start) = _feeLoan();
        _fund(borrower, 2_000e6);
        uint256 rebates;
        for (uint256 k = 1; k <= 6; ++k) {
            vm.warp(start + k * 30 days - 1);
            ICreditLedger.LoanView memory v = ledger.loanState(loanId);
            // The last instalment is the payoff, a second's interest less than it will be at its due date.
            uint256 amount = v.nextDueAmount < v.payoff ? v.nextDueAmount : v.payoff;
            rebates += _repayForRebate(loanId, amount);
        }
        vm.warp(start + 180 days);
        if (ledger.loanRecord(loanId).status == ICreditLedger.LoanStatus.Active) {
            _repay(borrower, loanId, type(uint256).max);
        }
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Repaid));
        // Paying a second early pays the interest of that second as principal ahead of the plan, whose share comes back
        // (about 9 units a time), and a second's worth of the instalment's share (under a unit).
        assertLt(rebates, 100, "under a ten-thousandth of a token: the fee is kept");
    }
}
