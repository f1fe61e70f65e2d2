// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
// solhint-disable-next-line max-line-length
import {AutomationCompatibleInterface} from "@chainlink/contracts/src/v0.8/automation/interfaces/AutomationCompatibleInterface.sol";
import {ICreditLedger} from "./ICreditLedger.sol";

/// @title ICollectionUpkeep
/// @notice A Chainlink Automation upkeep that collects due instalments and marks delinquency on a CreditLedger.
///
/// `checkUpkeep` (simulated off chain, never sent) looks at a page of `pageSize` borrowers starting at the scan
/// window and returns the loans with something the ledger can pull now (due, mandate active, balance and allowance
/// non-zero) and the loans `mark` has work on, at most `maxLoans` of each: a delinquency bucket behind the days past
/// due, or a loan past due (Grace–M3) last touched a day or more ago, whose provision rises with each day past due.
/// A loan it sends to `collect` is listed for marking too once it is a day or more past due: a collection updates the
/// loan it pays, and one whose pull the token keeps refusing is still marked daily; on its due date it is left to the
/// collection, so the perform pays no read for it.
/// `performUpkeep` trusts none of that: it refuses arrays longer than `maxLoans`, re-checks every id against the
/// ledger and calls `ledger.collect` and `ledger.mark` with the ids that survive. Collection ids are filtered on the
/// raw loan record (no longer active, not due yet, or collected since the check: touched after the latest due date
/// and still Current), cheaply, because `collect` itself then checks the exact amount due and skips a loan with
/// nothing due; mark ids must still be behind (`loanState`, and the record's last touch). Both ledger calls are
/// permissionless and never pull more than is due, so a forged or stale call can at worst waste its own sender's gas.
/// A loan whose provision is only a day behind is left for a later block when the mark list is full.
///
/// Scan window. The window is a function of the block number and the borrower count alone (`windowAt`): one page
/// per block, and a round of `ceil(borrowerCount / pageSize)` consecutive block numbers covers every borrower, each
/// round starting one borrower further on. Nothing a perform sends can move it, so forged or empty performs cannot
/// hold the scan on a page with nothing due. (Where the network does not check every block number, pages it skips
/// wait for a later round.)
///
/// Gas. Within a check each borrower gets an equal share of the gas left above `CHECK_GAS_RESERVE`, and a loan is
/// read only while `CHECK_GAS_RESERVE + LOAN_READ_GAS` is left, so the check returns inside its gas limit whatever
/// one borrower holds. A borrower whose loans do not fit in its share is read from a starting loan derived from the
/// block number, so its page-mates are still served and its other loans are read in other visits (a borrower can
/// predict that start: the ledger's permissionless `mark` and the off-chain keeper, which finds loans by events,
/// remain the backstop). A page also stops early when a list is full (`maxLoans`).
interface ICollectionUpkeep is AutomationCompatibleInterface {
    /// @notice Thrown by the constructor for a zero ledger address.
    error ZeroLedger();
    /// @notice Thrown by the constructor when `pageSize` is 0 or above `maxPageSize`.
    error InvalidPageSize(uint256 pageSize, uint256 maxPageSize);
    /// @notice Thrown by the constructor when `maxLoans` is 0 or above `maxBatch`.
    error InvalidMaxLoans(uint256 maxLoans, uint256 maxBatch);
    /// @notice Thrown by `performUpkeep` when an id array is longer than `maxLoans`.
    error TooManyLoans(uint256 count, uint256 maxLoans);

    /// @notice Emitted by every `performUpkeep`: loans sent to `collect` and `mark` after re-validation, the amount
    /// collected, and how many ids of the perform data were dropped as no longer due/behind.
    event UpkeepPerformed(uint256 collectLoans, uint256 collected, uint256 markLoans, uint256 dropped);

    /// @notice The ledger this upkeep serves.
    function ledger() external view returns (ICreditLedger);

    /// @notice Borrowers looked at per check.
    function pageSize() external view returns (uint256);

    /// @notice Largest number of loan ids per `collect` and per `mark` in one perform.
    function maxLoans() external view returns (uint256);

    /// @notice Where `checkUpkeep` starts scanning at block `blockNumber`, given the current borrower count.
    function windowAt(uint256 blockNumber) external view returns (uint256);

    /// @notice Scans `pageSize` borrowers from index `start` (wrapping) like `checkUpkeep`, for tooling and tests.
    /// @return collectIds loans the ledger can collect from now.
    /// @return markIds loans whose bucket is behind their days past due, or late and last touched a day ago or more.
    /// @return next index after the last borrower looked at (informative: the next block scans its own window).
    function scan(
        uint256 start
    ) external view returns (uint256[] memory collectIds, uint256[] memory markIds, uint256 next);
}

/// @title ILedgerAsset
/// @notice The asset getter every CreditLedger has (from its book), which ICreditLedger does not declare.
interface ILedgerAsset {
    /// @notice The ERC-20 the ledger lends and collects.
    function asset() external view returns (IERC20);
}
