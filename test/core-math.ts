// microcredit/core against the contracts on an in-process chain: the cost disclosure equals `CreditQuotes` and the
// `Drawn` event, the payoff and the penalty equal `loanState` at every stage of a loan's life (on time, inside
// and past grace, after a part payment and a mark), and the payoff allowance covers the penalty that becomes payable
// when a grace period ends inside its window, where the allowance the client used before did not.
import { expect } from "chai";
import { network } from "hardhat";
import { MaxUint256 } from "ethers";
import {
  deployMicrocredit,
  ALL_PRODUCTS_MASK,
  FEE_PRODUCTS_MASK,
  ONE,
  DAY,
  type Deployment,
} from "./helpers/fixture.ts";
import {
  Method,
  BPS,
  accruedInterestUp,
  arrearsOf,
  disclose,
  loanPositionAt,
  penaltyInterestUp,
  provisionBase,
  provisionUp,
  payoffAllowanceUp,
  payoffAllowance,
  schedule,
  type ArrearsRecord,
  type PayoffReads,
  type Terms,
} from "../src/core/index.ts";
import * as sdk from "../src/sdk/disclosure.ts";

const connection = await network.create();
const { networkHelpers } = connection;

const APR = 1_200n;
const GRACE = 3n * DAY;
const ALL_MASK = ALL_PRODUCTS_MASK | FEE_PRODUCTS_MASK;

async function base() {
  const d = await deployMicrocredit(connection);
  await d.pool.connect(d.lender).deposit(500_000n * ONE, d.lender.address);
  await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 100_000n * ONE, APR, ALL_MASK, 1);
  return d;
}
const fixture = () => networkHelpers.loadFixture(base);

type Reads = PayoffReads & { state: Awaited<ReturnType<Deployment["lens"]["loanState"]>> };

/** The reads `payoffAllowanceUp` takes, and `loanState`, all in the latest block. */
async function readsOf(d: Deployment, loanId: bigint): Promise<Reads> {
  const [state, record, risk, block] = await Promise.all([
    d.lens.loanState(loanId),
    d.lens.loanRecord(loanId),
    d.lens.riskParams(),
    d.ethers.provider.getBlock("latest"),
  ]);
  const product = await d.lens.product(record.productId);
  return {
    state,
    record,
    penalty: state.penalty,
    risk,
    feeBps: product.feeBps,
    now: BigInt(block!.timestamp),
  };
}

/** `loanState` at `r.now` equals core's position of the record read earlier (`earlier`, by default the same reads). */
function expectTwin(r: Reads, label: string, earlier: Reads = r, arrears?: ArrearsRecord) {
  const ar = arrears ?? arrearsOf(earlier.record, earlier.penalty, earlier.risk, earlier.now);
  const pos = loanPositionAt(earlier.record, ar, r.risk, r.feeBps, r.now);
  const s = r.state;
  expect(pos.payoff, `${label}: payoff`).to.equal(s.payoff);
  expect(pos.penalty, `${label}: penalty`).to.equal(s.penalty);
  expect(pos.pastDue, `${label}: past due`).to.equal(s.pastDue);
  expect(pos.pastDueSince, `${label}: past due since`).to.equal(s.pastDueSince);
  expect(pos.daysPastDue, `${label}: days past due`).to.equal(s.daysPastDue);
  expect(pos.interestAccrued, `${label}: interest`).to.equal(s.interestAccrued);
  expect(pos.principalOutstanding, `${label}: principal`).to.equal(s.principalOutstanding);
  expect(BigInt(pos.bucket), `${label}: bucket`).to.equal(s.bucket);
}

/** The allowance `Microcredit.payoff` sent before: the payoff grown at APR × (1 + multiplier) over the window. */
function formerAllowance(r: Reads, seconds: bigint): bigint {
  const rate = (BigInt(r.record.aprBps) * (BPS + BigInt(r.risk.penaltyMultiplierBps))) / BPS;
  return r.state.payoff + accruedInterestUp(r.state.payoff, rate, seconds);
}

async function drawLoan(d: Deployment, productId: number, amount: bigint) {
  await d.ledger.connect(d.borrower).draw(productId, amount);
  const line = await d.lens.lineOf(d.borrower.address);
  const loanId = await d.lens.loanIdOf(d.borrower.address, line.loanCount);
  const [dueDates] = await d.quotes.loanSchedule(loanId);
  return { loanId, dueDates: [...dueDates] };
}

