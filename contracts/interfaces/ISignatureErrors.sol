// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ISignatureErrors
/// @notice The refusals of a signature in the two formats the protocol's signed messages accept (Signatures.signerOf).
interface ISignatureErrors {
    /// @notice The signer named in an `abi.encode(signer, signature)` envelope did not validate the signature (ERC-1271
    /// for a contract, ECDSA for a key).
    error InvalidSignature(address signer);
    /// @notice Neither 65 bytes nor an `abi.encode(address, bytes)` envelope.
    error MalformedSignature(uint256 length);
}
