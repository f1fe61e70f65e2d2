import { expectClose } from "./approx.ts";
import { expect } from "chai";
import {
  DEFAULT_SCALING,
  makeScaling,
  oddsFromScore,
  probabilityFromScore,
  scoreFromLogit,
  scoreFromOdds,
  scoreFromProbability,
} from "../../src/risk/index.ts";

describe("PDO scaling", () => {
  const s = makeScaling(DEFAULT_SCALING);

  it("defaults to 600 points at 50:1 good:bad odds with 20 points to double the odds", () => {
    expect(DEFAULT_SCALING).to.deep.equal({ baseScore: 600, baseOdds: 50, pdo: 20 });
    expectClose(s.factor, 20 / Math.LN2, 1e-12); // 28.8539...
    expectClose(s.offset, 600 - (20 / Math.LN2) * Math.log(50), 1e-9); // 487.123...
  });

  it("gives the base score at the base odds", () => {
    expectClose(scoreFromOdds(s, 50), 600, 1e-9);
    expectClose(scoreFromProbability(s, 1 / 51), 600, 1e-9);
  });

  it("adds PDO points every time the odds double, and loses them when they halve", () => {
    expectClose(scoreFromOdds(s, 100), 620, 1e-9);
    expectClose(scoreFromOdds(s, 25), 580, 1e-9);
    expectClose(oddsFromScore(s, 640), 200, 1e-9);
    for (const score of [420, 517.3, 600, 655]) {
      expectClose(oddsFromScore(s, score + 20) / oddsFromScore(s, score), 2, 1e-12);
    }
  });

  it("round-trips probability → score → probability", () => {
    for (const p of [0.001, 0.02, 0.3, 0.5, 0.97]) {
      expectClose(probabilityFromScore(s, scoreFromProbability(s, p)), p, 1e-12);
    }
    expectClose(probabilityFromScore(s, 600), 1 / 51, 1e-12);
  });

  it("scores from the model's logit of bad without dividing by the probability", () => {
    expectClose(scoreFromLogit(s, Math.log(1 / 50)), 600, 1e-9);
    expect(Number.isFinite(scoreFromLogit(s, 800))).to.equal(true);
  });

  it("honours other scaling choices and rejects meaningless ones", () => {
    const t = makeScaling({ baseScore: 700, baseOdds: 20, pdo: 50 });
    expectClose(scoreFromOdds(t, 20), 700, 1e-9);
    expectClose(scoreFromOdds(t, 40), 750, 1e-9);
    expect(() => makeScaling({ baseScore: 600, baseOdds: 0, pdo: 20 })).to.throw();
    expect(() => makeScaling({ baseScore: 600, baseOdds: 50, pdo: -1 })).to.throw();
  });
});
