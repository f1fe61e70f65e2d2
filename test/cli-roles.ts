// `microcredit <role> <command>` as a user runs it: spawned against a Hardhat node, in a checkout of its own where
// scripts/deploy.ts recorded the deployment. Every command succeeds with the values the chain holds, and every
// user mistake (a bad flag or amount, an unknown address, a balance too low, a missing key, a node without a
// deployment) is one line on stderr and a non-zero exit, never a stack trace.
import { expect } from "chai";
import { type ChildProcess } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Contract, JsonRpcProvider, Wallet, type InterfaceAbi } from "ethers";
import { ABIS } from "../src/abi/contracts.ts";
import { deploymentId } from "../src/chain/deployment-id.ts";
import { hardhatKey } from "../src/cli/keys.ts";
import { schedule } from "../src/core/schedule.ts";
import { offerFromJson, recoverKycIssuer, recoverOfferSigner } from "../src/sdk/offers.ts";
import { scratchCheckout } from "./helpers/checkout.ts";
import { fakeChain } from "./helpers/fake-chain.ts";
import { startNode } from "./helpers/node.ts";
import { json, ok, oneLine, runCli, runScript } from "./helpers/cli-process.ts";

const PORT = 9731;
const RPC = `http://127.0.0.1:${PORT}`;
const ONE = 10n ** 6n;
const DAY = 86_400;

const cli = runCli;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

