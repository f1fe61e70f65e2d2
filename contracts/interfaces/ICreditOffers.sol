// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICreditLedger} from "./ICreditLedger.sol";
import {ISignatureErrors} from "./ISignatureErrors.sol";

/// @title IKycGate
/// @notice What the credit ledger asks before a draw: does the borrower hold a KYC credential that is valid now?
/// Repayment must never ask it.
interface IKycGate {
    /// @notice Whether `borrower` holds a KYC credential that has not expired, from an issuer still trusted, at a
    /// level at least the current minimum.
    function kycValid(address borrower) external view returns (bool);
}

/// @title ILedgerAsset
/// @notice The ledger's asset getter (a public immutable of the ledger that its interfaces do not declare yet).
interface ILedgerAsset {
    /// @notice The token the ledger lends and collects.
    function asset() external view returns (IERC20);
}

/// @title ICreditOffers
/// @notice Signed credit offers (PRODUCT.md C2): the off-chain risk engine's decision, signed by an underwriter key as
/// EIP-712 typed data, accepted on chain by the borrower in one transaction that also records a signed KYC
/// credential and (optionally) an ERC-2612 permit giving the ledger the auto-debit allowance. The contract holds
/// the ledger's UNDERWRITER_ROLE and is the only path by which signed offers become lines.
///
/// EIP-712 domain: name "Microcredit", version "1", the chain id and this contract's address. Types:
/// `CreditOffer(address borrower,address ledger,uint256 limit,uint256 aprBps,uint32 productMask,bytes32 modelVersion,
/// uint256 nonce,uint256 expiry)` and `Kyc(address borrower,uint8 level,uint256 expiry)`.
///
/// Signatures: 65 bytes `r‖s‖v` from an EOA key (recovered with OpenZeppelin ECDSA, which refuses high-s and
/// zero-address recoveries), or `abi.encode(address signer, bytes signature)` for a contract signer such as a
/// multisig, checked with ERC-1271 through OpenZeppelin `SignatureChecker.isValidSignatureNow`.
///
/// Replay protection: the domain binds chain and contract; the offer names its ledger; nonces are sequential per
/// borrower (an offer is accepted only with `nonce == nextNonce(borrower)`, which then moves on by one, so an accepted
/// or revoked nonce can never be used again and accepting an offer makes every older unaccepted offer of that borrower
/// unusable); every offer and credential carries an expiry.
///
/// Expiries are inclusive: an offer or credential is valid while `block.timestamp <= expiry`.
///
/// Trust assumptions:
/// - The admin (DEFAULT_ADMIN_ROLE) is trusted: it chooses the offer signers, the KYC issuers and the minimum KYC
///   level. It should be a timelocked multisig.
/// - An offer signer is trusted to sign only what the risk policy decided. A compromised signer key can open or raise
///   any borrower's line up to what the ledger itself allows (the APR cap in force, 24% by default, its storage
///   bound, and the exposure caps of later modules); it cannot move funds, change existing loans, skip KYC, or make anyone else
///   borrow. `setSigner(key, false)` stops every offer signed by the key, accepted or not, from being accepted
///   again; lines it already opened stay until an underwriter changes them.
/// - A KYC issuer is trusted to certify identity. `setKycIssuer(key, false)` invalidates at once every credential
///   that key issued (recorded ones included): `kycValid` turns false for those borrowers until a trusted issuer's
///   credential is recorded (`recordKyc`).
/// - The ledger is trusted to enforce its own caps; the asset is a plain ERC-20 with ERC-2612 permit.
interface ICreditOffers is IKycGate, ISignatureErrors {
    /// @notice A credit offer as the risk engine decided it. `limit` in asset base units; `aprBps` per year;
    /// `productMask` bit i allows product i; `modelVersion` the risk model's sha256 content hash.
    // The field order is the EIP-712 type that signers sign; the struct only ever lives in calldata.
    // solhint-disable-next-line gas-struct-packing
    struct CreditOffer {
        address borrower;
        address ledger;
        uint256 limit;
        uint256 aprBps;
        uint32 productMask;
        bytes32 modelVersion;
        uint256 nonce;
        uint256 expiry;
    }

