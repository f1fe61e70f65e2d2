// The Microcredit story, told on a chain: `npm run demo` (an in-process Hardhat chain) or
// `npm run demo -- --rpc http://127.0.0.1:8545` (a running node, e.g. `npm run node`).
import { network } from "hardhat";
import { schedule } from "../src/core/schedule.ts";
import { FEE_PRODUCTS, PRODUCTS, ONE, POOL_RATES } from "../src/config/defaults.ts";
import { loanLabel, money, percent, products, ratio, shares } from "../src/format/money.ts";
import { boundsOf, describe as describeCost, disclose, quote } from "../src/sdk/disclosure.ts";
import { explain } from "../src/sdk/errors.ts";
import { readFileSync } from "node:fs";
import { Wallet, ZeroAddress, id } from "ethers";
import { assess, trainFile } from "../src/risk/index.ts";
import { offerFromDecision, signKyc, signOffer, signPermit } from "../src/sdk/offers.ts";
import { connectOrExit, oneLineErrors, parseArgsOrExit, rpcOption } from "./cli-support.ts";
import { deployMicrocredit } from "./deployment.ts";
import { merchantChapter, trainMerchantModel } from "./demo-merchant.ts";

const USAGE = `usage: npm run demo -- [--rpc <url>]
  --rpc   JSON-RPC URL of a running node (default: MICROCREDIT_RPC when set, else an in-process Hardhat chain)`;
