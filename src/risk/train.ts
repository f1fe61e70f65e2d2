// Training pipeline: choose columns, choose a model among two families (and their blend) by
// cross-validation, measure honestly, calibrate, refit on everything.
//
// Honesty matters here because the choice itself is fitted to the data: the AUC of the
// winning candidate in the selection CV is optimistic. The reported figures therefore come
// from nested CV: each outer fold re-runs the whole selection on its own training rows, fits
// the pick, calibrates it on the inner folds' out-of-fold predictions and scores the untouched
// outer fold. The same outer folds also give each family's own figures (best-in-family picked
// inside every outer fold), so the report can say why the winner won.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { calibrateLogit, fitPlatt, type PlattCalibration } from "./calibrate.ts";
import { canonicalJson } from "./canonical.ts";
import { columnValues, detectMissingCodes, loadDataset, resolveColumnTypes, type ColumnType, type Dataset } from "./data.ts";
import { deriveSeed, stratifiedFolds } from "./cv.ts";
import { buildReference } from "./drift.ts";
import { DEFAULT_BINNING, encodeForScoring, encodeRow, fitEncoder, type BinningOptions, type EncodingKind, type FeatureSpec, type Value } from "./encode.ts";
import { AGE_BANDS, AGE_COLUMN, ageBand, fairnessTable, protectedReason, type Decided, type FairnessTable } from "./fairness.ts";
import { DEFAULT_GBT, fitGbt, gbtStagedLogitsOfRows, mergeGbt, truncateGbt, type GbtModel, type GbtParams } from "./gbt.ts";
import { fitLogistic, sigmoid, type LogisticModel } from "./logistic.ts";
import { auc, brier, calibrationTable, cutoffTable, ks, mean, std, type CalibrationBin, type CutoffRow } from "./metrics.ts";
import { MODEL_FORMAT, sealModel, serializeModel, type CandidateResult, type ExcludedColumn, type Family, type FamilyFigures, type ModelArtifact, type ScorecardPart } from "./model.ts";
import { DEFAULT_POLICY, decide, type Policy } from "./policy.ts";
import { DEFAULT_SCALING, makeScaling, scoreFromLogit, type ScalingParams } from "./scorecard.ts";

