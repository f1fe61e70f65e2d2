// Writes the ABI of every deployable contract to `abi/<Name>.json` and every custom error they can return to
// `abi/errors.json` (selector → signature), for integrators who call the contracts without Hardhat.
//
// The CreditLedger runs configuration, collection, late loans and its computed views in modules (ConfigModule,
// CollectionModule, DelinquencyModule, ViewModule) on its own storage; their events and errors come out of the
// ledger's address. `abi/CreditLedger.json` is what an integrator sees at the ledger's address: the ledger's own ABI
// (every function the ConfigModule, CollectionModule or DelinquencyModule answers for it is declared in the ledger
// itself; this script fails if one is not) plus the modules' events and errors. The ViewModule's reads are served by
// the CreditLens through the ledger's `extView`: `abi/CreditLens.json` is the lens's ABI plus the ViewModule's errors,
// which its reads bubble up; this script fails when a lens function has no ViewModule function of the same signature
// and outputs, or a ViewModule read is on neither the lens nor the ledger.
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

/** `base` plus the events and errors of `from` that it lacks (only the errors with `errorsOnly`). */
function withEventsAndErrors(base: unknown[], from: unknown[][], errorsOnly = false): unknown[] {
  const out = [...base];
  const seen = new Set(base.map(key));
  for (const entry of from.flat()) {
    const k = key(entry);
    if (!k || seen.has(k) || k.startsWith("function ") || (errorsOnly && !k.startsWith("error "))) continue;
    seen.add(k);
    out.push(entry);
  }
  return out;
}

/** Each function of `abi` as "name(inputs) mutability returns (outputs)"; without the mutability with `loose`. */
function signatures(abi: unknown[], loose = false): string[] {
  return abi
    .map((entry) => Fragment.from(entry as never))
    .filter((f): f is FunctionFragment => f.type === "function")
    .map(
      (f) =>
        `${f.format("sighash")}${loose ? "" : ` ${f.stateMutability}`} returns (${f.outputs.map((o) => o.format("sighash")).join(",")})`,
    );
}

/** The functions of `module` that none of `declaring` declares with the same inputs and outputs (and mutability,
 * unless `loose`): each is unreachable, or would be decoded wrongly. */
function undeclared(declaring: unknown[][], module: unknown[], loose = false): string[] {
  const declared = new Set(declaring.flatMap((abi) => signatures(abi, loose)));
  return signatures(module, loose).filter((f) => !declared.has(f));
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
const lensAbi = byName(all, "CreditLens").abi;
const viewAbi = byName(all, "ViewModule").abi;
// Configuration, collection and the late-loan calls are the ledger's API: each function of those modules must be
// declared by the ledger. The steps of `repay` (IModuleSteps: fee rebate, late repayment, recovery) run only inside the
// ledger's own repay, so they must not be. The views are the lens's API (the ViewModule's role setters, which revert,
// and its inherited getters are the ledger's; a lens function may be view where the ViewModule's is pure).
const INNER_STEPS = new Set([
  "feeRebate(uint256,uint256)",
  "recover(uint256,uint256)",
  "repayLate(uint256,uint256,address)",
]);
for (const module of ["ConfigModule", "CollectionModule", "DelinquencyModule"]) {
  const missing = undeclared([ledgerAbi], byName(all, module).abi).filter(
    (f) => !INNER_STEPS.has(f.split(" ")[0]),
  );
  if (missing.length > 0) {
    throw new Error(
      `export-abi: the CreditLedger does not declare ${missing.join(", ")}, which its ${module} serves`,
    );
  }
}
const declaredSteps = signatures(ledgerAbi).filter((f) => INNER_STEPS.has(f.split(" ")[0]));
if (declaredSteps.length > 0) {
  throw new Error(
    `export-abi: the CreditLedger declares ${declaredSteps.join(", ")}, a step of its own repay`,
  );
}
const unread = undeclared([ledgerAbi, lensAbi], viewAbi, true);
if (unread.length > 0) {
  throw new Error(
    `export-abi: neither the CreditLens nor the CreditLedger declares ${unread.join(", ")}, which the ViewModule serves`,
  );
}
// The lens forwards each call unchanged to the ViewModule (`extView`): same selector, same outputs.
const served = new Set(signatures(viewAbi, true));
const unserved = signatures(lensAbi, true).filter((f) => !f.startsWith("ledger() ") && !served.has(f));
if (unserved.length > 0) {
  throw new Error(
    `export-abi: the ViewModule has no ${unserved.join(", ")}, which the CreditLens forwards to it`,
  );
}
files.set("CreditLens", withEventsAndErrors(lensAbi, [viewAbi], true));
files.set(
  "CreditLedger",
  withEventsAndErrors(
    ledgerAbi,
    ["ConfigModule", "CollectionModule", "DelinquencyModule", "ViewModule"].map((m) => byName(all, m).abi),
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
