import { expect } from "chai";
import {
  auc,
  contentHash,
  createRng,
  encodeForScoring,
  encodeRow,
  fitEncoder,
  fitGbt,
  fitLogistic,
  gbtContributions,
  gbtLogit,
  gbtReadableRow,
  gbtStagedLogits,
  gbtStagedLogitsOfRows,
  inferDirections,
  mergeGbt,
  sigmoid,
  DEFAULT_GBT,
  type Direction,
  type FeatureSpec,
  type Value,
} from "../../src/risk/index.ts";
import { expectClose } from "./approx.ts";

const FEATURES: FeatureSpec[] = [
  { name: "x1", type: "numeric" },
  { name: "x2", type: "numeric" },
  { name: "colour", type: "categorical" },
];

/** Bad when x1 and x2 share a sign: a pure interaction, invisible to any additive model. */
function interactionData(n: number, seed: number) {
  const rng = createRng(seed);
  const rows: Value[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const x1 = 2 * rng() - 1;
    const x2 = 2 * rng() - 1;
    const colour = ["red", "green", "blue"][Math.floor(3 * rng())];
    rows.push([rng() < 0.05 ? null : x1, x2, colour]);
    y.push(rng() < sigmoid(x1 * x2 > 0 ? 1.5 : -1.5) ? 1 : 0);
  }
  return { rows, y };
}