    /// @notice A KYC credential: `borrower` verified at `level` until `expiry` (inclusive).
    struct Kyc {
        address borrower;
        uint8 level;
        uint256 expiry;
    }

    /// @notice An ERC-2612 permit of the asset from the borrower to the ledger. `deadline == 0` means "no permit".
    struct Permit {
        uint256 value;
        uint256 deadline;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// @notice A borrower's recorded KYC credential. `issuer` is kept so revoking an issuer revokes its credentials.
    struct KycRecord {
        uint256 expiry;
        address issuer;
        uint8 level;
    }

    /// @notice Thrown when someone other than the offer's borrower tries to accept it.
    error NotOfferBorrower(address caller, address borrower);
    /// @notice Thrown when the signature is valid but its signer is not (or no longer) a trusted offer signer. A
    /// tampered offer or an offer signed for another chain or contract recovers to an unrelated address and ends here.
    error UntrustedSigner(address signer);
    /// @notice Thrown when the offer names another ledger than the one this contract serves.
    error OfferForOtherLedger(address expected, address actual);
    /// @notice Thrown when the offer expired (`expiry < now`).
    error OfferExpired(uint256 expiry, uint256 now);
    /// @notice Thrown when the offer's nonce was already accepted or revoked.
    error OfferNonceUsed(address borrower, uint256 nonce);
    /// @notice Thrown when the offer's nonce is ahead of the borrower's next nonce: an earlier offer must be accepted
    /// or revoked first.
    error OfferNonceNotNext(address borrower, uint256 nonce, uint256 next);
    /// @notice Thrown when the KYC credential expired (`expiry < now`).
    error KycExpired(uint256 expiry, uint256 now);
    /// @notice Thrown when the KYC credential's signer is not a trusted KYC issuer.
    error UntrustedKycIssuer(address issuer);
    /// @notice Thrown when the KYC credential is for another borrower than the offer.
    error KycForOtherBorrower(address expected, address actual);
    /// @notice Thrown when the KYC credential's level is below the required minimum.
    error KycLevelTooLow(uint8 level, uint8 required);
    /// @notice Thrown when a KYC credential expiring earlier than the one on record is submitted without the borrower.
    error KycOlderThanRecorded(uint256 expiry, uint256 recordedExpiry);
    /// @notice Thrown when the permit failed and the ledger's allowance is still below the permit's value.
    error PermitFailed(address owner, uint256 allowance, uint256 value);
    /// @notice Thrown when `caller` may not revoke `borrower`'s nonces (only the borrower, an admin or an underwriter).
    error NotAllowedToRevoke(address caller, address borrower);
    /// @notice Thrown when a nonce is too large to store (nonces are kept in 48 bits).
    error NonceOutOfRange(uint256 nonce);
    /// @notice Thrown when a revocation names a nonce 65,536 or more past the borrower's next one: no offer can carry
    /// it yet, and jumps that far would use up the borrower's nonces. `highestRevocable` is the largest it may name.
    error NonceTooFarAhead(address borrower, uint256 nonce, uint256 highestRevocable);
    /// @notice Thrown when an address argument is the zero address.
    error ZeroAddress();

    /// @notice Emitted when a borrower accepts an offer and their line is set to its terms.
    event OfferAccepted(
        address indexed borrower,
        uint256 nonce,
        uint256 limit,
        uint256 aprBps,
        uint32 productMask,
        bytes32 modelVersion,
        address indexed signer
    );
    /// @notice Emitted when every nonce of `borrower` up to `nonce` becomes unusable.
    event NonceRevoked(address indexed borrower, uint256 nonce, address indexed by);
    /// @notice Emitted when a KYC credential is recorded for `borrower`.
    event KycRecorded(address indexed borrower, uint8 level, uint256 expiry, address indexed issuer);
    /// @notice Emitted when an offer signer is trusted or distrusted.
    event SignerSet(address indexed signer, bool trusted);
    /// @notice Emitted when a KYC issuer is trusted or distrusted.
    event KycIssuerSet(address indexed issuer, bool trusted);
    /// @notice Emitted when the minimum KYC level changes.
    event MinKycLevelSet(uint8 level);

