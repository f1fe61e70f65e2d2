import { expectClose } from "./approx.ts";
import { expect } from "chai";
import { auc, brier, calibrationTable, cutoffTable, ks, mean, std } from "../../src/risk/index.ts";

describe("risk metrics", () => {
  it("AUC counts a tied bad/good pair as one half (hand-computed 7.5/9)", () => {
    // bads at risk 0.9, 0.5, 0.3; goods at 0.5, 0.2, 0.1.
    // pairs (bad, good) ranked right: 0.9>all 3, 0.5>0.2,0.1 (2) and ties 0.5 (½), 0.3>0.2,0.1 (2) → 7.5/9
    const y = [1, 1, 1, 0, 0, 0];
    const risk = [0.9, 0.5, 0.3, 0.5, 0.2, 0.1];
    expectClose(auc(y, risk), 7.5 / 9, 1e-12);
  });

  it("AUC is 1 for a perfect ranking, 0 for a reversed one and 0.5 when everything ties", () => {
    expect(auc([0, 0, 1, 1], [1, 2, 3, 4])).to.equal(1);
    expect(auc([0, 0, 1, 1], [4, 3, 2, 1])).to.equal(0);
    expect(auc([0, 1, 0, 1], [7, 7, 7, 7])).to.equal(0.5);
  });

  it("AUC refuses a sample with only one class", () => {
    expect(() => auc([1, 1], [0.1, 0.2])).to.throw(/both classes/);
  });

  it("KS is the largest gap between the bad and good cumulative shares (hand-computed 2/3)", () => {
    // Sorted by risk: 0.1 g, 0.2 g, 0.3 b, 0.5 b+g (tie, moves together), 0.9 b.
    // After 0.2: goods 2/3, bads 0 → gap 2/3; after the tie: goods 1, bads 2/3 → 1/3.
    const y = [1, 1, 1, 0, 0, 0];
    const risk = [0.9, 0.5, 0.3, 0.5, 0.2, 0.1];
    expectClose(ks(y, risk), 2 / 3, 1e-12);
    expect(ks([0, 0, 1, 1], [1, 2, 3, 4])).to.equal(1);
  });

  it("KS does not split rows that share a risk value", () => {
    // One cut-off cannot separate tied rows, so a full tie gives no separation at all.
    expect(ks([0, 1, 0, 1], [5, 5, 5, 5])).to.equal(0);
  });

  it("Brier is the mean squared error of the probability of bad (hand-computed 0.115)", () => {
    // (0.8-1)² + (0.4-0)² + (0.5-1)² + (0.1-0)² = 0.04 + 0.16 + 0.25 + 0.01 = 0.46 → /4
    expectClose(brier([1, 0, 1, 0], [0.8, 0.4, 0.5, 0.1]), 0.115, 1e-12);
    expect(brier([1, 0], [1, 0])).to.equal(0);
  });

  it("calibration deciles split sorted predictions into equal groups with their observed bad rate", () => {
    const p = Array.from({ length: 20 }, (_, i) => (i + 0.5) / 20);
    const y = p.map((_, i) => (i >= 10 ? 1 : 0));
    const table = calibrationTable(y, p, 10);
    expect(table).to.have.length(10);
    expect(table.map((b) => b.count)).to.deep.equal(new Array(10).fill(2));
    expectClose(table[0].meanPredicted, 0.05, 1e-12);
    expect(table[0].observedBadRate).to.equal(0);
    expect(table[9].observedBadRate).to.equal(1);
    expect(table[9].maxPredicted).to.equal(0.975);
  });

  it("cut-off table gives approval rate and bad rate among approved at every step", () => {
    const scores = [505, 515, 530, 545, 560, 579];
    const y = [1, 1, 0, 1, 0, 0];
    const rows = cutoffTable(y, scores, 20);
    expect(rows.map((r) => r.cutoff)).to.deep.equal([500, 520, 540, 560, 580]);
    expect(rows[0]).to.include({ approved: 6, approvalRate: 1, badsApproved: 3, badRateApproved: 0.5 });
    expect(rows[1]).to.include({ approved: 4, badsApproved: 1, badRateApproved: 0.25 });
    expect(rows[3]).to.include({ approved: 2, badsApproved: 0, badRateApproved: 0 });
    expect(rows[4]).to.include({ approved: 0, badRateApproved: null });
  });

  it("mean and sample standard deviation match hand values", () => {
    expect(mean([1, 2, 3, 4])).to.equal(2.5);
    expectClose(std([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7), 1e-12);
    expect(std([3])).to.equal(0);
  });
});
