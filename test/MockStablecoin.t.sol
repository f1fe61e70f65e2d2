// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {MockStablecoin} from "../contracts/mocks/MockStablecoin.sol";

contract MockStablecoinTest is Test {
    MockStablecoin internal token;

    function setUp() public {
        vm.chainId(31337);
        token = new MockStablecoin();
    }

    function test_decimals_isSix() public view {
        assertEq(token.decimals(), 6);
    }

    function testFuzz_faucet_mintsExactAmount(address to, uint256 amount) public {
        vm.assume(to != address(0));
        amount = bound(amount, 0, token.FAUCET_MAX());
        token.faucet(to, amount);
        assertEq(token.balanceOf(to), amount);
        assertEq(token.totalSupply(), amount);
    }

    function test_faucet_revertsAboveMax() public {
        uint256 max = token.FAUCET_MAX();
        vm.expectRevert(abi.encodeWithSelector(MockStablecoin.FaucetAmountTooLarge.selector, max + 1, max));
        token.faucet(address(1), max + 1);
    }

    function test_faucet_revertsOnPublicChain() public {
        vm.chainId(1);
        vm.expectRevert(abi.encodeWithSelector(MockStablecoin.FaucetOnlyOnLocalChain.selector, 1));
        token.faucet(address(1), 1);
    }
}
