import { expect } from "chai";
import { network } from "hardhat";
import { Wallet } from "ethers";
import { deployMicrocredit, ALL_PRODUCTS_MASK, ONE, DAY, type Deployment } from "./helpers/fixture.ts";
import { provisionBase, provisionUp } from "../src/core/index.ts";

const connection = await network.create();
const { networkHelpers, ethers } = connection;
const fixture = () => deployMicrocredit(connection);

const APR = 1800n;
const P = 10_000n * ONE;
const SCALE = 311_040_000_000n; // 10,000 bps × 360 days × 86,400 s
const divUp = (a: bigint, b: bigint) => (a === 0n ? 0n : (a - 1n) / b + 1n);

async function withLoan() {
  const d = await networkHelpers.loadFixture(fixture);
  await d.pool.connect(d.lender).deposit(500_000n * ONE, d.lender.address);
  await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 50_000n * ONE, APR, ALL_PRODUCTS_MASK, 1);
  await d.ledger.connect(d.borrower).draw(2, P);
  await d.ledger.connect(d.borrower).setMandate(0);
  const loanId = await d.lens.loanIdOf(d.borrower.address, 1);
  const [dueDates, payments] = await d.quotes.loanSchedule(loanId);
  return { ...d, loanId, dueDates, payments };
}

describe("automatic collection", () => {
  it("collects a 12-instalment plan on every due date, exactly the plan, and never twice", async () => {
    const d = await withLoan();
    for (let k = 0; k < 12; k++) {
      await networkHelpers.time.setNextBlockTimestamp(d.dueDates[k]);
      const before = await d.token.balanceOf(d.borrower.address);
      await expect(d.ledger.connect(d.other).collect([d.loanId]))
        .to.emit(d.ledger, "Collected")
        .withArgs(d.loanId, d.borrower.address, d.payments[k]);
      expect(before - (await d.token.balanceOf(d.borrower.address))).to.equal(d.payments[k]);
      await expect(d.ledger.connect(d.other).collect([d.loanId])).to.not.emit(d.ledger, "Collected");
    }
    expect((await d.lens.loanState(d.loanId)).status).to.equal(2n);
  });

  it("a payment inside grace is on time: no penalty, bucket stays current", async () => {
    const d = await withLoan();
    await networkHelpers.time.setNextBlockTimestamp(d.dueDates[0] + 2n * DAY);
    await expect(d.ledger.collect([d.loanId]))
      .to.emit(d.ledger, "Collected")
      .withArgs(d.loanId, d.borrower.address, d.payments[0])
      .and.to.not.emit(d.ledger, "PenaltyCharged");
    const s = await d.lens.loanState(d.loanId);
    expect(s.pastDue).to.equal(0n);
    expect(s.bucket).to.equal(0n);
  });

  it("a payment 10 days late pays penalty = ceil(overdue × APR × 1.5 × 10 days) to the unit", async () => {
    const d = await withLoan();
    const late = 10n * DAY;
    const penalty = divUp(d.payments[0] * late * APR * 15_000n, SCALE * 10_000n);
    expect(penalty).to.equal(6_876000n, "916.799930 × 18% × 1.5 × 10/360 = 6.875999…, rounded up");
    await networkHelpers.time.setNextBlockTimestamp(d.dueDates[0] + late);
    await expect(d.ledger.collect([d.loanId]))
      .to.emit(d.ledger, "PenaltyCharged")
      .withArgs(d.loanId, penalty)
      .and.to.emit(d.ledger, "Collected")
      .withArgs(d.loanId, d.borrower.address, d.payments[0] + penalty);
    expect((await d.lens.loanState(d.loanId)).pastDue).to.equal(0n);
  });

  it("a batch of 100: 10 without balance and 5 with revoked mandates are skipped with reasons; nothing reverts", async () => {
    const d = await networkHelpers.loadFixture(fixture);
    await d.pool.connect(d.lender).deposit(500_000n * ONE, d.lender.address);
    const loanIds: bigint[] = [];
    const wallets: Wallet[] = [];
    for (let i = 0; i < 100; i++) {
      const w = new Wallet(Wallet.createRandom().privateKey, ethers.provider);
      wallets.push(w);
      await d.admin.sendTransaction({ to: w.address, value: 10n ** 18n });
      await d.ledger.connect(d.underwriter).setLine(w.address, 1_000n * ONE, APR, ALL_PRODUCTS_MASK, 1);
      await d.ledger.connect(w).draw(0, 300n * ONE);
      await d.token.connect(w).approve(await d.ledger.getAddress(), ethers.MaxUint256);
      await d.ledger.connect(w).setMandate(0);
      loanIds.push(await d.lens.loanIdOf(w.address, 1));
    }
    for (let i = 0; i < 10; i++) await d.token.connect(wallets[i]).transfer(d.other.address, 300n * ONE);
    for (let i = 10; i < 15; i++) await d.ledger.connect(wallets[i]).revokeMandate();
    // Every loan's first instalment is due by the last loan's first due date (they were drawn seconds apart).
    const [dueDates, payments] = await d.quotes.loanSchedule(loanIds[99]);
    await networkHelpers.time.setNextBlockTimestamp(dueDates[0]);
    const tx = await d.ledger.collect(loanIds);
    const receipt = await tx.wait();
    const parsed = receipt!.logs
      .map((l) => {
        try {
          return d.ledger.interface.parseLog(l);
        } catch {
          return null;
        }
      })
      .filter((x) => x !== null);
    const collected = parsed.filter((e) => e!.name === "Collected");
    const failed = parsed.filter((e) => e!.name === "CollectionFailed");
    expect(collected.length).to.equal(85);
    expect(failed.length).to.equal(15);
    expect(failed.filter((e) => e!.args.reason === 3n).length).to.equal(10, "no balance");
    expect(failed.filter((e) => e!.args.reason === 2n).length).to.equal(5, "no mandate");
    expect(collected.every((e) => e!.args.amount === payments[0])).to.equal(true);
    console.log(`      collect(100): ${receipt!.gasUsed} gas, ${receipt!.gasUsed / 100n} per loan`);
    const again = await (await d.ledger.collect(loanIds)).wait();
    const againCollected = again!.logs.filter((l) => {
      try {
        return d.ledger.interface.parseLog(l)?.name === "Collected";
      } catch {
        return false;
      }
    });
    expect(againCollected.length).to.equal(0);
  });
});

