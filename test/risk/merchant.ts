import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Wallet } from "ethers";
import {
  assessMerchant,
  auc,
  decideMerchant,
  DEFAULT_MERCHANT_POLICY,
  merchantCsv,
  merchantFeatureCells,
  merchantFeatureRow,
  merchantFeatures,
  merchantHistoryToJson,
  merchantOutcome,
  merchantReport,
  MERCHANT_PROFILES,
  MERCHANT_TRAINING,
  MERCHANT_TYPES,
  parseCsv,
  parseMerchantHistory,
  parseMerchantPolicy,
  simulateMerchants,
  simulateSalesLoan,
  train,
  validateMerchantHistory,
  validateMerchantPolicy,
  writeTrainingOutput,
  type MerchantFeatures,
  type MerchantHistory,
  type MerchantPolicy,
  type SalesWindow,
  type TrainResult,
} from "../../src/risk/index.ts";
import { offerFromDecision, offerFromJson, recoverOfferSigner, signOffer } from "../../src/sdk/offers.ts";
import { expectClose } from "./approx.ts";
import { MERCHANT_LOAN_PRODUCT, SALES_SHARE } from "../../src/config/defaults.ts";

const TOKEN = 1_000_000n;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "scripts", "risk.ts");
const run = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8" });

const window = (volume: number, sales: number, refunds: number, activeDays: number): SalesWindow => ({
  volume: BigInt(volume) * TOKEN,
  sales,
  refunds: BigInt(refunds) * TOKEN,
  activeDays,
});

/** Six windows, most recent first, small enough to check every feature by hand (see the comments below). */
const HAND: MerchantHistory = {
  windows: [
    window(12_000, 400, 240, 26),
    window(10_000, 350, 100, 25),
    window(8_000, 300, 60, 24),
    window(10_000, 320, 100, 25),
    window(6_000, 250, 0, 22),
    window(8_000, 280, 100, 24),
  ],
  tenureDays: 400,
  loansRepaid: 2,
  loansLate: 1,
  loansDefaulted: 0,
};

const clone = <T>(x: T): T => structuredClone(x);

