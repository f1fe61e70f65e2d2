import { expect } from "chai";
import { network } from "hardhat";
import { id, Interface } from "ethers";
import { deployMicrocredit, ALL_PRODUCTS_MASK, ONE, DAY } from "./helpers/fixture.ts";
import { decodeError } from "../src/sdk/errors.ts";
import { productExposures } from "../src/sdk/product-limits.ts";

// Per-product outstanding caps (IProductLimits, PRODUCT.md C8): the cap hit exactly at its boundary, every way
// principal leaves a product (repayment, collection, write-off) freeing exactly that much of its cap, the product
// aggregates adding up to the book, and the roles: the admin sets any cap, the risk role only lowers one.
const connection = await network.create();
const { networkHelpers, ethers } = connection;

async function base() {
  const d = await deployMicrocredit(connection);
  await d.pool.connect(d.lender).deposit(500_000n * ONE, d.lender.address);
  for (const who of [d.borrower, d.other]) {
    await d.ledger.connect(d.underwriter).setLine(who.address, 400_000n * ONE, 1_800, ALL_PRODUCTS_MASK, 1);
  }
  await d.ledger.grantRole(id("RISK_ROLE"), d.recipient.address);
  return { ...d, risk: d.caps.connect(d.recipient) };
}
const fixture = () => networkHelpers.loadFixture(base);
type D = Awaited<ReturnType<typeof base>>;

/** The per-product aggregates add up to the book's principal outstanding (read through the SDK). */
async function expectProductsSumToBook(d: D) {
  const rows = await productExposures(await d.ledger.getAddress(), ethers.provider);
  const sum = rows.reduce((total, r) => total + r.outstanding, 0n);
  expect(sum).to.equal(await d.lens.principalOutstanding(), "products add up to the book");
}

