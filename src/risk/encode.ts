// Feature encodings. Every encoder is fitted on training rows only (inside each CV fold),
// then serialised into the model, so scoring applies exactly the transformation the
// coefficients were fitted against.
//   woe    — numerics cut into quantile bins, categoricals grouped; each column becomes its
//            weight of evidence (one feature per column: the classic scorecard)
//   bins   — the same bins, one 0/1 feature per bin (a free coefficient per bin)
//   onehot — numerics standardised (median-imputed plus a missing flag), categoricals one-hot
// Missing values are never dropped: they form their own bin, level or indicator.
import type { ColumnType } from "./data.ts";

export type EncodingKind = "woe" | "bins" | "onehot";
export type Value = number | string | null;

export interface FeatureSpec {
  name: string;
  type: ColumnType;
  /** Cell texts (numbers as `String(n)`) that mean "missing" in this column, found in training. */
  missingCodes?: string[];
}

export interface BinningOptions {
  /** Quantile bins a numeric column starts from. */
  maxBins: number;
  /** Smallest numeric bin as a share of training rows. */
  minBinFraction: number;
  /** Rarer categorical levels (as a share of training rows) are pooled into one "(other)" bin. */
  minLevelFraction: number;
  /** Merge adjacent numeric bins until the bad rate moves in one direction. */
  monotone: boolean;
}

export const DEFAULT_BINNING: BinningOptions = { maxBins: 20, minBinFraction: 0.05, minLevelFraction: 0.02, monotone: true };

export interface BinStat {
  label: string;
  count: number;
  bad: number;
  /** ln(share of goods / share of bads), smoothed; > 0 means safer than average. */
  woe: number;
}

export interface NumericBinned {
  column: string;
  type: "numeric";
  /** Upper bounds (inclusive) of every bin but the last. */
  edges: number[];
  bins: BinStat[];
  missing: BinStat | null;
}

export interface CategoricalBinned {
  column: string;
  type: "categorical";
  bins: (BinStat & { levels: string[] })[];
  /** Bin of the pooled rare levels. */
  other: number | null;
  missing: BinStat | null;
}

export interface NumericLinear {
  column: string;
  type: "numeric";
  median: number;
  mean: number;
  sd: number;
  /** Observed range: the candidates for a value the model cannot read (see `columnStates`). */
  min: number;
  max: number;
  missingIndicator: boolean;
}

export interface CategoricalOneHot {
  column: string;
  type: "categorical";
  levels: string[];
  missingLevel: boolean;
}

export type ColumnEncoder = NumericBinned | CategoricalBinned | NumericLinear | CategoricalOneHot;

export interface Encoder {
  kind: EncodingKind;
  binning: BinningOptions | null;
  columns: ColumnEncoder[];
  featureNames: string[];
  /** Training mean of every encoded feature: the neutral point reason codes measure from. */
  featureMeans: number[];
}

const WOE_SMOOTHING = 0.5;
const OTHER = "(other)";
const MISSING = "(missing)";

function woe(good: number, bad: number, totalGood: number, totalBad: number, bins: number): number {
  const a = WOE_SMOOTHING;
  return Math.log((good + a) / (totalGood + a * bins)) - Math.log((bad + a) / (totalBad + a * bins));
}

// Every bin's WoE is measured against the same totals, with the missing bin counted in
// the smoothing, so bins with few rows are pulled towards zero rather than to ±infinity.
function withWoe<T extends Tally>(groups: T[], y: ArrayLike<number>, totalBins: number): (T & { woe: number })[] {
  let totalBad = 0;
  for (let i = 0; i < y.length; i++) totalBad += y[i];
  const totalGood = y.length - totalBad;
  return groups.map((g) => ({ ...g, woe: woe(g.count - g.bad, g.bad, totalGood, totalBad, totalBins) }));
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(6)));
}

function numericLabel(edges: number[], k: number): string {
  if (edges.length === 0) return "all";
  if (k === 0) return `<= ${fmt(edges[0])}`;
  if (k === edges.length) return `> ${fmt(edges[k - 1])}`;
  return `(${fmt(edges[k - 1])}, ${fmt(edges[k])}]`;
}

export function numericBin(edges: readonly number[], v: number): number {
  let k = 0;
  while (k < edges.length && v > edges[k]) k++;
  return k;
}