describe("merchant sales history", () => {
  it("test_merchantFeatures_handComputed: every feature of a six-window history, exactly", () => {
    const f = merchantFeatures(HAND);
    expect(f.windows).to.equal(6);
    expect(f.recentVolume).to.equal(10_000n * TOKEN); // (12,000 + 10,000 + 8,000) / 3
    expect(f.averageVolume).to.equal(9_000n * TOKEN); // 54,000 / 6
    expect(f.trend).to.equal(1.25); // 30,000 / 24,000
    expect(f.lastWindow).to.equal(1.2); // 3 · 12,000 / 30,000
    // deviations from 9,000: ±3,000 once each, ±1,000 four times → variance 22,000,000 / 6
    expectClose(f.volatility as number, Math.sqrt(22_000_000 / 6) / 9_000, 1e-12);
    expectClose(f.refundRate as number, 600 / 54_000, 1e-15);
    expectClose(f.activeDays, 146 / 180, 1e-15);
    expect(f.minActiveDays).to.equal(24);
    expect(f.averageTicket).to.equal(28_421_052n); // 54,000 tokens / 1,900 sales, rounded down to the base unit
    expect([f.tenureDays, f.loansRepaid, f.loansLate, f.loansDefaulted]).to.deep.equal([400, 2, 1, 0]);
    expect(merchantFeatureCells(f)).to.deep.equal([
      "10000.000000",
      "9000.000000",
      "1.25",
      "1.2",
      "0.212762",
      "0.011111",
      "0.811111",
      "24",
      "28.421052",
      "400",
      "2",
      "1",
      "0",
    ]);
    expect(merchantFeatureRow(f)).to.deep.include({
      recent_monthly_volume: 10_000,
      volume_volatility: 0.212762,
      average_ticket: 28.421052,
    });
  });

  it("test_merchantFeatures_shortHistory: a trend needs six windows and a volatility three; missing, not zero", () => {
    const short = { ...clone(HAND), windows: HAND.windows.slice(0, 2), tenureDays: 75 };
    const f = merchantFeatures(short);
    expect([f.trend, f.volatility, f.lastWindow]).to.deep.equal([null, null, null]);
    expect(f.recentVolume).to.equal(11_000n * TOKEN);
    expect(merchantFeatureRow(f).volume_trend).to.equal(null);
    expect(merchantFeatureCells(f)[2]).to.equal("");
    const none = merchantFeatures({
      windows: [],
      tenureDays: 10,
      loansRepaid: 0,
      loansLate: 0,
      loansDefaulted: 0,
    });
    expect(none).to.deep.include({
      recentVolume: 0n,
      averageVolume: 0n,
      refundRate: null,
      averageTicket: null,
      activeDays: 0,
    });
  });

  it("test_validateMerchantHistory_exactMessages: one sentence naming what is wrong", () => {
    const bad = (change: (h: MerchantHistory) => void) => {
      const h = clone(HAND);
      change(h);
      return () => validateMerchantHistory(h);
    };
    expect(bad((h) => (h.windows[0].activeDays = 31))).to.throw(
      "window 0: activeDays must be an integer from 0 to 30, got 31",
    );
    expect(bad((h) => (h.windows[1].refunds = h.windows[1].volume + 1n))).to.throw(
      "window 1: refunds 10000000001 exceed the volume 10000000000",
    );
    expect(
      bad((h) => {
        h.windows = Array.from({ length: 13 }, () => window(1_000, 10, 0, 5));
        h.tenureDays = 400;
      }),
    ).to.throw("a history holds at most 12 windows, got 13");
    expect(bad((h) => (h.tenureDays = 100))).to.throw(
      "6 windows need a tenure of at least 180 days, got 100",
    );
    expect(bad((h) => (h.windows[2].sales = 0))).to.throw("window 2: a volume of 8000000000 from 0 sales");
    expect(bad((h) => (h.windows[3].activeDays = 0))).to.throw("window 3: 320 sales on no active day");
    expect(bad((h) => (h.windows[4].sales = 3))).to.throw("window 4: 22 active days with only 3 sales");
    expect(bad((h) => (h.loansLate = -1))).to.throw("loansLate must be a non-negative integer, got -1");
  });

  it("test_parseMerchantHistory_jsonForm: money as decimal strings round-trips; floats and unknown fields are refused", () => {
    const json = merchantHistoryToJson(HAND);
    expect(parseMerchantHistory(JSON.parse(JSON.stringify(json)))).to.deep.equal(HAND);
    const float = JSON.parse(JSON.stringify(json));
    float.windows[0].volume = "12.5";
    expect(() => parseMerchantHistory(float)).to.throw(
      'window 0: volume must be whole base units as a decimal string, got "12.5"',
    );
    const typo = JSON.parse(JSON.stringify(json));
    typo.windows[0].volumen = "1";
    expect(() => parseMerchantHistory(typo)).to.throw("window 0 has an unknown field volumen");
    expect(() => parseMerchantHistory({ ...json, tenure: 3 })).to.throw(
      "the history has an unknown field tenure",
    );
  });
});

