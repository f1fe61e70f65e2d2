// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {stdError} from "forge-std/StdError.sol";
import {MicrocreditBase} from "./utils/MicrocreditBase.sol";
import {ICreditLedger} from "../contracts/interfaces/ICreditLedger.sol";
import {ICreditLens} from "../contracts/interfaces/ICreditLens.sol";
import {LedgerViews} from "../contracts/libraries/LedgerViews.sol";
import {ITestLedger} from "./utils/ITestLedger.sol";

using LedgerViews for ITestLedger;

/// The CreditLens and the ledger's `extView` it reads through: the same answers as the ledger's storage gives, errors
/// bubbled unchanged, and no way to write through `extView`.
contract CreditLensTest is MicrocreditBase {
    ICreditLens internal lens;
    uint256 internal loanId;

    function setUp() public override {
        super.setUp();
        lens = ICreditLens(deployCode("CreditLens.sol:CreditLens", abi.encode(ledger)));
        loanId = _openAndDraw(borrower, 0, 10_000 * ONE, APR);
        vm.warp(block.timestamp + 40 days); // past the first due date: something is due and late
    }

    function test_lensAnswersAreTheLedgersOwn() public view {
        assertEq(lens.ledger(), address(ledger));
        assertEq(abi.encode(lens.loanState(loanId)), abi.encode(ledger.loanState(loanId)), "loanState");
        assertEq(abi.encode(lens.loanRecord(loanId)), abi.encode(ledger.loanRecord(loanId)), "loanRecord");
        assertEq(lens.dueNow(loanId), ledger.dueNow(loanId), "dueNow");
        assertGt(lens.dueNow(loanId), 0, "an instalment is due");
        assertEq(lens.loanIdOf(borrower, 1), loanId, "loanIdOf");
        assertEq(lens.loanIdOf(borrower, 1), (uint256(uint160(borrower)) << 96) | 1, "loan id layout");
        assertEq(abi.encode(lens.lineOf(borrower)), abi.encode(ledger.lineOf(borrower)), "lineOf");
        assertEq(lens.lineOf(borrower).outstanding, 10_000 * ONE, "outstanding");
        assertEq(abi.encode(lens.creditHistory(borrower)), abi.encode(ledger.creditHistory(borrower)), "history");
        assertEq(abi.encode(lens.product(0)), abi.encode(ledger.product(0)), "product");
        assertEq(abi.encode(lens.riskState()), abi.encode(ledger.riskState()), "riskState");
        assertEq(abi.encode(lens.riskParams()), abi.encode(ledger.riskParams()), "riskParams");
        assertEq(lens.riskParams().defaultDays, 90, "default riskParams");
        assertEq(lens.borrowerCount(), 1, "borrowerCount");
        assertEq(lens.borrowerAt(0), borrower, "borrowerAt");
        assertEq(lens.kycRequired(), ledger.kycRequired(), "kycRequired");
        assertEq(lens.originatorAllowed(borrower, address(this)), false, "originatorAllowed");
        (uint256 outstanding, uint256 cap) = lens.productExposure(0);
        assertEq(outstanding, 10_000 * ONE, "product outstanding");
        assertEq(cap, 0, "no cap");
        (bool active, uint256 capPerCollection) = lens.mandateOf(borrower);
        (bool active2, uint256 cap2) = ledger.mandateOf(borrower);
        assertEq(active, active2, "mandate");
        assertEq(capPerCollection, cap2, "mandate cap");
        assertEq(lens.principalOutstanding(), 10_000 * ONE, "principal");
        assertEq(lens.lenderAssets(), ledger.lenderAssets(), "lenderAssets");
        (uint256 assets, uint256 gross, uint256 penalty) = ledger.bookValue();
        assertEq(lens.lenderAssets(), assets, "lenderAssets = bookValue");
        assertEq(lens.grossInterest(), gross, "grossInterest = bookValue");
        assertEq(lens.penaltyIncome(), penalty, "penaltyIncome = bookValue");
        assertGt(lens.grossInterest(), 0, "interest accrued");
        assertEq(lens.interestReceivable(), ledger.interestReceivable(), "receivable");
        assertEq(lens.rateSum(), ledger.rateSum(), "rateSum");
        assertEq(lens.protocolFeesOwed(), ledger.protocolFeesOwed(), "fees");
        assertEq(lens.firstLossReserve(), ledger.firstLossReserve(), "first loss");
        assertEq(lens.provisions(), ledger.provisions(), "provisions");
        assertEq(lens.queueReserve(), ledger.queueReserve(), "queue reserve");
        (uint256 fee, uint256 firstLoss, uint256 reserve) = lens.rates();
        (uint256 fee2, uint256 firstLoss2, uint256 reserve2) = ledger.rates();
        assertEq(abi.encode(fee, firstLoss, reserve), abi.encode(fee2, firstLoss2, reserve2), "rates");
    }

    function test_extViewAnswersAsAbiEncodedBytes() public view {
        bytes memory answer = ledger.extView(abi.encodeCall(ICreditLens.lineOf, (borrower)));
        assertEq(answer, abi.encode(lens.lineOf(borrower)));
        assertEq(answer.length % 32, 0);
    }

    /// The ledger's views of loans, lines and the book are gone from its dispatch (the lens serves them).
    function test_ledgerNoLongerAnswersTheMovedViews() public {
        bytes4[4] memory moved = [
            ICreditLens.loanState.selector,
            ICreditLens.lineOf.selector,
            ICreditLens.lenderAssets.selector,
            ICreditLens.riskState.selector
        ];
        for (uint256 i = 0; i < moved.length; ++i) {
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory data) = address(ledger).call(abi.encodePacked(moved[i], uint256(uint160(borrower))));
            assertFalse(ok, "no such function on the ledger");
            assertEq(data.length, 0, "no fallback answers it");
        }
    }

    /// An admin's call of `extView` (a CALL, not a STATICCALL) carrying a role change runs the ViewModule's role
    /// setters, which revert: no role moves.
    function test_extViewCannotChangeRoles() public {
        bytes32 role = ledger.UNDERWRITER_ROLE();
        address attacker = makeAddr("attacker");
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSignature("ViewOnly(bytes4)", IAccessControl.grantRole.selector));
        ledger.extView(abi.encodeCall(IAccessControl.grantRole, (role, attacker)));
        vm.expectRevert(abi.encodeWithSignature("ViewOnly(bytes4)", IAccessControl.revokeRole.selector));
        ledger.extView(abi.encodeCall(IAccessControl.revokeRole, (role, underwriter)));
        vm.stopPrank();
        vm.prank(underwriter);
        vm.expectRevert(abi.encodeWithSignature("ViewOnly(bytes4)", IAccessControl.renounceRole.selector));
        ledger.extView(abi.encodeCall(IAccessControl.renounceRole, (role, underwriter)));
        assertFalse(ledger.hasRole(role, attacker), "no grant");
        assertTrue(ledger.hasRole(role, underwriter), "no revoke or renounce");
    }

    /// An entry point's calldata sent through `extView` finds no such function in the ViewModule: nothing runs.
    function test_extViewRunsNoEntryPoint() public {
        uint256 cash = ledger.cash();
        vm.prank(borrower);
        vm.expectRevert(bytes(""));
        ledger.extView(abi.encodeCall(ICreditLedger.draw, (0, 1_000 * ONE)));
        vm.expectRevert(bytes(""));
        ledger.extView(abi.encodeCall(ICreditLedger.repay, (loanId, 1_000 * ONE)));
        assertEq(ledger.cash(), cash, "no cash moved");
        assertEq(lens.lineOf(borrower).outstanding, 10_000 * ONE, "no loan drawn or repaid");
    }

    function test_lensBubblesTheViewsErrors() public {
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.ProductIdOutOfRange.selector, uint8(16)));
        lens.productExposure(16);
        vm.expectRevert(stdError.indexOOBError);
        lens.borrowerAt(1);
    }

    function test_lensRefusesNoLedger() public {
        bytes memory initCode = abi.encodePacked(vm.getCode("CreditLens.sol:CreditLens"), abi.encode(address(0)));
        vm.expectRevert(ICreditLedger.ZeroAddress.selector);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            pop(create(0, add(initCode, 0x20), mload(initCode)))
        }
    }
}
