// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ISignatureErrors} from "./ISignatureErrors.sol";

/// @title IMerchantRegistry
/// @notice The merchants credit products may pay (PRODUCT.md C6, C7): who they are, where their money
/// goes, what they pay for it, and whether they may be paid now. Products read it through `checkActive`; nothing here
/// moves loans or pool money.
///
/// Onboarding, two ways; in both, the payout address is chosen by the merchant's own owner key:
/// - a merchant-manager registers the merchant (`register`, status Pending), and the owner accepts it with its payout
///   address (`accept`, status Active);
/// - a manager signs an EIP-712 merchant credential and the merchant submits it from its owner key
///   (`registerWithCredential`, status Active at once). EIP-712 domain: name "Microcredit", version "1", the chain id
///   and this contract's address. Type: `MerchantCredential(address owner,address payout,uint16 discountBps,uint16
///   category,uint256 expiry)`. Signatures as for credit offers (Signatures.signerOf): 65 bytes `r‖s‖v`, or
///   `abi.encode(address signer, bytes signature)` for a contract signer (ERC-1271). Expiries are inclusive. A
///   manager can revoke a credential before it is used (`revokeCredential`).
/// One merchant per owner key, for ever (a key that ever owned a merchant, closed or handed over, cannot register or
/// take one again), so a credential cannot be replayed; an owner key moves only by a two-step transfer the new key
/// accepts with its payout address (`proposeOwner`, `acceptOwner`), started by the owner or, to recover a lost or
/// stolen key, by the admin.
///
/// Payout address: the owner changes it at once (`setPayout`); a manager can only propose a change
/// (`proposePayout`), which anyone applies after `payoutDelay` (`applyPayout`) and the owner (or a manager) can
/// cancel until then. A compromised manager key therefore cannot redirect a merchant's money without a public
/// warning of at least the delay (default 2 days, 1 to 30 days, set by the admin).
///
/// Status: Pending → Active (owner's `accept`); Active ⇄ Suspended (manager); Pending or Active → Closed (the owner,
/// or the admin), final. Only an Active merchant passes `checkActive`. A Suspended merchant's money stays put: its
/// owner can neither change the payout, withdraw the budget, let a spender in, move the key nor close it, and no one
/// closes it, until it is reactivated. A stolen owner key is handled so: a manager suspends, the admin proposes the
/// merchant's new key, which accepts with its payout address, a manager reactivates. A Closed merchant cannot be
/// frozen: its budget is its owner's to withdraw (withdraw it when closing).
///
/// Subsidy budget: tokens held per merchant to pay the fee of instalments it offers at 0% to its buyers. Anyone may
/// fund an Active or Suspended merchant's budget (credited with what arrives); the owner withdraws it (not while
/// Suspended); a product contract spends it only if it holds SUBSIDY_SPENDER_ROLE and the owner let it in
/// (`setSpenderAllowed`), only for an Active merchant, up to what the budget holds. A budget is not reserved: a
/// product must spend in the same transaction as the sale it subsidises and refuse the sale if spending fails.
///
/// Trust: the admin (DEFAULT_ADMIN_ROLE, a timelock in production) chooses managers, spenders and the payout delay,
/// closes merchants and starts owner recovery. Through recovery it can hand any merchant, budget and payout included,
/// to a key of its choosing: the timelock's public delay is what bounds that power. A manager sets commercial terms
/// (discount rate, category), suspends and reactivates, signs credentials and proposes payouts. No manager or spender
/// can take a budget or change a payout at once.
interface IMerchantRegistry is ISignatureErrors {
    enum MerchantStatus {
        None,
        Pending,
        Active,
        Suspended,
        Closed
    }

    /// @notice A merchant. `discountBps` is the merchant discount rate its settlements are charged; `category` an
    /// ISO 18245 merchant category code (0–9999); `payout` zero until accepted; `subsidyBudget` the tokens held for
    /// its subsidised instalments.
    struct Merchant {
        address owner;
        uint16 discountBps;
        uint16 category;
        MerchantStatus status;
        uint40 registeredAt;
        address payout;
        uint96 subsidyBudget;
    }

    /// @notice What a merchant-manager signs to let `owner` register itself.
    // The field order is the EIP-712 type; the struct only ever lives in calldata.
    struct MerchantCredential {
        address owner;
        address payout;
        uint16 discountBps;
        uint16 category;
        uint256 expiry;
    }

