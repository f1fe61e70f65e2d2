// The collection keeper end to end against a real `hardhat node`: 200 borrowers with a 3-instalment loan each and a
// mandate; the keeper (library, `runOnce`) collects every instalment on its due date in batches of 100. Instalment 2
// is collected by a keeper interrupted right after broadcasting its first batch and restarted from the same
// checkpoint; instalment 3 by a keeper whose first transaction the node drops from its mempool. Nothing may be
// collected twice, no batch may be submitted twice, and every borrower pays exactly the schedule.
import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import { startNode } from "./helpers/node.ts";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, MaxUint256, NonceManager, Wallet, id, keccak256, toUtf8Bytes } from "ethers";
import { MockStablecoin__factory } from "../typechain-types/factories/mocks/MockStablecoin__factory.ts";
import { MicrocreditDeployer__factory } from "../typechain-types/factories/MicrocreditDeployer__factory.ts";
import { CollectionModule__factory } from "../typechain-types/factories/modules/CollectionModule__factory.ts";
import { DelinquencyModule__factory } from "../typechain-types/factories/modules/DelinquencyModule__factory.ts";
import { ConfigModule__factory } from "../typechain-types/factories/modules/ConfigModule__factory.ts";
import { ViewModule__factory } from "../typechain-types/factories/modules/ViewModule__factory.ts";
import { CreditLedger__factory } from "../typechain-types/factories/CreditLedger__factory.ts";
import { LendingPool__factory } from "../typechain-types/factories/LendingPool__factory.ts";
import type { CreditLedger } from "../typechain-types/CreditLedger.ts";
import { CreditLens__factory } from "../typechain-types/factories/CreditLens__factory.ts";
import type { CreditLens } from "../typechain-types/CreditLens.ts";
import { CreditQuotes__factory } from "../typechain-types/factories/CreditQuotes__factory.ts";
import type { CreditQuotes } from "../typechain-types/CreditQuotes.ts";
import type { MockStablecoin } from "../typechain-types/mocks/MockStablecoin.ts";
import { PRODUCTS, ONE } from "../src/config/defaults.ts";
import {
  createProvider,
  runOnce,
  type Checkpoint,
  type KeeperOptions,
  type PassReport,
} from "../src/keeper/index.ts";

const PORT = 8555;
const RPC_URL = `http://127.0.0.1:${PORT}`;
const BORROWERS = 200;
const PRINCIPAL = 1_000n * ONE;
const APR = 1_800n;
// Hardhat's default accounts #0 (deployer, underwriter, lender) and #1 (keeper): well-known local keys.
const ADMIN_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const KEEPER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

let node: ChildProcess;
let provider: JsonRpcProvider;
let ledger: CreditLedger;
let lens: CreditLens;
let quotes: CreditQuotes;
let token: MockStablecoin;
let keeper: Wallet;
let dir: string;
let checkpointFile: string;
const loans: bigint[] = [];
const borrowers: string[] = [];
const payments = new Map<bigint, bigint[]>();
const dueDates = new Map<bigint, bigint[]>();

const rpc = (method: string, params: unknown[] = []) => provider.send(method, params);

/** Runs `fn` over `items`, `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

function keeperOptions(extra: Partial<KeeperOptions> = {}): KeeperOptions {
  return {
    provider,
    wallet: keeper,
    ledger: ledger.target as string,
    lens: lens.target as string,
    checkpointFile,
    pollMs: 50,
    backoffMs: 100,
    dropAfterMs: 30_000,
    log: () => {},
    ...extra,
  };
}

/** Moves the chain to `seconds` after the latest `k`-th due date of all loans, still well within grace. */
async function advanceToDueDate(k: number) {
  const latest = loans.reduce((m, l) => (dueDates.get(l)![k] > m ? dueDates.get(l)![k] : m), 0n);
  await rpc("evm_setNextBlockTimestamp", [Number(latest + 60n)]);
  await rpc("evm_mine");
}

async function balances(): Promise<bigint[]> {
  return Promise.all(borrowers.map((b) => token.balanceOf(b)));
}

