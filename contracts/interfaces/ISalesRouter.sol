// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IMerchantRegistry} from "./IMerchantRegistry.sol";
import {ICreditLedger} from "./ICreditLedger.sol";

/// @title ISalesRouter
/// @notice Customers pay registered merchants through the router (PRODUCT.md C7), and the router keeps each
/// merchant's sales history on chain, in O(1) per sale and per refund: settled volume, sale count, refunds and days
/// with a sale, per 30-day window, for the current window and the 12 before it. The risk engine reads that history
/// (`history`) to price a merchant's limit (docs/RISK.md, merchant model).
///
/// Windows are aligned on the epoch: window `w` covers `[w × 30 days, (w + 1) × 30 days)` of block time, the same for
/// every merchant. Days are UTC days of block time.
///
/// A sale (`pay`) moves the amount from the customer to the merchant's payout address in the same transaction, less
/// what repays the merchant's loans (below), which passes through the router within the sale: the router holds no
/// tokens after a transaction. Only an Active merchant can be paid (`IMerchantRegistry.checkActive`, whose errors
/// `UnknownMerchant`, `MerchantPending`, `MerchantSuspended` and `MerchantClosed` a refused sale carries), and not at
/// a payout address that is the router itself (`PayoutIsRouter`).
///
/// Order ids: each sale names the merchant's order id, a number below 2^50, and a merchant's order id is paid at most
/// once. The router remembers the highest order id paid and which of the 48 ids up to it were paid, in the word it
/// updates for the sale anyway, so idempotency costs no storage of its own. An id 48 or more below the highest paid
/// is refused (`OrderIdTooOld`) rather than risk paying it twice, and an id more than 2^16 above it (above 2^16 for
/// a merchant's first sale) is refused too (`OrderIdTooFarAhead`), so no sale can use up a merchant's ids: number
/// orders from 1 in the order they are issued, and reissue an invoice that is paid that late.
///
/// Warning: anyone may pay any order id, at any amount. A payer who front-runs a customer's sale with the same order
/// id (1 unit is enough) makes it refused as paid, and one who pays an id 48 above the highest makes the ids below
/// it refused as too old: the merchant reissues them. No one loses money (every sale goes to the merchant or its
/// loans), but a merchant must match each `Sale` to its invoice by amount, not by order id alone. Sales signed by the
/// merchant (an EIP-712 payment request) would close this; they are not built yet.
///
/// Refunds (`refund`): the merchant's owner or payout address pays a customer back through the router, which counts
/// it in the current window's refunds. The router does not know what each order paid (that would cost a storage slot
/// per sale), so it neither caps a refund at its order nor requires the order to be recent; a refund only ever
/// lowers the merchant's own record.
///
/// Warning: the history is what the merchant's payers did, and on chain a merchant can be its own payer. Sales the
/// merchant pays to itself (wash sales) cost it only gas, so volume alone must not set a limit: docs/RISK.md says how
/// the merchant model discounts it.
///
/// Merchant loans (PRODUCT.md C7). The router is the originator of one ledger product, the merchant loan
/// (`loanProduct`): a merchant's owner borrows through `borrow`, on its own credit line, under every check of a draw,
/// and the ledger pays the loan to the merchant's payout address. While any loan the merchant borrowed here is open,
/// every sale first repays it: `shareBps` of the sale (rounded down), or `lateShareBps` while the borrower's line has
/// a loan marked past its grace period (`lateLoans`, the state that freezes the line: set by `mark` or a late
/// payment, cleared by the payment that cures it; a written-off loan keeps it set). The share repays the oldest open
/// loan first through the ledger's `repay` (its waterfall; a written-off loan's recovery), never more than it owes;
/// what a loan does not need goes to the next (at most `MAX_LOANS_PER_SALE` reached per sale, a loan found closed
/// included) and then to the merchant. A sale's amount is split exactly: what repaid loans (`RepaidFromSale`) and
/// the rest, to the payout address. The router holds nothing after a sale.
/// No call changes the share or skips it while a loan is open: it is the router's own rule, applied before any
/// payout, so a new payout address changes only where the merchant's part goes, and a new owner key's sales keep
/// repaying the previous key's loans (the new key borrows once they owe nothing). What the router cannot see it
/// cannot take: sales the merchant takes outside the router, and no sales at all while the merchant is suspended or
/// closed (the owner may close it). The loan's plan (its minimum per period), collected by the mandate, the keeper and
/// the upkeep, and the delinquency engine cover that, as for any loan. Refunds (`refund`) are paid by the merchant
/// alone: what a sale repaid stays repaid.
///
/// Assumptions: the token moves exactly the amount asked (no fee on transfer, no rebasing), as for the pool.
interface ISalesRouter {
    /// @notice One 30-day window of a merchant's sales. `volume` and `refunds` in token base units.
    struct SalesWindow {
        /// The window's number: it covers `[window × 30 days, (window + 1) × 30 days)`.
        uint256 window;
        uint256 volume;
        uint256 sales;
        uint256 refunds;
        /// Days of the window with at least one sale, 0–30.
        uint256 activeDays;
    }

