// Merchant limit policy: features and a probability of default → decline, or a limit, an APR tier and the products
// an offer allows. Data, not code, like the consumer policy (policy.ts): versioned, validated, hashed into every
// decision. Money is bigint base units (6 decimals).
//   decline   tenure, windows, active days, refunds or an earlier write-off outside the rules; PD above the last tier
//   base      min(recent, average) monthly volume       a peak month or a growth spurt does not lift the base
//   limit     base × multiple × (1 − volatility cut) × (1 − refund cut) × tier share, capped, rounded down to a token
//   cuts      ceil(volatility × volatilityCutBps) and ceil(refund rate × refundCutBps), in bps, at most 100 %
// Every cut rounds against the merchant, so more volatility or more refunds can never give a higher limit.
import { APR_CAP_BPS, type DecisionTerms } from "../core/terms.ts";
import { contentHash } from "./canonical.ts";
import { VOLATILITY_WINDOWS, type MerchantFeatures } from "./merchant-features.ts";
import { MAX_WINDOWS } from "./merchant-history.ts";

export const MERCHANT_POLICY_FORMAT = "microcredit-merchant-policy/1";

export interface MerchantTier {
  name: string;
  /** Highest probability of default (inclusive) in this tier, in bps; tiers are listed from the safest up. */
  maxPdBps: number;
  /** Share of the limit this tier keeps, in percent. */
  limitPercent: number;
  aprBps: number;
}

export interface MerchantDeclineRules {
  minTenureDays: number;
  /** Complete 30-day windows needed. */
  minWindows: number;
  /** Days with a sale needed in each of the last 3 windows. */
  minActiveDays: number;
  /** Refund rate above this (bps of volume) declines. */
  maxRefundBps: number;
  /** Earlier merchant loans written off that are tolerated. */
  maxDefaults: number;
}

export interface MerchantPolicy {
  format: typeof MERCHANT_POLICY_FORMAT;
  /** Human version, bumped on every change; the hash pins the exact content. */
  version: string;
  token: { symbol: string; decimals: number };
  /** The smallest line worth opening and the cap, base units as decimal strings. */
  limitRange: { min: string; max: string };
  /** The limit before cuts, as a multiple of the base monthly volume, in bps (10,000 = one month). */
  volumeMultipleBps: number;
  /** Limit cut per unit of volatility (coefficient of variation), in bps: 5,000 cuts 0.5 % per 0.01. */
  volatilityCutBps: number;
  /** Limit cut per unit of refund rate, in bps: 30,000 cuts 3 % per 1 % of refunds. */
  refundCutBps: number;
  decline: MerchantDeclineRules;
  tiers: MerchantTier[];
  /** How the loan is repaid: the router's share of each sale and the term whose minimum falls due every 30 days. */
  repayment: { salesShareBps: number; termPeriods: number };
  /** Ledger product ids the offer allows. */
  products: number[];
}

const UNIT = 1_000_000n;

export const DEFAULT_MERCHANT_POLICY: MerchantPolicy = {
  format: MERCHANT_POLICY_FORMAT,
  version: "2026.12-merchant",
  token: { symbol: "USD", decimals: 6 },
  limitRange: { min: (100n * UNIT).toString(), max: (50_000n * UNIT).toString() },
  volumeMultipleBps: 10_000,
  volatilityCutBps: 5_000,
  refundCutBps: 30_000,
  decline: { minTenureDays: 90, minWindows: 3, minActiveDays: 8, maxRefundBps: 2_000, maxDefaults: 0 },
  tiers: [
    { name: "A", maxPdBps: 300, limitPercent: 100, aprBps: 1200 },
    { name: "B", maxPdBps: 700, limitPercent: 85, aprBps: 1500 },
    { name: "C", maxPdBps: 1500, limitPercent: 65, aprBps: 1900 },
    { name: "D", maxPdBps: 2500, limitPercent: 40, aprBps: 2399 },
  ],
  // The local deployment's merchant loan (MERCHANT_LOAN_PRODUCT, src/config/defaults.ts: id 7, 6 × 30 days), which the
  // SalesRouter originates, and the share of every sale it keeps (SALES_SHARE); test/risk/merchant.ts holds them equal.
  repayment: { salesShareBps: 2_000, termPeriods: 6 },
  products: [7],
};

export interface MerchantDecision extends DecisionTerms {
  tier: string | null;
  /** min(recent, average) monthly volume, base units: what the multiple applies to. */
  baseVolume: bigint;
  /** Why the terms are what they are, in plain words. */
  notes: string[];
}

