// The deployable contracts of `contracts/` as Hardhat built them: name, source, ABI and bytecode sizes.
// Shared by `export-abi.ts` and `sizes.ts`; reads `artifacts/` only (run `hardhat build` first).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export interface BuiltContract {
  name: string;
  sourceName: string;
  abi: unknown[];
  /** Runtime code, in bytes (the EIP-170 limit is 24,576). */
  runtimeBytes: number;
  /** Creation code, in bytes (the EIP-3860 limit is 49,152). */
  initBytes: number;
  /** Runtime code, hex with its 0x. */
  runtimeCode: string;
}

const ROOT = join("artifacts", "contracts");

/** Mocks are test fixtures, never deployed on a real chain; libraries are internal (inlined where used). */
const EXCLUDED = /^contracts\/(mocks|libraries)\//;

function bytesOf(hex: string): number {
  return hex.length > 2 ? (hex.length - 2) / 2 : 0;
}

function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (entry.endsWith(".json") && !entry.endsWith(".dbg.json")) out.push(path);
  }
}

/** Every non-abstract contract with code under `contracts/` (mocks and internal libraries excluded), sorted by name. */
export function builtContracts(): BuiltContract[] {
  if (!existsSync(ROOT)) throw new Error("no artifacts: run `npx hardhat build` first");
  const files: string[] = [];
  walk(ROOT, files);
  const contracts: BuiltContract[] = [];
  for (const file of files) {
    const a = JSON.parse(readFileSync(file, "utf8"));
    if (typeof a.deployedBytecode !== "string" || bytesOf(a.deployedBytecode) === 0) continue;
    if (EXCLUDED.test(a.sourceName)) continue;
    contracts.push({
      name: a.contractName,
      sourceName: a.sourceName,
      abi: a.abi,
      runtimeBytes: bytesOf(a.deployedBytecode),
      initBytes: bytesOf(a.bytecode),
      runtimeCode: a.deployedBytecode,
    });
  }
  return contracts.sort((x, y) => x.name.localeCompare(y.name));
}
