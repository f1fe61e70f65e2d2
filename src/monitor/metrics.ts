// The monitor's numbers, as pure functions of the loans it knows: book metrics at one moment (outstanding by bucket,
// utilisation, NPL, 30+ DPD share, concentration), roll rates between two snapshots, vintage curves and origination
// by day. Money stays bigint; a ratio is `Number(amount) / Number(total)`, 0 when the total is 0.
import { Bucket, BUCKET_NAMES } from "../core/buckets.ts";

export { Bucket, BUCKET_NAMES };

const DAY = 86_400;
/** Vintage curves count months on book in 30-day months (the products' period, PRODUCT.md §4). */
export const MONTH_SECONDS = 30 * DAY;
const YEAR = 365 * DAY;

/** A share: `amount` of `total`, and the ratio. */
export interface Share {
  amount: bigint;
  total: bigint;
  ratio: number;
}

export function ratio(amount: bigint, total: bigint): number {
  return total === 0n ? 0 : Number(amount) / Number(total);
}

export function share(amount: bigint, total: bigint): Share {
  return { amount, total, ratio: ratio(amount, total) };
}

/** An active loan at one moment: principal outstanding and the bucket it belongs in by time (not as stored). */
export interface LoanPosition {
  loanId: bigint;
  borrower: string;
  outstanding: bigint;
  bucket: number;
}

export interface BorrowerExposure {
  borrower: string;
  outstanding: bigint;
}

export interface BookMetrics {
  /** Active loans. */
  loans: number;
  /** Principal outstanding of active loans. */
  outstanding: bigint;
  /** Principal outstanding and loan count per bucket, indexed by `Bucket` (current … default). */
  byBucket: { principal: bigint[]; loans: number[] };
  /** Outstanding / pool value (`LendingPool.totalAssets()`). */
  utilisation: Share;
  /** Outstanding more than `defaultDays` past due (bucket Default, not yet written off) / outstanding. */
  npl: Share;
  /** Outstanding more than 30 days past due (M2, M3, Default) / outstanding: what the circuit breaker measures. */
  pastDue30: Share;
  concentration: {
    /** Largest borrower's outstanding / outstanding. */
    top1: Share;
    /** Ten largest borrowers' outstanding / outstanding. */
    top10: Share;
    /** The ten largest borrowers, largest first (ties by address). */
    top: BorrowerExposure[];
  };
}

/** Borrowers by outstanding principal, largest first; equal amounts in address order. */
export function exposures(positions: LoanPosition[]): BorrowerExposure[] {
  const byBorrower = new Map<string, bigint>();
  for (const p of positions) {
    const b = p.borrower.toLowerCase();
    byBorrower.set(b, (byBorrower.get(b) ?? 0n) + p.outstanding);
  }
  return [...byBorrower]
    .map(([borrower, outstanding]) => ({ borrower, outstanding }))
    .sort((a, b) =>
      a.outstanding === b.outstanding
        ? a.borrower.localeCompare(b.borrower)
        : a.outstanding > b.outstanding
          ? -1
          : 1,
    );
}

/** Book metrics of the active loans `positions` against a pool worth `poolValue`. */
export function bookMetrics(positions: LoanPosition[], poolValue: bigint): BookMetrics {
  const principal = BUCKET_NAMES.map(() => 0n);
  const loans = BUCKET_NAMES.map(() => 0);
  let outstanding = 0n;
  for (const p of positions) {
    principal[p.bucket] += p.outstanding;
    loans[p.bucket]++;
    outstanding += p.outstanding;
  }
  const top = exposures(positions).slice(0, 10);
  const sum = (from: number) => principal.slice(from).reduce((s, v) => s + v, 0n);
  return {
    loans: positions.length,
    outstanding,
    byBucket: { principal, loans },
    utilisation: share(outstanding, poolValue),
    npl: share(principal[Bucket.Default], outstanding),
    pastDue30: share(sum(Bucket.M2), outstanding),
    concentration: {
      top1: share(top[0]?.outstanding ?? 0n, outstanding),
      top10: share(
        top.reduce((s, e) => s + e.outstanding, 0n),
        outstanding,
      ),
      top,
    },
  };
}

// ---------------------------------------------------------------- roll rates

/** The roll ladder: grace counts as performing (paid within grace is on time, PRODUCT.md C5). */
export const ROLL_STAGES = ["performing", "M1", "M2", "M3", "default"] as const;

/** A bucket's rung on the roll ladder: current and grace 0, M1 1, M2 2, M3 3, default 4. */
export function rollStage(bucket: number): number {
  return bucket <= Bucket.Grace ? 0 : bucket - 1;
}

/** A loan at a snapshot. */
export interface RollPoint {
  bucket: number;
  outstanding: bigint;
}

export interface RollRate {
  from: (typeof ROLL_STAGES)[number];
  to: (typeof ROLL_STAGES)[number];
  /** Outstanding (at the earlier snapshot) of the loans on rung `from` then and on a worse rung now. */
  rolled: bigint;
  /** Outstanding (at the earlier snapshot) of the loans on rung `from` then. */
  base: bigint;
  rate: number;
}

/**
 * Roll rates between two snapshots, one per rung (performing → M1, M1 → M2, M2 → M3, M3 → default): of the
 * principal outstanding on a rung at `before`, the share whose loan is on a worse rung at `after`. A loan written off
 * in between (`writtenOff`) rolled to default; a loan repaid in between stays in the base only; loans drawn in
 * between are not counted.
 */
