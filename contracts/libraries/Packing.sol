// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {IRiskLimits} from "../interfaces/IRiskLimits.sol";

/// @title Packing
/// @notice Encodes the ledger's hot records into whole storage words and back, and loan ids.
/// @dev Assigning a memory struct to storage writes it member by member (one SLOAD/SSTORE pair per member after the
/// first); storing one encoded word writes each slot once. Layouts (bit offsets):
/// - Line:  limit 0..79 | outstanding 80..159 | aprBps 160..175 | productMask 176..191 | loanCount 192..215 |
///   status 216..223 | lateLoans 224..239 | kycExpiryDay 240..255
/// - Loan word 0 (terms and progress, written by every loan event): principal 0..79 | principalPaid 80..159 |
///   drawnAt 160..191 | aprBps 192..207 | periodDays 208..223 | instalments 224..231 | method 232..233 |
///   status 234..235 | bucket 236..238 | productId 239..242 | free 243..255 (the ledger's, see `LOAN_FREE_SHIFT`)
/// - Loan word 1 (the accrual segment): checkpoint 0..31 | segmentStart 32..63 | openingBalance 64..151 |
///   interestBalance (int88) 152..239
/// - Limits: minDraw 0..47 | maxDraw 48..95 | maxExposure 96..143 | dailyOriginationCap 144..191 (each amount
///   `mantissa << 5 | exponent`, the value `mantissa × 10^exponent`, mantissa below 2^43) | maxExposureBps 192..207 |
///   maxUtilisationBps 208..223 | breakerBps 224..239 | aprCapBps 240..255
/// Loan fields are narrower than their struct where the ledger's domain is: principal (and so principalPaid) is at
/// most a line's limit (< 2^80), the method at most 3 (BULLET), the product id at most 15. Word 1 is what the ledger
/// can derive for a loan on its plan, so it stores that word only for a loan off its plan (LedgerCore `_storeLoan`).
library Packing {
    uint256 internal constant MASK_8 = 0xff;
    uint256 internal constant MASK_16 = 0xffff;
    uint256 internal constant MASK_24 = 0xffffff;
    uint256 internal constant MASK_32 = 0xffffffff;
    uint256 internal constant MASK_80 = (1 << 80) - 1;
    uint256 internal constant MASK_88 = (1 << 88) - 1;
    /// @notice Bit offset of `outstanding` in the line word (payments update that field alone).
    uint256 internal constant LINE_OUTSTANDING_SHIFT = 80;

    /// @notice The id of `borrower`'s `n`-th loan (n from 1): the borrower in the high 160 bits, `n` in the low 96.
    function loanId(address borrower, uint256 n) internal pure returns (uint256) {
        return (uint256(uint160(borrower)) << 96) | n;
    }

    function encodeLine(ICreditLedger.Line memory l) internal pure returns (uint256) {
        return
            uint256(l.limit) |
            (uint256(l.outstanding) << 80) |
            (uint256(l.aprBps) << 160) |
            (uint256(l.productMask) << 176) |
            (uint256(l.loanCount) << 192) |
            (uint256(uint8(l.status)) << 216) |
            (uint256(l.lateLoans) << 224) |
            (uint256(l.kycExpiryDay) << 240);
    }

    function decodeLine(uint256 word) internal pure returns (ICreditLedger.Line memory l) {
        l.limit = uint80(word & MASK_80);
        l.outstanding = uint80((word >> 80) & MASK_80);
        l.aprBps = uint16((word >> 160) & MASK_16);
        l.productMask = uint16((word >> 176) & MASK_16);
        l.loanCount = uint24((word >> 192) & MASK_24);
        l.status = ICreditLedger.LineStatus((word >> 216) & MASK_8);
        l.lateLoans = uint16((word >> 224) & MASK_16);
        l.kycExpiryDay = uint16(word >> 240);
    }

    /// @notice First bit of loan word 0 that the codec leaves to its user (13 bits).
    uint256 internal constant LOAN_FREE_SHIFT = 243;

    /// @notice Word 0 of `loan`, its free bits zero. Principal (and principal paid) must be below 2^80, the method at
    /// most 3 and the product id at most 15.
    function encodeLoanTerms(ICreditLedger.Loan memory loan) internal pure returns (uint256) {
        return
            uint256(loan.principal) |
            (uint256(loan.principalPaid) << 80) |
            (uint256(loan.drawnAt) << 160) |
            (uint256(loan.aprBps) << 192) |
            (uint256(loan.periodDays) << 208) |
            (uint256(loan.instalments) << 224) |
            (uint256(loan.method) << 232) |
            (uint256(uint8(loan.status)) << 234) |
            (uint256(uint8(loan.bucket)) << 236) |
            (uint256(loan.productId) << 239);
    }

    /// @notice Word 1 of `loan`: its accrual segment.
    function encodeLoanSegment(ICreditLedger.Loan memory loan) internal pure returns (uint256) {
        return
            uint256(loan.checkpoint) |
            (uint256(loan.segmentStart) << 32) |
            (uint256(loan.openingBalance) << 64) |
            (uint256(uint88(loan.interestBalance)) << 152);
    }

    function encodeLoan(ICreditLedger.Loan memory loan) internal pure returns (uint256 word0, uint256 word1) {
        return (encodeLoanTerms(loan), encodeLoanSegment(loan));
    }

    /// @notice Reads word 0 into `loan` (its free bits ignored).
    function decodeLoanTerms(uint256 word0, ICreditLedger.Loan memory loan) internal pure {
        loan.principal = uint88(word0 & MASK_80);
        loan.principalPaid = uint80((word0 >> 80) & MASK_80);
        loan.drawnAt = uint32((word0 >> 160) & MASK_32);
        loan.aprBps = uint16((word0 >> 192) & MASK_16);
        loan.periodDays = uint16((word0 >> 208) & MASK_16);
        loan.instalments = uint8((word0 >> 224) & MASK_8);
        loan.method = uint8((word0 >> 232) & 3);
        loan.status = ICreditLedger.LoanStatus((word0 >> 234) & 3);
        loan.bucket = ICreditLedger.Bucket((word0 >> 236) & 7);
        loan.productId = uint8((word0 >> 239) & 15);
    }

    /// @notice Reads word 1 into `loan`.
    function decodeLoanSegment(uint256 word1, ICreditLedger.Loan memory loan) internal pure {
        loan.checkpoint = uint32(word1 & MASK_32);
        loan.segmentStart = uint32((word1 >> 32) & MASK_32);
        loan.openingBalance = uint88((word1 >> 64) & MASK_88);
        loan.interestBalance = int88(uint88((word1 >> 152) & MASK_88));
    }

    function decodeLoan(uint256 word0, uint256 word1) internal pure returns (ICreditLedger.Loan memory loan) {
        decodeLoanTerms(word0, loan);
        decodeLoanSegment(word1, loan);
    }

    /// @notice Amounts below this are stored as they are (exponent 0).
    uint256 internal constant LIMIT_MANTISSA_CAP = 1 << 43;

    /// @notice The limits in one word. Reverts with `LimitNotRepresentable` for an amount with more than 43 bits of
    /// significant value (see the layout); every other field is stored as it is.
    function encodeLimits(IRiskLimits.Limits memory l) internal pure returns (uint256) {
        return
            _encodeAmount(l.minDraw) |
            (_encodeAmount(l.maxDraw) << 48) |
            (_encodeAmount(l.maxExposure) << 96) |
            (_encodeAmount(l.dailyOriginationCap) << 144) |
            (uint256(l.maxExposureBps) << 192) |
            (uint256(l.maxUtilisationBps) << 208) |
            (uint256(l.breakerBps) << 224) |
            (uint256(l.aprCapBps) << 240);
    }

    /// @notice The limits `encodeLimits` stored, exactly as they were given.
    function decodeLimits(uint256 word) internal pure returns (IRiskLimits.Limits memory l) {
        l.minDraw = _decodeAmount(word);
        l.maxDraw = _decodeAmount(word >> 48);
        l.maxExposure = _decodeAmount(word >> 96);
        l.dailyOriginationCap = _decodeAmount(word >> 144);
        l.maxExposureBps = uint16(word >> 192);
        l.maxUtilisationBps = uint16(word >> 208);
        l.breakerBps = uint16(word >> 224);
        l.aprCapBps = uint16(word >> 240);
    }

    /// @dev `value` as `mantissa << 5 | exponent` with the smallest exponent that brings the mantissa below 2^43. A
    /// uint96 is below 10^29 and 2^43 is above 8 × 10^12, so at most 16 divisions by ten: the exponent fits 5 bits.
    function _encodeAmount(uint256 value) private pure returns (uint256) {
        uint256 mantissa = value;
        uint256 exponent;
        while (mantissa >= LIMIT_MANTISSA_CAP) {
            if (mantissa % 10 != 0) revert IRiskLimits.LimitNotRepresentable(value);
            mantissa /= 10;
            ++exponent;
        }
        return (mantissa << 5) | exponent;
    }

    /// @dev The amount in the low 48 bits of `field`: at most what was encoded, a uint96, so nothing overflows.
    function _decodeAmount(uint256 field) private pure returns (uint96) {
        unchecked {
            return uint96(((field >> 5) & (LIMIT_MANTISSA_CAP - 1)) * 10 ** (field & 31));
        }
    }
}
