// Gas benchmark. `npm run bench:gas` measures every operation as its own transaction (cold storage, as on mainnet)
// twice: on an empty book, and in one deployment whose book holds BIG_BOOK loans (late, marked, written off,
// recovered, redemption requests queued) built before the same operations run. It prints both figures, their ratio
// (at most RATIO_MAX: no cost may grow with the book), the budgets of bench/budgets.json and the core v2 targets,
// and writes bench/gas.json. `npm run bench:gas -- --check` (CI) also compares with the committed bench/gas.json.
// `BENCH_BOOK=n` builds a smaller big book (a quick local look; the ratio check needs the full 10,000).
import { readFileSync, writeFileSync } from "node:fs";
import { network } from "hardhat";
import { id, type Signer, type ContractTransactionResponse } from "ethers";
import type { CreditLedger } from "../typechain-types/CreditLedger.ts";
import type { CreditLens } from "../typechain-types/CreditLens.ts";
import type { CreditQuotes } from "../typechain-types/CreditQuotes.ts";
import type { LendingPool } from "../typechain-types/LendingPool.ts";
import type { MockStablecoin } from "../typechain-types/mocks/MockStablecoin.ts";
import type { SalesRouter } from "../typechain-types/merchants/SalesRouter.ts";
import type { MerchantRegistry } from "../typechain-types/merchants/MerchantRegistry.ts";
import {
  PRODUCTS,
  ALL_PRODUCTS_MASK,
  ONE,
  FEE_PRODUCTS,
  FEE_PRODUCTS_MASK,
  MERCHANT_LOAN_PRODUCT,
  MERCHANT_LOAN_MASK,
  SALES_SHARE,
} from "../src/config/defaults.ts";
import { money } from "../src/format/money.ts";
import { deployCore } from "../test/helpers/fixture.ts";
import { startProgress } from "../src/util/progress.ts";
import { steadyLimits, newLender as newFundedLender } from "./setup.ts";

const CHECK = process.argv.includes("--check") || process.env.BENCH_CHECK === "1";
const BIG_BOOK = Number(process.env.BENCH_BOOK ?? 10_000);
const RATIO_MAX = 1.01;
const TOLERANCE = 0.02; // a change of more than 2% against the committed snapshot fails the check
const EMPTY = "empty book";
const BIG = `${BIG_BOOK.toLocaleString("en-US")} loans`;
const DAY = 86_400n;
const BATCH = 100;
const TX = { gasLimit: 1_000_000 }; // no estimateGas round: the book is built faster

/** The core v2 targets (its issue), printed beside today's figures; not enforced until the redesign lands. */
const TARGETS: Record<string, number> = {
  "draw (later loan)": 100_000,
  "draw (recipient never held the token)": 117_000,
  "repay one instalment": 75_000,
  "repay in full": 80_000,
  [`collect per loan (batch of ${BATCH}, 1st instalment)`]: 40_000,
  "collect, one loan alone": 65_000,
  "deposit (a lender's first)": 100_000,
  "deposit (repeat)": 70_000,
};

/**
 * What the big book costs more that is state, not growth: while redemption requests are queued, a draw and an
 * instant withdrawal also read the queue's hold (`_queueReserve`, one cold slot: every slot they read anyway is full;
 * core v2 packs it). The ratio check allows at most this much on top, and fails on anything more.
 */
const QUEUE_HOLD_READ = {
  gas: 2_400,
  why: "reads the queue's hold while redemption requests are queued (one cold slot)",
};
const KNOWN_EXTRA: Record<string, { gas: number; why: string }> = {
  "draw (recipient never held the token)": QUEUE_HOLD_READ,
  "draw (later loan)": QUEUE_HOLD_READ,
  "draw with a fee (later loan, 6 instalments)": QUEUE_HOLD_READ,
  "withdraw (instant)": QUEUE_HOLD_READ,
};

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const [admin, underwriter, lender, lender2] = await ethers.getSigners();

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<number> {
  const receipt = await (await tx).wait();
  return Number(receipt!.gasUsed);
}

interface Deployment {
  token: MockStablecoin;
  pool: LendingPool;
  ledger: CreditLedger;
  /** The ledger's reads (loan ids, records, the book). */
  lens: CreditLens;
  quotes: CreditQuotes;
  /** The sales router over a registry with one Active merchant (id 1, owner and payout `lender2`). */
  router: SalesRouter;
  registry: MerchantRegistry;
}

