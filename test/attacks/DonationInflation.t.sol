// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AttackBase, MintableToken} from "./AttackBase.sol";
import {stdError} from "forge-std/StdError.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";
import {ILendingPool} from "../../contracts/interfaces/ILendingPool.sol";

/// Attack: ERC-4626 first-depositor inflation. The attacker is the first depositor with one base unit, then
/// "donates" a large amount of the asset to the ledger (or the pool) so that the share price jumps and a victim's
/// deposit rounds down to few or zero shares, which the attacker then redeems against.
///
/// Defence: `totalAssets()` is the ledger's internal `lenderAssets()` (cash is booked by `recordDeposit`, never read
/// from `balanceOf`), so a donation does not move the share price at all; and the pool's `_decimalsOffset() = 6`
/// (10^6 virtual shares per unit) would make the attack cost a million times what it could steal even if it did.
///
/// Without the defence: if `totalAssets()` read the token balance, `assertEq(pool.totalAssets(), 1)` after the
/// donation fails; without both internal accounting and the offset the victim's deposit mints 0 shares and
/// `assertEq(pool.previewRedeem(victimShares), VICTIM_DEPOSIT)` fails.
contract DonationInflationTest is AttackBase {
    uint256 internal constant DONATION = 1_000_000e6;
    uint256 internal constant VICTIM_DEPOSIT = 10_000e6;

    ITestLedger internal fresh;
    ILendingPool internal freshPool;

    function setUp() public override {
        super.setUp();
        (fresh, freshPool) = _deployWith(address(token));
        // No liquidity reserve on the fresh pool, so that every lender can take everything out at once.
        vm.prank(admin);
        fresh.setRates(500, 1_000, 0);
        token.faucet(attacker, DONATION + 1);
        token.faucet(victim, VICTIM_DEPOSIT);
        vm.prank(attacker);
        token.approve(address(freshPool), type(uint256).max);
        vm.prank(victim);
        token.approve(address(freshPool), type(uint256).max);
    }

    function test_firstDepositorDonation_victimGetsFairShares_attackerLosesTheDonation() public {
        vm.prank(attacker);
        uint256 attackerShares = freshPool.deposit(1, attacker);
        assertEq(attackerShares, 1e6, "one unit buys 10^6 shares (virtual offset)");

        vm.prank(attacker);
        token.transfer(address(fresh), DONATION);
        assertEq(freshPool.totalAssets(), 1, "the donation is not pool value");
        assertEq(fresh.cash(), 1, "cash is internal accounting");
        assertEq(freshPool.convertToAssets(1e18), 1e12, "share price unchanged by the donation");

        vm.prank(victim);
        uint256 victimShares = freshPool.deposit(VICTIM_DEPOSIT, victim);
        assertEq(victimShares, VICTIM_DEPOSIT * 1e6, "victim gets exactly the fair number of shares");
        assertEq(freshPool.previewRedeem(victimShares), VICTIM_DEPOSIT, "victim can take out all it put in");

        // The attacker takes out what its shares are worth: the one unit it deposited, never the donation.
        vm.prank(attacker);
        uint256 attackerOut = freshPool.redeem(attackerShares, attacker, attacker);
        assertEq(attackerOut, 1);
        assertEq(token.balanceOf(attacker), 1, "attacker lost the whole donation");

        vm.prank(victim);
        uint256 victimOut = freshPool.redeem(victimShares, victim, victim);
        assertEq(victimOut, VICTIM_DEPOSIT, "victim whole");
        // The donation sits in the ledger above its cash, owned by nobody.
        assertEq(token.balanceOf(address(fresh)) - fresh.cash(), DONATION);
        assertEq(freshPool.totalSupply(), 0);
    }

    function test_donationToThePool_changesNothing() public {
        vm.prank(attacker);
        freshPool.deposit(1, attacker);
        vm.prank(attacker);
        token.transfer(address(freshPool), DONATION);
        assertEq(freshPool.totalAssets(), 1, "the pool holds no cash of its own: its balance is ignored");
        vm.prank(victim);
        uint256 victimShares = freshPool.deposit(VICTIM_DEPOSIT, victim);
        assertEq(victimShares, VICTIM_DEPOSIT * 1e6);
        // Instant exits are bounded by the ledger's internal cash; the pool's balance adds nothing.
        assertEq(fresh.cash(), VICTIM_DEPOSIT + 1);
        assertEq(freshPool.maxWithdraw(victim), VICTIM_DEPOSIT);
        assertEq(token.balanceOf(address(freshPool)), DONATION, "stuck in the pool, owned by nobody");
    }

    /// On a pool with lenders and loans, a donation to the ledger moves neither the share price nor the cash that
    /// can leave (`availableLiquidity`), so it cannot be used to steer a withdrawal or a draw either.
    function test_donationToALivePool_movesNoPriceAndNoLiquidity() public {
        uint256 loanId = _openAndDraw(borrower, 2, 50_000e6, APR);
        vm.warp(block.timestamp + 10 days);
        uint256 price = _sharePrice();
        uint256 assets = pool.totalAssets();
        uint256 available = ledger.availableLiquidity();
        uint256 cash = ledger.cash();

        token.faucet(attacker, DONATION);
        vm.prank(attacker);
        token.transfer(address(ledger), DONATION);

        assertEq(_sharePrice(), price, "share price");
        assertEq(pool.totalAssets(), assets, "totalAssets");
        assertEq(ledger.availableLiquidity(), available, "availableLiquidity");
        assertEq(ledger.cash(), cash, "cash");
        assertEq(token.balanceOf(address(ledger)), cash + DONATION, "POOL_A: balance == cash + donations");
        // Repaying still books exactly what was paid.
        uint256 paid = _repay(borrower, loanId, type(uint256).max);
        assertEq(ledger.cash(), cash + paid);
        assertEq(token.balanceOf(address(ledger)), cash + paid + DONATION);
    }

    /// Whatever the attacker's first deposit and donation, the victim can redeem exactly what it deposited and the
    /// attacker never ends with more tokens than it started with.
    function testFuzz_inflation_neverProfitable(uint256 first, uint256 donation, uint256 deposit) public {
        first = bound(first, 1, 1e12);
        donation = bound(donation, 0, DONATION);
        deposit = bound(deposit, 1, VICTIM_DEPOSIT);
        uint256 start = token.balanceOf(attacker);

        vm.startPrank(attacker);
        uint256 attackerShares = freshPool.deposit(first < start ? first : start, attacker);
        token.transfer(address(fresh), donation < token.balanceOf(attacker) ? donation : token.balanceOf(attacker));
        vm.stopPrank();

        vm.prank(victim);
        uint256 victimShares = freshPool.deposit(deposit, victim);
        assertGt(victimShares, 0, "victim never gets zero shares");
        assertEq(freshPool.previewRedeem(victimShares), deposit, "victim redeems exactly its deposit");

        vm.prank(attacker);
        freshPool.redeem(attackerShares, attacker, attacker);
        assertLe(token.balanceOf(attacker), start, "attacker never profits");
    }

    /// EIP-4626: `maxDeposit` and `maxMint` return the real bound, not 2^256 − 1. The ledger holds the pool's cash in
    /// 104 bits: a deposit of exactly `maxDeposit` goes through, one unit more is refused (by the ledger's checked
    /// add), and both bounds are then 0.
    function test_maxDepositIsTheLedgersCashBound() public {
        MintableToken big = new MintableToken("Big USD", "bUSD");
        (ITestLedger l, ILendingPool p) = _deployWith(address(big));
        assertEq(p.maxDeposit(victim), type(uint104).max, "an empty pool");
        // Decimals offset 6: an empty pool mints 10^6 shares per unit.
        assertEq(p.maxMint(victim), uint256(type(uint104).max) * 1e6, "the bound in shares");

        big.mint(attacker, VICTIM_DEPOSIT);
        vm.startPrank(attacker);
        big.approve(address(p), type(uint256).max);
        p.deposit(VICTIM_DEPOSIT, attacker);
        vm.stopPrank();
        uint256 room = p.maxDeposit(victim);
        assertEq(room, type(uint104).max - VICTIM_DEPOSIT, "the bound less the cash held");
        uint256 maxShares = p.maxMint(attacker);
        assertEq(maxShares, room * 1e6, "still 10^6 shares per unit: nothing earned yet");
        assertEq(p.maxMint(victim), maxShares, "the same for every receiver");
        assertLe(p.previewMint(maxShares), room, "minting maxMint costs at most maxDeposit");

        big.mint(victim, room + 1);
        vm.startPrank(victim);
        big.approve(address(p), type(uint256).max);
        vm.expectRevert(stdError.arithmeticError); // the ledger's 104-bit cash
        p.deposit(room + 1, victim);
        uint256 shares = p.deposit(room, victim);
        vm.stopPrank();
        assertEq(shares, maxShares, "maxDeposit bought maxMint");
        assertEq(l.cash(), type(uint104).max);
        assertEq(p.maxDeposit(victim), 0, "full");
        assertEq(p.maxMint(victim), 0);
    }
}
