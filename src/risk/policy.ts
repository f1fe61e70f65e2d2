// Credit policy: score → decision, limit, APR tier and product menu. It is data, not code,
// so risk can retune it without a new model, and every decision names the policy hash it
// came from. Money is bigint token base units (6 decimals): floats cannot be trusted with it.
import { APR_CAP_BPS, type DecisionKind, type DecisionTerms } from "../core/terms.ts";
import { contentHash } from "./canonical.ts";

export { APR_CAP_BPS, type DecisionKind };
export const POLICY_FORMAT = "microcredit-risk-policy/1";

export interface Product {
  id: number;
  name: string;
  schedule: "equal-instalment" | "equal-principal" | "interest-first" | "bullet";
  instalments: number;
  periodDays: number;
}

export interface Tier {
  name: string;
  /** Lowest score (inclusive) in this tier; tiers are listed from the best down. */
  minScore: number;
  decision: "approve" | "refer";
  /** Credit limit in token base units, as a decimal string (JSON has no bigint). */
  limit: string;
  aprBps: number;
  products: number[];
}

export interface HistoryRules {
  /** Cut the limit and worsen the APR when the worst lateness exceeds this many days. */
  cutAfterDaysLate: number;
  /** Share of the limit kept after such lateness, in percent. */
  cutKeepPercent: number;
  /** On-time instalments, with no lateness at all, that earn a raise. */
  raiseAfterOnTime: number;
  raisePercent: number;
  /**
   * Principal repaid, as a share of the limit being raised (percent), that the raise also needs: many tiny loans
   * repaid on their first due date must not earn a raise on a large line. Absent = 50.
   */
  raiseMinRepaidPercent?: number;
}

export interface Policy {
  format: typeof POLICY_FORMAT;
  /** Human version, bumped on every change; the hash below pins the exact content. */
  version: string;
  token: { symbol: string; decimals: number };
  /** Limits every approved or referred line must stay within (base units, decimal strings). */
  limitRange: { min: string; max: string };
  aprRangeBps: { min: number; max: number };
  products: Product[];
  tiers: Tier[];
  history: HistoryRules;
}

const UNIT = 1_000_000n; // 6 decimals

function tokens(n: number): string {
  return (BigInt(n) * UNIT).toString();
}

export const DEFAULT_POLICY: Policy = {
  format: POLICY_FORMAT,
  version: "2025.1",
  token: { symbol: "USD", decimals: 6 },
  limitRange: { min: tokens(100), max: tokens(50_000) },
  aprRangeBps: { min: 720, max: 2399 },
  products: [
    { id: 0, name: "equal instalment 3 x 30d", schedule: "equal-instalment", instalments: 3, periodDays: 30 },
    { id: 1, name: "equal instalment 6 x 30d", schedule: "equal-instalment", instalments: 6, periodDays: 30 },
    { id: 2, name: "equal instalment 12 x 30d", schedule: "equal-instalment", instalments: 12, periodDays: 30 },
    { id: 3, name: "equal principal 12 x 30d", schedule: "equal-principal", instalments: 12, periodDays: 30 },
    { id: 4, name: "interest first 12 x 30d", schedule: "interest-first", instalments: 12, periodDays: 30 },
    { id: 5, name: "bullet 1 x 30d", schedule: "bullet", instalments: 1, periodDays: 30 },
  ],
  // Bands are 20 points (one doubling of the odds) wide. 600 is 50:1 good:bad; 540 is 6.25:1,
  // roughly where credit-g's 5:1 cost matrix breaks even (P(bad) = 1/6 at score ≈ 534).
  tiers: [
    { name: "A", minScore: 600, decision: "approve", limit: tokens(50_000), aprBps: 720, products: [0, 1, 2, 3, 4, 5] },
    { name: "B", minScore: 580, decision: "approve", limit: tokens(30_000), aprBps: 900, products: [0, 1, 2, 3, 4, 5] },
    { name: "C", minScore: 560, decision: "approve", limit: tokens(15_000), aprBps: 1200, products: [0, 1, 2, 3, 4, 5] },
    { name: "D", minScore: 540, decision: "approve", limit: tokens(6_000), aprBps: 1500, products: [0, 1, 2, 3, 5] },
    { name: "E", minScore: 520, decision: "approve", limit: tokens(2_000), aprBps: 1900, products: [0, 1, 5] },
    { name: "F", minScore: 500, decision: "refer", limit: tokens(500), aprBps: 2399, products: [0, 5] },
  ],
  history: { cutAfterDaysLate: 30, cutKeepPercent: 50, raiseAfterOnTime: 6, raisePercent: 20, raiseMinRepaidPercent: 50 },
};

