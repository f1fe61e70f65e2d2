// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Vm} from "forge-std/Vm.sol";
import {MockStablecoin} from "../../contracts/mocks/MockStablecoin.sol";
import {ILedger} from "./ILedger.sol";
import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {ILedgerBook} from "../../contracts/interfaces/ILedgerBook.sol";
import {IProductLimits} from "../../contracts/interfaces/IProductLimits.sol";
import {ArrearsMath} from "../../contracts/libraries/ArrearsMath.sol";
import {ProvisionModel} from "./ProvisionModel.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// What the ledger must do, worked out from its views before a call and checked against its events after: the
/// LedgerHandler's predictions for draws, collection and marking. Views and pure functions only; the handler keeps
/// the ghost books. (A contract of its own: with it the handler's init code would pass the 49,152-byte limit of
/// EIP-3860, which the test runner enforces on contracts a test deploys.)
contract LedgerModel is CommonBase, StdUtils {
    uint256 internal constant BPS = 10_000;

    /// What `collect` must do with one entry of a batch.
    struct Expected {
        uint8 kind; // 0 nothing (nothing due), 1 Collected, 2 CollectionFailed
        uint256 value; // amount collected, or the failure reason
    }

    /// A `LoanDefaulted` event, checked: the principal written off and the claim left are the view's principal
    /// outstanding and payoff before the mark.
    struct Default {
        uint256 loanId;
        uint256 principal;
        uint256 claim;
        uint256 loss;
        uint256 absorbed;
        uint256 lenderLoss;
    }

    /// The mark in progress: the batch, each loan's view before, and the bucket `bucketOf` gives it.
    struct MarkPlan {
        uint256[] ids;
        ICreditLedger.LoanView[] before;
        ICreditLedger.Bucket[] expected;
    }

    /// What a mark did, checked: `ok`/`detail` for the events, the defaults to book, the COLL_B mismatches, and the
    /// loans that were active before with the bucket each was expected to reach.
    struct MarkResult {
        bool ok;
        bytes detail;
        Default[] defaults;
        uint256 mismatches;
        string note;
        uint256[] touched;
        ICreditLedger.Bucket[] buckets;
    }

    MockStablecoin public immutable token;
    ILedger public immutable ledger;
    MarkPlan internal plan;

    constructor(MockStablecoin token_, ILedger ledger_) {
        token = token_;
        ledger = ledger_;
    }

    // ---------------------------------------------------------------- draw

    /// The error `draw` must raise, or nothing if it must pass: the rules of `CreditLedger._draw`, in their order.
    function drawError(
        address who,
        uint8 productId,
        uint256 amount,
        ICreditLedger.LineView calldata line,
        uint256 liquidity
    ) external view returns (bytes memory) {
        if (ledger.paused()) return abi.encodeWithSelector(ICreditLedger.EnforcedPause.selector);
        if (line.status != ICreditLedger.LineStatus.Active) {
            return abi.encodeWithSelector(ICreditLedger.LineNotActive.selector, who, line.status);
        }
        if (line.lateLoans != 0) {
            return abi.encodeWithSelector(ICreditLedger.LineFrozenByArrears.selector, who, line.lateLoans);
        }
        if ((line.kycExpiresAt != 0 || ledger.kycRequired()) && block.timestamp >= line.kycExpiresAt) {
            return abi.encodeWithSelector(ICreditLedger.KycRequiredToDraw.selector, who, line.kycExpiresAt);
        }
        if ((line.productMask >> productId) & 1 == 0) {
            return abi.encodeWithSelector(ICreditLedger.ProductNotAllowed.selector, who, productId);
        }
        if (amount > line.available) {
            return abi.encodeWithSelector(ICreditLedger.CreditLimitExceeded.selector, amount, line.available);
        }
        // The portfolio limits are off in the suite; the product's cap is checked next (`_admit`).
        (uint256 productOutstanding, uint256 cap) = ledger.productExposure(productId);
        if (cap != 0 && productOutstanding + amount > cap) {
            return
                abi.encodeWithSelector(
                    IProductLimits.ProductCapExceeded.selector,
                    productId,
                    productOutstanding + amount,
                    cap
                );
        }
        if (amount > liquidity) {
            return abi.encodeWithSelector(ILedgerBook.InsufficientLiquidity.selector, amount, liquidity);
        }
        return "";
    }

    // ---------------------------------------------------------------- collection

    /// The model of `collect`: not active → failure 1; nothing due → nothing; no mandate → failure 2; otherwise it
    /// pulls min(due, cap) if the wallet allows, else what balance and allowance allow (failure 3 without balance,
    /// 4 without allowance). An id repeated in the batch is due what its earlier entries left (and is no longer
    /// active if they collected its whole payoff); a borrower's wallet is shared by all their entries. A capped
    /// mandate's cap holds per loan per transaction: `tallied[i]` is what earlier calls in the same transaction
    /// pulled for entry i's loan, and with the batch's earlier entries it uses the cap up (failure 6).
    function predictCollection(
        uint256[] calldata ids,
        uint256[] calldata tallied
    ) external view returns (Expected[] memory e) {
        e = new Expected[](ids.length);
        (uint256[] memory balance, uint256[] memory allowance) = _wallets(ids);
        for (uint256 i = 0; i < ids.length; ++i) {
            if (ledger.loanRecord(ids[i]).status != ICreditLedger.LoanStatus.Active) {
                e[i] = Expected(2, 1);
                continue;
            }
            uint256 due = ledger.dueNow(ids[i]);
            uint256 taken;
            for (uint256 j = 0; j < i; ++j) if (ids[j] == ids[i] && e[j].kind == 1) taken += e[j].value;
            // An earlier entry that collected the whole payoff (everything is due once the loan matured) closed it.
            if (taken != 0 && taken == ledger.loanState(ids[i]).payoff) {
                e[i] = Expected(2, 1);
                continue;
            }
            due -= taken;
            if (due == 0) continue;
            address who = address(uint160(ids[i] >> 96));
            (bool active, uint256 cap) = ledger.mandateOf(who);
            if (!active) {
                e[i] = Expected(2, 2);
                continue;
            }
            uint256 amount = due;
            if (cap != 0) {
                uint256 used = tallied[i] + taken;
                if (used >= cap) {
                    e[i] = Expected(2, 6);
                    continue;
                }
                if (cap - used < amount) amount = cap - used;
            }
            uint256 w = _walletSlot(ids, i);
            if (balance[w] < amount || allowance[w] < amount) {
                if (balance[w] == 0) e[i] = Expected(2, 3);
                else if (allowance[w] == 0) e[i] = Expected(2, 4);
                else amount = balance[w] < allowance[w] ? balance[w] : allowance[w];
                if (e[i].kind == 2) continue;
            }
            e[i] = Expected(1, amount);
            balance[w] -= amount;
            if (allowance[w] != type(uint256).max) allowance[w] -= amount;
        }
    }

    /// The borrowers' wallets before the batch, each kept at the first entry of the batch with that borrower.
    function _wallets(
        uint256[] memory ids
    ) internal view returns (uint256[] memory balance, uint256[] memory allowance) {
        balance = new uint256[](ids.length);
        allowance = new uint256[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            if (_walletSlot(ids, i) != i) continue;
            address who = address(uint160(ids[i] >> 96));
            balance[i] = token.balanceOf(who);
            allowance[i] = token.allowance(who, address(ledger));
        }
    }

    /// The entry whose slot holds the simulated wallet of entry `i`'s borrower: the first with that borrower.
    function _walletSlot(uint256[] memory ids, uint256 i) internal pure returns (uint256 w) {
        address who = address(uint160(ids[i] >> 96));
        while (address(uint160(ids[w] >> 96)) != who) ++w;
    }

    /// The `Collected` and `CollectionFailed` events recorded since `vm.recordLogs()` must be the predicted ones, in
    /// batch order.
    function checkCollectionEvents(
        uint256[] calldata ids,
        Expected[] calldata e
    ) external returns (bool, bytes memory) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 next;
        for (uint256 k = 0; k < logs.length; ++k) {
            if (logs[k].emitter != address(ledger)) continue;
            uint8 kind;
            uint256 value;
            if (logs[k].topics[0] == ICreditLedger.Collected.selector) {
                kind = 1;
                value = abi.decode(logs[k].data, (uint256));
            } else if (logs[k].topics[0] == ICreditLedger.CollectionFailed.selector) {
                kind = 2;
                value = abi.decode(logs[k].data, (uint8));
            } else {
                continue;
            }
            while (next < ids.length && e[next].kind == 0) ++next;
            uint256 loanId = uint256(logs[k].topics[1]);
            if (next == ids.length || loanId != ids[next] || kind != e[next].kind || value != e[next].value) {
                return (false, abi.encode(loanId, kind, value, next, ids, e));
            }
            ++next;
        }
        while (next < ids.length && e[next].kind == 0) ++next;
        if (next != ids.length) return (false, abi.encode("missing event", next, ids, e));
        return (true, "");
    }

    // ---------------------------------------------------------------- delinquency

    /// Before `mark(ids)`: records each loan's view and the bucket `ArrearsMath.bucketOf` gives it now; returns
    /// whether any active loan has something past due (a late touch, KI-1).
    function planMark(uint256[] calldata ids) external returns (bool late) {
        ICreditLedger.RiskParams memory params = ledger.riskParams();
        delete plan;
        for (uint256 i = 0; i < ids.length; ++i) {
            ICreditLedger.LoanView memory v = ledger.loanState(ids[i]);
            ICreditLedger.Bucket expected;
            if (v.status == ICreditLedger.LoanStatus.Active) {
                expected = ArrearsMath.bucketOf(v.pastDue, v.pastDueSince, block.timestamp, params);
                if (v.pastDue != 0) late = true;
            }
            plan.ids.push(ids[i]);
            plan.before.push(v);
            plan.expected.push(expected);
        }
    }

    /// After the planned `mark`, with its logs recorded: checks its events and the buckets it left (COLL_B).
    function checkMark() external returns (MarkResult memory r) {
        MarkPlan memory p = plan;
        (r.ok, r.detail, r.defaults) = _checkMarkEvents(p, vm.getRecordedLogs());
        (r.mismatches, r.note) = _checkMarked(p);
        uint256 n;
        for (uint256 i = 0; i < p.ids.length; ++i) {
            if (!_seenBefore(p.ids, i) && p.before[i].status == ICreditLedger.LoanStatus.Active) ++n;
        }
        r.touched = new uint256[](n);
        r.buckets = new ICreditLedger.Bucket[](n);
        n = 0;
        for (uint256 i = 0; i < p.ids.length; ++i) {
            if (_seenBefore(p.ids, i) || p.before[i].status != ICreditLedger.LoanStatus.Active) continue;
            r.touched[n] = p.ids[i];
            r.buckets[n++] = p.expected[i];
        }
    }

    /// After `mark(ids)`: one `BucketChanged` per loan whose bucket changed, to the expected bucket with its provision
    /// (write-off cost × the rate for its days past due), and `ProvisionChanged` only for a loan that stayed in its
    /// bucket, with the provision its record gives; one `LoanDefaulted` per loan past the default threshold, writing
    /// off exactly the principal and interest the view showed, with the payoff (penalty included) left as the claim
    /// and the line frozen. Returns the checked defaults for the handler's books.
    function _checkMarkEvents(
        MarkPlan memory p,
        Vm.Log[] memory logs
    ) internal view returns (bool ok, bytes memory detail, Default[] memory defaults) {
        (uint256 expectedDefaults, uint256 expectedChanges) = _expectedMarkEvents(p.ids, p.before, p.expected);
        defaults = new Default[](expectedDefaults);
        uint256 found;
        uint256 changes;
        for (uint256 k = 0; k < logs.length; ++k) {
            if (logs[k].emitter != address(ledger)) continue;
            uint256 loanId = uint256(logs[k].topics[1]);
            uint256 i = _indexOf(p.ids, loanId);
            if (logs[k].topics[0] == ICreditLedger.BucketChanged.selector) {
                ++changes;
                (, ICreditLedger.Bucket to, uint256 provision) = abi.decode(
                    logs[k].data,
                    (ICreditLedger.Bucket, ICreditLedger.Bucket, uint256)
                );
                uint256 expectedProvision = to == ICreditLedger.Bucket.Default ? 0 : provisionOf(loanId);
                if (to != p.expected[i] || provision != expectedProvision) {
                    return (false, abi.encode("BucketChanged", loanId, to, provision, expectedProvision), defaults);
                }
            } else if (logs[k].topics[0] == ICreditLedger.ProvisionChanged.selector) {
                // Only in the same bucket, with the provision the loan's record now carries.
                uint256 provision = abi.decode(logs[k].data, (uint256));
                uint256 expectedProvision = provisionOf(loanId);
                if (p.expected[i] != p.before[i].markedBucket || provision != expectedProvision) {
                    return (false, abi.encode("ProvisionChanged", loanId, provision, expectedProvision), defaults);
                }
            } else if (logs[k].topics[0] == ICreditLedger.LoanDefaulted.selector) {
                if (found == expectedDefaults) return (false, abi.encode("unexpected default", loanId), defaults);
                (uint256 loss, uint256 absorbed, uint256 lenderLoss) = abi.decode(
                    logs[k].data,
                    (uint256, uint256, uint256)
                );
                defaults[found++] = Default(
                    loanId,
                    p.before[i].principalOutstanding,
                    p.before[i].payoff,
                    loss,
                    absorbed,
                    lenderLoss
                );
                (ok, detail) = _checkDefault(loanId, p.before[i], loss, absorbed, lenderLoss);
                if (!ok) return (ok, detail, defaults);
            }
        }
        if (found != expectedDefaults || changes != expectedChanges) {
            return (false, abi.encode("event count", found, expectedDefaults, changes, expectedChanges), defaults);
        }
        return (true, "", defaults);
    }

    function _expectedMarkEvents(
        uint256[] memory ids,
        ICreditLedger.LoanView[] memory before,
        ICreditLedger.Bucket[] memory expected
    ) internal pure returns (uint256 defaults, uint256 changes) {
        for (uint256 i = 0; i < ids.length; ++i) {
            if (_seenBefore(ids, i) || before[i].status != ICreditLedger.LoanStatus.Active) continue;
            if (expected[i] == ICreditLedger.Bucket.Default) ++defaults;
            if (expected[i] != before[i].markedBucket) ++changes;
        }
    }

    function _checkDefault(
        uint256 loanId,
        ICreditLedger.LoanView memory v,
        uint256 loss,
        uint256 absorbed,
        uint256 lenderLoss
    ) internal view returns (bool, bytes memory) {
        // The fee and first-loss shares of the written-off interest are taken back (item 3 of the lender-safety
        // review): the lenders and the reserve bear the loss less at most those shares of the interest.
        (uint256 feeBps, uint256 firstLossBps, ) = ledger.rates();
        uint256 takenBack = (v.interestAccrued * (feeBps + firstLossBps)) / BPS;
        if (
            loss != v.principalOutstanding + v.interestAccrued ||
            lenderLoss + absorbed > loss ||
            lenderLoss + absorbed + takenBack + 1 < loss
        ) {
            return (false, abi.encode("LoanDefaulted amounts", loanId, loss, absorbed, lenderLoss, v));
        }
        if (ledger.loanState(loanId).payoff != v.payoff) {
            return (false, abi.encode("claim is not the payoff", loanId, ledger.loanState(loanId).payoff, v.payoff));
        }
        if (ledger.lineOf(v.borrower).status != ICreditLedger.LineStatus.Frozen) {
            return (false, abi.encode("line not frozen", loanId));
        }
        return (true, "");
    }

    /// COLL_B after `mark(ids)`: every loan active before is now in the bucket expected from the view before (or
    /// written off, for Default), and in the bucket `bucketOf` gives on the view after.
    function _checkMarked(MarkPlan memory p) internal view returns (uint256 mismatches, string memory note) {
        uint256[] memory ids = p.ids;
        ICreditLedger.LoanView[] memory before = p.before;
        ICreditLedger.Bucket[] memory expected = p.expected;
        for (uint256 i = 0; i < ids.length; ++i) {
            if (_seenBefore(ids, i) || before[i].status != ICreditLedger.LoanStatus.Active) continue;
            ICreditLedger.LoanView memory v = ledger.loanState(ids[i]);
            if (expected[i] == ICreditLedger.Bucket.Default) {
                if (v.status == ICreditLedger.LoanStatus.Defaulted) continue;
                ++mismatches;
                note = describeBucket(ids[i], v.markedBucket, expected[i]);
                continue;
            }
            if (v.markedBucket != expected[i]) {
                ++mismatches;
                note = describeBucket(ids[i], v.markedBucket, expected[i]);
            }
            (bool ok, string memory n) = checkBucket(ids[i], false);
            if (!ok) {
                ++mismatches;
                note = n;
            }
        }
    }

    /// COLL_B after a payment or a mark: the stored bucket (`markedBucket`) is the one the view's past-due amount and
    /// date give now, and so is the view's live `bucket`.
    /// A payment never writes off, so after one a loan past the default threshold shows M3 (`capAtM3`).
    function checkBucket(uint256 loanId, bool capAtM3) public view returns (bool, string memory) {
        ICreditLedger.LoanView memory v = ledger.loanState(loanId);
        if (v.status != ICreditLedger.LoanStatus.Active) return (true, "");
        ICreditLedger.Bucket expected = ArrearsMath.bucketOf(
            v.pastDue,
            v.pastDueSince,
            block.timestamp,
            ledger.riskParams()
        );
        // The view's `bucket` is the one at the current block, whatever was stored (item 12 of the lender-safety
        // review); `markedBucket` is the stored one.
        if (v.bucket != expected) return (false, describeBucket(loanId, v.bucket, expected));
        if (capAtM3 && expected == ICreditLedger.Bucket.Default) expected = ICreditLedger.Bucket.M3;
        if (v.markedBucket == expected) return (true, "");
        return (false, describeBucket(loanId, v.markedBucket, expected));
    }

    /// The provision a loan carries: its principal outstanding and the interest it owed at its last touch, times
    /// the rate for its days past due then, under the parameters in force now (0 unless active in Grace–M3).
    function provisionOf(uint256 loanId) public view returns (uint256) {
        return ProvisionModel.ofRecord(ledger, ledger.loanRecord(loanId), ledger.riskParams());
    }

    /// Everything `mark` may write: the loans, their lines, the book and the pool's value.
    function markState(uint256[] calldata ids) external view returns (bytes32 h) {
        h = keccak256(
            abi.encode(
                ledger.provisions(),
                ledger.lenderAssets(),
                ledger.rateSum(),
                ledger.interestReceivable(),
                ledger.principalOutstanding(),
                ledger.cash(),
                ledger.firstLossReserve(),
                ledger.protocolFeesOwed()
            )
        );
        for (uint256 i = 0; i < ids.length; ++i) {
            h = keccak256(
                abi.encode(
                    h,
                    ledger.loanRecord(ids[i]),
                    ledger.loanState(ids[i]),
                    ledger.lineOf(address(uint160(ids[i] >> 96)))
                )
            );
        }
    }

    // ---------------------------------------------------------------- time, recoveries, parameters

    /// One second before, on, or after a bucket edge of `loanId` (grace, 30, 60 days, the default threshold),
    /// counted from its oldest unpaid due date, or from its next due date when nothing is past due.
    function edgeTime(uint256 loanId, uint256 edgeSeed) external view returns (uint256) {
        ICreditLedger.LoanView memory v = ledger.loanState(loanId);
        ICreditLedger.RiskParams memory params = ledger.riskParams();
        uint256 start = v.pastDue != 0 ? v.pastDueSince : v.nextDueAt;
        uint256 edge = edgeSeed % 5;
        uint256 days_ = params.defaultDays;
        if (edge == 0) days_ = 0;
        else if (edge == 1) days_ = params.graceDays;
        else if (edge == 2) days_ = 30;
        else if (edge == 3) days_ = 60;
        return start + days_ * 1 days + ((edgeSeed >> 8) % 3) - 1;
    }

    /// A payment on a defaulted loan with `claim` left, by mode: 0 part of it, 1 `max`, 2 exactly the claim, 3 more
    /// than the claim; and the error `repay` must raise (`ZeroAmount` for a zero claim paid exactly,
    /// `RepaymentExceedsPayoff(amount, claim)` above it), or nothing.
    function recoveryAmount(
        uint256 mode,
        uint256 seed,
        uint256 claim
    ) external pure returns (uint256 amount, bytes memory expectedError) {
        mode = mode % 4;
        if (mode == 0) amount = bound(seed, 1, claim == 0 ? 1 : claim);
        else if (mode == 1) amount = type(uint256).max;
        else if (mode == 2) amount = claim;
        else amount = bound(seed, claim + 1, claim + 1_000e6);
        if (amount == 0) expectedError = abi.encodeWithSelector(ICreditLedger.ZeroAmount.selector);
        else if (amount != type(uint256).max && amount > claim) {
            expectedError = abi.encodeWithSelector(ICreditLedger.RepaymentExceedsPayoff.selector, amount, claim);
        }
    }

    /// Delinquency parameters for `setRiskParams`: the defaults one call in three, otherwise random within the bounds
    /// of `LedgerCore._setRiskParams` (default threshold mostly up to 120 days); one call in sixteen breaks one bound.
    /// `raw`: grace, default days, penalty multiplier, M1, M2, M3 provision rates.
    function riskParamsFor(
        uint256 seed,
        uint16[6] calldata raw
    ) external pure returns (ICreditLedger.RiskParams memory p, bool invalid) {
        p = ICreditLedger.RiskParams(3, 90, 15_000, 1_000, 3_000, 6_000);
        if (seed % 3 != 0) {
            p = ICreditLedger.RiskParams({
                graceDays: uint16(bound(raw[0], 0, 30)),
                defaultDays: uint16(bound(raw[1], 61, seed % 5 == 1 ? 365 : 120)),
                penaltyMultiplierBps: uint16(bound(raw[2], 0, 30_000)),
                provisionM1Bps: uint16(bound(raw[3], 0, BPS)),
                provisionM2Bps: uint16(bound(raw[4], 0, BPS)),
                provisionM3Bps: uint16(bound(raw[5], 0, BPS))
            });
        }
        invalid = seed % 16 == 1;
        if (!invalid) return (p, false);
        uint256 which = (seed >> 8) % 5;
        uint256 r = seed >> 16;
        if (which == 0) p.graceDays = uint16(bound(r, 31, type(uint16).max));
        else if (which == 1) p.defaultDays = uint16(bound(r, 0, 60));
        else if (which == 2) p.defaultDays = uint16(bound(r, 366, type(uint16).max));
        else if (which == 3) p.penaltyMultiplierBps = uint16(bound(r, 30_001, type(uint16).max));
        else p.provisionM2Bps = uint16(bound(r, BPS + 1, type(uint16).max));
    }

    // ---------------------------------------------------------------- failure messages

    function describeBucket(
        uint256 loanId,
        ICreditLedger.Bucket stored,
        ICreditLedger.Bucket expected
    ) public view returns (string memory) {
        return
            string.concat(
                "loan ",
                vm.toString(loanId),
                ": bucket ",
                vm.toString(uint256(stored)),
                ", bucketOf(view) ",
                vm.toString(uint256(expected)),
                " at ",
                vm.toString(block.timestamp)
            );
    }

    function describeCollection(
        uint256 loanId,
        uint256 first,
        uint256 second,
        uint256 dueBefore
    ) external pure returns (string memory) {
        return
            string.concat(
                "loan ",
                vm.toString(loanId),
                ": collected ",
                vm.toString(first),
                " then ",
                vm.toString(second),
                " in the same block; dueNow before ",
                vm.toString(dueBefore)
            );
    }

    function describePriceDrop(
        string calldata action,
        uint256[2] calldata assets,
        uint256[2] calldata supply
    ) external pure returns (string memory) {
        return
            string.concat(
                action,
                ": totalAssets (+ new provisions) ",
                vm.toString(assets[0]),
                " -> ",
                vm.toString(assets[1]),
                ", totalSupply ",
                vm.toString(supply[0]),
                " -> ",
                vm.toString(supply[1])
            );
    }

    function describeLoss(
        string calldata action,
        uint256[2] calldata assets,
        int256 provisionDelta,
        uint256 writeOffCost,
        uint256[2] calldata gross
    ) external pure returns (string memory) {
        return
            string.concat(
                action,
                ": totalAssets ",
                vm.toString(assets[0]),
                " -> ",
                vm.toString(assets[1]),
                ", provisions booked ",
                vm.toString(provisionDelta),
                ", write-off cost ",
                vm.toString(writeOffCost),
                ", gross ",
                vm.toString(gross[0]),
                " -> ",
                vm.toString(gross[1])
            );
    }

    // ---------------------------------------------------------------- batches

    function _seenBefore(uint256[] memory ids, uint256 i) internal pure returns (bool) {
        for (uint256 j = 0; j < i; ++j) if (ids[j] == ids[i]) return true;
        return false;
    }

    function _indexOf(uint256[] memory ids, uint256 loanId) internal pure returns (uint256) {
        for (uint256 i = 0; i < ids.length; ++i) if (ids[i] == loanId) return i;
        return type(uint256).max;
    }
}
