// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test, Vm} from "forge-std/Test.sol";
import {MockStablecoin} from "../contracts/mocks/MockStablecoin.sol";
import {ICreditLedger} from "../contracts/interfaces/ICreditLedger.sol";
import {ICollectionUpkeep, ILedgerAsset} from "../contracts/interfaces/ICollectionUpkeep.sol";
import {Coverage} from "./utils/Coverage.sol";
import {ITestLedger, IMicrocreditDeployer} from "./utils/ITestLedger.sol";
import {ILendingPool} from "../contracts/interfaces/ILendingPool.sol";
import {ICreditQuotes} from "../contracts/interfaces/ICreditQuotes.sol";
import {LedgerViews} from "../contracts/libraries/LedgerViews.sol";
import {ILedger} from "./invariants/ILedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// `checkUpkeep` as the upkeep declares it (a view), which AutomationCompatibleInterface does not.
interface IUpkeepCheck {
    function checkUpkeep(bytes calldata) external view returns (bool upkeepNeeded, bytes memory performData);
}

/// The Chainlink upkeep against the real ledger: check → perform collects what is due, the scan window walks the
/// borrower list without performs, late loans are marked and written off, stale and forged perform data do nothing
/// harmful, and the gas of a 100-loan perform. Split in several contracts to stay under the code size limit.
abstract contract CollectionUpkeepBase is Test {
    uint256 internal constant ONE = 1e6;
    uint256 internal constant PRINCIPAL = 1_000e6;
    uint256 internal constant APR = 1_800;
    uint256 internal constant PERIOD = 30 days;
    bytes32 internal constant COLLECTED = keccak256("Collected(uint256,address,uint256)");
    bytes32 internal constant FAILED = keccak256("CollectionFailed(uint256,uint8)");

    MockStablecoin internal token;
    ITestLedger internal ledger;
    ILendingPool internal pool;
    ICollectionUpkeep internal upkeep;

    address internal admin = makeAddr("admin");
    address internal lender = makeAddr("lender");
    uint256 internal deployBlock;

    function setUp() public {
        vm.chainId(31337);
        vm.warp(1_750_000_000);
        vm.roll(1_000);
        token = MockStablecoin(deployCode("MockStablecoin.sol:MockStablecoin"));
        IMicrocreditDeployer deployer = IMicrocreditDeployer(
            deployCode(
                "MicrocreditDeployer.sol:MicrocreditDeployer",
                abi.encode(
                    token,
                    "Pool",
                    "mcUSD",
                    admin,
                    deployCode("CollectionModule.sol:CollectionModule", abi.encode(token)),
                    deployCode("DelinquencyModule.sol:DelinquencyModule", abi.encode(token)),
                    deployCode("ConfigModule.sol:ConfigModule", abi.encode(token)),
                    deployCode("ViewModule.sol:ViewModule", abi.encode(token))
                )
            )
        );
        ledger = ITestLedger(deployer.ledger());
        pool = ILendingPool(deployer.pool());
        vm.startPrank(admin);
        ledger.grantRole(ledger.UNDERWRITER_ROLE(), admin);
        ledger.setProduct(0, 0, 3, 30, true); // 3 × 30 days, equal instalments
        vm.stopPrank();
        token.faucet(lender, 1_000_000e6);
        vm.startPrank(lender);
        token.approve(address(pool), type(uint256).max);
        pool.deposit(1_000_000e6, lender);
        vm.stopPrank();
        upkeep = _newUpkeep(50, 100);
        deployBlock = vm.getBlockNumber();
    }

    // ---------------------------------------------------------------- helpers

    /// Deploys from the artifact, so the test contracts do not carry the upkeep's creation code.
    function _newUpkeep(uint256 pageSize, uint256 maxLoans) internal returns (ICollectionUpkeep) {
        return
            ICollectionUpkeep(
                deployCode("CollectionUpkeep.sol:CollectionUpkeep", abi.encode(ledger, pageSize, maxLoans))
            );
    }

    function _who(uint256 i) internal pure returns (address) {
        return address(uint160(0xB0000 + i));
    }

    function _openLine(address who) internal {
        vm.prank(admin);
        ledger.setLine(who, PRINCIPAL, APR, 1, ICreditLedger.LineStatus.Active);
    }

    /// Draws a 3-instalment loan for `who` (line already open); with a mandate, funds and allowance when `mandate`.
    function _draw(address who, bool mandate) internal returns (uint256 loanId) {
        vm.startPrank(who);
        loanId = ledger.draw(0, PRINCIPAL);
        if (mandate) {
            token.faucet(who, 100e6); // the interest
            token.approve(address(ledger), type(uint256).max);
            ledger.setMandate(0);
        }
        vm.stopPrank();
    }

    function _borrowers(uint256 from, uint256 to, bool mandate) internal returns (uint256[] memory ids) {
        ids = new uint256[](to - from);
        for (uint256 i = from; i < to; ++i) {
            _openLine(_who(i));
            ids[i - from] = _draw(_who(i), mandate);
        }
    }

    function _check() internal view returns (bool needed, bytes memory data, uint256[] memory c, uint256[] memory m) {
        (needed, data) = IUpkeepCheck(address(upkeep)).checkUpkeep("");
        (c, m) = abi.decode(data, (uint256[], uint256[]));
    }

    function _perform(bytes memory data) internal returns (uint256 collected, uint256 failed) {
        vm.recordLogs();
        upkeep.performUpkeep(data);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != address(ledger)) continue;
            if (logs[i].topics[0] == COLLECTED) ++collected;
            if (logs[i].topics[0] == FAILED) ++failed;
        }
    }

    function _data(uint256[] memory c, uint256[] memory m) internal pure returns (bytes memory) {
        return abi.encode(c, m);
    }

    /// The first block at or after the current one where a round of `pages` windows starts.
    function _rollToRound(uint256 pages) internal {
        uint256 b = vm.getBlockNumber();
        vm.roll(((b + pages - 1) / pages) * pages);
    }

    // ---------------------------------------------------------------- tests
}

