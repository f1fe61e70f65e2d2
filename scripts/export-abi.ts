// Writes the ABI of every deployable contract to `abi/<Name>.json` and every custom error they can return to
// `abi/errors.json` (selector → signature), for integrators who call the contracts without Hardhat.
//
// The CreditLedger runs configuration, collection and its computed views in modules (ConfigModule, CollectionModule,
// ViewModule) on its own storage; their events and errors come out of the ledger's address. `abi/CreditLedger.json`
// is what an integrator sees at the ledger's address: the ledger's own ABI (every function the modules answer for it
// is declared in the ledger itself; this script fails if one is not) plus the modules' events and errors.
// Run by `npm run build` after `hardhat build`; `node scripts/export-abi.ts --check` fails when `abi/` is stale.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { Fragment, FunctionFragment, Interface } from "ethers";
import { builtContracts, type BuiltContract } from "./contract-artifacts.ts";

const OUT = "abi";
const check = process.argv.includes("--check");

function byName(all: BuiltContract[], name: string): BuiltContract {
  const c = all.find((x) => x.name === name);
  if (!c) throw new Error(`export-abi: no artifact for ${name}`);
  return c;
}

/** One ABI entry's identity: its type and signature (events and errors can share a name with a function). */
function key(entry: unknown): string | undefined {
  const fragment = Fragment.from(entry as never);
  if (fragment.type !== "function" && fragment.type !== "event" && fragment.type !== "error")
    return undefined;
  return `${fragment.type} ${fragment.format("sighash")}`;
}

/** `base` plus the events and errors of `from` that it lacks. */
function withEventsAndErrors(base: unknown[], from: unknown[][]): unknown[] {
  const out = [...base];
  const seen = new Set(base.map(key));
  for (const entry of from.flat()) {
    const k = key(entry);
    if (!k || seen.has(k) || k.startsWith("function ")) continue;
    seen.add(k);
    out.push(entry);
  }
  return out;
}

/** The functions of `module` that `ledger` does not declare with the same inputs, outputs and mutability (each is
 * unreachable at the ledger's address, or would be decoded wrongly). */
function undeclared(ledger: unknown[], module: unknown[]): string[] {
  const full = (abi: unknown[]) =>
    abi
      .map((entry) => Fragment.from(entry as never))
      .filter((f): f is FunctionFragment => f.type === "function")
      .map(
        (f) =>
          `${f.format("sighash")} ${f.stateMutability} returns (${f.outputs.map((o) => o.format("sighash")).join(",")})`,
      );
  const declared = new Set(full(ledger));
  return full(module).filter((f) => !declared.has(f));
}

const all = builtContracts();
const files = new Map<string, unknown[]>();
for (const c of all) {
  if (c.name === "CreditLedger") continue;
  files.set(c.name, c.abi);
}
// The local stablecoin mock (Ignition's local module deploys it) is exported too, so its faucet's errors decode.
const MOCK_TOKEN = join("artifacts", "contracts", "mocks", "MockStablecoin.sol", "MockStablecoin.json");
files.set("MockStablecoin", (JSON.parse(readFileSync(MOCK_TOKEN, "utf8")) as { abi: unknown[] }).abi);
const ledgerAbi = byName(all, "CreditLedger").abi;
// Configuration and views are the ledger's API: each must be declared by the ledger. The CollectionModule's draw step,
// and the ConfigModule's fee rebate and recovery, run only inside the ledger's own draw and repay, so they must not be.
const INNER_STEPS = new Set(["feeRebate(uint256,uint256)", "recover(uint256,uint256)"]);
const missing = ["ConfigModule", "ViewModule"]
  .flatMap((m) => undeclared(ledgerAbi, byName(all, m).abi))
  .filter((f) => !INNER_STEPS.has(f.split(" ")[0]));
if (missing.length > 0) {
  throw new Error(
    `export-abi: the CreditLedger does not declare ${missing.join(", ")}, which its modules serve`,
  );
}
files.set(
  "CreditLedger",
  withEventsAndErrors(
    ledgerAbi,
    ["ConfigModule", "CollectionModule", "ViewModule"].map((m) => byName(all, m).abi),
  ),
);

const errors: Record<string, string> = {};
for (const abi of files.values()) {
  new Interface(abi as never).forEachError((e) => {
    const previous = errors[e.selector];
    if (previous && previous !== e.format("sighash")) {
      throw new Error(`export-abi: selector ${e.selector} is both ${previous} and ${e.format("sighash")}`);
    }
    errors[e.selector] = e.format("sighash");
  });
}
const sortedErrors = Object.fromEntries(Object.entries(errors).sort(([a], [b]) => a.localeCompare(b)));

const outputs = new Map<string, string>();
for (const [name, abi] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
  outputs.set(join(OUT, `${name}.json`), JSON.stringify(abi, null, 2) + "\n");
}
outputs.set(join(OUT, "errors.json"), JSON.stringify(sortedErrors, null, 2) + "\n");

if (check) {
  const stale = [...outputs].filter(
    ([path, text]) => !existsSync(path) || readFileSync(path, "utf8") !== text,
  );
  if (stale.length > 0) {
    console.error(
      `export-abi: abi/ is stale (${stale.map(([p]) => p).join(", ")}); run \`npm run build\` and commit it`,
    );
    process.exit(1);
  }
  console.log(`export-abi: abi/ matches the build (${outputs.size} files)`);
} else {
  mkdirSync(OUT, { recursive: true });
  for (const [path, text] of outputs) writeFileSync(path, text);
  console.log(
    `export-abi: wrote ${outputs.size - 1} ABIs and ${Object.keys(sortedErrors).length} error selectors to ${OUT}/`,
  );
}
