// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ISignatureErrors
/// @notice The refusals of a signature in the two formats the protocol's signed messages accept (Signatures.signerOf).
interface ISignatureErrors {
    /// @notice A contract signer (ERC-1271) did not accept the signature.
    error InvalidSignature(address signer);
    /// @notice Neither 65 bytes nor an `abi.encode(address, bytes)` envelope.
    error MalformedSignature(uint256 length);
}