    /// @notice `approvedBy` is the manager who registered the merchant or signed its credential.
    event MerchantRegistered(
        uint256 indexed merchantId,
        address indexed owner,
        address payout,
        uint256 discountBps,
        uint256 category,
        address indexed approvedBy
    );
    event CredentialRevoked(bytes32 indexed digest, address indexed by);
    event DiscountSet(uint256 indexed merchantId, uint256 previousBps, uint256 discountBps, address indexed by);
    event CategorySet(uint256 indexed merchantId, uint256 previous, uint256 category, address indexed by);
    event StatusChanged(uint256 indexed merchantId, MerchantStatus previous, MerchantStatus status, address indexed by);
    /// @notice `owner` zero: the proposal is withdrawn or dropped (by a suspension or a closure).
    event OwnerProposed(uint256 indexed merchantId, address indexed owner, address indexed by);
    event OwnerChanged(uint256 indexed merchantId, address previous, address indexed owner);
    event PayoutChanged(uint256 indexed merchantId, address previous, address payout, address indexed by);
    event PayoutProposed(uint256 indexed merchantId, address payout, uint256 readyAt, address indexed by);
    event PayoutProposalCancelled(uint256 indexed merchantId, address payout, address indexed by);
    event PayoutDelaySet(uint256 previous, uint256 delay);
    /// @notice Allowances are kept per owner key (`owner`): after a key transfer the new owner starts with none.
    event SpenderAllowed(uint256 indexed merchantId, address indexed owner, address indexed spender, bool allowed);
    event SubsidyFunded(uint256 indexed merchantId, address indexed from, uint256 amount, uint256 budget);
    event SubsidyWithdrawn(uint256 indexed merchantId, address indexed to, uint256 amount, uint256 budget);
    event SubsidySpent(uint256 indexed merchantId, address indexed spender, address to, uint256 amount, uint256 budget);

    error ZeroAddress();
    error ZeroAmount();
    /// @notice An owner key may not be zero.
    error InvalidOwner(address owner);
    /// @notice A payout address may be neither zero nor the registry itself.
    error InvalidPayout(address payout);
    /// @notice Tokens may not be sent to zero or to the registry itself (they would be stranded outside every budget).
    error InvalidRecipient(address to);
    error UnknownMerchant(uint256 merchantId);
    /// @notice Registered by a manager and not yet accepted by its owner.
    error MerchantPending(uint256 merchantId);
    error MerchantSuspended(uint256 merchantId);
    error MerchantClosed(uint256 merchantId);
    /// @notice `owner` already has a merchant (`merchantId`), of any status: one per key, for ever.
    error MerchantExists(address owner, uint256 merchantId);
    error DiscountAboveMax(uint256 discountBps, uint256 maxBps);
    error CategoryOutOfRange(uint256 category, uint256 max);
    error NotMerchantOwner(uint256 merchantId, address caller);
    /// @notice `caller` is neither the merchant's owner nor holder of `role`.
    error NotOwnerOr(uint256 merchantId, address caller, bytes32 role);
    /// @notice `caller` is not the owner proposed for the merchant (`proposed`, zero if none).
    error NotProposedOwner(uint256 merchantId, address caller, address proposed);
    /// @notice A status change the state machine does not allow (for example from Closed, or to the same status).
    error StatusChangeRefused(uint256 merchantId, MerchantStatus from, MerchantStatus to);
    error NotCredentialOwner(address caller, address owner);
    error CredentialExpired(uint256 expiry, uint256 now_);
    error CredentialRevokedAlready(bytes32 digest);
    error UntrustedCredentialSigner(address signer);
    error NoPayoutProposal(uint256 merchantId);
    error PayoutNotReady(uint256 merchantId, uint256 readyAt, uint256 now_);
    error PayoutDelayOutOfRange(uint256 delay, uint256 min, uint256 max);
    /// @notice `spender` holds the role but the merchant's owner has not let it spend this budget.
    error SpenderNotAllowed(uint256 merchantId, address spender);
    error SubsidyAboveBudget(uint256 merchantId, uint256 amount, uint256 budget);
    /// @notice The budget's 96-bit field would overflow.
    error SubsidyBudgetFull(uint256 merchantId, uint256 amount, uint256 budget);

    /// @notice Registers a merchant as Pending (MERCHANT_MANAGER_ROLE); its owner activates it with `accept`.
    /// Returns its id (1, 2, …).
    function register(address owner, uint16 discountBps, uint16 category) external returns (uint256 merchantId);

    /// @notice The owner accepts its Pending merchant with the address its settlements go to: Active.
    function accept(uint256 merchantId, address payout) external;

    /// @notice Registers the caller, Active, as the merchant a manager's credential describes. Returns its id.
    function registerWithCredential(
        MerchantCredential calldata credential,
        bytes calldata signature
    ) external returns (uint256 merchantId);

    /// @notice Makes an unused credential unusable (MERCHANT_MANAGER_ROLE). `digest` is `hashCredential(credential)`.
    function revokeCredential(bytes32 digest) external;

    /// @notice The merchant discount rate (MERCHANT_MANAGER_ROLE), at most `MAX_DISCOUNT_BPS`; for later settlements.
    function setDiscount(uint256 merchantId, uint16 discountBps) external;

    /// @notice The merchant category code (MERCHANT_MANAGER_ROLE), at most `MAX_CATEGORY`.
    function setCategory(uint256 merchantId, uint16 category) external;

    /// @notice Active → Suspended (MERCHANT_MANAGER_ROLE): `checkActive` refuses it until reactivated; drops an owner
    /// proposal.
    function suspend(uint256 merchantId) external;

    /// @notice Suspended → Active (MERCHANT_MANAGER_ROLE).
    function reactivate(uint256 merchantId) external;

    /// @notice Pending or Active → Closed, for ever (the owner or the admin; a Suspended merchant is reactivated or
    /// recovered first). Drops the payout and owner proposals; the budget stays withdrawable by the owner.
    function close(uint256 merchantId) external;

