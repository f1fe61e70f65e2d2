// `microcredit lender …` as a lender runs it against a Hardhat node: shares in the pool's own decimals (the token's
// + 6), the redemption queue (request, the shares ahead in status, cancel) and claim; every mistake one line on
// stderr and a non-zero exit.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Contract, JsonRpcProvider, MaxUint256, Wallet, type InterfaceAbi } from "ethers";
import { ABIS } from "../src/abi/contracts.ts";
import { hardhatKey } from "../src/cli/keys.ts";
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
    oneLine(
      await run("lender", "redeem", "--shares", "1.1234567890123", "--account", "1"),
      /^microcredit lender redeem: --shares 1\.1234567890123 has more than the pool shares' 12 decimals \(see --help\)$/,
      2,
    );
  });

  it("test_cliLender_queue: request shows the shares ahead, in status too; cancel takes only the owner's", async () => {
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
    expect(human).to.match(
      /^queued 10\.00 shares as request 2, [\d,.]+ shares ahead \(tx 0x[0-9a-f]{64}\)$/m,
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
  });

  it("test_cliLender_claim: nothing to claim is one line; after a fill, claim pays exactly the claimable", async () => {
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
    const loanId = (await ledger.loanIdOf(borrower.address, 1)) as bigint;
    await (await asBorrower.repay(loanId, MaxUint256)).wait();
    await (await (pool.connect(admin.connect(provider)) as Contract).processRedemptions(10)).wait();

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
