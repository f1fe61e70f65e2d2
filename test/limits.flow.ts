import { expect } from "chai";
import { network } from "hardhat";
import { id } from "ethers";
import { deployMicrocredit, ALL_PRODUCTS_MASK, ONE, DAY, LOCAL_LIMITS, NO_LIMITS } from "./helpers/fixture.ts";
import { decodeError } from "../src/sdk/errors.ts";

// Portfolio limits (IRiskLimits, PRODUCT.md C8): each cap hit exactly at its boundary (the limit passes, one unit
// more is refused with the values), the circuit breaker tripped and reset by the book itself, and the risk role
// that can only tighten.
const connection = await network.create();
const { networkHelpers, ethers } = connection;

const OFF = NO_LIMITS;
type Limits = typeof OFF;

async function base() {
  const d = await deployMicrocredit(connection);
  await d.pool.connect(d.lender).deposit(500_000n * ONE, d.lender.address);
  await d.ledger.setRates(500, 1_000, 0); // no liquidity reserve: the utilisation cap is what binds
  for (const who of [d.borrower, d.other]) {
    await d.ledger.connect(d.underwriter).setLine(who.address, 400_000n * ONE, 1_800, ALL_PRODUCTS_MASK, 1);
  }
  return d;
}
const fixture = () => networkHelpers.loadFixture(base);

async function withLimits(changes: Partial<Limits>) {
  const d = await fixture();
  await d.ledger.setLimits({ ...OFF, ...changes });
  return d;
}

