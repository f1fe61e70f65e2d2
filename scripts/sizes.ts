// Prints the code size of every deployable contract against the chain's limits and the project's target, and fails
// when one would not deploy (runtime code above 24,576 bytes, EIP-170; creation code above 49,152, EIP-3860) or is
// above the target (20,480 bytes of runtime code: 4 KiB of headroom under EIP-170).
// It also prints where the hot entry points sit in each contract's dispatcher: under viaIR, solc compares the
// selector with every external function's in ascending order (no binary search), about 22 gas per comparison.
// Run after `hardhat build`: `node scripts/sizes.ts`.
import { Interface, type InterfaceAbi } from "ethers";
import { builtContracts, type BuiltContract } from "./contract-artifacts.ts";

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
let aboveTarget = 0;
for (const r of rows) {
  const fits = r.runtimeBytes <= RUNTIME_LIMIT && r.initBytes <= INIT_LIMIT;
  if (!fits) over++;
  if (r.runtimeBytes > TARGET) aboveTarget++;
  const mark = !fits
    ? "OVER THE CHAIN LIMIT"
    : r.runtimeBytes <= TARGET
      ? "ok"
      : `${fmt(r.runtimeBytes - TARGET)} over`;
  console.log(
    `${r.name.padEnd(width)}  ${fmt(r.runtimeBytes).padStart(7)}  ${fmt(RUNTIME_LIMIT - r.runtimeBytes).padStart(8)}  ${fmt(r.initBytes).padStart(8)}  ${mark}`,
  );
}
/** The entry points of the gas budgets (`bench/budgets.json`) and what they call on another contract. */
const HOT = ["draw", "drawTo", "repay", "collect", "recordDeposit", "bookValue", "deposit", "repayLate"];
const PER_COMPARISON = 22; // DUP1 PUSH4 EQ PUSH2 JUMPI

/** Selectors in the order the runtime code compares them: the order of their first PUSH4 in the code. */
function dispatchOrder(c: BuiltContract): string[] {
  const names = new Map<string, string>();
  new Interface(c.abi as InterfaceAbi).forEachFunction((f) => names.set(f.selector.slice(2), f.name));
  const code = Buffer.from(c.runtimeCode.slice(2), "hex");
  const order: string[] = [];
  for (let pc = 0; pc < code.length; pc++) {
    const op = code[pc];
    if (op === 0x63) {
      const name = names.get(code.subarray(pc + 1, pc + 5).toString("hex"));
      if (name !== undefined && !order.includes(name)) order.push(name);
    }
    if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f;
  }
  return order;
}

console.log(
  `\ndispatch (position of the hot entry points among the external functions; ~${PER_COMPARISON} gas each):`,
);
for (const r of rows) {
  const order = dispatchOrder(r);
  const hot = HOT.filter((h) => order.includes(h)).map((h) => {
    const at = order.indexOf(h) + 1;
    return `${h} ${at} (~${fmt(at * PER_COMPARISON)} gas)`;
  });
  if (hot.length > 0) console.log(`  ${r.name.padEnd(width)}  ${order.length} functions: ${hot.join(", ")}`);
}
if (over > 0) {
  console.error(`sizes: ${over} contract(s) above the EIP-170 / EIP-3860 limits would not deploy`);
}
if (aboveTarget > 0) {
  console.error(`sizes: ${aboveTarget} contract(s) above the target of ${fmt(TARGET)} bytes of runtime code`);
}
if (over > 0 || aboveTarget > 0) process.exit(1);
