// The demo's merchant chapter (docs/MERCHANTS.md, "Merchant loans repaid from sales"): a merchant trades through the
// sales router for three months, the merchant model turns that on-chain history into a limit and a signed offer, the
// merchant borrows, its next sales repay the loan, and a slow month leaves a shortfall the mandate collects.
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { Wallet, type Signer } from "ethers";
import { toMerchantHistory } from "../src/client/sales-history.ts";
import { MERCHANT_LOAN_PRODUCT, ONE } from "../src/config/defaults.ts";
import { money, percent } from "../src/format/money.ts";
import {
  assessMerchant,
  MERCHANT_TRAINING,
  merchantCsv,
  parseCsv,
  simulateMerchants,
  train,
  type ModelArtifact,
} from "../src/risk/index.ts";
import { boundsOf, quote } from "../src/sdk/disclosure.ts";
import { offerFromDecision, signKyc, signOffer, signPermit } from "../src/sdk/offers.ts";
import {
  connectSalesRouter,
  readMerchantLoans,
  readSalesHistory,
  windowOf,
  windowStart,
} from "../src/sdk/sales.ts";
import type {
  CreditLedger,
  CreditLens,
  CreditOffers,
  CreditQuotes,
  MockStablecoin,
} from "../typechain-types/index.ts";

const DAY = 86_400n;

/**
 * The merchant model, trained on simulated merchants (seeded: the same model every run) with one candidate, gradient
 * boosted trees of depth 3 × 100, the family `npm run risk -- merchant train` selects (docs/RISK.md): about two
 * seconds, where the full selection takes half a minute.
 */
export function trainMerchantModel(): { model: ModelArtifact; auc: number } {
  const merchants = simulateMerchants({ count: 1_500, seed: 21 });
  const { model, report } = train(parseCsv(merchantCsv(merchants), "merchants.csv"), {
    ...MERCHANT_TRAINING,
    families: ["gbt"],
    depths: [3],
    treeCounts: [100],
  });
  return { model, auc: Number(report.auc) };
}

export interface MerchantChapter {
  ethers: HardhatEthers;
  setNextBlockTimestamp(at: bigint): Promise<void>;
  admin: Signer;
  /** Pays the merchant's sales: a node account, so the many sales need no signing here. */
  customer: Signer;
  token: MockStablecoin;
  ledger: CreditLedger;
  lens: CreditLens;
  offers: CreditOffers;
  quotes: CreditQuotes;
  registryAddress: string;
  routerAddress: string;
  underwriterKey: Wallet;
  kycIssuerKey: Wallet;
  merchantModel: { model: ModelArtifact; auc: number };
  say(line: string): void;
}

