// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {AttackBase} from "./AttackBase.sol";
import {ArrearsMath} from "../../contracts/libraries/ArrearsMath.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ILedger} from "../invariants/ILedger.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// Attack: lenders who know a loan will default (an insider, or anyone reading the chain) exit ahead of the write-off
/// at the old share price and leave the loss to the lenders who stay; a variant withdraws just before a keeper's
/// `mark` transaction and re-deposits just after it (a sandwich of the provision step).
///
/// Defence: delinquency is priced in before the default, day by day. `mark` (permissionless; the keeper and the
/// upkeep mark every late loan daily) books a provision on the loan's principal at a rate that rises in straight
/// lines from 0 at the due date to 10 % at the end of grace, 30 % at 30 days past due, 60 % at 60 and 100 % at the
/// default threshold, and on the interest it owes from 0 to 10 % in grace and to 100 % at 30 days (non-accrual;
/// ArrearsMath.provisionUp). Each mark lowers `totalAssets`, so a lender exiting late takes nearly the whole loss, and
/// the step at the write-off of a loan marked daily is at most a day's rise: 1.33 % of its principal with the default
/// rates.
///
/// What the tests measure (all in base units, logged): the step of `totalAssets` at each daily mark equals the
/// provision it adds, and no step past grace is more than 1.34 % of what the loan owes (3.34 % in grace); each exit is
/// paid the provisioned price; an exit at M1/M2/M3 avoids what the later steps cost the stayers, and the avoided
/// amounts are exactly what the stayers lose in addition (losses are conserved); the step at default is under 1.34 % of
/// what the loan owed.
///
/// Known limits, documented in docs/SECURITY.md (lender-safety item 2): the book sees a loan's ageing only when it is
/// touched (a mark or a payment), so a loan nobody marks keeps its value until it is; and each mark is a step a
/// lender can sandwich (withdraw before, deposit after) when instant liquidity allows (`test_markSandwich_...`
/// quantifies it), now a day's rise instead of a bucket's.
///
/// Without the defence: with bucket steps (10 / 30 / 60 % of the principal, the interest never provisioned) the step
/// at default was 40 % of the principal plus the unpaid interest, and `assertLe(dropDefault, …)` fails; with no
/// provisions at all the ordering `out1 > out2 > out3 > stayer` fails too.
contract ExitBeforeWriteOffTest is AttackBase {
    uint256 internal constant LOAN = 200_000e6;
    uint256 internal constant STAKE = 250_000e6;

    address internal exitM1 = makeAddr("exitM1");
    address internal exitM2 = makeAddr("exitM2");
    address internal exitM3 = makeAddr("exitM3");
    address internal stayer = makeAddr("stayer");
    uint256 internal loanId;
    uint256 internal maturity;

    function setUp() public override {
        super.setUp();
        _deposit(exitM1, STAKE);
        _deposit(exitM2, STAKE);
        _deposit(exitM3, STAKE);
        _deposit(stayer, STAKE);
        // A bullet loan of 30 days that is never repaid.
        loanId = _openAndDraw(borrower, 5, LOAN, APR);
        maturity = block.timestamp + 30 days;
    }

    function _mark() internal {
        uint256[] memory ids = new uint256[](1);
        ids[0] = loanId;
        vm.prank(keeper);
        ledger.mark(ids);
    }

    /// Marks at `time` and returns the step of totalAssets across the mark (positive = down).
    function _markAt(uint256 time) internal returns (uint256 drop) {
        vm.warp(time);
        uint256 before = pool.totalAssets();
        _mark();
        drop = before - pool.totalAssets();
    }

    function _exit(address who) internal returns (uint256 out) {
        uint256 shares = pool.balanceOf(who);
        vm.prank(who);
        out = pool.redeem(shares, who, who);
    }

    /// What writing the loan off now would cost the lenders and the reserve, the base of its provision, in its two
    /// parts: the principal outstanding, and the interest owed less the protocol fee's share of it, which a write-off
    /// takes back (the product has no origination fee; the penalty is income only when paid).
    function _parts() internal view returns (uint256 principalPart, uint256 interestPart) {
        ICreditLedger.LoanView memory v = ledger.loanState(loanId);
        (uint256 feeBps, , ) = ledger.rates();
        return (v.principalOutstanding, v.interestAccrued - (v.interestAccrued * feeBps) / 10_000);
    }

    function _owed() internal view returns (uint256) {
        (uint256 principalPart, uint256 interestPart) = _parts();
        return principalPart + interestPart;
    }

    /// The provision of the two parts, `late` seconds past due, under the ledger's parameters.
    function _provisionAt(uint256 principalPart, uint256 interestPart, uint256 late) internal view returns (uint256) {
        return ArrearsMath.provisionUp(principalPart, interestPart, late, ledger.riskParams());
    }

    /// Marks the loan once a day, one second past the day mark, from day `from` to day `to` past due (inclusive);
    /// checks each step and returns the largest.
    function _markDaily(uint256 from, uint256 to) internal returns (uint256 largest) {
        for (uint256 day = from; day <= to; ++day) {
            uint256 provisionBefore = ledger.provisions();
            uint256 drop = _markAt(maturity + day * 1 days + 1);
            uint256 added = ledger.provisions() - provisionBefore;
            assertApproxEqAbs(drop, added, PRICE_DUST_ASSETS, "each step is the provision the mark adds");
            assertLe(added, (_owed() * 134) / 10_000, "a day adds at most 1.34% of what the loan owes");
            if (drop > largest) largest = drop;
        }
    }

    function test_exitAtEachStage_avoidsOnlyTheUnprovisionedPart() public {
        // The keeper touches the loan at maturity (bucket Grace): the pool stops accruing its interest (no KI-1).
        vm.warp(maturity);
        _mark();
        assertEq(uint8(ledger.loanRecord(loanId).bucket), uint8(ICreditLedger.Bucket.Grace));
        uint256 shares = pool.balanceOf(stayer);
        uint256 valuePre = pool.convertToAssets(shares);
        uint256 assetsPre = pool.totalAssets();
        uint256 interest = ledger.loanState(loanId).interestAccrued;
        assertEq(interest, (LOAN * 150) / 10_000, "one period of interest, 1.5%");
        (uint256 pp, uint256 ip) = _parts();
        uint256 owed = pp + ip;
        assertEq(owed, LOAN + interest - (interest * 500) / 10_000, "less the 5% protocol fee on the interest");
        uint256 reserve0 = ledger.firstLossReserve();
        assertGt(reserve0, 0, "the reserve holds its 10% cut of the interest");

        // Day 3 + 1 s: M1, 10 % of what the loan owes (and a second's worth of the rise to 30 %). The reserve takes
        // the first part of it: the lenders' assets fall by what exceeds the reserve.
        uint256 drop1 = _markAt(maturity + 3 days + 1);
        assertEq(uint8(ledger.loanRecord(loanId).bucket), uint8(ICreditLedger.Bucket.M1));
        assertEq(ledger.provisions(), _provisionAt(pp, ip, 3 days + 1), "M1 entry: the provision");
        assertApproxEqRel(ledger.provisions(), (owed * 1_000) / 10_000, 1e14, "M1 entry: 10% of what the loan owes");
        assertApproxEqAbs(drop1, ledger.provisions() - reserve0, PRICE_DUST_ASSETS, "the part above the reserve");
        uint256 out1 = _exit(exitM1);

        uint256 largest = _markDaily(4, 30);
        assertEq(uint8(ledger.loanRecord(loanId).bucket), uint8(ICreditLedger.Bucket.M2));
        assertEq(ledger.provisions(), _provisionAt(pp, ip, 30 days + 1));
        assertApproxEqRel(ledger.provisions(), (pp * 3_000) / 10_000 + ip, 1e14, "30% at 30 days, all the interest");
        uint256 out2 = _exit(exitM2);

        uint256 largest2 = _markDaily(31, 60);
        assertEq(uint8(ledger.loanRecord(loanId).bucket), uint8(ICreditLedger.Bucket.M3));
        assertEq(ledger.provisions(), _provisionAt(pp, ip, 60 days + 1));
        assertApproxEqRel(ledger.provisions(), (pp * 6_000) / 10_000 + ip, 1e14, "60% at 60 days past due");
        uint256 out3 = _exit(exitM3);

        uint256 largest3 = _markDaily(61, 89);
        if (largest2 > largest) largest = largest2;
        if (largest3 > largest) largest = largest3;
        assertEq(ledger.provisions(), _provisionAt(pp, ip, 89 days + 1));
        assertApproxEqRel(ledger.provisions(), (pp * 29_600) / 30_000 + ip, 1e14, "98.67% at 89 days past due");

        uint256 reserve = ledger.firstLossReserve();
        uint256 fees = ledger.protocolFeesOwed();
        uint256 dropDefault = _markAt(maturity + 90 days + 1);
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Defaulted));
        assertEq(ledger.provisions(), 0, "the provision is used up by the write-off");
        // The fee (5%) and first-loss cut (10%) of the written-off interest are taken back; the lenders' share of
        // the interest is the rest.
        uint256 feeBack = (interest * 500) / 10_000;
        uint256 reserveBack = (interest * 1_000) / 10_000;
        uint256 lendersInterest = interest - feeBack - reserveBack;
        uint256 absorbed = reserve - reserveBack - ledger.firstLossReserve();
        uint256 lenderLoss = LOAN + lendersInterest - absorbed;
        uint256 stayerFinal = pool.convertToAssets(shares);

        // The step at default: what the last daily mark left unprovisioned, 1.33% of the principal (fails before: 40%
        // of the principal plus the lenders' interest). The reserve, which covered the provision's first
        // part, absorbs its share of the write-off: no second charge.
        assertApproxEqAbs(dropDefault, owed - _provisionAt(pp, ip, 89 days + 1), PRICE_DUST_ASSETS, "what was left");
        assertLe(dropDefault, (owed * 134) / 10_000, "the step at default is at most a day's rise");
        assertEq(ledger.protocolFeesOwed(), fees - feeBack, "the fee on the written-off interest is taken back");

        // Earlier exits avoid more; everyone who exited still took the provisions booked before its exit.
        assertGt(valuePre, out1);
        assertGt(out1, out2);
        assertGt(out2, out3);
        assertGt(out3, stayerFinal);
        // Losses are conserved: what the exiting lenders avoided, the lenders who stayed (the base lender and the
        // stayer) lost in addition.
        uint256 lossExiters = 3 * valuePre - out1 - out2 - out3;
        uint256 lossStayers = assetsPre - 3 * valuePre - pool.totalAssets();
        assertApproxEqAbs(lossExiters + lossStayers, lenderLoss, 10, "total loss = the write-off's lender loss");

        emit log_named_uint("value before M1 (per stake)", valuePre);
        emit log_named_uint("avoided by exiting at M1", out1 - stayerFinal);
        emit log_named_uint("avoided by exiting at M2", out2 - stayerFinal);
        emit log_named_uint("avoided by exiting at M3", out3 - stayerFinal);
        emit log_named_uint("stayer's loss", valuePre - stayerFinal);
        emit log_named_uint("lender loss of the write-off", lenderLoss);
        emit log_named_uint("largest daily step after M1", largest);
        emit log_named_uint("step at default", dropDefault);
        emit log_named_uint("step at default, bps of what the loan owed", (dropDefault * 10_000) / owed);
    }

    /// Marked daily from its due date, the loan's provision ramps up in grace, a third of the M1 rate a day with the
    /// default 3-day grace, so the first mark past grace is no step: a lender exiting just before it avoids a
    /// second's worth, not 10 % of what the loan owes. Before the ramp (provisions only from M1) the grace marks
    /// booked nothing and `provisions() == ceil(pp × day / 30) + …` fails on day 1.
    function test_graceRamp_marksDailyFromTheDueDate_noStepAtM1() public {
        vm.warp(maturity);
        _mark();
        assertEq(ledger.provisions(), 0, "nothing at the due date");
        (uint256 pp, uint256 ip) = _parts();
        uint256 owed = pp + ip;
        for (uint256 day = 1; day <= 3; ++day) {
            uint256 before = ledger.provisions();
            uint256 drop = _markAt(maturity + day * 1 days);
            assertEq(uint8(ledger.loanRecord(loanId).bucket), uint8(ICreditLedger.Bucket.Grace), "in grace");
            // 0 at the due date to 10 % at the end of grace (3 days), each part rounded up: day / 30 of it.
            assertEq(ledger.provisions(), (pp * day + 29) / 30 + (ip * day + 29) / 30, "day / 3 of 10 %");
            uint256 added = ledger.provisions() - before;
            assertLe(added, (owed * 334) / 10_000, "a day adds at most 3.34 % of what the loan owes");
            assertLe(drop, added + PRICE_DUST_ASSETS, "the lenders bear at most the provision added");
        }
        uint256 atGraceEnd = ledger.provisions();
        uint256 dropM1 = _markAt(maturity + 3 days + 1);
        assertEq(uint8(ledger.loanRecord(loanId).bucket), uint8(ICreditLedger.Bucket.M1));
        assertLt(ledger.provisions() - atGraceEnd, owed / 100_000, "M1 entry adds a second's worth");
        assertLt(dropM1, owed / 100_000, "no step at M1");
    }

    /// A lender with a third of the pool sees the keeper's `mark` (M1) in the mempool, redeems everything before it
    /// and deposits the same assets again right after: it comes back with more shares, and the other lenders bear
    /// the whole provision step. Its gain over staying put is its pro-rata part of the step.
    function test_markSandwich_avoidsTheProvisionStep() public {
        vm.warp(maturity);
        _mark();
        address sandwich = exitM1;
        _deposit(sandwich, 500_000e6);
        vm.warp(maturity + 3 days + 1);
        uint256 shares = pool.balanceOf(sandwich);
        uint256 supply = pool.totalSupply();
        // The lenders bear the part of the provision above the first-loss reserve.
        (uint256 principalPart, uint256 interestPart) = _parts();
        uint256 provision = _provisionAt(principalPart, interestPart, 3 days + 1) - ledger.firstLossReserve();

        // What its shares would be worth after the mark had it stayed.
        uint256 snapshot = vm.snapshotState();
        _mark();
        uint256 ifStayed = pool.convertToAssets(shares);
        vm.revertToState(snapshot);

        // Front-run: exit at the unprovisioned price. Back-run: the same assets buy more shares after the step.
        uint256 out = _exit(sandwich);
        _mark();
        vm.prank(sandwich);
        uint256 sharesBack = pool.deposit(out, sandwich);
        uint256 gain = pool.convertToAssets(sharesBack) - ifStayed;

        uint256 expected = (provision * shares) / supply;
        assertGt(sharesBack, shares, "more shares than before");
        assertApproxEqAbs(gain, expected, 5, "gain = its pro-rata part of the provision step");
        emit log_named_uint("sandwich gain (assets)", gain);
        emit log_named_uint("provision step", provision);
    }
}