interface Tally {
  count: number;
  bad: number;
}

function tallyNumeric(edges: number[], xs: number[], ys: number[]): Tally[] {
  const t = Array.from({ length: edges.length + 1 }, () => ({ count: 0, bad: 0 }));
  xs.forEach((x, i) => {
    const b = t[numericBin(edges, x)];
    b.count++;
    b.bad += ys[i];
  });
  return t;
}

/** Quantile edges, then merges that keep every bin populated (and optionally monotone). */
export function numericEdges(xs: number[], ys: number[], options: BinningOptions, minCount: number): number[] {
  const sorted = xs.slice().sort((a, b) => a - b);
  const n = sorted.length;
  let edges: number[] = [];
  for (let i = 1; i < options.maxBins; i++) {
    const e = sorted[Math.ceil((i * n) / options.maxBins) - 1];
    // An edge at the maximum would leave an empty top bin; repeated values give repeated edges.
    if (e !== undefined && e < sorted[n - 1] && (edges.length === 0 || e > edges[edges.length - 1])) edges.push(e);
  }
  // Merge the smallest undersized bin into its smaller neighbour until all are big enough.
  for (;;) {
    const t = tallyNumeric(edges, xs, ys);
    let worst = -1;
    for (let k = 0; k < t.length; k++) {
      if (t[k].count < minCount && (worst < 0 || t[k].count < t[worst].count)) worst = k;
    }
    if (worst < 0 || edges.length === 0) break;
    const left = worst > 0 ? t[worst - 1].count : Infinity;
    const right = worst < t.length - 1 ? t[worst + 1].count : Infinity;
    edges.splice(left <= right ? worst - 1 : worst, 1);
  }
  if (options.monotone) edges = monotoneEdges(edges, xs, ys);
  return edges;
}

// Pool adjacent violators: a bad rate that zig-zags across neighbouring bins is noise the
// model would otherwise learn; the direction is the one the whole column leans to.
function monotoneEdges(edges: number[], xs: number[], ys: number[]): number[] {
  const out = edges.slice();
  const t0 = tallyNumeric(out, xs, ys);
  const overall = ys.reduce((a, b) => a + b, 0) / ys.length;
  const centre = (t0.length - 1) / 2;
  let lean = 0;
  t0.forEach((b, k) => (lean += b.count * (b.bad / b.count - overall) * (k - centre)));
  const up = lean >= 0;
  for (;;) {
    const t = tallyNumeric(out, xs, ys);
    let k = 0;
    while (k + 1 < t.length) {
      const a = t[k].bad / t[k].count;
      const b = t[k + 1].bad / t[k + 1].count;
      if (up ? b < a : b > a) break;
      k++;
    }
    if (k + 1 >= t.length) return out;
    out.splice(k, 1);
  }
}

function missingStat(ys: number[], y: ArrayLike<number>, totalBins: number): BinStat | null {
  if (ys.length === 0) return null;
  const bad = ys.reduce((a, b) => a + b, 0);
  return withWoe([{ label: MISSING, count: ys.length, bad }], y, totalBins)[0];
}

function fitNumericBinned(column: string, values: Value[], y: ArrayLike<number>, options: BinningOptions): NumericBinned {
  const xs: number[] = [];
  const ys: number[] = [];
  const missingYs: number[] = [];
  values.forEach((v, i) => {
    if (v === null) missingYs.push(y[i]);
    else {
      xs.push(v as number);
      ys.push(y[i]);
    }
  });
  const minCount = Math.max(1, Math.ceil(options.minBinFraction * values.length));
  const edges = xs.length > 0 ? numericEdges(xs, ys, options, minCount) : [];
  const tallies = xs.length > 0 ? tallyNumeric(edges, xs, ys) : [];
  const totalBins = tallies.length + (missingYs.length > 0 ? 1 : 0);
  const bins = withWoe(
    tallies.map((t, k) => ({ label: numericLabel(edges, k), ...t })),
    y,
    totalBins,
  );
  return { column, type: "numeric", edges, bins, missing: missingStat(missingYs, y, totalBins) };
}

function levelTallies(values: Value[], y: ArrayLike<number>): Map<string, Tally> {
  const m = new Map<string, Tally>();
  values.forEach((v, i) => {
    if (v === null) return;
    const key = String(v);
    const t = m.get(key) ?? { count: 0, bad: 0 };
    t.count++;
    t.bad += y[i];
    m.set(key, t);
  });
  return m;
}

