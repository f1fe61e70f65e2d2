// Training pipeline: choose columns, choose an encoding and a penalty by cross-validation,
// measure honestly, refit on everything.
//
// Honesty matters here because the choice itself is fitted to the data: the AUC of the
// winning candidate in the selection CV is optimistic. The reported `auc` therefore comes
// from nested CV (each outer fold re-runs the whole selection on its own training rows),
// and the holdout split likewise selects on its 70 % before touching the 30 %.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalJson } from "./canonical.ts";
import { columnValues, loadDataset, resolveColumnTypes, type ColumnType, type Dataset } from "./data.ts";
import { deriveSeed, holdoutSplit, stratifiedFolds } from "./cv.ts";
import { DEFAULT_BINNING, encodeForScoring, encodeRow, fitEncoder, type BinningOptions, type Encoder, type EncodingKind, type FeatureSpec, type Value } from "./encode.ts";
import { protectedReason } from "./fairness.ts";
import { fitLogistic, sigmoid, type LogisticModel } from "./logistic.ts";
import { auc, brier, calibrationTable, cutoffTable, ks, mean, std, type CalibrationBin, type CutoffRow } from "./metrics.ts";
import { MODEL_FORMAT, sealModel, serializeModel, type CandidateResult, type ExcludedColumn, type ModelArtifact } from "./model.ts";
import { DEFAULT_SCALING, makeScaling, scoreFromLogit, type ScalingParams } from "./scorecard.ts";

export interface TrainOptions {
  target: string;
  /** Target label of a bad outcome; every other label counts as good. */
  bad: string;
  types?: Record<string, ColumnType>;
  exclude?: string[];
  seed?: number;
  folds?: number;
  holdoutFraction?: number;
  scaling?: ScalingParams;
  encodings?: EncodingKind[];
  lambdas?: number[];
  binning?: BinningOptions;
  /** Score step of the cut-off table. */
  cutoffStep?: number;
  onProgress?: (line: string) => void;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_FOLDS = 5;
// Measured on credit-g (docs/RISK.md): "bins" never beat "woe" and only adds selection noise,
// and penalties outside 1–10 never won; both stay available through the options.
export const DEFAULT_ENCODINGS: EncodingKind[] = ["woe", "onehot"];
export const DEFAULT_LAMBDAS = [1, 3, 10];

export interface RowCounts {
  total: number;
  /** Rows trained on: all rows with a target value. */
  used: number;
  droppedMissingTarget: number;
  /** Used rows with at least one missing feature value (kept, encoded as missing). */
  withMissing: number;
  missingCells: number;
  missingByColumn: Record<string, number>;
}

export interface TrainReport {
  format: "microcredit-risk-report/1";
  modelVersion: string;
  data: ModelArtifact["data"];
  target: ModelArtifact["target"];
  seed: number;
  folds: number;
  /** Nested cross-validated AUC (mean over outer folds) of the whole training procedure. */
  auc: number;
  aucStd: number;
  aucByFold: number[];
  /** KS, Brier, calibration and cut-offs are measured on the seeded holdout. */
  ks: number;
  brier: number;
  calibration: CalibrationBin[];
  cutoffs: CutoffRow[];
  holdout: {
    fraction: number;
    trainRows: number;
    testRows: number;
    auc: number;
    ks: number;
    brier: number;
    encoding: EncodingKind;
    lambda: number;
  };
  selection: { encoding: EncodingKind; lambda: number; candidates: CandidateResult[] };
  rows: RowCounts;
  features: FeatureSpec[];
  excluded: ExcludedColumn[];
  scaling: ModelArtifact["scaling"];
}

export interface TrainResult {
  model: ModelArtifact;
  report: TrainReport;
}

interface Candidate {
  encoding: EncodingKind;
  lambda: number;
}

interface Problem {
  features: FeatureSpec[];
  rows: Value[][];
  y: number[];
  binning: BinningOptions;
  candidates: Candidate[];
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

function fitPipeline(p: Problem, c: Candidate, rows: Value[][], y: number[]) {
  const encoder = fitEncoder(c.encoding, p.features, rows, y, p.binning);
  const fit = fitLogistic(rows.map((r) => encodeRow(encoder, r)), y, { lambda: c.lambda });
  return { encoder, fit };
}

function logits(encoder: Encoder, model: LogisticModel, rows: Value[][]): number[] {
  return rows.map((r) => {
    let z = model.intercept;
    encodeForScoring(encoder, model.weights, r).x.forEach((x, k) => (z += model.weights[k] * x));
    return z;
  });
}

/** Cross-validated AUC of every candidate over the same folds (a paired comparison). */
function crossValidate(p: Problem, rows: Value[][], y: number[], seed: number): CandidateResult[] {
  const fold = stratifiedFolds(y, p.folds, seed);
  const aucs = p.candidates.map(() => [] as number[]);
  for (let f = 0; f < p.folds; f++) {
    const split = foldSplit(fold, f);
    const trainRows = subset(rows, split.train);
    const trainY = subset(y, split.train);
    const testRows = subset(rows, split.test);
    const testY = subset(y, split.test);
    for (const encoding of new Set(p.candidates.map((c) => c.encoding))) {
      // One encoder per fold and encoding, shared by every penalty; warm starts from the
      // previous penalty's solution keep Newton to a couple of steps.
      const encoder = fitEncoder(encoding, p.features, trainRows, trainY, p.binning);
      const X = trainRows.map((r) => encodeRow(encoder, r));
      let start: LogisticModel | undefined;
      p.candidates.forEach((c, ci) => {
        if (c.encoding !== encoding) return;
        const fit = fitLogistic(X, trainY, { lambda: c.lambda }, start);
        start = fit;
        aucs[ci].push(auc(testY, logits(encoder, fit, testRows)));
      });
    }
  }
  return p.candidates.map((c, ci) => ({ encoding: c.encoding, lambda: c.lambda, auc: mean(aucs[ci]), aucStd: std(aucs[ci]) }));
}

function best(results: CandidateResult[]): number {
  let k = 0;
  results.forEach((r, i) => {
    if (r.auc > results[k].auc) k = i;
  });
  return k;
}

function resolveFeatures(ds: Dataset, options: TrainOptions, types: Record<string, ColumnType>, used: number[]) {
  const excluded: ExcludedColumn[] = [];
  const features: FeatureSpec[] = [];
  for (const col of options.exclude ?? []) {
    if (!ds.columns.includes(col)) throw new Error(`--exclude names unknown column ${col}`);
  }
  ds.columns.forEach((col, j) => {
    if (col === options.target) return;
    const protectedWhy = protectedReason(col);
    if (protectedWhy) return excluded.push({ column: col, reason: protectedWhy });
    if (options.exclude?.includes(col)) return excluded.push({ column: col, reason: "excluded by the caller" });
    const values = used.map((i) => ds.rows[i][j]);
    const present = values.filter((v) => v !== null);
    const distinct = new Set(present);
    if (present.length === 0) return excluded.push({ column: col, reason: "no values" });
    if (distinct.size === 1 && present.length === values.length) return excluded.push({ column: col, reason: "constant" });
    if (types[col] === "categorical" && distinct.size > 20 && distinct.size > 0.5 * present.length) {
      // One level per applicant cannot generalise; it would only memorise the training rows.
      return excluded.push({ column: col, reason: `identifier-like: ${distinct.size} distinct values` });
    }
    features.push({ name: col, type: types[col] });
  });
  return { features, excluded };
}

interface Prepared {
  features: FeatureSpec[];
  excluded: ExcludedColumn[];
  rows: Value[][];
  y: number[];
  good: string[];
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
  if (bads === 0) throw new Error(`no row has ${options.target} = ${bad}`);
  if (bads === y.length) throw new Error(`every row has ${options.target} = ${bad}: nothing to tell apart`);
  if (Math.min(bads, y.length - bads) < folds) throw new Error(`too few rows of one class for ${folds}-fold CV`);
  const good = [...new Set(labels.filter((l) => l !== bad))].sort();