async function deploy(): Promise<Deployment> {
  const token = await ethers.deployContract("MockStablecoin");
  const { pool, ledger, lens } = await deployCore(
    connection,
    await token.getAddress(),
    admin.address,
    "Pool",
  );
  const quotes = await ethers.deployContract("CreditQuotes", [await ledger.getAddress()]);
  await ledger.grantRole(id("UNDERWRITER_ROLE"), underwriter.address);
  for (const p of PRODUCTS) await ledger.setProduct(p.id, p.method, p.instalments, p.periodDays, true);
  for (const p of FEE_PRODUCTS) {
    await ledger.setProduct(p.id, p.method, p.instalments, p.periodDays, true);
    await ledger.setProductFee(p.id, p.feeBps);
  }
  for (const who of [lender, lender2]) {
    for (let i = 0; i < 2; i++) await token.faucet(who.address, 10_000_000n * ONE); // the faucet's most per call
    await token.connect(who).approve(await pool.getAddress(), ethers.MaxUint256);
  }
  await token.faucet(admin.address, 1_000_000n * ONE);
  await token.approve(await ledger.getAddress(), ethers.MaxUint256);
  // Both books start from the same live pool: lenders in, so "a lender's first deposit" is not the pool's first.
  await pool.connect(lender).deposit(15_000_000n * ONE, lender.address);
  await pool.connect(lender2).deposit(5_000_000n * ONE, lender2.address);
  const registry = await ethers.deployContract("MerchantRegistry", [await token.getAddress(), admin.address]);
  await registry.grantRole(id("MERCHANT_MANAGER_ROLE"), admin.address);
  await registry.register(lender2.address, 250, 5411);
  await registry.connect(lender2).accept(1n, lender2.address);
  const router = await ethers.deployContract("SalesRouter", [
    await registry.getAddress(),
    await ledger.getAddress(),
    MERCHANT_LOAN_PRODUCT.id,
    SALES_SHARE.shareBps,
    SALES_SHARE.lateShareBps,
  ]);
  const loan = MERCHANT_LOAN_PRODUCT;
  await ledger.setProduct(loan.id, loan.method, loan.instalments, loan.periodDays, true);
  await ledger.setProductOriginator(loan.id, await router.getAddress());
  await ledger.connect(lender2).setOriginatorAllowed(await router.getAddress(), true);
  for (const who of [lender, lender2])
    await token.connect(who).approve(await router.getAddress(), ethers.MaxUint256);
  return { token, pool, ledger, lens, quotes, router, registry };
}

/** The bounds of a merchant loan (MERCHANT_LOAN_PRODUCT) that any quote of the bench's lines satisfies. */
const MERCHANT_BOUNDS = {
  maxAprBps: 2_400,
  minReceived: 0,
  method: MERCHANT_LOAN_PRODUCT.method,
  payments: MERCHANT_LOAN_PRODUCT.instalments,
  periodDays: MERCHANT_LOAN_PRODUCT.periodDays,
};

/**
 * An Active merchant whose owner (and payout) is a new wallet with tokens, a line for the merchant loan, an allowance
 * to the ledger, a mandate and the router let in: ready to borrow through the router and be collected.
 */
async function merchantWith(d: Deployment) {
  const w = ethers.Wallet.createRandom().connect(ethers.provider);
  await admin.sendTransaction({ to: w.address, value: 10n ** 18n });
  await d.registry.register(w.address, 250, 5411);
  const merchantId = await d.registry.merchantCount();
  await d.registry.connect(w).accept(merchantId, w.address, TX);
  await d.ledger.connect(underwriter).setLine(w.address, 50_000n * ONE, 1800, MERCHANT_LOAN_MASK, 1);
  await d.token.faucet(w.address, 10_000n * ONE);
  await d.token.connect(w).approve(await d.ledger.getAddress(), ethers.MaxUint256, TX);
  await d.ledger.connect(w).setMandate(0, TX);
  await d.ledger.connect(w).setOriginatorAllowed(await d.router.getAddress(), true, TX);
  return { wallet: w, merchantId };
}

/** How many `Collected` events the ledger emitted in the transaction `hash`. */
async function collectedIn(d: Deployment, hash: string): Promise<number> {
  const receipt = (await ethers.provider.getTransactionReceipt(hash))!;
  const topic = d.ledger.interface.getEvent("Collected").topicHash;
  const ledger = (await d.ledger.getAddress()).toLowerCase();
  return receipt.logs.filter((l) => l.address.toLowerCase() === ledger && l.topics[0] === topic).length;
}

