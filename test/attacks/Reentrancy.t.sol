// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {AttackBase, MintableToken} from "./AttackBase.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";
import {ILendingPool} from "../../contracts/interfaces/ILendingPool.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ILedger} from "../invariants/ILedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// ERC-777-style hooks: `tokensToSend` on the sender before the balances move, `tokensReceived` on the recipient after.
interface ITokenHooks {
    function tokensToSend(address from, address to, uint256 amount) external;

    function tokensReceived(address from, address to, uint256 amount) external;
}

/// An ERC-20 that calls back every registered sender and recipient on each transfer (like ERC-777 or a hook token).
contract HookToken is MintableToken {
    mapping(address account => bool) public hooked;

    constructor() MintableToken("Hook USD", "hUSD") {}

    function registerHooks(bool on) external {
        hooked[msg.sender] = on;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (hooked[from]) ITokenHooks(from).tokensToSend(from, to, value);
        super._update(from, to, value);
        if (hooked[to]) ITokenHooks(to).tokensReceived(from, to, value);
    }
}

/// A borrower and lender contract that, when armed, calls back into the ledger or the pool from a token hook and
/// records what happened (the hook itself never reverts, so the outer call always completes).
contract ReentrantActor is ITokenHooks {
    enum Action {
        None,
        Draw,
        Repay,
        Collect,
        Withdraw,
        Deposit,
        ProcessRedemptions,
        Sync,
        Redeem
    }

    ITestLedger internal immutable ledger;
    ILendingPool internal immutable pool;

    Action public onSend;
    Action public onReceive;
    uint256 internal loanId;
    uint256 internal amount;

    uint256 public reentries;
    bool public reentryOk;
    bytes public reentryError;

    constructor(HookToken token, ITestLedger ledger_, ILendingPool pool_) {
        ledger = ledger_;
        pool = pool_;
        token.registerHooks(true);
        token.approve(address(ledger_), type(uint256).max);
        token.approve(address(pool_), type(uint256).max);
    }

    function arm(Action onSend_, Action onReceive_, uint256 loanId_, uint256 amount_) external {
        onSend = onSend_;
        onReceive = onReceive_;
        loanId = loanId_;
        amount = amount_;
    }

    // ------------------------------------------------ as borrower and lender

    function draw(uint8 productId, uint256 assets) external returns (uint256) {
        return ledger.draw(productId, assets);
    }

    function repay(uint256 id, uint256 assets) external returns (uint256) {
        return ledger.repay(id, assets);
    }

    function setMandate() external {
        ledger.setMandate(0);
    }

    function deposit(uint256 assets) external returns (uint256) {
        return pool.deposit(assets, address(this));
    }

    function withdraw(uint256 assets) external returns (uint256) {
        return pool.withdraw(assets, address(this), address(this));
    }

    function requestRedeem(uint256 shares) external returns (uint256) {
        return pool.requestRedeem(shares);
    }

    function claim() external returns (uint256) {
        return pool.claim(address(this));
    }

    // ------------------------------------------------ hooks (one shot each)

    function tokensToSend(address, address, uint256) external {
        Action action = onSend;
        onSend = Action.None;
        _reenter(action);
    }

    function tokensReceived(address, address, uint256) external {
        Action action = onReceive;
        onReceive = Action.None;
        _reenter(action);
    }

    function _reenter(Action action) internal {
        if (action == Action.None) return;
        ++reentries;
        if (action == Action.Draw) {
            try ledger.draw(0, amount) returns (uint256) {
                reentryOk = true;
            } catch (bytes memory e) {
                reentryError = e;
            }
        } else if (action == Action.Repay) {
            try ledger.repay(loanId, amount) returns (uint256) {
                reentryOk = true;
            } catch (bytes memory e) {
                reentryError = e;
            }
        } else if (action == Action.Collect) {
            uint256[] memory ids = new uint256[](1);
            ids[0] = loanId;
            try ledger.collect(ids) returns (uint256) {
                reentryOk = true;
            } catch (bytes memory e) {
                reentryError = e;
            }
        } else if (action == Action.Withdraw) {
            try pool.withdraw(amount, address(this), address(this)) returns (uint256) {
                reentryOk = true;
            } catch (bytes memory e) {
                reentryError = e;
            }
        } else if (action == Action.Deposit) {
            try pool.deposit(amount, address(this)) returns (uint256) {
                reentryOk = true;
            } catch (bytes memory e) {
                reentryError = e;
            }
        } else if (action == Action.Redeem) {
            try pool.redeem(amount, address(this), address(this)) returns (uint256) {
                reentryOk = true;
            } catch (bytes memory e) {
                reentryError = e;
            }
        } else if (action == Action.Sync) {
            try pool.sync() {
                reentryOk = true;
            } catch (bytes memory e) {
                reentryError = e;
            }
        } else {
            try pool.processRedemptions(10) returns (uint256) {
                reentryOk = true;
            } catch (bytes memory e) {
                reentryError = e;
            }
        }
    }
}