export interface TrainOptions {
  target: string;
  /** Target label of a bad outcome; every other label counts as good. */
  bad: string;
  types?: Record<string, ColumnType>;
  exclude?: string[];
  seed?: number;
  folds?: number;
  scaling?: ScalingParams;
  /** Model families competing in selection; the blend needs both others. */
  families?: Family[];
  encodings?: EncodingKind[];
  lambdas?: number[];
  binning?: BinningOptions;
  /** Tree depths tried; each is scored at every count in `treeCounts`. */
  depths?: number[];
  treeCounts?: number[];
  gbt?: Partial<GbtParams>;
  /** Policy whose decisions the fairness report counts. */
  policy?: Policy;
  /** Score step of the cut-off table. */
  cutoffStep?: number;
  onProgress?: (line: string) => void;
  /** The cross-validations done of those to do (selection, then one per outer fold). */
  onStep?: (done: number, total: number) => void;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_FOLDS = 5;
export const DEFAULT_FAMILIES: Family[] = ["scorecard", "gbt", "blend"];
// Measured on credit-g (docs/RISK.md): "bins" never beat "woe" and only adds selection noise,
// and penalties outside 1–10 never won; both stay available through the options.
export const DEFAULT_ENCODINGS: EncodingKind[] = ["woe", "onehot"];
export const DEFAULT_LAMBDAS = [1, 3, 10];
export const DEFAULT_DEPTHS = [2, 3];
export const DEFAULT_TREE_COUNTS = [25, 50, 75, 100, 150, 225, 300];

export interface RowCounts {
  total: number;
  /** Rows trained on: all rows with a target value. */
  used: number;
  droppedMissingTarget: number;
  /** Used rows with at least one missing feature value (kept, encoded as missing). */
  withMissing: number;
  missingCells: number;
  missingByColumn: Record<string, number>;
  /** Codes read as missing per column (sentinels such as 99999999, stray words in numbers). */
  missingCodes: Record<string, string[]>;
}

export interface FamilyReport extends FamilyFigures {
  /** What the family picked in each outer fold. */
  picks: string[];
  /** Calibration deciles of the calibrated out-of-fold probabilities. */
  calibration: CalibrationBin[];
}

export interface TrainReport {
  format: "microcredit-risk-report/2";
  modelVersion: string;
  data: ModelArtifact["data"];
  target: ModelArtifact["target"];
  seed: number;
  folds: number;
  /** The model that ships: family and candidate picked by the selection CV on all rows. */
  chosen: { family: Family; name: string; selectionAuc: number; why: string };
  /** Nested cross-validated AUC (mean over outer folds) of the whole training procedure. */
  auc: number;
  aucStd: number;
  aucByFold: number[];
  picksByFold: string[];
  /** KS, Brier, calibration and cut-offs over the pooled outer-fold predictions (every row once). */
  ks: number;
  brierRaw: number;
  brier: number;
  calibration: CalibrationBin[];
  cutoffs: CutoffRow[];
  families: Partial<Record<Family, FamilyReport>>;
  candidates: CandidateResult[];
  calibrationMap: PlattCalibration;
  fairness: { policy: string; tables: FairnessTable[] };
  rows: RowCounts;
  features: FeatureSpec[];
  monotone: Record<string, "risk rises" | "risk falls">;
  excluded: ExcludedColumn[];
  /** Feature columns whose type was inferred from the values, not declared by the file or `--types`. */
  inferredTypes: Record<string, ColumnType>;
  scaling: ModelArtifact["scaling"];
}

export interface TrainResult {
  model: ModelArtifact;
  report: TrainReport;
}

type ScorecardCandidate = { family: "scorecard"; encoding: EncodingKind; lambda: number };
type GbtCandidate = { family: "gbt"; depth: number; trees: number };
/**
 * The best scorecard and the best trees of every depth, log-odds averaged with equal weights: no
 * weight is fitted, so none overfits, and averaging models that err differently (a linear
 * score, shallow and deeper trees) takes out part of each one's noise.
 */
type BlendCandidate = { family: "blend"; scorecard: ScorecardCandidate; gbts: GbtCandidate[] };
type Candidate = ScorecardCandidate | GbtCandidate | BlendCandidate;

function candidateName(c: Candidate): string {
  if (c.family === "scorecard") return `${c.encoding} λ=${c.lambda}`;
  if (c.family === "gbt") return `gbt depth ${c.depth} × ${c.trees} trees`;
  return `blend (${[c.scorecard, ...c.gbts].map(candidateName).join(" + ")})`;
}

interface Problem {
  features: FeatureSpec[];
  y: number[];
  binning: BinningOptions;
  families: Family[];
  scorecards: ScorecardCandidate[];
  depths: number[];
  treeCounts: number[];
  gbt: GbtParams;
  folds: number;
}

function subset<T>(xs: readonly T[], idx: readonly number[]): T[] {
  return idx.map((i) => xs[i]);
}

function foldSplit(fold: readonly number[], f: number): { train: number[]; test: number[] } {
  const train: number[] = [];
  const test: number[] = [];
  fold.forEach((g, i) => (g === f ? test : train).push(i));
  return { train, test };
}

function scorecardLogits(part: { encoder: ReturnType<typeof fitEncoder>; fit: LogisticModel }, rows: Value[][]): number[] {
  return rows.map((r) => {
    let z = part.fit.intercept;
    encodeForScoring(part.encoder, part.fit.weights, r).x.forEach((x, k) => (z += part.fit.weights[k] * x));
    return z;
  });
}

/** Staged log-odds of every test row at each tree count, with unreadable values made worst-case. */
function gbtStaged(model: GbtModel, rows: Value[][], counts: number[]): number[][] {
  return gbtStagedLogitsOfRows(model, rows, counts);
}

function gbtParams(p: Problem, depth: number, trees: number, seed: number): GbtParams {
  return { ...p.gbt, maxDepth: depth, trees, seed };
}

interface CvResult {
  candidates: Candidate[];
  results: CandidateResult[];
  /** Out-of-fold raw log-odds of every candidate, row by row. */
  oof: Float64Array[];
}

/** Index of the highest AUC among the candidates `ok` accepts (the first on a tie). */
function argBestWhere(results: CandidateResult[], ok: (i: number) => boolean): number {
  let k = -1;
  results.forEach((r, i) => {
    if (!ok(i)) return;
    if (k < 0 || r.auc > results[k].auc) k = i;
  });
  return k;
}

function argBest(results: CandidateResult[], family?: Family): number {
  return argBestWhere(results, (i) => family === undefined || results[i].family === family);
}

/** Equal-weight average of the members' log-odds, row by row. */
function averageLogits(members: ArrayLike<number>[], n: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(n);
  for (const m of members) for (let i = 0; i < n; i++) out[i] += m[i] / members.length;
  return out;
}

/**
 * Cross-validated AUC of every candidate over the same folds (a paired comparison). One tree
 * fit per fold and depth scores every tree count; the blend averages the best scorecard and the
 * best trees of each depth of this very CV, from their out-of-fold predictions, with no fit of
 * its own.
 */
function crossValidate(p: Problem, rows: Value[][], y: number[], seed: number): CvResult {
  const fold = stratifiedFolds(y, p.folds, seed);
  const candidates: Candidate[] = [];
  if (p.families.includes("scorecard") || p.families.includes("blend")) candidates.push(...p.scorecards);
  if (p.families.includes("gbt") || p.families.includes("blend")) {
    for (const depth of p.depths) for (const trees of p.treeCounts) candidates.push({ family: "gbt", depth, trees });
  }
  const oof = candidates.map(() => new Float64Array(rows.length));
  const aucs = candidates.map(() => [] as number[]);
  const maxTrees = Math.max(...p.treeCounts);
  for (let f = 0; f < p.folds; f++) {
    const split = foldSplit(fold, f);
    const trainRows = subset(rows, split.train);
    const trainY = subset(y, split.train);
    const testRows = subset(rows, split.test);
    const testY = subset(y, split.test);
    const record = (ci: number, z: number[]) => {
      split.test.forEach((i, k) => (oof[ci][i] = z[k]));
      aucs[ci].push(auc(testY, z));
    };
    for (const encoding of new Set(p.scorecards.map((c) => c.encoding))) {
      if (!candidates.some((c) => c.family === "scorecard" && c.encoding === encoding)) continue;
      // One encoder per fold and encoding, shared by every penalty; warm starts keep Newton short.
      const encoder = fitEncoder(encoding, p.features, trainRows, trainY, p.binning);
      const X = trainRows.map((r) => encodeRow(encoder, r));
      let start: LogisticModel | undefined;
      candidates.forEach((c, ci) => {
        if (c.family !== "scorecard" || c.encoding !== encoding) return;
        const fit = fitLogistic(X, trainY, { lambda: c.lambda }, start);
        start = fit;
        record(ci, scorecardLogits({ encoder, fit }, testRows));
      });
    }
    for (const depth of p.depths) {
      if (!candidates.some((c) => c.family === "gbt" && c.depth === depth)) continue;
      const model = fitGbt(p.features, trainRows, trainY, gbtParams(p, depth, maxTrees, deriveSeed(seed, `gbt-${f}`)));
      const staged = gbtStaged(model, testRows, p.treeCounts);
      candidates.forEach((c, ci) => {
        if (c.family !== "gbt" || c.depth !== depth) return;
        const k = p.treeCounts.indexOf(c.trees);
        record(
          ci,
          staged.map((s) => s[k]),
        );
      });
    }
  }
  const results: CandidateResult[] = candidates.map((c, ci) => ({ family: c.family, name: candidateName(c), auc: mean(aucs[ci]), aucStd: std(aucs[ci]) }));
  if (p.families.includes("blend")) {
    const a = argBest(results, "scorecard");
    const bs = p.depths.map((d) => argBestWhere(results, (i) => candidates[i].family === "gbt" && (candidates[i] as GbtCandidate).depth === d));
    const blended = averageLogits(
      [a, ...bs].map((k) => oof[k]),
      rows.length,
    );
    const foldAucs: number[] = [];
    for (let f = 0; f < p.folds; f++) {
      const test = foldSplit(fold, f).test;
      foldAucs.push(
        auc(
          subset(y, test),
          test.map((i) => blended[i]),
        ),
      );
    }
    const blend: BlendCandidate = { family: "blend", scorecard: candidates[a] as ScorecardCandidate, gbts: bs.map((b) => candidates[b] as GbtCandidate) };
    candidates.push(blend);
    oof.push(blended);
    results.push({ family: "blend", name: candidateName(blend), auc: mean(foldAucs), aucStd: std(foldAucs) });
  }
  // Families only there to feed the blend do not compete on their own.
  const keep = candidates.map((c) => p.families.includes(c.family));
  return {
    candidates: candidates.filter((_, i) => keep[i]),
    results: results.filter((_, i) => keep[i]),
    oof: oof.filter((_, i) => keep[i]),
  };
}

interface Fitted {
  family: Family;
  scorecard: ScorecardPart | null;
  gbt: GbtModel | null;
  blendWeight: number | null;
}

function fitScorecard(p: Problem, c: ScorecardCandidate, rows: Value[][], y: number[]): ScorecardPart {
  const encoder = fitEncoder(c.encoding, p.features, rows, y, p.binning);
  const fit = fitLogistic(
    rows.map((r) => encodeRow(encoder, r)),
    y,
    { lambda: c.lambda },
  );
  return {
    encoder,
    lambda: c.lambda,
    intercept: fit.intercept,
    coefficients: encoder.featureNames.map((feature, k) => ({ feature, weight: fit.weights[k] })),
  };
}

/**
 * Fits a candidate on the rows. `fits` holds the fits already made on the same rows with the same
 * seed, by candidate name: a blend often shares a member with its family's own pick.
 */
function fitCandidate(p: Problem, c: Candidate, rows: Value[][], y: number[], seed: number, fits = new Map<string, Fitted>()): Fitted {
  const known = fits.get(candidateName(c));
  if (known) return known;
  let fitted: Fitted;
  if (c.family === "scorecard") fitted = { family: "scorecard", scorecard: fitScorecard(p, c, rows, y), gbt: null, blendWeight: null };
  else if (c.family === "gbt") {
    const gbt = truncateGbt(fitGbt(p.features, rows, y, gbtParams(p, c.depth, c.trees, seed)), c.trees);
    fitted = { family: "gbt", scorecard: null, gbt, blendWeight: null };
  } else {
    // The scorecard is one member of 1 + depths; the trees' members merge into one tree model.
    const sc = fitCandidate(p, c.scorecard, rows, y, seed, fits);
    const gbts = c.gbts.map((g) => fitCandidate(p, g, rows, y, seed, fits).gbt as GbtModel);
    fitted = { family: "blend", scorecard: sc.scorecard, gbt: mergeGbt(gbts), blendWeight: 1 / (1 + gbts.length) };
  }
  fits.set(candidateName(c), fitted);
  return fitted;
}

function fittedLogits(m: Fitted, rows: Value[][]): number[] {
  const sc = m.scorecard
    ? scorecardLogits({ encoder: m.scorecard.encoder, fit: { intercept: m.scorecard.intercept, weights: m.scorecard.coefficients.map((c) => c.weight) } }, rows)
    : null;
  const gb = m.gbt ? gbtStaged(m.gbt, rows, [m.gbt.params.trees]).map((s) => s[0]) : null;
  if (sc && gb) return sc.map((z, i) => (m.blendWeight as number) * z + (1 - (m.blendWeight as number)) * gb[i]);
  return (sc ?? gb) as number[];
}

function resolveFeatures(ds: Dataset, options: TrainOptions, types: Record<string, ColumnType>, used: number[]) {
  const excluded: ExcludedColumn[] = [];
  const features: FeatureSpec[] = [];
  const inferredTypes: Record<string, ColumnType> = {};
  for (const col of options.exclude ?? []) {
    if (!ds.columns.includes(col)) throw new Error(`--exclude names unknown column ${col}`);
  }
  const overridden = options.types ?? {};
  ds.columns.forEach((col, j) => {
    if (col === options.target) return;
    const protectedWhy = protectedReason(col);
    if (protectedWhy) return excluded.push({ column: col, reason: protectedWhy });
    if (options.exclude?.includes(col)) return excluded.push({ column: col, reason: "excluded by the caller" });
    const inferred = overridden[col] === undefined && ds.declaredTypes[col] === undefined;
    const { type, missingCodes, stray } = detectMissingCodes(
      used.map((i) => ds.rows[i][j]),
      types[col],
      inferred,
    );
    if (stray) {
      const words = Object.entries(stray.words)
        .slice(0, 5)
        .map(([w, k]) => `"${w}" ×${k}`)
        .join(", ");
      throw new Error(
        `column ${col} looks numeric (${stray.numbers} numbers) but has text: ${words}; say which it is: ` +
          `--types ${col}=numeric (the text is read as missing) or --types ${col}=categorical`,
      );
    }
    if (inferred) inferredTypes[col] = type;
    const values = used.map((i) => ds.rows[i][j]).map((v) => (v !== null && missingCodes.includes(v.trim()) ? null : v));
    const present = values.filter((v) => v !== null);
    const distinct = new Set(present);
    if (present.length === 0) return excluded.push({ column: col, reason: "no values" });
    if (distinct.size === 1 && present.length === values.length) return excluded.push({ column: col, reason: "constant" });
    if (type === "categorical" && distinct.size > 20 && distinct.size > 0.5 * present.length) {
      // One level per applicant cannot generalise; it would only memorise the training rows.
      return excluded.push({ column: col, reason: `identifier-like: ${distinct.size} distinct values` });
    }
    features.push(missingCodes.length ? { name: col, type, missingCodes } : { name: col, type });
  });
  return { features, excluded, inferredTypes };
}

interface Prepared {
  features: FeatureSpec[];
  excluded: ExcludedColumn[];
  inferredTypes: Record<string, ColumnType>;
  rows: Value[][];
  y: number[];
  good: string[];
  used: number[];
  rowCounts: RowCounts;
}

/** Target, columns and typed rows; nothing is dropped without being counted. */
function prepare(ds: Dataset, options: TrainOptions, folds: number): Prepared {
  const targetIndex = ds.columns.indexOf(options.target);
  if (targetIndex < 0) throw new Error(`target column ${options.target} not found; columns: ${ds.columns.join(", ")}`);
  const types = resolveColumnTypes(ds, options.types ?? {});
  const bad = options.bad.trim();
  const used: number[] = [];
  ds.rows.forEach((r, i) => r[targetIndex] !== null && used.push(i));
  const labels = used.map((i) => (ds.rows[i][targetIndex] as string).trim());
  const y: number[] = labels.map((l) => (l === bad ? 1 : 0));
  const bads = y.reduce((a, b) => a + b, 0);
  if (bads === 0) throw new Error(`no row has ${options.target} = ${bad}; labels seen: ${[...new Set(labels)].sort().slice(0, 10).join(", ")}`);
  if (bads === y.length) throw new Error(`every row has ${options.target} = ${bad}: nothing to tell apart`);
  if (Math.min(bads, y.length - bads) < folds) throw new Error(`too few rows of one class for ${folds}-fold CV`);
  const good = [...new Set(labels.filter((l) => l !== bad))].sort();

  const { features, excluded, inferredTypes } = resolveFeatures(ds, options, types, used);
  if (features.length === 0) throw new Error("no usable feature columns");
  const columns = features.map((f) => subset(columnValues(ds, f.name, f.type, f.missingCodes), used));
  const rows: Value[][] = used.map((_, i) => columns.map((c) => c[i]));
  const missingByColumn: Record<string, number> = {};
  const missingCodes: Record<string, string[]> = {};
  features.forEach((f, j) => {
    missingByColumn[f.name] = columns[j].filter((v) => v === null).length;
    if (f.missingCodes) missingCodes[f.name] = f.missingCodes;
  });
  const rowCounts: RowCounts = {
    total: ds.rows.length,
    used: used.length,
    droppedMissingTarget: ds.rows.length - used.length,
    withMissing: rows.filter((r) => r.some((v) => v === null)).length,
    missingCells: Object.values(missingByColumn).reduce((a, b) => a + b, 0),
    missingByColumn,
    missingCodes,
  };
  return { features, excluded, inferredTypes, rows, y, good, used, rowCounts };
}

interface OuterPredictions {
  raw: Float64Array;
  calibrated: Float64Array;
  aucByFold: number[];
  picks: string[];
}

function emptyOuter(n: number): OuterPredictions {
  return { raw: new Float64Array(n), calibrated: new Float64Array(n), aucByFold: [], picks: [] };
}

function figures(o: OuterPredictions, y: number[]): FamilyReport {
  const probRaw = Array.from(o.raw, sigmoid);
  const prob = Array.from(o.calibrated, sigmoid);
  return {
    auc: mean(o.aucByFold),
    aucStd: std(o.aucByFold),
    aucByFold: o.aucByFold,
    ks: ks(y, o.calibrated),
    brierRaw: brier(y, probRaw),
    brier: brier(y, prob),
    picks: o.picks,
    calibration: calibrationTable(y, prob, 10),
  };
}

/** Approval and limits by age band and by every protected column the data has, from out-of-fold scores. */
function fairnessReport(ds: Dataset, used: number[], features: FeatureSpec[], rows: Value[][], excluded: ExcludedColumn[], decided: Decided[]): FairnessTable[] {
  const tables: FairnessTable[] = [];
  const ageCol = ds.columns.find((c) => AGE_COLUMN.test(c));
  if (ageCol) {
    const j = features.findIndex((f) => f.name === ageCol);
    const k = ds.columns.indexOf(ageCol);
    const ages = used.map((i, r) => {
      const v = j >= 0 ? rows[r][j] : ds.rows[i][k] === null ? null : Number(ds.rows[i][k]);
      return typeof v === "number" && Number.isFinite(v) ? v : null;
    });
    if (ages.some((a) => a !== null)) {
      const note = j >= 0 ? "used by the model; the trees may only lower the risk as age grows" : "not used by the model";
      tables.push(
        fairnessTable(
          `${ageCol} band`,
          note,
          ages.map((a) => (a === null ? null : ageBand(a))),
          decided,
          AGE_BANDS.map((b) => b.label),
        ),
      );
    }
  }
  for (const e of excluded) {
    if (!e.reason.startsWith("protected")) continue;
    const k = ds.columns.indexOf(e.column);
    const values = used.map((i) => ds.rows[i][k]);
    const levels = new Set(values.filter((v) => v !== null));
    if (levels.size < 2 || levels.size > 12) continue;
    tables.push(fairnessTable(e.column, "excluded from scoring; read only for this table", values, decided));
    // credit-g's personal_status mixes sex and marital status ("male single", "female div/dep/mar").
    const sex = values.map((v) => (v === null ? null : (/^(female|male)\b/i.exec(v)?.[1]?.toLowerCase() ?? null)));
    if (sex.every((s, i) => s !== null || values[i] === null) && new Set(sex).size > 1) {
      tables.push(fairnessTable(`sex (from ${e.column})`, "excluded from scoring; read only for this table", sex, decided));
    }
  }
  return tables;
}

export function train(ds: Dataset, options: TrainOptions): TrainResult {
  const progress = options.onProgress ?? (() => {});
  const seed = options.seed ?? DEFAULT_SEED;
  const folds = options.folds ?? DEFAULT_FOLDS;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`seed must be an integer in [0, 2^32), got ${seed}`);
  if (!Number.isInteger(folds) || folds < 2) throw new Error(`folds must be an integer >= 2, got ${folds}`);
  const { features, excluded, inferredTypes, rows, y, good, used, rowCounts } = prepare(ds, options, folds);
  const n = rows.length;
  const bads = y.reduce((a, b) => a + b, 0);
  progress(`loaded ${ds.name}: ${rowCounts.total} rows, ${ds.columns.length} columns, sha256 ${ds.sha256.slice(0, 16)}…`);
  progress(`target ${options.target}: ${bads} bad (${options.bad}) / ${n - bads} good (${good.join(", ")})`);
  for (const e of excluded) progress(`excluded ${e.column}: ${e.reason}`);
  for (const [col, codes] of Object.entries(rowCounts.missingCodes)) progress(`${col}: ${codes.join(", ")} read as missing`);
  progress(
    `features: ${features.length} (${features.filter((f) => f.type === "numeric").length} numeric); ` +
      `rows with missing values: ${rowCounts.withMissing}, dropped for a missing target: ${rowCounts.droppedMissingTarget}`,
  );

