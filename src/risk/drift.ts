// Population drift. A model is only as good as the resemblance between the applicants it scores
// and the ones it learned from. The model carries a reference picture of its training population
// (the share of applicants in each bin of every feature, and of the score); a new batch is cut
// into the same bins and compared by the population stability index
//   PSI = Σ (actual − expected) · ln(actual / expected)
// Industry reading: below 0.1 stable, 0.1–0.25 worth watching, above 0.25 a shift large enough
// that the model's figures no longer describe the batch (retrain or investigate).
import { numericBin, type FeatureSpec, type Value } from "./encode.ts";

export const PSI_WATCH = 0.1;
export const PSI_WARN = 0.25;
/** Shares are floored here so an empty bin gives a large but finite PSI term. */
const FLOOR = 1e-4;
const BINS = 10;
const MISSING = "(missing)";
const OTHER = "(other)";

export interface NumericReference {
  column: string;
  type: "numeric";
  /** Upper bounds (inclusive) of every bin but the last; then one bin for missing values. */
  edges: number[];
  expected: number[];
}

export interface CategoricalReference {
  column: string;
  type: "categorical";
  /** Levels with their own bin; then "(other)", then "(missing)". */
  levels: string[];
  expected: number[];
}

export interface DriftReference {
  rows: number;
  features: (NumericReference | CategoricalReference)[];
  score: { edges: number[]; expected: number[] };
}

function quantileEdges(xs: number[], bins: number): number[] {
  const sorted = xs.slice().sort((a, b) => a - b);
  const n = sorted.length;
  const edges: number[] = [];
  for (let i = 1; i < bins && n > 0; i++) {
    const e = sorted[Math.ceil((i * n) / bins) - 1];
    if (e < sorted[n - 1] && (edges.length === 0 || e > edges[edges.length - 1])) edges.push(e);
  }
  return edges;
}

function shares(counts: number[], total: number): number[] {
  return counts.map((c) => (total > 0 ? c / total : 0));
}

function numericCounts(edges: number[], values: Value[]): number[] {
  const counts = new Array<number>(edges.length + 2).fill(0);
  for (const v of values) counts[v === null ? edges.length + 1 : numericBin(edges, v as number)]++;
  return counts;
}

function categoricalCounts(levels: string[], values: Value[]): number[] {
  const counts = new Array<number>(levels.length + 2).fill(0);
  for (const v of values) {
    if (v === null) counts[levels.length + 1]++;
    else {
      const k = levels.indexOf(String(v));
      counts[k >= 0 ? k : levels.length]++;
    }
  }
  return counts;
}

/** The training population's picture: feature bins from `rows`, score deciles from `scores`. */
export function buildReference(features: FeatureSpec[], rows: Value[][], scores: number[]): DriftReference {
  const n = rows.length;
  return {
    rows: n,
    features: features.map((f, j) => {
      const values = rows.map((r) => r[j]);
      if (f.type === "numeric") {
        const edges = quantileEdges(values.filter((v): v is number => v !== null), BINS);
        return { column: f.name, type: "numeric", edges, expected: shares(numericCounts(edges, values), n) };
      }
      const counts = new Map<string, number>();
      for (const v of values) if (v !== null) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      const levels = [...counts.keys()].filter((l) => (counts.get(l) as number) >= 0.01 * n).sort();
      return { column: f.name, type: "categorical", levels, expected: shares(categoricalCounts(levels, values), n) };
    }),
    score: (() => {
      const edges = quantileEdges(scores, BINS);
      return { edges, expected: shares(numericCounts(edges, scores), scores.length) };
    })(),
  };
}

/** PSI of an actual distribution against the expected one (both as shares over the same bins). */
export function psi(expected: readonly number[], actual: readonly number[]): number {
  let s = 0;
  for (let k = 0; k < expected.length; k++) {
    const e = Math.max(expected[k], FLOOR);
    const a = Math.max(actual[k], FLOOR);
    s += (a - e) * Math.log(a / e);
  }
  return s;
}

export type DriftLevel = "stable" | "watch" | "warn";

export function driftLevel(value: number): DriftLevel {
  return value > PSI_WARN ? "warn" : value > PSI_WATCH ? "watch" : "stable";
}

export interface DriftRow {
  name: string;
  psi: number;
  level: DriftLevel;
  bins: { label: string; expected: number; actual: number }[];
}

export interface DriftReport {
  rows: number;
  features: DriftRow[];
  score: DriftRow;
  /** Names whose PSI is above the warning level (PSI_WARN), score included. */
  warnings: string[];
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(6)));
}

function numericLabels(edges: number[]): string[] {
  const labels = edges.length === 0 ? ["all"] : [`<= ${fmt(edges[0])}`];
  for (let k = 1; k < edges.length; k++) labels.push(`(${fmt(edges[k - 1])}, ${fmt(edges[k])}]`);
  if (edges.length > 0) labels.push(`> ${fmt(edges[edges.length - 1])}`);
  return [...labels, MISSING];
}

function row(name: string, labels: string[], expected: number[], counts: number[], total: number): DriftRow {
  const actual = shares(counts, total);
  const value = psi(expected, actual);
  return { name, psi: value, level: driftLevel(value), bins: labels.map((label, k) => ({ label, expected: expected[k], actual: actual[k] })) };
}

/** Compares a batch (`rows` in the model's feature order, and its scores) with the reference. */
export function compareToReference(reference: DriftReference, rows: Value[][], scores: number[]): DriftReport {
  if (rows.length === 0) throw new Error("the batch has no rows");
  const features = reference.features.map((f, j) => {
    const values = rows.map((r) => r[j]);
    return f.type === "numeric"
      ? row(f.column, numericLabels(f.edges), f.expected, numericCounts(f.edges, values), rows.length)
      : row(f.column, [...f.levels, OTHER, MISSING], f.expected, categoricalCounts(f.levels, values), rows.length);
  });
  const scoreLabels = numericLabels(reference.score.edges);
  const score = row("score", scoreLabels, reference.score.expected, numericCounts(reference.score.edges, scores), scores.length);
  const warnings = [...features, score].filter((r) => r.level === "warn").map((r) => r.name);
  return { rows: rows.length, features, score, warnings };
}