const { values } = parseArgsOrExit("demo", {
  options: { rpc: rpcOption(null), help: { type: "boolean", short: "h", default: false } },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
oneLineErrors("demo");
if (values.rpc !== undefined) (await connectOrExit("demo", values.rpc)).provider.destroy();
// Trained before connecting: seconds of computation with an idle connection open would let a node close it
// under the client's feet.
const { model, report } = trainFile("data/credit-g.arff", { target: "class", bad: "bad" });
const merchantModel = trainMerchantModel();
const connection = await network.create(
  values.rpc === undefined ? undefined : { network: "localhost", override: { url: values.rpc } },
);
const { ethers, networkHelpers } = connection;
const [admin, lender, borrower, customer] = await ethers.getSigners();
const fmt = (units: bigint) => money(units);
const CATALOGUE = [...PRODUCTS, ...FEE_PRODUCTS];
const productName = (id: number) => CATALOGUE.find((p) => p.id === id)?.name ?? `product ${id}`;
const say = (line: string) => console.log(`  ${line}`);
const chapter = (title: string) => console.log(`\n${title}`);
const day = (t: bigint) => new Date(Number(t) * 1000).toISOString().slice(0, 10);

console.log(`Microcredit demo on chain ${(await ethers.provider.getNetwork()).chainId}`);

chapter("1. Deploy");
const { deployed } = await deployMicrocredit(connection, { rpcUrl: values.rpc, displayUi: false, say });
const token = await ethers.getContractAt("MockStablecoin", await deployed.asset.getAddress());
const ledger = await ethers.getContractAt("CreditLedger", await deployed.ledger.getAddress());
// The ledger's reads (lines, loans, products, the book) are the CreditLens's.
const lens = await ethers.getContractAt("CreditLens", await deployed.lens.getAddress());
const pool = await ethers.getContractAt("LendingPool", await deployed.pool.getAddress());
const quotes = await ethers.getContractAt("CreditQuotes", await deployed.quotes.getAddress());
say(
  `Stablecoin mUSD ${await token.getAddress()}, ledger ${await ledger.getAddress()}, lens ${await lens.getAddress()}, pool ${await pool.getAddress()}`,
);
say(
  `${PRODUCTS.length + FEE_PRODUCTS.length} products: ${[...PRODUCTS, ...FEE_PRODUCTS].map((p) => p.name).join("; ")}`,
);

chapter("2. A lender funds the pool");
await (await token.faucet(lender.address, 1_000_000n * ONE)).wait();
await (await token.connect(lender).approve(await pool.getAddress(), ethers.MaxUint256)).wait();
await (await pool.connect(lender).deposit(1_000_000n * ONE, lender.address)).wait();
const lenderShares = await pool.balanceOf(lender.address);
const valueOf = async () => pool.convertToAssets(lenderShares);
say(`Lender deposits 1,000,000.00 mUSD and receives ${shares(lenderShares)} pool shares`);
say(
  `Pool value ${fmt(await pool.totalAssets())}; available for loans ${fmt(await ledger.availableLiquidity())} (${percent(POOL_RATES.liquidityReserveBps)} kept liquid)`,
);

chapter("3. An applicant is scored and receives a signed credit offer");
// The risk team's keys sign off chain; the offers contract holds the underwriter role on the ledger.
const underwriterKey = new Wallet(id("demo underwriter key"));
const kycIssuerKey = new Wallet(id("demo kyc issuer key"));
const offers = await ethers.deployContract("CreditOffers", [await ledger.getAddress(), admin.address]);
await (await ledger.grantRole(id("UNDERWRITER_ROLE"), await offers.getAddress())).wait();
await (await offers.setSigner(underwriterKey.address, true)).wait();
await (await offers.setKycIssuer(kycIssuerKey.address, true)).wait();
say(
  `Scorecard trained on German Credit (1,000 applicants): cross-validated AUC ${Number(report.auc).toFixed(3)}`,
);
const applicant = (
  JSON.parse(readFileSync("examples/applicant.json", "utf8")) as Record<string, unknown>[]
)[0];
const assessment = assess(model, applicant);
say(
  `Applicant scores ${assessment.score.toFixed(0)} points (probability of default ${(assessment.probabilityOfBad * 100).toFixed(2)}%): ${assessment.decision}, tier ${assessment.tier}, limit ${fmt(assessment.limit)}, APR ${percent(assessment.aprBps ?? 0)}`,
);
const { chainId } = await ethers.provider.getNetwork();
const latest = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
const offer = offerFromDecision(
  assessment,
  borrower.address,
  await ledger.getAddress(),
  await offers.nextNonce(borrower.address),
  latest + 86_400n,
  assessment.modelVersion,
);
const offerSig = await signOffer(underwriterKey, await offers.getAddress(), chainId, offer);
const kyc = { borrower: borrower.address, level: 2, expiry: latest + 365n * 86_400n };
const kycSig = await signKyc(kycIssuerKey, await offers.getAddress(), chainId, kyc);
// The borrower accepts in one transaction, with a permit that lets the ledger collect repayments.
const permit = await signPermit(token, borrower, ledger, ethers.MaxUint256, latest + 3_600n);
await (await offers.connect(borrower).acceptOffer(offer, offerSig, kyc, kycSig, permit)).wait();
const line = await lens.lineOf(borrower.address);
say(`Borrower accepts the signed offer (EIP-712, KYC credential, ERC-2612 permit) in one transaction:`);
say(
  `line open with limit ${fmt(line.limit)} mUSD at ${percent(line.aprBps)} APR, for ${products(line.productMask, CATALOGUE)}`,
);

chapter("4. A draw becomes a 12-instalment loan, paid out in the same transaction");
try {
  await ledger.connect(borrower).draw(2, line.limit + ONE);
} catch (error) {
  say(`Asking for more than the limit is refused → ${explain(error)}`);
}
try {
  await ledger.connect(borrower).draw(2, 5n * ONE);
} catch (error) {
  say(`The portfolio limits apply to every draw (PRODUCT.md §6) → ${explain(error)}`);
}
const principal = 10_000n * ONE;
// Disclosure before commitment: the CreditQuotes lens runs the math the ledger runs on the draw.
const quoted = await quote(await quotes.getAddress(), ethers.provider, borrower.address, 2, principal);
say(`Before committing, the borrower sees: ${describeCost(quoted, fmt)}`);
const feeProduct = FEE_PRODUCTS[0];
const withFee = disclose({ ...feeProduct, aprBps: line.aprBps, amount: principal });
say(
  `(${feeProduct.name} at the same contract rate: APR ${percent(withFee.aprBps)} with the fee, ${withFee.aprBps <= quoted.aprCapBps ? "within" : "above"} the ${percent(quoted.aprCapBps)} cap)`,
);
// The draw is bound to the quote: it reverts rather than cost more or pay out less than quoted.
const bounds = boundsOf(quoted);
const drawReceipt = await (
  await ledger.connect(borrower).drawWithin(2, principal, ZeroAddress, bounds)
).wait();
const disclosed = drawReceipt!.logs
  .map((log) => ledger.interface.parseLog(log))
  .find((e) => e?.name === "Drawn");
say(
  `The draw is bound to that quote (drawWithin reverts at a higher APR, a smaller payout or another plan); its Drawn event repeats it: APR ${percent(disclosed!.args.aprBps)}, interest ${fmt(disclosed!.args.totalInterest)}, repayable ${fmt(disclosed!.args.principal + disclosed!.args.totalInterest)} (same as quoted: ${disclosed!.args.principal + disclosed!.args.totalInterest === quoted.totalRepayable && disclosed!.args.aprBps === quoted.aprBps})`,
);
const [productOutstanding, productCap] = await lens.productExposure(2);
say(
  `Product 2 (${productName(2)}) now carries ${fmt(productOutstanding)} mUSD outstanding of its ${fmt(productCap)} cap (a per-product limit: no product may take over the book)`,
);
// On a persistent node a rerun reuses the deployment: take the borrower's newest loan.
const loanId = await lens.loanIdOf(borrower.address, (await lens.lineOf(borrower.address)).loanCount);
say(
  `Borrower draws ${fmt(principal)} as loan ${loanLabel(loanId)}; wallet now holds ${fmt(await token.balanceOf(borrower.address))} mUSD`,
);
const plan = schedule({ method: 0, principal, aprBps: line.aprBps, instalments: 12, periodDays: 30 });
const [dueDates, payments] = await quotes.loanSchedule(loanId);
say(
  `Plan (equal instalments, identical in the SDK and on chain: ${plan.every((r, k) => r.payment === payments[k])}):`,
);
for (let k = 0; k < 12; k++) {
  if (k === 3) say("   …");
  if (k >= 3 && k < 11) continue;
  say(
    `   #${String(k + 1).padStart(2)} due ${day(dueDates[k])}  pay ${fmt(payments[k]).padStart(8)}  = principal ${fmt(plan[k].principal).padStart(8)} + interest ${fmt(plan[k].interest)}`,
  );
}
say(`Line available now ${fmt((await lens.lineOf(borrower.address)).available)}`);

chapter("5. Auto-debit: a mandate once, then every instalment is collected on its due date");
// The permit gave the ledger an allowance; the mandate says it may pull what is due. Anyone may call `collect`:
// here we play the keeper (`npm run keeper` does it for a whole book).
await (await ledger.connect(borrower).setMandate(0)).wait();
await (await token.faucet(borrower.address, 2_000n * ONE)).wait();
const eventsOf = async (tx: Promise<{ wait(): Promise<unknown> }>) => {
  const receipt = (await (await tx).wait()) as { logs: Parameters<typeof ledger.interface.parseLog>[0][] };
  return receipt.logs.map((log) => ledger.interface.parseLog(log)).filter((e) => e !== null);
};
const start = await valueOf();
const reasons = ["", "loan not active", "no mandate", "no balance", "no allowance", "transfer failed"];
const PENALTY_MULTIPLIER_BPS = 15_000n;
for (let k = 0; k < 12; k++) {
  if (k === 2) {
    // The borrower's wallet is empty on the third due date: collection is skipped with a reason, nothing reverts.
    const parked = await token.balanceOf(borrower.address);
    await (await token.connect(borrower).transfer(admin.address, parked)).wait();
    await networkHelpers.time.setNextBlockTimestamp(dueDates[k]);
    const failed = (await eventsOf(ledger.collect([loanId]))).find((e) => e.name === "CollectionFailed");
    say(`   ${day(dueDates[k])}: #3 due, collection skipped: ${reasons[Number(failed?.args.reason ?? 0)]}`);
    // Ten days later (past the 3-day grace) money is back and the keeper collects, with penalty interest.
    await (await token.connect(admin).transfer(borrower.address, parked)).wait();
    const late = dueDates[k] + 10n * 86_400n;
    await networkHelpers.time.setNextBlockTimestamp(late);
    const events = await eventsOf(ledger.collect([loanId]));
    const penalty = events.find((e) => e.name === "PenaltyCharged")?.args.penalty ?? 0n;
    const collected = events.find((e) => e.name === "Collected")?.args.amount ?? 0n;
    // Formula: overdue × APR × 1.5 × seconds late / (360 days), rounded up.
    const scale = 10_000n * 10_000n * 360n * 86_400n;
    const expected =
      (payments[k] * line.aprBps * PENALTY_MULTIPLIER_BPS * (late - dueDates[k]) + scale - 1n) / scale;
    say(
      `   ${day(late)}: 10 days late, collected ${fmt(collected)} = #3 ${fmt(payments[k])} + penalty ${fmt(penalty)} (formula: ${fmt(payments[k])} × ${percent(line.aprBps)} × 1.5 × 10/360 = ${fmt(expected)})`,
    );
    continue;
  }
  await networkHelpers.time.setNextBlockTimestamp(dueDates[k]);
  const events = await eventsOf(ledger.collect([loanId]));
  const collected = events.find((e) => e.name === "Collected")?.args.amount ?? 0n;
  if (k < 2 || k === 5 || k === 11) {
    const state = await lens.loanState(loanId);
    say(
      `   ${day(dueDates[k])}: collected #${k + 1} (${fmt(collected)}) from the borrower's wallet, principal left ${fmt(state.principalOutstanding)}, lender's shares worth ${fmt(await valueOf())}`,
    );
  }
}
const state = await lens.loanState(loanId);
const STATUS = ["none", "active", "repaid", "defaulted"];
say(
  `Loan status: ${STATUS[Number(state.status)]}; line available again: ${fmt((await lens.lineOf(borrower.address)).available)}`,
);
say(
  `Lenders earned ${fmt((await valueOf()) - start)} over the year; protocol fee ${fmt(await lens.protocolFeesOwed())}, first-loss reserve ${fmt(await lens.firstLossReserve())}`,
);

chapter("6. A merchant borrows against its sales and repays from them");
await merchantChapter({
  ethers,
  setNextBlockTimestamp: (at) => networkHelpers.time.setNextBlockTimestamp(at),
  admin,
  customer,
  token,
  ledger,
  lens,
  offers,
  quotes,
  registryAddress: await deployed.merchantRegistry.getAddress(),
  routerAddress: await deployed.salesRouter.getAddress(),
  underwriterKey,
  kycIssuerKey,
  merchantModel,
  say,
});

chapter("7. A borrower who stops paying: buckets, provisions, default, recovery");
const defaulter = Wallet.createRandom().connect(ethers.provider);
await (await admin.sendTransaction({ to: defaulter.address, value: ethers.parseEther("1") })).wait();
await (await ledger.setLine(defaulter.address, 5_000n * ONE, line.aprBps, 1, 1)).wait();
await (await ledger.connect(defaulter).draw(0, 5_000n * ONE)).wait();
const badLoan = await lens.loanIdOf(defaulter.address, 1);
const [badDue] = await quotes.loanSchedule(badLoan);
say(
  `A second borrower draws ${fmt(5_000n * ONE)} over 3 months (loan ${loanLabel(badLoan)}) and spends it all; nothing comes back`,
);
const BUCKETS = ["current", "grace", "1–30 days", "31–60 days", "61–90 days", "default"];
say(
  "The keeper marks late loans daily: the provision rises with each day past due (on the principal from 0 at the due date to 10% at the end of grace, 30% at 30 days, 60% at 60, 100% at default; on the unpaid interest 0 to 10% in grace and 100% at 30 days, when it stops counting until paid), so the pool's value falls a day at a time, not in steps (shown every few days):",
);
for (const days of [1n, 4n, 15n, 31n, 45n, 61n, 75n, 90n, 91n]) {
  const provisionBefore = await lens.provisions();
  await networkHelpers.time.setNextBlockTimestamp(badDue[0] + days * 86_400n);
  const valueBefore = await pool.totalAssets();
  const events = await eventsOf(ledger.mark([badLoan])); // permissionless; the keeper marks on schedule
  const defaulted = events.find((e) => e.name === "LoanDefaulted");
  if (defaulted) {
    const [, loss, absorbed, lenderLoss] = defaulted.args;
    say(
      `   day ${days}: default → written off ${fmt(loss)} (principal + interest): the fee and reserve shares of the unpaid interest are taken back ${fmt(BigInt(loss) - BigInt(absorbed) - BigInt(lenderLoss))}, the first-loss reserve absorbs ${fmt(absorbed)}${BigInt(lenderLoss) > 0n ? " (all it held)" : ""}, lenders ${fmt(lenderLoss)}; provision released`,
    );
    say(
      `            pool value ${fmt(valueBefore)} → ${fmt(await pool.totalAssets())}: the lenders' share of the loss was provisioned day by day (charged to the reserve first), so the write-off moves it by what the last mark left`,
    );
  } else {
    const provision = await lens.provisions();
    const step = provision - provisionBefore;
    const bucket = Number((await lens.loanState(badLoan)).markedBucket);
    say(
      `   day ${String(days).padStart(2)}: ${BUCKETS[bucket].padEnd(11)} provision ${fmt(provision)} (${step === 0n ? "unchanged" : `+${fmt(step)}`}) → pool value ${fmt(await pool.totalAssets())}`,
    );
    const risk = await lens.riskState();
    if (risk.principal30Plus !== 0n) {
      say(
        `            30+ days past due: ${fmt(risk.principal30Plus)} of ${fmt(risk.principalOutstanding)} (${ratio(risk.principal30Plus, risk.principalOutstanding)}); circuit breaker at ${percent(risk.limits.breakerBps)}: ${risk.breakerTripped ? "tripped, new draws halted" : "not tripped"}`,
      );
    }
  }
}
await (await token.faucet(defaulter.address, 1_000n * ONE)).wait();
await (await token.connect(defaulter).approve(await ledger.getAddress(), ethers.MaxUint256)).wait();
const recovered = (await eventsOf(ledger.connect(defaulter).repay(badLoan, 1_000n * ONE))).find(
  (e) => e.name === "Recovered",
);
say(
  `   later the borrower pays ${fmt(1_000n * ONE)}: a recovery, ${fmt(recovered?.args.toLenders ?? 0n)} back to lenders first, ${fmt(recovered?.args.toReserve ?? 0n)} to the reserve`,
);

chapter("8. The lender exits");
// Withdraw the cash on hand: a redeem of maxRedeem would revert if a loan's interest raised the share price by the
// next block (fewer shares then buy the same cash).
const max = await pool.maxWithdraw(lender.address);
const before = await token.balanceOf(lender.address);
const lenderStart = before;
await (await pool.connect(lender).withdraw(max, lender.address, lender.address)).wait();
say(
  `Redeemed instantly: ${fmt((await token.balanceOf(lender.address)) - before)} mUSD (all but the ${percent(POOL_RATES.liquidityReserveBps)} liquidity reserve)`,
);
const rest = await pool.balanceOf(lender.address);
await (await pool.connect(lender).requestRedeem(rest)).wait();
say(
  `The remaining ${shares(rest)} shares wait in the redemption queue (held cash ${fmt(await lens.queueReserve())})`,
);
await (await pool.processRedemptions(10)).wait();
say(
  `Queue filled: ${fmt(await pool.claimable(lender.address))} mUSD now claimable by the lender (a fill is claimed, so one lender the token refuses to pay never blocks the queue)`,
);
await (await pool.connect(lender).claim(lender.address)).wait();
const received = (await token.balanceOf(lender.address)) - lenderStart;
say(
  `Claimed: the lender got back ${fmt(received)} mUSD for the 1,000,000.00 deposited (interest earned, less the default)`,
);
console.log("\nDone.");
await connection.close();
