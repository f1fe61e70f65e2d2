// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICreditLedger} from "../interfaces/ICreditLedger.sol";

/// @title MockProduct
/// @notice A test-only credit product: the smallest periphery contract that originates loans through the core's
/// product entry point (`ICreditLedger.originate`). A borrower buys from a merchant in one call; the ledger pays the
/// merchant, and the loan is the borrower's, on the borrower's line, under every check of a draw and the bounds the
/// buyer accepted. The buyer lets this contract in once (`ICreditLedger.setOriginatorAllowed`); each purchase's
/// consent is the call itself. Nothing in the core knows this contract beyond the product's `originator`. (A real
/// checkout also checks that the merchant is one it serves; this one pays whoever the buyer names.)
contract MockProduct {
    /// @notice Emitted for each purchase, with the loan it opened.
    event Bought(address indexed borrower, address indexed merchant, uint256 indexed loanId, uint256 amount);

    /// @notice The ledger this product originates on.
    ICreditLedger public immutable ledger;
    /// @notice The ledger's product id whose originator this contract is.
    uint8 public immutable productId;

    constructor(ICreditLedger ledger_, uint8 productId_) {
        ledger = ledger_;
        productId = productId_;
    }

    /// @notice Buys `amount` from `merchant` on the caller's credit line, within `bounds` (ICreditQuotes.quote).
    function buy(
        address merchant,
        uint256 amount,
        ICreditLedger.DrawBounds calldata bounds
    ) external returns (uint256 loanId) {
        loanId = ledger.originate(msg.sender, productId, amount, merchant, bounds);
        emit Bought(msg.sender, merchant, loanId, amount);
    }
}
