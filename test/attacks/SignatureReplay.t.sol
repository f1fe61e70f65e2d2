// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ISignatureErrors} from "../../contracts/interfaces/ISignatureErrors.sol";
import {ICreditOffers} from "../../contracts/interfaces/ICreditOffers.sol";
import {IOffers} from "../utils/IOffers.sol";
import {OffersFixture} from "./OffersFixture.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";
import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ILedger} from "../invariants/ILedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// Attack: replaying a signed credit offer or KYC credential where it was not meant to be used: on another chain
/// (a fork or the same contracts redeployed elsewhere), on another deployment (a second pool and ledger trusting the
/// same underwriter key), a second time (nonce replay, or an older offer with better terms after a newer one), with
/// the malleable twin of the signature, or after the signing key was revoked or rotated.
///
/// Defence: the EIP-712 domain binds chain id and verifying contract (OpenZeppelin `EIP712` rebuilds the separator
/// when the chain id changes), the offer names its ledger, nonces are a strict per-borrower sequence moved on by
/// acceptance or `revokeNonce`, OpenZeppelin `ECDSA` refuses high-s and malformed signatures, and `setSigner` /
/// `setKycIssuer` distrust a key for every signature it ever made.
///
/// Without the defence: a replayed offer would be accepted and `vm.expectRevert(UntrustedSigner(recovered))` /
/// `OfferNonceUsed` / `OfferForOtherLedger` / `ECDSAInvalidSignatureS` would fail, and the checks that the line
/// keeps its previous limit (`assertEq(ledger2.lineOf(borrower).limit, 0)`, `..., 5_000e6`) would fail.
contract SignatureReplayTest is OffersFixture {
    uint256 internal constant LIMIT = 15_000e6;

    // ---------------------------------------------------------------- across chains

    function test_crossChain_offerRefusedOnAnotherChain() public {
        ICreditOffers.CreditOffer memory o = _offer(borrower, ledger, LIMIT, 1200, 0);
        bytes memory sig = _signOffer(signerKey, o);
        bytes32 digestHere = offers.hashOffer(o);

        // Same contract address on another chain (a fork, or a deployment with the same deployer nonce).
        vm.chainId(10);
        bytes32 digestThere = offers.hashOffer(o);
        assertTrue(digestThere != digestHere, "the domain follows the chain id");
        assertEq(digestThere, _offerDigest(o, 10, address(offers)));
        address recovered = _recover(digestThere, sig);
        assertTrue(recovered != signer);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedSigner.selector, recovered));
        _accept(o, sig);
        assertEq(ledger.lineOf(borrower).limit, 0, "no line");
        assertEq(offers.nextNonce(borrower), 0, "nonce not consumed");
    }

    function test_crossChain_kycCredentialRefusedOnAnotherChain() public {
        ICreditOffers.Kyc memory k = _kyc(borrower);
        bytes memory kycSig = _sign(issuerKey, _kycDigest(k, CHAIN, address(offers)));
        vm.chainId(10);
        ICreditOffers.CreditOffer memory o = _offer(borrower, ledger, LIMIT, 1200, 0);
        bytes memory sig = _signOffer(signerKey, o); // a valid offer for chain 10
        address recovered = _recover(_kycDigest(k, 10, address(offers)), kycSig);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedKycIssuer.selector, recovered));
        vm.prank(borrower);
        offers.acceptOffer(o, sig, k, kycSig, _noPermit());
    }

    // ---------------------------------------------------------------- across deployments

    function test_crossDeployment_offerForOnePoolRefusedByAnother() public {
        (ITestLedger ledger2, ) = _deployWith(address(token));
        IOffers offers2 = _deployOffers(ledger2); // trusts the same signer key

        // Signed for the first deployment, submitted to the second: another verifying contract.
        ICreditOffers.CreditOffer memory o = _offer(borrower, ledger, LIMIT, 1200, 0);
        bytes memory sig = _signOffer(signerKey, o);
        address recovered = _recover(_offerDigest(o, CHAIN, address(offers2)), sig);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedSigner.selector, recovered));
        _acceptOn(offers2, o, sig);

        // Signed in the second deployment's domain but naming the first ledger (the key's mistake, or a
        // contract address shared across chains): refused by the ledger field.
        bytes memory sig2 = _sign(signerKey, _offerDigest(o, CHAIN, address(offers2)));
        vm.expectRevert(
            abi.encodeWithSelector(ICreditOffers.OfferForOtherLedger.selector, address(ledger2), address(ledger))
        );
        _acceptOn(offers2, o, sig2);

        assertEq(ledger2.lineOf(borrower).limit, 0, "no line on the second ledger");
        assertEq(offers2.nextNonce(borrower), 0);
        // The offer still works where it was meant to.
        _accept(o, sig);
        assertEq(ledger.lineOf(borrower).limit, LIMIT);
    }

    // ---------------------------------------------------------------- nonces

    function test_nonceReplay_sameOfferTwice_refused() public {
        ICreditOffers.CreditOffer memory o = _offer(borrower, ledger, LIMIT, 1200, 0);
        bytes memory sig = _signOffer(signerKey, o);
        _accept(o, sig);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.OfferNonceUsed.selector, borrower, 0));
        _accept(o, sig);
    }

    /// The underwriter lowers the borrower's limit with a newer offer (which the borrower needed, e.g. for a lower
    /// APR); the older offer with the larger limit can never be used again.
    function test_nonceReplay_olderBetterOfferAfterNewerOne_refused() public {
        ICreditOffers.CreditOffer memory older = _offer(borrower, ledger, LIMIT, 1200, 0);
        bytes memory olderSig = _signOffer(signerKey, older);
        _accept(older, olderSig);
        ICreditOffers.CreditOffer memory newer = _offer(borrower, ledger, 5_000e6, 900, 1);
        _accept(newer, _signOffer(signerKey, newer));

        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.OfferNonceUsed.selector, borrower, 0));
        _accept(older, olderSig);
        assertEq(ledger.lineOf(borrower).limit, 5_000e6, "the newer terms stand");
        assertEq(ledger.lineOf(borrower).aprBps, 900);
    }

    /// An offer signed but not yet accepted can be withdrawn by the admin (or the borrower, or an offers
    /// underwriter) by revoking its nonce.
    function test_revokedNonce_pendingOfferRefused() public {
        ICreditOffers.CreditOffer memory o = _offer(borrower, ledger, LIMIT, 1200, 0);
        bytes memory sig = _signOffer(signerKey, o);
        vm.prank(admin);
        offers.revokeNonce(borrower, 0);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.OfferNonceUsed.selector, borrower, 0));
        _accept(o, sig);
        assertEq(ledger.lineOf(borrower).limit, 0);
    }

    // ---------------------------------------------------------------- malleability and malformed signatures

    function test_malleability_highSTwinRefused() public {
        ICreditOffers.CreditOffer memory o = _offer(borrower, ledger, LIMIT, 1200, 0);
        bytes32 digest = _offerDigest(o, CHAIN, address(offers));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKey, digest);
        bytes32 highS = bytes32(SECP256K1_N - uint256(s));
        uint8 twinV = v == 27 ? 28 : 27;
        assertEq(ecrecover(digest, twinV, r, highS), signer, "the twin is valid for raw ecrecover");

        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureS.selector, highS));
        _accept(o, abi.encodePacked(r, highS, twinV));
        assertEq(offers.nextNonce(borrower), 0);
        // The canonical signature is still accepted once, and only once; the twin stays refused.
        _accept(o, abi.encodePacked(r, s, v));
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.OfferNonceUsed.selector, borrower, 0));
        _accept(o, abi.encodePacked(r, s, v));
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureS.selector, highS));
        _accept(o, abi.encodePacked(r, highS, twinV));
    }

    function test_malformed_compactAndBadVSignaturesRefused() public {
        ICreditOffers.CreditOffer memory o = _offer(borrower, ledger, LIMIT, 1200, 0);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKey, _offerDigest(o, CHAIN, address(offers)));
        // EIP-2098 compact form (64 bytes): not accepted.
        bytes32 vs = bytes32(uint256(s) | (uint256(v - 27) << 255));
        vm.expectRevert(abi.encodeWithSelector(ISignatureErrors.MalformedSignature.selector, 64));
        _accept(o, abi.encodePacked(r, vs));
        // v outside {27, 28}: ecrecover gives zero, ECDSA refuses.
        vm.expectRevert(ECDSA.ECDSAInvalidSignature.selector);
        _accept(o, abi.encodePacked(r, s, uint8(v + 2)));
    }

    // ---------------------------------------------------------------- revoked and rotated keys

    function test_revokedKey_everyOfferItSignedRefused() public {
        address borrower2 = makeAddr("borrower2");
        ICreditOffers.CreditOffer memory o1 = _offer(borrower, ledger, LIMIT, 1200, 0);
        ICreditOffers.CreditOffer memory o2 = _offer(borrower2, ledger, LIMIT, 1200, 0);
        bytes memory sig1 = _signOffer(signerKey, o1);
        bytes memory sig2 = _signOffer(signerKey, o2);
        vm.prank(admin);
        offers.setSigner(signer, false);

        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedSigner.selector, signer));
        _accept(o1, sig1);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedSigner.selector, signer));
        _accept(o2, sig2);
    }

    function test_rotatedKey_oldKeyRefused_newKeyAccepted() public {
        uint256 newKey = 0xC0FFEE;
        ICreditOffers.CreditOffer memory o = _offer(borrower, ledger, LIMIT, 1200, 0);
        bytes memory oldSig = _signOffer(signerKey, o);
        vm.startPrank(admin);
        offers.setSigner(vm.addr(newKey), true);
        offers.setSigner(signer, false);
        vm.stopPrank();

        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedSigner.selector, signer));
        _accept(o, oldSig);
        _accept(o, _signOffer(newKey, o));
        assertEq(ledger.lineOf(borrower).limit, LIMIT);
        // An old-key offer for the next nonce is refused as well.
        ICreditOffers.CreditOffer memory next = _offer(borrower, ledger, 40_000e6, 1200, 1);
        bytes memory nextSig = _signOffer(signerKey, next);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedSigner.selector, signer));
        _accept(next, nextSig);
    }

    function test_revokedKycIssuer_credentialsRefusedAndRecordedOnesInvalid() public {
        ICreditOffers.CreditOffer memory o = _offer(borrower, ledger, LIMIT, 1200, 0);
        _accept(o, _signOffer(signerKey, o));
        assertTrue(offers.kycValid(borrower));

        vm.prank(admin);
        offers.setKycIssuer(issuer, false);
        assertFalse(offers.kycValid(borrower), "the recorded credential dies with its issuer");
        ICreditOffers.CreditOffer memory next = _offer(borrower, ledger, LIMIT, 1200, 1);
        bytes memory sig = _signOffer(signerKey, next);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedKycIssuer.selector, issuer));
        _accept(next, sig);
    }
}
