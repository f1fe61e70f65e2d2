// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {Packing} from "../../contracts/libraries/Packing.sol";
import {IRiskLimits} from "../../contracts/interfaces/IRiskLimits.sol";

/// Calls the library through an external function, so that `expectRevert` sees its revert.
contract LimitsCodec {
    function encode(IRiskLimits.Limits calldata l) external pure returns (uint256) {
        return Packing.encodeLimits(l);
    }
}

/// The limits word (`Packing.encodeLimits`): exact round trips, one word, and a clear refusal of what it cannot hold.
contract LimitsPackingTest is Test {
    LimitsCodec internal codec = new LimitsCodec();

    function _limits(uint96 a, uint96 b, uint96 c, uint96 d) internal pure returns (IRiskLimits.Limits memory l) {
        l = IRiskLimits.Limits({
            minDraw: a,
            maxDraw: b,
            maxExposure: c,
            dailyOriginationCap: d,
            maxExposureBps: 200,
            maxUtilisationBps: 9_000,
            breakerBps: 800,
            aprCapBps: 2_400
        });
    }

    function _assertSame(IRiskLimits.Limits memory x, IRiskLimits.Limits memory y) internal pure {
        assertEq(x.minDraw, y.minDraw, "minDraw");
        assertEq(x.maxDraw, y.maxDraw, "maxDraw");
        assertEq(x.maxExposure, y.maxExposure, "maxExposure");
        assertEq(x.dailyOriginationCap, y.dailyOriginationCap, "dailyOriginationCap");
        assertEq(x.maxExposureBps, y.maxExposureBps, "maxExposureBps");
        assertEq(x.maxUtilisationBps, y.maxUtilisationBps, "maxUtilisationBps");
        assertEq(x.breakerBps, y.breakerBps, "breakerBps");
        assertEq(x.aprCapBps, y.aprCapBps, "aprCapBps");
    }

    /// PRODUCT.md's limits in a 6-decimal and an 18-decimal asset, and the largest round uint96, come back exactly.
    function test_limits_roundTripTheDefaultsInAnyDecimals() public view {
        IRiskLimits.Limits memory six = _limits(10e6, 50_000e6, 200_000e6, 1_000_000e6);
        _assertSame(Packing.decodeLimits(codec.encode(six)), six);
        IRiskLimits.Limits memory eighteen = _limits(10e18, 50_000e18, 200_000e18, 1_000_000e18);
        _assertSame(Packing.decodeLimits(codec.encode(eighteen)), eighteen);
        IRiskLimits.Limits memory large = _limits(1, 7e28, 79_228_162_514e18, (type(uint96).max / 1e16) * 1e16);
        _assertSame(Packing.decodeLimits(codec.encode(large)), large);
        assertEq(codec.encode(_limits(0, 0, 0, 0)) & ((1 << 192) - 1), 0, "off is zero");
    }

    /// Every amount below 2^43 is exact whatever its digits, and so is any such amount times a power of ten that
    /// still fits a uint96.
    function testFuzz_limits_roundTripAnyRepresentableAmount(
        uint256 mantissa,
        uint256 exponent,
        uint16 bps
    ) public view {
        mantissa = bound(mantissa, 0, Packing.LIMIT_MANTISSA_CAP - 1);
        exponent = bound(exponent, 0, 29);
        uint256 value = mantissa * 10 ** exponent;
        vm.assume(value <= type(uint96).max);
        IRiskLimits.Limits memory l = _limits(uint96(value), uint96(mantissa), uint96(value), uint96(value / 10));
        l.breakerBps = bps;
        _assertSame(Packing.decodeLimits(codec.encode(l)), l);
    }

    /// An amount with more significant value than the word holds is refused with its value, never rounded.
    function test_limits_refuseWhatTheyCannotHoldExactly() public {
        uint96 odd = uint96(Packing.LIMIT_MANTISSA_CAP) * 10 + 1;
        vm.expectRevert(abi.encodeWithSelector(IRiskLimits.LimitNotRepresentable.selector, uint256(odd)));
        codec.encode(_limits(0, 0, odd, 0));
        uint96 justAbove = uint96(Packing.LIMIT_MANTISSA_CAP);
        vm.expectRevert(abi.encodeWithSelector(IRiskLimits.LimitNotRepresentable.selector, uint256(justAbove)));
        codec.encode(_limits(justAbove, 0, 0, 0));
        // 2^43 − 1 is exact, and so is (2^43 − 1) × 10; 2^43 × 10 is not (its mantissa would be 2^43).
        IRiskLimits.Limits memory edge = _limits(justAbove - 1, (justAbove - 1) * 10, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IRiskLimits.LimitNotRepresentable.selector, uint256(justAbove) * 10));
        codec.encode(_limits(0, justAbove * 10, 0, 0));
        _assertSame(Packing.decodeLimits(codec.encode(edge)), edge);
    }
}
