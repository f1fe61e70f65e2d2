// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {HandlerSetup} from "./HandlerSetup.sol";
import {ILedgerHandler} from "./ILedgerHandler.sol";

/// Sequences the invariant suite once failed on, replayed call by call through the same handler, so that each stays
/// fixed whatever path the fuzzer takes next.
contract InvariantCounterexamples is HandlerSetup {
    /// POOL_G: a `mark` that writes off the last open loans after long waits. The price fell by the lenders' loss and
    /// the true-up of gross interest, but the handler measured that true-up 4 units short: it rebuilt gross from
    /// interestReceivable, which clamps at 0 once the units KI-3 leaves in cash outweigh what is left receivable.
    /// The handler now reads `grossInterest()`.
    function test_POOL_G_writeOffAfterLongWaits() public {
        handler.flashDraw(
            15700929630,
            69450191771581685202668,
            10166163333296948111926463948705325789223642977331641,
            91879724505685481883919187377515
        );
        handler.setLine(
            52279052361464016715472322809226256991893130531933688412948390,
            113224944330329294027216579571346603345289892804627520067,
            132679306423794948,
            18,
            334224867228671575
        );
        handler.setLine(
            1430665331781041848290166406,
            1393547296025911422680108679798770457066582578737350061324626816,
            4630586814338051765007007089,
            1695232305,
            55929219799874811404176848907682026835880673
        );
        handler.setLine(
            10587186605273070780837400651076768728730896020,
            916972363907184008199576136678153764799181832590092405852337171159455,
            63239389469457987760462913205149649367598924301914475196023519,
            3030079,
            6603782100304
        );
        handler.draw(
            7971796034627921774248140707051489119370043134559105457780954046238961,
            18867967614673669316720247189912525670023883408894611092047668662,
            2,
            false
        );
        handler.warp(type(uint256).max - 1);
        handler.warpLong(108389158497622566660558384366);
        handler.draw(
            141466427706725724086564615374506732732701737891739,
            2835981256231151760892774094330247224979686514376711864340143077342592576,
            15493180587827242711123077099550,
            true
        );
        handler.draw(
            18471156341411893440644858940301359473938300651,
            16640599416360949430083,
            58270452816037477229666,
            true
        );
        handler.draw(8567, 8966, 19855, false);
        handler.draw(
            3603057442784877916331248349733712544195728155130488707903337887688,
            9598412080760408324305566103092720088308365803246341629397891905691,
            19301285985129802969297186043177491751535361734654116,
            false
        );
        handler.warp(17145);
        handler.warpLong(39140865812653143478567542051845804511768965453348670895973114424021);
        handler.warpLong(21968389402707504639365723971);
        handler.warpLong(29713);
        handler.mark(49265219986684361315, 366612277791775360889550701024367441723756256);
        handler.mark(8408, 679);
        ILedgerHandler.Ghost memory g = handler.ghost();
        assertGt(g.defaults, 0, "the sequence writes a loan off");
        assertEq(g.lossDrops, 0, handler.note().lastLossDrop);
        assertEq(g.unexpected, 0, handler.note().lastUnexpected);
    }
}