/// Attack: reentrancy through a token with transfer hooks. A borrower (or lender) contract gets control in the
/// middle of `draw`, `repay`, `collect`, `deposit`, `withdraw` or `processRedemptions` through the asset's transfer
/// callback and calls back into the ledger or the pool, hoping to act on half-updated state (draw twice against one
/// limit check, be collected twice for one instalment while the loan records one payment, withdraw twice against one
/// burn, sync the gain lock while a deposit is half recorded).
///
/// Defence: every ledger entry point that moves tokens (`draw`, `drawTo`, `repay`, `collect`, `mark`, `release`,
/// `claimFees`) and the pool's `deposit`, `mint`, `withdraw`, `redeem`, `sync` and queue functions are
/// `nonReentrant` (OpenZeppelin `ReentrancyGuardTransient`, one guard per contract), and the pool's withdrawals go
/// through the ledger's guarded `release`; draw, repay and release also apply their effects before the transfer. The
/// asset is documented as a plain ERC-20 without callbacks: these tests show the contracts stay safe even if that
/// assumption is broken. Calls that no guard covers (a deposit from inside a collection pull) are shown to be
/// harmless.
///
/// Without the defence: each `assertEq(actor.reentryError(), GUARD_ERROR)` fails (the reentrant call succeeds).
/// Collection pulls before it books the payment, so without the guard on `collect` the reentrant collect would take
/// and book the same instalment a second time and the outer call would then store its stale copy of the loan:
/// `assertEq(collected, due)` and `assertEq(hLedger.lineOf(...).outstanding, _outstandingOf(loanId))` in
/// `test_collectHook_reentrantCollect_refusedByGuard_paysOnce` would fail.
contract ReentrancyTest is AttackBase {
    uint256 internal constant LIMIT = 10_000e6;

    HookToken internal hToken;
    ITestLedger internal hLedger;
    ILendingPool internal hPool;
    ReentrantActor internal actor;
    bytes internal guardError = abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);

    function setUp() public override {
        super.setUp();
        hToken = new HookToken();
        (hLedger, hPool) = _deployWith(address(hToken));
        hToken.mint(lender, INITIAL_DEPOSIT);
        vm.startPrank(lender);
        hToken.approve(address(hPool), type(uint256).max);
        hPool.deposit(INITIAL_DEPOSIT, lender);
        vm.stopPrank();

        actor = new ReentrantActor(hToken, hLedger, hPool);
        hToken.mint(address(actor), 100_000e6);
        vm.prank(underwriter);
        hLedger.setLine(address(actor), LIMIT, APR, ALL_PRODUCTS_MASK, ICreditLedger.LineStatus.Active);
    }

    function _outstandingOf(uint256 loanId) internal view returns (uint256) {
        ICreditLedger.Loan memory loan = hLedger.loanRecord(loanId);
        return uint256(loan.principal) - loan.principalPaid;
    }

    function _assertBooksConsistent() internal view {
        assertEq(hToken.balanceOf(address(hLedger)), hLedger.cash(), "POOL_A: balance == cash");
        assertEq(hLedger.lineOf(address(actor)).outstanding, hLedger.principalOutstanding(), "LEDGER_A");
    }

    function test_drawHook_reentrantDraw_refusedByGuard() public {
        uint256 before = hToken.balanceOf(address(actor));
        actor.arm(ReentrantActor.Action.None, ReentrantActor.Action.Draw, 0, 1_000e6);
        uint256 loanId = actor.draw(0, 1_000e6);

        assertEq(actor.reentries(), 1);
        assertFalse(actor.reentryOk());
        assertEq(actor.reentryError(), guardError);
        ICreditLedger.LineView memory line = hLedger.lineOf(address(actor));
        assertEq(line.loanCount, 1, "one loan");
        assertEq(line.outstanding, 1_000e6);
        assertEq(_outstandingOf(loanId), 1_000e6);
        assertEq(hToken.balanceOf(address(actor)), before + 1_000e6, "paid out once");
        _assertBooksConsistent();
    }

    /// Cross-contract: from inside a draw's payout the actor tries to withdraw as a lender; the pool's withdrawal
    /// goes through the ledger's `release`, which shares the ledger's guard.
    function test_drawHook_reentrantPoolWithdraw_refusedByLedgerGuard() public {
        uint256 shares = actor.deposit(10_000e6);
        actor.arm(ReentrantActor.Action.None, ReentrantActor.Action.Withdraw, 0, 5_000e6);
        actor.draw(0, 1_000e6);

        assertEq(actor.reentryError(), guardError);
        assertEq(hPool.balanceOf(address(actor)), shares, "no share burnt");
        assertEq(hPool.totalAssets(), INITIAL_DEPOSIT + 10_000e6);
        _assertBooksConsistent();
    }

    function test_repayHook_reentrantRepay_refusedByGuard() public {
        uint256 loanId = actor.draw(0, 3_000e6);
        vm.warp(block.timestamp + 10 days);
        uint256 payoff = hLedger.loanState(loanId).payoff;
        uint256 before = hToken.balanceOf(address(actor));
        uint256 cash = hLedger.cash();

        actor.arm(ReentrantActor.Action.Repay, ReentrantActor.Action.None, loanId, type(uint256).max);
        uint256 paid = actor.repay(loanId, 1_000e6);

        assertEq(paid, 1_000e6);
        assertEq(actor.reentryError(), guardError);
        assertEq(hToken.balanceOf(address(actor)), before - 1_000e6, "charged once");
        assertEq(hLedger.cash(), cash + 1_000e6);
        assertEq(hLedger.loanState(loanId).payoff, payoff - 1_000e6, "one payment booked");
        assertEq(uint8(hLedger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Active));
        _assertBooksConsistent();
    }

    function test_collectHook_reentrantCollect_refusedByGuard_paysOnce() public {
        uint256 loanId = actor.draw(0, 3_000e6);
        actor.setMandate();
        vm.warp(block.timestamp + 30 days);
        uint256 due = hLedger.dueNow(loanId);
        assertEq(due, _instalment(3_000e6, APR, 3));
        uint256 before = hToken.balanceOf(address(actor));
        uint256 cash = hLedger.cash();

        actor.arm(ReentrantActor.Action.Collect, ReentrantActor.Action.None, loanId, 0);
        uint256[] memory ids = new uint256[](1);
        ids[0] = loanId;
        vm.prank(keeper);
        uint256 collected = hLedger.collect(ids);

        assertEq(actor.reentryError(), guardError);
        assertEq(collected, due, "one instalment");
        assertEq(hToken.balanceOf(address(actor)), before - due, "the borrower paid once");
        assertEq(hLedger.cash(), cash + due);
        assertEq(hLedger.dueNow(loanId), 0);
        assertEq(hLedger.lineOf(address(actor)).outstanding, _outstandingOf(loanId), "line == its loan");
        _assertBooksConsistent();

        vm.prank(keeper);
        assertEq(hLedger.collect(ids), 0, "a second collect takes nothing");
        assertEq(hToken.balanceOf(address(actor)), before - due);
    }

    /// A deposit is not guarded on the pool side and the ledger's `recordDeposit` is not `nonReentrant`, so a
    /// deposit from inside a collection pull goes through. It is harmless: the deposit prices its shares at the
    /// book as it stands (the loan's true-up at settlement is below one unit) and both amounts are booked.
    function test_collectHook_reentrantDeposit_isHarmless() public {
        uint256 loanId = actor.draw(0, 3_000e6);
        actor.setMandate();
        vm.warp(block.timestamp + 30 days);
        uint256 due = hLedger.dueNow(loanId);
        uint256 cash = hLedger.cash();
        uint256 before = hToken.balanceOf(address(actor));

        actor.arm(ReentrantActor.Action.Deposit, ReentrantActor.Action.None, loanId, 5_000e6);
        uint256[] memory ids = new uint256[](1);
        ids[0] = loanId;
        vm.prank(keeper);
        uint256 collected = hLedger.collect(ids);

        assertTrue(actor.reentryOk(), "the deposit went through");
        assertEq(collected, due);
        assertEq(hToken.balanceOf(address(actor)), before - due - 5_000e6);
        assertEq(hLedger.cash(), cash + due + 5_000e6, "both booked");
        assertApproxEqAbs(hPool.convertToAssets(hPool.balanceOf(address(actor))), 5_000e6, 2, "fair shares");
        assertEq(hLedger.dueNow(loanId), 0);
        _assertBooksConsistent();
    }

    /// From inside a deposit's pull (`tokensToSend`: the deposit is priced and the pool's lock synced, the ledger has
    /// not yet recorded the cash) the actor calls `sync`. When the lock was raised before the pull, that sync read the
    /// deposit as a loss of its size and let locked gains out early; the lock is now raised after the ledger's record,
    /// and `deposit` holds the pool's guard, which `sync` shares.
    /// Without the guard on `deposit`: the reentrant `sync` succeeds and `reentryError` is empty.
    function test_depositHook_reentrantSync_refusedByPoolGuard() public {
        actor.arm(ReentrantActor.Action.Sync, ReentrantActor.Action.None, 0, 0);
        uint256 shares = actor.deposit(10_000e6);

        assertEq(actor.reentries(), 1);
        assertFalse(actor.reentryOk());
        assertEq(actor.reentryError(), guardError);
        assertEq(hPool.balanceOf(address(actor)), shares, "shares minted once");
        assertEq(hPool.totalAssets(), INITIAL_DEPOSIT + 10_000e6, "the book holds both deposits");
        assertEq(hPool.lockedGains(), 0, "nothing locked");
        _assertBooksConsistent();
    }

    /// From inside a deposit's pull, as above, the actor exits: no exit runs in the middle of a deposit (its sync
    /// would meet a half-recorded deposit). `withdraw` and `redeem` hold the pool's guard too. Without the guard on
    /// `withdraw` (or `redeem`): the reentrant exit goes through (`reentryOk`).
    function test_depositHook_reentrantWithdraw_refusedByPoolGuard() public {
        _depositWithReentrantExit(ReentrantActor.Action.Withdraw, 1_000e6);
    }

    function test_depositHook_reentrantRedeem_refusedByPoolGuard() public {
        _depositWithReentrantExit(ReentrantActor.Action.Redeem, 1_000e12);
    }

    function _depositWithReentrantExit(ReentrantActor.Action exit, uint256 amount) internal {
        actor.deposit(10_000e6);
        uint256 before = hToken.balanceOf(address(actor));
        actor.arm(exit, ReentrantActor.Action.None, 0, amount);
        uint256 shares = actor.deposit(10_000e6);

        assertEq(actor.reentries(), 1);
        assertFalse(actor.reentryOk(), "no exit in the middle of a deposit");
        assertEq(actor.reentryError(), guardError);
        assertGt(shares, 0);
        assertEq(hToken.balanceOf(address(actor)), before - 10_000e6, "nothing paid out");
        assertEq(hPool.totalAssets(), INITIAL_DEPOSIT + 20_000e6, "the book holds every deposit");
        assertEq(hPool.lockedGains(), 0, "nothing locked");
        _assertBooksConsistent();
    }

    function test_withdrawHook_reentrantWithdraw_refusedByGuard() public {
        actor.deposit(10_000e6);
        uint256 before = hToken.balanceOf(address(actor));
        actor.arm(ReentrantActor.Action.None, ReentrantActor.Action.Withdraw, 0, 5_000e6);
        actor.withdraw(5_000e6);

        assertEq(actor.reentryError(), guardError);
        assertEq(hToken.balanceOf(address(actor)), before + 5_000e6, "paid once");
        assertEq(hPool.convertToAssets(hPool.balanceOf(address(actor))), 5_000e6, "the rest still in the pool");
        assertEq(hPool.totalAssets(), INITIAL_DEPOSIT + 5_000e6);
        _assertBooksConsistent();
    }

    /// Fills are claimed (pull), so the lender gets control when it claims: a reentrant `processRedemptions` from
    /// its hook is refused by the pool's guard, and a fill paid once.
    function test_redemptionHook_reentrantProcess_refusedByPoolGuard() public {
        uint256 shares = actor.deposit(10_000e6);
        actor.requestRedeem(shares / 2);
        actor.requestRedeem(shares - shares / 2);
        uint256 before = hToken.balanceOf(address(actor));

        vm.prank(keeper);
        uint256 filled = hPool.processRedemptions(10);
        assertEq(filled, 2, "the call fills both requests");
        assertEq(hPool.claimable(address(actor)), 10_000e6);
        actor.arm(ReentrantActor.Action.None, ReentrantActor.Action.ProcessRedemptions, 0, 0);
        assertEq(actor.claim(), 10_000e6);

        assertEq(actor.reentryError(), guardError);
        assertEq(hPool.claimable(address(actor)), 0);
        assertEq(hPool.queuedShares(), 0);
        assertEq(hLedger.queueReserve(), 0);
        assertEq(hToken.balanceOf(address(actor)), before + 10_000e6, "each share redeemed once");
        assertEq(hPool.totalAssets(), INITIAL_DEPOSIT);
        _assertBooksConsistent();
    }
}
