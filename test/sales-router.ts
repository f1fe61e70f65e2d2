// SalesRouter (ISalesRouter): sales pay Active merchants in full, order ids are paid once, the on-chain history counts
// volume, sales, active days and refunds per 30-day window in O(1), and the SDK turns it into the merchant model's
// history. Every refusal decodes into its sentence and changes nothing.
import { expect } from "chai";
import { network } from "hardhat";
import { MERCHANT_MANAGER_ROLE } from "../src/sdk/merchants.ts";
import {
  connectSalesRouter,
  MAX_ORDER_ID,
  orderIdProblem,
  saleSplit,
  readSalesHistory,
  windowOf,
  windowStart,
} from "../src/sdk/sales.ts";
import { toMerchantHistory } from "../src/client/sales-history.ts";
import { validateMerchantHistory } from "../src/risk/merchant-history.ts";
import { DAY, ONE } from "./helpers/fixture.ts";
import { MERCHANT_LOAN_PRODUCT, SALES_SHARE } from "../src/config/defaults.ts";
import { refusal } from "./helpers/refusal.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

/** Merchant `merchantId`'s history as the SDK reads it from the router of `d`. */
async function historyOf(d: { router: { getAddress(): Promise<string> } }, merchantId: bigint) {
  return readSalesHistory(connectSalesRouter(await d.router.getAddress(), ethers.provider), merchantId);
}

async function setup() {
  const [admin, manager, owner, payout, customer, other, stranger] = await ethers.getSigners();
  const token = await ethers.deployContract("MockStablecoin");
  const registry = await ethers.deployContract("MerchantRegistry", [await token.getAddress(), admin.address]);
  await registry.grantRole(MERCHANT_MANAGER_ROLE, manager.address);
  // No merchant borrows here (test/SalesRouterLoans.t.sol covers the loans): the router asks the ledger only for its
  // token, so the registry (same `asset()`) stands for it.
  const router = await ethers.deployContract("SalesRouter", [
    await registry.getAddress(),
    await registry.getAddress(),
    MERCHANT_LOAN_PRODUCT.id,
    SALES_SHARE.shareBps,
    SALES_SHARE.lateShareBps,
  ]);
  const routerAddress = await router.getAddress();
  await registry.connect(manager).register(owner.address, 250, 5411);
  await registry.connect(owner).accept(1n, payout.address);
  for (const who of [customer, other, owner, payout, stranger]) {
    await token.faucet(who.address, 10_000n * ONE);
    await token.connect(who).approve(routerAddress, ethers.MaxUint256);
  }
  // Start at the beginning of a window, so a test's days stay in it.
  const now = BigInt(await networkHelpers.time.latest());
  await networkHelpers.time.increaseTo(windowStart(windowOf(now) + 1n) + 3_600n);
  return { token, registry, router, admin, manager, owner, payout, customer, other, stranger };
}