  const families = options.families ?? DEFAULT_FAMILIES;
  const encodings = options.encodings ?? DEFAULT_ENCODINGS;
  const lambdas = options.lambdas ?? DEFAULT_LAMBDAS;
  const depths = options.depths ?? DEFAULT_DEPTHS;
  const treeCounts = [...(options.treeCounts ?? DEFAULT_TREE_COUNTS)].sort((a, b) => a - b);
  if (families.length === 0) throw new Error("need at least one model family");
  for (const f of families) if (!DEFAULT_FAMILIES.includes(f)) throw new Error(`unknown model family ${f}`);
  if (encodings.length === 0 || lambdas.length === 0) throw new Error("need at least one encoding and one penalty");
  if (lambdas.some((l) => !(l >= 0 && Number.isFinite(l)))) throw new Error("penalties must be finite and >= 0");
  if (depths.some((d) => !(Number.isInteger(d) && d >= 1 && d <= 8))) throw new Error("tree depths must be integers from 1 to 8");
  if (treeCounts.length === 0 || treeCounts.some((t) => !(Number.isInteger(t) && t >= 1 && t <= 5000))) throw new Error("tree counts must be integers from 1 to 5000");
  const problem: Problem = {
    features,
    y,
    binning: options.binning ?? DEFAULT_BINNING,
    families,
    scorecards: encodings.flatMap((encoding) => lambdas.map((lambda) => ({ family: "scorecard" as const, encoding, lambda }))),
    depths,
    treeCounts,
    gbt: { ...DEFAULT_GBT, ...(options.gbt ?? {}) },
    folds,
  };
  const scaling = makeScaling(options.scaling ?? DEFAULT_SCALING);
  const policy = options.policy ?? DEFAULT_POLICY;

