// Where a hot transaction's gas goes. `npm run bench:profile` runs the bench's operations on an empty book and
// prints, for each, its receipt gas split into: intrinsic (21,000 + calldata), storage reads and writes (cold and
// warm, with the number of slots), calls into other contracts (the call's own cost, not what runs inside), events,
// and the rest (computation, memory, hashing). Each call frame is listed with its depth, target and the gas spent in
// its own code. `PROFILE_FUNCTIONS=1 npm run bench:profile` also lists the Solidity functions the computation is
// spent in (from the compiler's source maps; approximate under viaIR); `PROFILE_FUNCTIONS=yul` lists the Yul functions
// of the optimised IR instead (exact: what viaIR did not inline, checked arithmetic and memory allocation included).
// `PROFILE_SLOTS=1` prints every SLOAD and SSTORE as it runs (the frame whose code runs, opcode, gas, slot), before
// its transaction's summary: which storage words a path reads and writes, and at what cost. A module run by
// DELEGATECALL is named as its frame, but the words are the ledger's.
// It measures, it does not judge: the budgets are in bench/budgets.json, checked by `bench:gas`.
import { network } from "hardhat";
import { id, type ContractTransactionResponse } from "ethers";
import { PRODUCTS, ALL_PRODUCTS_MASK, ONE } from "../src/config/defaults.ts";
import { deployCore } from "../test/helpers/fixture.ts";
import { steadyLimits, newLender as newFundedLender } from "./setup.ts";
import { functionsByPc, yulFunctionsByPc } from "./source-map.ts";

const BY_YUL = process.env.PROFILE_FUNCTIONS === "yul";
const BY_FUNCTION = process.env.PROFILE_FUNCTIONS === "1" || BY_YUL;
const TOP_FUNCTIONS = 14;
const BY_SLOT = process.env.PROFILE_SLOTS === "1";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const [admin, underwriter, lender] = await ethers.getSigners();

interface StructLog {
  pc: number;
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
}

const STORAGE = new Set(["SLOAD", "SSTORE", "TLOAD", "TSTORE"]);
const CALLS = new Set(["CALL", "DELEGATECALL", "STATICCALL", "CALLCODE"]);

/** The runtime code of each named contract, by the name `names` gives its address. */
const ARTIFACTS: Record<string, string> = {
  ledger: "artifacts/contracts/CreditLedger.sol/CreditLedger.json",
  pool: "artifacts/contracts/LendingPool.sol/LendingPool.json",
  token: "artifacts/contracts/mocks/MockStablecoin.sol/MockStablecoin.json",
  CollectionModule: "artifacts/contracts/modules/CollectionModule.sol/CollectionModule.json",
  DelinquencyModule: "artifacts/contracts/modules/DelinquencyModule.sol/DelinquencyModule.json",
  ConfigModule: "artifacts/contracts/modules/ConfigModule.sol/ConfigModule.json",
  ViewModule: "artifacts/contracts/modules/ViewModule.sol/ViewModule.json",
};
const pcMaps = new Map<string, (pc: number) => string>();
function functionAt(target: string, pc: number): string {
  if (!ARTIFACTS[target]) return `${target}:?`;
  if (!pcMaps.has(target)) {
    if (BY_YUL) pcMaps.set(target, yulFunctionsByPc(ARTIFACTS[target]));
    else {
      const map = functionsByPc(ARTIFACTS[target]);
      pcMaps.set(target, (pc) => map.get(pc) ?? "?");
    }
  }
  return `${target} ${pcMaps.get(target)!(pc)}`;
}

/** One transaction's gas by kind and by call frame (and by function), from the node's opcode trace. */
async function profile(label: string, tx: Promise<ContractTransactionResponse>, names: Map<string, string>) {
  const sent = await tx;
  const receipt = (await sent.wait())!;
  const trace = await ethers.provider.send("debug_traceTransaction", [
    sent.hash,
    { disableStorage: true, disableMemory: true, enableReturnData: false },
  ]);
  const logs: StructLog[] = trace.structLogs;
  const total = Number(receipt.gasUsed);
  const kinds: Record<string, { gas: number; n: number }> = {};
  const add = (k: string, g: number) => {
    kinds[k] ??= { gas: 0, n: 0 };
    kinds[k].gas += g;
    kinds[k].n++;
  };
  const frames: { depth: number; target: string; own: number }[] = [
    { depth: 1, target: names.get(receipt.to!.toLowerCase()) ?? "tx.to", own: 0 },
  ];
  const byFunction = new Map<string, number>();
  const charge = (target: string, pc: number, gas: number) => {
    if (!BY_FUNCTION) return;
    const key = functionAt(target, pc);
    byFunction.set(key, (byFunction.get(key) ?? 0) + gas);
  };
  const stack: number[] = [0];
  let executed = 0;
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i];
    const next = logs[i + 1];
    const frame = frames[stack[stack.length - 1]];
    if (CALLS.has(l.op)) {
      // The call's own cost is what it charged less what it forwarded (the gas at the callee's first step).
      const forwarded = next && next.depth === l.depth + 1 ? next.gas : 0;
      const own = l.gasCost - forwarded;
      add(`${l.op} (own cost)`, own);
      executed += own;
      frame.own += own;
      const to = l.stack ? "0x" + l.stack[l.stack.length - 2].slice(-40).padStart(40, "0") : "?";
      if (forwarded > 0) {
        frames.push({ depth: l.depth + 1, target: names.get(to.toLowerCase()) ?? to, own: 0 });
        stack.push(frames.length - 1);
      }
      continue;
    }
    const cost = l.gasCost;
    if (BY_SLOT && (l.op === "SLOAD" || l.op === "SSTORE") && l.stack)
      console.log(`    ${frame.target} ${l.op} ${cost} ${l.stack[l.stack.length - 1]}`);
    if (l.op === "SLOAD") add(cost >= 2100 ? "SLOAD cold" : "SLOAD warm", cost);
    else if (l.op === "SSTORE")
      add(
        cost >= 20000 ? "SSTORE zero→nonzero" : cost >= 2900 ? "SSTORE nonzero→nonzero" : "SSTORE other",
        cost,
      );
    else if (STORAGE.has(l.op)) add(l.op, cost);
    else if (l.op.startsWith("LOG")) add("LOG", cost);
    else if (l.op === "KECCAK256") add("KECCAK256", cost);
    else if (["BALANCE", "EXTCODESIZE", "EXTCODEHASH"].includes(l.op)) add(l.op, cost);
    else {
      add("compute and memory", cost);
      charge(frame.target, l.pc, cost);
    }
    executed += cost;
    frame.own += cost;
    if (next && next.depth < l.depth) stack.pop();
  }
  const intrinsic = total - executed;
  console.log(`\n${label}: ${total.toLocaleString("en-US")} gas`);
  const rows = Object.entries(kinds).sort((a, b) => b[1].gas - a[1].gas);
  console.log(
    `  ${"intrinsic (21,000 + calldata), refunds".padEnd(34)} ${intrinsic.toLocaleString("en-US").padStart(8)}`,
  );
  for (const [k, v] of rows)
    console.log(`  ${k.padEnd(34)} ${v.gas.toLocaleString("en-US").padStart(8)}   ×${v.n}`);
  console.log("  frames (own code only):");
  for (const f of frames)
    console.log(
      `    ${"  ".repeat(f.depth - 1)}${f.target.padEnd(24)} ${f.own.toLocaleString("en-US").padStart(8)}`,
    );
  if (BY_FUNCTION) {
    const kind = BY_YUL ? "Yul function" : "function";
    console.log(`  computation by ${kind} (top ${TOP_FUNCTIONS}; storage, calls and events excluded):`);
    const top = [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP_FUNCTIONS);
    for (const [k, g] of top) console.log(`    ${k.padEnd(60)} ${g.toLocaleString("en-US").padStart(8)}`);
  }
}

