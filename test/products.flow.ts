import { expect } from "chai";
import { network } from "hardhat";
import { ZeroAddress, id } from "ethers";
import { deployMicrocredit, ALL_PRODUCTS_MASK, ONE, DAY } from "./helpers/fixture.ts";
import { decodeError } from "../src/sdk/errors.ts";
import { Method } from "../src/core/schedule.ts";
import { disclose } from "../src/core/disclosure.ts";

// Products plug into the core (`originate`): a periphery contract made a product's originator opens loans on the
// line of a borrower who let it in, paid to a merchant, under every check of a draw and the buyer's bounds; nothing
// in the core knows the contract beyond the product's `originator`. MockProduct (contracts/mocks) is the smallest
// such product.
const connection = await network.create();
const { networkHelpers, ethers } = connection;

const CHECKOUT = 9; // 3 × 30 days, equal instalments: the terms of cash product 0, originated by a product contract
const LIMIT = 10_000n * ONE;
const APR = 1_800;
/** What a buyer accepts for a checkout purchase of `amount`: at most 18% APR, all of it to the merchant, 3 × 30 days. */
const accepted = (amount: bigint, maxAprBps = APR) => ({
  maxAprBps,
  minReceived: amount,
  method: Method.EqualInstalment,
  payments: 3,
  periodDays: 30,
});

async function base() {
  const d = await deployMicrocredit(connection);
  await d.pool.connect(d.lender).deposit(500_000n * ONE, d.lender.address);
  await d.ledger.setProduct(CHECKOUT, Method.EqualInstalment, 3, 30, true);
  const product = await ethers.deployContract("MockProduct", [await d.ledger.getAddress(), CHECKOUT]);
  await expect(d.ledger.setProductOriginator(CHECKOUT, await product.getAddress()))
    .to.emit(d.ledger, "ProductOriginatorSet")
    .withArgs(CHECKOUT, await product.getAddress());
  const mask = ALL_PRODUCTS_MASK | (1 << CHECKOUT);
  for (const who of [d.borrower, d.other]) {
    await d.ledger.connect(d.underwriter).setLine(who.address, LIMIT, APR, mask, 1);
  }
  await expect(d.ledger.connect(d.borrower).setOriginatorAllowed(await product.getAddress(), true))
    .to.emit(d.ledger, "OriginatorAllowed")
    .withArgs(d.borrower.address, await product.getAddress(), true);
  return { ...d, product, merchant: d.recipient };
}
const fixture = () => networkHelpers.loadFixture(base);
type D = Awaited<ReturnType<typeof base>>;

/** What a refused purchase must leave as it was. */
async function snapshot(d: D) {
  return [
    await d.token.balanceOf(d.merchant.address),
    (await d.lens.lineOf(d.borrower.address)).outstanding,
    await d.lens.principalOutstanding(),
  ];
}

