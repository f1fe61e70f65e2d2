// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {ISignatureErrors} from "../contracts/interfaces/ISignatureErrors.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MockStablecoin} from "../contracts/mocks/MockStablecoin.sol";
import {MockERC1271Signer} from "../contracts/mocks/MockERC1271Signer.sol";
import {ICreditOffers} from "../contracts/interfaces/ICreditOffers.sol";
import {ICreditLedger} from "../contracts/interfaces/ICreditLedger.sol";
import {ILendingPool} from "../contracts/interfaces/ILendingPool.sol";
import {IOffers} from "./utils/IOffers.sol";
import {ITestLedger, IMicrocreditDeployer} from "./utils/ITestLedger.sol";
import {Coverage} from "./utils/Coverage.sol";
import {LedgerViews} from "../contracts/libraries/LedgerViews.sol";
import {ILedger} from "./invariants/ILedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// Signed offers: every refusal with its exact error and arguments, the ERC-1271 path, malleability, permits, KYC.
/// Digests are computed here from the EIP-712 definitions, independently of the contract's own hashing.
/// Every contract under test is deployed from its artifact and called through interfaces, so none of their code is in
/// this compilation job (see test/utils/IOffers.sol).
abstract contract CreditOffersBase is Test {
    uint256 internal constant CHAIN = 31337;
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    bytes32 internal constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 internal constant OFFER_TYPEHASH = keccak256(
        "CreditOffer(address borrower,address ledger,uint256 limit,uint256 aprBps,uint32 productMask,"
        "bytes32 modelVersion,uint256 nonce,uint256 expiry)"
    );
    bytes32 internal constant KYC_TYPEHASH = keccak256("Kyc(address borrower,uint8 level,uint256 expiry)");
    bytes32 internal constant MODEL = keccak256("model sha256");

    MockStablecoin internal token;
    ITestLedger internal ledger;
    ILendingPool internal pool;
    IOffers internal offers;

    address internal admin = makeAddr("admin");
    address internal lender = makeAddr("lender");
    address internal stranger = makeAddr("stranger");
    uint256 internal signerKey = 0xA11CE;
    uint256 internal issuerKey = 0xB0B;
    uint256 internal borrowerKey = 0xB0220;
    address internal signer;
    address internal issuer;
    address internal borrower;

    function setUp() public {
        vm.chainId(CHAIN);
        vm.warp(1_750_000_000);
        signer = vm.addr(signerKey);
        issuer = vm.addr(issuerKey);
        borrower = vm.addr(borrowerKey);
        token = MockStablecoin(deployCode("MockStablecoin.sol:MockStablecoin"));
        // deployCode reads the artifact, so this test's bytecode does not carry the ledger's and the pool's.
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
        offers = IOffers(deployCode("CreditOffers.sol:CreditOffers", abi.encode(ledger, admin)));

        vm.startPrank(admin);
        ledger.grantRole(ledger.UNDERWRITER_ROLE(), address(offers));
        ledger.setProduct(0, 0, 3, 30, true);
        ledger.setProduct(5, 3, 1, 30, true);
        offers.setSigner(signer, true);
        offers.setKycIssuer(issuer, true);
        vm.stopPrank();

        token.faucet(lender, 1_000_000e6);
        vm.startPrank(lender);
        token.approve(address(pool), type(uint256).max);
        pool.deposit(1_000_000e6, lender);
        vm.stopPrank();
    }

    // ---------------------------------------------------------------- helpers

    function _offer() internal view returns (ICreditOffers.CreditOffer memory) {
        return
            ICreditOffers.CreditOffer({
                borrower: borrower,
                ledger: address(ledger),
                limit: 15_000e6,
                aprBps: 1200,
                productMask: 0x21,
                modelVersion: MODEL,
                nonce: 0,
                expiry: block.timestamp + 1 days
            });
    }

    function _kycFor(address who) internal view returns (ICreditOffers.Kyc memory) {
        return ICreditOffers.Kyc({borrower: who, level: 2, expiry: block.timestamp + 365 days});
    }

    function _noPermit() internal pure returns (ICreditOffers.Permit memory) {
        return ICreditOffers.Permit({value: 0, deadline: 0, v: 0, r: 0, s: 0});
    }

    function _domain(uint256 chainId, address verifyingContract) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(DOMAIN_TYPEHASH, keccak256("Microcredit"), keccak256("1"), chainId, verifyingContract)
            );
    }

    function _offerDigest(ICreditOffers.CreditOffer memory o, uint256 chainId) internal view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                OFFER_TYPEHASH,
                o.borrower,
                o.ledger,
                o.limit,
                o.aprBps,
                o.productMask,
                o.modelVersion,
                o.nonce,
                o.expiry
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", _domain(chainId, address(offers)), structHash));
    }

    function _kycDigest(ICreditOffers.Kyc memory k) internal view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(KYC_TYPEHASH, k.borrower, k.level, k.expiry));
        return keccak256(abi.encodePacked("\x19\x01", _domain(CHAIN, address(offers)), structHash));
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _signOffer(ICreditOffers.CreditOffer memory o) internal view returns (bytes memory) {
        return _sign(signerKey, _offerDigest(o, CHAIN));
    }

    function _signKyc(ICreditOffers.Kyc memory k) internal view returns (bytes memory) {
        return _sign(issuerKey, _kycDigest(k));
    }

    /// The address a 65-byte signature recovers to for `digest` (what the contract will name).
    function _recover(bytes32 digest, bytes memory sig) internal pure returns (address) {
        (bytes32 r, bytes32 s) = abi.decode(sig, (bytes32, bytes32));
        return ecrecover(digest, uint8(sig[64]), r, s);
    }

    function _accept(ICreditOffers.CreditOffer memory o, bytes memory sig) internal {
        ICreditOffers.Kyc memory k = _kycFor(o.borrower);
        vm.prank(o.borrower);
        offers.acceptOffer(o, sig, k, _signKyc(k), _noPermit());
    }

    function _acceptWithKyc(ICreditOffers.Kyc memory k, bytes memory kycSig) internal {
        ICreditOffers.CreditOffer memory o = _offer();
        vm.prank(borrower);
        offers.acceptOffer(o, _signOffer(o), k, kycSig, _noPermit());
    }

    function _permit(uint256 value, uint256 deadline) internal view returns (ICreditOffers.Permit memory p) {
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                borrower,
                address(ledger),
                value,
                token.nonces(borrower),
                deadline
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (p.v, p.r, p.s) = vm.sign(borrowerKey, digest);
        p.value = value;
        p.deadline = deadline;
    }

    /// Signs `signed`, submits `tampered` with that signature and expects the address it recovers to be refused.
    function _expectTampered(
        ICreditOffers.CreditOffer memory signed,
        ICreditOffers.CreditOffer memory tampered
    ) internal {
        bytes memory sig = _signOffer(signed);
        address recovered = _recover(_offerDigest(tampered, CHAIN), sig);
        assertTrue(recovered != signer && recovered != address(0), "tampering changes the recovered signer");
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedSigner.selector, recovered));
        _accept(tampered, sig);
    }

    function _wallet(uint256 ownerKey) internal returns (MockERC1271Signer) {
        return MockERC1271Signer(deployCode("MockERC1271Signer.sol:MockERC1271Signer", abi.encode(vm.addr(ownerKey))));
    }
}