/** A funded wallet with a line of `limit`, an allowance to the ledger and, if asked, a mandate. */
async function borrowerWith(d: Deployment, limit: bigint, mandate = false, tokens = 0n, eth = 10n ** 18n) {
  const w = ethers.Wallet.createRandom().connect(ethers.provider);
  await admin.sendTransaction({ to: w.address, value: eth });
  await d.ledger
    .connect(underwriter)
    .setLine(w.address, limit, 1800, ALL_PRODUCTS_MASK | FEE_PRODUCTS_MASK, 1);
  if (tokens > 0n) await d.token.faucet(w.address, tokens);
  await d.token.connect(w).approve(await d.ledger.getAddress(), ethers.MaxUint256, TX);
  if (mandate) await d.ledger.connect(w).setMandate(0, TX);
  return w;
}

/** A measured path must be the path its label names: stop the bench otherwise. */
function expect(holds: boolean, what: string) {
  if (!holds) throw new Error(`bench: expected that ${what}, and it did not happen`);
}

async function markAll(d: Deployment, ids: bigint[]) {
  for (let i = 0; i < ids.length; i += 50)
    await d.ledger.mark(ids.slice(i, i + 50), { gasLimit: 16_000_000 });
}

/**
 * The big book, in one deployment: loans that went to default (written off by `mark`, a tenth of them partly
 * recovered), loans marked into M2 and M1, a queue of redemption requests nobody has processed, then current loans up
 * to `size`. About 2% of the book is late, well under the circuit breaker.
 */
async function fillBook(d: Deployment, size: number) {
  const groups = Math.max(1, Math.round(size / 100)); // 1% of the book per group of bad loans
  const perBorrower = 5;
  const bad = async (n: number) => {
    const ids: bigint[] = [];
    for (let b = 0; b < Math.ceil(n / perBorrower); b++) {
      const w = await borrowerWith(d, 50_000n * ONE, false, 10_000n * ONE);
      for (let k = 1; k <= perBorrower && ids.length < n; k++) {
        await d.ledger.connect(w).draw(2, 1_000n * ONE, TX);
        ids.push(await d.lens.loanIdOf(w.address, k));
      }
    }
    return ids;
  };
  const defaulted = await bad(groups);
  await networkHelpers.time.increase(60n * DAY);
  const m2 = await bad(groups);
  await networkHelpers.time.increase(30n * DAY);
  const m1 = await bad(groups);
  await networkHelpers.time.increase(35n * DAY); // 95, 35 and 5 days past the first due date
  await markAll(d, [...defaulted, ...m2, ...m1]);
  for (const loanId of defaulted.slice(0, Math.ceil(defaulted.length / 10))) {
    await d.ledger.connect(admin).repay(loanId, 100n * ONE, TX); // a recovery: anyone may pay
  }
  await d.pool.sync(TX);
  for (let i = 0; i < 20; i++) await d.pool.connect(lender2).requestRedeem(1_000n * ONE, TX);

  const filler = await borrowerWith(d, 20_000_000n * ONE, false, 0n, 100n * 10n ** 18n);
  const current = size - defaulted.length - m2.length - m1.length;
  const fillerNonce = await filler.getNonce();
  const drawing = startProgress("current loans drawn", current);
  for (let i = 0; i < current; i++) {
    await d.ledger.connect(filler).draw(2, 1_000n * ONE, { ...TX, nonce: fillerNonce + i });
    drawing.update(i + 1);
  }
  drawing.stop();
  const state = await d.lens.riskState();
  console.log(
    `  book: ${size.toLocaleString("en-US")} loans (${defaulted.length} written off, ${m2.length} in M2, ${m1.length} in M1, ` +
      `${current.toLocaleString("en-US")} current), principal ${money(state.principalOutstanding, 6)}, ` +
      `${(await d.pool.queueBounds())[1]} redemption requests queued`,
  );
}

/**
 * The operations, in the order time allows. Every loan they touch is the measured borrowers' own; the aggregates
 * (book, accrual, provisions, 30+ principal, origination bucket, product book, gain lock, queue) are the ones the
 * big book's loans changed.
 */
