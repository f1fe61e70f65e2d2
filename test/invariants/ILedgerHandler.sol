// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// What LedgerInvariants sees of the LedgerHandler: its ghost books and the actions the fuzzer calls. The suite
/// deploys the handler from its artifact and talks to it through this interface, so the suite's compilation job
/// does not carry the handler's code (with it, the job overflows the wasm compiler's memory under `--coverage`).
interface ILedgerHandler {
    /// The accounts that are not lenders or borrowers.
    struct Roles {
        address admin;
        address underwriter;
        address pauser;
        /// Receives `drawTo` payouts and pays other people's loans.
        address thirdParty;
    }

    /// Ghost books, counters and the largest share-price falls (in assets per 1e18 shares, scaled by 1e18).
    struct Ghost {
        uint256 deposits;
        uint256 withdrawals;
        uint256 queuePayouts;
        uint256 feesClaimed;
        uint256 donations;
        uint256 interestCollected;
        uint256 escrowedShares;
        /// LEDGER_D: draws that left a line above its limit.
        uint256 limitBreaches;
        /// POOL_E: falls beyond dust outside the known true-up.
        uint256 priceDrops;
        uint256 largestPriceDrop;
        /// KI-1 diagnostics: falls on calls that touched a loan with something past due.
        uint256 lateTrueUpDrops;
        uint256 largestLateTrueUpDrop;
        /// Outcomes the contracts decided differently from the handler's model.
        uint256 unexpected;
        uint256 totalCalls;
        /// Write-offs (principal and interest of defaulted loans, from `LoanDefaulted`) and recoveries paid on them.
        uint256 principalWrittenOff;
        uint256 interestWrittenOff;
        uint256 recoveries;
        uint256 defaults;
        /// Batch entries `collect` collected something for, and entries it skipped with `CollectionFailed`.
        uint256 collections;
        uint256 failedCollections;
        /// POOL_F: Σ over loans of the provision the handler worked out at the loan's last touch.
        uint256 provisions;
        /// Bumped whenever setRiskParams changes a provision rate: a loan's provision follows the rates in force
        /// at its last touch.
        uint256 riskEpoch;
        /// COLL_A: per loan and call, collections above the `dueNow` read before the call; and second collects
        /// in the same block that pulled something for a loan whose due the first collected in full.
        uint256 overCollections;
        uint256 secondCollections;
        /// COLL_B: stored buckets that differ from `bucketOf` on the view, and second marks that changed state.
        uint256 bucketMismatches;
        uint256 markChanges;
        /// POOL_G: price falls beyond the loss booked in the call (and the allowances of POOL_E, bounded).
        uint256 lossDrops;
        uint256 largestLossDrop;
        /// KI-5 diagnostics: calls that started with totalAssets 0 and shares outstanding.
        uint256 insolventCalls;
        /// POOL_H: deposit → (a step) → redeem round trips in one block that got back more than they put in.
        uint256 flashGains;
        uint256 largestFlashGain;
        uint256 flashRoundTrips;
        /// POOL_I: `processRedemptions(n)` calls that moved the queue's head by more than n.
        uint256 queueOverreach;
        /// LEDGER_H: draws accepted above an exposure cap on the book before the block's deposits, draws within it
        /// that the exposure cap refused, and how many deposit → draw sequences in one block tried.
        uint256 capsLoosened;
        uint256 capsTightened;
        uint256 flashDraws;
        /// COLL_C: observations of a loan's oldest unpaid due date that moved without a payment, or moved back;
        /// and how many observations compared two dates.
        uint256 dueDateMoves;
        uint256 dueDateComparisons;
        /// POOL_G: reads of the book whose gross interest was below the penalty paid (penalty is part of gross).
        uint256 grossBelowPenalty;
    }

    /// What went wrong last, for the failure messages.
    struct Notes {
        string lastUnexpected;
        bytes lastUnexpectedData;
        string lastPriceDrop;
        string lastLossDrop;
        string lastCollection;
        string lastBucket;
        string lastDueDateMove;
    }

    /// What is left of a written-off loan, as the handler works it out from `LoanDefaulted` and `Recovered`.
    struct Claim {
        uint256 claimLeft;
        uint256 lenderLossLeft;
        uint256 reserveLeft;
    }

    // ---------------------------------------------------------------- actions (the fuzzer's targets)

    function deposit(uint256 actorSeed, uint256 assets) external;
    function withdraw(uint256 actorSeed, uint256 assets) external;
    function requestRedeem(uint256 actorSeed, uint256 shares) external;
    function cancelRedeem(uint256 requestSeed) external;
    function processRedemptions(uint256 maxRequests) external;
    function flashRoundTrip(uint256 actorSeed, uint256 assets, uint256 loanSeed, uint256 mode) external;
    function flashDraw(uint256 actorSeed, uint256 assets, uint256 borrowerSeed, uint256 bps) external;
    function donate(uint256 amount) external;
    function setLine(
        uint256 borrowerSeed,
        uint256 limit,
        uint256 aprBps,
        uint32 productMask,
        uint256 statusSeed
    ) external;
    function setKyc(uint256 borrowerSeed, uint256 expirySeed) external;
    function setPaused(uint256 seed) external;
    function setRates(uint256 feeBps, uint256 firstLossBps, uint256 liquidityBps) external;
    function setProductCap(uint256 productSeed, uint256 capSeed) external;
    function claimFees(uint256 amount) external;
    function warp(uint256 seconds_) external;
    function warpLong(uint256 seconds_) external;
    function warpToEdge(uint256 loanSeed, uint256 edgeSeed) external;
    function setRiskParams(
        uint256 seed,
        uint16 graceDays,
        uint16 defaultDays,
        uint16 penaltyBps,
        uint16 m1,
        uint16 m2,
        uint16 m3
    ) external;
    function setMandate(uint256 borrowerSeed, uint256 cap, uint256 mode) external;
    function setWallet(uint256 borrowerSeed, uint256 balance, uint256 allowance) external;
    function draw(uint256 borrowerSeed, uint256 productSeed, uint256 amount, bool toThirdParty) external;
    function repay(uint256 loanSeed, uint256 mode, uint256 amount) external;
    function collect(uint256 subsetSeed, uint256 size) external;
    function mark(uint256 subsetSeed, uint256 size) external;
    function recover(uint256 loanSeed, uint256 mode, uint256 amount) external;

    // ---------------------------------------------------------------- ghost books and views

    /// LedgerHandler.KNOWN_ISSUE_INSOLVENT_POOL: whether KI-5's exemptions apply (also read by LEDGER_G).
    function KNOWN_ISSUE_INSOLVENT_POOL() external view returns (bool);

    function currentTime() external view returns (uint256);
    function loans(uint256 index) external view returns (uint256);
    function loanCount() external view returns (uint256);
    function ghost() external view returns (Ghost memory);
    function note() external view returns (Notes memory);
    function ghostCapital() external view returns (int256);
    function lendersList() external view returns (address[] memory);
    function borrowersList() external view returns (address[] memory);
    function ghost_shares(address actor) external view returns (uint256);
    function ghost_principalRepaid(uint256 loanId) external view returns (uint256);
    function ghost_principalWrittenOff(uint256 loanId) external view returns (uint256);
    function ghost_provision(uint256 loanId) external view returns (uint256);
    function ghost_provisionEpoch(uint256 loanId) external view returns (uint256);
    function claimOf(uint256 loanId) external view returns (Claim memory);
    function activeLoan(uint256 seed) external view returns (uint256);
    function lateLoan(uint256 seed) external view returns (uint256);
    function defaultedLoan(uint256 seed) external view returns (uint256);
}
