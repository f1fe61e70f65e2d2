import { expect } from "chai";
import { network } from "hardhat";
import { schedule, Method, accruedInterestUp } from "../src/core/schedule.ts";
import { deployMicrocredit, ALL_PRODUCTS_MASK, PRODUCTS, ONE, DAY } from "./helpers/fixture.ts";

const connection = await network.create();
const { networkHelpers } = connection;
const fixture = () => deployMicrocredit(connection);

const APR = 1800n;
const P = 10_000n * ONE;

async function setup() {
  const d = await networkHelpers.loadFixture(fixture);
  await d.pool.connect(d.lender).deposit(500_000n * ONE, d.lender.address);
  await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 50_000n * ONE, APR, ALL_PRODUCTS_MASK, 1);
  return d;
}

describe("credit ledger: lines, draws and repayment plans", () => {
  for (const p of PRODUCTS.filter((x) => x.instalments > 1 || x.method === Method.Bullet)) {
    it(`draw → repay on every due date → closed, for product ${p.id} (${p.name})`, async () => {
      const d = await setup();
      const { ledger, lens, token, borrower, recipient } = d;
      const before = await token.balanceOf(recipient.address);
      await ledger.connect(borrower).drawTo(p.id, P, recipient.address);
      expect(await token.balanceOf(recipient.address)).to.equal(before + P, "funds reach the named recipient");
      const loanId = await lens.loanIdOf(borrower.address, 1);
      const line = await lens.lineOf(borrower.address);
      expect(line.outstanding).to.equal(P);
      expect(line.available).to.equal(50_000n * ONE - P);

      const rows = schedule({ method: p.method, principal: P, aprBps: APR, instalments: p.instalments, periodDays: p.periodDays });
      const [dueDates, payments] = await d.quotes.loanSchedule(loanId);
      expect(payments).to.deep.equal(rows.map((r) => r.payment), "on-chain plan equals the TypeScript plan");

      for (let k = 0; k < rows.length; k++) {
        await networkHelpers.time.setNextBlockTimestamp(dueDates[k]);
        const paidBefore = await token.balanceOf(borrower.address);
        await ledger.connect(borrower).repay(loanId, rows[k].payment);
        expect(paidBefore - (await token.balanceOf(borrower.address))).to.equal(rows[k].payment);
        const state = await lens.loanState(loanId);
        expect(state.pastDue).to.equal(0n, `nothing past due after instalment ${k + 1}`);
      }
      const state = await lens.loanState(loanId);
      expect(state.status).to.equal(2n, "repaid");
      expect((await lens.lineOf(borrower.address)).available).to.equal(50_000n * ONE, "limit freed");
      expect(await lens.principalOutstanding()).to.equal(0n);
      expect(await lens.rateSum()).to.equal(0n);
      const interest = rows.reduce((s, r) => s + r.interest, 0n);
      expect(await lens.interestReceivable()).to.equal(0n);
      expect(await ledger.cash()).to.equal(500_000n * ONE + interest);
    });
  }

  it("golden equal-instalment plan: total paid 11,001.599154 and lender value up by 85% of the interest", async () => {
    const d = await setup();
    const { ledger, lens, pool, borrower, lender } = d;
    const sharesBefore = await pool.balanceOf(lender.address);
    const valueBefore = await pool.convertToAssets(sharesBefore);
    await ledger.connect(borrower).draw(2, P);
    const loanId = await lens.loanIdOf(borrower.address, 1);
    const [dueDates, payments] = await d.quotes.loanSchedule(loanId);
    let total = 0n;
    for (let k = 0; k < 12; k++) {
      await networkHelpers.time.setNextBlockTimestamp(dueDates[k]);
      await ledger.connect(borrower).repay(loanId, payments[k]);
      total += payments[k];
    }
    expect(total).to.equal(11_001_599154n);
    const interest = total - P;
    expect(await lens.protocolFeesOwed()).to.be.closeTo((interest * 500n) / 10_000n, 2n);
    expect(await lens.firstLossReserve()).to.be.closeTo((interest * 1_000n) / 10_000n, 2n);
    const valueAfter = await pool.convertToAssets(sharesBefore);
    expect(valueAfter - valueBefore).to.be.closeTo((interest * 8_500n) / 10_000n, 3n);
  });

  it("share price rises smoothly: no jump when an instalment is paid on its due date", async () => {
    const d = await setup();
    const { ledger, lens, pool, borrower } = d;
    await ledger.connect(borrower).draw(2, P);
    const loanId = await lens.loanIdOf(borrower.address, 1);
    const [dueDates, payments] = await d.quotes.loanSchedule(loanId);
    const shares = 10n ** 17n; // 100,000 tokens' worth of shares (decimals offset 6 + 6)
    await networkHelpers.time.increaseTo(dueDates[0] - 2n);
    const v0 = await pool.convertToAssets(shares);
    await networkHelpers.mine();
    const v1 = await pool.convertToAssets(shares);
    await networkHelpers.time.setNextBlockTimestamp(dueDates[0]);
    await ledger.connect(borrower).repay(loanId, payments[0]);
    const v2 = await pool.convertToAssets(shares);
    // Each second adds the same accrual; the repayment second adds nothing more.
    expect(v1 - v0).to.be.greaterThan(0n);
    expect(v2 - v1).to.be.closeTo(v1 - v0, 1n);
  });

  it("prepayment pays interest only to date and frees the limit", async () => {
    const d = await setup();
    const { ledger, lens, token, borrower } = d;
    await ledger.connect(borrower).draw(2, P);
    const loanId = await lens.loanIdOf(borrower.address, 1);
    const drawnAt = (await lens.loanRecord(loanId)).drawnAt;
    const payAt = drawnAt + 15n * DAY;
    await networkHelpers.time.setNextBlockTimestamp(payAt);
    const balance = await token.balanceOf(borrower.address);
    await ledger.connect(borrower).repay(loanId, d.ethers.MaxUint256);
    const paid = balance - (await token.balanceOf(borrower.address));
    expect(paid).to.equal(P + accruedInterestUp(P, APR, 15n * DAY));
    expect(paid).to.equal(P + 75n * ONE);
    expect((await lens.loanState(loanId)).status).to.equal(2n);
    expect((await lens.lineOf(borrower.address)).outstanding).to.equal(0n);
    expect(await lens.rateSum()).to.equal(0n);
  });

  it("a partial prepayment lowers the interest of the following periods", async () => {
    const d = await setup();
    const { ledger, lens, borrower } = d;
    await ledger.connect(borrower).draw(4, P); // interest-first: ceil(P·r) each period
    const loanId = await lens.loanIdOf(borrower.address, 1);
    const [dueDates] = await d.quotes.loanSchedule(loanId);
    await networkHelpers.time.setNextBlockTimestamp(dueDates[0]);
    // Pays instalment 1 (150) and 4,000 of principal ahead of plan.
    await ledger.connect(borrower).repay(loanId, 150n * ONE + 4_000n * ONE);
    await networkHelpers.time.increaseTo(dueDates[1]);
    const state = await lens.loanState(loanId);
    expect(state.principalOutstanding).to.equal(6_000n * ONE);
    expect(state.pastDue).to.equal(90n * ONE, "period 2 interest on 6,000 at 1.5%");
  });

  it("views: next due, past due and payoff follow the plan", async () => {
    const d = await setup();
    const { ledger, lens, borrower } = d;
    await ledger.connect(borrower).draw(2, P);
    const loanId = await lens.loanIdOf(borrower.address, 1);
    const [dueDates, payments] = await d.quotes.loanSchedule(loanId);
    let s = await lens.loanState(loanId);
    expect(s.nextDueAt).to.equal(dueDates[0]);
    expect(s.nextDueAmount).to.equal(payments[0]);
    expect(s.payoff).to.equal(P);
    await networkHelpers.time.increaseTo(dueDates[1]);
    s = await lens.loanState(loanId);
    expect(s.pastDue).to.equal(payments[0] + payments[1]);
    expect(s.pastDueSince).to.equal(dueDates[0]);
    expect(s.nextDueAt).to.equal(dueDates[2]);
    expect(s.nextDueAmount).to.equal(payments[0] + payments[1] + payments[2]);
  });

  it("the lender redeems principal plus interest after the book is repaid", async () => {
    const d = await setup();
    const { ledger, lens, pool, token, borrower, lender } = d;
    await ledger.connect(borrower).draw(0, P);
    const loanId = await lens.loanIdOf(borrower.address, 1);
    const [dueDates, payments] = await d.quotes.loanSchedule(loanId);
    for (let k = 0; k < 3; k++) {
      await networkHelpers.time.setNextBlockTimestamp(dueDates[k]);
      await ledger.connect(borrower).repay(loanId, payments[k]);
    }
    const interest = payments.reduce((s: bigint, x: bigint) => s + x, 0n) - P;
    const before = await token.balanceOf(lender.address);
    await pool.connect(lender).redeem(await pool.maxRedeem(lender.address), lender.address, lender.address);
    const received = (await token.balanceOf(lender.address)) - before;
    // Everything but the liquidity reserve leaves instantly; the lender earned 85% of the interest.
    const kept = await ledger.cash();
    expect(received + kept).to.be.closeTo(500_000n * ONE + interest, 2n);
    expect(await pool.totalAssets()).to.be.closeTo(kept - (interest * 1_500n) / 10_000n, 3n);
  });
});