  const { features, excluded } = resolveFeatures(ds, options, types, used);
  if (features.length === 0) throw new Error("no usable feature columns");
  const columns = features.map((f) => subset(columnValues(ds, f.name, f.type), used));
  const rows: Value[][] = used.map((_, i) => columns.map((c) => c[i]));
  const missingByColumn: Record<string, number> = {};
  features.forEach((f, j) => (missingByColumn[f.name] = columns[j].filter((v) => v === null).length));
  const rowCounts: RowCounts = {
    total: ds.rows.length,
    used: used.length,
    droppedMissingTarget: ds.rows.length - used.length,
    withMissing: rows.filter((r) => r.some((v) => v === null)).length,
    missingCells: Object.values(missingByColumn).reduce((a, b) => a + b, 0),
    missingByColumn,
  };
  return { features, excluded, rows, y, good, rowCounts };
}

export function train(ds: Dataset, options: TrainOptions): TrainResult {
  const progress = options.onProgress ?? (() => {});
  const seed = options.seed ?? DEFAULT_SEED;
  const folds = options.folds ?? DEFAULT_FOLDS;
  const holdoutFraction = options.holdoutFraction ?? 0.3;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`seed must be an integer in [0, 2^32), got ${seed}`);
  if (!Number.isInteger(folds) || folds < 2) throw new Error(`folds must be an integer >= 2, got ${folds}`);
  const { features, excluded, rows, y, good, rowCounts } = prepare(ds, options, folds);
  const bads = y.reduce((a, b) => a + b, 0);
  progress(`loaded ${ds.name}: ${rowCounts.total} rows, ${ds.columns.length} columns, sha256 ${ds.sha256.slice(0, 16)}…`);
  progress(`target ${options.target}: ${bads} bad (${options.bad}) / ${y.length - bads} good (${good.join(", ")})`);
  for (const e of excluded) progress(`excluded ${e.column}: ${e.reason}`);
  progress(
    `features: ${features.length} (${features.filter((f) => f.type === "numeric").length} numeric); ` +
      `rows with missing values: ${rowCounts.withMissing}, dropped for a missing target: ${rowCounts.droppedMissingTarget}`,
  );

