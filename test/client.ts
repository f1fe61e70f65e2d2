// The Microcredit client (src/client/) on an in-process chain: what it approves for a payment, the redemption queue,
// quotes and bounded draws, permits, typed events, and how it finds a deployment. The full lender → borrower
// lifecycle through the installed package is scripts/pack-check.sh's.
import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, MaxUint256, Wallet } from "ethers";
import { network } from "hardhat";
import { deploymentOf, eventsNamed, Microcredit, MicrocreditError, rpcUrlOf } from "../src/client/index.ts";
import { rejection } from "./helpers/refusal.ts";
import {
  deployMicrocredit,
  ALL_PRODUCTS_MASK,
  FEE_PRODUCTS,
  FEE_PRODUCTS_MASK,
  ONE,
} from "./helpers/fixture.ts";

const connection = await network.create();
const { networkHelpers } = connection;

async function setup() {
  const d = await deployMicrocredit(connection);
  await d.pool.connect(d.lender).deposit(100_000n * ONE, d.lender.address);
  // A borrower of its own, whose allowance to the ledger the test sets (the fixture's borrowers approve unlimited).
  const [, , , , , , borrower] = await d.ethers.getSigners();
  await d.token.faucet(borrower.address, 10_000n * ONE);
  await d.ledger.connect(d.underwriter).setLine(borrower.address, 5_000n * ONE, 1_800, ALL_PRODUCTS_MASK, 1);
  const addresses = {
    ledger: await d.ledger.getAddress(),
    lens: await d.lens.getAddress(),
    pool: await d.pool.getAddress(),
  };
  const client = await Microcredit.connect(borrower, { ...addresses, quotes: await d.quotes.getAddress() });
  const lenderClient = await Microcredit.connect(d.lender, addresses);
  return { ...d, fixtureBorrower: d.borrower, borrower, addresses, client, lenderClient };
}

