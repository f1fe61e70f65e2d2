// The SDK's SalesRouter (src/client/sales-router.ts) on an in-process chain with the real ledger: a merchant's owner
// borrows against its sales, a customer pays a sale whose share repays the loan, and every refusal is one sentence
// that leaves no approval and no consent behind.
import { expect } from "chai";
import { network } from "hardhat";
import { Microcredit, MicrocreditError, SalesRouter } from "../src/client/index.ts";
import { MERCHANT_MANAGER_ROLE } from "../src/sdk/merchants.ts";
import { MERCHANT_LOAN_MASK, MERCHANT_LOAN_PRODUCT, SALES_SHARE } from "../src/config/defaults.ts";
import { rejection } from "./helpers/refusal.ts";
import { deployMicrocredit, ONE } from "./helpers/fixture.ts";

const connection = await network.create();
const { networkHelpers } = connection;

async function setup() {
  const d = await deployMicrocredit(connection);
  const { ethers } = d;
  const [, , , , , , owner, payout, customer, secondOwner, stranger] = await ethers.getSigners();
  await d.pool.connect(d.lender).deposit(100_000n * ONE, d.lender.address);
  const registry = await ethers.deployContract("MerchantRegistry", [
    await d.token.getAddress(),
    d.admin.address,
  ]);
  await registry.grantRole(MERCHANT_MANAGER_ROLE, d.admin.address);
  const router = await ethers.deployContract("SalesRouter", [
    await registry.getAddress(),
    await d.ledger.getAddress(),
    MERCHANT_LOAN_PRODUCT.id,
    SALES_SHARE.shareBps,
    SALES_SHARE.lateShareBps,
  ]);
  const p = MERCHANT_LOAN_PRODUCT;
  await d.ledger.setProduct(p.id, p.method, p.instalments, p.periodDays, true);
  await d.ledger.setProductOriginator(p.id, await router.getAddress());
  for (const [merchantOwner, merchantPayout] of [
    [owner, payout],
    [secondOwner, secondOwner],
  ]) {
    await registry.register(merchantOwner.address, 250, 5411);
    const merchantId = await registry.merchantCount();
    await registry.connect(merchantOwner).accept(merchantId, merchantPayout.address);
    await d.ledger
      .connect(d.underwriter)
      .setLine(merchantOwner.address, 10_000n * ONE, 1_800, MERCHANT_LOAN_MASK, 1);
  }
  await d.token.faucet(customer.address, 10_000n * ONE);
  const addresses = {
    ledger: await d.ledger.getAddress(),
    lens: await d.lens.getAddress(),
    pool: await d.pool.getAddress(),
    quotes: await d.quotes.getAddress(),
    merchantRegistry: await registry.getAddress(),
    salesRouter: await router.getAddress(),
  };
  const salesFor = async (signer: typeof owner) =>
    SalesRouter.connect(await Microcredit.connect(signer, addresses));
  return { ...d, registry, router, owner, payout, customer, secondOwner, stranger, addresses, salesFor };
}

