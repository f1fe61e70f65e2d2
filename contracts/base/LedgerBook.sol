// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ILedgerBook} from "../interfaces/ILedgerBook.sol";
import {ScheduleMath} from "../libraries/ScheduleMath.sol";

/// @title LedgerBook
/// @notice Cash, principal and interest recognition of the credit book: state and internal functions only.
/// @dev Loan events read and write two slots here (`_bookWord`, `_accrualWord`). The external entry points and views
/// live in `LedgerBookApi`, which only the CreditLedger inherits, so the modules (which share this storage layout) do
/// not carry them and stay under the code-size limit.
abstract contract LedgerBook is AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using SafeCast for int256;

    uint256 internal constant BPS = 10_000;
    uint256 internal constant SCALE = ScheduleMath.INTEREST_SCALE;
    /// @dev Bit offset of `Book.depositBlock` in `_bookWord`.
    uint256 internal constant BOOK_DEPOSIT_BLOCK_SHIFT = 240;
    /// @notice Upper bound for fee + first-loss cut (share of interest) and for the liquidity reserve.
    uint256 public constant MAX_RATE_BPS = 5_000;

    /// @dev Hot slot 1: idle cash, principal lent out, and everything else a draw checks (so a draw reads one slot
    /// of the book, pause flag included).
    struct Book {
        uint104 cash;
        uint104 principal;
        uint16 liquidityBps;
        uint8 graceDays;
        bool queueActive;
        bool creditPaused;
        bool kycRequired;
        /// Low 16 bits of the number of the last block with a deposit: a draw, which reads this word anyway, reads
        /// `_capitalWord` only in such a block, and a deposit, which writes it anyway, stamps it at no extra write.
        uint16 depositBlock;
    }

    /// @dev Hot slot 2: interest recognised (units + remainder in 1/SCALE), when, and at which rate.
    struct Accrual {
        uint96 grossUnits;
        uint40 grossRemainder;
        uint32 lastAccrual;
        uint88 rateSum;
    }

    /// @dev Split of interest between protocol fee, first-loss reserve and lenders, checkpointed on change, and the
    /// penalty income, in the one word every valuation reads anyway.
    struct Split {
        uint16 feeBps;
        uint16 firstLossBps;
        /// Gross interest at the checkpoint, in 1/SCALE units (below 2^96 × SCALE < 2^135: `Accrual.grossUnits`).
        uint136 grossAtCheckpoint;
        /// Penalty interest paid since deployment (ILedgerBook.penaltyIncome): recognised at once when paid, so the
        /// pool treats it as a step, not as interest accrued over time. 88 bits, as the pool's gain lock keeps it.
        uint88 penaltyIncome;
    }

    IERC20 public immutable asset;
    /// @dev The LendingPool: the only caller of the pool-facing entry points (`pool()` in LedgerBookApi).
    address internal immutable _pool;

    /// @dev Encoded Book and Accrual: one SSTORE per slot on the hot path (see `_storeBook`, `_storeAccrual`).
    uint256 internal _bookWord;
    uint256 internal _accrualWord;
    Split internal _split;
    uint128 internal _feesAtCheckpoint;
    uint128 internal _reserveAtCheckpoint;
    /// @dev One word read by every valuation and written by every deposit: capital (int112, cash + principal − interest
    /// collected; see the accounting identity in ILedgerBook) 0..111 | the book's value (cash + principal) just
    /// before the first deposit of the last block with one 112..215 | that block's number (low 40 bits) 216..255.
    /// A draw in that block measures the shares against the lower of the saved value and the book now, so capital
    /// that arrives within the block (a flash loan, a bundle) never loosens a cap, and a deposit withdrawn in the same
    /// block does not tighten one. A draw reads this word only when the book word's `depositBlock` says the block had
    /// a deposit; the deposit writes it anyway (its capital), so saving the value costs it no extra slot.
    uint256 internal _capitalWord;
    uint256 internal constant CAPITAL_BLOCK_VALUE_SHIFT = 112;
    uint256 internal constant CAPITAL_BLOCK_SHIFT = 216;
    uint256 internal _queueReserve;
    /// @dev Expected-loss provisions of loans in buckets Grace–M3, and interest written off with defaulted loans.
    uint128 internal _provisions;
    uint128 internal _interestWrittenOff;

    constructor(IERC20 asset_, address pool_) {
        asset = asset_;
        _pool = pool_;
    }

    /// @dev The book's first state: accrual from now, the default split and reserve. Called by the CreditLedger's
    /// constructor only: the modules never use their own storage.
    function _initBook() internal {
        _accrualWord = uint256(uint32(block.timestamp)) << 136;
        _setRates(500, 1_000, 500, 0);
    }

    // ---------------------------------------------------------------- loan hooks (effects only)

    /// @dev A new loan of `principal` accruing at `rateAdded`, of which `sent` leaves the book (the rest is the
    /// draw's fee, which stays as cash funding the protocol's claim), against `book` (loaded by the caller, who
    /// checked the draw). The whole principal must be available, not only what is sent: the fee raises the book the
    /// reserve is a share of, and keeping it as cash covers exactly that (cash − principal + fee ≥ reserve + fee ≥
    /// the reserve after).
    function _bookDisburse(Book memory book, uint256 principal, uint256 sent, uint256 rateAdded) internal {
        Accrual memory acc = _loadAccrual();
        _roll(acc);
        acc.rateSum = (acc.rateSum + rateAdded).toUint88();
        _storeAccrual(acc);
        uint256 available = _available(book);
        if (principal > available) revert ILedgerBook.InsufficientLiquidity(principal, available);
        // Cash and principal only, in place (`book` is the word as loaded by the caller): sent ≤ available ≤ cash, and
        // the principal's 104-bit sum is checked, so neither field can spill into the next.
        uint104 principal_ = book.principal + uint104(principal);
        unchecked {
            _bookWord = ((_bookWord >> 208) << 208) | (uint256(principal_) << 104) | (book.cash - sent);
        }
    }

    /// @dev A repayment of `cashIn` the caller pulls in after its own effects, retiring `principal`, with the loan's
    /// true-up of the book. `principal` exceeds the principal part of `cashIn` by any fee rebate (`_bookRebate`).
    function _bookRepay(uint256 principal, uint256 cashIn, int256 rateDelta, int256 accrualAdjustment) internal {
        _adjust(rateDelta, accrualAdjustment);
        // Cash and principal only, in place: the other fields of the word do not move (checked as `_storeBook` is).
        uint256 word = _bookWord;
        uint104 cash_ = uint104(word) + cashIn.toUint104();
        uint104 principal_ = uint104(word >> 104) - uint104(principal);
        _bookWord = ((word >> 208) << 208) | (uint256(principal_) << 104) | cash_;
    }

    /// @dev A fee rebate: principal retired without cash, given back by the protocol's fee claim, so capital and
    /// claim fall together and the lenders' assets do not move. `claimFees` keeps back the most the open loans'
    /// rebates can need and the fee share of the interest receivable; only rounding, or a write-off's take-back of
    /// the fee at a rate raised since its interest was recognised (item 3 of SECURITY), can leave less, and then the
    /// claim falls to zero and the lenders carry the rest.
    function _bookRebate(uint256 rebate) internal {
        uint256 atCheckpoint = _feesAtCheckpoint;
        if (rebate <= atCheckpoint) {
            // Taken from the claim's checkpoint, as a draw's fee is added to it: the split does not move.
            _feesAtCheckpoint = uint128(atCheckpoint - rebate);
        } else {
            uint256 gross = _accrue();
            uint256 fees = _feesAt(gross);
            _checkpointSplit(gross, fees - _min128(rebate, fees), _reserveAt(gross));
        }
        _addCapital(-int256(rebate));
    }

    /// @dev A provision change (a loan entering, leaving or moving between buckets).
    function _bookProvision(uint256 before, uint256 afterwards) internal {
        if (before == afterwards) return;
        _provisions = uint128(_provisions + afterwards - before);
    }

    /// @dev Writes off `principal` and `interest` of a defaulted loan. The protocol fee and the first-loss cut were
    /// set aside as the interest was recognised; interest never received earns neither, so both shares of it are
    /// taken back (at the current rates; the fee at most what is still owed), with `unearnedFee`, the origination
    /// fee's share of the principal that had not fallen due (FeeRebateMath). What the lenders lose is then the
    /// principal less that, and their own share of the interest, and the first-loss reserve absorbs that first.
    /// Returns what the reserve absorbed and what is left for the lenders.
    function _bookWriteOff(
        uint256 principal,
        uint256 interest,
        uint256 unearnedFee,
        int256 rateDelta
    ) internal returns (uint256 absorbed, uint256 lenderLoss) {
        _adjust(rateDelta, 0);
        uint256 gross = _grossOf(_loadAccrual());
        Book memory book = _loadBook();
        book.principal -= uint104(principal);
        _storeBook(book);
        _addCapital(-int256(principal));
        _interestWrittenOff += uint128(interest);
        Split memory split = _split;
        uint256 fees = _feesAt(gross);
        uint256 reserve = _reserveAt(gross);
        uint256 feeBack = _min128((interest * split.feeBps) / BPS + unearnedFee, fees);
        uint256 reserveBack = _min128((interest * split.firstLossBps) / BPS, reserve);
        reserve -= reserveBack;
        lenderLoss = principal + interest - feeBack - reserveBack;
        absorbed = lenderLoss < reserve ? lenderLoss : reserve;
        lenderLoss -= absorbed;
        _checkpointSplit(gross, fees - feeBack, reserve - absorbed);
    }

    function _min128(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }

    /// @dev A recovery on a written-off loan: lenders first up to `lenderLossLeft`, then the reserve up to
    /// `reserveLeft`, anything beyond to lenders.
    function _bookRecovery(
        uint256 amount,
        uint256 lenderLossLeft,
        uint256 reserveLeft
    ) internal returns (uint256 toLenders, uint256 toReserve) {
        uint256 gross = _accrue();
        Book memory book = _loadBook();
        book.cash += amount.toUint104();
        _storeBook(book);
        _addCapital(int256(amount));
        toLenders = amount < lenderLossLeft ? amount : lenderLossLeft;
        toReserve = amount - toLenders;
        if (toReserve > reserveLeft) toReserve = reserveLeft;
        if (toReserve != 0) _checkpointSplit(gross, _feesAt(gross), _reserveAt(gross) + toReserve);
        toLenders = amount - toReserve;
    }

    // ---------------------------------------------------------------- internals

    /// @dev Capital (see `_capitalWord`).
    function _capital() internal view returns (int256) {
        return int112(uint112(_capitalWord));
    }

    /// @dev Moves capital by `delta`, leaving the block's saved value as is (`_capitalWord`). Every caller's delta is an
    /// amount of the book (below 2^105 in size), so the cast keeps it whole; the int112 sum is checked.
    function _addCapital(int256 delta) internal {
        _capitalWord = _withCapital(_capitalWord, delta);
    }

    /// @dev `word` with its capital moved by `delta` (as `_addCapital`).
    function _withCapital(uint256 word, int256 delta) internal pure returns (uint256) {
        int112 capital_ = int112(uint112(word)) + int112(delta);
        return ((word >> CAPITAL_BLOCK_VALUE_SHIFT) << CAPITAL_BLOCK_VALUE_SHIFT) | uint112(capital_);
    }

    /// @dev The lenders' assets when the book's gross interest (in 1/SCALE units) is `gross`. Provisions are charged
    /// to the first-loss reserve first, as write-offs are (`_bookWriteOff`): the lenders bear only what exceeds it, so
    /// the write-off of a fully provisioned loan moves their assets by nothing.
    function _lenderAssetsAt(uint256 gross) internal view returns (uint256) {
        uint256 reserve = _reserveAt(gross);
        uint256 provisions = _provisions;
        int256 value =
            _capital() +
                int256(gross / SCALE) -
                int256(_feesAt(gross) + (reserve > provisions ? reserve : provisions) + _interestWrittenOff);
        return value > 0 ? uint256(value) : 0;
    }

    /// @dev Interest recognised at `gross` and neither received nor written off: gross − interest collected (cash +
    /// principal − capital) − interest written off, at 0 at least (KI-3 leaves a unit or two of cash nobody owns).
    function _receivableAt(uint256 gross, Book memory book) internal view returns (uint256) {
        int256 receivable =
            int256(gross / SCALE) + _capital() - int256(uint256(book.cash) + book.principal + _interestWrittenOff);
        return receivable > 0 ? uint256(receivable) : 0;
    }

    /// @dev Cash that may leave now: above the liquidity reserve (a share of cash + principal) and the queue's hold.
    function _available(Book memory book) internal view returns (uint256) {
        uint256 kept = ((uint256(book.cash) + book.principal) * book.liquidityBps + BPS - 1) / BPS;
        if (book.queueActive) kept += _queueReserve;
        return book.cash > kept ? book.cash - kept : 0;
    }

    /// @dev Book: cash 0..103 | principal 104..207 | liquidityBps 208..223 | graceDays 224..231 |
    /// queueActive 232 | creditPaused 233 | kycRequired 234 | free 235..239 | depositBlock 240..255. The grace period
    /// and the KYC switch live here so that an on-time payment and a draw read no other configuration slot.
    function _loadBook() internal view returns (Book memory book) {
        uint256 word = _bookWord;
        book.cash = uint104(word);
        book.principal = uint104(word >> 104);
        book.liquidityBps = uint16(word >> 208);
        book.graceDays = uint8(word >> 224);
        book.queueActive = (word >> 232) & 1 != 0;
        book.creditPaused = (word >> 233) & 1 != 0;
        book.kycRequired = (word >> 234) & 1 != 0;
        book.depositBlock = uint16(word >> BOOK_DEPOSIT_BLOCK_SHIFT);
    }

    /// @dev The grace period alone, without decoding the rest of the book word.
    function _graceDays() internal view returns (uint256) {
        return uint8(_bookWord >> 224);
    }

    function _storeBook(Book memory book) internal {
        _bookWord =
            uint256(book.cash) |
            (uint256(book.principal) << 104) |
            (uint256(book.liquidityBps) << 208) |
            (uint256(book.graceDays) << 224) |
            (book.queueActive ? uint256(1) << 232 : 0) |
            (book.creditPaused ? uint256(1) << 233 : 0) |
            (book.kycRequired ? uint256(1) << 234 : 0) |
            (uint256(book.depositBlock) << BOOK_DEPOSIT_BLOCK_SHIFT);
    }

    /// @dev Accrual: grossUnits 0..95 | grossRemainder 96..135 | lastAccrual 136..167 | rateSum 168..255
    function _loadAccrual() internal view returns (Accrual memory acc) {
        uint256 word = _accrualWord;
        acc.grossUnits = uint96(word);
        acc.grossRemainder = uint40(word >> 96);
        acc.lastAccrual = uint32(word >> 136);
        acc.rateSum = uint88(word >> 168);
    }

    function _storeAccrual(Accrual memory acc) internal {
        _accrualWord =
            uint256(acc.grossUnits) |
            (uint256(acc.grossRemainder) << 96) |
            (uint256(acc.lastAccrual) << 136) |
            (uint256(acc.rateSum) << 168);
    }

    function _grossOf(Accrual memory acc) internal pure returns (uint256) {
        return uint256(acc.grossUnits) * SCALE + acc.grossRemainder;
    }

    function _grossNow() internal view returns (uint256) {
        Accrual memory acc = _loadAccrual();
        return _grossOf(acc) + uint256(acc.rateSum) * (block.timestamp - acc.lastAccrual);
    }

    /// @dev Brings `acc` (a memory copy) to now; the caller stores it.
    function _roll(Accrual memory acc) internal view {
        uint256 elapsed = block.timestamp - acc.lastAccrual;
        if (elapsed == 0) return;
        acc.lastAccrual = uint32(block.timestamp);
        if (acc.rateSum != 0) _setGross(acc, _grossOf(acc) + uint256(acc.rateSum) * elapsed);
    }

    function _setGross(Accrual memory acc, uint256 gross) internal pure {
        acc.grossUnits = (gross / SCALE).toUint96();
        acc.grossRemainder = uint40(gross % SCALE);
    }

    function _accrue() internal returns (uint256 gross) {
        Accrual memory acc = _loadAccrual();
        _roll(acc);
        _storeAccrual(acc);
        return _grossOf(acc);
    }

    function _adjust(int256 rateDelta, int256 accrualAdjustment) internal {
        Accrual memory acc = _loadAccrual();
        _roll(acc);
        if (rateDelta != 0) acc.rateSum = (int256(uint256(acc.rateSum)) + rateDelta).toUint256().toUint88();
        if (accrualAdjustment != 0) _setGross(acc, (int256(_grossOf(acc)) + accrualAdjustment).toUint256());
        _storeAccrual(acc);
    }

    function _feesAt(uint256 gross) internal view returns (uint256) {
        Split memory split = _split;
        return _feesAtCheckpoint + (_since(gross, split.grossAtCheckpoint) * split.feeBps) / (BPS * SCALE);
    }

    function _reserveAt(uint256 gross) internal view returns (uint256) {
        Split memory split = _split;
        return _reserveAtCheckpoint + (_since(gross, split.grossAtCheckpoint) * split.firstLossBps) / (BPS * SCALE);
    }

    /// @dev Interest recognised since the split was checkpointed; a downward true-up right after a checkpoint
    /// counts as zero rather than clawing back claims already set aside.
    function _since(uint256 gross, uint256 checkpoint) internal pure returns (uint256) {
        return gross > checkpoint ? gross - checkpoint : 0;
    }

    function _checkpointSplit(uint256 gross, uint256 fees, uint256 reserve) internal {
        _split.grossAtCheckpoint = gross.toUint136();
        _feesAtCheckpoint = fees.toUint128();
        _reserveAtCheckpoint = reserve.toUint128();
    }

    /// @dev `rebatesHeld`: what the open loans' fee rebates may still need, which a fee cut leaves owed.
    function _setRates(uint256 feeBps, uint256 firstLossBps, uint256 liquidityBps, uint256 rebatesHeld) internal {
        if (feeBps + firstLossBps > MAX_RATE_BPS)
            revert ILedgerBook.RateOutOfBounds(feeBps + firstLossBps, MAX_RATE_BPS);
        if (liquidityBps > MAX_RATE_BPS) revert ILedgerBook.RateOutOfBounds(liquidityBps, MAX_RATE_BPS);
        // Rolled to now first: interest recognised up to this second keeps the old split, but for the protocol fee on
        // interest still receivable when the fee is cut. A write-off takes that fee back at the rate in force, so it
        // falls to the new rate at once (a step up for the lenders), though never below what the rebates and the fee
        // on the receivable at the new rate need (interest recognised before a rise carries the lower fee). A rise
        // applies only to interest recognised after it.
        uint256 gross = _accrue();
        uint256 fees = _feesAt(gross);
        uint256 oldFeeBps = _split.feeBps;
        if (feeBps < oldFeeBps) {
            uint256 receivable = _receivableAt(gross, _loadBook());
            uint256 keep = rebatesHeld + ScheduleMath.divUp(receivable * feeBps, BPS);
            if (fees > keep) fees -= _min128((receivable * (oldFeeBps - feeBps)) / BPS, fees - keep);
        }
        _checkpointSplit(gross, fees, _reserveAt(gross));
        _split.feeBps = uint16(feeBps);
        _split.firstLossBps = uint16(firstLossBps);
        Book memory book = _loadBook();
        book.liquidityBps = uint16(liquidityBps);
        _storeBook(book);
        emit ILedgerBook.RatesSet(feeBps, firstLossBps, liquidityBps);
    }
}