describe("credit products through the core's entry point (originate)", () => {
  it("a product contract opens a loan on the buyer's line, paid to the merchant, with the plan of the same terms", async () => {
    const d = await fixture();
    const amount = 1_200n * ONE;
    const merchantBefore = await d.token.balanceOf(d.merchant.address);
    const loanId = await d.lens.loanIdOf(d.borrower.address, 1);
    await expect(d.product.connect(d.borrower).buy(d.merchant.address, amount, accepted(amount)))
      .to.emit(d.ledger, "Drawn")
      .withArgs(
        loanId,
        d.borrower.address,
        d.merchant.address,
        CHECKOUT,
        amount,
        APR,
        0,
        disclose({
          method: Method.EqualInstalment,
          instalments: 3,
          periodDays: 30,
          aprBps: APR,
          feeBps: 0,
          amount,
        }).totalInterest,
      )
      .and.to.emit(d.product, "Bought")
      .withArgs(d.borrower.address, d.merchant.address, loanId, amount);
    expect((await d.token.balanceOf(d.merchant.address)) - merchantBefore).to.equal(amount);
    const loan = await d.lens.loanState(loanId);
    expect(loan.borrower).to.equal(d.borrower.address);
    expect(loan.principal).to.equal(amount);
    expect((await d.lens.loanRecord(loanId)).productId).to.equal(CHECKOUT);
    expect((await d.lens.lineOf(d.borrower.address)).outstanding).to.equal(amount);
    expect((await d.lens.productExposure(CHECKOUT))[0]).to.equal(amount);

    // The same terms drawn as cash product 0 (a block later) give the same plan to the unit.
    const cashId = await d.lens.loanIdOf(d.other.address, 1);
    await d.ledger.connect(d.other).draw(0, amount);
    const cash = await d.lens.loanState(cashId);
    const start = (await d.lens.loanRecord(loanId)).drawnAt;
    const cashStart = (await d.lens.loanRecord(cashId)).drawnAt;
    expect([loan.nextDueAt - start, loan.nextDueAmount, loan.maturity - start]).to.deep.equal([
      cash.nextDueAt - cashStart,
      cash.nextDueAmount,
      cash.maturity - cashStart,
    ]);

    // The borrower repays it like any loan; the line and the product's cap room come back.
    await networkHelpers.time.increase(30n * DAY);
    await d.ledger.connect(d.borrower).repay(loanId, ethers.MaxUint256);
    expect((await d.lens.loanState(loanId)).status).to.equal(2n); // Repaid
    expect((await d.lens.lineOf(d.borrower.address)).outstanding).to.equal(0n);
    expect((await d.lens.productExposure(CHECKOUT))[0]).to.equal(0n);
  });

  it("only the product's originator originates it, and it originates nothing else", async () => {
    const d = await fixture();
    const productAddress = await d.product.getAddress();
    const before = await snapshot(d);
    // The borrower cannot draw the checkout product as cash.
    await expect(d.ledger.connect(d.borrower).draw(CHECKOUT, ONE))
      .to.be.revertedWithCustomError(d.ledger, "NotProductOriginator")
      .withArgs(CHECKOUT, productAddress, d.borrower.address);
    // Nobody else can originate it for the borrower.
    await expect(
      d.ledger.connect(d.other).originate(d.borrower.address, CHECKOUT, ONE, d.other.address, accepted(ONE)),
    )
      .to.be.revertedWithCustomError(d.ledger, "NotProductOriginator")
      .withArgs(CHECKOUT, productAddress, d.other.address);
    // A product contract cannot originate a cash product (no originator) on anyone's line.
    const rogue = await ethers.deployContract("MockProduct", [await d.ledger.getAddress(), 0]);
    await d.ledger.connect(d.borrower).setOriginatorAllowed(await rogue.getAddress(), true);
    await expect(rogue.connect(d.borrower).buy(d.merchant.address, ONE, accepted(ONE)))
      .to.be.revertedWithCustomError(d.ledger, "NotProductOriginator")
      .withArgs(0, ZeroAddress, await rogue.getAddress());
    expect(await snapshot(d)).to.deep.equal(before);
    const message = decodeError(
      await d.ledger
        .connect(d.other)
        .originate.staticCall(d.borrower.address, CHECKOUT, ONE, ZeroAddress, accepted(ONE))
        .catch((e: unknown) => e),
    )?.message;
    expect(message).to.equal(
      `Product ${CHECKOUT} is originated only by its product contract ${productAddress.slice(0, 8)}…${productAddress.slice(-4)}, ` +
        `not by ${d.other.address.slice(0, 8)}…${d.other.address.slice(-4)}.`,
    );
  });

  it("every check of a draw applies to the borrower: line, product mask, pause, product cap, KYC", async () => {
    const d = await fixture();
    const before = await snapshot(d);
    const buy = (amount: bigint) =>
      d.product.connect(d.borrower).buy(d.merchant.address, amount, accepted(amount));
    await expect(buy(LIMIT + 1n))
      .to.be.revertedWithCustomError(d.ledger, "CreditLimitExceeded")
      .withArgs(LIMIT + 1n, LIMIT);
    await d.ledger.connect(d.lender).setOriginatorAllowed(await d.product.getAddress(), true);
    await expect(d.product.connect(d.lender).buy(d.merchant.address, ONE, accepted(ONE)))
      .to.be.revertedWithCustomError(d.ledger, "LineNotActive")
      .withArgs(d.lender.address, 0);
    await d.ledger.connect(d.underwriter).setLine(d.borrower.address, LIMIT, APR, ALL_PRODUCTS_MASK, 1);
    await expect(buy(ONE))
      .to.be.revertedWithCustomError(d.ledger, "ProductNotAllowed")
      .withArgs(d.borrower.address, CHECKOUT);
    await d.ledger
      .connect(d.underwriter)
      .setLine(d.borrower.address, LIMIT, APR, ALL_PRODUCTS_MASK | (1 << CHECKOUT), 1);
    await d.ledger.pause();
    await expect(buy(ONE)).to.be.revertedWithCustomError(d.ledger, "EnforcedPause");
    await d.ledger.unpause();
    await d.ledger.setProductCap(CHECKOUT, 500n * ONE);
    await expect(buy(500n * ONE + 1n))
      .to.be.revertedWithCustomError(d.ledger, "ProductCapExceeded")
      .withArgs(CHECKOUT, 500n * ONE + 1n, 500n * ONE);
    await d.ledger.setKycRequired(true);
    await expect(buy(ONE))
      .to.be.revertedWithCustomError(d.ledger, "KycRequiredToDraw")
      .withArgs(d.borrower.address, 0);
    expect(await snapshot(d)).to.deep.equal(before);
    await d.ledger.setKycRequired(false);
    await buy(500n * ONE);
    expect((await snapshot(d))[1]).to.equal(500n * ONE);
  });

  it("the originator is the admin's to set, on a defined product, and survives a change of the product's terms", async () => {
    const d = await fixture();
    const productAddress = await d.product.getAddress();
    await expect(d.ledger.connect(d.other).setProductOriginator(CHECKOUT, d.other.address))
      .to.be.revertedWithCustomError(d.ledger, "AccessControlUnauthorizedAccount")
      .withArgs(d.other.address, ethers.ZeroHash);
    await expect(d.ledger.setProductOriginator(12, productAddress))
      .to.be.revertedWithCustomError(d.ledger, "InvalidProduct")
      .withArgs(0, 0, 0);
    await d.ledger.setProduct(CHECKOUT, Method.EqualInstalment, 6, 30, true);
    const p = await d.lens.product(CHECKOUT);
    expect([p.instalments, p.originator]).to.deep.equal([6n, productAddress]);
    // Back to a cash product: the borrower draws it, the contract no longer can.
    await d.ledger.setProductOriginator(CHECKOUT, ZeroAddress);
    await d.ledger.connect(d.borrower).draw(CHECKOUT, ONE);
    await expect(d.product.connect(d.borrower).buy(d.merchant.address, ONE, accepted(ONE)))
      .to.be.revertedWithCustomError(d.ledger, "NotProductOriginator")
      .withArgs(CHECKOUT, ZeroAddress, productAddress);
    expect(await d.ledger.hasRole(id("UNDERWRITER_ROLE"), productAddress)).to.equal(false);
  });

  it("the admin cannot put debt on a borrower: an originator needs the borrower's own consent to that contract", async () => {
    const d = await fixture();
    // The attack: the admin names itself the originator of a product already on lines, then originates to itself.
    await d.ledger.setProductOriginator(0, d.admin.address);
    const before = await snapshot(d);
    const adminBefore = await d.token.balanceOf(d.admin.address);
    await expect(d.ledger.originate(d.borrower.address, 0, LIMIT, d.admin.address, accepted(LIMIT, 10_000)))
      .to.be.revertedWithCustomError(d.ledger, "OriginatorNotAllowed")
      .withArgs(d.borrower.address, d.admin.address);
    // Consent is to one contract: the borrower let the checkout in, which does not let a second checkout in.
    const second = await ethers.deployContract("MockProduct", [await d.ledger.getAddress(), CHECKOUT]);
    await d.ledger.setProductOriginator(CHECKOUT, await second.getAddress());
    await expect(second.connect(d.borrower).buy(d.merchant.address, ONE, accepted(ONE)))
      .to.be.revertedWithCustomError(d.ledger, "OriginatorNotAllowed")
      .withArgs(d.borrower.address, await second.getAddress());
    // Withdrawn consent stops the contract it was given to.
    await d.ledger.setProductOriginator(CHECKOUT, await d.product.getAddress());
    await d.ledger.connect(d.borrower).setOriginatorAllowed(await d.product.getAddress(), false);
    expect(await d.lens.originatorAllowed(d.borrower.address, await d.product.getAddress())).to.equal(false);
    await expect(d.product.connect(d.borrower).buy(d.merchant.address, ONE, accepted(ONE)))
      .to.be.revertedWithCustomError(d.ledger, "OriginatorNotAllowed")
      .withArgs(d.borrower.address, await d.product.getAddress());
    expect(await snapshot(d)).to.deep.equal(before);
    expect(await d.token.balanceOf(d.admin.address)).to.equal(adminBefore);
    await expect(
      d.ledger.connect(d.borrower).setOriginatorAllowed(ZeroAddress, true),
    ).to.be.revertedWithCustomError(d.ledger, "ZeroAddress");
  });

  it("a purchase holds what the buyer accepted: a line repriced before it is mined is refused", async () => {
    const d = await fixture();
    const amount = 1_000n * ONE;
    // The underwriter (not behind the timelock) raises the line's APR just before the purchase lands.
    await d.ledger
      .connect(d.underwriter)
      .setLine(d.borrower.address, LIMIT, 2_400, ALL_PRODUCTS_MASK | (1 << CHECKOUT), 1);
    const before = await snapshot(d);
    await expect(d.product.connect(d.borrower).buy(d.merchant.address, amount, accepted(amount)))
      .to.be.revertedWithCustomError(d.ledger, "AprAboveBound")
      .withArgs(2_400, APR);
    await expect(
      d.product
        .connect(d.borrower)
        .buy(d.merchant.address, amount, { ...accepted(amount, 2_400), payments: 6 }),
    )
      .to.be.revertedWithCustomError(d.ledger, "PlanChanged")
      .withArgs(Method.EqualInstalment, 3, 30);
    expect(await snapshot(d)).to.deep.equal(before);
    await d.product.connect(d.borrower).buy(d.merchant.address, amount, accepted(amount, 2_400));
    expect((await snapshot(d))[0] - before[0]).to.equal(amount);
  });
});