/** Lends out all the pool's cash but its liquidity reserve, to the fixture's borrower: exits must queue. */
async function lentOut() {
  const d = await networkHelpers.loadFixture(setup);
  await d.ledger
    .connect(d.underwriter)
    .setLine(d.fixtureBorrower.address, 200_000n * ONE, 1_800, ALL_PRODUCTS_MASK, 1);
  await d.ledger.connect(d.fixtureBorrower).draw(5, await d.ledger.availableLiquidity());
  return d;
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
    expect((await d.lens.loanRecord(loanId)).status).to.equal(2n); // Repaid
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

describe("Microcredit client: what a payment approves", () => {
  it("a deployment address without code is one sentence at connection", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const nowhere = "0x00000000000000000000000000000000000000AA";
    const refused = await rejection(Microcredit.connect(d.borrower, { ...d.addresses, pool: nowhere }));
    expect(refused.message).to.equal(`no contract at ${nowhere} (the pool address) on chain 31337`);
  });

  it("reads through the deployment's CreditLens: addresses without one or with another ledger's are refused", async () => {
    const d = await networkHelpers.loadFixture(setup);
    expect(d.client.addresses.lens).to.equal(await d.lens.getAddress());
    expect((await d.client.line()).limit).to.equal(5_000n * ONE);
    const { lens: _lens, ...withoutLens } = d.addresses;
    const missing = await rejection(Microcredit.connect(d.borrower, withoutLens as typeof d.addresses));
    expect(missing.message).to.equal(
      `the addresses lack lens: give the CreditLens of ledger ${d.addresses.ledger} ` +
        "(Microcredit#CreditLens in its Ignition deployment)",
    );
    // A lens deployed for another ledger (here: over the pool's address) would answer for another book.
    const foreign = await d.ethers.deployContract("CreditLens", [d.addresses.pool]);
    const lens = await foreign.getAddress();
    const mismatched = await rejection(Microcredit.connect(d.borrower, { ...d.addresses, lens }));
    expect(mismatched.message).to.equal(
      `the CreditLens ${lens} reads the ledger ${d.addresses.pool}, not ${d.addresses.ledger}`,
    );
    // Not a lens at all: the token has no ledger(); the pool has one (the same ledger) but no lens view.
    for (const other of [await d.token.getAddress(), d.addresses.pool]) {
      const refused = await rejection(Microcredit.connect(d.borrower, { ...d.addresses, lens: other }));
      expect(refused.message).to.match(new RegExp(`^${other} \\(the lens address\\) is not a CreditLens: `));
    }
  });

  it("a repayment the ledger refuses for another reason approves nothing", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const ledger = await d.ledger.getAddress();
    const { value: loanId } = await d.client.draw(0, 1_000n * ONE);
    const refused = await rejection(d.client.repay(loanId, 5_000n * ONE)); // more than the payoff
    expect(refused).to.be.instanceOf(MicrocreditError);
    expect(await d.token.allowance(d.borrower.address, ledger)).to.equal(0n, "no approve was sent");
  });

  it("a repayment that reverts once approved puts the allowance back and says why in one sentence", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const ledger = await d.ledger.getAddress();
    const { value: loanId } = await d.client.draw(0, 1_000n * ONE);
    await d.token.connect(d.borrower).approve(ledger, 20n * ONE);
    // 50 left in the wallet: the token checks the allowance first, so the client's dry run sees only the allowance
    // short, approves 100, and the payment then reverts on the balance.
    const balance = await d.token.balanceOf(d.borrower.address);
    await d.token.connect(d.borrower).transfer(d.lender.address, balance - 50n * ONE);
    const nonce = await d.borrower.getNonce();
    const refused = await rejection(d.client.repay(loanId, 100n * ONE));
    expect(refused).to.be.instanceOf(MicrocreditError);
    expect((refused as MicrocreditError).errorName).to.equal("ERC20InsufficientBalance");
    expect(refused.message).to.not.match(/could not be put back/);
    expect(await d.token.allowance(d.borrower.address, ledger)).to.equal(
      20n * ONE,
      "the allowance is back at 20",
    );
    expect(await d.borrower.getNonce()).to.equal(
      nonce + 2,
      "one approve out and one back, no repayment mined",
    );
    expect((await d.lens.loanRecord(loanId)).principalPaid).to.equal(0n);
  });

  it("a deposit that reverts once approved puts the pool's allowance back", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const pool = await d.pool.getAddress();
    const nonce = await d.borrower.getNonce();
    const refused = await rejection(d.client.deposit(20_000n * ONE)); // the wallet holds 10,000
    expect((refused as MicrocreditError).errorName).to.equal("ERC20InsufficientBalance");
    expect(await d.token.allowance(d.borrower.address, pool)).to.equal(0n, "the approval was put back");
    expect(await d.borrower.getNonce()).to.equal(nonce + 2, "one approve out and one back, no deposit mined");
    expect(await d.pool.balanceOf(d.borrower.address)).to.equal(0n);
  });

  it("a payoff whose bound had to cover an unseen latent penalty takes the rest of the allowance back", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const ledger = await d.ledger.getAddress();
    const { value: loanId } = await d.client.draw(1, 1_000n * ONE);
    const [dueAt] = (await d.quotes.loanSchedule(loanId))[0] as bigint[];
    const { graceDays } = await d.lens.riskParams();
    await networkHelpers.time.increaseTo(dueAt + 86_400n);
    await d.ledger.mark([loanId]); // into Grace: its latent penalty is in no view
    // Grace ends within the hour the payoff's allowance covers.
    await networkHelpers.time.increaseTo(dueAt + BigInt(graceDays) * 86_400n - 1_800n);
    const { value: paid } = await d.client.payoff(loanId);
    expect(paid).to.be.greaterThan(1_000n * ONE);
    expect((await d.lens.loanRecord(loanId)).status).to.equal(2n); // Repaid
    expect(await d.token.allowance(d.borrower.address, ledger)).to.equal(0n, "the rest was taken back");
  });
});