/// Accepting offers: the line, the nonce, KYC, permits and contract signers.
contract CreditOffersAcceptTest is CreditOffersBase {
    function test_hashes_matchIndependentEip712Encoding() public view {
        ICreditOffers.CreditOffer memory o = _offer();
        ICreditOffers.Kyc memory k = _kycFor(borrower);
        assertEq(offers.hashOffer(o), _offerDigest(o, CHAIN));
        assertEq(offers.hashKyc(k), _kycDigest(k));
        assertEq(offers.OFFER_TYPEHASH(), OFFER_TYPEHASH);
        assertEq(offers.KYC_TYPEHASH(), KYC_TYPEHASH);
    }

    function test_acceptOffer_opensLineRecordsKycAndMovesNonce() public {
        ICreditOffers.CreditOffer memory o = _offer();
        ICreditOffers.Kyc memory k = _kycFor(borrower);
        vm.expectEmit(address(offers));
        emit ICreditOffers.OfferAccepted(borrower, 0, 15_000e6, 1200, 0x21, MODEL, signer);
        vm.prank(borrower);
        offers.acceptOffer(o, _signOffer(o), k, _signKyc(k), _noPermit());

        ICreditLedger.LineView memory line = ledger.lineOf(borrower);
        assertEq(line.limit, 15_000e6);
        assertEq(line.aprBps, 1200);
        assertEq(line.productMask, 0x21);
        assertEq(uint8(line.status), uint8(ICreditLedger.LineStatus.Active));
        assertEq(offers.nextNonce(borrower), 1);
        assertTrue(offers.kycValid(borrower));
        assertEq(offers.kycValidUntil(borrower), k.expiry);
        ICreditOffers.KycRecord memory rec = offers.kycOf(borrower);
        assertEq(rec.level, 2);
        assertEq(rec.issuer, issuer);
    }

    function test_acceptOffer_thenDraw_paysBorrower() public {
        _accept(_offer(), _signOffer(_offer()));
        vm.prank(borrower);
        ledger.draw(0, 1_000e6);
        assertEq(token.balanceOf(borrower), 1_000e6);
        assertEq(ledger.lineOf(borrower).available, 14_000e6);
    }

    function test_acceptOffer_nextOfferChangesTerms() public {
        _accept(_offer(), _signOffer(_offer()));
        ICreditOffers.CreditOffer memory o = _offer();
        o.nonce = 1;
        o.limit = 30_000e6;
        o.aprBps = 900;
        _accept(o, _signOffer(o));
        assertEq(ledger.lineOf(borrower).limit, 30_000e6);
        assertEq(ledger.lineOf(borrower).aprBps, 900);
        assertEq(offers.nextNonce(borrower), 2);
    }

    function test_acceptOffer_zeroLimitFreezesLine() public {
        _accept(_offer(), _signOffer(_offer()));
        ICreditOffers.CreditOffer memory o = _offer();
        o.nonce = 1;
        o.limit = 0;
        _accept(o, _signOffer(o));
        assertEq(uint8(ledger.lineOf(borrower).status), uint8(ICreditLedger.LineStatus.Frozen));
    }

    function test_acceptOffer_atExpirySecond_isAccepted() public {
        ICreditOffers.CreditOffer memory o = _offer();
        bytes memory sig = _signOffer(o);
        vm.warp(o.expiry);
        _accept(o, sig);
        assertEq(offers.nextNonce(borrower), 1);
    }

    function test_acceptOffer_withPermit_setsLedgerAllowance() public {
        ICreditOffers.CreditOffer memory o = _offer();
        ICreditOffers.Kyc memory k = _kycFor(borrower);
        ICreditOffers.Permit memory p = _permit(type(uint256).max, block.timestamp + 1 hours);
        vm.prank(borrower);
        offers.acceptOffer(o, _signOffer(o), k, _signKyc(k), p);
        assertEq(token.allowance(borrower, address(ledger)), type(uint256).max);
        assertEq(token.nonces(borrower), 1);
    }

    function test_acceptOffer_frontRunPermit_stillAccepts() public {
        ICreditOffers.CreditOffer memory o = _offer();
        ICreditOffers.Kyc memory k = _kycFor(borrower);
        ICreditOffers.Permit memory p = _permit(5_000e6, block.timestamp + 1 hours);
        // Someone submits the permit from the mempool first: the nonce is spent, the allowance is there.
        vm.prank(stranger);
        token.permit(borrower, address(ledger), p.value, p.deadline, p.v, p.r, p.s);
        vm.prank(borrower);
        offers.acceptOffer(o, _signOffer(o), k, _signKyc(k), p);
        assertEq(token.allowance(borrower, address(ledger)), 5_000e6);
        assertEq(offers.nextNonce(borrower), 1);
    }

    function test_acceptOffer_failedPermitWithoutAllowance_reverts() public {
        ICreditOffers.CreditOffer memory o = _offer();
        ICreditOffers.Kyc memory k = _kycFor(borrower);
        ICreditOffers.Permit memory p = _permit(5_000e6, block.timestamp + 1 hours);
        p.value = 6_000e6; // signed for 5,000: the token refuses it
        bytes memory offerSig = _signOffer(o);
        bytes memory kycSig = _signKyc(k);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.PermitFailed.selector, borrower, 0, 6_000e6));
        vm.prank(borrower);
        offers.acceptOffer(o, offerSig, k, kycSig, p);
    }

    function test_acceptOffer_erc1271Signer_accepted() public {
        uint256 ownerKey = 0x5AFE;
        MockERC1271Signer wallet = _wallet(ownerKey);
        vm.prank(admin);
        offers.setSigner(address(wallet), true);
        ICreditOffers.CreditOffer memory o = _offer();
        bytes memory sig = abi.encode(address(wallet), _sign(ownerKey, _offerDigest(o, CHAIN)));
        vm.expectEmit(address(offers));
        emit ICreditOffers.OfferAccepted(borrower, 0, 15_000e6, 1200, 0x21, MODEL, address(wallet));
        _accept(o, sig);
        assertEq(ledger.lineOf(borrower).limit, 15_000e6);
    }

    function test_acceptOffer_erc1271KycIssuer_accepted() public {
        uint256 ownerKey = 0x5AFE;
        MockERC1271Signer wallet = _wallet(ownerKey);
        vm.prank(admin);
        offers.setKycIssuer(address(wallet), true);
        ICreditOffers.Kyc memory k = _kycFor(borrower);
        _acceptWithKyc(k, abi.encode(address(wallet), _sign(ownerKey, _kycDigest(k))));
        assertEq(offers.kycOf(borrower).issuer, address(wallet));
    }
}

