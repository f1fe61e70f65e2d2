// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditOffers} from "../../contracts/interfaces/ICreditOffers.sol";
import {IOffers} from "../utils/IOffers.sol";
import {AttackBase} from "./AttackBase.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";

/// The base deployment plus a `CreditOffers` contract holding the ledger's underwriter role, one trusted offer
/// signer key and one trusted KYC issuer key. Digests are built here from the EIP-712 definitions (docs/OFFERS.md)
/// for any chain id and verifying contract, so a test can sign for another chain or another deployment.
/// `CreditOffers` is deployed from its artifact and used through `IOffers`, so its code stays out of this compilation
/// job (see test/utils/IOffers.sol).
abstract contract OffersFixture is AttackBase {
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

    uint256 internal signerKey = 0xA11CE;
    uint256 internal issuerKey = 0xB0B;
    address internal signer;
    address internal issuer;
    IOffers internal offers;

    function setUp() public virtual override {
        super.setUp();
        signer = vm.addr(signerKey);
        issuer = vm.addr(issuerKey);
        offers = _deployOffers(ledger);
    }

    /// A CreditOffers contract for `l`, holding its underwriter role, trusting this fixture's signer and issuer.
    function _deployOffers(ITestLedger l) internal returns (IOffers o) {
        o = IOffers(deployCode("CreditOffers.sol:CreditOffers", abi.encode(l, admin)));
        vm.startPrank(admin);
        l.grantRole(l.UNDERWRITER_ROLE(), address(o));
        o.setSigner(signer, true);
        o.setKycIssuer(issuer, true);
        vm.stopPrank();
    }

    function _offer(
        address who,
        ITestLedger l,
        uint256 limit,
        uint256 aprBps,
        uint256 nonce
    ) internal view returns (ICreditOffers.CreditOffer memory) {
        return
            ICreditOffers.CreditOffer({
                borrower: who,
                ledger: address(l),
                limit: limit,
                aprBps: aprBps,
                productMask: ALL_PRODUCTS_MASK,
                modelVersion: MODEL,
                nonce: nonce,
                expiry: block.timestamp + 1 days
            });
    }

    function _domain(uint256 chainId, address verifyingContract) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(DOMAIN_TYPEHASH, keccak256("Microcredit"), keccak256("1"), chainId, verifyingContract)
            );
    }

    function _offerDigest(
        ICreditOffers.CreditOffer memory o,
        uint256 chainId,
        address verifyingContract
    ) internal pure returns (bytes32) {
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
        return keccak256(abi.encodePacked("\x19\x01", _domain(chainId, verifyingContract), structHash));
    }

    function _kyc(address who) internal view returns (ICreditOffers.Kyc memory) {
        return ICreditOffers.Kyc({borrower: who, level: 2, expiry: block.timestamp + 365 days});
    }

    function _kycDigest(
        ICreditOffers.Kyc memory k,
        uint256 chainId,
        address verifyingContract
    ) internal pure returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(KYC_TYPEHASH, k.borrower, k.level, k.expiry));
        return keccak256(abi.encodePacked("\x19\x01", _domain(chainId, verifyingContract), structHash));
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// `key`'s signature of `o` for `offers` on the current chain.
    function _signOffer(uint256 key, ICreditOffers.CreditOffer memory o) internal view returns (bytes memory) {
        return _sign(key, _offerDigest(o, block.chainid, address(offers)));
    }

    /// The address a 65-byte signature recovers to for `digest` (what the contract names in its error).
    function _recover(bytes32 digest, bytes memory sig) internal pure returns (address) {
        (bytes32 r, bytes32 s) = abi.decode(sig, (bytes32, bytes32));
        return ecrecover(digest, uint8(sig[64]), r, s);
    }

    function _noPermit() internal pure returns (ICreditOffers.Permit memory) {
        return ICreditOffers.Permit({value: 0, deadline: 0, v: 0, r: 0, s: 0});
    }

    /// The offer's borrower accepts it on `o` with a fresh KYC credential signed for `o` on the current chain.
    function _acceptOn(IOffers o, ICreditOffers.CreditOffer memory offer, bytes memory sig) internal {
        ICreditOffers.Kyc memory k = _kyc(offer.borrower);
        bytes memory kycSig = _sign(issuerKey, _kycDigest(k, block.chainid, address(o)));
        vm.prank(offer.borrower);
        o.acceptOffer(offer, sig, k, kycSig, _noPermit());
    }

    function _accept(ICreditOffers.CreditOffer memory offer, bytes memory sig) internal {
        _acceptOn(offers, offer, sig);
    }
}
