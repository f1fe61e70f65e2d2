// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "../interfaces/ICreditLedger.sol";

/// @title Packing
/// @notice Encodes the ledger's hot records into whole storage words and back.
/// @dev Assigning a memory struct to storage writes it member by member (one SLOAD/SSTORE pair per member after the
/// first); storing one encoded word writes each slot once. Field widths are the structs' own, so encoding never
/// truncates a value the struct could hold. Layouts (bit offsets):
/// - Line:  limit 0..79 | outstanding 80..159 | aprBps 160..175 | productMask 176..191 | loanCount 192..215 |
///   status 216..223 | lateLoans 224..239 | kycExpiryDay 240..255
/// - Loan word 0: drawnAt 0..31 | method 32..39 | instalments 40..47 | periodDays 48..63 | aprBps 64..79 |
///   principal 80..167 | openingBalance 168..255
/// - Loan word 1: checkpoint 0..31 | principalPaid 32..111 | interestBalance (int88) 112..199 | status 200..207 |
///   segmentStart 208..239 | bucket 240..247 | productId 248..255
library Packing {
    uint256 internal constant MASK_8 = 0xff;
    uint256 internal constant MASK_16 = 0xffff;
    uint256 internal constant MASK_24 = 0xffffff;
    uint256 internal constant MASK_32 = 0xffffffff;
    uint256 internal constant MASK_80 = (1 << 80) - 1;
    uint256 internal constant MASK_88 = (1 << 88) - 1;
    /// @notice Bit offset of `outstanding` in the line word (payments update that field alone).
    uint256 internal constant LINE_OUTSTANDING_SHIFT = 80;

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

    function encodeLoan(ICreditLedger.Loan memory loan) internal pure returns (uint256 word0, uint256 word1) {
        word0 =
            uint256(loan.drawnAt) |
            (uint256(loan.method) << 32) |
            (uint256(loan.instalments) << 40) |
            (uint256(loan.periodDays) << 48) |
            (uint256(loan.aprBps) << 64) |
            (uint256(loan.principal) << 80) |
            (uint256(loan.openingBalance) << 168);
        word1 =
            uint256(loan.checkpoint) |
            (uint256(loan.principalPaid) << 32) |
            (uint256(uint88(loan.interestBalance)) << 112) |
            (uint256(uint8(loan.status)) << 200) |
            (uint256(loan.segmentStart) << 208) |
            (uint256(uint8(loan.bucket)) << 240) |
            (uint256(loan.productId) << 248);
    }

    function decodeLoan(uint256 word0, uint256 word1) internal pure returns (ICreditLedger.Loan memory loan) {
        loan.drawnAt = uint32(word0 & MASK_32);
        loan.method = uint8((word0 >> 32) & MASK_8);
        loan.instalments = uint8((word0 >> 40) & MASK_8);
        loan.periodDays = uint16((word0 >> 48) & MASK_16);
        loan.aprBps = uint16((word0 >> 64) & MASK_16);
        loan.principal = uint88((word0 >> 80) & MASK_88);
        loan.openingBalance = uint88(word0 >> 168);
        loan.checkpoint = uint32(word1 & MASK_32);
        loan.principalPaid = uint80((word1 >> 32) & MASK_80);
        loan.interestBalance = int88(uint88((word1 >> 112) & MASK_88));
        loan.status = ICreditLedger.LoanStatus((word1 >> 200) & MASK_8);
        loan.segmentStart = uint32((word1 >> 208) & MASK_32);
        loan.bucket = ICreditLedger.Bucket((word1 >> 240) & MASK_8);
        loan.productId = uint8(word1 >> 248);
    }
}