describe("merchant loan repaid from sales", () => {
  // 1,000 tokens at 12 % for 6 periods: fee 1,000 · 0.12 · 180 / 360 = 60, owed 1,060, minimum ceil(1,060 / 6).
  const terms = { principal: 1_000n * TOKEN, aprBps: 1200, termPeriods: 6, salesShareBps: 2000 };
  const days = (perDay: number, n = 210) => new Array<number>(n).fill(perDay * 1e6);

  it("test_simulateSalesLoan_repaidFromShare: 20 % of 100 tokens a day repays 1,060 on the 53rd day", () => {
    const o = simulateSalesLoan(days(100), terms, 0n);
    expect(o).to.deep.include({
      defaulted: false,
      end: "repaid",
      day: 52,
      owed: 1_060n * TOKEN,
      paid: 1_060n * TOKEN,
      loss: 0n,
    });
  });

  it("test_simulateSalesLoan_stopsTrading: no sale for 30 days is a default; the loss is the unpaid principal", () => {
    const path = days(100);
    path.fill(0, 40);
    const o = simulateSalesLoan(path, terms, 0n);
    expect(o).to.deep.include({ defaulted: true, end: "stopped trading", day: 69, paid: 800n * TOKEN });
    expect(o.loss).to.equal(1_000n * TOKEN - (800n * TOKEN * 1_000n * TOKEN) / (1_060n * TOKEN)); // 245.283019 tokens
  });

  it("test_simulateSalesLoan_behind: more than one minimum behind at a period's end defaults; the buffer delays it", () => {
    const slow = days(10); // 2 tokens a day, 60 a period against a minimum of 176.67
    expect(simulateSalesLoan(slow, terms, 0n)).to.deep.include({
      end: "behind",
      day: 59,
      paid: 120n * TOKEN,
      loss: 886_792_453n,
    });
    const helped = simulateSalesLoan(slow, terms, 100n * TOKEN);
    expect(helped).to.deep.include({ end: "behind", day: 89, paid: 280n * TOKEN, toppedUp: 100n * TOKEN });
  });
});

describe("simulated merchants", () => {
  it("test_simulateMerchants_sameSeedSameBytes: same seed, same CSV; another seed, another one", () => {
    const a = merchantCsv(simulateMerchants({ count: 300, seed: 5 }));
    expect(merchantCsv(simulateMerchants({ count: 300, seed: 5 }))).to.equal(a);
    expect(merchantCsv(simulateMerchants({ count: 300, seed: 6 }))).to.not.equal(a);
    // Merchant i does not depend on the count: a larger run extends a smaller one.
    const longer = merchantCsv(simulateMerchants({ count: 320, seed: 5 }));
    expect(longer.startsWith(a)).to.equal(true);
    expect(a.split("\n")[0]).to.equal(
      "id,type,recent_monthly_volume,average_monthly_volume,volume_trend,last_window_ratio,volume_volatility,refund_rate," +
        "active_days_ratio,min_active_days,average_ticket,tenure_days,loans_repaid,loans_late,loans_defaulted,outcome,loss",
    );
  });

  it("test_simulateMerchants_shares: every type within three merchants of its share", () => {
    const ms = simulateMerchants({ count: 700, seed: 1 });
    for (const t of MERCHANT_TYPES) {
      const n = ms.filter((m) => m.type === t).length;
      expect(Math.abs(n - 700 * MERCHANT_PROFILES[t].share), t).to.be.at.most(3);
    }
  });

  it("test_merchantOutcome_fromFutureSales: the label is the loan run against the future path, not the type", () => {
    const ms = simulateMerchants({ count: 400, seed: 7 });
    const steady = ms.filter((m) => m.type === "steady");
    expect(steady.some((m) => merchantOutcome(m).defaulted)).to.equal(true);
    expect(ms.filter((m) => m.type === "declining").some((m) => !merchantOutcome(m).defaulted)).to.equal(
      true,
    );
    const m = steady.find((x) => !merchantOutcome(x).defaulted) as (typeof ms)[number];
    const stopped = { ...m, futureVolume: m.futureVolume.map(() => 0) };
    expect(merchantOutcome(stopped)).to.deep.include({ defaulted: true, end: "stopped trading", day: 29 });
  });
});

/** The features of HAND with some values replaced. */
function withFeatures(over: Partial<MerchantFeatures>): MerchantFeatures {
  return { ...merchantFeatures(HAND), ...over };
}

