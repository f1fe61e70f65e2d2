// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {AttackBase} from "./AttackBase.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ILedger} from "../invariants/ILedger.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// Attack: dust and rounding loops. Many one-unit draws repaid at once, repayments split into many tiny parts, or
/// one-unit deposits and redemptions, each hoping that a rounding in the attacker's favour, repeated thousands of
/// times, adds up to value taken from the pool.
///
/// Defence: every amount a borrower owes rounds up (interest to date `ceil(B × r × t)`, period interest, penalty);
/// a prepayment books the interest of the closed segment rounded up; the pool recognises interest exactly (in
/// 1/INTEREST_SCALE units) and ERC-4626 rounds shares down on deposit and up on withdrawal. The only rounding
/// against lenders is KI-2 of docs/INVARIANTS.md: `lenderAssets` may dip by up to 2 units as time passes, not per
/// operation, and never cumulatively (the dips are floors of growing quantities).
///
/// Without the defence: if interest to date rounded down, a one-second loan of one unit would cost nothing and
/// `assertEq(paid, 2)` in `test_oneUnitLoans_payInterestRoundedUp` would fail; if the split of a repayment booked
/// less than it charged, `assertEq(parts payoff, single payoff)` would fail; if shares rounded up on deposit,
/// `assertLe(token.balanceOf(attacker), start)` in the lender loop would fail.
contract DustRoundingTest is AttackBase {
    uint256 internal constant LOOPS = 150;

    /// lenderAssets never falls by more than KI-2's dust between two observations.
    function _assertNoLoss(uint256 before) internal view returns (uint256) {
        uint256 assets = ledger.lenderAssets();
        assertGe(assets + PRICE_DUST_ASSETS, before, "lender assets fell by more than rounding dust");
        return assets;
    }

    /// One-unit loans repaid in the same second cost exactly their principal; repaid one second later they cost
    /// principal plus one unit of interest (a 1,800-bps second on one unit is 1/17,280 of a unit, rounded up).
    function test_oneUnitLoans_payInterestRoundedUp() public {
        _openLine(borrower, 1_000e6, APR);
        _fund(borrower, 1_000e6);
        uint256 start = token.balanceOf(borrower);
        uint256 cash = ledger.cash();
        uint256 assets = ledger.lenderAssets();

        for (uint256 i = 0; i < LOOPS; ++i) {
            uint256 loanId = _draw(borrower, 5, 1);
            vm.prank(borrower);
            assertEq(ledger.repay(loanId, type(uint256).max), 1, "same second: principal only");
            assets = _assertNoLoss(assets);
        }
        assertEq(token.balanceOf(borrower), start, "no gain, no loss");

        // Time is tracked here: via-IR may reuse one read of block.timestamp across vm.warp in a function.
        uint256 time = block.timestamp;
        for (uint256 i = 0; i < LOOPS; ++i) {
            uint256 loanId = _draw(borrower, 5, 1);
            time += 1;
            vm.warp(time);
            vm.prank(borrower);
            uint256 paid = ledger.repay(loanId, type(uint256).max);
            assertEq(paid, 2, "one unit of principal and one of interest");
            assets = _assertNoLoss(assets);
        }
        assertEq(token.balanceOf(borrower), start - LOOPS, "the borrower paid a unit of interest per loan");
        assertEq(ledger.cash(), cash + LOOPS, "the pool's cash gained it");
        assertEq(token.balanceOf(address(ledger)), ledger.cash(), "POOL_A");
        assertEq(ledger.principalOutstanding(), 0);
        assertEq(ledger.lineOf(borrower).loanCount, 2 * LOOPS);
    }

    /// A repayment split into many tiny parts in the same second leaves exactly the payoff one repayment of the same
    /// total leaves: the closed segment's interest is booked once, rounded up, and the parts then go to principal.
    function test_repaymentSplitIntoDust_payoffSameAsOneRepayment() public {
        address twin = makeAddr("twin");
        uint256 a = _openAndDraw(borrower, 2, 10_000e6, APR);
        uint256 b = _openAndDraw(twin, 2, 10_000e6, APR);
        uint256 start = block.timestamp;
        vm.warp(start + 7 days + 3 hours + 17);
        uint256 part = 1_000; // 0.001 token
        uint256 parts = 120;
        // Enough to cover the interest to date, so the parts reach principal.
        uint256 first = ledger.loanState(a).interestAccrued;
        _fund(borrower, first + part * parts);
        _fund(twin, first + part * parts);
        uint256 assets = ledger.lenderAssets();

        _repay(borrower, a, first);
        for (uint256 i = 0; i < parts; ++i) {
            _repay(borrower, a, part);
            assets = _assertNoLoss(assets);
        }
        _repay(twin, b, first + part * parts);

        assertEq(ledger.loanState(a).payoff, ledger.loanState(b).payoff, "same payoff");
        assertEq(_outstanding(a), _outstanding(b), "same principal");
        assertEq(_outstanding(a), 10_000e6 - part * parts, "the parts all went to principal");
        vm.warp(start + 27 days + 3 hours + 17);
        assertEq(ledger.loanState(a).payoff, ledger.loanState(b).payoff, "and the same interest afterwards");
        _assertNoLoss(assets);
    }

    /// One-unit deposits redeemed at once, with interest accruing (share price above par): the attacker never
    /// gets out more than it put in, and the other lenders' share price never falls by more than dust.
    function test_lenderDustLoop_neverProfitable() public {
        _openAndDraw(borrower, 2, 200_000e6, APR);
        uint256 time = block.timestamp + 20 days;
        vm.warp(time);
        assertGt(_sharePrice(), 1e12, "share price above par");
        token.faucet(attacker, 1_000);
        vm.prank(attacker);
        token.approve(address(pool), type(uint256).max);
        uint256 start = token.balanceOf(attacker);
        uint256 price = _sharePrice();

        for (uint256 i = 0; i < LOOPS; ++i) {
            vm.startPrank(attacker);
            uint256 shares = pool.deposit(1, attacker);
            pool.redeem(shares, attacker, attacker);
            vm.stopPrank();
            assertGe(_sharePrice(), price, "other lenders' price never falls");
            time += 1 hours;
            vm.warp(time);
            price = _sharePrice();
        }
        assertLe(token.balanceOf(attacker), start, "never profitable");

        // withdraw() of one unit at a time burns shares rounded up.
        vm.prank(attacker);
        uint256 bought = pool.deposit(100, attacker);
        for (uint256 i = 0; i < 50; ++i) {
            vm.prank(attacker);
            pool.withdraw(1, attacker, attacker);
        }
        assertLe(token.balanceOf(attacker), start, "never profitable");
        assertLe(pool.convertToAssets(pool.balanceOf(attacker)), 50, "what is left is worth at most the rest");
        assertLt(pool.balanceOf(attacker), bought);
    }

    /// Random sequences of dust draws, dust repayments and short waits (all inside the first period, so no loan is
    /// late: KI-1 does not apply): the lenders' assets never fall by more than dust at any step, and once every
    /// loan is repaid the borrower has paid back at least everything drawn.
    function testFuzz_dustSequences_neverCostThePool(uint256 seed) public {
        _openLine(borrower, 1_000e6, APR);
        _fund(borrower, 1_000e6);
        uint256 start = token.balanceOf(borrower);
        uint256 assets = ledger.lenderAssets();
        uint256[] memory loans = new uint256[](40);
        uint256 count;
        uint256 time = block.timestamp;
        for (uint256 step = 0; step < 40; ++step) {
            seed = uint256(keccak256(abi.encode(seed, step)));
            uint256 op = seed % 3;
            if (op == 0 || count == 0) {
                loans[count++] = _draw(borrower, uint8((seed >> 8) % 6), 1 + ((seed >> 16) % 1_000));
            } else if (op == 1) {
                uint256 loanId = loans[(seed >> 8) % count];
                if (ledger.loanRecord(loanId).status == ICreditLedger.LoanStatus.Active) {
                    uint256 payoff = ledger.loanState(loanId).payoff;
                    _repay(borrower, loanId, 1 + ((seed >> 16) % payoff));
                }
            } else {
                time += (seed >> 8) % 12 hours;
                vm.warp(time);
            }
            assets = _assertNoLoss(assets);
        }
        for (uint256 i = 0; i < count; ++i) {
            if (ledger.loanRecord(loans[i]).status == ICreditLedger.LoanStatus.Active) {
                _repay(borrower, loans[i], type(uint256).max);
            }
            assets = _assertNoLoss(assets);
        }
        assertLe(token.balanceOf(borrower), start, "the borrower never ends up ahead");
        assertEq(ledger.principalOutstanding(), 0);
        assertEq(token.balanceOf(address(ledger)), ledger.cash(), "POOL_A");
    }
}