/** The provision the ledger books for `loanId` at a mark mined in `blockNumber` (product without a fee). */
async function provisionAtMark(d: Deployment, loanId: bigint, blockNumber: number): Promise<bigint> {
  const s = await d.lens.loanState(loanId, { blockTag: blockNumber });
  const risk = await d.lens.riskParams();
  const [protocolFeeBps] = await d.lens.rates();
  const now = BigInt((await d.ethers.provider.getBlock(blockNumber))!.timestamp);
  const base = provisionBase(s.principalOutstanding, s.interestAccrued, 0n, protocolFeeBps);
  return provisionUp(base, now - s.pastDueSince, risk);
}

describe("delinquency, default and recovery", () => {
  it("a borrower who stops paying walks through every bucket to default on the right day", async () => {
    const d = await withLoan();
    await d.ledger.connect(d.borrower).revokeMandate();
    const t1 = d.dueDates[0];
    const steps: [bigint, bigint, bigint, bigint][] = [
      // [time after the first due date, expected bucket, provision rates of the principal and of the interest in
      // bps (rounded down)]
      [1n * DAY, 1n, 333n, 333n], // a third of the way from 0 at the due date to 10% at the end of grace
      [4n * DAY, 2n, 1_074n, 1_333n], // 10% + 1/27 of the way to 30% (to 100% for the interest)
      [31n * DAY, 3n, 3_100n, 10_000n], // 30% + 1/30 of the way to 60%; all of the interest (non-accrual)
      [61n * DAY, 4n, 6_133n, 10_000n], // 60% + 1/30 of the way to 100%
    ];
    for (const [after, bucket, bps, interestBps] of steps) {
      await networkHelpers.time.setNextBlockTimestamp(t1 + after);
      const receipt = await (await d.ledger.mark([d.loanId])).wait();
      const s = await d.lens.loanState(d.loanId);
      expect(s.bucket).to.equal(bucket, `bucket at +${after / DAY} days`);
      const provision = await provisionAtMark(d, d.loanId, receipt!.blockNumber);
      expect(await d.lens.provisions()).to.equal(provision);
      // Of what a write-off would cost: principal and interest, less the 5% protocol fee on the interest.
      const interestPart = s.interestAccrued - (s.interestAccrued * 500n) / 10_000n;
      const about = (s.principalOutstanding * bps + interestPart * interestBps) / 10_000n;
      expect(provision).to.be.closeTo(about, s.principalOutstanding / 1_000n, `about ${bps} / ${interestBps} bps`);
      expect((await d.lens.lineOf(d.borrower.address)).lateLoans).to.equal(bucket >= 2n ? 1n : 0n);
    }
    await expect(d.ledger.connect(d.borrower).draw(0, ONE)).to.be.revertedWithCustomError(
      d.ledger,
      "LineFrozenByArrears",
    );
    // Day 90 after the due date is still M3; day 90 + 1 second defaults.
    await networkHelpers.time.setNextBlockTimestamp(t1 + 90n * DAY);
    await d.ledger.mark([d.loanId]);
    expect((await d.lens.loanState(d.loanId)).markedBucket).to.equal(4n);
    const reserve = await d.lens.firstLossReserve();
    await networkHelpers.time.setNextBlockTimestamp(t1 + 90n * DAY + 1n);
    const tx = await d.ledger.mark([d.loanId]);
    const receipt = await tx.wait();
    const event = receipt!.logs
      .map((l) => d.ledger.interface.parseLog(l))
      .find((e) => e?.name === "LoanDefaulted")!;
    const [, loss, absorbed, lenderLoss] = event.args as unknown as [bigint, bigint, bigint, bigint];
    expect(loss).to.be.greaterThan(P);
    // The fee (5%) and first-loss cut (10%) of the unpaid interest are taken back: never earned.
    const interest = loss - P;
    const feeBack = (interest * 500n) / 10_000n;
    const reserveBack = (interest * 1_000n) / 10_000n;
    // The reserve (read one second earlier, less its cut of the interest) absorbs first.
    expect(absorbed).to.be.closeTo(reserve - reserveBack, 10n, "the reserve absorbs first");
    expect(lenderLoss).to.equal(loss - absorbed - feeBack - reserveBack);
    expect(await d.lens.firstLossReserve()).to.be.lessThanOrEqual(1n);
    expect(await d.lens.provisions()).to.equal(0n);
    expect(await d.lens.principalOutstanding()).to.equal(0n);
    expect((await d.lens.loanState(d.loanId)).status).to.equal(3n);

    // A recovery flows back to lenders first.
    const assetsBefore = await d.pool.totalAssets();
    await expect(d.ledger.connect(d.borrower).repay(d.loanId, 1_000n * ONE))
      .to.emit(d.ledger, "Recovered")
      .withArgs(d.loanId, 1_000n * ONE, 1_000n * ONE, 0n);
    expect(await d.pool.totalAssets()).to.be.closeTo(assetsBefore + 1_000n * ONE, 2n);
  });

  it("every move of a late loan's provision has an event: BucketChanged across buckets, ProvisionChanged within one", async () => {
    const d = await withLoan();
    await d.ledger.connect(d.borrower).revokeMandate();
    const t1 = d.dueDates[0];
    // Into M1: the bucket moves, so BucketChanged carries the provision and ProvisionChanged is not emitted.
    await networkHelpers.time.setNextBlockTimestamp(t1 + 4n * DAY);
    const into = d.ledger.mark([d.loanId]);
    await expect(into).to.not.emit(d.ledger, "ProvisionChanged");
    const first = await d.lens.provisions();
    expect(first > 0n).to.equal(true);
    await expect(into).to.emit(d.ledger, "BucketChanged").withArgs(d.loanId, 0n, 2n, first); // Current → M1
    // A day later, same bucket: ProvisionChanged with the new provision, the one the book now holds.
    await networkHelpers.time.setNextBlockTimestamp(t1 + 5n * DAY);
    const tx = d.ledger.mark([d.loanId]);
    await expect(tx).to.not.emit(d.ledger, "BucketChanged");
    const receipt = await (await tx).wait();
    const second = await d.lens.provisions();
    expect(second > first).to.equal(true, "a day older, a larger provision");
    expect(second).to.equal(await provisionAtMark(d, d.loanId, receipt!.blockNumber));
    await expect(tx).to.emit(d.ledger, "ProvisionChanged").withArgs(d.loanId, second);
    // A second mark in the same block moves nothing and says nothing.
    await connection.provider.request({ method: "evm_setAutomine", params: [false] });
    try {
      const a = await d.ledger.mark([d.loanId]);
      const b = await d.ledger.mark([d.loanId]);
      await networkHelpers.mine();
      const [ra, rb] = [await a.wait(), await b.wait()];
      expect(ra!.blockNumber).to.equal(rb!.blockNumber);
      const names = rb!.logs.map((l) => d.ledger.interface.parseLog(l)?.name);
      expect(names).to.not.include("ProvisionChanged");
      expect(names).to.not.include("BucketChanged");
    } finally {
      await connection.provider.request({ method: "evm_setAutomine", params: [true] });
    }
    // A part payment a minute later that leaves the loan in M1: the provision falls with the interest it paid, with
    // the event.
    await networkHelpers.time.setNextBlockTimestamp(t1 + 5n * DAY + 60n);
    const pay = d.ledger.connect(d.borrower).repay(d.loanId, 100n * ONE);
    await expect(pay).to.not.emit(d.ledger, "BucketChanged");
    const third = await d.lens.provisions();
    expect(third < second).to.equal(true, "a payment lowers the provision");
    await expect(pay).to.emit(d.ledger, "ProvisionChanged").withArgs(d.loanId, third);
  });

  it("pool value steps down by exactly each new provision above the reserve (interest-first loan: no accrual true-up at a mark)", async () => {
    const d = await networkHelpers.loadFixture(fixture);
    await d.pool.connect(d.lender).deposit(500_000n * ONE, d.lender.address);
    await d.ledger
      .connect(d.underwriter)
      .setLine(d.borrower.address, 50_000n * ONE, APR, ALL_PRODUCTS_MASK, 1);
    await d.ledger.connect(d.borrower).draw(4, P); // interest first: the accruing balance never changes
    const loanId = await d.lens.loanIdOf(d.borrower.address, 1);
    const [dueDates] = await d.quotes.loanSchedule(loanId);
    for (const days of [4n, 31n, 61n]) {
      const t = dueDates[0] + days * DAY;
      // The pool's value at second t without the mark (in a snapshot), then with it.
      const snapshot = await networkHelpers.takeSnapshot();
      await networkHelpers.time.setNextBlockTimestamp(t);
      await networkHelpers.mine();
      const without = await d.pool.totalAssets();
      await snapshot.restore();
      const provisionBefore = await d.lens.provisions();
      await networkHelpers.time.setNextBlockTimestamp(t);
      const receipt = await (await d.ledger.mark([loanId])).wait();
      const provisionAfter = await d.lens.provisions();
      expect(provisionAfter).to.equal(await provisionAtMark(d, loanId, receipt!.blockNumber));
      // Provisions are charged to the first-loss reserve first: the lenders bear what exceeds it.
      const reserve = await d.lens.firstLossReserve();
      const max = (a: bigint, b: bigint) => (a > b ? a : b);
      const step = max(reserve, provisionAfter) - max(reserve, provisionBefore);
      expect(step > 0n).to.equal(true);
      // Exactly that; the loan's own true-up at the mark is below one unit (interest rounded up).
      expect(without - (await d.pool.totalAssets()) - step).to.be.oneOf([0n, -1n]);
    }
  });

  it("a part payment inside grace leaves the rest late: penalty on the whole instalment from the due date", async () => {
    const d = await withLoan();
    const half = d.payments[0] / 2n;
    const t1 = d.dueDates[0] + 2n * DAY;
    await networkHelpers.time.setNextBlockTimestamp(t1);
    await d.ledger.connect(d.borrower).repay(d.loanId, half);
    const t2 = d.dueDates[0] + 10n * DAY;
    await networkHelpers.time.setNextBlockTimestamp(t2);
    await networkHelpers.mine();
    const rest = d.payments[0] - half;
    // Latent penalty on the whole instalment for 2 days (booked at the part payment), then on the rest for 8.
    const expected =
      divUp(d.payments[0] * 2n * DAY * APR * 15_000n, SCALE * 10_000n) +
      divUp(rest * 8n * DAY * APR * 15_000n, SCALE * 10_000n);
    const s = await d.lens.loanState(d.loanId);
    expect(s.penalty).to.equal(expected);
    expect(s.pastDue).to.equal(rest);
    expect(s.daysPastDue).to.equal(10n);
  });

  it("a cure reverses the provision and unfreezes the line", async () => {
    const d = await withLoan();
    await networkHelpers.time.setNextBlockTimestamp(d.dueDates[0] + 10n * DAY);
    await d.ledger.mark([d.loanId]);
    expect(await d.lens.provisions()).to.be.greaterThan(0n);
    expect((await d.lens.lineOf(d.borrower.address)).available).to.equal(0n);
    // What is due grows by a second of penalty before the transaction lands: pay a unit of margin, which goes to
    // the current period's interest.
    await d.ledger.connect(d.borrower).repay(d.loanId, (await d.lens.dueNow(d.loanId)) + ONE);
    const s = await d.lens.loanState(d.loanId);
    expect(s.bucket).to.equal(0n);
    expect(await d.lens.provisions()).to.equal(0n);
    expect((await d.lens.lineOf(d.borrower.address)).lateLoans).to.equal(0n);
    await d.ledger.connect(d.borrower).draw(0, ONE);
  });

  it("pause never blocks collection or marking", async () => {
    const d = await withLoan();
    await d.ledger.pause();
    await networkHelpers.time.setNextBlockTimestamp(d.dueDates[0]);
    await expect(d.ledger.collect([d.loanId]))
      .to.emit(d.ledger, "Collected")
      .withArgs(d.loanId, d.borrower.address, d.payments[0]);
    await d.ledger.mark([d.loanId]);
  });
});
