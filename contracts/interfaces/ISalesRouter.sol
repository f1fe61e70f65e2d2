// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IMerchantRegistry} from "./IMerchantRegistry.sol";

/// @title ISalesRouter
/// @notice Customers pay registered merchants through the router (PRODUCT.md C7), and the router keeps each
/// merchant's sales history on chain, in O(1) per sale and per refund: settled volume, sale count, refunds and days
/// with a sale, per 30-day window, for the current window and the 12 before it. The risk engine reads that history
/// (`history`) to price a merchant's limit (docs/RISK.md, merchant model).
///
/// Windows are aligned on the epoch: window `w` covers `[w × 30 days, (w + 1) × 30 days)` of block time, the same for
/// every merchant. Days are UTC days of block time.
///
/// A sale (`pay`) moves the whole amount from the customer to the merchant's payout address in the same transaction:
/// the router never holds tokens. Only an Active merchant can be paid (`IMerchantRegistry.checkActive`, whose errors
/// `UnknownMerchant`, `MerchantPending`, `MerchantSuspended` and `MerchantClosed` a refused sale carries).
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
/// it refused as too old: the merchant reissues them. No one loses money (every sale goes to the merchant), but a
/// merchant must match each `Sale` to its invoice by amount, not by order id alone. Sales signed by the merchant
/// (an EIP-712 payment request) would close this; they come with the merchant loan, which reworks the sale path.
///
/// Refunds (`refund`): the merchant's owner or payout address pays a customer back through the router, which counts
/// it in the current window's refunds. The router does not know what each order paid (that would cost a storage slot
/// per sale), so it neither caps a refund at its order nor requires the order to be recent; a refund only ever
/// lowers the merchant's own record.
///
/// Warning: the history is what the merchant's payers did, and on chain a merchant can be its own payer. Sales the
/// merchant pays to itself (wash sales) cost it only gas, so volume alone must not set a limit: docs/RISK.md says how
/// the merchant model discounts it. The repayment share (a set share of each sale repaying the merchant's loans
/// while it owes) applies once the merchant loan exists in the core; until then every sale pays the merchant in full.
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

    /// @notice Emitted for each sale: `payer` paid `amount` to merchant `merchantId`'s `payout` for order `orderId`.
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

    /// @notice Pays `amount` from the caller to merchant `merchantId`'s payout address for order `orderId` and counts
    /// the sale in the current window. Needs the caller's allowance for the router.
    function pay(uint256 merchantId, uint256 amount, uint256 orderId) external;

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
