// Early-warning monitor CLI (docs/MONITOR.md):
//   npm run monitor -- [follow] [--rpc <url> | --network <name>] [--ledger 0x…] [--lens 0x…] [--pool 0x…]
//                      [--from-block n] [--once] [--config file] [--out warnings.jsonl] [--webhook url]
//   npm run monitor -- report --out <dir> [--rpc <url> | --network <name>] [--ledger 0x…] [--lens 0x…]
//                      [--pool 0x…] [--from-block n] [--config file]
import { existsSync } from "node:fs";
import { isAddress } from "ethers";
import { displayUrl, NETWORKS_TEXT } from "../src/chain/networks.ts";
import { deployedAddresses } from "../src/monitor/addresses.ts";
import type { MonitorConfig, WarningSink } from "../src/monitor/index.ts";
import { startProgress } from "../src/util/progress.ts";
import {
  connectOrExit,
  DEFAULT_RPC_URL,
  errorLine,
  importAfterBuild,
  NODE_OPTIONS,
  parseArgsOrExit,
  resolveOrExit,
} from "./cli-support.ts";

const DEFAULT_CONFIG_FILE = "config/monitor.json";
const DEFAULT_WARNINGS_FILE = "out/monitor/warnings.jsonl";
const DEFAULT_REPORT_DIR = "out/monitor/report";

const USAGE = `usage: npm run monitor -- [follow] [options]          follow the chain, print and record warnings
       npm run monitor -- report --out <dir> [options]   catch up, write <dir>/metrics.json and <dir>/report.html
  --rpc         JSON-RPC URL (default MICROCREDIT_RPC, else ${DEFAULT_RPC_URL})
  --network     ${NETWORKS_TEXT}:
                the URL from that variable (or --rpc), and the node must be that chain
  --ledger      CreditLedger address (default: Ignition's deployed_addresses.json for the chain)
  --lens        the ledger's CreditLens, which the monitor reads loans and the book on (default: the deployment's,
                for its ledger; without one, the same reads go through the ledger's extView)
  --pool        LendingPool address (default: the ledger's pool())
  --from-block  first block to read events from (default 0: rebuild from genesis)
  --once        follow: one poll (catching up from --from-block), then exit
  --config      JSON thresholds and settings (default ${DEFAULT_CONFIG_FILE} when present, else built-in defaults)
  --out         follow: warnings file, one JSON line each (default ${DEFAULT_WARNINGS_FILE});
                report: output directory (default ${DEFAULT_REPORT_DIR})
  --webhook     follow: POST every warning as JSON to this URL (failures are logged, never fatal)`;

const { values, positionals } = parseArgsOrExit("monitor", {
  allowPositionals: true,
  options: {
    ...NODE_OPTIONS,
    ledger: { type: "string" },
    lens: { type: "string" },
    pool: { type: "string" },
    "from-block": { type: "string" },
    once: { type: "boolean", default: false },
    config: { type: "string" },
    out: { type: "string" },
    webhook: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});

function fail(message: string, usage = true): never {
  console.error(`monitor: ${message}${usage ? " (see --help)" : ""}`);
  process.exit(2);
}

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const command = positionals[0] ?? "follow";
if (positionals.length > 1 || (command !== "follow" && command !== "report")) {
  fail(`unknown command "${positionals.join(" ")}"`);
}
const fromBlock = values["from-block"] === undefined ? 0 : Number(values["from-block"]);
if (!Number.isInteger(fromBlock) || fromBlock < 0) {
  fail(`--from-block must be an integer ≥ 0, got "${values["from-block"]}"`);
}
for (const flag of ["ledger", "lens", "pool"] as const) {
  const v = values[flag];
  if (v !== undefined && !isAddress(v)) fail(`--${flag} must be an address, got "${v}"`);
}
if (values.webhook !== undefined && !/^https?:\/\//.test(values.webhook)) {
  fail(`--webhook must be an http(s) URL, got "${displayUrl(values.webhook)}"`);
}
const target = resolveOrExit("monitor", values);

const { jsonlSink, loadConfig, Monitor, pollLines, resolveConfig, webhookSink, writeReport } =
  await importAfterBuild("monitor", () => import("../src/monitor/index.ts"));

let config: MonitorConfig;
try {
  const file = values.config ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  config = file ? loadConfig(file) : resolveConfig();
} catch (error) {
  fail((error as Error).message, false);
}

const { provider, chainId } = await connectOrExit("monitor", target);
const deployed = deployedAddresses(chainId, target.url);
const ledger = values.ledger ?? deployed.ledger;
if (!ledger) fail(`no --ledger and no Microcredit#CreditLedger in ${deployed.file}`);
const pool = values.pool ?? (values.ledger ? undefined : deployed.pool);
const lens =
  values.lens ?? (ledger.toLowerCase() === deployed.ledger?.toLowerCase() ? deployed.lens : undefined);

const controller = new AbortController();
process.on("SIGINT", () => {
  if (controller.signal.aborted) process.exit(130);
  console.log("monitor: stopping (Ctrl-C again to force)");
  controller.abort(new Error("interrupted"));
});
process.on("SIGTERM", () => controller.abort(new Error("terminated")));

const stamp = () => new Date().toISOString().slice(11, 19);
const log = (line: string) => console.log(`[${stamp()}] ${line}`);
const sinks: WarningSink[] = [];
const warningsFile = values.out ?? DEFAULT_WARNINGS_FILE;
if (command === "follow") {
  try {
    sinks.push(jsonlSink(warningsFile));
  } catch (error) {
    fail(`cannot create the warnings file ${warningsFile}: ${errorLine(error)}`, false);
  }
  if (values.webhook) sinks.push(webhookSink(values.webhook, (line) => log(line)));
}

try {
  const monitor = await Monitor.create({
    provider,
    ledger,
    lens,
    pool,
    fromBlock,
    config,
    sinks,
    log,
    progress: (label, total) => startProgress(label, total, { log }),
    signal: controller.signal,
  });
  log(
    `monitor on chain ${chainId}: ledger ${monitor.ledgerAddress}, pool ${monitor.poolAddress}, from block ${fromBlock}` +
      (command === "follow"
        ? `; warnings to ${warningsFile}${values.webhook ? ` and ${values.webhook}` : ""}`
        : ""),
  );
  if (command === "report" || values.once) {
    for (const line of pollLines(await monitor.poll())) log(line);
    if (command === "report") {
      const files = writeReport(values.out ?? DEFAULT_REPORT_DIR, monitor.summary());
      log(`wrote ${files.metrics} and ${files.html}`);
    }
  } else {
    await monitor.run();
    log("monitor: stopped");
  }
} catch (error) {
  if (controller.signal.aborted) log("monitor: stopped");
  else {
    console.error(`monitor: ${errorLine(error)}`);
    process.exitCode = 1;
  }
}
provider.destroy();
