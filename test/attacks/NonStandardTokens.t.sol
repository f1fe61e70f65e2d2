// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ICreditLedger} from "../../contracts/interfaces/ICreditLedger.sol";
import {AttackBase, MintableToken} from "./AttackBase.sol";
import {ITestLedger} from "../utils/ITestLedger.sol";
import {ILendingPool} from "../../contracts/interfaces/ILendingPool.sol";
import {LedgerViews} from "../../contracts/libraries/LedgerViews.sol";
import {ILedger} from "../invariants/ILedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// A USDT-style token: `transfer`, `transferFrom` and `approve` return nothing (and revert on failure).
contract NoReturnToken {
    error InsufficientBalance(address from, uint256 balance, uint256 needed);
    error InsufficientAllowance(address spender, uint256 allowance, uint256 needed);

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    uint256 public totalSupply;
    mapping(address account => uint256) public balanceOf;
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    function name() external pure returns (string memory) {
        return "No Return USD";
    }

    function symbol() external pure returns (string memory) {
        return "nrUSD";
    }

    function decimals() external pure returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function approve(address spender, uint256 amount) external {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
    }

    function transfer(address to, uint256 amount) external {
        _move(msg.sender, to, amount);
    }

    function transferFrom(address from, address to, uint256 amount) external {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < amount) revert InsufficientAllowance(msg.sender, allowed, amount);
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        _move(from, to, amount);
    }

    function _move(address from, address to, uint256 amount) internal {
        uint256 balance = balanceOf[from];
        if (balance < amount) revert InsufficientBalance(from, balance, amount);
        balanceOf[from] = balance - amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}

/// A token whose `transferFrom` returns `false` (without reverting and without moving anything) for refused senders.
contract FalseReturnToken is MintableToken {
    mapping(address account => bool) public refused;

    constructor() MintableToken("False USD", "fUSD") {}

    function setRefused(address account, bool on) external {
        refused[account] = on;
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (refused[from]) return false;
        return super.transferFrom(from, to, value);
    }
}

/// A fee-on-transfer token: 1% of every transfer (not mints) is burnt on the way.
contract FeeOnTransferToken is MintableToken {
    uint256 public constant FEE_BPS = 100;

    constructor() MintableToken("Fee USD", "feeUSD") {}

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = (value * FEE_BPS) / 10_000;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}

