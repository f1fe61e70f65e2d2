// The early-warning monitor: its pure metric functions on hand-computed books, and the monitor end to end against a
// real `hardhat node` following a scripted book of 200 loans in which some go bad. The test plays the keeper
// (collect on every step, `mark` for only half of the late loans, so the monitor has to work out buckets itself),
// checks at every step that the monitor's numbers equal those computed here from `loanState` of every loan, and
// that the warnings come in the order the scenario implies.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { startNode } from "./helpers/node.ts";
import { createServer, type Server } from "node:http";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { JsonRpcProvider, MaxUint256, NonceManager, Wallet, id, keccak256, toUtf8Bytes } from "ethers";
import { MockStablecoin__factory } from "../typechain-types/factories/mocks/MockStablecoin__factory.ts";
import { MicrocreditDeployer__factory } from "../typechain-types/factories/MicrocreditDeployer__factory.ts";
import { CollectionModule__factory } from "../typechain-types/factories/modules/CollectionModule__factory.ts";
import { DelinquencyModule__factory } from "../typechain-types/factories/modules/DelinquencyModule__factory.ts";
import { ConfigModule__factory } from "../typechain-types/factories/modules/ConfigModule__factory.ts";
import { ViewModule__factory } from "../typechain-types/factories/modules/ViewModule__factory.ts";
import { CreditLedger__factory } from "../typechain-types/factories/CreditLedger__factory.ts";
import { LendingPool__factory } from "../typechain-types/factories/LendingPool__factory.ts";
import type { CreditLedger } from "../typechain-types/CreditLedger.ts";
import { CreditLens__factory } from "../typechain-types/factories/CreditLens__factory.ts";
import type { CreditLens } from "../typechain-types/CreditLens.ts";
import { CreditQuotes__factory } from "../typechain-types/factories/CreditQuotes__factory.ts";
import type { CreditQuotes } from "../typechain-types/CreditQuotes.ts";
import type { LendingPool } from "../typechain-types/LendingPool.ts";
import { PRODUCTS, ONE } from "../src/config/defaults.ts";
import { createProvider } from "../src/keeper/index.ts";
import {
  bookMetrics,
  jsonlSink,
  lastDueAt,
  Monitor,
  originationByDay,
  pollLines,
  resolveConfig,
  rollRates,
  toJson,
  vintageCurves,
  WarningRules,
  webhookSink,
  type BookMetrics,
  type PollReport,
  type RollPoint,
  type StepReport,
  type Warning,
} from "../src/monitor/index.ts";

const DAY = 86_400;

// ---------------------------------------------------------------- pure functions