describe("merchant limit policy", () => {
  it("test_decideMerchant_handComputed: 9,000 × (1 − 10.64 %) × (1 − 3.34 %) rounded down to 7,773 tokens at tier A", () => {
    const d = decideMerchant(DEFAULT_MERCHANT_POLICY, merchantFeatures(HAND), 0.02);
    expect(d).to.deep.include({
      decision: "approve",
      tier: "A",
      limit: 7_773n * TOKEN,
      aprBps: 1200,
      products: [7], // the merchant loan the SalesRouter originates
      baseVolume: 9_000n * TOKEN,
    });
    expect(d.notes).to.deep.equal([
      "tier A: probability of default 2.0% (at most 3%), 100% of the limit",
      "100% of a 9,000-token month (the lower of the last 3 and the last 6 windows)",
      "sales vary by 0.21 of their mean month to month: limit −10.6%",
      "refunds 1.1% of sales: limit −3.3%",
    ]);
    expect(decideMerchant(DEFAULT_MERCHANT_POLICY, merchantFeatures(HAND), 0.1)).to.deep.include({
      tier: "C",
      limit: 5_052n * TOKEN,
      aprBps: 1900,
    });
  });

  it("test_merchantPolicy_offersTheDeployedMerchantLoan: its product, share and term are the local deployment's", () => {
    expect(DEFAULT_MERCHANT_POLICY.products).to.deep.equal([MERCHANT_LOAN_PRODUCT.id]);
    expect(DEFAULT_MERCHANT_POLICY.repayment).to.deep.equal({
      salesShareBps: SALES_SHARE.shareBps,
      termPeriods: MERCHANT_LOAN_PRODUCT.instalments,
    });
  });

  it("test_decideMerchant_threeWindows: the base is the average of the only three windows, and the note says so", () => {
    const f = withFeatures({ windows: 3, averageVolume: 9_000n * TOKEN, recentVolume: 9_000n * TOKEN });
    const d = decideMerchant(DEFAULT_MERCHANT_POLICY, f, 0.02);
    expect(d.baseVolume).to.equal(9_000n * TOKEN);
    expect(d.notes[1]).to.equal("100% of a 9,000-token month (the average of the last 3 windows)");
  });

  it("test_decideMerchant_monotone: more volatility, more refunds or a higher PD never give a higher limit", () => {
    for (const pd of [0.01, 0.05, 0.12, 0.2]) {
      let previous = -1n;
      for (let v = 150; v >= 0; v--) {
        const limit = decideMerchant(
          DEFAULT_MERCHANT_POLICY,
          withFeatures({ volatility: v / 100 }),
          pd,
        ).limit;
        expect(limit >= previous, `volatility ${v / 100}, PD ${pd}`).to.equal(true);
        previous = limit;
      }
      previous = -1n;
      for (let r = 400; r >= 0; r--) {
        const limit = decideMerchant(
          DEFAULT_MERCHANT_POLICY,
          withFeatures({ refundRate: r / 2000 }),
          pd,
        ).limit;
        expect(limit >= previous, `refunds ${r / 2000}, PD ${pd}`).to.equal(true);
        previous = limit;
      }
    }
    let previous = -1n;
    for (let p = 300; p >= 0; p--) {
      const limit = decideMerchant(DEFAULT_MERCHANT_POLICY, merchantFeatures(HAND), p / 1000).limit;
      expect(limit >= previous, `PD ${p / 1000}`).to.equal(true);
      previous = limit;
    }
  });

  it("test_decideMerchant_capHolds: a very large merchant gets exactly the 50,000-token cap, never more", () => {
    for (const month of [60_000n, 1_000_000n, 10n ** 12n]) {
      const f = withFeatures({
        recentVolume: month * TOKEN,
        averageVolume: month * TOKEN,
        volatility: 0,
        refundRate: 0,
      });
      const d = decideMerchant(DEFAULT_MERCHANT_POLICY, f, 0);
      expect(d.limit).to.equal(50_000n * TOKEN);
      expect(d.notes).to.include("capped at 50,000 tokens");
    }
  });

  it("test_decideMerchant_declines: short tenure, a stopped trade, heavy refunds, a write-off, a high PD, a tiny line", () => {
    const notes = (f: Partial<MerchantFeatures>, pd = 0.02) => {
      const d = decideMerchant(DEFAULT_MERCHANT_POLICY, withFeatures(f), pd);
      expect(d).to.deep.include({ decision: "decline", limit: 0n, aprBps: null, products: [] });
      return d.notes;
    };
    expect(notes({ tenureDays: 60 })).to.deep.equal(["trading for 60 days, fewer than 90"]);
    expect(notes({ minActiveDays: 0 })).to.deep.equal([
      "0 days with sales in one of the last 3 windows, fewer than 8",
    ]);
    expect(notes({ refundRate: 0.25 })).to.deep.equal(["refunds 25.0% of sales, above 20%"]);
    expect(notes({ loansDefaulted: 1 })).to.deep.equal(["1 earlier merchant loan(s) written off"]);
    expect(notes({}, 0.3)).to.deep.equal(["probability of default 30.0%, above 25%"]);
    expect(notes({ recentVolume: 150n * TOKEN }, 0.2).at(-1)).to.equal(
      "limit 51 tokens, below the 100-token minimum line",
    );
  });

  it("test_decideMerchant_failingMerchantDeclined: sales that stopped in the last window are declined whatever the PD", () => {
    const stopped = clone(HAND);
    stopped.windows[0] = { volume: 0n, sales: 0, refunds: 0n, activeDays: 0 };
    const d = decideMerchant(DEFAULT_MERCHANT_POLICY, merchantFeatures(stopped), 0);
    expect(d.decision).to.equal("decline");
    expect(d.notes).to.deep.equal(["0 days with sales in one of the last 3 windows, fewer than 8"]);
  });

  it("test_validateMerchantPolicy_rejects: APR at the cap, out-of-order tiers, a larger share for a riskier tier", () => {
    const edit = (change: (p: MerchantPolicy) => void) => {
      const p = clone(DEFAULT_MERCHANT_POLICY);
      change(p);
      return () => validateMerchantPolicy(p);
    };
    expect(() => validateMerchantPolicy(DEFAULT_MERCHANT_POLICY)).to.not.throw();
    expect(edit((p) => (p.tiers[3].aprBps = 2400))).to.throw(
      "invalid merchant policy 2026.12-merchant: tier D: APR must be whole bps below the 2400 bps cap",
    );
    expect(edit((p) => (p.tiers[1].maxPdBps = 200))).to.throw(
      "tier B: tiers must be listed by strictly increasing maxPdBps",
    );
    expect(edit((p) => (p.tiers[2].limitPercent = 90))).to.throw(
      "tier C: limit share above the safer tier B",
    );
    expect(edit((p) => (p.limitRange.max = "50000500000"))).to.throw("limits must be whole tokens");
    expect(edit((p) => (p.decline.minWindows = 2))).to.throw(
      "decline.minWindows must be 3–12: the volatility cut needs 3 windows",
    );
    expect(() => parseMerchantPolicy(JSON.stringify({ ...DEFAULT_MERCHANT_POLICY, products: [] }))).to.throw(
      "products must be unique ids from 0 to 31",
    );
  });
});