/// Attack surface: non-standard assets. The pool asset must be a plain ERC-20 (DESIGN.md, "Collection choices"):
/// no fee on transfer, no rebasing. Choosing the asset is a deployment-time decision of the admin; these tests pin
/// down what the contracts do with each kind of token.
///
/// - No return value (USDT-style): accepted. Deposits, draws, withdrawals and repayments go through SafeERC20;
///   collection's `_tryPull` counts empty return data as success. Without that handling (a plain `IERC20` call
///   that decodes a `bool`), `test_noReturnToken_fullCycleWorks` would revert on the first deposit.
/// - Returns `false`: a refused pull is a failed pull. `collect` emits `CollectionFailed(loanId, 5)` and changes
///   nothing; a manual repayment reverts with `SafeERC20FailedOperation`. Without the check of the return value the
///   loan would be credited for tokens that never arrived and `assertEq(hash of loan record, before)` would fail.
/// - Fee on transfer: NOT supported, and not measured on every transfer (that would cost a balance read per pull).
///   The test shows the ledger then books more cash than it holds: the POOL_A check (`balanceOf(ledger) >= cash`)
///   that monitoring and the invariant suite run fails from the first deposit, and the last lenders cannot get out.
///   docs/SECURITY.md lists such assets as forbidden for a deployment.
contract NonStandardTokensTest is AttackBase {
    uint256 internal constant POOL_DEPOSIT = 100_000e6;
    uint256 internal constant LOAN = 3_000e6;

    function _lend(address asset, ILendingPool p) internal {
        MintableToken(asset).mint(lender, POOL_DEPOSIT);
        vm.startPrank(lender);
        MintableToken(asset).approve(address(p), type(uint256).max);
        p.deposit(POOL_DEPOSIT, lender);
        vm.stopPrank();
    }

    function _lineAndDraw(ITestLedger l, address who) internal returns (uint256 loanId) {
        vm.prank(underwriter);
        l.setLine(who, LOAN, APR, ALL_PRODUCTS_MASK, ICreditLedger.LineStatus.Active);
        vm.prank(who);
        loanId = l.draw(0, LOAN);
    }

    function _ids(uint256 loanId) internal pure returns (uint256[] memory ids) {
        ids = new uint256[](1);
        ids[0] = loanId;
    }

    // ---------------------------------------------------------------- no return value

    function test_noReturnToken_fullCycleWorks() public {
        NoReturnToken t = new NoReturnToken();
        (ITestLedger l, ILendingPool p) = _deployWith(address(t));
        t.mint(lender, POOL_DEPOSIT);
        vm.startPrank(lender);
        t.approve(address(p), type(uint256).max);
        p.deposit(POOL_DEPOSIT, lender);
        vm.stopPrank();
        assertEq(l.cash(), POOL_DEPOSIT);

        uint256 drawnAt = block.timestamp;
        uint256 loanId = _lineAndDraw(l, borrower);
        assertEq(t.balanceOf(borrower), LOAN, "draw paid out");
        t.mint(borrower, 1_000e6);
        vm.startPrank(borrower);
        t.approve(address(l), type(uint256).max);
        l.setMandate(0);
        vm.stopPrank();

        // Instalment 1 by collection (empty return data is success), instalment 2 by a manual repayment.
        uint256 due = _instalment(LOAN, APR, 3);
        vm.warp(drawnAt + 30 days);
        vm.expectEmit(address(l));
        emit ICreditLedger.Collected(loanId, address(uint160(loanId >> 96)), due);
        vm.prank(keeper);
        assertEq(l.collect(_ids(loanId)), due);
        vm.warp(drawnAt + 60 days);
        vm.prank(borrower);
        assertEq(l.repay(loanId, due), due);
        vm.warp(drawnAt + 90 days);
        vm.prank(borrower);
        l.repay(loanId, type(uint256).max);
        assertEq(uint8(l.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Repaid));
        assertEq(t.balanceOf(address(l)), l.cash(), "POOL_A");

        uint256 max = p.maxWithdraw(lender);
        vm.prank(lender);
        p.withdraw(max, lender, lender);
        assertEq(t.balanceOf(lender), max, "withdrawal paid out");
        assertEq(t.balanceOf(address(l)), l.cash(), "POOL_A");
    }

    // ---------------------------------------------------------------- returns false

    function test_falseReturnToken_collectFailsWithReason5_andChangesNothing() public {
        FalseReturnToken t = new FalseReturnToken();
        (ITestLedger l, ILendingPool p) = _deployWith(address(t));
        _lend(address(t), p);
        uint256 loanId = _lineAndDraw(l, borrower);
        t.mint(borrower, 1_000e6);
        vm.startPrank(borrower);
        t.approve(address(l), type(uint256).max);
        l.setMandate(0);
        vm.stopPrank();
        vm.warp(block.timestamp + 30 days);
        t.setRefused(borrower, true);

        bytes32 loanBefore = keccak256(abi.encode(l.loanRecord(loanId)));
        uint256 cash = l.cash();
        uint256 assets = l.lenderAssets();
        uint256 balance = t.balanceOf(borrower);
        vm.expectEmit(address(l));
        emit ICreditLedger.CollectionFailed(loanId, 5);
        vm.prank(keeper);
        assertEq(l.collect(_ids(loanId)), 0);

        assertEq(keccak256(abi.encode(l.loanRecord(loanId))), loanBefore, "loan untouched");
        assertEq(l.cash(), cash, "cash");
        assertEq(l.lenderAssets(), assets, "lender assets");
        assertEq(t.balanceOf(borrower), balance, "borrower balance");
        assertEq(t.balanceOf(address(l)), l.cash(), "POOL_A");
        assertEq(l.dueNow(loanId), _instalment(LOAN, APR, 3), "still due");

        // A manual repayment by the refused payer reverts as a whole.
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(t)));
        vm.prank(borrower);
        l.repay(loanId, 100e6);
        assertEq(keccak256(abi.encode(l.loanRecord(loanId))), loanBefore, "loan untouched");

        // Once the token accepts the pull again, the keeper collects the instalment.
        t.setRefused(borrower, false);
        vm.prank(keeper);
        assertEq(l.collect(_ids(loanId)), _instalment(LOAN, APR, 3));
    }

    // ---------------------------------------------------------------- fee on transfer

    function test_feeOnTransfer_booksMoreCashThanArrives_caughtByPoolA() public {
        FeeOnTransferToken t = new FeeOnTransferToken();
        (ITestLedger l, ILendingPool p) = _deployWith(address(t));
        assertTrue(_poolA(address(t), l), "holds before any transfer");

        _lend(address(t), p);
        uint256 fee = POOL_DEPOSIT / 100;
        assertEq(l.cash(), POOL_DEPOSIT, "cash booked as sent");
        assertEq(t.balanceOf(address(l)), POOL_DEPOSIT - fee, "what arrived");
        assertFalse(_poolA(address(t), l), "POOL_A fails from the first deposit");
        assertEq(p.totalAssets(), POOL_DEPOSIT, "the lender's shares are valued at what it sent");

        // The borrower gets less than its loan; a repayment credits the loan with more than arrives.
        uint256 loanId = _lineAndDraw(l, borrower);
        assertEq(t.balanceOf(borrower), LOAN - LOAN / 100, "borrower received principal less the fee");
        t.mint(borrower, 1_000e6);
        vm.startPrank(borrower);
        t.approve(address(l), type(uint256).max);
        uint256 paid = l.repay(loanId, type(uint256).max);
        vm.stopPrank();
        assertEq(uint8(l.loanRecord(loanId).status), uint8(ICreditLedger.LoanStatus.Repaid), "credited in full");
        uint256 gap = l.cash() - t.balanceOf(address(l));
        assertEq(gap, fee + paid / 100, "gap = fee on the deposit + fee on the repayment");

        // The shortfall lands on the last lender out: with no liquidity reserve, a full exit fails.
        vm.prank(admin);
        l.setRates(500, 1_000, 0);
        uint256 max = p.maxWithdraw(lender);
        assertEq(max, l.cash(), "the book says the whole cash may leave");
        // The token burns its fee first, then finds the rest short.
        uint256 toBurn = max / 100;
        uint256 held = t.balanceOf(address(l));
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector,
                address(l),
                held - toBurn,
                max - toBurn
            )
        );
        vm.prank(lender);
        p.withdraw(max, lender, lender);
    }
}