describe("monitor metrics (pure functions, hand-computed)", () => {
  const pos = (loanId: bigint, borrower: string, outstanding: bigint, bucket: number) => ({
    loanId,
    borrower,
    outstanding,
    bucket,
  });

  it("book metrics: buckets, utilisation, NPL, 30+ DPD and concentration", () => {
    const positions = [
      pos(1n, "0xb", 100n, 0), // current
      pos(2n, "0xb", 50n, 1), // grace, same borrower
      pos(3n, "0xa", 150n, 2), // M1; ties 0xb at 150: address order
      pos(4n, "0xc", 200n, 3), // M2
      pos(5n, "0xd", 300n, 4), // M3
      pos(6n, "0xe", 200n, 5), // default, not written off
    ];
    const m = bookMetrics(positions, 4_000n);
    expect(m.outstanding).to.equal(1_000n);
    expect(m.byBucket.principal).to.deep.equal([100n, 50n, 150n, 200n, 300n, 200n]);
    expect(m.byBucket.loans).to.deep.equal([1, 1, 1, 1, 1, 1]);
    expect(m.utilisation).to.deep.equal({ amount: 1_000n, total: 4_000n, ratio: 0.25 });
    expect(m.npl).to.deep.equal({ amount: 200n, total: 1_000n, ratio: 0.2 });
    expect(m.pastDue30).to.deep.equal({ amount: 700n, total: 1_000n, ratio: 0.7 });
    expect(m.concentration.top.map((e) => e.borrower)).to.deep.equal(["0xd", "0xc", "0xe", "0xa", "0xb"]);
    expect(m.concentration.top1.ratio).to.equal(0.3);
    expect(m.concentration.top10.amount).to.equal(1_000n);
    expect(bookMetrics([], 0n).utilisation.ratio).to.equal(0, "empty book, empty pool");
  });

  it("roll rates: share of each rung's outstanding on a worse rung one snapshot later", () => {
    const p = (bucket: number, outstanding: bigint): RollPoint => ({ bucket, outstanding });
    const before = new Map<bigint, RollPoint>([
      [1n, p(0, 100n)], // current → M1: rolled
      [2n, p(1, 200n)], // grace → grace: performing, stays
      [3n, p(2, 300n)], // M1 → M2: rolled
      [4n, p(3, 400n)], // M2 → M2: stays
      [5n, p(4, 500n)], // M3 → written off: rolled to default
      [6n, p(0, 50n)], // current → repaid: base only
      [7n, p(2, 70n)], // M1 → current: cured
      [8n, p(5, 999n)], // default, not on a rung that can roll
    ]);
    const after = new Map<bigint, RollPoint>([
      [1n, p(2, 90n)],
      [2n, p(1, 200n)],
      [3n, p(3, 300n)],
      [4n, p(3, 400n)],
      [7n, p(0, 60n)],
      [8n, p(5, 999n)],
      [9n, p(4, 1_000n)], // drawn in between: not counted
    ]);
    const rates = rollRates(before, after, (loanId) => loanId === 5n);
    expect(rates.map((r) => [r.from, r.to, r.rolled, r.base])).to.deep.equal([
      ["performing", "M1", 100n, 350n],
      ["M1", "M2", 300n, 370n],
      ["M2", "M3", 0n, 400n],
      ["M3", "default", 500n, 500n],
    ]);
    expect(rates.map((r) => r.rate)).to.deep.equal([100 / 350, 300 / 370, 0, 1]);
  });

  it("vintage curves: cumulative principal written off by months on book, per origination month", () => {
    const jan = Date.UTC(2031, 0, 5) / 1000;
    const feb = Date.UTC(2031, 1, 3) / 1000;
    const loans = [
      { drawnAt: jan, principal: 1_000n, defaultedAt: jan + 95 * DAY, defaultedPrincipal: 800n }, // mob 4
      {
        drawnAt: jan + 10 * DAY,
        principal: 3_000n,
        defaultedAt: jan + 10 * DAY + 150 * DAY,
        defaultedPrincipal: 600n,
      }, // mob 5
      { drawnAt: jan + 20 * DAY, principal: 4_000n }, // never defaults
      { drawnAt: feb, principal: 2_000n, defaultedAt: feb + 91 * DAY, defaultedPrincipal: 2_000n }, // mob 4
      { drawnAt: feb + DAY, principal: 500n, defaultedAt: feb + 200 * DAY, defaultedPrincipal: 500n }, // after now
    ];
    const now = jan + 160 * DAY; // jan cohort: 160 days → 6 months; feb: 131 days → 5 months
    const v = vintageCurves(loans, now);
    expect(v.map((c) => [c.cohort, c.loans, c.originated, c.defaults])).to.deep.equal([
      ["2031-01", 3, 8_000n, 2],
      ["2031-02", 2, 2_500n, 1],
    ]);
    expect(v[0].points.map((p) => p.defaulted)).to.deep.equal([0n, 0n, 0n, 800n, 1_400n, 1_400n]);
    expect(v[0].points.map((p) => p.rate)).to.deep.equal([0, 0, 0, 0.1, 0.175, 0.175]);
    expect(v[1].points.map((p) => p.defaulted)).to.deep.equal([0n, 0n, 0n, 2_000n, 2_000n]);
    expect(v[1].points[3].rate).to.equal(0.8);
  });

  it("origination by UTC day and the latest due date", () => {
    const d = Date.UTC(2031, 0, 5) / 1000;
    expect(
      originationByDay([
        { drawnAt: d + 3_600, principal: 10n },
        { drawnAt: d - 1, principal: 5n },
        { drawnAt: d + 80_000, principal: 7n },
      ]),
    ).to.deep.equal([
      { day: "2031-01-04", loans: 1, principal: 5n },
      { day: "2031-01-05", loans: 2, principal: 17n },
    ]);
    const terms = { drawnAt: 1_000, periodSeconds: 30 * DAY, instalments: 3 };
    expect(lastDueAt(terms, 1_000 + 30 * DAY - 1)).to.equal(undefined);
    expect(lastDueAt(terms, 1_000 + 30 * DAY)).to.equal(1_000 + 30 * DAY);
    expect(lastDueAt(terms, 1_000 + 75 * DAY)).to.equal(1_000 + 60 * DAY);
    expect(lastDueAt(terms, 1_000 + 400 * DAY)).to.equal(1_000 + 90 * DAY, "never past maturity");
  });

  it("level warnings fire on crossing only and stay active while above, the keeper warning once per silence", () => {
    const rules = new WarningRules(resolveConfig().warnings);
    const metrics = (top1: bigint, p30: bigint): BookMetrics =>
      bookMetrics(
        [
          { loanId: 1n, borrower: "0x1", outstanding: top1, bucket: 0 },
          { loanId: 2n, borrower: "0x2", outstanding: p30, bucket: 3 },
          ...Array.from({ length: 98 }, (_, i) => ({
            loanId: BigInt(i + 3),
            borrower: `0x${(i + 3).toString(16)}`,
            outstanding: 10n,
            bucket: 0,
          })),
        ],
        10_000n,
      );
    const label = (w: Warning) => `${w.kind}${w.details.measure ? `:${w.details.measure}` : ""}`;
    let cleared: string[] = [];
    const step = (m: BookMetrics, time: number, keeper = {}) => {
      const input = { block: time, time, metrics: m, newlyLate: [], late: new Map(), graceDays: 3 };
      const changes = rules.evaluate({ ...input, keeper: { loansDue: 0, ...keeper } });
      cleared = changes.cleared.map((c) => label(c.warning));
      return changes.raised.map(label);
    };
    const active = () => rules.active().map((a) => `${label(a.warning)}@${a.warning.time}`);
    // 1,000 book: top-1 1%, 30+ 1% → nothing.
    expect(step(metrics(10n, 10n), 1)).to.deep.equal([]);
    // top-1 30/1,020 = 2.9% > 2%, 30+ 70/1,080 = 6.5% > 6.4%: both fire, top-10 (10.8%) too.
    expect(step(metrics(30n, 70n), 2)).to.deep.equal([
      "concentration:top1",
      "concentration:top10",
      "breaker-near",
    ]);
    expect(rules.active().map((a) => a.warning.severity)).to.deep.equal(["warning", "warning", "warning"]);
    expect(step(metrics(30n, 70n), 3)).to.deep.equal([], "still above: no repeat");
    expect(active()).to.deep.equal(["concentration:top1@2", "concentration:top10@2", "breaker-near@2"]);
    expect(step(metrics(30n, 100n), 4)).to.deep.equal(["breaker-tripped"]);
    expect(rules.active().at(-1)?.warning.severity).to.equal("critical");
    expect(rules.active()[0].value).to.equal(
      100 / 1_110,
      "top-1 now (0x2: 100 of 1,110), not at the crossing",
    );
    expect(step(metrics(10n, 10n), 5)).to.deep.equal([], "back below: re-armed");
    expect(cleared).to.deep.equal([
      "concentration:top1",
      "concentration:top10",
      "breaker-near",
      "breaker-tripped",
    ]);
    expect(active()).to.deep.equal([]);
    expect(step(metrics(30n, 10n), 6)).to.deep.equal(["concentration:top1", "concentration:top10"]);
    const silence = { last: { block: 7, time: 100 }, oldestDue: 200, loansDue: 3 };
    expect(step(metrics(30n, 10n), 200 + 24 * 3600, silence)).to.deep.equal([], "exactly 24 h: not yet");
    expect(step(metrics(30n, 10n), 201 + 24 * 3600, silence)).to.deep.equal(["keeper-stale"]);
    expect(step(metrics(30n, 10n), 300 + 48 * 3600, silence)).to.deep.equal([], "same silence");
    expect(rules.active().at(-1)?.value).to.equal(100 + 48 * 3600, "silent for longer now");
    const next = { last: { block: 9, time: 500 }, oldestDue: 600, loansDue: 1 };
    expect(step(metrics(30n, 10n), 601 + 24 * 3600, next)).to.deep.equal(["keeper-stale"]);
    expect(cleared).to.deep.equal(["keeper-stale"], "a keeper event ended the first silence");
    expect(step(metrics(30n, 10n), 700 + 24 * 3600, { last: next.last, loansDue: 0 })).to.deep.equal([]);
    expect(cleared).to.deep.equal(["keeper-stale"], "nothing overdue any more");
  });

  it("config: partial files keep defaults, unknown keys and bad values are refused", () => {
    const c = resolveConfig({ snapshotHours: 12, warnings: { keeper: { staleHours: 6 } } });
    expect(c.snapshotHours).to.equal(12);
    expect(c.warnings.keeper.staleHours).to.equal(6);
    expect(c.warnings.breaker.threshold).to.equal(0.08);
    expect(() => resolveConfig({ warnings: { keeper: { staleHour: 6 } } })).to.throw(
      "unknown key warnings.keeper.staleHour",
    );
    expect(() => resolveConfig({ warnings: { concentration: { top1Max: 2 } } })).to.throw("top1Max");
    expect(() => resolveConfig({ pollSeconds: "15" })).to.throw("pollSeconds must be a number");
  });

  it("a webhook that cannot be reached is logged, never thrown", async () => {
    const lines: string[] = [];
    const sink = webhookSink("http://127.0.0.1:9/hook", (l) => lines.push(l), 2_000);
    await sink.emit({
      kind: "keeper-stale",
      severity: "warning",
      time: 0,
      at: "",
      block: 1,
      message: "m",
      details: {},
    });
    expect(lines).to.have.length(1);
    // The path is not printed: a webhook's secret lives there (Slack, Discord).
    expect(lines[0]).to.match(/^webhook http:\/\/127\.0\.0\.1:9\/…: .* for keeper-stale at block 1$/);
    expect(lines[0]).to.not.include("/hook");
  });
});

