// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {ISignatureErrors} from "../../contracts/interfaces/ISignatureErrors.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IMerchantRegistry} from "../../contracts/interfaces/IMerchantRegistry.sol";
import {MockStablecoin} from "../../contracts/mocks/MockStablecoin.sol";
import {MockERC1271Signer} from "../../contracts/mocks/MockERC1271Signer.sol";

/// The merchant registry: onboarding (by role and by signed credential), the status machine, payout changes (the
/// owner's at once, a manager's only after the delay), terms, and subsidy budgets, with every refusal's exact error.
/// The registry is deployed from its artifact and called through its interface; credential digests are computed here
/// from the EIP-712 definitions, independently of the contract's hashing.
contract MerchantRegistryTest is Test {
    uint256 internal constant CHAIN = 31337;
    uint256 internal constant T0 = 1_750_000_000;
    uint256 internal constant ONE = 1e6;
    bytes32 internal constant MANAGER = keccak256("MERCHANT_MANAGER_ROLE");
    bytes32 internal constant SPENDER = keccak256("SUBSIDY_SPENDER_ROLE");
    bytes32 internal constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 internal constant CREDENTIAL_TYPEHASH = keccak256(
        "MerchantCredential(address owner,address payout,uint16 discountBps,uint16 category,uint256 expiry)"
    );

    MockStablecoin internal token;
    IMerchantRegistry internal registry;

    address internal admin = makeAddr("admin");
    address internal stranger = makeAddr("stranger");
    address internal spender = makeAddr("spender");
    address internal shop = makeAddr("shop");
    address internal shopTill = makeAddr("shopTill");
    address internal attackerTill = makeAddr("attackerTill");
    uint256 internal managerKey = 0x4D414E;
    address internal manager;

    function setUp() public {
        vm.chainId(CHAIN);
        vm.warp(T0);
        manager = vm.addr(managerKey);
        token = MockStablecoin(deployCode("MockStablecoin.sol:MockStablecoin"));
        registry = IMerchantRegistry(deployCode("MerchantRegistry.sol:MerchantRegistry", abi.encode(token, admin)));
        vm.startPrank(admin);
        IAccessControl(address(registry)).grantRole(MANAGER, manager);
        IAccessControl(address(registry)).grantRole(SPENDER, spender);
        vm.stopPrank();
    }

    // ---------------------------------------------------------------- helpers

    /// @dev A manager registers `owner` (Pending) and the owner accepts it with `shopTill` as its payout: Active.
    function _register(address owner) internal returns (uint256 id) {
        vm.prank(manager);
        id = registry.register(owner, 150, 5411);
        vm.prank(owner);
        registry.accept(id, shopTill);
    }

    function _credential(
        address owner,
        uint256 expiry
    ) internal view returns (IMerchantRegistry.MerchantCredential memory) {
        return
            IMerchantRegistry.MerchantCredential({
                owner: owner,
                payout: shopTill,
                discountBps: 200,
                category: 5999,
                expiry: expiry
            });
    }

    function _digest(IMerchantRegistry.MerchantCredential memory c) internal view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("Microcredit"), keccak256("1"), CHAIN, address(registry))
        );
        bytes32 structHash = keccak256(
            abi.encode(CREDENTIAL_TYPEHASH, c.owner, c.payout, c.discountBps, c.category, c.expiry)
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    function _sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev The owner of `merchantId` lets the spender product in.
    function _allowSpender(uint256 merchantId) internal {
        vm.prank(registry.merchant(merchantId).owner);
        registry.setSpenderAllowed(merchantId, spender, true);
    }

    /// @dev A stranger funds `merchantId`'s budget (the mock's faucet caps a mint, so the balance is dealt).
    function _fund(uint256 merchantId, uint256 amount) internal {
        _approveFunds(amount);
        vm.prank(stranger);
        registry.fundSubsidy(merchantId, amount);
    }

    function _approveFunds(uint256 amount) internal {
        deal(address(token), stranger, amount);
        vm.prank(stranger);
        token.approve(address(registry), amount);
    }

    // ---------------------------------------------------------------- onboarding by role

    function test_register_byManager_isPendingUntilTheOwnerAccepts() public {
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.MerchantRegistered(1, shop, address(0), 150, 5411, manager);
        vm.prank(manager);
        uint256 id = registry.register(shop, 150, 5411);
        assertEq(id, 1);
        IMerchantRegistry.Merchant memory m = registry.merchant(id);
        assertEq(m.owner, shop);
        assertEq(m.payout, address(0));
        assertEq(uint8(m.status), uint8(IMerchantRegistry.MerchantStatus.Pending));
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantPending.selector, id));
        registry.checkActive(id);
        // A pending merchant holds no budget: it cannot be suspended, so none could be defended from a stolen key.
        _approveFunds(ONE);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantPending.selector, id));
        vm.prank(stranger);
        registry.fundSubsidy(id, ONE);
        // Only the owner accepts, with a payout address of its choosing.
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotMerchantOwner.selector, id, manager));
        vm.prank(manager);
        registry.accept(id, attackerTill);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.InvalidPayout.selector, address(registry)));
        vm.prank(shop);
        registry.accept(id, address(registry));
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.PayoutChanged(id, address(0), shopTill, shop);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.StatusChanged(
            id,
            IMerchantRegistry.MerchantStatus.Pending,
            IMerchantRegistry.MerchantStatus.Active,
            shop
        );
        vm.prank(shop);
        registry.accept(id, shopTill);
        m = registry.merchant(id);
        assertEq(m.payout, shopTill);
        assertEq(m.discountBps, 150);
        assertEq(m.category, 5411);
        assertEq(uint8(m.status), uint8(IMerchantRegistry.MerchantStatus.Active));
        assertEq(m.registeredAt, T0);
        assertEq(m.subsidyBudget, 0);
        assertEq(registry.merchantIdOf(shop), 1);
        assertEq(registry.merchantCount(), 1);
        (address payout, uint256 discount) = registry.checkActive(id);
        assertEq(payout, shopTill);
        assertEq(discount, 150);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMerchantRegistry.StatusChangeRefused.selector,
                id,
                IMerchantRegistry.MerchantStatus.Active,
                IMerchantRegistry.MerchantStatus.Active
            )
        );
        vm.prank(shop);
        registry.accept(id, attackerTill);
        assertEq(_register(makeAddr("second")), 2);
    }

    function test_register_refusesEachBadInput_andChangesNothing() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, MANAGER)
        );
        vm.prank(stranger);
        registry.register(shop, 150, 5411);
        vm.startPrank(manager);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.InvalidOwner.selector, address(0)));
        registry.register(address(0), 150, 5411);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.DiscountAboveMax.selector, 1_001, 1_000));
        registry.register(shop, 1_001, 5411);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.CategoryOutOfRange.selector, 10_000, 9_999));
        registry.register(shop, 150, 10_000);
        vm.stopPrank();
        assertEq(registry.merchantCount(), 0);
        assertEq(registry.merchantIdOf(shop), 0);
        // The bounds themselves are accepted.
        vm.prank(manager);
        assertEq(registry.register(shop, 1_000, 9_999), 1);
    }

    function test_register_oneMerchantPerOwnerKey_evenAfterClosing() public {
        uint256 id = _register(shop);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantExists.selector, shop, id));
        vm.prank(manager);
        registry.register(shop, 0, 1);
        vm.prank(shop);
        registry.close(id);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantExists.selector, shop, id));
        vm.prank(manager);
        registry.register(shop, 0, 1);
        assertEq(registry.merchantCount(), 1);
    }

    /// A compromised manager front-runs a merchant's credential with its own registration: the merchant exists but
    /// is Pending with no payout, so nothing can pay it, and only the owner's own `accept` sets where money goes.
    function test_attack_managerFrontRunsACredential_cannotChooseThePayout() public {
        IMerchantRegistry.MerchantCredential memory c = _credential(shop, T0 + 1 days);
        bytes memory sig = _sign(managerKey, _digest(c));
        vm.prank(manager);
        uint256 id = registry.register(shop, 150, 5411);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantExists.selector, shop, id));
        vm.prank(shop);
        registry.registerWithCredential(c, sig);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantPending.selector, id));
        registry.checkActive(id);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantPending.selector, id));
        vm.prank(manager);
        registry.proposePayout(id, attackerTill);
        vm.prank(shop);
        registry.accept(id, shopTill);
        (address payout, ) = registry.checkActive(id);
        assertEq(payout, shopTill);
    }

    // ---------------------------------------------------------------- onboarding by credential

    function test_registerWithCredential_managerSigned_ownerSubmits() public {
        IMerchantRegistry.MerchantCredential memory c = _credential(shop, T0 + 1 days);
        assertEq(registry.hashCredential(c), _digest(c));
        bytes memory sig = _sign(managerKey, _digest(c));
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.MerchantRegistered(1, shop, shopTill, 200, 5999, manager);
        vm.prank(shop);
        uint256 id = registry.registerWithCredential(c, sig);
        IMerchantRegistry.Merchant memory m = registry.merchant(id);
        assertEq(m.owner, shop);
        assertEq(m.payout, shopTill);
        assertEq(uint8(m.status), uint8(IMerchantRegistry.MerchantStatus.Active));
        assertEq(m.discountBps, 200);
        assertEq(m.category, 5999);
        // Replay by the same owner (or anyone) registers nothing more.
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantExists.selector, shop, id));
        vm.prank(shop);
        registry.registerWithCredential(c, sig);
        assertEq(registry.merchantCount(), 1);
    }

    function test_registerWithCredential_expiryIsInclusive() public {
        IMerchantRegistry.MerchantCredential memory c = _credential(shop, T0);
        bytes memory sig = _sign(managerKey, _digest(c));
        vm.prank(shop);
        assertEq(registry.registerWithCredential(c, sig), 1);

        address late = makeAddr("late");
        c = _credential(late, T0 - 1);
        sig = _sign(managerKey, _digest(c));
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.CredentialExpired.selector, T0 - 1, T0));
        vm.prank(late);
        registry.registerWithCredential(c, sig);
    }

    function test_registerWithCredential_refusals() public {
        IMerchantRegistry.MerchantCredential memory c = _credential(shop, T0 + 1 days);
        bytes memory sig = _sign(managerKey, _digest(c));
        // Only the owner submits it: that proves the merchant holds its key.
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotCredentialOwner.selector, stranger, shop));
        vm.prank(stranger);
        registry.registerWithCredential(c, sig);
        // Signed by a key without the role.
        uint256 otherKey = 0xBAD;
        bytes memory foreign = _sign(otherKey, _digest(c));
        vm.expectRevert(
            abi.encodeWithSelector(IMerchantRegistry.UntrustedCredentialSigner.selector, vm.addr(otherKey))
        );
        vm.prank(shop);
        registry.registerWithCredential(c, foreign);
        // A field changed after signing recovers another key.
        IMerchantRegistry.MerchantCredential memory tampered = _credential(shop, T0 + 1 days);
        tampered.discountBps = 0;
        vm.expectPartialRevert(IMerchantRegistry.UntrustedCredentialSigner.selector);
        vm.prank(shop);
        registry.registerWithCredential(tampered, sig);
        tampered = _credential(shop, T0 + 1 days);
        tampered.payout = attackerTill;
        vm.expectPartialRevert(IMerchantRegistry.UntrustedCredentialSigner.selector);
        vm.prank(shop);
        registry.registerWithCredential(tampered, sig);
        tampered = _credential(shop, T0 + 1 days);
        tampered.expiry = T0 + 365 days;
        vm.expectPartialRevert(IMerchantRegistry.UntrustedCredentialSigner.selector);
        vm.prank(shop);
        registry.registerWithCredential(tampered, sig);
        // Someone who takes another merchant's credential and names itself as owner recovers another key too.
        tampered = _credential(stranger, T0 + 1 days);
        vm.expectPartialRevert(IMerchantRegistry.UntrustedCredentialSigner.selector);
        vm.prank(stranger);
        registry.registerWithCredential(tampered, sig);
        // The same signature on another chain, or for another registry, recovers another key.
        vm.chainId(1);
        vm.expectPartialRevert(IMerchantRegistry.UntrustedCredentialSigner.selector);
        vm.prank(shop);
        registry.registerWithCredential(c, sig);
        vm.chainId(CHAIN);
        IMerchantRegistry other = IMerchantRegistry(
            deployCode("MerchantRegistry.sol:MerchantRegistry", abi.encode(token, admin))
        );
        vm.prank(admin);
        IAccessControl(address(other)).grantRole(MANAGER, manager);
        vm.expectPartialRevert(IMerchantRegistry.UntrustedCredentialSigner.selector);
        vm.prank(shop);
        other.registerWithCredential(c, sig);
        // Malformed signatures, each refused by name: too short, and an envelope whose head is not (address, 64).
        vm.expectRevert(abi.encodeWithSelector(ISignatureErrors.MalformedSignature.selector, 64));
        vm.prank(shop);
        registry.registerWithCredential(c, new bytes(64));
        bytes memory badOffset = bytes.concat(bytes32(uint256(uint160(manager))), bytes32(uint256(96)), new bytes(96));
        vm.expectRevert(abi.encodeWithSelector(ISignatureErrors.MalformedSignature.selector, badOffset.length));
        vm.prank(shop);
        registry.registerWithCredential(c, badOffset);
        bytes memory dirtyAddress = bytes.concat(bytes32(uint256(1) << 200), bytes32(uint256(64)), new bytes(96));
        vm.expectRevert(abi.encodeWithSelector(ISignatureErrors.MalformedSignature.selector, dirtyAddress.length));
        vm.prank(shop);
        registry.registerWithCredential(c, dirtyAddress);
        bytes memory longLength = bytes.concat(
            bytes32(uint256(uint160(manager))),
            bytes32(uint256(64)),
            bytes32(uint256(97)),
            new bytes(96)
        );
        vm.expectRevert(abi.encodeWithSelector(ISignatureErrors.MalformedSignature.selector, longLength.length));
        vm.prank(shop);
        registry.registerWithCredential(c, longLength);
        // The signer's role revoked before submission.
        vm.prank(admin);
        IAccessControl(address(registry)).revokeRole(MANAGER, manager);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UntrustedCredentialSigner.selector, manager));
        vm.prank(shop);
        registry.registerWithCredential(c, sig);
        assertEq(registry.merchantCount(), 0);
    }

    function test_revokeCredential_beforeUse() public {
        IMerchantRegistry.MerchantCredential memory c = _credential(shop, T0 + 30 days);
        bytes memory sig = _sign(managerKey, _digest(c));
        bytes32 digest = _digest(c);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, shop, MANAGER)
        );
        vm.prank(shop);
        registry.revokeCredential(digest);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.CredentialRevoked(digest, manager);
        vm.prank(manager);
        registry.revokeCredential(digest);
        assertTrue(registry.credentialRevoked(digest));
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.CredentialRevokedAlready.selector, digest));
        vm.prank(manager);
        registry.revokeCredential(digest);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.CredentialRevokedAlready.selector, digest));
        vm.prank(shop);
        registry.registerWithCredential(c, sig);
        assertEq(registry.merchantCount(), 0);
        // A credential with other terms is another digest: the manager's renegotiated offer still works.
        c.discountBps = 300;
        vm.prank(shop);
        assertEq(registry.registerWithCredential(c, _sign(managerKey, _digest(c))), 1);
        assertEq(registry.merchant(1).discountBps, 300);
    }

    /// An EOA manager's signature inside the contract-signer envelope is accepted too (ERC-1271's checker recovers an
    /// EOA's signature itself).
    function test_registerWithCredential_eoaSignatureInTheEnvelope() public {
        IMerchantRegistry.MerchantCredential memory c = _credential(shop, T0 + 1 days);
        bytes memory envelope = abi.encode(manager, _sign(managerKey, _digest(c)));
        vm.prank(shop);
        assertEq(registry.registerWithCredential(c, envelope), 1);
        assertEq(registry.merchant(1).payout, shopTill);
    }

    function test_registerWithCredential_erc1271Manager() public {
        uint256 ownerKey = 0x5AFE;
        MockERC1271Signer wallet = MockERC1271Signer(
            deployCode("MockERC1271Signer.sol:MockERC1271Signer", abi.encode(vm.addr(ownerKey)))
        );
        vm.prank(admin);
        IAccessControl(address(registry)).grantRole(MANAGER, address(wallet));
        IMerchantRegistry.MerchantCredential memory c = _credential(shop, T0 + 1 days);
        bytes memory sig = abi.encode(address(wallet), _sign(ownerKey, _digest(c)));
        vm.prank(vm.addr(ownerKey));
        wallet.setApproving(false);
        vm.expectRevert(abi.encodeWithSelector(ISignatureErrors.InvalidSignature.selector, address(wallet)));
        vm.prank(shop);
        registry.registerWithCredential(c, sig);
        vm.prank(vm.addr(ownerKey));
        wallet.setApproving(true);
        vm.prank(shop);
        assertEq(registry.registerWithCredential(c, sig), 1);
    }

    // ---------------------------------------------------------------- status

    function test_status_suspendReactivateClose() public {
        uint256 id = _register(shop);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.StatusChanged(
            id,
            IMerchantRegistry.MerchantStatus.Active,
            IMerchantRegistry.MerchantStatus.Suspended,
            manager
        );
        vm.prank(manager);
        registry.suspend(id);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantSuspended.selector, id));
        registry.checkActive(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMerchantRegistry.StatusChangeRefused.selector,
                id,
                IMerchantRegistry.MerchantStatus.Suspended,
                IMerchantRegistry.MerchantStatus.Suspended
            )
        );
        vm.prank(manager);
        registry.suspend(id);
        vm.prank(manager);
        registry.reactivate(id);
        (address payout, ) = registry.checkActive(id);
        assertEq(payout, shopTill);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMerchantRegistry.StatusChangeRefused.selector,
                id,
                IMerchantRegistry.MerchantStatus.Active,
                IMerchantRegistry.MerchantStatus.Active
            )
        );
        vm.prank(manager);
        registry.reactivate(id);
        // The owner may not suspend itself; neither a stranger nor a manager may close it (a manager key cannot end
        // merchants for ever).
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, shop, MANAGER)
        );
        vm.prank(shop);
        registry.suspend(id);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotOwnerOr.selector, id, stranger, bytes32(0)));
        vm.prank(stranger);
        registry.close(id);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotOwnerOr.selector, id, manager, bytes32(0)));
        vm.prank(manager);
        registry.close(id);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.StatusChanged(
            id,
            IMerchantRegistry.MerchantStatus.Active,
            IMerchantRegistry.MerchantStatus.Closed,
            shop
        );
        vm.prank(shop);
        registry.close(id);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantClosed.selector, id));
        registry.checkActive(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMerchantRegistry.StatusChangeRefused.selector,
                id,
                IMerchantRegistry.MerchantStatus.Closed,
                IMerchantRegistry.MerchantStatus.Active
            )
        );
        vm.prank(manager);
        registry.reactivate(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMerchantRegistry.StatusChangeRefused.selector,
                id,
                IMerchantRegistry.MerchantStatus.Closed,
                IMerchantRegistry.MerchantStatus.Closed
            )
        );
        vm.prank(admin);
        registry.close(id);
        assertEq(uint8(registry.merchant(id).status), uint8(IMerchantRegistry.MerchantStatus.Closed));
    }

    /// No one closes a suspended merchant (its key may be stolen, and a closed merchant's budget is its owner's to
    /// withdraw); reactivated, the admin can. A pending merchant is closed by its owner.
    function test_status_noOneClosesASuspendedMerchant_pendingOnesClose() public {
        uint256 id = _register(shop);
        vm.prank(manager);
        registry.suspend(id);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantSuspended.selector, id));
        vm.prank(admin);
        registry.close(id);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantSuspended.selector, id));
        vm.prank(shop);
        registry.close(id);
        vm.prank(manager);
        registry.reactivate(id);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.StatusChanged(
            id,
            IMerchantRegistry.MerchantStatus.Active,
            IMerchantRegistry.MerchantStatus.Closed,
            admin
        );
        vm.prank(admin);
        registry.close(id);
        address other = makeAddr("pending shop");
        vm.prank(manager);
        uint256 pending = registry.register(other, 0, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMerchantRegistry.StatusChangeRefused.selector,
                pending,
                IMerchantRegistry.MerchantStatus.Pending,
                IMerchantRegistry.MerchantStatus.Suspended
            )
        );
        vm.prank(manager);
        registry.suspend(pending);
        vm.prank(other);
        registry.close(pending);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantClosed.selector, pending));
        registry.checkActive(pending);
        vm.expectRevert(
            abi.encodeWithSelector(
                IMerchantRegistry.StatusChangeRefused.selector,
                pending,
                IMerchantRegistry.MerchantStatus.Closed,
                IMerchantRegistry.MerchantStatus.Active
            )
        );
        vm.prank(other);
        registry.accept(pending, shopTill);
    }

    // ---------------------------------------------------------------- owner key

    function test_owner_twoStepTransfer_newKeyChoosesThePayout_oldKeyRetiredForEver() public {
        uint256 id = _register(shop);
        address newKey = makeAddr("new key");
        address newTill = makeAddr("new till");
        vm.prank(shop);
        registry.setSpenderAllowed(id, spender, true);
        vm.prank(manager);
        registry.proposePayout(id, attackerTill);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotOwnerOr.selector, id, manager, bytes32(0)));
        vm.prank(manager);
        registry.proposeOwner(id, newKey);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.OwnerProposed(id, newKey, shop);
        vm.prank(shop);
        registry.proposeOwner(id, newKey);
        assertEq(registry.pendingOwner(id), newKey);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotProposedOwner.selector, id, stranger, newKey));
        vm.prank(stranger);
        registry.acceptOwner(id, newTill);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.InvalidPayout.selector, address(0)));
        vm.prank(newKey);
        registry.acceptOwner(id, address(0));
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.OwnerChanged(id, shop, newKey);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.PayoutProposalCancelled(id, attackerTill, newKey);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.PayoutChanged(id, shopTill, newTill, newKey);
        vm.prank(newKey);
        registry.acceptOwner(id, newTill);
        assertEq(registry.merchant(id).owner, newKey);
        assertEq(registry.merchant(id).payout, newTill);
        assertEq(registry.merchantIdOf(newKey), id);
        assertEq(registry.merchantIdOf(shop), 0);
        assertEq(registry.pendingOwner(id), address(0));
        (address pendingPayout, ) = registry.pendingPayout(id);
        assertEq(pendingPayout, address(0));
        // The old owner's spender allowances do not carry over.
        assertFalse(registry.spenderAllowed(id, spender));
        // The old key has no power left and can never register or take a merchant again.
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotMerchantOwner.selector, id, shop));
        vm.prank(shop);
        registry.setPayout(id, attackerTill);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantExists.selector, shop, id));
        vm.prank(manager);
        registry.register(shop, 0, 1);
        vm.prank(newKey);
        registry.proposeOwner(id, shop);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantExists.selector, shop, id));
        vm.prank(shop);
        registry.acceptOwner(id, shopTill);
        // A key that owns another merchant cannot take this one.
        uint256 other = _register(stranger);
        vm.prank(newKey);
        registry.proposeOwner(id, stranger);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantExists.selector, stranger, other));
        vm.prank(stranger);
        registry.acceptOwner(id, shopTill);
        // Proposing zero withdraws a proposal.
        vm.prank(newKey);
        registry.proposeOwner(id, address(0));
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotProposedOwner.selector, id, stranger, address(0)));
        vm.prank(stranger);
        registry.acceptOwner(id, shopTill);
        assertEq(registry.merchant(id).owner, newKey);
    }

    function test_owner_transferWhilePending_newKeyAccepts() public {
        vm.prank(manager);
        uint256 id = registry.register(shop, 150, 5411);
        address newKey = makeAddr("new key");
        vm.prank(shop);
        registry.proposeOwner(id, newKey);
        // A pending merchant gets its payout only by `accept`: none is named on the way.
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.InvalidPayout.selector, shopTill));
        vm.prank(newKey);
        registry.acceptOwner(id, shopTill);
        vm.prank(newKey);
        registry.acceptOwner(id, address(0));
        assertEq(uint8(registry.merchant(id).status), uint8(IMerchantRegistry.MerchantStatus.Pending));
        assertEq(registry.merchant(id).payout, address(0));
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantPending.selector, id));
        registry.checkActive(id);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotMerchantOwner.selector, id, shop));
        vm.prank(shop);
        registry.accept(id, attackerTill);
        vm.prank(newKey);
        registry.accept(id, shopTill);
        (address payout, ) = registry.checkActive(id);
        assertEq(payout, shopTill);
    }

    /// The new key's payout follows the one payout rule: not the registry itself. Refused, nothing moves.
    function test_owner_acceptOwner_registryAsPayout_refusedAndNothingChanges() public {
        uint256 id = _register(shop);
        address newKey = makeAddr("new key");
        vm.prank(manager);
        registry.proposePayout(id, attackerTill);
        vm.prank(shop);
        registry.proposeOwner(id, newKey);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.InvalidPayout.selector, address(registry)));
        vm.prank(newKey);
        registry.acceptOwner(id, address(registry));
        IMerchantRegistry.Merchant memory m = registry.merchant(id);
        assertEq(m.owner, shop);
        assertEq(m.payout, shopTill);
        assertEq(uint8(m.status), uint8(IMerchantRegistry.MerchantStatus.Active));
        assertEq(registry.merchantIdOf(shop), id);
        assertEq(registry.merchantIdOf(newKey), 0);
        assertEq(registry.pendingOwner(id), newKey);
        (address pendingPayout, ) = registry.pendingPayout(id);
        assertEq(pendingPayout, attackerTill);
    }

    /// A merchant's owner key is stolen: the thief redirects the payout, lets a spender in and starts moving the
    /// merchant to its own key. A manager suspends the merchant, which freezes its money and drops the transfer (with
    /// an event); the stolen key can then neither change the payout, withdraw, close, let a spender in nor start
    /// another transfer. The admin recovers the merchant to the merchant's new key, which names its payout as it
    /// accepts: the thief's payout never survives the recovery, not even until reactivation.
    function test_attack_stolenOwnerKey_suspendedThenRecoveredByTheAdmin() public {
        uint256 id = _register(shop);
        _fund(id, 100 * ONE);
        address thiefKey = makeAddr("thief key");
        vm.startPrank(shop); // the thief, holding the shop's key
        registry.setPayout(id, attackerTill);
        registry.setSpenderAllowed(id, spender, true);
        registry.proposeOwner(id, thiefKey);
        vm.stopPrank();
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.OwnerProposed(id, address(0), manager);
        vm.prank(manager);
        registry.suspend(id);
        assertEq(registry.pendingOwner(id), address(0));
        vm.startPrank(shop);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantSuspended.selector, id));
        registry.setPayout(id, attackerTill);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantSuspended.selector, id));
        registry.withdrawSubsidy(id, 100 * ONE, attackerTill);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantSuspended.selector, id));
        registry.close(id);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantSuspended.selector, id));
        registry.setSpenderAllowed(id, stranger, true);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantSuspended.selector, id));
        registry.proposeOwner(id, thiefKey);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotProposedOwner.selector, id, thiefKey, address(0)));
        vm.prank(thiefKey);
        registry.acceptOwner(id, attackerTill);
        address recovered = makeAddr("recovered key");
        vm.prank(admin);
        registry.proposeOwner(id, recovered);
        vm.prank(recovered);
        registry.acceptOwner(id, shopTill);
        assertEq(registry.merchant(id).payout, shopTill);
        assertFalse(registry.spenderAllowed(id, spender));
        vm.prank(manager);
        registry.reactivate(id);
        (address payout, ) = registry.checkActive(id);
        assertEq(payout, shopTill);
        vm.prank(recovered);
        registry.withdrawSubsidy(id, 100 * ONE, shopTill);
        assertEq(token.balanceOf(shopTill), 100 * ONE);
        assertEq(token.balanceOf(attackerTill), 0);
    }

    /// A merchant loses its owner key; the admin closes it, and can still hand the closed merchant, budget included,
    /// to the merchant's new key, so the budget is not stranded.
    function test_owner_closedMerchantWithALostKey_recoveredByTheAdmin() public {
        uint256 id = _register(shop);
        _fund(id, 100 * ONE);
        vm.prank(admin);
        registry.close(id);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantClosed.selector, id));
        vm.prank(shop);
        registry.proposeOwner(id, shop);
        address recovered = makeAddr("recovered key");
        vm.prank(admin);
        registry.proposeOwner(id, recovered);
        vm.prank(recovered);
        registry.acceptOwner(id, shopTill);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotMerchantOwner.selector, id, shop));
        vm.prank(shop);
        registry.withdrawSubsidy(id, 100 * ONE, attackerTill);
        vm.prank(recovered);
        registry.withdrawSubsidy(id, 100 * ONE, shopTill);
        assertEq(token.balanceOf(shopTill), 100 * ONE);
        assertEq(uint8(registry.merchant(id).status), uint8(IMerchantRegistry.MerchantStatus.Closed));
    }

    function test_unknownMerchant_refusedEverywhere() public {
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 7));
        registry.checkActive(7);
        vm.startPrank(manager);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 7));
        registry.suspend(7);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 7));
        registry.close(7);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 7));
        registry.setDiscount(7, 10);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 7));
        registry.proposePayout(7, attackerTill);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 0));
        registry.applyPayout(0);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 7));
        registry.fundSubsidy(7, ONE);
        vm.startPrank(manager);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 7));
        registry.reactivate(7);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 7));
        registry.setCategory(7, 1);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 7));
        registry.cancelPayout(7);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 7));
        registry.accept(7, shopTill);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 7));
        registry.setPayout(7, shopTill);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 7));
        registry.withdrawSubsidy(7, 1, shopTill);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 7));
        registry.proposeOwner(7, shop);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 7));
        registry.acceptOwner(7, shopTill);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 7));
        registry.setSpenderAllowed(7, spender, true);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.UnknownMerchant.selector, 7));
        vm.prank(spender);
        registry.spendSubsidy(7, 1, spender);
        assertEq(registry.merchant(7).owner, address(0));
    }

    // ---------------------------------------------------------------- terms

    function test_terms_setByManager_withinBounds() public {
        uint256 id = _register(shop);
        vm.startPrank(manager);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.DiscountSet(id, 150, 90, manager);
        registry.setDiscount(id, 90);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.CategorySet(id, 5411, 5812, manager);
        registry.setCategory(id, 5812);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.DiscountAboveMax.selector, 5_000, 1_000));
        registry.setDiscount(id, 5_000);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.CategoryOutOfRange.selector, 65_535, 9_999));
        registry.setCategory(id, 65_535);
        vm.stopPrank();
        (, uint256 discount) = registry.checkActive(id);
        assertEq(discount, 90);
        assertEq(registry.merchant(id).category, 5812);
        // The merchant cannot lower its own rate.
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, shop, MANAGER)
        );
        vm.prank(shop);
        registry.setDiscount(id, 0);
        vm.prank(shop);
        registry.close(id);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantClosed.selector, id));
        vm.prank(manager);
        registry.setDiscount(id, 10);
    }

    // ---------------------------------------------------------------- payout address

    function test_payout_ownerChangesAtOnce_nobodyElse() public {
        uint256 id = _register(shop);
        address newTill = makeAddr("newTill");
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.PayoutChanged(id, shopTill, newTill, shop);
        vm.prank(shop);
        registry.setPayout(id, newTill);
        assertEq(registry.merchant(id).payout, newTill);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotMerchantOwner.selector, id, manager));
        vm.prank(manager);
        registry.setPayout(id, attackerTill);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotMerchantOwner.selector, id, admin));
        vm.prank(admin);
        registry.setPayout(id, attackerTill);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.InvalidPayout.selector, address(0)));
        vm.prank(shop);
        registry.setPayout(id, address(0));
        assertEq(registry.merchant(id).payout, newTill);
    }

    /// A compromised manager key tries to redirect a merchant's settlements: it can only announce it, the owner sees the
    /// event and cancels, and the money never moves to the attacker's address.
    function test_attack_compromisedManager_cannotRedirectPayoutBeforeTheDelay() public {
        uint256 id = _register(shop);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.PayoutProposed(id, attackerTill, T0 + 2 days, manager);
        vm.prank(manager);
        assertEq(registry.proposePayout(id, attackerTill), T0 + 2 days);
        (address pending, uint256 readyAt) = registry.pendingPayout(id);
        assertEq(pending, attackerTill);
        assertEq(readyAt, T0 + 2 days);
        vm.warp(T0 + 2 days - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IMerchantRegistry.PayoutNotReady.selector, id, T0 + 2 days, T0 + 2 days - 1)
        );
        vm.prank(manager);
        registry.applyPayout(id);
        (address payout, ) = registry.checkActive(id);
        assertEq(payout, shopTill);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotOwnerOr.selector, id, stranger, MANAGER));
        vm.prank(stranger);
        registry.cancelPayout(id);
        // A second proposal replaces the first, announcing that it does.
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.PayoutProposalCancelled(id, attackerTill, manager);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.PayoutProposed(id, attackerTill, T0 + 4 days - 1, manager);
        vm.prank(manager);
        registry.proposePayout(id, attackerTill);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.PayoutProposalCancelled(id, attackerTill, shop);
        vm.prank(shop);
        registry.cancelPayout(id);
        vm.warp(T0 + 30 days);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NoPayoutProposal.selector, id));
        registry.applyPayout(id);
        (payout, ) = registry.checkActive(id);
        assertEq(payout, shopTill);
    }

    function test_payout_managerProposal_appliedByAnyoneAfterTheDelay() public {
        uint256 id = _register(shop);
        address newTill = makeAddr("newTill");
        vm.prank(manager);
        registry.proposePayout(id, newTill);
        // A later delay change does not move a proposal already made.
        vm.prank(admin);
        registry.setPayoutDelay(30 days);
        vm.warp(T0 + 2 days);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.PayoutChanged(id, shopTill, newTill, stranger);
        vm.prank(stranger);
        registry.applyPayout(id);
        assertEq(registry.merchant(id).payout, newTill);
        (address pending, uint256 readyAt) = registry.pendingPayout(id);
        assertEq(pending, address(0));
        assertEq(readyAt, 0);
        // The next proposal waits the new delay.
        vm.prank(manager);
        assertEq(registry.proposePayout(id, shopTill), T0 + 32 days);
    }

    function test_payout_ownerChangeOrClosingDropsAProposal() public {
        uint256 id = _register(shop);
        vm.prank(manager);
        registry.proposePayout(id, attackerTill);
        address newTill = makeAddr("newTill");
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.PayoutProposalCancelled(id, attackerTill, shop);
        vm.prank(shop);
        registry.setPayout(id, newTill);
        vm.warp(T0 + 3 days);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NoPayoutProposal.selector, id));
        registry.applyPayout(id);

        vm.prank(manager);
        registry.proposePayout(id, attackerTill);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.PayoutProposalCancelled(id, attackerTill, admin);
        vm.prank(admin);
        registry.close(id);
        vm.warp(T0 + 10 days);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantClosed.selector, id));
        registry.applyPayout(id);
        (address pending, ) = registry.pendingPayout(id);
        assertEq(pending, address(0));
        assertEq(registry.merchant(id).payout, newTill);
    }

    function test_payoutDelay_adminOnly_withinBounds() public {
        assertEq(registry.payoutDelay(), 2 days);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, manager, bytes32(0))
        );
        vm.prank(manager);
        registry.setPayoutDelay(1 days);
        vm.startPrank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(IMerchantRegistry.PayoutDelayOutOfRange.selector, 1 days - 1, 1 days, 30 days)
        );
        registry.setPayoutDelay(1 days - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IMerchantRegistry.PayoutDelayOutOfRange.selector, 30 days + 1, 1 days, 30 days)
        );
        registry.setPayoutDelay(30 days + 1);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.PayoutDelaySet(2 days, 1 days);
        registry.setPayoutDelay(1 days);
        vm.stopPrank();
        assertEq(registry.payoutDelay(), 1 days);
    }

    // ---------------------------------------------------------------- subsidy budgets

    function test_subsidy_fundWithdrawSpend_moveExactlyTheirAmounts() public {
        uint256 id = _register(shop);
        _approveFunds(500 * ONE);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.SubsidyFunded(id, stranger, 500 * ONE, 500 * ONE);
        vm.prank(stranger);
        registry.fundSubsidy(id, 500 * ONE);
        assertEq(registry.merchant(id).subsidyBudget, 500 * ONE);
        assertEq(token.balanceOf(address(registry)), 500 * ONE);

        address buyerSide = makeAddr("pool");
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.SpenderNotAllowed.selector, id, spender));
        vm.prank(spender);
        registry.spendSubsidy(id, 120 * ONE, buyerSide);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotMerchantOwner.selector, id, spender));
        vm.prank(spender);
        registry.setSpenderAllowed(id, spender, true);
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.SpenderAllowed(id, shop, spender, true);
        vm.prank(shop);
        registry.setSpenderAllowed(id, spender, true);
        assertTrue(registry.spenderAllowed(id, spender));
        vm.expectEmit(address(registry));
        emit IMerchantRegistry.SubsidySpent(id, spender, buyerSide, 120 * ONE, 380 * ONE);
        vm.prank(spender);
        registry.spendSubsidy(id, 120 * ONE, buyerSide);
        assertEq(token.balanceOf(buyerSide), 120 * ONE);

        vm.expectEmit(address(registry));
        emit IMerchantRegistry.SubsidyWithdrawn(id, shopTill, 80 * ONE, 300 * ONE);
        vm.prank(shop);
        registry.withdrawSubsidy(id, 80 * ONE, shopTill);
        assertEq(token.balanceOf(shopTill), 80 * ONE);
        assertEq(registry.merchant(id).subsidyBudget, 300 * ONE);
        assertEq(token.balanceOf(address(registry)), 300 * ONE);
    }

    function test_subsidy_refusals_changeNothing() public {
        uint256 a = _register(shop);
        uint256 b = _register(makeAddr("other shop"));
        _fund(a, 100 * ONE);
        _fund(b, 1_000 * ONE);
        _allowSpender(a);
        _allowSpender(b);
        vm.expectRevert(IMerchantRegistry.ZeroAmount.selector);
        registry.fundSubsidy(a, 0);
        // Only the owner withdraws: not a manager, not the admin, not a spender.
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotMerchantOwner.selector, a, manager));
        vm.prank(manager);
        registry.withdrawSubsidy(a, 1, manager);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.NotMerchantOwner.selector, a, spender));
        vm.prank(spender);
        registry.withdrawSubsidy(a, 1, spender);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.SubsidyAboveBudget.selector, a, 101 * ONE, 100 * ONE));
        vm.prank(shop);
        registry.withdrawSubsidy(a, 101 * ONE, shop);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.InvalidRecipient.selector, address(0)));
        vm.prank(shop);
        registry.withdrawSubsidy(a, 1, address(0));
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.InvalidRecipient.selector, address(registry)));
        vm.prank(shop);
        registry.withdrawSubsidy(a, 1, address(registry));
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.InvalidRecipient.selector, address(registry)));
        vm.prank(spender);
        registry.spendSubsidy(a, 1, address(registry));
        // A spender cannot reach another merchant's money through this one, although the registry holds it.
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.SubsidyAboveBudget.selector, a, 101 * ONE, 100 * ONE));
        vm.prank(spender);
        registry.spendSubsidy(a, 101 * ONE, spender);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, shop, SPENDER)
        );
        vm.prank(shop);
        registry.spendSubsidy(a, 1, shop);
        vm.expectRevert(IMerchantRegistry.ZeroAmount.selector);
        vm.prank(spender);
        registry.spendSubsidy(a, 0, spender);
        // Once the owner turns the spender out, it spends nothing more; nor from a suspended merchant.
        vm.prank(shop);
        registry.setSpenderAllowed(a, spender, false);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.SpenderNotAllowed.selector, a, spender));
        vm.prank(spender);
        registry.spendSubsidy(a, 1, spender);
        vm.prank(manager);
        registry.suspend(b);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantSuspended.selector, b));
        vm.prank(spender);
        registry.spendSubsidy(b, 1, spender);
        assertEq(registry.merchant(a).subsidyBudget, 100 * ONE);
        assertEq(registry.merchant(b).subsidyBudget, 1_000 * ONE);
        assertEq(token.balanceOf(address(registry)), 1_100 * ONE);
    }

    function test_subsidy_closedMerchant_keepsItsBudgetWithdrawable_butNotSpendable() public {
        uint256 id = _register(shop);
        _fund(id, 100 * ONE);
        _allowSpender(id);
        vm.prank(admin);
        registry.close(id);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantClosed.selector, id));
        registry.fundSubsidy(id, ONE);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.MerchantClosed.selector, id));
        vm.prank(spender);
        registry.spendSubsidy(id, ONE, spender);
        vm.prank(shop);
        registry.withdrawSubsidy(id, 100 * ONE, shop);
        assertEq(token.balanceOf(shop), 100 * ONE);
        assertEq(registry.merchant(id).subsidyBudget, 0);
    }

    function test_subsidy_budgetFieldCannotOverflow() public {
        uint256 id = _register(shop);
        uint256 max = type(uint96).max;
        _fund(id, max);
        _approveFunds(1);
        vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.SubsidyBudgetFull.selector, id, 1, max));
        vm.prank(stranger);
        registry.fundSubsidy(id, 1);
        assertEq(registry.merchant(id).subsidyBudget, max);
    }

    /// A token that keeps a fee on transfer: the budget is credited with what arrived, so budgets never exceed the
    /// balance.
    function test_subsidy_feeOnTransferToken_creditsWhatArrives() public {
        FeeToken feeToken = new FeeToken();
        IMerchantRegistry feeRegistry = IMerchantRegistry(
            deployCode("MerchantRegistry.sol:MerchantRegistry", abi.encode(feeToken, admin))
        );
        vm.prank(admin);
        IAccessControl(address(feeRegistry)).grantRole(MANAGER, manager);
        vm.prank(manager);
        uint256 id = feeRegistry.register(shop, 0, 1);
        vm.prank(shop);
        feeRegistry.accept(id, shopTill);
        feeToken.mint(stranger, 1_000 * ONE);
        vm.startPrank(stranger);
        feeToken.approve(address(feeRegistry), 1_000 * ONE);
        vm.expectEmit(address(feeRegistry));
        emit IMerchantRegistry.SubsidyFunded(id, stranger, 990 * ONE, 990 * ONE);
        feeRegistry.fundSubsidy(id, 1_000 * ONE);
        vm.stopPrank();
        assertEq(feeRegistry.merchant(id).subsidyBudget, 990 * ONE);
        assertEq(feeToken.balanceOf(address(feeRegistry)), 990 * ONE);
        vm.prank(shop);
        feeRegistry.withdrawSubsidy(id, 990 * ONE, shopTill);
        assertEq(feeToken.balanceOf(address(feeRegistry)), 0);
    }

    /// Budgets are conserved: whatever is funded, spent and withdrawn, the registry's balance is the sum of the
    /// budgets, and no merchant's budget moves because of another's.
    function testFuzz_subsidy_budgetsConserved(uint96 fundA, uint96 fundB, uint96 spendA, uint96 withdrawB) public {
        fundA = uint96(bound(fundA, 1, 1e15));
        fundB = uint96(bound(fundB, 1, 1e15));
        uint256 a = _register(shop);
        address otherOwner = makeAddr("other shop");
        uint256 b = _register(otherOwner);
        _fund(a, fundA);
        _fund(b, fundB);
        _allowSpender(a);
        spendA = uint96(bound(spendA, 1, uint256(fundA) * 2));
        withdrawB = uint96(bound(withdrawB, 1, uint256(fundB) * 2));
        vm.prank(spender);
        if (spendA > fundA) {
            vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.SubsidyAboveBudget.selector, a, spendA, fundA));
        }
        registry.spendSubsidy(a, spendA, spender);
        vm.prank(otherOwner);
        if (withdrawB > fundB) {
            vm.expectRevert(abi.encodeWithSelector(IMerchantRegistry.SubsidyAboveBudget.selector, b, withdrawB, fundB));
        }
        registry.withdrawSubsidy(b, withdrawB, otherOwner);
        uint256 leftA = spendA > fundA ? fundA : fundA - spendA;
        uint256 leftB = withdrawB > fundB ? fundB : fundB - withdrawB;
        assertEq(registry.merchant(a).subsidyBudget, leftA);
        assertEq(registry.merchant(b).subsidyBudget, leftB);
        assertEq(IERC20(address(token)).balanceOf(address(registry)), leftA + leftB);
        assertEq(token.balanceOf(spender) + token.balanceOf(otherOwner), uint256(fundA) + fundB - leftA - leftB);
    }
}

/// A test-only token that keeps 1% of every transfer between two holders.
contract FeeToken is ERC20 {
    constructor() ERC20("Fee", "FEE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = value / 100;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