/// check → perform, and how the scan window and the page limits move.
contract CollectionUpkeepFlowTest is CollectionUpkeepBase {
    function test_nothingDue_noUpkeep() public {
        _borrowers(0, 5, true);
        vm.warp(vm.getBlockTimestamp() + PERIOD - 1);
        (bool needed, , uint256[] memory c, uint256[] memory m) = _check();
        assertFalse(needed);
        assertEq(c.length + m.length, 0);
    }

    function test_checkThenPerform_collectsEveryDueInstalment() public {
        uint256[] memory ids = _borrowers(0, 10, true);
        (uint256[] memory dueDates, uint256[] memory payments, , ) = ICreditQuotes(
            deployCode("CreditQuotes.sol:CreditQuotes", abi.encode(ledger))
        ).loanSchedule(ids[0]);
        for (uint256 k = 0; k < 3; ++k) {
            vm.warp(dueDates[k]);
            vm.roll(vm.getBlockNumber() + 1);
            uint256 before = token.balanceOf(_who(3));
            (bool needed, bytes memory data, uint256[] memory c, uint256[] memory m) = _check();
            assertTrue(needed, "due loans need an upkeep");
            assertEq(c.length, 10, "every loan is due");
            assertEq(m.length, 0, "collection reclassifies; nothing to mark");
            vm.roll(vm.getBlockNumber() + 1);
            (uint256 collected, uint256 failed) = _perform(data);
            assertEq(collected, 10);
            assertEq(failed, 0);
            assertEq(before - token.balanceOf(_who(3)), payments[k], "exactly the instalment");
            for (uint256 i = 0; i < 10; ++i) assertEq(ledger.dueNow(ids[i]), 0);
            (needed, , , ) = _check();
            assertFalse(needed, "nothing left");
        }
        for (uint256 i = 0; i < 10; ++i) {
            assertEq(uint8(ledger.loanState(ids[i]).status), uint8(ICreditLedger.LoanStatus.Repaid));
        }
    }

    function test_window_walksThePagesWithoutPerforms() public {
        ICollectionUpkeep small = _newUpkeep(10, 100);
        for (uint256 i = 0; i < 30; ++i) _openLine(_who(i));
        // Only borrowers 20-29 fall due; the others drew 10 days later.
        for (uint256 i = 20; i < 30; ++i) _draw(_who(i), true);
        vm.warp(vm.getBlockTimestamp() + 10 days);
        for (uint256 i = 0; i < 20; ++i) _draw(_who(i), true);
        vm.warp(vm.getBlockTimestamp() + PERIOD - 10 days);

        // Three pages per round; each round starts one borrower further on, and covers every borrower once.
        _rollToRound(3);
        uint256 round = vm.getBlockNumber() / 3;
        uint256 found;
        for (uint256 k = 0; k < 3; ++k) {
            assertEq(small.windowAt(vm.getBlockNumber()), (k * 10 + round) % 30);
            (bool needed, bytes memory data) = small.checkUpkeep("");
            (uint256[] memory c, ) = abi.decode(data, (uint256[], uint256[]));
            assertEq(needed, c.length != 0);
            found += c.length;
            vm.roll(vm.getBlockNumber() + 1);
        }
        assertEq(found, 10, "each due loan found once in the round, without any perform");
        assertEq(small.windowAt(vm.getBlockNumber()), (round + 1) % 30, "the next round starts one borrower on");
    }

    function test_pageCutShort_theNextVisitGoesFurther() public {
        ICollectionUpkeep tiny = _newUpkeep(10, 3);
        _borrowers(0, 5, true);
        vm.warp(vm.getBlockTimestamp() + PERIOD);
        vm.roll(vm.getBlockNumber() + 1);
        (bool needed, bytes memory data) = tiny.checkUpkeep("");
        assertTrue(needed);
        (uint256[] memory c, ) = abi.decode(data, (uint256[], uint256[]));
        assertEq(c.length, 3, "capped at maxLoans");
        tiny.performUpkeep(data);
        vm.roll(vm.getBlockNumber() + 1);
        (needed, data) = tiny.checkUpkeep("");
        (c, ) = abi.decode(data, (uint256[], uint256[]));
        assertEq(c.length, 2, "the rest: the three collected are no longer due");
        tiny.performUpkeep(data);
        vm.roll(vm.getBlockNumber() + 1);
        (needed, ) = tiny.checkUpkeep("");
        assertFalse(needed);
    }
}