describe("core math: cost disclosure", () => {
  const SHAPES: (Terms & { name: string })[] = [
    {
      name: "3 × 30 d equal instalments, 14 %, 1 % fee",
      method: Method.EqualInstalment,
      instalments: 3,
      periodDays: 30,
      aprBps: 1_400,
      feeBps: 100,
      amount: 1_000n * ONE,
    },
    {
      name: "12 × 30 d equal principal, 9 %, 2 % fee",
      method: Method.EqualPrincipal,
      instalments: 12,
      periodDays: 30,
      aprBps: 900,
      feeBps: 200,
      amount: 7_777n * ONE + 77n,
    },
    {
      name: "6 × 30 d interest first, 10 %, 1.5 % fee",
      method: Method.InterestFirst,
      instalments: 6,
      periodDays: 30,
      aprBps: 1_000,
      feeBps: 150,
      amount: 50_000n * ONE,
    },
    {
      name: "bullet 2 × 30 d, 6 %, 0.5 % fee",
      method: Method.Bullet,
      instalments: 2,
      periodDays: 30,
      aprBps: 600,
      feeBps: 50,
      amount: 300n * ONE,
    },
    {
      name: "6 × 30 d equal instalments, 15 %, no fee",
      method: Method.EqualInstalment,
      instalments: 6,
      periodDays: 30,
      aprBps: 1_500,
      feeBps: 0,
      amount: 2_345n * ONE + 1n,
    },
  ];

  it("the SDK's disclosure functions are core's", () => {
    expect(sdk.disclose).to.equal(disclose);
    expect(sdk.DEFAULT_APR_CAP_BPS).to.equal(2_400n);
  });

  for (const shape of SHAPES) {
    it(`${shape.name}: disclose = CreditQuotes.quoteTerms = Drawn, to the unit`, async () => {
      const d = await fixture();
      const productId = 9;
      await d.ledger.setProduct(productId, shape.method, shape.instalments, shape.periodDays, true);
      if (BigInt(shape.feeBps) !== 0n) await d.ledger.setProductFee(productId, shape.feeBps);
      await d.ledger
        .connect(d.underwriter)
        .setLine(d.borrower.address, 100_000n * ONE, shape.aprBps, 1 << productId, 1);
      const core = disclose(shape);

      const quoted = await d.quotes.quoteTerms(
        shape.method,
        shape.instalments,
        shape.periodDays,
        shape.aprBps,
        shape.feeBps,
        shape.amount,
      );
      expect(quoted.aprBps).to.equal(core.aprBps);
      expect(quoted.totalFees).to.equal(core.totalFees);
      expect(quoted.netDisbursed).to.equal(core.netDisbursed);
      expect(quoted.totalInterest).to.equal(core.totalInterest);
      expect(quoted.totalRepayable).to.equal(core.totalRepayable);
      expect(quoted.periodDays).to.equal(core.periodDays);
      expect([...quoted.payments]).to.deep.equal(core.payments);
      expect([...quoted.principals]).to.deep.equal(core.principals);
      expect([...quoted.interests]).to.deep.equal(core.interests);

      const receipt = await (await d.ledger.connect(d.borrower).draw(productId, shape.amount)).wait();
      const event = receipt!.logs
        .map((log) => d.ledger.interface.parseLog(log))
        .find((parsed) => parsed?.name === "Drawn");
      expect(event, "Drawn emitted").to.not.equal(undefined);
      expect(event!.args.aprBps).to.equal(core.aprBps);
      expect(event!.args.totalFees).to.equal(core.totalFees);
      expect(event!.args.totalInterest).to.equal(core.totalInterest);
      expect(event!.args.principal + event!.args.totalInterest).to.equal(core.totalRepayable);
      if (core.totalFees !== 0n) expect(core.aprBps).to.be.above(BigInt(shape.aprBps));
      else expect(core.aprBps).to.equal(BigInt(shape.aprBps));
    });
  }
});

