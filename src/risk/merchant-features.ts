// Features of a merchant's sales history: pure arithmetic on the windows, each formula short enough to check by hand
// (docs/RISK.md, "Merchant model"). Money stays bigint base units here; the model's row turns it into tokens.
//   recentVolume   floor(Σ volume of windows 0–2 / their count)                  average month, last 3 windows
//   averageVolume  floor(Σ volume of all windows / their count)                  average month, up to 12 windows
//   trend          Σ volume 0–2 / Σ volume 3–5                                   last quarter over the one before
//   lastWindow     3 · volume 0 / Σ volume 0–2                                   the latest month against its quarter
//   volatility     population std / mean of all window volumes                   coefficient of variation
//   refundRate     Σ refunds / Σ volume
//   activeDays     Σ active days / (30 · windows)
//   minActiveDays  fewest active days among windows 0–2
//   averageTicket  floor(Σ volume / Σ sales)
// A feature a history cannot support (a trend before 6 windows, a rate of nothing) is null: the model reads it as a
// missing value, the policy's decline rules deal with short histories.
import { WINDOW_DAYS, type MerchantHistory } from "./merchant-history.ts";

const UNIT = 1_000_000n; // 6 decimals

export interface MerchantFeatures {
  windows: number;
  recentVolume: bigint;
  averageVolume: bigint;
  trend: number | null;
  lastWindow: number | null;
  volatility: number | null;
  refundRate: number | null;
  activeDays: number;
  minActiveDays: number;
  averageTicket: bigint | null;
  tenureDays: number;
  loansRepaid: number;
  loansLate: number;
  loansDefaulted: number;
}

/** Windows a trend needs (two quarters) and a volatility needs. */
export const TREND_WINDOWS = 6;
export const VOLATILITY_WINDOWS = 3;

function sum(xs: readonly bigint[]): bigint {
  return xs.reduce((a, b) => a + b, 0n);
}

function ratio(a: bigint, b: bigint): number | null {
  return b === 0n ? null : Number(a) / Number(b);
}

/** The features of a (validated) history. Deterministic: the same history always gives the same numbers. */
export function merchantFeatures(h: MerchantHistory): MerchantFeatures {
  const n = h.windows.length;
  const volumes = h.windows.map((w) => w.volume);
  const recent = volumes.slice(0, 3);
  const total = sum(volumes);
  const sales = h.windows.reduce((a, w) => a + w.sales, 0);
  let volatility: number | null = null;
  if (n >= VOLATILITY_WINDOWS && total > 0n) {
    const mean = Number(total) / n;
    const variance = volumes.reduce((a, v) => a + (Number(v) - mean) ** 2, 0) / n;
    volatility = Math.sqrt(variance) / mean;
  }
  return {
    windows: n,
    recentVolume: n === 0 ? 0n : sum(recent) / BigInt(recent.length),
    averageVolume: n === 0 ? 0n : total / BigInt(n),
    trend: n >= TREND_WINDOWS ? ratio(sum(recent), sum(volumes.slice(3, 6))) : null,
    lastWindow: n >= 3 ? ratio(3n * volumes[0], sum(recent)) : null,
    volatility,
    refundRate: ratio(sum(h.windows.map((w) => w.refunds)), total),
    activeDays: n === 0 ? 0 : h.windows.reduce((a, w) => a + w.activeDays, 0) / (WINDOW_DAYS * n),
    minActiveDays: n === 0 ? 0 : Math.min(...h.windows.slice(0, 3).map((w) => w.activeDays)),
    averageTicket: sales === 0 ? null : total / BigInt(sales),
    tenureDays: h.tenureDays,
    loansRepaid: h.loansRepaid,
    loansLate: h.loansLate,
    loansDefaulted: h.loansDefaulted,
  };
}

/**
 * The model's columns, in order, with the feature each holds. The names are what the CSV, `model.json` and reason
 * codes show ("Volume volatility (0.41) lowered the score by 6 points").
 */
export const MERCHANT_COLUMNS = [
  "recent_monthly_volume",
  "average_monthly_volume",
  "volume_trend",
  "last_window_ratio",
  "volume_volatility",
  "refund_rate",
  "active_days_ratio",
  "min_active_days",
  "average_ticket",
  "tenure_days",
  "loans_repaid",
  "loans_late",
  "loans_defaulted",
] as const;

export type MerchantColumn = (typeof MERCHANT_COLUMNS)[number];

/** Base units as an exact decimal string of tokens: 1234500000n → "1234.500000". */
export function tokensText(units: bigint): string {
  return `${units / UNIT}.${(units % UNIT).toString().padStart(6, "0")}`;
}

/** A ratio as the model sees it: six decimals, so the CSV and scoring read the very same number. */
function fixed(x: number | null): number | null {
  return x === null ? null : Number(x.toFixed(6));
}

/** The feature row the model is trained on and scores: money in tokens, ratios to six decimals, null = missing. */
export function merchantFeatureRow(f: MerchantFeatures): Record<MerchantColumn, number | null> {
  return {
    recent_monthly_volume: Number(tokensText(f.recentVolume)),
    average_monthly_volume: Number(tokensText(f.averageVolume)),
    volume_trend: fixed(f.trend),
    last_window_ratio: fixed(f.lastWindow),
    volume_volatility: fixed(f.volatility),
    refund_rate: fixed(f.refundRate),
    active_days_ratio: fixed(f.activeDays),
    min_active_days: f.minActiveDays,
    average_ticket: f.averageTicket === null ? null : Number(tokensText(f.averageTicket)),
    tenure_days: f.tenureDays,
    loans_repaid: f.loansRepaid,
    loans_late: f.loansLate,
    loans_defaulted: f.loansDefaulted,
  };
}

/** The same row as CSV cells: money exact to the base unit, missing values empty. */
export function merchantFeatureCells(f: MerchantFeatures): string[] {
  const row = merchantFeatureRow(f);
  return MERCHANT_COLUMNS.map((c) => {
    if (c === "recent_monthly_volume") return tokensText(f.recentVolume);
    if (c === "average_monthly_volume") return tokensText(f.averageVolume);
    if (c === "average_ticket") return f.averageTicket === null ? "" : tokensText(f.averageTicket);
    const v = row[c];
    return v === null ? "" : String(v);
  });
}