/// Constructor bounds, on the upkeep's artifact.
contract CollectionUpkeepConstructorTest is Test {
    function test_constructor_refusesBadParameters() public {
        ICreditLedger someLedger = ICreditLedger(makeAddr("ledger"));
        _assertRefused(
            ICreditLedger(address(0)),
            10,
            10,
            abi.encodeWithSelector(ICollectionUpkeep.ZeroLedger.selector)
        );
        _assertRefused(someLedger, 0, 10, abi.encodeWithSelector(ICollectionUpkeep.InvalidPageSize.selector, 0, 1_000));
        _assertRefused(
            someLedger,
            1_001,
            10,
            abi.encodeWithSelector(ICollectionUpkeep.InvalidPageSize.selector, 1_001, 1_000)
        );
        _assertRefused(someLedger, 10, 0, abi.encodeWithSelector(ICollectionUpkeep.InvalidMaxLoans.selector, 0, 200));
        _assertRefused(
            someLedger,
            10,
            201,
            abi.encodeWithSelector(ICollectionUpkeep.InvalidMaxLoans.selector, 201, 200)
        );
        // The same artifact with good parameters deploys (over a ledger that answers `asset()`).
        vm.mockCall(address(someLedger), abi.encodeCall(ILedgerAsset.asset, ()), abi.encode(makeAddr("asset")));
        assertGt(deployCode("CollectionUpkeep.sol:CollectionUpkeep", abi.encode(someLedger, 10, 10)).code.length, 0);
    }

    /// Deploys the upkeep's artifact with these parameters and checks that the constructor refuses with `expected`.
    function _assertRefused(ICreditLedger ledger_, uint256 pageSize, uint256 maxLoans, bytes memory expected) private {
        bytes memory init = abi.encodePacked(
            vm.getCode("CollectionUpkeep.sol:CollectionUpkeep"),
            abi.encode(ledger_, pageSize, maxLoans)
        );
        address deployed;
        bytes memory reason;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            deployed := create(0, add(init, 0x20), mload(init))
            reason := mload(0x40)
            mstore(reason, returndatasize())
            returndatacopy(add(reason, 0x20), 0, returndatasize())
            mstore(0x40, add(add(reason, 0x20), and(add(returndatasize(), 31), not(31))))
        }
        assertEq(deployed, address(0), "refused");
        assertEq(reason, expected, "with the reason");
    }
}

