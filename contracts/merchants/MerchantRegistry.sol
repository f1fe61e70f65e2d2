// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Signatures} from "../libraries/Signatures.sol";
import {IMerchantRegistry} from "../interfaces/IMerchantRegistry.sol";

/// @title MerchantRegistry
/// @notice Registered merchants: owner key, payout address, discount rate, category, status and subsidy budget
/// (IMerchantRegistry).
contract MerchantRegistry is IMerchantRegistry, AccessControl, ReentrancyGuardTransient, EIP712 {
    using SafeERC20 for IERC20;

    /// @notice Registers merchants, signs and revokes merchant credentials, sets their terms, suspends and reactivates
    /// them, proposes payouts.
    bytes32 public constant MERCHANT_MANAGER_ROLE = keccak256("MERCHANT_MANAGER_ROLE");
    /// @notice Product contracts that pay merchants' subsidised instalment fees from the budgets of merchants that let
    /// them (`setSpenderAllowed`).
    bytes32 public constant SUBSIDY_SPENDER_ROLE = keccak256("SUBSIDY_SPENDER_ROLE");
    /// @notice EIP-712 type hash of `MerchantCredential`.
    bytes32 public constant CREDENTIAL_TYPEHASH = keccak256(
        "MerchantCredential(address owner,address payout,uint16 discountBps,uint16 category,uint256 expiry)"
    );
    /// @notice The highest merchant discount rate: 10% of a settlement.
    uint256 public constant MAX_DISCOUNT_BPS = 1_000;
    /// @notice The highest ISO 18245 merchant category code.
    uint256 public constant MAX_CATEGORY = 9_999;
    uint256 public constant MIN_PAYOUT_DELAY = 1 days;
    uint256 public constant MAX_PAYOUT_DELAY = 30 days;

    struct Proposal {
        address payout;
        uint40 readyAt;
    }

    /// @inheritdoc IMerchantRegistry
    IERC20 public immutable asset;
    /// @inheritdoc IMerchantRegistry
    uint256 public payoutDelay;
    /// @inheritdoc IMerchantRegistry
    mapping(bytes32 digest => bool) public credentialRevoked;

    mapping(uint256 merchantId => Merchant) internal _merchants;
    mapping(address owner => uint256) internal _idOf;
    mapping(uint256 merchantId => Proposal) internal _proposals;
    mapping(uint256 merchantId => address) internal _pendingOwners;
    /// @dev Keyed by the owner key that gave them: a new owner starts with none.
    mapping(uint256 merchantId => mapping(address owner => mapping(address spender => bool))) internal _spenders;
    uint256 internal _count;

    constructor(IERC20 asset_, address admin) EIP712("Microcredit", "1") {
        if (address(asset_) == address(0) || admin == address(0)) revert ZeroAddress();
        asset = asset_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        payoutDelay = 2 days;
        emit PayoutDelaySet(0, 2 days);
    }

    // ---------------------------------------------------------------- onboarding

    /// @inheritdoc IMerchantRegistry
    function register(
        address owner,
        uint16 discountBps,
        uint16 category
    ) external onlyRole(MERCHANT_MANAGER_ROLE) returns (uint256) {
        return _register(owner, address(0), discountBps, category, msg.sender);
    }

    /// @inheritdoc IMerchantRegistry
    function accept(uint256 merchantId, address payout) external {
        Merchant storage m = _known(merchantId);
        if (msg.sender != m.owner) revert NotMerchantOwner(merchantId, msg.sender);
        if (m.status != MerchantStatus.Pending) {
            revert StatusChangeRefused(merchantId, m.status, MerchantStatus.Active);
        }
        _checkPayout(payout);
        m.status = MerchantStatus.Active;
        m.payout = payout;
        emit PayoutChanged(merchantId, address(0), payout, msg.sender);
        emit StatusChanged(merchantId, MerchantStatus.Pending, MerchantStatus.Active, msg.sender);
    }

    /// @inheritdoc IMerchantRegistry
    function registerWithCredential(
        MerchantCredential calldata credential,
        bytes calldata signature
    ) external returns (uint256) {
        if (msg.sender != credential.owner) revert NotCredentialOwner(msg.sender, credential.owner);
        if (block.timestamp > credential.expiry) revert CredentialExpired(credential.expiry, block.timestamp);
        bytes32 digest = hashCredential(credential);
        if (credentialRevoked[digest]) revert CredentialRevokedAlready(digest);
        address signer = Signatures.signerOf(digest, signature);
        if (!hasRole(MERCHANT_MANAGER_ROLE, signer)) revert UntrustedCredentialSigner(signer);
        _checkPayout(credential.payout);
        return _register(credential.owner, credential.payout, credential.discountBps, credential.category, signer);
    }

    /// @inheritdoc IMerchantRegistry
    function revokeCredential(bytes32 digest) external onlyRole(MERCHANT_MANAGER_ROLE) {
        if (credentialRevoked[digest]) revert CredentialRevokedAlready(digest);
        credentialRevoked[digest] = true;
        emit CredentialRevoked(digest, msg.sender);
    }

    /// @dev A new merchant: Active with `payout`, or Pending without one (zero).
    function _register(
        address owner,
        address payout,
        uint16 discountBps,
        uint16 category,
        address approvedBy
    ) internal returns (uint256 merchantId) {
        if (owner == address(0)) revert InvalidOwner(owner);
        _checkDiscount(discountBps);
        _checkCategory(category);
        uint256 existing = _idOf[owner];
        if (existing != 0) revert MerchantExists(owner, existing);
        merchantId = ++_count;
        _idOf[owner] = merchantId;
        _merchants[merchantId] = Merchant({
            owner: owner,
            discountBps: discountBps,
            category: category,
            status: payout == address(0) ? MerchantStatus.Pending : MerchantStatus.Active,
            registeredAt: uint40(block.timestamp),
            payout: payout,
            subsidyBudget: 0
        });
        emit MerchantRegistered(merchantId, owner, payout, discountBps, category, approvedBy);
    }

    // ---------------------------------------------------------------- terms, status and owner

    /// @inheritdoc IMerchantRegistry
    function setDiscount(uint256 merchantId, uint16 discountBps) external onlyRole(MERCHANT_MANAGER_ROLE) {
        Merchant storage m = _open(merchantId);
        _checkDiscount(discountBps);
        emit DiscountSet(merchantId, m.discountBps, discountBps, msg.sender);
        m.discountBps = discountBps;
    }

    /// @inheritdoc IMerchantRegistry
    function setCategory(uint256 merchantId, uint16 category) external onlyRole(MERCHANT_MANAGER_ROLE) {
        Merchant storage m = _open(merchantId);
        _checkCategory(category);
        emit CategorySet(merchantId, m.category, category, msg.sender);
        m.category = category;
    }

    /// @inheritdoc IMerchantRegistry
    function suspend(uint256 merchantId) external onlyRole(MERCHANT_MANAGER_ROLE) {
        _move(merchantId, MerchantStatus.Active, MerchantStatus.Suspended);
        // A key transfer started before the suspension (perhaps by a stolen key) does not survive it.
        _dropOwnerProposal(merchantId);
    }

    /// @inheritdoc IMerchantRegistry
    function reactivate(uint256 merchantId) external onlyRole(MERCHANT_MANAGER_ROLE) {
        _move(merchantId, MerchantStatus.Suspended, MerchantStatus.Active);
    }

    /// @inheritdoc IMerchantRegistry
    function close(uint256 merchantId) external {
        Merchant storage m = _known(merchantId);
        _checkOwnerOr(merchantId, m, DEFAULT_ADMIN_ROLE);
        MerchantStatus from = m.status;
        if (from == MerchantStatus.Closed) revert StatusChangeRefused(merchantId, from, MerchantStatus.Closed);
        // A suspended merchant's owner key may be stolen, and a closed merchant's budget is its owner's to withdraw:
        // closing would unfreeze the budget for that key. Reactivate it, or recover its key first.
        if (from == MerchantStatus.Suspended) revert MerchantSuspended(merchantId);
        m.status = MerchantStatus.Closed;
        _dropProposal(merchantId);
        _dropOwnerProposal(merchantId);
        emit StatusChanged(merchantId, from, MerchantStatus.Closed, msg.sender);
    }

    /// @dev `from` → `to` only from exactly `from`.
    function _move(uint256 merchantId, MerchantStatus from, MerchantStatus to) internal {
        Merchant storage m = _known(merchantId);
        if (m.status != from) revert StatusChangeRefused(merchantId, m.status, to);
        m.status = to;
        emit StatusChanged(merchantId, from, to, msg.sender);
    }

    /// @inheritdoc IMerchantRegistry
    function proposeOwner(uint256 merchantId, address owner) external {
        Merchant storage m = _known(merchantId);
        // The owner moves its key while Pending or Active; the admin at any status: that is how a lost or stolen key
        // is recovered, a Suspended or Closed merchant's budget included.
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            if (msg.sender != m.owner) revert NotOwnerOr(merchantId, msg.sender, DEFAULT_ADMIN_ROLE);
            if (m.status == MerchantStatus.Suspended) revert MerchantSuspended(merchantId);
            if (m.status == MerchantStatus.Closed) revert MerchantClosed(merchantId);
        }
        _pendingOwners[merchantId] = owner;
        emit OwnerProposed(merchantId, owner, msg.sender);
    }

    /// @inheritdoc IMerchantRegistry
    function acceptOwner(uint256 merchantId, address payout) external {
        Merchant storage m = _known(merchantId);
        address proposed = _pendingOwners[merchantId];
        if (proposed == address(0) || msg.sender != proposed) {
            revert NotProposedOwner(merchantId, msg.sender, proposed);
        }
        uint256 existing = _idOf[proposed];
        if (existing != 0) revert MerchantExists(proposed, existing);
        // A Pending merchant has no payout until its owner's `accept`: none is named here; any other status names one.
        bool pending = m.status == MerchantStatus.Pending;
        if (pending) {
            if (payout != address(0)) revert InvalidPayout(payout);
        } else {
            _checkPayout(payout);
        }
        address previous = m.owner;
        // The old key keeps its entry: it can never register again (one merchant per key, for ever).
        _idOf[proposed] = merchantId;
        m.owner = proposed;
        delete _pendingOwners[merchantId];
        emit OwnerChanged(merchantId, previous, proposed);
        if (pending) return;
        // The new key chooses where the money goes in the same step: nothing the old key set survives it (its payout,
        // a payout proposal; its spender allowances are kept per owner key).
        _dropProposal(merchantId);
        emit PayoutChanged(merchantId, m.payout, payout, msg.sender);
        m.payout = payout;
    }

    /// @dev Deletes a pending owner proposal, announcing it (`OwnerProposed` of zero); nothing if there is none.
    function _dropOwnerProposal(uint256 merchantId) internal {
        if (_pendingOwners[merchantId] == address(0)) return;
        delete _pendingOwners[merchantId];
        emit OwnerProposed(merchantId, address(0), msg.sender);
    }

    // ---------------------------------------------------------------- payout address

    /// @inheritdoc IMerchantRegistry
    function setPayout(uint256 merchantId, address payout) external {
        Merchant storage m = _known(merchantId);
        if (msg.sender != m.owner) revert NotMerchantOwner(merchantId, msg.sender);
        _checkStatus(merchantId, m.status);
        _checkPayout(payout);
        _dropProposal(merchantId);
        emit PayoutChanged(merchantId, m.payout, payout, msg.sender);
        m.payout = payout;
    }

    /// @inheritdoc IMerchantRegistry
    function proposePayout(
        uint256 merchantId,
        address payout
    ) external onlyRole(MERCHANT_MANAGER_ROLE) returns (uint256 readyAt) {
        Merchant storage m = _open(merchantId);
        if (m.status == MerchantStatus.Pending) revert MerchantPending(merchantId);
        _checkPayout(payout);
        _dropProposal(merchantId);
        readyAt = block.timestamp + payoutDelay;
        _proposals[merchantId] = Proposal({payout: payout, readyAt: uint40(readyAt)});
        emit PayoutProposed(merchantId, payout, readyAt, msg.sender);
    }

    /// @inheritdoc IMerchantRegistry
    function applyPayout(uint256 merchantId) external {
        Merchant storage m = _open(merchantId);
        Proposal memory pending = _proposals[merchantId];
        if (pending.readyAt == 0) revert NoPayoutProposal(merchantId);
        if (block.timestamp < pending.readyAt) revert PayoutNotReady(merchantId, pending.readyAt, block.timestamp);
        delete _proposals[merchantId];
        emit PayoutChanged(merchantId, m.payout, pending.payout, msg.sender);
        m.payout = pending.payout;
    }

    /// @inheritdoc IMerchantRegistry
    function cancelPayout(uint256 merchantId) external {
        Merchant storage m = _known(merchantId);
        _checkOwnerOr(merchantId, m, MERCHANT_MANAGER_ROLE);
        if (_proposals[merchantId].readyAt == 0) revert NoPayoutProposal(merchantId);
        _dropProposal(merchantId);
    }

    /// @inheritdoc IMerchantRegistry
    function setPayoutDelay(uint256 delay) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (delay < MIN_PAYOUT_DELAY || delay > MAX_PAYOUT_DELAY) {
            revert PayoutDelayOutOfRange(delay, MIN_PAYOUT_DELAY, MAX_PAYOUT_DELAY);
        }
        emit PayoutDelaySet(payoutDelay, delay);
        payoutDelay = delay;
    }

    /// @dev Deletes a pending payout proposal, with its event; nothing if there is none.
    function _dropProposal(uint256 merchantId) internal {
        Proposal memory pending = _proposals[merchantId];
        if (pending.readyAt == 0) return;
        delete _proposals[merchantId];
        emit PayoutProposalCancelled(merchantId, pending.payout, msg.sender);
    }

    // ---------------------------------------------------------------- subsidy budget

    /// @inheritdoc IMerchantRegistry
    function setSpenderAllowed(uint256 merchantId, address spender, bool allowed) external {
        Merchant storage m = _open(merchantId);
        if (msg.sender != m.owner) revert NotMerchantOwner(merchantId, msg.sender);
        if (m.status == MerchantStatus.Suspended) revert MerchantSuspended(merchantId);
        _spenders[merchantId][msg.sender][spender] = allowed;
        emit SpenderAllowed(merchantId, msg.sender, spender, allowed);
    }

    /// @inheritdoc IMerchantRegistry
    function fundSubsidy(uint256 merchantId, uint256 amount) external nonReentrant {
        Merchant storage m = _open(merchantId);
        // A Pending merchant cannot be suspended, so a budget there would have no defence against a stolen key.
        if (m.status == MerchantStatus.Pending) revert MerchantPending(merchantId);
        if (amount == 0) revert ZeroAmount();
        // Credited with what arrives: a token that takes a fee on transfer cannot make budgets exceed the balance.
        // The pull comes before the budget's update to measure it; the guard keeps every budget path out meanwhile.
        uint256 before = asset.balanceOf(address(this));
        asset.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = asset.balanceOf(address(this)) - before;
        if (received == 0) revert ZeroAmount();
        uint256 budget = m.subsidyBudget;
        if (received > type(uint96).max - budget) revert SubsidyBudgetFull(merchantId, received, budget);
        budget += received;
        m.subsidyBudget = uint96(budget);
        emit SubsidyFunded(merchantId, msg.sender, received, budget);
    }

    /// @inheritdoc IMerchantRegistry
    function withdrawSubsidy(uint256 merchantId, uint256 amount, address to) external nonReentrant {
        Merchant storage m = _known(merchantId);
        if (msg.sender != m.owner) revert NotMerchantOwner(merchantId, msg.sender);
        if (m.status == MerchantStatus.Suspended) revert MerchantSuspended(merchantId);
        uint256 budget = _debit(merchantId, m, amount, to);
        emit SubsidyWithdrawn(merchantId, to, amount, budget);
        asset.safeTransfer(to, amount);
    }

    /// @inheritdoc IMerchantRegistry
    function spendSubsidy(
        uint256 merchantId,
        uint256 amount,
        address to
    ) external onlyRole(SUBSIDY_SPENDER_ROLE) nonReentrant {
        Merchant storage m = _known(merchantId);
        _checkStatus(merchantId, m.status);
        if (!_spenders[merchantId][m.owner][msg.sender]) revert SpenderNotAllowed(merchantId, msg.sender);
        uint256 budget = _debit(merchantId, m, amount, to);
        emit SubsidySpent(merchantId, msg.sender, to, amount, budget);
        asset.safeTransfer(to, amount);
    }

    /// @dev Takes `amount` (not zero, at most the budget, to a valid recipient) off `m`'s budget; returns what is left.
    function _debit(
        uint256 merchantId,
        Merchant storage m,
        uint256 amount,
        address to
    ) internal returns (uint256 budget) {
        if (to == address(0) || to == address(this)) revert InvalidRecipient(to);
        if (amount == 0) revert ZeroAmount();
        budget = m.subsidyBudget;
        if (amount > budget) revert SubsidyAboveBudget(merchantId, amount, budget);
        budget -= amount;
        m.subsidyBudget = uint96(budget);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IMerchantRegistry
    function checkActive(uint256 merchantId) external view returns (address payout, uint256 discountBps) {
        Merchant storage m = _known(merchantId);
        _checkStatus(merchantId, m.status);
        return (m.payout, m.discountBps);
    }

    /// @inheritdoc IMerchantRegistry
    function merchant(uint256 merchantId) external view returns (Merchant memory) {
        return _merchants[merchantId];
    }

    /// @inheritdoc IMerchantRegistry
    function merchantIdOf(address owner) external view returns (uint256) {
        uint256 merchantId = _idOf[owner];
        // A key that handed its merchant over keeps its entry (it cannot register again) but owns nothing.
        return _merchants[merchantId].owner == owner ? merchantId : 0;
    }

    /// @inheritdoc IMerchantRegistry
    function merchantCount() external view returns (uint256) {
        return _count;
    }

    /// @inheritdoc IMerchantRegistry
    function pendingPayout(uint256 merchantId) external view returns (address payout, uint256 readyAt) {
        Proposal memory pending = _proposals[merchantId];
        return (pending.payout, pending.readyAt);
    }

    /// @inheritdoc IMerchantRegistry
    function pendingOwner(uint256 merchantId) external view returns (address) {
        return _pendingOwners[merchantId];
    }

    /// @inheritdoc IMerchantRegistry
    function spenderAllowed(uint256 merchantId, address spender) external view returns (bool) {
        return _spenders[merchantId][_merchants[merchantId].owner][spender];
    }

    /// @inheritdoc IMerchantRegistry
    function hashCredential(MerchantCredential calldata c) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(CREDENTIAL_TYPEHASH, c.owner, c.payout, c.discountBps, c.category, c.expiry))
            );
    }

    // ---------------------------------------------------------------- internals

    function _known(uint256 merchantId) internal view returns (Merchant storage m) {
        m = _merchants[merchantId];
        if (m.status == MerchantStatus.None) revert UnknownMerchant(merchantId);
    }

    /// @dev A registered merchant that is not closed.
    function _open(uint256 merchantId) internal view returns (Merchant storage m) {
        m = _known(merchantId);
        if (m.status == MerchantStatus.Closed) revert MerchantClosed(merchantId);
    }

    /// @dev Refuses every status but Active with its own error.
    function _checkStatus(uint256 merchantId, MerchantStatus status) internal pure {
        if (status == MerchantStatus.Active) return;
        if (status == MerchantStatus.Pending) revert MerchantPending(merchantId);
        if (status == MerchantStatus.Suspended) revert MerchantSuspended(merchantId);
        revert MerchantClosed(merchantId);
    }

    function _checkOwnerOr(uint256 merchantId, Merchant storage m, bytes32 role) internal view {
        if (msg.sender != m.owner && !hasRole(role, msg.sender)) revert NotOwnerOr(merchantId, msg.sender, role);
    }

    /// @dev Not zero, and not this registry (tokens sent here would be stranded outside every budget).
    function _checkPayout(address payout) internal view {
        if (payout == address(0) || payout == address(this)) revert InvalidPayout(payout);
    }

    function _checkDiscount(uint256 discountBps) internal pure {
        if (discountBps > MAX_DISCOUNT_BPS) revert DiscountAboveMax(discountBps, MAX_DISCOUNT_BPS);
    }

    function _checkCategory(uint256 category) internal pure {
        if (category > MAX_CATEGORY) revert CategoryOutOfRange(category, MAX_CATEGORY);
    }
}