export function merchantPolicyHash(policy: MerchantPolicy): string {
  return contentHash(policy);
}

const isInt = (n: unknown, lo: number, hi: number) =>
  typeof n === "number" && Number.isInteger(n) && n >= lo && n <= hi;

/**
 * Rejects a policy that could hurt a merchant or the pool: money out of range, an APR at or above the cap, cuts or
 * shares outside 0–100 %, tiers out of order or non-monotone (a safer tier never gets a smaller share or a higher APR).
 */
export function validateMerchantPolicy(policy: MerchantPolicy): void {
  const fail = (why: string) => {
    throw new Error(`invalid merchant policy ${policy.version}: ${why}`);
  };
  if (policy.format !== MERCHANT_POLICY_FORMAT) fail(`format must be ${MERCHANT_POLICY_FORMAT}`);
  if (!/^\d+$/.test(policy.limitRange.min) || !/^\d+$/.test(policy.limitRange.max))
    fail("limits must be decimal strings of base units");
  const min = BigInt(policy.limitRange.min);
  const max = BigInt(policy.limitRange.max);
  if (!(0n < min && min <= max)) fail("limit range must satisfy 0 < min <= max");
  if (min % UNIT !== 0n || max % UNIT !== 0n) fail("limits must be whole tokens");
  if (!isInt(policy.volumeMultipleBps, 1, 50_000))
    fail("the volume multiple must be 1–50,000 bps (at most five months)");
  if (!isInt(policy.volatilityCutBps, 0, 1_000_000) || !isInt(policy.refundCutBps, 0, 1_000_000))
    fail("cuts must be whole bps from 0 to 1,000,000");
  const d = policy.decline;
  if (!isInt(d.minWindows, VOLATILITY_WINDOWS, MAX_WINDOWS)) {
    fail(
      `decline.minWindows must be ${VOLATILITY_WINDOWS}–${MAX_WINDOWS}: the volatility cut needs ${VOLATILITY_WINDOWS} windows`,
    );
  }
  if (!isInt(d.minTenureDays, 0, 36_500) || !isInt(d.minActiveDays, 0, 30))
    fail("decline rules out of range");
  if (!isInt(d.maxRefundBps, 0, 10_000) || !isInt(d.maxDefaults, 0, 1_000))
    fail("decline rules out of range");
  const r = policy.repayment;
  if (!isInt(r.salesShareBps, 1, 10_000) || !isInt(r.termPeriods, 1, 12))
    fail("repayment needs a share of 1–10,000 bps and 1–12 periods");
  if (
    policy.products.length === 0 ||
    new Set(policy.products).size !== policy.products.length ||
    !policy.products.every((p) => isInt(p, 0, 31))
  ) {
    fail("products must be unique ids from 0 to 31");
  }
  if (policy.tiers.length === 0) fail("no tiers");
  policy.tiers.forEach((t, i) => {
    if (!isInt(t.maxPdBps, 1, 10_000)) fail(`tier ${t.name}: maxPdBps must be 1–10,000`);
    if (!isInt(t.limitPercent, 1, 100)) fail(`tier ${t.name}: limitPercent must be 1–100`);
    if (!isInt(t.aprBps, 0, APR_CAP_BPS - 1))
      fail(`tier ${t.name}: APR must be whole bps below the ${APR_CAP_BPS} bps cap`);
    if (i === 0) return;
    const safer = policy.tiers[i - 1];
    if (!(t.maxPdBps > safer.maxPdBps))
      fail(`tier ${t.name}: tiers must be listed by strictly increasing maxPdBps`);
    if (t.limitPercent > safer.limitPercent)
      fail(`tier ${t.name}: limit share above the safer tier ${safer.name}`);
    if (t.aprBps < safer.aprBps) fail(`tier ${t.name}: APR below the safer tier ${safer.name}`);
  });
}

export function parseMerchantPolicy(text: string): MerchantPolicy {
  const policy = JSON.parse(text) as MerchantPolicy;
  validateMerchantPolicy(policy);
  return policy;
}