describe("core math: payoff = loanState(id).payoff", () => {
  // 0: 3 × 30 d equal instalments; 3: equal principal; 4: interest first; 5: 30 d bullet; 6: 6 × 30 d, 1.5 % fee.
  for (const productId of [0, 3, 4, 5, 6]) {
    it(`product ${productId}: on time, mid-period, in grace, past grace, after a part payment and a mark`, async () => {
      const d = await fixture();
      const { loanId, dueDates } = await drawLoan(d, productId, 10_000n * ONE + 7n);
      const due1 = dueDates[0];
      const at = async (t: bigint, label: string) => {
        await networkHelpers.time.increaseTo(t);
        const r = await readsOf(d, loanId);
        expectTwin(r, label);
        return r;
      };
      await at(BigInt((await d.lens.loanRecord(loanId)).drawnAt) + 3_600n, "an hour after the draw");
      await at(due1 - 15n * DAY + 17n, "mid-period");
      const onTime = await at(due1, "on the due date");
      expect(onTime.state.pastDue).to.be.above(0n);
      const inGrace = await at(due1 + DAY, "inside grace");
      expect(inGrace.state.penalty).to.equal(0n);
      await at(due1 + GRACE, "last second of grace");
      const past = await at(due1 + GRACE + 1n, "first second past grace");
      expect(past.state.penalty).to.be.above(0n, "the whole penalty since the due date is owed");
      await at(due1 + GRACE + 5n * DAY, "five days past grace");

      // A part payment past grace: penalty first, then part of what is past due; the ledger keeps an arrears record.
      const paid = (past.state.pastDue * 2n) / 3n;
      await d.ledger.connect(d.borrower).repay(loanId, paid);
      const afterPayment = await readsOf(d, loanId);
      expectTwin(afterPayment, "right after a part payment");
      expect(afterPayment.state.markedBucket).to.not.equal(0n, "an arrears record is stored");
      // Predicted from the reads right after the payment, compared with the ledger later on.
      for (const [t, label] of [
        [afterPayment.now + DAY, "a day after the part payment"],
        [due1 + 40n * DAY, "40 days after the first due date"],
      ] as const) {
        await networkHelpers.time.increaseTo(t);
        expectTwin(await readsOf(d, loanId), `${label} (predicted)`, afterPayment);
      }
      await d.ledger.mark([loanId]);
      const marked = await readsOf(d, loanId);
      expectTwin(marked, "right after a mark");
      await networkHelpers.time.increaseTo(marked.now + 9n * DAY + 5n);
      expectTwin(await readsOf(d, loanId), "nine days after the mark (predicted)", marked);
    });
  }

  it("a prepayment mid-period, then the next due date, to the unit", async () => {
    const d = await fixture();
    const { loanId, dueDates } = await drawLoan(d, 6, 9_999n * ONE);
    await networkHelpers.time.increaseTo(dueDates[0] - 10n * DAY);
    await d.ledger.connect(d.borrower).repay(loanId, 2_500n * ONE);
    const after = await readsOf(d, loanId);
    expectTwin(after, "after a prepayment");
    await networkHelpers.time.increaseTo(dueDates[1] + DAY);
    expectTwin(await readsOf(d, loanId), "inside grace of the next due date (predicted)", after);
  });
});

describe("core math: penalty", () => {
  it("penaltyInterestUp on what is past due, from the due date, is the ledger's penalty and the payoff's step at grace end", async () => {
    const d = await fixture();
    const amount = 10_000n * ONE;
    const { loanId, dueDates } = await drawLoan(d, 0, amount);
    const due1 = dueDates[0];
    const multiplier = (await d.lens.riskParams()).penaltyMultiplierBps;
    const rows = schedule({
      method: Method.EqualInstalment,
      principal: amount,
      aprBps: APR,
      instalments: 3,
      periodDays: 30,
    });
    const opening = amount - rows[0].principal; // period 2 accrues on the scheduled balance

    await networkHelpers.time.increaseTo(due1 + GRACE);
    const last = await d.lens.loanState(loanId);
    expect(last.penalty).to.equal(0n, "latent inside grace");
    await networkHelpers.time.increaseTo(due1 + GRACE + 1n);
    const first = await d.lens.loanState(loanId);
    const penalty = penaltyInterestUp(first.pastDue, APR, multiplier, GRACE + 1n);
    expect(first.penalty).to.equal(penalty);
    const interestStep = accruedInterestUp(opening, APR, GRACE + 1n) - accruedInterestUp(opening, APR, GRACE);
    expect(first.payoff - last.payoff).to.equal(penalty + interestStep);

    for (const late of [7n * DAY + 11n, 20n * DAY]) {
      await networkHelpers.time.increaseTo(due1 + late);
      const s = await d.lens.loanState(loanId);
      expect(s.penalty).to.equal(penaltyInterestUp(s.pastDue, APR, multiplier, late));
    }
  });
});

