// Gradient-boosted decision trees for binary credit outcomes: the second model family.
//
// A logistic regression adds one effect per attribute; trees can also learn that an effect
// depends on another attribute (a long loan is riskier when there is no checking account)
// and that a risk curve bends. This is a small histogram learner in the XGBoost mould:
// second-order gradients of the log-loss, L2-penalised leaf weights, depth-wise trees,
// seeded row and column subsampling, a learned direction for missing values, and monotone
// constraints with XGBoost's bound propagation, so a constrained attribute can only move the
// risk one way in every tree and therefore in the sum.
//
// Trees are stored with raw thresholds and level names (readable in model.json) and scored
// from raw values; training works on bin codes, and both agree by construction:
// value <= edges[t - 1]  ⇔  bin(value) <= t.
import { createRng, deriveSeed, shuffle } from "./cv.ts";
import { numericBin, type FeatureSpec, type Value } from "./encode.ts";
import { AGE_COLUMN } from "./fairness.ts";

/** +1: the log-odds of bad may only rise as the value grows; −1: only fall; 0: free. */
export type Direction = -1 | 0 | 1;

export interface GbtParams {
  /** Trees each member grows (cross-validation picks how many of them to keep). */
  trees: number;
  /**
   * Members boosted independently (each with its own row and column samples) and averaged:
   * bagging the boosted models takes out much of the noise subsampling puts into one of them.
   */
  bags: number;
  learningRate: number;
  maxDepth: number;
  /** Smallest sum of hessians p(1 − p) in a child: about rows × 0.2 at a 30 % bad rate. */
  minChildHessian: number;
  /** L2 penalty on every leaf weight. */
  lambda: number;
  /** Share of rows each tree sees, drawn without replacement. */
  subsample: number;
  /** Share of columns each tree may split on. */
  colsample: number;
  /** Quantile bins per numeric column. */
  maxBins: number;
  /** Rarer categorical levels (as a share of training rows) are pooled into "(other)". */
  minLevelFraction: number;
  /** Categorical levels are ordered by G / (H + catSmooth) before the best cut is searched. */
  catSmooth: number;
  seed: number;
}

export const DEFAULT_GBT: GbtParams = {
  trees: 200,
  // Four members at twice the step size cost twice one member at the half step, and their
  // average is steadier than the one: subsampled boosting on a few hundred bads is noisy.
  bags: 4,
  learningRate: 0.1,
  maxDepth: 3,
  minChildHessian: 4,
  lambda: 1,
  subsample: 0.8,
  // Half the columns per tree: trees that cannot all lean on the strongest column decorrelate.
  colsample: 0.5,
  maxBins: 32,
  minLevelFraction: 0.01,
  catSmooth: 5,
  seed: 42,
};

export const MISSING_LEVEL = "(missing)";
export const OTHER_LEVEL = "(other)";

export interface GbtNumericColumn {
  column: string;
  type: "numeric";
  /** Upper bounds (inclusive) of every bin but the last; bin 0 holds missing values. */
  edges: number[];
  /** Representative values of every bin training saw: the states an unreadable value may take. */
  min: number;
  max: number;
  hasMissing: boolean;
  monotone: Direction;
}

export interface GbtCategoricalColumn {
  column: string;
  type: "categorical";
  /** Levels with their own bin (sorted); rarer ones share "(other)". */
  levels: string[];
  rare: string[];
  hasMissing: boolean;
}

export type GbtColumn = GbtNumericColumn | GbtCategoricalColumn;

/**
 * One node. A split has `feature` (an index into the columns), `left` and `right`; a numeric
 * split sends `value <= threshold` left (`threshold: null` sends every present value left and
 * missing values right) and missing values where `missingLeft` says; a categorical split sends
 * `leftLevels` left (level names, "(other)" and "(missing)"). A leaf has only `value`.
 * `value` is the leaf's log-odds step, or for a split the cover-weighted mean of its leaves,
 * which is what path attributions (reason codes) measure from.
 */