describe("SDK: SalesRouter", () => {
  it("test_salesRouterClient_borrowThenSale: the owner borrows (consent given once), a sale's 20 % repays the loan", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const routerAt = d.addresses.salesRouter;
    const owner = await d.salesFor(d.owner);
    expect(await d.lens.originatorAllowed(d.owner.address, routerAt)).to.equal(false);
    const payoutBefore = await d.token.balanceOf(d.payout.address);

    const { value: b } = await owner.borrow(1n, 1_000n * ONE);
    expect(b.allowTx).to.match(/^0x[0-9a-f]{64}$/);
    expect(await d.lens.originatorAllowed(d.owner.address, routerAt)).to.equal(true);
    expect(b.payout).to.equal(d.payout.address);
    expect(b.received).to.equal(1_000n * ONE); // the merchant loan has no fee
    expect((await d.token.balanceOf(d.payout.address)) - payoutBefore).to.equal(b.received);
    expect(b.bounds.minReceived).to.equal(1_000n * ONE); // from the quote read just before
    expect(b.bounds.payments).to.equal(MERCHANT_LOAN_PRODUCT.instalments);
    const loans = await owner.loans(1n);
    expect(loans.loanIds).to.deep.equal([b.loanId]);
    expect(loans.shareBps).to.equal(BigInt(SALES_SHARE.shareBps));

    // A second borrow needs no consent transaction.
    const { value: again } = await owner.borrow(1n, 100n * ONE);
    expect(again.allowTx).to.equal(null);

    const customer = await d.salesFor(d.customer);
    const before = (await customer.client.loan(b.loanId)).principalOutstanding;
    const { value: sale } = await customer.pay(1n, 500n * ONE, 7n);
    expect(sale.repaid).to.deep.equal([{ loanId: b.loanId, amount: 100n * ONE }]);
    expect(sale.toMerchant).to.equal(400n * ONE);
    const after = await customer.client.loan(b.loanId);
    expect(before - after.principalOutstanding).to.be.greaterThan(0n);
    expect(await d.token.allowance(d.customer.address, routerAt)).to.equal(0n); // approved exactly the sale
  });

  it("test_salesRouterClient_refusals: each in one sentence, nothing sent for what the views tell, undone otherwise", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const routerAt = d.addresses.salesRouter;
    const customer = await d.salesFor(d.customer);
    await customer.pay(1n, 50n * ONE, 7n);
    const nonce = () => d.ethers.provider.getTransactionCount(d.customer.address);
    const sent = await nonce();

    // What the router's rules refuse is refused with its error, and its values, before any transaction.
    for (const [merchantId, amount, orderId, name, args] of [
      [1n, 50n * ONE, 7n, "OrderAlreadyPaid", [1n, 7n]],
      [1n, 0n, 8n, "ZeroAmount", []],
      [1n, 50n * ONE, 7n + 70_000n, "OrderIdTooFarAhead", [1n, 7n + 70_000n, 7n + 65_536n]],
      [9n, 50n * ONE, 1n, "UnknownMerchant", [9n]],
    ] as const) {
      const refused = await rejection(customer.pay(merchantId, amount, orderId));
      expect(refused, refused.message).to.be.instanceOf(MicrocreditError);
      expect((refused as MicrocreditError).errorName).to.equal(name);
      expect([...(refused as MicrocreditError).args]).to.deep.equal(args);
    }
    expect(await nonce()).to.equal(sent);
    // An id 48 below the highest paid is too old, not "already paid" (the router forgets ids that far back).
    await customer.pay(1n, ONE, 100n);
    const stale = (await rejection(customer.pay(1n, ONE, 52n))) as MicrocreditError;
    expect(stale.errorName).to.equal("OrderIdTooOld");
    expect([...stale.args]).to.deep.equal([1n, 52n, 53n]);
    expect(await nonce()).to.equal(sent + 2); // the approval and the sale of order 100
    expect(await d.token.allowance(d.customer.address, routerAt)).to.equal(0n);

    // A sale the payer's balance cannot cover reverts once approved: the allowance goes back to what it was.
    await d.token.connect(d.customer).approve(routerAt, 3n * ONE);
    const short = await rejection(customer.pay(1n, 20_000n * ONE, 8n));
    expect(short).to.be.instanceOf(MicrocreditError);
    expect(await d.token.allowance(d.customer.address, routerAt)).to.equal(3n * ONE);

    // Another key than the owner's: refused before the consent.
    const stranger = await d.salesFor(d.stranger);
    const strangerSent = await d.ethers.provider.getTransactionCount(d.stranger.address);
    const notOwner = await rejection(stranger.borrow(1n, 100n * ONE));
    expect(notOwner).to.be.instanceOf(MicrocreditError);
    expect(notOwner.message).to.contain(d.stranger.address);
    expect(await d.ethers.provider.getTransactionCount(d.stranger.address)).to.equal(strangerSent);
    expect(await d.lens.originatorAllowed(d.stranger.address, routerAt)).to.equal(false);

    // Bounds the ledger refuses: the consent given for the borrow is taken back.
    const second = await d.salesFor(d.secondOwner);
    const quoted = (await second.client.quote(MERCHANT_LOAN_PRODUCT.id, 100n * ONE)).bounds;
    const secondSent = await d.ethers.provider.getTransactionCount(d.secondOwner.address);
    const tooDear = await rejection(
      second.borrow(2n, 100n * ONE, { ...quoted, maxAprBps: quoted.maxAprBps - 1n }),
    );
    expect(tooDear).to.be.instanceOf(MicrocreditError);
    expect(tooDear.message).to.match(/APR/);
    expect(await d.lens.originatorAllowed(d.secondOwner.address, routerAt)).to.equal(false);
    // Consent given, then taken back: two transactions, and no loan.
    expect(await d.ethers.provider.getTransactionCount(d.secondOwner.address)).to.equal(secondSent + 2);
    expect((await second.loans(2n)).loanIds).to.deep.equal([]);
  });

  it("test_salesRouterClient_connect: a router of another registry or no router is refused; a provider reads only", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const elsewhere = await Microcredit.connect(d.owner, {
      ...d.addresses,
      merchantRegistry: d.addresses.ledger,
    });
    const wrong = await rejection(SalesRouter.connect(elsewhere));
    expect(wrong.message).to.contain(`reads the registry ${d.addresses.merchantRegistry}`);
    const notRouter = await Microcredit.connect(d.owner, { ...d.addresses, salesRouter: d.addresses.quotes });
    expect((await rejection(SalesRouter.connect(notRouter))).message).to.contain(
      "does not answer as a sales router",
    );

    const reader = await SalesRouter.connect(await Microcredit.connect(d.ethers.provider, d.addresses));
    expect((await reader.loans(1n)).loanIds).to.deep.equal([]);
    expect((await rejection(reader.pay(1n, ONE, 1n))).message).to.contain("needs a signer");
  });
});
