// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Signatures} from "./libraries/Signatures.sol";
import {ICreditLedger} from "./interfaces/ICreditLedger.sol";
import {ICreditOffers, IKycGate, ILedgerAsset} from "./interfaces/ICreditOffers.sol";

/// @title CreditOffers
/// @notice Turns EIP-712 credit offers signed by trusted underwriter keys into credit lines on the ledger.
contract CreditOffers is ICreditOffers, AccessControl, EIP712 {
    /// @notice May revoke any borrower's nonces (besides the borrower and the admin).
    bytes32 public constant UNDERWRITER_ROLE = keccak256("UNDERWRITER_ROLE");

    /// @notice EIP-712 type hash of `CreditOffer`.
    bytes32 public constant OFFER_TYPEHASH = keccak256(
        "CreditOffer(address borrower,address ledger,uint256 limit,uint256 aprBps,uint32 productMask,"
        "bytes32 modelVersion,uint256 nonce,uint256 expiry)"
    );
    /// @notice EIP-712 type hash of `Kyc`.
    bytes32 public constant KYC_TYPEHASH = keccak256("Kyc(address borrower,uint8 level,uint256 expiry)");

    /// @dev How far past a borrower's next nonce a revocation may reach (`NonceTooFarAhead`): far more offers than an
    /// underwriter signs ahead, and 2^32 revocations short of the 48-bit nonce space.
    uint256 private constant MAX_NONCE_SKIP = 1 << 16;

    /// @dev One slot per borrower: the offer nonce and the recorded KYC credential.
    struct Account {
        uint48 nextNonce;
        uint40 kycExpiry;
        uint8 kycLevel;
        address kycIssuer;
    }

    /// @inheritdoc ICreditOffers
    ICreditLedger public immutable ledger;
    /// @inheritdoc ICreditOffers
    IERC20 public immutable asset;

    /// @inheritdoc ICreditOffers
    mapping(address signer => bool) public isSigner;
    /// @inheritdoc ICreditOffers
    mapping(address issuer => bool) public isKycIssuer;
    /// @inheritdoc ICreditOffers
    uint8 public minKycLevel;

    mapping(address borrower => Account) internal _accounts;

    constructor(ICreditLedger ledger_, address admin) EIP712("Microcredit", "1") {
        if (address(ledger_) == address(0) || admin == address(0)) revert ZeroAddress();
        ledger = ledger_;
        asset = ILedgerAsset(address(ledger_)).asset();
        minKycLevel = 1;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        emit MinKycLevelSet(1);
    }

    // ---------------------------------------------------------------- borrower

    /// @inheritdoc ICreditOffers
    function acceptOffer(
        CreditOffer calldata offer,
        bytes calldata offerSig,
        Kyc calldata kyc,
        bytes calldata kycSig,
        Permit calldata permit
    ) external {
        address borrower = offer.borrower;
        if (msg.sender != borrower) revert NotOfferBorrower(msg.sender, borrower);
        address signer = Signatures.signerOf(hashOffer(offer), offerSig);
        if (!isSigner[signer]) revert UntrustedSigner(signer);
        if (offer.ledger != address(ledger)) revert OfferForOtherLedger(address(ledger), offer.ledger);
        if (block.timestamp > offer.expiry) revert OfferExpired(offer.expiry, block.timestamp);
        Account memory account = _accounts[borrower];
        if (offer.nonce != account.nextNonce) {
            if (offer.nonce < account.nextNonce) revert OfferNonceUsed(borrower, offer.nonce);
            revert OfferNonceNotNext(borrower, offer.nonce, account.nextNonce);
        }
        if (kyc.borrower != borrower) revert KycForOtherBorrower(borrower, kyc.borrower);
        address issuer = _checkKyc(kyc, kycSig);

        account.nextNonce = _nonceAfter(offer.nonce);
        _accounts[borrower] = _withKyc(account, kyc, issuer);
        emit KycRecorded(borrower, kyc.level, kyc.expiry, issuer);

        ICreditLedger.LineStatus status =
            offer.limit == 0 ? ICreditLedger.LineStatus.Frozen : ICreditLedger.LineStatus.Active;
        ledger.setLine(borrower, offer.limit, offer.aprBps, offer.productMask, status);
        // The ledger refuses draws once the credential expires (repayment never depends on it).
        ledger.setKycExpiry(borrower, kyc.expiry);
        emit OfferAccepted(
            borrower,
            offer.nonce,
            offer.limit,
            offer.aprBps,
            offer.productMask,
            offer.modelVersion,
            signer
        );

        if (permit.deadline != 0) {
            // The permit is the borrower's consent to auto-debit: it sets the mandate (no cap) in the same transaction.
            _permit(borrower, permit);
            ledger.setMandateFor(borrower, 0);
        }
    }

    /// @inheritdoc ICreditOffers
    function recordKyc(Kyc calldata kyc, bytes calldata kycSig) external {
        address issuer = _checkKyc(kyc, kycSig);
        Account memory account = _accounts[kyc.borrower];
        if (msg.sender != kyc.borrower && kyc.expiry < account.kycExpiry && _kycValid(account)) {
            revert KycOlderThanRecorded(kyc.expiry, account.kycExpiry);
        }
        _accounts[kyc.borrower] = _withKyc(account, kyc, issuer);
        emit KycRecorded(kyc.borrower, kyc.level, kyc.expiry, issuer);
        ledger.setKycExpiry(kyc.borrower, kyc.expiry);
    }

    /// @inheritdoc ICreditOffers
    function revokeNonce(address borrower, uint256 nonce) external {
        if (
            msg.sender != borrower && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender) && !hasRole(UNDERWRITER_ROLE, msg.sender)
        ) {
            revert NotAllowedToRevoke(msg.sender, borrower);
        }
        Account storage account = _accounts[borrower];
        uint256 next = account.nextNonce;
        if (nonce < next) revert OfferNonceUsed(borrower, nonce);
        if (nonce - next >= MAX_NONCE_SKIP) revert NonceTooFarAhead(borrower, nonce, next + MAX_NONCE_SKIP - 1);
        account.nextNonce = _nonceAfter(nonce);
        emit NonceRevoked(borrower, nonce, msg.sender);
    }

    // ---------------------------------------------------------------- admin

    /// @inheritdoc ICreditOffers
    function setSigner(address signer, bool trusted) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (signer == address(0)) revert ZeroAddress();
        isSigner[signer] = trusted;
        emit SignerSet(signer, trusted);
    }

    /// @inheritdoc ICreditOffers
    function setKycIssuer(address issuer, bool trusted) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (issuer == address(0)) revert ZeroAddress();
        isKycIssuer[issuer] = trusted;
        emit KycIssuerSet(issuer, trusted);
    }

    /// @inheritdoc ICreditOffers
    function setMinKycLevel(uint8 level) external onlyRole(DEFAULT_ADMIN_ROLE) {
        minKycLevel = level;
        emit MinKycLevelSet(level);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ICreditOffers
    function nextNonce(address borrower) external view returns (uint256) {
        return _accounts[borrower].nextNonce;
    }

    /// @inheritdoc ICreditOffers
    function kycOf(address borrower) external view returns (KycRecord memory) {
        Account memory account = _accounts[borrower];
        return KycRecord(account.kycExpiry, account.kycIssuer, account.kycLevel);
    }

    /// @inheritdoc ICreditOffers
    function kycValidUntil(address borrower) external view returns (uint256) {
        Account memory account = _accounts[borrower];
        if (!isKycIssuer[account.kycIssuer] || account.kycLevel < minKycLevel) return 0;
        return account.kycExpiry;
    }

    /// @inheritdoc IKycGate
    function kycValid(address borrower) external view returns (bool) {
        return _kycValid(_accounts[borrower]);
    }

    /// @inheritdoc ICreditOffers
    function hashOffer(CreditOffer calldata offer) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(OFFER_TYPEHASH, offer)));
    }

    /// @inheritdoc ICreditOffers
    function hashKyc(Kyc calldata kyc) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(KYC_TYPEHASH, kyc)));
    }

    // ---------------------------------------------------------------- internals

    /// @dev Verifies a KYC credential on its own (issuer, expiry, level) and returns its issuer.
    function _checkKyc(Kyc calldata kyc, bytes calldata kycSig) internal view returns (address issuer) {
        issuer = Signatures.signerOf(hashKyc(kyc), kycSig);
        if (!isKycIssuer[issuer]) revert UntrustedKycIssuer(issuer);
        if (block.timestamp > kyc.expiry) revert KycExpired(kyc.expiry, block.timestamp);
        uint8 required = minKycLevel;
        if (kyc.level < required) revert KycLevelTooLow(kyc.level, required);
    }

    /// @dev `account` with the credential recorded; expiries beyond 2^40 s (year 36812) are stored as 2^40 − 1.
    function _withKyc(Account memory account, Kyc calldata kyc, address issuer) internal pure returns (Account memory) {
        account.kycExpiry = kyc.expiry > type(uint40).max ? type(uint40).max : uint40(kyc.expiry);
        account.kycLevel = kyc.level;
        account.kycIssuer = issuer;
        return account;
    }

    function _kycValid(Account memory account) internal view returns (bool) {
        if (block.timestamp > account.kycExpiry || account.kycLevel < minKycLevel) return false;
        return isKycIssuer[account.kycIssuer];
    }

    function _nonceAfter(uint256 nonce) internal pure returns (uint48) {
        if (nonce > type(uint48).max - 1) revert NonceOutOfRange(nonce);
        return uint48(nonce + 1);
    }

    /// @dev A permit that fails (front-run or replayed) is fine when the allowance it was meant to give is there.
    function _permit(address borrower, Permit calldata permit) internal {
        try
            IERC20Permit(address(asset)).permit(
                borrower,
                address(ledger),
                permit.value,
                permit.deadline,
                permit.v,
                permit.r,
                permit.s
            )
        {
            return;
        } catch {
            uint256 allowance = asset.allowance(borrower, address(ledger));
            if (allowance < permit.value) revert PermitFailed(borrower, allowance, permit.value);
        }
    }
}