  // 1. Selection on all rows: which family and candidate the final model uses.
  const step = options.onStep ?? (() => {});
  step(0, folds + 1);
  const selection = crossValidate(problem, rows, y, seed);
  step(1, folds + 1);
  for (const c of selection.results) progress(`candidate ${c.name}: CV AUC ${c.auc.toFixed(4)} ± ${c.aucStd.toFixed(4)}`);
  const chosenIndex = argBest(selection.results);
  const chosen = selection.candidates[chosenIndex];
  progress(`selected ${candidateName(chosen)}`);

  // 2. Nested CV: the honest estimate of what this whole procedure (and each family) achieves.
  const outer = stratifiedFolds(y, folds, seed);
  const procedure = emptyOuter(n);
  const byFamily = new Map<Family, OuterPredictions>(families.map((f) => [f, emptyOuter(n)]));
  for (let f = 0; f < folds; f++) {
    const split = foldSplit(outer, f);
    const trainRows = subset(rows, split.train);
    const trainY = subset(y, split.train);
    const testRows = subset(rows, split.test);
    const testY = subset(y, split.test);
    const inner = crossValidate(problem, trainRows, trainY, deriveSeed(seed, `outer-${f}`));
    const pickOverall = argBest(inner.results);
    const fits = new Map<Family, { raw: number[]; calibrated: number[] }>();
    const fitted = new Map<string, Fitted>();
    for (const family of families) {
      const k = argBest(inner.results, family);
      const c = inner.candidates[k];
      const fit = fitCandidate(problem, c, trainRows, trainY, deriveSeed(seed, `fit-${f}`), fitted);
      const calibration = fitPlatt(inner.oof[k], trainY);
      const raw = fittedLogits(fit, testRows);
      const calibrated = raw.map((z) => calibrateLogit(calibration, z));
      fits.set(family, { raw, calibrated });
      const o = byFamily.get(family) as OuterPredictions;
      split.test.forEach((i, r) => {
        o.raw[i] = raw[r];
        o.calibrated[i] = calibrated[r];
      });
      o.aucByFold.push(auc(testY, raw));
      o.picks.push(candidateName(c));
    }
    const pick = inner.results[pickOverall];
    const won = fits.get(pick.family) as { raw: number[]; calibrated: number[] };
    split.test.forEach((i, r) => {
      procedure.raw[i] = won.raw[r];
      procedure.calibrated[i] = won.calibrated[r];
    });
    procedure.aucByFold.push(auc(testY, won.raw));
    procedure.picks.push(pick.name);
    step(f + 2, folds + 1);
    progress(
      `nested CV fold ${f + 1}/${folds}: picked ${pick.name}, AUC ${procedure.aucByFold[f].toFixed(4)}` +
        families.map((fam) => `; ${fam} ${(byFamily.get(fam) as OuterPredictions).aucByFold[f].toFixed(4)}`).join(""),
    );
  }
  const overall = figures(procedure, y);
  const familyReports: Partial<Record<Family, FamilyReport>> = {};
  for (const fam of families) familyReports[fam] = figures(byFamily.get(fam) as OuterPredictions, y);
  for (const fam of families) {
    const r = familyReports[fam] as FamilyReport;
    progress(`${fam}: nested CV AUC ${r.auc.toFixed(4)} ± ${r.aucStd.toFixed(4)}, KS ${r.ks.toFixed(4)}, Brier ${r.brierRaw.toFixed(4)} → ${r.brier.toFixed(4)} calibrated`);
  }