export function rollRates(
  before: ReadonlyMap<bigint, RollPoint>,
  after: ReadonlyMap<bigint, RollPoint>,
  writtenOff: (loanId: bigint) => boolean,
): RollRate[] {
  const rolled = [0n, 0n, 0n, 0n];
  const base = [0n, 0n, 0n, 0n];
  for (const [loanId, then] of before) {
    const from = rollStage(then.bucket);
    if (from >= 4) continue;
    base[from] += then.outstanding;
    const now = after.get(loanId);
    const to = now ? rollStage(now.bucket) : writtenOff(loanId) ? 4 : -1;
    if (to > from) rolled[from] += then.outstanding;
  }
  return base.map((b, i) => ({
    from: ROLL_STAGES[i],
    to: ROLL_STAGES[i + 1],
    rolled: rolled[i],
    base: b,
    rate: ratio(rolled[i], b),
  }));
}

// ---------------------------------------------------------------- vintages and origination

/** What the vintage and origination views need of a loan; times in unix seconds. */
export interface VintageLoan {
  drawnAt: number;
  principal: bigint;
  /** Set once written off: when, and the principal outstanding at write-off. */
  defaultedAt?: number;
  defaultedPrincipal?: bigint;
}

export interface VintagePoint {
  /** Months on book: defaults within `mob` × 30 days of each loan's draw. */
  mob: number;
  defaulted: bigint;
  rate: number;
}

export interface Vintage {
  /** Origination month, UTC, "YYYY-MM". */
  cohort: string;
  loans: number;
  originated: bigint;
  defaults: number;
  /** Cumulative default rate by months on book, from 1 to the age of the cohort's oldest loan (rounded up). */
  points: VintagePoint[];
}

export const utcDay = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);
export const utcMonth = (seconds: number) => utcDay(seconds).slice(0, 7);

/**
 * Vintage curves at `now`: loans grouped by origination month; for each months-on-book k, the principal of the
 * cohort's loans written off within k × 30 days of their draw (principal outstanding at write-off) over the
 * principal the cohort originated.
 */
export function vintageCurves(loans: VintageLoan[], now: number, monthSeconds = MONTH_SECONDS): Vintage[] {
  const cohorts = new Map<string, VintageLoan[]>();
  for (const l of loans) {
    const key = utcMonth(l.drawnAt);
    const list = cohorts.get(key);
    if (list) list.push(l);
    else cohorts.set(key, [l]);
  }
  return [...cohorts.keys()].sort().map((cohort) => {
    const list = cohorts.get(cohort)!;
    const originated = list.reduce((s, l) => s + l.principal, 0n);
    const oldest = Math.min(...list.map((l) => l.drawnAt));
    const months = Math.max(1, Math.ceil((now - oldest) / monthSeconds));
    const defaulted = list.filter((l) => l.defaultedAt !== undefined && l.defaultedAt <= now);
    const points: VintagePoint[] = [];
    for (let mob = 1; mob <= months; mob++) {
      const amount = defaulted
        .filter((l) => l.defaultedAt! - l.drawnAt <= mob * monthSeconds)
        .reduce((s, l) => s + (l.defaultedPrincipal ?? 0n), 0n);
      points.push({ mob, defaulted: amount, rate: ratio(amount, originated) });
    }
    return { cohort, loans: list.length, originated, defaults: defaulted.length, points };
  });
}

export interface DayOrigination {
  /** UTC day, "YYYY-MM-DD" (chain time). */
  day: string;
  loans: number;
  principal: bigint;
}

/** Principal drawn per UTC day of chain time, oldest first. */
export function originationByDay(loans: Pick<VintageLoan, "drawnAt" | "principal">[]): DayOrigination[] {
  const days = new Map<string, DayOrigination>();
  for (const l of loans) {
    const day = utcDay(l.drawnAt);
    const d = days.get(day) ?? { day, loans: 0, principal: 0n };
    d.loans++;
    d.principal += l.principal;
    days.set(day, d);
  }
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}

// ---------------------------------------------------------------- lenders' yield

/** The pool at a moment: `LendingPool.totalAssets()` and `totalSupply()` (the share price is their ratio). */
export interface PoolPoint {
  time: number;
  poolValue: bigint;
  poolShares: bigint;
}

/** Lenders' yield is measured over the last 30 days of chain time (less while the pool is younger). */
export const YIELD_WINDOW = 30 * DAY;

export interface LenderYield {
  /** Share-price growth since `since`, annualised without compounding: (price now / price then − 1) × year / Δt. */
  rate: number;
  since: number;
}

/**
 * Lenders' yield at `now` against `history` (oldest first): from the latest point at least `window` before `now`,
 * else the oldest point before `now`; undefined without such a point or with an empty pool at either end.
 */
export function lenderYield(
  now: PoolPoint,
  history: PoolPoint[],
  window = YIELD_WINDOW,
): LenderYield | undefined {
  const before = history.filter((p) => p.time < now.time);
  const from = before.filter((p) => p.time <= now.time - window).at(-1) ?? before[0];
  if (!from || from.poolShares === 0n || from.poolValue === 0n || now.poolShares === 0n) return undefined;
  // (value now / shares now) / (value then / shares then), as one ratio of bigints.
  const growth = ratio(now.poolValue * from.poolShares, now.poolShares * from.poolValue);
  return { rate: ((growth - 1) * YEAR) / (now.time - from.time), since: from.time };
}