describe("credit ledger: refusals change nothing", () => {
  async function snapshot(d: Awaited<ReturnType<typeof setup>>) {
    return {
      cash: await d.ledger.cash(),
      line: await d.lens.lineOf(d.borrower.address),
      borrower: await d.token.balanceOf(d.borrower.address),
    };
  }

  it("over-limit draw: CreditLimitExceeded(requested, available)", async () => {
    const d = await setup();
    const before = await snapshot(d);
    await expect(d.ledger.connect(d.borrower).draw(2, 50_000n * ONE + 1n))
      .to.be.revertedWithCustomError(d.ledger, "CreditLimitExceeded")
      .withArgs(50_000n * ONE + 1n, 50_000n * ONE);
    expect(await snapshot(d)).to.deep.equal(before);
  });

  it("draw on a closed or frozen line: LineNotActive", async () => {
    const d = await setup();
    await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 50_000n * ONE, APR, ALL_PRODUCTS_MASK, 3);
    const before = await snapshot(d);
    await expect(d.ledger.connect(d.borrower).draw(2, ONE))
      .to.be.revertedWithCustomError(d.ledger, "LineNotActive")
      .withArgs(d.borrower.address, 3);
    await expect(d.ledger.connect(d.other).draw(2, ONE))
      .to.be.revertedWithCustomError(d.ledger, "LineNotActive")
      .withArgs(d.other.address, 0);
    expect(await snapshot(d)).to.deep.equal(before);
  });

  it("zero amounts: ZeroAmount on draw and repay", async () => {
    const d = await setup();
    await expect(d.ledger.connect(d.borrower).draw(2, 0)).to.be.revertedWithCustomError(
      d.ledger,
      "ZeroAmount",
    );
    await d.ledger.connect(d.borrower).draw(2, ONE * 100n);
    const loanId = await d.lens.loanIdOf(d.borrower.address, 1);
    await expect(d.ledger.connect(d.borrower).repay(loanId, 0)).to.be.revertedWithCustomError(d.ledger, "ZeroAmount");
  });

  it("product not on the line: ProductNotAllowed; disabled product: ProductNotEnabled", async () => {
    const d = await setup();
    await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 50_000n * ONE, APR, 1 << 2, 1);
    await expect(d.ledger.connect(d.borrower).draw(3, ONE))
      .to.be.revertedWithCustomError(d.ledger, "ProductNotAllowed")
      .withArgs(d.borrower.address, 3);
    await d.ledger.setProduct(2, 0, 12, 30, false);
    await expect(d.ledger.connect(d.borrower).draw(2, ONE))
      .to.be.revertedWithCustomError(d.ledger, "ProductNotEnabled")
      .withArgs(2);
  });

  it("wrong caller: only the underwriter opens lines, only the admin defines products", async () => {
    const d = await setup();
    await expect(d.ledger.connect(d.borrower).setLine(d.borrower.address, 1n, APR, 1, 1))
      .to.be.revertedWithCustomError(d.ledger, "AccessControlUnauthorizedAccount")
      .withArgs(d.borrower.address, d.ethers.id("UNDERWRITER_ROLE"));
    await expect(d.ledger.connect(d.underwriter).setProduct(9, 0, 3, 30, true)).to.be.revertedWithCustomError(
      d.ledger,
      "AccessControlUnauthorizedAccount",
    );
    await expect(d.ledger.connect(d.borrower).release(d.borrower.address, 1, true))
      .to.be.revertedWithCustomError(d.ledger, "NotPool")
      .withArgs(d.borrower.address);
  });

  it("APR above the 24% cap is refused when a line is set", async () => {
    const d = await setup();
    await expect(d.ledger.connect(d.underwriter).setLine(d.other.address, ONE, 2_401, 1, 1))
      .to.be.revertedWithCustomError(d.ledger, "AprAboveCap")
      .withArgs(2_401, 2_400);
  });

  it("over-payment is refused with the payoff; unknown and repaid loans are named", async () => {
    const d = await setup();
    await d.ledger.connect(d.borrower).draw(5, 1_000n * ONE);
    const loanId = await d.lens.loanIdOf(d.borrower.address, 1);
    const drawnAt = (await d.lens.loanRecord(loanId)).drawnAt;
    await networkHelpers.time.setNextBlockTimestamp(drawnAt + DAY);
    const payoff = 1_000n * ONE + accruedInterestUp(1_000n * ONE, APR, DAY);
    const before = await snapshot(d);
    await expect(d.ledger.connect(d.borrower).repay(loanId, payoff + 10n * ONE))
      .to.be.revertedWithCustomError(d.ledger, "RepaymentExceedsPayoff")
      .withArgs(payoff + 10n * ONE, payoff);
    expect(await snapshot(d)).to.deep.equal(before);
    await expect(d.ledger.repay(loanId + 1n, 1))
      .to.be.revertedWithCustomError(d.ledger, "LoanNotFound")
      .withArgs(loanId + 1n);
    await d.ledger.connect(d.borrower).repay(loanId, d.ethers.MaxUint256);
    await expect(d.ledger.connect(d.borrower).repay(loanId, 1))
      .to.be.revertedWithCustomError(d.ledger, "LoanAlreadyRepaid")
      .withArgs(loanId);
  });

  it("a draw beyond the pool's available cash: InsufficientLiquidity", async () => {
    const d = await setup();
    await d.ledger.connect(d.underwriter).setLine(d.other.address, 1_000_000n * ONE, APR, ALL_PRODUCTS_MASK, 1);
    const available = await d.ledger.availableLiquidity();
    await expect(d.ledger.connect(d.other).draw(2, available + 1n))
      .to.be.revertedWithCustomError(d.ledger, "InsufficientLiquidity")
      .withArgs(available + 1n, available);
  });

  it("pause stops draws but never repayment", async () => {
    const d = await setup();
    await d.ledger.connect(d.borrower).draw(5, 1_000n * ONE);
    const loanId = await d.lens.loanIdOf(d.borrower.address, 1);
    await d.ledger.pause();
    await expect(d.ledger.connect(d.borrower).draw(5, ONE)).to.be.revertedWithCustomError(
      d.ledger,
      "EnforcedPause",
    );
    await d.ledger.connect(d.borrower).repay(loanId, d.ethers.MaxUint256);
    expect((await d.lens.loanState(loanId)).status).to.equal(2n);
  });
});
