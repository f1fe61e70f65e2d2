import { expect } from "chai";
import { network } from "hardhat";
import { id } from "ethers";
import {
  deployMicrocredit,
  ALL_PRODUCTS_MASK,
  FEE_PRODUCTS,
  FEE_PRODUCTS_MASK,
  ONE,
  LOCAL_LIMITS,
} from "./helpers/fixture.ts";
import { Method } from "../src/core/schedule.ts";
import { boundsOf, disclose, quote, type Terms } from "../src/sdk/disclosure.ts";
import { decodeError } from "../src/sdk/errors.ts";

// Cost disclosure and the APR cap (ICostDisclosure, PRODUCT.md C9): the APR including fees computed on chain equals
// the SDK's to the unit and an independent IRR to 0.01 percentage point; the draw emits what the quote showed; a fee
// is deducted from what the recipient receives and paid to the protocol without moving the lenders' assets; and no
// product, line or draw above the cap gets through.
const connection = await network.create();
const { networkHelpers } = connection;

const FEE_PRODUCT = FEE_PRODUCTS[0];

async function base() {
  const d = await deployMicrocredit(connection);
  await d.pool.connect(d.lender).deposit(500_000n * ONE, d.lender.address);
  return d;
}
const fixture = () => networkHelpers.loadFixture(base);

/**
 * An independent IRR: bisection in floating point on Σ payment_k / (1+r)^k = net, no code shared with the contract or
 * the SDK. Returns the APR in basis points (r × 360 / periodDays × 10,000), unrounded.
 */
function independentAprBps(net: bigint, payments: readonly bigint[], periodDays: bigint): number {
  const pv = (r: number) => payments.reduce((s, p, k) => s + Number(p) / (1 + r) ** (k + 1), 0);
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (pv(mid) > Number(net)) lo = mid;
    else hi = mid;
  }
  return ((lo + hi) / 2) * (360 / Number(periodDays)) * 10_000;
}

// Five product shapes (and a sixth: a fee on an interest-free plan), each with an origination fee.
const SHAPES: (Terms & { name: string })[] = [
  { name: "3 × 30 d equal instalments, 18 %, 1 % fee", method: Method.EqualInstalment, instalments: 3, periodDays: 30, aprBps: 1_800, feeBps: 100, amount: 1_000n * ONE },
  { name: "12 × 30 d equal instalments, 12 %, 3 % fee", method: Method.EqualInstalment, instalments: 12, periodDays: 30, aprBps: 1_200, feeBps: 300, amount: 25_000n * ONE },
  { name: "12 × 30 d equal principal, 9 %, 2 % fee", method: Method.EqualPrincipal, instalments: 12, periodDays: 30, aprBps: 900, feeBps: 200, amount: 7_777n * ONE + 77n },
  { name: "6 × 30 d interest first, 10 %, 1.5 % fee", method: Method.InterestFirst, instalments: 6, periodDays: 30, aprBps: 1_000, feeBps: 150, amount: 50_000n * ONE },
  { name: "bullet 2 × 30 d, 6 %, 0.5 % fee", method: Method.Bullet, instalments: 2, periodDays: 30, aprBps: 600, feeBps: 50, amount: 300n * ONE },
  { name: "6 × 30 d equal instalments, 0 %, 4.5 % fee", method: Method.EqualInstalment, instalments: 6, periodDays: 30, aprBps: 0, feeBps: 450, amount: 12_000n * ONE },
];

