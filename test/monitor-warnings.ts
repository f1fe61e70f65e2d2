// What the monitor says about its warnings, without a chain: which warnings are active and when they clear, the
// lines printed after a catch-up and after later polls, and the warnings file that exists from the start.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../src/monitor/config.ts";
import type { PollReport } from "../src/monitor/follow.ts";
import { bookMetrics, type RollRate } from "../src/monitor/metrics.ts";
import { MAX_LOAN_LINES, pollLines, summaryLine } from "../src/monitor/poll-lines.ts";
import { jsonlSink } from "../src/monitor/sinks.ts";
import { WarningRules, type NewlyLate, type StepInput, type Warning } from "../src/monitor/warnings.ts";
import { bookSummary } from "./helpers/monitor-book.ts";

const DAY = 86_400;
/** Only the per-loan and roll-rate rules can fire: the level limits are at 100%. */
const quiet = () =>
  new WarningRules(
    resolveConfig({
      warnings: { concentration: { top1Max: 1, top10Max: 1 }, breaker: { threshold: 1, nearFraction: 1 } },
    }).warnings,
  );
const input = (time: number, more: Partial<StepInput> = {}): StepInput => ({
  block: time,
  time,
  metrics: bookMetrics([], 0n),
  newlyLate: [],
  late: new Map(),
  graceDays: 3,
  keeper: { loansDue: 0 },
  ...more,
});
const lateLoan = (loanId: bigint, since: number, active = true): NewlyLate => ({
  loanId,
  borrower: "0x00000000000000000000000000000000000000aa",
  bucket: 2,
  active,
  pastDue: 100n,
  pastDueSince: BigInt(since),
  principalOutstanding: 1_000n,
});