/// Every signed field is covered: changing any of them makes the signature recover to another, untrusted address.
contract CreditOffersTamperTest is CreditOffersBase {
    function test_tampered_borrower() public {
        ICreditOffers.CreditOffer memory signed = _offer();
        ICreditOffers.CreditOffer memory tampered = _offer();
        tampered.borrower = stranger;
        _expectTampered(signed, tampered);
    }

    function test_tampered_ledger() public {
        ICreditOffers.CreditOffer memory signed = _offer();
        signed.ledger = makeAddr("other ledger");
        _expectTampered(signed, _offer());
    }

    function test_tampered_limit() public {
        ICreditOffers.CreditOffer memory tampered = _offer();
        tampered.limit = 50_000e6;
        _expectTampered(_offer(), tampered);
    }

    function test_tampered_aprBps() public {
        ICreditOffers.CreditOffer memory tampered = _offer();
        tampered.aprBps = 720;
        _expectTampered(_offer(), tampered);
    }

    function test_tampered_productMask() public {
        ICreditOffers.CreditOffer memory tampered = _offer();
        tampered.productMask = 0x3f;
        _expectTampered(_offer(), tampered);
    }

    function test_tampered_modelVersion() public {
        ICreditOffers.CreditOffer memory tampered = _offer();
        tampered.modelVersion = keccak256("another model");
        _expectTampered(_offer(), tampered);
    }

    function test_tampered_nonce() public {
        ICreditOffers.CreditOffer memory signed = _offer();
        signed.nonce = 7;
        _expectTampered(signed, _offer());
    }

    function test_tampered_expiry() public {
        ICreditOffers.CreditOffer memory tampered = _offer();
        tampered.expiry += 30 days;
        _expectTampered(_offer(), tampered);
    }

    function testFuzz_tampered_limitOrApr(uint256 limit, uint256 aprBps) public {
        ICreditOffers.CreditOffer memory tampered = _offer();
        tampered.limit = bound(limit, 0, type(uint88).max);
        tampered.aprBps = bound(aprBps, 0, 2400);
        vm.assume(tampered.limit != 15_000e6 || tampered.aprBps != 1200);
        _expectTampered(_offer(), tampered);
    }
}