describe("cost disclosure: APR including fees", () => {
  for (const shape of SHAPES) {
    it(`${shape.name}: chain = SDK exactly, and within 0.01 pp of an independent IRR`, async () => {
      const d = await fixture();
      const chain = await d.quotes.quoteTerms(shape.method, shape.instalments, shape.periodDays, shape.aprBps, shape.feeBps, shape.amount);
      const sdk = disclose(shape);
      expect(chain.aprBps).to.equal(sdk.aprBps);
      expect(chain.totalFees).to.equal(sdk.totalFees);
      expect(chain.netDisbursed).to.equal(sdk.netDisbursed);
      expect(chain.totalInterest).to.equal(sdk.totalInterest);
      expect(chain.totalRepayable).to.equal(sdk.totalRepayable);
      expect(chain.periodDays).to.equal(sdk.periodDays);
      expect([...chain.payments]).to.deep.equal(sdk.payments);
      expect(sdk.totalFees).to.equal((shape.amount * BigInt(shape.feeBps)) / 10_000n);
      expect(sdk.totalRepayable).to.equal(shape.amount + sdk.totalInterest);

      const independent = independentAprBps(sdk.netDisbursed, sdk.payments, sdk.periodDays);
      // Rounded up to the basis point: never below the true APR, at most 0.01 pp above it.
      expect(Number(chain.aprBps)).to.be.at.least(independent - 1e-6);
      expect(Number(chain.aprBps) - independent).to.be.below(1);
      // The fee costs something: the APR is above the contract rate.
      expect(chain.aprBps).to.be.above(BigInt(shape.aprBps));
    });
  }

  it("with no fee the APR is the contract APR, and the plan's totals are the ledger's plan", async () => {
    const d = await fixture();
    const chain = await d.quotes.quoteTerms(Method.EqualInstalment, 12, 30, 1_800, 0, 10_000n * ONE);
    expect(chain.aprBps).to.equal(1_800n);
    expect(chain.totalFees).to.equal(0n);
    expect(chain.netDisbursed).to.equal(10_000n * ONE);
    const [payments] = await d.quotes.previewSchedule(Method.EqualInstalment, 10_000n * ONE, 1_800, 12, 30);
    expect([...chain.payments]).to.deep.equal([...payments]);
    const independent = independentAprBps(10_000n * ONE, [...payments], 30n);
    expect(Math.abs(independent - 1_800)).to.be.below(0.01);
    // A plan needs instalments and a period.
    await expect(d.quotes.previewSchedule(Method.EqualInstalment, ONE, 1_800, 0, 30))
      .to.be.revertedWithCustomError(d.quotes, "InvalidProduct")
      .withArgs(Method.EqualInstalment, 0, 30);
    await expect(d.quotes.previewSchedule(Method.Bullet, ONE, 1_800, 1, 0))
      .to.be.revertedWithCustomError(d.quotes, "InvalidProduct")
      .withArgs(Method.Bullet, 1, 0);
  });
});