describe("monitor warnings: active, cleared, and the lines they print (no chain)", () => {
  it("a first missed payment is active while the loan stays past grace, cleared once it is not", () => {
    const rules = quiet();
    const t = 10 * DAY;
    const due = t - 4 * DAY;
    const first = rules.evaluate(
      input(t, { newlyLate: [lateLoan(5n, due)], late: new Map([[5n, 4 * DAY]]) }),
    );
    expect(first.raised.map((w) => [w.kind, w.severity, w.value, w.threshold])).to.deep.equal([
      ["first-missed-payment", "notice", 4, 3],
    ]);
    rules.evaluate(input(t + DAY / 2, { late: new Map([[5n, 4.5 * DAY]]) }));
    expect(rules.active().map((a) => [a.key, a.value])).to.deep.equal([["first-missed-payment:5", 4.5]]);
    const paid = rules.evaluate(input(t + DAY));
    expect(paid.cleared.map((c) => [c.key, c.block, c.value])).to.deep.equal([
      ["first-missed-payment:5", t + DAY, undefined],
    ]);
    expect(rules.active()).to.deep.equal([]);
    // Late again later: not a first missed payment, nothing raised.
    expect(rules.evaluate(input(t + 40 * DAY, { late: new Map([[5n, 4 * DAY]]) })).raised).to.deep.equal([]);
    // A loan already off the book when its mark arrives: raised and cleared at the same step.
    const gone = rules.evaluate(input(t + 41 * DAY, { newlyLate: [lateLoan(6n, due, false)] }));
    expect([gone.raised.length, gone.cleared.map((c) => c.key)]).to.deep.equal([
      1,
      ["first-missed-payment:6"],
    ]);
  });

  it("the roll rate is active across snapshots while over its limit, cleared at the first under it", () => {
    const rules = quiet();
    const rates = (rate: number): RollRate[] => [
      { from: "performing", to: "M1", rolled: BigInt(Math.round(rate * 1e6)), base: 1_000_000n, rate },
    ];
    let previous: RollRate[] | undefined;
    const snapshot = (time: number, rate: number) => {
      const r = rates(rate);
      const changes = rules.evaluate(input(time, { rolls: { rates: r, previous, since: time - DAY } }));
      previous = r;
      return changes;
    };
    expect(snapshot(DAY, 0.05).raised.map((w) => [w.kind, w.value, w.threshold])).to.deep.equal([
      ["roll-rate", 0.05, 0.01],
    ]);
    expect(snapshot(2 * DAY, 0.03).raised).to.deep.equal([], "still over: the same warning, value now");
    expect(rules.active().map((a) => [a.key, a.value, a.warning.time])).to.deep.equal([
      ["roll-rate", 0.03, DAY],
    ]);
    expect(rules.evaluate(input(2 * DAY + 3_600)).cleared, "no snapshot: no judgement").to.deep.equal([]);
    expect(snapshot(3 * DAY, 0.002).cleared.map((c) => [c.key, c.value])).to.deep.equal([
      ["roll-rate", 0.002],
    ]);
    // Under 1% but up 0.7 points since the last snapshot: over the jump's limit (0.5 points).
    expect(snapshot(4 * DAY, 0.009).raised.map((w) => [w.value, w.threshold])).to.deep.equal([
      [0.009, 0.005],
    ]);
  });

  it("after the catch-up: a count, then one line per active warning, most severe first, with since and value", () => {
    const s = bookSummary();
    const head = s.current!;
    for (const a of s.active) if (a.warning.block < head.block) a.warning.replayed = true;
    const report: PollReport = {
      head: head.block,
      steps: [head],
      first: true,
      live: head.warnings,
      replayed: [],
      found: [],
      cleared: [],
      active: s.active,
      line: "summary",
    };
    expect(pollLines(report)).to.deep.equal([
      "summary",
      "8 active warnings (1 critical, 5 warning, 2 notice) at block 1078 (2031-03-29T12:00Z):",
      "  [critical] breaker-tripped: 30+ DPD over the circuit breaker, 13.95% > 8.00%, since 2031-03-16T12:00Z (block 1065), found on catch-up",
      "  [warning] concentration: top-1 borrower 0x7a11…0001, 75.58% > 2.00%, since 2031-01-10T12:00Z (block 1000), found on catch-up",
      "  [warning] concentration: top-10 borrowers, 100.00% > 10.00%, since 2031-01-10T12:00Z (block 1000), found on catch-up",
      "  [warning] breaker-near: 30+ DPD near the circuit breaker, 13.95% > 6.40%, since 2031-03-16T12:00Z (block 1065), found on catch-up",
      "  [warning] keeper-stale: keeper silent, due for 84.0 h with no keeper event > 24.0 h, since 2031-03-27T12:00Z (block 1076), found on catch-up",
      "  [warning] roll-rate: roll rate performing → M1, 6.76% > 1.00%, since 2031-03-29T12:00Z (block 1078)",
      "  [notice] first-missed-payment: loan #1 of 0x0b03…0004, 43.5 days past due > 3 days grace, since 2031-02-17T12:00Z (block 1038), found on catch-up",
      "  [notice] first-missed-payment: loan #1 of 0x0b01…0002, 3.5 days past due > 3 days grace, since 2031-03-29T12:00Z (block 1078)",
    ]);
    expect(pollLines({ ...report, active: [] }).slice(1)).to.deep.equal([
      "no active warning at block 1078 (2031-03-29T12:00Z)",
    ]);
    const history = Array.from({ length: 78 }, () => head);
    expect(
      summaryLine([...history, head], { replayed: 9, found: 6, active: s.active, unknownLoanEvents: 0 }),
    ).to.equal(
      "block 1078 (2031-03-29T12:00Z), 78 history steps (9 warnings raised, 6 still active): 6 active loans, " +
        "outstanding 14,333.33, utilisation 13.97%; current 4 / grace 0 / M1 1 / M2 1 / M3 0 / default 0; " +
        "NPL 0.00%, 30+ DPD 13.95%, top1 75.58%, top10 100.00%; 0 unmarked; 6 reads; snapshot; 2 raised, 0 cleared; " +
        "8 active warnings (1 critical, 5 warning, 2 notice)",
    );
  });

  it("after later polls: one line per warning raised (found on catch-up first) and per warning cleared", () => {
    const s = bookSummary();
    const head = s.current!;
    const byKind = (kind: string) => s.warnings.find((w) => w.kind === kind)!;
    const found = { ...byKind("keeper-stale"), replayed: true };
    const b2 = s.warnings.find((w) => w.loanId && w.cleared)!;
    const lines = pollLines({
      head: head.block,
      steps: [head],
      first: false,
      live: [byKind("breaker-tripped")],
      replayed: [found],
      found: [found],
      cleared: [{ key: "first-missed-payment:x", warning: b2, ...b2.cleared! }],
      active: s.active,
      line: "summary",
    });
    expect(lines).to.deep.equal([
      "summary",
      "[warning] raised keeper-stale: keeper silent, due for 36.0 h with no keeper event > 24.0 h, at 2031-03-27T12:00Z " +
        `(block 1076) (found on catch-up): ${found.message}`,
      "[critical] raised breaker-tripped: 30+ DPD over the circuit breaker, 13.79% > 8.00%, at 2031-03-16T12:00Z " +
        "(block 1065): circuit breaker threshold crossed: 13.79% of outstanding is 30+ days past due (breaker at 8.00%)",
      "[notice] cleared first-missed-payment: loan #1 of 0x0b02…0003, no longer past grace, at 2031-03-01T12:00Z " +
        "(block 1050), active since 2031-02-22T12:00Z",
    ]);
  });

  it(`prints at most ${MAX_LOAN_LINES} per-loan warnings a poll and counts the rest`, () => {
    const rules = quiet();
    const loans = Array.from({ length: MAX_LOAN_LINES + 10 }, (_, i) => lateLoan(BigInt(i + 1), 0));
    const { raised } = rules.evaluate(
      input(5 * DAY, { newlyLate: loans, late: new Map(loans.map((l) => [l.loanId, 5 * DAY])) }),
    );
    const report = { steps: [bookSummary().current!], found: [], cleared: [], line: "summary" };
    const later = pollLines({
      ...report,
      head: 1,
      first: false,
      live: raised,
      replayed: [],
      active: rules.active(),
    });
    expect(later).to.have.length(1 + MAX_LOAN_LINES + 1);
    expect(later.at(-1)).to.equal("  … and 10 more first-missed-payment");
    const first = pollLines({
      ...report,
      head: 1,
      first: true,
      live: raised,
      replayed: [],
      active: rules.active(),
    });
    expect(first[1]).to.match(/^60 active warnings \(60 notice\) at block/);
    expect(first).to.have.length(2 + MAX_LOAN_LINES + 1);
  });

  it("the warnings file exists, empty, as soon as the monitor starts, then gets one JSON line per warning", () => {
    const dir = mkdtempSync(join(tmpdir(), "monitor-warnings-"));
    try {
      const file = join(dir, "out", "monitor", "warnings.jsonl");
      const sink = jsonlSink(file);
      expect(statSync(file).size).to.equal(0);
      const w: Warning = bookSummary().warnings[0];
      sink.emit({ ...w, replayed: true });
      sink.emit(w);
      const lines = readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => [l.kind, l.severity, l.replayed])).to.deep.equal([
        ["concentration", "warning", true],
        ["concentration", "warning", undefined],
      ]);
      jsonlSink(file);
      expect(readFileSync(file, "utf8").trim().split("\n"), "a restart appends").to.have.length(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
