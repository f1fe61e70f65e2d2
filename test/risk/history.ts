import { expect } from "chai";
import { adjustForHistory, decide, DEFAULT_POLICY, parseHistory, type CreditHistory } from "../../src/risk/index.ts";

const TOKEN = 1_000_000n;
const clean: CreditHistory = { onTimeCount: 0, lateCount: 0, maxDaysLate: 0, defaults: 0, totalBorrowed: 0n, totalRepaid: 0n };
const h = (over: Partial<CreditHistory>): CreditHistory => ({ ...clean, ...over });

describe("repayment-behaviour adjustment", () => {
  const tierD = decide(DEFAULT_POLICY, 545); // approve, 6,000 tokens, 15.00 %
  const tierA = decide(DEFAULT_POLICY, 650); // approve, 50,000 tokens (the policy max), 7.20 %

  it("freezes the line on any default: decline, limit 0, no products", () => {
    const d = adjustForHistory(tierA, h({ onTimeCount: 30, defaults: 1, totalBorrowed: 9n * TOKEN }));
    expect(d).to.deep.include({ decision: "decline", limit: 0n, aprBps: null, products: [] });
    expect(d.notes.at(-1)).to.match(/frozen/);
  });

  it("halves the limit and moves the APR one tier worse after more than 30 days late", () => {
    const d = adjustForHistory(tierD, h({ onTimeCount: 5, lateCount: 1, maxDaysLate: 31 }));
    expect(d.decision).to.equal("approve");
    expect(d.limit).to.equal(3_000n * TOKEN);
    expect(d.aprBps).to.equal(1900); // tier E's APR
    expect(d.products).to.deep.equal(tierD.products);
  });

  it("keeps the worst tier's APR when there is no worse tier, never exceeding the cap", () => {
    const f = decide(DEFAULT_POLICY, 505);
    const d = adjustForHistory(f, h({ lateCount: 2, maxDaysLate: 45 }));
    expect(d).to.deep.include({ decision: "refer", limit: 250n * TOKEN, aprBps: 2399 });
  });

  it("leaves the decision alone for lateness of 30 days or less", () => {
    expect(adjustForHistory(tierD, h({ onTimeCount: 12, lateCount: 1, maxDaysLate: 30 }))).to.deep.equal(tierD);
  });

  it("raises the limit by 20 % after 6 on-time instalments with no late one and half the limit repaid", () => {
    const repaid = { totalBorrowed: 3_000n * TOKEN, totalRepaid: 3_000n * TOKEN };
    expect(adjustForHistory(tierD, h({ onTimeCount: 5, ...repaid })).limit).to.equal(6_000n * TOKEN);
    const d = adjustForHistory(tierD, h({ onTimeCount: 6, ...repaid }));
    expect(d.limit).to.equal(7_200n * TOKEN);
    expect(d.aprBps).to.equal(tierD.aprBps);
  });

  it("does not raise on many tiny loans: the repaid principal must reach half the limit", () => {
    // Twelve loans of 10 tokens, each repaid on its first due date: 12 on-time instalments, 120 tokens repaid.
    const farmed = h({ onTimeCount: 12, totalBorrowed: 120n * TOKEN, totalRepaid: 120n * TOKEN });
    expect(adjustForHistory(tierD, farmed)).to.deep.equal(tierD);
    const justBelow = h({ onTimeCount: 12, totalBorrowed: 3_000n * TOKEN, totalRepaid: 3_000n * TOKEN - 1n });
    expect(adjustForHistory(tierD, justBelow).limit).to.equal(6_000n * TOKEN);
  });

  it("caps a raise at the policy maximum of 50,000 tokens", () => {
    expect(adjustForHistory(tierA, h({ onTimeCount: 24, totalRepaid: 50_000n * TOKEN })).limit).to.equal(50_000n * TOKEN);
  });

  it("never turns a decline or a referral into a raise", () => {
    const declined = decide(DEFAULT_POLICY, 450);
    expect(adjustForHistory(declined, h({ onTimeCount: 50 }))).to.deep.equal(declined);
    const referred = decide(DEFAULT_POLICY, 505);
    expect(adjustForHistory(referred, h({ onTimeCount: 50 })).limit).to.equal(referred.limit);
  });

  it("is monotone: worse behaviour never yields a higher limit or a lower APR", () => {
    const histories: CreditHistory[] = [];
    for (const onTimeCount of [0, 5, 6, 12])
      for (const lateCount of [0, 1, 3])
        for (const maxDaysLate of lateCount ? [5, 30, 31, 89] : [0])
          for (const defaults of [0, 1]) histories.push(h({ onTimeCount, lateCount, maxDaysLate, defaults }));
    const worseOrEqual = (a: CreditHistory, b: CreditHistory) =>
      a.onTimeCount <= b.onTimeCount && a.lateCount >= b.lateCount && a.maxDaysLate >= b.maxDaysLate && a.defaults >= b.defaults;
    for (const base of [tierA, tierD, decide(DEFAULT_POLICY, 525), decide(DEFAULT_POLICY, 505)]) {
      for (const worse of histories) {
        for (const better of histories) {
          if (!worseOrEqual(worse, better)) continue;
          const w = adjustForHistory(base, worse);
          const b = adjustForHistory(base, better);
          expect(w.limit <= b.limit, "limit").to.equal(true);
          if (w.aprBps !== null && b.aprBps !== null) expect(w.aprBps).to.be.at.least(b.aprBps);
        }
      }
    }
  });

  it("reads history records from JSON with money as decimal strings and rejects bad input", () => {
    expect(parseHistory({ onTimeCount: 6, totalBorrowed: "1500000000", totalRepaid: "900000000" })).to.deep.equal(
      h({ onTimeCount: 6, totalBorrowed: 1_500n * TOKEN, totalRepaid: 900n * TOKEN }),
    );
    expect(() => parseHistory({ totalBorrowed: "1.5" })).to.throw(/whole base units/);
    expect(() => parseHistory({ lateCount: -1 })).to.throw(/non-negative/);
  });
});