export interface TreeNode {
  value: number;
  cover: number;
  feature?: number;
  threshold?: number | null;
  missingLeft?: boolean;
  leftLevels?: string[];
  left?: number;
  right?: number;
}

export interface GbtModel {
  params: GbtParams;
  columns: GbtColumn[];
  /** Log-odds of bad before any tree: the training bad rate. */
  base: number;
  trees: TreeNode[][];
}

// ---------------------------------------------------------------------------------------------
// Binning

function quantileEdges(sorted: number[], maxBins: number): number[] {
  const n = sorted.length;
  const edges: number[] = [];
  for (let i = 1; i < maxBins; i++) {
    const e = sorted[Math.ceil((i * n) / maxBins) - 1];
    if (e !== undefined && e < sorted[n - 1] && (edges.length === 0 || e > edges[edges.length - 1])) edges.push(e);
  }
  return edges;
}

function fitColumn(f: FeatureSpec, values: Value[], params: GbtParams, monotone: Direction): GbtColumn {
  const hasMissing = values.some((v) => v === null);
  if (f.type === "numeric") {
    const xs = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
    return {
      column: f.name,
      type: "numeric",
      edges: xs.length ? quantileEdges(xs, params.maxBins) : [],
      min: xs.length ? xs[0] : 0,
      max: xs.length ? xs[xs.length - 1] : 0,
      hasMissing,
      monotone,
    };
  }
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  const minCount = Math.max(1, Math.ceil(params.minLevelFraction * values.length));
  const names = [...counts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    column: f.name,
    type: "categorical",
    levels: names.filter((l) => (counts.get(l) as number) >= minCount),
    rare: names.filter((l) => (counts.get(l) as number) < minCount),
    hasMissing,
  };
}

/** Bins of a column: numeric 0 = missing, 1… by edges; categorical 0 = missing, levels, then "(other)". */
function binCount(c: GbtColumn): number {
  return c.type === "numeric" ? c.edges.length + 2 : c.levels.length + 2;
}

/** Bin of a raw value, or −1 when training never saw anything like it. */
export function binOf(c: GbtColumn, v: Value): number {
  if (v === null) return c.hasMissing ? 0 : -1;
  if (c.type === "numeric") return 1 + numericBin(c.edges, v as number);
  const s = String(v);
  const k = c.levels.indexOf(s);
  if (k >= 0) return k + 1;
  return c.rare.includes(s) ? c.levels.length + 1 : -1;
}

function binLabel(c: GbtCategoricalColumn, bin: number): string {
  return bin === 0 ? MISSING_LEVEL : bin <= c.levels.length ? c.levels[bin - 1] : OTHER_LEVEL;
}

function categoricalLabel(c: GbtCategoricalColumn, v: Value): string {
  if (v === null) return MISSING_LEVEL;
  const s = String(v);
  return c.levels.includes(s) ? s : OTHER_LEVEL;
}

/** False when the column learned nothing for this value: a gap it never saw, or a new level. */
export function gbtKnownValue(c: GbtColumn, v: Value): boolean {
  return binOf(c, v) >= 0;
}