describe("a draw with a fee", () => {
  async function feeLine(aprBps: number) {
    const d = await fixture();
    await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 50_000n * ONE, aprBps, ALL_PRODUCTS_MASK | FEE_PRODUCTS_MASK, 1);
    return d;
  }

  it("emits the quoted figures, pays the recipient the amount less the fee, and books the fee to the protocol", async () => {
    const d = await feeLine(1_200);
    const amount = 10_000n * ONE;
    const q = await quote(await d.quotes.getAddress(), d.ledger.runner!, d.borrower.address, FEE_PRODUCT.id, amount);
    expect(q.totalFees).to.equal(150n * ONE);
    expect(q.netDisbursed).to.equal(9_850n * ONE);
    expect(q.admissible).to.equal(true);
    expect(q.aprCapBps).to.equal(2_400n);
    expect(q.aprBps).to.equal(disclose({ ...FEE_PRODUCT, aprBps: 1_200, amount }).aprBps);

    const lenderBefore = await d.lens.lenderAssets();
    const feesBefore = await d.lens.protocolFeesOwed();
    const recipientBefore = await d.token.balanceOf(d.recipient.address);
    const loanId = await d.lens.loanIdOf(d.borrower.address, 1);
    await expect(d.ledger.connect(d.borrower).drawTo(FEE_PRODUCT.id, amount, d.recipient.address))
      .to.emit(d.ledger, "Drawn")
      .withArgs(loanId, d.borrower.address, d.recipient.address, FEE_PRODUCT.id, amount, q.aprBps, q.totalFees, q.totalInterest);
    expect(amount + q.totalInterest).to.equal(q.totalRepayable);

    expect((await d.token.balanceOf(d.recipient.address)) - recipientBefore).to.equal(9_850n * ONE);
    expect((await d.lens.loanRecord(loanId)).principal).to.equal(amount);
    expect((await d.lens.lineOf(d.borrower.address)).outstanding).to.equal(amount);
    const [, payments] = await d.quotes.loanSchedule(loanId);
    expect([...payments]).to.deep.equal(q.payments);
    // The book was empty, so nothing accrued between the two reads: the fee moved no lender value.
    expect(await d.lens.protocolFeesOwed()).to.equal(feesBefore + 150n * ONE);
    expect(await d.lens.lenderAssets()).to.equal(lenderBefore);
    expect(await d.lens.principalOutstanding()).to.equal(amount);

    // The fee is earned as principal falls due (an early payoff gets the rest back), so the claim keeps it back
    // meanwhile: right after the draw, only the unit or so of interest fee accrued since is claimable.
    await expect(d.ledger.claimFees(d.admin.address, 150n * ONE))
      .to.be.revertedWithCustomError(d.ledger, "FeesExceeded")
      .withArgs(150n * ONE, (claimable: bigint) => claimable < 10n);
    // The first instalment paid on its due date: the fee share of its principal becomes claimable; taking it out
    // does not move the lenders' assets.
    await networkHelpers.time.increaseTo((await d.lens.loanRecord(loanId)).drawnAt + 30n * 86_400n);
    await d.ledger.connect(d.borrower).repay(loanId, await d.lens.dueNow(loanId));
    // The fee on the interest received is claimable too; the fee on interest still receivable is not (item 3).
    const outstanding = (await d.lens.loanState(loanId)).principalOutstanding;
    const owed = await d.lens.protocolFeesOwed();
    const onReceivable = ((await d.lens.interestReceivable()) * 500n + 9_999n) / 10_000n;
    const claimable = owed - (outstanding * 150n) / 10_000n - onReceivable;
    const principalFee = ((amount - outstanding) * 150n) / 10_000n;
    expect(claimable).to.be.at.least(principalFee);
    await expect(d.ledger.claimFees(d.admin.address, owed)).to.be.revertedWithCustomError(d.ledger, "FeesExceeded");
    const adminBefore = await d.token.balanceOf(d.admin.address);
    const lenderAfterPayment = await d.lens.lenderAssets();
    await d.ledger.claimFees(d.admin.address, principalFee);
    expect((await d.token.balanceOf(d.admin.address)) - adminBefore).to.equal(principalFee);
    expect(await d.lens.lenderAssets()).to.be.at.least(lenderAfterPayment);

    // The borrower repays the full amount with interest: the fee was never part of what is owed.
    await d.ledger.connect(d.borrower).repay(loanId, d.ethers.MaxUint256);
    expect((await d.lens.loanState(loanId)).status).to.equal(2n);
  });

  it("keeps the liquidity reserve whole: a fee draw needs its whole amount available, fees come only from what is available (KI-9)", async () => {
    const d = await fixture();
    const mask = ALL_PRODUCTS_MASK | FEE_PRODUCTS_MASK;
    await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 1_000_000n * ONE, 1_200, mask, 1);
    // 500,000 of cash and a 5 % liquidity reserve: 475,000 may leave.
    const available = await d.ledger.availableLiquidity();
    expect(available).to.equal(475_000n * ONE);
    const b = d.ledger.connect(d.borrower);
    // One unit more is refused with the amount, although the amount less the fee is what would leave.
    await expect(b.draw(FEE_PRODUCT.id, available + 1n))
      .to.be.revertedWithCustomError(d.ledger, "InsufficientLiquidity")
      .withArgs(available + 1n, available);
    await b.draw(FEE_PRODUCT.id, available);
    const [cash, principal] = [await d.ledger.cash(), await d.lens.principalOutstanding()];
    const reserve = ((cash + principal) * 500n + 9_999n) / 10_000n;
    expect(cash).to.be.at.least(reserve, "the reserve is whole after the fee draw");
    expect(await d.ledger.availableLiquidity()).to.equal(cash - reserve);
    // The fee (7,125) is owed but kept back while its loan's principal is out (an early payoff would take it back).
    const fee = 7_125n * ONE;
    expect(await d.lens.protocolFeesOwed()).to.be.closeTo(fee, ONE);
    await expect(d.ledger.claimFees(d.admin.address, fee)).to.be.revertedWithCustomError(d.ledger, "FeesExceeded");
    // Ten days of interest, paid, make some fee claimable (the fee on interest is earned as it is received); with
    // the liquidity reserve raised to 50 %, none of it may leave.
    await networkHelpers.time.increase(10n * 86_400n);
    const loanId = await d.lens.loanIdOf(d.borrower.address, 1);
    await b.repay(loanId, (await d.lens.loanState(loanId)).interestAccrued);
    await d.ledger.setRates(500, 1_000, 5_000);
    const onReceivable = ((await d.lens.interestReceivable()) * 500n + 9_999n) / 10_000n;
    const claimable = (await d.lens.protocolFeesOwed()) - fee - onReceivable;
    expect(claimable).to.be.greaterThan(0n);
    expect(await d.ledger.availableLiquidity()).to.equal(0n);
    await expect(d.ledger.claimFees(d.admin.address, claimable))
      .to.be.revertedWithCustomError(d.ledger, "InsufficientLiquidity")
      .withArgs(claimable, 0n);
    await d.ledger.setRates(500, 1_000, 500);
    // Blocks later the fee held on the second's interest since can round one unit higher.
    await d.ledger.claimFees(d.admin.address, claimable - 1n);
  });

  it("binds the draw to its quote: a rate, a plan or a fee changed in between is refused with a sentence, and nothing moves", async () => {
    const d = await feeLine(1_200);
    const amount = 10_000n * ONE;
    const quotesAddress = await d.quotes.getAddress();
    const q = await quote(quotesAddress, d.ledger.runner!, d.borrower.address, 2, amount);
    const b = boundsOf(q);
    expect(b).to.deep.equal({ maxAprBps: 1_200n, minReceived: amount, method: 0, payments: 12, periodDays: 30 });
    const balance = await d.token.balanceOf(d.borrower.address);
    const attempt = (bounds = b) =>
      d.ledger.connect(d.borrower).drawWithin(2, amount, d.ethers.ZeroAddress, bounds).catch((e: unknown) => e);

    await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 50_000n * ONE, 1_500, ALL_PRODUCTS_MASK | FEE_PRODUCTS_MASK, 1);
    expect(decodeError(await attempt())?.message).to.equal(
      "The draw's APR is now 15.00% (fees included), above the 12.00% you accepted; quote again.",
    );
    await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 50_000n * ONE, 1_200, ALL_PRODUCTS_MASK | FEE_PRODUCTS_MASK, 1);

    await d.ledger.setProduct(2, 0, 3, 30, true);
    expect(decodeError(await attempt())?.message).to.equal(
      "The product's plan is now 3 payment(s) every 30 days (equal instalments), not the plan you accepted; quote again.",
    );
    await d.ledger.setProduct(2, 0, 12, 30, true);

    await d.ledger.setProductFee(2, 150);
    await expect(d.ledger.connect(d.borrower).drawWithin(2, amount, d.ethers.ZeroAddress, { ...b, maxAprBps: d.ethers.MaxUint256 }))
      .to.be.revertedWithCustomError(d.ledger, "ReceivedBelowMinimum")
      .withArgs(9_850n * ONE, 10_000n * ONE);
    expect(decodeError(await attempt({ ...b, maxAprBps: d.ethers.MaxUint256 }))?.message).to.match(
      /^The recipient would now receive 9,850\.00 .*less than the 10,000\.00 .*you accepted \(a fee changed\); quote again\.$/,
    );
    expect((await d.lens.lineOf(d.borrower.address)).loanCount).to.equal(0n);
    expect(await d.token.balanceOf(d.borrower.address)).to.equal(balance);

    // Quoted again, the draw goes through on exactly the new terms.
    const again = await quote(quotesAddress, d.ledger.runner!, d.borrower.address, 2, amount);
    await expect(d.ledger.connect(d.borrower).drawWithin(2, amount, d.ethers.ZeroAddress, boundsOf(again)))
      .to.emit(d.ledger, "Drawn")
      .withArgs(await d.lens.loanIdOf(d.borrower.address, 1), d.borrower.address, d.borrower.address, 2, amount, again.aprBps, 150n * ONE, again.totalInterest);
    expect((await d.token.balanceOf(d.borrower.address)) - balance).to.equal(9_850n * ONE);
  });

  it("is refused above the cap with the APR and the cap, and nothing moves; one basis point lower passes", async () => {
    // The highest contract APR at which the fee product stays within 24 %, found with the SDK.
    let highest = 0;
    for (let apr = 1_500; apr <= 2_400; apr++) {
      if (disclose({ ...FEE_PRODUCT, aprBps: apr, amount: 10_000n * ONE }).aprBps <= 2_400n) highest = apr;
    }
    expect(highest).to.be.within(1_800, 2_399);
    const over = disclose({ ...FEE_PRODUCT, aprBps: highest + 1, amount: 10_000n * ONE }).aprBps;
    expect(over).to.be.above(2_400n);

    const d = await feeLine(highest + 1);
    const balance = await d.token.balanceOf(d.borrower.address);
    await expect(d.ledger.connect(d.borrower).draw(FEE_PRODUCT.id, 10_000n * ONE))
      .to.be.revertedWithCustomError(d.ledger, "AprAboveCap")
      .withArgs(over, 2_400n);
    const [, , admissible] = await d.quotes.quote(d.borrower.address, FEE_PRODUCT.id, 10_000n * ONE);
    expect(admissible).to.equal(false);
    expect(await d.token.balanceOf(d.borrower.address)).to.equal(balance);
    expect((await d.lens.lineOf(d.borrower.address)).loanCount).to.equal(0n);
    expect(await d.lens.protocolFeesOwed()).to.equal(0n);
    // The same line draws the fee-free product: the cap binds the fee, not the line.
    await d.ledger.connect(d.borrower).draw(2, 10_000n * ONE);

    await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 50_000n * ONE, highest, ALL_PRODUCTS_MASK | FEE_PRODUCTS_MASK, 1);
    await expect(d.ledger.connect(d.borrower).draw(FEE_PRODUCT.id, 10_000n * ONE)).to.emit(d.ledger, "Drawn");
  });
});

