// Fails the build when solc reported any warning for our own sources.
// Hardhat keeps the compiler output next to each build info; read it instead of recompiling.
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { isOurs } from "./hardhat/compiler-warnings.ts";

const dir = join("artifacts", "build-info");
if (!existsSync(dir)) {
  console.error("check-warnings: no build info; run `hardhat build` first");
  process.exit(1);
}
let warnings = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith(".output.json"))) {
  const out = JSON.parse(readFileSync(join(dir, file), "utf8"));
  for (const e of out.output?.errors ?? []) {
    if (!isOurs(e)) continue;
    warnings++;
    console.error(e.formattedMessage ?? e.message);
  }
}
if (warnings > 0) {
  console.error(`check-warnings: ${warnings} compiler warning(s); warnings are errors in this project`);
  process.exit(1);
}
console.log("check-warnings: no compiler warnings");
