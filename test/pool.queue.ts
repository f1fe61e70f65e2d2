import { expect } from "chai";
import { network } from "hardhat";
import { deployMicrocredit, ALL_PRODUCTS_MASK, ONE } from "./helpers/fixture.ts";

const connection = await network.create();
const { networkHelpers } = connection;
const fixture = () => deployMicrocredit(connection);

describe("lender pool: instant exits, the redemption queue, donations", () => {
  async function lentOut() {
    const d = await networkHelpers.loadFixture(fixture);
    await d.pool.connect(d.lender).deposit(100_000n * ONE, d.lender.address);
    await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 200_000n * ONE, 1800, ALL_PRODUCTS_MASK, 1);
    // Lend out all but the 5% liquidity reserve.
    await d.ledger.connect(d.borrower).draw(5, await d.ledger.availableLiquidity());
    return d;
  }

  it("previews are honest: maxWithdraw is only the cash above the reserve; more reverts with the max", async () => {
    const d = await networkHelpers.loadFixture(fixture);
    await d.pool.connect(d.lender).deposit(100_000n * ONE, d.lender.address);
    expect(await d.pool.maxWithdraw(d.lender.address)).to.equal(95_000n * ONE);
    await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 200_000n * ONE, 1800, ALL_PRODUCTS_MASK, 1);
    await d.ledger.connect(d.borrower).draw(5, 60_000n * ONE);
    // cash 40,000; reserve 5% of (cash + principal) = 5,000
    expect(await d.pool.maxWithdraw(d.lender.address)).to.equal(35_000n * ONE);
    await expect(d.pool.connect(d.lender).withdraw(35_000n * ONE + 1n, d.lender.address, d.lender.address))
      .to.be.revertedWithCustomError(d.pool, "ERC4626ExceededMaxWithdraw")
      .withArgs(d.lender.address, 35_000n * ONE + 1n, 35_000n * ONE);
    const before = await d.token.balanceOf(d.lender.address);
    await d.pool.connect(d.lender).withdraw(35_000n * ONE, d.lender.address, d.lender.address);
    expect((await d.token.balanceOf(d.lender.address)) - before).to.equal(35_000n * ONE);
    expect(await d.ledger.cash()).to.equal(5_000n * ONE);
  });

  it("queues what cannot leave now, holds cash for the queue, and fills it FIFO as repayments arrive", async () => {
    const d = await lentOut();
    const { pool, ledger, lens, lender, other, borrower, token } = d;
    await pool.connect(other).deposit(1_000n * ONE, other.address); // a second lender behind the first
    const shares = await pool.balanceOf(lender.address);
    await pool.connect(lender).requestRedeem(shares);
    const otherShares = await pool.balanceOf(other.address);
    await pool.connect(other).requestRedeem(otherShares);
    expect(await pool.queuedShares()).to.equal(shares + otherShares);
    // The queue's value is held back: nothing is available for draws or instant exits.
    expect(await ledger.availableLiquidity()).to.equal(0n);
    await expect(ledger.connect(borrower).draw(5, ONE)).to.be.revertedWithCustomError(ledger, "InsufficientLiquidity");

    const loanId = await lens.loanIdOf(borrower.address, 1);
    await networkHelpers.time.increase(30 * 86_400);
    await ledger.connect(borrower).repay(loanId, d.ethers.MaxUint256);

    const owed = await pool.convertToAssets(shares);
    const before = await token.balanceOf(lender.address);
    await expect(pool.processRedemptions(0)).to.be.revertedWithCustomError(pool, "ZeroRequests");
    await pool.processRedemptions(10);
    // A fill is claimed (pull): the assets wait in the pool for their owner.
    expect(await token.balanceOf(lender.address)).to.equal(before);
    expect(await pool.claimable(lender.address)).to.equal(owed);
    await expect(pool.connect(borrower).claim(borrower.address)).to.be.revertedWithCustomError(pool, "NothingToClaim");
    await expect(pool.connect(lender).claim(lender.address))
      .to.emit(pool, "RedeemClaimed")
      .withArgs(lender.address, lender.address, owed);
    expect((await token.balanceOf(lender.address)) - before).to.equal(owed);
    expect(await pool.claimable(lender.address)).to.equal(0n);
    await expect(pool.connect(lender).claim(lender.address)).to.be.revertedWithCustomError(pool, "NothingToClaim");
    expect(await pool.balanceOf(lender.address)).to.equal(0n);
    expect(await pool.queuedShares()).to.equal(0n);
    expect(owed).to.be.greaterThan(100_000n * ONE, "the lender earned interest while queued");
  });

  it("fills partially with the cash there is and keeps the request at the head", async () => {
    const d = await lentOut();
    const { pool, ledger, lender } = d;
    const shares = await pool.balanceOf(lender.address);
    await pool.connect(lender).requestRedeem(shares);
    const cash = await ledger.cash();
    await pool.processRedemptions(1);
    const [head] = await pool.queueBounds();
    expect(head).to.equal(0n);
    const rest = await pool.redemptionRequest(0);
    expect(rest.owner).to.equal(lender.address);
    expect(rest.shares).to.be.greaterThan(0n);
    expect(await ledger.cash()).to.be.lessThanOrEqual(1n);
    expect(cash).to.be.greaterThan(0n);
  });

  it("cancel returns the unfilled shares; only the owner may cancel, once", async () => {
    const d = await lentOut();
    const { pool, lender, other } = d;
    const shares = await pool.balanceOf(lender.address);
    await pool.connect(lender).requestRedeem(shares);
    await expect(pool.connect(other).cancelRedeem(0))
      .to.be.revertedWithCustomError(pool, "NotRequestOwner")
      .withArgs(0, other.address);
    await pool.connect(lender).cancelRedeem(0);
    expect(await pool.balanceOf(lender.address)).to.equal(shares);
    expect(await pool.queuedShares()).to.equal(0n);
    await expect(pool.connect(lender).cancelRedeem(0)).to.be.revertedWithCustomError(pool, "NotRequestOwner");
    await expect(pool.connect(lender).requestRedeem(0)).to.be.revertedWithCustomError(pool, "ZeroShares");
  });

  it("redeemAvailable redeems what can leave at execution, never reverting because maxRedeem moved", async () => {
    const d = await lentOut();
    const { pool, lender, token, other } = d;
    await pool.connect(other).deposit(1_000n * ONE, other.address); // some cash above the reserve
    const shares = await pool.balanceOf(lender.address);
    const max = await pool.maxRedeem(lender.address);
    expect(max).to.be.lessThan(shares, "only the cash above the reserve can leave");
    const before = await token.balanceOf(lender.address);
    // Ask for everything: the call takes what can leave now, where redeem(shares) would revert.
    await expect(pool.connect(lender).redeem(shares, lender.address, lender.address)).to.be.revertedWithCustomError(
      pool,
      "ERC4626ExceededMaxRedeem",
    );
    // The call lands a block later than the view above: it redeems what can leave then, whatever maxRedeem said.
    await expect(pool.connect(lender).redeemAvailable(shares, lender.address)).to.emit(pool, "Withdraw");
    const redeemed = shares - (await pool.balanceOf(lender.address));
    const assets = (await token.balanceOf(lender.address)) - before;
    expect(redeemed).to.be.greaterThan(0n);
    expect(redeemed).to.be.lessThan(shares);
    expect(assets).to.be.closeTo(await pool.convertToAssets(redeemed), 1n);
    // What it took out lowered the 5% reserve by 5% of itself: at most that can leave now.
    expect(await pool.maxRedeem(lender.address)).to.be.lessThanOrEqual((redeemed * 6n) / 100n);
    const [none] = await pool.connect(lender).redeemAvailable.staticCall(0n, lender.address);
    expect(none).to.equal(0n);
  });

  it("a step gain is locked and unlocks linearly; a sync by anyone records it", async () => {
    const d = await lentOut();
    const { pool, ledger, lens } = d;
    await pool.sync();
    expect(await pool.lockedGains()).to.be.lessThanOrEqual(2n, "interest is not a step (a unit or two of rounding)");
    // A step: the loan falls 10 days late (a provision is booked), then is paid off with its penalty.
    const loanId = await lens.loanIdOf(d.borrower.address, 1);
    await networkHelpers.time.increase(30 * 86_400 + 10 * 86_400);
    await ledger.mark([loanId]);
    await pool.sync();
    const assets = await pool.totalAssets();
    await ledger.connect(d.borrower).repay(loanId, d.ethers.MaxUint256);
    const locked = await pool.lockedGains();
    expect(locked).to.be.greaterThan(0n, "the provision release and the penalty are a step");
    expect(await pool.totalAssets()).to.be.closeTo(assets, ONE, "the step is not in the price yet");
    await expect(pool.sync()).to.emit(pool, "GainLocked");
    const period = await pool.GAIN_UNLOCK_PERIOD();
    await networkHelpers.time.increase(period / 2n);
    expect(await pool.lockedGains()).to.be.closeTo(locked / 2n, locked / 100n);
    await networkHelpers.time.increase(period);
    expect(await pool.lockedGains()).to.equal(0n);
    expect(await pool.totalAssets()).to.be.greaterThan(assets + locked - ONE);
  });

  it("a donation to the ledger or the pool changes neither share price nor cash", async () => {
    const d = await networkHelpers.loadFixture(fixture);
    await d.pool.connect(d.lender).deposit(1_000n * ONE, d.lender.address);
    const price = await d.pool.convertToAssets(10n ** 18n);
    await d.token.connect(d.other).transfer(await d.ledger.getAddress(), 500_000n * ONE);
    await d.token.connect(d.other).transfer(await d.pool.getAddress(), 500_000n * ONE);
    expect(await d.pool.convertToAssets(10n ** 18n)).to.equal(price);
    expect(await d.ledger.cash()).to.equal(1_000n * ONE);
  });

  it("interest accrues into the share price every second, net of the 5% fee and 10% first-loss cut", async () => {
    const d = await lentOut();
    // The pool last synced at the deposit, before the loan's rate existed; after a sync the rate counts in full.
    await d.pool.sync();
    const before = await d.pool.totalAssets();
    const rate = await d.lens.rateSum(); // asset units × 1/INTEREST_SCALE per second
    await networkHelpers.time.increase(86_400);
    const gross = (rate * 86_400n) / 311_040_000_000n;
    const after = await d.pool.totalAssets();
    // Within one second of interest: the sync added a block.
    expect(after - before).to.be.closeTo((gross * 8_500n) / 10_000n, (rate * 8_500n) / 10_000n / 311_040_000_000n + 2n);
    // Fees and reserve count from the draw: the sync's block adds a second of them.
    const second = rate / 311_040_000_000n + 1n;
    expect(await d.lens.protocolFeesOwed()).to.be.closeTo((gross * 500n) / 10_000n, second);
    expect(await d.lens.firstLossReserve()).to.be.closeTo((gross * 1_000n) / 10_000n, second);
  });

  it("the admin claims accrued fees without moving the lenders' assets", async () => {
    const d = await lentOut();
    const loanId = await d.lens.loanIdOf(d.borrower.address, 1);
    await networkHelpers.time.increase(30 * 86_400);
    await d.ledger.connect(d.borrower).repay(loanId, d.ethers.MaxUint256);
    const fees = await d.lens.protocolFeesOwed();
    const assets = await d.pool.totalAssets();
    await expect(d.ledger.connect(d.admin).claimFees(d.admin.address, fees + 1n))
      .to.be.revertedWithCustomError(d.ledger, "FeesExceeded")
      .withArgs(fees + 1n, fees);
    await d.ledger.connect(d.admin).claimFees(d.admin.address, fees);
    expect(await d.lens.protocolFeesOwed()).to.equal(0n);
    expect(await d.pool.totalAssets()).to.equal(assets);
  });
});