  // 3. The model that ships: the selected candidate refitted on every row, calibrated on the
  //    selection CV's out-of-fold predictions of that same candidate.
  const final = fitCandidate(problem, chosen, rows, y, deriveSeed(seed, "final"));
  const calibration = fitPlatt(selection.oof[chosenIndex], y);
  const referenceScores = Array.from(selection.oof[chosenIndex], (z) => scoreFromLogit(scaling, calibrateLogit(calibration, z)));
  const familyFigures: Partial<Record<Family, FamilyFigures>> = {};
  for (const fam of families) {
    const { picks: _p, calibration: _c, ...fig } = familyReports[fam] as FamilyReport;
    familyFigures[fam] = fig;
  }
  const model = sealModel({
    format: MODEL_FORMAT,
    family: final.family,
    target: { column: options.target, bad: options.bad.trim(), good },
    data: { name: ds.name, format: ds.format, sha256: ds.sha256, rows: ds.rows.length, usedRows: rowCounts.used },
    features,
    excluded,
    scorecard: final.scorecard,
    gbt: final.gbt,
    blendWeight: final.blendWeight,
    calibration: { ...calibration, fittedOn: `out-of-fold predictions of the ${folds}-fold selection CV (${n} rows)` },
    scaling,
    reference: buildReference(features, rows, referenceScores),
    training: {
      seed,
      folds,
      chosen: candidateName(chosen),
      cvAuc: overall.auc,
      cvAucStd: overall.aucStd,
      families: familyFigures,
      candidates: selection.results,
    },
  });