// ---------------------------------------------------------------- end to end

const PORT = 8565;
const RPC_URL = `http://127.0.0.1:${PORT}`;
const ADMIN_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const BORROWERS = 200;
const PRODUCT = 1; // 6 × 30 days, equal instalments
const APR = 1_800n;
const START = Date.UTC(2031, 0, 10) / 1000; // fixed chain time: cohorts and days do not depend on the wall clock

/** Borrower indices of each group. */
const WHALES = [0, 1, 2]; // 5,000 each; whale 0 draws 12,000 more at D1 + 10 days
const A = Array.from({ length: 14 }, (_, i) => 10 + i); // never pays (no mandate)
const B = Array.from({ length: 10 }, (_, i) => 30 + i); // pays instalment 1, revokes its mandate before instalment 2
const C = [40, 41]; // no mandate at instalment 1, pays it by hand within grace, then sets a mandate
const principalOf = (i: number) => (WHALES.includes(i) ? 5_000n : 1_000n) * ONE;

/** The bucket rule of PRODUCT.md C5 with the local defaults (grace 3 days, default after 90). */
function bucketAt(pastDue: bigint, since: bigint, now: bigint): number {
  if (pastDue === 0n) return 0;
  const late = now - since;
  if (late <= 3n * 86_400n) return 1;
  if (late > 90n * 86_400n) return 5;
  if (late <= 30n * 86_400n) return 2;
  if (late <= 60n * 86_400n) return 3;
  return 4;
}