/// What a perform refuses or ignores: stale data, forged data.
contract CollectionUpkeepSafetyTest is CollectionUpkeepBase {
    function test_stalePerformData_doesNothing() public {
        assertEq(
            address(ILedgerAsset(address(upkeep)).asset()),
            address(token),
            "the ledger's asset, read at deployment"
        );
        _borrowers(0, 10, true);
        vm.warp(vm.getBlockTimestamp() + PERIOD);
        vm.roll(vm.getBlockNumber() + 1);
        (, bytes memory data, , ) = _check();
        vm.roll(vm.getBlockNumber() + 1);
        (uint256 collected, ) = _perform(data);
        assertEq(collected, 10);
        uint256 balance = token.balanceOf(address(ledger));

        // A racing node sends the same data again.
        vm.roll(vm.getBlockNumber() + 1);
        vm.expectEmit(address(upkeep));
        emit ICollectionUpkeep.UpkeepPerformed(0, 0, 0, 10);
        (collected, ) = _perform(data);
        assertEq(collected, 0, "nothing collected twice");
        assertEq(token.balanceOf(address(ledger)), balance);
    }

    function test_forgedPerformData_isFilteredOrRefused() public {
        uint256[] memory ids = _borrowers(0, 5, true);
        vm.warp(vm.getBlockTimestamp() + PERIOD - 1 days);
        vm.roll(vm.getBlockNumber() + 5);

        // Too many ids: refused before any work.
        uint256[] memory many = new uint256[](101);
        vm.expectRevert(abi.encodeWithSelector(ICollectionUpkeep.TooManyLoans.selector, 101, 100));
        upkeep.performUpkeep(_data(many, new uint256[](0)));
        vm.expectRevert(abi.encodeWithSelector(ICollectionUpkeep.TooManyLoans.selector, 101, 100));
        upkeep.performUpkeep(_data(new uint256[](0), many));

        // Loans not due yet, unknown ids and a repeated id: nothing reaches the ledger's collect or mark.
        uint256[] memory forged = new uint256[](8);
        for (uint256 i = 0; i < 5; ++i) forged[i] = ids[i];
        forged[5] = uint256(keccak256("no such loan"));
        forged[6] = (uint256(uint160(_who(99))) << 96) | 1;
        forged[7] = ids[0];
        uint256 balance = token.balanceOf(_who(0));
        (uint256 collected, uint256 failed) = _perform(_data(forged, forged));
        assertEq(collected + failed, 0);
        assertEq(token.balanceOf(_who(0)), balance);
        assertEq(uint8(ledger.loanState(ids[0]).markedBucket), uint8(ICreditLedger.Bucket.Current));
    }
}

/// Lender-safety item 9: forged performs cannot hide a due loan; one borrower's book cannot break a check.
contract CollectionUpkeepItem09Test is CollectionUpkeepBase {
    /// Before: an empty perform with fresh data and `next == start` each block held the window on a page with nothing
    /// due (0 detections in 20 blocks). Now the window depends on the block alone.
    function test_item09_forgedEmptyPerformsCannotHideADueLoan() public {
        ICollectionUpkeep small = _newUpkeep(5, 100);
        for (uint256 i = 0; i < 20; ++i) _openLine(_who(i));
        uint256 dueLoan = _draw(_who(17), true);
        vm.warp(vm.getBlockTimestamp() + 10 days);
        for (uint256 i = 0; i < 20; ++i) if (i != 17) _draw(_who(i), true);
        vm.warp(vm.getBlockTimestamp() + PERIOD - 10 days);

        uint256[] memory none = new uint256[](0);
        _rollToRound(4);
        uint256 detections;
        for (uint256 k = 0; k < 20; ++k) {
            small.performUpkeep(_data(none, none)); // the attacker, first in every block
            (bool needed, bytes memory data) = small.checkUpkeep("");
            if (needed) {
                (uint256[] memory c, ) = abi.decode(data, (uint256[], uint256[]));
                assertEq(c.length, 1);
                assertEq(c[0], dueLoan);
                ++detections;
            }
            vm.roll(vm.getBlockNumber() + 1);
        }
        assertEq(detections, 5, "found once per round of 4 blocks, whatever is performed");
    }

    /// Before: the gas reserve was checked only between borrowers, so a borrower with 2,000 loans pushed a page to
    /// 25,318,543 gas and the check never returned under a 10,000,000 limit. Now each borrower gets a share of the
    /// gas and the borrower behind it is still served.
    function test_item09_oneBorrowerWith2000Loans_checkStaysUnderItsGasLimit() public {
        // The heavy borrower is first in the list and in the page; its loans are not due yet, but each must be read
        // to know that.
        address heavy = _who(0);
        vm.prank(admin);
        ledger.setLine(heavy, 2_000 * ONE, APR, 1, ICreditLedger.LineStatus.Active);
        _openLine(_who(1));
        uint256 dueLoan = _draw(_who(1), true);
        vm.warp(vm.getBlockTimestamp() + 10 days);
        vm.startPrank(heavy);
        for (uint256 i = 0; i < 2_000; ++i) ledger.draw(0, ONE);
        vm.stopPrank();
        vm.warp(vm.getBlockTimestamp() + PERIOD - 10 days + 60);
        _rollToRound(2); // one page of two, whose round starts at the heavy borrower in even blocks
        assertEq(upkeep.windowAt(vm.getBlockNumber()), 0);

        uint256 before = gasleft();
        (bool needed, bytes memory data) = upkeep.checkUpkeep{gas: 10_000_000}("");
        uint256 used = before - gasleft();
        assertLt(used, 10_000_000, "inside the check gas limit");
        assertTrue(needed);
        (uint256[] memory c, uint256[] memory m) = abi.decode(data, (uint256[], uint256[]));
        assertEq(c.length, 1, "the page-mate is still served");
        assertEq(c[0], dueLoan);
        assertEq(m.length, 0);
        emit log_named_uint("check gas with a 2,000-loan borrower in the page", used);
    }
}

