// The import graph of src/ runs one way: core at the bottom, the shared rooms (chain, format, util) on it, the risk
// engine and the client beside each other, the keeper and the monitor on top and apart (README.md, "Layout").
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");

/** What each room of src/ may import besides itself; "typechain" is the generated bindings at typechain-types/. */
const ALLOWED: Record<string, string[]> = {
  core: [],
  util: [],
  abi: [],
  format: ["core"],
  chain: ["core", "util", "typechain"],
  config: ["core"],
  risk: ["core"],
  sdk: ["core", "chain", "format", "util", "abi", "typechain"],
  // Shipped in the package: of chain, only what needs no typechain-types (deployment-id.ts, for the node's journal).
  client: ["core", "chain", "format", "util", "abi", "sdk", "risk"],
  keeper: ["core", "chain", "format", "util", "config", "sdk", "typechain"],
  monitor: ["core", "chain", "format", "util", "config", "sdk", "typechain"],
  // Shipped in the package (`microcredit` bin): of chain, only deployment-id.ts (the rest needs typechain-types).
  cli: ["core", "chain", "format", "util", "abi", "sdk", "client"],
};

/** Rooms that must not import ethers at all. */
const NO_ETHERS = new Set(["core", "util", "abi"]);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Every module specifier a file names: static imports and re-exports, side-effect imports, dynamic imports. */
export function specifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const out: string[] = [];
  for (const re of [
    /\b(?:import|export)\s[^;"'`]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ]) {
    for (const m of code.matchAll(re)) out.push(m[1]);
  }
  return out;
}

/** The room a path under the repository belongs to, or undefined for anything outside src/ and typechain-types/. */
function roomOf(path: string): string | undefined {
  const rel = relative(ROOT, path).split(sep);
  if (rel[0] === "typechain-types") return "typechain";
  // The exported ABIs (abi/*.json) belong with src/abi/, which loads them.
  if (rel[0] === "abi") return "abi";
  if (rel[0] === "src" && rel.length > 2) return rel[1];
  return undefined;
}

/** The broken rules in a set of files (path → source), one line each: file, import, why. */
export function violations(files: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [file, source] of files) {
    const room = roomOf(file);
    const name = relative(ROOT, file);
    if (!room) {
      out.push(`${name}: a file of src/ outside any room`);
      continue;
    }
    const allowed = ALLOWED[room];
    if (!allowed) {
      out.push(`${name}: room src/${room}/ has no rule in test/layers.ts`);
      continue;
    }
    for (const spec of specifiers(source)) {
      if (spec === "ethers" || spec.startsWith("ethers/")) {
        if (NO_ETHERS.has(room)) out.push(`${name}: imports "${spec}" (src/${room}/ stays free of ethers)`);
        continue;
      }
      if (!spec.startsWith(".")) continue;
      const target = roomOf(resolve(dirname(file), spec));
      if (target === room) continue;
      if (target === undefined || !allowed.includes(target)) {
        const may = allowed.length ? allowed.join(", ") : "nothing outside itself";
        out.push(`${name}: imports "${spec}" (src/${room}/ may import ${may})`);
      }
    }
  }
  return out;
}

describe("src/ layers", () => {
  it("every import in src/ follows the room rules", () => {
    const files = new Map(tsFiles(SRC).map((f) => [f, readFileSync(f, "utf8")] as const));
    expect(files.size).to.be.greaterThan(30);
    const broken = violations(files);
    expect(broken, `\n  ${broken.join("\n  ")}\n`).to.deep.equal([]);
  });

  it("names the file and the import of each broken rule", () => {
    const file = (room: string, source: string) => [join(SRC, room, "x.ts"), source] as const;
    const broken = violations(
      new Map([
        file("core", `import { Interface } from "ethers";\nimport { a } from "../chain/ledger.ts";`),
        file("risk", `import type { B } from "../sdk/history.ts";\nimport { c } from "../core/schedule.ts";`),
        file("sdk", `export { d } from "../risk/policy.ts";\nconst m = await import("../keeper/index.ts");`),
        file("keeper", `import {\n  e,\n} from "../monitor/index.ts";`),
        file("monitor", `import "../keeper/ledger.ts";\nimport { f } from "./other.ts";`),
      ]),
    );
    expect(broken).to.deep.equal([
      `src/core/x.ts: imports "ethers" (src/core/ stays free of ethers)`,
      `src/core/x.ts: imports "../chain/ledger.ts" (src/core/ may import nothing outside itself)`,
      `src/risk/x.ts: imports "../sdk/history.ts" (src/risk/ may import core)`,
      `src/sdk/x.ts: imports "../risk/policy.ts" (src/sdk/ may import core, chain, format, util, abi, typechain)`,
      `src/sdk/x.ts: imports "../keeper/index.ts" (src/sdk/ may import core, chain, format, util, abi, typechain)`,
      `src/keeper/x.ts: imports "../monitor/index.ts" (src/keeper/ may import core, chain, format, util, config, sdk, typechain)`,
      `src/monitor/x.ts: imports "../keeper/ledger.ts" (src/monitor/ may import core, chain, format, util, config, sdk, typechain)`,
    ]);
  });
});