    /// @notice Proposes a new owner key: the owner while Pending or Active, the admin at any status (to recover a lost
    /// or stolen key, a Closed merchant's budget included); replaces an earlier proposal. Zero withdraws it.
    function proposeOwner(uint256 merchantId, address owner) external;

    /// @notice The proposed key takes the merchant over with its own payout address (zero for a Pending merchant, which
    /// gets one by `accept`); a key that ever owned a merchant cannot. The old key's payout, payout proposal and spender
    /// allowances do not carry over.
    function acceptOwner(uint256 merchantId, address payout) external;

    /// @notice The owner's own change of its payout address, at once (not while Suspended); drops any manager
    /// proposal.
    function setPayout(uint256 merchantId, address payout) external;

    /// @notice A manager's proposal of a payout address, applicable by anyone after `payoutDelay` (replaces any
    /// earlier proposal). Returns when it is ready.
    function proposePayout(uint256 merchantId, address payout) external returns (uint256 readyAt);

    /// @notice Applies a proposal whose delay has passed (anyone), unless the merchant is closed.
    function applyPayout(uint256 merchantId) external;

    /// @notice Drops a pending proposal (the owner or a manager).
    function cancelPayout(uint256 merchantId) external;

    /// @notice The delay of manager-proposed payout changes (DEFAULT_ADMIN_ROLE): `MIN_PAYOUT_DELAY` to
    /// `MAX_PAYOUT_DELAY`. Proposals already made keep their time.
    function setPayoutDelay(uint256 delay) external;

    /// @notice The owner lets `spender` (a product contract holding SUBSIDY_SPENDER_ROLE) spend its budget, or not
    /// (not while Suspended). Kept per owner key: a new owner starts with none.
    function setSpenderAllowed(uint256 merchantId, address spender, bool allowed) external;

    /// @notice Pulls `amount` of the asset from the caller into a merchant's subsidy budget (Active or Suspended: a
    /// Pending merchant holds none); the budget is credited with what the registry received (`ZeroAmount` if nothing).
    function fundSubsidy(uint256 merchantId, uint256 amount) external;

    /// @notice The owner takes `amount` of its budget back, to `to` (not while Suspended).
    function withdrawSubsidy(uint256 merchantId, uint256 amount, address to) external;

    /// @notice An allowed product contract pays `amount` of an Active merchant's budget to `to`.
    function spendSubsidy(uint256 merchantId, uint256 amount, address to) external;

    /// @notice The merchant's payout address and discount rate, if it may be paid now; otherwise reverts with
    /// `UnknownMerchant`, `MerchantPending`, `MerchantSuspended` or `MerchantClosed`.
    function checkActive(uint256 merchantId) external view returns (address payout, uint256 discountBps);

    /// @notice The merchant record (all zero for an unknown id).
    function merchant(uint256 merchantId) external view returns (Merchant memory);

    /// @notice The id of the merchant `owner` owns now, 0 if none (a key that handed its merchant over owns none).
    function merchantIdOf(address owner) external view returns (uint256);

    /// @notice How many merchants were ever registered (ids run from 1 to this).
    function merchantCount() external view returns (uint256);

    /// @notice A pending manager proposal: the address and when it can be applied (zero if none).
    function pendingPayout(uint256 merchantId) external view returns (address payout, uint256 readyAt);

    /// @notice The owner key proposed for the merchant, zero if none.
    function pendingOwner(uint256 merchantId) external view returns (address);

    /// @notice Whether the merchant's owner lets `spender` spend its budget.
    function spenderAllowed(uint256 merchantId, address spender) external view returns (bool);

    /// @notice Whether a manager revoked the credential with this digest.
    function credentialRevoked(bytes32 digest) external view returns (bool);

    /// @notice The delay of manager-proposed payout changes, in seconds.
    function payoutDelay() external view returns (uint256);

    /// @notice EIP-712 digest of a credential, as its signer signs it.
    function hashCredential(MerchantCredential calldata credential) external view returns (bytes32);

    /// @notice The token of subsidy budgets.
    function asset() external view returns (IERC20);

    // solhint-disable func-name-mixedcase
    /// @notice The highest merchant discount rate: 1,000 bps (10% of a settlement).
    function MAX_DISCOUNT_BPS() external view returns (uint256);

    /// @notice The highest ISO 18245 merchant category code: 9999.
    function MAX_CATEGORY() external view returns (uint256);

    /// @notice The shortest payout delay the admin can set: 1 day.
    function MIN_PAYOUT_DELAY() external view returns (uint256);

    /// @notice The longest payout delay the admin can set: 30 days.
    function MAX_PAYOUT_DELAY() external view returns (uint256);

    /// @notice keccak256("MERCHANT_MANAGER_ROLE").
    function MERCHANT_MANAGER_ROLE() external view returns (bytes32);

    /// @notice keccak256("SUBSIDY_SPENDER_ROLE").
    function SUBSIDY_SPENDER_ROLE() external view returns (bytes32);
    // solhint-enable func-name-mixedcase
}
