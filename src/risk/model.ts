// The model artifact: everything needed to score an applicant, plus what it was trained on
// and how well it did. Its version is the sha256 of its own canonical JSON, so the version an
// on-chain offer carries pins the exact coefficients, trees, calibration and scaling behind it.
//
// Three families share one scoring path: raw log-odds of bad z from the family, calibrated
// log-odds a·z + b (Platt), then PDO points. Each family also splits z into one additive
// contribution per column, which is what reason codes are made of:
//   scorecard — coefficient × (encoded value − training mean), summed over the column's features
//   gbt       — path attributions of the trees (see gbt.ts)
//   blend     — the weighted sum of the two
import { calibrateLogit, type PlattCalibration } from "./calibrate.ts";
import { canonicalJson, contentHash } from "./canonical.ts";
import { isMissingCode, parseNumber, type ColumnType } from "./data.ts";
import type { DriftReference } from "./drift.ts";
import { columnWidths, encodeForScoring, type Encoder, type FeatureSpec, type Value } from "./encode.ts";
import { gbtContributions, gbtReadableRow, type GbtModel } from "./gbt.ts";
import { sigmoid } from "./logistic.ts";
import { scoreFromLogit, type Scaling } from "./scorecard.ts";
import { reasonText } from "./words.ts";

export const MODEL_FORMAT = "microcredit-risk-model/2";

export type Family = "scorecard" | "gbt" | "blend";

export interface ExcludedColumn {
  column: string;
  reason: string;
}

export interface CandidateResult {
  family: Family;
  /** "woe λ=3", "gbt depth 3 × 300 trees", "blend (woe λ=3 + gbt depth 3 × 300 trees)". */
  name: string;
  auc: number;
  aucStd: number;
}

export interface ScorecardPart {
  encoder: Encoder;
  lambda: number;
  intercept: number;
  coefficients: { feature: string; weight: number }[];
}

/** Honest figures of one family: nested CV, best-in-family picked inside every outer fold. */
export interface FamilyFigures {
  auc: number;
  aucStd: number;
  aucByFold: number[];
  ks: number;
  /** Brier of the family's own probabilities, then after Platt calibration fitted on inner folds. */
  brierRaw: number;
  brier: number;
}

export interface ModelArtifact {
  format: typeof MODEL_FORMAT;
  /** "sha256:<hex>" of the canonical JSON of every other field. */
  modelVersion: string;
  family: Family;
  target: { column: string; bad: string; good: string[] };
  data: { name: string; format: string; sha256: string; rows: number; usedRows: number };
  features: FeatureSpec[];
  excluded: ExcludedColumn[];
  scorecard: ScorecardPart | null;
  gbt: GbtModel | null;
  /** Weight of the scorecard's log-odds in a blend; the trees get the rest. Null unless blended. */
  blendWeight: number | null;
  calibration: PlattCalibration & { fittedOn: string };
  scaling: Scaling;
  /** The training population, for drift monitoring (`npm run risk -- monitor`). */
  reference: DriftReference;
  training: {
    seed: number;
    folds: number;
    chosen: string;
    cvAuc: number;
    cvAucStd: number;
    families: Partial<Record<Family, FamilyFigures>>;
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
  if (model.format !== MODEL_FORMAT) throw new Error(`not a ${MODEL_FORMAT} file (format ${model.format}); retrain it`);
  const expected = computeModelVersion(model);
  if (model.modelVersion !== expected) {
    throw new Error(`model content does not match its version ${model.modelVersion} (content hashes to ${expected})`);
  }
  return model;
}

/** Turns whatever an applicant record holds into the typed value the model expects. */
export function toValue(raw: unknown, type: ColumnType, column: string, missingCodes: readonly string[] = []): Value {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === "number") {
    if (!Number.isFinite(raw)) throw new Error(`${column}: ${raw} is not a finite number`);
    if (isMissingCode(String(raw), missingCodes)) return null;
    return type === "numeric" ? raw : String(raw);
  }
  if (typeof raw !== "string" && typeof raw !== "boolean") throw new Error(`${column}: unsupported value ${JSON.stringify(raw)}`);
  const text = String(raw).trim();
  if (text === "" || text === "?" || isMissingCode(text, missingCodes)) return null;
  if (type === "categorical") return text;
  const n = parseNumber(text);
  if (n === null) throw new Error(`${column}: "${text}" is not a number`);
  return n;
}