describe("Microcredit client: the lender's queue", () => {
  it("queues, shows the shares ahead, cancels, and claims exactly what the fill booked", async () => {
    const d = await lentOut();
    // Nothing can leave now: redeemAll redeems nothing rather than revert.
    expect((await d.lenderClient.redeemAll()).value).to.deep.equal({ shares: 0n, assets: 0n });
    const other = await Microcredit.connect(d.other, d.addresses);
    const { value: otherShares } = await other.deposit(1_000n * ONE);
    const { value: first } = await other.requestRedeem(otherShares);
    const { shares } = await d.lenderClient.position();
    const { value: cancelled } = await d.lenderClient.requestRedeem(shares / 4n);
    const { value: kept } = await d.lenderClient.requestRedeem(shares / 2n);
    expect([first, cancelled, kept]).to.deep.equal([0n, 1n, 2n]);

    const { value: returned } = await d.lenderClient.cancelRedeem(cancelled);
    expect(returned).to.equal(shares / 4n);
    const position = await d.lenderClient.queuePosition();
    expect(position.requests).to.deep.equal([
      { requestId: 2n, shares: shares / 2n, sharesAhead: otherShares },
    ]);
    expect([position.head, position.tail, position.truncated]).to.deep.equal([0n, 3n, false]);
    expect(position.queuedShares).to.equal(otherShares + shares / 2n);
    const capped = await d.lenderClient.queuePosition(d.lender.address, { maxRequests: 2 });
    expect([capped.requests.length, capped.truncated]).to.deep.equal([0, true]);
    expect((await other.queuePosition()).requests).to.deep.equal([
      { requestId: 0n, shares: otherShares, sharesAhead: 0n },
    ]);

    const loanId = await d.lens.loanIdOf(d.fixtureBorrower.address, 1);
    await networkHelpers.time.increase(30n * 86_400n);
    await d.ledger.connect(d.fixtureBorrower).repay(loanId, MaxUint256);
    const fill = await (await d.pool.processRedemptions(10)).wait();
    const filled = eventsNamed(d.lenderClient.events(fill!), "RedeemFilled");
    expect(filled.map((e) => e.args.requestId)).to.deep.equal([0n, 2n]);
    const owed = filled[1].args.assets;
    expect((await d.lenderClient.position()).claimable).to.equal(owed);
    expect((await d.lenderClient.queuePosition()).requests).to.deep.equal([]);

    const before = await d.token.balanceOf(d.lender.address);
    const { value: paid } = await d.lenderClient.claim();
    expect(paid).to.equal(owed);
    expect((await d.token.balanceOf(d.lender.address)) - before).to.equal(owed);
    const nothing = await rejection(d.lenderClient.claim());
    expect(nothing).to.be.instanceOf(MicrocreditError);
    expect(nothing.message).to.match(/has no filled redemption to claim\.$/);
  });

  it("redeemAll takes what can leave when the transaction runs, where a redeem of an older maxRedeem reverts", async () => {
    const d = await networkHelpers.loadFixture(setup);
    await d.ledger
      .connect(d.underwriter)
      .setLine(d.fixtureBorrower.address, 200_000n * ONE, 1_800, ALL_PRODUCTS_MASK, 1);
    await d.ledger.connect(d.fixtureBorrower).draw(5, 60_000n * ONE);
    const { shares, maxRedeem } = await d.lenderClient.position();
    expect(maxRedeem).to.be.lessThan(shares);
    await networkHelpers.time.increase(10n * 86_400n); // interest raises the share price: maxRedeem falls
    const stale = await rejection(d.lenderClient.redeem(maxRedeem));
    expect((stale as MicrocreditError).errorName).to.equal("ERC4626ExceededMaxRedeem");

    const before = await d.token.balanceOf(d.lender.address);
    const { value } = await d.lenderClient.redeemAll();
    expect(value.shares).to.be.greaterThan(0n).and.lessThan(maxRedeem);
    expect((await d.lenderClient.position()).shares).to.equal(shares - value.shares);
    expect((await d.token.balanceOf(d.lender.address)) - before).to.equal(value.assets);
  });
});