export async function merchantChapter(c: MerchantChapter): Promise<void> {
  const { ethers, admin, customer, token, ledger, lens, offers, quotes, say } = c;
  const fmt = (units: bigint) => money(units);
  const day = (t: bigint) => new Date(Number(t) * 1000).toISOString().slice(0, 10);
  const sent = async (tx: Promise<{ wait(): Promise<unknown> }>) => (await tx).wait();
  const latest = async () => BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
  const { chainId } = await ethers.provider.getNetwork();

  // A shop: its owner key (a new one each run; also its payout address), and a customer who pays through the router.
  const owner = Wallet.createRandom().connect(ethers.provider);
  await sent(admin.sendTransaction({ to: owner.address, value: ethers.parseEther("1") }));
  const registry = (await ethers.getContractAt("MerchantRegistry", c.registryAddress)).connect(admin);
  const router = await ethers.getContractAt("SalesRouter", c.routerAddress);
  await sent(registry.register(owner.address, 0, 5812));
  const merchantId = (await registry.merchantIdOf(owner.address)) as bigint;
  await sent(registry.connect(owner).accept(merchantId, owner.address));
  await sent(token.faucet(await customer.getAddress(), 100_000n * ONE));
  await sent(token.connect(customer).approve(c.routerAddress, ethers.MaxUint256));
  const asCustomer = router.connect(customer);
  let orderId = 0n;
  const sell = async (at: bigint, amount: bigint) => {
    await c.setNextBlockTimestamp(at);
    orderId += 1n;
    return (await (await asCustomer.pay(merchantId, amount, orderId)).wait())!;
  };
  // Sales start with a 30-day window of the router's, so three months are three complete windows.
  const opening = windowStart(windowOf(await latest()) + 1n);
  // A café: about 300 a day on weekdays, more at weekends, a little more each week.
  const daily = (d: number) => BigInt(280 + (d % 7 >= 5 ? 90 : 0) + d) * ONE;
  const TRADING_DAYS = 92;
  for (let d = 0; d < TRADING_DAYS; d++) await sell(opening + BigInt(d) * DAY + 10n * 3_600n, daily(d));
  const history = await readSalesHistory(connectSalesRouter(c.routerAddress, ethers.provider), merchantId);
  const months = history.complete.slice(0, 3).reverse();
  say(
    `Merchant ${merchantId} (a café; its owner key is also its payout address) takes ${TRADING_DAYS} days of card sales through the sales router: ${months.map((w) => fmt(w.volume)).join(", ")} mUSD in its three complete 30-day windows (${months.map((w) => w.activeDays).join(", ")} days with a sale), kept on chain by the router`,
  );

  // The merchant model reads that history (as `npm run risk -- merchant offer` does) and signs an offer.
  const assessedAt = await latest();
  const assessment = assessMerchant(c.merchantModel.model, toMerchantHistory(history, assessedAt));
  say(
    `Merchant model (trained on 1,500 simulated merchants, AUC ${c.merchantModel.auc.toFixed(3)}): probability of default ${(assessment.probabilityOfDefault * 100).toFixed(2)}%, ${assessment.decision}, tier ${assessment.tier}, limit ${fmt(assessment.limit)} at ${percent(assessment.aprBps ?? 0)} for the merchant loan (product ${assessment.products.join(", ")})`,
  );
  for (const note of assessment.notes) say(`   ${note}`);
  if (assessment.decision !== "approve")
    throw new Error(`the demo's merchant was declined: ${assessment.notes.join("; ")}`);
  const offer = offerFromDecision(
    assessment,
    owner.address,
    await ledger.getAddress(),
    await offers.nextNonce(owner.address),
    assessedAt + DAY,
    assessment.modelVersion,
  );
  const offerSig = await signOffer(c.underwriterKey, await offers.getAddress(), chainId, offer);
  const kyc = { borrower: owner.address, level: 2, expiry: assessedAt + 365n * DAY };
  const kycSig = await signKyc(c.kycIssuerKey, await offers.getAddress(), chainId, kyc);
  const permit = await signPermit(token, owner, ledger, ethers.MaxUint256, assessedAt + 3_600n);
  await sent(offers.connect(owner).acceptOffer(offer, offerSig, kyc, kycSig, permit));
  // The owner lets the router originate on its line, and sets the mandate that collects a shortfall.
  const asOwner = ledger.connect(owner);
  await sent(asOwner.setOriginatorAllowed(c.routerAddress, true));
  await sent(asOwner.setMandate(0));

  // It borrows through the router, bound to a quote; the loan is paid to its payout address.
  const principal = ((assessment.limit * 2n) / 3n / ONE) * ONE;
  const quoted = await quote(
    await quotes.getAddress(),
    ethers.provider,
    owner.address,
    MERCHANT_LOAN_PRODUCT.id,
    principal,
  );
  const before = await token.balanceOf(owner.address);
  await sent(router.connect(owner).borrow(merchantId, principal, boundsOf(quoted)));
  const routerReads = connectSalesRouter(c.routerAddress, ethers.provider);
  const [loanId] = (await readMerchantLoans(routerReads, merchantId)).loanIds;
  const [dueDates, payments] = await quotes.loanSchedule(loanId);
  say(
    `The owner accepts the offer, borrows ${fmt(principal)} through the router (APR ${percent(quoted.aprBps)}, ${MERCHANT_LOAN_PRODUCT.name}) and the payout address receives ${fmt((await token.balanceOf(owner.address)) - before)}; the plan is the minimum: ${fmt(payments[0])} by ${day(dueDates[0])}, then every 30 days`,
  );

  // Ten ordinary days: 20 % of every sale repays the loan in the same transaction.
  const start = (await latest()) + DAY;
  let repaid = 0n;
  let sales = 0n;
  const trade = async (from: number, to: number, amount: (d: number) => bigint) => {
    for (let d = from; d < to; d++) {
      const receipt = await sell(start + BigInt(d) * DAY, amount(d));
      for (const log of receipt.logs) {
        const event = router.interface.parseLog(log);
        if (event?.name === "RepaidFromSale") repaid += event.args.amount as bigint;
      }
      sales += amount(d);
    }
  };
  await trade(0, 10, (d) => daily(TRADING_DAYS + d));
  say(
    `Ten days of sales (${fmt(sales)}): ${percent(await router.repaymentShareBps(merchantId))} of each repays the loan, ${fmt(repaid)} so far, the rest reaches the merchant in the same transaction`,
  );
  // Then a slow spell: sales fall to a sixth until the due date, so the sales do not reach the minimum.
  const beforeSlow = repaid;
  await trade(10, Number((dueDates[0] - start) / DAY), (d) => daily(TRADING_DAYS + d) / 6n);
  const state = await lens.loanState(loanId);
  if (state.nextDueAmount === 0n || state.nextDueAt !== dueDates[0]) {
    throw new Error("the demo's slow spell was meant to leave part of the first minimum unpaid");
  }
  say(
    `A slow spell until the due date: sales repay only ${fmt(repaid - beforeSlow)} more; ${fmt(repaid)} repaid in all, and ${fmt(state.nextDueAmount)} of the minimum due ${day(state.nextDueAt)} still missing`,
  );
  await c.setNextBlockTimestamp(dueDates[0]);
  const receipt = (await (await ledger.collect([loanId])).wait())!;
  const collected = receipt.logs
    .map((log) => ledger.interface.parseLog(log))
    .find((e) => e?.name === "Collected")?.args.amount as bigint | undefined;
  const after = await lens.loanState(loanId);
  if (collected !== state.nextDueAmount || after.pastDue !== 0n) {
    throw new Error(
      `the collection took ${collected ?? 0n}, not the ${state.nextDueAmount} missing of the minimum`,
    );
  }
  say(
    `${day(dueDates[0])}: the collection (anyone may call it: here the demo plays the keeper, as npm run keeper does) pulls the shortfall from the owner's wallet by the mandate: ${fmt(collected)}; the loan is on plan (${fmt(after.pastDue)} past due), principal left ${fmt(after.principalOutstanding)}`,
  );
  // Trade picks up again: the sales repay ahead of the plan until the loan is repaid, then the whole sale is the
  // merchant's.
  const resumed = Number((dueDates[0] - start) / DAY) + 1;
  let d = resumed;
  const STATUS_REPAID = 2n;
  while ((await lens.loanState(loanId)).status !== STATUS_REPAID) {
    if (d > resumed + 6 * 30) throw new Error("the demo's merchant loan was not repaid from its sales");
    await trade(d, d + 1, (x) => daily(TRADING_DAYS + x));
    d += 1;
  }
  const closedAt = await latest();
  if (closedAt >= dueDates[dueDates.length - 1])
    throw new Error("the demo's merchant loan was not repaid ahead of its plan");
  const last = await sell(closedAt + DAY, daily(TRADING_DAYS + d));
  const routed = last.logs.filter((log) => router.interface.parseLog(log)?.name === "RepaidFromSale").length;
  say(
    `Trade picks up: ${d - resumed} more days of sales repay the rest ahead of the plan, the loan is repaid on ${day(closedAt)} (its plan ran to ${day(dueDates[dueDates.length - 1])}; ${fmt(repaid)} of it came from sales), and the next sale is the merchant's in full (${routed} repayments in it, share now ${percent(await router.repaymentShareBps(merchantId))})`,
  );
}