/// Replay across time, nonces, chains and ledgers, and revocation of nonces and keys.
contract CreditOffersReplayTest is CreditOffersBase {
    function test_expiredOffer_reverts() public {
        ICreditOffers.CreditOffer memory o = _offer();
        bytes memory sig = _signOffer(o);
        vm.warp(o.expiry + 1);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.OfferExpired.selector, o.expiry, o.expiry + 1));
        _accept(o, sig);
    }

    function test_replayedNonce_reverts() public {
        ICreditOffers.CreditOffer memory o = _offer();
        bytes memory sig = _signOffer(o);
        _accept(o, sig);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.OfferNonceUsed.selector, borrower, 0));
        _accept(o, sig);
    }

    function test_nonceAheadOfNext_reverts() public {
        ICreditOffers.CreditOffer memory o = _offer();
        o.nonce = 1;
        bytes memory sig = _signOffer(o);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.OfferNonceNotNext.selector, borrower, 1, 0));
        _accept(o, sig);
    }

    function test_acceptingNewerOffer_killsOlderOne() public {
        ICreditOffers.CreditOffer memory older = _offer();
        bytes memory olderSig = _signOffer(older);
        vm.prank(borrower);
        offers.revokeNonce(borrower, 0);
        ICreditOffers.CreditOffer memory newer = _offer();
        newer.nonce = 1;
        _accept(newer, _signOffer(newer));
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.OfferNonceUsed.selector, borrower, 0));
        _accept(older, olderSig);
    }

    function test_revokedNonce_byBorrower_reverts() public {
        ICreditOffers.CreditOffer memory o = _offer();
        bytes memory sig = _signOffer(o);
        vm.expectEmit(address(offers));
        emit ICreditOffers.NonceRevoked(borrower, 0, borrower);
        vm.prank(borrower);
        offers.revokeNonce(borrower, 0);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.OfferNonceUsed.selector, borrower, 0));
        _accept(o, sig);
    }

    function test_revokedNonce_byUnderwriterAndAdmin() public {
        address underwriter = makeAddr("underwriter");
        bytes32 role = offers.UNDERWRITER_ROLE();
        vm.prank(admin);
        offers.grantRole(role, underwriter);
        vm.prank(underwriter);
        offers.revokeNonce(borrower, 0);
        vm.prank(admin);
        offers.revokeNonce(borrower, 4); // skips 1-4 as well
        assertEq(offers.nextNonce(borrower), 5);
        ICreditOffers.CreditOffer memory o = _offer();
        o.nonce = 3;
        bytes memory sig = _signOffer(o);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.OfferNonceUsed.selector, borrower, 3));
        _accept(o, sig);
    }

    function test_revokeNonce_byStranger_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.NotAllowedToRevoke.selector, stranger, borrower));
        vm.prank(stranger);
        offers.revokeNonce(borrower, 0);
    }

    function test_revokeNonce_alreadyUsed_reverts() public {
        _accept(_offer(), _signOffer(_offer()));
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.OfferNonceUsed.selector, borrower, 0));
        vm.prank(borrower);
        offers.revokeNonce(borrower, 0);
    }

    function test_revokeNonce_outOfRange_reverts() public {
        uint256 nonce = type(uint48).max;
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.NonceTooFarAhead.selector, borrower, nonce, 65_535));
        vm.prank(borrower);
        offers.revokeNonce(borrower, nonce);
    }

    /// An underwriter (or the admin) must not be able to lock a borrower out of offers for good. Before the bound, a
    /// revocation of nonce 2^48 − 2 set the next nonce to 2^48 − 1, which no offer could be accepted at
    /// (`NonceOutOfRange`) and no revocation could move past.
    function test_revokeNonce_cannotExhaustTheNonces() public {
        address underwriter = makeAddr("underwriter");
        bytes32 role = offers.UNDERWRITER_ROLE();
        vm.prank(admin);
        offers.grantRole(role, underwriter);
        uint256 top = uint256(type(uint48).max) - 1;
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.NonceTooFarAhead.selector, borrower, top, 65_535));
        vm.prank(underwriter);
        offers.revokeNonce(borrower, top);
        // The largest jump allowed; the borrower still accepts the next offer.
        vm.prank(underwriter);
        offers.revokeNonce(borrower, 65_535);
        assertEq(offers.nextNonce(borrower), 65_536);
        vm.expectRevert(
            abi.encodeWithSelector(ICreditOffers.NonceTooFarAhead.selector, borrower, 65_536 + 65_536, 131_071)
        );
        vm.prank(underwriter);
        offers.revokeNonce(borrower, 65_536 + 65_536);
        ICreditOffers.CreditOffer memory o = _offer();
        o.nonce = 65_536;
        _accept(o, _signOffer(o));
        assertEq(offers.nextNonce(borrower), 65_537);
    }

    function test_wrongChainId_reverts() public {
        ICreditOffers.CreditOffer memory o = _offer();
        bytes memory sig = _sign(signerKey, _offerDigest(o, 1));
        address recovered = _recover(_offerDigest(o, CHAIN), sig);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedSigner.selector, recovered));
        _accept(o, sig);
    }

    function test_sameContractOnAnotherChain_refusesOffer() public {
        ICreditOffers.CreditOffer memory o = _offer();
        bytes memory sig = _signOffer(o);
        vm.chainId(10);
        address recovered = _recover(_offerDigest(o, 10), sig);
        assertTrue(recovered != signer);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedSigner.selector, recovered));
        _accept(o, sig);
    }

    function test_offerForOtherLedger_reverts() public {
        ICreditOffers.CreditOffer memory o = _offer();
        address other = makeAddr("other ledger");
        o.ledger = other;
        bytes memory sig = _signOffer(o);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.OfferForOtherLedger.selector, address(ledger), other));
        _accept(o, sig);
    }

    function test_revokedSignerKey_reverts() public {
        ICreditOffers.CreditOffer memory o = _offer();
        bytes memory sig = _signOffer(o);
        vm.expectEmit(address(offers));
        emit ICreditOffers.SignerSet(signer, false);
        vm.prank(admin);
        offers.setSigner(signer, false);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedSigner.selector, signer));
        _accept(o, sig);
    }

    function test_rotatedSignerKey_newKeyWorks() public {
        uint256 newKey = 0xC0FFEE;
        vm.startPrank(admin);
        offers.setSigner(vm.addr(newKey), true);
        offers.setSigner(signer, false);
        vm.stopPrank();
        ICreditOffers.CreditOffer memory o = _offer();
        _accept(o, _sign(newKey, _offerDigest(o, CHAIN)));
        assertEq(ledger.lineOf(borrower).limit, 15_000e6);
    }

    function test_wrongBorrower_reverts() public {
        ICreditOffers.CreditOffer memory o = _offer();
        ICreditOffers.Kyc memory k = _kycFor(borrower);
        bytes memory offerSig = _signOffer(o);
        bytes memory kycSig = _signKyc(k);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.NotOfferBorrower.selector, stranger, borrower));
        vm.prank(stranger);
        offers.acceptOffer(o, offerSig, k, kycSig, _noPermit());
    }

    function test_aprAboveLedgerCap_refusedByLedger() public {
        ICreditOffers.CreditOffer memory o = _offer();
        o.aprBps = 2401;
        bytes memory sig = _signOffer(o);
        vm.expectRevert(abi.encodeWithSelector(ICreditLedger.AprAboveCap.selector, 2401, 2400));
        _accept(o, sig);
    }
}

