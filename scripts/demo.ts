// The Microcredit story, told on a chain: `npm run demo` (in-process Hardhat network) or
// `npm run demo -- --network localhost` (against `npm run node`).
import { network } from "hardhat";
import MicrocreditModule from "../ignition/modules/Microcredit.ts";
import { schedule } from "../src/core/schedule.ts";
import { PRODUCTS, ALL_PRODUCTS_MASK, ONE } from "../src/config/defaults.ts";
import { explain } from "../src/sdk/errors.ts";

const { ethers, ignition, networkHelpers } = await network.create();
const [admin, lender, borrower] = await ethers.getSigners();
const fmt = (units: bigint) =>
  Number(ethers.formatUnits(units, 6)).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 6 });
const say = (line: string) => console.log(`  ${line}`);
const chapter = (title: string) => console.log(`\n${title}`);
const day = (t: bigint) => new Date(Number(t) * 1000).toISOString().slice(0, 10);

console.log(`Microcredit demo on chain ${(await ethers.provider.getNetwork()).chainId}`);

chapter("1. Deploy");
const deployed = await ignition.deploy(MicrocreditModule, { displayUi: false });
const token = await ethers.getContractAt("MockStablecoin", await deployed.asset.getAddress());
const ledger = await ethers.getContractAt("CreditLedger", await deployed.ledger.getAddress());
const pool = await ethers.getContractAt("LendingPool", await deployed.pool.getAddress());
say(`Stablecoin mUSD ${await token.getAddress()}, ledger ${await ledger.getAddress()}, pool ${await pool.getAddress()}`);
say(`${PRODUCTS.length} products: ${PRODUCTS.map((p) => p.name).join("; ")}`);

chapter("2. A lender funds the pool");
await (await token.faucet(lender.address, 100_000n * ONE)).wait();
await (await token.connect(lender).approve(await pool.getAddress(), ethers.MaxUint256)).wait();
await (await pool.connect(lender).deposit(100_000n * ONE, lender.address)).wait();
const lenderShares = await pool.balanceOf(lender.address);
const valueOf = async () => pool.convertToAssets(lenderShares);
say(`Lender deposits 100,000.00 mUSD and receives ${ethers.formatUnits(lenderShares, 12)} pool shares`);
say(`Pool value ${fmt(await pool.totalAssets())}; available for loans ${fmt(await ledger.availableLiquidity())} (5% kept liquid)`);

chapter("3. The borrower gets a credit line");
await (await ledger.setLine(borrower.address, 20_000n * ONE, 1_800, ALL_PRODUCTS_MASK, 1)).wait();
const line = await ledger.lineOf(borrower.address);
say(`Limit ${fmt(line.limit)} mUSD at ${Number(line.aprBps) / 100}% APR (0.05% a day), ${PRODUCTS.length} products allowed`);

chapter("4. A draw becomes a 12-instalment loan, paid out in the same transaction");
try {
  await ledger.connect(borrower).draw(2, 25_000n * ONE);
} catch (error) {
  say(`Asking for 25,000 is refused → ${explain(error)}`);
}
const principal = 10_000n * ONE;
await (await ledger.connect(borrower).draw(2, principal)).wait();
// On a persistent node a rerun reuses the deployment: take the borrower's newest loan.
const loanId = await ledger.loanIdOf(borrower.address, (await ledger.lineOf(borrower.address)).loanCount);
say(`Borrower draws ${fmt(principal)}; wallet now holds ${fmt(await token.balanceOf(borrower.address))} mUSD`);
const plan = schedule({ method: 0, principal, aprBps: 1_800, instalments: 12, periodDays: 30 });
const [dueDates, payments] = await ledger.loanSchedule(loanId);
say(`Plan (equal instalments, identical in the SDK and on chain: ${plan.every((r, k) => r.payment === payments[k])}):`);
for (let k = 0; k < 12; k++) {
  if (k === 3) say("   …");
  if (k >= 3 && k < 11) continue;
  say(`   #${String(k + 1).padStart(2)} due ${day(dueDates[k])}  pay ${fmt(payments[k]).padStart(8)}  = principal ${fmt(plan[k].principal).padStart(8)} + interest ${fmt(plan[k].interest)}`);
}
say(`Line available now ${fmt((await ledger.lineOf(borrower.address)).available)}`);

chapter("5. The borrower pays every instalment on its due date; the lender's shares earn as time passes");
await (await token.faucet(borrower.address, 2_000n * ONE)).wait();
await (await token.connect(borrower).approve(await ledger.getAddress(), ethers.MaxUint256)).wait();
const start = await valueOf();
for (let k = 0; k < 12; k++) {
  await networkHelpers.time.setNextBlockTimestamp(dueDates[k]);
  await (await ledger.connect(borrower).repay(loanId, payments[k])).wait();
  if (k < 2 || k === 5 || k === 11) {
    const state = await ledger.loanState(loanId);
    say(`   ${day(dueDates[k])}: paid #${k + 1} (${fmt(payments[k])}), principal left ${fmt(state.principalOutstanding)}, lender's shares worth ${fmt(await valueOf())}`);
  }
}
const state = await ledger.loanState(loanId);
say(`Loan status: ${["none", "active", "repaid"][Number(state.status)]}; line available again: ${fmt((await ledger.lineOf(borrower.address)).available)}`);
say(`Interest paid ${fmt(plan.reduce((s, r) => s + r.interest, 0n))}: lenders earned ${fmt((await valueOf()) - start)}, protocol fee ${fmt(await ledger.protocolFeesOwed())}, first-loss reserve ${fmt(await ledger.firstLossReserve())}`);

chapter("6. The lender exits");
const max = await pool.maxRedeem(lender.address);
const before = await token.balanceOf(lender.address);
const lenderStart = before;
await (await pool.connect(lender).redeem(max, lender.address, lender.address)).wait();
say(`Redeemed instantly: ${fmt((await token.balanceOf(lender.address)) - before)} mUSD (all but the 5% liquidity reserve)`);
const rest = await pool.balanceOf(lender.address);
await (await pool.connect(lender).requestRedeem(rest)).wait();
say(`The remaining ${ethers.formatUnits(rest, 12)} shares wait in the redemption queue (held cash ${fmt(await ledger.queueReserve())})`);
await (await pool.processRedemptions(10)).wait();
const received = (await token.balanceOf(lender.address)) - lenderStart;
say(`Queue filled: the lender got back ${fmt(received)} mUSD for the 100,000.00 deposited`);
console.log("\nDone.");
