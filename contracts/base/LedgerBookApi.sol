// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ILedgerBook} from "../interfaces/ILedgerBook.sol";
import {LedgerCore} from "./LedgerCore.sol";

/// @title LedgerBookApi
/// @notice The book's pool-facing entry points and views, admin rates and fees (see ILedgerBook), on top of the
/// ledger's state and internals. Inherited by the CreditLedger only.
abstract contract LedgerBookApi is LedgerCore, ILedgerBook {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    modifier onlyPool() {
        if (msg.sender != _pool) revert NotPool(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- pool and admin entry points

    /// @inheritdoc ILedgerBook
    function pool() external view returns (address) {
        return _pool;
    }

    /// @inheritdoc ILedgerBook
    function recordDeposit(uint256 assets) external onlyPool {
        // No accrual roll: interest accrues on principal, which a deposit does not move. The book word changes in
        // place: cash, and the deposit stamp of the block's first deposit.
        uint256 word = _bookWord;
        uint256 capitalWord = _capitalWord;
        if (capitalWord >> CAPITAL_BLOCK_SHIFT != uint40(block.number)) {
            // The block's first deposit: the book before it is what a draw in this block may count (`_capitalWord`).
            // Saturated to the field: past 2^104 − 1 (a token supply no stablecoin has) the cap is on the book now.
            uint256 before = _min(uint256(uint104(word)) + uint104(word >> 104), type(uint104).max);
            capitalWord =
                (uint256(uint40(block.number)) << CAPITAL_BLOCK_SHIFT) |
                (before << CAPITAL_BLOCK_VALUE_SHIFT) |
                uint112(capitalWord);
            word =
                (word & ~(uint256(type(uint16).max) << BOOK_DEPOSIT_BLOCK_SHIFT)) |
                (uint256(uint16(block.number)) << BOOK_DEPOSIT_BLOCK_SHIFT);
        }
        uint104 cash_ = uint104(word) + assets.toUint104();
        _bookWord = ((word >> 104) << 104) | cash_;
        _capitalWord = _withCapital(capitalWord, int256(assets));
    }

    /// @inheritdoc ILedgerBook
    function release(address to, uint256 assets, bool fromQueue) external onlyPool nonReentrant {
        // No accrual roll, as for a deposit: cash leaving does not change what the principal earns.
        Book memory book = _loadBook();
        uint256 available = fromQueue ? book.cash : _available(book);
        if (assets > available) revert InsufficientLiquidity(assets, available);
        book.cash = uint104(book.cash - assets);
        _storeBook(book);
        _addCapital(-int256(assets)); // assets ≤ cash, checked above
        asset.safeTransfer(to, assets);
    }

    /// @inheritdoc ILedgerBook
    function setQueueReserve(uint256 assets) external onlyPool {
        _queueReserve = assets;
        Book memory book = _loadBook();
        book.queueActive = assets != 0;
        _storeBook(book);
    }

    // Rates and fee claims run in the ConfigModule (code size); the module checks the admin role.

    /// @inheritdoc ILedgerBook
    function setRates(uint256, uint256, uint256) external {
        _configure(msg.data);
    }

    /// @inheritdoc ILedgerBook
    function claimFees(address, uint256) external nonReentrant {
        _configure(msg.data);
    }

    /// @dev Runs `data` in the ledger's ConfigModule on this contract's storage (CreditLedger).
    function _configure(bytes memory data) internal virtual;

    // ---------------------------------------------------------------- views

    /// @inheritdoc ILedgerBook
    function cash() external view returns (uint256) {
        return _loadBook().cash;
    }

    /// @inheritdoc ILedgerBook
    function bookValue() external view returns (uint256, uint256, uint256) {
        uint256 gross = _grossNow();
        return (_lenderAssetsAt(gross), gross / SCALE, _split.penaltyIncome);
    }

    /// @inheritdoc ILedgerBook
    function availableLiquidity() external view returns (uint256) {
        return _available(_loadBook());
    }
}
