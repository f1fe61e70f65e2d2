// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ISignatureErrors} from "../interfaces/ISignatureErrors.sol";

/// @title Signatures
/// @notice Who signed an EIP-712 digest, in the protocol's two signature formats: 65 bytes `r‖s‖v` from an EOA key
/// (OpenZeppelin ECDSA, which refuses high-s and zero-address recoveries), or `abi.encode(address signer, bytes
/// signature)` for a contract signer such as a multisig, checked with ERC-1271 (`SignatureChecker`).
library Signatures {
    /// @notice The signer of `digest`; reverts if the signature is malformed or a contract signer refuses it.
    function signerOf(bytes32 digest, bytes calldata signature) internal view returns (address signer) {
        if (signature.length == 65) return ECDSA.recover(digest, signature);
        // The envelope's head (a clean address, the offset 64) and a length word that fits: anything else is refused
        // by name here rather than by an empty revert of the decoder.
        uint256 length = signature.length;
        if (length < 96) revert ISignatureErrors.MalformedSignature(length);
        if (
            uint256(bytes32(signature[0:32])) >> 160 != 0 ||
            uint256(bytes32(signature[32:64])) != 64 ||
            uint256(bytes32(signature[64:96])) > length - 96
        ) revert ISignatureErrors.MalformedSignature(length);
        bytes memory inner;
        (signer, inner) = abi.decode(signature, (address, bytes));
        if (!SignatureChecker.isValidSignatureNow(signer, digest, inner)) {
            revert ISignatureErrors.InvalidSignature(signer);
        }
    }
}
