// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {ConversionMath} from "../contracts/libraries/ConversionMath.sol";

/// Instalment conversions (PRODUCT.md C6): golden plans and APRs at the default fee table, the same figures
/// `test/core-conversion.ts` pins the TypeScript twin to, and fuzzed plan and APR properties.
contract ConversionMathTest is Test {
    uint256 internal constant P = 10_000e6;
    uint256 internal constant DEFAULT_APR_CAP_BPS = 2_400;

    /// One golden conversion: every instalment but the last has `principal` and `fee`, the last `lastPrincipal` and
    /// `lastFee`; payments are their sums.
    struct Golden {
        uint256 amount;
        uint256 instalments;
        uint256 feeBps;
        uint256 totalFee;
        uint256 principal;
        uint256 lastPrincipal;
        uint256 fee;
        uint256 lastFee;
        uint256 aprBps;
    }

    function _sum(uint256[] memory xs) internal pure returns (uint256 total) {
        for (uint256 i = 0; i < xs.length; ++i) total += xs[i];
    }

    /// The same rows, in the same order, as GOLDEN in test/core-conversion.ts.
    // prettier-ignore
    function _golden() internal pure returns (Golden[] memory g) {
        g = new Golden[](28);
        // amount, instalments, feeBps, totalFee, principal, lastPrincipal, fee, lastFee, aprBps
        g[0] = Golden(10_000e6, 3, 250, 250_000000, 3_333_333333, 3_333_333334, 83_333333, 83_333334, 1494);
        g[1] = Golden(10_000e6, 6, 450, 450_000000, 1_666_666666, 1_666_666670, 75_000000, 75_000000, 1527);
        g[2] = Golden(10_000e6, 9, 650, 650_000000, 1_111_111111, 1_111_111112, 72_222222, 72_222224, 1535);
        g[3] = Golden(10_000e6, 12, 880, 880_000000, 833_333333, 833_333337, 73_333333, 73_333337, 1587);
        g[4] = Golden(1, 3, 250, 0, 0, 1, 0, 0, 0);
        g[5] = Golden(1, 6, 450, 0, 0, 1, 0, 0, 0);
        g[6] = Golden(1, 9, 650, 0, 0, 1, 0, 0, 0);
        g[7] = Golden(1, 12, 880, 0, 0, 1, 0, 0, 0);
        g[8] = Golden(7, 3, 250, 0, 2, 3, 0, 0, 0);
        g[9] = Golden(7, 6, 450, 0, 1, 2, 0, 0, 0);
        g[10] = Golden(7, 9, 650, 0, 0, 7, 0, 0, 0);
        g[11] = Golden(7, 12, 880, 0, 0, 7, 0, 0, 0);
        g[12] = Golden(41, 3, 250, 1, 13, 15, 0, 1, 1407);
        g[13] = Golden(41, 6, 450, 1, 6, 11, 0, 1, 755);
        g[14] = Golden(41, 9, 650, 2, 4, 9, 0, 2, 1022);
        g[15] = Golden(41, 12, 880, 3, 3, 8, 0, 3, 1146);
        g[16] = Golden(12_345, 3, 250, 308, 4115, 4115, 102, 104, 1491);
        g[17] = Golden(12_345, 6, 450, 555, 2057, 2060, 92, 95, 1525);
        g[18] = Golden(12_345, 9, 650, 802, 1371, 1377, 89, 90, 1533);
        g[19] = Golden(12_345, 12, 880, 1086, 1028, 1037, 90, 96, 1585);
        g[20] = Golden(999_999_999, 3, 250, 24_999999, 333_333333, 333_333333, 8_333333, 8_333333, 1494);
        g[21] = Golden(999_999_999, 6, 450, 44_999999, 166_666666, 166_666669, 7_499999, 7_500004, 1527);
        g[22] = Golden(999_999_999, 9, 650, 64_999999, 111_111111, 111_111111, 7_222222, 7_222223, 1535);
        g[23] = Golden(999_999_999, 12, 880, 87_999999, 83_333333, 83_333336, 7_333333, 7_333336, 1587);
        g[24] = Golden(1e15, 3, 250, 25e12, 333_333_333_333333, 333_333_333_333334, 8_333_333_333333, 8_333_333_333334, 1494);
        g[25] = Golden(1e15, 6, 450, 45e12, 166_666_666_666666, 166_666_666_666670, 7_500_000_000000, 7_500_000_000000, 1527);
        g[26] = Golden(1e15, 9, 650, 65e12, 111_111_111_111111, 111_111_111_111112, 7_222_222_222222, 7_222_222_222224, 1535);
        g[27] = Golden(1e15, 12, 880, 88e12, 83_333_333_333333, 83_333_333_333337, 7_333_333_333333, 7_333_333_333337, 1587);
    }

    function test_plan_golden() public pure {
        Golden[] memory g = _golden();
        for (uint256 i = 0; i < g.length; ++i) _assertGolden(g[i]);
    }

    function _assertGolden(Golden memory c) internal pure {
        (uint256[] memory pay, uint256[] memory pr, uint256[] memory fees) = ConversionMath.plan(
            c.amount,
            c.feeBps,
            c.instalments
        );
        assertEq(pay.length, c.instalments, "instalments");
        assertEq(ConversionMath.totalFeeDown(c.amount, c.feeBps), c.totalFee, "total fee");
        uint256 last = c.instalments - 1;
        for (uint256 k = 0; k < last; ++k) {
            assertEq(pr[k], c.principal, "principal");
            assertEq(fees[k], c.fee, "fee");
            assertEq(pay[k], c.principal + c.fee, "payment");
        }
        assertEq(pr[last], c.lastPrincipal, "last principal");
        assertEq(fees[last], c.lastFee, "last fee");
        assertEq(pay[last], c.lastPrincipal + c.lastFee, "last payment");
        assertEq(_sum(pr), c.amount, "principal adds up");
        assertEq(_sum(fees), c.totalFee, "fees add up");
        assertEq(ConversionMath.aprUp(c.amount, c.feeBps, c.instalments), c.aprBps, "apr");
    }

    /// P = 10,000.000000 at the default table, row by row: the payments a borrower is shown.
    function test_plan_defaultTermsPayments() public pure {
        (uint256[] memory pay3, , ) = ConversionMath.plan(P, 250, 3);
        assertEq(pay3[0], 3_416_666666);
        assertEq(pay3[1], 3_416_666666);
        assertEq(pay3[2], 3_416_666668);
        (uint256[] memory pay12, , uint256[] memory fees12) = ConversionMath.plan(P, 880, 12);
        for (uint256 k = 0; k < 11; ++k) {
            assertEq(pay12[k], 906_666666);
            assertEq(fees12[k], 73_333333);
        }
        assertEq(pay12[11], 906_666674);
        assertEq(fees12[11], 73_333337);
        assertEq(_sum(pay12), 10_880_000000);
    }

    /// The default fee table's APRs, on 30/360: 14.94 % / 15.27 % / 15.35 % / 15.87 %, all within the default cap.
    function test_maxAprUp_defaultTable() public pure {
        assertEq(ConversionMath.maxAprUp(250, 3), 1494);
        assertEq(ConversionMath.maxAprUp(450, 6), 1527);
        assertEq(ConversionMath.maxAprUp(650, 9), 1535);
        assertEq(ConversionMath.maxAprUp(880, 12), 1587);
    }

    /// The largest fee per term within the default 24 % cap: 4.02 % / 7.11 % / 10.26 % / 13.47 %.
    function test_maxAprUp_defaultCapBoundary() public pure {
        uint256[4] memory terms = [uint256(3), 6, 9, 12];
        uint256[4] memory largestFee = [uint256(402), 711, 1026, 1347];
        uint256[4] memory aprAtLargest = [uint256(2397), 2399, 2400, 2400];
        uint256[4] memory aprAbove = [uint256(2403), 2402, 2402, 2402];
        for (uint256 i = 0; i < 4; ++i) {
            assertEq(ConversionMath.maxAprUp(largestFee[i], terms[i]), aprAtLargest[i]);
            assertEq(ConversionMath.maxAprUp(largestFee[i] + 1, terms[i]), aprAbove[i]);
            assertLe(aprAtLargest[i], DEFAULT_APR_CAP_BPS);
            assertGt(aprAbove[i], DEFAULT_APR_CAP_BPS);
        }
    }

    /// One instalment of twice the amount after a month: 100 % a month, 1,200 % a year, exactly.
    function test_aprUp_oneInstalmentIsTheMonthlyRateTimesTwelve() public pure {
        assertEq(ConversionMath.aprUp(1, 10_000, 1), 120_000);
        assertEq(ConversionMath.aprUp(P, 100, 1), 1_200);
    }

    /// A merchant-subsidised conversion: no fee in any instalment, the payments are the principal, APR 0.
    function test_aprUp_merchantSubsidisedIsZero() public pure {
        for (uint256 n = 3; n <= 12; n += 3) {
            (uint256[] memory pay, uint256[] memory pr, uint256[] memory fees) = ConversionMath.plan(P, 0, n);
            assertEq(_sum(fees), 0);
            assertEq(_sum(pay), P);
            assertEq(pay[n - 1], pr[n - 1]);
            assertEq(ConversionMath.aprUp(P, 0, n), 0);
        }
    }

    function test_plan_revertsOnNoInstalments() public {
        vm.expectRevert(abi.encodeWithSelector(ConversionMath.UnsupportedTerm.selector, 0));
        this.callPlan(P, 250, 0);
    }

    function test_aprUp_revertsOnNoInstalments() public {
        vm.expectRevert(abi.encodeWithSelector(ConversionMath.UnsupportedTerm.selector, 0));
        this.callAprUp(P, 0, 0);
    }

    function test_feeOfInstalmentDown_revertsOutsideThePlan() public {
        vm.expectRevert(abi.encodeWithSelector(ConversionMath.InstalmentOutOfRange.selector, 0, 3));
        this.callFeeOf(P, 250, 3, 0);
        vm.expectRevert(abi.encodeWithSelector(ConversionMath.InstalmentOutOfRange.selector, 4, 3));
        this.callFeeOf(P, 250, 3, 4);
        vm.expectRevert(abi.encodeWithSelector(ConversionMath.UnsupportedTerm.selector, 0));
        this.callFeeOf(P, 250, 0, 1);
    }

    function callPlan(uint256 amount, uint256 feeBps, uint256 n) external pure returns (uint256) {
        (uint256[] memory pay, , ) = ConversionMath.plan(amount, feeBps, n);
        return pay.length;
    }

    function callAprUp(uint256 amount, uint256 feeBps, uint256 n) external pure returns (uint256) {
        return ConversionMath.aprUp(amount, feeBps, n);
    }

    function callFeeOf(uint256 amount, uint256 feeBps, uint256 n, uint256 k) external pure returns (uint256) {
        return ConversionMath.feeOfInstalmentDown(amount, feeBps, n, k);
    }

    /// The principal parts add up to the amount and the fee parts to the total fee, to the unit; every instalment
    /// but the last is `floor(total / n)` of each, and each payment is its principal plus its fee.
    function testFuzz_plan_partsAddUpExactly(uint256 amount, uint256 feeBps, uint256 n) public pure {
        amount = bound(amount, 0, 1e15);
        feeBps = bound(feeBps, 0, 10_000);
        n = bound(n, 1, 24);
        (uint256[] memory pay, uint256[] memory pr, uint256[] memory fees) = ConversionMath.plan(amount, feeBps, n);
        uint256 totalFee = ConversionMath.totalFeeDown(amount, feeBps);
        assertEq(totalFee, (amount * feeBps) / 10_000, "fee rounds down");
        assertEq(_sum(pr), amount, "principal");
        assertEq(_sum(fees), totalFee, "fees");
        assertEq(_sum(pay), amount + totalFee, "payments");
        for (uint256 k = 0; k + 1 < n; ++k) {
            assertEq(pr[k], amount / n, "even principal");
            assertEq(fees[k], totalFee / n, "even fee");
        }
        for (uint256 k = 0; k < n; ++k) assertEq(pay[k], pr[k] + fees[k], "row sum");
    }

    /// Instalment k's principal, fee and payment without the plan are the plan's, for every k.
    function testFuzz_accessors_equalThePlan(uint256 amount, uint256 feeBps, uint256 n) public pure {
        amount = bound(amount, 0, 1e15);
        feeBps = bound(feeBps, 0, 10_000);
        n = bound(n, 1, 24);
        (uint256[] memory pay, uint256[] memory pr, uint256[] memory fees) = ConversionMath.plan(amount, feeBps, n);
        for (uint256 k = 1; k <= n; ++k) {
            assertEq(ConversionMath.principalOfInstalmentDown(amount, n, k), pr[k - 1], "principal");
            assertEq(ConversionMath.feeOfInstalmentDown(amount, feeBps, n, k), fees[k - 1], "fee");
            assertEq(ConversionMath.paymentOfInstalmentDown(amount, feeBps, n, k), pay[k - 1], "payment");
        }
    }

    /// For a fixed amount and term, a higher fee rate never gives a lower APR.
    function testFuzz_aprUp_monotoneInFeeRate(uint256 amount, uint256 feeA, uint256 feeB, uint256 n) public pure {
        amount = bound(amount, 1, 1e15);
        n = bound(n, 1, 24);
        feeA = bound(feeA, 0, 2_000);
        feeB = bound(feeB, feeA, 2_000);
        uint256 aprA = ConversionMath.aprUp(amount, feeA, n);
        uint256 aprB = ConversionMath.aprUp(amount, feeB, n);
        assertLe(aprA, aprB);
        // A fee that rounds to at least one unit has a positive APR.
        if (ConversionMath.totalFeeDown(amount, feeB) > 0) assertGt(aprB, 0);
    }

    /// No fee, whether subsidised (rate 0) or rounded away on a small amount, is an APR of exactly 0.
    function testFuzz_aprUp_zeroWithoutFee(uint256 amount, uint256 feeBps, uint256 n) public pure {
        amount = bound(amount, 0, 1e15);
        n = bound(n, 1, 24);
        assertEq(ConversionMath.aprUp(amount, 0, n), 0, "subsidised");
        // Below 10,000 / feeBps units the fee rounds to 0.
        feeBps = bound(feeBps, 1, 10_000);
        uint256 small = bound(amount, 0, (10_000 - 1) / feeBps);
        assertEq(ConversionMath.totalFeeDown(small, feeBps), 0, "rounded away");
        assertEq(ConversionMath.aprUp(small, feeBps, n), 0, "rounded-away fee");
    }

    /// Rounding only lowers the cost: no amount's APR is above its fee rate's `maxAprUp`.
    function testFuzz_aprUp_atMostMaxAprUp(uint256 amount, uint256 feeBps, uint256 n) public pure {
        amount = bound(amount, 0, 1e15);
        feeBps = bound(feeBps, 0, 2_000);
        n = bound(n, 1, 24);
        assertLe(ConversionMath.aprUp(amount, feeBps, n), ConversionMath.maxAprUp(feeBps, n));
    }
}