  // Out-of-fold decisions under the policy: what the fairness report and the cut-offs count.
  const scores = Array.from(procedure.calibrated, (z) => Math.round(scoreFromLogit(scaling, z)));
  const unit = 10 ** policy.token.decimals;
  const decided: Decided[] = scores.map((s, i) => {
    const d = decide(policy, s);
    return { decision: d.decision, limit: Number(d.limit) / unit, bad: y[i] };
  });
  const monotone: Record<string, "risk rises" | "risk falls"> = {};
  for (const c of final.gbt?.columns ?? []) if (c.type === "numeric" && c.monotone !== 0) monotone[c.column] = c.monotone > 0 ? "risk rises" : "risk falls";

  const best = selection.results[chosenIndex];
  const runnerUp = selection.results.filter((r) => r.family !== best.family).sort((a, b) => b.auc - a.auc)[0];
  const why = runnerUp
    ? `highest selection-CV AUC (${best.auc.toFixed(4)}) of ${selection.results.length} candidates; best of another family: ${runnerUp.name} at ${runnerUp.auc.toFixed(4)}`
    : `highest selection-CV AUC (${best.auc.toFixed(4)}) of ${selection.results.length} candidates`;
  const report: TrainReport = {
    format: "microcredit-risk-report/2",
    modelVersion: model.modelVersion,
    data: model.data,
    target: model.target,
    seed,
    folds,
    chosen: { family: chosen.family, name: best.name, selectionAuc: best.auc, why },
    auc: overall.auc,
    aucStd: overall.aucStd,
    aucByFold: overall.aucByFold,
    picksByFold: procedure.picks,
    ks: overall.ks,
    brierRaw: overall.brierRaw,
    brier: overall.brier,
    calibration: overall.calibration,
    cutoffs: cutoffTable(y, scores, options.cutoffStep ?? 20),
    families: familyReports,
    candidates: selection.results,
    calibrationMap: calibration,
    fairness: { policy: policy.version, tables: fairnessReport(ds, used, features, rows, excluded, decided) },
    rows: rowCounts,
    features,
    monotone,
    excluded,
    inferredTypes,
    scaling,
  };
  return { model, report };
}

/** The CLI's entry point, also used by tests: load a CSV/ARFF file and train on it. */
export function trainFile(path: string, options: TrainOptions): TrainResult {
  return train(loadDataset(path), options);
}

/** Writes `model.json` and `report.json` into `dir`; returns their paths. */
export function writeTrainingOutput(dir: string, result: TrainResult): { model: string; report: string } {
  mkdirSync(dir, { recursive: true });
  const model = join(dir, "model.json");
  const report = join(dir, "report.json");
  writeFileSync(model, serializeModel(result.model));
  writeFileSync(report, canonicalJson(result.report, 2));
  return { model, report };
}
