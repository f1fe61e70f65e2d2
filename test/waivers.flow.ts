import { expect } from "chai";
import { network } from "hardhat";
import { id } from "ethers";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { deployMicrocredit, ALL_PRODUCTS_MASK, ONE, DAY } from "./helpers/fixture.ts";
import { WAIVER_REASONS, reasonName, waivePenalty } from "../src/sdk/waivers.ts";
import { decodeError } from "../src/sdk/errors.ts";

// Penalty waivers (ICostDisclosure.waivePenalty, PRODUCT.md C9 "waivers are explicit and logged"): only the servicer,
// only with a reason code, only penalty actually owed, and what the borrower owes falls by exactly the waiver while
// the lenders' book does not move.
const connection = await network.create();
const { networkHelpers, ethers } = connection;

const P = 10_000n * ONE;

async function lateLoan() {
  const d = await deployMicrocredit(connection);
  await d.pool.connect(d.lender).deposit(500_000n * ONE, d.lender.address);
  await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 50_000n * ONE, 1_800, ALL_PRODUCTS_MASK, 1);
  await d.ledger.connect(d.borrower).draw(2, P);
  const loanId = await d.lens.loanIdOf(d.borrower.address, 1);
  const [dueDates] = await d.quotes.loanSchedule(loanId);
  await d.ledger.grantRole(id("SERVICER_ROLE"), d.other.address);
  return { ...d, loanId, dueDates, servicer: d.ledger.connect(d.other) };
}
const fixture = () => networkHelpers.loadFixture(lateLoan);

