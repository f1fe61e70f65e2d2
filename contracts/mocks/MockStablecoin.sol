// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title MockStablecoin
/// @notice A 6-decimals stablecoin with ERC-2612 permit for local deployments and tests.
/// @dev The faucet mints to anyone, so it refuses to work outside local chain ids
/// (Hardhat 31337, Anvil/Ganache 1337). Deploying this token on a public network
/// gives a token nobody can mint.
contract MockStablecoin is ERC20, ERC20Permit {
    /// @notice Thrown when the faucet is called on a chain that is not a local development chain.
    error FaucetOnlyOnLocalChain(uint256 chainId);

    /// @notice Largest amount one faucet call may mint: 10 million tokens.
    uint256 public constant FAUCET_MAX = 10_000_000e6;

    /// @notice Thrown when a faucet request is above `FAUCET_MAX`.
    error FaucetAmountTooLarge(uint256 requested, uint256 max);

    constructor() ERC20("Micro USD", "mUSD") ERC20Permit("Micro USD") {}

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mints `amount` base units to `to`. Local chains only.
    function faucet(address to, uint256 amount) external {
        if (block.chainid != 31337 && block.chainid != 1337) revert FaucetOnlyOnLocalChain(block.chainid);
        if (amount > FAUCET_MAX) revert FaucetAmountTooLarge(amount, FAUCET_MAX);
        _mint(to, amount);
    }
}