    /// @notice Emitted for each sale: `payer` paid `amount` to merchant `merchantId` for order `orderId`; `payout`
    /// received it less what repaid the merchant's loans (`RepaidFromSale`, emitted after it in the same transaction).
    event Sale(
        uint256 indexed merchantId,
        uint256 indexed orderId,
        address indexed payer,
        address payout,
        uint256 amount
    );
    /// @notice Emitted when merchant `merchantId`'s `by` (owner or payout) refunds `amount` of order `orderId` to `to`.
    event Refund(uint256 indexed merchantId, uint256 indexed orderId, address indexed to, address by, uint256 amount);

    /// @notice Thrown for a sale or refund of zero.
    error ZeroAmount();
    /// @notice Thrown for a sale or refund above what the history can count (2^96 − 1 base units).
    error SaleAmountTooLarge(uint256 amount, uint256 max);
    /// @notice Thrown for an order id at or above 2^50.
    error OrderIdOutOfRange(uint256 orderId, uint256 max);
    /// @notice Thrown for an order id more than 2^16 above the highest the merchant has been paid for (or above 2^16
    /// for its first sale): `highestAccepted` is the largest id accepted now.
    error OrderIdTooFarAhead(uint256 merchantId, uint256 orderId, uint256 highestAccepted);
    /// @notice Thrown when merchant `merchantId`'s order `orderId` has been paid already.
    error OrderAlreadyPaid(uint256 merchantId, uint256 orderId);
    /// @notice Thrown for an order id 48 or more below the highest the merchant has been paid for: the router no
    /// longer knows whether it was paid. The merchant issues a new order id.
    error OrderIdTooOld(uint256 merchantId, uint256 orderId, uint256 oldestAccepted);
    /// @notice Thrown when `caller`, who is neither merchant `merchantId`'s owner nor its payout address, refunds.
    error NotMerchant(uint256 merchantId, address caller);
    /// @notice Thrown for a refund to the zero address.
    error InvalidRefundRecipient(address to);
    /// @notice Thrown when a merchant's sales in one window would exceed what the history can count.
    error WindowFull(uint256 merchantId, uint256 window);

    /// @notice Emitted when a sale of order `orderId` repays `amount` of merchant `merchantId`'s loan `loanId`.
    event RepaidFromSale(uint256 indexed merchantId, uint256 indexed orderId, uint256 indexed loanId, uint256 amount);
    /// @notice Emitted when merchant `merchantId`'s owner `borrower` borrows `amount` through the router (`loanId`).
    event MerchantLoanOpened(
        uint256 indexed merchantId,
        uint256 indexed loanId,
        address indexed borrower,
        uint256 amount
    );
    /// @notice Thrown by the constructor for shares that are not 0 < shareBps ≤ lateShareBps ≤ 10,000.
    error InvalidShares(uint256 shareBps, uint256 lateShareBps);
    /// @notice Thrown by the constructor when the ledger lends another token than the registry's.
    error AssetMismatch(address registryAsset, address ledgerAsset);
    /// @notice Thrown when merchant `merchantId`'s payout address is the router itself: what it received would stay
    /// there. The merchant sets another payout address.
    error PayoutIsRouter(uint256 merchantId, address payout);
    /// @notice Thrown when merchant `merchantId`'s new owner key `caller` borrows while loans of its previous key
    /// `borrower` still owe something (a written-off loan with a recovery left included): those are repaid first (the
    /// share applies to one line at a time).
    error OpenLoansOfAnotherKey(uint256 merchantId, address borrower, address caller);

