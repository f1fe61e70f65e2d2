// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {ICollectionUpkeep, ILedgerAsset} from "../interfaces/ICollectionUpkeep.sol";
import {ArrearsMath} from "../libraries/ArrearsMath.sol";
import {LedgerViews} from "../libraries/LedgerViews.sol";
import {ICreditLens} from "../interfaces/ICreditLens.sol";

/// @title CollectionUpkeep
/// @notice Chainlink Automation upkeep for a CreditLedger: finds due and late loans page by page in `checkUpkeep`,
/// re-validates them and calls the ledger's permissionless `collect` and `mark` in `performUpkeep`.
/// See ICollectionUpkeep for the scan window and what a forged perform can and cannot do.
contract CollectionUpkeep is ICollectionUpkeep {
    using LedgerViews for ICreditLedger;

    /// @notice Largest page a check may scan.
    uint256 public constant MAX_PAGE_SIZE = 1_000;
    /// @notice Largest batch a perform may send to `collect` or `mark`.
    uint256 public constant MAX_BATCH = 200;
    /// @notice Gas a check keeps in hand to return its result: no loan is looked at below this.
    uint256 public constant CHECK_GAS_RESERVE = 400_000;
    /// @notice Gas one loan's reads may take at most (loanState, dueNow, the payer check and, for a loan marked past
    /// due, its record, on a cold loan of a long plan): a loan is looked at only with this much above the reserve.
    uint256 public constant LOAN_READ_GAS = 500_000;

    /// @inheritdoc ICollectionUpkeep
    ICreditLedger public immutable ledger;
    /// @notice The ledger's asset, read once: balances and allowances tell whether a pull can succeed.
    IERC20 public immutable asset;
    /// @inheritdoc ICollectionUpkeep
    uint256 public immutable pageSize;
    /// @inheritdoc ICollectionUpkeep
    uint256 public immutable maxLoans;

    /// @param ledger_ the CreditLedger to serve.
    /// @param pageSize_ borrowers per check (1 – MAX_PAGE_SIZE).
    /// @param maxLoans_ loan ids per `collect` and per `mark` in one perform (1 – MAX_BATCH).
    constructor(ICreditLedger ledger_, uint256 pageSize_, uint256 maxLoans_) {
        if (address(ledger_) == address(0)) revert ZeroLedger();
        if (pageSize_ == 0 || pageSize_ > MAX_PAGE_SIZE) revert InvalidPageSize(pageSize_, MAX_PAGE_SIZE);
        if (maxLoans_ == 0 || maxLoans_ > MAX_BATCH) revert InvalidMaxLoans(maxLoans_, MAX_BATCH);
        ledger = ledger_;
        asset = ILedgerAsset(address(ledger_)).asset();
        pageSize = pageSize_;
        maxLoans = maxLoans_;
    }

    // ---------------------------------------------------------------- automation

    /// @notice Scans the window of the current block. `performData` is `abi.encode(collectIds, markIds)`.
    function checkUpkeep(bytes calldata) external view returns (bool upkeepNeeded, bytes memory performData) {
        (uint256[] memory collectIds, uint256[] memory markIds, ) = scan(windowAt(block.number));
        upkeepNeeded = collectIds.length != 0 || markIds.length != 0;
        performData = abi.encode(collectIds, markIds);
    }

    /// @notice Re-validates `performData` against the ledger and collects / marks what is still due / behind.
    /// Changes nothing in this contract: what a perform sends cannot move the scan.
    function performUpkeep(bytes calldata performData) external {
        (uint256[] memory collectIds, uint256[] memory markIds) = abi.decode(performData, (uint256[], uint256[]));
        uint256 cap = maxLoans;
        if (collectIds.length > cap) revert TooManyLoans(collectIds.length, cap);
        if (markIds.length > cap) revert TooManyLoans(markIds.length, cap);

        uint256[] memory due = _stillDue(collectIds);
        uint256 collected;
        if (due.length != 0) collected = ledger.collect(due);
        // After collecting: a loan the collection cured is no longer behind.
        uint256[] memory behind = _stillBehind(markIds);
        if (behind.length != 0) ledger.mark(behind);
        emit UpkeepPerformed(
            due.length,
            collected,
            behind.length,
            collectIds.length - due.length + markIds.length - behind.length
        );
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ICollectionUpkeep
    function windowAt(uint256 blockNumber) public view returns (uint256) {
        uint256 count = ledger.borrowerCount();
        if (count == 0) return 0;
        uint256 page = pageSize < count ? pageSize : count;
        uint256 pages = (count + page - 1) / page;
        // One page per block; each full round starts one borrower further on, so no borrower is always at the end
        // of a page that a heavy or busy page-mate cut short.
        return ((blockNumber % pages) * page + ((blockNumber / pages) % count)) % count;
    }

    /// @inheritdoc ICollectionUpkeep
    function scan(
        uint256 start
    ) public view returns (uint256[] memory collectIds, uint256[] memory markIds, uint256 next) {
        uint256 count = ledger.borrowerCount();
        if (count == 0) return (new uint256[](0), new uint256[](0), 0);
        start %= count;
        Scan memory s;
        s.params = ledger.riskParams();
        s.collectIds = new uint256[](maxLoans);
        s.markIds = new uint256[](maxLoans);
        uint256 page = pageSize < count ? pageSize : count;
        uint256 i;
        for (; i < page; ++i) {
            uint256 left = gasleft();
            if (left < CHECK_GAS_RESERVE + LOAN_READ_GAS) break;
            // Each borrower gets an equal share of the gas still left, so one borrower with very many loans cannot
            // crowd out the rest of its page or push the check past its gas limit.
            s.gasShare = (left - CHECK_GAS_RESERVE) / (page - i);
            if (!_scanBorrower(s, ledger.borrowerAt((start + i) % count))) break;
        }
        next = (start + i) % count;
        collectIds = _prefix(s.collectIds, s.collectCount);
        markIds = _prefix(s.markIds, s.markCount);
    }

    // ---------------------------------------------------------------- internals

    /// @dev Working state of a scan.
    struct Scan {
        ICreditLedger.RiskParams params;
        uint256[] collectIds;
        uint256[] markIds;
        uint256 collectCount;
        uint256 markCount;
        /// Gas the current borrower may use.
        uint256 gasShare;
    }

    /// @dev Adds `borrower`'s loans to the scan, within the borrower's gas share. Returns false when a list filled
    /// up before the last of them. A borrower whose loans do not all fit in the share is read from a starting loan
    /// derived from the block number, so over blocks the reads move across all its loans; a borrower who can
    /// predict the start can steer it away from one loan for a while (docs/KEEPER.md, "Limits").
    function _scanBorrower(Scan memory s, address borrower) internal view returns (bool) {
        uint256 begin = gasleft();
        uint256 loans = ledger.lineOf(borrower).loanCount;
        uint256 first = loans == 0 ? 0 : uint256(keccak256(abi.encode(block.number, borrower))) % loans;
        uint256 payer; // 0 not looked at yet, 1 the ledger can pull from them, 2 it cannot
        for (uint256 k = 0; k < loans; ++k) {
            uint256 left = gasleft();
            if (begin - left > s.gasShare || left < CHECK_GAS_RESERVE + LOAN_READ_GAS) break;
            uint256 loanId = ledger.loanIdOf(borrower, ((first + k) % loans) + 1);
            ICreditLedger.LoanView memory v = ledger.loanState(loanId);
            if (v.status != ICreditLedger.LoanStatus.Active) continue;
            bool collecting;
            if ((v.pastDue != 0 || v.penalty != 0) && ledger.dueNow(loanId) != 0) {
                if (payer == 0) payer = _canPay(borrower) ? 1 : 2;
                if (payer == 1) {
                    if (s.collectCount == s.collectIds.length) return false;
                    s.collectIds[s.collectCount++] = loanId;
                    collecting = true;
                }
            }
            // Collection reclassifies the loans it pays, except into Default (write-offs happen in `mark`). A loan
            // it collects is listed for marking too once it is a day or more past due, or past its grace period, so
            // one whose pull keeps failing (a token that refuses the borrower, a paused token) is still marked, daily,
            // on the ramp from its due date; the perform checks marks after collecting, so a loan the collection
            // updated drops out. A loan collected on its due date is not listed: most pulls succeed, and listing it
            // would cost the perform a `loanState` read.
            // A loan in the right bucket whose provision is a day behind (`_stale`) is left for a later block when the
            // list is full, rather than cut the page short for the loans that move.
            ICreditLedger.Bucket target = _targetBucket(v, s.params);
            bool moves = target != v.markedBucket;
            if (
                (moves || _stale(loanId, v)) &&
                (!collecting || target > ICreditLedger.Bucket.Grace || v.daysPastDue != 0)
            ) {
                if (s.markCount == s.markIds.length) {
                    if (!moves) continue;
                    return false;
                }
                s.markIds[s.markCount++] = loanId;
            }
        }
        return true;
    }

    /// @dev Ids of `ids` that may still have something due now. A cheap, conservative filter on the raw loan record
    /// (no interest math; its two storage reads are the ones `collect` makes next, so they come warm there):
    /// drops ids that are no active loan, loans before their first due date, and loans touched at or after their
    /// latest due date that are still in bucket Current. The last rule relies on the ledger's invariant that every
    /// touch (payment, collection, mark) leaves a loan in Current only when nothing is past due at that touch; so a
    /// loan collected since the check is dropped. What passes is exact-checked by `collect` itself, which skips a
    /// loan with nothing due without a transfer.
    function _stillDue(uint256[] memory ids) internal view returns (uint256[] memory) {
        uint256 kept;
        for (uint256 i = 0; i < ids.length; ++i) {
            if (_mayBeDue(ids[i])) ids[kept++] = ids[i];
        }
        return _prefix(ids, kept);
    }

    function _mayBeDue(uint256 loanId) internal view returns (bool) {
        (
            uint256 drawnAt,
            uint256 instalments,
            uint256 periodDays,
            uint256 checkpoint,
            uint256 status,
            uint256 bucket
        ) = _record(loanId);
        if (status != uint256(ICreditLedger.LoanStatus.Active)) return false;
        uint256 period = periodDays * 1 days;
        uint256 elapsed = block.timestamp - drawnAt;
        if (elapsed < period) return false;
        uint256 dueDates = elapsed / period;
        if (dueDates > instalments) dueDates = instalments;
        uint256 latestDue = drawnAt + dueDates * period;
        return bucket != uint256(ICreditLedger.Bucket.Current) || checkpoint < latestDue;
    }

    /// @dev The fields of `loanRecord(loanId)` that `_mayBeDue` reads, taken straight from the ledger's `extView`
    /// answer: the ABI encoding of `ICreditLedger.Loan`, one word per field in declaration order (drawnAt 0,
    /// instalments 2, periodDays 3, checkpoint 7, status 10, bucket 12). Neither the other fields nor the `bytes`
    /// wrapper are decoded and nothing is allocated: this read runs once per loan of a perform.
    function _record(
        uint256 loanId
    )
        private
        view
        returns (
            uint256 drawnAt,
            uint256 instalments,
            uint256 periodDays,
            uint256 checkpoint,
            uint256 status,
            uint256 bucket
        )
    {
        address target = address(ledger);
        bytes4 extView = ICreditLedger.extView.selector;
        bytes4 loanRecord = ICreditLens.loanRecord.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // Scratch past the free memory pointer, not kept: extView(bytes) with loanRecord(loanId) as its bytes.
            let ptr := mload(0x40)
            mstore(ptr, extView)
            mstore(add(ptr, 0x04), 0x20)
            mstore(add(ptr, 0x24), 0x24)
            mstore(add(ptr, 0x44), loanRecord)
            mstore(add(ptr, 0x48), loanId)
            mstore(add(ptr, 0x68), 0)
            if iszero(staticcall(gas(), target, ptr, 0x84, 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            // The answer follows the `bytes` offset and length; a shorter answer reverts here.
            returndatacopy(ptr, 0x40, 0x1c0)
            drawnAt := mload(ptr)
            instalments := mload(add(ptr, 0x40))
            periodDays := mload(add(ptr, 0x60))
            checkpoint := mload(add(ptr, 0xe0))
            status := mload(add(ptr, 0x140))
            bucket := mload(add(ptr, 0x180))
        }
    }

    /// @dev Ids of `ids` that are active and that `mark` has work on: a bucket behind, or a provision a day behind.
    function _stillBehind(uint256[] memory ids) internal view returns (uint256[] memory) {
        if (ids.length == 0) return ids;
        ICreditLedger.RiskParams memory params = ledger.riskParams();
        uint256 kept;
        for (uint256 i = 0; i < ids.length; ++i) {
            // An id that is no loan at all (forged data) makes loanState revert: skip it.
            try ledger.extView(abi.encodeCall(ICreditLens.loanState, (ids[i]))) returns (bytes memory answer) {
                ICreditLedger.LoanView memory v = abi.decode(answer, (ICreditLedger.LoanView));
                if (
                    v.status == ICreditLedger.LoanStatus.Active &&
                    (_targetBucket(v, params) != v.markedBucket || _stale(ids[i], v))
                ) {
                    ids[kept++] = ids[i];
                }
            } catch {} // solhint-disable-line no-empty-blocks
        }
        return _prefix(ids, kept);
    }

    /// @dev Whether an active loan's provision is a day behind: it is marked past due (Grace–M3) and was last touched
    /// a day or more ago, and its provision rises with every day past due (ArrearsMath.provisionUp). `mark` brings it
    /// up.
    function _stale(uint256 loanId, ICreditLedger.LoanView memory v) internal view returns (bool) {
        if (v.markedBucket < ICreditLedger.Bucket.Grace || v.markedBucket > ICreditLedger.Bucket.M3) return false;
        (, , , uint256 checkpoint, , ) = _record(loanId);
        return block.timestamp >= checkpoint + 1 days;
    }

    /// @dev Whether the ledger can pull anything from `borrower` now: mandate, balance and allowance.
    function _canPay(address borrower) internal view returns (bool) {
        (bool active, ) = ledger.mandateOf(borrower);
        return active && asset.balanceOf(borrower) != 0 && asset.allowance(borrower, address(ledger)) != 0;
    }

    /// @dev The bucket the loan belongs in now, by the ledger's own rule.
    function _targetBucket(
        ICreditLedger.LoanView memory v,
        ICreditLedger.RiskParams memory params
    ) internal view returns (ICreditLedger.Bucket) {
        return ArrearsMath.bucketOf(v.pastDue, v.pastDueSince, block.timestamp, params);
    }

    /// @dev The first `length` elements of `ids` as an exactly sized array.
    function _prefix(uint256[] memory ids, uint256 length) internal pure returns (uint256[] memory out) {
        if (length == ids.length) return ids;
        out = new uint256[](length);
        for (uint256 i = 0; i < length; ++i) out[i] = ids[i];
    }
}
