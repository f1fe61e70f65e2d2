// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IRiskLimits
/// @notice Portfolio limits every draw must pass (PRODUCT.md C8), the circuit breaker, and the risk role that can
/// only tighten them. Part of the CreditLedger's API.
///
/// Every limit is checked on each draw against values kept in O(1) aggregates, never by walking the book:
/// - per draw: `minDraw ≤ amount ≤ maxDraw`;
/// - per borrower: line principal outstanding after the draw ≤ `maxExposure` and ≤ `maxExposureBps` of the book
///   (cash + principal outstanding: the pool's assets before accrued interest, provisions and claims; in a block
///   with deposits, at most its value before the block's first deposit, so capital that arrives within a block
///   never loosens a cap);
/// - utilisation: principal outstanding after the draw ≤ `maxUtilisationBps` of the book;
/// - origination: a rolling-window bucket that fills with each draw and drains at `dailyOriginationCap` per 24 hours
///   (linearly, per second) must stay ≤ `dailyOriginationCap`. So the sustained rate is the cap per day and no burst
///   exceeds the cap; any 24-hour window sees at most twice the cap (a full bucket plus a day of drain);
/// - circuit breaker: new draws halt while the principal of loans 30+ days past due (buckets M2 and M3, as last
///   marked by `mark` or a payment) exceeds `breakerBps` of principal outstanding, and resume as soon as it is back
///   at or below it (cures, write-offs, repayments of late loans, or new marks move it; no one has to reset it).
///
/// A zero field means "no limit". Repayment, collection, marking, recoveries and lender exits never check a limit.
/// The contract starts with every limit off; a deployment sets them (the local deployment applies PRODUCT.md §6).
interface IRiskLimits {
    /// @notice The portfolio limits. Amounts in asset base units; shares in basis points (10,000 = 100 %). The ledger
    /// keeps them in one storage word (one cold read per draw): each amount as a 43-bit mantissa and a power of ten,
    /// so it refuses an amount it cannot store exactly (`LimitNotRepresentable`).
    struct Limits {
        uint96 minDraw;
        uint96 maxDraw;
        uint96 maxExposure;
        uint96 dailyOriginationCap;
        uint16 maxExposureBps;
        uint16 maxUtilisationBps;
        uint16 breakerBps;
        /// Cap on the APR of any draw, fees included (ICostDisclosure); 0 = the default `APR_CAP_BPS` (24 %), so a
        /// deployment that leaves it out still has the PRODUCT.md cap. Unlike the other fields it is never "off";
        /// at most 10,000 (100 %).
        uint16 aprCapBps;
    }

    /// @notice The limits and the aggregates they are checked against, as of now.
    struct RiskState {
        Limits limits;
        /// Principal of loans in buckets M2 and M3 (30+ days past due).
        uint256 principal30Plus;
        /// Principal outstanding in the whole book.
        uint256 principalOutstanding;
        /// Cash + principal outstanding: the base of the exposure and utilisation shares (a draw in a block with
        /// deposits uses at most the value before the block's first deposit).
        uint256 bookValue;
        /// Origination still counted by the rolling bucket now.
        uint256 originationInWindow;
        /// Whether the circuit breaker halts new draws now.
        bool breakerTripped;
    }

    /// @notice A draw below the minimum.
    error DrawBelowMinimum(uint256 amount, uint256 minDraw);
    /// @notice A draw above the maximum.
    error DrawAboveMaximum(uint256 amount, uint256 maxDraw);
    /// @notice The borrower's principal outstanding after the draw would pass its cap (the smaller of the absolute
    /// cap and the share of the book).
    error ExposureCapExceeded(address borrower, uint256 exposureAfter, uint256 cap);
    /// @notice Principal outstanding after the draw would pass the utilisation cap.
    error UtilisationCapExceeded(uint256 principalAfter, uint256 maxPrincipal);
    /// @notice The rolling origination bucket would pass its cap.
    error OriginationCapExceeded(uint256 originationAfter, uint256 cap);
    /// @notice The circuit breaker is tripped: `principal30Plus` of `principalOutstanding` is above `breakerBps`.
    error CircuitBreakerTripped(uint256 principal30Plus, uint256 principalOutstanding, uint256 breakerBps);
    /// @notice A share or the APR cap above 100 %, or a minimum draw above the maximum.
    error InvalidLimits();
    /// @notice An amount limit the ledger cannot store exactly: more than 43 bits of significant value (every amount
    /// below 8,796,093,022,208 base units is exact; a larger one must end in enough zeros, as round limits do).
    error LimitNotRepresentable(uint256 value);
    /// @notice The risk role may only tighten: `field` (0 minDraw, 1 maxDraw, 2 maxExposure, 3 dailyOriginationCap,
    /// 4 maxExposureBps, 5 maxUtilisationBps, 6 breakerBps, 7 a line's limit, 8 aprCapBps, 9 a product's outstanding
    /// cap, IProductLimits) would loosen from `current` to `requested` (0 means no limit, except for aprCapBps where
    /// it means the default cap).
    error LimitRaiseNotAllowed(uint8 field, uint256 current, uint256 requested);

    /// @notice Emitted on every change of the limits, with who changed them.
    event LimitsSet(Limits limits, address indexed by);
    /// @notice Emitted when the risk role cuts a line's limit.
    event LineLimitCut(address indexed borrower, uint256 previousLimit, uint256 newLimit, address indexed by);

    /// @notice Sets every limit (admin; put the admin role behind a timelock outside a local chain).
    function setLimits(Limits calldata limits) external;

    /// @notice Tightens the limits (risk role): each field must be at least as strict as now, or this reverts
    /// with `LimitRaiseNotAllowed`. The emergency lever next to `pause`; it can never raise risk or move funds.
    function tightenLimits(Limits calldata limits) external;

    /// @notice Lowers a borrower's line limit (risk role); never raises it. Loans already drawn are untouched.
    function cutLine(address borrower, uint256 newLimit) external;
}
