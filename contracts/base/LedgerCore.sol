// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {LedgerBook} from "./LedgerBook.sol";
import {ScheduleMath} from "../libraries/ScheduleMath.sol";
import {LoanMath} from "../libraries/LoanMath.sol";
import {ArrearsMath} from "../libraries/ArrearsMath.sol";
import {Packing} from "../libraries/Packing.sol";

/// @title LedgerCore
/// @notice The ledger's storage and the payment path shared by the CreditLedger (manual repayment) and its
/// CollectionModule (collection, marking, write-offs), which runs by DELEGATECALL on the same storage.
/// @dev Both contracts inherit exactly this base and declare no state of their own, so their layouts are identical.
abstract contract LedgerCore is LedgerBook {
    bytes32 public constant UNDERWRITER_ROLE = keccak256("UNDERWRITER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice Hard cap on any line's APR: 24% (PRODUCT.md §5).
    uint256 public constant APR_CAP_BPS = 2_400;
    uint256 internal constant MAX_AMOUNT = type(uint88).max;

    /// @dev Encoded `Line` per borrower and `Loan` (two words) per loan id; see Packing.
    mapping(address borrower => uint256) internal _lines;
    mapping(uint256 loanId => uint256[2]) internal _loans;
    mapping(uint8 productId => ICreditLedger.Product) internal _products;

    /// @notice An auto-debit mandate: whether it is on, and the most one collection may pull per loan (0 = no cap).
    struct Mandate {
        bool active;
        uint88 cap;
    }

    /// @notice Arrears of a loan that is or was past due: penalty accrued (latent inside grace), past-due amount at
    /// the last touch, and the loan's current provision. Zero for every loan in bucket Current.
    struct Arrears {
        uint88 penalty;
        uint88 dueAtCheckpoint;
        uint80 provision;
    }

    /// @notice What is left of a written-off loan: the claim on the borrower, and what recoveries owe lenders and
    /// the first-loss reserve.
    struct WriteOff {
        uint88 claimLeft;
        uint88 lenderLossLeft;
        uint80 reserveLeft;
    }

    mapping(address borrower => Mandate) internal _mandates;
    mapping(uint256 loanId => Arrears) internal _arrears;
    mapping(uint256 loanId => WriteOff) internal _writeOffs;
    address[] internal _borrowers;
    ICreditLedger.RiskParams internal _risk;

    /// @dev Failure reasons of `CollectionFailed`.
    uint8 internal constant FAIL_NOT_ACTIVE = 1;
    uint8 internal constant FAIL_NO_MANDATE = 2;
    uint8 internal constant FAIL_NO_BALANCE = 3;
    uint8 internal constant FAIL_NO_ALLOWANCE = 4;
    uint8 internal constant FAIL_TRANSFER = 5;

    constructor(IERC20 asset_, address pool_) LedgerBook(asset_, pool_) {}

    // ---------------------------------------------------------------- shared internals

    /// @dev What `collect` would pull now (0 if nothing is due).
    function _dueNow(uint256 loanId) internal view returns (uint256) {
        ICreditLedger.Loan memory loan = _loadLoan(loanId);
        if (loan.status != ICreditLedger.LoanStatus.Active) return 0;
        uint256 checkpoint = loan.checkpoint;
        LoanMath.Accrual memory a = LoanMath.roll(loan, block.timestamp);
        LoanMath.Owed memory o = LoanMath.owed(loan, a, block.timestamp);
        uint256 pastDue = o.pastDueInterest + o.pastDuePrincipal;
        return pastDue + _chargeablePenalty(loanId, loan, a, checkpoint, pastDue);
    }

    /// @dev The one payment path of manual repayment and collection: validate → accrue → waterfall → effects →
    /// events. The caller moves the tokens. `onlyDue` (collection) caps the amount at what is due now.
    function _pay(
        uint256 loanId,
        ICreditLedger.Loan memory loan,
        uint256 amount,
        bool onlyDue
    ) internal returns (uint256 paid, uint256 penaltyPaid) {
        ICreditLedger.RiskParams memory params;
        uint256 checkpoint = loan.checkpoint;
        LoanMath.Accrual memory a = LoanMath.roll(loan, block.timestamp);
        LoanMath.Owed memory o = LoanMath.owed(loan, a, block.timestamp);
        uint256 pastDue = o.pastDueInterest + o.pastDuePrincipal;
        // Fast path (every on-time payment): nothing but the latest instalment is due, inside its grace period.
        uint256 graceEnd = ArrearsMath.dueDate(loan, a.period - 1) + uint256(_loadBook().graceDays) * 1 days;
        bool fast =
            loan.bucket == ICreditLedger.Bucket.Current &&
                (pastDue == 0 || (pastDue <= a.lastInstalment && block.timestamp <= graceEnd));
        Arrears memory ar;
        uint256 penalty;
        if (!fast) {
            params = _risk;
            ar = _accrueArrears(loanId, loan, checkpoint, pastDue, params);
            uint256 since = ArrearsMath.pastDueSince(loan, a.period, pastDue, a.lastInstalment);
            if (block.timestamp - since > uint256(params.graceDays) * 1 days) penalty = ar.penalty;
        }
        uint256 limit = onlyDue ? pastDue + penalty : o.payoff + penalty;
        if (amount == type(uint256).max) amount = limit;
        else if (amount > limit) {
            if (onlyDue) amount = limit;
            else revert ICreditLedger.RepaymentExceedsPayoff(amount, limit);
        }
        paid = amount;
        penaltyPaid = amount < penalty ? amount : penalty;
        (uint256 interestPaid, uint256 principalPaid, uint256 prepaid) = _waterfall(o, amount - penaltyPaid);
        loan.interestBalance -= int88(int256(interestPaid));
        loan.principalPaid += uint88(principalPaid);
        int256 rateDelta = a.rateDelta;
        // Penalty is recognised as income when paid.
        int256 adjustment = a.accrualAdjustment + int256(penaltyPaid * ScheduleMath.INTEREST_SCALE);
        bool closed = loan.principalPaid == loan.principal;
        if (closed) {
            rateDelta -= int256(uint256(loan.openingBalance) * loan.aprBps);
            loan.openingBalance = 0;
            loan.status = ICreditLedger.LoanStatus.Repaid;
        } else if (prepaid != 0) {
            (int256 splitAdjustment, int256 splitRate) = LoanMath.splitSegment(loan, a, block.timestamp);
            adjustment += splitAdjustment;
            rateDelta += splitRate;
        }
        uint256 dueAfter = pastDue - _min(pastDue, amount - penaltyPaid);
        if (!fast || dueAfter != 0) {
            // Arrears bookkeeping: a cure clears them (latent penalty inside grace is waived), otherwise keep them.
            if (fast) params = _risk;
            ar.penalty = uint88(dueAfter == 0 ? 0 : ar.penalty - penaltyPaid);
            ar.dueAtCheckpoint = uint88(dueAfter);
            uint256 since = ArrearsMath.pastDueSince(loan, a.period, dueAfter, a.lastInstalment);
            ICreditLedger.Bucket bucket = ArrearsMath.bucketOf(dueAfter, since, block.timestamp, params);
            // Write-offs happen in `mark`, never in the middle of a payment.
            if (bucket == ICreditLedger.Bucket.Default) bucket = ICreditLedger.Bucket.M3;
            _reclassify(loanId, loan, ar, bucket, uint256(loan.principal) - loan.principalPaid, params);
        }
        _storeLoan(loanId, loan);
        if (principalPaid != 0) {
            address borrower = _borrowerOf(loanId);
            ICreditLedger.Line memory l = Packing.decodeLine(_lines[borrower]);
            l.outstanding -= uint88(principalPaid);
            _lines[borrower] = Packing.encodeLine(l);
        }
        _bookRepay(principalPaid, interestPaid + penaltyPaid, rateDelta, adjustment);

        if (penaltyPaid != 0) emit ICreditLedger.PenaltyCharged(loanId, penaltyPaid);
        emit ICreditLedger.Repaid(
            loanId,
            msg.sender,
            interestPaid,
            principalPaid,
            uint256(loan.principal) - loan.principalPaid
        );
        if (closed) emit ICreditLedger.LoanClosed(loanId);
    }

    /// @dev Loads a loan's arrears and books the penalty accrued since its last touch.
    function _accrueArrears(
        uint256 loanId,
        ICreditLedger.Loan memory loan,
        uint256 checkpoint,
        uint256 pastDue,
        ICreditLedger.RiskParams memory params
    ) internal view returns (Arrears memory ar) {
        if (loan.bucket != ICreditLedger.Bucket.Current) ar = _arrears[loanId];
        if (pastDue == 0 && ar.dueAtCheckpoint == 0) return ar;
        uint256 accrued = ArrearsMath.penaltyAccruedUp(
            loan,
            checkpoint,
            block.timestamp,
            ar.dueAtCheckpoint,
            params.penaltyMultiplierBps
        );
        ar.penalty = uint88(ar.penalty + accrued);
    }

    /// @dev Penalty a payment now would be charged: zero inside grace (it would be waived).
    function _chargeablePenalty(
        uint256 loanId,
        ICreditLedger.Loan memory loan,
        LoanMath.Accrual memory a,
        uint256 checkpoint,
        uint256 pastDue
    ) internal view returns (uint256) {
        if (pastDue == 0 && loan.bucket == ICreditLedger.Bucket.Current) return 0;
        ICreditLedger.RiskParams memory params = _risk;
        uint256 since = ArrearsMath.pastDueSince(loan, a.period, pastDue, a.lastInstalment);
        if (pastDue == 0 || block.timestamp - since <= uint256(params.graceDays) * 1 days) return 0;
        return _accrueArrears(loanId, loan, checkpoint, pastDue, params).penalty;
    }

    /// @dev Moves a loan to `bucket`: provision, freeze or unfreeze its line, store or clear its arrears.
    function _reclassify(
        uint256 loanId,
        ICreditLedger.Loan memory loan,
        Arrears memory ar,
        ICreditLedger.Bucket bucket,
        uint256 principalOutstanding,
        ICreditLedger.RiskParams memory params
    ) internal {
        ICreditLedger.Bucket from = loan.bucket;
        uint256 provision = (principalOutstanding * ArrearsMath.provisionBps(bucket, params)) / BPS;
        _bookProvision(ar.provision, provision);
        ar.provision = uint80(provision);
        bool wasLate = from >= ICreditLedger.Bucket.M1;
        bool isLate = bucket >= ICreditLedger.Bucket.M1;
        if (wasLate != isLate) {
            address borrower = _borrowerOf(loanId);
            ICreditLedger.Line memory l = Packing.decodeLine(_lines[borrower]);
            if (isLate) ++l.lateLoans;
            else --l.lateLoans;
            _lines[borrower] = Packing.encodeLine(l);
        }
        loan.bucket = bucket;
        if (bucket == ICreditLedger.Bucket.Current) delete _arrears[loanId];
        else _arrears[loanId] = ar;
        if (from != bucket) emit ICreditLedger.BucketChanged(loanId, from, bucket, provision);
    }

    function _setRiskParams(ICreditLedger.RiskParams memory params) internal {
        if (
            params.graceDays > 30 ||
            params.defaultDays <= 60 ||
            params.defaultDays > 365 ||
            params.penaltyMultiplierBps > 30_000 ||
            params.provisionM1Bps > BPS ||
            params.provisionM2Bps > BPS ||
            params.provisionM3Bps > BPS
        ) revert ICreditLedger.InvalidRiskParams();
        _risk = params;
        emit ICreditLedger.RiskParamsSet(params);
    }

    /// @dev Payment order: past-due interest, past-due principal, current-period interest, then prepayment.
    function _waterfall(
        LoanMath.Owed memory o,
        uint256 amount
    ) internal pure returns (uint256 interest, uint256 principal, uint256 prepaid) {
        uint256 part = _min(amount, o.pastDueInterest);
        interest = part;
        amount -= part;
        part = _min(amount, o.pastDuePrincipal);
        principal = part;
        amount -= part;
        part = _min(amount, o.currentInterest);
        interest += part;
        prepaid = amount - part;
        principal += prepaid;
    }

    function _existing(uint256 loanId) internal view returns (ICreditLedger.Loan memory loan) {
        loan = _loadLoan(loanId);
        if (loan.status == ICreditLedger.LoanStatus.None) revert ICreditLedger.LoanNotFound(loanId);
    }

    function _loadLoan(uint256 loanId) internal view returns (ICreditLedger.Loan memory) {
        uint256[2] storage words = _loans[loanId];
        return Packing.decodeLoan(words[0], words[1]);
    }

    function _storeLoan(uint256 loanId, ICreditLedger.Loan memory loan) internal {
        (uint256 word0, uint256 word1) = Packing.encodeLoan(loan);
        uint256[2] storage words = _loans[loanId];
        words[0] = word0;
        words[1] = word1;
    }

    function _loanId(address borrower, uint256 n) internal pure returns (uint256) {
        return (uint256(uint160(borrower)) << 96) | n;
    }

    function _borrowerOf(uint256 loanId) internal pure returns (address) {
        return address(uint160(loanId >> 96));
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }
}
