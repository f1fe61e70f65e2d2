// `microcredit lender …` as a lender runs it against a Hardhat node: shares in the pool's own decimals (the token's
// + 6), the redemption queue (request, the shares ahead in status, cancel, `ops process` filling it) and claim; every
// mistake one line on stderr and a non-zero exit.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Contract, JsonRpcProvider, MaxUint256, Wallet, type InterfaceAbi } from "ethers";
import { ABIS } from "../src/abi/contracts.ts";
import { hardhatKey } from "../src/cli/keys.ts";
import { statusReport, type StatusReads } from "../src/cli/lender.ts";
import { shareUnits } from "../src/cli/output.ts";
import { scratchCheckout } from "./helpers/checkout.ts";
import { startNode } from "./helpers/node.ts";
import { CLI, json, ok, oneLine, runScript } from "./helpers/cli-process.ts";

const PORT = 9733;
const RPC = `http://127.0.0.1:${PORT}`;
const ONE = 10n ** 6n;
const SHARE = 10n ** 12n; // the pool's shares: the token's 6 decimals + 6 virtual

describe("microcredit lender: shares, the redemption queue and claim against a node", function () {
  this.timeout(180_000);

  let dir: string;
  let node: ChildProcess;
  let provider: JsonRpcProvider;
  let pool: Contract;
  let ledger: Contract;
  let lens: Contract;
  let token: Contract;
  const admin = new Wallet(hardhatKey(0));
  const lender = new Wallet(hardhatKey(1));
  const borrower = new Wallet(hardhatKey(2));
  const second = new Wallet(hardhatKey(3));
  const run = (...args: string[]) => runScript(dir, CLI, [...args, "--rpc", RPC]);
  let secondShares: bigint;

  before(async () => {
    dir = scratchCheckout("microcredit-cli-lender-");
    node = await startNode(PORT);
    const deploy = await runScript(dir, join("scripts", "deploy.ts"), ["--rpc", RPC]);
    expect(deploy.status, deploy.stderr).to.equal(0);
    const file = join(dir, "ignition", "deployments", `chain-31337-${PORT}`, "deployed_addresses.json");
    const addresses = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;

    // The deployer's set-up, outside the CLI's job: tokens, and a borrower's line.
    provider = new JsonRpcProvider(RPC, undefined, { cacheTimeout: -1 });
    const signer = (wallet: Wallet) => wallet.connect(provider);
    token = new Contract(
      addresses["Microcredit#MockStablecoin"],
      ABIS.MockStablecoin as InterfaceAbi,
      signer(admin),
    );
    ledger = new Contract(addresses["Microcredit#CreditLedger"], ABIS.CreditLedger as InterfaceAbi, provider);
    lens = new Contract(addresses["Microcredit#CreditLens"], ABIS.CreditLens as InterfaceAbi, provider);
    pool = new Contract(addresses["Microcredit#LendingPool"], ABIS.LendingPool as InterfaceAbi, provider);
    for (const [who, amount] of [
      [lender, 200_000n],
      [second, 10_000n],
      [borrower, 1_000n],
    ] as const) {
      await (await token.faucet(who.address, amount * ONE)).wait();
    }
    const asAdmin = ledger.connect(signer(admin)) as Contract;
    await (await asAdmin.setLine(borrower.address, 2_000n * ONE, 1200, 0b100011, 1)).wait();
    const asBorrower = token.connect(signer(borrower)) as Contract;
    await (await asBorrower.approve(await ledger.getAddress(), MaxUint256)).wait();
  });

  after(() => {
    provider?.destroy();
    if (node?.pid) process.kill(-node.pid, "SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("test_cliLender_status: shares are printed and parsed in the pool's decimals, not the token's", async () => {
    ok(await run("lender", "deposit", "--amount", "100000", "--account", "1"));
    const status = json(await run("lender", "status", "--account", "1", "--json"));
    expect([status.decimals, status.shareDecimals]).to.deep.equal([6, 12]);
    expect(status.shares).to.equal((100_000n * SHARE).toString());
    expect(status.queue).to.deep.equal([]);
    const table = ok(await run("lender", "status", "--address", lender.address));
    expect(table).to.match(/^shares\s+100,000\.00$/m);
    expect(table).to.match(/^can redeem now\s+95,000\.00 shares$/m);
    expect(table).to.match(/^queued\s+none$/m);

    const some = json(await run("lender", "redeem", "--shares", "0.5", "--account", "1", "--json"));
    expect(some.shares).to.equal((SHARE / 2n).toString());
    expect(some.assets).to.equal((ONE / 2n).toString());
    const nobody = new Wallet(hardhatKey(4)).address;
    const nonce = await provider.getTransactionCount(nobody);
    oneLine(
      await run("lender", "redeem", "--all", "--account", "4"),
      new RegExp(`^microcredit lender redeem: ${nobody} has no shares to redeem; no transaction sent$`),
      1,
    );
    expect(await provider.getTransactionCount(nobody)).to.equal(nonce);
    oneLine(
      await run("lender", "redeem", "--shares", "0", "--account", "1"),
      /^microcredit lender redeem: --shares must be greater than zero \(see --help\)$/,
      2,
    );
    oneLine(
      await run("lender", "redeem", "--shares", "1.1234567890123", "--account", "1"),
      /^microcredit lender redeem: --shares 1\.1234567890123 has more than the pool shares' 12 decimals \(see --help\)$/,
      2,
    );
  });

  it("test_cliLender_queue: request shows the shares ahead, in status too; cancel takes only the owner's; redeem --all with nothing to leave sends nothing", async () => {
    const asBorrower = ledger.connect(borrower.connect(provider)) as Contract;
    // A loan earns the pool interest while the exits wait; a second lender queues first, ahead of the first lender.
    await (await asBorrower.draw(5, 1_500n * ONE)).wait();
    ok(await run("lender", "deposit", "--amount", "1000", "--account", "3"));
    const queued = json(await run("lender", "request", "--all", "--account", "3", "--json"));
    secondShares = BigInt(queued.shares);
    expect([queued.requestId, queued.sharesAhead]).to.deep.equal(["0", "0"]);

    const mine = json(await run("lender", "request", "--shares", "40000", "--account", "1", "--json"));
    expect([mine.requestId, mine.shares]).to.deep.equal(["1", (40_000n * SHARE).toString()]);
    expect(mine.sharesAhead).to.equal(secondShares.toString());
    const human = ok(await run("lender", "request", "--shares", "10", "--account", "1"));
    // The shares ahead are the other lender's request and the first one of this lender's, never less.
    const ahead = shareUnits(secondShares + 40_000n * SHARE, 12);
    expect(human).to.match(
      new RegExp(`^queued 10\\.00 shares as request 2, ${ahead} shares ahead \\(tx 0x[0-9a-f]{64}\\)$`, "m"),
    );
    expect(human).to.match(
      /\(microcredit ops process, which anyone may run\); then: microcredit lender claim$/m,
    );

    const status = json(await run("lender", "status", "--account", "1", "--json"));
    expect(status.queue).to.deep.equal([
      { requestId: "1", shares: (40_000n * SHARE).toString(), sharesAhead: secondShares.toString() },
      {
        requestId: "2",
        shares: (10n * SHARE).toString(),
        sharesAhead: (secondShares + 40_000n * SHARE).toString(),
      },
    ]);
    const table = ok(await run("lender", "status", "--account", "1"));
    expect(table).to.match(
      /^queued\s+request 1: 40,000\.00 shares, [\d,.]+ ahead; request 2: 10\.00 shares, /m,
    );

    oneLine(
      await run("lender", "cancel", "--request", "0", "--account", "1"),
      /^microcredit lender cancel: Redemption request 0 does not belong to 0x709979…79C8\.$/,
      1,
    );
    oneLine(
      await run("lender", "cancel", "--request", "two", "--account", "1"),
      /^microcredit lender cancel: --request must be a request id .*got "two" \(see --help\)$/,
      2,
    );
    const cancelled = json(await run("lender", "cancel", "--request", "2", "--account", "1", "--json"));
    expect(cancelled.shares).to.equal((10n * SHARE).toString());

    // The rest of the shares queued too: the queue holds more than the cash above the reserve, so nothing can leave.
    const rest = json(await run("lender", "request", "--shares", "59000", "--account", "1", "--json"));
    expect((await pool.maxRedeem(lender.address)) as bigint).to.equal(0n);
    expect(((await pool.balanceOf(lender.address)) as bigint) > 0n).to.equal(true);
    const nonce = await provider.getTransactionCount(lender.address);
    oneLine(
      await run("lender", "redeem", "--all", "--account", "1"),
      /^microcredit lender redeem: nothing can leave now: no cash above the reserve and the queue; no transaction sent \(queue the shares with microcredit lender request\)$/,
      1,
    );
    expect(await provider.getTransactionCount(lender.address)).to.equal(nonce);
    ok(await run("lender", "cancel", "--request", rest.requestId, "--account", "1"));
  });

  it("test_cliLender_claim: nothing to claim is one line; ops process fills the queue; claim pays exactly the claimable", async () => {
    oneLine(
      await run("lender", "claim", "--account", "1"),
      /^microcredit lender claim: 0x709979…79C8 has no filled redemption to claim\.$/,
      1,
    );
    oneLine(
      await run("lender", "claim", "--to", "nope", "--account", "1"),
      /^microcredit lender claim: --to must be an address, got "nope" \(see --help\)$/,
      2,
    );
    await provider.send("evm_increaseTime", [30 * 86_400]);
    const asBorrower = ledger.connect(borrower.connect(provider)) as Contract;
    const loanId = (await lens.loanIdOf(borrower.address, 1)) as bigint;
    await (await asBorrower.repay(loanId, MaxUint256)).wait();
    oneLine(
      await run("ops", "process", "--max", "0"),
      /^microcredit ops process: --max must be an integer from 1 to 200, got "0" \(see --help\)$/,
      2,
    );
    const queued = (await pool.queuedShares()) as bigint;
    const processed = json(await run("ops", "process", "--json"));
    const receipt = await provider.getTransactionReceipt(processed.tx);
    const fills = receipt!.logs
      .filter((log) => log.address.toLowerCase() === (pool.target as string).toLowerCase())
      .map((log) => pool.interface.parseLog(log))
      .filter((event) => event?.name === "RedeemFilled");
    const sum = (field: string) => fills.reduce((total, e) => total + (e!.args[field] as bigint), 0n);
    expect(fills.map((e) => e!.args.requestId)).to.deep.equal([0n, 1n]);
    expect([processed.filled, processed.shares, processed.assets]).to.deep.equal([
      2,
      sum("shares").toString(),
      sum("assets").toString(),
    ]);
    expect(BigInt(processed.shares)).to.equal(queued);
    expect(processed.queuedShares).to.equal("0");
    const claimables = await Promise.all([lender, second].map((w) => pool.claimable(w.address)));
    expect(BigInt(processed.assets)).to.equal((claimables as bigint[]).reduce((a, b) => a + b, 0n));
    const adminNonce = await provider.getTransactionCount(admin.address);
    expect(ok(await run("ops", "process"))).to.equal(
      "nothing to fill: the queue is empty; no transaction sent\n",
    );
    expect(await provider.getTransactionCount(admin.address)).to.equal(adminNonce);

    const owed = (await pool.claimable(lender.address)) as bigint;
    expect(owed > 40_000n * ONE).to.equal(true, "the queued shares earned interest until filled");
    const status = json(await run("lender", "status", "--account", "1", "--json"));
    expect([status.claimable, status.queue]).to.deep.equal([owed.toString(), []]);

    const before = (await token.balanceOf(lender.address)) as bigint;
    const claimed = json(await run("lender", "claim", "--account", "1", "--json"));
    expect(claimed.assets).to.equal(owed.toString());
    expect(claimed.receiver).to.equal(lender.address);
    expect(((await token.balanceOf(lender.address)) as bigint) - before).to.equal(owed);
    const human = ok(await run("lender", "claim", "--account", "3"));
    expect(human).to.match(
      /^claimed [\d,.]+ to 0x90F79bf6EB2c4f870365E785982E1f101E93b906 \(tx 0x[0-9a-f]{64}\)\n$/,
    );
    oneLine(
      await run("lender", "claim", "--account", "1"),
      /^microcredit lender claim: 0x709979…79C8 has no filled redemption to claim\.$/,
      1,
    );
  });
});

describe("microcredit lender status: the queue's line when its walk fails or stops at the cap", () => {
  const reads = (queue: StatusReads["queue"]): StatusReads => ({
    who: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    position: { shares: 5n * SHARE, assets: 5n * ONE, maxWithdraw: 0n, maxRedeem: 0n, claimable: 0n },
    balance: 7n * ONE,
    decimals: 6,
    shareDecimals: 12,
    maxRequests: 200,
    queue,
  });
  const open = {
    owner: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    head: 0n,
    tail: 5_000n,
    queuedShares: 100n * SHARE,
    blockNumber: 9,
  };

  it("test_statusReport_queueError: the rest of the status stands; the queue is unavailable, null in JSON", () => {
    const report = statusReport(reads({ error: "too many requests" }));
    expect(report.human.find((l) => l.startsWith("queued"))).to.match(
      /^queued\s+unavailable \(too many requests\)$/,
    );
    expect(report.human.find((l) => l.startsWith("shares"))).to.match(/^shares\s+5\.00$/);
    expect(report.human.find((l) => l.startsWith("wallet"))).to.match(/^wallet\s+7\.00$/);
    expect(report.json).to.include({ queue: null, queueTruncated: null, queueError: "too many requests" });
  });

  it("test_statusReport_truncated: says how much of the queue was read, with or without requests found", () => {
    const none = statusReport(reads({ ...open, requests: [], truncated: true }));
    expect(none.human.find((l) => l.startsWith("queued"))).to.match(
      /^queued\s+none in the first 200 of the queue's 5000 requests read \(--max-requests for more\)$/,
    );
    const some = statusReport(
      reads({
        ...open,
        requests: [{ requestId: 7n, shares: SHARE, sharesAhead: 2n * SHARE }],
        truncated: true,
      }),
    );
    expect(some.human.find((l) => l.startsWith("queued"))).to.match(
      /^queued\s+request 7: 1\.00 shares, 2\.00 ahead; only the first 200 of the queue's 5000 requests read/,
    );
    expect(some.json).to.include({ queueTruncated: true });
    expect(some.json).to.not.have.property("queueError");
    const all = statusReport(reads({ ...open, tail: 3n, requests: [], truncated: false }));
    expect(all.human.find((l) => l.startsWith("queued"))).to.match(/^queued\s+none$/);
  });
});