describe("Microcredit client: the borrower's quote, mandate and events", () => {
  it("a draw within its quote's bounds discloses the quote's figures; tighter bounds refuse it", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const mask = ALL_PRODUCTS_MASK | FEE_PRODUCTS_MASK;
    await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 5_000n * ONE, 1_800, mask, 1);
    const product = FEE_PRODUCTS[0];
    const q = await d.client.quote(product.id, 1_000n * ONE);
    expect(q.disclosure.totalFees).to.equal((1_000n * ONE * BigInt(product.feeBps)) / 10_000n);
    expect(q.disclosure.aprBps).to.be.greaterThan(1_800n); // the fee adds to the APR
    expect(q.bounds).to.deep.equal({
      maxAprBps: q.disclosure.aprBps,
      minReceived: q.disclosure.netDisbursed,
      method: product.method,
      payments: q.disclosure.payments.length,
      periodDays: Number(q.disclosure.periodDays),
    });
    const tighter = { ...q.bounds, maxAprBps: q.bounds.maxAprBps - 1n };
    const refused = await rejection(d.client.draw(product.id, 1_000n * ONE, tighter));
    expect((refused as MicrocreditError).errorName).to.equal("AprAboveBound");

    const before = await d.token.balanceOf(d.borrower.address);
    const { value: loanId, receipt } = await d.client.draw(product.id, 1_000n * ONE, q.bounds);
    const [disclosed] = eventsNamed(d.client.events(receipt), "Drawn");
    expect(disclosed.args).to.deep.include({
      loanId,
      aprBps: q.disclosure.aprBps,
      totalFees: q.disclosure.totalFees,
      totalInterest: q.disclosure.totalInterest,
    });
    expect(disclosed.args.principal + disclosed.args.totalInterest).to.equal(q.disclosure.totalRepayable);
    expect((await d.token.balanceOf(d.borrower.address)) - before).to.equal(q.disclosure.netDisbursed);

    const bare = await Microcredit.connect(d.borrower, d.addresses);
    const missing = await rejection(bare.quote(product.id, 1_000n * ONE));
    expect(missing.message).to.equal(
      "this needs the CreditQuotes address: connect with { quotes } or a deployment that lists it",
    );
  });

  it("plan() is the loan's plan as drawn, the same from CreditQuotes and from microcredit/core", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const quoted = await d.client.quote(1, 1_000n * ONE);
    const { value: loanId } = await d.client.draw(1, 1_000n * ONE, quoted.bounds);
    const fromQuotes = await d.client.plan(loanId);
    const withoutQuotes = await Microcredit.connect(d.borrower, d.addresses);
    const fromCore = await withoutQuotes.plan(loanId);
    expect(fromQuotes.source).to.equal("CreditQuotes.loanSchedule");
    expect(fromCore.source).to.equal("microcredit/core schedule");
    expect(fromCore.rows).to.deep.equal(fromQuotes.rows);
    expect(fromQuotes.rows.map((r) => r.payment)).to.deep.equal(quoted.disclosure.payments);
    // The quote's due dates count from its block; the loan's from the draw's block, a second later.
    const drawnAt = BigInt((await d.lens.loanRecord(loanId)).drawnAt);
    const quotedAt = drawnAt - (fromQuotes.rows[0].dueAt - quoted.disclosure.dueDates[0]);
    expect(fromQuotes.rows.map((r) => r.dueAt - drawnAt)).to.deep.equal(
      quoted.disclosure.dueDates.map((t) => t - quotedAt),
    );
    expect(fromQuotes.rows.reduce((sum, r) => sum + r.principal, 0n)).to.equal(1_000n * ONE);
    const refused = await withoutQuotes.plan(loanId + 1n).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(refused?.message).to.match(/^Loan .* does not exist\.$/);
  });

  it("setMandateWithPermit sets the mandate and the allowance in one transaction, with no approve", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const ledger = await d.ledger.getAddress();
    expect(await d.token.allowance(d.borrower.address, ledger)).to.equal(0n);
    const nonce = await d.ethers.provider.getTransactionCount(d.borrower.address);
    const { value, receipt } = await d.client.setMandateWithPermit(50n * ONE, 700n * ONE);
    expect(await d.ethers.provider.getTransactionCount(d.borrower.address)).to.equal(nonce + 1);
    expect(receipt.to).to.equal(ledger);
    expect(value).to.deep.equal({ capPerCollection: 50n * ONE, allowance: 700n * ONE, permitted: true });
    expect(await d.lens.mandateOf(d.borrower.address)).to.deep.equal([true, 50n * ONE]);
    expect(await d.token.allowance(d.borrower.address, ledger)).to.equal(700n * ONE);

    // An expired permit: the ledger still sets the mandate, and the client says the token refused the permit.
    const expired = await d.client.setMandateWithPermit(0n, 900n * ONE, 1n);
    expect(expired.value).to.deep.equal({ capPerCollection: 0n, allowance: 700n * ONE, permitted: false });
    expect(await d.lens.mandateOf(d.borrower.address)).to.deep.equal([true, 0n]);
    await d.client.revokeMandate();
    expect((await d.lens.mandateOf(d.borrower.address))[0]).to.equal(false);
  });

  it("events() types a draw's and a repayment's events; logsOf finds them by borrower", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const drawn = await d.client.draw(2, 1_000n * ONE);
    const loanId = drawn.value;
    expect(d.client.events(drawn.receipt).map((e) => e.name)).to.deep.equal(["Drawn"]);
    const [draw] = eventsNamed(d.client.events(drawn.receipt), "Drawn");
    expect(draw.contract).to.equal("ledger");
    expect(draw.args).to.deep.equal({
      loanId,
      borrower: d.borrower.address,
      recipient: d.borrower.address,
      productId: 2,
      principal: 1_000n * ONE,
      aprBps: 1_800n,
      totalFees: 0n,
      totalInterest: (await d.client.plan(loanId)).rows.reduce((sum, row) => sum + row.interest, 0n),
    });
    await networkHelpers.time.increase(5n * 86_400n);
    const repaid = await d.client.repay(loanId, 100n * ONE);
    const [repayment] = eventsNamed(d.client.events(repaid.receipt), "Repaid");
    const loan = await d.client.loan(loanId);
    expect(repayment.args.payer).to.equal(d.borrower.address);
    expect(repayment.args.interest).to.be.greaterThan(0n);
    expect(repayment.args.interest + repayment.args.principal).to.equal(100n * ONE);
    expect(repayment.args.principalOutstanding).to.equal(loan.principalOutstanding);
    expect(loan.principalOutstanding).to.equal(1_000n * ONE - repayment.args.principal);

    const deposit = await d.lenderClient.deposit(10n * ONE);
    const [minted] = eventsNamed(d.lenderClient.events(deposit.receipt), "Deposit");
    expect(minted).to.include({ contract: "pool" });
    expect(minted.args).to.deep.include({
      owner: d.lender.address,
      assets: 10n * ONE,
      shares: deposit.value,
    });

    const history = await d.client.logsOf(d.borrower.address);
    expect(history.map((e) => [e.name, e.transactionHash])).to.deep.equal([
      ["Drawn", drawn.receipt.hash],
      ["Repaid", repaid.receipt.hash],
    ]);
    expect(await d.client.logsOf(d.lender.address)).to.deep.equal([]);
  });
});