/// Delinquency: marks and write-offs through the upkeep.
contract CollectionUpkeepMarkTest is CollectionUpkeepBase {
    function test_lateLoans_areMarkedThenWrittenOff() public {
        uint256[] memory ids = _borrowers(0, 3, false); // no mandate: nothing can be collected
        vm.warp(vm.getBlockTimestamp() + PERIOD + 5 days);
        vm.roll(vm.getBlockNumber() + 1);
        (bool needed, bytes memory data, uint256[] memory c, uint256[] memory m) = _check();
        assertTrue(needed);
        assertEq(c.length, 0, "no mandate: not sent to collect");
        assertEq(m.length, 3, "5 days late: M1");
        upkeep.performUpkeep(data);
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(uint8(ledger.loanState(ids[i]).markedBucket), uint8(ICreditLedger.Bucket.M1));
        }
        vm.roll(vm.getBlockNumber() + 1);
        (needed, , , ) = _check();
        assertFalse(needed, "marked once per transition");

        // A day later the loans are still in M1, but their provisions (which rise with each day past due) are a day
        // behind: listed again, once (fails before: listed only on a bucket change).
        uint256 provisionBefore = ledger.provisions();
        vm.warp(vm.getBlockTimestamp() + 1 days);
        vm.roll(vm.getBlockNumber() + 1);
        (needed, data, c, m) = _check();
        assertEq(m.length, 3, "a day behind");
        upkeep.performUpkeep(data);
        assertGt(ledger.provisions(), provisionBefore, "the provisions rose with the day");
        assertEq(uint8(ledger.loanState(ids[0]).markedBucket), uint8(ICreditLedger.Bucket.M1), "still M1");
        vm.roll(vm.getBlockNumber() + 1);
        (needed, , , ) = _check();
        assertFalse(needed, "not again the same day");

        vm.warp(vm.getBlockTimestamp() + 90 days);
        vm.roll(vm.getBlockNumber() + 1);
        (needed, data, c, m) = _check();
        assertEq(m.length, 3);
        upkeep.performUpkeep(data);
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(uint8(ledger.loanState(ids[i]).status), uint8(ICreditLedger.LoanStatus.Defaulted));
        }
        vm.roll(vm.getBlockNumber() + 1);
        (needed, , , ) = _check();
        assertFalse(needed, "written-off loans leave the scan");
    }
}

