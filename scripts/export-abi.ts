// Writes the ABI of every deployable contract to `abi/<Name>.json` and every custom error they can return to
// `abi/errors.json` (selector → signature), for integrators who call the contracts without Hardhat.
//
// The CreditLedger serves some calls through its `fallback` in the ConfigModule (IProductLimits: `setProductCap`,
// `cutProductCap`, `productExposure`), and its draw and collection steps run in the CollectionModule, whose events and
// errors come out of the ledger's address. `abi/CreditLedger.json` is what an integrator sees at the ledger's
// address: the ledger's own ABI plus those functions, events and errors.
// Run by `npm run build` after `hardhat build`; `node scripts/export-abi.ts --check` fails when `abi/` is stale.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { Fragment, Interface } from "ethers";
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

/** `base` plus the functions, events and errors of `functionsFrom` and the events and errors of `eventsFrom` that
 * it lacks. */
function merged(base: unknown[], functionsFrom: unknown[], eventsFrom: unknown[]): unknown[] {
  const out = [...base];
  const seen = new Set(base.map(key));
  const add = (abi: unknown[], functions: boolean) => {
    for (const entry of abi) {
      const k = key(entry);
      if (!k || seen.has(k) || (!functions && k.startsWith("function "))) continue;
      seen.add(k);
      out.push(entry);
    }
  };
  add(functionsFrom, true);
  add(eventsFrom, false);
  return out;
}

const all = builtContracts();
const files = new Map<string, unknown[]>();
for (const c of all) {
  if (c.name === "CreditLedger") continue;
  files.set(c.name, c.abi);
}
files.set(
  "CreditLedger",
  merged(
    byName(all, "CreditLedger").abi,
    byName(all, "ConfigModule").abi,
    byName(all, "CollectionModule").abi,
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
