// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {LoanMath} from "../../contracts/libraries/LoanMath.sol";
import {Packing} from "../../contracts/libraries/Packing.sol";
import {ScheduleMath} from "../../contracts/libraries/ScheduleMath.sol";

/// Packed records survive a round trip in both directions, including negative interest balances.
contract PackingTest is Test {
    function _loan(
        uint32 drawnAt,
        uint8 method,
        uint8 instalments,
        uint16 periodDays,
        uint16 aprBps,
        uint88 principal,
        uint88 openingBalance
    ) internal pure returns (ICreditLedger.Loan memory loan) {
        loan.drawnAt = drawnAt;
        loan.method = method;
        loan.instalments = instalments;
        loan.periodDays = periodDays;
        loan.aprBps = aprBps;
        loan.principal = principal;
        loan.openingBalance = openingBalance;
    }

    function _assertLoanEq(ICreditLedger.Loan memory a, ICreditLedger.Loan memory b) internal pure {
        assertEq(a.drawnAt, b.drawnAt, "drawnAt");
        assertEq(a.method, b.method, "method");
        assertEq(a.instalments, b.instalments, "instalments");
        assertEq(a.periodDays, b.periodDays, "periodDays");
        assertEq(a.aprBps, b.aprBps, "aprBps");
        assertEq(a.principal, b.principal, "principal");
        assertEq(a.openingBalance, b.openingBalance, "openingBalance");
        assertEq(a.checkpoint, b.checkpoint, "checkpoint");
        assertEq(a.principalPaid, b.principalPaid, "principalPaid");
        assertEq(a.interestBalance, b.interestBalance, "interestBalance");
        assertEq(uint8(a.status), uint8(b.status), "status");
        assertEq(a.segmentStart, b.segmentStart, "segmentStart");
        assertEq(uint8(a.bucket), uint8(b.bucket), "bucket");
        assertEq(a.productId, b.productId, "productId");
    }

    /// decode(encode(loan)) == loan for every value the struct can hold.
    function testFuzz_packing_loanRoundTrip(
        uint32 drawnAt,
        uint8 method,
        uint8 instalments,
        uint16 periodDays,
        uint16 aprBps,
        uint88 principal,
        uint88 openingBalance,
        uint32 checkpoint,
        uint80 principalPaid,
        int88 interestBalance,
        uint8 status,
        uint32 segmentStart,
        uint16 bucketAndProduct
    ) public pure {
        // The ledger's domain (Packing): principal below 2^80, method at most 3, product id at most 15.
        ICreditLedger.Loan memory loan = _loan(
            drawnAt,
            uint8(bound(method, 0, 3)),
            instalments,
            periodDays,
            aprBps,
            uint88(bound(principal, 0, type(uint80).max)),
            openingBalance
        );
        loan.checkpoint = checkpoint;
        loan.principalPaid = principalPaid;
        loan.interestBalance = interestBalance;
        loan.status = ICreditLedger.LoanStatus(bound(status, 0, uint256(type(ICreditLedger.LoanStatus).max)));
        loan.segmentStart = segmentStart;
        loan.bucket = ICreditLedger.Bucket(bound(bucketAndProduct & 0xff, 0, uint256(type(ICreditLedger.Bucket).max)));
        loan.productId = uint8(bound(bucketAndProduct >> 8, 0, 15));
        (uint256 word0, uint256 word1) = Packing.encodeLoan(loan);
        _assertLoanEq(Packing.decodeLoan(word0, word1), loan);
    }

    /// encode(decode(words)) == words for every pair of words whose status and bucket bytes are valid.
    function testFuzz_packing_loanWordsRoundTrip(uint256 word0, uint256 word1, uint8 status, uint8 bucket) public pure {
        // word 0: bits 234..235 hold the status, 236..238 the bucket, 243..255 are the ledger's (zero here); word 1
        // uses bits 0..239.
        word0 &= ~(uint256(3) << 234) & ~(uint256(7) << 236) & ((uint256(1) << Packing.LOAN_FREE_SHIFT) - 1);
        word0 |= bound(status, 0, uint256(type(ICreditLedger.LoanStatus).max)) << 234;
        word0 |= bound(bucket, 0, uint256(type(ICreditLedger.Bucket).max)) << 236;
        word1 &= (uint256(1) << 240) - 1;
        ICreditLedger.Loan memory loan = Packing.decodeLoan(word0, word1);
        (uint256 again0, uint256 again1) = Packing.encodeLoan(loan);
        assertEq(again0, word0, "word 0");
        assertEq(again1, word1, "word 1");
    }

    /// The sign of the interest balance survives packing at the extremes of int88.
    function test_packing_negativeInterestBalanceRoundTrips() public pure {
        int88[5] memory values = [type(int88).min, -1, 0, 1, type(int88).max];
        for (uint256 i = 0; i < values.length; ++i) {
            ICreditLedger.Loan memory loan = _loan(1, 2, 3, 4, 5, type(uint80).max, type(uint88).max);
            loan.interestBalance = values[i];
            loan.principalPaid = type(uint80).max;
            loan.productId = 15;
            loan.checkpoint = type(uint32).max;
            loan.segmentStart = type(uint32).max;
            loan.status = ICreditLedger.LoanStatus.Repaid;
            (uint256 word0, uint256 word1) = Packing.encodeLoan(loan);
            ICreditLedger.Loan memory back = Packing.decodeLoan(word0, word1);
            assertEq(back.interestBalance, values[i], "interest balance");
            // Neighbouring fields are not touched by the sign extension.
            assertEq(back.principalPaid, type(uint80).max, "principalPaid");
            assertEq(back.productId, 15, "productId");
            assertEq(uint8(back.status), uint8(ICreditLedger.LoanStatus.Repaid), "status");
            assertEq(back.segmentStart, type(uint32).max, "segmentStart");
        }
    }

    /// decodeLine(encodeLine(line)) == line for every value the struct can hold.
    function testFuzz_packing_lineRoundTrip(
        uint80 limit,
        uint80 outstanding,
        uint16 aprBps,
        uint16 productMask,
        uint24 loanCount,
        uint8 status,
        uint16 lateLoans,
        uint16 kycExpiryDay
    ) public pure {
        ICreditLedger.Line memory line = ICreditLedger.Line({
            limit: limit,
            outstanding: outstanding,
            aprBps: aprBps,
            productMask: productMask,
            loanCount: loanCount,
            status: ICreditLedger.LineStatus(bound(status, 0, uint256(type(ICreditLedger.LineStatus).max))),
            lateLoans: lateLoans,
            kycExpiryDay: kycExpiryDay
        });
        ICreditLedger.Line memory back = Packing.decodeLine(Packing.encodeLine(line));
        assertEq(back.limit, limit, "limit");
        assertEq(back.outstanding, outstanding, "outstanding");
        assertEq(back.aprBps, aprBps, "aprBps");
        assertEq(back.productMask, productMask, "productMask");
        assertEq(back.loanCount, loanCount, "loanCount");
        assertEq(uint8(back.status), uint8(line.status), "status");
        assertEq(back.lateLoans, lateLoans, "lateLoans");
        assertEq(back.kycExpiryDay, kycExpiryDay, "kycExpiryDay");
    }

    /// encodeLine(decodeLine(word)) == word for every word with a valid status byte (bits 216..223).
    function testFuzz_packing_lineWordRoundTrip(uint256 word, uint8 status) public pure {
        word =
            (word & ~(uint256(0xff) << 216)) | (bound(status, 0, uint256(type(ICreditLedger.LineStatus).max)) << 216);
        assertEq(Packing.encodeLine(Packing.decodeLine(word)), word);
    }
}

