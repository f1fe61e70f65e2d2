import { expect } from "chai";
import { createRng, deriveSeed, holdoutSplit, shuffle, stratifiedFolds } from "../../src/risk/index.ts";

describe("seeded resampling", () => {
  const y = Array.from({ length: 1000 }, (_, i) => (i % 10 < 3 ? 1 : 0)); // 300 bad, 700 good

  it("draws the same stream for the same seed and a different one for another seed", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).to.deep.equal(sa);
    expect(Array.from({ length: 5 }, c)).not.to.deep.equal(sa);
    for (const v of sa) expect(v).to.be.within(0, 1);
    expect(shuffle([1, 2, 3, 4, 5], createRng(7)).sort()).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it("derives distinct sub-seeds per label", () => {
    expect(deriveSeed(42, "holdout")).to.equal(deriveSeed(42, "holdout"));
    expect(deriveSeed(42, "outer-0")).not.to.equal(deriveSeed(42, "outer-1"));
    expect(deriveSeed(42, "holdout")).not.to.equal(deriveSeed(43, "holdout"));
  });

  it("builds 5 stratified folds of 200 rows with 60 bads each, reproducibly", () => {
    const fold = stratifiedFolds(y, 5, 42);
    for (let f = 0; f < 5; f++) {
      const rows = fold.flatMap((g, i) => (g === f ? [i] : []));
      expect(rows).to.have.length(200);
      expect(rows.filter((i) => y[i] === 1)).to.have.length(60);
    }
    expect(stratifiedFolds(y, 5, 42)).to.deep.equal(fold);
    expect(stratifiedFolds(y, 5, 1)).not.to.deep.equal(fold);
    expect(() => stratifiedFolds(y, 1, 42)).to.throw();
  });

  it("splits 70/30 per class with disjoint, complete sides", () => {
    const { train, test } = holdoutSplit(y, 0.3, 42);
    expect(test).to.have.length(300);
    expect(test.filter((i) => y[i] === 1)).to.have.length(90);
    expect(new Set([...train, ...test]).size).to.equal(1000);
    expect(holdoutSplit(y, 0.3, 42)).to.deep.equal({ train, test });
  });
});
