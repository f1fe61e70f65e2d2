// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {MockStablecoin} from "../contracts/mocks/MockStablecoin.sol";
import {ICreditLedger} from "../contracts/interfaces/ICreditLedger.sol";
import {ITestLedger, IMicrocreditDeployer} from "./utils/ITestLedger.sol";
import {ILendingPool} from "../contracts/interfaces/ILendingPool.sol";
import {LedgerViews} from "../contracts/libraries/LedgerViews.sol";
import {ILedger} from "./invariants/ILedger.sol";

using LedgerViews for ICreditLedger;
using LedgerViews for ILedger;
using LedgerViews for ITestLedger;

/// Fuzzed sequences of draws, repayments and time jumps over all four methods.
/// Properties checked after every step:
/// - principal never negative: each loan's outstanding principal ≤ its principal; a closed loan repaid exactly it;
/// - the line and the book agree: line.outstanding == ledger.principalOutstanding() == Σ loans' outstanding;
/// - cash identity: cash + outstanding principal == deposits + interest collected (no fees are claimed here).
contract DrawRepayFuzzTest is Test {
    MockStablecoin internal token;
    ITestLedger internal ledger;
    ILendingPool internal pool;
    uint256 internal constant DEPOSIT = 1_000_000e6;
    uint256[] internal loanIds;
    uint256 internal interestCollected;

    function setUp() public {
        vm.chainId(31337);
        token = new MockStablecoin();
        address module = deployCode("CollectionModule.sol:CollectionModule", abi.encode(token));
        IMicrocreditDeployer deployer = IMicrocreditDeployer(
            deployCode(
                "MicrocreditDeployer.sol:MicrocreditDeployer",
                abi.encode(
                    token,
                    "P",
                    "P",
                    address(this),
                    module,
                    deployCode("DelinquencyModule.sol:DelinquencyModule", abi.encode(token)),
                    deployCode("ConfigModule.sol:ConfigModule", abi.encode(token)),
                    deployCode("ViewModule.sol:ViewModule", abi.encode(token))
                )
            )
        );
        ledger = ITestLedger(deployer.ledger());
        pool = ILendingPool(deployer.pool());
        ledger.grantRole(ledger.UNDERWRITER_ROLE(), address(this));
        ledger.setProduct(0, 0, 3, 30, true);
        ledger.setProduct(1, 0, 12, 30, true);
        ledger.setProduct(2, 1, 12, 30, true);
        ledger.setProduct(3, 2, 6, 30, true);
        ledger.setProduct(4, 3, 2, 30, true);
        token.faucet(address(this), 10_000_000e6);
        token.approve(address(pool), type(uint256).max);
        token.approve(address(ledger), type(uint256).max);
        pool.deposit(DEPOSIT, address(this));
        ledger.setLine(address(this), 200_000e6, 2_000, 0x1f, ICreditLedger.LineStatus.Active);
    }

    function testFuzz_drawRepaySequence_keepsPrincipalAndCashIdentities(uint256 seed) public {
        for (uint256 step = 0; step < 14; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            uint256 action = r % 3;
            if (action == 0 || loanIds.length == 0) {
                uint256 available = ledger.lineOf(address(this)).available;
                if (available < 10e6) continue;
                uint256 amount = bound(r >> 8, 10e6, available < 20_000e6 ? available : 20_000e6);
                loanIds.push(ledger.draw(uint8((r >> 128) % 5), amount));
            } else if (action == 1) {
                uint256 loanId = loanIds[(r >> 8) % loanIds.length];
                ICreditLedger.LoanView memory v = ledger.loanState(loanId);
                if (v.status != ICreditLedger.LoanStatus.Active) continue;
                uint256 amount = (r >> 64) % 4 == 0 ? type(uint256).max : bound(r >> 96, 1, v.payoff);
                uint256 paid = ledger.repay(loanId, amount);
                uint256 principalAfter = ledger.loanState(loanId).principalOutstanding;
                assertLe(principalAfter, v.principalOutstanding, "a repayment never adds principal");
                interestCollected += paid - (v.principalOutstanding - principalAfter);
            } else {
                vm.warp(block.timestamp + bound(r >> 8, 1 hours, 40 days));
            }
            _checkInvariants();
        }
    }

    function _checkInvariants() internal view {
        uint256 sum;
        for (uint256 i = 0; i < loanIds.length; ++i) {
            ICreditLedger.Loan memory loan = ledger.loanRecord(loanIds[i]);
            assertLe(loan.principalPaid, loan.principal, "principal never negative");
            if (loan.status == ICreditLedger.LoanStatus.Repaid) {
                assertEq(loan.principalPaid, loan.principal, "a closed loan repaid exactly its principal");
            } else {
                sum += loan.principal - loan.principalPaid;
            }
        }
        assertEq(ledger.principalOutstanding(), sum, "book principal = sum of loans");
        assertEq(ledger.lineOf(address(this)).outstanding, sum, "line outstanding = sum of loans");
        assertEq(ledger.cash() + ledger.principalOutstanding(), DEPOSIT + interestCollected, "cash identity");
    }
}
