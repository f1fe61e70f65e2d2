// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {MockStablecoin} from "../../contracts/mocks/MockStablecoin.sol";
import {ILedger} from "./ILedger.sol";
import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// Acts for the LedgerHandler's borrowers on what collection depends on: their mandates (set, revoked, set with an
/// ERC-2612 permit, refused above 2^88 − 1) and their wallets (balance and allowance). Each action predicts its
/// outcome like the handler's and reports anything else; it keeps no ghost books and never moves the book. (Its own
/// contract so that the handler's init code stays under the 49,152-byte limit of EIP-3860.)
contract WalletActor is Test {
    uint256 internal constant BORROWERS = 5;

    /// What an action reports to the handler: whether the ledger accepted it, and the last outcome the prediction
    /// did not expect (empty `what` if none).
    struct Outcome {
        bool accepted;
        string what;
        bytes data;
    }

    MockStablecoin internal immutable token;
    ILedger internal immutable ledger;
    /// Receives the tokens taken from a borrower's wallet.
    address internal immutable sink;
    address[] internal borrowers;
    uint256[] internal keys;

    /// The handler's borrowers: `makeAddr("borrower-<i>")`, whose keys sign the permits.
    constructor(MockStablecoin token_, ILedger ledger_) {
        token = token_;
        ledger = ledger_;
        sink = makeAddr("sink");
        for (uint256 i = 0; i < BORROWERS; ++i) {
            (address who, uint256 key) = makeAddrAndKey(string.concat("borrower-", vm.toString(i)));
            borrowers.push(who);
            keys.push(key);
        }
    }

    /// Modes: 0–1 revoke; 2 a cap above 2^88 − 1 (refused with `AmountTooLarge`); 3 with a permit, signed by the
    /// borrower or by someone else (a failed permit must not block the mandate); 4–7 a cap (none one time in three).
    function setMandate(uint256 borrowerSeed, uint256 cap, uint256 mode) external returns (Outcome memory o) {
        uint256 b = borrowerSeed % BORROWERS;
        address who = borrowers[b];
        mode = mode % 8;
        if (mode < 2) {
            vm.prank(who);
            try ledger.revokeMandate() {
                o.accepted = true;
                (bool active, uint256 storedCap) = ledger.mandateOf(who);
                if (active || storedCap != 0) o.what = "revokeMandate: still active";
            } catch (bytes memory err) {
                return Outcome(false, "revokeMandate refused", err);
            }
            return o;
        }
        if (mode == 2) cap = bound(cap, uint256(type(uint88).max) + 1, type(uint256).max);
        else cap = cap % 3 == 0 ? 0 : bound(cap, 1, 20_000e6);
        if (mode == 3) return _setMandateWithPermit(b, cap, borrowerSeed >> 8);
        vm.prank(who);
        try ledger.setMandate(cap) {
            if (mode == 2) return Outcome(true, "mandate cap above 2^88 - 1 accepted", abi.encode(cap));
            o.accepted = true;
            _checkMandate(o, who, cap);
        } catch (bytes memory err) {
            bytes memory expected = abi.encodeWithSelector(
                ICreditLedger.AmountTooLarge.selector,
                cap,
                uint256(type(uint88).max)
            );
            if (mode != 2 || keccak256(err) != keccak256(expected)) return Outcome(false, "setMandate", err);
        }
    }

    function _setMandateWithPermit(uint256 b, uint256 cap, uint256 seed) internal returns (Outcome memory o) {
        address who = borrowers[b];
        uint256 value = bound(seed, 0, 50_000e6);
        uint256 deadline = block.timestamp + 1 hours;
        bool valid = (seed >> 128) % 2 == 0;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                who,
                address(ledger),
                value,
                token.nonces(who),
                deadline
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(valid ? keys[b] : keys[(b + 1) % BORROWERS], digest);
        uint256 allowanceBefore = token.allowance(who, address(ledger));
        vm.prank(who);
        try ledger.setMandateWithPermit(cap, value, deadline, v, r, s) {
            o.accepted = true;
            _checkMandate(o, who, cap);
            uint256 allowance = token.allowance(who, address(ledger));
            if (allowance != (valid ? value : allowanceBefore)) {
                (o.what, o.data) = ("permit: allowance", abi.encode(allowance, valid, value, allowanceBefore));
            }
        } catch (bytes memory err) {
            return Outcome(false, "setMandateWithPermit refused", err);
        }
    }

    function _checkMandate(Outcome memory o, address who, uint256 cap) internal view {
        (bool active, uint256 storedCap) = ledger.mandateOf(who);
        if (!active || storedCap != cap) (o.what, o.data) = ("mandate not stored", abi.encode(active, storedCap, cap));
    }

    /// Sets a borrower's token balance (empty, small, large or unchanged) and the ledger's allowance (none, small,
    /// unlimited or unchanged), so collection meets borrowers without balance or allowance.
    function setWallet(uint256 borrowerSeed, uint256 balance, uint256 allowance) external returns (Outcome memory o) {
        address who = borrowers[borrowerSeed % BORROWERS];
        uint256 mode = (borrowerSeed >> 8) % 4;
        uint256 held = token.balanceOf(who);
        uint256 target = held;
        if (mode == 0) target = 0;
        else if (mode == 1) target = bound(balance, 1, 1_000e6);
        else if (mode == 2) target = bound(balance, 50_000e6, 200_000e6);
        if (target < held) {
            vm.prank(who);
            if (!token.transfer(sink, held - target)) return Outcome(false, "setWallet: transfer", "");
        } else if (target > held) {
            token.faucet(who, target - held);
        }
        mode = (borrowerSeed >> 16) % 4;
        if (mode != 3) {
            uint256 value = type(uint256).max;
            if (mode == 0) value = 0;
            else if (mode == 1) value = bound(allowance, 1, 5_000e6);
            vm.prank(who);
            if (!token.approve(address(ledger), value)) return Outcome(false, "setWallet: approve", "");
        }
        o.accepted = true;
    }
}