// Levels sorted by name so the encoder (and the model file) never depends on row order.
function sortedLevels(m: Map<string, Tally>): string[] {
  return [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function fitCategoricalBinned(column: string, values: Value[], y: ArrayLike<number>, options: BinningOptions): CategoricalBinned {
  const tallies = levelTallies(values, y);
  const minCount = Math.max(1, Math.ceil(options.minLevelFraction * values.length));
  const kept: { label: string; levels: string[]; count: number; bad: number }[] = [];
  const rare = { label: OTHER, levels: [] as string[], count: 0, bad: 0 };
  for (const level of sortedLevels(tallies)) {
    const t = tallies.get(level) as Tally;
    if (t.count >= minCount) kept.push({ label: level, levels: [level], ...t });
    else {
      rare.levels.push(level);
      rare.count += t.count;
      rare.bad += t.bad;
    }
  }
  const missingYs: number[] = [];
  values.forEach((v, i) => v === null && missingYs.push(y[i]));
  const groups = rare.count > 0 ? [...kept, rare] : kept;
  const totalBins = groups.length + (missingYs.length > 0 ? 1 : 0);
  const bins = withWoe(groups, y, totalBins);
  return {
    column,
    type: "categorical",
    bins,
    other: rare.count > 0 ? bins.length - 1 : null,
    missing: missingStat(missingYs, y, totalBins),
  };
}

function fitNumericLinear(column: string, values: Value[]): NumericLinear {
  const xs = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const median = xs.length === 0 ? 0 : xs.length % 2 ? xs[(xs.length - 1) / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2;
  const filled = values.map((v) => (v === null ? median : (v as number)));
  const mean = filled.reduce((a, b) => a + b, 0) / filled.length;
  const variance = filled.reduce((a, v) => a + (v - mean) ** 2, 0) / filled.length;
  return {
    column,
    type: "numeric",
    median,
    mean,
    sd: variance > 0 ? Math.sqrt(variance) : 1,
    min: xs.length ? xs[0] : median,
    max: xs.length ? xs[xs.length - 1] : median,
    missingIndicator: xs.length < values.length,
  };
}

function fitOneHot(column: string, values: Value[]): CategoricalOneHot {
  return {
    column,
    type: "categorical",
    levels: sortedLevels(levelTallies(values, new Array<number>(values.length).fill(0))),
    missingLevel: values.some((v) => v === null),
  };
}

function isBinned(c: ColumnEncoder): c is NumericBinned | CategoricalBinned {
  return "bins" in c;
}

function columnFeatureNames(kind: EncodingKind, c: ColumnEncoder): string[] {
  if (isBinned(c)) {
    if (kind === "woe") return [`${c.column}:woe`];
    return [...c.bins.map((b) => `${c.column}=${b.label}`), ...(c.missing ? [`${c.column}=${MISSING}`] : [])];
  }
  if (c.type === "numeric") return [c.column, ...(c.missingIndicator ? [`${c.column}=${MISSING}`] : [])];
  return [...c.levels.map((l) => `${c.column}=${l}`), ...(c.missingLevel ? [`${c.column}=${MISSING}`] : [])];
}

/**
 * Which bin a value falls in: an index into `bins`, `bins.length` for missing, or -1 when
 * training never saw anything like it (missing in a column that had no gaps, a new level).
 */
export function binIndex(c: NumericBinned | CategoricalBinned, v: Value): number {
  if (v === null) return c.missing ? c.bins.length : -1;
  if (c.type === "numeric") return c.bins.length === 0 ? -1 : numericBin(c.edges, v as number);
  return c.bins.findIndex((b) => b.levels.includes(String(v)));
}

/** False when the encoder learned nothing for this value: a gap it never saw, or an unknown level. */
export function isKnownValue(c: ColumnEncoder, v: Value): boolean {
  if (isBinned(c)) return binIndex(c, v) >= 0;
  if (c.type === "numeric") return v !== null || c.missingIndicator;
  return v === null ? c.missingLevel : c.levels.includes(String(v));
}

/** Every encoding a column produced in training: the choices a value it cannot read falls back to. */
export function columnStates(kind: EncodingKind, c: ColumnEncoder): number[][] {
  let values: Value[];
  if (isBinned(c)) {
    // One representative value per bin: its upper edge, or anything above the last edge.
    values = c.type === "numeric" ? (c.bins.length ? [...c.edges, Infinity] : []) : c.bins.map((b) => b.levels[0]);
    if (c.missing) values.push(null);
  } else if (c.type === "numeric") values = [c.min, c.max, ...(c.missingIndicator ? [null] : [])];
  else values = [...c.levels, ...(c.missingLevel ? [null] : [])];
  return values.map((v) => {
    const out: number[] = [];
    encodeColumn(kind, c, v, out);
    return out;
  });
}

function encodeColumn(kind: EncodingKind, c: ColumnEncoder, v: Value, out: number[]): void {
  if (isBinned(c)) {
    const k = binIndex(c, v);
    if (kind === "woe") {
      // Placeholder for a value training never saw; `encodeForScoring` replaces it.
      out.push(k < 0 ? 0 : k === c.bins.length ? (c.missing as BinStat).woe : c.bins[k].woe);
      return;
    }
    const width = c.bins.length + (c.missing ? 1 : 0);
    for (let j = 0; j < width; j++) out.push(j === k ? 1 : 0);
    return;
  }
  if (c.type === "numeric") {
    out.push(((v === null ? c.median : (v as number)) - c.mean) / c.sd);
    if (c.missingIndicator) out.push(v === null ? 1 : 0);
    return;
  }
  for (const l of c.levels) out.push(v !== null && String(v) === l ? 1 : 0);
  if (c.missingLevel) out.push(v === null ? 1 : 0);
}

/** Fits an encoder on training rows; `rows[i][j]` is the value of `features[j]`. */
export function fitEncoder(
  kind: EncodingKind,
  features: FeatureSpec[],
  rows: Value[][],
  y: ArrayLike<number>,
  binning: BinningOptions = DEFAULT_BINNING,
): Encoder {
  const columns = features.map((f, j): ColumnEncoder => {
    const values = rows.map((r) => r[j]);
    if (kind === "onehot") return f.type === "numeric" ? fitNumericLinear(f.name, values) : fitOneHot(f.name, values);
    return f.type === "numeric"
      ? fitNumericBinned(f.name, values, y, binning)
      : fitCategoricalBinned(f.name, values, y, binning);
  });
  const featureNames = columns.flatMap((c) => columnFeatureNames(kind, c));
  const encoder: Encoder = {
    kind,
    binning: kind === "onehot" ? null : binning,
    columns,
    featureNames,
    featureMeans: new Array<number>(featureNames.length).fill(0),
  };
  const sums = new Array<number>(featureNames.length).fill(0);
  for (const r of rows) encodeRow(encoder, r).forEach((x, j) => (sums[j] += x));
  encoder.featureMeans = sums.map((s) => s / Math.max(1, rows.length));
  return encoder;
}

export function encodeRow(encoder: Encoder, row: Value[]): number[] {
  const out: number[] = [];
  encoder.columns.forEach((c, j) => encodeColumn(encoder.kind, c, row[j], out));
  return out;
}

/** How many encoded features each source column produced, in order. */
export function columnWidths(encoder: Encoder): number[] {
  return encoder.columns.map((c) => columnFeatureNames(encoder.kind, c).length);
}

/**
 * Encodes a row for prediction with fitted `weights`. A value the encoder cannot read takes the
 * state training saw that adds most to the log-odds of bad, so withholding or garbling data can
 * never raise a score. Cross-validation scores through here too, so it measures this rule.
 */
export function encodeForScoring(encoder: Encoder, weights: readonly number[], row: Value[]): { x: number[]; unreadable: string[] } {
  const x = encodeRow(encoder, row);
  const unreadable: string[] = [];
  let k = 0;
  columnWidths(encoder).forEach((width, j) => {
    const c = encoder.columns[j];
    if (!isKnownValue(c, row[j])) {
      unreadable.push(c.column);
      const at = k;
      const riskOf = (state: number[]) => state.reduce((z, v, e) => z + weights[at + e] * v, 0);
      const states = columnStates(encoder.kind, c);
      if (states.length > 0) states.reduce((a, b) => (riskOf(b) > riskOf(a) ? b : a)).forEach((v, e) => (x[at + e] = v));
    }
    k += width;
  });
  return { x, unreadable };
}
