// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title MockERC1271Signer
/// @notice A contract wallet standing in for an underwriting multisig in tests: a signature is valid when its owner
/// key signed the hash. Its owner can switch it off to model a wallet that stops approving.
contract MockERC1271Signer is IERC1271 {
    /// @notice Thrown when someone other than the owner switches the wallet.
    error NotOwner(address caller);

    /// @notice The key whose signatures this wallet accepts.
    address public immutable owner;
    /// @notice Whether the wallet approves signatures at all.
    bool public approving = true;

    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice Stops or resumes approving signatures. Owner only.
    function setApproving(bool approving_) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        approving = approving_;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        if (approving && err == ECDSA.RecoverError.NoError && recovered == owner)
            return IERC1271.isValidSignature.selector;
        return 0xffffffff;
    }
}