describe("per-product outstanding caps", () => {
  it("start off; each product reports its own outstanding principal", async () => {
    const d = await fixture();
    await d.ledger.connect(d.borrower).draw(0, 12_000n * ONE);
    await d.ledger.connect(d.other).draw(5, 3_000n * ONE);
    expect([...(await d.lens.productExposure(0))]).to.deep.equal([12_000n * ONE, 0n]);
    expect([...(await d.lens.productExposure(5))]).to.deep.equal([3_000n * ONE, 0n]);
    expect([...(await d.lens.productExposure(1))]).to.deep.equal([0n, 0n]);
    await expectProductsSumToBook(d);
  });

  it("the cap passes at equality; one unit more is refused with the values, and nothing moves", async () => {
    const d = await fixture();
    const CAP = 20_000n * ONE;
    await expect(d.caps.setProductCap(0, CAP))
      .to.emit(d.caps, "ProductCapSet")
      .withArgs(0, 0n, CAP, d.admin.address);
    await d.ledger.connect(d.borrower).draw(0, 15_000n * ONE);
    const balance = await d.token.balanceOf(d.other.address);
    const line = await d.lens.lineOf(d.other.address);
    await expect(d.ledger.connect(d.other).draw(0, 5_000n * ONE + 1n))
      .to.be.revertedWithCustomError(d.caps, "ProductCapExceeded")
      .withArgs(0, CAP + 1n, CAP);
    const message = decodeError(
      await d.ledger.connect(d.other).draw.staticCall(0, 5_000n * ONE + 1n).catch((e: unknown) => e),
    )?.message;
    expect(message).to.equal(
      "The draw would take product 0 to 20,000.000001 (20,000,000,001 units) outstanding, above its cap of " +
        "20,000.00 (20,000,000,000 units).",
    );
    expect(await d.token.balanceOf(d.other.address)).to.equal(balance);
    expect((await d.lens.lineOf(d.other.address)).outstanding).to.equal(line.outstanding);
    expect((await d.lens.productExposure(0))[0]).to.equal(15_000n * ONE);
    // Exactly the cap passes; other products are not limited by it.
    await expect(d.ledger.connect(d.other).draw(0, 5_000n * ONE)).to.emit(d.ledger, "Drawn");
    expect([...(await d.lens.productExposure(0))]).to.deep.equal([CAP, CAP]);
    await expect(d.ledger.connect(d.other).draw(1, 50_000n * ONE)).to.emit(d.ledger, "Drawn");
    await expect(d.ledger.connect(d.other).draw(0, 1n))
      .to.be.revertedWithCustomError(d.caps, "ProductCapExceeded")
      .withArgs(0, CAP + 1n, CAP);
    await expectProductsSumToBook(d);
  });

  it("repayment and collection free exactly the principal they pay; the freed room can be drawn again", async () => {
    const d = await fixture();
    const CAP = 10_000n * ONE;
    await d.caps.setProductCap(0, CAP);
    await d.ledger.connect(d.borrower).draw(0, CAP);
    const loanId = await d.lens.loanIdOf(d.borrower.address, 1);
    const [dueDates, payments] = await d.quotes.loanSchedule(loanId);
    // A manual payment of the first instalment: the Repaid event's principal part leaves the product.
    await networkHelpers.time.setNextBlockTimestamp(dueDates[0]);
    const receipt = await (await d.ledger.connect(d.borrower).repay(loanId, payments[0])).wait();
    const repaid = receipt!.logs.map((l) => d.ledger.interface.parseLog(l)).find((e) => e?.name === "Repaid")!;
    const principalPart = repaid.args.principal as bigint;
    expect(principalPart).to.be.greaterThan(0n);
    expect((await d.lens.productExposure(0))[0]).to.equal(CAP - principalPart);
    // Collection of the second instalment frees its principal part too.
    await d.ledger.connect(d.borrower).setMandate(0);
    await networkHelpers.time.setNextBlockTimestamp(dueDates[1]);
    await expect(d.ledger.collect([loanId])).to.emit(d.ledger, "Collected");
    const left = (await d.lens.loanState(loanId)).principalOutstanding;
    expect((await d.lens.productExposure(0))[0]).to.equal(left);
    // The room freed is available to the next draw, to the unit.
    await expect(d.ledger.connect(d.other).draw(0, CAP - left + 1n))
      .to.be.revertedWithCustomError(d.caps, "ProductCapExceeded")
      .withArgs(0, CAP + 1n, CAP);
    await d.ledger.connect(d.other).draw(0, CAP - left);
    expect((await d.lens.productExposure(0))[0]).to.equal(CAP);
    // Paying off the first loan frees the rest of it.
    await d.ledger.connect(d.borrower).repay(loanId, ethers.MaxUint256);
    expect((await d.lens.productExposure(0))[0]).to.equal(CAP - left);
    await expectProductsSumToBook(d);
  });

  it("a write-off frees the principal written off; a recovery does not take room again", async () => {
    const d = await fixture();
    await d.ledger.connect(d.borrower).draw(2, 6_000n * ONE);
    await d.ledger.connect(d.other).draw(2, 4_000n * ONE);
    const bad = await d.lens.loanIdOf(d.other.address, 1);
    const [badDue, badPayments] = await d.quotes.loanSchedule(bad);
    // The first instalment is paid, then nothing: the write-off takes what is left, not the loan's principal.
    await networkHelpers.time.setNextBlockTimestamp(badDue[0]);
    await d.ledger.connect(d.other).repay(bad, badPayments[0]);
    const left = (await d.lens.loanState(bad)).principalOutstanding;
    expect(left).to.be.lessThan(4_000n * ONE);
    expect((await d.lens.productExposure(2))[0]).to.equal(6_000n * ONE + left);
    await networkHelpers.time.setNextBlockTimestamp(badDue[1] + 91n * DAY);
    await expect(d.ledger.mark([bad])).to.emit(d.ledger, "LoanDefaulted");
    expect((await d.lens.productExposure(2))[0]).to.equal(6_000n * ONE);
    await expectProductsSumToBook(d);
    await d.ledger.connect(d.other).repay(bad, 1_000n * ONE); // a recovery on the written-off loan
    expect((await d.lens.productExposure(2))[0]).to.equal(6_000n * ONE);
  });

  it("a cap lowered below the outstanding refuses new draws of the product and nothing else", async () => {
    const d = await fixture();
    await d.ledger.connect(d.borrower).draw(5, 8_000n * ONE);
    await d.risk.cutProductCap(5, 5_000n * ONE);
    await expect(d.ledger.connect(d.other).draw(5, 10n * ONE))
      .to.be.revertedWithCustomError(d.caps, "ProductCapExceeded")
      .withArgs(5, 8_010n * ONE, 5_000n * ONE);
    const loanId = await d.lens.loanIdOf(d.borrower.address, 1);
    await expect(d.ledger.connect(d.borrower).repay(loanId, 4_000n * ONE)).to.emit(d.ledger, "Repaid");
    const left = (await d.lens.productExposure(5))[0];
    expect(left).to.be.lessThan(5_000n * ONE);
    await d.ledger.connect(d.other).draw(5, 5_000n * ONE - left);
    expect((await d.lens.productExposure(5))[0]).to.equal(5_000n * ONE);
    // Other products draw as before.
    await expect(d.ledger.connect(d.other).draw(0, 20_000n * ONE)).to.emit(d.ledger, "Drawn");
  });

  it("the risk role lowers a cap at once and can never raise it or lift it; the admin sets any cap", async () => {
    const d = await fixture();
    await d.caps.setProductCap(3, 50_000n * ONE);
    await expect(d.risk.cutProductCap(3, 30_000n * ONE))
      .to.emit(d.caps, "ProductCapSet")
      .withArgs(3, 50_000n * ONE, 30_000n * ONE, d.recipient.address);
    await expect(d.risk.cutProductCap(3, 30_000n * ONE + 1n))
      .to.be.revertedWithCustomError(d.ledger, "LimitRaiseNotAllowed")
      .withArgs(9, 30_000n * ONE, 30_000n * ONE + 1n);
    await expect(d.risk.cutProductCap(3, 0n))
      .to.be.revertedWithCustomError(d.ledger, "LimitRaiseNotAllowed")
      .withArgs(9, 30_000n * ONE, 0n);
    const message = decodeError(await d.risk.cutProductCap.staticCall(3, 0n).catch((e: unknown) => e))?.message;
    expect(message).to.equal(
      "The risk role may only tighten: a product's outstanding cap would go from 30,000.00 (30,000,000,000 units) to no limit.",
    );
    // An uncapped product: any cap is a cut. An equal cap is no raise. An unknown product has nothing to cut.
    await expect(d.risk.cutProductCap(4, 1n)).to.emit(d.caps, "ProductCapSet").withArgs(4, 0n, 1n, d.recipient.address);
    await expect(d.risk.cutProductCap(4, 1n)).to.emit(d.caps, "ProductCapSet").withArgs(4, 1n, 1n, d.recipient.address);
    await expect(d.risk.cutProductCap(9, 1n)).to.be.revertedWithCustomError(d.ledger, "InvalidProduct").withArgs(0, 0, 0);
    await expect(d.risk.setProductCap(3, 0n)).to.be.revertedWithCustomError(
      d.ledger,
      "AccessControlUnauthorizedAccount",
    );
    await expect(d.caps.connect(d.other).cutProductCap(3, 1n)).to.be.revertedWithCustomError(
      d.ledger,
      "AccessControlUnauthorizedAccount",
    );
    expect((await d.lens.productExposure(3))[1]).to.equal(30_000n * ONE);
    // The admin raises it and lifts it.
    await d.caps.setProductCap(3, 90_000n * ONE);
    expect((await d.lens.productExposure(3))[1]).to.equal(90_000n * ONE);
    await d.caps.setProductCap(3, 0n);
    expect((await d.lens.productExposure(3))[1]).to.equal(0n);
  });

  it("refuses a cap for an unknown product, an id out of range or a cap that does not fit", async () => {
    const d = await fixture();
    await expect(d.caps.setProductCap(9, ONE)).to.be.revertedWithCustomError(d.ledger, "InvalidProduct").withArgs(0, 0, 0);
    await expect(d.caps.setProductCap(16, ONE))
      .to.be.revertedWithCustomError(d.ledger, "ProductIdOutOfRange")
      .withArgs(16);
    await expect(d.lens.productExposure(16)).to.be.revertedWithCustomError(d.ledger, "ProductIdOutOfRange");
    await expect(d.caps.setProductCap(0, 2n ** 112n)).to.be.revertedWithCustomError(d.ledger, "InvalidLimits");
    await d.caps.setProductCap(0, 2n ** 112n - 1n);
    expect((await d.lens.productExposure(0))[1]).to.equal(2n ** 112n - 1n);
  });

  it("the ledger has no fallback: a module's repayment, rebate or recovery step cannot be called at its address", async () => {
    const d = await fixture();
    // The modules' steps (IModuleSteps) run only inside the ledger's own `repay`: called at the ledger's address
    // they must not exist.
    const module = new Interface([
      "function repayLate(uint256,uint256,address) returns (uint256)",
      "function feeRebate(uint256,uint256) returns (uint256,uint256)",
      "function recover(uint256,uint256) returns (uint256)",
    ]);
    const ledgerAddress = await d.ledger.getAddress();
    const fees = await d.lens.protocolFeesOwed();
    const calls = [
      module.encodeFunctionData("repayLate", [1n, 1n, ledgerAddress]),
      module.encodeFunctionData("feeRebate", [1n, 1n]),
      module.encodeFunctionData("recover", [1n, 1n]),
    ];
    for (const data of calls) {
      // No function of the ledger has these selectors, and nothing routes unknown calls anywhere.
      await expect(d.other.sendTransaction({ to: ledgerAddress, data })).to.be.revertedWithoutReason(ethers);
    }
    expect(await d.lens.protocolFeesOwed()).to.equal(fees);
    expect((await d.lens.productExposure(6))[0]).to.equal(0n);
    // Plain transfers of ether are refused too.
    await expect(d.other.sendTransaction({ to: ledgerAddress, value: 1n })).to.be.revertedWithoutReason(ethers);
  });
});
