// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {LedgerBook} from "./LedgerBook.sol";
import {ScheduleMath} from "../libraries/ScheduleMath.sol";
import {LoanMath} from "../libraries/LoanMath.sol";
import {ArrearsMath} from "../libraries/ArrearsMath.sol";
import {Packing} from "../libraries/Packing.sol";
import {DisclosureMath} from "../libraries/DisclosureMath.sol";
import {FeeRebateMath} from "../libraries/FeeRebateMath.sol";
import {ICostDisclosure} from "../interfaces/ICostDisclosure.sol";
import {IModuleSteps} from "../interfaces/IModuleSteps.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/// @title LedgerCore
/// @notice The ledger's storage and the payment path shared by the CreditLedger (draws, manual repayment) and its
/// four modules (CollectionModule, DelinquencyModule, ConfigModule, ViewModule), which run by DELEGATECALL on the
/// ledger's storage.
/// @dev All five contracts inherit exactly this base and declare no storage variables of their own (the ledger's
/// module addresses are immutables, held in code), so their layouts are identical.
abstract contract LedgerCore is LedgerBook {
    bytes32 public constant UNDERWRITER_ROLE = keccak256("UNDERWRITER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice The emergency risk role: may tighten limits and cut lines, never loosen them or move funds.
    bytes32 public constant RISK_ROLE = keccak256("RISK_ROLE");
    /// @notice The servicing role: may waive penalty interest with a reason code, nothing else.
    bytes32 public constant SERVICER_ROLE = keccak256("SERVICER_ROLE");

    /// @notice The default cap on any draw's APR, fees included: 24% (PRODUCT.md §5). `Limits.aprCapBps` sets
    /// another (0 = this one).
    uint256 public constant APR_CAP_BPS = DisclosureMath.DEFAULT_APR_CAP_BPS;
    /// @notice The most a product's origination fee may be, whatever the APR cap: 20% of the amount drawn.
    uint256 public constant MAX_FEE_BPS = DisclosureMath.MAX_FEE_BPS;
    uint256 internal constant MAX_AMOUNT = type(uint88).max;
    /// @dev A line's limit (and so its outstanding principal) fits 80 bits of the line word.
    uint256 internal constant MAX_LINE = type(uint80).max;

    /// @dev Encoded `Line` per borrower and `Loan` per loan id (word 1 only for a loan off its plan: `_storeLoan`);
    /// see Packing.
    mapping(address borrower => uint256) internal _lines;
    mapping(uint256 loanId => uint256[2]) internal _loans;

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

    /// @notice A borrower's repayment record, one word (see `ICreditLedger.CreditHistory`). Counters saturate
    /// rather than revert, so no record can ever block a payment, a collection or a write-off.
    struct History {
        uint24 loansRepaid;
        uint32 instalmentsRepaid;
        uint24 latePayments;
        uint16 maxDaysLate;
        uint8 defaults;
        uint80 principalRepaid;
        uint64 principalDefaulted;
        /// Set when the borrower's first line is opened, so the first write of a real record (at a loan's close,
        /// often inside a collection batch) updates a warm, non-zero slot instead of paying for a new one.
        bool opened;
    }

    mapping(address borrower => History) internal _history;

    /// @notice Portfolio limits checked on every draw (IRiskLimits), one word (`Packing.encodeLimits`), read only by
    /// draws and views.
    uint256 internal _limitsWord;
    /// @dev Aggregates behind the limits, one word: origination bucket updated at 0..31 | origination bucket level
    /// 32..127 (≤ the uint96 cap) | free 128..143 | principal of loans in buckets M2 and M3 (30+ days past due)
    /// 144..255.
    uint256 internal _flowWord;
    uint256 internal constant FLOW_LATE_SHIFT = 144;

    /// @notice A product: its terms, fee, principal outstanding and cap (IProductLimits), one word per product id
    /// (0..15), the only product slot a draw reads and the one a repayment that retires principal writes anyway. A
    /// configured product has `instalments ≥ 1`, so the word never returns to zero: a draw after the product's book
    /// has been repaid updates a non-zero slot instead of paying for a new one. `ICreditLedger.Product` is its view
    /// (`_product`).
    struct ProductBook {
        /// At most 2^96 − 1 (a draw past it reverts): 7.9 × 10^10 tokens of an 18-decimal asset.
        uint96 outstanding;
        /// 0 = no cap.
        uint112 cap;
        /// Locked while `outstanding != 0` (`setProductFee`).
        uint16 feeBps;
        uint16 periodDays;
        uint8 instalments;
        /// method 0..1 | enabled 2 | has an originator 3 (`PRODUCT_*`): its originator is read only when set.
        uint8 config;
    }

    uint8 internal constant PRODUCT_METHOD = 3;
    uint8 internal constant PRODUCT_ENABLED = 4;
    uint8 internal constant PRODUCT_ORIGINATED = 8;

    ProductBook[16] internal _productBooks;
    /// @dev The one contract that may originate each product's loans (`setProductOriginator`), or zero.
    mapping(uint8 productId => address) internal _originators;

    /// @dev The product contracts each borrower lets originate loans on their line (`setOriginatorAllowed`).
    mapping(address borrower => mapping(address originator => bool)) internal _originatorAllowed;

    /// @dev Transient slot holding the bounds of the `drawWithin` or `originate` in progress
    /// (ICreditLedger.DrawBounds): set flag 255 | periodDays 176..191 | payments 168..175 | method 160..167 | maximum
    /// APR in bps 128..159 | minimum received 0..127. Empty under `draw` and `drawTo`, and cleared when `drawWithin`
    /// or `originate` returns, so a later draw in the same transaction is not bound by it.
    bytes32 internal constant DRAW_BOUNDS_SLOT = keccak256("microcredit.ledger.drawBounds");
    uint256 internal constant DRAW_BOUNDS_SET = 1 << 255;

    /// @dev Failure reasons of `CollectionFailed`.
    uint8 internal constant FAIL_NOT_ACTIVE = 1;
    uint8 internal constant FAIL_NO_MANDATE = 2;
    uint8 internal constant FAIL_NO_BALANCE = 3;
    uint8 internal constant FAIL_NO_ALLOWANCE = 4;
    uint8 internal constant FAIL_TRANSFER = 5;
    uint8 internal constant FAIL_CAP_USED = 6;

    constructor(IERC20 asset_, address pool_) LedgerBook(asset_, pool_) {}

    // ---------------------------------------------------------------- shared internals

    /// @notice A loan rolled to now: what it owes, what is past due and the penalty a payment now is charged.
    /// Computed once per payment and shared by the views, manual repayment and collection.
    struct Position {
        LoanMath.Accrual a;
        LoanMath.Owed o;
        uint256 checkpoint;
        uint256 pastDue;
        /// Penalty charged by a payment now: zero inside grace, where it stays latent and is waived on cure.
        uint256 penalty;
        /// Current, and nothing is due but the latest instalment, still inside its grace period.
        bool fast;
        /// Something is due past the grace period of the oldest unpaid instalment; `daysLate` counts from its due
        /// date. Cleared by `_afterLatePayment` for a part payment that leaves that instalment unpaid, so that only
        /// payments that pay it off enter the credit history.
        bool pastGrace;
        uint256 daysLate;
        /// Arrears with the penalty accrued to now; loaded only off the fast path.
        Arrears ar;
    }

    /// @dev Rolls `loan` (a memory copy) to now and works out its position. Reads the arrears record and the risk
    /// parameters only for a loan that is late or past grace, so an on-time payment touches no extra slot.
    function _position(uint256 loanId, ICreditLedger.Loan memory loan) internal view returns (Position memory p) {
        p.checkpoint = loan.checkpoint;
        // Into the structs `p` was allocated with (zero), rather than into new ones.
        LoanMath.rollInto(loan, block.timestamp, p.a);
        LoanMath.owedInto(loan, p.a, block.timestamp, p.o);
        p.pastDue = p.o.pastDueInterest + p.o.pastDuePrincipal;
        if (loan.bucket == ICreditLedger.Bucket.Current) {
            if (p.pastDue == 0) {
                p.fast = true;
                return p;
            }
            if (ArrearsMath.onlyLastDue(loan, p.a)) {
                uint256 graceEnd = ArrearsMath.dueDate(loan, p.a.period - 1) + _graceDays() * 1 days;
                if (block.timestamp <= graceEnd) {
                    p.fast = true;
                    return p;
                }
            }
        }
        _classifyLate(loanId, loan, p);
    }

    /// @dev The rest of `_position` off the fast path: the arrears record with the penalty accrued to now, and the
    /// penalty a payment now is charged once the grace period is over.
    function _classifyLate(uint256 loanId, ICreditLedger.Loan memory loan, Position memory p) internal view virtual {
        ICreditLedger.RiskParams memory params = _risk;
        p.ar = _accrueArrears(loanId, loan, p.o.principalOutstanding, p.checkpoint, p.pastDue, params);
        uint256 since = ArrearsMath.pastDueSince(loan, p.a);
        if (p.pastDue != 0 && block.timestamp - since > uint256(params.graceDays) * 1 days) {
            p.penalty = p.ar.penalty;
            p.pastGrace = true;
            p.daysLate = (block.timestamp - since) / 1 days;
        }
    }

    /// @dev The one payment path of manual repayment and collection, after `_position`: waterfall (penalty →
    /// past-due interest → past-due principal → current interest → prepayment, which retires its fee rebate too) →
    /// effects → events. The caller moves the tokens (`paid`). `onlyDue` (collection) caps the amount at what is due
    /// now; otherwise an amount above the payoff (net of the fee rebate) reverts, and `type(uint256).max` pays it.
    function _settle(
        uint256 loanId,
        ICreditLedger.Loan memory loan,
        Position memory p,
        uint256 amount,
        bool onlyDue
    ) internal returns (uint256 paid) {
        uint256 asked = amount;
        uint256 limit = onlyDue ? p.pastDue + p.penalty : p.o.payoff + p.penalty;
        if (amount > limit) amount = limit; // refused below unless it is collection's or `type(uint256).max`
        uint256 penaltyPaid = amount < p.penalty ? amount : p.penalty;
        (uint256 interestPaid, uint256 principalPaid, uint256 prepaid) = _waterfall(p.o, amount - penaltyPaid);
        if (prepaid != 0) {
            // Only a prepayment reaches here (collection never prepays), so an instalment paid when due reads no
            // product.
            (uint256 rebate, uint256 excess) = _feeRebate(loanId, loan, p.a, p.o, prepaid);
            amount -= excess;
            principalPaid = principalPaid + rebate - excess;
        }
        if (asked != amount && !onlyDue && asked != type(uint256).max) {
            revert ICreditLedger.RepaymentExceedsPayoff(asked, amount);
        }
        paid = amount;
        loan.interestBalance -= int88(int256(interestPaid));
        loan.principalPaid += uint80(principalPaid);
        int256 rateDelta = p.a.rateDelta;
        int256 adjustment = p.a.accrualAdjustment;
        // Penalty is recognised as income when paid. Unchecked: penalty < 2^88 and the terms below < 2^200.
        unchecked {
            if (penaltyPaid != 0) adjustment += int256(penaltyPaid * ScheduleMath.INTEREST_SCALE);
        }
        if (penaltyPaid != 0) _split.penaltyIncome += uint88(penaltyPaid); // penaltyPaid < 2^88; the sum is checked
        bool closed = loan.principalPaid == loan.principal;
        if (closed) {
            unchecked {
                rateDelta -= int256(uint256(loan.openingBalance) * loan.aprBps);
            }
            loan.openingBalance = 0;
            loan.status = ICreditLedger.LoanStatus.Repaid;
        } else if (prepaid != 0) {
            (int256 splitAdjustment, int256 splitRate) = LoanMath.splitSegment(loan, p.a, block.timestamp);
            adjustment += splitAdjustment;
            rateDelta += splitRate;
            _markAhead(loan, p.a);
        }
        uint256 dueAfter = p.pastDue - _min(p.pastDue, amount - penaltyPaid);
        if (!p.fast || dueAfter != 0) _afterLatePayment(loanId, loan, p, penaltyPaid, dueAfter);
        _storeLoan(loanId, loan, p.a.period);
        if (closed || p.pastGrace) _recordPayment(_borrowerOf(loanId), loan, closed, p);
        if (principalPaid != 0) {
            address borrower = _borrowerOf(loanId);
            uint256 word = _lines[borrower];
            // Only `outstanding` changes (see Packing); the checked subtraction guards the field.
            uint256 shift = Packing.LINE_OUTSTANDING_SHIFT;
            uint256 outstanding = uint80(word >> shift) - principalPaid;
            _lines[borrower] = (word & ~(Packing.MASK_80 << shift)) | (outstanding << shift);
            _productBooks[loan.productId].outstanding -= uint96(principalPaid);
            if (block.timestamp < uint256(loan.drawnAt) + 1 days) _returnOrigination(principalPaid, loan.drawnAt);
        }
        _bookRepay(principalPaid, paid, rateDelta, adjustment);

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

    /// @dev After a prepayment that leaves `loan` open: how far ahead of its plan it now is, kept at its highest for
    /// its credit history (`_recordPayment`). Measured against the plan's balance after the current instalment, so
    /// paying the current instalment early is not ahead; in the last period (a bullet loan's only one) against the
    /// balance before it, so the last instalment cannot be prepaid to dust and the loan kept open to its due date.
    function _markAhead(ICreditLedger.Loan memory loan, LoanMath.Accrual memory a) private pure {
        if (a.period > loan.instalments) return; // matured: everything is due, nothing can be ahead
        uint256 planBalance =
            a.period < loan.instalments
                ? LoanMath.scheduledAfter(LoanMath.plan(loan), a.scheduledBalanceDue, a.period)
                : a.scheduledBalanceDue;
        uint256 ahead = LoanMath.aheadFifteenthsUp(uint256(loan.principal) - loan.principalPaid, planBalance);
        if (ahead > loan.aheadFifteenths) loan.aheadFifteenths = uint8(ahead);
    }

    /// @dev The origination fee `loan` paid, recomputed from its product's fee, which cannot change while the product
    /// has principal outstanding (`setProductFee`).
    function _loanFee(ICreditLedger.Loan memory loan) internal view returns (uint256) {
        return DisclosureMath.feeDown(loan.principal, _productBooks[loan.productId].feeBps);
    }

    /// @dev What `loan`'s fee rebate depends on now (FeeRebateMath.Unearned), after `LoanMath.roll` to now: nothing
    /// without a fee or after the plan, when all principal is due.
    function _unearned(
        ICreditLedger.Loan memory loan,
        LoanMath.Accrual memory a,
        LoanMath.Owed memory o
    ) internal view returns (FeeRebateMath.Unearned memory u) {
        u.fee = _loanFee(loan);
        if (u.fee == 0 || a.period > loan.instalments) return u;
        u.principal = loan.principal;
        u.period = LoanMath.periodSeconds(loan);
        u.left = loan.drawnAt + a.period * u.period - block.timestamp;
        // Due by the end of this period: what the outstanding exceeds the plan's balance after it by.
        uint256 planAfter = LoanMath.scheduledAfter(LoanMath.plan(loan), a.scheduledBalanceDue, a.period);
        uint256 outstanding = o.principalOutstanding;
        u.current = (outstanding > planAfter ? outstanding - planAfter : 0) - o.pastDuePrincipal;
        u.later = outstanding - o.pastDuePrincipal - u.current;
    }

    /// @dev The fee rebate a payoff now would get (FeeRebateMath.payoffRebateDown). A write-off takes the same amount
    /// back from the protocol: that part of the fee was never earned.
    function _payoffRebate(
        ICreditLedger.Loan memory loan,
        LoanMath.Accrual memory a,
        LoanMath.Owed memory o
    ) internal view returns (uint256) {
        FeeRebateMath.Unearned memory u = _unearned(loan, a, o);
        return u.principal == 0 ? 0 : FeeRebateMath.payoffRebateDown(u);
    }

    /// @dev A prepayment of `prepaid` cash also retires its fee rebate (FeeRebateMath), which the protocol's fee
    /// claim gives back: `rebate` is the extra principal retired, `excess` the cash beyond the payoff net of the
    /// rebate. Books the rebate (the lenders' assets do not move) and emits `FeeRebated`. Runs in the ConfigModule:
    /// the ledger and the DelinquencyModule override it to call there (`_feeRebateIn`). Collection never prepays.
    function _feeRebate(
        uint256 loanId,
        ICreditLedger.Loan memory loan,
        LoanMath.Accrual memory a,
        LoanMath.Owed memory o,
        uint256 prepaid
    ) internal virtual returns (uint256 rebate, uint256 excess) {
        FeeRebateMath.Unearned memory u = _unearned(loan, a, o);
        if (u.principal == 0) return (0, 0);
        uint256 notDue = u.current + u.later;
        uint256 payoffRebate = FeeRebateMath.payoffRebateDown(u);
        if (prepaid + payoffRebate >= notDue) {
            // A payoff: all principal not yet due is retired, for its net.
            excess = prepaid + payoffRebate - notDue;
            rebate = payoffRebate;
        } else {
            rebate = FeeRebateMath.retiredByDown(u, prepaid) - prepaid;
        }
        if (rebate == 0) return (0, excess);
        _bookRebate(rebate);
        emit ICostDisclosure.FeeRebated(loanId, rebate);
    }

    /// @dev `_feeRebate` run in `config` (the ledger's ConfigModule, `IModuleSteps.feeRebate`), as the ledger and the
    /// DelinquencyModule's late repayments run it (code size). A loan without a fee skips the call: the product's book
    /// word read here is the one the repayment writes next.
    function _feeRebateIn(
        address config,
        uint256 loanId,
        ICreditLedger.Loan memory loan,
        uint256 prepaid
    ) internal returns (uint256, uint256) {
        if (_productBooks[loan.productId].feeBps == 0) return (0, 0);
        bytes memory result = Address.functionDelegateCall(
            config,
            abi.encodeCall(IModuleSteps.feeRebate, (loanId, prepaid))
        );
        return abi.decode(result, (uint256, uint256));
    }

    /// @dev Arrears bookkeeping after a payment on a loan that was late or stays late: a cure clears them (a latent
    /// penalty inside grace is waived), otherwise the penalty left and the amount still due are kept and the loan is
    /// moved to its bucket. Write-offs happen in `mark`, never in the middle of a payment.
    function _afterLatePayment(
        uint256 loanId,
        ICreditLedger.Loan memory loan,
        Position memory p,
        uint256 penaltyPaid,
        uint256 dueAfter
    ) internal virtual {
        ICreditLedger.RiskParams memory params = _risk;
        Arrears memory ar = p.ar;
        // A part payment inside grace: start the arrears record with the penalty latent since the due date.
        if (p.fast) ar = _accrueArrears(loanId, loan, p.o.principalOutstanding, p.checkpoint, p.pastDue, params);
        ar.penalty = uint88(dueAfter == 0 ? 0 : ar.penalty - penaltyPaid);
        ar.dueAtCheckpoint = uint88(dueAfter);
        uint256 since = ArrearsMath.pastDueSince(loan, p.a);
        // A payment past grace enters the credit history (`_recordPayment`) only if it cures the loan or pays its
        // oldest unpaid instalment off, which moves `since` on by a period (a day at least): at most one per due date,
        // whoever pays (anyone may pay dust). `p.daysLate` is whole days from the old `since`, so the old `since` is at
        // least `daysLate` days and less than `daysLate + 1` days before now: a `since` still at or before
        // `now − daysLate` days has not moved, and one that moved (by a period) is after it.
        if (p.pastGrace && dueAfter != 0 && since <= block.timestamp - p.daysLate * 1 days) p.pastGrace = false;
        ICreditLedger.Bucket bucket = ArrearsMath.bucketOf(dueAfter, since, block.timestamp, params);
        uint256 provision;
        if (bucket != ICreditLedger.Bucket.Current) {
            // On what the loan still owes after the payment.
            LoanMath.Owed memory o = LoanMath.owed(loan, p.a, block.timestamp);
            provision = _provisionOf(loan, p.a, o, block.timestamp - since, params);
        }
        if (bucket == ICreditLedger.Bucket.Default) bucket = ICreditLedger.Bucket.M3;
        _reclassify(
            loanId,
            loan,
            ar,
            bucket,
            uint256(loan.principal) - loan.principalPaid,
            p.o.principalOutstanding,
            provision
        );
    }

    /// @dev The provision of a late loan rolled to now (`a`) that owes `o`, `late` seconds after its oldest unpaid due
    /// date (ArrearsMath.provisionUp), kept within its field. Its base is what writing it off now would cost the
    /// lenders and the first-loss reserve together (`_bookWriteOff`): the principal outstanding less the origination
    /// fee's unearned share, and the interest owed less the protocol fee's share of it, both taken back by a write-off;
    /// from 30 days past due the interest part is provisioned in full (non-accrual). The book charges provisions to the
    /// reserve first (`_lenderAssetsAt`), as a write-off charges its loss.
    function _provisionOf(
        ICreditLedger.Loan memory loan,
        LoanMath.Accrual memory a,
        LoanMath.Owed memory o,
        uint256 late,
        ICreditLedger.RiskParams memory params
    ) internal view returns (uint256) {
        uint256 interest = o.pastDueInterest + o.currentInterest;
        uint256 principalBase = o.principalOutstanding - _payoffRebate(loan, a, o);
        uint256 interestBase = interest - (interest * _split.feeBps) / BPS;
        return _saturate(ArrearsMath.provisionUp(principalBase, interestBase, late, params), type(uint80).max);
    }

    /// @notice A loan rolled and classified to now, as `mark` stores it: its accrual, what it owes, what is past due,
    /// its arrears with the penalty accrued to now, and its bucket.
    struct Mark {
        LoanMath.Accrual a;
        LoanMath.Owed o;
        uint256 pastDue;
        uint256 since;
        Arrears ar;
        ICreditLedger.Bucket bucket;
    }

    /// @dev Rolls `loan` (memory) to now and classifies it; the caller stores the result (`_storeMark`).
    function _markNow(
        uint256 loanId,
        ICreditLedger.Loan memory loan,
        ICreditLedger.RiskParams memory params
    ) internal view returns (Mark memory m) {
        uint256 checkpoint = loan.checkpoint;
        m.a = LoanMath.roll(loan, block.timestamp);
        m.o = LoanMath.owed(loan, m.a, block.timestamp);
        m.pastDue = m.o.pastDueInterest + m.o.pastDuePrincipal;
        m.ar = _accrueArrears(loanId, loan, m.o.principalOutstanding, checkpoint, m.pastDue, params);
        m.since = ArrearsMath.pastDueSince(loan, m.a);
        m.bucket = ArrearsMath.bucketOf(m.pastDue, m.since, block.timestamp, params);
    }

    /// @dev Stores a loan classified by `_markNow` (not in default): arrears, bucket, loan, and the book's true-up.
    function _storeMark(
        uint256 loanId,
        ICreditLedger.Loan memory loan,
        Mark memory m,
        ICreditLedger.RiskParams memory params
    ) internal {
        m.ar.dueAtCheckpoint = uint88(m.pastDue);
        uint256 provision =
            m.bucket == ICreditLedger.Bucket.Current
                ? 0
                : _provisionOf(loan, m.a, m.o, block.timestamp - m.since, params);
        _reclassify(loanId, loan, m.ar, m.bucket, m.o.principalOutstanding, m.o.principalOutstanding, provision);
        _storeLoan(loanId, loan, m.a.period);
        _bookRepay(0, 0, m.a.rateDelta, m.a.accrualAdjustment);
    }

    /// @dev Loads a loan's arrears and books the penalty accrued since its last touch, over which its outstanding
    /// principal was `outstanding`.
    function _accrueArrears(
        uint256 loanId,
        ICreditLedger.Loan memory loan,
        uint256 outstanding,
        uint256 checkpoint,
        uint256 pastDue,
        ICreditLedger.RiskParams memory params
    ) internal view returns (Arrears memory ar) {
        if (loan.bucket != ICreditLedger.Bucket.Current) ar = _arrears[loanId];
        if (pastDue == 0 && ar.dueAtCheckpoint == 0) return ar;
        uint256 accrued = ArrearsMath.penaltyAccruedUp(
            loan,
            outstanding,
            checkpoint,
            block.timestamp,
            ar.dueAtCheckpoint,
            pastDue,
            params.penaltyMultiplierBps
        );
        ar.penalty = uint88(ar.penalty + accrued);
    }

    /// @dev Credit history of a payment that closed a loan or was made past grace.
    function _recordPayment(address borrower, ICreditLedger.Loan memory loan, bool closed, Position memory p) internal {
        History memory h = _history[borrower];
        // Only instalments whose due date has come count, with the principal they scheduled, and only loans repaid a
        // day or more after their draw: a loan drawn and paid off at once proves nothing, so a draw-and-repay loop
        // cannot write a record. A loan prepaid ahead of its plan and kept open counts in proportion to the balance
        // it carried: prepaid to dust, it counts none of its instalments and none of its principal.
        if (closed && block.timestamp >= uint256(loan.drawnAt) + 1 days) {
            uint256 instalments = p.a.period - 1;
            uint256 principal = uint256(loan.principal) - p.a.scheduledBalanceDue;
            uint256 ahead = loan.aheadFifteenths;
            if (ahead != 0) {
                instalments = LoanMath.carriedDown(instalments, ahead);
                principal = LoanMath.carriedDown(principal, ahead);
            }
            // Unchecked: each field below 2^80, instalments ≤ 256 and principal < 2^88.
            unchecked {
                h.loansRepaid = uint24(_saturate(uint256(h.loansRepaid) + 1, type(uint24).max));
                h.instalmentsRepaid = uint32(_saturate(uint256(h.instalmentsRepaid) + instalments, type(uint32).max));
                h.principalRepaid = uint80(_saturate(uint256(h.principalRepaid) + principal, type(uint80).max));
            }
        }
        if (p.pastGrace) {
            h.latePayments = uint24(_saturate(uint256(h.latePayments) + 1, type(uint24).max));
            if (p.daysLate > h.maxDaysLate) h.maxDaysLate = uint16(_saturate(p.daysLate, type(uint16).max));
        }
        _history[borrower] = h;
    }

    /// @dev Credit history of a default: the loan's outstanding principal and how late it was.
    function _recordDefault(address borrower, uint256 principal, uint256 daysLate) internal {
        History memory h = _history[borrower];
        h.defaults = uint8(_saturate(uint256(h.defaults) + 1, type(uint8).max));
        h.principalDefaulted = uint64(_saturate(uint256(h.principalDefaulted) + principal, type(uint64).max));
        if (daysLate > h.maxDaysLate) h.maxDaysLate = uint16(_saturate(daysLate, type(uint16).max));
        _history[borrower] = h;
    }

    function _saturate(uint256 value, uint256 max) internal pure returns (uint256) {
        return value < max ? value : max;
    }

    /// @dev Moves a loan to `bucket` with its new `provision` (`_provisionOf`; zero in Current and Default):
    /// books the provision, freezes or unfreezes its line, stores or clears its arrears.
    function _reclassify(
        uint256 loanId,
        ICreditLedger.Loan memory loan,
        Arrears memory ar,
        ICreditLedger.Bucket bucket,
        uint256 principalOutstanding,
        uint256 principalBefore,
        uint256 provision
    ) internal {
        ICreditLedger.Bucket from = loan.bucket;
        // The circuit breaker's aggregate: principal of loans in M2 and M3, as of their last classification.
        uint256 lateBefore = _is30Plus(from) ? principalBefore : 0;
        uint256 lateAfter = _is30Plus(bucket) ? principalOutstanding : 0;
        if (lateBefore != lateAfter) {
            uint256 flow = _flowWord;
            uint256 late = (flow >> FLOW_LATE_SHIFT) + lateAfter - lateBefore;
            _flowWord = (flow & ((1 << FLOW_LATE_SHIFT) - 1)) | (late << FLOW_LATE_SHIFT);
        }
        uint256 provisionBefore = ar.provision;
        _bookProvision(provisionBefore, provision);
        ar.provision = uint80(provision);
        bool wasLate = from >= ICreditLedger.Bucket.M1;
        bool isLate = bucket >= ICreditLedger.Bucket.M1;
        // The count sticks at its maximum (2^16 − 1): a line with that many loans late at once (dust loans, say)
        // stays frozen for good rather than refuse to mark its next late loan.
        if (wasLate != isLate) {
            address borrower = _borrowerOf(loanId);
            ICreditLedger.Line memory l = Packing.decodeLine(_lines[borrower]);
            if (l.lateLoans != type(uint16).max) {
                if (isLate) ++l.lateLoans;
                else --l.lateLoans;
                _lines[borrower] = Packing.encodeLine(l);
            }
        }
        loan.bucket = bucket;
        if (bucket == ICreditLedger.Bucket.Current) delete _arrears[loanId];
        else _arrears[loanId] = ar;
        if (from != bucket) emit ICreditLedger.BucketChanged(loanId, from, bucket, provision);
        else if (provisionBefore != provision) emit ICreditLedger.ProvisionChanged(loanId, provision);
    }

    function _is30Plus(ICreditLedger.Bucket bucket) private pure returns (bool) {
        return bucket == ICreditLedger.Bucket.M2 || bucket == ICreditLedger.Bucket.M3;
    }

    /// @dev Principal repaid within a day of its draw gives back its share of the origination bucket, in proportion
    /// to the part of the day left (rounded down), so a draw repaid at once fills no part of the daily cap and
    /// draw-and-repay loops cannot block honest draws. Only the stored level falls; the drain is unchanged.
    function _returnOrigination(uint256 principalPaid, uint256 drawnAt) private {
        uint256 flow = _flowWord;
        uint256 level = uint96(flow >> 32);
        uint256 back = LoanMath.dayLeftShareDown(principalPaid, drawnAt, block.timestamp);
        level = level > back ? level - back : 0;
        _flowWord = (flow & ~(uint256(type(uint96).max) << 32)) | (level << 32);
    }

    /// @dev The origination bucket's level now: its stored level drained at `cap` per day since its update.
    function _originationNow(uint256 flow, uint256 cap) internal view returns (uint256) {
        uint256 level = uint96(flow >> 32);
        uint256 drained = (cap * (block.timestamp - uint32(flow))) / 1 days;
        return level > drained ? level - drained : 0;
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
        // The grace period is also kept in the book word, so an on-time payment reads no other slot.
        Book memory book = _loadBook();
        book.graceDays = uint8(params.graceDays);
        _storeBook(book);
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

    /// @dev Loan word 0's own bits (Packing leaves 243..255 free): the period of the checkpoint less one (243..250),
    /// `Loan.aheadFifteenths` (251..254; a new loan's are clear), and whether word 1 holds the loan's segment (255;
    /// when clear, word 1 is empty or out of date and never read).
    /// Word 1, the accrual segment, is stored only for a loan off its plan (`_onPlan`): one on its plan has its
    /// segment derived (`_deriveSegment`), so a draw writes one new slot and an instalment paid on its plan reads and
    /// writes one slot of the loan.
    uint256 private constant LOAN_PERIOD_SHIFT = Packing.LOAN_FREE_SHIFT;
    uint256 private constant LOAN_AHEAD_SHIFT = 251;
    uint256 private constant LOAN_SEGMENT_STORED = 1 << 255;

    function _loadLoan(uint256 loanId) internal view returns (ICreditLedger.Loan memory loan) {
        uint256[2] storage words = _loans[loanId];
        uint256 word0 = words[0];
        Packing.decodeLoanTerms(word0, loan);
        loan.aheadFifteenths = uint8((word0 >> LOAN_AHEAD_SHIFT) & 15);
        if (word0 & LOAN_SEGMENT_STORED != 0) Packing.decodeLoanSegment(words[1], loan);
        else if (word0 != 0) _deriveSegment(loan, ((word0 >> LOAN_PERIOD_SHIFT) & 0xff) + 1);
    }

    /// @dev The segment of a loan on its plan whose checkpoint is in `period`: it opened at the period's start (the
    /// checkpoint reads as that second) on the outstanding principal, with no interest owed or paid ahead. A loan no
    /// longer active accrues nothing and owes no interest.
    function _deriveSegment(ICreditLedger.Loan memory loan, uint256 period) private pure {
        uint32 start = _periodStart(loan, period);
        loan.checkpoint = start;
        loan.segmentStart = start;
        if (loan.status == ICreditLedger.LoanStatus.Active) loan.openingBalance = loan.principal - loan.principalPaid;
    }

    /// @dev Whether `_deriveSegment` gives back `loan`'s segment exactly. A period opens on the smaller of the
    /// outstanding principal and the plan's balance (LoanMath), so an opening balance equal to the outstanding means
    /// no principal is past due; with no interest owed either, nothing is, and the loan has no arrears record whose
    /// penalty would run from the exact checkpoint. A loan no longer active has no segment to keep.
    function _onPlan(ICreditLedger.Loan memory loan, uint256 period) private pure returns (bool) {
        if (loan.status != ICreditLedger.LoanStatus.Active) return true;
        return
            loan.interestBalance == 0 &&
            loan.segmentStart == _periodStart(loan, period) &&
            loan.openingBalance == loan.principal - loan.principalPaid;
    }

    function _periodStart(ICreditLedger.Loan memory loan, uint256 period) private pure returns (uint32) {
        unchecked {
            return uint32(loan.drawnAt + (period - 1) * LoanMath.periodSeconds(loan)); // period ≤ 256
        }
    }

    /// @dev Stores `loan`, whose checkpoint is in `period` (the period its roll returned): word 0 always, word 1 only
    /// off its plan. A loan back on its plan keeps its old word 1, unread (the flag is clear): leaving the plan again
    /// rewrites a non-zero slot (2,900 gas) instead of filling an empty one (22,100), and clearing it would refund less
    /// than that.
    function _storeLoan(uint256 loanId, ICreditLedger.Loan memory loan, uint256 period) internal {
        uint256 word0 =
            Packing.encodeLoanTerms(loan) |
                ((period - 1) << LOAN_PERIOD_SHIFT) |
                (uint256(loan.aheadFifteenths) << LOAN_AHEAD_SHIFT); // ≤ 15: decoded from 4 bits or set by `_markAhead`
        uint256[2] storage words = _loans[loanId];
        if (_onPlan(loan, period)) {
            words[0] = word0;
        } else {
            words[0] = word0 | LOAN_SEGMENT_STORED;
            words[1] = Packing.encodeLoanSegment(loan);
        }
    }

    /// @dev `productId`'s terms as `ICreditLedger.Product` (its originator read only when it has one); all zero for
    /// a product never configured or an id above 15.
    function _product(uint8 productId) internal view returns (ICreditLedger.Product memory p) {
        if (productId > 15) return p;
        ProductBook memory b = _productBooks[productId];
        p.method = b.config & PRODUCT_METHOD;
        p.instalments = b.instalments;
        p.periodDays = b.periodDays;
        p.enabled = b.config & PRODUCT_ENABLED != 0;
        p.feeBps = b.feeBps;
        if (b.config & PRODUCT_ORIGINATED != 0) p.originator = _originators[productId];
    }

    function _loanId(address borrower, uint256 n) internal pure returns (uint256) {
        return Packing.loanId(borrower, n);
    }

    function _borrowerOf(uint256 loanId) internal pure returns (address) {
        return address(uint160(loanId >> 96));
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }
}