describe("monitor against a hardhat node (200 loans, some go bad)", function () {
  let node: ChildProcess;
  let provider: JsonRpcProvider;
  let admin: NonceManager;
  let ledger: CreditLedger;
  let lens: CreditLens;
  let quotes: CreditQuotes;
  let pool: LendingPool;
  let monitor: Monitor;
  let dir: string;
  let hook: Server;
  const posted: Warning[] = [];
  const wallets: Wallet[] = [];
  const loans: bigint[] = []; // loan 1 of each borrower, by index
  let whaleExtra: bigint;
  const due: bigint[] = []; // D1…D6: the latest k-th due date of the 200 first loans
  let whaleDue: bigint[] = [];
  const live: { step: string; w: Warning }[] = [];
  let s1Block = 0;
  let s3Block = 0;

  const config = resolveConfig({
    snapshotHours: 7 * 24,
    warnings: {
      rollRate: { currentToM1Max: 0.03, currentToM1JumpMax: 0.02 },
      concentration: { top1Max: 0.05, top10Max: 0.15 },
      breaker: { threshold: 0.08, nearFraction: 0.8 },
      keeper: { staleHours: 24 },
    },
  });

  const rpc = (method: string, params: unknown[] = []) => provider.send(method, params);

  /** Runs `fn` over `items`, `limit` at a time. */
  async function each<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
    let next = 0;
    await Promise.all(
      Array.from({ length: limit }, async () => {
        while (next < items.length) await fn(items[next++]);
      }),
    );
  }

  async function setTime(t: bigint) {
    await rpc("evm_setNextBlockTimestamp", [Number(t)]);
    await rpc("evm_mine");
  }

  /** The keeper's part: collect every active loan (in batches of 100), then mark `toMark`. */
  async function keeperPass(toMark: bigint[] = []) {
    const ids = [...loans, ...(whaleExtra ? [whaleExtra] : [])];
    const states = await Promise.all(ids.map((l) => lens.loanState(l)));
    const active = ids.filter((_, i) => states[i].status === 1n);
    for (let i = 0; i < active.length; i += 100)
      await (await ledger.collect(active.slice(i, i + 100))).wait();
    if (toMark.length) await (await ledger.mark(toMark)).wait();
  }

  /** Polls the monitor, records its live warnings under `step` and checks its numbers against the views. */
  async function poll(step: string): Promise<PollReport> {
    const report = await monitor.poll();
    for (const w of report.live) live.push({ step, w });
    await expectMetricsMatchViews(report.steps[report.steps.length - 1]);
    return report;
  }

  const kinds = (report: PollReport) =>
    report.live.map((w) =>
      w.loanId
        ? `${w.kind}:${loanIndex(w.loanId)}`
        : w.details.measure
          ? `${w.kind}:${w.details.measure}`
          : w.kind,
    );
  /** What a poll cleared, as `kinds` names it. */
  const clearedKinds = (report: PollReport) =>
    report.cleared.map((c) =>
      c.warning.loanId ? `${c.warning.kind}:${loanIndex(c.warning.loanId)}` : c.key,
    );
  const loanIndex = (loanId: string) => {
    const i = loans.findIndex((l) => l.toString() === loanId);
    return i >= 0 ? String(i) : loanId === whaleExtra?.toString() ? "whale-extra" : loanId;
  };

  /** Outstanding by bucket, NPL, 30+, utilisation and concentration from `loanState` of every loan at the step's block. */
  async function expectMetricsMatchViews(step: StepReport) {
    const tag = { blockTag: step.block };
    const now = BigInt((await provider.getBlock(step.block))!.timestamp);
    expect(Number(now)).to.equal(step.time);
    const ids = [...loans, ...(whaleExtra ? [whaleExtra] : [])];
    const states = await Promise.all(ids.map((l) => lens.loanState(l, tag)));
    const byBucket = [0n, 0n, 0n, 0n, 0n, 0n];
    const counts = [0, 0, 0, 0, 0, 0];
    const perBorrower = new Map<string, bigint>();
    let unmarked = 0;
    for (const s of states) {
      if (s.status !== 1n) continue;
      const b = bucketAt(s.pastDue, s.pastDueSince, now);
      if (b !== Number(s.markedBucket)) unmarked++;
      byBucket[b] += s.principalOutstanding;
      counts[b]++;
      const key = s.borrower.toLowerCase();
      perBorrower.set(key, (perBorrower.get(key) ?? 0n) + s.principalOutstanding);
    }
    const total = byBucket.reduce((a, b) => a + b, 0n);
    const top = [...perBorrower.values()].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
    const top10 = top.slice(0, 10).reduce((a, b) => a + b, 0n);
    const poolValue = await pool.totalAssets(tag);
    const m = step.metrics;
    expect(m.byBucket.principal).to.deep.equal(byBucket, "outstanding by bucket");
    expect(m.byBucket.loans).to.deep.equal(counts, "loans by bucket");
    expect(m.outstanding).to.equal(total);
    expect(total).to.equal(await lens.principalOutstanding(tag), "the book's principal outstanding");
    expect(m.utilisation).to.deep.equal({
      amount: total,
      total: poolValue,
      ratio: Number(total) / Number(poolValue),
    });
    expect(m.npl).to.deep.equal({ amount: byBucket[5], total, ratio: Number(byBucket[5]) / Number(total) });
    const p30 = byBucket[3] + byBucket[4] + byBucket[5];
    expect(m.pastDue30).to.deep.equal({ amount: p30, total, ratio: Number(p30) / Number(total) });
    expect(m.concentration.top1).to.deep.equal({
      amount: top[0],
      total,
      ratio: Number(top[0]) / Number(total),
    });
    expect(m.concentration.top10).to.deep.equal({
      amount: top10,
      total,
      ratio: Number(top10) / Number(total),
    });
    expect(step.unmarked).to.equal(unmarked, "loans whose stored bucket lags");
  }

  before(async function () {
    this.timeout(300_000);
    node = await startNode(PORT);
    provider = createProvider(RPC_URL);
    await rpc("hardhat_setLoggingEnabled", [false]);
    await setTime(BigInt(START));
    dir = mkdtempSync(join(tmpdir(), "monitor-test-"));
    hook = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        posted.push(JSON.parse(body) as Warning);
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));

    admin = new NonceManager(new Wallet(ADMIN_KEY, provider));
    const adminAddress = await admin.getAddress();
    const token = await (await new MockStablecoin__factory(admin).deploy()).waitForDeployment();
    const module = await (
      await new CollectionModule__factory(admin).deploy(token.target)
    ).waitForDeployment();
    const delinquency = await (
      await new DelinquencyModule__factory(admin).deploy(token.target)
    ).waitForDeployment();
    const configModule = await (await new ConfigModule__factory(admin).deploy(token.target)).waitForDeployment();
    const views = await (await new ViewModule__factory(admin).deploy(token.target)).waitForDeployment();
    const deployer = await (
      await new MicrocreditDeployer__factory(admin).deploy(
        token.target,
        "Pool",
        "mcUSD",
        adminAddress,
        module.target,
        delinquency.target,
        configModule.target,
        views.target,
      )
    ).waitForDeployment();
    ledger = CreditLedger__factory.connect(await deployer.ledger(), admin);
    lens = CreditLens__factory.connect(await deployer.lens(), admin);
    quotes = await (await new CreditQuotes__factory(admin).deploy(ledger.target)).waitForDeployment();
    pool = LendingPool__factory.connect(await deployer.pool(), admin);
    await (await ledger.grantRole(id("UNDERWRITER_ROLE"), adminAddress)).wait();
    for (const p of PRODUCTS)
      await (await ledger.setProduct(p.id, p.method, p.instalments, p.periodDays, true)).wait();
    await (await token.faucet(adminAddress, 1_000_000n * ONE)).wait();
    await (await token.approve(pool.target, MaxUint256)).wait();
    await (await pool.deposit(1_000_000n * ONE, adminAddress)).wait();

    for (let i = 0; i < BORROWERS; i++)
      wallets.push(new Wallet(keccak256(toUtf8Bytes(`monitor test borrower ${i}`)), provider));
    await Promise.all(wallets.map((w) => rpc("hardhat_setBalance", [w.address, "0x56BC75E2D63100000"])));
    // One sender: in order (parallel requests can reach an automining node out of nonce order and be refused).
    for (let i = 0; i < wallets.length; i++) {
      await (await ledger.setLine(wallets[i].address, principalOf(i), APR, 1 << PRODUCT, 1)).wait();
    }
    await each(
      wallets.map((w, i) => ({ w, i })),
      20,
      async ({ w, i }) => {
        // Interest on top of the principal the draw pays out; whale 0 also pays a 12,000 loan later.
        const extra = (i === 0 ? 1_500n : WHALES.includes(i) ? 400n : 100n) * ONE;
        let nonce = 0;
        await (await token.connect(w).faucet(w.address, extra, { nonce: nonce++ })).wait();
        await (await token.connect(w).approve(ledger.target, MaxUint256, { nonce: nonce++ })).wait();
        if (!A.includes(i) && !C.includes(i))
          await (await ledger.connect(w).setMandate(0n, { nonce: nonce++ })).wait();
        await (
          await ledger.connect(w).draw(PRODUCT, principalOf(i), { nonce: nonce++, gasLimit: 1_000_000 })
        ).wait();
      },
    );
    for (const w of wallets) loans.push(await lens.loanIdOf(w.address, 1));
    const schedules = await Promise.all(loans.map((l) => quotes.loanSchedule(l)));
    for (let k = 0; k < 6; k++) due.push(schedules.reduce((m, s) => (s[0][k] > m ? s[0][k] : m), 0n));

    monitor = await Monitor.create({
      provider,
      ledger: ledger.target as string,
      lens: lens.target as string,
      config,
      sinks: [
        jsonlSink(join(dir, "warnings.jsonl")),
        webhookSink(`http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`),
      ],
      log: () => {},
    });
  });

  after(async () => {
    provider?.destroy();
    hook?.close();
    if (node?.pid) process.kill(-node.pid, "SIGTERM");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("catches up from genesis after the 200 draws: all current, no live warning, nothing left active", async () => {
    const r = await poll("start");
    expect(r.first).to.equal(true);
    expect(r.steps.length).to.equal(2, "a history step at the first draw, then the head");
    expect(r.steps[0].snapshot?.metrics.loans).to.equal(1);
    expect(r.replayed.map((w) => w.kind)).to.deep.equal(["concentration", "concentration"], "one loan: 100%");
    expect(r.steps[1].cleared.map((c) => c.key)).to.deep.equal(
      ["concentration:top1", "concentration:top10"],
      "200 loans: back under the limits at the head",
    );
    expect([r.found, r.active, r.cleared]).to.deep.equal([[], [], []], "nothing to send, nothing active");
    expect(pollLines(r).slice(1)).to.deep.equal([
      `no active warning at block ${r.head} (${r.line.split(/[()]/)[1]})`,
    ]);
    expect(kinds(r)).to.deep.equal([]);
    const m = r.steps[1].metrics;
    expect(m.loans).to.equal(BORROWERS);
    expect(m.outstanding).to.equal(212_000n * ONE);
    expect(m.byBucket.loans[0]).to.equal(BORROWERS);
  });

  it("D1 + 1 min: every loan is in grace before the keeper runs; the keeper collects, marks half of A into grace", async () => {
    await setTime(due[0] + 60n);
    const r = await poll("D1");
    s1Block = r.head;
    expect(r.steps[0].snapshot, "a week since the last snapshot").to.not.equal(undefined);
    expect(r.steps[0].metrics.byBucket.loans[1]).to.equal(BORROWERS);
    expect(kinds(r)).to.deep.equal([]);
    await keeperPass(A.filter((_, j) => j % 2 === 0).map((i) => loans[i]));
  });

  it("D1 + 2 days: C pays by hand within grace (on time), sets a mandate; nothing to report", async () => {
    await setTime(due[0] + 2n * 86_400n);
    for (const i of C) {
      const w = wallets[i];
      const amount = await lens.dueNow(loans[i]);
      await (await ledger.connect(w).repay(loans[i], amount)).wait();
      await (await ledger.connect(w).setMandate(0n)).wait();
    }
    const r = await poll("D1+2d");
    expect(kinds(r)).to.deep.equal([]);
    expect(r.steps[0].metrics.byBucket.loans[1]).to.equal(A.length, "only A is still in grace");
    await keeperPass();
  });

  it("D1 + 4 days: A is past grace: one first-missed-payment per loan, marked or not", async () => {
    await setTime(due[0] + 4n * 86_400n);
    const r = await poll("D1+4d");
    expect(kinds(r)).to.deep.equal(
      [...A].sort((x, y) => (loans[x] < loans[y] ? -1 : 1)).map((i) => `first-missed-payment:${i}`),
    );
    expect(r.steps[0].metrics.byBucket.loans[2]).to.equal(A.length);
    expect(r.steps[0].unmarked).to.equal(A.length, "half stored in grace, half still current");
    await keeperPass(A.filter((_, j) => j % 2 === 0).map((i) => loans[i]));
  });

  it("D1 + 8 days: the weekly snapshot shows A rolled from performing to 1–30: roll-rate warning", async () => {
    await setTime(due[0] + 8n * 86_400n);
    const r = await poll("D1+8d");
    expect(kinds(r)).to.deep.equal(["roll-rate"]);
    const rate = r.steps[0].snapshot!.rollRates![0];
    const atS1 = await Promise.all(loans.map((l) => lens.loanState(l, { blockTag: s1Block })));
    const rolled = A.reduce((s, i) => s + atS1[i].principalOutstanding, 0n);
    expect(rate.rolled)
      .to.equal(rolled)
      .and.to.equal(14_000n * ONE);
    expect(rate.base).to.equal(
      await lens.principalOutstanding({ blockTag: s1Block }),
      "all performing at S1",
    );
    expect(r.live[0].value).to.equal(Number(rolled) / Number(rate.base));
    expect(r.steps[0].unmarked).to.equal(A.length / 2, "the unmarked half of A");
    await keeperPass();
  });

  it("D1 + 10 days: B revokes its mandates; whale 0 draws 12,000 more: top-1 and top-10 concentration", async () => {
    await setTime(due[0] + 10n * 86_400n);
    for (const i of B) await (await ledger.connect(wallets[i]).revokeMandate()).wait();
    await (await ledger.setLine(wallets[0].address, 17_000n * ONE, APR, 1 << PRODUCT, 1)).wait();
    await (await ledger.connect(wallets[0]).draw(PRODUCT, 12_000n * ONE, { gasLimit: 1_000_000 })).wait();
    whaleExtra = await lens.loanIdOf(wallets[0].address, 2);
    whaleDue = [...(await quotes.loanSchedule(whaleExtra))[0]];
    const r = await poll("D1+10d");
    expect(kinds(r)).to.deep.equal(["concentration:top1", "concentration:top10"]);
    expect(r.live[0].borrower).to.equal(wallets[0].address.toLowerCase());
    await keeperPass();
  });

  it("D2 + 1 min: A is 30+ days past due: circuit breaker near", async () => {
    await setTime(due[1] + 60n);
    const r = await poll("D2");
    s3Block = r.head;
    console.log(`      ${r.line}`);
    expect(kinds(r)).to.deep.equal(["breaker-near"]);
    expect(clearedKinds(r)).to.deep.equal(["roll-rate"], "no new roll into M1 since the last snapshot");
    const p30 = r.steps[0].metrics.pastDue30.ratio;
    expect(p30).to.be.above(0.064).and.below(0.08);
    await keeperPass();
  });

  it("D2 + 4 days: B is past grace: first missed payments; A's share of the smaller book trips the breaker", async () => {
    await setTime(due[1] + 4n * 86_400n);
    const r = await poll("D2+4d");
    expect(kinds(r)).to.deep.equal([
      ...[...B].sort((x, y) => (loans[x] < loans[y] ? -1 : 1)).map((i) => `first-missed-payment:${i}`),
      "breaker-tripped",
    ]);
    await keeperPass(B.filter((_, j) => j % 2 === 0).map((i) => loans[i]));
  });

  it("D2 + 8 days: B rolled to 1–30 since the last snapshot: roll-rate warning again", async () => {
    await setTime(due[1] + 8n * 86_400n);
    const r = await poll("D2+8d");
    expect(kinds(r)).to.deep.equal(["roll-rate"]);
    const rates = r.steps[0].snapshot!.rollRates!;
    const atS3 = await Promise.all(B.map((i) => lens.loanState(loans[i], { blockTag: s3Block })));
    expect(rates[0].rolled).to.equal(atS3.reduce((s, v) => s + v.principalOutstanding, 0n));
    const previous = monitor.snapshots[monitor.snapshots.length - 2];
    expect(previous.block).to.equal(s3Block);
    const [current, grace] = previous.metrics.byBucket.principal;
    expect(rates[0].base).to.equal(current + grace, "performing outstanding at the previous snapshot");
    expect(rates[1].base).to.equal(0n, "A had already left M1 at the previous snapshot");
    await keeperPass();
  });

  it("the keeper collects on every due date (whale 0's second loan, D3, D3 + 10 days): nothing new", async () => {
    for (const [label, t] of [
      ["W1", whaleDue[0] + 60n],
      ["D3", due[2] + 60n],
      ["W2", whaleDue[1] + 60n],
    ] as const) {
      await setTime(t);
      const r = await poll(label);
      expect(kinds(r)).to.deep.equal([], label);
      // D3 is the first snapshot after B's roll: the roll rate is back to 0.
      expect(clearedKinds(r)).to.deep.equal(label === "D3" ? ["roll-rate"] : [], label);
      await keeperPass();
    }
  });

  it("D4 + 25 h with no keeper: keeper-stale", async () => {
    await setTime(due[3] + 25n * 3600n);
    const r = await poll("D4+25h");
    console.log(`      ${r.line}`);
    expect(kinds(r)).to.deep.equal(["keeper-stale"]);
    expect(r.live[0].details.loansDue).to.equal(BORROWERS, "every first loan has something due");
    const m = r.steps[0].metrics;
    expect(m.byBucket.loans[5]).to.equal(A.length, "A is 90+ days past due, none written off yet");
    expect(m.npl.amount).to.equal(14_000n * ONE);
  });

  it("half of A is written off by mark: NPL counts the other half, vintages the write-offs", async () => {
    const writtenOff = A.filter((_, j) => j % 2 === 0);
    await (await ledger.mark(writtenOff.map((i) => loans[i]))).wait();
    const r = await poll("write-off");
    expect(kinds(r)).to.deep.equal([]);
    // Off the book, their first missed payments are no longer active; the mark is keeper activity.
    expect(clearedKinds(r)).to.deep.equal([
      ...writtenOff.sort((x, y) => (loans[x] < loans[y] ? -1 : 1)).map((i) => `first-missed-payment:${i}`),
      "keeper-stale",
    ]);
    expect(r.active.map((a) => a.key).sort()).to.deep.equal(
      [
        "breaker-near",
        "breaker-tripped",
        "concentration:top1",
        "concentration:top10",
        ...[...A.filter((_, j) => j % 2 === 1), ...B].map((i) => `first-missed-payment:${loans[i]}`),
      ].sort(),
      "the late loans still on the book, the breaker, the whale",
    );
    const m = r.steps[0].metrics;
    expect(m.byBucket.loans[5]).to.equal(A.length / 2);
    expect(m.npl.amount).to.equal(7_000n * ONE);
    const s = monitor.summary();
    expect(s.writtenOff.loans).to.equal(7);
    expect(s.writtenOff.principal).to.equal(7_000n * ONE);
    expect(s.vintages.map((v) => [v.cohort, v.loans, v.originated, v.defaults])).to.deep.equal([
      ["2031-01", BORROWERS, 212_000n * ONE, 7],
      ["2031-02", 1, 12_000n * ONE, 0],
    ]);
    // Written off ~121 days after the draw: inside months on book 5, not 4.
    expect(s.vintages[0].points.map((p) => p.defaulted)).to.deep.equal([0n, 0n, 0n, 0n, 7_000n * ONE]);
    expect(s.vintages[0].points[4].rate).to.equal(7_000 / 212_000);
    expect(s.originationByDay).to.deep.equal([
      { day: "2031-01-10", loans: BORROWERS, principal: 212_000n * ONE },
      { day: "2031-02-19", loans: 1, principal: 12_000n * ONE },
    ]);
  });

  it("the warnings came in the scenario's order, and went to the JSON-lines file and the webhook", () => {
    const order = live.map(({ step, w }) => `${step} ${w.kind}`);
    const squeeze = order.filter((x, i) => x !== order[i - 1]);
    expect(squeeze).to.deep.equal([
      "D1+4d first-missed-payment",
      "D1+8d roll-rate",
      "D1+10d concentration",
      "D2 breaker-near",
      "D2+4d first-missed-payment",
      "D2+4d breaker-tripped",
      "D2+8d roll-rate",
      "D4+25h keeper-stale",
    ]);
    const all = live.map(({ w }) => w);
    expect(all).to.have.length(14 + 1 + 2 + 1 + 10 + 1 + 1 + 1);
    const lines = readFileSync(join(dir, "warnings.jsonl"), "utf8").trim().split("\n");
    expect(lines.map((l) => JSON.parse(l))).to.deep.equal(JSON.parse(toJson(all)));
    expect(posted).to.deep.equal(JSON.parse(toJson(all)));
  });

  it("the CLI rebuilds from genesis to the same numbers and writes metrics.json and report.html", async function () {
    this.timeout(120_000);
    const cfg = join(dir, "config.json");
    writeFileSync(cfg, JSON.stringify(config));
    const out = join(dir, "report");
    const script = fileURLToPath(new URL("../scripts/monitor.ts", import.meta.url));
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
        let text = "";
        child.stdout.on("data", (c: Buffer) => (text += c.toString()));
        child.stderr.on("data", (c: Buffer) => (text += c.toString()));
        child.on("exit", (code) => resolve({ code, out: text }));
      });
    const common = ["--rpc", RPC_URL, "--ledger", ledger.target as string, "--config", cfg];
    // The report reads on the lens given; the runs below, without --lens, through the ledger's extView.
    const report = await run(["report", ...common, "--lens", lens.target as string, "--out", out]);
    expect(report.code, report.out).to.equal(0);
    expect(existsSync(join(out, "report.html"))).to.equal(true);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html.match(/<svg /g)).to.have.length(3);
    expect(html).to.not.match(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, "self-contained");
    expect(html).to.match(/<div class="figure breach" data-figure="dpd30">/, "30+ DPD over the breaker");
    const metrics = JSON.parse(readFileSync(join(out, "metrics.json"), "utf8"));
    const mine = JSON.parse(toJson(monitor.summary()));
    expect(metrics.current.block).to.equal(mine.current.block);
    expect(metrics.current.metrics).to.deep.equal(mine.current.metrics, "same head, same numbers");
    expect(metrics.vintages).to.deep.equal(mine.vintages);
    expect(metrics.originationByDay).to.deep.equal(mine.originationByDay);
    const firstMissed = (ws: Warning[]) =>
      ws.filter((w) => w.kind === "first-missed-payment").map((w) => w.loanId);
    expect(firstMissed(metrics.warnings)).to.deep.equal(firstMissed(mine.warnings), "rebuilt from history");
    // Replayed snapshots fall on the first block of each week, which here are the blocks the live monitor polled.
    expect(metrics.snapshots.map((x: { block: number }) => x.block)).to.deep.equal(
      mine.snapshots.map((x: { block: number }) => x.block),
    );
    expect(metrics.snapshots).to.deep.equal(mine.snapshots, "same snapshots, same roll rates");
    const activeKeys = (a: { key: string }[]) => a.map((x) => x.key).sort();
    expect(activeKeys(metrics.active)).to.deep.equal(activeKeys(mine.active), "the same warnings active");

    // Started on this book: the active warnings, one line each, and all of them in the warnings file.
    const cliWarnings = join(dir, "cli-warnings.jsonl");
    const once = await run([...common, "--once", "--out", cliWarnings]);
    expect(once.code, once.out).to.equal(0);
    expect(once.out).to.match(/history steps \(\d+ warnings raised, 21 still active\): 194 active loans/);
    expect(once.out).to.match(/\] 21 active warnings \(1 critical, 3 warning, 17 notice\) at block \d+ /);
    const activeLines = once.out.split("\n").filter((l) => /\]   \[(critical|warning|notice)\] /.test(l));
    expect(activeLines).to.have.length(21);
    expect(activeLines[0]).to.match(
      /\[critical\] breaker-tripped: 30\+ DPD over the circuit breaker, \d+\.\d\d% > 8\.00%, since /,
    );
    const found = readFileSync(cliWarnings, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Warning);
    expect(found.map((w) => w.replayed)).to.deep.equal(Array(21).fill(true), "found on catch-up");
    const keyOf = (w: Warning) =>
      w.loanId
        ? `${w.kind}:${w.loanId}`
        : w.kind === "concentration"
          ? `${w.kind}:${w.details.measure}`
          : w.kind;
    expect(found.map(keyOf).sort()).to.deep.equal(activeKeys(mine.active));

    // The pool's address where the ledger's belongs: one line naming it, no ethers dump.
    const wrong = await run(["--rpc", RPC_URL, "--ledger", pool.target as string, "--config", cfg, "--once"]);
    expect(wrong.code, wrong.out).to.equal(1);
    expect(wrong.out.trim().split("\n")).to.have.length(1);
    expect(wrong.out.trim()).to.match(
      /^monitor: 0x[0-9a-fA-F]{40} on chain \d+ is not a CreditLedger \(pool\(\) failed: /,
    );

    // `follow` polls until Ctrl-C: a line for the catch-up, one for a new block, then a clean stop.
    const fast = join(dir, "fast.json");
    writeFileSync(fast, JSON.stringify({ ...config, pollSeconds: 1 }));
    const follow = spawn(
      process.execPath,
      [
        script,
        "--rpc",
        RPC_URL,
        "--ledger",
        ledger.target as string,
        "--config",
        fast,
        "--out",
        join(dir, "f.jsonl"),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let text = "";
    follow.stdout.on("data", (c: Buffer) => (text += c.toString()));
    follow.stderr.on("data", (c: Buffer) => (text += c.toString()));
    const exited = new Promise<number | null>((resolve) => follow.on("exit", resolve));
    const polls = () => text.match(/\] block \d+/g)?.length ?? 0;
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
      expect(ok(), text).to.equal(true);
    };
    await until(() => polls() === 1);
    await rpc("evm_mine");
    await until(() => polls() === 2);
    follow.kill("SIGINT");
    expect(await exited, text).to.equal(0);
    expect(text).to.match(/\] block \d+ \([^)]*\): 194 active loans[^\n]*\n[^\n]*monitor: stopping/);
    expect(readFileSync(join(dir, "f.jsonl"), "utf8").trim().split("\n")).to.have.length(21);
    expect(text).to.contain("monitor: stopped");
  });
});
