import { expectClose } from "./approx.ts";
import { expect } from "chai";
import { fitLogistic, predictProbability, sigmoid, solveSpd } from "../../src/risk/index.ts";

describe("L2 logistic regression (Newton/IRLS)", () => {
  // One binary feature: the unpenalised MLE reproduces each group's observed log-odds.
  // x = 0: 2 bad of 8 → logit ln(2/6); x = 1: 6 bad of 8 → logit ln(6/2).
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 8; i++) {
    X.push([0]);
    y.push(i < 2 ? 1 : 0);
    X.push([1]);
    y.push(i < 6 ? 1 : 0);
  }

  it("recovers the group log-odds exactly without a penalty", () => {
    const fit = fitLogistic(X, y, { lambda: 0 });
    expect(fit.converged).to.equal(true);
    expectClose(fit.intercept, Math.log(2 / 6), 1e-8);
    expectClose(fit.weights[0], Math.log(6 / 2) - Math.log(2 / 6), 1e-8);
    expectClose(predictProbability(fit, [1]), 0.75, 1e-8);
  });

  it("shrinks the weight as the penalty grows and leaves the intercept unpenalised (both gradients zero)", () => {
    const weights = [0, 1, 10, 100].map((lambda) => fitLogistic(X, y, { lambda }).weights[0]);
    for (let i = 1; i < weights.length; i++) expect(weights[i]).to.be.below(weights[i - 1]);
    const lambda = 10;
    const fit = fitLogistic(X, y, { lambda });
    let g0 = 0;
    let g1 = lambda * fit.weights[0];
    X.forEach((x, i) => {
      const r = sigmoid(fit.intercept + fit.weights[0] * x[0]) - y[i];
      g0 += r;
      g1 += r * x[0];
    });
    expect(Math.abs(g0)).to.be.below(1e-9);
    expect(Math.abs(g1)).to.be.below(1e-9);
  });

  it("stays finite on perfectly separable data thanks to the penalty", () => {
    const fit = fitLogistic([[-2], [-1], [1], [2]], [0, 0, 1, 1], { lambda: 1 });
    expect(Number.isFinite(fit.weights[0])).to.equal(true);
    expect(predictProbability(fit, [2])).to.be.above(0.5);
  });

  it("is deterministic: the same data gives bit-identical coefficients", () => {
    const a = fitLogistic(X, y, { lambda: 3 });
    const b = fitLogistic(X, y, { lambda: 3 });
    expect(Object.is(a.intercept, b.intercept) && Object.is(a.weights[0], b.weights[0])).to.equal(true);
  });

  it("solves a symmetric positive definite system by Cholesky", () => {
    // [[4, 2], [2, 3]] x = [2, 1] → x = [0.5, 0]
    const x = solveSpd(new Float64Array([4, 2, 2, 3]), new Float64Array([2, 1]), 2);
    expectClose(x[0], 0.5, 1e-12);
    expectClose(x[1], 0, 1e-12);
  });
});