/// A loan past its grace period whose pull cannot cover what is due is marked in the same perform.
contract CollectionUpkeepFailingPullTest is CollectionUpkeepBase {
    function test_latePayerWhosePullFallsShort_isStillMarked() public {
        uint256[] memory ids = _borrowers(0, 1, true);
        address who = _who(0);
        uint256 keep = 1;
        vm.startPrank(who);
        token.transfer(address(0xdead), token.balanceOf(who) - keep);
        vm.stopPrank();
        vm.warp(vm.getBlockTimestamp() + PERIOD + 5 days);
        vm.roll(vm.getBlockNumber() + 1);
        (bool needed, bytes memory data, uint256[] memory c, uint256[] memory m) = _check();
        assertTrue(needed);
        assertEq(c.length, 1, "something to pull");
        assertEq(m.length, 1, "past grace: listed for marking too");
        upkeep.performUpkeep(data);
        assertEq(uint8(ledger.loanState(ids[0]).markedBucket), uint8(ICreditLedger.Bucket.M1), "marked");
    }
}

/// A loan in grace whose pull the token refuses (a blacklisted borrower) is marked from its first day past due, on the
/// ramp from its due date, not first at M1.
contract CollectionUpkeepRefusedPullTest is CollectionUpkeepBase {
    function test_graceLoanWhosePullTheTokenRefuses_isMarkedFromItsFirstDayPastDue() public {
        uint256[] memory ids = _borrowers(0, 1, true);
        address who = _who(0);
        // The token refuses every pull from this borrower, as a stablecoin does for a blacklisted address; mandate,
        // balance and allowance are all in place, so the upkeep keeps sending the loan to `collect`.
        vm.mockCallRevert(
            address(token),
            abi.encodeWithSelector(token.transferFrom.selector, who),
            abi.encodeWithSignature("Error(string)", "blacklisted")
        );
        uint256 due = ledger.loanState(ids[0]).nextDueAt;

        // On the due date: collected, not listed for marking (a pull on the due date mostly succeeds).
        vm.warp(due + 1 hours);
        vm.roll(vm.getBlockNumber() + 1);
        (, bytes memory data, uint256[] memory c, uint256[] memory m) = _check();
        assertEq(c.length, 1, "sent to collect");
        assertEq(m.length, 0, "not marked on its due date");
        (uint256 collected, uint256 failed) = _perform(data);
        assertEq(collected, 0);
        assertEq(failed, 1, "the token refused the pull");
        assertEq(uint8(ledger.loanState(ids[0]).markedBucket), uint8(ICreditLedger.Bucket.Current), "untouched");

        // A day past due, the pull still refused: listed for marking too, and marked in the same perform (fails
        // before: listed only past grace, so its first mark booked the ramp up to M1 at once).
        vm.warp(due + 1 days + 1 hours);
        vm.roll(vm.getBlockNumber() + 1);
        (, data, c, m) = _check();
        assertEq(c.length, 1, "still sent to collect");
        assertEq(m.length, 1, "a day past due: listed for marking too");
        uint256 provisionsBefore = ledger.provisions();
        (collected, failed) = _perform(data);
        assertEq(failed, 1);
        ICreditLedger.LoanView memory v = ledger.loanState(ids[0]);
        assertEq(uint8(v.markedBucket), uint8(ICreditLedger.Bucket.Grace), "marked in grace");
        assertGt(ledger.provisions(), provisionsBefore, "its provision is booked");

        // The next day it is marked again (its provision a day behind), still in grace.
        uint256 provisionsDay1 = ledger.provisions();
        vm.warp(due + 2 days + 1 hours);
        vm.roll(vm.getBlockNumber() + 1);
        (, data, c, m) = _check();
        assertEq(m.length, 1, "re-marked daily");
        _perform(data);
        assertEq(uint8(ledger.loanState(ids[0]).markedBucket), uint8(ICreditLedger.Bucket.Grace));
        assertGt(ledger.provisions(), provisionsDay1, "the provision rose with the day");

        // Once the token lets the pull through, collection cures the loan and the perform drops the mark.
        vm.clearMockedCalls();
        vm.warp(due + 2 days + 2 hours);
        vm.roll(vm.getBlockNumber() + 1);
        (, data, c, m) = _check();
        assertEq(c.length, 1);
        (collected, failed) = _perform(data);
        assertEq(collected, 1, "collected");
        assertEq(failed, 0);
        assertEq(uint8(ledger.loanState(ids[0]).markedBucket), uint8(ICreditLedger.Bucket.Current), "cured");
        assertEq(ledger.loanState(ids[0]).pastDue, 0);
    }
}

