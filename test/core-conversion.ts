// Instalment conversions in microcredit/core (PRODUCT.md C6), without a chain: the same golden plans and APRs as
// test/ConversionMath.t.sol pins the contract library to, so the twins agree on them to the unit; the plan's
// properties over seeded random inputs; and the APRs against an IRR computed here in floating point, apart from both.
import { expect } from "chai";
import {
  CONVERSION_PERIOD_DAYS,
  DEFAULT_APR_CAP_BPS,
  DEFAULT_CONVERSION_FEE_BPS,
  InstalmentOutOfRangeError,
  UnsupportedTermError,
  conversionAprUp,
  conversionMaxAprUp,
  conversionPlan,
  conversionTotalFeeDown,
  evenPartDown,
  feeOfInstalmentDown,
  paymentOfInstalmentDown,
  principalOfInstalmentDown,
} from "../src/core/index.ts";
// The risk engine's seeded PRNG (mulberry32), so a failure replays from its seed.
import { createRng } from "../src/risk/cv.ts";

const P = 10_000_000000n;

/** Every instalment but the last has `principal` and `fee`, the last `lastPrincipal` and `lastFee`. */
interface Golden {
  amount: bigint;
  instalments: bigint;
  feeBps: bigint;
  totalFee: bigint;
  principal: bigint;
  lastPrincipal: bigint;
  fee: bigint;
  lastFee: bigint;
  aprBps: bigint;
}

// The same rows, in the same order, as `_golden()` in test/ConversionMath.t.sol:
// amount, instalments, feeBps, totalFee, principal, lastPrincipal, fee, lastFee, aprBps.
// prettier-ignore
const ROWS: readonly (readonly bigint[])[] = [
  [10_000_000000n, 3n, 250n, 250_000000n, 3_333_333333n, 3_333_333334n, 83_333333n, 83_333334n, 1494n],
  [10_000_000000n, 6n, 450n, 450_000000n, 1_666_666666n, 1_666_666670n, 75_000000n, 75_000000n, 1527n],
  [10_000_000000n, 9n, 650n, 650_000000n, 1_111_111111n, 1_111_111112n, 72_222222n, 72_222224n, 1535n],
  [10_000_000000n, 12n, 880n, 880_000000n, 833_333333n, 833_333337n, 73_333333n, 73_333337n, 1587n],
  [1n, 3n, 250n, 0n, 0n, 1n, 0n, 0n, 0n],
  [1n, 6n, 450n, 0n, 0n, 1n, 0n, 0n, 0n],
  [1n, 9n, 650n, 0n, 0n, 1n, 0n, 0n, 0n],
  [1n, 12n, 880n, 0n, 0n, 1n, 0n, 0n, 0n],
  [7n, 3n, 250n, 0n, 2n, 3n, 0n, 0n, 0n],
  [7n, 6n, 450n, 0n, 1n, 2n, 0n, 0n, 0n],
  [7n, 9n, 650n, 0n, 0n, 7n, 0n, 0n, 0n],
  [7n, 12n, 880n, 0n, 0n, 7n, 0n, 0n, 0n],
  [41n, 3n, 250n, 1n, 13n, 15n, 0n, 1n, 1407n],
  [41n, 6n, 450n, 1n, 6n, 11n, 0n, 1n, 755n],
  [41n, 9n, 650n, 2n, 4n, 9n, 0n, 2n, 1022n],
  [41n, 12n, 880n, 3n, 3n, 8n, 0n, 3n, 1146n],
  [12_345n, 3n, 250n, 308n, 4115n, 4115n, 102n, 104n, 1491n],
  [12_345n, 6n, 450n, 555n, 2057n, 2060n, 92n, 95n, 1525n],
  [12_345n, 9n, 650n, 802n, 1371n, 1377n, 89n, 90n, 1533n],
  [12_345n, 12n, 880n, 1086n, 1028n, 1037n, 90n, 96n, 1585n],
  [999_999_999n, 3n, 250n, 24_999999n, 333_333333n, 333_333333n, 8_333333n, 8_333333n, 1494n],
  [999_999_999n, 6n, 450n, 44_999999n, 166_666666n, 166_666669n, 7_499999n, 7_500004n, 1527n],
  [999_999_999n, 9n, 650n, 64_999999n, 111_111111n, 111_111111n, 7_222222n, 7_222223n, 1535n],
  [999_999_999n, 12n, 880n, 87_999999n, 83_333333n, 83_333336n, 7_333333n, 7_333336n, 1587n],
  [10n ** 15n, 3n, 250n, 25n * 10n ** 12n, 333_333_333_333333n, 333_333_333_333334n, 8_333_333_333333n, 8_333_333_333334n, 1494n],
  [10n ** 15n, 6n, 450n, 45n * 10n ** 12n, 166_666_666_666666n, 166_666_666_666670n, 7_500_000_000000n, 7_500_000_000000n, 1527n],
  [10n ** 15n, 9n, 650n, 65n * 10n ** 12n, 111_111_111_111111n, 111_111_111_111112n, 7_222_222_222222n, 7_222_222_222224n, 1535n],
  [10n ** 15n, 12n, 880n, 88n * 10n ** 12n, 83_333_333_333333n, 83_333_333_333337n, 7_333_333_333333n, 7_333_333_333337n, 1587n],
];
const GOLDEN: Golden[] = ROWS.map(
  ([amount, instalments, feeBps, totalFee, principal, lastPrincipal, fee, lastFee, aprBps]) => ({
    amount,
    instalments,
    feeBps,
    totalFee,
    principal,
    lastPrincipal,
    fee,
    lastFee,
    aprBps,
  }),
);