describe("core math: provisions", () => {
  it("provisionUp on what a write-off would cost, by days past due, is the ledger's provision at each daily mark", async () => {
    const d = await fixture();
    const { loanId, dueDates } = await drawLoan(d, 0, 10_000n * ONE);
    const risk = await d.lens.riskParams();
    const params = {
      graceDays: risk.graceDays,
      defaultDays: risk.defaultDays,
      provisionM1Bps: risk.provisionM1Bps,
      provisionM2Bps: risk.provisionM2Bps,
      provisionM3Bps: risk.provisionM3Bps,
    };
    const [protocolFeeBps] = await d.lens.rates();
    let last = 0n;
    // In grace and at its end, the first day of M1, inside each bucket, at each edge, and the day before the write-off.
    for (const days of [1n, 2n, 3n, 4n, 17n, 30n, 31n, 45n, 60n, 61n, 75n, 89n, 90n]) {
      await networkHelpers.time.setNextBlockTimestamp(dueDates[0] + days * DAY);
      const receipt = await (await d.ledger.mark([loanId])).wait();
      // Read at the mark's own block: no interest has accrued since it.
      const s = await d.lens.loanState(loanId, { blockTag: receipt!.blockNumber });
      const owed = provisionBase(s.principalOutstanding, s.interestAccrued, 0n, protocolFeeBps);
      const expected = provisionUp(owed, days * DAY, params);
      expect(await d.lens.provisions(), `day ${days}`).to.equal(expected);
      expect(expected >= last, `day ${days}: the provision only rises`).to.equal(true);
      last = expected;
      // The interest part reaches 100 % at 30 days past due (non-accrual) and stays there; the principal part is at
      // 30 % then, 98.67 % at 89 days (60 % + 29/30 of 40 %) and all of it at 90, the last day before the write-off.
      const up = (x: bigint, bps: bigint, of: bigint) => (x * bps + of - 1n) / of;
      // In grace both parts run from 0 at the due date to 10 % at its end (3 days): 2/3 of 10 % at day 2.
      if (days === 2n)
        expect(expected).to.equal(up(owed.principal, 2_000n, 30_000n) + up(owed.interest, 2_000n, 30_000n));
      if (days === 3n)
        expect(expected).to.equal(up(owed.principal, 1_000n, 10_000n) + up(owed.interest, 1_000n, 10_000n));
      if (days === 17n) {
        const interestPart = up(owed.interest, 1_000n * 27n + 9_000n * 14n, 270_000n);
        expect(expected).to.equal(up(owed.principal, 1_000n * 27n + 2_000n * 14n, 270_000n) + interestPart);
      }
      if (days === 30n) expect(expected).to.equal(up(owed.principal, 3_000n, 10_000n) + owed.interest);
      if (days === 89n) expect(expected).to.equal(up(owed.principal, 29_600n, 30_000n) + owed.interest);
      if (days === 90n) expect(expected).to.equal(owed.principal + owed.interest);
    }
  });
});