describe("portfolio limits", () => {
  it("start off, and report themselves and their aggregates", async () => {
    const d = await fixture();
    const r = await d.lens.riskState();
    expect(r.limits.maxExposure).to.equal(0n);
    expect(r.bookValue).to.equal(500_000n * ONE);
    await d.ledger.connect(d.borrower).draw(0, 300_000n * ONE); // nothing stops a large draw when limits are off
    const after = await d.lens.riskState();
    expect(after.principalOutstanding).to.equal(300_000n * ONE);
    expect(after.bookValue).to.equal(500_000n * ONE, "a draw moves cash to principal");
  });

  it("per draw: the minimum and the maximum pass, one unit outside is refused", async () => {
    const d = await withLimits({ minDraw: 10n * ONE, maxDraw: 50_000n * ONE });
    const b = d.ledger.connect(d.borrower);
    await expect(b.draw(0, 10n * ONE - 1n))
      .to.be.revertedWithCustomError(d.ledger, "DrawBelowMinimum")
      .withArgs(10n * ONE - 1n, 10n * ONE);
    await expect(b.draw(0, 50_000n * ONE + 1n))
      .to.be.revertedWithCustomError(d.ledger, "DrawAboveMaximum")
      .withArgs(50_000n * ONE + 1n, 50_000n * ONE);
    await expect(b.draw(0, 10n * ONE)).to.emit(d.ledger, "Drawn");
    await expect(b.draw(0, 50_000n * ONE)).to.emit(d.ledger, "Drawn");
    expect((await d.lens.lineOf(d.borrower.address)).outstanding).to.equal(50_010n * ONE);
  });

  it("per borrower, absolute: outstanding up to the cap passes, one unit more is refused", async () => {
    const d = await withLimits({ maxExposure: 20_000n * ONE });
    const b = d.ledger.connect(d.borrower);
    await b.draw(0, 15_000n * ONE);
    await expect(b.draw(1, 5_000n * ONE + 1n))
      .to.be.revertedWithCustomError(d.ledger, "ExposureCapExceeded")
      .withArgs(d.borrower.address, 20_000n * ONE + 1n, 20_000n * ONE);
    await b.draw(1, 5_000n * ONE);
    expect((await d.lens.lineOf(d.borrower.address)).outstanding).to.equal(20_000n * ONE);
    // Another borrower has a cap of their own.
    await expect(d.ledger.connect(d.other).draw(0, 20_000n * ONE)).to.emit(d.ledger, "Drawn");
  });

  it("per borrower, share of the book: 2 % of 500,000 is 10,000 to the unit, and repayment frees it", async () => {
    const d = await withLimits({ maxExposureBps: 200n, maxExposure: 200_000n * ONE });
    const b = d.ledger.connect(d.borrower);
    await b.draw(5, 6_000n * ONE); // bullet, 30 days
    await expect(b.draw(5, 4_000n * ONE + 1n))
      .to.be.revertedWithCustomError(d.ledger, "ExposureCapExceeded")
      .withArgs(d.borrower.address, 10_000n * ONE + 1n, 10_000n * ONE);
    await b.draw(5, 4_000n * ONE);
    const first = await d.lens.loanIdOf(d.borrower.address, 1);
    await b.repay(first, ethers.MaxUint256);
    // 6,000 of principal repaid (plus interest, which raised the book's cash a little: cap 10,000.00… and up).
    await expect(b.draw(5, 6_000n * ONE)).to.emit(d.ledger, "Drawn");
  });

  it("utilisation: principal outstanding up to the cap passes, one unit more is refused", async () => {
    const d = await withLimits({ maxUtilisationBps: 5_000n });
    await d.ledger.connect(d.borrower).draw(0, 200_000n * ONE);
    const o = d.ledger.connect(d.other);
    await expect(o.draw(0, 50_000n * ONE + 1n))
      .to.be.revertedWithCustomError(d.ledger, "UtilisationCapExceeded")
      .withArgs(250_000n * ONE + 1n, 250_000n * ONE);
    await o.draw(0, 50_000n * ONE);
    expect((await d.lens.riskState()).principalOutstanding).to.equal(250_000n * ONE);
  });

  it("origination: a rolling 24 h bucket that drains at the cap per day, to the unit", async () => {
    const CAP = 30_000n * ONE;
    const d = await withLimits({ dailyOriginationCap: CAP });
    const b = d.ledger.connect(d.borrower);
    const t0 = BigInt(await networkHelpers.time.latest()) + 10n;
    await networkHelpers.time.setNextBlockTimestamp(t0);
    await b.draw(0, 20_000n * ONE);
    await networkHelpers.time.setNextBlockTimestamp(t0 + 1n); // 1 s drains 30,000 / 86,400 = 0.347222
    await expect(b.draw(0, 10_000n * ONE + 347_223n))
      .to.be.revertedWithCustomError(d.ledger, "OriginationCapExceeded")
      .withArgs(CAP + 1n, CAP);
    await networkHelpers.time.setNextBlockTimestamp(t0 + 2n); // 0.694444 drained
    await b.draw(0, 10_000n * ONE + 694_444n);
    expect((await d.lens.riskState()).originationInWindow).to.equal(CAP);
    // Half a day later half the cap is free again; a whole day later all of it.
    await networkHelpers.time.setNextBlockTimestamp(t0 + 2n + DAY / 2n);
    await expect(d.ledger.connect(d.other).draw(0, 15_000n * ONE + 1n))
      .to.be.revertedWithCustomError(d.ledger, "OriginationCapExceeded")
      .withArgs(CAP + 1n, CAP);
    await networkHelpers.time.setNextBlockTimestamp(t0 + 3n + DAY);
    await d.ledger.connect(d.other).draw(0, CAP);
    expect((await d.lens.riskState()).originationInWindow).to.equal(CAP);
  });

  it("circuit breaker: trips when 30+ DPD principal passes 8 %, halts draws only, and resets on cure", async () => {
    const d = await withLimits({ breakerBps: 800n });
    await d.ledger.connect(d.borrower).draw(2, 10_000n * ONE); // will go 30+ days past due
    await d.ledger.connect(d.other).draw(5, 100_000n * ONE); // bullet, paid at 30 days
    const late = await d.lens.loanIdOf(d.borrower.address, 1);
    const [dueDates] = await d.quotes.loanSchedule(late);
    // 30 days past due: bucket M1, not counted yet.
    await networkHelpers.time.setNextBlockTimestamp(dueDates[0] + 30n * DAY);
    await d.ledger.mark([late]);
    expect((await d.lens.riskState()).principal30Plus).to.equal(0n);
    // 31 days: M2. 10,000 of 110,000 = 9.09 % > 8 %.
    await networkHelpers.time.setNextBlockTimestamp(dueDates[0] + 31n * DAY);
    await d.ledger.mark([late]);
    let r = await d.lens.riskState();
    expect(r.principal30Plus).to.equal(10_000n * ONE);
    expect(r.breakerTripped).to.equal(true);
    await expect(d.ledger.connect(d.other).draw(0, 10n * ONE))
      .to.be.revertedWithCustomError(d.ledger, "CircuitBreakerTripped")
      .withArgs(10_000n * ONE, 110_000n * ONE, 800n);
    const message = decodeError(
      await d.ledger.connect(d.other).draw.staticCall(0, 10n * ONE).catch((e: unknown) => e),
    )?.message;
    expect(message).to.contain("halted by the circuit breaker");
    // Repayment is never halted: the other borrower repays the bullet, which shrinks the book and raises the share.
    const bullet = await d.lens.loanIdOf(d.other.address, 1);
    await d.ledger.connect(d.other).repay(bullet, ethers.MaxUint256);
    r = await d.lens.riskState();
    expect(r.principalOutstanding).to.equal(10_000n * ONE);
    expect(r.breakerTripped).to.equal(true);
    // The late borrower cures (pays what is past due with its penalty): back to current, the breaker resets.
    await d.ledger.connect(d.borrower).repay(late, await d.lens.dueNow(late));
    r = await d.lens.riskState();
    expect(r.principal30Plus).to.equal(0n);
    expect(r.breakerTripped).to.equal(false);
    await expect(d.ledger.connect(d.other).draw(0, 10n * ONE)).to.emit(d.ledger, "Drawn");
  });

  it("circuit breaker: a payment that cures the loan removes it; a loan entering M3 counts, its write-off removes it", async () => {
    const d = await withLimits({ breakerBps: 800n });
    await d.ledger.connect(d.borrower).draw(4, 10_000n * ONE); // interest first: principal only at the end
    const late = await d.lens.loanIdOf(d.borrower.address, 1);
    const [dueDates] = await d.quotes.loanSchedule(late);
    await networkHelpers.time.setNextBlockTimestamp(dueDates[0] + 45n * DAY);
    await d.ledger.mark([late]);
    expect((await d.lens.riskState()).principal30Plus).to.equal(10_000n * ONE);
    // A payment of the payoff minus 4,000 of principal: everything past due is paid and 6,000 of principal
    // prepaid, which leaves the loan current.
    const payoff = (await d.lens.loanState(late)).payoff;
    await d.ledger.connect(d.borrower).repay(late, payoff - 4_000n * ONE);
    expect((await d.lens.riskState()).principal30Plus).to.equal(0n);
    // A second borrower stops paying and is written off: counted while in M2/M3, removed at the default.
    await d.ledger.connect(d.other).draw(0, 3_000n * ONE);
    const bad = await d.lens.loanIdOf(d.other.address, 1);
    const [badDue] = await d.quotes.loanSchedule(bad);
    await networkHelpers.time.setNextBlockTimestamp(badDue[0] + 61n * DAY);
    await d.ledger.mark([bad]);
    expect((await d.lens.riskState()).principal30Plus).to.equal(3_000n * ONE);
    await networkHelpers.time.setNextBlockTimestamp(badDue[0] + 91n * DAY);
    await expect(d.ledger.mark([bad])).to.emit(d.ledger, "LoanDefaulted");
    expect((await d.lens.riskState()).principal30Plus).to.equal(0n);
  });
});

