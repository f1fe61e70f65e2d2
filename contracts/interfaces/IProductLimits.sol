// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IProductLimits
/// @notice Per-product outstanding caps (PRODUCT.md C8): the principal outstanding of all loans drawn under a
/// product may not pass the product's cap. Served at the CreditLedger's address.
///
/// - Every loan records its product; each product's outstanding principal is one aggregate, raised by a draw and
///   lowered by the principal part of every repayment or collection and by a write-off, so the check is O(1).
/// - A draw that would take the product's outstanding above its cap reverts with `ProductCapExceeded`; the cap
///   passes at equality. Repayment, collection, marking and recoveries never check it.
/// - A cap of 0 means "no cap". Lowering a cap below the product's outstanding refuses new draws of that product
///   until repayments bring it back under; it never touches existing loans.
/// - The admin sets any cap (`setProductCap`, behind the timelock outside a local chain); the risk role may only
///   lower one (`cutProductCap`), never lift it to "no cap".
/// Implemented by the CreditLedger (the functions are in its ABI).
interface IProductLimits {
    /// @notice The draw would take the product's principal outstanding to `outstandingAfter`, above its `cap`.
    error ProductCapExceeded(uint8 productId, uint256 outstandingAfter, uint256 cap);

    /// @notice Emitted on every change of a product's cap, with who changed it (0 = no cap).
    event ProductCapSet(uint8 indexed productId, uint256 previousCap, uint256 cap, address indexed by);

    /// @notice Sets product `productId`'s cap on principal outstanding (0 = none). Admin only; the product must be
    /// configured (`setProduct`). Reverts `InvalidLimits` above 2^112 − 1.
    function setProductCap(uint8 productId, uint256 cap) external;

    /// @notice Lowers product `productId`'s cap, immediately. Risk role only; a higher cap, or 0 (no cap) in place
    /// of a cap, reverts `LimitRaiseNotAllowed(9, current, requested)`.
    function cutProductCap(uint8 productId, uint256 cap) external;
}
