// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {MockStablecoin} from "../../contracts/mocks/MockStablecoin.sol";
import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {ISalesRouter} from "../../contracts/interfaces/ISalesRouter.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";

using LedgerViews for ICreditLedger;

/// The router invariants' actor: customers pay sales, the merchant's owner borrows, repays outside the router and
/// refunds, a keeper collects and marks, and time passes (1 s to 40 days, or past a default). Each sale is measured
/// against what the router should do with it, computed before it: the share is `amount × bps / 10,000` rounded down,
/// bps 5,000 while the ledger shows the owner's line with a loan past grace (`lateLoans`), else 2,000; the loans get
/// min(share, what the first four listed loans owe, from the ledger's `payoff`), the payout the rest. The list itself is
/// checked after every step against the handler's own record of what was borrowed. A sale that departs from that, or
/// reverts, is counted (a handler's failed assertion would only revert the call, which the runner ignores); the
/// invariants read the counts.
contract SalesRouterHandler is Test {
    uint256 internal constant ONE = 1e6;
    uint256 internal constant MAX_LOANS_PER_SALE = 4;
    /// The router's shares (`SALES_SHARE`), stated here rather than read from it.
    uint256 internal constant SHARE_BPS = 2_000;
    uint256 internal constant LATE_SHARE_BPS = 5_000;

    MockStablecoin internal immutable token;
    ICreditLedger internal immutable ledger;
    ISalesRouter internal immutable router;
    uint256 internal immutable merchantId;
    address internal immutable owner;
    address internal immutable payout;
    address internal immutable customer;
    address internal immutable keeper;

    uint256 public currentTime;
    uint256 internal orderId;
    /// The owner's loans in the order `borrow` returned them: the router's list must be what is left of it once
    /// loans that owe nothing are dropped from its front.
    uint256[] internal borrowed;

    /// Sum of every sale, and what reached the loans (the ledger's balance) and the payout address in those sales.
    uint256 public sales;
    uint256 public salesToLoans;
    uint256 public salesToMerchant;
    /// Sales that repaid something, and that met a late share; for the run's statistics.
    uint256 public salesThatRepaid;
    uint256 public lateShareSales;
    /// Sales not split as the router's rule says; sales that reverted; the first departure, described.
    /// `listDepartures`: steps after which the router's list was not such a suffix of `borrowed`.
    uint256 public listDepartures;
    uint256 public splitDepartures;
    uint256 public revertedSales;
    string public firstDeparture;
    /// Borrows, repayments, refunds, collections and marks the contracts refused (a frozen line, a limit, an empty
    /// wallet): legitimate, counted for the run's statistics.
    uint256 public refusedCalls;
    /// Calls per action, and how many of them the contracts accepted.
    mapping(string action => uint256) public calls;
    mapping(string action => uint256) public accepted;

    constructor(
        MockStablecoin token_,
        ICreditLedger ledger_,
        ISalesRouter router_,
        uint256 merchantId_,
        address owner_,
        address payout_
    ) {
        token = token_;
        ledger = ledger_;
        router = router_;
        merchantId = merchantId_;
        owner = owner_;
        payout = payout_;
        customer = makeAddr("router customer");
        keeper = makeAddr("router keeper");
        currentTime = block.timestamp;
        token.faucet(customer, token.FAUCET_MAX());
        vm.prank(customer);
        token.approve(address(router_), type(uint256).max);
    }

    modifier step(string memory action) {
        vm.warp(currentTime);
        ++calls[action];
        _;
        currentTime = block.timestamp;
        if (!_listIsBorrowedLessClosedFront()) ++listDepartures;
    }

    // ---------------------------------------------------------------- actions

    /// A customer pays a sale of 0.01 to 20,000 tokens.
    function sale(uint256 amountSeed) external step("sale") {
        uint256 amount = bound(amountSeed, ONE / 100, 20_000 * ONE);
        if (token.balanceOf(customer) < amount) token.faucet(customer, token.FAUCET_MAX());
        // The share from the ledger's view of the line (a loan past grace raises it), not from the router's.
        uint256 bps =
            borrowed.length == 0
                ? 0
                : ledger.lineOf(owner).lateLoans != 0
                    ? LATE_SHARE_BPS
                    : SHARE_BPS;
        uint256 share = (amount * bps) / 10_000;
        uint256 owed = _owedByReachableLoans();
        uint256 expectedToLoans = share < owed ? share : owed;
        uint256 ledgerBefore = token.balanceOf(address(ledger));
        uint256 payoutBefore = token.balanceOf(payout);
        vm.prank(customer);
        try router.pay(merchantId, amount, ++orderId) {
            ++accepted["sale"];
        } catch {
            ++revertedSales;
            return;
        }
        uint256 toLoans = token.balanceOf(address(ledger)) - ledgerBefore;
        uint256 toMerchant = token.balanceOf(payout) - payoutBefore;
        sales += amount;
        salesToLoans += toLoans;
        salesToMerchant += toMerchant;
        if (toLoans != 0) ++salesThatRepaid;
        if (bps == LATE_SHARE_BPS) ++lateShareSales;
        if (toLoans != expectedToLoans || toLoans + toMerchant != amount) {
            if (splitDepartures++ == 0) {
                firstDeparture = string.concat(
                    "order ",
                    vm.toString(orderId),
                    ": amount ",
                    vm.toString(amount),
                    " share ",
                    vm.toString(share),
                    " owed ",
                    vm.toString(owed),
                    " to loans ",
                    vm.toString(toLoans),
                    " to merchant ",
                    vm.toString(toMerchant)
                );
            }
        }
    }

    /// The owner borrows 100 to 20,000 tokens through the router (refused while the line is frozen or over a limit).
    function borrow(uint256 amountSeed) external step("borrow") {
        uint256 amount = bound(amountSeed, 100 * ONE, 20_000 * ONE);
        vm.prank(owner);
        try
            router.borrow(
                merchantId,
                amount,
                ICreditLedger.DrawBounds({maxAprBps: 2_400, minReceived: 0, method: 1, payments: 6, periodDays: 30})
            )
        returns (uint256 loanId) {
            borrowed.push(loanId);
            ++accepted["borrow"];
        } catch {
            ++refusedCalls;
        }
    }

    /// The owner pays part or all of a listed loan outside the router.
    function repayOutside(uint256 loanSeed, uint256 amountSeed) external step("repayOutside") {
        uint256[] memory ids = router.openLoans(merchantId);
        if (ids.length == 0) return;
        uint256 loanId = ids[bound(loanSeed, 0, ids.length - 1)];
        uint256 payoff = ledger.loanState(loanId).payoff;
        if (payoff == 0) return;
        uint256 amount = bound(amountSeed, 1, payoff);
        vm.prank(owner);
        try ledger.repay(loanId, amount) {
            ++accepted["repayOutside"];
        } catch {
            ++refusedCalls;
        }
    }

    /// The owner refunds up to 500 tokens of one of the last sales to the customer, from its own wallet.
    function refund(uint256 orderSeed, uint256 amountSeed) external step("refund") {
        if (orderId == 0) return;
        uint256 order = bound(orderSeed, orderId > 40 ? orderId - 40 : 1, orderId);
        vm.prank(owner);
        try router.refund(merchantId, order, bound(amountSeed, 1, 500 * ONE), customer) {
            ++accepted["refund"];
        } catch {
            ++refusedCalls;
        }
    }

    /// A keeper collects what is due from the owner's wallet (mandate) on every listed loan.
    function collect() external step("collect") {
        uint256[] memory ids = router.openLoans(merchantId);
        if (ids.length == 0) return;
        vm.prank(keeper);
        try ledger.collect(ids) {
            ++accepted["collect"];
        } catch {
            ++refusedCalls;
        }
    }

    /// A keeper marks every listed loan (buckets, provisions, write-off at 90 days past due).
    function mark() external step("mark") {
        uint256[] memory ids = router.openLoans(merchantId);
        if (ids.length == 0) return;
        vm.prank(keeper);
        try ledger.mark(ids) {
            ++accepted["mark"];
        } catch {
            ++refusedCalls;
        }
    }

    /// The owner's wallet runs dry (the mandate then fails) or is refilled.
    function setOwnerWallet(bool empty) external step("setOwnerWallet") {
        uint256 balance = token.balanceOf(owner);
        if (empty) {
            vm.prank(owner);
            token.transfer(keeper, balance);
        } else if (balance < 1_000_000 * ONE) {
            token.faucet(owner, 1_000_000 * ONE);
        }
        ++accepted["setOwnerWallet"];
    }

    function warp(uint256 seconds_) external step("warp") {
        vm.warp(block.timestamp + bound(seconds_, 1, 40 days));
        ++accepted["warp"];
    }

    /// Far enough for a loan nobody pays to be written off at its next mark.
    function warpLong(uint256 seconds_) external step("warpLong") {
        vm.warp(block.timestamp + bound(seconds_, 60 days, 130 days));
        ++accepted["warpLong"];
    }

    // ---------------------------------------------------------------- views

    /// Whether the router lists `borrowed[k:]` for some k, every loan before k owing nothing (repaid, or written off
    /// and recovered in full).
    function _listIsBorrowedLessClosedFront() internal view returns (bool) {
        uint256[] memory listed = router.openLoans(merchantId);
        if (listed.length > borrowed.length) return false;
        uint256 k = borrowed.length - listed.length;
        for (uint256 i = 0; i < listed.length; ++i) if (listed[i] != borrowed[k + i]) return false;
        for (uint256 i = 0; i < k; ++i) if (ledger.loanState(borrowed[i]).payoff != 0) return false;
        return true;
    }

    /// What the loans a sale reaches owe: the payoffs of the first four the router lists.
    function _owedByReachableLoans() internal view returns (uint256 owed) {
        uint256[] memory ids = router.openLoans(merchantId);
        uint256 n = ids.length < MAX_LOANS_PER_SALE ? ids.length : MAX_LOANS_PER_SALE;
        for (uint256 i = 0; i < n; ++i) owed += ledger.loanState(ids[i]).payoff;
    }
}