/** One raw value per state training saw: where an unreadable value is tried out. */
export function gbtColumnStates(c: GbtColumn): Value[] {
  const out: Value[] = [];
  if (c.type === "numeric") {
    out.push(...c.edges, c.max);
  } else {
    out.push(...c.levels);
    if (c.rare.length) out.push(c.rare[0]);
  }
  if (c.hasMissing) out.push(null);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Monotone directions

/**
 * Direction of each numeric column's effect, from the training rows only: the sign of its rank
 * correlation with the outcome when that correlation is clear (|z| ≥ 3, about 1 in 370 by chance
 * on a column with no effect); free otherwise. Columns named like an age (`AGE_COLUMN`) are
 * always constrained to lower (never raise) the risk as age grows.
 */
export function inferDirections(features: FeatureSpec[], rows: Value[][], y: ArrayLike<number>, zMin = 3): Direction[] {
  return features.map((f, j) => {
    if (f.type !== "numeric") return 0;
    // Fair-lending rules (US Regulation B) allow age in a scoring system only if older applicants
    // are not scored down: the trees may only lower the risk as age grows.
    if (AGE_COLUMN.test(f.name)) return -1;
    const pairs: [number, number][] = [];
    rows.forEach((r, i) => r[j] !== null && pairs.push([r[j] as number, y[i]]));
    const n = pairs.length;
    if (n < 10) return 0;
    pairs.sort((a, b) => a[0] - b[0]);
    // Mid-ranks for ties, then Pearson correlation of ranks with the 0/1 outcome.
    const ranks = new Float64Array(n);
    for (let s = 0; s < n; ) {
      let e = s;
      while (e + 1 < n && pairs[e + 1][0] === pairs[s][0]) e++;
      for (let k = s; k <= e; k++) ranks[k] = (s + e) / 2;
      s = e + 1;
    }
    let my = 0;
    let mr = 0;
    for (let k = 0; k < n; k++) {
      my += pairs[k][1];
      mr += ranks[k];
    }
    my /= n;
    mr /= n;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let k = 0; k < n; k++) {
      const dx = ranks[k] - mr;
      const dy = pairs[k][1] - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
    if (sxx === 0 || syy === 0) return 0;
    const rho = sxy / Math.sqrt(sxx * syy);
    const z = rho * Math.sqrt(n - 1);
    return z >= zMin ? 1 : z <= -zMin ? -1 : 0;
  });
}

// ---------------------------------------------------------------------------------------------
// Training

interface Split {
  gain: number;
  feature: number;
  /** Numeric: bins 1..t go left (t = last bin: every present value). */
  t: number;
  missingLeft: boolean;
  /** Categorical: bins going left. */
  leftBins: Uint8Array | null;
  wL: number;
  wR: number;
  /** Gradient and hessian sums of the left child. */
  GL: number;
  HL: number;
}

/**
 * A bin whose hessian sum is below this holds no rows: every row adds at least 1e-6, and
 * histograms obtained by subtraction leave rounding dust in empty bins.
 */
const EMPTY = 1e-9;

interface Hist {
  g: Float64Array;
  h: Float64Array;
}

interface BuildNode {
  value: number;
  cover: number;
  split: Split | null;
  left: number;
  right: number;
}

function leafWeight(G: number, H: number, lambda: number, lo: number, hi: number): number {
  const w = -G / (H + lambda);
  return w < lo ? lo : w > hi ? hi : w;
}

/** Loss of a leaf with weight w under the second-order approximation. */
function leafLoss(G: number, H: number, lambda: number, w: number): number {
  return G * w + 0.5 * (H + lambda) * w * w;
}

class TreeBuilder {
  /** Offset of every column's bins in a node's histogram block. */
  private readonly offsets: Int32Array;
  private readonly width: number;
  private readonly columns: GbtColumn[];
  private readonly bins: Uint16Array[];
  private readonly g: Float64Array;
  private readonly h: Float64Array;
  private readonly p: GbtParams;
  private readonly allowed: number[];
  nodes: BuildNode[] = [];

  constructor(columns: GbtColumn[], bins: Uint16Array[], g: Float64Array, h: Float64Array, p: GbtParams, allowed: number[]) {
    this.columns = columns;
    this.bins = bins;
    this.g = g;
    this.h = h;
    this.p = p;
    this.allowed = allowed;
    this.offsets = new Int32Array(columns.length);
    let width = 0;
    columns.forEach((c, j) => {
      this.offsets[j] = width;
      width += binCount(c);
    });
    this.width = width;
  }

  build(rows: Int32Array): void {
    let G = 0;
    let H = 0;
    for (let k = 0; k < rows.length; k++) {
      G += this.g[rows[k]];
      H += this.h[rows[k]];
    }
    this.grow(rows, G, H, 0, -Infinity, Infinity, null);
  }

  /** Gradient and hessian sums per bin of every allowed column, over `rows`. */
  private histogram(rows: Int32Array): Hist {
    const hg = new Float64Array(this.width);
    const hh = new Float64Array(this.width);
    for (const f of this.allowed) {
      const col = this.bins[f];
      const off = this.offsets[f];
      for (let k = 0; k < rows.length; k++) {
        const r = rows[k];
        const b = off + col[r];
        hg[b] += this.g[r];
        hh[b] += this.h[r];
      }
    }
    return { g: hg, h: hh };
  }

  private leaf(G: number, H: number, lo: number, hi: number): number {
    this.nodes.push({ value: leafWeight(G, H, this.p.lambda, lo, hi), cover: H, split: null, left: -1, right: -1 });
    return this.nodes.length - 1;
  }

  /** Grows the node holding `rows` (gradient sum G, hessian sum H); returns its id. */
  private grow(rows: Int32Array, G: number, H: number, depth: number, lo: number, hi: number, given: Hist | null): number {
    const id = this.leaf(G, H, lo, hi);
    if (depth >= this.p.maxDepth || H < 2 * this.p.minChildHessian) return id;
    const hist = given ?? this.histogram(rows);
    const split = this.bestSplit(hist, G, H, lo, hi);
    if (!split) return id;
    const node = this.nodes[id];
    node.split = split;
    let loL = lo;
    let hiL = hi;
    let loR = lo;
    let hiR = hi;
    const c = this.columns[split.feature];
    // Bound propagation: everything under the left child stays on its side of the midpoint.
    if (c.type === "numeric" && c.monotone !== 0 && split.t < c.edges.length + 1) {
      const mid = (split.wL + split.wR) / 2;
      if (c.monotone > 0) {
        hiL = Math.min(hiL, mid);
        loR = Math.max(loR, mid);
      } else {
        loL = Math.max(loL, mid);
        hiR = Math.min(hiR, mid);
      }
    }
    const GR = G - split.GL;
    const HR = H - split.HL;
    if (depth + 1 >= this.p.maxDepth) {
      // The children are leaves: their sums are all they need, no rows to route.
      node.left = this.leaf(split.GL, split.HL, loL, hiL);
      node.right = this.leaf(GR, HR, loR, hiR);
      return id;
    }
    const goesLeft = this.router(split);
    const side = new Uint8Array(rows.length);
    let nLeft = 0;
    for (let k = 0; k < rows.length; k++) {
      if (goesLeft(rows[k])) {
        side[k] = 1;
        nLeft++;
      }
    }
    const leftRows = new Int32Array(nLeft);
    const rightRows = new Int32Array(rows.length - nLeft);
    let a = 0;
    let b = 0;
    for (let k = 0; k < rows.length; k++) {
      if (side[k] === 1) leftRows[a++] = rows[k];
      else rightRows[b++] = rows[k];
    }
    // Only the smaller child is counted; the larger one's histogram is the parent's minus it.
    const smallIsLeft = leftRows.length <= rightRows.length;
    const small = this.histogram(smallIsLeft ? leftRows : rightRows);
    const large: Hist = { g: new Float64Array(this.width), h: new Float64Array(this.width) };
    for (let b = 0; b < this.width; b++) {
      large.g[b] = hist.g[b] - small.g[b];
      large.h[b] = Math.max(0, hist.h[b] - small.h[b]);
    }
    node.left = this.grow(leftRows, split.GL, split.HL, depth + 1, loL, hiL, smallIsLeft ? small : large);
    node.right = this.grow(rightRows, GR, HR, depth + 1, loR, hiR, smallIsLeft ? large : small);
    return id;
  }

  private router(s: Split): (row: number) => boolean {
    const col = this.bins[s.feature];
    if (s.leftBins) {
      const mask = s.leftBins;
      return (row) => mask[col[row]] === 1;
    }
    const { t, missingLeft } = s;
    return (row) => (col[row] === 0 ? missingLeft : col[row] <= t);
  }

  private bestSplit(hist: Hist, G: number, H: number, lo: number, hi: number): Split | null {
    const { lambda, minChildHessian } = this.p;
    const parentLoss = leafLoss(G, H, lambda, leafWeight(G, H, lambda, lo, hi));
    const found: { best: Split | null } = { best: null };
    for (const f of this.allowed) {
      const c = this.columns[f];
      const nb = binCount(c);
      const hg = hist.g.subarray(this.offsets[f], this.offsets[f] + nb);
      const hh = hist.h.subarray(this.offsets[f], this.offsets[f] + nb);
      // Records the split when it beats the best so far; says whether it did.
      const consider = (GL: number, HL: number, t: number, missingLeft: boolean, monotone: Direction): boolean => {
        const GR = G - GL;
        const HR = H - HL;
        if (HL < minChildHessian || HR < minChildHessian) return false;
        const wL = leafWeight(GL, HL, lambda, lo, hi);
        const wR = leafWeight(GR, HR, lambda, lo, hi);
        if ((monotone > 0 && wL > wR) || (monotone < 0 && wL < wR)) return false;
        const gain = parentLoss - leafLoss(GL, HL, lambda, wL) - leafLoss(GR, HR, lambda, wR);
        if (!(gain > 1e-9) || (found.best !== null && gain <= found.best.gain)) return false;
        found.best = { gain, feature: f, t, missingLeft, leftBins: null, wL, wR, GL, HL };
        return true;
      };
      if (c.type === "numeric") {
        const last = nb - 1;
        const Gm = hg[0];
        const Hm = hh[0];
        let GL = 0;
        let HL = 0;
        for (let t = 1; t < last; t++) {
          GL += hg[t];
          HL += hh[t];
          if (hh[t] < EMPTY) continue; // same partition as the previous threshold
          consider(GL, HL, t, false, c.monotone);
          if (Hm >= EMPTY) consider(GL + Gm, HL + Hm, t, true, c.monotone);
        }
        // Present versus missing: no ordering between the two sides, so no constraint applies.
        if (Hm >= EMPTY) consider(G - Gm, H - Hm, last, false, 0);
      } else {
        // Levels ordered by their leaf weight make the best two-way grouping a prefix of the order.
        const order: number[] = [];
        for (let b = 0; b < nb; b++) if (hh[b] >= EMPTY) order.push(b);
        if (order.length < 2) continue;
        const cs = this.p.catSmooth;
        order.sort((a, b) => hg[a] / (hh[a] + cs) - hg[b] / (hh[b] + cs) || a - b);
        let GL = 0;
        let HL = 0;
        let bestK = -1;
        for (let k = 0; k < order.length - 1; k++) {
          GL += hg[order[k]];
          HL += hh[order[k]];
          if (consider(GL, HL, 0, false, 0)) bestK = k;
        }
        if (bestK >= 0 && found.best) {
          const mask = new Uint8Array(nb);
          for (let k = 0; k <= bestK; k++) mask[order[k]] = 1;
          found.best.leftBins = mask;
        }
      }
    }
    return found.best;
  }
}

/** Every split's value becomes the cover-weighted mean of its children, bottom up. */
function settleValues(nodes: BuildNode[], id: number): void {
  const n = nodes[id];
  if (!n.split) return;
  settleValues(nodes, n.left);
  settleValues(nodes, n.right);
  const l = nodes[n.left];
  const r = nodes[n.right];
  const cover = l.cover + r.cover;
  n.value = cover > 0 ? (l.value * l.cover + r.value * r.cover) / cover : (l.value + r.value) / 2;
}

function toTree(nodes: BuildNode[], columns: GbtColumn[], learningRate: number): TreeNode[] {
  return nodes.map((n) => {
    const out: TreeNode = { value: n.value * learningRate, cover: n.cover };
    if (!n.split) return out;
    const s = n.split;
    const c = columns[s.feature];
    out.feature = s.feature;
    out.left = n.left;
    out.right = n.right;
    if (c.type === "numeric") {
      out.threshold = s.t >= c.edges.length + 1 ? null : c.edges[s.t - 1];
      out.missingLeft = s.missingLeft;
    } else {
      const mask = s.leftBins as Uint8Array;
      const left: string[] = [];
      mask.forEach((m, b) => m && left.push(binLabel(c, b)));
      out.leftLevels = left;
    }
    return out;
  });
}

/** Bin codes of every training row, column by column. */
function binColumns(columns: GbtColumn[], rows: Value[][]): Uint16Array[] {
  return columns.map((c, j) => {
    const out = new Uint16Array(rows.length);
    rows.forEach((r, i) => (out[i] = binOf(c, r[j])));
    return out;
  });
}

function nodeGoesLeft(node: TreeNode, c: GbtColumn, v: Value): boolean {
  if (c.type === "categorical") return (node.leftLevels as string[]).includes(categoricalLabel(c, v));
  if (v === null) return node.missingLeft === true;
  return node.threshold === null || (v as number) <= (node.threshold as number);
}

/** `take` of the row indices 0…n−1, in ascending order, each subset equally likely (Knuth's algorithm S). */
function sampleInOrder(n: number, take: number, rng: () => number): Int32Array {
  const out = new Int32Array(take);
  let chosen = 0;
  for (let i = 0; i < n && chosen < take; i++) {
    if ((n - i) * rng() < take - chosen) out[chosen++] = i;
  }
  return out;
}

export interface GbtFitOptions {
  /** Monotone direction per feature; inferred from the rows when omitted (see `inferDirections`). */
  monotone?: Direction[];
}

/** Fits `params.trees` trees on the rows; `rows[i][j]` is the value of `features[j]`. */
export function fitGbt(features: FeatureSpec[], rows: Value[][], y: ArrayLike<number>, params: GbtParams = DEFAULT_GBT, options: GbtFitOptions = {}): GbtModel {
  const n = rows.length;
  if (n === 0) throw new Error("no rows to fit");
  const monotone = options.monotone ?? inferDirections(features, rows, y);
  const columns = features.map((f, j) => fitColumn(f, rows.map((r) => r[j]), params, f.type === "numeric" ? monotone[j] : 0));
  const bins = binColumns(columns, rows);
  let bads = 0;
  for (let i = 0; i < n; i++) bads += y[i];
  const rate = Math.min(Math.max(bads / n, 1e-6), 1 - 1e-6);
  const base = Math.log(rate / (1 - rate));
  const target = Float64Array.from({ length: n }, (_, i) => y[i]);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const featureIds = features.map((_, j) => j);
  const take = Math.max(1, Math.min(n, Math.round(params.subsample * n)));
  const takeCols = Math.max(1, Math.min(features.length, Math.round(params.colsample * features.length)));
  const bags = Math.max(1, Math.floor(params.bags));
  // Member b's tree t lands at t · bags + b, so the first t · bags trees are every member's first t.
  const trees: TreeNode[][] = new Array(params.trees * bags);
  for (let bag = 0; bag < bags; bag++) {
    const rng = createRng(bag === 0 ? params.seed : deriveSeed(params.seed, `bag-${bag}`));
    const F = new Float64Array(n).fill(base);
    for (let t = 0; t < params.trees; t++) {
      const sample = take === n ? all : sampleInOrder(n, take, rng);
      // Only the sampled rows' gradients are read.
      for (let k = 0; k < sample.length; k++) {
        const i = sample[k];
        const pr = 1 / (1 + Math.exp(-F[i]));
        g[i] = pr - target[i];
        h[i] = Math.max(pr * (1 - pr), 1e-6);
      }
      const allowed = takeCols === features.length ? featureIds : shuffle(featureIds, rng).slice(0, takeCols).sort((a, b) => a - b);
      const builder = new TreeBuilder(columns, bins, g, h, params, allowed);
      builder.build(sample);
      settleValues(builder.nodes, 0);
      // The average of the members: every member's steps count 1/bags in the model.
      trees[t * bags + bag] = toTree(builder.nodes, columns, params.learningRate / bags);
      // Each member boosts on its own predictions, for every row (not only the sample).
      for (let i = 0; i < n; i++) {
        let node = builder.nodes[0];
        while (node.split) {
          const s = node.split;
          const b = bins[s.feature][i];
          const left = s.leftBins ? s.leftBins[b] === 1 : b === 0 ? s.missingLeft : b <= s.t;
          node = builder.nodes[left ? node.left : node.right];
        }
        F[i] += node.value * params.learningRate;
      }
    }
  }
  return { params, columns, base, trees };
}

// ---------------------------------------------------------------------------------------------
// Scoring

function leafOf(tree: TreeNode[], columns: GbtColumn[], row: Value[]): number {
  let k = 0;
  for (;;) {
    const node = tree[k];
    if (node.feature === undefined) return k;
    k = nodeGoesLeft(node, columns[node.feature], row[node.feature]) ? (node.left as number) : (node.right as number);
  }
}

/** Log-odds of bad from the first `trees` trees (all by default); values must be readable. */
export function gbtLogit(model: GbtModel, row: Value[], trees = model.trees.length): number {
  let z = model.base;
  for (let t = 0; t < trees; t++) z += model.trees[t][leafOf(model.trees[t], model.columns, row)].value;
  return z;
}

/**
 * Log-odds after each of `checkpoints` tree counts per member (ascending), in one pass:
 * cross-validation scores every candidate tree count from a single fit.
 */
export function gbtStagedLogits(model: GbtModel, row: Value[], checkpoints: readonly number[]): number[] {
  const out: number[] = [];
  const bags = Math.max(1, Math.floor(model.params.bags ?? 1));
  let z = model.base;
  let t = 0;
  for (const stop of checkpoints) {
    for (; t < Math.min(stop * bags, model.trees.length); t++) z += model.trees[t][leafOf(model.trees[t], model.columns, row)].value;
    out.push(z);
  }
  return out;
}

/** A tree node read on bin codes: what scoring many rows at once walks. */
interface BinNode {
  feature: number;
  /** Numeric: bins 1..t go left; missing (bin 0) goes left when `missingLeft`. */
  t: number;
  missingLeft: boolean;
  /** Categorical: 1 for every bin that goes left. */
  mask: Uint8Array | null;
  left: number;
  right: number;
  value: number;
}

function binTree(tree: TreeNode[], columns: GbtColumn[]): BinNode[] {
  return tree.map((node) => {
    if (node.feature === undefined) return { feature: -1, t: 0, missingLeft: false, mask: null, left: -1, right: -1, value: node.value };
    const c = columns[node.feature];
    const out: BinNode = { feature: node.feature, t: 0, missingLeft: node.missingLeft === true, mask: null, left: node.left as number, right: node.right as number, value: node.value };
    if (c.type === "numeric") out.t = node.threshold === null ? c.edges.length + 1 : numericBin(c.edges, node.threshold as number) + 1;
    else {
      const left = new Set(node.leftLevels);
      out.mask = Uint8Array.from({ length: binCount(c) }, (_, b) => (left.has(binLabel(c, b)) ? 1 : 0));
    }
    return out;
  });
}

/**
 * `gbtStagedLogits` of many rows, each after `gbtReadableRow`: rows the model can read fully are
 * walked on bin codes, which gives the same leaves as the raw values.
 */
export function gbtStagedLogitsOfRows(model: GbtModel, rows: Value[][], checkpoints: readonly number[]): number[][] {
  const bags = Math.max(1, Math.floor(model.params.bags ?? 1));
  const trees = model.trees.map((t) => binTree(t, model.columns));
  const bins = new Int32Array(model.columns.length);
  return rows.map((row) => {
    let readable = true;
    model.columns.forEach((c, j) => {
      bins[j] = binOf(c, row[j]);
      if (bins[j] < 0) readable = false;
    });
    if (!readable) return gbtStagedLogits(model, gbtReadableRow(model, row).row, checkpoints);
    const out: number[] = [];
    let z = model.base;
    let t = 0;
    for (const stop of checkpoints) {
      for (; t < Math.min(stop * bags, trees.length); t++) {
        const tree = trees[t];
        let node = tree[0];
        while (node.feature >= 0) {
          const b = bins[node.feature];
          const left = node.mask ? node.mask[b] === 1 : b === 0 ? node.missingLeft : b <= node.t;
          node = tree[left ? node.left : node.right];
        }
        z += node.value;
      }
      out.push(z);
    }
    return out;
  });
}

/**
 * Replaces every value the model cannot read by the state training saw that gives the highest
 * log-odds of bad (column by column, in column order), so withholding or garbling data can never
 * lower the risk. Returns the row to score and the columns replaced.
 */
export function gbtReadableRow(model: GbtModel, row: Value[], trees = model.trees.length): { row: Value[]; unreadable: string[] } {
  const out = row.slice();
  const unreadable: string[] = [];
  model.columns.forEach((c, j) => {
    if (gbtKnownValue(c, row[j])) return;
    unreadable.push(c.column);
    let worst: Value = null;
    let worstZ = -Infinity;
    for (const state of gbtColumnStates(c)) {
      out[j] = state;
      const z = gbtLogit(model, out, trees);
      if (z > worstZ) {
        worstZ = z;
        worst = state;
      }
    }
    out[j] = worst;
  });
  return { row: out, unreadable };
}

/**
 * Path attributions (Saabas): walking down each tree, the change in the node value at a split is
 * credited to the split's column. They add up exactly: logit = expected + Σ contributions, where
 * `expected` is the base plus every root's value (the cover-weighted average applicant).
 */
export function gbtContributions(model: GbtModel, row: Value[], trees = model.trees.length): { expected: number; contributions: number[] } {
  const contributions = new Array<number>(model.columns.length).fill(0);
  let expected = model.base;
  for (let t = 0; t < trees; t++) {
    const tree = model.trees[t];
    expected += tree[0].value;
    let k = 0;
    for (;;) {
      const node = tree[k];
      if (node.feature === undefined) break;
      const next = nodeGoesLeft(node, model.columns[node.feature], row[node.feature]) ? (node.left as number) : (node.right as number);
      contributions[node.feature] += tree[next].value - node.value;
      k = next;
    }
  }
  return { expected, contributions };
}

/** Keeps every member's first `trees` trees: the count cross-validation chose. */
export function truncateGbt(model: GbtModel, trees: number): GbtModel {
  const bags = Math.max(1, Math.floor(model.params.bags ?? 1));
  return { ...model, params: { ...model.params, trees }, trees: model.trees.slice(0, trees * bags) };
}

/**
 * The average of tree models fitted on the same rows with the same column settings (so the same
 * bins and constraints; say trees of different depths): one model holding every member's trees,
 * each step scaled by 1 / members. Its log-odds and path attributions are the members' averages,
 * and it stays monotone wherever every member is. `params` keeps the deepest member's depth and
 * counts every tree as one member's.
 */
export function mergeGbt(models: GbtModel[]): GbtModel {
  if (models.length === 0) throw new Error("nothing to merge");
  if (models.length === 1) return models[0];
  const columns = JSON.stringify(models[0].columns);
  if (models.some((m) => JSON.stringify(m.columns) !== columns)) throw new Error("only tree models with the same columns can be merged");
  const w = 1 / models.length;
  const trees = models.flatMap((m) => m.trees.map((t) => t.map((node) => ({ ...node, value: node.value * w }))));
  const base = models.reduce((z, m) => z + w * m.base, 0);
  const maxDepth = Math.max(...models.map((m) => m.params.maxDepth));
  return { params: { ...models[0].params, maxDepth, trees: trees.length, bags: 1 }, columns: models[0].columns, base, trees };
}