describe("the risk role", () => {
  const SET = LOCAL_LIMITS;

  async function withRisk() {
    const d = await withLimits(SET);
    await d.ledger.grantRole(id("RISK_ROLE"), d.recipient.address);
    return { ...d, risk: d.ledger.connect(d.recipient) };
  }

  it("tightens every limit and cuts a line", async () => {
    const d = await withRisk();
    const tighter = { ...SET, minDraw: 20n * ONE, maxDraw: 1_000n * ONE, breakerBps: 500n, maxUtilisationBps: 1n };
    await expect(d.risk.tightenLimits(tighter)).to.emit(d.ledger, "LimitsSet");
    expect((await d.lens.riskState()).limits.breakerBps).to.equal(500n);
    await expect(d.risk.cutLine(d.borrower.address, 1_000n * ONE))
      .to.emit(d.ledger, "LineLimitCut")
      .withArgs(d.borrower.address, 400_000n * ONE, 1_000n * ONE, d.recipient.address);
    expect((await d.lens.lineOf(d.borrower.address)).limit).to.equal(1_000n * ONE);
  });

  it("cannot raise a limit, lift one to 'no limit', raise a line, or do what the admin does", async () => {
    const d = await withRisk();
    const fields: [keyof Limits, bigint, number][] = [
      ["minDraw", 10n * ONE - 1n, 0],
      ["maxDraw", 50_000n * ONE + 1n, 1],
      ["maxExposure", 0n, 2],
      ["dailyOriginationCap", 1_000_000n * ONE + 1n, 3],
      ["maxExposureBps", 201n, 4],
      ["maxUtilisationBps", 0n, 5],
      ["breakerBps", 801n, 6],
    ];
    for (const [field, value, index] of fields) {
      await expect(d.risk.tightenLimits({ ...SET, [field]: value }))
        .to.be.revertedWithCustomError(d.ledger, "LimitRaiseNotAllowed")
        .withArgs(index, SET[field], value);
    }
    await expect(d.risk.cutLine(d.borrower.address, 400_000n * ONE + 1n))
      .to.be.revertedWithCustomError(d.ledger, "LimitRaiseNotAllowed")
      .withArgs(7, 400_000n * ONE, 400_000n * ONE + 1n);
    await expect(d.risk.setLimits(OFF)).to.be.revertedWithCustomError(d.ledger, "AccessControlUnauthorizedAccount");
    await expect(d.ledger.connect(d.other).tightenLimits(SET)).to.be.revertedWithCustomError(
      d.ledger,
      "AccessControlUnauthorizedAccount",
    );
    // Nothing changed.
    const r = await d.lens.riskState();
    expect(r.limits.maxExposure).to.equal(SET.maxExposure);
    expect(r.limits.breakerBps).to.equal(SET.breakerBps);
  });

  it("the admin sets any limits, within bounds", async () => {
    const d = await withRisk();
    await expect(d.ledger.setLimits({ ...SET, breakerBps: 10_001n })).to.be.revertedWithCustomError(
      d.ledger,
      "InvalidLimits",
    );
    await expect(d.ledger.setLimits({ ...SET, minDraw: 2n, maxDraw: 1n })).to.be.revertedWithCustomError(
      d.ledger,
      "InvalidLimits",
    );
    // Limits live in one word (a 43-bit mantissa and a power of ten per amount): what it cannot hold exactly is
    // refused with its value, never rounded, and nothing changes.
    const odd = 2n ** 43n * 10n + 1n;
    await expect(d.ledger.setLimits({ ...SET, maxExposure: odd }))
      .to.be.revertedWithCustomError(d.ledger, "LimitNotRepresentable")
      .withArgs(odd);
    expect((await d.lens.riskState()).limits.maxExposure).to.equal(SET.maxExposure);
    const round = 79_228_162_514n * 10n ** 18n;
    const exact = 2n ** 43n - 1n;
    await expect(d.ledger.setLimits({ ...SET, maxExposure: round, dailyOriginationCap: exact })).to.emit(
      d.ledger,
      "LimitsSet",
    );
    const stored = (await d.lens.riskState()).limits;
    expect([stored.maxExposure, stored.dailyOriginationCap, stored.minDraw]).to.deep.equal([round, exact, SET.minDraw]);
    await expect(d.ledger.setLimits(OFF)).to.emit(d.ledger, "LimitsSet");
    expect((await d.lens.riskState()).limits.maxDraw).to.equal(0n);
  });
});

