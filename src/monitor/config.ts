// Monitor settings: how often to look and snapshot, and the thresholds of every warning (docs/MONITOR.md). Read
// from a JSON file whose keys override the defaults below one by one; unknown keys and out-of-range values are
// refused, so a typo cannot silently turn a warning off.
import { readFileSync } from "node:fs";

export interface WarningThresholds {
  /** Roll rate performing (current + grace) → 1–30 days past due, per snapshot interval. */
  rollRate: {
    /** Warn when the rate of one snapshot interval is above this share. */
    currentToM1Max: number;
    /** Warn when the rate rose by more than this (in share points, 0.02 = 2 points) since the last snapshot. */
    currentToM1JumpMax: number;
  };
  /** Shares of outstanding principal held by the largest borrower and the ten largest. */
  concentration: {
    top1Max: number;
    top10Max: number;
  };
  /** The circuit breaker: share of outstanding principal more than 30 days past due. */
  breaker: {
    /** The breaker's threshold (PRODUCT.md §5: 8% of book 30+ DPD). */
    threshold: number;
    /** Warn "near" above this fraction of the threshold. */
    nearFraction: number;
  };
  /** Hours of chain time with something past due and no keeper event before the keeper counts as stopped. */
  keeper: {
    staleHours: number;
  };
}

/**
 * Limits of the report's headline figures that no warning rule watches: a figure past its limit is marked
 * `breach` in the report.
 */
export interface HeadlineLimits {
  /** Pool value more than this share below its highest point of the yield window (a run on the pool or a loss). */
  poolValueDropMax: number;
  /** Lenders' yield (annualised) below this: the share price fell when 0. */
  lenderYieldMin: number;
  /** Outstanding / pool value above this (the ledger's default utilisation cap, where draws start to be refused). */
  utilisationMax: number;
  /** Share of outstanding principal 90+ days past due (NPL) above this. */
  nplMax: number;
}

export interface MonitorConfig {
  /** Chain time between two snapshots (roll rates, the bucket history). */
  snapshotHours: number;
  /** Seconds between two polls of `follow`. */
  pollSeconds: number;
  /** Blocks to stay behind the head. */
  confirmations: number;
  /** Largest block range per `eth_getLogs`. */
  pageBlocks: number;
  /** Loan views read per step at most; loans left over are read at the next step (and counted as stale). */
  maxReadsPerStep: number;
  /** Reads in flight at once. */
  concurrency: number;
  /** Most snapshots a catch-up replays; a longer history is replayed at a coarser interval. */
  maxReplaySnapshots: number;
  warnings: WarningThresholds;
  headline: HeadlineLimits;
}

export const DEFAULT_CONFIG: MonitorConfig = {
  snapshotHours: 24,
  pollSeconds: 15,
  confirmations: 0,
  pageBlocks: 2_000,
  maxReadsPerStep: 10_000,
  concurrency: 32,
  maxReplaySnapshots: 1_000,
  warnings: {
    rollRate: { currentToM1Max: 0.01, currentToM1JumpMax: 0.005 },
    concentration: { top1Max: 0.02, top10Max: 0.1 },
    breaker: { threshold: 0.08, nearFraction: 0.8 },
    keeper: { staleHours: 24 },
  },
  headline: { poolValueDropMax: 0.2, lenderYieldMin: 0, utilisationMax: 0.9, nplMax: 0.05 },
};

/** Thrown for a configuration file that cannot be used. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

type Plain = Record<string, unknown>;

const isPlain = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);

/** `base` with every key of `override` replaced, recursively; refuses keys `base` does not have. */
function merge<T>(base: T, override: unknown, path: string): T {
  if (!isPlain(override)) throw new ConfigError(`${path || "config"} must be an object`);
  const out: Plain = { ...(base as Plain) };
  for (const [key, value] of Object.entries(override)) {
    const at = path ? `${path}.${key}` : key;
    if (!(key in out)) throw new ConfigError(`unknown key ${at}`);
    const current = out[key];
    if (isPlain(current)) out[key] = merge(current, value, at);
    else if (typeof value !== "number" || !Number.isFinite(value))
      throw new ConfigError(`${at} must be a number`);
    else out[key] = value;
  }
  return out as T;
}

function check(ok: boolean, message: string) {
  if (!ok) throw new ConfigError(message);
}

/** Throws a ConfigError naming the first value out of range. */
export function validateConfig(c: MonitorConfig): MonitorConfig {
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  const share = (v: number) => v >= 0 && v <= 1;
  check(c.snapshotHours > 0, "snapshotHours must be > 0");
  check(c.pollSeconds > 0, "pollSeconds must be > 0");
  check(int(c.confirmations, 0), "confirmations must be an integer ≥ 0");
  check(int(c.pageBlocks, 1), "pageBlocks must be an integer ≥ 1");
  check(int(c.maxReadsPerStep, 1), "maxReadsPerStep must be an integer ≥ 1");
  check(int(c.concurrency, 1), "concurrency must be an integer ≥ 1");
  check(int(c.maxReplaySnapshots, 1), "maxReplaySnapshots must be an integer ≥ 1");
  const w = c.warnings;
  check(share(w.rollRate.currentToM1Max), "warnings.rollRate.currentToM1Max must be a share from 0 to 1");
  check(
    share(w.rollRate.currentToM1JumpMax),
    "warnings.rollRate.currentToM1JumpMax must be a share from 0 to 1",
  );
  check(share(w.concentration.top1Max), "warnings.concentration.top1Max must be a share from 0 to 1");
  check(share(w.concentration.top10Max), "warnings.concentration.top10Max must be a share from 0 to 1");
  check(w.breaker.threshold > 0 && w.breaker.threshold <= 1, "warnings.breaker.threshold must be in (0, 1]");
  check(
    w.breaker.nearFraction > 0 && w.breaker.nearFraction <= 1,
    "warnings.breaker.nearFraction must be in (0, 1]",
  );
  check(w.keeper.staleHours > 0, "warnings.keeper.staleHours must be > 0");
  const h = c.headline;
  check(share(h.poolValueDropMax), "headline.poolValueDropMax must be a share from 0 to 1");
  check(h.lenderYieldMin >= -1 && h.lenderYieldMin <= 10, "headline.lenderYieldMin must be from -1 to 10");
  check(share(h.utilisationMax), "headline.utilisationMax must be a share from 0 to 1");
  check(share(h.nplMax), "headline.nplMax must be a share from 0 to 1");
  return c;
}

/** The defaults with `overrides` applied (a parsed JSON object, possibly partial). */
export function resolveConfig(overrides: unknown = {}): MonitorConfig {
  return validateConfig(merge(DEFAULT_CONFIG, overrides, ""));
}

/** Reads a JSON config file (partial: missing keys keep their defaults). */
export function loadConfig(file: string): MonitorConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(`${file}: ${(error as Error).message}`);
  }
  try {
    return resolveConfig(parsed);
  } catch (error) {
    throw new ConfigError(`${file}: ${(error as Error).message}`);
  }
}
