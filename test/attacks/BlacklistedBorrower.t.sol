// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {AttackBase, MintableToken} from "./AttackBase.sol";
import {ArrearsMath} from "../../contracts/libraries/ArrearsMath.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";
import {ILendingPool} from "../../contracts/interfaces/ILendingPool.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ILedger} from "../invariants/ILedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// A USDC-style token with a blacklist: any transfer from or to a blacklisted address reverts.
contract BlacklistToken is MintableToken {
    error Blacklisted(address account);

    mapping(address account => bool) public blacklisted;

    constructor() MintableToken("Blacklist USD", "bUSD") {}

    function setBlacklisted(address account, bool on) external {
        blacklisted[account] = on;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blacklisted[from]) revert Blacklisted(from);
        if (blacklisted[to]) revert Blacklisted(to);
        super._update(from, to, value);
    }
}

/// Attack: one borrower in a collection batch whose token transfer reverts (a blacklisted address of a USDC-like
/// asset, or a borrower who gets itself blacklisted on purpose) tries to make the keeper's whole batch revert, so
/// that nobody in the batch is collected on time (everyone slides into penalty and arrears).
///
/// Defence: `collect` pulls with a low-level call (`_tryPull`) and never reverts for one loan: a reverting pull reads
/// the borrower's balance and allowance, and when both are there the loan is skipped with
/// `CollectionFailed(loanId, 5)` ("transfer failed") before anything about it is booked; the batch goes on.
///
/// Without the defence: with a plain `safeTransferFrom` the batch would revert with `Blacklisted(b2)`, the
/// `vm.expectEmit` of `Collected(loan1)` / `Collected(loan3)` and `assertEq(collected, 2 * due)` would fail; if the
/// loan were booked before the pull, `assertEq(keccak256(loan2 record), before)` would fail.
contract BlacklistedBorrowerTest is AttackBase {
    uint256 internal constant LOAN = 3_000e6;

    BlacklistToken internal bToken;
    ITestLedger internal bLedger;
    ILendingPool internal bPool;
    address internal b1 = makeAddr("b1");
    address internal b2 = makeAddr("b2");
    address internal b3 = makeAddr("b3");
    uint256[] internal loans;
    uint256 internal due;

    function setUp() public override {
        super.setUp();
        bToken = new BlacklistToken();
        (bLedger, bPool) = _deployWith(address(bToken));
        bToken.mint(lender, INITIAL_DEPOSIT);
        vm.startPrank(lender);
        bToken.approve(address(bPool), type(uint256).max);
        bPool.deposit(INITIAL_DEPOSIT, lender);
        vm.stopPrank();

        address[3] memory borrowers = [b1, b2, b3];
        for (uint256 i = 0; i < 3; ++i) {
            address who = borrowers[i];
            vm.prank(underwriter);
            bLedger.setLine(who, LOAN, APR, ALL_PRODUCTS_MASK, ICreditLedger.LineStatus.Active);
            bToken.mint(who, 1_000e6);
            vm.startPrank(who);
            loans.push(bLedger.draw(0, LOAN));
            bToken.approve(address(bLedger), type(uint256).max);
            bLedger.setMandate(0);
            vm.stopPrank();
        }
        due = _instalment(LOAN, APR, 3);
        bToken.setBlacklisted(b2, true);
        vm.warp(block.timestamp + 30 days);
    }

    function test_batchWithBlacklistedBorrower_othersCollected_failureRecorded() public {
        bytes32 loan2Before = keccak256(abi.encode(bLedger.loanRecord(loans[1])));
        uint256 b2Balance = bToken.balanceOf(b2);
        uint256 cash = bLedger.cash();
        uint256 principal = bLedger.principalOutstanding();

        vm.expectEmit(address(bLedger));
        emit ICreditLedger.Collected(loans[0], address(uint160(loans[0] >> 96)), due);
        vm.expectEmit(address(bLedger));
        emit ICreditLedger.CollectionFailed(loans[1], 5);
        vm.expectEmit(address(bLedger));
        emit ICreditLedger.Collected(loans[2], address(uint160(loans[2] >> 96)), due);
        vm.prank(keeper);
        uint256 collected = bLedger.collect(loans);

        assertEq(collected, 2 * due, "the two others were collected");
        assertEq(bLedger.dueNow(loans[0]), 0);
        assertEq(bLedger.dueNow(loans[2]), 0);
        assertEq(bLedger.dueNow(loans[1]), due, "still due");
        assertEq(keccak256(abi.encode(bLedger.loanRecord(loans[1]))), loan2Before, "loan 2 untouched");
        assertEq(bToken.balanceOf(b2), b2Balance, "b2 untouched");
        assertEq(bLedger.cash(), cash + 2 * due);
        assertEq(bToken.balanceOf(address(bLedger)), bLedger.cash(), "POOL_A");
        assertLt(bLedger.principalOutstanding(), principal);
        assertEq(bLedger.lineOf(b2).outstanding, LOAN, "b2's line unchanged");
    }

    /// The blacklisted borrower (or the keeper) cannot pay from b2's wallet, but anyone may repay for anyone: the
    /// failure is the borrower's, the loan stays payable.
    function test_blacklistedBorrower_cannotPay_butAFriendCan() public {
        vm.expectRevert(abi.encodeWithSelector(BlacklistToken.Blacklisted.selector, b2));
        vm.prank(b2);
        bLedger.repay(loans[1], due);

        address friend = makeAddr("friend");
        bToken.mint(friend, due);
        vm.startPrank(friend);
        bToken.approve(address(bLedger), due);
        assertEq(bLedger.repay(loans[1], due), due);
        vm.stopPrank();
        assertEq(bLedger.dueNow(loans[1]), 0);
        assertEq(bToken.balanceOf(friend), 0);
    }

    /// Past grace the blacklisted loan keeps failing collection and is marked like any unpaid loan: its line freezes
    /// and it is provisioned, while the others stay current.
    function test_blacklistedBorrower_goesLate_othersStayCurrent() public {
        vm.prank(keeper);
        bLedger.collect(loans);
        vm.warp(block.timestamp + 4 days);
        vm.expectEmit(address(bLedger));
        emit ICreditLedger.CollectionFailed(loans[1], 5);
        vm.prank(keeper);
        assertEq(bLedger.collect(loans), 0, "nothing else due");
        vm.prank(keeper);
        bLedger.mark(loans);

        assertEq(uint8(bLedger.loanRecord(loans[1]).bucket), uint8(ICreditLedger.Bucket.M1));
        assertEq(bLedger.lineOf(b2).lateLoans, 1, "b2's line frozen");
        assertEq(uint8(bLedger.loanRecord(loans[0]).bucket), uint8(ICreditLedger.Bucket.Current));
        assertEq(uint8(bLedger.loanRecord(loans[2]).bucket), uint8(ICreditLedger.Bucket.Current));
        // M1, a day past grace: a little over 10% of what writing b2's loan off would cost (principal and the interest
        // owed, less the protocol fee's share of it).
        ICreditLedger.LoanView memory v = bLedger.loanState(loans[1]);
        (uint256 feeBps, , ) = bLedger.rates();
        uint256 interestPart = v.interestAccrued - (v.interestAccrued * feeBps) / 10_000;
        uint256 late = block.timestamp - v.pastDueSince;
        uint256 provision = ArrearsMath.provisionUp(v.principalOutstanding, interestPart, late, bLedger.riskParams());
        assertEq(bLedger.provisions(), provision, "b2's provision");
        // 10% + a 27th of the way to 30% on the principal, and to 100% on the interest (non-accrual at 30 days).
        uint256 expected = (v.principalOutstanding * 1_074) / 10_000 + (interestPart * 1_333) / 10_000;
        assertApproxEqRel(provision, expected, 1e15, "a day into M1");
    }
}