describe("gradient-boosted trees", function () {
  this.timeout(60_000);
  const train = interactionData(2000, 1);
  const test = interactionData(1000, 2);

  it("test_fitGbt_learnsAnInteraction: beats the linear model on held-out rows where the effect is x1 × x2", () => {
    const model = fitGbt(FEATURES, train.rows, train.y, { ...DEFAULT_GBT, trees: 200, maxDepth: 2 }, { monotone: [0, 0, 0] });
    const treeAuc = auc(
      test.y,
      test.rows.map((r) => gbtLogit(model, gbtReadableRow(model, r).row)),
    );
    const encoder = fitEncoder("onehot", FEATURES, train.rows, train.y);
    const lr = fitLogistic(
      train.rows.map((r) => encodeRow(encoder, r)),
      train.y,
      { lambda: 1 },
    );
    const linearAuc = auc(
      test.y,
      test.rows.map((r) => encodeForScoring(encoder, lr.weights, r).x.reduce((z, x, k) => z + lr.weights[k] * x, lr.intercept)),
    );
    expect(treeAuc).to.be.above(0.75);
    expect(linearAuc).to.be.below(0.6);
    expect(treeAuc - linearAuc).to.be.above(0.15);
  });

  it("test_fitGbt_monotoneFuzz: a constrained column never moves the risk the wrong way, whatever the other values", () => {
    // The truth bends (U-shaped in x1, falling then rising in x2); the constraints must still hold.
    const rng = createRng(7);
    const rows: Value[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 1500; i++) {
      const x1 = 4 * rng() - 2;
      const x2 = 4 * rng() - 2;
      const colour = ["red", "green", "blue"][Math.floor(3 * rng())];
      rows.push([rng() < 0.1 ? null : x1, x2, colour]);
      y.push(rng() < sigmoid(x1 * x1 - 1 + 0.8 * x2 + (colour === "red" ? 0.7 : 0) + (x1 > 0 && x2 > 0 ? 1 : 0)) ? 1 : 0);
    }
    const monotone: Direction[] = [1, -1, 0];
    const model = fitGbt(FEATURES, rows, y, { ...DEFAULT_GBT, trees: 150, maxDepth: 3 }, { monotone });
    const fuzz = createRng(99);
    for (let trial = 0; trial < 2000; trial++) {
      const base: Value[] = [fuzz() < 0.1 ? null : 6 * fuzz() - 3, 6 * fuzz() - 3, ["red", "green", "blue"][Math.floor(3 * fuzz())]];
      const j = fuzz() < 0.5 ? 0 : 1;
      const a = 6 * fuzz() - 3;
      const b = a + 3 * fuzz();
      const low = base.slice();
      const high = base.slice();
      low[j] = a;
      high[j] = b;
      const dz = gbtLogit(model, high) - gbtLogit(model, low);
      if (monotone[j] > 0) expect(dz, `x${j + 1}: ${a} → ${b}`).to.be.at.least(-1e-12);
      else expect(dz, `x${j + 1}: ${a} → ${b}`).to.be.at.most(1e-12);
    }
  });

  it("test_inferDirections_onlyClearEffects: constrains a clear trend, leaves noise free, and never lets age raise the risk", () => {
    const rng = createRng(3);
    const rows: Value[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const income = rng();
      const noise = rng();
      const age = 20 + 50 * rng();
      rows.push([income, noise, age]);
      y.push(rng() < sigmoid(1 - 3 * income + 0.01 * (age - 45)) ? 1 : 0);
    }
    const features: FeatureSpec[] = [
      { name: "income", type: "numeric" },
      { name: "noise", type: "numeric" },
      { name: "age", type: "numeric" },
    ];
    expect(inferDirections(features, rows, y)).to.deep.equal([-1, 0, -1]);
  });

  it("test_gbtContributions_addUp: path attributions sum exactly to the log-odds", () => {
    const model = fitGbt(FEATURES, train.rows, train.y, { ...DEFAULT_GBT, trees: 50 });
    for (const row of test.rows.slice(0, 100)) {
      const readable = gbtReadableRow(model, row).row;
      const { expected, contributions } = gbtContributions(model, readable);
      expectClose(expected + contributions.reduce((a, b) => a + b, 0), gbtLogit(model, readable), 1e-9);
    }
  });

  it("test_gbtReadableRow_unknownIsWorstCase: an unseen level or gap scores as the riskiest state training saw", () => {
    const model = fitGbt(FEATURES, train.rows, train.y, { ...DEFAULT_GBT, trees: 50 });
    const row: Value[] = [0.5, null, "purple"]; // x2 never missing in training, purple never seen
    const { row: readable, unreadable } = gbtReadableRow(model, row);
    expect(unreadable).to.deep.equal(["x2", "colour"]);
    const z = gbtLogit(model, readable);
    for (const colour of ["red", "green", "blue"]) expect(z).to.be.at.least(gbtLogit(model, [0.5, readable[1], colour]) - 1e-12);
  });

  it("test_fitGbt_deterministic: the same rows and seed give the same trees, another seed other trees", () => {
    const params = { ...DEFAULT_GBT, trees: 40 };
    const a = contentHash(fitGbt(FEATURES, train.rows, train.y, params));
    expect(contentHash(fitGbt(FEATURES, train.rows, train.y, params))).to.equal(a);
    expect(contentHash(fitGbt(FEATURES, train.rows, train.y, { ...params, seed: 7 }))).to.not.equal(a);
  });

  it("test_gbtStagedLogitsOfRows_sameAsOneByOne: scoring on bin codes gives every row's staged log-odds, unreadable rows worst-case", () => {
    const model = fitGbt(FEATURES, train.rows, train.y, { ...DEFAULT_GBT, trees: 30, bags: 2 });
    const rows: Value[][] = [...test.rows.slice(0, 200), [0.5, null, "purple"], [null, 0.2, "red"], [3, -3, "blue"]];
    const counts = [5, 20, 30];
    const many = gbtStagedLogitsOfRows(model, rows, counts);
    rows.forEach((r, i) => {
      const one = gbtStagedLogits(model, gbtReadableRow(model, r).row, counts);
      one.forEach((z, k) => expectClose(many[i][k], z, 1e-12));
    });
    // The last count is the whole model: every member's 30 trees.
    expectClose(many[0][2], gbtLogit(model, gbtReadableRow(model, rows[0]).row), 1e-12);
  });

  it("test_fitGbt_baggingSteadies: two seeds disagree less on held-out rows with four members than with one", () => {
    const spread = (bags: number) => {
      const params = { ...DEFAULT_GBT, trees: 60, maxDepth: 3, bags };
      const a = fitGbt(FEATURES, train.rows, train.y, { ...params, seed: 1 });
      const b = fitGbt(FEATURES, train.rows, train.y, { ...params, seed: 2 });
      const rows = test.rows.slice(0, 300).map((r) => gbtReadableRow(a, r).row);
      return Math.sqrt(rows.reduce((t, r) => t + (gbtLogit(a, r) - gbtLogit(b, r)) ** 2, 0) / rows.length);
    };
    const one = spread(1);
    const four = spread(4);
    expect(four).to.be.below(0.7 * one);
  });

  it("test_mergeGbt_averagesMembers: the merged model scores and attributes the members' average, and stays monotone", () => {
    const monotone: Direction[] = [1, 0, 0];
    const shallow = fitGbt(FEATURES, train.rows, train.y, { ...DEFAULT_GBT, trees: 30, maxDepth: 2 }, { monotone });
    const deep = fitGbt(FEATURES, train.rows, train.y, { ...DEFAULT_GBT, trees: 20, maxDepth: 3 }, { monotone });
    const merged = mergeGbt([shallow, deep]);
    expect(merged.trees.length).to.equal(shallow.trees.length + deep.trees.length);
    expect(merged.params.maxDepth).to.equal(3);
    for (const row of test.rows.slice(0, 100)) {
      const r = gbtReadableRow(merged, row).row;
      expectClose(gbtLogit(merged, r), (gbtLogit(shallow, r) + gbtLogit(deep, r)) / 2, 1e-9);
      const m = gbtContributions(merged, r).contributions;
      const a = gbtContributions(shallow, r).contributions;
      const b = gbtContributions(deep, r).contributions;
      m.forEach((c, j) => expectClose(c, (a[j] + b[j]) / 2, 1e-9));
      const higher = r.slice();
      higher[0] = (typeof r[0] === "number" ? r[0] : 0) + 0.5;
      if (r[0] !== null) expect(gbtLogit(merged, higher)).to.be.at.least(gbtLogit(merged, r) - 1e-12);
    }
    const other = fitGbt(FEATURES, train.rows.slice(0, 500), train.y.slice(0, 500), { ...DEFAULT_GBT, trees: 5 });
    expect(() => mergeGbt([shallow, other])).to.throw(/same columns/);
  });
});
