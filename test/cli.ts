// The CLIs (demo, deploy, keeper, monitor, risk) as a newcomer meets them: a bad flag, a bad address, a node that is
// down, and a fresh clone before any build each give one line and a non-zero exit, never a stack trace; one
// `--rpc` reaches a node from every command, and each finds the deployment of the chain it is connected to.
import { expect } from "chai";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isMissingBuild } from "../scripts/cli-support.ts";
import { deploymentId } from "../src/chain/deployment-id.ts";
import { scratchCheckout } from "./helpers/checkout.ts";
import { fakeChain } from "./helpers/fake-chain.ts";
import { startNode } from "./helpers/node.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const DOWN = "http://127.0.0.1:9"; // nothing listens on the discard port
const PORT = 8575;
const OTHER_PORT = 8576;
const ZERO = "0x0000000000000000000000000000000000000001";

// The environment of a user's shell: no MICROCREDIT_RPC or testnet URL of the developer's (the tests name the node),
// and none of the HARDHAT_* variables `hardhat test` sets (HARDHAT_CONFIG would point the scripts at this checkout).
const OWN = new Set(["MICROCREDIT_RPC", "SEPOLIA_RPC_URL", "BASE_SEPOLIA_RPC_URL"]);
const ENV = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !OWN.has(key) && !key.startsWith("HARDHAT_")),
);

// As package.json runs them: the demo and deploy load Hardhat and the Ignition module, which need tsx.
const HARDHAT_SCRIPTS = new Set(["demo.ts", "deploy.ts"]);

function run(cwd: string, script: string, ...args: string[]) {
  return runWith({}, cwd, script, ...args);
}

/** `run` with `env` added to the user's environment. */
function runWith(env: NodeJS.ProcessEnv, cwd: string, script: string, ...args: string[]) {
  const loader = HARDHAT_SCRIPTS.has(script) ? ["--import", "tsx/esm"] : [];
  return spawnSync(process.execPath, [...loader, join("scripts", script), ...args], {
    cwd,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...ENV, ...env },
  });
}

/** `run` without blocking this process (a server of the test must answer the child). */
function runAsync(cwd: string, script: string, ...args: string[]) {
  const loader = HARDHAT_SCRIPTS.has(script) ? ["--import", "tsx/esm"] : [];
  const child = spawn(process.execPath, [...loader, join("scripts", script), ...args], { cwd, env: ENV });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (status) => resolve({ status, stdout, stderr })),
  );
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function expectOneLine(out: { status: number | null; stderr: string }, pattern: RegExp, status = 2) {
  expect(out.status, out.stderr).to.equal(status);
  const lines = out.stderr.trim().split("\n");
  expect(lines, out.stderr).to.have.length(1);
  expect(lines[0]).to.match(pattern);
  expect(out.stderr).to.not.match(/\n\s+at /);
}