describe("core math: payoff allowance", () => {
  const WINDOW = 3_600n;

  for (const marked of [false, true]) {
    it(`covers the penalty that becomes payable when grace ends inside the window${marked ? " (loan marked in grace)" : ""}`, async () => {
      const d = await fixture();
      const { loanId, dueDates } = await drawLoan(d, 6, 10_000n * ONE);
      const graceEnd = dueDates[0] + GRACE;
      if (marked) {
        await networkHelpers.time.increaseTo(dueDates[0] + DAY);
        await d.ledger.mark([loanId]);
        expect((await d.lens.loanRecord(loanId)).bucket).to.equal(1n, "marked into Grace");
      }
      await networkHelpers.time.increaseTo(graceEnd - WINDOW / 2n);
      const r = await readsOf(d, loanId);
      expect(r.state.penalty).to.equal(0n);
      const allowance = payoffAllowanceUp(r, WINDOW);
      const former = formerAllowance(r, WINDOW);
      expect(arrearsOf(r.record, r.penalty, r.risk, r.now).exact).to.equal(!marked);

      await networkHelpers.time.increaseTo(r.now + WINDOW);
      const later = await d.lens.loanState(loanId);
      expect(later.penalty).to.be.above(0n, "grace ended inside the window");
      expect(allowance).to.be.at.least(later.payoff);
      expect(former).to.be.below(later.payoff, "the former allowance misses the penalty");
      if (!marked) expect(allowance - later.payoff).to.be.at.most(WINDOW, "tight: rounding margin only");
    });
  }

  it("covers a loan marked, then part-paid inside grace (its latent penalty shows in no view)", async () => {
    const d = await fixture();
    const { loanId, dueDates } = await drawLoan(d, 6, 10_000n * ONE);
    const graceEnd = dueDates[0] + GRACE;
    await networkHelpers.time.increaseTo(dueDates[0] + DAY);
    await d.ledger.mark([loanId]);
    const due = (await d.lens.loanState(loanId)).pastDue;
    await d.ledger.connect(d.borrower).repay(loanId, due / 2n); // not a catch-up: the penalty stays latent
    await networkHelpers.time.increaseTo(graceEnd - WINDOW / 2n);
    const r = await readsOf(d, loanId);
    expect(arrearsOf(r.record, r.penalty, r.risk, r.now).exact).to.equal(false);
    const allowance = payoffAllowanceUp(r, WINDOW);
    await networkHelpers.time.increaseTo(r.now + WINDOW);
    const later = await d.lens.loanState(loanId);
    expect(later.penalty).to.be.above(0n, "grace ended inside the window");
    expect(allowance).to.be.at.least(later.payoff);
  });

  it("for a loan marked in grace, a window that stays inside grace gets a tight allowance", async () => {
    const d = await fixture();
    const { loanId, dueDates } = await drawLoan(d, 6, 10_000n * ONE);
    await networkHelpers.time.increaseTo(dueDates[0] + DAY);
    await d.ledger.mark([loanId]);
    await networkHelpers.time.increaseTo(dueDates[0] + 2n * DAY);
    const r = await readsOf(d, loanId);
    expect(arrearsOf(r.record, r.penalty, r.risk, r.now).exact).to.equal(false);
    expect(payoffAllowance(r, WINDOW).tight).to.equal(true);
    const allowance = payoffAllowanceUp(r, WINDOW);
    await networkHelpers.time.increaseTo(r.now + WINDOW);
    const later = await d.lens.loanState(loanId);
    expect(later.penalty).to.equal(0n, "still inside grace");
    expect(allowance).to.be.at.least(later.payoff);
    expect(allowance - later.payoff).to.be.at.most(WINDOW, "tight: rounding margin only");
    // The same loan with grace ending inside the window: the bound is loose, and says so.
    const crossing = { ...r, now: dueDates[0] + GRACE - WINDOW / 2n };
    expect(payoffAllowance(crossing, WINDOW).tight).to.equal(false);
  });

  it("a payoff sent with the allowance at the end of the window goes through; with the former one it reverts", async () => {
    const d = await fixture();
    const { loanId, dueDates } = await drawLoan(d, 0, 10_000n * ONE);
    await networkHelpers.time.increaseTo(dueDates[0] + GRACE - WINDOW / 2n);
    const r = await readsOf(d, loanId);
    const allowance = payoffAllowanceUp(r, WINDOW);
    const ledger = await d.ledger.getAddress();

    const snapshot = await networkHelpers.takeSnapshot();
    await d.token.connect(d.borrower).approve(ledger, formerAllowance(r, WINDOW));
    await networkHelpers.time.setNextBlockTimestamp(r.now + WINDOW);
    await expect(d.ledger.connect(d.borrower).repay(loanId, MaxUint256)).to.be.revertedWithCustomError(
      d.token,
      "ERC20InsufficientAllowance",
    );
    await snapshot.restore();

    await d.token.connect(d.borrower).approve(ledger, allowance);
    await networkHelpers.time.setNextBlockTimestamp(r.now + WINDOW);
    const before = await d.token.balanceOf(d.borrower.address);
    await d.ledger.connect(d.borrower).repay(loanId, MaxUint256);
    const paid = before - (await d.token.balanceOf(d.borrower.address));
    expect((await d.lens.loanState(loanId)).status).to.equal(2n, "repaid");
    expect(paid).to.be.at.most(allowance);
    expect(paid).to.be.above(formerAllowance(r, WINDOW));
  });

  it("with no grace ending in the window, is the payoff at its end (and covers it)", async () => {
    const d = await fixture();
    const { loanId, dueDates } = await drawLoan(d, 6, 10_000n * ONE);
    await networkHelpers.time.increaseTo(dueDates[0] - 10n * DAY);
    const r = await readsOf(d, loanId);
    const allowance = payoffAllowanceUp(r, WINDOW);
    await networkHelpers.time.increaseTo(r.now + WINDOW);
    expect(allowance).to.equal((await d.lens.loanState(loanId)).payoff);
  });
});
