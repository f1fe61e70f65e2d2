// A checkout of its own for tests that run the CLIs against a node: the deployment journal and keeper checkpoint
// they write land in a temporary directory, never in the developer's. Sources, artifacts and node_modules are linked.
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A new temporary directory laid out like the repository; remove it with `rmSync(dir, { recursive: true })`. */
export function scratchCheckout(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const path of ["scripts", "src", "data", "examples", "artifacts", "typechain-types", "node_modules"])
    symlinkSync(join(ROOT, path), join(dir, path));
  for (const path of ["hardhat.config.ts", "package.json"]) cpSync(join(ROOT, path), join(dir, path));
  mkdirSync(join(dir, "ignition"));
  symlinkSync(join(ROOT, "ignition", "modules"), join(dir, "ignition", "modules"));
  return dir;
}