export interface Decision extends DecisionTerms {
  tier: string | null;
  /** Why the terms are what they are, in plain words. */
  notes: string[];
}

export function policyHash(policy: Policy): string {
  return contentHash(policy);
}

function isSubset(a: number[], b: number[]): boolean {
  return a.every((x) => b.includes(x));
}

/**
 * Rejects a policy that could hurt a borrower or the pool: out-of-range money or APR, unknown
 * products, or non-monotone tiers (a better score must never get a smaller limit, a higher
 * APR or a narrower product menu).
 */
export function validatePolicy(policy: Policy): void {
  const fail = (why: string) => {
    throw new Error(`invalid policy ${policy.version}: ${why}`);
  };
  if (policy.format !== POLICY_FORMAT) fail(`format must be ${POLICY_FORMAT}`);
  const min = BigInt(policy.limitRange.min);
  const max = BigInt(policy.limitRange.max);
  if (!(0n < min && min <= max)) fail("limit range must satisfy 0 < min <= max");
  const { min: aprMin, max: aprMax } = policy.aprRangeBps;
  if (!(Number.isInteger(aprMin) && Number.isInteger(aprMax) && 0 <= aprMin && aprMin <= aprMax && aprMax < APR_CAP_BPS)) {
    fail(`APR range must be whole bps with max below the ${APR_CAP_BPS} bps cap`);
  }
  const ids = new Set<number>();
  for (const p of policy.products) {
    if (!Number.isInteger(p.id) || p.id < 0 || p.id > 255 || ids.has(p.id)) fail(`product ids must be unique small integers (${p.id})`);
    ids.add(p.id);
  }
  if (policy.tiers.length === 0) fail("no tiers");
  const h = policy.history;
  const minRepaid = h.raiseMinRepaidPercent ?? 50;
  if (
    !(h.cutKeepPercent >= 0 && h.cutKeepPercent <= 100 && h.raisePercent >= 0 && h.raiseAfterOnTime >= 1) ||
    !(Number.isInteger(minRepaid) && minRepaid >= 0 && minRepaid <= 1_000)
  ) {
    fail("history rules out of range");
  }
  policy.tiers.forEach((t, i) => {
    if (!/^\d+$/.test(t.limit)) fail(`tier ${t.name}: limit must be a decimal string of base units`);
    const limit = BigInt(t.limit);
    if (limit < min || limit > max) fail(`tier ${t.name}: limit outside the policy range`);
    if (!Number.isInteger(t.aprBps) || t.aprBps < aprMin || t.aprBps > aprMax) fail(`tier ${t.name}: APR outside ${aprMin}-${aprMax} bps`);
    if (t.products.length === 0 || t.products.some((p) => !ids.has(p))) fail(`tier ${t.name}: unknown or empty product list`);
    if (t.decision !== "approve" && t.decision !== "refer") fail(`tier ${t.name}: decision must be approve or refer`);
    if (i === 0) return;
    const up = policy.tiers[i - 1];
    if (!(t.minScore < up.minScore)) fail(`tier ${t.name}: tiers must be listed by strictly decreasing minScore`);
    if (limit > BigInt(up.limit)) fail(`tier ${t.name}: limit above the better tier ${up.name}`);
    if (t.aprBps < up.aprBps) fail(`tier ${t.name}: APR below the better tier ${up.name}`);
    if (!isSubset(t.products, up.products)) fail(`tier ${t.name}: products not a subset of tier ${up.name}`);
    if (up.decision === "refer" && t.decision === "approve") fail(`tier ${t.name}: approve below a refer tier`);
  });
}

export function parsePolicy(text: string): Policy {
  const policy = JSON.parse(text) as Policy;
  validatePolicy(policy);
  return policy;
}

/** The policy's decision for a (whole-point) score. Below the lowest tier: decline. */
export function decide(policy: Policy, score: number): Decision {
  const tier = policy.tiers.find((t) => score >= t.minScore);
  if (!tier) {
    const floor = policy.tiers[policy.tiers.length - 1].minScore;
    return { decision: "decline", tier: null, limit: 0n, aprBps: null, products: [], notes: [`score ${score} below ${floor}`] };
  }
  return {
    decision: tier.decision,
    tier: tier.name,
    limit: BigInt(tier.limit),
    aprBps: tier.aprBps,
    products: tier.products.slice(),
    notes: [`tier ${tier.name} (score >= ${tier.minScore})${tier.decision === "refer" ? ": manual review" : ""}`],
  };
}