/// A full mark list skips loans whose provision is only a day behind instead of cutting the page short there.
contract CollectionUpkeepStaleTest is CollectionUpkeepBase {
    function test_fullMarkList_skipsRefreshOnlyLoans_andScansOn() public {
        uint256 t0 = vm.getBlockTimestamp();
        uint256[] memory ab = _borrowers(0, 2, false); // no mandate: nothing to collect, only marks
        vm.warp(t0 + 10 days);
        _openLine(_who(2));
        uint256 c = _draw(_who(2), false);
        vm.warp(t0 + PERIOD + 5 days);
        ledger.mark(ab); // A and B into M1
        // Ten days later A and B are still in M1, last touched ten days ago (refresh only); C, drawn ten days after
        // them, is now 5 days past its first due date: it moves into M1.
        vm.warp(t0 + PERIOD + 15 days);
        ICollectionUpkeep one = _newUpkeep(50, 1);
        (, uint256[] memory m, uint256 next) = one.scan(0);
        assertEq(m.length, 1, "one mark fits");
        assertEq(m[0], ab[0], "A, the first met");
        // B (refresh only) met a full list and was skipped; C (a move) ended the page: the scan reached borrower 2
        // (fails before: the page ended at B, next = 1).
        assertEq(next, 2, "the page went past B");
        // With room, all three are listed: C's move and both refreshes.
        (, m, ) = _newUpkeep(50, 3).scan(0);
        assertEq(m.length, 3);
        assertEq(m[2], c);
    }
}

/// Gas of a 100-loan perform.
contract CollectionUpkeepGasTest is CollectionUpkeepBase {
    /// Gas of one perform collecting 100 loans of 100 borrowers, cold (as in a real transaction: every contract is
    /// cooled first), with the transaction's intrinsic and calldata cost added; and, from the same state, the same
    /// 100 collections sent straight to `ledger.collect`, so the upkeep's own share is known.
    /// Budget: 60,000 gas per loan amortised. The ledger's `collect` alone is above it (≈ 84,500 per loan at the time
    /// of writing), so this test guards the upkeep's share (< 8,000 per loan) and the total against regressions
    /// (< 100,000) and logs both; see docs/KEEPER.md.
    function test_gas_performOf100Loans() public {
        upkeep = _newUpkeep(100, 100);
        uint256[] memory ids = _borrowers(0, 100, true);
        // A minute after the due date, as a keeper or the Automation network would come by. (Exactly at the due
        // date second the ledger's `collect` is ~14,600 gas per loan cheaper: no accrual across the period end.)
        vm.warp(vm.getBlockTimestamp() + PERIOD + 60);
        vm.roll(vm.getBlockNumber() + 1);
        (, bytes memory data, uint256[] memory c, ) = _check();
        assertEq(c.length, 100);
        vm.roll(vm.getBlockNumber() + 1);

        uint256 snapshot = vm.snapshotState();
        _coolAll();
        uint256 before = gasleft();
        ledger.collect(ids);
        uint256 direct = before - gasleft();
        vm.revertToState(snapshot);

        _coolAll();
        before = gasleft();
        upkeep.performUpkeep(data);
        uint256 execution = before - gasleft();
        for (uint256 i = 0; i < 100; ++i) assertEq(ledger.dueNow(ids[i]), 0);

        bytes memory callData = abi.encodeCall(upkeep.performUpkeep, (data));
        uint256 intrinsic = 21_000;
        for (uint256 i = 0; i < callData.length; ++i) intrinsic += callData[i] == 0 ? 4 : 16;
        uint256 perLoan = (execution + intrinsic) / 100;
        uint256 upkeepShare = (execution - direct) / 100;
        emit log_named_uint("ledger.collect(100 ids) directly: execution gas", direct);
        emit log_named_uint("performUpkeep of 100 loans: execution gas", execution);
        emit log_named_uint("performUpkeep of 100 loans: intrinsic + calldata gas", intrinsic);
        emit log_named_uint("performUpkeep: gas per loan, amortised", perLoan);
        emit log_named_uint("of which the upkeep's own share per loan", upkeepShare);
        // Instrumented bytecode under `npm run coverage` costs more gas than the contracts do: budgets not checked.
        if (Coverage.active()) return;
        assertLt(upkeepShare, 8_000, "upkeep overhead per loan");
        assertLe(perLoan, 60_000, "the budget: 60,000 gas per loan, amortised over a batch of 100");
    }

    function _coolAll() internal {
        vm.cool(address(ledger));
        vm.cool(address(token));
        vm.cool(address(pool));
        vm.cool(address(upkeep));
    }
}