describe("microcredit CLI: every role's commands against a node", function () {
  this.timeout(180_000);

  let dir: string;
  let node: ChildProcess;
  let provider: JsonRpcProvider;
  let addresses: Record<string, string>;
  const admin = new Wallet(hardhatKey(0));
  const lender = new Wallet(hardhatKey(1));
  const borrower = new Wallet(hardhatKey(2));
  const stranger = new Wallet(hardhatKey(3));
  const run = (...args: string[]) => cli(dir, [...args, "--rpc", RPC]);
  let loanId: string;

  before(async () => {
    dir = scratchCheckout("microcredit-cli-");
    node = await startNode(PORT);
    const deploy = await runScript(dir, join("scripts", "deploy.ts"), ["--rpc", RPC]);
    expect(deploy.status, deploy.stderr).to.equal(0);
    const file = join(dir, "ignition", "deployments", `chain-31337-${PORT}`, "deployed_addresses.json");
    addresses = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;

    // The deployer's set-up, outside the CLI's job: tokens for the lender and the borrower, the borrower's line.
    provider = new JsonRpcProvider(RPC, undefined, { cacheTimeout: -1 });
    const signer = admin.connect(provider);
    const token = new Contract(
      addresses["Microcredit#MockStablecoin"],
      ["function faucet(address, uint256)"],
      signer,
    );
    await (await token.faucet(lender.address, 200_000n * ONE)).wait();
    await (await token.faucet(borrower.address, 100n * ONE)).wait();
    const ledger = new Contract(
      addresses["Microcredit#CreditLedger"],
      ABIS.CreditLedger as InterfaceAbi,
      signer,
    );
    await (await ledger.setLine(borrower.address, 2_000n * ONE, 1200, 0b100011, 1)).wait();
  });

  after(() => {
    provider?.destroy();
    if (node?.pid) process.kill(-node.pid, "SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("test_cliRoles_help: usage at every level, exit 0; no role is exit 2 with the usage on stderr", async () => {
    const top = await cli(dir, ["--help"]);
    expect(ok(top)).to.match(/^usage: microcredit <role> <command>/);
    for (const role of ["lender", "borrower", "underwriter", "ops"]) expect(ok(top)).to.contain(`  ${role} `);
    expect(ok(top)).to.match(/^ {2}ops\s+.*: collect, mark, process, status$/m);
    expect(ok(await cli(dir, ["ops", "process", "--help"]))).to.contain("--max <n>");
    expect(ok(await cli(dir, ["borrower", "--help"]))).to.contain("schedule --loan <id>");
    const command = ok(await cli(dir, ["lender", "redeem", "--help"]));
    expect(command).to.contain("--all").and.to.contain("MICROCREDIT_KEY");
    const none = await cli(dir, []);
    expect(none.status).to.equal(2);
    expect(none.stderr).to.match(/^usage: microcredit/);
  });

  it("test_cliRoles_lender: deposit, then status shows the shares and their value", async () => {
    const human = ok(await run("lender", "deposit", "--amount", "1000.50", "--account", "1"));
    expect(human).to.match(/^deposited 1,000\.50 for 1,000\.50 shares \(tx 0x[0-9a-f]{64}\)\n$/);
    const deposit = json(await run("lender", "deposit", "--amount", "98999.5", "--account", "1", "--json"));
    expect(deposit.assets).to.equal("98999500000");
    const status = json(await run("lender", "status", "--account", "1", "--json"));
    expect(status.address).to.equal(lender.address);
    expect(status.shares).to.equal((100_000n * 10n ** 12n).toString()); // 6 decimals of virtual shares on top
    expect(status.assets).to.equal((100_000n * ONE).toString());
    expect(status.maxWithdraw).to.equal((95_000n * ONE).toString()); // a 5% liquidity reserve stays
    expect(status.tokenBalance).to.equal((100_000n * ONE).toString());
    const table = ok(await run("lender", "status", "--address", lender.address));
    expect(table).to.match(/^shares\s+100,000\.00$/m);
    expect(table).to.match(/^can withdraw now\s+95,000\.00$/m);
  });

  it("test_cliRoles_opsStatus: the pool's assets and the book", async () => {
    const status = json(await run("ops", "status", "--json"));
    expect(status.totalAssets).to.equal((100_000n * ONE).toString());
    expect(status.cash).to.equal((100_000n * ONE).toString());
    expect(status.principalOutstanding).to.equal("0");
    expect(status.provisions).to.equal("0");
    expect(status.paused).to.equal(false);
    expect(ok(await run("ops", "status"))).to.match(/^new credit\s+open$/m);
    // The same figures from a deployment file named outside the checkout's journal, and from the ledger alone.
    const file = join(dir, "ignition", "deployments", `chain-31337-${PORT}`, "deployed_addresses.json");
    const named = json(
      await cli(join(dir, "ignition"), ["ops", "status", "--deployment", file, "--rpc", RPC, "--json"]),
    );
    expect(named.totalAssets).to.equal(status.totalAssets);
    const byLedger = json(
      await run("ops", "status", "--ledger", addresses["Microcredit#CreditLedger"], "--json"),
    );
    expect(byLedger.pool).to.equal(addresses["Microcredit#LendingPool"]);
    expect(byLedger.cash).to.equal(status.cash);
  });

  it("test_cliRoles_borrowerLineQuote: the line and a quote as CreditQuotes gives it", async () => {
    const line = json(await run("borrower", "line", "--account", "2", "--json"));
    expect(line.limit).to.equal((2_000n * ONE).toString());
    expect(line.available).to.equal((2_000n * ONE).toString());
    expect(line.products).to.deep.equal([0, 1, 5]);
    expect(line.status).to.equal("active");
    expect(line.mandate).to.deep.equal({ active: false, capPerCollection: "0" });
    const quote = json(
      await run("borrower", "quote", "--product", "1", "--amount", "1000", "--account", "2", "--json"),
    );
    const plan = schedule({
      method: 0,
      principal: 1_000n * ONE,
      aprBps: 1200,
      instalments: 6,
      periodDays: 30,
    });
    expect(quote.payments).to.deep.equal(plan.map((r) => r.payment.toString()));
    expect(quote.netDisbursed).to.equal((1_000n * ONE).toString());
    expect(quote.aprBps).to.equal("1200");
    expect(quote.admissible).to.equal(true);
    expect(BigInt(quote.totalRepayable)).to.equal(plan.reduce((s, r) => s + r.payment, 0n));
  });

  it("test_cliRoles_borrowerDraw: draw within the quote, then loans lists it and schedule gives its plan", async () => {
    const draw = json(
      await run("borrower", "draw", "--product", "1", "--amount", "1000", "--account", "2", "--json"),
    );
    loanId = draw.loanId as string;
    expect(BigInt(loanId) >> 96n).to.equal(BigInt(borrower.address));
    expect(draw.received).to.equal((1_000n * ONE).toString());
    expect(draw.bounds).to.include({
      maxAprBps: "1200",
      minReceived: (1_000n * ONE).toString(),
      payments: 6,
      periodDays: 30,
    });
    const loans = json(await run("borrower", "loans", "--account", "2", "--json"));
    expect(loans.loans).to.have.length(1);
    expect(loans.loans[0]).to.include({ id: loanId, status: "active", principal: (1_000n * ONE).toString() });
    const table = ok(await run("borrower", "loans", "--account", "2"));
    expect(table)
      .to.contain(loanId)
      .and.to.match(/#1\s+active\s+1,000\.00/);
    const plan = json(await run("borrower", "schedule", "--loan", loanId, "--json"));
    const expected = schedule({
      method: 0,
      principal: 1_000n * ONE,
      aprBps: 1200,
      instalments: 6,
      periodDays: 30,
    });
    expect(plan.rows.map((r: { payment: string }) => r.payment)).to.deep.equal(
      expected.map((r) => r.payment.toString()),
    );
    expect(Number(plan.rows[1].dueAt) - Number(plan.rows[0].dueAt)).to.equal(30 * DAY);
    expect(plan.source).to.equal("CreditQuotes.loanSchedule");
    // Without CreditQuotes (the ledger alone), microcredit/core computes the same plan from the loan's record.
    const ledger = addresses["Microcredit#CreditLedger"];
    const core = json(await run("borrower", "schedule", "--loan", loanId, "--ledger", ledger, "--json"));
    expect(core.source).to.equal("microcredit/core schedule");
    expect(core.rows).to.deep.equal(plan.rows);
  });

  it("test_cliRoles_repayMandateCollectMark: a part payment, a mandate, a collection when due, a mark", async () => {
    const repaid = json(
      await run("borrower", "repay", "--loan", loanId, "--amount", "100", "--account", "2", "--json"),
    );
    expect(repaid).to.include({ paid: (100n * ONE).toString(), status: "active" });
    const mandate = json(
      await run("borrower", "mandate", "--cap", "500", "--allowance", "1000", "--account", "2", "--json"),
    );
    expect(mandate).to.include({
      active: true,
      capPerCollection: (500n * ONE).toString(),
      allowance: (1_000n * ONE).toString(),
    });
    expect(mandate.tx).to.have.length(2);

    const nothing = ok(await run("ops", "collect"));
    expect(nothing).to.equal("nothing due on 1 active loan(s); no transaction sent\n");
    await provider.send("evm_increaseTime", [31 * DAY]);
    await provider.send("evm_mine", []);
    const lens = new Contract(addresses["Microcredit#CreditLens"], ABIS.CreditLens as InterfaceAbi, provider);
    const due = (await lens.dueNow(loanId)) as bigint;
    expect(due > 0n).to.equal(true);
    const collect = json(await run("ops", "collect", "--json"));
    expect(collect.loans).to.deep.equal([loanId]);
    expect(BigInt(collect.collected)).to.be.within(due, due + ONE / 100n); // a block's more interest at most
    const mark = json(await run("ops", "mark", "--loans", loanId, "--json"));
    expect(mark.loans).to.deep.equal([{ id: loanId, status: "active", bucket: "current" }]);
    expect(mark.bucketChanges).to.equal(0);
    expect(mark.provisionMoves).to.equal(0, "a current loan carries no provision");
  });

  it("test_cliRoles_repayAll: --all pays the loan off and the line is clear; the mandate is revoked", async () => {
    const human = ok(await run("borrower", "repay", "--loan", loanId, "--all", "--account", "2"));
    expect(human).to.match(
      /^paid [\d,.]+ towards loan \d+ \(#1 of 0x3c44…93bc\) \(tx 0x[0-9a-f]{64}\)\nthe loan is repaid\n$/,
    );
    const line = json(await run("borrower", "line", "--account", "2", "--json"));
    expect(line.outstanding).to.equal("0");
    expect(line.loanCount).to.equal(1);
    const revoked = json(await run("borrower", "mandate", "--revoke", "--account", "2", "--json"));
    expect(revoked.active).to.equal(false);
  });

  it("test_cliRoles_lenderRedeem: --shares, then --all redeems what can leave now", async () => {
    const some = json(await run("lender", "redeem", "--shares", "10", "--account", "1", "--json"));
    expect(some.shares).to.equal((10n * 10n ** 12n).toString());
    expect(BigInt(some.assets) >= 10n * ONE).to.equal(true); // interest earned: a share is worth at least 1
    const before = BigInt(some.sharesLeft);
    const all = json(await run("lender", "redeem", "--all", "--account", "1", "--json"));
    expect(BigInt(all.shares) > 0n).to.equal(true);
    expect(BigInt(all.sharesLeft) + BigInt(all.shares)).to.equal(before);
    const pool = new Contract(
      addresses["Microcredit#LendingPool"],
      ABIS.LendingPool as InterfaceAbi,
      provider,
    );
    expect(all.sharesLeft).to.equal(((await pool.balanceOf(lender.address)) as bigint).toString());
  });

  it("test_cliRoles_acceptAndFaucet: a newcomer gets test tokens and accepts a signed offer and KYC credential", async () => {
    const newcomer = new Wallet(hardhatKey(4));
    const minted = json(await run("token", "faucet", "--amount", "100", "--account", "4", "--json"));
    expect(minted).to.include({
      command: "token faucet",
      to: newcomer.address,
      amount: "100000000",
      balance: "100000000",
    });
    const balance = json(await run("token", "balance", "--address", newcomer.address, "--json"));
    expect(balance.balance).to.equal("100000000");

    const offerFile = join(dir, "newcomer-offer.json");
    const kycFile = join(dir, "newcomer-kyc.json");
    const common = ["--borrower", newcomer.address, "--expiry-days", "7", "--json"];
    writeFileSync(
      offerFile,
      ok(
        await run(
          "underwriter",
          "offer",
          "--limit",
          "750",
          "--apr-bps",
          "1600",
          "--products",
          "0,1",
          ...common,
        ),
      ),
    );
    writeFileSync(kycFile, ok(await run("underwriter", "kyc", "--level", "1", ...common)));
    const accepted = json(
      await run("borrower", "accept", "--offer", offerFile, "--kyc", kycFile, "--account", "4", "--json"),
    );
    expect(accepted.borrower).to.equal(newcomer.address);
    expect(accepted.line).to.include({
      limit: "750000000",
      aprBps: "1600",
      productMask: 3,
      status: "active",
    });

    // The same offer again: its nonce is used, decoded in one sentence.
    const again = await run("borrower", "accept", "--offer", offerFile, "--kyc", kycFile, "--account", "4");
    oneLine(again, /^microcredit borrower accept: .*nonce/i, 1);
    // Someone else's offer, and a file that is not a signed offer.
    oneLine(
      await run("borrower", "accept", "--offer", offerFile, "--kyc", kycFile, "--account", "5"),
      /^microcredit borrower accept: .*/,
      1,
    );
    oneLine(
      await run("borrower", "accept", "--offer", kycFile, "--kyc", kycFile, "--account", "4"),
      /is not a signed offer/,
      2,
    );
  });

  it("test_cliRoles_underwriter: a signed offer and a KYC credential that recover to the signer", async () => {
    const out = await run(
      "underwriter",
      "offer",
      "--borrower",
      stranger.address,
      "--limit",
      "500",
      "--apr-bps",
      "1500",
      "--products",
      "0,1",
      "--expiry-days",
      "7",
    );
    const signed = JSON.parse(ok(out)) as Record<string, any>;
    const offer = offerFromJson(signed.offer);
    expect(offer).to.include({
      borrower: stranger.address,
      limit: 500n * ONE,
      aprBps: 1500n,
      productMask: 3,
      nonce: 0n,
    });
    expect(offer.ledger).to.equal(addresses["Microcredit#CreditLedger"]);
    const now = BigInt((await provider.getBlock("latest"))!.timestamp);
    expect(offer.expiry).to.equal(now + 7n * 86_400n);
    expect(signed.offers).to.equal(addresses["Microcredit#CreditOffers"]);
    expect(recoverOfferSigner(signed.offers, 31337n, offer, signed.signature)).to.equal(admin.address);
    expect(signed.trustedSigner).to.equal(true);

    const kyc = json(
      await run(
        "underwriter",
        "kyc",
        "--borrower",
        stranger.address,
        "--level",
        "2",
        "--expiry-days",
        "365",
        "--json",
      ),
    );
    const credential = { borrower: kyc.kyc.borrower, level: kyc.kyc.level, expiry: BigInt(kyc.kyc.expiry) };
    expect(credential.level).to.equal(2);
    expect(recoverKycIssuer(kyc.offers, 31337n, credential, kyc.signature)).to.equal(admin.address);
    // Another key signs too, but is not a trusted issuer: the output says so.
    const other = json(
      await cli(
        dir,
        [
          "underwriter",
          "kyc",
          "--borrower",
          stranger.address,
          "--level",
          "1",
          "--expiry-days",
          "1",
          "--json",
          "--rpc",
          RPC,
        ],
        {
          MICROCREDIT_KEY: stranger.privateKey,
        },
      ),
    );
    expect(other).to.include({ issuer: stranger.address, trustedIssuer: false });
  });

  it("test_cliRoles_decodedErrors: a balance too low and a draw above the line are one decoded sentence, exit 1", async () => {
    oneLine(
      await run("lender", "deposit", "--amount", "1000", "--account", "3"),
      /^microcredit lender deposit: Balance too low: 0x90F79b…b906 has 0\.00 \(0 units\), needs 1,000\.00 \(1,000,000,000 units\)\.$/,
      1,
    );
    oneLine(
      await run("borrower", "draw", "--product", "1", "--amount", "5000", "--account", "2"),
      /^microcredit borrower draw: Credit limit exceeded: requested 5,000\.00 .*available 2,000\.00 /,
      1,
    );
    oneLine(
      await run("borrower", "schedule", "--loan", "7"),
      /^microcredit borrower schedule: Loan #7 of 0x0000…0000 does not exist\.$/,
      1,
    );
  });

  it("test_cliRoles_badInput: flags, amounts and addresses are refused in one line, exit 2", async () => {
    oneLine(
      await run("lender", "status", "--frob"),
      /^microcredit lender status: Unknown option '--frob'.* \(see --help\)$/,
      2,
    );
    oneLine(
      await run("lender", "borrow"),
      /^microcredit lender borrow: unknown command "lender borrow" \(lender commands: deposit, redeem, [a-z, ]*status\)/,
      2,
    );
    oneLine(await run("banker", "status"), /^microcredit banker status: unknown role "banker"/, 2);
    oneLine(
      await run("lender", "deposit", "--amount", "1.1234567"),
      /--amount 1\.1234567 has more than the token's 6 decimals/,
      2,
    );
    oneLine(
      await run("lender", "deposit", "--amount", "1,000"),
      /--amount must be an amount in token units like 1000\.50, got "1,000"/,
      2,
    );
    oneLine(
      await run("lender", "redeem", "--all", "--shares", "1"),
      /give exactly one of --shares, --all/,
      2,
    );
    oneLine(
      await run("borrower", "draw", "--product", "16", "--amount", "1"),
      /--product must be an integer from 0 to 15, got "16"/,
      2,
    );
    oneLine(
      await run("lender", "status", "--account", "20"),
      /--account must be an integer from 0 to 19, got "20"/,
      2,
    );
    oneLine(await run("lender", "status", "--ledger", "nope"), /--ledger must be an address, got "nope"/, 2);
    oneLine(await run("ops", "mark", "--loans", "1,,2"), /--loans must be a comma-separated list/, 2);
    oneLine(
      await cli(dir, ["lender", "status", "--rpc", RPC], { MICROCREDIT_KEY: "0x1234" }),
      /^microcredit lender status: MICROCREDIT_KEY is not a private key \(32 bytes as 64 hex digits\)$/,
      2,
    );
  });

  it("test_cliRoles_unknownAddress: a ledger with no contract is named with the chain and the node", async () => {
    const nobody = "0x00000000000000000000000000000000000000aa";
    oneLine(
      await run("ops", "status", "--ledger", nobody),
      new RegExp(
        `^microcredit ops status: no contract at 0x0{38}AA \\(the ledger address\\) on chain 31337 at ${escape(RPC)}$`,
      ),
      2,
    );
  });

  it("test_cliRoles_network: a node down, a missing key off chain 31337, a node without a deployment", async () => {
    oneLine(
      await cli(dir, ["ops", "status", "--rpc", "http://127.0.0.1:9"]),
      /^microcredit ops status: cannot reach http:\/\/127\.0\.0\.1:9: /,
      2,
    );
    const { url, server } = await fakeChain(11155111n);
    try {
      oneLine(
        await cli(dir, ["lender", "deposit", "--amount", "1", "--rpc", url]),
        /^microcredit lender deposit: MICROCREDIT_KEY is not set; Hardhat's default accounts \(--account\) are only used on a local chain \(31337 or 1337\), not 11155111$/,
        2,
      );
      oneLine(
        await cli(dir, ["lender", "status", "--address", lender.address, "--rpc", url]),
        new RegExp(
          `^microcredit lender status: no deployment for chain 11155111 at ${escape(url)}: ` +
            `${escape(`ignition/deployments/${deploymentId(11155111n, url)}/deployed_addresses.json`)} does not exist ` +
            "\\(deploy first, or pass --deployment or --ledger\\)$",
        ),
        2,
      );
      // MICROCREDIT_RPC names the node when --rpc does not.
      oneLine(
        await cli(dir, ["ops", "status"], { MICROCREDIT_RPC: url }),
        /^microcredit ops status: no deployment for chain 11155111 at /,
        2,
      );
    } finally {
      server.close();
    }
  });

  it("test_cliRoles_networkFlag: --network picks the node from its variable and refuses a node of another chain", async () => {
    // localhost: MICROCREDIT_RPC's node, a local chain.
    const status = json(
      await cli(dir, ["ops", "status", "--network", "localhost", "--json"], { MICROCREDIT_RPC: RPC }),
    );
    expect(status.totalAssets).to.equal(json(await run("ops", "status", "--json")).totalAssets);
    // sepolia: SEPOLIA_RPC_URL, here the local node, which is chain 31337: stopped before anything is read or signed.
    const wrong = new RegExp(
      `^microcredit lender deposit: --network sepolia expects chain 11155111, but ${escape(RPC)} is chain 31337$`,
    );
    const before = await provider.getTransactionCount(lender.address);
    oneLine(
      await cli(dir, ["lender", "deposit", "--amount", "1", "--account", "1", "--network", "sepolia"], {
        SEPOLIA_RPC_URL: RPC,
      }),
      wrong,
      2,
    );
    expect(await provider.getTransactionCount(lender.address)).to.equal(before);
    // --rpc gives the URL, --network the chain it must be.
    oneLine(
      await cli(dir, ["lender", "deposit", "--amount", "1", "--network", "sepolia", "--rpc", RPC]),
      wrong,
      2,
    );
    oneLine(
      await cli(dir, ["ops", "status", "--network", "sepolia"], { MICROCREDIT_RPC: RPC }),
      /^microcredit ops status: --network sepolia needs SEPOLIA_RPC_URL \(the node's JSON-RPC URL\)$/,
      2,
    );
    oneLine(
      await cli(dir, ["ops", "status", "--network", "mainnet"], { MICROCREDIT_RPC: RPC }),
      /^microcredit ops status: unknown --network "mainnet" \(known: localhost, sepolia, baseSepolia\) \(see --help\)$/,
      2,
    );
    // localhost is any local chain, not a public one reached on this machine.
    const { url, server } = await fakeChain(84532n);
    try {
      oneLine(
        await cli(dir, ["ops", "status", "--network", "localhost", "--rpc", url]),
        new RegExp(
          `^microcredit ops status: --network localhost expects a local chain \\(31337 or 1337\\), but ${escape(url)} is chain 84532$`,
        ),
        2,
      );
    } finally {
      server.close();
    }
  });
});