describe("Microcredit client: a deployment by chain", () => {
  const LOCAL_RPC = "http://127.0.0.1:9799";
  let cwd: string;
  beforeEach(() => (cwd = mkdtempSync(join(tmpdir(), "microcredit-client-"))));
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  /** Writes the Ignition journal a deploy to the node at LOCAL_RPC would leave under `cwd`. */
  function writeJournal(entries: Record<string, string>) {
    const dir = join(cwd, "ignition", "deployments", "chain-31337-9799");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "deployed_addresses.json"), JSON.stringify(entries));
  }

  it("refuses a chain with no published deployment in one sentence, reading the chain id from the runner", async () => {
    const d = await networkHelpers.loadFixture(setup);
    // A runner without a provider (an offline wallet) takes the chain id it is given.
    const sepolia = await rejection(deploymentOf(Wallet.createRandom(), { chainId: 11155111 }));
    expect(sepolia.message).to.equal(
      "no Microcredit deployment is published for chain 11155111: pass its addresses or its deployed_addresses.json",
    );
    // A runner on another chain than the one named is refused before any address is used.
    const elsewhere = await rejection(Microcredit.connect(d.borrower, { chainId: 84532 }));
    expect(elsewhere.message).to.equal(
      "the runner is on chain 31337, not chain 84532: connect a runner of chain 84532",
    );
    // The in-process chain has no RPC URL to name its journal: only a published deployment could do.
    const local = await rejection(Microcredit.connect(d.borrower));
    expect(local.message).to.equal(
      "no Microcredit deployment is published for chain 31337: pass its addresses or its deployed_addresses.json",
    );
  });

  it("finds the journal of a local node under the current directory", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const quotes = await d.quotes.getAddress();
    const missing = await rejection(Microcredit.connect(d.borrower, { rpcUrl: LOCAL_RPC, cwd }));
    const file = join(cwd, "ignition", "deployments", "chain-31337-9799", "deployed_addresses.json");
    expect(missing.message).to.equal(
      `no Microcredit deployment is published for chain 31337 and ${file} does not exist: ` +
        "pass its addresses or its deployed_addresses.json",
    );
    writeJournal({
      "Microcredit#CreditLedger": d.addresses.ledger,
      "Microcredit#CreditLens": d.addresses.lens,
      "Microcredit#LendingPool": d.addresses.pool,
      "Microcredit#CreditQuotes": quotes,
    });
    const home = process.cwd();
    process.chdir(cwd);
    try {
      const client = await Microcredit.connect(d.borrower, { chainId: 31337n, rpcUrl: LOCAL_RPC });
      expect(client.addresses).to.deep.equal({ ...d.addresses, quotes, token: await d.token.getAddress() });
      expect((await client.line()).limit).to.equal(5_000n * ONE);
    } finally {
      process.chdir(home);
    }
    // The URL comes from the runner's JSON-RPC provider (no request is sent with the chain id given).
    const provider = new JsonRpcProvider(LOCAL_RPC, 31337, { staticNetwork: true });
    try {
      const wallet = Wallet.createRandom().connect(provider);
      expect(rpcUrlOf(wallet)).to.equal(LOCAL_RPC);
      expect(rpcUrlOf(d.borrower)).to.equal(undefined);
      expect(await deploymentOf(wallet, { chainId: 31337, cwd })).to.deep.equal({ ...d.addresses, quotes });
    } finally {
      provider.destroy();
    }
  });
});