/// One loan's accrual between touches: the pool's recognition equals the loan's contract at every touch, an idle
/// borrower owes exactly the plan, an on-time borrower pays exactly the plan.
contract LoanMathTest is Test {
    uint256 internal constant T0 = 1_750_000_000;
    uint256 internal constant SCALE = ScheduleMath.INTEREST_SCALE;
    uint256 internal constant P = 10_000e6;

    /// A loan as the ledger stores it at draw time (bullet loans as one period of `instalments × periodDays`).
    function _fresh(
        uint8 method,
        uint256 principal,
        uint256 aprBps,
        uint256 instalments,
        uint256 periodDays
    ) internal pure returns (ICreditLedger.Loan memory loan) {
        if (method == ScheduleMath.BULLET) {
            periodDays *= instalments;
            instalments = 1;
        }
        loan.drawnAt = uint32(T0);
        loan.method = method;
        loan.instalments = uint8(instalments);
        loan.periodDays = uint16(periodDays);
        loan.aprBps = uint16(aprBps);
        loan.principal = uint88(principal);
        loan.openingBalance = uint88(principal);
        loan.checkpoint = uint32(T0);
        loan.status = ICreditLedger.LoanStatus.Active;
        loan.segmentStart = uint32(T0);
    }

    /// Interest the loan has earned by `loan.checkpoint`, in 1/SCALE units: booked plus the open segment.
    function _earned(ICreditLedger.Loan memory loan) internal pure returns (int256) {
        return
            int256(loan.interestBalance) * int256(SCALE) +
            int256(uint256(loan.openingBalance) * loan.aprBps * (loan.checkpoint - loan.segmentStart));
    }

    function _boundLoan(
        uint8 method,
        uint256 principal,
        uint256 aprBps,
        uint256 instalments,
        uint256 periodDays
    ) internal pure returns (ICreditLedger.Loan memory) {
        return
            _fresh(
                uint8(bound(method, 0, 3)),
                bound(principal, 1, 1e15),
                bound(aprBps, 0, 2_400),
                bound(instalments, 1, 24),
                bound(periodDays, 1, 60)
            );
    }

    function test_periodAt_countsFromOneAndCapsAfterMaturity() public pure {
        ICreditLedger.Loan memory loan = _fresh(0, P, 1800, 3, 30);
        assertEq(LoanMath.periodAt(loan, T0), 1);
        assertEq(LoanMath.periodAt(loan, T0 + 30 days - 1), 1);
        assertEq(LoanMath.periodAt(loan, T0 + 30 days), 2);
        assertEq(LoanMath.periodAt(loan, T0 + 90 days - 1), 3);
        assertEq(LoanMath.periodAt(loan, T0 + 90 days), 4);
        assertEq(LoanMath.periodAt(loan, T0 + 9_000 days), 4);
    }

    /// Golden plan of PRODUCT.md §4 at its first due date: 150.000000 interest and 766.799930 principal due.
    function test_roll_goldenEqualInstalmentAtFirstDueDate() public pure {
        ICreditLedger.Loan memory loan = _fresh(0, P, 1800, 12, 30);
        uint256 t = T0 + 30 days;
        LoanMath.Accrual memory a = LoanMath.roll(loan, t);
        LoanMath.Owed memory o = LoanMath.owed(loan, a, t);
        assertEq(a.period, 2, "period");
        assertEq(a.accrualAdjustment, 0, "a full period at the exact rate needs no true-up");
        assertEq(loan.interestBalance, 150_000000, "interest booked");
        assertEq(o.pastDueInterest, 150_000000, "interest due");
        assertEq(o.pastDuePrincipal, 766_799930, "principal due");
        assertEq(o.currentInterest, 0, "nothing accrued yet in period 2");
        assertEq(o.payoff, P + 150_000000, "payoff");
        assertEq(loan.openingBalance, P - 766_799930, "period 2 opens on the scheduled balance");
        assertEq(a.rateDelta, -int256(766_799930 * 1800), "the pool's rate follows the opening balance");
        assertEq(loan.segmentStart, t, "segment restarts at the due date");
    }

    /// Rolling twice at the same second changes nothing the second time.
    function testFuzz_roll_isIdempotent(
        uint8 method,
        uint256 principal,
        uint256 aprBps,
        uint256 instalments,
        uint256 periodDays,
        uint256 elapsed
    ) public pure {
        ICreditLedger.Loan memory loan = _boundLoan(method, principal, aprBps, instalments, periodDays);
        uint256 t = T0 + bound(elapsed, 0, (uint256(loan.instalments) + 2) * LoanMath.periodSeconds(loan));
        LoanMath.roll(loan, t);
        (uint256 word0, uint256 word1) = Packing.encodeLoan(loan);
        LoanMath.Accrual memory again = LoanMath.roll(loan, t);
        (uint256 again0, uint256 again1) = Packing.encodeLoan(loan);
        assertEq(again.accrualAdjustment, 0, "no adjustment");
        assertEq(again.rateDelta, 0, "no rate change");
        assertEq(again0, word0, "word 0 unchanged");
        assertEq(again1, word1, "word 1 unchanged");
    }

    /// At every touch, what the pool recognised for the loan (linear accrual at the loan's rate plus the true-ups)
    /// equals what the loan has earned (interest booked plus the open segment), whichever path of touches led there.
    function testFuzz_roll_poolRecognitionMatchesTheLoan(
        uint8 method,
        uint256 principal,
        uint256 aprBps,
        uint256 instalments,
        uint256 periodDays,
        uint256 d1,
        uint256 d2
    ) public pure {
        ICreditLedger.Loan memory loan = _boundLoan(method, principal, aprBps, instalments, periodDays);
        ICreditLedger.Loan memory direct = _boundLoan(method, principal, aprBps, instalments, periodDays);
        uint256 horizon = (uint256(loan.instalments) + 2) * LoanMath.periodSeconds(loan);
        uint256 t1 = T0 + bound(d1, 0, horizon);
        uint256 t2 = t1 + bound(d2, 0, horizon);
        int256 rate = int256(uint256(loan.principal) * loan.aprBps);

        LoanMath.Accrual memory a1 = LoanMath.roll(loan, t1);
        int256 recognised = rate * int256(t1 - T0) + a1.accrualAdjustment;
        assertEq(recognised, _earned(loan), "first touch");
        rate += a1.rateDelta;
        assertEq(rate, int256(uint256(loan.openingBalance) * loan.aprBps), "rate after first touch");

        LoanMath.Accrual memory a2 = LoanMath.roll(loan, t2);
        recognised += rate * int256(t2 - t1) + a2.accrualAdjustment;
        assertEq(recognised, _earned(loan), "second touch");
        rate += a2.rateDelta;
        assertEq(rate, int256(uint256(loan.openingBalance) * loan.aprBps), "rate after second touch");

        LoanMath.Accrual memory d = LoanMath.roll(direct, t2);
        assertEq(
            int256(uint256(direct.principal) * direct.aprBps) * int256(t2 - T0) + d.accrualAdjustment,
            recognised,
            "path independent"
        );
        assertEq(direct.interestBalance, loan.interestBalance, "same interest booked");
        assertEq(direct.openingBalance, loan.openingBalance, "same opening balance");
        assertEq(direct.segmentStart, loan.segmentStart, "same segment");
        assertEq(d.period, a2.period, "same period");
    }

    /// A borrower who pays nothing owes exactly the plan's interest and principal of the completed periods, the
    /// current period's interest to the second on the scheduled balance, and no regular interest after maturity.
    function testFuzz_owed_idleBorrowerOwesThePlan(
        uint8 method,
        uint256 principal,
        uint256 aprBps,
        uint256 instalments,
        uint256 elapsed
    ) public pure {
        ICreditLedger.Loan memory loan = _boundLoan(method, principal, aprBps, instalments, 30);
        uint256 period = LoanMath.periodSeconds(loan);
        uint256 t = T0 + bound(elapsed, 0, (uint256(loan.instalments) + 2) * period);
        (, uint256[] memory principals, uint256[] memory interests) = ScheduleMath.schedule(
            loan.method,
            loan.principal,
            loan.aprBps,
            loan.instalments,
            loan.periodDays
        );
        LoanMath.Accrual memory a = LoanMath.roll(loan, t);
        LoanMath.Owed memory o = LoanMath.owed(loan, a, t);
        uint256 dueInterest;
        uint256 duePrincipal;
        for (uint256 k = 0; k + 1 < a.period; ++k) {
            dueInterest += interests[k];
            duePrincipal += principals[k];
        }
        assertEq(o.pastDueInterest, dueInterest, "past-due interest");
        assertEq(o.pastDuePrincipal, duePrincipal, "past-due principal");
        assertEq(o.principalOutstanding, loan.principal, "nothing repaid");
        if (a.period < uint256(loan.instalments) + 1) {
            uint256 since = T0 + (a.period - 1) * period;
            uint256 balance = uint256(loan.principal) - duePrincipal;
            assertEq(o.currentInterest, ScheduleMath.accruedInterestUp(balance, loan.aprBps, t - since), "current");
        } else {
            assertEq(o.currentInterest, 0, "no regular interest after maturity");
            assertEq(o.pastDuePrincipal, o.principalOutstanding, "everything due at maturity");
        }
        assertEq(o.payoff, o.pastDueInterest + o.currentInterest + o.principalOutstanding, "payoff adds up");
    }

    /// Paying each instalment's past-due interest and principal at its due date pays exactly the plan's rows and
    /// clears the principal, with no true-up of the pool at any due date.
    function testFuzz_roll_onTimeBorrowerPaysExactlyThePlan(
        uint8 method,
        uint256 principal,
        uint256 aprBps,
        uint256 instalments,
        uint256 periodDays
    ) public pure {
        ICreditLedger.Loan memory loan = _boundLoan(method, principal, aprBps, instalments, periodDays);
        (, uint256[] memory principals, uint256[] memory interests) = ScheduleMath.schedule(
            loan.method,
            loan.principal,
            loan.aprBps,
            loan.instalments,
            loan.periodDays
        );
        uint256 period = LoanMath.periodSeconds(loan);
        for (uint256 k = 0; k < loan.instalments; ++k) {
            uint256 t = T0 + (k + 1) * period;
            LoanMath.Accrual memory a = LoanMath.roll(loan, t);
            LoanMath.Owed memory o = LoanMath.owed(loan, a, t);
            assertEq(o.pastDueInterest, interests[k], "interest of the instalment");
            assertEq(o.pastDuePrincipal, principals[k], "principal of the instalment");
            assertEq(o.currentInterest, 0, "nothing accrued at the due date");
            assertGe(a.accrualAdjustment, 0, "rounding up only");
            assertLt(a.accrualAdjustment, int256(SCALE), "by less than one unit");
            // What `repay` does with an amount that covers exactly the past-due part.
            loan.interestBalance -= int88(int256(o.pastDueInterest));
            loan.principalPaid += uint80(o.pastDuePrincipal);
        }
        assertEq(loan.principalPaid, loan.principal, "principal cleared");
        assertEq(loan.interestBalance, 0, "interest cleared");
    }

    /// A prepayment mid-period books the segment's interest to the second, rounded up, and continues the period on
    /// the lower balance; the pool's correction is the rounding only.
    function testFuzz_splitSegment_booksInterestToDateAndLowersTheRate(
        uint8 method,
        uint256 principal,
        uint256 aprBps,
        uint256 instalments,
        uint256 elapsed,
        uint256 prepay
    ) public pure {
        ICreditLedger.Loan memory loan = _boundLoan(method, principal, aprBps, instalments, 30);
        uint256 period = LoanMath.periodSeconds(loan);
        uint256 t = T0 + bound(elapsed, 0, uint256(loan.instalments) * period - 1);
        LoanMath.Accrual memory a = LoanMath.roll(loan, t);
        // The borrower pays what is past due and prepays part of the scheduled balance.
        loan.interestBalance = 0;
        loan.principalPaid = uint80(uint256(loan.principal) - a.scheduledBalanceDue);
        loan.principalPaid += uint80(bound(prepay, 0, a.scheduledBalanceDue));
        uint256 opening = loan.openingBalance;
        uint256 since = t - loan.segmentStart;
        (int256 adjustment, int256 rateDelta) = LoanMath.splitSegment(loan, a, t);

        uint256 booked = ScheduleMath.accruedInterestUp(opening, loan.aprBps, since);
        assertEq(loan.interestBalance, int256(booked), "segment interest booked");
        assertEq(adjustment, int256(booked * SCALE) - int256(opening * loan.aprBps * since), "true-up");
        assertGe(adjustment, 0, "rounding up only");
        assertLt(adjustment, int256(SCALE), "by less than one unit");
        uint256 outstanding = uint256(loan.principal) - loan.principalPaid;
        assertEq(loan.openingBalance, outstanding, "period continues on the outstanding balance");
        assertEq(rateDelta, (int256(outstanding) - int256(opening)) * int256(uint256(loan.aprBps)), "rate");
        assertEq(loan.segmentStart, t, "new segment");
    }

    /// After maturity a prepayment does not split anything: regular interest has stopped.
    function test_splitSegment_isANoOpAfterMaturity() public pure {
        ICreditLedger.Loan memory loan = _fresh(2, P, 1800, 3, 30);
        uint256 t = T0 + 100 days;
        LoanMath.Accrual memory a = LoanMath.roll(loan, t);
        (uint256 word0, uint256 word1) = Packing.encodeLoan(loan);
        (int256 adjustment, int256 rateDelta) = LoanMath.splitSegment(loan, a, t);
        (uint256 again0, uint256 again1) = Packing.encodeLoan(loan);
        assertEq(adjustment, 0);
        assertEq(rateDelta, 0);
        assertEq(again0, word0);
        assertEq(again1, word1);
        assertEq(loan.openingBalance, 0, "matured loans accrue no regular interest");
    }
}
