// Prints the code size of every deployable contract against the chain's limits and the project's target, and fails
// when one would not deploy: runtime code above 24,576 bytes (EIP-170) or creation code above 49,152 (EIP-3860).
// The target (20,480 bytes of runtime code, 4 KiB of headroom) is printed, not enforced, until the core meets it.
// Run after `hardhat build`: `node scripts/sizes.ts`.
import { builtContracts } from "./contract-artifacts.ts";

const RUNTIME_LIMIT = 24_576;
const INIT_LIMIT = 49_152;
const TARGET = 20_480;

const fmt = (n: number) => n.toLocaleString("en-US");
const rows = builtContracts();
const width = Math.max(...rows.map((r) => r.name.length), "contract".length);
console.log(
  `${"contract".padEnd(width)}  ${"runtime".padStart(7)}  ${"headroom".padStart(8)}  ${"initcode".padStart(8)}  target ≤ ${fmt(TARGET)}`,
);
let over = 0;
for (const r of rows) {
  const fits = r.runtimeBytes <= RUNTIME_LIMIT && r.initBytes <= INIT_LIMIT;
  if (!fits) over++;
  const mark = !fits
    ? "OVER THE CHAIN LIMIT"
    : r.runtimeBytes <= TARGET
      ? "ok"
      : `${fmt(r.runtimeBytes - TARGET)} over`;
  console.log(
    `${r.name.padEnd(width)}  ${fmt(r.runtimeBytes).padStart(7)}  ${fmt(RUNTIME_LIMIT - r.runtimeBytes).padStart(8)}  ${fmt(r.initBytes).padStart(8)}  ${mark}`,
  );
}
if (over > 0) {
  console.error(`sizes: ${over} contract(s) above the EIP-170 / EIP-3860 limits would not deploy`);
  process.exit(1);
}
