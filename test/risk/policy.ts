import { expect } from "chai";
import { APR_CAP_BPS, DEFAULT_POLICY, decide, parsePolicy, policyHash, validatePolicy, type Policy } from "../../src/risk/index.ts";

const TOKEN = 1_000_000n;

function clone(p: Policy): Policy {
  return JSON.parse(JSON.stringify(p)) as Policy;
}

describe("credit policy", () => {
  it("ships a valid default policy with a stable content hash", () => {
    expect(() => validatePolicy(DEFAULT_POLICY)).not.to.throw();
    expect(policyHash(DEFAULT_POLICY)).to.match(/^sha256:[0-9a-f]{64}$/);
    expect(policyHash(clone(DEFAULT_POLICY))).to.equal(policyHash(DEFAULT_POLICY));
  });

  it("keeps the product menu as data: ids 0-5 with their schedules", () => {
    expect(DEFAULT_POLICY.products.map((p) => [p.id, p.schedule, p.instalments, p.periodDays])).to.deep.equal([
      [0, "equal-instalment", 3, 30],
      [1, "equal-instalment", 6, 30],
      [2, "equal-instalment", 12, 30],
      [3, "equal-principal", 12, 30],
      [4, "interest-first", 12, 30],
      [5, "bullet", 1, 30],
    ]);
  });

  it("never gives a higher score a lower limit, a higher APR or fewer products", () => {
    let prev = decide(DEFAULT_POLICY, 200);
    for (let score = 201; score <= 900; score++) {
      const d = decide(DEFAULT_POLICY, score);
      expect(d.limit >= prev.limit, `limit at ${score}`).to.equal(true);
      if (prev.aprBps !== null && d.aprBps !== null) expect(d.aprBps, `APR at ${score}`).to.be.at.most(prev.aprBps);
      expect(prev.products.every((p) => d.products.includes(p)), `products at ${score}`).to.equal(true);
      prev = d;
    }
  });

  it("keeps every offered APR within 720-2399 bps, below the 2400 bps cap, and limits within 100-50,000 tokens", () => {
    for (let score = 300; score <= 800; score++) {
      const d = decide(DEFAULT_POLICY, score);
      if (d.decision === "decline") continue;
      expect(d.aprBps).to.be.within(720, 2399);
      expect(d.aprBps as number).to.be.below(APR_CAP_BPS);
      expect(d.limit >= 100n * TOKEN && d.limit <= 50_000n * TOKEN).to.equal(true);
    }
  });

  it("maps scores to tiers: best terms at 600+, manual review at 500-519, decline below 500", () => {
    expect(decide(DEFAULT_POLICY, 650)).to.deep.include({ decision: "approve", tier: "A", limit: 50_000n * TOKEN, aprBps: 720 });
    expect(decide(DEFAULT_POLICY, 541)).to.deep.include({ decision: "approve", tier: "D", limit: 6_000n * TOKEN, aprBps: 1500 });
    expect(decide(DEFAULT_POLICY, 540).products).to.deep.equal([0, 1, 2, 3, 5]);
    expect(decide(DEFAULT_POLICY, 505)).to.deep.include({ decision: "refer", tier: "F", aprBps: 2399 });
    expect(decide(DEFAULT_POLICY, 499)).to.deep.include({ decision: "decline", limit: 0n, aprBps: null, products: [] });
  });

  it("rejects a policy whose APR reaches the cap", () => {
    const p = clone(DEFAULT_POLICY);
    p.tiers[5].aprBps = 2400;
    expect(() => validatePolicy(p)).to.throw(/APR outside/);
    const q = clone(DEFAULT_POLICY);
    q.aprRangeBps.max = 2400;
    expect(() => validatePolicy(q)).to.throw(/cap/);
  });

  it("rejects non-monotone tiers, unknown products and out-of-range limits", () => {
    const apr = clone(DEFAULT_POLICY);
    apr.tiers[2].aprBps = 800; // better than tier B above it
    expect(() => validatePolicy(apr)).to.throw(/APR below the better tier/);
    const limit = clone(DEFAULT_POLICY);
    limit.tiers[3].limit = (20_000n * TOKEN).toString();
    expect(() => validatePolicy(limit)).to.throw(/limit above the better tier/);
    const product = clone(DEFAULT_POLICY);
    product.tiers[0].products = [0, 9];
    expect(() => validatePolicy(product)).to.throw(/unknown or empty product/);
    const tiny = clone(DEFAULT_POLICY);
    tiny.tiers[5].limit = (50n * TOKEN).toString();
    expect(() => validatePolicy(tiny)).to.throw(/outside the policy range/);
    const fl = clone(DEFAULT_POLICY);
    fl.tiers[0].limit = "5e10";
    expect(() => parsePolicy(JSON.stringify(fl))).to.throw(/decimal string/);
  });
});
