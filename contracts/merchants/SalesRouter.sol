// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IMerchantRegistry} from "../interfaces/IMerchantRegistry.sol";
import {ISalesRouter} from "../interfaces/ISalesRouter.sol";
import {ICreditLedger} from "../interfaces/ICreditLedger.sol";
import {LedgerViews} from "../libraries/LedgerViews.sol";
import {ILedgerAsset} from "../interfaces/ICollectionUpkeep.sol";

/// @title SalesRouter
/// @notice Sales to registered merchants, their on-chain sales history, and the merchant loans their sales repay
/// (ISalesRouter).
contract SalesRouter is ISalesRouter, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using LedgerViews for ICreditLedger;

    uint256 public constant WINDOW_DAYS = 30;
    /// @notice Windows `history` returns: the current one and the 12 complete ones before it.
    uint256 public constant WINDOWS = 13;
    /// @notice How far below the highest order id paid an order id is still accepted (exclusive).
    uint256 public constant ORDER_SPAN = 48;
    /// @notice How far above the highest order id paid (0 before the first sale) an order id may be.
    uint256 public constant MAX_ORDER_JUMP = 1 << 16;
    uint256 public constant MAX_ORDER_ID = (1 << 50) - 1;
    uint256 public constant MAX_AMOUNT = type(uint96).max;
    /// @notice Most loans one sale repays (or finds closed and drops); what is left of its share goes to the merchant.
    uint256 public constant MAX_LOANS_PER_SALE = 4;
    uint256 private constant BPS = 10_000;

    /// @inheritdoc ISalesRouter
    IMerchantRegistry public immutable registry;
    /// @inheritdoc ISalesRouter
    IERC20 public immutable asset;
    /// @inheritdoc ISalesRouter
    ICreditLedger public immutable ledger;
    /// @inheritdoc ISalesRouter
    uint8 public immutable loanProduct;
    /// @inheritdoc ISalesRouter
    uint256 public immutable shareBps;
    /// @inheritdoc ISalesRouter
    uint256 public immutable lateShareBps;

    // The live word, one per merchant, the only slot a sale writes: the window of its last sale and that window's
    // sales so far, and the order ids paid. window 0..19 | day of the last sale within the window 20..24 | active
    // days 25..29 | sales 30..61 | volume 62..157 | highest order id paid 158..207 | which of the 48 ids up to it
    // were paid 208..255 (bit i: highest − i).
    uint256 private constant DAY_SHIFT = 20;
    uint256 private constant ACTIVE_SHIFT = 25;
    uint256 private constant SALES_SHIFT = 30;
    uint256 private constant VOLUME_SHIFT = 62;
    uint256 private constant TOP_SHIFT = 158;
    uint256 private constant BITS_SHIFT = 208;
    mapping(uint256 merchantId => uint256) private _live;

    // Past windows and the current window's refunds, in a ring indexed by window mod 13: window 0..19 | active days
    // 20..24 | sales 25..56 | volume 57..152 | refunds 153..248. An entry whose window is not the one asked for is
    // stale (13 or more windows old) and reads as zero.
    uint256 private constant PAST_ACTIVE_SHIFT = 20;
    uint256 private constant PAST_SALES_SHIFT = 25;
    uint256 private constant PAST_VOLUME_SHIFT = 57;
    uint256 private constant PAST_REFUNDS_SHIFT = 153;
    mapping(uint256 merchantId => uint256[WINDOWS]) private _past;

    mapping(uint256 merchantId => uint256) private _firstSaleAt;

    // A merchant's loans, read by every sale: the borrower (the owner key that borrowed) 0..159 | index of the oldest
    // loan sales may still repay 160..207 | number of loans borrowed 208..255. Loan ids by index in `_loanAt`.
    uint256 private constant HEAD_SHIFT = 160;
    uint256 private constant COUNT_SHIFT = 208;
    mapping(uint256 merchantId => uint256) private _loans;
    mapping(uint256 merchantId => mapping(uint256 index => uint256 loanId)) private _loanAt;

    uint256 private constant MASK_5 = (1 << 5) - 1;
    uint256 private constant MASK_20 = (1 << 20) - 1;
    uint256 private constant MASK_32 = (1 << 32) - 1;
    uint256 private constant MASK_48 = (1 << 48) - 1;
    uint256 private constant MASK_50 = (1 << 50) - 1;
    uint256 private constant MASK_96 = (1 << 96) - 1;

    /// @param ledger_ the ledger whose product `loanProduct_` the router originates (its `setProductOriginator`).
    /// @param shareBps_ share of each sale that repays an open loan (PRODUCT.md default 2,000).
    /// @param lateShareBps_ the share while the borrower's line has a loan past grace (default 5,000).
    constructor(
        IMerchantRegistry registry_,
        ICreditLedger ledger_,
        uint8 loanProduct_,
        uint256 shareBps_,
        uint256 lateShareBps_
    ) {
        if (shareBps_ == 0 || shareBps_ > lateShareBps_ || lateShareBps_ > BPS) {
            revert InvalidShares(shareBps_, lateShareBps_);
        }
        IERC20 asset_ = registry_.asset();
        IERC20 lent = ILedgerAsset(address(ledger_)).asset();
        if (lent != asset_) revert AssetMismatch(address(asset_), address(lent));
        registry = registry_;
        asset = asset_;
        ledger = ledger_;
        loanProduct = loanProduct_;
        shareBps = shareBps_;
        lateShareBps = lateShareBps_;
        // The ledger's `repay` pulls each repayment from the router, which holds it only within the sale.
        asset.forceApprove(address(ledger_), type(uint256).max);
    }

    /// @inheritdoc ISalesRouter
    function pay(uint256 merchantId, uint256 amount, uint256 orderId) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (amount > MAX_AMOUNT) revert SaleAmountTooLarge(amount, MAX_AMOUNT);
        if (orderId > MAX_ORDER_ID) revert OrderIdOutOfRange(orderId, MAX_ORDER_ID);
        address payout = _payoutOf(merchantId);

        uint256 word = _live[merchantId];
        (uint256 top, uint256 bits) = _markPaid(merchantId, word, orderId);
        uint256 day = block.timestamp / 1 days;
        uint256 window = day / WINDOW_DAYS;
        uint256 dayInWindow = day % WINDOW_DAYS;
        uint256 active;
        uint256 sales;
        uint256 volume;
        uint256 lastDay;
        if (word == 0) {
            _firstSaleAt[merchantId] = block.timestamp;
        } else if (word & MASK_20 == window) {
            lastDay = (word >> DAY_SHIFT) & MASK_5;
            active = (word >> ACTIVE_SHIFT) & MASK_5;
            sales = (word >> SALES_SHIFT) & MASK_32;
            volume = (word >> VOLUME_SHIFT) & MASK_96;
        } else {
            _archive(merchantId, word, window);
        }
        // Block time never goes back, so a day other than the last sale's is a new day.
        if (active == 0 || lastDay != dayInWindow) ++active;
        ++sales;
        volume += amount;
        if (sales > MASK_32 || volume > MASK_96) revert WindowFull(merchantId, window);
        _live[merchantId] =
            window |
            (dayInWindow << DAY_SHIFT) |
            (active << ACTIVE_SHIFT) |
            (sales << SALES_SHIFT) |
            (volume << VOLUME_SHIFT) |
            (top << TOP_SHIFT) |
            (bits << BITS_SHIFT);

        emit Sale(merchantId, orderId, msg.sender, payout, amount);
        uint256 loans = _loans[merchantId];
        if (_head(loans) == _count(loans)) {
            asset.safeTransferFrom(msg.sender, payout, amount);
        } else {
            _payWithShare(merchantId, orderId, loans, payout, amount);
        }
    }

    /// @inheritdoc ISalesRouter
    function borrow(
        uint256 merchantId,
        uint256 amount,
        ICreditLedger.DrawBounds calldata bounds
    ) external nonReentrant returns (uint256 loanId) {
        address payout = _payoutOf(merchantId);
        if (msg.sender != registry.merchant(merchantId).owner)
            revert IMerchantRegistry.NotMerchantOwner(merchantId, msg.sender);
        uint256 loans = _loans[merchantId];
        uint256 count = _count(loans);
        // Drop the listed loans that owe nothing any more (repaid elsewhere, or written off and recovered in full),
        // so sales meet an open loan first. Each is dropped once, and only the merchant's own borrows listed them.
        uint256 head = _head(loans);
        while (head != count && _owesNothing(_loanAt[merchantId][head])) ++head;
        address borrower = address(uint160(loans));
        if (head != count && borrower != msg.sender) revert OpenLoansOfAnotherKey(merchantId, borrower, msg.sender);
        loanId = ledger.originate(msg.sender, loanProduct, amount, payout, bounds);
        _loanAt[merchantId][count] = loanId;
        _loans[merchantId] = _loansWord(msg.sender, head, count + 1);
        emit MerchantLoanOpened(merchantId, loanId, msg.sender, amount);
    }

    /// @inheritdoc ISalesRouter
    function openLoans(uint256 merchantId) external view returns (uint256[] memory loanIds) {
        uint256 loans = _loans[merchantId];
        uint256 head = _head(loans);
        loanIds = new uint256[](_count(loans) - head);
        for (uint256 i; i < loanIds.length; ++i) loanIds[i] = _loanAt[merchantId][head + i];
    }

    /// @inheritdoc ISalesRouter
    function repaymentShareBps(uint256 merchantId) external view returns (uint256) {
        uint256 loans = _loans[merchantId];
        if (_head(loans) == _count(loans)) return 0;
        return _shareBpsOf(address(uint160(loans)));
    }

    /// @inheritdoc ISalesRouter
    function refund(uint256 merchantId, uint256 orderId, uint256 amount, address to) external {
        if (amount == 0) revert ZeroAmount();
        if (amount > MAX_AMOUNT) revert SaleAmountTooLarge(amount, MAX_AMOUNT);
        if (to == address(0)) revert InvalidRefundRecipient(to);
        IMerchantRegistry.Merchant memory m = registry.merchant(merchantId);
        if (m.status == IMerchantRegistry.MerchantStatus.None) revert IMerchantRegistry.UnknownMerchant(merchantId);
        if (msg.sender != m.owner && msg.sender != m.payout) revert NotMerchant(merchantId, msg.sender);

        uint256 window = block.timestamp / 1 days / WINDOW_DAYS;
        uint256 slot = window % WINDOWS;
        uint256 entry = _past[merchantId][slot];
        if (entry & MASK_20 != window) entry = window; // stale: 13 or more windows old
        uint256 refunds = (entry >> PAST_REFUNDS_SHIFT) + amount;
        if (refunds > MASK_96) revert WindowFull(merchantId, window);
        _past[merchantId][slot] = (entry & ((1 << PAST_REFUNDS_SHIFT) - 1)) | (refunds << PAST_REFUNDS_SHIFT);

        emit Refund(merchantId, orderId, to, msg.sender, amount);
        asset.safeTransferFrom(msg.sender, to, amount);
    }

    /// @inheritdoc ISalesRouter
    function history(uint256 merchantId) external view returns (SalesWindow[WINDOWS] memory windows) {
        uint256 now_ = block.timestamp / 1 days / WINDOW_DAYS;
        uint256 word = _live[merchantId];
        for (uint256 i; i < WINDOWS && i <= now_; ++i) {
            uint256 window = now_ - i;
            SalesWindow memory s = windows[i];
            s.window = window;
            uint256 entry = _past[merchantId][window % WINDOWS];
            if (entry & MASK_20 == window) {
                s.activeDays = (entry >> PAST_ACTIVE_SHIFT) & MASK_5;
                s.sales = (entry >> PAST_SALES_SHIFT) & MASK_32;
                s.volume = (entry >> PAST_VOLUME_SHIFT) & MASK_96;
                s.refunds = entry >> PAST_REFUNDS_SHIFT;
            }
            // The live word's window is never archived yet: its entry holds only refunds.
            if (word & MASK_20 == window && (word >> SALES_SHIFT) & MASK_32 != 0) {
                s.activeDays = (word >> ACTIVE_SHIFT) & MASK_5;
                s.sales = (word >> SALES_SHIFT) & MASK_32;
                s.volume = (word >> VOLUME_SHIFT) & MASK_96;
            }
        }
    }

    /// @inheritdoc ISalesRouter
    function firstSaleAt(uint256 merchantId) external view returns (uint256) {
        return _firstSaleAt[merchantId];
    }

    /// @inheritdoc ISalesRouter
    function orderPaid(uint256 merchantId, uint256 orderId) external view returns (bool) {
        uint256 word = _live[merchantId];
        uint256 top = (word >> TOP_SHIFT) & MASK_50;
        if (word == 0 || orderId > top) return false;
        uint256 back = top - orderId;
        return back >= ORDER_SPAN || (word >> (BITS_SHIFT + back)) & 1 != 0;
    }

    /// @inheritdoc ISalesRouter
    function highestOrderPaid(uint256 merchantId) external view returns (uint256) {
        return (_live[merchantId] >> TOP_SHIFT) & MASK_50;
    }

    /// @inheritdoc ISalesRouter
    function currentWindow() external view returns (uint256) {
        return block.timestamp / 1 days / WINDOW_DAYS;
    }

    /// @dev A sale to a merchant with a loan listed: its share repays the loans from the oldest, the rest (and what the
    /// loans did not need) goes to `payout`. Interactions only, after the sale's effects and event; `loans` is the
    /// merchant's loans word, written again only when the oldest listed loan changes.
    function _payWithShare(uint256 merchantId, uint256 orderId, uint256 loans, address payout, uint256 amount) private {
        uint256 share = (amount * _shareBpsOf(address(uint160(loans)))) / BPS;
        uint256 left = share;
        if (share != 0) {
            asset.safeTransferFrom(msg.sender, address(this), share);
            uint256 head = _head(loans);
            uint256 count = _count(loans);
            uint256 first = head;
            for (uint256 i; i < MAX_LOANS_PER_SALE && head != count && left != 0; ++i) {
                uint256 loanId = _loanAt[merchantId][head];
                (uint256 paid, bool closed) = _repay(loanId, left);
                if (paid != 0) emit RepaidFromSale(merchantId, orderId, loanId, paid);
                left -= paid;
                if (!closed) break;
                ++head;
            }
            if (head != first) _loans[merchantId] = _loansWord(address(uint160(loans)), head, count);
        }
        if (amount != share) asset.safeTransferFrom(msg.sender, payout, amount - share);
        if (left != 0) asset.safeTransfer(payout, left);
    }

    /// @dev Repays up to `amount` of `loanId` from the router's balance: `amount` when the loan owes at least that,
    /// else what it owes (then `closed`). A loan the ledger reports closed pays nothing and is `closed`. Any other
    /// refusal reverts the sale: the ledger never blocks a repayment (not even when paused), so one is a fault to
    /// surface, not a reason to stop repaying.
    function _repay(uint256 loanId, uint256 amount) private returns (uint256 paid, bool closed) {
        try ledger.repay(loanId, amount) returns (uint256 paid_) {
            return (paid_, false);
        } catch (bytes memory reason) {
            bytes4 selector = bytes4(reason);
            if (selector == ICreditLedger.RepaymentExceedsPayoff.selector) {
                uint256 owed;
                // solhint-disable-next-line no-inline-assembly
                assembly ("memory-safe") {
                    owed := mload(add(reason, 0x44)) // the error's second argument: what the loan owes
                }
                if (owed == 0) return (0, true);
                return (ledger.repay(loanId, type(uint256).max), true);
            }
            if (selector == ICreditLedger.LoanAlreadyRepaid.selector) return (0, true);
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                revert(add(reason, 0x20), mload(reason))
            }
        }
    }

    /// @dev The payout address of an Active merchant (`checkActive`), never the router itself (nothing could move
    /// what it received).
    function _payoutOf(uint256 merchantId) private view returns (address payout) {
        (payout, ) = registry.checkActive(merchantId);
        if (payout == address(this)) revert PayoutIsRouter(merchantId, payout);
    }

    /// @dev Whether `loanId` owes nothing: repaid, or written off with nothing left to recover (its payoff is then
    /// what recoveries may still pay).
    function _owesNothing(uint256 loanId) private view returns (bool) {
        ICreditLedger.LoanView memory v = ledger.loanState(loanId);
        return
            v.status == ICreditLedger.LoanStatus.Repaid ||
            (v.status == ICreditLedger.LoanStatus.Defaulted && v.payoff == 0);
    }

    /// @dev The share of a sale that repays loans of `borrower`'s line: higher while the line has a loan past grace.
    function _shareBpsOf(address borrower) private view returns (uint256) {
        return ledger.lineOf(borrower).lateLoans != 0 ? lateShareBps : shareBps;
    }

    function _head(uint256 loans) private pure returns (uint256) {
        return (loans >> HEAD_SHIFT) & MASK_48;
    }

    function _count(uint256 loans) private pure returns (uint256) {
        return loans >> COUNT_SHIFT;
    }

    function _loansWord(address borrower, uint256 head, uint256 count) private pure returns (uint256) {
        return uint256(uint160(borrower)) | (head << HEAD_SHIFT) | (count << COUNT_SHIFT);
    }

    /// @dev The order bits of `word` with `orderId` paid: refused if it was, if it is too far below the highest, or
    /// too far above it.
    function _markPaid(
        uint256 merchantId,
        uint256 word,
        uint256 orderId
    ) private pure returns (uint256 top, uint256 bits) {
        top = (word >> TOP_SHIFT) & MASK_50;
        bits = word >> BITS_SHIFT;
        if (orderId > top) {
            uint256 gap = orderId - top;
            if (gap > MAX_ORDER_JUMP) revert OrderIdTooFarAhead(merchantId, orderId, top + MAX_ORDER_JUMP);
            bits = gap >= ORDER_SPAN ? 1 : ((bits << gap) & MASK_48) | 1;
            return (orderId, bits);
        }
        uint256 back = top - orderId;
        if (back >= ORDER_SPAN) revert OrderIdTooOld(merchantId, orderId, top - (ORDER_SPAN - 1));
        if ((bits >> back) & 1 != 0) revert OrderAlreadyPaid(merchantId, orderId);
        bits |= 1 << back;
    }

    /// @dev Moves the live word's window (`word`) into the ring, keeping any refunds already counted there, unless it
    /// is 13 or more windows before `window` (then no history reads it, and its ring entry may hold a newer window's).
    function _archive(uint256 merchantId, uint256 word, uint256 window) private {
        uint256 old = word & MASK_20;
        if (window - old >= WINDOWS) return;
        uint256 slot = old % WINDOWS;
        uint256 entry = _past[merchantId][slot];
        uint256 refunds = entry & MASK_20 == old ? entry >> PAST_REFUNDS_SHIFT : 0;
        _past[merchantId][slot] =
            old |
            (((word >> ACTIVE_SHIFT) & MASK_5) << PAST_ACTIVE_SHIFT) |
            (((word >> SALES_SHIFT) & MASK_32) << PAST_SALES_SHIFT) |
            (((word >> VOLUME_SHIFT) & MASK_96) << PAST_VOLUME_SHIFT) |
            (refunds << PAST_REFUNDS_SHIFT);
    }
}
