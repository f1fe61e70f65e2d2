// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ILedgerBook} from "../interfaces/ILedgerBook.sol";
import {LedgerCore} from "./LedgerCore.sol";

/// @title LedgerBookApi
/// @notice The book's pool-facing entry points, admin rates and fees, and views (see ILedgerBook), on top of the
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
        _accrue();
        Book memory book = _loadBook();
        if (_blockBook >> 128 != block.number) {
            // The block's first deposit: the book before it is what a draw in this block may count (see `_blockBook`).
            _blockBook = (block.number << 128) | (uint256(book.cash) + book.principal);
            _flowWord =
                (_flowWord & ~(uint256(type(uint16).max) << FLOW_TAG_SHIFT)) |
                (uint256(uint16(block.number)) << FLOW_TAG_SHIFT);
        }
        book.cash += assets.toUint104();
        _storeBook(book);
        _capital += assets.toInt256();
    }

    /// @inheritdoc ILedgerBook
    function release(address to, uint256 assets, bool fromQueue) external onlyPool nonReentrant {
        _accrue();
        Book memory book = _loadBook();
        uint256 available = fromQueue ? book.cash : _available(book);
        if (assets > available) revert InsufficientLiquidity(assets, available);
        book.cash = uint104(book.cash - assets);
        _storeBook(book);
        _capital -= assets.toInt256();
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
    function lenderAssets() external view returns (uint256) {
        return _lenderAssetsAt(_grossNow());
    }

    /// @dev The lenders' assets when the book's gross interest (in 1/SCALE units) is `gross`.
    function _lenderAssetsAt(uint256 gross) private view returns (uint256) {
        int256 value =
            _capital +
                int256(gross / SCALE) -
                int256(_feesAt(gross) + _reserveAt(gross) + _provisions + _interestWrittenOff);
        return value > 0 ? uint256(value) : 0;
    }

    /// @inheritdoc ILedgerBook
    function cash() external view returns (uint256) {
        return _loadBook().cash;
    }

    /// @inheritdoc ILedgerBook
    function principalOutstanding() external view returns (uint256) {
        return _loadBook().principal;
    }

    /// @inheritdoc ILedgerBook
    function interestReceivable() external view returns (uint256) {
        Book memory book = _loadBook();
        // interest collected = cash + principal − capital; written-off interest is no longer receivable.
        int256 receivable =
            int256(_grossNow() / SCALE) + _capital - int256(uint256(book.cash) + book.principal + _interestWrittenOff);
        return receivable > 0 ? uint256(receivable) : 0;
    }

    /// @inheritdoc ILedgerBook
    function grossInterest() external view returns (uint256) {
        return _grossNow() / SCALE;
    }

    /// @inheritdoc ILedgerBook
    function penaltyIncome() external view returns (uint256) {
        return _penaltyIncome;
    }

    /// @inheritdoc ILedgerBook
    function bookValue() external view returns (uint256, uint256, uint256) {
        uint256 gross = _grossNow();
        return (_lenderAssetsAt(gross), gross / SCALE, _penaltyIncome);
    }

    /// @inheritdoc ILedgerBook
    function rateSum() external view returns (uint256) {
        return _loadAccrual().rateSum;
    }

    /// @inheritdoc ILedgerBook
    function protocolFeesOwed() public view returns (uint256) {
        return _feesAt(_grossNow());
    }

    /// @inheritdoc ILedgerBook
    function firstLossReserve() public view returns (uint256) {
        return _reserveAt(_grossNow());
    }

    /// @inheritdoc ILedgerBook
    function availableLiquidity() external view returns (uint256) {
        return _available(_loadBook());
    }

    /// @inheritdoc ILedgerBook
    function provisions() external view returns (uint256) {
        return _provisions;
    }

    /// @inheritdoc ILedgerBook
    function queueReserve() external view returns (uint256) {
        return _queueReserve;
    }

    /// @inheritdoc ILedgerBook
    function rates() external view returns (uint256 protocolFeeBps, uint256 firstLossBps, uint256 liquidityReserveBps) {
        Split memory split = _split;
        return (split.feeBps, split.firstLossBps, _loadBook().liquidityBps);
    }
}