/// Signature formats: malleability, ERC-1271 wallets, malformed input.
contract CreditOffersSignatureTest is CreditOffersBase {
    function test_highS_malleableSignature_reverts() public {
        ICreditOffers.CreditOffer memory o = _offer();
        bytes32 digest = _offerDigest(o, CHAIN);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKey, digest);
        bytes32 highS = bytes32(SECP256K1_N - uint256(s));
        uint8 flippedV = v == 27 ? 28 : 27;
        assertEq(ecrecover(digest, flippedV, r, highS), signer, "the twin signature is valid for raw ecrecover");
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureS.selector, highS));
        _accept(o, abi.encodePacked(r, highS, flippedV));
    }

    function test_erc1271Signer_untrusted_reverts() public {
        uint256 ownerKey = 0x5AFE;
        MockERC1271Signer wallet = _wallet(ownerKey);
        ICreditOffers.CreditOffer memory o = _offer();
        bytes memory sig = abi.encode(address(wallet), _sign(ownerKey, _offerDigest(o, CHAIN)));
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedSigner.selector, address(wallet)));
        _accept(o, sig);
    }

    function test_erc1271Signer_refusing_reverts() public {
        uint256 ownerKey = 0x5AFE;
        MockERC1271Signer wallet = _wallet(ownerKey);
        vm.prank(admin);
        offers.setSigner(address(wallet), true);
        ICreditOffers.CreditOffer memory o = _offer();
        // Signed by a key the wallet does not accept.
        bytes memory sig = abi.encode(address(wallet), _sign(signerKey, _offerDigest(o, CHAIN)));
        vm.expectRevert(abi.encodeWithSelector(ISignatureErrors.InvalidSignature.selector, address(wallet)));
        _accept(o, sig);
        // The right key, but the wallet stopped approving.
        sig = abi.encode(address(wallet), _sign(ownerKey, _offerDigest(o, CHAIN)));
        vm.prank(vm.addr(ownerKey));
        wallet.setApproving(false);
        vm.expectRevert(abi.encodeWithSelector(ISignatureErrors.InvalidSignature.selector, address(wallet)));
        _accept(o, sig);
    }

    function test_contractPath_withEoaSigner_checksEcdsa() public {
        ICreditOffers.CreditOffer memory o = _offer();
        _accept(o, abi.encode(signer, _signOffer(o)));
        assertEq(offers.nextNonce(borrower), 1);
        o.nonce = 1;
        bytes memory wrong = abi.encode(signer, _sign(issuerKey, _offerDigest(o, CHAIN)));
        vm.expectRevert(abi.encodeWithSelector(ISignatureErrors.InvalidSignature.selector, signer));
        _accept(o, wrong);
    }

    function test_malformedSignature_reverts() public {
        ICreditOffers.CreditOffer memory o = _offer();
        vm.expectRevert(abi.encodeWithSelector(ISignatureErrors.MalformedSignature.selector, 64));
        _accept(o, new bytes(64));
    }
}

