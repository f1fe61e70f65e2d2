// Seeded resampling. Everything random in training flows from one integer seed through
// this file, so a model can be rebuilt bit for bit from its data and its seed.

/** mulberry32: tiny, fast, good enough for shuffling; not for cryptography. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Derives an independent seed for a sub-task (a fold, the holdout split) so that
 * changing, say, the number of folds never changes the holdout split.
 */
export function deriveSeed(seed: number, label: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  }
  // murmur3 finaliser: spreads nearby labels ("fold1", "fold2") far apart.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

export function shuffle<T>(items: readonly T[], rng: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function indicesByClass(y: ArrayLike<number>): [number[], number[]] {
  const neg: number[] = [];
  const pos: number[] = [];
  for (let i = 0; i < y.length; i++) (y[i] === 1 ? pos : neg).push(i);
  return [neg, pos];
}

/**
 * Stratified k-fold: returns the fold number of every row. Stratifying keeps the bad
 * rate equal across folds, which matters with a few hundred bads: an unlucky fold
 * would otherwise move the AUC by more than the differences we are trying to measure.
 */
export function stratifiedFolds(y: ArrayLike<number>, k: number, seed: number): number[] {
  if (!Number.isInteger(k) || k < 2) throw new Error(`folds must be an integer >= 2, got ${k}`);
  const rng = createRng(seed);
  const fold = new Array<number>(y.length).fill(0);
  let next = 0;
  for (const group of indicesByClass(y)) {
    for (const i of shuffle(group, rng)) {
      fold[i] = next;
      next = (next + 1) % k;
    }
  }
  return fold;
}

/** Stratified holdout split: `testFraction` of each class goes to the test side. */
export function holdoutSplit(
  y: ArrayLike<number>,
  testFraction: number,
  seed: number,
): { train: number[]; test: number[] } {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`test fraction must be in (0, 1)`);
  const rng = createRng(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const group of indicesByClass(y)) {
    const shuffled = shuffle(group, rng);
    const nTest = Math.round(group.length * testFraction);
    test.push(...shuffled.slice(0, nTest));
    train.push(...shuffled.slice(nTest));
  }
  const asc = (a: number, b: number) => a - b;
  return { train: train.sort(asc), test: test.sort(asc) };
}