describe("SalesRouter", () => {
  it("test_pay_paysTheMerchantInFull: the payout address receives the whole sale and the window counts it", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const before = await d.token.balanceOf(d.payout.address);
    const tx = await d.router.connect(d.customer).pay(1n, 125n * ONE, 1001n);
    await expect(tx)
      .to.emit(d.router, "Sale")
      .withArgs(1n, 1001n, d.customer.address, d.payout.address, 125n * ONE);
    expect((await d.token.balanceOf(d.payout.address)) - before).to.equal(125n * ONE);
    expect(await d.token.balanceOf(await d.router.getAddress())).to.equal(0n);
    const at = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    expect(await d.router.firstSaleAt(1n)).to.equal(at);

    await d.router.connect(d.other).pay(1n, 5n * ONE, 1002n);
    const h = await historyOf(d, 1n);
    expect(h.current).to.deep.equal({
      window: windowOf(at),
      volume: 130n * ONE,
      sales: 2,
      refunds: 0n,
      activeDays: 1,
    });
    expect(h.complete).to.have.length(12);
    expect(h.complete.every((w) => w.volume === 0n && w.sales === 0 && w.activeDays === 0)).to.equal(true);
    expect(h.complete.map((w) => w.window)).to.deep.equal(
      Array.from({ length: 12 }, (_, i) => windowOf(at) - 1n - BigInt(i)),
    );
  });

  it("test_pay_activeDaysAndWindows: days with a sale are counted once, and a new window archives the last", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const start = BigInt(await networkHelpers.time.latest());
    const w0 = windowOf(start);
    await d.router.connect(d.customer).pay(1n, 10n * ONE, 1n);
    await d.router.connect(d.customer).pay(1n, 20n * ONE, 2n); // same day
    await networkHelpers.time.increase(DAY);
    await d.router.connect(d.customer).pay(1n, 30n * ONE, 3n);
    await networkHelpers.time.increase(5n * DAY);
    await d.router.connect(d.customer).pay(1n, 40n * ONE, 4n);
    await d.router.connect(d.payout).refund(1n, 2n, 5n * ONE, d.customer.address);

    // Next window: two sales on one day; the window before is archived with its refund.
    await networkHelpers.time.increaseTo(windowStart(w0 + 1n) + 7n * DAY);
    await d.router.connect(d.customer).pay(1n, 7n * ONE, 5n);
    await d.router.connect(d.customer).pay(1n, 8n * ONE, 6n);
    // Three windows later: one sale; the windows between read zero.
    await networkHelpers.time.increaseTo(windowStart(w0 + 4n) + DAY);
    await d.router.connect(d.customer).pay(1n, 1n * ONE, 7n);

    const h = await historyOf(d, 1n);
    expect(h.current).to.deep.equal({
      window: w0 + 4n,
      volume: 1n * ONE,
      sales: 1,
      refunds: 0n,
      activeDays: 1,
    });
    const [w3, w2, w1, first] = h.complete;
    for (const [w, n] of [
      [w3, 3n],
      [w2, 2n],
    ] as const) {
      expect(w).to.deep.equal({ window: w0 + n, volume: 0n, sales: 0, refunds: 0n, activeDays: 0 });
    }
    expect(w1).to.deep.equal({ window: w0 + 1n, volume: 15n * ONE, sales: 2, refunds: 0n, activeDays: 1 });
    expect(first).to.deep.equal({
      window: w0,
      volume: 100n * ONE,
      sales: 4,
      refunds: 5n * ONE,
      activeDays: 3,
    });
  });

  it("test_pay_thirteenWindowsBack: a window 13 or more windows old reads zero and never overwrites a newer one", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const w0 = windowOf(BigInt(await networkHelpers.time.latest()));
    await d.router.connect(d.customer).pay(1n, 50n * ONE, 1n);
    // 13 windows later, in the ring slot window w0 used: a refund first, then a sale that rolls the live word.
    await networkHelpers.time.increaseTo(windowStart(w0 + 13n) + DAY);
    await d.router.connect(d.owner).refund(1n, 1n, 2n * ONE, d.customer.address);
    await d.router.connect(d.customer).pay(1n, 9n * ONE, 2n);
    const h = await historyOf(d, 1n);
    expect(h.current).to.deep.equal({
      window: w0 + 13n,
      volume: 9n * ONE,
      sales: 1,
      refunds: 2n * ONE,
      activeDays: 1,
    });
    // Window w0 is out of the 13 returned; nothing of it shows in any of them.
    expect(h.complete.reduce((s, w) => s + w.volume + w.refunds, 0n)).to.equal(0n);
    expect(h.complete[11].window).to.equal(w0 + 1n);

    // 12 windows back is still kept: a sale now is read as window w0 + 13 from window w0 + 25.
    await networkHelpers.time.increaseTo(windowStart(w0 + 25n) + DAY);
    const later = await historyOf(d, 1n);
    expect(later.complete[11]).to.deep.equal({
      window: w0 + 13n,
      volume: 9n * ONE,
      sales: 1,
      refunds: 2n * ONE,
      activeDays: 1,
    });
  });

  it("test_pay_orderIdsPaidOnce: a repeated order id is refused, out-of-order ids within 48 are paid, older are refused", async () => {
    const d = await networkHelpers.loadFixture(setup);
    await d.router.connect(d.customer).pay(1n, ONE, 100n);
    await d.router.connect(d.customer).pay(1n, ONE, 98n); // out of order, still paid once
    await d.router.connect(d.customer).pay(1n, ONE, 140n); // 40 ahead: 98 and 100 stay remembered
    const payoutBefore = await d.token.balanceOf(d.payout.address);
    const customerBefore = await d.token.balanceOf(d.customer.address);
    for (const id of [100n, 98n, 140n]) {
      const e = await refusal(d.router.connect(d.other).pay(1n, ONE, id));
      expect(e.errorName).to.equal("OrderAlreadyPaid");
      expect(e.message).to.equal(`Order ${id} of merchant 1 is already paid; it is never paid twice.`);
    }
    expect(await d.router.orderPaid(1n, 100n)).to.equal(true);
    expect(await d.router.orderPaid(1n, 99n)).to.equal(false);
    expect(await d.router.highestOrderPaid(1n)).to.equal(140n);
    await d.router.connect(d.customer).pay(1n, ONE, 99n);
    expect((await refusal(d.router.connect(d.customer).pay(1n, ONE, 99n))).errorName).to.equal(
      "OrderAlreadyPaid",
    );
    // 140 − 92 = 48: no longer known, refused as if paid; 93 is the oldest still accepted.
    const tooOld = await refusal(d.router.connect(d.customer).pay(1n, ONE, 92n));
    expect(tooOld.errorName).to.equal("OrderIdTooOld");
    expect(tooOld.args.map(BigInt)).to.deep.equal([1n, 92n, 93n]);
    expect(await d.router.orderPaid(1n, 92n)).to.equal(true);
    expect(await d.router.orderPaid(1n, 93n)).to.equal(false);
    expect(orderIdProblem(92n, 140n)).to.equal("too old");
    expect(orderIdProblem(93n, 140n)).to.equal(undefined);
    // A jump of 48 or more forgets every id below the new highest's span.
    await d.router.connect(d.customer).pay(1n, ONE, 1_000n);
    expect(await d.router.orderPaid(1n, 999n)).to.equal(false);
    expect(await d.router.orderPaid(1n, 953n)).to.equal(false);
    expect(await d.router.orderPaid(1n, 952n)).to.equal(true);
    // No sale can use up the ids: at most 2^16 above the highest paid, and below 2^50.
    const ahead = await refusal(d.router.connect(d.customer).pay(1n, ONE, 1_000n + 65_537n));
    expect(ahead.errorName).to.equal("OrderIdTooFarAhead");
    expect(ahead.args.map(BigInt)).to.deep.equal([1n, 66_537n, 66_536n]);
    expect(orderIdProblem(66_537n, 1_000n)).to.equal("too far ahead");
    await d.router.connect(d.customer).pay(1n, ONE, 66_536n);
    const range = await refusal(d.router.connect(d.customer).pay(1n, ONE, MAX_ORDER_ID + 1n));
    expect(range.message).to.equal(
      `Order id ${MAX_ORDER_ID + 1n} is too large: order ids run from 0 to ${MAX_ORDER_ID}.`,
    );
    expect(orderIdProblem(MAX_ORDER_ID + 1n, 0n)).to.equal("out of range");
    // The refused sales moved nothing; the ones paid since (99, 1000, 66,536) moved 3 tokens.
    expect(await d.token.balanceOf(d.payout.address)).to.equal(payoutBefore + 3n * ONE);
    expect(await d.token.balanceOf(d.customer.address)).to.equal(customerBefore - 3n * ONE);
    const h = await historyOf(d, 1n);
    expect(h.current.sales).to.equal(6);
    expect(h.current.volume).to.equal(6n * ONE);
  });

  it("test_pay_strangerCannotUseUpTheIds: a first sale far ahead is refused; a payer can only push the highest by 2^16", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const first = await refusal(d.router.connect(d.stranger).pay(1n, 1n, MAX_ORDER_ID));
    expect(first.message).to.equal(
      `Order ${MAX_ORDER_ID} of merchant 1 is too far above the newest order paid (the highest accepted now is 65536); ` +
        "number orders from 1 in the order they are issued.",
    );
    expect(await d.router.firstSaleAt(1n)).to.equal(0n);
    // A griefer's 1-unit sale at the furthest id makes the merchant's earlier ids too old, and pays the merchant;
    // the merchant's next ids still work.
    await d.router.connect(d.stranger).pay(1n, 1n, 65_536n);
    expect((await refusal(d.router.connect(d.customer).pay(1n, ONE, 10n))).errorName).to.equal(
      "OrderIdTooOld",
    );
    await d.router.connect(d.customer).pay(1n, ONE, 65_537n);
    const h = await historyOf(d, 1n);
    expect(h.current.volume).to.equal(ONE + 1n);
  });

  it("test_pay_orderIdsPerMerchant: the same order id pays two merchants", async () => {
    const d = await networkHelpers.loadFixture(setup);
    await d.registry.connect(d.manager).register(d.other.address, 100, 5812);
    await d.registry.connect(d.other).accept(2n, d.stranger.address);
    await d.router.connect(d.customer).pay(1n, ONE, 7n);
    await d.router.connect(d.customer).pay(2n, 2n * ONE, 7n);
    expect(await d.router.orderPaid(1n, 7n)).to.equal(true);
    expect(await d.router.orderPaid(2n, 7n)).to.equal(true);
    const h2 = await historyOf(d, 2n);
    expect(h2.current.volume).to.equal(2n * ONE);
  });

  it("test_pay_refusesMerchantsThatMayNotBePaid: unknown, pending, suspended and closed merchants, zero and oversize amounts", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const customerBefore = await d.token.balanceOf(d.customer.address);
    const unknown = await refusal(d.router.connect(d.customer).pay(9n, ONE, 1n));
    expect(unknown.message).to.equal("Merchant 9 is not registered.");
    await d.registry.connect(d.manager).register(d.other.address, 100, 5812);
    expect((await refusal(d.router.connect(d.customer).pay(2n, ONE, 1n))).errorName).to.equal(
      "MerchantPending",
    );
    await d.registry.connect(d.manager).suspend(1n);
    expect((await refusal(d.router.connect(d.customer).pay(1n, ONE, 1n))).errorName).to.equal(
      "MerchantSuspended",
    );
    await d.registry.connect(d.manager).reactivate(1n);
    const zero = await refusal(d.router.connect(d.customer).pay(1n, 0n, 1n));
    expect(zero.message).to.equal("The amount must be greater than zero.");
    const big = await refusal(d.router.connect(d.customer).pay(1n, 1n << 96n, 1n));
    expect(big.errorName).to.equal("SaleAmountTooLarge");
    await d.registry.connect(d.owner).close(1n);
    expect((await refusal(d.router.connect(d.customer).pay(1n, ONE, 1n))).errorName).to.equal(
      "MerchantClosed",
    );
    expect(await d.token.balanceOf(d.customer.address)).to.equal(customerBefore);
    expect(await d.router.firstSaleAt(1n)).to.equal(0n);
    expect(await d.router.orderPaid(1n, 1n)).to.equal(false);
  });

  it("test_refund_onlyTheMerchant: owner or payout pay the refund, counted in the current window; others are refused", async () => {
    const d = await networkHelpers.loadFixture(setup);
    await d.router.connect(d.customer).pay(1n, 40n * ONE, 1n);
    const customerBefore = await d.token.balanceOf(d.customer.address);
    await expect(d.router.connect(d.owner).refund(1n, 1n, 3n * ONE, d.customer.address))
      .to.emit(d.router, "Refund")
      .withArgs(1n, 1n, d.customer.address, d.owner.address, 3n * ONE);
    await d.router.connect(d.payout).refund(1n, 1n, 2n * ONE, d.customer.address);
    expect((await d.token.balanceOf(d.customer.address)) - customerBefore).to.equal(5n * ONE);
    // A stranger's "refund" would lower the merchant's record at no cost (paid to itself): refused.
    const e = await refusal(d.router.connect(d.stranger).refund(1n, 1n, ONE, d.stranger.address));
    expect(e.message).to.equal(
      `${d.stranger.address} is neither the owner nor the payout address of merchant 1, and may not refund its sales.`,
    );
    expect(
      (await refusal(d.router.connect(d.owner).refund(1n, 1n, ONE, ethers.ZeroAddress))).errorName,
    ).to.equal("InvalidRefundRecipient");
    expect(
      (await refusal(d.router.connect(d.owner).refund(1n, 1n, 0n, d.customer.address))).errorName,
    ).to.equal("ZeroAmount");
    expect(
      (await refusal(d.router.connect(d.owner).refund(5n, 1n, ONE, d.customer.address))).errorName,
    ).to.equal("UnknownMerchant");
    const h = await historyOf(d, 1n);
    expect(h.current).to.include({ volume: 40n * ONE, sales: 1, refunds: 5n * ONE, activeDays: 1 });
  });

  it("test_pay_gasDoesNotGrowWithSales: the 512th sale costs what the 2nd does (one slot written)", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const gasOf = async (id: bigint) =>
      (await (await d.router.connect(d.customer).pay(1n, ONE, id)).wait())!.gasUsed;
    await d.router.connect(d.customer).pay(1n, ONE, 1n);
    const second = await gasOf(2n);
    for (let id = 3n; id < 512n; id++) await d.router.connect(d.other).pay(1n, ONE, id);
    // 512 = 0x0200 has as many non-zero calldata bytes as 2.
    expect(await gasOf(512n)).to.equal(second);
  });

  it("test_saleSplit_isTheRoutersSplit: the share rounded down, capped at what the loans owe, the rest the merchant's", () => {
    expect(saleSplit(1_000n, 2_000n)).to.deep.equal({ share: 200n, toLoans: 200n, toMerchant: 800n });
    expect(saleSplit(1_000n, 2_000n, 150n)).to.deep.equal({ share: 200n, toLoans: 150n, toMerchant: 850n });
    expect(saleSplit(1_003n, 5_000n)).to.deep.equal({ share: 501n, toLoans: 501n, toMerchant: 502n });
    expect(saleSplit(4n, 2_000n)).to.deep.equal({ share: 0n, toLoans: 0n, toMerchant: 4n }); // under a unit of share
    expect(saleSplit(1_000n, 0n)).to.deep.equal({ share: 0n, toLoans: 0n, toMerchant: 1_000n }); // nothing owed
    expect(() => saleSplit(10n, 2_000n, -1n)).to.throw(RangeError);
    expect(() => saleSplit(10n, 10_001n)).to.throw(RangeError);
  });

  it("test_toMerchantHistory_feedsTheModel: complete windows within the tenure, refunds carried to earlier windows", () => {
    const w = (window: bigint, volume: bigint, sales: number, refunds: bigint, activeDays: number) => ({
      window,
      volume,
      sales,
      refunds,
      activeDays,
    });
    const complete = [
      w(99n, 100n, 5, 130n, 3), // refunds above its volume: 30 carried to window 98
      w(98n, 200n, 8, 10n, 6),
      w(97n, 300n, 9, 0n, 7),
      ...Array.from({ length: 9 }, (_, i) => w(96n - BigInt(i), 0n, 0, 0n, 0)),
    ];
    const h = { current: w(100n, 50n, 2, 0n, 1), complete, firstSaleAt: 1_000n };
    const now = 1_000n + 95n * DAY + 5n;
    const m = toMerchantHistory(h, now, { loansRepaid: 1, loansLate: 0, loansDefaulted: 0 });
    expect(m.tenureDays).to.equal(95);
    expect(m.windows).to.deep.equal([
      { volume: 100n, sales: 5, refunds: 100n, activeDays: 3 },
      { volume: 200n, sales: 8, refunds: 40n, activeDays: 6 },
      { volume: 300n, sales: 9, refunds: 0n, activeDays: 7 },
    ]);
    expect(m.loansRepaid).to.equal(1);
    validateMerchantHistory(m);
    expect(toMerchantHistory({ ...h, firstSaleAt: 0n }, now).windows).to.deep.equal([]);
  });
});