/// KYC credentials: issuer, expiry, borrower, level, renewal and revocation.
contract CreditOffersKycTest is CreditOffersBase {
    function test_expiredKyc_reverts() public {
        ICreditOffers.Kyc memory k = _kycFor(borrower);
        k.expiry = block.timestamp - 1;
        bytes memory kycSig = _signKyc(k);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.KycExpired.selector, k.expiry, block.timestamp));
        _acceptWithKyc(k, kycSig);
    }

    function test_untrustedKycIssuer_reverts() public {
        ICreditOffers.Kyc memory k = _kycFor(borrower);
        bytes memory kycSig = _sign(signerKey, _kycDigest(k)); // the offer key is not a KYC issuer
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedKycIssuer.selector, signer));
        _acceptWithKyc(k, kycSig);
    }

    function test_tamperedKyc_reverts() public {
        ICreditOffers.Kyc memory k = _kycFor(borrower);
        bytes memory kycSig = _signKyc(k);
        k.expiry += 365 days;
        address recovered = _recover(_kycDigest(k), kycSig);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.UntrustedKycIssuer.selector, recovered));
        _acceptWithKyc(k, kycSig);
    }

    function test_kycForOtherBorrower_reverts() public {
        ICreditOffers.Kyc memory k = _kycFor(stranger);
        bytes memory kycSig = _signKyc(k);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.KycForOtherBorrower.selector, borrower, stranger));
        _acceptWithKyc(k, kycSig);
    }

    function test_kycLevelTooLow_reverts() public {
        vm.prank(admin);
        offers.setMinKycLevel(3);
        ICreditOffers.Kyc memory k = _kycFor(borrower);
        bytes memory kycSig = _signKyc(k);
        vm.expectRevert(abi.encodeWithSelector(ICreditOffers.KycLevelTooLow.selector, 2, 3));
        _acceptWithKyc(k, kycSig);
    }

    function test_kycValid_endsAtExpiry_andWithIssuerRevocation() public {
        _accept(_offer(), _signOffer(_offer()));
        uint256 expiry = offers.kycOf(borrower).expiry;
        vm.warp(expiry);
        assertTrue(offers.kycValid(borrower), "valid through its expiry second");
        vm.warp(expiry + 1);
        assertFalse(offers.kycValid(borrower), "expired");
        assertEq(offers.kycValidUntil(borrower), expiry);

        vm.warp(expiry - 10 days);
        assertTrue(offers.kycValid(borrower));
        vm.prank(admin);
        offers.setKycIssuer(issuer, false);
        assertFalse(offers.kycValid(borrower), "revoking the issuer revokes its credentials");
        assertEq(offers.kycValidUntil(borrower), 0);
    }

    /// What a KYC-gated draw would pay for asking this contract (cold call, cold slots): the ledger's hook budget.
    function test_kycValid_gasForALedgerHook() public {
        _accept(_offer(), _signOffer(_offer()));
        vm.cool(address(offers));
        uint256 before = gasleft();
        bool valid = offers.kycValid(borrower);
        uint256 used = before - gasleft();
        assertTrue(valid);
        emit log_named_uint("kycValid gas, cold", used);
        // Instrumented bytecode under `npm run coverage` costs more gas than the contract does: budget not checked.
        if (Coverage.active()) return;
        assertLt(used, 12_000);
    }

    function test_recordKyc_renewalByAnyone_olderOnlyByBorrower() public {
        _accept(_offer(), _signOffer(_offer()));
        ICreditOffers.Kyc memory renewal = _kycFor(borrower);
        renewal.expiry += 365 days;
        vm.prank(stranger);
        offers.recordKyc(renewal, _signKyc(renewal));
        assertEq(offers.kycValidUntil(borrower), renewal.expiry);

        ICreditOffers.Kyc memory older = _kycFor(borrower);
        bytes memory olderSig = _signKyc(older);
        vm.expectRevert(
            abi.encodeWithSelector(ICreditOffers.KycOlderThanRecorded.selector, older.expiry, renewal.expiry)
        );
        vm.prank(stranger);
        offers.recordKyc(older, olderSig);
        vm.prank(borrower);
        offers.recordKyc(older, olderSig);
        assertEq(offers.kycValidUntil(borrower), older.expiry);
    }

    function test_kycExpiryBeyond40Bits_isClamped() public {
        ICreditOffers.Kyc memory k = _kycFor(borrower);
        k.expiry = type(uint256).max;
        offers.recordKyc(k, _signKyc(k));
        assertEq(offers.kycValidUntil(borrower), type(uint40).max);
    }
}