/** Asserts that pass k collected exactly instalment k of every loan and nothing else. */
async function expectInstalmentCollected(k: number, before: bigint[], reports: PassReport[]) {
  const after = await balances();
  const collected = new Map<bigint, bigint>();
  for (const r of reports)
    for (const [loanId, amount] of r.collect.collected)
      collected.set(loanId, (collected.get(loanId) ?? 0n) + amount);
  expect(collected.size).to.equal(BORROWERS, "every loan collected in this pass");
  const states = await Promise.all(loans.map((l) => lens.loanState(l)));
  for (let i = 0; i < BORROWERS; i++) {
    const due = payments.get(loans[i])![k];
    expect(before[i] - after[i]).to.equal(due, `borrower ${i} paid exactly instalment ${k + 1}`);
    expect(collected.get(loans[i])).to.equal(due, `Collected event of loan ${i} equals instalment ${k + 1}`);
    expect(states[i].pastDue).to.equal(0n, `loan ${i} has nothing past due`);
    expect(states[i].bucket).to.equal(0n, `loan ${i} is current`);
  }
}

describe("collection keeper against a hardhat node (200 loans)", function () {
  before(async function () {
    this.timeout(300_000);
    node = await startNode(PORT);
    provider = createProvider(RPC_URL);
    await rpc("hardhat_setLoggingEnabled", [false]);
    dir = mkdtempSync(join(tmpdir(), "keeper-test-"));
    checkpointFile = join(dir, "checkpoint.json");

    const admin = new NonceManager(new Wallet(ADMIN_KEY, provider));
    const adminAddress = await admin.getAddress();
    keeper = new Wallet(KEEPER_KEY, provider);
    token = await (await new MockStablecoin__factory(admin).deploy()).waitForDeployment();
    const module = await (
      await new CollectionModule__factory(admin).deploy(token.target)
    ).waitForDeployment();
    const delinquency = await (
      await new DelinquencyModule__factory(admin).deploy(token.target)
    ).waitForDeployment();
    const configModule = await (
      await new ConfigModule__factory(admin).deploy(token.target)
    ).waitForDeployment();
    const views = await (await new ViewModule__factory(admin).deploy(token.target)).waitForDeployment();
    const deployer = await (
      await new MicrocreditDeployer__factory(admin).deploy(
        token.target,
        "Microcredit Pool mUSD",
        "mcUSD",
        adminAddress,
        module.target,
        delinquency.target,
        configModule.target,
        views.target,
      )
    ).waitForDeployment();
    ledger = CreditLedger__factory.connect(await deployer.ledger(), admin);
    lens = CreditLens__factory.connect(await deployer.lens(), admin);
    quotes = await (await new CreditQuotes__factory(admin).deploy(ledger.target)).waitForDeployment();
    const lendingPool = LendingPool__factory.connect(await deployer.pool(), admin);
    await (await ledger.grantRole(id("UNDERWRITER_ROLE"), adminAddress)).wait();
    for (const p of PRODUCTS)
      await (await ledger.setProduct(p.id, p.method, p.instalments, p.periodDays, true)).wait();
    await (await token.faucet(adminAddress, 1_000_000n * ONE)).wait();
    await (await token.approve(lendingPool.target, MaxUint256)).wait();
    await (await lendingPool.deposit(1_000_000n * ONE, adminAddress)).wait();

    const wallets = Array.from(
      { length: BORROWERS },
      (_, i) => new Wallet(keccak256(toUtf8Bytes(`keeper test borrower ${i}`)), provider),
    );
    for (const w of wallets) borrowers.push(w.address);
    await Promise.all(wallets.map((w) => rpc("hardhat_setBalance", [w.address, "0x56BC75E2D63100000"])));
    // One sender: in order (parallel requests can reach an automining node out of nonce order and be refused).
    for (const w of wallets) await (await ledger.setLine(w.address, PRINCIPAL, APR, 1, 1)).wait();
    await pool(wallets, 20, async (w) => {
      const asBorrower = token.connect(w);
      // Interest on top of the principal the draw pays out.
      await (await asBorrower.faucet(w.address, 100n * ONE, { nonce: 0 })).wait();
      await (await asBorrower.approve(ledger.target, MaxUint256, { nonce: 1 })).wait();
      await (await ledger.connect(w).setMandate(0n, { nonce: 2 })).wait();
      // Explicit gas: estimates made while other borrowers draw in between can come out short.
      await (await ledger.connect(w).draw(0, PRINCIPAL, { nonce: 3, gasLimit: 1_000_000 })).wait();
    });
    for (const w of wallets) loans.push(await lens.loanIdOf(w.address, 1));
    await Promise.all(
      loans.map(async (l) => {
        const [dates, pays] = await quotes.loanSchedule(l);
        dueDates.set(l, [...dates]);
        payments.set(l, [...pays]);
      }),
    );
  });

  after(async () => {
    provider?.destroy();
    if (node?.pid) process.kill(-node.pid, "SIGTERM");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("finds all 200 loans from Drawn events (in pages of 97 blocks) and has nothing to do before the first due date", async () => {
    const report = await runOnce(keeperOptions({ pageBlocks: 97 }));
    expect(report.scan.from).to.equal(0);
    expect(report.scan.to).to.equal(await provider.getBlockNumber());
    expect(report.active).to.equal(BORROWERS);
    expect(report.scan.drawn).to.equal(BORROWERS);
    expect(report.plan.due).to.have.length(0);
    expect(report.collect.txs).to.have.length(0);
    expect(await provider.getTransactionCount(keeper.address)).to.equal(0);
  });

  it("collects instalment 1 of all 200 loans on its due date, in 2 transactions of 100", async () => {
    await advanceToDueDate(0);
    const before = await balances();
    const report = await runOnce(keeperOptions());
    expect(report.plan.collect).to.have.length(BORROWERS);
    expect(report.collect.txs.map((t) => t.loans)).to.deep.equal([100, 100]);
    await expectInstalmentCollected(0, before, [report]);
    expect(await provider.getTransactionCount(keeper.address)).to.equal(2);
    console.log(`      ${report.line}`);
  });

  it("instalment 2: a keeper interrupted after broadcasting its first batch resumes from the checkpoint without resending it", async () => {
    await advanceToDueDate(1);
    const before = await balances();
    const nonceBefore = await provider.getTransactionCount(keeper.address);
    // Transactions wait in the mempool until the test mines them: the crash happens with the batch unmined.
    await rpc("evm_setAutomine", [false]);
    const crash = new AbortController();
    let sent: string | undefined;
    const crashed = await runOnce(
      keeperOptions({
        signal: crash.signal,
        afterBroadcast: (inFlight) => {
          sent = inFlight.attempts[0].hash;
          crash.abort(new Error("simulated crash"));
        },
      }),
    ).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(crashed?.message).to.equal("simulated crash");
    const saved = JSON.parse(readFileSync(checkpointFile, "utf8")) as Checkpoint;
    expect(saved.inFlight?.attempts.map((a) => a.hash)).to.deep.equal([sent]);
    expect(saved.inFlight?.loanIds).to.have.length(100);
    expect(await provider.getTransactionReceipt(sent!)).to.equal(null, "the first batch is still unmined");

    await rpc("evm_setIntervalMining", [200]);
    try {
      const report = await runOnce(keeperOptions());
      expect(report.recovered?.receipt?.hash).to.equal(
        sent,
        "the restarted keeper waited for the batch in flight",
      );
      expect(report.plan.collect).to.have.length(
        100,
        "only the loans the first batch did not cover are still due",
      );
      expect(report.collect.txs.map((t) => [t.loans, t.recovered])).to.deep.equal([
        [100, true],
        [100, false],
      ]);
      await expectInstalmentCollected(1, before, [report]);
    } finally {
      await rpc("evm_setIntervalMining", [0]);
      await rpc("evm_setAutomine", [true]);
    }
    expect(await provider.getTransactionCount(keeper.address)).to.equal(
      nonceBefore + 2,
      "no batch was submitted twice",
    );
  });

  it("instalment 3: a transaction the node drops is rebroadcast byte for byte, then the loans close and leave the book", async () => {
    await advanceToDueDate(2);
    const before = await balances();
    const nonceBefore = await provider.getTransactionCount(keeper.address);
    await rpc("evm_setAutomine", [false]);
    let dropped: string | undefined;
    try {
      const report = await runOnce(
        keeperOptions({
          afterBroadcast: async (inFlight) => {
            if (dropped) return;
            dropped = inFlight.attempts[0].hash;
            await rpc("hardhat_dropTransaction", [dropped]);
            await rpc("evm_setIntervalMining", [200]);
          },
        }),
      );
      expect(report.collect.txs[0].hash).to.equal(
        dropped,
        "the same transaction was mined after the rebroadcast",
      );
      expect(report.collect.txs).to.have.length(2);
      await expectInstalmentCollected(2, before, [report]);
    } finally {
      await rpc("evm_setIntervalMining", [0]);
      await rpc("evm_setAutomine", [true]);
    }
    expect(await provider.getTransactionCount(keeper.address)).to.equal(nonceBefore + 2);
    for (const l of loans) expect((await lens.loanState(l)).status).to.equal(2n, "repaid");
    const report = await runOnce(keeperOptions());
    expect(report.scan.closed).to.equal(BORROWERS);
    expect(report.active).to.equal(0);
  });

  it("a loan without a mandate is not sent to collect; it is marked into grace, re-marked a day later, M1 past grace, then written off past 90 days", async () => {
    const w = new Wallet(keccak256(toUtf8Bytes("keeper test late borrower")), provider);
    const admin = new Wallet(ADMIN_KEY, provider);
    await rpc("hardhat_setBalance", [w.address, "0x56BC75E2D63100000"]);
    await (await ledger.connect(admin).setLine(w.address, PRINCIPAL, APR, 1, 1)).wait();
    await (await ledger.connect(w).draw(0, PRINCIPAL, { gasLimit: 1_000_000 })).wait();
    const loanId = await lens.loanIdOf(w.address, 1);
    const [dates] = await quotes.loanSchedule(loanId);
    // An hour after the due date: marked into grace, where its provision starts to ramp from 0.
    await rpc("evm_setNextBlockTimestamp", [Number(dates[0] + 3_600n)]);
    await rpc("evm_mine");
    let report = await runOnce(keeperOptions());
    expect(report.scan.drawn).to.equal(1);
    expect(report.plan.skipped).to.deep.equal({ "no mandate": 1 });
    expect(report.collect.txs).to.have.length(0);
    expect(report.mark.transitions).to.equal(1);
    expect((await lens.loanState(loanId)).markedBucket).to.equal(1n, "Grace");
    const inGrace = await lens.provisions();
    expect(inGrace > 0n).to.equal(true, "an hour's worth of the ramp");
    // A day later, still in grace: re-marked once, the provision a day further up the ramp (ProvisionChanged).
    await rpc("evm_setNextBlockTimestamp", [Number(dates[0] + 86_400n + 7_200n)]);
    await rpc("evm_mine");
    report = await runOnce(keeperOptions());
    expect(report.mark.txs).to.have.length(1, "re-marked in grace a day after its last touch");
    expect(report.mark.transitions).to.equal(0, "still in grace");
    expect(report.mark.provisionMoves).to.equal(1);
    expect(await lens.provisions()).to.be.greaterThan(inGrace, "the provision rose with the day");

    await rpc("evm_setNextBlockTimestamp", [Number(dates[0] + 5n * 86_400n)]);
    await rpc("evm_mine");
    report = await runOnce(keeperOptions());
    expect(report.mark.transitions).to.equal(1);
    expect(report.mark.provisionMoves).to.equal(0, "the bucket moved: BucketChanged carries the provision");
    expect((await lens.loanState(loanId)).markedBucket).to.equal(2n, "M1");
    report = await runOnce(keeperOptions());
    expect(report.mark.txs).to.have.length(0, "marked once per transition");

    // A day later the loan is still in M1, but its provision (which rises with each day past due) is a day behind:
    // the keeper marks it again, once.
    const provisionBefore = await lens.provisions();
    await rpc("evm_setNextBlockTimestamp", [Number(dates[0] + 6n * 86_400n + 3_600n)]);
    await rpc("evm_mine");
    report = await runOnce(keeperOptions());
    expect(report.mark.txs).to.have.length(1, "re-marked a day after its last touch");
    expect(report.mark.transitions).to.equal(0, "in the same bucket");
    expect(report.mark.provisionMoves).to.equal(1, "its provision moved, with ProvisionChanged");
    expect((await lens.loanState(loanId)).markedBucket).to.equal(2n, "still M1");
    expect(await lens.provisions()).to.be.greaterThan(provisionBefore, "the provision rose with the day");
    report = await runOnce(keeperOptions());
    expect(report.mark.txs).to.have.length(0, "not again the same day");

    await rpc("evm_setNextBlockTimestamp", [Number(dates[0] + 91n * 86_400n)]);
    await rpc("evm_mine");
    report = await runOnce(keeperOptions());
    expect(report.mark.defaults).to.equal(1);
    expect((await lens.loanState(loanId)).status).to.equal(3n, "written off");
    report = await runOnce(keeperOptions());
    expect(report.active).to.equal(0, "a written-off loan leaves the keeper's book");
  });

  it("over the whole schedule every loan has exactly 3 Collected events summing to its plan", async () => {
    const events = await ledger.queryFilter(ledger.filters.Collected(), 0, "latest");
    const byLoan = new Map<bigint, bigint[]>();
    for (const e of events) byLoan.set(e.args.loanId, [...(byLoan.get(e.args.loanId) ?? []), e.args.amount]);
    expect(byLoan.size).to.equal(BORROWERS, "and none for the loan without a mandate");
    for (const l of loans)
      expect(byLoan.get(l)).to.deep.equal(payments.get(l), "one collection per instalment, each exactly due");
  });

  it("a loan in grace whose collection the borrower front-runs (allowance revoked) is still marked, so its provision ramps from the due date", async () => {
    const w = new Wallet(keccak256(toUtf8Bytes("keeper test front-running borrower")), provider);
    const admin = new Wallet(ADMIN_KEY, provider);
    await rpc("hardhat_setBalance", [w.address, "0x56BC75E2D63100000"]);
    await (await ledger.connect(admin).setLine(w.address, PRINCIPAL, APR, 1, 1)).wait();
    await (await token.connect(w).faucet(w.address, 100n * ONE)).wait();
    await (await token.connect(w).approve(ledger.target, MaxUint256)).wait();
    await (await ledger.connect(w).setMandate(0n)).wait();
    await (await ledger.connect(w).draw(0, PRINCIPAL, { gasLimit: 1_000_000 })).wait();
    const loanId = await lens.loanIdOf(w.address, 1);
    const [dates] = await quotes.loanSchedule(loanId);
    await rpc("evm_setNextBlockTimestamp", [Number(dates[0] + 3_600n)]);
    await rpc("evm_mine");
    const provisionsBefore = await lens.provisions();

    // The keeper sees a mandate, a balance and an allowance, and sends the loan to collect. Before that transaction
    // is mined, the borrower revokes the allowance with a higher tip: the pull fails and the loan is not touched.
    await rpc("evm_setAutomine", [false]);
    let revoked = false;
    let report: PassReport;
    try {
      report = await runOnce(
        keeperOptions({
          afterBroadcast: async (inFlight) => {
            if (inFlight.kind !== "collect" || revoked) return;
            revoked = true;
            await token
              .connect(w)
              .approve(ledger.target, 0n, {
                maxFeePerGas: 100_000_000_000n,
                maxPriorityFeePerGas: 50_000_000_000n,
                gasLimit: 100_000,
              });
            await rpc("evm_mine");
            await rpc("evm_setAutomine", [true]);
          },
        }),
      );
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    expect(revoked).to.equal(true, "the keeper sent the loan to collect");
    expect(report.plan.collect).to.deep.equal([loanId]);
    expect(report.collect.failed).to.deep.equal({ "no allowance": 1 });
    expect(report.collect.loans).to.equal(0);
    // Re-read after the collection, the loan is still unmarked in grace: the keeper marks it.
    expect(report.mark.transitions).to.equal(1, "Current → Grace");
    const state = await lens.loanState(loanId);
    expect(state.markedBucket).to.equal(1n, "Grace");
    expect(await lens.provisions()).to.be.greaterThan(provisionsBefore, "an hour's worth of the ramp");
  });
});
