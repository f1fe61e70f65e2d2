import { expectClose } from "./approx.ts";
import { expect } from "chai";
import {
  binIndex,
  columnStates,
  DEFAULT_BINNING,
  encodeForScoring,
  encodeRow,
  fitEncoder,
  numericEdges,
  type CategoricalBinned,
  type NumericBinned,
  type NumericLinear,
  type Value,
} from "../../src/risk/index.ts";

describe("feature encodings", () => {
  // 100 rows: x = 1..100 with risk rising in x; city has a level rarer than 2 % of rows; 10 gaps in x.
  const rows: Value[][] = [];
  const y: number[] = [];
  for (let i = 1; i <= 100; i++) {
    rows.push([i % 10 === 0 ? null : i, i === 1 ? "rare" : i % 2 ? "north" : "south"]);
    y.push(i > 60 || i % 7 === 0 ? 1 : 0);
  }
  const features = [
    { name: "x", type: "numeric" as const },
    { name: "city", type: "categorical" as const },
  ];

  it("cuts numerics into quantile bins of at least the minimum size", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    const edges = numericEdges(xs, xs.map((x) => (x > 50 ? 1 : 0)), { ...DEFAULT_BINNING, maxBins: 4, monotone: false }, 5);
    expect(edges).to.deep.equal([25, 50, 75]);
    // Bins smaller than the minimum merge into their smaller neighbour.
    const merged = numericEdges(xs, xs.map(() => 0), { ...DEFAULT_BINNING, maxBins: 20, monotone: false }, 30);
    expect(merged.length).to.be.at.most(2);
  });

  it("merges bins until the bad rate is monotone when asked to", () => {
    // Bad rates by quartile 0.0, 0.4, 0.2, 0.8: the dip at the third quartile gets pooled.
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    const ys = xs.map((x) => (x <= 25 ? 0 : x <= 50 ? (x % 5 < 2 ? 1 : 0) : x <= 75 ? (x % 5 === 0 ? 1 : 0) : x % 5 ? 1 : 0));
    const edges = numericEdges(xs, ys, { ...DEFAULT_BINNING, maxBins: 4, monotone: true }, 5);
    expect(edges).to.deep.equal([25, 75]);
  });

  it("gives missing values their own WoE bin and rare levels a pooled (other) bin", () => {
    const enc = fitEncoder("woe", features, rows, y);
    const x = enc.columns[0] as NumericBinned;
    expect(x.missing).to.include({ label: "(missing)", count: 10 });
    expect(binIndex(x, null)).to.equal(x.bins.length);
    const city = enc.columns[1] as CategoricalBinned;
    expect(city.bins.map((b) => b.label)).to.deep.equal(["north", "south", "(other)"]);
    expect(city.bins[2].levels).to.deep.equal(["rare"]);
    expect(enc.featureNames).to.deep.equal(["x:woe", "city:woe"]);
    // Higher x is riskier, so its WoE (ln good share / bad share) falls from bin to bin.
    const w = x.bins.map((b) => b.woe);
    for (let k = 1; k < w.length; k++) expect(w[k]).to.be.at.most(w[k - 1]);
  });

  it("one-hot encodes with median imputation and a missing indicator", () => {
    const enc = fitEncoder("onehot", features, rows, y);
    const x = enc.columns[0] as NumericLinear;
    expect(x.missingIndicator).to.equal(true);
    expect(enc.featureNames).to.deep.equal(["x", "x=(missing)", "city=north", "city=rare", "city=south"]);
    const v = encodeRow(enc, [null, "south"]);
    expectClose(v[0], (x.median - x.mean) / x.sd, 1e-12);
    expect(v.slice(1)).to.deep.equal([1, 0, 0, 1]);
  });

  it("scores a value training never saw as the least favourable state it did see", () => {
    const enc = fitEncoder("woe", [features[1]], rows.map((r) => [r[1]]), y);
    const weights = [-1]; // a negative WoE weight: the lowest WoE is the riskiest
    const { x, unreadable } = encodeForScoring(enc, weights, ["atlantis"]);
    expect(unreadable).to.deep.equal(["city"]);
    const worst = Math.min(...columnStates("woe", enc.columns[0]).map((s) => s[0]));
    expect(x[0]).to.equal(worst);
    expect(encodeForScoring(enc, weights, ["north"]).unreadable).to.deep.equal([]);
  });
});