    /// @notice Pays `amount` from the caller to merchant `merchantId`'s payout address for order `orderId` and counts
    /// the sale in the current window. While the merchant has a loan open here, its share of the sale repays the
    /// loans first (see the contract's notice). Needs the caller's allowance for the router.
    function pay(uint256 merchantId, uint256 amount, uint256 orderId) external;

    /// @notice Borrows `amount` of the merchant loan product on the caller's credit line for merchant `merchantId`,
    /// whose owner the caller must be (else `IMerchantRegistry.NotMerchantOwner`); the ledger pays it to the
    /// merchant's payout address, and the merchant's sales repay it. Only an Active merchant borrows. The caller must
    /// have let the router originate on its line (`ICreditLedger.setOriginatorAllowed`); `bounds` are the quote the
    /// caller accepted (ICreditQuotes.quote with `loanProduct`), and every check and error of a draw applies
    /// (`ICreditLedger.originate`).
    function borrow(
        uint256 merchantId,
        uint256 amount,
        ICreditLedger.DrawBounds calldata bounds
    ) external returns (uint256 loanId);

    /// @notice The loans merchant `merchantId` borrowed here that sales may still repay, oldest first. A loan that
    /// owes nothing any more stays listed until a sale reaches it or, once it is first in the list, the merchant
    /// borrows again.
    function openLoans(uint256 merchantId) external view returns (uint256[] memory loanIds);

    /// @notice The share of a sale to merchant `merchantId` that would repay its loans now, in basis points: 0 with
    /// no loan listed by `openLoans`, `lateShareBps` while its borrower's line has a loan past grace, else `shareBps`.
    function repaymentShareBps(uint256 merchantId) external view returns (uint256);

    /// @notice The ledger whose merchant loan product the router originates and repays.
    function ledger() external view returns (ICreditLedger);

    /// @notice The ledger's product id of the merchant loan (the router is its originator).
    function loanProduct() external view returns (uint8);

    /// @notice Share of each sale that repays an open loan, in basis points.
    function shareBps() external view returns (uint256);

    /// @notice Share of each sale that repays an open loan while the borrower's line has a loan past grace.
    function lateShareBps() external view returns (uint256);

    /// @notice Pays `amount` of order `orderId` back from the caller (merchant `merchantId`'s owner or payout
    /// address) to `to`, and counts it in the current window's refunds. Needs the caller's allowance for the router.
    function refund(uint256 merchantId, uint256 orderId, uint256 amount, address to) external;

    /// @notice Merchant `merchantId`'s sales: index 0 the current window, index i the window i before it (13 windows:
    /// the current one and the 12 complete ones before it). A window with no sale and no refund reads zero.
    function history(uint256 merchantId) external view returns (SalesWindow[13] memory windows);

    /// @notice When merchant `merchantId` was first paid through the router (block time), or 0 if never.
    function firstSaleAt(uint256 merchantId) external view returns (uint256);

    /// @notice Whether merchant `merchantId`'s order `orderId` counts as paid: true if paid, and true for any id 48 or
    /// more below the highest paid (the router refuses those as if paid).
    function orderPaid(uint256 merchantId, uint256 orderId) external view returns (bool);

    /// @notice The highest order id merchant `merchantId` has been paid for (0 before its first sale): ids from 47
    /// below it to 2^16 above it are accepted, unless paid.
    function highestOrderPaid(uint256 merchantId) external view returns (uint256);

    /// @notice The current window's number.
    function currentWindow() external view returns (uint256);

    /// @notice The registry whose Active merchants the router pays.
    function registry() external view returns (IMerchantRegistry);

    /// @notice The token sales are paid in: the registry's.
    function asset() external view returns (IERC20);
}
