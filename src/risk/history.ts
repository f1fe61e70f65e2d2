// Re-scoring with on-chain repayment behaviour. The application score predicts; what the
// borrower actually did on chain overrides it, in one direction at a time and never
// rewarding worse behaviour (see docs/RISK.md, "Repayment behaviour"):
//   any default                        → freeze: decline, limit 0
//   worst lateness > cutAfterDaysLate  → keep cutKeepPercent of the limit, APR one tier worse
//   ≥ raiseAfterOnTime on time, none late, principal repaid ≥ raiseMinRepaidPercent of the limit
//                                      → limit + raisePercent, capped at the policy max
//   otherwise                          → the base decision unchanged
import type { CreditHistory } from "../core/terms.ts";
import { DEFAULT_POLICY, type Decision, type Policy } from "./policy.ts";

export type { CreditHistory };

function checkHistory(h: CreditHistory): void {
  for (const k of ["onTimeCount", "lateCount", "maxDaysLate", "defaults"] as const) {
    if (!Number.isInteger(h[k]) || h[k] < 0) throw new Error(`history.${k} must be a non-negative integer`);
  }
  if (typeof h.totalBorrowed !== "bigint" || typeof h.totalRepaid !== "bigint" || h.totalBorrowed < 0n || h.totalRepaid < 0n) {
    throw new Error("history totals must be non-negative bigints");
  }
}

/** The APR of the next worse tier, or the current one when there is no worse tier. */
function worseApr(policy: Policy, base: Decision): number | null {
  const i = policy.tiers.findIndex((t) => t.name === base.tier);
  if (i < 0 || base.aprBps === null) return base.aprBps;
  const next = policy.tiers[i + 1];
  return next ? Math.max(next.aprBps, base.aprBps) : base.aprBps;
}

export function adjustForHistory(base: Decision, history: CreditHistory, policy: Policy = DEFAULT_POLICY): Decision {
  checkHistory(history);
  const rules = policy.history;
  if (history.defaults > 0) {
    return {
      decision: "decline",
      tier: base.tier,
      limit: 0n,
      aprBps: null,
      products: [],
      notes: [...base.notes, `frozen: ${history.defaults} default(s) on record`],
    };
  }
  if (base.decision === "decline") return base;
  if (history.maxDaysLate > rules.cutAfterDaysLate) {
    const limit = (base.limit * BigInt(rules.cutKeepPercent)) / 100n;
    const note = `${history.maxDaysLate} days late once: limit cut to ${rules.cutKeepPercent}%, APR one tier worse`;
    if (limit < BigInt(policy.limitRange.min)) {
      // A line below the minimum is not worth opening; declining is the monotone choice.
      return { decision: "decline", tier: base.tier, limit: 0n, aprBps: null, products: [], notes: [...base.notes, note, "below the minimum line"] };
    }
    return { ...base, limit, aprBps: worseApr(policy, base), products: base.products.slice(), notes: [...base.notes, note] };
  }
  // Late means past the grace period; a payment inside grace already counts as on time.
  const clean = history.lateCount === 0;
  // The chain counts an instalment only once its due date has come, so a draw repaid at once earns nothing; the
  // repaid principal keeps many tiny loans paid on their first due date from earning a raise on a large line.
  const repaidEnough = history.totalRepaid * 100n >= base.limit * BigInt(rules.raiseMinRepaidPercent ?? 50);
  if (base.decision === "approve" && clean && history.onTimeCount >= rules.raiseAfterOnTime && repaidEnough) {
    const max = BigInt(policy.limitRange.max);
    const raised = (base.limit * BigInt(100 + rules.raisePercent)) / 100n;
    const limit = raised > max ? max : raised;
    return {
      ...base,
      limit,
      products: base.products.slice(),
      notes: [...base.notes, `${history.onTimeCount} instalments on time, none late: limit +${rules.raisePercent}% (cap ${policy.limitRange.max})`],
    };
  }
  return base;
}

/** Reads a history record from JSON, where money arrives as decimal strings. */
export function parseHistory(raw: Record<string, unknown>): CreditHistory {
  const count = (k: string) => Number(raw[k] ?? 0);
  const money = (k: string) => {
    const v = raw[k] ?? "0";
    if (typeof v !== "string" && typeof v !== "number") throw new Error(`history.${k} must be a decimal string`);
    if (!/^\d+$/.test(String(v))) throw new Error(`history.${k} must be whole base units, got ${v}`);
    return BigInt(v);
  };
  const h: CreditHistory = {
    onTimeCount: count("onTimeCount"),
    lateCount: count("lateCount"),
    maxDaysLate: count("maxDaysLate"),
    defaults: count("defaults"),
    totalBorrowed: money("totalBorrowed"),
    totalRepaid: money("totalRepaid"),
  };
  checkHistory(h);
  return h;
}