async function measure(d: Deployment): Promise<Record<string, number>> {
  const { token, pool, ledger, lens } = d;
  const g: Record<string, number> = {};
  await steadyLimits(ledger, underwriter);
  const newLender = await newFundedLender(ethers, admin, token, pool);
  g["deposit (a lender's first)"] = await gasOf(
    pool.connect(newLender).deposit(1_000_000n * ONE, newLender.address),
  );
  g["deposit (repeat)"] = await gasOf(pool.connect(newLender).deposit(500_000n * ONE, newLender.address));

  // A customer's sale to a merchant that owes nothing: the whole amount to its payout address, which holds the token
  // (the merchant's first sale, which also dates its tenure, is not timed), and the merchant's refund of part of it.
  await d.router.connect(lender).pay(1n, 40n * ONE, 1n);
  g["sale through the router (nothing owed, repeat)"] = await gasOf(
    d.router.connect(lender).pay(1n, 25n * ONE, 2n),
  );
  g["refund through the router"] = await gasOf(
    d.router.connect(lender2).refund(1n, 2n, 5n * ONE, lender.address),
  );
  // The merchant borrows through the router; a customer's sale then repays 20% of it (a prepayment of the loan, on
  // its plan) and pays the rest to the merchant. As above, the measured sale is a repeat.
  await ledger.connect(underwriter).setLine(lender2.address, 50_000n * ONE, 1800, MERCHANT_LOAN_MASK, 1);
  await d.router.connect(lender2).borrow(1n, 10_000n * ONE, MERCHANT_BOUNDS);
  await d.router.connect(lender).pay(1n, 100n * ONE, 3n);
  g["sale through the router (repays a loan)"] = await gasOf(
    d.router.connect(lender).pay(1n, 100n * ONE, 4n),
  );

  // A borrower who never held the token: what this draw costs above the next one is mostly the token's fresh
  // balance slot (a write from zero), not the line's first loan.
  const borrower = await borrowerWith(d, 50_000n * ONE);
  g["draw (recipient never held the token)"] = await gasOf(ledger.connect(borrower).draw(2, 10_000n * ONE));
  g["draw (later loan)"] = await gasOf(ledger.connect(borrower).draw(2, 10_000n * ONE));
  // A product with a fee: the APR is an IRR (Newton's method over the plan) and the fee is booked to the protocol.
  g["draw with a fee (later loan, 6 instalments)"] = await gasOf(
    ledger.connect(borrower).draw(FEE_PRODUCTS[0].id, 10_000n * ONE),
  );
  await token.faucet(borrower.address, 100_000n * ONE);
  const first = await lens.loanIdOf(borrower.address, 1);
  const second = await lens.loanIdOf(borrower.address, 2);

  // Loans for collection and the late paths, drawn in one block with the batch so they share due dates.
  const single = await borrowerWith(d, 50_000n * ONE, true, 10_000n * ONE);
  const late = await borrowerWith(d, 50_000n * ONE, true, 10_000n * ONE);
  const batch = [];
  for (let i = 0; i < BATCH; i++) batch.push(await borrowerWith(d, 50_000n * ONE, true, 10_000n * ONE));
  // Merchants who borrow through the router in the same block and sell nothing until their first due date: the
  // collection then pulls each one's whole first minimum (the period-end minimum of a merchant loan) by mandate.
  const merchants = [];
  for (let i = 0; i < BATCH; i++) merchants.push(await merchantWith(d));
  await ethers.provider.send("evm_setAutomine", [false]);
  const sent = [];
  for (const b of [single, late, late, late, late, ...batch]) {
    sent.push(await ledger.connect(b).draw(2, 1_000n * ONE, { gasLimit: 400_000 }));
  }
  for (const m of merchants) {
    sent.push(
      await d.router
        .connect(m.wallet)
        .borrow(m.merchantId, 1_000n * ONE, MERCHANT_BOUNDS, { gasLimit: 600_000 }),
    );
  }
  const block = await ethers.provider.send("evm_mine", []).then(() => ethers.provider.getBlockNumber());
  await ethers.provider.send("evm_setAutomine", [true]);
  const blocks = new Set<number>();
  for (const tx of sent) blocks.add((await tx.wait())!.blockNumber);
  expect(
    blocks.size === 1 && blocks.has(block),
    "the loans were drawn in one block, so they share due dates",
  );
  const singleId = await lens.loanIdOf(single.address, 1);
  const lateIds = await Promise.all([1, 2, 3, 4].map((k) => lens.loanIdOf(late.address, k)));
  const batchIds = await Promise.all(batch.map((b) => lens.loanIdOf(b.address, 1)));
  const merchantIds = await Promise.all(merchants.map((m) => lens.loanIdOf(m.wallet.address, 1)));
  // The late borrower's wallet is emptied now, so collection finds nothing until the penalty step funds one loan.
  await token.connect(late).transfer(admin.address, await token.balanceOf(late.address));

  const [firstDue, firstPayments] = await d.quotes.loanSchedule(first);
  await networkHelpers.time.setNextBlockTimestamp(firstDue[0]);
  g["repay one instalment"] = await gasOf(ledger.connect(borrower).repay(first, firstPayments[0]));
  g["repay in full"] = await gasOf(ledger.connect(borrower).repay(second, ethers.MaxUint256));
  g["withdraw (instant)"] = await gasOf(
    pool.connect(newLender).withdraw(100_000n * ONE, newLender.address, newLender.address),
  );
  // Two requests, one filled: the queue stays non-empty after the fill on both books.
  await pool.connect(newLender).requestRedeem(10_000n * ONE);
  await pool.connect(newLender).requestRedeem(10_000n * ONE);
  g["queued redemption fill (processRedemptions(1))"] = await gasOf(pool.processRedemptions(1));
  g["totalAssets (view, eth_estimateGas)"] = Number(await pool.totalAssets.estimateGas());

  const [dueDates] = await d.quotes.loanSchedule(batchIds[0]);
  await networkHelpers.time.increaseTo(dueDates[0] + 60n);
  g["collect, one loan alone"] = await gasOf(ledger.collect([singleId], { gasLimit: 1_000_000 }));
  g[`collect per loan (batch of ${BATCH}, 1st instalment)`] = Math.round(
    (await gasOf(ledger.collect(batchIds, { gasLimit: 15_000_000 }))) / BATCH,
  );
  const owed = await Promise.all(merchantIds.map((loanId) => lens.dueNow(loanId)));
  const unpaid = await Promise.all(
    merchantIds.map(async (loanId) => (await lens.loanRecord(loanId)).principalPaid),
  );
  expect(
    owed.every((due) => due > 0n) && unpaid.every((paid) => paid === 0n),
    "every merchant loan owes its first minimum and has repaid nothing",
  );
  const minimums = ledger.collect(merchantIds, { gasLimit: 15_000_000 });
  g[`collect per merchant loan (batch of ${BATCH}, period-end minimum)`] = Math.round(
    (await gasOf(minimums)) / BATCH,
  );
  const left = await Promise.all(merchantIds.map((loanId) => lens.dueNow(loanId)));
  expect(
    (await collectedIn(d, (await minimums).hash)) === BATCH && left.every((due) => due === 0n),
    "every merchant loan's whole minimum was collected",
  );

  // Five days past the due date: past the 3-day grace, a penalty accrues.
  await networkHelpers.time.increaseTo(dueDates[0] + 5n * DAY);
  await token.faucet(late.address, 1_000n * ONE);
  const penaltyBefore = await lens.penaltyIncome();
  g["collect a late instalment with penalty"] = await gasOf(
    ledger.collect([lateIds[0]], { gasLimit: 1_000_000 }),
  );
  expect((await lens.penaltyIncome()) > penaltyBefore, "the late collection paid a penalty");
  // The borrower's own payment of a late instalment runs in the DelinquencyModule (`repayLate`), which keeps the
  // arrears: this is what an on-time repayment does not pay for.
  const penaltyBeforeRepay = await lens.penaltyIncome();
  g["repay a late instalment with penalty"] = await gasOf(
    ledger.connect(late).repay(lateIds[3], await lens.dueNow(lateIds[3])),
  );
  expect((await lens.penaltyIncome()) > penaltyBeforeRepay, "the late repayment paid a penalty");
  await token.connect(late).transfer(admin.address, await token.balanceOf(late.address));
  g["mark (Current → M1)"] = await gasOf(ledger.mark([lateIds[1]], { gasLimit: 1_000_000 }));
  expect((await lens.loanRecord(lateIds[1])).bucket === 2n, "the mark moved the loan from Current to M1");
  // The keeper's daily mark of a late loan: same bucket, the provision a day higher.
  const provisionBefore = await lens.provisions();
  await networkHelpers.time.increase(86_400);
  g["mark (same bucket, a day later)"] = await gasOf(ledger.mark([lateIds[1]], { gasLimit: 1_000_000 }));
  expect((await lens.loanRecord(lateIds[1])).bucket === 2n, "the loan stayed in M1");
  expect((await lens.provisions()) > provisionBefore, "the provision rose with the day");

  for (let k = 1; k < dueDates.length; k++) {
    await networkHelpers.time.increaseTo(dueDates[k] + 60n);
    const gas = await gasOf(ledger.collect(batchIds, { gasLimit: 15_000_000 }));
    if (k === dueDates.length - 1)
      g[`collect per loan (batch of ${BATCH}, 12th instalment)`] = Math.round(gas / BATCH);
  }
  // Long past the default threshold and never marked: one mark writes it off.
  g["mark (write-off)"] = await gasOf(ledger.mark([lateIds[2]], { gasLimit: 1_000_000 }));
  expect((await lens.loanRecord(lateIds[2])).status === 3n, "the mark wrote the loan off");
  await token.faucet(late.address, 1_000n * ONE);
  g["recovery (repay on a written-off loan)"] = await gasOf(
    ledger.connect(late).repay(lateIds[2], 300n * ONE),
  );
  return g;
}

