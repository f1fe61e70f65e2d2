// One applicant, end to end: model score → policy decision → optional history adjustment.
import { adjustForHistory, type CreditHistory } from "./history.ts";
import { scoreApplicant, type ModelArtifact, type Reason } from "./model.ts";
import { DEFAULT_POLICY, decide, policyHash, type Decision, type Policy } from "./policy.ts";

export interface Assessment extends Decision {
  score: number;
  probabilityOfBad: number;
  reasons: Reason[];
  missing: string[];
  unreadable: string[];
  modelVersion: string;
  policyVersion: string;
  policyHash: string;
  /** The decision before repayment behaviour was applied, when a history was given. */
  baseDecision?: Decision;
}

export function assess(
  model: ModelArtifact,
  applicant: Record<string, unknown>,
  policy: Policy = DEFAULT_POLICY,
  history?: CreditHistory,
): Assessment {
  const s = scoreApplicant(model, applicant);
  const base = decide(policy, s.score);
  const decision = history ? adjustForHistory(base, history, policy) : base;
  return {
    ...decision,
    score: s.score,
    probabilityOfBad: s.probabilityOfBad,
    reasons: s.reasons,
    missing: s.missing,
    unreadable: s.unreadable,
    modelVersion: model.modelVersion,
    policyVersion: policy.version,
    policyHash: policyHash(policy),
    ...(history ? { baseDecision: base } : {}),
  };
}
