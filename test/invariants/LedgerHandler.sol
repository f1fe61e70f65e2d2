// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {MockStablecoin} from "../../contracts/mocks/MockStablecoin.sol";
import {ILedger} from "./ILedger.sol";
import {ILendingPool} from "../../contracts/interfaces/ILendingPool.sol";
import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {ILedgerBook} from "../../contracts/interfaces/ILedgerBook.sol";
import {IRiskLimits} from "../../contracts/interfaces/IRiskLimits.sol";
import {LedgerModel} from "./LedgerModel.sol";
import {ILedgerHandler} from "./ILedgerHandler.sol";
import {WalletActor} from "./WalletActor.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// Drives the ledger and the pool with bounded random actions and keeps ghost books to check them against.
/// Every action works out beforehand whether the contracts must accept it, and with which error they must refuse it;
/// any other outcome is counted in `ghost().unexpected` and fails `invariant_HANDLER_noUnexpectedOutcome`.
contract LedgerHandler is Test, ILedgerHandler {
    uint256 public constant MAX_LOANS = 40;
    uint256 public constant BORROWERS = 5;
    uint256 public constant LENDERS = 3;
    uint256 internal constant PRODUCT_COUNT = 6;
    uint256 internal constant MAX_DEPOSIT = 500_000e6;
    uint256 internal constant MAX_LIMIT = 200_000e6;
    /// Largest batch `collect` and `mark` are called with (loan ids may repeat within a batch).
    uint256 internal constant MAX_BATCH = 8;
    /// Share-price dust: lenderAssets floors gross interest, fees and reserve separately (KI-2), so it may fall by
    /// up to 2 base units when gross interest moves by less than a unit.
    uint256 public constant PRICE_DUST_ASSETS = 2;
    /// KI-1: touching a loan with something past due trues the pool's over-recognised interest down. Set to false
    /// once the ledger stops over-recognising, to make POOL_E and POOL_G strict for those calls too.
    bool public constant KNOWN_ISSUE_LATE_TRUE_UP = true;
    /// KI-5: instant withdrawals do not hold back the cash that backs protocol fees owed, so once the rest of the book
    /// defaults the fees can exceed the pool's assets; lenderAssets then clamps at 0 and the next deposit pays the
    /// deficit. Calls that start with totalAssets 0 and shares outstanding are left out of POOL_E and POOL_G (and
    /// counted), and a recovery into such a pool may fill the deficit before lenders see it (`recover`, LEDGER_G),
    /// while this is true.
    bool public constant KNOWN_ISSUE_INSOLVENT_POOL = true;
    /// KI-11 (fixed): a `mark` that booked a true-up after a write-off's split checkpoint made the price fall by more
    /// than POOL_G's allowances (docs/SECURITY.md). `mark` now books every true-up before its write-offs; a call that
    /// writes a loan off is allowed this much more per write-off.
    uint256 public constant KNOWN_ISSUE_WRITE_OFF_UNIT = 0;

    /// One measured segment of a handler call (POOL_E, POOL_G): the pool before it, and what the call booked.
    struct Segment {
        uint256 assets;
        uint256 supply;
        uint256 provisions;
        /// Gross interest recognised less penalty paid, in whole units (`_grossUnits`).
        uint256 gross;
        /// Net change of the loans' provisions booked in the segment (increases positive, releases negative).
        int256 provisionDelta;
        /// Σ over the `LoanDefaulted` events of the segment of what each write-off cost the lenders and the reserve
        /// together (`lenderLoss + absorbed` and the reserve's take-back of its cut of the interest), and how many
        /// there were. The lenders may bear all of it: a reserve that absorbs a write-off no longer covers other
        /// loans' provisions (the book charges provisions to the reserve first).
        uint256 writeOffCost;
        uint256 writeOffs;
        bool lateTouch;
    }

    /// Per loan: principal repaid, principal written off, the provision the handler worked out at its last touch
    /// (and the risk epoch of the rates it used), and what is left of its claim once written off. For COLL_C: the
    /// payments the loan received (repayments, and collections that took something), and its oldest unpaid due date
    /// when last observed (0: nothing past due) with the payment count at that observation.
    struct LoanGhost {
        uint256 principalRepaid;
        uint256 principalWrittenOff;
        uint256 provision;
        uint256 provisionEpoch;
        Claim claim;
        uint256 payments;
        uint256 observedDueDate;
        uint256 paymentsAtObservation;
    }

    MockStablecoin public immutable token;
    ILedger public immutable ledger;
    ILendingPool public immutable pool;
    /// Works out what the ledger must do (see LedgerModel).
    LedgerModel public immutable model;
    /// Acts on the borrowers' mandates and wallets (see WalletActor).
    WalletActor public immutable wallets;
    /// Calls `collect` and `mark`.
    address internal immutable keeper;
    Roles internal roles;
    address[] internal lenders;
    address[] internal borrowers;
    uint256[] public loans;
    uint256 public currentTime;
    Ghost internal ghost_;
    Notes internal notes;
    /// The segment of the current call being measured; `lateTouch`: the call touched a loan with something past due.
    Segment internal seg;
    mapping(address actor => uint256) public ghost_shares;
    mapping(uint256 loanId => LoanGhost) internal ghost_loans;
    /// Calls per action, and how many of them the contracts accepted.
    mapping(string action => uint256) public calls;
    mapping(string action => uint256) public accepted;
    /// Loans `mark` moved into each bucket (Default = written off), for the run statistics.
    mapping(ICreditLedger.Bucket bucket => uint256) public markedInto;

    constructor(
        MockStablecoin token_,
        ILedger ledger_,
        ILendingPool pool_,
        LedgerModel model_,
        WalletActor wallets_,
        Roles memory roles_,
        address initialLender,
        uint256 initialDeposit
    ) {
        token = token_;
        ledger = ledger_;
        pool = pool_;
        model = model_;
        wallets = wallets_;
        roles = roles_;
        keeper = makeAddr("keeper");
        currentTime = block.timestamp;
        lenders.push(initialLender);
        lenders.push(makeAddr("lender-1"));
        lenders.push(makeAddr("lender-2"));
        for (uint256 i = 0; i < BORROWERS; ++i) borrowers.push(makeAddr(string.concat("borrower-", vm.toString(i))));
        ghost_shares[initialLender] = pool_.balanceOf(initialLender);
        ghost_.deposits = initialDeposit;
        for (uint256 i = 0; i < LENDERS; ++i) _approve(lenders[i]);
        for (uint256 i = 0; i < BORROWERS; ++i) _approve(borrowers[i]);
        _approve(roles_.thirdParty);
    }

    // ---------------------------------------------------------------- step bookkeeping

    /// Runs at the handler's clock and compares the share price before and after the action (POOL_E, POOL_G).
    modifier step(string memory action) {
        _begin(action);
        _;
        _end(action);
    }

    function _begin(string memory action) internal {
        vm.warp(currentTime);
        ++calls[action];
        ++ghost_.totalCalls;
        _openSegment();
    }

    function _end(string memory action) internal {
        currentTime = block.timestamp;
        _closeSegment(action);
        _observeDueDate(this.lateLoan(ghost_.totalCalls));
    }

    /// COLL_C: a loan's oldest unpaid due date (`pastDueSince`) is a fact of its schedule and its payments. Time
    /// alone never moves or clears it (later due dates only add arrears behind it), and a payment moves it only
    /// forward. The loan is compared with its last observation, then observed anew. The ledger's dating (ArrearsMath)
    /// is not used.
    function _observeDueDate(uint256 loanId) internal {
        if (loanId == 0) return;
        LoanGhost storage g = ghost_loans[loanId];
        ICreditLedger.LoanView memory v = ledger.loanState(loanId);
        bool active = v.status == ICreditLedger.LoanStatus.Active;
        uint256 since = active ? v.pastDueSince : 0;
        if (active && g.observedDueDate != 0) {
            ++ghost_.dueDateComparisons;
            bool paid = g.payments != g.paymentsAtObservation;
            // Arrears that vanish with no payment (since 0) are a move too.
            bool moved =
                since == 0
                    ? !paid
                    : paid
                        ? since < g.observedDueDate
                        : since != g.observedDueDate;
            if (moved) {
                ++ghost_.dueDateMoves;
                notes.lastDueDateMove = string.concat(
                    "loan ",
                    vm.toString(loanId),
                    paid
                        ? ": a payment moved the oldest unpaid due date back from "
                        : ": with no payment since, the oldest unpaid due date moved (0: cleared) from ",
                    vm.toString(g.observedDueDate),
                    " to ",
                    vm.toString(since),
                    " at ",
                    vm.toString(block.timestamp)
                );
            }
        }
        g.observedDueDate = since;
        g.paymentsAtObservation = g.payments;
    }

    function _openSegment() internal {
        seg = Segment({
            assets: pool.totalAssets(),
            supply: pool.totalSupply(),
            provisions: ledger.provisions(),
            gross: _grossUnits(),
            provisionDelta: 0,
            writeOffCost: 0,
            writeOffs: 0,
            lateTouch: false
        });
    }

    function _closeSegment(string memory action) internal {
        if (KNOWN_ISSUE_INSOLVENT_POOL && seg.assets == 0 && seg.supply != 0) {
            ++ghost_.insolventCalls;
            return;
        }
        _checkPrice(action, seg.assets, seg.supply, seg.provisions);
        _checkLoss(action);
    }

    /// Gross interest recognised since deployment less penalty paid, in whole units (`grossInterest()`, floored).
    /// Not rebuilt from interestReceivable + interest collected + interest written off: interestReceivable clamps at
    /// 0, and once every loan is closed or written off the units KI-3 leaves in cash make it negative, so the rebuilt
    /// figure would show a write-off's true-up a few units short. Penalty is left out so that a late payment's
    /// true-up (KI-1) shows as the fall it is even when the penalty it pays is larger (the pool locks the penalty as
    /// a step).
    function _grossUnits() internal returns (uint256) {
        uint256 gross = ledger.grossInterest();
        uint256 penalty = ledger.penaltyIncome();
        if (gross >= penalty) return gross - penalty;
        // Penalty is part of gross when paid: less gross than penalty is a fault of the book, counted for POOL_G.
        ++ghost_.grossBelowPenalty;
        return 0;
    }

    /// Price = (totalAssets + 1) / (totalSupply + 10^6), OpenZeppelin's virtual-share formula. A fall of more than
    /// `PRICE_DUST_ASSETS` units of totalAssets, beyond what new provisions for late loans explain, is a drop.
    function _checkPrice(
        string memory action,
        uint256 assetsBefore,
        uint256 supplyBefore,
        uint256 provisionsBefore
    ) internal {
        uint256 virtualBefore = supplyBefore + 1e6;
        uint256 virtualAfter = pool.totalSupply() + 1e6;
        uint256 provisionsAfter = ledger.provisions();
        uint256 assetsAfter = pool.totalAssets();
        if (provisionsAfter > provisionsBefore) assetsAfter += provisionsAfter - provisionsBefore;
        if ((assetsAfter + 1 + PRICE_DUST_ASSETS) * virtualBefore > (assetsBefore + 1) * virtualAfter - 1) return;
        uint256 drop = ((assetsBefore + 1) * 1e18) / virtualBefore - ((assetsAfter + 1) * 1e18) / virtualAfter;
        if (seg.lateTouch && KNOWN_ISSUE_LATE_TRUE_UP) {
            ++ghost_.lateTrueUpDrops;
            if (drop > ghost_.largestLateTrueUpDrop) ghost_.largestLateTrueUpDrop = drop;
            return;
        }
        ++ghost_.priceDrops;
        if (drop > ghost_.largestPriceDrop) ghost_.largestPriceDrop = drop;
        notes.lastPriceDrop = model.describePriceDrop(
            action,
            [assetsBefore, assetsAfter],
            [supplyBefore, virtualAfter - 1e6]
        );
    }

    /// POOL_G: the price may fall only by the loss the call booked: the net provision increase of the loans it
    /// touched and what its write-offs cost lenders and reserve together (`writeOffCost`), plus POOL_E's allowances
    /// bounded: `PRICE_DUST_ASSETS` (KI-2) and, on a call that touched a late loan (KI-1), the fall of gross interest
    /// it caused, rounded up.
    function _checkLoss(string memory action) internal {
        uint256 grossAfter = _grossUnits();
        // A write-off moves its loan's provision to its cost: with the provision it releases (in `provisionDelta`),
        // a fully provisioned write-off allows nothing. A net release is a step the pool locks: it never raises the
        // price at once, so it allows nothing and demands nothing.
        int256 booked = seg.provisionDelta + int256(seg.writeOffCost);
        int256 allowance = (booked > 0 ? booked : int256(0)) + int256(PRICE_DUST_ASSETS);
        if (seg.writeOffs != 0) allowance += int256(KNOWN_ISSUE_WRITE_OFF_UNIT * seg.writeOffs);
        if (seg.lateTouch && KNOWN_ISSUE_LATE_TRUE_UP && grossAfter < seg.gross) {
            // Gross is read in whole units (floored): the fall it shows is up to one unit short of the real one.
            allowance += int256(seg.gross - grossAfter) + 1;
        }
        uint256 virtualBefore = seg.supply + 1e6;
        uint256 virtualAfter = pool.totalSupply() + 1e6;
        uint256 assetsAfter = pool.totalAssets();
        // price after + allowance / virtualBefore ≥ price before, in integers
        if (
            (int256(assetsAfter) + 1 + allowance) * int256(virtualBefore) >=
            int256(seg.assets + 1) * int256(virtualAfter)
        ) {
            return;
        }
        uint256 drop = ((seg.assets + 1) * 1e18) / virtualBefore - ((assetsAfter + 1) * 1e18) / virtualAfter;
        ++ghost_.lossDrops;
        if (drop > ghost_.largestLossDrop) ghost_.largestLossDrop = drop;
        notes.lastLossDrop = model.describeLoss(
            action,
            [seg.assets, assetsAfter],
            seg.provisionDelta,
            seg.writeOffCost,
            [seg.gross, grossAfter]
        );
    }

    function _accepted(string memory action) internal {
        ++accepted[action];
    }

    function _unexpected(string memory what, bytes memory data) internal {
        ++ghost_.unexpected;
        notes.lastUnexpected = what;
        notes.lastUnexpectedData = data;
    }

    function _approve(address who) internal {
        vm.startPrank(who);
        token.approve(address(pool), type(uint256).max);
        token.approve(address(ledger), type(uint256).max);
        vm.stopPrank();
    }

    function _mintTo(address who, uint256 amount) internal {
        uint256 balance = token.balanceOf(who);
        if (balance < amount) token.faucet(who, amount - balance);
    }

    /// A payer who pays by hand has the tokens and has approved the ledger (collection may have used up, or
    /// `setWallet` taken away, the allowance).
    function _readyToPay(address who, uint256 amount) internal {
        _mintTo(who, amount);
        if (token.allowance(who, address(ledger)) < amount) {
            vm.prank(who);
            token.approve(address(ledger), type(uint256).max);
        }
    }

    function _lenderTokens() internal view returns (uint256 total) {
        for (uint256 i = 0; i < LENDERS; ++i) total += token.balanceOf(lenders[i]);
    }

    // ---------------------------------------------------------------- lenders

    function deposit(uint256 actorSeed, uint256 assets) external step("deposit") {
        address who = lenders[actorSeed % LENDERS];
        assets = bound(assets, 1, MAX_DEPOSIT);
        _mintTo(who, assets);
        uint256 expected = pool.previewDeposit(assets);
        vm.prank(who);
        try pool.deposit(assets, who) returns (uint256 shares) {
            _accepted("deposit");
            if (shares != expected) _unexpected("deposit: shares differ from preview", abi.encode(shares, expected));
            ghost_shares[who] += shares;
            ghost_.deposits += assets;
        } catch (bytes memory err) {
            _unexpected("deposit refused", err);
        }
    }

    /// An instant withdrawal of up to maxWithdraw: it must go through, paused or not.
    function withdraw(uint256 actorSeed, uint256 assets) external step("withdraw") {
        address who = lenders[actorSeed % LENDERS];
        uint256 max = pool.maxWithdraw(who);
        if (max == 0) return;
        assets = bound(assets, 1, max);
        uint256 tokensBefore = token.balanceOf(who);
        vm.prank(who);
        try pool.withdraw(assets, who, who) returns (uint256 shares) {
            _accepted("withdraw");
            if (token.balanceOf(who) - tokensBefore != assets) _unexpected("withdraw: paid amount", "");
            ghost_shares[who] -= shares;
            ghost_.withdrawals += assets;
        } catch (bytes memory err) {
            _unexpected("withdraw within maxWithdraw refused", err);
        }
    }

    function requestRedeem(uint256 actorSeed, uint256 shares) external step("requestRedeem") {
        address who = lenders[actorSeed % LENDERS];
        uint256 balance = pool.balanceOf(who);
        if (balance == 0) return;
        shares = bound(shares, 1, balance);
        vm.prank(who);
        try pool.requestRedeem(shares) returns (uint256) {
            _accepted("requestRedeem");
            ghost_shares[who] -= shares;
            ghost_.escrowedShares += shares;
        } catch (bytes memory err) {
            _unexpected("requestRedeem refused", err);
        }
    }

    function cancelRedeem(uint256 requestSeed) external step("cancelRedeem") {
        (uint256 head, uint256 tail) = pool.queueBounds();
        if (tail == head) return;
        uint256 requestId = head + (requestSeed % (tail - head));
        ILendingPool.RedemptionRequest memory request = pool.redemptionRequest(requestId);
        if (request.shares == 0) return;
        vm.prank(request.owner);
        try pool.cancelRedeem(requestId) {
            _accepted("cancelRedeem");
            ghost_shares[request.owner] += request.shares;
            ghost_.escrowedShares -= request.shares;
        } catch (bytes memory err) {
            _unexpected("cancelRedeem of an open request refused", err);
        }
    }

    /// Fills the queue, then every lender claims its fills (pull): the handler's payouts are what the lenders got.
    function processRedemptions(uint256 maxRequests) external step("processRedemptions") {
        maxRequests = bound(maxRequests, 1, 5);
        uint256 queuedBefore = pool.queuedShares();
        uint256 tokensBefore = _lenderTokens();
        (uint256 headBefore, ) = pool.queueBounds();
        try pool.processRedemptions(maxRequests) returns (uint256) {
            _accepted("processRedemptions");
            (uint256 headAfter, ) = pool.queueBounds();
            if (headAfter - headBefore > maxRequests) ++ghost_.queueOverreach;
            ghost_.escrowedShares -= queuedBefore - pool.queuedShares();
            for (uint256 i = 0; i < LENDERS; ++i) {
                if (pool.claimable(lenders[i]) == 0) continue;
                vm.prank(lenders[i]);
                pool.claim(lenders[i]);
            }
            ghost_.queuePayouts += _lenderTokens() - tokensBefore;
        } catch (bytes memory err) {
            _unexpected("processRedemptions refused", err);
        }
    }

    /// POOL_H: a lender deposits, a step may follow in the same block (mode 1: a late loan's arrears are paid, its
    /// provision released and its penalty paid; mode 2: a recovery on a written-off loan; else nothing), and the
    /// lender redeems what the deposit bought (as much as can leave now). It must never get back more than it paid
    /// for those shares.
    function flashRoundTrip(
        uint256 actorSeed,
        uint256 assets,
        uint256 loanSeed,
        uint256 mode
    ) external step("flashRoundTrip") {
        address who = lenders[actorSeed % LENDERS];
        assets = bound(assets, 1e6, MAX_DEPOSIT);
        _mintTo(who, assets);
        vm.prank(who);
        uint256 shares = pool.deposit(assets, who);
        ghost_shares[who] += shares;
        ghost_.deposits += assets;
        mode = mode % 3;
        if (mode == 1) {
            uint256 loanId = this.lateLoan(loanSeed);
            if (loanId != 0) {
                ICreditLedger.LoanView memory v = ledger.loanState(loanId);
                uint256 due = ledger.dueNow(loanId);
                if (due != 0) {
                    seg.lateTouch = true;
                    _repay(v.borrower, loanId, v, due, false);
                }
            }
        } else if (mode == 2) {
            uint256 loanId = _defaultedLoan(loanSeed);
            if (loanId != 0) {
                uint256 claim = ledger.loanState(loanId).payoff;
                address payer = address(uint160(loanId >> 96));
                _readyToPay(payer, claim);
                uint256 assetsBefore = ledger.lenderAssets();
                vm.prank(payer);
                ledger.repay(loanId, claim);
                _bookRecovery(loanId, claim, assetsBefore);
            }
        }
        uint256 redeemable = pool.maxRedeem(who);
        if (redeemable > shares) redeemable = shares;
        if (redeemable == 0) return;
        vm.prank(who);
        uint256 out = pool.redeem(redeemable, who, who);
        ghost_shares[who] -= redeemable;
        ghost_.withdrawals += out;
        ++ghost_.flashRoundTrips;
        // What those shares cost: assets × redeemable / shares, rounded up (the deposit rounded shares down). A loan
        // event's true-up is recognised interest and counts at once, so its rounding (KI-2, KI-3) can give a round
        // trip a unit or two: that dust is allowed, no more.
        uint256 paid = (assets * redeemable + shares - 1) / shares;
        if (out > paid + PRICE_DUST_ASSETS) {
            ++ghost_.flashGains;
            if (out - paid > ghost_.largestFlashGain) ghost_.largestFlashGain = out - paid;
        }
    }

    /// LEDGER_H: in a new block, a lender deposits, a per-borrower cap of `bps` of the book is switched on, and a
    /// borrower draws as much as the cap would allow if the deposit counted. Accepted only within the cap on the
    /// book before the deposit; the limits are off again afterwards (no other action uses them).
    function flashDraw(
        uint256 actorSeed,
        uint256 assets,
        uint256 borrowerSeed,
        uint256 bps
    ) external step("flashDraw") {
        if (loans.length > MAX_LOANS - 1) return;
        vm.roll(vm.getBlockNumber() + 1);
        uint256 bookBefore = ledger.cash() + ledger.principalOutstanding();
        address lender = lenders[actorSeed % LENDERS];
        assets = bound(assets, 1e6, MAX_DEPOSIT);
        _mintTo(lender, assets);
        vm.prank(lender);
        ghost_shares[lender] += pool.deposit(assets, lender);
        ghost_.deposits += assets;

        address who = borrowers[borrowerSeed % BORROWERS];
        ICreditLedger.LineView memory line = ledger.lineOf(who);
        uint8 productId = _product(line.productMask, borrowerSeed >> 16);
        bps = bound(bps, 1, 10_000);
        uint256 withDeposit = ((bookBefore + assets) * bps) / 10_000;
        uint256 amount = withDeposit > line.outstanding ? withDeposit - line.outstanding : 0;
        uint256 liquidity = ledger.availableLiquidity();
        if (amount > line.available) amount = line.available;
        if (amount > liquidity) amount = liquidity;
        if (amount == 0) return;
        IRiskLimits.Limits memory lim;
        lim.maxExposureBps = uint16(bps);
        vm.prank(roles.admin);
        ledger.setLimits(lim);
        ++ghost_.flashDraws;
        vm.prank(who);
        bool withinPreBlockCap = line.outstanding + amount <= (bookBefore * bps) / 10_000;
        try ledger.draw(productId, amount) returns (uint256 loanId) {
            loans.push(loanId);
            if (!withinPreBlockCap) ++ghost_.capsLoosened;
        } catch (bytes memory reason) {
            // The exposure cap may refuse only what the pre-block cap refuses (other refusals, such as a product
            // cap, are the other actions' to predict).
            if (bytes4(reason) == IRiskLimits.ExposureCapExceeded.selector && withinPreBlockCap) {
                ++ghost_.capsTightened;
            }
        }
        delete lim.maxExposureBps;
        vm.prank(roles.admin);
        ledger.setLimits(lim);
    }

    /// A transfer straight to the ledger: it must change nothing in the book (POOL_A).
    function donate(uint256 amount) external step("donate") {
        amount = bound(amount, 1, 10_000e6);
        token.faucet(address(ledger), amount);
        ghost_.donations += amount;
    }

    // ---------------------------------------------------------------- admin, underwriter, pauser

    /// Mostly active lines with at least one product; one call in four freezes, closes or activates a line.
    function setLine(
        uint256 borrowerSeed,
        uint256 limit,
        uint256 aprBps,
        uint32 productMask,
        uint256 statusSeed
    ) external step("setLine") {
        address who = borrowers[borrowerSeed % BORROWERS];
        limit = bound(limit, 0, MAX_LIMIT);
        aprBps = bound(aprBps, 0, ledger.APR_CAP_BPS());
        ICreditLedger.LineStatus status =
            statusSeed % 4 == 0 ? ICreditLedger.LineStatus((statusSeed % 3) + 1) : ICreditLedger.LineStatus.Active;
        productMask = (productMask & 0x3f) | uint32(1 << (statusSeed % PRODUCT_COUNT));
        // While paused no new line opens: a borrower whose line was never opened (status None) is refused, even with
        // a KYC expiry already recorded (KI-7, fixed).
        bool opens = ledger.lineOf(who).status == ICreditLedger.LineStatus.None;
        bytes memory expectedError =
            opens && ledger.paused() ? abi.encodeWithSelector(ICreditLedger.EnforcedPause.selector) : bytes("");
        vm.prank(roles.underwriter);
        try ledger.setLine(who, limit, aprBps, productMask, status) {
            if (expectedError.length != 0) return _unexpected("setLine: a new line opened while paused", "");
            _accepted("setLine");
        } catch (bytes memory err) {
            if (keccak256(err) != keccak256(expectedError)) _unexpected("setLine within bounds refused", err);
        }
    }

    /// The underwriter records a KYC expiry for a borrower (none, one already past, or up to 400 days ahead; whole
    /// days, as the offers contract would), or one call in eight the admin switches the requirement of a credential
    /// for every draw. `draw` then predicts `KycRequiredToDraw` from the line's `kycExpiresAt`.
    function setKyc(uint256 borrowerSeed, uint256 expirySeed) external step("setKyc") {
        address who = borrowers[borrowerSeed % BORROWERS];
        uint256 mode = expirySeed % 8;
        if (mode == 0) {
            bool required = !ledger.kycRequired();
            vm.prank(roles.admin);
            try ledger.setKycRequired(required) {
                _accepted("setKyc");
                if (ledger.kycRequired() != required) _unexpected("setKycRequired: stored switch", "");
            } catch (bytes memory err) {
                _unexpected("setKycRequired refused", err);
            }
            return;
        }
        uint256 expiry =
            mode == 1
                ? 0
                : mode == 2
                    ? block.timestamp - bound(expirySeed >> 8, 0, 30 days)
                    : block.timestamp + bound(expirySeed >> 8, 1, 400 days);
        vm.prank(roles.underwriter);
        try ledger.setKycExpiry(who, expiry) {
            _accepted("setKyc");
            if (ledger.lineOf(who).kycExpiresAt != (expiry / 1 days) * 1 days) {
                _unexpected("setKycExpiry: not stored in whole days", abi.encode(ledger.lineOf(who).kycExpiresAt));
            }
        } catch (bytes memory err) {
            _unexpected("setKycExpiry refused", err);
        }
    }

    /// Pauses one call in four and unpauses otherwise, so credit is paused about a quarter of the time.
    function setPaused(uint256 seed) external step("setPaused") {
        bool pause = seed % 4 == 0;
        if (pause == ledger.paused()) return;
        vm.prank(roles.pauser);
        if (pause) {
            try ledger.pause() {
                _accepted("setPaused");
            } catch (bytes memory err) {
                _unexpected("pause refused", err);
            }
        } else {
            try ledger.unpause() {
                _accepted("setPaused");
            } catch (bytes memory err) {
                _unexpected("unpause refused", err);
            }
        }
    }

    function setRates(uint256 feeBps, uint256 firstLossBps, uint256 liquidityBps) external step("setRates") {
        uint256 max = ledger.MAX_RATE_BPS();
        feeBps = bound(feeBps, 0, max);
        firstLossBps = bound(firstLossBps, 0, max - feeBps);
        liquidityBps = bound(liquidityBps, 0, max);
        (uint256 oldFeeBps, , ) = ledger.rates();
        vm.prank(roles.admin);
        try ledger.setRates(feeBps, firstLossBps, liquidityBps) {
            _accepted("setRates");
            // A provision's base is net of the protocol fee's share of the interest.
            if (feeBps != oldFeeBps) ++ghost_.riskEpoch;
        } catch (bytes memory err) {
            _unexpected("setRates within bounds refused", err);
        }
    }

    /// The admin sets a product's outstanding cap: one call in four lifts it (0 = none), otherwise a cap from half
    /// the product's outstanding to 200,000 above it, so later draws are refused by it or pass under it and caps
    /// below the outstanding occur. `draw` predicts `ProductCapExceeded` from `productExposure`.
    function setProductCap(uint256 productSeed, uint256 capSeed) external step("setProductCap") {
        uint8 productId = uint8(productSeed % PRODUCT_COUNT);
        (uint256 outstanding, ) = ledger.productExposure(productId);
        uint256 cap = capSeed % 4 == 0 ? 0 : bound(capSeed >> 2, outstanding / 2, outstanding + 200_000e6);
        vm.prank(roles.admin);
        try ledger.setProductCap(productId, cap) {
            _accepted("setProductCap");
            (uint256 outstandingAfter, uint256 stored) = ledger.productExposure(productId);
            if (stored != cap || outstandingAfter != outstanding) _unexpected("setProductCap: stored", "");
        } catch (bytes memory err) {
            _unexpected("setProductCap refused", err);
        }
    }

    function claimFees(uint256 amount) external step("claimFees") {
        uint256 owed = ledger.protocolFeesOwed();
        uint256 cash = ledger.cash();
        uint256 max = owed < cash ? owed : cash;
        if (max == 0) return;
        amount = bound(amount, 1, max);
        // Fees are earned on interest received: the fee share of the interest receivable stays back (item 3; the
        // handler's products have no origination fee, so no rebate is held).
        (uint256 feeBps, , ) = ledger.rates();
        uint256 held = (ledger.interestReceivable() * feeBps + 9_999) / 10_000;
        uint256 claimable = owed > held ? owed - held : 0;
        // Only cash above the liquidity reserve and the queue's hold may be claimed (KI-9, fixed).
        uint256 available = ledger.availableLiquidity();
        bytes memory expectedError =
            amount > claimable
                ? abi.encodeWithSelector(ILedgerBook.FeesExceeded.selector, amount, claimable)
                : amount > available
                    ? abi.encodeWithSelector(ILedgerBook.InsufficientLiquidity.selector, amount, available)
                    : bytes("");
        uint256 before = token.balanceOf(roles.admin);
        vm.prank(roles.admin);
        try ledger.claimFees(roles.admin, amount) {
            if (expectedError.length != 0) return _unexpected("claimFees: took held fees or reserved cash", "");
            _accepted("claimFees");
            if (token.balanceOf(roles.admin) - before != amount) _unexpected("claimFees: paid amount", "");
            ghost_.feesClaimed += amount;
        } catch (bytes memory err) {
            if (keccak256(err) != keccak256(expectedError))
                _unexpected("claimFees within owed and available refused", err);
        }
    }

    function warp(uint256 seconds_) external step("warp") {
        vm.warp(block.timestamp + bound(seconds_, 1, 40 days));
    }

    // ---------------------------------------------------------------- time and risk parameters

    /// A long wait: loans left unpaid go through grace, M1, M2, M3 and default (90 days by default).
    function warpLong(uint256 seconds_) external step("warpLong") {
        vm.warp(block.timestamp + bound(seconds_, 1 days, 100 days));
    }

    /// A wait to one second before, on, or after a bucket edge of a loan (grace, 30, 60 days, the default threshold)
    /// counted from its oldest unpaid due date, or from its next due date when nothing is past due.
    function warpToEdge(uint256 loanSeed, uint256 edgeSeed) external step("warpToEdge") {
        uint256 loanId = _activeLoan(loanSeed);
        if (loanId == 0) return;
        uint256 target = model.edgeTime(loanId, edgeSeed);
        if (target > block.timestamp && target - block.timestamp <= 120 days) vm.warp(target);
    }

    /// Delinquency parameters (see `LedgerModel.riskParamsFor`): the defaults, random ones within bounds, or one
    /// bound broken (refused with `InvalidRiskParams`).
    function setRiskParams(
        uint256 seed,
        uint16 graceDays,
        uint16 defaultDays,
        uint16 penaltyBps,
        uint16 m1,
        uint16 m2,
        uint16 m3
    ) external step("setRiskParams") {
        (ICreditLedger.RiskParams memory p, bool invalid) = model.riskParamsFor(
            seed,
            [graceDays, defaultDays, penaltyBps, m1, m2, m3]
        );
        ICreditLedger.RiskParams memory old = ledger.riskParams();
        vm.prank(roles.admin);
        try ledger.setRiskParams(p) {
            if (invalid) return _unexpected("setRiskParams out of bounds accepted", abi.encode(p));
            _accepted("setRiskParams");
            if (keccak256(abi.encode(ledger.riskParams())) != keccak256(abi.encode(p))) {
                _unexpected("setRiskParams: stored parameters", abi.encode(ledger.riskParams()));
            }
            // Grace and the default threshold bound the provision's days-past-due segments too.
            if (
                old.graceDays != p.graceDays ||
                old.defaultDays != p.defaultDays ||
                old.provisionM1Bps != p.provisionM1Bps ||
                old.provisionM2Bps != p.provisionM2Bps ||
                old.provisionM3Bps != p.provisionM3Bps
            ) ++ghost_.riskEpoch;
        } catch (bytes memory err) {
            bytes memory expected = abi.encodeWithSelector(ICreditLedger.InvalidRiskParams.selector);
            if (!invalid || keccak256(err) != keccak256(expected)) _unexpected("setRiskParams", err);
        }
    }

    // ---------------------------------------------------------------- mandates and wallets

    /// A borrower sets, revokes or permits a mandate, or asks for too large a cap (see `WalletActor.setMandate`).
    function setMandate(uint256 borrowerSeed, uint256 cap, uint256 mode) external step("setMandate") {
        _report("setMandate", wallets.setMandate(borrowerSeed, cap, mode));
    }

    /// A borrower's balance and allowance change, so collection meets empty wallets (see `WalletActor.setWallet`).
    function setWallet(uint256 borrowerSeed, uint256 balance, uint256 allowance) external step("setWallet") {
        _report("setWallet", wallets.setWallet(borrowerSeed, balance, allowance));
    }

    function _report(string memory action, WalletActor.Outcome memory o) internal {
        if (o.accepted) _accepted(action);
        if (bytes(o.what).length != 0) _unexpected(o.what, o.data);
    }

    // ---------------------------------------------------------------- borrowers

    /// Draws any product; one draw in eight asks for more than the line or the pool has room for. The handler
    /// predicts the outcome from the rules in `CreditLedger._draw`, in their order, and checks the exact error.
    function draw(uint256 borrowerSeed, uint256 productSeed, uint256 amount, bool toThirdParty) external step("draw") {
        if (loans.length > MAX_LOANS - 1) return;
        address who = borrowers[borrowerSeed % BORROWERS];
        ICreditLedger.LineView memory line = ledger.lineOf(who);
        uint8 productId = _product(line.productMask, productSeed);
        uint256 liquidity = ledger.availableLiquidity();
        uint256 room = line.available < liquidity ? line.available : liquidity;
        amount = productSeed % 8 == 7 ? bound(amount, room + 1, room + 1_000e6) : bound(amount, 1, room + 1);
        bytes memory expectedError = model.drawError(who, productId, amount, line, liquidity);
        address to = toThirdParty ? roles.thirdParty : who;
        uint256 tokensBefore = token.balanceOf(to);
        vm.prank(who);
        try ledger.drawTo(productId, amount, to) returns (uint256 loanId) {
            if (expectedError.length != 0) return _unexpected("draw accepted", expectedError);
            _accepted("draw");
            ICreditLedger.LineView memory after_ = ledger.lineOf(who);
            if (after_.outstanding > after_.limit) ++ghost_.limitBreaches;
            if (after_.outstanding != line.outstanding + amount) _unexpected("draw: line outstanding", "");
            if (token.balanceOf(to) - tokensBefore != amount) _unexpected("draw: paid amount", "");
            loans.push(loanId);
        } catch (bytes memory err) {
            if (keccak256(err) != keccak256(expectedError)) _unexpected("draw refused", err);
        }
    }

    /// Mostly a product of the line (the `productSeed % 6`-th allowed one, cyclically), one time in eight any product.
    function _product(uint256 mask, uint256 productSeed) internal pure returns (uint8) {
        uint256 start = productSeed % PRODUCT_COUNT;
        if ((productSeed >> 8) % 8 == 0) return uint8(start);
        for (uint256 i = 0; i < PRODUCT_COUNT; ++i) {
            uint256 id = (start + i) % PRODUCT_COUNT;
            if ((mask >> id) & 1 == 1) return uint8(id);
        }
        return uint8(start);
    }

    /// Modes: 0 a random part of the payoff, 1 what is due (or the next instalment), 2 the payoff, 3 the next
    /// instalment on its due date, 4 more than the payoff (must be refused with the payoff). Odd seeds have a third
    /// party pay.
    function repay(uint256 loanSeed, uint256 mode, uint256 amount) external step("repay") {
        uint256 loanId = _activeLoan(loanSeed);
        if (loanId == 0) return;
        mode = mode % 5;
        if (mode == 3) {
            uint256 due = ledger.loanState(loanId).nextDueAt;
            if (due > block.timestamp && due - block.timestamp < 40 days + 1) {
                // The wait is checked as a segment of its own, so the payment's segment starts on the due date.
                vm.warp(due);
                _closeSegment("repay: wait for the due date");
                _openSegment();
            }
        }
        ICreditLedger.LoanView memory v = ledger.loanState(loanId);
        if (mode == 0) amount = bound(amount, 1, v.payoff);
        else if (mode == 1 || mode == 3) amount = v.pastDue != 0 ? v.pastDue : v.nextDueAmount;
        else if (mode == 2) amount = type(uint256).max;
        else amount = bound(amount, v.payoff + 1, v.payoff + 1_000e6);
        if (amount == 0) return;
        if (amount != type(uint256).max && amount > v.payoff && mode != 4) amount = v.payoff;
        seg.lateTouch = v.pastDue != 0;
        _repay(loanSeed % 2 == 0 ? v.borrower : roles.thirdParty, loanId, v, amount, mode == 4);
    }

    function _repay(
        address payer,
        uint256 loanId,
        ICreditLedger.LoanView memory v,
        uint256 amount,
        bool mustFail
    ) internal {
        _readyToPay(payer, amount == type(uint256).max ? v.payoff : amount);
        uint256 principalBefore = ledger.loanRecord(loanId).principalPaid;
        uint256 tokensBefore = token.balanceOf(payer);
        vm.prank(payer);
        try ledger.repay(loanId, amount) returns (uint256 paid) {
            if (mustFail) return _unexpected("over-payment accepted", abi.encode(loanId, amount, v.payoff));
            _accepted("repay");
            ++ghost_loans[loanId].payments;
            uint256 principalPart = ledger.loanRecord(loanId).principalPaid - principalBefore;
            if (paid != (amount == type(uint256).max ? v.payoff : amount)) _unexpected("repay: paid amount", "");
            if (tokensBefore - token.balanceOf(payer) != paid) _unexpected("repay: pulled amount", "");
            ghost_loans[loanId].principalRepaid += principalPart;
            ghost_.interestCollected += paid - principalPart;
            _syncLoan(loanId);
            _checkBucket(loanId, true);
        } catch (bytes memory err) {
            bytes memory expected = abi.encodeWithSelector(
                ICreditLedger.RepaymentExceedsPayoff.selector,
                amount,
                v.payoff
            );
            if (!mustFail || keccak256(err) != keccak256(expected)) _unexpected("repay", err);
        }
    }

    /// The first active loan from position `seed` on, cyclically; 0 if none.
    function _activeLoan(uint256 seed) internal view returns (uint256) {
        uint256 n = loans.length;
        for (uint256 i = 0; i < n; ++i) {
            uint256 loanId = loans[(seed + i) % n];
            if (ledger.loanRecord(loanId).status == ICreditLedger.LoanStatus.Active) return loanId;
        }
        return 0;
    }

    /// The first defaulted loan from position `seed` on, cyclically; 0 if none.
    function _defaultedLoan(uint256 seed) internal view returns (uint256) {
        uint256 n = loans.length;
        for (uint256 i = 0; i < n; ++i) {
            uint256 loanId = loans[(seed + i) % n];
            if (ledger.loanRecord(loanId).status == ICreditLedger.LoanStatus.Defaulted) return loanId;
        }
        return 0;
    }

    // ---------------------------------------------------------------- collection and delinquency

    /// A keeper collects a random batch of loans (any status, ids may repeat), then the same batch again in the
    /// same block. Each entry's outcome is predicted from the loan, the mandate and the borrower's wallet (COLL_A).
    function collect(uint256 subsetSeed, uint256 size) external step("collect") {
        uint256[] memory ids = _subset(subsetSeed, size);
        if (ids.length == 0) return;
        uint256[] memory dueBefore = new uint256[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) dueBefore[i] = ledger.dueNow(ids[i]);
        uint256[] memory first = _collectOnce(ids, "collect", new uint256[](ids.length));
        // The second call is in the same transaction: a capped mandate's cap is shared with the first call.
        uint256[] memory tallied = new uint256[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            for (uint256 j = 0; j < ids.length; ++j) if (ids[j] == ids[i]) tallied[i] += first[j];
        }
        uint256[] memory second = _collectOnce(ids, "collect again", tallied);
        for (uint256 i = 0; i < ids.length; ++i) {
            if (_seenBefore(ids, i)) continue;
            uint256 firstTotal;
            uint256 secondTotal;
            for (uint256 j = i; j < ids.length; ++j) {
                if (ids[j] != ids[i]) continue;
                firstTotal += first[j];
                secondTotal += second[j];
            }
            bool over = firstTotal + secondTotal > dueBefore[i];
            bool again = firstTotal == dueBefore[i] && secondTotal != 0;
            if (over) ++ghost_.overCollections;
            if (again) ++ghost_.secondCollections;
            if (over || again) {
                notes.lastCollection = model.describeCollection(ids[i], firstTotal, secondTotal, dueBefore[i]);
            }
        }
    }

    /// One `collect(ids)`: predicts every entry, compares with the events in order, books the ghosts. Returns what
    /// was collected per entry.
    function _collectOnce(
        uint256[] memory ids,
        string memory action,
        uint256[] memory tallied
    ) internal returns (uint256[] memory taken) {
        LedgerModel.Expected[] memory expected = model.predictCollection(ids, tallied);
        taken = new uint256[](ids.length);
        uint256 expectedTotal;
        uint256[] memory principalBefore = new uint256[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            if (expected[i].kind == 1) taken[i] = expected[i].value;
            if (expected[i].kind == 1) ++ghost_.collections;
            else if (expected[i].kind == 2) ++ghost_.failedCollections;
            expectedTotal += taken[i];
            principalBefore[i] = ledger.loanRecord(ids[i]).principalPaid;
        }
        uint256 ledgerTokensBefore = token.balanceOf(address(ledger));
        vm.recordLogs();
        vm.prank(keeper);
        try ledger.collect(ids) returns (uint256 total) {
            _accepted(action);
            if (total != expectedTotal) _unexpected("collect: total", abi.encode(total, expectedTotal));
            if (token.balanceOf(address(ledger)) - ledgerTokensBefore != total) _unexpected("collect: tokens", "");
        } catch (bytes memory err) {
            _unexpected("collect reverted", err);
            return new uint256[](ids.length);
        }
        (bool ok, bytes memory detail) = model.checkCollectionEvents(ids, expected);
        if (!ok) _unexpected("collect: events differ from the model", detail);
        for (uint256 i = 0; i < ids.length; ++i) {
            if (_seenBefore(ids, i)) continue;
            uint256 collected;
            for (uint256 j = i; j < ids.length; ++j) if (ids[j] == ids[i]) collected += taken[j];
            if (collected == 0) continue;
            ++ghost_loans[ids[i]].payments;
            uint256 principalPart = ledger.loanRecord(ids[i]).principalPaid - principalBefore[i];
            ghost_loans[ids[i]].principalRepaid += principalPart;
            ghost_.interestCollected += collected - principalPart;
            seg.lateTouch = true; // something was due
            _syncLoan(ids[i]);
            _checkBucket(ids[i], true);
        }
    }

    /// Marks a random batch of loans (any status, ids may repeat), checking each active loan's new bucket against
    /// `ArrearsMath.bucketOf` on the view read before (COLL_B), booking write-offs from `LoanDefaulted`, then marks
    /// the same batch again in the same block: nothing may change.
    function mark(uint256 subsetSeed, uint256 size) external step("mark") {
        uint256[] memory ids = _subset(subsetSeed, size);
        if (ids.length == 0) return;
        if (model.planMark(ids)) seg.lateTouch = true;
        vm.recordLogs();
        vm.prank(keeper);
        try ledger.mark(ids) {
            _accepted("mark");
        } catch (bytes memory err) {
            return _unexpected("mark reverted", err);
        }
        LedgerModel.MarkResult memory r = model.checkMark();
        if (!r.ok) _unexpected("mark: events differ from the model", r.detail);
        for (uint256 d = 0; d < r.defaults.length; ++d) _bookDefault(r.defaults[d]);
        if (r.mismatches != 0) {
            ghost_.bucketMismatches += r.mismatches;
            notes.lastBucket = r.note;
        }
        for (uint256 i = 0; i < r.touched.length; ++i) {
            ++markedInto[r.buckets[i]];
            _syncLoan(r.touched[i]);
        }
        // Marking twice in the same block changes nothing and emits nothing.
        bytes32 stateBefore = model.markState(ids);
        vm.recordLogs();
        vm.prank(keeper);
        try ledger.mark(ids) {
            if (model.markState(ids) != stateBefore || vm.getRecordedLogs().length != 0) ++ghost_.markChanges;
        } catch (bytes memory err) {
            _unexpected("second mark reverted", err);
        }
    }

    /// A write-off (checked by the model): principal and interest written off, the claim left on the borrower and
    /// what recoveries owe lenders and the reserve.
    function _bookDefault(LedgerModel.Default memory d) internal {
        ++ghost_.defaults;
        ghost_loans[d.loanId].principalWrittenOff = d.principal;
        ghost_.principalWrittenOff += d.principal;
        ghost_.interestWrittenOff += d.loss - d.principal;
        ghost_loans[d.loanId].claim = Claim({
            claimLeft: d.claim,
            lenderLossLeft: d.lenderLoss,
            reserveLeft: d.absorbed
        });
        (, uint256 firstLossBps, ) = ledger.rates();
        seg.writeOffCost += d.lenderLoss + d.absorbed + ((d.loss - d.principal) * firstLossBps) / 10_000;
        ++seg.writeOffs;
    }

    /// A payment on a defaulted loan (`repay` routes it to `recover`): part of the claim, all of it (`max` or the
    /// exact claim), or more than the claim (refused with the claim). Lenders are repaid first, then the reserve.
    function recover(uint256 loanSeed, uint256 mode, uint256 amount) external step("recover") {
        uint256 loanId = _defaultedLoan(loanSeed);
        if (loanId == 0) return;
        Claim memory c = ghost_loans[loanId].claim;
        uint256 claim = ledger.loanState(loanId).payoff;
        if (claim != c.claimLeft) _unexpected("recover: claim", abi.encode(loanId, claim, c.claimLeft));
        bytes memory expectedError;
        (amount, expectedError) = model.recoveryAmount(mode, amount, claim);
        uint256 pay = amount == type(uint256).max ? claim : amount;
        address payer = loanSeed % 2 == 0 ? address(uint160(loanId >> 96)) : roles.thirdParty;
        _readyToPay(payer, pay);
        uint256 assetsBefore = ledger.lenderAssets();
        vm.prank(payer);
        try ledger.repay(loanId, amount) returns (uint256 paid) {
            if (expectedError.length != 0) return _unexpected("recover accepted", expectedError);
            _accepted("recover");
            if (paid != pay) _unexpected("recover: paid", abi.encode(paid, pay));
            _bookRecovery(loanId, pay, assetsBefore);
        } catch (bytes memory err) {
            if (keccak256(err) != keccak256(expectedError)) _unexpected("recover refused", err);
        }
    }

    function _bookRecovery(uint256 loanId, uint256 paid, uint256 assetsBefore) internal {
        Claim storage c = ghost_loans[loanId].claim;
        uint256 toLenders = paid < c.lenderLossLeft ? paid : c.lenderLossLeft;
        uint256 toReserve = paid - toLenders;
        if (toReserve > c.reserveLeft) toReserve = c.reserveLeft;
        toLenders = paid - toReserve;
        // KI-5: over a deficit (lenderAssets clamped at 0) the recovery fills the deficit first.
        bool insolvent = KNOWN_ISSUE_INSOLVENT_POOL && assetsBefore == 0 && pool.totalSupply() != 0;
        uint256 assetsAfter = ledger.lenderAssets();
        // Provisions are charged to the reserve first: what the reserve gets back covers the provisions above it,
        // so the lenders' assets rise by the recovery less only the part of `toReserve` the reserve keeps for itself.
        uint256 rise = paid - _reserveKeeps(toReserve);
        if (insolvent ? assetsAfter > rise : assetsAfter != assetsBefore + rise) {
            _unexpected("recover: lenders' assets", abi.encode(assetsBefore, assetsAfter, rise));
        }
        c.claimLeft -= paid;
        c.lenderLossLeft -= toLenders < c.lenderLossLeft ? toLenders : c.lenderLossLeft;
        c.reserveLeft -= toReserve;
        ghost_.recoveries += paid;
        if (ledger.loanState(loanId).payoff != c.claimLeft) _unexpected("recover: claim left", "");
        if (ledger.loanRecord(loanId).status != ICreditLedger.LoanStatus.Defaulted) _unexpected("recover: status", "");
    }

    /// Of `toReserve` just added to the first-loss reserve, the part the lenders' assets do not gain: the rise of
    /// max(reserve, provisions) (`_lenderAssetsAt` charges provisions to the reserve first).
    function _reserveKeeps(uint256 toReserve) internal view returns (uint256) {
        uint256 reserve = ledger.firstLossReserve();
        uint256 provisions = ledger.provisions();
        uint256 before = reserve - toReserve;
        return (reserve > provisions ? reserve : provisions) - (before > provisions ? before : provisions);
    }

    // ---------------------------------------------------------------- loan bookkeeping

    /// The provision a loan carries after the handler touched it: its write-off cost at its last touch × the rate for
    /// its days past due then, under the parameters in force now (0 unless active in Grace–M3). POOL_F sums these.
    function _syncLoan(uint256 loanId) internal {
        uint256 provision = model.provisionOf(loanId);
        uint256 old = ghost_loans[loanId].provision;
        seg.provisionDelta += int256(provision) - int256(old);
        ghost_.provisions = ghost_.provisions + provision - old;
        ghost_loans[loanId].provision = provision;
        ghost_loans[loanId].provisionEpoch = ghost_.riskEpoch;
    }

    /// COLL_B after a payment: the stored bucket is the one `bucketOf` gives on the view now (M3 past default).
    function _checkBucket(uint256 loanId, bool capAtM3) internal {
        (bool ok, string memory note_) = model.checkBucket(loanId, capAtM3);
        if (ok) return;
        ++ghost_.bucketMismatches;
        notes.lastBucket = note_;
    }

    /// 1 to `MAX_BATCH` loan ids drawn at random from all loans (any status; an id may repeat).
    function _subset(uint256 seed, uint256 size) internal view returns (uint256[] memory ids) {
        uint256 n = loans.length;
        if (n == 0) return ids;
        ids = new uint256[](bound(size, 1, MAX_BATCH));
        for (uint256 i = 0; i < ids.length; ++i) ids[i] = loans[uint256(keccak256(abi.encode(seed, i))) % n];
    }

    function _seenBefore(uint256[] memory ids, uint256 i) internal pure returns (bool) {
        for (uint256 j = 0; j < i; ++j) if (ids[j] == ids[i]) return true;
        return false;
    }

    // ---------------------------------------------------------------- views for the invariants

    /// An active loan picked by `seed` (0 if none), for the invariants that act on one loan.
    function activeLoan(uint256 seed) external view returns (uint256) {
        return _activeLoan(seed);
    }

    /// An active loan past its due date as last marked or paid (bucket Grace or worse) from position `seed` on, or
    /// any active loan if there is none; 0 if no loan is active.
    function lateLoan(uint256 seed) external view returns (uint256) {
        uint256 n = loans.length;
        for (uint256 i = 0; i < n; ++i) {
            ICreditLedger.Loan memory loan = ledger.loanRecord(loans[(seed + i) % n]);
            if (loan.status == ICreditLedger.LoanStatus.Active && loan.bucket != ICreditLedger.Bucket.Current) {
                return loans[(seed + i) % n];
            }
        }
        return _activeLoan(seed);
    }

    /// A defaulted loan picked by `seed` (0 if none).
    function defaultedLoan(uint256 seed) external view returns (uint256) {
        return _defaultedLoan(seed);
    }

    function claimOf(uint256 loanId) external view returns (Claim memory) {
        return ghost_loans[loanId].claim;
    }

    function ghost_principalRepaid(uint256 loanId) external view returns (uint256) {
        return ghost_loans[loanId].principalRepaid;
    }

    function ghost_principalWrittenOff(uint256 loanId) external view returns (uint256) {
        return ghost_loans[loanId].principalWrittenOff;
    }

    function ghost_provision(uint256 loanId) external view returns (uint256) {
        return ghost_loans[loanId].provision;
    }

    function ghost_provisionEpoch(uint256 loanId) external view returns (uint256) {
        return ghost_loans[loanId].provisionEpoch;
    }

    function ghost() external view returns (Ghost memory) {
        return ghost_;
    }

    function note() external view returns (Notes memory) {
        return notes;
    }

    function loanCount() external view returns (uint256) {
        return loans.length;
    }

    /// Capital moves only with deposits, withdrawals, queue payouts, fee claims, principal written off and
    /// recoveries. It is signed: once lenders have taken out the interest they earned, it is below zero.
    function ghostCapital() external view returns (int256) {
        return
            int256(ghost_.deposits) -
            int256(ghost_.withdrawals) -
            int256(ghost_.queuePayouts) -
            int256(ghost_.feesClaimed) -
            int256(ghost_.principalWrittenOff) +
            int256(ghost_.recoveries);
    }

    function lendersList() external view returns (address[] memory) {
        return lenders;
    }

    function borrowersList() external view returns (address[] memory) {
        return borrowers;
    }

    function rolesOf() external view returns (Roles memory) {
        return roles;
    }
}
