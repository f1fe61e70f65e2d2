// L2-regularised logistic regression fitted by Newton's method (IRLS).
// With tens of features and thousands of rows the exact Hessian is cheap, converges in a
// handful of iterations and, unlike SGD, has no learning rate or shuffling: the same
// input always gives the same coefficients.

export interface LogisticModel {
  intercept: number;
  weights: number[];
}

export interface LogisticFit extends LogisticModel {
  iterations: number;
  converged: boolean;
}

export interface LogisticOptions {
  /** Penalty (lambda/2)·|w|² on the summed log-loss; the intercept is never penalised. */
  lambda: number;
  maxIterations?: number;
  /** Stop once no coefficient moves by more than this in a Newton step. */
  tolerance?: number;
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function linear(model: LogisticModel, x: ArrayLike<number>): number {
  let z = model.intercept;
  for (let j = 0; j < model.weights.length; j++) z += model.weights[j] * x[j];
  return z;
}

export function predictProbability(model: LogisticModel, x: ArrayLike<number>): number {
  return sigmoid(linear(model, x));
}

function objective(X: ArrayLike<number>[], y: ArrayLike<number>, model: LogisticModel, lambda: number): number {
  let loss = 0;
  for (let i = 0; i < X.length; i++) {
    const z = linear(model, X[i]);
    // -log-likelihood of one row: softplus(z) - y·z
    loss += softplus(z) - y[i] * z;
  }
  let norm = 0;
  for (const w of model.weights) norm += w * w;
  return loss + 0.5 * lambda * norm;
}

/** Solves A·x = b for a symmetric positive definite A (row-major, size m×m) by Cholesky. */
export function solveSpd(A: Float64Array, b: Float64Array, m: number): Float64Array {
  const L = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * m + j];
      for (let k = 0; k < j; k++) s -= L[i * m + k] * L[j * m + k];
      if (i === j) {
        // A tiny floor instead of failing: with lambda = 0 a constant column makes A singular.
        L[i * m + i] = Math.sqrt(Math.max(s, 1e-12));
      } else L[i * m + j] = s / L[j * m + j];
    }
  }
  const z = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * m + k] * z[k];
    z[i] = s / L[i * m + i];
  }
  const x = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < m; k++) s -= L[k * m + i] * x[k];
    x[i] = s / L[i * m + i];
  }
  return x;
}

export function fitLogistic(
  X: ArrayLike<number>[],
  y: ArrayLike<number>,
  options: LogisticOptions,
  start?: LogisticModel,
): LogisticFit {
  const n = X.length;
  if (n === 0) throw new Error("no rows to fit");
  const p = X[0].length;
  const m = p + 1; // index 0 is the intercept
  const { lambda } = options;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-9;
  let model: LogisticModel = start
    ? { intercept: start.intercept, weights: start.weights.slice() }
    : { intercept: 0, weights: new Array<number>(p).fill(0) };
  let current = objective(X, y, model, lambda);
  const H = new Float64Array(m * m);
  const g = new Float64Array(m);
  for (let iter = 1; iter <= maxIterations; iter++) {
    H.fill(0);
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const x = X[i];
      const mu = sigmoid(linear(model, x));
      const r = mu - y[i];
      const w = Math.max(mu * (1 - mu), 1e-12);
      g[0] += r;
      H[0] += w;
      for (let a = 0; a < p; a++) {
        const xa = x[a];
        if (xa === 0) continue; // one-hot rows are mostly zeros
        g[a + 1] += r * xa;
        const wa = w * xa;
        H[(a + 1) * m] += wa;
        for (let b = 0; b <= a; b++) H[(a + 1) * m + b + 1] += wa * x[b];
      }
    }
    for (let a = 0; a < p; a++) {
      g[a + 1] += lambda * model.weights[a];
      H[(a + 1) * m + a + 1] += lambda;
    }
    for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) H[a * m + b] = H[b * m + a];
    const step = solveSpd(H, g, m);
    // Newton steps can overshoot when classes are (nearly) separable: halve until the
    // penalised loss goes down, which also guarantees termination.
    let scale = 1;
    let candidate: LogisticModel = model;
    let value = current;
    for (let half = 0; half < 30; half++) {
      candidate = {
        intercept: model.intercept - scale * step[0],
        weights: model.weights.map((w, a) => w - scale * step[a + 1]),
      };
      value = objective(X, y, candidate, lambda);
      if (value <= current) break;
      scale /= 2;
    }
    // No step length lowers the loss: we are at the optimum to machine precision.
    if (!(value <= current)) return { ...model, iterations: iter, converged: true };
    let maxStep = 0;
    for (let a = 0; a < m; a++) maxStep = Math.max(maxStep, Math.abs(scale * step[a]));
    model = candidate;
    const improvement = current - value;
    current = value;
    // Near the optimum Newton converges quadratically, so either test ends it within a step.
    const negligible = improvement < 1e-3 * tolerance * (1 + Math.abs(current));
    if (maxStep < tolerance || negligible) {
      return { ...model, iterations: iter, converged: true };
    }
  }
  return { ...model, iterations: maxIterations, converged: false };
}