describe("pause (C9): stops new lines and draws, nothing else", () => {
  it("refuses a new line and a draw, and lets repayment, collection, recoveries and lender exits through", async () => {
    const d = await fixture();
    const b = d.ledger.connect(d.borrower);
    await b.draw(2, 10_000n * ONE); // 12 instalments: collected, then repaid, while paused
    await d.ledger.connect(d.other).draw(5, 5_000n * ONE); // will default and be recovered while paused
    const loan = await d.lens.loanIdOf(d.borrower.address, 1);
    const bad = await d.lens.loanIdOf(d.other.address, 1);
    await b.setMandate(0);
    const [dueDates] = await d.quotes.loanSchedule(bad);
    await networkHelpers.time.setNextBlockTimestamp(dueDates[0] + 91n * DAY);
    await d.ledger.mark([bad]); // written off
    await d.ledger.pause();

    const newcomer = ethers.Wallet.createRandom().address;
    await expect(
      d.ledger.connect(d.underwriter).setLine(newcomer, 1_000n * ONE, 1_800, ALL_PRODUCTS_MASK, 1),
    ).to.be.revertedWithCustomError(d.ledger, "EnforcedPause");
    // Nor for a borrower whose KYC expiry is already recorded in the line word (KI-7, fixed): status None is "no line".
    await d.ledger.connect(d.underwriter).setKycExpiry(newcomer, BigInt(await networkHelpers.time.latest()) + 365n * DAY);
    await expect(
      d.ledger.connect(d.underwriter).setLine(newcomer, 1_000n * ONE, 1_800, ALL_PRODUCTS_MASK, 1),
    ).to.be.revertedWithCustomError(d.ledger, "EnforcedPause");
    expect((await d.lens.lineOf(newcomer)).status).to.equal(0n);
    await expect(b.draw(0, 10n * ONE)).to.be.revertedWithCustomError(d.ledger, "EnforcedPause");
    // An existing line can still be cut (lowering risk is never paused).
    await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 20_000n * ONE, 1_800, ALL_PRODUCTS_MASK, 1);

    const due = await d.lens.dueNow(loan);
    expect(due).to.be.greaterThan(0n);
    // Collected a block later than the view: the penalty of that second is added.
    await expect(d.ledger.collect([loan]))
      .to.emit(d.ledger, "Collected")
      .withArgs(loan, d.borrower.address, (amount: bigint) => amount >= due && amount - due < ONE);
    expect(await d.lens.dueNow(loan)).to.equal(0n);
    await expect(b.repay(loan, ethers.MaxUint256)).to.emit(d.ledger, "LoanClosed").withArgs(loan);
    await expect(d.ledger.connect(d.other).repay(bad, 1_000n * ONE)).to.emit(d.ledger, "Recovered");
    const max = await d.pool.maxWithdraw(d.lender.address);
    expect(max).to.be.greaterThan(0n);
    const before = await d.token.balanceOf(d.lender.address);
    await d.pool.connect(d.lender).withdraw(max, d.lender.address, d.lender.address);
    expect((await d.token.balanceOf(d.lender.address)) - before).to.equal(max);
  });
});
