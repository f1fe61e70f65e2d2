// The model artifact: everything needed to score an applicant, plus what it was trained on
// and how well it did. Its version is the sha256 of its own canonical JSON, so the version an
// on-chain offer carries pins the exact coefficients, bins and scaling that produced it.
import { canonicalJson, contentHash } from "./canonical.ts";
import { parseNumber, type ColumnType } from "./data.ts";
import { columnWidths, encodeForScoring, type Encoder, type FeatureSpec, type Value } from "./encode.ts";
import { sigmoid } from "./logistic.ts";
import { scoreFromLogit, type Scaling } from "./scorecard.ts";

export const MODEL_FORMAT = "microcredit-risk-model/1";

export interface ExcludedColumn {
  column: string;
  reason: string;
}

export interface CandidateResult {
  encoding: string;
  lambda: number;
  auc: number;
  aucStd: number;
}

export interface ModelArtifact {
  format: typeof MODEL_FORMAT;
  /** "sha256:<hex>" of the canonical JSON of every other field. */
  modelVersion: string;
  target: { column: string; bad: string; good: string[] };
  data: { name: string; format: string; sha256: string; rows: number; usedRows: number };
  features: FeatureSpec[];
  excluded: ExcludedColumn[];
  encoder: Encoder;
  lambda: number;
  intercept: number;
  coefficients: { feature: string; weight: number }[];
  scaling: Scaling;
  training: {
    seed: number;
    folds: number;
    cvAuc: number;
    cvAucStd: number;
    holdout: { auc: number; ks: number; brier: number };
    candidates: CandidateResult[];
  };
}

export function computeModelVersion(model: Omit<ModelArtifact, "modelVersion"> | ModelArtifact): string {
  const { modelVersion: _ignored, ...content } = model as ModelArtifact;
  return contentHash(content);
}

export function sealModel(content: Omit<ModelArtifact, "modelVersion">): ModelArtifact {
  return { ...content, modelVersion: computeModelVersion(content) } as ModelArtifact;
}

export function serializeModel(model: ModelArtifact): string {
  return canonicalJson(model, 2);
}

/** Parses a model file and refuses one whose content no longer matches its version. */
export function parseModel(text: string): ModelArtifact {
  const model = JSON.parse(text) as ModelArtifact;
  if (model.format !== MODEL_FORMAT) throw new Error(`not a ${MODEL_FORMAT} file (format ${model.format})`);
  const expected = computeModelVersion(model);
  if (model.modelVersion !== expected) {
    throw new Error(`model content does not match its version ${model.modelVersion} (content hashes to ${expected})`);
  }
  return model;
}

/** Turns whatever an applicant record holds into the typed value the encoder expects. */
export function toValue(raw: unknown, type: ColumnType, column: string): Value {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === "number") {
    if (!Number.isFinite(raw)) throw new Error(`${column}: ${raw} is not a finite number`);
    return type === "numeric" ? raw : String(raw);
  }
  if (typeof raw !== "string" && typeof raw !== "boolean") throw new Error(`${column}: unsupported value ${JSON.stringify(raw)}`);
  const text = String(raw).trim();
  if (text === "" || text === "?") return null;
  if (type === "categorical") return text;
  const n = parseNumber(text);
  if (n === null) throw new Error(`${column}: "${text}" is not a number`);
  return n;
}

export interface Reason {
  column: string;
  /** Points this attribute costs against an average applicant (negative = lowers the score). */
  points: number;
}

export interface ModelScore {
  probabilityOfBad: number;
  /** Rounded to whole points: policies cut on integers, and decisions must not hinge on float noise. */
  score: number;
  /** The attributes that pulled the score down the most, worst first (adverse-action reasons). */
  reasons: Reason[];
  /** Columns the applicant left missing. */
  missing: string[];
  /**
   * Columns whose value the model never saw in training (a gap in a column that had none, a new
   * category): they are scored as the least favourable value training did see.
   */
  unreadable: string[];
}

export function linearPredictor(model: ModelArtifact, x: readonly number[]): number {
  let z = model.intercept;
  model.coefficients.forEach((c, k) => (z += c.weight * x[k]));
  return z;
}

export function scoreApplicant(model: ModelArtifact, applicant: Record<string, unknown>, maxReasons = 3): ModelScore {
  const row = model.features.map((f) => toValue(applicant[f.name], f.type, f.name));
  const weights = model.coefficients.map((c) => c.weight);
  const { x, unreadable } = encodeForScoring(model.encoder, weights, row);
  if (x.length !== weights.length) throw new Error("model encoder and coefficients disagree");
  const reasons: Reason[] = [];
  let k = 0;
  columnWidths(model.encoder).forEach((width, j) => {
    let dz = 0;
    for (const end = k + width; k < end; k++) dz += weights[k] * (x[k] - model.encoder.featureMeans[k]);
    // More log-odds of bad means fewer points; factor converts one into the other.
    reasons.push({ column: model.features[j].name, points: -model.scaling.factor * dz });
  });
  const z = linearPredictor(model, x);
  return {
    probabilityOfBad: sigmoid(z),
    score: Math.round(scoreFromLogit(model.scaling, z)),
    reasons: reasons
      .filter((r) => r.points < 0)
      .sort((a, b) => a.points - b.points || (a.column < b.column ? -1 : 1))
      .slice(0, maxReasons),
    missing: model.features.filter((_, j) => row[j] === null).map((f) => f.name),
    unreadable,
  };
}