  const encodings = options.encodings ?? DEFAULT_ENCODINGS;
  const lambdas = options.lambdas ?? DEFAULT_LAMBDAS;
  if (encodings.length === 0 || lambdas.length === 0) throw new Error("need at least one encoding and one penalty");
  if (lambdas.some((l) => !(l >= 0 && Number.isFinite(l)))) throw new Error("penalties must be finite and >= 0");
  const problem: Problem = {
    features,
    rows,
    y,
    binning: options.binning ?? DEFAULT_BINNING,
    candidates: encodings.flatMap((encoding) => lambdas.map((lambda) => ({ encoding, lambda }))),
    folds,
  };

  // 1. Selection on all rows: which encoding and penalty the final model uses.
  const candidates = crossValidate(problem, rows, y, seed);
  for (const c of candidates) progress(`candidate ${c.encoding} λ=${c.lambda}: CV AUC ${c.auc.toFixed(4)} ± ${c.aucStd.toFixed(4)}`);
  const chosen = problem.candidates[best(candidates)];
  progress(`selected ${chosen.encoding} λ=${chosen.lambda}`);

  // 2. Nested CV: the honest estimate of what this whole procedure achieves on new rows.
  const outer = stratifiedFolds(y, folds, seed);
  const aucByFold: number[] = [];
  for (let f = 0; f < folds; f++) {
    const split = foldSplit(outer, f);
    const trainY = subset(y, split.train);
    const inner = crossValidate(problem, subset(rows, split.train), trainY, deriveSeed(seed, `outer-${f}`));
    const pick = problem.candidates[best(inner)];
    const { encoder, fit } = fitPipeline(problem, pick, subset(rows, split.train), trainY);
    aucByFold.push(auc(subset(y, split.test), logits(encoder, fit, subset(rows, split.test))));
    progress(`nested CV fold ${f + 1}/${folds}: picked ${pick.encoding} λ=${pick.lambda}, AUC ${aucByFold[f].toFixed(4)}`);
  }

  // 3. Holdout: select on the training side only, then measure on rows never looked at.
  const scaling = makeScaling(options.scaling ?? DEFAULT_SCALING);
  const split = holdoutSplit(y, holdoutFraction, deriveSeed(seed, "holdout"));
  const hTrainY = subset(y, split.train);
  const hPick = problem.candidates[best(crossValidate(problem, subset(rows, split.train), hTrainY, deriveSeed(seed, "holdout-cv")))];
  const hFit = fitPipeline(problem, hPick, subset(rows, split.train), hTrainY);
  const hTestY = subset(y, split.test);
  const hLogits = logits(hFit.encoder, hFit.fit, subset(rows, split.test));
  const hProb = hLogits.map(sigmoid);
  const hScores = hLogits.map((z) => scoreFromLogit(scaling, z));
  const holdout = {
    fraction: holdoutFraction,
    trainRows: split.train.length,
    testRows: split.test.length,
    auc: auc(hTestY, hLogits),
    ks: ks(hTestY, hLogits),
    brier: brier(hTestY, hProb),
    encoding: hPick.encoding,
    lambda: hPick.lambda,
  };
  progress(`holdout ${split.train.length}/${split.test.length}: AUC ${holdout.auc.toFixed(4)}, KS ${holdout.ks.toFixed(4)}, Brier ${holdout.brier.toFixed(4)}`);

  // 4. The model that ships: the selected candidate refitted on every row.
  const final = fitPipeline(problem, chosen, rows, y);
  progress(`final fit on ${rows.length} rows: ${final.fit.iterations} Newton iterations, converged ${final.fit.converged}`);
  const cvAuc = mean(aucByFold);
  const cvAucStd = std(aucByFold);
  const model = sealModel({
    format: MODEL_FORMAT,
    target: { column: options.target, bad: options.bad.trim(), good },
    data: { name: ds.name, format: ds.format, sha256: ds.sha256, rows: ds.rows.length, usedRows: rowCounts.used },
    features,
    excluded,
    encoder: final.encoder,
    lambda: chosen.lambda,
    intercept: final.fit.intercept,
    coefficients: final.encoder.featureNames.map((feature, k) => ({ feature, weight: final.fit.weights[k] })),
    scaling,
    training: {
      seed,
      folds,
      cvAuc,
      cvAucStd,
      holdout: { auc: holdout.auc, ks: holdout.ks, brier: holdout.brier },
      candidates,
    },
  });
  const report: TrainReport = {
    format: "microcredit-risk-report/1",
    modelVersion: model.modelVersion,
    data: model.data,
    target: model.target,
    seed,
    folds,
    auc: cvAuc,
    aucStd: cvAucStd,
    aucByFold,
    ks: holdout.ks,
    brier: holdout.brier,
    calibration: calibrationTable(hTestY, hProb, 10),
    cutoffs: cutoffTable(hTestY, hScores, options.cutoffStep ?? 20),
    holdout,
    selection: { encoding: chosen.encoding, lambda: chosen.lambda, candidates },
    rows: rowCounts,
    features,
    excluded,
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