describe("operator CLIs: one line for every user mistake", function () {
  this.timeout(120_000);

  it("test_cli_unknownFlag: demo, deploy, keeper and monitor name the flag", () => {
    for (const tool of ["demo", "deploy"]) {
      expectOneLine(
        run(ROOT, `${tool}.ts`, "--frobnicate"),
        new RegExp(`^${tool}: Unknown option '--frobnicate'.* \\(see --help\\)$`),
      );
    }
    expectOneLine(
      run(ROOT, "keeper.ts", "--frobnicate"),
      /^keeper: Unknown option '--frobnicate'.* \(see --help\)$/,
    );
    expectOneLine(
      run(ROOT, "monitor.ts", "--frobnicate"),
      /^monitor: Unknown option '--frobnicate'.* \(see --help\)$/,
    );
  });

  it("test_cli_badAddress: an address that is not one is refused before any connection", () => {
    expectOneLine(
      run(ROOT, "keeper.ts", "--ledger", "nope"),
      /^keeper: --ledger must be an address, got "nope"/,
    );
    expectOneLine(
      run(ROOT, "monitor.ts", "--pool", "0x12"),
      /^monitor: --pool must be an address, got "0x12"/,
    );
  });

  it("test_cli_nodeDown: a node that does not answer is named with its URL", () => {
    for (const tool of ["demo", "deploy"]) {
      expectOneLine(
        run(ROOT, `${tool}.ts`, "--rpc", DOWN),
        new RegExp(`^${tool}: cannot reach http://127\\.0\\.0\\.1:9: `),
      );
    }
    expectOneLine(
      run(ROOT, "risk.ts", "history", "--borrower", ZERO, "--rpc", DOWN),
      /^risk: cannot reach http:\/\/127\.0\.0\.1:9: /,
    );
    expectOneLine(
      run(ROOT, "keeper.ts", "--rpc", DOWN, "--once"),
      /^keeper: cannot reach http:\/\/127\.0\.0\.1:9: /,
    );
    expectOneLine(
      run(ROOT, "monitor.ts", "--rpc", DOWN, "--once"),
      /^monitor: cannot reach http:\/\/127\.0\.0\.1:9: /,
    );
  });

  it("test_cli_nodeBroken: a node that answers eth_chainId and refuses the rest stops the demo and deploy in one line", async () => {
    // A node that restarted into something else: it still says it is chain 31337, then every call fails.
    const { url, server } = await fakeChain(31337n);
    try {
      for (const tool of ["demo", "deploy"]) {
        const out = await runAsync(ROOT, `${tool}.ts`, "--rpc", url);
        expectOneLine(out, new RegExp(`^${tool}: .*is not served here`), 1);
      }
    } finally {
      server.close();
    }
  });

  it("test_cli_deployPublicChain: deploy:local refuses a public chain not on this machine, and allows a fork here", async () => {
    // 127.0.0.2 answers on this machine, but is not a loopback host the tools recognise: it stands for another one.
    const remote = await fakeChain(11155111n, "127.0.0.2");
    const unknown = await fakeChain(1n, "127.0.0.2");
    const fork = await fakeChain(1n);
    const private1337 = await fakeChain(1337n, "127.0.0.2");
    try {
      const refused = (shown: string, chain: string, name: string) =>
        new RegExp(
          `^${escape(
            `deploy: ${shown} is ${chain}, not a local chain (31337 or 1337) or a node on this machine: deploy there ` +
              `with \`npx hardhat ignition deploy ignition/modules/MicrocreditNetwork.ts --network ${name}\` ` +
              "(docs/DEPLOY.md)",
          )}$`,
        );
      expectOneLine(
        await runAsync(ROOT, "deploy.ts", "--rpc", `${remote.url}/v2/secret`),
        refused(`${remote.url}/…`, "sepolia (chain 11155111)", "sepolia"),
      );
      expectOneLine(
        await runAsync(ROOT, "deploy.ts", "--rpc", unknown.url),
        refused(unknown.url, "chain 1", "<name>"),
      );
      // A fork on this machine and a development chain elsewhere get past the check (then fail on the fake node).
      for (const url of [fork.url, private1337.url]) {
        expectOneLine(await runAsync(ROOT, "deploy.ts", "--rpc", url), /^deploy: .*is not served here/, 1);
      }
    } finally {
      for (const { server } of [remote, unknown, fork, private1337]) server.close();
    }
  });

  describe("a fresh clone before `npm run build`", () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "microcredit-prebuild-"));
      for (const path of ["scripts", "src", "data", "package.json"])
        cpSync(join(ROOT, path), join(dir, path), { recursive: true });
      symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("test_cli_beforeBuild: keeper and monitor say to build first; --help and the offline risk commands work", () => {
      expectOneLine(
        run(dir, "keeper.ts", "--once"),
        /^keeper: the contracts are not built yet: run `npm run build` first/,
      );
      expectOneLine(
        run(dir, "monitor.ts", "--once"),
        /^monitor: the contracts are not built yet: run `npm run build` first/,
      );
      for (const script of ["keeper.ts", "monitor.ts"]) {
        const help = run(dir, script, "--help");
        expect(help.status, help.stderr).to.equal(0);
        expect(help.stdout).to.match(/^usage: npm run /);
      }
      const synth = run(dir, "risk.ts", "synth", "--out", join(dir, "s.csv"), "--rows", "50");
      expect(synth.status, synth.stderr).to.equal(0);
      expect(run(dir, "risk.ts", "train", "--help").status).to.equal(0);
    });
  });

  describe("one --rpc for every command, on a node that is not on port 8545", () => {
    let dir: string;
    let node: ChildProcess;
    let other: ChildProcess;
    const rpc = `http://127.0.0.1:${PORT}`;
    before(async () => {
      dir = scratchCheckout("microcredit-rpc-");
      node = await startNode(PORT);
      other = await startNode(OTHER_PORT);
    });
    after(() => {
      if (node?.pid) process.kill(-node.pid, "SIGKILL");
      if (other?.pid) process.kill(-other.pid, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    });

    it("test_cli_rpc: deploy prints each contract once when piped; keeper, monitor, risk history and the demo find it", () => {
      const deploy = run(dir, "deploy.ts", "--rpc", rpc);
      expect(deploy.status, deploy.stderr).to.equal(0);
      const file = join(dir, "ignition", "deployments", `chain-31337-${PORT}`, "deployed_addresses.json");
      expect(existsSync(file)).to.equal(true);
      const ledger = (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>)[
        "Microcredit#CreditLedger"
      ];
      const lines = deploy.stdout.trim().split("\n");
      expect(lines.filter((l) => l === `Microcredit#CreditLedger ${ledger}`)).to.have.length(1);
      expect(lines).to.have.length(15); // 14 futures with an address, then where they are recorded
      expect(lines.filter((l) => l.startsWith("Microcredit#CreditLens 0x"))).to.have.length(1);
      expect(lines.filter((l) => l.startsWith("Microcredit#CreditOffers 0x"))).to.have.length(1);
      expect(lines.filter((l) => l.startsWith("Microcredit#MerchantRegistry 0x"))).to.have.length(1);
      expect(lines.filter((l) => l.startsWith("Microcredit#SalesRouter 0x"))).to.have.length(1);
      expect(lines[14]).to.equal(
        `deployed on chain 31337 (${rpc}); addresses in ignition/deployments/chain-31337-${PORT}/deployed_addresses.json`,
      );
      expect(deploy.stdout).to.not.match(/Batch #/);

      const keeper = run(dir, "keeper.ts", "--rpc", rpc, "--once");
      expect(keeper.status, keeper.stderr).to.equal(0);
      expect(keeper.stdout).to.contain(`on chain 31337 for ledger ${ledger}`);
      expect(existsSync(join(dir, ".keeper", `checkpoint-31337-${PORT}.json`))).to.equal(true);
      const monitor = run(dir, "monitor.ts", "--rpc", rpc, "--once", "--out", join(dir, "w.jsonl"));
      expect(monitor.status, monitor.stderr).to.equal(0);
      expect(monitor.stdout).to.contain(`ledger ${ledger}`);
      const history = run(dir, "risk.ts", "history", "--borrower", ZERO, "--rpc", rpc);
      expect(history.status, history.stderr).to.equal(0);
      expect(JSON.parse(history.stdout)).to.be.an("object");

      const demo = run(dir, "demo.ts", "--rpc", rpc);
      expect(demo.status, demo.stderr).to.equal(0);
      expect(demo.stdout).to.contain(`ledger ${ledger}`);
      // The merchant chapter on the node: approved from its sales, a shortfall collected, repaid from sales.
      expect(demo.stdout).to.match(/Merchant model .*: probability of default [\d.]+%, approve, tier [A-D]/);
      expect(demo.stdout).to.match(/pulls the shortfall from the owner's wallet by the mandate: [1-9][\d,]*\.\d\d;/);
      expect(demo.stdout).to.contain("the next sale is the merchant's in full (0 repayments in it, share now 0.00%)");
      expect(demo.stdout.trim().endsWith("Done.")).to.equal(true);
    });

    it("test_cli_network: --network names the node through its variable and stops every tool on a node of another chain", () => {
      const localhost = { MICROCREDIT_RPC: rpc };
      const deploy = runWith(localhost, dir, "deploy.ts", "--network", "localhost");
      expect(deploy.status, deploy.stderr).to.equal(0);
      expect(deploy.stdout.trim().split("\n").at(-1)).to.equal(
        `deployed on chain 31337 (${rpc}); addresses in ignition/deployments/chain-31337-${PORT}/deployed_addresses.json`,
      );
      const keeper = runWith(localhost, dir, "keeper.ts", "--network", "localhost", "--once");
      expect(keeper.status, keeper.stderr).to.equal(0);
      expect(keeper.stdout).to.contain("on chain 31337 for ledger 0x");

      // SEPOLIA_RPC_URL points at the local node: each tool stops in one line before it reads or signs anything.
      const sepolia = { SEPOLIA_RPC_URL: rpc };
      const wrong = (tool: string) =>
        new RegExp(
          `^${tool}: --network sepolia expects chain 11155111, but http://127\\.0\\.0\\.1:${PORT} is chain 31337$`,
        );
      expectOneLine(runWith(sepolia, dir, "keeper.ts", "--network", "sepolia", "--once"), wrong("keeper"));
      expectOneLine(runWith(sepolia, dir, "monitor.ts", "--network", "sepolia", "--once"), wrong("monitor"));
      expectOneLine(runWith(sepolia, dir, "deploy.ts", "--network", "sepolia"), wrong("deploy"));
      // --rpc gives the URL, --network the chain it must be.
      expectOneLine(
        run(dir, "risk.ts", "history", "--borrower", ZERO, "--network", "sepolia", "--rpc", rpc),
        wrong("risk"),
      );
      expectOneLine(
        runWith(localhost, dir, "monitor.ts", "--network", "baseSepolia", "--once"),
        /^monitor: --network baseSepolia needs BASE_SEPOLIA_RPC_URL \(the node's JSON-RPC URL\)$/,
      );
      expectOneLine(
        run(dir, "keeper.ts", "--network", "mainnet", "--once"),
        /^keeper: unknown --network "mainnet" \(known: localhost, sepolia, baseSepolia\) \(see --help\)$/,
      );
    });

    it("test_cli_twoNodes: a second local node (same chain id, another port) shares neither journal nor checkpoint", () => {
      const otherRpc = `http://127.0.0.1:${OTHER_PORT}`;
      const journal = `ignition/deployments/chain-31337-${OTHER_PORT}/deployed_addresses.json`;
      for (const script of ["keeper.ts", "monitor.ts"]) {
        const out = run(dir, script, "--rpc", otherRpc, "--once");
        expectOneLine(out, new RegExp(`no --ledger and no Microcredit#CreditLedger in .*${journal}`));
      }
      const deploy = run(dir, "deploy.ts", "--rpc", otherRpc);
      expect(deploy.status, deploy.stderr).to.equal(0);
      expect(deploy.stdout.trim().split("\n").at(-1)).to.equal(
        `deployed on chain 31337 (${otherRpc}); addresses in ${journal}`,
      );
      const keeper = run(dir, "keeper.ts", "--rpc", otherRpc, "--once");
      expect(keeper.status, keeper.stderr).to.equal(0);
      expect(keeper.stdout).to.contain(
        `checkpoint ${join(dir, ".keeper", `checkpoint-31337-${OTHER_PORT}.json`)}`,
      );
      // The first node's journal is untouched: it still lists that node's contracts.
      const first = join(dir, "ignition", "deployments", `chain-31337-${PORT}`, "deployed_addresses.json");
      expect(existsSync(first)).to.equal(true);
    });

    it("test_cli_restartedNode: a node restarted on its port starts afresh, its keeper checkpoint included", async () => {
      const otherRpc = `http://127.0.0.1:${OTHER_PORT}`;
      const checkpoint = join(dir, ".keeper", `checkpoint-31337-${OTHER_PORT}.json`);
      expect(existsSync(checkpoint)).to.equal(true);
      if (other?.pid) process.kill(-other.pid, "SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 500));
      other = await startNode(OTHER_PORT);
      const deploy = run(dir, "deploy.ts", "--rpc", otherRpc);
      expect(deploy.status, deploy.stderr).to.equal(0);
      expect(deploy.stdout).to.contain("starting afresh");
      // The old checkpoint would have skipped the blocks the new chain reuses.
      expect(existsSync(checkpoint)).to.equal(false);
    });
  });

  it("deploymentId: one journal per public chain, one per node on this machine or local-chain node", () => {
    expect(deploymentId(11155111n, "https://rpc.example.org/v1/key")).to.equal("chain-11155111");
    expect(deploymentId(31337n, "http://127.0.0.1:8545")).to.equal("chain-31337-8545");
    expect(deploymentId(31337n, "http://localhost:9545/")).to.equal("chain-31337-9545");
    expect(deploymentId(31337n, "http://[::1]:9545")).to.equal("chain-31337-9545");
    expect(deploymentId(31337n, "https://node.internal")).to.equal("chain-31337-node.internal-443");
    expect(deploymentId(31337n, "http://10.0.0.7:8545")).to.equal("chain-31337-10.0.0.7-8545");
    // A fork on this machine keeps the id of the chain it copies, never that chain's journal.
    expect(deploymentId(11155111n, "http://127.0.0.1:8545")).to.equal("chain-11155111-8545");
    expect(deploymentId(84532n, "wss://base-sepolia.example.org/ws")).to.equal("chain-84532");
    // Ganache, Geth's dev mode and some Anvil set-ups are chain 1337: local too.
    expect(deploymentId(1337n, "http://127.0.0.1:7545")).to.equal("chain-1337-7545");
    expect(deploymentId(1337n, "http://10.0.0.7:8545")).to.equal("chain-1337-10.0.0.7-8545");
  });

  it("isMissingBuild recognises only a missing typechain-types module", () => {
    const missing = Object.assign(new Error("Cannot find module '/x/typechain-types/index.ts'"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    expect(isMissingBuild(missing)).to.equal(true);
    const other = Object.assign(new Error("Cannot find module 'left-pad'"), { code: "ERR_MODULE_NOT_FOUND" });
    expect(isMissingBuild(other)).to.equal(false);
    expect(isMissingBuild(new Error("typechain-types"))).to.equal(false);
  });
});
