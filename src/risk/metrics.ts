// Discrimination and calibration metrics. Convention throughout: y = 1 is a bad outcome
// and a higher `risk` means more likely bad (a probability of bad, or minus a score).

function order(values: ArrayLike<number>): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  // Index as tie-breaker: equal values keep their input order, so tables are reproducible.
  return idx.sort((a, b) => values[a] - values[b] || a - b);
}

function counts(y: ArrayLike<number>): { bad: number; good: number } {
  let bad = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new Error(`labels must be 0 or 1, got ${y[i]}`);
    bad += y[i];
  }
  return { bad, good: y.length - bad };
}

/**
 * ROC AUC via the Mann–Whitney rank sum: the probability that a random bad row is ranked
 * riskier than a random good one, ties counting one half.
 */
export function auc(y: ArrayLike<number>, risk: ArrayLike<number>): number {
  const { bad, good } = counts(y);
  if (bad === 0 || good === 0) throw new Error("AUC needs both classes");
  const idx = order(risk);
  let rankSumBad = 0;
  for (let start = 0; start < idx.length; ) {
    let end = start;
    while (end + 1 < idx.length && risk[idx[end + 1]] === risk[idx[start]]) end++;
    const midRank = (start + end) / 2 + 1; // tied rows share the average of their ranks
    for (let k = start; k <= end; k++) if (y[idx[k]] === 1) rankSumBad += midRank;
    start = end + 1;
  }
  return (rankSumBad - (bad * (bad + 1)) / 2) / (bad * good);
}

/**
 * Kolmogorov–Smirnov statistic: the largest gap between the cumulative distributions of
 * bads and goods over risk thresholds. Tied rows move together, as no cut-off can split them.
 */
export function ks(y: ArrayLike<number>, risk: ArrayLike<number>): number {
  const { bad, good } = counts(y);
  if (bad === 0 || good === 0) throw new Error("KS needs both classes");
  const idx = order(risk);
  let cumBad = 0;
  let cumGood = 0;
  let best = 0;
  for (let start = 0; start < idx.length; ) {
    let end = start;
    while (end + 1 < idx.length && risk[idx[end + 1]] === risk[idx[start]]) end++;
    for (let k = start; k <= end; k++) {
      if (y[idx[k]] === 1) cumBad++;
      else cumGood++;
    }
    best = Math.max(best, Math.abs(cumBad / bad - cumGood / good));
    start = end + 1;
  }
  return best;
}

/** Mean squared error of the predicted probability of bad. */
export function brier(y: ArrayLike<number>, probability: ArrayLike<number>): number {
  if (y.length === 0) throw new Error("Brier score of nothing");
  counts(y);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (probability[i] - y[i]) ** 2;
  return s / y.length;
}

export interface CalibrationBin {
  bin: number;
  count: number;
  minPredicted: number;
  maxPredicted: number;
  meanPredicted: number;
  observedBadRate: number;
}

/** Rows sorted by predicted probability and cut into `bins` groups of (nearly) equal size. */
export function calibrationTable(y: ArrayLike<number>, probability: ArrayLike<number>, bins = 10): CalibrationBin[] {
  counts(y);
  const idx = order(probability);
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const from = Math.floor((b * idx.length) / bins);
    const to = Math.floor(((b + 1) * idx.length) / bins);
    if (to <= from) continue;
    let sumP = 0;
    let sumY = 0;
    for (let k = from; k < to; k++) {
      sumP += probability[idx[k]];
      sumY += y[idx[k]];
    }
    out.push({
      bin: b + 1,
      count: to - from,
      minPredicted: probability[idx[from]],
      maxPredicted: probability[idx[to - 1]],
      meanPredicted: sumP / (to - from),
      observedBadRate: sumY / (to - from),
    });
  }
  return out;
}

export interface CutoffRow {
  /** Approve when score >= cutoff. */
  cutoff: number;
  approved: number;
  approvalRate: number;
  badsApproved: number;
  /** Bad rate among approved rows; null when nobody is approved. */
  badRateApproved: number | null;
}

/** Approval rate and bad rate among approved for every multiple of `step` across the score range. */
export function cutoffTable(y: ArrayLike<number>, scores: ArrayLike<number>, step = 20): CutoffRow[] {
  counts(y);
  if (scores.length === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    min = Math.min(min, scores[i]);
    max = Math.max(max, scores[i]);
  }
  const out: CutoffRow[] = [];
  for (let cutoff = Math.floor(min / step) * step; cutoff <= Math.ceil(max / step) * step; cutoff += step) {
    let approved = 0;
    let badsApproved = 0;
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] >= cutoff) {
        approved++;
        badsApproved += y[i];
      }
    }
    out.push({
      cutoff,
      approved,
      approvalRate: approved / scores.length,
      badsApproved,
      badRateApproved: approved === 0 ? null : badsApproved / approved,
    });
  }
  return out;
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n − 1): fold AUCs are a sample of what new data would give. */
export function std(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}