describe("penalty waivers", () => {
  it("reduce what the borrower owes by exactly the waiver, logged with the reason", async () => {
    const t = (await fixture()).dueDates[0] + 20n * DAY;

    // Without a waiver: the borrower pays off at t + 1.
    let d = await fixture();
    await networkHelpers.time.setNextBlockTimestamp(t);
    await d.ledger.mark([d.loanId]); // the same roll and classification a waiver does, so both books match
    await networkHelpers.time.setNextBlockTimestamp(t + 1n);
    const before = await d.token.balanceOf(d.borrower.address);
    await d.ledger.connect(d.borrower).repay(d.loanId, ethers.MaxUint256);
    const paidWithout = before - (await d.token.balanceOf(d.borrower.address));
    const split = async () => [await d.lens.lenderAssets(), await d.lens.protocolFeesOwed(), await d.lens.firstLossReserve()];
    const [lenderWithout, feesWithout, reserveWithout] = await split();

    // With a waiver of 1.234567 at t: the payoff at t + 1 is exactly that much lower.
    d = await fixture();
    const waiver = 1_234_567n;
    await networkHelpers.time.setNextBlockTimestamp(t);
    await expect(d.servicer.waivePenalty(d.loanId, waiver, WAIVER_REASONS.HARDSHIP))
      .to.emit(d.ledger, "PenaltyWaived")
      .withArgs(d.loanId, waiver, WAIVER_REASONS.HARDSHIP, d.other.address);
    await networkHelpers.time.setNextBlockTimestamp(t + 1n);
    const before2 = await d.token.balanceOf(d.borrower.address);
    await d.ledger.connect(d.borrower).repay(d.loanId, ethers.MaxUint256);
    const paidWith = before2 - (await d.token.balanceOf(d.borrower.address));
    expect(paidWithout - paidWith).to.equal(waiver);
    // The penalty is income only when paid: lenders, the protocol fee and the first-loss reserve each receive their
    // share of it less, and together exactly the waiver (to a unit of rounding in the split), nothing more.
    const [lenderWith, feesWith, reserveWith] = await split();
    const forgone = lenderWithout - lenderWith + (feesWithout - feesWith) + (reserveWithout - reserveWith);
    expect(forgone).to.be.within(waiver - 2n, waiver);
    expect(lenderWithout - lenderWith).to.be.within((waiver * 85n) / 100n - 2n, (waiver * 85n) / 100n + 2n);
    expect(reasonName(WAIVER_REASONS.HARDSHIP)).to.equal("HARDSHIP");
  });

  it("waive all of it (max) from the SDK: the penalty owed is then zero and the book matches a mark", async () => {
    const t = (await fixture()).dueDates[0] + 15n * DAY;
    let d = await fixture();
    await networkHelpers.time.setNextBlockTimestamp(t);
    await d.ledger.mark([d.loanId]);
    const lenderAfterMark = await d.lens.lenderAssets();
    const bucketAfterMark = (await d.lens.loanState(d.loanId)).markedBucket;

    d = await fixture();
    await networkHelpers.time.setNextBlockTimestamp(t);
    const waived = await waivePenalty(await d.ledger.getAddress(), d.other, d.loanId, "all", "SERVICE_ERROR");
    expect(waived).to.be.above(0n);
    const state = await d.lens.loanState(d.loanId);
    expect(state.penalty).to.equal(0n);
    expect(state.markedBucket).to.equal(bucketAfterMark);
    expect(await d.lens.lenderAssets()).to.equal(lenderAfterMark);
    // A second waiver a second later finds only that second's penalty (well under 0.01) to waive.
    await expect(d.servicer.waivePenalty(d.loanId, 10_000n, WAIVER_REASONS.GOODWILL))
      .to.be.revertedWithCustomError(d.ledger, "WaiverExceedsPenalty")
      .withArgs(10_000n, anyValue);
  });

  it("are refused: more than owed, inside grace, without a reason, by anyone else, on a closed or defaulting loan", async () => {
    const d = await fixture();
    await networkHelpers.time.setNextBlockTimestamp(d.dueDates[0] + 2n * DAY);
    await networkHelpers.mine();
    expect((await d.lens.loanState(d.loanId)).pastDue).to.be.above(0n); // late, but inside grace
    await expect(d.servicer.waivePenalty(d.loanId, 1n, WAIVER_REASONS.HARDSHIP))
      .to.be.revertedWithCustomError(d.ledger, "WaiverExceedsPenalty")
      .withArgs(1n, 0n);
    await networkHelpers.time.setNextBlockTimestamp(d.dueDates[0] + 10n * DAY);
    await expect(d.servicer.waivePenalty(d.loanId, 10n ** 30n, WAIVER_REASONS.HARDSHIP))
      .to.be.revertedWithCustomError(d.ledger, "WaiverExceedsPenalty")
      .withArgs(10n ** 30n, anyValue);
    await expect(d.servicer.waivePenalty(d.loanId, 0n, WAIVER_REASONS.HARDSHIP)).to.be.revertedWithCustomError(
      d.ledger,
      "WaiverExceedsPenalty",
    );
    const error = await d.servicer.waivePenalty(d.loanId, 1n, ethers.ZeroHash).catch((e: unknown) => e);
    expect(decodeError(error)?.errorName).to.equal("WaiverReasonMissing");
    await expect(d.ledger.connect(d.borrower).waivePenalty(d.loanId, 1n, WAIVER_REASONS.HARDSHIP))
      .to.be.revertedWithCustomError(d.ledger, "AccessControlUnauthorizedAccount")
      .withArgs(d.borrower.address, id("SERVICER_ROLE"));
    await expect(d.servicer.waivePenalty(d.loanId + 1n, 1n, WAIVER_REASONS.HARDSHIP))
      .to.be.revertedWithCustomError(d.ledger, "LoanNotFound")
      .withArgs(d.loanId + 1n);

    await networkHelpers.time.setNextBlockTimestamp(d.dueDates[0] + 91n * DAY);
    await expect(d.servicer.waivePenalty(d.loanId, 1n, WAIVER_REASONS.HARDSHIP))
      .to.be.revertedWithCustomError(d.ledger, "WriteOffDue")
      .withArgs(d.loanId);

    await d.ledger.mark([d.loanId]); // written off
    await expect(d.servicer.waivePenalty(d.loanId, 1n, WAIVER_REASONS.HARDSHIP))
      .to.be.revertedWithCustomError(d.ledger, "WriteOffDue")
      .withArgs(d.loanId);

    const e = await lateLoan();
    await e.ledger.connect(e.borrower).repay(e.loanId, ethers.MaxUint256);
    await expect(e.servicer.waivePenalty(e.loanId, 1n, WAIVER_REASONS.HARDSHIP))
      .to.be.revertedWithCustomError(e.ledger, "LoanAlreadyRepaid")
      .withArgs(e.loanId);
  });

  it("on a loan already marked late: the arrears record restarts from the waiver, exactly as from a mark", async () => {
    const base = (await fixture()).dueDates[0];
    const [t1, t2, t3] = [base + 10n * DAY, base + 25n * DAY, base + 40n * DAY];
    const run = async (atT2: (d: Awaited<ReturnType<typeof lateLoan>>) => Promise<unknown>) => {
      const d = await fixture();
      await networkHelpers.time.setNextBlockTimestamp(t1);
      await d.ledger.mark([d.loanId]);
      await networkHelpers.time.setNextBlockTimestamp(t2);
      await atT2(d);
      await networkHelpers.time.setNextBlockTimestamp(t3);
      const before = await d.token.balanceOf(d.borrower.address);
      await d.ledger.connect(d.borrower).repay(d.loanId, ethers.MaxUint256);
      return before - (await d.token.balanceOf(d.borrower.address));
    };
    const waiver = 2_000_000n;
    const withMark = await run((d) => d.ledger.mark([d.loanId]));
    const withWaiver = await run((d) => d.servicer.waivePenalty(d.loanId, waiver, WAIVER_REASONS.DISPUTE));
    expect(withMark - withWaiver).to.equal(waiver);
  });
});