const token = await ethers.deployContract("MockStablecoin");
// The lens serves the ledger's reads (loan ids, what is due); the profiled transactions never touch it.
const { pool, ledger, lens } = await deployCore(connection, await token.getAddress(), admin.address, "Pool");
const modules = await ledger.modules();
const names = new Map<string, string>([
  [(await token.getAddress()).toLowerCase(), "token"],
  [(await pool.getAddress()).toLowerCase(), "pool"],
  [(await ledger.getAddress()).toLowerCase(), "ledger"],
  [modules[0].toLowerCase(), "CollectionModule"],
  [modules[1].toLowerCase(), "DelinquencyModule"],
  [modules[2].toLowerCase(), "ConfigModule"],
  [modules[3].toLowerCase(), "ViewModule"],
]);
const quotes = await ethers.deployContract("CreditQuotes", [await ledger.getAddress()]);
await ledger.grantRole(id("UNDERWRITER_ROLE"), underwriter.address);
for (const p of PRODUCTS) await ledger.setProduct(p.id, p.method, p.instalments, p.periodDays, true);
await token.faucet(lender.address, 10_000_000n * ONE);
await token.connect(lender).approve(await pool.getAddress(), ethers.MaxUint256);
await pool.connect(lender).deposit(5_000_000n * ONE, lender.address);
await steadyLimits(ledger, underwriter);
const newLender = await newFundedLender(ethers, admin, token, pool);
await profile(
  "deposit (a lender's first)",
  pool.connect(newLender).deposit(1_000_000n * ONE, newLender.address),
  names,
);
await profile("deposit (repeat)", pool.connect(newLender).deposit(500_000n * ONE, newLender.address), names);

const borrower = ethers.Wallet.createRandom().connect(ethers.provider);
await admin.sendTransaction({ to: borrower.address, value: 10n ** 18n });
await ledger.connect(underwriter).setLine(borrower.address, 50_000n * ONE, 1800, ALL_PRODUCTS_MASK, 1);
await token.connect(borrower).approve(await ledger.getAddress(), ethers.MaxUint256);
await ledger.connect(borrower).setMandate(0);
await profile(
  "draw (recipient never held the token)",
  ledger.connect(borrower).draw(2, 10_000n * ONE),
  names,
);
await profile("draw (later loan)", ledger.connect(borrower).draw(2, 10_000n * ONE), names);
// A third loan, left unpaid until it is late with a penalty (last profile).
await ledger.connect(borrower).draw(2, 10_000n * ONE);
await token.faucet(borrower.address, 100_000n * ONE);
const first = await lens.loanIdOf(borrower.address, 1);
const second = await lens.loanIdOf(borrower.address, 2);
const [due, payments] = await quotes.loanSchedule(first);
await networkHelpers.time.setNextBlockTimestamp(due[0]);
await profile("repay one instalment", ledger.connect(borrower).repay(first, payments[0]), names);
await profile("repay in full", ledger.connect(borrower).repay(second, ethers.MaxUint256), names);
await networkHelpers.time.increaseTo(due[1] + 60n);
await profile("collect, one loan alone", ledger.collect([first]), names);
// Five days past its second due date, past the 3-day grace: the borrower's own payment runs the late path (the ledger
// finds the loan off its fast path and hands the payment to the DelinquencyModule's `repayLate`).
const third = await lens.loanIdOf(borrower.address, 3);
await networkHelpers.time.increaseTo(due[1] + 5n * 86_400n);
await profile(
  "repay a late instalment with penalty",
  ledger.connect(borrower).repay(third, await lens.dueNow(third)),
  names,
);