/// Admin surface and construction.
contract CreditOffersAdminTest is CreditOffersBase {
    function test_adminSetters_onlyAdmin() public {
        bytes32 adminRole = offers.DEFAULT_ADMIN_ROLE();
        bytes memory unauthorized = abi.encodeWithSelector(
            IAccessControl.AccessControlUnauthorizedAccount.selector,
            stranger,
            adminRole
        );
        vm.startPrank(stranger);
        vm.expectRevert(unauthorized);
        offers.setSigner(stranger, true);
        vm.expectRevert(unauthorized);
        offers.setKycIssuer(stranger, true);
        vm.expectRevert(unauthorized);
        offers.setMinKycLevel(0);
        vm.stopPrank();
    }

    function test_zeroAddresses_reverts() public {
        vm.startPrank(admin);
        vm.expectRevert(ICreditOffers.ZeroAddress.selector);
        offers.setSigner(address(0), true);
        vm.expectRevert(ICreditOffers.ZeroAddress.selector);
        offers.setKycIssuer(address(0), true);
        vm.stopPrank();
        vm.expectRevert(ICreditOffers.ZeroAddress.selector);
        deployCode("CreditOffers.sol:CreditOffers", abi.encode(ledger, address(0)));
    }

    function test_constructor_readsLedgerAsset() public view {
        assertEq(address(offers.asset()), address(token));
        assertEq(address(offers.ledger()), address(ledger));
        assertEq(offers.minKycLevel(), 1);
    }
}