const sum = (xs: readonly bigint[]) => xs.reduce((s, x) => s + x, 0n);

/**
 * The IRR per period of receiving `amount` and paying `payments` at the end of periods 1..n, in floating point by
 * bisection: nothing shared with `periodicRateDown`.
 */
function floatIrr(amount: bigint, payments: readonly bigint[]): number {
  const value = (r: number) => payments.reduce((v, p, k) => v + Number(p) / (1 + r) ** (k + 1), 0);
  let lo = 0;
  let hi = 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (value(mid) > Number(amount)) lo = mid;
    else hi = mid;
  }
  return lo;
}

describe("core conversion: instalment plans and their APR (PRODUCT.md C6)", () => {
  it("golden plans: the rows of test/ConversionMath.t.sol, to the unit", () => {
    for (const g of GOLDEN) {
      const label = `${g.amount} in ${g.instalments} at ${g.feeBps} bps`;
      const plan = conversionPlan(g.amount, g.feeBps, g.instalments);
      const n = Number(g.instalments);
      expect(conversionTotalFeeDown(g.amount, g.feeBps), `${label}: total fee`).to.equal(g.totalFee);
      expect(plan.principals, `${label}: principals`).to.deep.equal([
        ...Array(n - 1).fill(g.principal),
        g.lastPrincipal,
      ]);
      expect(plan.fees, `${label}: fees`).to.deep.equal([...Array(n - 1).fill(g.fee), g.lastFee]);
      expect(plan.payments, `${label}: payments`).to.deep.equal([
        ...Array(n - 1).fill(g.principal + g.fee),
        g.lastPrincipal + g.lastFee,
      ]);
      expect(sum(plan.principals), `${label}: principal adds up`).to.equal(g.amount);
      expect(sum(plan.fees), `${label}: fees add up`).to.equal(g.totalFee);
      expect(conversionAprUp(g.amount, g.feeBps, g.instalments), `${label}: APR`).to.equal(g.aprBps);
    }
  });

  it("P = 10,000.000000 at the default table: the payments a borrower is shown", () => {
    expect(conversionPlan(P, 250n, 3n).payments).to.deep.equal([3_416_666666n, 3_416_666666n, 3_416_666668n]);
    const twelve = conversionPlan(P, 880n, 12n);
    expect(twelve.payments).to.deep.equal([...Array(11).fill(906_666666n), 906_666674n]);
    expect(twelve.fees).to.deep.equal([...Array(11).fill(73_333333n), 73_333337n]);
    expect(sum(twelve.payments)).to.equal(10_880_000000n);
  });

  it("the default fee table (PRODUCT.md C6) and its APRs: 14.94 % / 15.27 % / 15.35 % / 15.87 %, within the cap", () => {
    expect(DEFAULT_CONVERSION_FEE_BPS).to.deep.equal({ 3: 250n, 6: 450n, 9: 650n, 12: 880n });
    expect(Object.isFrozen(DEFAULT_CONVERSION_FEE_BPS)).to.equal(true);
    expect(CONVERSION_PERIOD_DAYS).to.equal(30n);
    const aprs = ([3, 6, 9, 12] as const).map((n) =>
      conversionMaxAprUp(DEFAULT_CONVERSION_FEE_BPS[n], BigInt(n)),
    );
    expect(aprs).to.deep.equal([1494n, 1527n, 1535n, 1587n]);
    for (const apr of aprs) expect(apr <= DEFAULT_APR_CAP_BPS).to.equal(true);
  });

  it("the largest fee per term within the default 24 % cap: 4.02 % / 7.11 % / 10.26 % / 13.47 %", () => {
    const boundary = [
      { n: 3n, largestFee: 402n, aprAtLargest: 2397n, aprAbove: 2403n },
      { n: 6n, largestFee: 711n, aprAtLargest: 2399n, aprAbove: 2402n },
      { n: 9n, largestFee: 1026n, aprAtLargest: 2400n, aprAbove: 2402n },
      { n: 12n, largestFee: 1347n, aprAtLargest: 2400n, aprAbove: 2402n },
    ];
    for (const b of boundary) {
      expect(conversionMaxAprUp(b.largestFee, b.n), `${b.n}: at the largest fee`).to.equal(b.aprAtLargest);
      expect(conversionMaxAprUp(b.largestFee + 1n, b.n), `${b.n}: one basis point above`).to.equal(
        b.aprAbove,
      );
      expect(b.aprAtLargest <= DEFAULT_APR_CAP_BPS && b.aprAbove > DEFAULT_APR_CAP_BPS).to.equal(true);
    }
  });

  it("one instalment of twice the amount after a month is 1,200 % a year, exactly", () => {
    expect(conversionAprUp(1n, 10_000n, 1n)).to.equal(120_000n);
    expect(conversionAprUp(P, 100n, 1n)).to.equal(1_200n);
  });

  it("a merchant-subsidised conversion has no fee in any instalment and an APR of 0", () => {
    for (const n of [3n, 6n, 9n, 12n]) {
      const plan = conversionPlan(P, 0n, n);
      expect(plan.fees.every((f) => f === 0n)).to.equal(true);
      expect(plan.payments).to.deep.equal(plan.principals);
      expect(sum(plan.payments)).to.equal(P);
      expect(conversionAprUp(P, 0n, n)).to.equal(0n);
    }
  });

  it("the APRs agree with a floating-point IRR: ceil(IRR × 12 × 10,000)", () => {
    for (const g of GOLDEN.filter((x) => x.totalFee > 0n)) {
      const exact =
        floatIrr(g.amount, conversionPlan(g.amount, g.feeBps, g.instalments).payments) * 12 * 10_000;
      const apr = Number(g.aprBps);
      expect(exact, `${g.amount} in ${g.instalments}`)
        .to.be.above(apr - 1)
        .and.at.most(apr);
    }
  });

  it("refuses a plan of no instalments and an instalment outside the plan, with their values", () => {
    expect(() => conversionPlan(P, 250n, 0n))
      .to.throw(UnsupportedTermError, "0 instalments")
      .that.includes({ instalments: 0n });
    expect(() => conversionAprUp(P, 0n, 0n)).to.throw(UnsupportedTermError);
    expect(() => feeOfInstalmentDown(P, 250n, 0n, 1n)).to.throw(UnsupportedTermError);
    for (const k of [0n, 4n]) {
      expect(() => feeOfInstalmentDown(P, 250n, 3n, k))
        .to.throw(InstalmentOutOfRangeError)
        .that.includes({ k, instalments: 3n });
    }
    expect(() => conversionPlan(-1n, 250n, 3n)).to.throw(RangeError);
    expect(() => conversionTotalFeeDown(P, -1n)).to.throw(RangeError);
    expect(() => evenPartDown(-1n, 3n, 1n)).to.throw(RangeError);
  });

  it("500 random conversions (seed 20260601): parts add up exactly, accessors equal the plan, APR monotone in the fee", () => {
    const random = createRng(20260601);
    const pick = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    for (let i = 0; i < 500; i++) {
      // Amounts up to 10^15 (a billion tokens of 6 decimals), a product of two draws so that the low digits vary too.
      const amount = BigInt(pick(0, 1_000_000)) * BigInt(pick(1, 1_000_000_000));
      const n = BigInt(pick(1, 24));
      const feeBps = BigInt(pick(0, 2_000));
      const label = `${amount} in ${n} at ${feeBps} bps`;
      const plan = conversionPlan(amount, feeBps, n);
      const totalFee = conversionTotalFeeDown(amount, feeBps);
      expect(totalFee, label).to.equal((amount * feeBps) / 10_000n);
      expect(sum(plan.principals), `${label}: principal`).to.equal(amount);
      expect(sum(plan.fees), `${label}: fees`).to.equal(totalFee);
      for (let k = 1n; k <= n; k++) {
        const row = Number(k - 1n);
        expect(principalOfInstalmentDown(amount, n, k), `${label}: principal ${k}`).to.equal(
          plan.principals[row],
        );
        expect(feeOfInstalmentDown(amount, feeBps, n, k), `${label}: fee ${k}`).to.equal(plan.fees[row]);
        expect(paymentOfInstalmentDown(amount, feeBps, n, k), `${label}: payment ${k}`).to.equal(
          plan.payments[row],
        );
        if (k < n) expect(plan.principals[row], `${label}: even ${k}`).to.equal(amount / n);
      }
      const apr = conversionAprUp(amount, feeBps, n);
      const higherFee = feeBps + BigInt(pick(0, 500));
      expect(conversionAprUp(amount, higherFee, n) >= apr, `${label}: monotone`).to.equal(true);
      expect(apr <= conversionMaxAprUp(feeBps, n), `${label}: at most the rate's APR`).to.equal(true);
      expect(apr === 0n, `${label}: zero exactly without a fee`).to.equal(totalFee === 0n);
    }
  });
});
