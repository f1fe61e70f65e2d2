// The Microcredit client (src/client/) on an in-process chain: what it approves for a payment, and what it refuses
// at connection. The full lender → borrower lifecycle through the installed package is scripts/pack-check.sh's.
import { expect } from "chai";
import { network } from "hardhat";
import { Microcredit } from "../src/client/index.ts";
import { deployMicrocredit, ALL_PRODUCTS_MASK, ONE } from "./helpers/fixture.ts";

const connection = await network.create();
const { networkHelpers } = connection;

async function setup() {
  const d = await deployMicrocredit(connection);
  await d.pool.connect(d.lender).deposit(100_000n * ONE, d.lender.address);
  // A borrower of its own, whose allowance to the ledger the test sets (the fixture's borrowers approve unlimited).
  const [, , , , , , borrower] = await d.ethers.getSigners();
  await d.token.faucet(borrower.address, 10_000n * ONE);
  await d.ledger.connect(d.underwriter).setLine(borrower.address, 5_000n * ONE, 1_800, ALL_PRODUCTS_MASK, 1);
  const addresses = { ledger: await d.ledger.getAddress(), pool: await d.pool.getAddress() };
  const client = await Microcredit.connect(borrower, addresses);
  return { ...d, borrower, addresses, client };
}

describe("Microcredit client", () => {
  it("a payoff keeps the allowance a collection mandate draws on", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const ledger = await d.ledger.getAddress();
    await d.ledger.connect(d.borrower).setMandate(0);
    await d.token.connect(d.borrower).approve(ledger, 300n * ONE); // the mandate's budget
    const { value: loanId } = await d.client.draw(0, 1_000n * ONE);
    await networkHelpers.time.increase(10n * 86_400n);
    const { value: paid } = await d.client.payoff(loanId);
    expect(paid).to.be.greaterThan(1_000n * ONE);
    const left = await d.token.allowance(d.borrower.address, ledger);
    expect(left).to.be.at.least(300n * ONE, "the mandate's 300 are still there");
    expect((await d.ledger.loanRecord(loanId)).status).to.equal(2n); // Repaid
  });

  it("without a mandate, a repayment raises the allowance to the payment only", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const ledger = await d.ledger.getAddress();
    const { value: loanId } = await d.client.draw(0, 1_000n * ONE);
    await d.client.repay(loanId, 100n * ONE);
    expect(await d.token.allowance(d.borrower.address, ledger)).to.equal(0n);
  });

  it("refuses a token that is not the pool's asset", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const other = await d.ethers.deployContract("MockStablecoin");
    const token = await other.getAddress();
    const refused = await Microcredit.connect(d.borrower, { ...d.addresses, token }).then(
      () => "connected",
      (error: Error) => error.message,
    );
    expect(refused).to.equal(`the token ${token} is not the pool's asset ${await d.token.getAddress()}`);
  });
});
