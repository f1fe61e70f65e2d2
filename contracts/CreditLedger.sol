// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ICreditLedger} from "./interfaces/ICreditLedger.sol";
import {LedgerBook} from "./base/LedgerBook.sol";
import {ScheduleMath} from "./libraries/ScheduleMath.sol";
import {LoanMath} from "./libraries/LoanMath.sol";
import {Packing} from "./libraries/Packing.sol";

/// @title CreditLedger
/// @notice Credit lines, loans and their repayment plans, over the book that holds the pool's cash.
contract CreditLedger is ICreditLedger, LedgerBook {
    using SafeERC20 for IERC20;

    bytes32 public constant UNDERWRITER_ROLE = keccak256("UNDERWRITER_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @notice Hard cap on any line's APR: 24% (PRODUCT.md §5).
    uint256 public constant APR_CAP_BPS = 2_400;
    uint256 internal constant MAX_AMOUNT = type(uint88).max;

    /// @dev Encoded `Line` per borrower and `Loan` (two words) per loan id; see Packing.
    mapping(address borrower => uint256) internal _lines;
    mapping(uint256 loanId => uint256[2]) internal _loans;
    mapping(uint8 productId => Product) internal _products;

    constructor(IERC20 asset_, address pool_, address admin) LedgerBook(asset_, pool_) {
        if (address(asset_) == address(0) || pool_ == address(0) || admin == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ---------------------------------------------------------------- configuration

    /// @inheritdoc ICreditLedger
    function setProduct(
        uint8 productId,
        uint8 method,
        uint8 instalments,
        uint16 periodDays,
        bool enabled
    ) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (productId > 31) revert ProductIdOutOfRange(productId);
        if (method > ScheduleMath.BULLET || instalments == 0 || periodDays == 0) {
            revert InvalidProduct(method, instalments, periodDays);
        }
        if (method == ScheduleMath.BULLET && uint256(instalments) * periodDays > type(uint16).max) {
            revert InvalidProduct(method, instalments, periodDays);
        }
        _products[productId] = Product(method, instalments, periodDays, enabled);
        emit ProductSet(productId, method, instalments, periodDays, enabled);
    }

    /// @inheritdoc ICreditLedger
    function setLine(
        address borrower,
        uint256 limit,
        uint256 aprBps,
        uint32 productMask,
        LineStatus status
    ) external onlyRole(UNDERWRITER_ROLE) {
        _setLine(borrower, limit, aprBps, productMask, status);
    }

    /// @inheritdoc ICreditLedger
    function pause() external onlyRole(PAUSER_ROLE) {
        Book memory book = _loadBook();
        if (book.creditPaused) revert EnforcedPause();
        book.creditPaused = true;
        _storeBook(book);
        emit Paused(msg.sender);
    }

    /// @inheritdoc ICreditLedger
    function unpause() external onlyRole(PAUSER_ROLE) {
        Book memory book = _loadBook();
        if (!book.creditPaused) revert ExpectedPause();
        book.creditPaused = false;
        _storeBook(book);
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc ICreditLedger
    function paused() external view returns (bool) {
        return _loadBook().creditPaused;
    }

    // ---------------------------------------------------------------- borrowing

    /// @inheritdoc ICreditLedger
    function drawTo(uint8 productId, uint256 amount, address recipient) external nonReentrant returns (uint256) {
        return _draw(productId, amount, recipient == address(0) ? msg.sender : recipient);
    }

    /// @inheritdoc ICreditLedger
    function draw(uint8 productId, uint256 amount) external nonReentrant returns (uint256) {
        return _draw(productId, amount, msg.sender);
    }

    /// @inheritdoc ICreditLedger
    function repay(uint256 loanId, uint256 amount) external nonReentrant returns (uint256 paid) {
        if (amount == 0) revert ZeroAmount();
        Loan memory loan = _loadLoan(loanId);
        if (loan.status != LoanStatus.Active) {
            if (loan.status == LoanStatus.None) revert LoanNotFound(loanId);
            revert LoanAlreadyRepaid(loanId);
        }
        LoanMath.Accrual memory a = LoanMath.roll(loan, block.timestamp);
        LoanMath.Owed memory o = LoanMath.owed(loan, a, block.timestamp);
        if (amount == type(uint256).max) amount = o.payoff;
        else if (amount > o.payoff) revert RepaymentExceedsPayoff(amount, o.payoff);

        (uint256 interestPaid, uint256 principalPaid, uint256 prepaid) = _waterfall(o, amount);
        loan.interestBalance -= int88(int256(interestPaid));
        loan.principalPaid += uint88(principalPaid);
        int256 rateDelta = a.rateDelta;
        int256 adjustment = a.accrualAdjustment;
        bool closed = loan.principalPaid == loan.principal;
        if (closed) {
            rateDelta -= int256(uint256(loan.openingBalance) * loan.aprBps);
            loan.openingBalance = 0;
            loan.status = LoanStatus.Repaid;
        } else if (prepaid != 0) {
            (int256 splitAdjustment, int256 splitRate) = LoanMath.splitSegment(loan, a, block.timestamp);
            adjustment += splitAdjustment;
            rateDelta += splitRate;
        }
        _storeLoan(loanId, loan);
        if (principalPaid != 0) {
            address borrower = _borrowerOf(loanId);
            Line memory l = Packing.decodeLine(_lines[borrower]);
            l.outstanding -= uint88(principalPaid);
            _lines[borrower] = Packing.encodeLine(l);
        }

        _bookRepay(principalPaid, interestPaid, rateDelta, adjustment);

        emit Repaid(loanId, msg.sender, interestPaid, principalPaid, uint256(loan.principal) - loan.principalPaid);
        if (closed) emit LoanClosed(loanId);
        asset.safeTransferFrom(msg.sender, address(this), amount);
        return amount;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ICreditLedger
    function previewSchedule(
        uint8 method,
        uint256 principal,
        uint256 aprBps,
        uint256 instalments,
        uint256 periodDays
    ) external pure returns (uint256[] memory payments, uint256[] memory principals, uint256[] memory interests) {
        if (instalments == 0 || periodDays == 0) revert InvalidProduct(method, instalments, periodDays);
        return ScheduleMath.schedule(method, principal, aprBps, instalments, periodDays);
    }

    /// @inheritdoc ICreditLedger
    function loanSchedule(
        uint256 loanId
    )
        external
        view
        returns (
            uint256[] memory dueDates,
            uint256[] memory payments,
            uint256[] memory principals,
            uint256[] memory interests
        )
    {
        Loan memory loan = _existing(loanId);
        // Bullet loans are stored as one period already, so the interest-first plan is the same plan.
        uint8 method = loan.method == ScheduleMath.BULLET ? ScheduleMath.INTEREST_FIRST : loan.method;
        (payments, principals, interests) = ScheduleMath.schedule(
            method,
            loan.principal,
            loan.aprBps,
            loan.instalments,
            loan.periodDays
        );
        dueDates = new uint256[](payments.length);
        uint256 period = LoanMath.periodSeconds(loan);
        for (uint256 k = 0; k < dueDates.length; ++k) dueDates[k] = loan.drawnAt + (k + 1) * period;
    }

    /// @inheritdoc ICreditLedger
    function loanState(uint256 loanId) external view returns (LoanView memory v) {
        Loan memory loan = _existing(loanId);
        v.borrower = _borrowerOf(loanId);
        v.status = loan.status;
        v.principal = loan.principal;
        uint256 period = LoanMath.periodSeconds(loan);
        v.maturity = loan.drawnAt + uint256(loan.instalments) * period;
        if (loan.status != LoanStatus.Active) return v;
        LoanMath.Accrual memory a = LoanMath.roll(loan, block.timestamp);
        LoanMath.Owed memory o = LoanMath.owed(loan, a, block.timestamp);
        v.principalOutstanding = o.principalOutstanding;
        v.interestAccrued = o.pastDueInterest + o.currentInterest;
        v.pastDue = o.pastDueInterest + o.pastDuePrincipal;
        v.payoff = o.payoff;
        if (v.pastDue != 0) v.pastDueSince = _oldestUnpaidDueDate(loan, a.period, period);
        if (a.period <= loan.instalments) {
            v.nextDueAt = loan.drawnAt + a.period * period;
            int256 interestByNext =
                int256(loan.interestBalance) +
                    int256(
                        ScheduleMath.accruedInterestUp(
                            loan.openingBalance,
                            loan.aprBps,
                            v.nextDueAt - loan.segmentStart
                        )
                    );
            uint256 principalByNext = uint256(loan.principal) - a.scheduledBalanceNext;
            v.nextDueAmount =
                (interestByNext > 0 ? uint256(interestByNext) : 0) +
                (principalByNext > loan.principalPaid ? principalByNext - loan.principalPaid : 0);
        } else {
            v.nextDueAt = v.maturity;
            v.nextDueAmount = o.payoff;
        }
    }

    /// @inheritdoc ICreditLedger
    function loanRecord(uint256 loanId) external view returns (Loan memory) {
        return _loadLoan(loanId);
    }

    /// @inheritdoc ICreditLedger
    function lineOf(address borrower) external view returns (LineView memory v) {
        Line memory l = Packing.decodeLine(_lines[borrower]);
        v.limit = l.limit;
        v.outstanding = l.outstanding;
        v.available = l.status == LineStatus.Active && l.limit > l.outstanding ? l.limit - l.outstanding : 0;
        v.aprBps = l.aprBps;
        v.productMask = l.productMask;
        v.loanCount = l.loanCount;
        v.status = l.status;
    }

    /// @inheritdoc ICreditLedger
    function product(uint8 productId) external view returns (Product memory) {
        return _products[productId];
    }

    /// @inheritdoc ICreditLedger
    function loanIdOf(address borrower, uint256 n) external pure returns (uint256) {
        return _loanId(borrower, n);
    }

    // ---------------------------------------------------------------- internals

    function _draw(uint8 productId, uint256 amount, address recipient) internal returns (uint256 loanId) {
        Book memory book = _loadBook();
        if (book.creditPaused) revert EnforcedPause();
        if (amount == 0) revert ZeroAmount();
        Line memory l = Packing.decodeLine(_lines[msg.sender]);
        if (l.status != LineStatus.Active) revert LineNotActive(msg.sender, l.status);
        if (productId > 31 || (l.productMask >> productId) & 1 == 0) revert ProductNotAllowed(msg.sender, productId);
        Product memory p = _products[productId];
        if (!p.enabled) revert ProductNotEnabled(productId);
        uint256 available = l.limit > l.outstanding ? l.limit - l.outstanding : 0;
        if (amount > available) revert CreditLimitExceeded(amount, available);

        (uint8 instalments, uint16 periodDays) = p.method == ScheduleMath.BULLET
            ? (1, p.periodDays * p.instalments)
            : (p.instalments, p.periodDays);
        unchecked {
            // amount ≤ limit − outstanding < 2^88; a borrower cannot draw 2^24 loans at gas prices that exist.
            loanId = _loanId(msg.sender, ++l.loanCount);
            l.outstanding += uint88(amount);
        }
        _lines[msg.sender] = Packing.encodeLine(l);
        _storeLoan(
            loanId,
            Loan({
                drawnAt: uint32(block.timestamp),
                method: p.method,
                instalments: instalments,
                periodDays: periodDays,
                aprBps: l.aprBps,
                principal: uint88(amount),
                openingBalance: uint88(amount),
                checkpoint: uint32(block.timestamp),
                principalPaid: 0,
                interestBalance: 0,
                status: LoanStatus.Active,
                segmentStart: uint32(block.timestamp)
            })
        );
        _bookDisburse(book, amount, amount * l.aprBps);
        emit Drawn(loanId, recipient, productId, amount);
        asset.safeTransfer(recipient, amount);
    }

    /// @dev The single path through which lines open and change; the signed-offer flow will call it too.
    function _setLine(address borrower, uint256 limit, uint256 aprBps, uint32 productMask, LineStatus status) internal {
        if (borrower == address(0)) revert ZeroAddress();
        if (limit > MAX_AMOUNT) revert AmountTooLarge(limit, MAX_AMOUNT);
        if (aprBps > APR_CAP_BPS) revert AprAboveCap(aprBps, APR_CAP_BPS);
        Line memory l = Packing.decodeLine(_lines[borrower]);
        l.limit = uint88(limit);
        l.aprBps = uint16(aprBps);
        l.productMask = productMask;
        l.status = status;
        _lines[borrower] = Packing.encodeLine(l);
        emit LineSet(borrower, limit, aprBps, productMask, status);
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

    function _oldestUnpaidDueDate(Loan memory loan, uint256 period, uint256 periodSec) internal pure returns (uint256) {
        // Walk the plan to the first instalment whose cumulative principal is not covered by what was paid.
        uint256 payment =
            loan.method == ScheduleMath.EQUAL_INSTALMENT
                ? ScheduleMath.equalInstalmentUp(loan.principal, loan.aprBps, loan.instalments, loan.periodDays)
                : 0;
        uint256 scheduled = loan.principal;
        uint256 last = period - 1;
        for (uint256 k = 1; k <= last; ++k) {
            scheduled -= ScheduleMath.scheduledPrincipalDown(
                loan.method,
                loan.principal,
                scheduled,
                payment,
                loan.aprBps,
                loan.instalments,
                loan.periodDays,
                k
            );
            if (uint256(loan.principal) - scheduled > loan.principalPaid) return loan.drawnAt + k * periodSec;
        }
        // Only interest is late: it is the last completed period's.
        return loan.drawnAt + last * periodSec;
    }

    function _existing(uint256 loanId) internal view returns (Loan memory loan) {
        loan = _loadLoan(loanId);
        if (loan.status == LoanStatus.None) revert LoanNotFound(loanId);
    }

    function _loadLoan(uint256 loanId) internal view returns (Loan memory) {
        uint256[2] storage words = _loans[loanId];
        return Packing.decodeLoan(words[0], words[1]);
    }

    function _storeLoan(uint256 loanId, Loan memory loan) internal {
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
