// Developer aid: opcode gas breakdown of a draw and a repayment (debug_traceTransaction).
import { network } from "hardhat";
import { id } from "ethers";
import { PRODUCTS, ALL_PRODUCTS_MASK, ONE } from "../src/config/defaults.ts";

const { ethers, networkHelpers } = await network.create();
const [admin, underwriter, lender] = await ethers.getSigners();
const token = await ethers.deployContract("MockStablecoin");
const module = await ethers.deployContract("CollectionModule", [await token.getAddress()]);
  const deployer = await ethers.deployContract("MicrocreditDeployer", [
    await token.getAddress(),
    "P",
    "P",
    admin.address,
    await module.getAddress(),
  ]);
const pool = await ethers.getContractAt("LendingPool", await deployer.pool());
const ledger = await ethers.getContractAt("CreditLedger", await deployer.ledger());
await ledger.grantRole(id("UNDERWRITER_ROLE"), underwriter.address);
for (const p of PRODUCTS) await ledger.setProduct(p.id, p.method, p.instalments, p.periodDays, true);
await token.faucet(lender.address, 10_000_000n * ONE);
await token.connect(lender).approve(await pool.getAddress(), ethers.MaxUint256);
await pool.connect(lender).deposit(5_000_000n * ONE, lender.address);
const borrower = ethers.Wallet.createRandom().connect(ethers.provider);
await admin.sendTransaction({ to: borrower.address, value: 10n ** 20n });
await ledger.connect(underwriter).setLine(borrower.address, 50_000n * ONE, 1800, ALL_PRODUCTS_MASK, 1);
await ledger.connect(borrower).draw(2, 10_000n * ONE);
const tx1 = await ledger.connect(borrower).draw(2, 10_000n * ONE);
await token.faucet(borrower.address, 100_000n * ONE);
await token.connect(borrower).approve(await ledger.getAddress(), ethers.MaxUint256);
const first = await ledger.loanIdOf(borrower.address, 1);
const [dueDates, payments] = await ledger.loanSchedule(first);
await networkHelpers.time.setNextBlockTimestamp(dueDates[0]);
const tx2 = await ledger.connect(borrower).repay(first, payments[0]);
for (const [name, tx] of [["draw (later)", tx1], ["repay", tx2]] as const) {
  const r = await tx.wait();
  const trace = await ethers.provider.send("debug_traceTransaction", [tx.hash, { disableStack: true, disableMemory: true }]);
  const byOp: Record<string, number> = {};
  const sloads: string[] = [];
  const logs = trace.structLogs as { op: string; gasCost: number; depth: number }[];
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i];
    let cost = l.gasCost;
    if (["CALL", "STATICCALL", "DELEGATECALL"].includes(l.op) && i + 1 < logs.length && logs[i + 1].depth > l.depth) {
      cost = 100; // warm/cold access is in the difference below; ignore forwarded gas
      if (l.gasCost > 2600) cost = 2600;
    }
    byOp[l.op] = (byOp[l.op] ?? 0) + cost;
    if (l.op === "SSTORE" || (l.op === "SLOAD" && l.gasCost >= 2100)) sloads.push(`${l.op}@${l.depth}:${l.gasCost}`);
  }
  const top = Object.entries(byOp).sort((a, b) => b[1] - a[1]).slice(0, 14);
  console.log(sloads.join(" "));
  console.log(name, r!.gasUsed, "steps", logs.length, top.map(([k, v]) => `${k}:${v}`).join(" "));
}
