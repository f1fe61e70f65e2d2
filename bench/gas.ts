// Gas benchmark: `npm run bench:gas` measures each operation as its own transaction (cold storage, as on mainnet),
// with 1 and with 1,000 loans already in the pool, prints a table and writes bench/gas.json.
// `npm run bench:gas -- --check` (CI) instead compares against the committed bench/gas.json and bench/budgets.json.
import { readFileSync, writeFileSync } from "node:fs";
import { network } from "hardhat";
import { id, type Signer } from "ethers";
import type { CreditLedger } from "../typechain-types/CreditLedger.ts";
import type { MockStablecoin } from "../typechain-types/mocks/MockStablecoin.ts";
import { PRODUCTS, ALL_PRODUCTS_MASK, ONE, LIMITS, FEE_PRODUCTS, FEE_PRODUCTS_MASK } from "../src/config/defaults.ts";

const CHECK = process.argv.includes("--check") || process.env.BENCH_CHECK === "1";
const BOOK_SIZES = [1, 1_000];
const TOLERANCE = 0.02; // a change of more than 2% against the committed snapshot fails the check

const { ethers, networkHelpers } = await network.create();
const [admin, underwriter, lender, lender2] = await ethers.getSigners();

async function gasOf(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<number> {
  const receipt = await (await tx).wait();
  return Number(receipt!.gasUsed);
}

async function measure(bookSize: number): Promise<Record<string, number>> {
  const token = await ethers.deployContract("MockStablecoin");
  const module = await ethers.deployContract("CollectionModule", [await token.getAddress()]);
  const deployer = await ethers.deployContract("MicrocreditDeployer", [
    await token.getAddress(),
    "Pool",
    "mcUSD",
    admin.address,
    await module.getAddress(),
  ]);
  const pool = await ethers.getContractAt("LendingPool", await deployer.pool());
  const ledger = await ethers.getContractAt("CreditLedger", await deployer.ledger());
  await ledger.grantRole(id("UNDERWRITER_ROLE"), underwriter.address);
  for (const p of PRODUCTS) await ledger.setProduct(p.id, p.method, p.instalments, p.periodDays, true);
  for (const p of FEE_PRODUCTS) {
    await ledger.setProduct(p.id, p.method, p.instalments, p.periodDays, true);
    await ledger.setProductFee(p.id, p.feeBps);
  }
  for (const who of [lender, lender2]) {
    await token.faucet(who.address, 10_000_000n * ONE);
    await token.connect(who).approve(await pool.getAddress(), ethers.MaxUint256);
  }
  const g: Record<string, number> = {};
  g["deposit (first)"] = await gasOf(pool.connect(lender).deposit(5_000_000n * ONE, lender.address));
  g["deposit (repeat)"] = await gasOf(pool.connect(lender).deposit(1_000_000n * ONE, lender.address));
  await pool.connect(lender2).deposit(1_000_000n * ONE, lender2.address);

  // The existing book: `bookSize` loans by other borrowers, all accruing.
  const filler = ethers.Wallet.createRandom().connect(ethers.provider);
  await admin.sendTransaction({ to: filler.address, value: 10n ** 20n });
  await ledger.connect(underwriter).setLine(filler.address, 10_000_000n * ONE, 1800, ALL_PRODUCTS_MASK, 1);
  for (let i = 0; i < bookSize; i++) await ledger.connect(filler).draw(2, 1_000n * ONE);
  // Draws are measured under the deployment's portfolio limits (every check on, the origination bucket live). The
  // book above is built first (one filler is far over the per-borrower cap), then one draw by another borrower
  // brings the limits' aggregate word to its steady, non-zero state.
  await ledger.setLimits(LIMITS);
  await ledger.connect(underwriter).setLine(await underwriter.getAddress(), 50_000n * ONE, 1800, ALL_PRODUCTS_MASK, 1);
  await ledger.connect(underwriter).draw(2, 1_000n * ONE);

  // A borrower who never held the token: the first draw pays for a fresh balance slot.
  const borrower = ethers.Wallet.createRandom().connect(ethers.provider);
  await admin.sendTransaction({ to: borrower.address, value: 10n ** 20n });
  await ledger.connect(underwriter).setLine(borrower.address, 50_000n * ONE, 1800, ALL_PRODUCTS_MASK | FEE_PRODUCTS_MASK, 1);
  g["draw (first loan of a line)"] = await gasOf(ledger.connect(borrower).draw(2, 10_000n * ONE));
  g["draw (later loan)"] = await gasOf(ledger.connect(borrower).draw(2, 10_000n * ONE));
  // A product with a fee: the APR is an IRR (Newton's method over the plan) and the fee is booked to the protocol.
  g["draw with a fee (later loan, 6 instalments)"] = await gasOf(ledger.connect(borrower).draw(FEE_PRODUCTS[0].id, 10_000n * ONE));
  await token.faucet(borrower.address, 100_000n * ONE);
  await token.connect(borrower).approve(await ledger.getAddress(), ethers.MaxUint256);
  const first = await ledger.loanIdOf(borrower.address, 1);
  const second = await ledger.loanIdOf(borrower.address, 2);
  const [dueDates, payments] = await ledger.loanSchedule(first);
  await networkHelpers.time.setNextBlockTimestamp(dueDates[0]);
  g["repay one instalment"] = await gasOf(ledger.connect(borrower).repay(first, payments[0]));
  g["repay in full"] = await gasOf(ledger.connect(borrower).repay(second, ethers.MaxUint256));
  g["withdraw (instant)"] = await gasOf(pool.connect(lender2).withdraw(100_000n * ONE, lender2.address, lender2.address));
  g["totalAssets (view, eth_estimateGas)"] = Number(await pool.totalAssets.estimateGas());
  Object.assign(g, await collectBatch(ledger, token, underwriter));
  return g;
}

/**
 * `collect` of a batch of BATCH loans (12 × 30 days, drawn in the same block, mandates on), a minute after each due
 * date: gas per loan, amortised over the batch, for the first and the last instalment (the roll's cost grows a
 * little with the period).
 */
const BATCH = 100;
async function collectBatch(
  ledger: CreditLedger,
  token: MockStablecoin,
  underwriter: Signer,
): Promise<Record<string, number>> {
  const borrowers = [];
  const ids: bigint[] = [];
  for (let i = 0; i < BATCH; i++) {
    const b = ethers.Wallet.createRandom().connect(ethers.provider);
    await admin.sendTransaction({ to: b.address, value: 10n ** 18n });
    await ledger.connect(underwriter).setLine(b.address, 50_000n * ONE, 1800, ALL_PRODUCTS_MASK, 1);
    await token.faucet(b.address, 10_000n * ONE);
    await token.connect(b).approve(await ledger.getAddress(), ethers.MaxUint256);
    await ledger.connect(b).setMandate(0);
    borrowers.push(b);
    ids.push(await ledger.loanIdOf(b.address, 1));
  }
  await ethers.provider.send("evm_setAutomine", [false]);
  const sent = [];
  for (const b of borrowers) sent.push(await ledger.connect(b).draw(2, 1_000n * ONE, { gasLimit: 300_000 }));
  await ethers.provider.send("evm_mine", []);
  await ethers.provider.send("evm_setAutomine", [true]);
  for (const tx of sent) await tx.wait();
  const [dueDates] = await ledger.loanSchedule(ids[0]);
  const g: Record<string, number> = {};
  for (let k = 0; k < dueDates.length; k++) {
    await networkHelpers.time.increaseTo(dueDates[k] + 60n);
    const gas = await gasOf(ledger.collect(ids, { gasLimit: 15_000_000 }));
    if (k === 0) g[`collect per loan (batch of ${BATCH}, 1st instalment)`] = Math.round(gas / BATCH);
    if (k === dueDates.length - 1) g[`collect per loan (batch of ${BATCH}, 12th instalment)`] = Math.round(gas / BATCH);
  }
  return g;
}

const results: Record<string, number> = {};
const byBook: Record<number, Record<string, number>> = {};
for (const size of BOOK_SIZES) {
  byBook[size] = await measure(size);
  for (const [op, gas] of Object.entries(byBook[size])) results[`${op} [${size} loans]`] = gas;
}

console.log("\noperation                                   1 loan   1,000 loans   Δ");
let failures = 0;
for (const op of Object.keys(byBook[1])) {
  const a = byBook[1][op];
  const b = byBook[1_000][op];
  const delta = (Math.abs(b - a) / a) * 100;
  console.log(`${op.padEnd(40)} ${String(a).padStart(8)} ${String(b).padStart(12)}   ${delta.toFixed(2)}%`);
  if (delta >= 1) {
    console.error(`  ✗ ${op}: cost grows with the book (${delta.toFixed(2)}% ≥ 1%)`);
    failures++;
  }
}

const budgets: Record<string, number> = JSON.parse(readFileSync("bench/budgets.json", "utf8"));
for (const [op, budget] of Object.entries(budgets)) {
  const measured = results[op];
  if (measured === undefined) {
    console.error(`  ✗ budget for unknown operation "${op}"`);
    failures++;
  } else if (measured > budget) {
    console.error(`  ✗ ${op}: ${measured} gas is over the budget of ${budget}`);
    failures++;
  } else {
    console.log(`  ✓ ${op}: ${measured} ≤ ${budget}`);
  }
}

if (CHECK) {
  const committed: Record<string, number> = JSON.parse(readFileSync("bench/gas.json", "utf8"));
  for (const [op, gas] of Object.entries(results)) {
    const old = committed[op];
    if (old === undefined) {
      console.error(`  ✗ ${op} is not in the committed bench/gas.json; run npm run bench:gas and commit it`);
      failures++;
    } else if (Math.abs(gas - old) / old > TOLERANCE) {
      console.error(`  ✗ ${op}: ${gas} vs committed ${old} (more than ${TOLERANCE * 100}% apart)`);
      failures++;
    }
  }
} else {
  writeFileSync("bench/gas.json", JSON.stringify(results, null, 2) + "\n");
  console.log("\nwrote bench/gas.json");
}
if (failures > 0) {
  console.error(`bench: ${failures} check(s) failed`);
  process.exit(1);
}
