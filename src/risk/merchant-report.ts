// How limit and loss vary across kinds of merchant: simulated merchants the model never saw are assessed by the model
// and the policy, and each approved merchant's loan at the limit granted is run against its own future sales.
import { canonicalJson, sha256Hex } from "./canonical.ts";
import { assessMerchant } from "./merchant-assess.ts";
import { DEFAULT_MERCHANT_POLICY, merchantPolicyHash, type MerchantPolicy } from "./merchant-policy.ts";
import {
  merchantCsv,
  merchantOutcome,
  MERCHANT_TYPES,
  type MerchantType,
  type SimulatedMerchant,
} from "./merchant-sim.ts";
import { auc } from "./metrics.ts";
import type { ModelArtifact } from "./model.ts";

export const MERCHANT_REPORT_FORMAT = "microcredit-merchant-report/1";

export interface MerchantTypeFigures {
  type: MerchantType | "all";
  merchants: number;
  /** Mean predicted probability of default (of the one-month training loan), all merchants of the type. */
  pd: number;
  /** Realised default rate of the one-month training loan, all merchants of the type: what `pd` predicts. */
  trainingLoanDefaultRate: number;
  approved: number;
  approvalRate: number;
  /** Mean of limit ÷ 12-window average monthly volume over the approved; null when none was approved. */
  limitMultiple: number | null;
  /** Sum of the limits granted, base units: what is lent when every approved line is drawn in full. */
  lent: bigint;
  /** Approved merchants whose loan at the limit granted defaulted. */
  defaults: number;
  defaultRate: number | null;
  /** Unpaid principal of those loans, base units. */
  lost: bigint;
  /** lost ÷ lent. */
  lossRate: number | null;
}

export interface MerchantReport {
  format: typeof MERCHANT_REPORT_FORMAT;
  modelVersion: string;
  policyVersion: string;
  policyHash: string;
  seed: number;
  count: number;
  /** False when these are the very merchants the model was trained on (same CSV hash). */
  holdout: boolean;
  /** AUC of the predicted PD against the training loan's realised default; null without both outcomes. */
  auc: number | null;
  types: MerchantTypeFigures[];
  total: MerchantTypeFigures;
}

interface Row {
  type: MerchantType;
  pd: number;
  trainingDefault: boolean;
  approved: boolean;
  multiple: number;
  limit: bigint;
  defaulted: boolean;
  loss: bigint;
}

function summarise(type: MerchantType | "all", rows: Row[]): MerchantTypeFigures {
  const approved = rows.filter((r) => r.approved);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const lent = approved.reduce((a, r) => a + r.limit, 0n);
  const lost = approved.reduce((a, r) => a + r.loss, 0n);
  const defaults = approved.filter((r) => r.defaulted).length;
  return {
    type,
    merchants: rows.length,
    pd: rows.length ? mean(rows.map((r) => r.pd)) : 0,
    trainingLoanDefaultRate: rows.length ? rows.filter((r) => r.trainingDefault).length / rows.length : 0,
    approved: approved.length,
    approvalRate: rows.length ? approved.length / rows.length : 0,
    limitMultiple: approved.length ? mean(approved.map((r) => r.multiple)) : null,
    lent,
    defaults,
    defaultRate: approved.length ? defaults / approved.length : null,
    lost,
    lossRate: lent > 0n ? Number((lost * 1_000_000n) / lent) / 1_000_000 : null,
  };
}

/** The report over `merchants` (simulated with `seed`), under the model and the policy. */
export function merchantReport(
  model: ModelArtifact,
  merchants: readonly SimulatedMerchant[],
  seed: number,
  policy: MerchantPolicy = DEFAULT_MERCHANT_POLICY,
): MerchantReport {
  const rows: Row[] = merchants.map((m) => {
    const a = assessMerchant(model, m.history, policy);
    const approved = a.decision === "approve";
    const granted = approved
      ? merchantOutcome(m, {
          principal: a.limit,
          aprBps: a.aprBps as number,
          termPeriods: policy.repayment.termPeriods,
          salesShareBps: policy.repayment.salesShareBps,
        })
      : null;
    const month = a.features.averageVolume;
    return {
      type: m.type,
      pd: a.probabilityOfDefault,
      trainingDefault: merchantOutcome(m).defaulted,
      approved,
      multiple: approved && month > 0n ? Number(a.limit) / Number(month) : 0,
      limit: approved ? a.limit : 0n,
      defaulted: granted?.defaulted ?? false,
      loss: granted?.loss ?? 0n,
    };
  });
  const y = rows.map((r) => (r.trainingDefault ? 1 : 0));
  const pd = rows.map((r) => r.pd);
  const both = y.includes(1) && y.includes(0);
  const ofType = (t: MerchantType) => rows.filter((r) => r.type === t);
  return {
    format: MERCHANT_REPORT_FORMAT,
    modelVersion: model.modelVersion,
    policyVersion: policy.version,
    policyHash: merchantPolicyHash(policy),
    seed,
    count: merchants.length,
    holdout: sha256Hex(merchantCsv(merchants)) !== model.data.sha256,
    auc: both ? auc(y, pd) : null,
    types: MERCHANT_TYPES.map((t) => summarise(t, ofType(t))),
    total: summarise("all", rows),
  };
}

/** The report as canonical JSON (bigints as decimal strings of base units). */
export function merchantReportJson(report: MerchantReport): string {
  return canonicalJson(report, 2);
}