/** An applicant record as the model's feature row. */
export function applicantRow(model: Pick<ModelArtifact, "features">, applicant: Record<string, unknown>): Value[] {
  return model.features.map((f) => toValue(applicant[f.name], f.type, f.name, f.missingCodes));
}

export interface Reason {
  column: string;
  /** Points this attribute costs against an average applicant (negative = lowers the score). */
  points: number;
  /** The same in plain words, for the applicant. */
  text: string;
}

export interface ModelScore {
  probabilityOfBad: number;
  /** Rounded to whole points: policies cut on integers, and decisions must not hinge on float noise. */
  score: number;
  /**
   * The attributes that pulled the score down the most, worst first (adverse-action reasons), at
   * most three. An applicant whom no attribute pulled below average gets the weakest one instead,
   * so every decision names at least one reason.
   */
  reasons: Reason[];
  /** Columns the applicant left missing. */
  missing: string[];
  /**
   * Columns whose value the model never saw in training (a gap in a column that had none, a new
   * category): they are scored as the least favourable value training did see.
   */
  unreadable: string[];
}

export interface RawScore {
  /** Uncalibrated log-odds of bad. */
  logit: number;
  /** Additive share of each column in `logit` against the average applicant (log-odds units). */
  contributions: number[];
  unreadable: string[];
}

function scorecardRaw(part: ScorecardPart, row: Value[]): RawScore {
  const weights = part.coefficients.map((c) => c.weight);
  const { x, unreadable } = encodeForScoring(part.encoder, weights, row);
  if (x.length !== weights.length) throw new Error("model encoder and coefficients disagree");
  let z = part.intercept;
  for (let k = 0; k < x.length; k++) z += weights[k] * x[k];
  const contributions: number[] = [];
  let k = 0;
  for (const width of columnWidths(part.encoder)) {
    let dz = 0;
    for (const end = k + width; k < end; k++) dz += weights[k] * (x[k] - part.encoder.featureMeans[k]);
    contributions.push(dz);
  }
  return { logit: z, contributions, unreadable };
}

function gbtRaw(model: GbtModel, row: Value[]): RawScore {
  const readable = gbtReadableRow(model, row);
  const { expected, contributions } = gbtContributions(model, readable.row);
  return { logit: expected + contributions.reduce((a, b) => a + b, 0), contributions, unreadable: readable.unreadable };
}

/** Uncalibrated log-odds and per-column contributions of a feature row. */
export function rawScore(model: Pick<ModelArtifact, "family" | "scorecard" | "gbt" | "blendWeight">, row: Value[]): RawScore {
  if (model.family === "scorecard") return scorecardRaw(model.scorecard as ScorecardPart, row);
  if (model.family === "gbt") return gbtRaw(model.gbt as GbtModel, row);
  const w = model.blendWeight as number;
  const a = scorecardRaw(model.scorecard as ScorecardPart, row);
  const b = gbtRaw(model.gbt as GbtModel, row);
  return {
    logit: w * a.logit + (1 - w) * b.logit,
    contributions: a.contributions.map((c, j) => w * c + (1 - w) * b.contributions[j]),
    unreadable: [...new Set([...a.unreadable, ...b.unreadable])].sort(),
  };
}

/** Calibrated log-odds of bad for a feature row. */
export function calibratedLogit(model: ModelArtifact, row: Value[]): number {
  return calibrateLogit(model.calibration, rawScore(model, row).logit);
}

export function scoreApplicant(model: ModelArtifact, applicant: Record<string, unknown>, maxReasons = 3): ModelScore {
  const row = applicantRow(model, applicant);
  const raw = rawScore(model, row);
  const z = calibrateLogit(model.calibration, raw.logit);
  // More log-odds of bad means fewer points; calibration stretches every contribution alike.
  const ranked = raw.contributions
    .map((dz, j) => ({ column: model.features[j].name, j, points: -model.scaling.factor * model.calibration.slope * dz }))
    .sort((a, b) => a.points - b.points || (a.column < b.column ? -1 : 1));
  const negative = ranked.filter((r) => r.points < 0).slice(0, maxReasons);
  const chosen = negative.length > 0 ? negative : ranked.slice(0, 1);
  return {
    probabilityOfBad: sigmoid(z),
    score: Math.round(scoreFromLogit(model.scaling, z)),
    reasons: chosen.map((r) => ({
      column: r.column,
      points: r.points,
      text: reasonText(r.column, applicant[r.column] ?? null, r.points, raw.unreadable.includes(r.column)),
    })),
    missing: model.features.filter((_, j) => row[j] === null).map((f) => f.name),
    unreadable: raw.unreadable,
  };
}