    /// @notice Accepts a signed offer: the caller must be `offer.borrower`. Checks the signature (trusted signer),
    /// the ledger, the expiry and the nonce, verifies and records the KYC credential, sets the line on the ledger
    /// (status Active, or Frozen when the limit is 0) and the credential's expiry on the ledger (draws stop when it
    /// expires), and if `permit.deadline != 0` submits the permit of `permit.value` from the borrower to the ledger
    /// and sets the borrower's auto-debit mandate (no cap; the borrower may set a cap or revoke it on the ledger).
    /// Warning: a permit that fails (front-run, already used) is ignored as long as the ledger's allowance is at
    /// least `permit.value`; otherwise acceptance reverts with `PermitFailed`.
    /// Warning: the line's status is set to Active even if the ledger had frozen it; a ledger that freezes lines for
    /// delinquency must keep that freeze apart from the underwriter-set status.
    function acceptOffer(
        CreditOffer calldata offer,
        bytes calldata offerSig,
        Kyc calldata kyc,
        bytes calldata kycSig,
        Permit calldata permit
    ) external;

    /// @notice Records a KYC credential for `kyc.borrower` without an offer (a renewal), and its expiry on the ledger,
    /// which gates draws. Anyone may submit it;
    /// only the borrower may replace a recorded, still valid credential by one that expires earlier.
    function recordKyc(Kyc calldata kyc, bytes calldata kycSig) external;

    /// @notice Makes every nonce of `borrower` up to and including `nonce` unusable, so offers carrying them can no
    /// longer be accepted. Callable by the borrower, an admin or an underwriter of this contract. `nonce` must be
    /// below `nextNonce(borrower) + 65,536` (`NonceTooFarAhead`), so no caller can use up a borrower's 2^48 nonces and
    /// lock them out of offers.
    function revokeNonce(address borrower, uint256 nonce) external;

    /// @notice Trusts or distrusts an offer signer (EOA or ERC-1271 contract). Admin only.
    function setSigner(address signer, bool trusted) external;

    /// @notice Trusts or distrusts a KYC issuer. Distrusting invalidates its recorded credentials too. Admin only.
    function setKycIssuer(address issuer, bool trusted) external;

    /// @notice Sets the minimum KYC level needed to accept offers and to count as KYC-valid. Admin only.
    function setMinKycLevel(uint8 level) external;

    /// @notice The ledger this contract opens lines on.
    function ledger() external view returns (ICreditLedger);

    /// @notice The ledger's asset, the token permits are for.
    function asset() external view returns (IERC20);

    /// @notice The only nonce the next offer for `borrower` may carry.
    function nextNonce(address borrower) external view returns (uint256);

    /// @notice Whether `signer` may sign offers.
    function isSigner(address signer) external view returns (bool);

    /// @notice Whether `issuer` may sign KYC credentials.
    function isKycIssuer(address issuer) external view returns (bool);

    /// @notice The minimum KYC level.
    function minKycLevel() external view returns (uint8);

    /// @notice `borrower`'s recorded KYC credential (zero when none).
    function kycOf(address borrower) external view returns (KycRecord memory);

    /// @notice The last second `borrower`'s KYC is valid (inclusive); 0 when there is none or its issuer, or its
    /// level, is no longer accepted.
    function kycValidUntil(address borrower) external view returns (uint256);

    /// @notice The EIP-712 digest of `offer` in this contract's domain.
    function hashOffer(CreditOffer calldata offer) external view returns (bytes32);

    /// @notice The EIP-712 digest of `kyc` in this contract's domain.
    function hashKyc(Kyc calldata kyc) external view returns (bytes32);
}
