// A merchant's sales history, in the layout the sales router keeps on chain: per 30-day window, in O(1) per sale,
// the settled volume, the sale count, the refunds and the days with at least one sale, for the last 12 windows.
// Money is bigint base units of the 6-decimals stablecoin, as the router holds it; counts are numbers.

/** Days in one window of the router's history. */
export const WINDOW_DAYS = 30;
/** Windows the router keeps: about a year. */
export const MAX_WINDOWS = 12;

/** One complete 30-day window of a merchant's sales. */
export interface SalesWindow {
  /** Settled sales volume, base units. */
  volume: bigint;
  /** Number of sales settled. */
  sales: number;
  /** Refunds paid out, base units (never more than the volume of the same window). */
  refunds: bigint;
  /** Days of the window with at least one sale, 0–30. */
  activeDays: number;
}

/** What the risk engine reads about a merchant. */
export interface MerchantHistory {
  /** Complete windows, index 0 the most recent; at most 12, and no more than the tenure covers. */
  windows: SalesWindow[];
  /** Days since the merchant's first sale through the router. */
  tenureDays: number;
  /** Prior merchant loans repaid in full and never behind. */
  loansRepaid: number;
  /** Prior merchant loans repaid in full after falling behind at least once. */
  loansLate: number;
  /** Prior merchant loans written off. */
  loansDefaulted: number;
}

const COUNTS = ["tenureDays", "loansRepaid", "loansLate", "loansDefaulted"] as const;

function isCount(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 0;
}

function checkWindow(w: SalesWindow, i: number): void {
  const at = `window ${i}`;
  if (typeof w.volume !== "bigint" || w.volume < 0n)
    throw new Error(`${at}: volume must be a non-negative bigint of base units`);
  if (typeof w.refunds !== "bigint" || w.refunds < 0n)
    throw new Error(`${at}: refunds must be a non-negative bigint of base units`);
  if (!isCount(w.sales)) throw new Error(`${at}: sales must be a non-negative integer, got ${w.sales}`);
  if (!isCount(w.activeDays) || w.activeDays > WINDOW_DAYS) {
    throw new Error(`${at}: activeDays must be an integer from 0 to ${WINDOW_DAYS}, got ${w.activeDays}`);
  }
  if (w.refunds > w.volume) throw new Error(`${at}: refunds ${w.refunds} exceed the volume ${w.volume}`);
  if (w.sales === 0 && w.volume > 0n) throw new Error(`${at}: a volume of ${w.volume} from 0 sales`);
  if (w.sales > 0 && w.volume === 0n) throw new Error(`${at}: ${w.sales} sales with a volume of 0`);
  if (w.activeDays > w.sales)
    throw new Error(`${at}: ${w.activeDays} active days with only ${w.sales} sales`);
  if (w.sales > 0 && w.activeDays === 0) throw new Error(`${at}: ${w.sales} sales on no active day`);
}

/** Throws one sentence naming the first thing wrong with a history. */
export function validateMerchantHistory(h: MerchantHistory): void {
  if (!Array.isArray(h.windows)) throw new Error("windows must be an array of sales windows");
  if (h.windows.length > MAX_WINDOWS)
    throw new Error(`a history holds at most ${MAX_WINDOWS} windows, got ${h.windows.length}`);
  for (const k of COUNTS)
    if (!isCount(h[k])) throw new Error(`${k} must be a non-negative integer, got ${h[k]}`);
  const covered = Math.floor(h.tenureDays / WINDOW_DAYS);
  if (h.windows.length > covered) {
    throw new Error(
      `${h.windows.length} windows need a tenure of at least ${h.windows.length * WINDOW_DAYS} days, got ${h.tenureDays}`,
    );
  }
  h.windows.forEach(checkWindow);
}

function money(raw: unknown, at: string): bigint {
  if (typeof raw === "bigint") return raw;
  if ((typeof raw !== "string" && typeof raw !== "number") || !/^\d+$/.test(String(raw))) {
    throw new Error(`${at} must be whole base units as a decimal string, got ${JSON.stringify(raw)}`);
  }
  return BigInt(raw);
}

const HISTORY_KEYS = new Set(["id", "windows", ...COUNTS]);
const WINDOW_KEYS = new Set(["volume", "sales", "refunds", "activeDays"]);

function unknownKey(raw: Record<string, unknown>, known: Set<string>, at: string): void {
  const extra = Object.keys(raw).find((k) => !known.has(k));
  if (extra !== undefined) throw new Error(`${at} has an unknown field ${extra}`);
}

/**
 * A history from its JSON form (money as decimal strings of base units), validated. An `id` field is allowed as a
 * label and ignored; any other unknown field is refused, so a misspelt key cannot pass as a missing one.
 */
export function parseMerchantHistory(raw: unknown): MerchantHistory {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new Error("a merchant history must be a JSON object");
  const r = raw as Record<string, unknown>;
  unknownKey(r, HISTORY_KEYS, "the history");
  if (!Array.isArray(r.windows)) throw new Error("windows must be an array of sales windows");
  const windows = r.windows.map((w: unknown, i: number): SalesWindow => {
    if (w === null || typeof w !== "object" || Array.isArray(w))
      throw new Error(`window ${i} must be a JSON object`);
    const o = w as Record<string, unknown>;
    unknownKey(o, WINDOW_KEYS, `window ${i}`);
    return {
      volume: money(o.volume, `window ${i}: volume`),
      sales: o.sales as number,
      refunds: money(o.refunds ?? "0", `window ${i}: refunds`),
      activeDays: o.activeDays as number,
    };
  });
  const h: MerchantHistory = {
    windows,
    tenureDays: r.tenureDays as number,
    loansRepaid: (r.loansRepaid ?? 0) as number,
    loansLate: (r.loansLate ?? 0) as number,
    loansDefaulted: (r.loansDefaulted ?? 0) as number,
  };
  validateMerchantHistory(h);
  return h;
}

/** The JSON form `parseMerchantHistory` reads: money as decimal strings. */
export function merchantHistoryToJson(h: MerchantHistory): Record<string, unknown> {
  return {
    windows: h.windows.map((w) => ({
      volume: w.volume.toString(),
      sales: w.sales,
      refunds: w.refunds.toString(),
      activeDays: w.activeDays,
    })),
    tenureDays: h.tenureDays,
    loansRepaid: h.loansRepaid,
    loansLate: h.loansLate,
    loansDefaulted: h.loansDefaulted,
  };
}
