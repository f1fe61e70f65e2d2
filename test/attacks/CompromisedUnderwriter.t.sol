// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {ILedgerBook} from "../../contracts/interfaces/ILedgerBook.sol";
import {ICreditOffers} from "../../contracts/interfaces/ICreditOffers.sol";
import {OffersFixture} from "./OffersFixture.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ILedger} from "../invariants/ILedger.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// Attack: the underwriter's offer-signing key is stolen. The thief signs maximal offers (any limit, the highest
/// APR, every product) for borrowers it controls, accepts them and draws as much of the pool as it can.
///
/// Defence: the ledger bounds every line whoever signed it: APR at most `APR_CAP_BPS` (24%, `AprAboveCap`), limit
/// within the storage bound 2^88 − 1 (`AmountTooLarge`), products within the 16-bit mask (`ProductIdOutOfRange`); a
/// draw never takes cash below the liquidity reserve and the queue's hold (`InsufficientLiquidity`); the key cannot
/// accept for anyone else (`NotOfferBorrower`) nor stand in for the KYC issuer (`UntrustedKycIssuer`), and it cannot
/// lift a delinquency freeze (`LineFrozenByArrears`). It is stopped by `offers.setSigner(key, false)` (every offer it
/// signed fails with `UntrustedSigner(key)`), by revoking CreditOffers' `UNDERWRITER_ROLE` on the ledger (every
/// offer fails), and lines it already opened by the pauser (`EnforcedPause`) and a ledger underwriter (`setLine` to
/// Frozen: `LineNotActive`).
///
/// NOT bounded yet (issue #6, PRODUCT.md C8, documented in docs/SECURITY.md): no per-borrower exposure cap (absolute
/// or % of pool), no per-draw maximum, no daily origination cap, no utilisation cap, no circuit breaker. One
/// colluding borrower can take all the available liquidity in one transaction:
/// `test_maximalOffer_oneBorrowerDrainsAvailableLiquidity` pins that number down.
///
/// Without the defence: the `vm.expectRevert(AprAboveCap / AmountTooLarge / InsufficientLiquidity / UntrustedSigner
/// / AccessControlUnauthorizedAccount / LineFrozenByArrears ...)` expectations fail, and the post-revocation
/// `assertEq(ledger.lineOf(colluder2).limit, 0)` fails.
contract CompromisedUnderwriterTest is OffersFixture {
    uint256 internal constant MAX_LIMIT = type(uint80).max; // the ledger's largest line limit (80 bits of the line word)
    uint32 internal constant EVERY_PRODUCT = 0xffff;

    address internal colluder2 = makeAddr("colluder2");

    function _maximal(address who, uint256 nonce) internal view returns (ICreditOffers.CreditOffer memory o) {
        o = _offer(who, ledger, MAX_LIMIT, 2_400, nonce);
        o.productMask = EVERY_PRODUCT;
    }

    function test_aprAboveCap_refusedWhoeverSigned() public {
        ICreditOffers.CreditOffer memory o = _maximal(attacker, 0);
        o.aprBps = 2_401;
        bytes memory sig = _signOffer(signerKey, o);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.AprAboveCap.selector, 2_401, 2_400));
        _accept(o, sig);

        o.aprBps = type(uint256).max;
        sig = _signOffer(signerKey, o);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.AprAboveCap.selector, type(uint256).max, 2_400));
        _accept(o, sig);
        assertEq(offers.nextNonce(attacker), 0, "nothing consumed");
        assertEq(ledger.lineOf(attacker).limit, 0);
    }

    function test_limitAndProductsBeyondStorageBounds_refused() public {
        ICreditOffers.CreditOffer memory o = _maximal(attacker, 0);
        o.limit = MAX_LIMIT + 1;
        bytes memory sig = _signOffer(signerKey, o);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.AmountTooLarge.selector, MAX_LIMIT + 1, MAX_LIMIT));
        _accept(o, sig);

        o = _maximal(attacker, 0);
        o.productMask = type(uint32).max;
        sig = _signOffer(signerKey, o);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.ProductIdOutOfRange.selector, 16));
        _accept(o, sig);
    }

    /// The maximal offer the ledger accepts, and what it is worth to a thief: all the available liquidity (cash
    /// above the 5% reserve) in one draw. Lenders keep the reserve and can no longer exit instantly.
    function test_maximalOffer_oneBorrowerDrainsAvailableLiquidity() public {
        ICreditOffers.CreditOffer memory o = _maximal(attacker, 0);
        _accept(o, _signOffer(signerKey, o));
        ICreditLedger.LineView memory line = ledger.lineOf(attacker);
        assertEq(line.limit, MAX_LIMIT);
        assertEq(line.aprBps, 2_400);

        uint256 available = ledger.availableLiquidity();
        assertEq(available, INITIAL_DEPOSIT - (INITIAL_DEPOSIT * 500) / 10_000, "95% of the pool");
        vm.expectRevert(abi.encodeWithSelector(ILedgerBook.InsufficientLiquidity.selector, available + 1, available));
        vm.prank(attacker);
        ledger.draw(5, available + 1);

        // Products the admin never defined stay closed even though the mask allows them.
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.ProductNotEnabled.selector, 9));
        vm.prank(attacker);
        ledger.draw(9, 1e6);

        vm.prank(attacker);
        ledger.draw(5, available);
        assertEq(token.balanceOf(attacker), available, "the whole available liquidity in one draw");
        assertEq(ledger.availableLiquidity(), 0);
        assertEq(pool.maxWithdraw(lender), 0, "lenders must queue");
        assertEq(ledger.cash(), INITIAL_DEPOSIT - available, "the reserve stays");
        emit log_named_uint("taken by one colluding borrower (no exposure cap yet)", available);
    }

    function test_revocation_stopsPreSignedOffers_openLinesNeedTheLedgerRoles() public {
        ICreditOffers.CreditOffer memory o1 = _maximal(attacker, 0);
        ICreditOffers.CreditOffer memory o2 = _maximal(colluder2, 0);
        bytes memory sig1 = _signOffer(signerKey, o1);
        bytes memory sig2 = _signOffer(signerKey, o2);
        _accept(o1, sig1);

        vm.prank(admin);
        offers.setSigner(signer, false);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedSigner.selector, signer));
        _accept(o2, sig2);
        assertEq(ledger.lineOf(colluder2).limit, 0, "no second line");
        // A new offer from the stolen key for the first colluder is refused too.
        ICreditOffers.CreditOffer memory again = _maximal(attacker, 1);
        bytes memory againSig = _signOffer(signerKey, again);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedSigner.selector, signer));
        _accept(again, againSig);

        // The line already opened is not undone by the revocation: pause new credit, then freeze the line.
        vm.prank(pauser);
        ledger.pause();
        vm.expectRevert(ICreditLedger.EnforcedPause.selector);
        vm.prank(attacker);
        ledger.draw(5, 1_000e6);
        vm.prank(underwriter);
        ledger.setLine(attacker, 0, 2_400, 0, ICreditLedger.LineStatus.Frozen);
        vm.prank(pauser);
        ledger.unpause();
        vm.expectRevert(
            abi.encodeWithSelector(ICreditLedger.LineNotActive.selector, attacker, ICreditLedger.LineStatus.Frozen)
        );
        vm.prank(attacker);
        ledger.draw(5, 1_000e6);
    }

    function test_revokingTheOffersContractsLedgerRole_stopsEveryOffer() public {
        bytes32 role = ledger.UNDERWRITER_ROLE();
        vm.prank(admin);
        ledger.revokeRole(role, address(offers));
        ICreditOffers.CreditOffer memory o = _offer(borrower, ledger, 15_000e6, 1_200, 0);
        bytes memory sig = _signOffer(signerKey, o);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, address(offers), role)
        );
        _accept(o, sig);
    }

    function test_stolenKey_cannotAcceptForOthers_norIssueKyc() public {
        ICreditOffers.CreditOffer memory o = _maximal(victim, 0);
        ICreditOffers.Kyc memory k = _kyc(victim);
        bytes memory sig = _signOffer(signerKey, o);
        bytes memory kycSig = _sign(issuerKey, _kycDigest(k, CHAIN, address(offers)));
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.NotOfferBorrower.selector, attacker, victim));
        vm.prank(attacker);
        offers.acceptOffer(o, sig, k, kycSig, _noPermit());

        // A borrower without a credential cannot use the stolen key's signature as one.
        ICreditOffers.CreditOffer memory own = _maximal(attacker, 0);
        ICreditOffers.Kyc memory fake = _kyc(attacker);
        bytes memory ownSig = _signOffer(signerKey, own);
        bytes memory fakeSig = _sign(signerKey, _kycDigest(fake, CHAIN, address(offers)));
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedKycIssuer.selector, signer));
        vm.prank(attacker);
        offers.acceptOffer(own, ownSig, fake, fakeSig, _noPermit());
    }

    /// A delinquency freeze lives in the line's `lateLoans`, which an offer does not touch: a stolen key cannot let
    /// a late borrower draw again. A status freeze set by an underwriter, however, is lifted by any accepted offer
    /// (documented on `acceptOffer`): revoke the key first, then freeze.
    function test_stolenKey_cannotLiftArrearsFreeze_butCanReopenAStatusFreeze() public {
        ICreditOffers.CreditOffer memory o = _offer(attacker, ledger, 10_000e6, 1_800, 0);
        _accept(o, _signOffer(signerKey, o));
        vm.prank(attacker);
        uint256 loanId = ledger.draw(5, 10_000e6);
        vm.warp(block.timestamp + 30 days + 4 days);
        uint256[] memory ids = new uint256[](1);
        ids[0] = loanId;
        ledger.mark(ids);
        assertEq(ledger.lineOf(attacker).lateLoans, 1);

        ICreditOffers.CreditOffer memory raise = _maximal(attacker, 1);
        _accept(raise, _signOffer(signerKey, raise));
        assertEq(uint8(ledger.lineOf(attacker).status), uint8(ICreditLedger.LineStatus.Active));
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.LineFrozenByArrears.selector, attacker, 1));
        vm.prank(attacker);
        ledger.draw(5, 1_000e6);

        // A borrower frozen by an underwriter (status), not by arrears:
        vm.prank(underwriter);
        ledger.setLine(colluder2, 5_000e6, 1_800, ALL_PRODUCTS_MASK, ICreditLedger.LineStatus.Frozen);
        ICreditOffers.CreditOffer memory reopen = _maximal(colluder2, 0);
        _accept(reopen, _signOffer(signerKey, reopen));
        vm.prank(colluder2);
        ledger.draw(5, 1_000e6);
        assertEq(ledger.lineOf(colluder2).outstanding, 1_000e6, "the status freeze was lifted by the offer");
    }

    /// A written-off loan keeps counting in its line's `lateLoans` (it never leaves the Default bucket), even after a
    /// full recovery: a stolen key's offer sets the status back to Active but cannot let a defaulted borrower draw.
    function test_stolenKey_cannotReopenADefaultedBorrower() public {
        ICreditOffers.CreditOffer memory o = _offer(attacker, ledger, 10_000e6, 1_800, 0);
        _accept(o, _signOffer(signerKey, o));
        vm.prank(attacker);
        uint256 loanId = ledger.draw(5, 10_000e6);
        vm.warp(block.timestamp + 30 days + 90 days + 1);
        uint256[] memory ids = new uint256[](1);
        ids[0] = loanId;
        ledger.mark(ids);
        assertEq(uint8(ledger.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Defaulted));
        assertEq(uint8(ledger.lineOf(attacker).status), uint8(ICreditLedger.LineStatus.Frozen));

        uint256 claim = ledger.loanState(loanId).payoff;
        _fund(attacker, claim);
        vm.prank(attacker);
        assertEq(ledger.repay(loanId, type(uint256).max), claim, "full recovery");
        assertEq(ledger.loanState(loanId).payoff, 0);

        ICreditOffers.CreditOffer memory reopen = _maximal(attacker, 1);
        _accept(reopen, _signOffer(signerKey, reopen));
        assertEq(uint8(ledger.lineOf(attacker).status), uint8(ICreditLedger.LineStatus.Active));
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.LineFrozenByArrears.selector, attacker, 1));
        vm.prank(attacker);
        ledger.draw(5, 1_000e6);
    }
}
