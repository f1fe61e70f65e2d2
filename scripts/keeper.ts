// Collection keeper CLI (docs/KEEPER.md):
//   npm run keeper -- [--rpc http://127.0.0.1:8545 | --network sepolia] [--ledger 0x…] [--lens 0x…] [--once]
//                     [--interval 15] [--checkpoint file]
// The key comes from KEEPER_KEY (Hardhat's account #0 is used only on chain 31337, or 1337 on this machine).
import { Wallet, isAddress } from "ethers";
import { NETWORKS_TEXT } from "../src/chain/networks.ts";
import { defaultCheckpointFile, resolveKey } from "../src/keeper/config.ts";
import { startProgress } from "../src/util/progress.ts";
import { deployedAddresses } from "../src/monitor/addresses.ts";
import {
  connectOrExit,
  DEFAULT_RPC_URL,
  errorLine,
  importAfterBuild,
  NODE_OPTIONS,
  parseArgsOrExit,
  resolveOrExit,
} from "./cli-support.ts";

const USAGE = `usage: npm run keeper -- [--ledger <address>] [--lens <address>] [--rpc <url>]
                            [--once | --interval <seconds>] [--network <name>] [--checkpoint <file>]
                            [--from-block <n>] [--batch <n ≤ 100>] [--confirmations <n>]
  --rpc           JSON-RPC URL (default MICROCREDIT_RPC, else ${DEFAULT_RPC_URL})
  --network       ${NETWORKS_TEXT}:
                  the URL from that variable (or --rpc), and the node must be that chain
  --ledger        CreditLedger address (default: Ignition's deployed_addresses.json for the chain)
  --lens          the ledger's CreditLens, which the keeper reads loans on (default: the deployment's, for its ledger;
                  without one, the same reads go through the ledger's extView)
  --once          one pass, then exit (default: loop every --interval seconds, default 15)
  --checkpoint    checkpoint file (default .keeper/checkpoint-<chainId>.json; checkpoint-31337-<port>.json on a local node)
  --from-block    first block to scan for loans when there is no checkpoint (the ledger's deployment block)
  --batch         loans per collect transaction (default 100)
  --confirmations blocks to stay behind the head when scanning events (default 0)
env: KEEPER_KEY   private key that signs and pays gas (no role needed; default: Hardhat #0 on chain 31337, or 1337 on this machine)`;

const { values } = parseArgsOrExit("keeper", {
  options: {
    ...NODE_OPTIONS,
    ledger: { type: "string" },
    lens: { type: "string" },
    once: { type: "boolean", default: false },
    interval: { type: "string", default: "15" },
    checkpoint: { type: "string" },
    "from-block": { type: "string" },
    batch: { type: "string" },
    confirmations: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});

function fail(message: string, usage = true): never {
  console.error(`keeper: ${message}${usage ? " (see --help)" : ""}`);
  process.exit(2);
}

function integer(
  name: string,
  raw: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    fail(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
for (const flag of ["ledger", "lens"] as const) {
  const v = values[flag];
  if (v !== undefined && !isAddress(v)) fail(`--${flag} must be an address, got "${v}"`);
}
const target = resolveOrExit("keeper", values);
const { runLoop, runOnce } = await importAfterBuild("keeper", () => import("../src/keeper/keeper.ts"));
const interval = integer("interval", values.interval, 1)!;
const batchSize = integer("batch", values.batch, 1, 100);
const fromBlock = integer("from-block", values["from-block"], 0);
const confirmations = integer("confirmations", values.confirmations, 0);

const { provider, chainId } = await connectOrExit("keeper", target);
const deployed = deployedAddresses(chainId, target.url);
const ledger = values.ledger ?? deployed.ledger;
if (!ledger)
  fail(
    `no --ledger and no Microcredit#CreditLedger in ${deployed.file} (deploy first: npm run deploy:local)`,
    false,
  );
const lens =
  values.lens ?? (ledger.toLowerCase() === deployed.ledger?.toLowerCase() ? deployed.lens : undefined);
let wallet: Wallet;
try {
  wallet = new Wallet(resolveKey(chainId, target.url), provider);
} catch (error) {
  const invalid = (error as { code?: string }).code === "INVALID_ARGUMENT";
  fail(invalid ? "KEEPER_KEY is not a private key (32 bytes as 64 hex digits)" : errorLine(error), false);
}
const checkpointFile = values.checkpoint ?? defaultCheckpointFile(chainId, target.url);

const controller = new AbortController();
const stop = () => {
  if (controller.signal.aborted) process.exit(130);
  console.log(
    "keeper: stopping after the current step (Ctrl-C again to force; the checkpoint is always consistent)",
  );
  controller.abort(new Error("interrupted"));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

const stamp = () => new Date().toISOString().slice(11, 19);
const log = (line: string) => console.log(`[${stamp()}] ${line}`);
const options = {
  provider,
  wallet,
  ledger,
  lens,
  checkpointFile,
  batchSize,
  fromBlock,
  confirmations,
  signal: controller.signal,
  log,
  progress: (label: string, total: number) => startProgress(label, total, { log }),
};
console.log(
  `keeper ${wallet.address} on chain ${chainId} for ledger ${ledger}` +
    `${lens ? ` (lens ${lens})` : ""}; checkpoint ${checkpointFile}`,
);
try {
  if (values.once) await runOnce(options);
  else await runLoop(options, interval);
  if (controller.signal.aborted) console.log("keeper: stopped");
} catch (error) {
  if (controller.signal.aborted) {
    console.log("keeper: stopped");
  } else {
    console.error(`keeper: ${errorLine(error)}`);
    process.exitCode = 1;
  }
}
provider.destroy();