describe("the APR cap", () => {
  it("a product whose fee alone is above the cap cannot be configured, nor a fee above the maximum", async () => {
    const d = await fixture();
    await expect(d.ledger.setProductFee(6, 2_001)).to.be.revertedWithCustomError(d.ledger, "FeeTooHigh").withArgs(2_001n, 2_000n);
    await d.ledger.setProduct(7, Method.Bullet, 1, 30, true);
    const alone = disclose({ method: Method.Bullet, instalments: 1, periodDays: 30, aprBps: 0, feeBps: 300, amount: 10n ** 12n }).aprBps;
    expect(alone).to.be.above(2_400n);
    await expect(d.ledger.setProductFee(7, 300)).to.be.revertedWithCustomError(d.ledger, "AprAboveCap").withArgs(alone, 2_400n);
    await expect(d.ledger.setProductFee(7, 150)).to.emit(d.ledger, "ProductFeeSet").withArgs(7, 150);
    expect((await d.lens.product(7)).feeBps).to.equal(150n);
    // Redefining the product keeps its fee, and is refused if the fee would then be above the cap.
    await expect(d.ledger.setProduct(7, Method.Bullet, 1, 7, true)).to.be.revertedWithCustomError(d.ledger, "AprAboveCap");
    await d.ledger.setProduct(7, Method.EqualInstalment, 6, 30, true);
    expect((await d.lens.product(7)).feeBps).to.equal(150n);
    // An undefined product has no fee to set; only the admin sets fees.
    await expect(d.ledger.setProductFee(9, 100)).to.be.revertedWithCustomError(d.ledger, "InvalidProduct");
    await expect(d.ledger.connect(d.other).setProductFee(7, 100)).to.be.revertedWithCustomError(
      d.ledger,
      "AccessControlUnauthorizedAccount",
    );
  });

  it("is configurable: lines above it cannot open, and draws at an APR above a lowered cap are refused", async () => {
    const d = await fixture();
    await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 50_000n * ONE, 1_800, ALL_PRODUCTS_MASK, 1);
    await expect(d.ledger.connect(d.underwriter).setLine(d.other.address, ONE, 2_401, ALL_PRODUCTS_MASK, 1))
      .to.be.revertedWithCustomError(d.ledger, "AprAboveCap")
      .withArgs(2_401n, 2_400n);
    await d.ledger.setLimits({ ...LOCAL_LIMITS, aprCapBps: 1_500n });
    expect((await d.lens.riskState()).limits.aprCapBps).to.equal(1_500n);
    expect(await d.quotes.aprCapBps()).to.equal(1_500n);
    await expect(d.ledger.connect(d.underwriter).setLine(d.other.address, ONE, 1_501, ALL_PRODUCTS_MASK, 1))
      .to.be.revertedWithCustomError(d.ledger, "AprAboveCap")
      .withArgs(1_501n, 1_500n);
    await d.ledger.connect(d.underwriter).setLine(d.other.address, 50_000n * ONE, 1_500, ALL_PRODUCTS_MASK, 1);
    await d.ledger.connect(d.other).draw(2, 1_000n * ONE);
    // The line opened at 18 % before the cap came down cannot draw above it.
    const error = await d.ledger
      .connect(d.borrower)
      .draw(2, 1_000n * ONE)
      .catch((e: unknown) => e);
    expect(decodeError(error)?.errorName).to.equal("AprAboveCap");
    expect(decodeError(error)?.message).to.equal("APR 18.00% (fees included) is above the cap of 15.00%.");
  });

  it("the risk role can lower it, never raise it or lift it to the default", async () => {
    const d = await fixture();
    await d.ledger.grantRole(id("RISK_ROLE"), d.recipient.address);
    const risk = d.ledger.connect(d.recipient);
    await d.ledger.setLimits(LOCAL_LIMITS);
    await expect(risk.tightenLimits({ ...LOCAL_LIMITS, aprCapBps: 2_000n })).to.emit(d.ledger, "LimitsSet");
    await expect(risk.tightenLimits({ ...LOCAL_LIMITS, aprCapBps: 2_001n }))
      .to.be.revertedWithCustomError(d.ledger, "LimitRaiseNotAllowed")
      .withArgs(8, 2_000n, 2_001n);
    await expect(risk.tightenLimits({ ...LOCAL_LIMITS, aprCapBps: 0n }))
      .to.be.revertedWithCustomError(d.ledger, "LimitRaiseNotAllowed")
      .withArgs(8, 2_000n, 0n);
    const error = await risk.tightenLimits({ ...LOCAL_LIMITS, aprCapBps: 0n }).catch((e: unknown) => e);
    expect(decodeError(error)?.message).to.equal(
      "The risk role may only tighten: the APR cap would go from 20.00% to the default cap (24.00%).",
    );
    expect((await d.lens.riskState()).limits.aprCapBps).to.equal(2_000n);
  });

  it("0 means the default 24 %", async () => {
    const d = await fixture();
    expect((await d.lens.riskState()).limits.aprCapBps).to.equal(0n);
    expect(await d.quotes.aprCapBps()).to.equal(2_400n);
    await d.ledger.connect(d.underwriter).setLine(d.borrower.address, ONE, 2_400, ALL_PRODUCTS_MASK, 1);
  });

  it("has bounds: the cap at most 100 %, a quote's fee at most the maximum, and a fee product can always be disabled", async () => {
    const d = await fixture();
    await expect(d.ledger.setLimits({ ...LOCAL_LIMITS, aprCapBps: 10_001n })).to.be.revertedWithCustomError(
      d.ledger,
      "InvalidLimits",
    );
    await d.ledger.setLimits({ ...LOCAL_LIMITS, aprCapBps: 10_000n });
    await expect(d.quotes.quoteTerms(Method.EqualInstalment, 6, 30, 1_200, 2_001, 10_000n * ONE))
      .to.be.revertedWithCustomError(d.quotes, "FeeTooHigh")
      .withArgs(2_001n, 2_000n);
    // A cap lowered below the fee product's fee-only APR: the product can be disabled, not re-enabled.
    const feeOnly = disclose({ ...FEE_PRODUCT, aprBps: 0, amount: 10n ** 12n }).aprBps;
    await d.ledger.setLimits({ ...LOCAL_LIMITS, aprCapBps: feeOnly - 1n });
    const p = FEE_PRODUCT;
    await expect(d.ledger.setProduct(p.id, p.method, p.instalments, p.periodDays, true))
      .to.be.revertedWithCustomError(d.ledger, "AprAboveCap")
      .withArgs(feeOnly, feeOnly - 1n);
    await d.ledger.setProduct(p.id, p.method, p.instalments, p.periodDays, false);
    expect((await d.lens.product(p.id)).enabled).to.equal(false);
  });
});
