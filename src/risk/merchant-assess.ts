// One merchant, end to end: sales history → features → model probability of default → merchant policy decision.
import {
  merchantFeatureRow,
  merchantFeatures,
  MERCHANT_COLUMNS,
  type MerchantFeatures,
} from "./merchant-features.ts";
import { validateMerchantHistory, type MerchantHistory } from "./merchant-history.ts";
import {
  DEFAULT_MERCHANT_POLICY,
  decideMerchant,
  merchantPolicyHash,
  type MerchantDecision,
  type MerchantPolicy,
} from "./merchant-policy.ts";
import { scoreApplicant, type ModelArtifact, type Reason } from "./model.ts";

export interface MerchantAssessment extends MerchantDecision {
  probabilityOfDefault: number;
  score: number;
  /** The features that lowered the score most, in plain words (the model's reason codes). */
  reasons: Reason[];
  features: MerchantFeatures;
  modelVersion: string;
  policyVersion: string;
  policyHash: string;
}

/** Refuses a model that was not trained on the merchant columns: it would read every merchant as all-missing. */
export function checkMerchantModel(model: ModelArtifact): void {
  const known = new Set<string>(MERCHANT_COLUMNS);
  const foreign = model.features.map((f) => f.name).filter((c) => !known.has(c));
  if (foreign.length > 0 || model.features.length === 0) {
    throw new Error(
      `model ${model.modelVersion} is not a merchant model: it reads ${foreign.slice(0, 3).join(", ") || "no column"}`,
    );
  }
}

export function assessMerchant(
  model: ModelArtifact,
  history: MerchantHistory,
  policy: MerchantPolicy = DEFAULT_MERCHANT_POLICY,
): MerchantAssessment {
  checkMerchantModel(model);
  validateMerchantHistory(history);
  const features = merchantFeatures(history);
  const s = scoreApplicant(model, merchantFeatureRow(features));
  return {
    ...decideMerchant(policy, features, s.probabilityOfBad),
    probabilityOfDefault: s.probabilityOfBad,
    score: s.score,
    reasons: s.reasons,
    features,
    modelVersion: model.modelVersion,
    policyVersion: policy.version,
    policyHash: merchantPolicyHash(policy),
  };
}