describe("merchant model on simulated merchants", function () {
  this.timeout(60_000);
  // A reduced candidate set keeps this to seconds; `merchant train` runs the full selection (docs/RISK.md).
  const QUICK = { families: ["gbt" as const], depths: [3], treeCounts: [100] };
  const trainMerchants = simulateMerchants({ count: 2000, seed: 11 });
  let trained: TrainResult;
  let dir: string;

  before(() => {
    trained = train(parseCsv(merchantCsv(trainMerchants), "merchants.csv"), {
      ...MERCHANT_TRAINING,
      ...QUICK,
    });
    dir = mkdtempSync(join(tmpdir(), "risk-merchant-"));
    writeTrainingOutput(join(dir, "model"), trained);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("test_train_merchantModel: the real pipeline on the simulated CSV; only the merchant columns are features", () => {
    expect(trained.model.features.map((f) => f.name)).to.deep.equal(Object.keys(MERCHANT_TRAINING.types));
    expect(trained.report.excluded.map((e) => e.column)).to.deep.equal(["id", "type", "loss"]);
    expect(trained.report.auc).to.be.above(0.78);
  });

  it("test_assessMerchant_holdoutAuc: PD ranks 1,500 unseen merchants' loan outcomes with AUC above 0.78", () => {
    const holdout = simulateMerchants({ count: 1500, seed: 12 });
    const pd = holdout.map((m) => assessMerchant(trained.model, m.history).probabilityOfDefault);
    const y = holdout.map((m) => (merchantOutcome(m).defaulted ? 1 : 0));
    expect(auc(y, pd)).to.be.above(0.78);
    // Merchants whose sales already stopped are declined, whatever the model says.
    const stopped = holdout.filter((m) => m.failureDay !== null && m.failureDay < 0);
    expect(stopped.length).to.be.above(5);
    for (const m of stopped)
      expect(assessMerchant(trained.model, m.history).decision, m.id).to.equal("decline");
  });

  it("test_merchantReport_everyTypeConsistentTotals: each type once, the types add up to the total", () => {
    const report = merchantReport(trained.model, simulateMerchants({ count: 700, seed: 13 }), 13);
    expect(report.types.map((t) => t.type)).to.deep.equal([...MERCHANT_TYPES]);
    expect(report.holdout).to.equal(true);
    expect(report.count).to.equal(700);
    const sum = (k: "merchants" | "approved" | "defaults") => report.types.reduce((a, t) => a + t[k], 0);
    expect([sum("merchants"), sum("approved"), sum("defaults")]).to.deep.equal([
      report.total.merchants,
      report.total.approved,
      report.total.defaults,
    ]);
    expect(report.total.merchants).to.equal(700);
    expect(report.types.reduce((a, t) => a + t.lent, 0n)).to.equal(report.total.lent);
    expect(report.types.reduce((a, t) => a + t.lost, 0n)).to.equal(report.total.lost);
    for (const t of [...report.types, report.total]) {
      expect(t.merchants, t.type).to.be.above(0);
      expect(t.approved).to.be.at.most(t.merchants);
      expect(t.lost <= t.lent).to.equal(true);
      if (t.limitMultiple !== null) expect(t.limitMultiple).to.be.within(0, 1); // base month ≤ the 12-window average
    }
    // Steady merchants get more of their month and lose less than failing ones.
    const by = Object.fromEntries(report.types.map((t) => [t.type, t]));
    expect(by.steady.approvalRate).to.be.above(by.failing.approvalRate);
    expect(by.steady.trainingLoanDefaultRate).to.be.below(by.failing.trainingLoanDefaultRate);
    // The training merchants themselves are flagged as no holdout.
    expect(merchantReport(trained.model, trainMerchants, 11).holdout).to.equal(false);
  });

  it("test_merchantOffer_recoversToSigner: the merchant policy's terms in the EIP-712 offer CreditOffers verifies", async () => {
    const approved = simulateMerchants({ count: 200, seed: 14 })
      .map((m) => assessMerchant(trained.model, m.history))
      .find((a) => a.decision === "approve");
    expect(approved).to.not.equal(undefined);
    const a = approved as NonNullable<typeof approved>;
    const underwriter = Wallet.createRandom();
    const owner = Wallet.createRandom().address;
    const offers = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    const ledger = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
    const offer = offerFromDecision(a, owner, ledger, 3n, 2_000_000_000n, a.modelVersion);
    expect(offer).to.deep.include({
      borrower: owner,
      limit: a.limit,
      aprBps: BigInt(a.aprBps as number),
      productMask: 1 << 7, // the merchant loan
    });
    const signature = await signOffer(underwriter, offers, 31337n, offer);
    expect(recoverOfferSigner(offers, 31337n, offer, signature)).to.equal(underwriter.address);
    expect(recoverOfferSigner(offers, 31337n, { ...offer, limit: offer.limit + 1n }, signature)).to.not.equal(
      underwriter.address,
    );
  });

  it("test_cli_merchant: simulate is byte-stable, assess --json matches the library, offer recovers, errors are one line", () => {
    const a = join(dir, "a.csv");
    const b = join(dir, "b.csv");
    const histories = join(dir, "h.json");
    expect(
      run("merchant", "simulate", "--out", a, "--count", "50", "--seed", "9", "--histories", histories)
        .status,
    ).to.equal(0);
    expect(run("merchant", "simulate", "--out", b, "--count", "50", "--seed", "9").status).to.equal(0);
    expect(readFileSync(a, "utf8")).to.equal(readFileSync(b, "utf8"));
    expect(readFileSync(a, "utf8")).to.equal(merchantCsv(simulateMerchants({ count: 50, seed: 9 })));

    const one = join(dir, "one.json");
    writeFileSync(one, JSON.stringify((JSON.parse(readFileSync(histories, "utf8")) as unknown[])[0]));
    const assessed = run("merchant", "assess", "--model", join(dir, "model"), "--input", one, "--json");
    expect(assessed.status, assessed.stderr).to.equal(0);
    const [out] = JSON.parse(assessed.stdout) as {
      limit: string;
      probabilityOfDefault: number;
      decision: string;
    }[];
    const lib = assessMerchant(trained.model, simulateMerchants({ count: 1, seed: 9 })[0].history);
    expect(out).to.deep.include({
      limit: lib.limit.toString(),
      probabilityOfDefault: lib.probabilityOfDefault,
      decision: lib.decision,
    });

    const key = Wallet.createRandom();
    const owner = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    const offered = run(
      "merchant",
      "offer",
      "--model",
      join(dir, "model"),
      "--input",
      one,
      "--owner",
      owner,
      "--offers",
      "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      "--ledger",
      "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
      "--chain-id",
      "31337",
      "--key",
      key.privateKey,
    );
    expect(offered.status, offered.stderr).to.equal(0);
    const signed = JSON.parse(offered.stdout) as {
      offer: Record<string, string>;
      signature: string;
      signer: string;
      domain: { verifyingContract: string };
    };
    expect(signed.offer.limit).to.equal(lib.limit.toString());
    expect(signed.offer.borrower).to.equal(owner);
    const offer = offerFromJson(signed.offer);
    expect(recoverOfferSigner(signed.domain.verifyingContract, 31337n, offer, signed.signature)).to.equal(
      key.address,
    );
    expect(signed.signer).to.equal(key.address);

    for (const command of ["simulate", "train", "assess", "report", "offer"]) {
      const help = run("merchant", command, "--help");
      expect(help.status, command).to.equal(0);
      expect(help.stdout, command).to.match(new RegExp(`usage:\\s+npm run risk -- merchant ${command} `));
    }
    for (const args of [
      ["merchant", "assess"],
      ["merchant", "train", "--data", a, "--out", dir, "--target", "x"],
      ["merchant", "nonsense"],
      ["merchant", "simulate", "--out", a, "--count", "0"],
    ]) {
      const failed = run(...args);
      expect(failed.status, args.join(" ")).to.not.equal(0);
      expect(failed.stderr.trim().split("\n"), args.join(" ")).to.have.length(1);
      expect(failed.stderr).to.match(/^risk: /);
    }
    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({ windows: [{ volume: "5", sales: 1, refunds: "6", activeDays: 1 }], tenureDays: 40 }),
    );
    expect(run("merchant", "assess", "--model", join(dir, "model"), "--input", bad).stderr.trim()).to.equal(
      `risk: ${bad}: window 0: refunds 6 exceed the volume 5`,
    );
  });
});