const pct = (bps: number) => `${(bps / 100).toFixed(bps % 100 === 0 ? 0 : 1)}%`;
const share = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Whole tokens, grouped: 12345000000n → "12,345". */
function tokens(units: bigint): string {
  return (units / UNIT).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Cut in bps for a feature value, rounded up (against the merchant), at most 100 %. */
function cutBps(value: number, perUnitBps: number): number {
  return Math.min(10_000, Math.ceil(value * perUnitBps - 1e-9));
}

/** Every decline rule the merchant breaks, in plain words; the tier is undefined above the last tier's PD. */
function declineReasons(
  policy: MerchantPolicy,
  f: MerchantFeatures,
  pd: number,
  tier?: MerchantTier,
): string[] {
  const d = policy.decline;
  const reasons: string[] = [];
  if (f.tenureDays < d.minTenureDays)
    reasons.push(`trading for ${f.tenureDays} days, fewer than ${d.minTenureDays}`);
  if (f.windows < d.minWindows) {
    reasons.push(`${f.windows} complete 30-day windows of sales, fewer than ${d.minWindows}`);
  } else if (f.minActiveDays < d.minActiveDays) {
    reasons.push(
      `${f.minActiveDays} days with sales in one of the last 3 windows, fewer than ${d.minActiveDays}`,
    );
  }
  if (f.refundRate !== null && f.refundRate * 10_000 > d.maxRefundBps) {
    reasons.push(`refunds ${share(f.refundRate)} of sales, above ${pct(d.maxRefundBps)}`);
  }
  if (f.loansDefaulted > d.maxDefaults)
    reasons.push(`${f.loansDefaulted} earlier merchant loan(s) written off`);
  if (!tier) {
    const last = policy.tiers[policy.tiers.length - 1];
    reasons.push(`probability of default ${share(pd)}, above ${pct(last.maxPdBps)}`);
  }
  return reasons;
}

/** base × multiple × (1 − volatility cut) × (1 − refund cut) × tier share, capped and rounded down to a token. */
function limitSteps(policy: MerchantPolicy, f: MerchantFeatures, base: bigint, tier: MerchantTier) {
  const notes = [
    `${pct(policy.volumeMultipleBps)} of a ${tokens(base)}-token month (` +
      (f.windows > 3
        ? `the lower of the last 3 and the last ${f.windows} windows)`
        : `the average of the last ${f.windows} windows)`),
  ];
  let limit = (base * BigInt(policy.volumeMultipleBps)) / 10_000n;
  const volatilityCut = cutBps(f.volatility ?? 0, policy.volatilityCutBps);
  limit = (limit * BigInt(10_000 - volatilityCut)) / 10_000n;
  if (volatilityCut > 0) {
    notes.push(
      `sales vary by ${(f.volatility ?? 0).toFixed(2)} of their mean month to month: limit −${pct(volatilityCut)}`,
    );
  }
  const refundCut = cutBps(f.refundRate ?? 0, policy.refundCutBps);
  limit = (limit * BigInt(10_000 - refundCut)) / 10_000n;
  if (refundCut > 0) notes.push(`refunds ${share(f.refundRate ?? 0)} of sales: limit −${pct(refundCut)}`);
  limit = (limit * BigInt(tier.limitPercent)) / 100n;
  const max = BigInt(policy.limitRange.max);
  if (limit > max) {
    limit = max;
    notes.push(`capped at ${tokens(max)} tokens`);
  }
  return { limit: (limit / UNIT) * UNIT, notes };
}

/** The policy's decision for a merchant's features and calibrated probability of default. */
export function decideMerchant(policy: MerchantPolicy, f: MerchantFeatures, pd: number): MerchantDecision {
  if (!(pd >= 0 && pd <= 1)) throw new Error(`probability of default must be in [0, 1], got ${pd}`);
  const baseVolume = f.recentVolume < f.averageVolume ? f.recentVolume : f.averageVolume;
  const tier = policy.tiers.find((t) => pd * 10_000 <= t.maxPdBps);
  const decline = (notes: string[]): MerchantDecision => ({
    decision: "decline",
    tier: tier?.name ?? null,
    limit: 0n,
    aprBps: null,
    products: [],
    baseVolume,
    notes,
  });
  const reasons = declineReasons(policy, f, pd, tier);
  if (reasons.length > 0 || !tier) return decline(reasons);
  const tierNote = `tier ${tier.name}: probability of default ${share(pd)} (at most ${pct(tier.maxPdBps)}), ${tier.limitPercent}% of the limit`;
  const { limit, notes } = limitSteps(policy, f, baseVolume, tier);
  const min = BigInt(policy.limitRange.min);
  if (limit < min)
    return decline([
      tierNote,
      ...notes,
      `limit ${tokens(limit)} tokens, below the ${tokens(min)}-token minimum line`,
    ]);
  return {
    decision: "approve",
    tier: tier.name,
    limit,
    aprBps: tier.aprBps,
    products: policy.products.slice(),
    baseVolume,
    notes: [tierNote, ...notes],
  };
}