const t0 = Date.now();
console.log(`bench: measuring on an ${EMPTY}`);
const empty = await measure(await deploy());
console.log(`bench: building a book of ${BIG} (${((Date.now() - t0) / 1000).toFixed(0)} s so far)`);
const bigDeployment = await deploy();
await fillBook(bigDeployment, BIG_BOOK);
console.log(`bench: measuring in the book of ${BIG} (${((Date.now() - t0) / 1000).toFixed(0)} s so far)`);
const big = await measure(bigDeployment);

const results: Record<string, number> = {};
for (const [op, gas] of Object.entries(empty)) results[`${op} [${EMPTY}]`] = gas;
for (const [op, gas] of Object.entries(big)) results[`${op} [${BIG}]`] = gas;
const budgets: Record<string, number> = JSON.parse(readFileSync("bench/budgets.json", "utf8"));

const n = (v: number | undefined) => (v === undefined ? "" : v.toLocaleString("en-US"));
const rows = Object.keys(empty).map((op) => {
  const ratio = big[op] / empty[op];
  const budget = budgets[op];
  const known = KNOWN_EXTRA[op] ? `≤ ${n(KNOWN_EXTRA[op].gas)}` : "";
  return [op, n(empty[op]), n(big[op]), ratio.toFixed(4), known, n(budget), n(TARGETS[op])];
});
const header = ["operation", EMPTY, BIG, "ratio", "known extra", "budget", "core v2 target"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
console.log("\n" + line(header));
for (const r of rows) console.log(line(r));
console.log(`known extra: ${QUEUE_HOLD_READ.why}; core v2 packs it`);

let failures = 0;
for (const op of Object.keys(empty)) {
  if (op.startsWith("totalAssets")) continue; // a view's estimate, not a transaction
  const known = KNOWN_EXTRA[op];
  const ratio = (big[op] - Math.min(known?.gas ?? 0, Math.max(0, big[op] - empty[op]))) / empty[op];
  if (BIG_BOOK >= 10_000 && ratio > RATIO_MAX) {
    console.error(
      `  ✗ ${op}: ${ratio.toFixed(4)} times the empty book's cost in a book of ${BIG} (more than ${RATIO_MAX})`,
    );
    failures++;
  }
}
for (const [op, budget] of Object.entries(budgets)) {
  if (empty[op] === undefined) {
    console.error(`  ✗ budget for unknown operation "${op}"`);
    failures++;
    continue;
  }
  // Budgets hold on the empty book; the big book is held to the empty one by the ratio (with its known extra).
  if (empty[op] > budget) {
    console.error(`  ✗ ${op}: ${empty[op]} gas is over the budget of ${budget}`);
    failures++;
  }
}
console.log(
  `\nratio ≤ ${RATIO_MAX} ${BIG_BOOK >= 10_000 ? "checked" : "not checked (BENCH_BOOK < 10,000)"}; ` +
    `${Object.keys(budgets).length} budgets checked on the empty book; ${((Date.now() - t0) / 1000).toFixed(0)} s`,
);

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
} else if (BIG_BOOK >= 10_000) {
  writeFileSync("bench/gas.json", JSON.stringify(results, null, 2) + "\n");
  console.log("wrote bench/gas.json");
}
if (failures > 0) {
  console.error(`bench: ${failures} check(s) failed`);
  process.exit(1);
}
