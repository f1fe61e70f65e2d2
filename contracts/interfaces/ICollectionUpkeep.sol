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
/// non-zero) and the loans whose delinquency bucket is behind their days past due, at most `maxLoans` of each.
/// `performUpkeep` trusts none of that: it refuses arrays longer than `maxLoans`, re-checks every id against the
/// ledger and calls `ledger.collect` and `ledger.mark` with the ids that survive. Collection ids are filtered on the
/// raw loan record (no longer active, not due yet, or collected since the check: touched after the latest due date
/// and still Current), cheaply, because `collect` itself then checks the exact amount due and skips a loan with
/// nothing due; mark ids must still be behind their bucket (`loanState`). Both ledger calls are permissionless and
/// never pull more than is due, so a forged or stale call can at worst waste its own sender's gas.
///
/// Scan window. A stored cursor marks where the last performed page stopped. The window starts at the cursor and
/// moves on by one page for every block without a perform, wrapping around the borrower list, so a page with
/// nothing to do never stalls the scan and every borrower is looked at once per `borrowerCount / pageSize` blocks
/// even if nothing is ever performed. A perform moves the cursor only when its data is the fresh output of
/// `checkUpkeep` for the current cursor (`checkBlock` after the last cursor move, `start` equal to the window of
/// that block, `next` within one page of it); stale or forged data still gets its valid ids processed but leaves the
/// cursor alone.
///
/// Limits: `checkUpkeep` stops scanning when less than `CHECK_GAS_RESERVE` gas is left and resumes there next time,
/// so one borrower with very many loans cannot make the check run out of gas for the rest of its page.
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
    /// collected, how many ids of the perform data were dropped as no longer due/behind, and the cursor after.
    event UpkeepPerformed(uint256 collectLoans, uint256 collected, uint256 markLoans, uint256 dropped, uint256 cursor);

    /// @notice The ledger this upkeep serves.
    function ledger() external view returns (ICreditLedger);

    /// @notice Borrowers looked at per check.
    function pageSize() external view returns (uint256);

    /// @notice Largest number of loan ids per `collect` and per `mark` in one perform.
    function maxLoans() external view returns (uint256);

    /// @notice Index (into the ledger's borrower list) where the last performed page stopped.
    function cursor() external view returns (uint256);

    /// @notice Block of the last perform that moved the cursor.
    function lastPerformBlock() external view returns (uint256);

    /// @notice Where `checkUpkeep` would start scanning at block `blockNumber` (≥ the last perform), given the
    /// current cursor and borrower count.
    function windowAt(uint256 blockNumber) external view returns (uint256);

    /// @notice Scans `pageSize` borrowers from index `start` (wrapping) like `checkUpkeep`, for tooling and tests.
    /// @return collectIds loans the ledger can collect from now.
    /// @return markIds loans whose bucket is behind their days past due.
    /// @return next index to continue from.
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
