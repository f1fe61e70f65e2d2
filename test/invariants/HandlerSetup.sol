// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MicrocreditBase} from "../utils/MicrocreditBase.sol";
import {ILedgerHandler} from "./ILedgerHandler.sol";

/// The invariant suite's deployment: the handler, its model and wallet actor, five borrowers with lines (four with
/// mandates), and the handler's actions as fuzz targets. Shared by the suite and by replays of its counterexamples.
abstract contract HandlerSetup is MicrocreditBase {
    ILedgerHandler internal handler;

    function setUp() public override {
        super.setUp();
        // The handler, its model and its wallet actor come from their artifacts (see ILedgerHandler).
        address model = deployCode("LedgerModel.sol:LedgerModel", abi.encode(token, ledger));
        address wallets = deployCode("WalletActor.sol:WalletActor", abi.encode(token, ledger));
        handler = ILedgerHandler(
            deployCode(
                "LedgerHandler.sol:LedgerHandler",
                abi.encode(
                    token,
                    ledger,
                    pool,
                    model,
                    wallets,
                    ILedgerHandler.Roles({
                        admin: admin,
                        underwriter: underwriter,
                        pauser: pauser,
                        thirdParty: recipient
                    }),
                    lender,
                    INITIAL_DEPOSIT
                )
            )
        );
        address[] memory borrowers = handler.borrowersList();
        for (uint256 i = 0; i < borrowers.length; ++i) _openLine(borrowers[i], 100_000e6, 1_000 + 300 * i);
        // Three borrowers start with an uncapped mandate and one with a cap, so collection has loans to collect
        // from the first call; the handler sets, changes and revokes mandates from there.
        for (uint256 i = 0; i < 4; ++i) {
            vm.prank(borrowers[i]);
            ledger.setMandate(i == 3 ? 500e6 : 0);
        }

        // Time, draws, repayments, collection and marking are listed several times: the fuzzer picks an entry
        // uniformly.
        bytes4[] memory selectors = new bytes4[](36);
        selectors[0] = ILedgerHandler.deposit.selector;
        selectors[1] = ILedgerHandler.withdraw.selector;
        selectors[2] = ILedgerHandler.requestRedeem.selector;
        selectors[3] = ILedgerHandler.cancelRedeem.selector;
        selectors[4] = ILedgerHandler.processRedemptions.selector;
        selectors[5] = ILedgerHandler.donate.selector;
        selectors[6] = ILedgerHandler.setLine.selector;
        selectors[7] = ILedgerHandler.setPaused.selector;
        selectors[8] = ILedgerHandler.setRates.selector;
        selectors[9] = ILedgerHandler.claimFees.selector;
        for (uint256 i = 10; i < 13; ++i) selectors[i] = ILedgerHandler.warp.selector;
        for (uint256 i = 13; i < 17; ++i) selectors[i] = ILedgerHandler.draw.selector;
        for (uint256 i = 17; i < 21; ++i) selectors[i] = ILedgerHandler.repay.selector;
        selectors[21] = ILedgerHandler.warpLong.selector;
        selectors[22] = ILedgerHandler.warpToEdge.selector;
        selectors[23] = ILedgerHandler.setRiskParams.selector;
        selectors[24] = ILedgerHandler.setMandate.selector;
        selectors[25] = ILedgerHandler.setWallet.selector;
        for (uint256 i = 26; i < 28; ++i) selectors[i] = ILedgerHandler.collect.selector;
        for (uint256 i = 28; i < 30; ++i) selectors[i] = ILedgerHandler.mark.selector;
        for (uint256 i = 30; i < 32; ++i) selectors[i] = ILedgerHandler.recover.selector;
        selectors[32] = ILedgerHandler.setKyc.selector;
        selectors[33] = ILedgerHandler.setProductCap.selector;
        selectors[34] = ILedgerHandler.flashRoundTrip.selector;
        selectors[35] = ILedgerHandler.flashDraw.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }
}
