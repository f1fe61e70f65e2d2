import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";
import buildProgress from "./scripts/hardhat/build-progress.ts";
import { DEFAULT_RPC_URL, NETWORKS, RPC_VARIABLE, type NamedNetwork } from "./src/chain/networks.ts";

// Hardhat cannot download compilers on this network: compile with the wasm
// build shipped in the npm `solc` package, pinned to exactly SOLC_VERSION.
const SOLC_VERSION = "0.8.28";
const require = createRequire(import.meta.url);
const soljson = require.resolve("solc/soljson.js");

// Fuzz and invariant effort: a quick local profile, a heavy CI profile.
// `MICROCREDIT_PROFILE=ci` (set by .ci/run) selects the heavy one.
const heavy = process.env.MICROCREDIT_PROFILE === "ci";

const compiler = {
  version: SOLC_VERSION,
  path: soljson,
  settings: {
    optimizer: { enabled: true, runs: 10_000 },
    evmVersion: "cancun",
    viaIR: true,
  },
};

// The ledger (and the deployer that embeds it with the pool) trades a little run-time gas for code size: above about
// 820 runs it would pass the 20,480-byte target (`npm run sizes`). Measured in docs/DESIGN.md, "Code size".
const ledgerCompiler = {
  ...compiler,
  settings: { ...compiler.settings, optimizer: { enabled: true, runs: 800 } },
};
// The modules with no gas budget on any of their paths.
const forSize = { ...compiler, settings: { ...compiler.settings, optimizer: { enabled: true, runs: 200 } } };

const overrides: Record<string, typeof compiler> = {
  "contracts/CreditLedger.sol": ledgerCompiler,
  "contracts/MicrocreditDeployer.sol": ledgerCompiler,
  // The deployer embeds the pool too: the same settings keep the pool's artifact equal to what is deployed.
  "contracts/LendingPool.sol": ledgerCompiler,
  // Configuration and late loans are never on a budgeted path: compiled for size.
  "contracts/modules/ConfigModule.sol": forSize,
  "contracts/modules/DelinquencyModule.sol": forSize,
};

// The tests' own code (the test contracts, their handlers and fixtures) compiles with the legacy code generator: about
// three times faster than via-IR, and the tests call the contracts they test at the bytecode of their artifacts,
// compiled as above. Kept on via-IR: the unit tests of code compiled inside the test's own job (the math libraries
// that have Solidity unit tests, and the mock token), so that they run the code generator that ships, and the files
// legacy cannot compile (stack too deep). A new test file is fast by default: list it here if it unit-tests a library
// or if legacy refuses it. Timings: README, "Quick start".
const testCompiler = {
  ...compiler,
  settings: { ...compiler.settings, viaIR: false, optimizer: { enabled: true, runs: 200 } },
};
const viaIrTests = new Set([
  // Unit tests of code compiled in the test's job.
  "test/ScheduleMath.t.sol",
  "test/GainMath.t.sol",
  "test/StatementMath.t.sol",
  "test/ConversionMath.t.sol",
  "test/MockStablecoin.t.sol",
  "test/ledger/LoanMath.t.sol",
  "test/ledger/LimitsPacking.t.sol",
  // Stack too deep under the legacy code generator.
  "test/attacks/ExitBeforeWriteOff.t.sol",
  "test/invariants/LedgerHandler.sol",
  "test/invariants/LedgerModel.sol",
  "test/invariants/WalletActor.sol",
]);
// (A checkout without test/, as some tests copy the project, has no test files to compile.)
const testDir = new URL("./test", import.meta.url);
if (existsSync(testDir)) {
  const files = readdirSync(testDir, { recursive: true, encoding: "utf8" }).map(
    (f) => `test/${f.replaceAll("\\", "/")}`,
  );
  // A listed file that was renamed would silently fall back to the legacy code generator.
  for (const listed of viaIrTests)
    if (!files.includes(listed)) throw new Error(`hardhat.config.ts: no ${listed}`);
  for (const path of files)
    if (path.endsWith(".sol") && !viaIrTests.has(path)) overrides[path] = testCompiler;
}

// Hardhat defaults "production" to tool versions in its build info, which enter the jobs' hash: off, so that a
// production build hashes like a default one and finds it in the cache.
const profile = { compilers: [compiler], overrides, isolated: true, toolVersionsInBuildInfo: false };

// A public testnet of the registry every tool shares (src/chain/networks.ts): its chain id, chain type and the names
// of its variables, read from the keystore (`npx hardhat keystore set SEPOLIA_RPC_URL`) or the environment only
// when the network is used.
const testnet = ({ chainId, chainType, rpcVariable, keyVariable }: Required<NamedNetwork>) => ({
  type: "http" as const,
  chainType,
  chainId: Number(chainId),
  url: configVariable(rpcVariable),
  accounts: [configVariable(keyVariable)],
});

export default defineConfig({
  // buildProgress: progress lines while compiling, every core used, only the diagnostics that fail the build.
  plugins: [hardhatToolboxMochaEthers, buildProgress],
  // One build for every command: tests, the demo and `deploy:local` build "default"; `hardhat ignition deploy` builds
  // "production", which is the same profile, so its compilation jobs hash alike and hit the cache the others left
  // (and deploy the bytecode the tests ran). viaIR is needed for the stack depth of the ledger.
  solidity: {
    profiles: { default: profile, production: profile },
  },
  paths: {
    tests: { mocha: "test", solidity: "test" },
  },
  test: {
    solidity: {
      fuzz: { runs: heavy ? 5_000 : 256, seed: "0x4d6963726f637265646974" },
      invariant: {
        runs: heavy ? 256 : 32,
        depth: heavy ? 64 : 32,
        failOnRevert: false,
      },
    },
    // Test files run in parallel, one worker per core (at least two): the files that start nodes use ports and scratch
    // checkouts of their own. Coverage (`npm run coverage`, which sets MICROCREDIT_COVERAGE=1) runs them in one process.
    mocha: {
      timeout: 600_000,
      parallel: process.env.MICROCREDIT_COVERAGE !== "1",
      jobs: Math.max(2, availableParallelism()),
      require: [new URL("./test/helpers/worker-env.ts", import.meta.url).href],
    },
  },
  networks: {
    // `--rpc` of the demo and deploy:local overrides the URL; `hardhat --network localhost` reaches MICROCREDIT_RPC.
    localhost: { type: "http", chainType: "l1", url: process.env[RPC_VARIABLE] || DEFAULT_RPC_URL },
    // Public testnets (docs/DEPLOY.md).
    sepolia: testnet(NETWORKS.sepolia),
    baseSepolia: testnet(NETWORKS.baseSepolia),
  },
  // `ignition deploy --verify` and `ignition verify`: Etherscan with the key below, Blockscout and Sourcify without.
  verify: { etherscan: { apiKey: configVariable("ETHERSCAN_API_KEY") } },
  typechain: { outDir: "typechain-types" },
});
