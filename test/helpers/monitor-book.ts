// A small book, day by day, for the monitor's report test: five borrowers, one of them (W) holding most of the
// book, three loans that miss a payment (one cures), a keeper that stops. Each day is one step: the metrics come from
// `bookMetrics`, the warnings from the real `WarningRules`, the summary is put together as `Monitor.summary()` does.
// No chain: every number is set here and can be worked out by hand (the test does).
import { Bucket, targetBucket } from "../../src/core/buckets.ts";
import { DEFAULT_CONFIG } from "../../src/monitor/config.ts";
import type { MonitorSummary, Snapshot, StepReport, WarningEntry } from "../../src/monitor/follow.ts";
import {
  bookMetrics,
  lenderYield,
  originationByDay,
  rollRates,
  vintageCurves,
  type LoanPosition,
  type RollPoint,
} from "../../src/monitor/metrics.ts";
import {
  WarningRules,
  type ClearedWarning,
  type NewlyLate,
  type Warning,
} from "../../src/monitor/warnings.ts";

export const ONE = 1_000_000n; // the 6-decimals stablecoin
export const DAY = 86_400;
/** Day 0, 00:00 UTC; each step is at noon of its day. */
export const T0 = Date.UTC(2031, 0, 10) / 1000;
export const stepTime = (day: number) => T0 + day * DAY + DAY / 2;

export const W = "0x7a11000000000000000000000000000000000001";
export const B1 = "0x0b01000000000000000000000000000000000002";
export const B2 = "0x0b02000000000000000000000000000000000003";
export const B3 = "0x0b03000000000000000000000000000000000004";

interface BookLoan {
  id: bigint;
  borrower: string;
  principal: bigint;
  /** Day of the draw; instalments of a sixth of the principal fall due every 30 days after. */
  drawn: number;
  /** A missed due date (day) and the day it was paid, if it was. */
  missed?: { due: number; paid?: number };
}

const loanId = (borrower: string, n: number) => (BigInt(borrower) << 96n) | BigInt(n);

export const LOANS: BookLoan[] = [
  { id: loanId(W, 1), borrower: W, principal: 5_000n * ONE, drawn: 0 },
  { id: loanId(W, 2), borrower: W, principal: 5_000n * ONE, drawn: 0 },
  { id: loanId(B3, 1), borrower: B3, principal: 2_000n * ONE, drawn: 5, missed: { due: 35 } },
  { id: loanId(B2, 1), borrower: B2, principal: 1_000n * ONE, drawn: 10, missed: { due: 40, paid: 50 } },
  { id: loanId(B1, 1), borrower: B1, principal: 1_000n * ONE, drawn: 15, missed: { due: 75 } },
  { id: loanId(W, 3), borrower: W, principal: 5_000n * ONE, drawn: 20 },
];

/** Lenders put in 100,000; the pool's value grows by 12% a year of it, the shares stay (12 decimals). */
export const POOL_SHARES = 100_000n * 10n ** 12n;
export const poolValue = (day: number) => 100_000n * ONE + (100_000n * ONE * 12n * BigInt(day)) / 36_500n;

const PARAMS = { graceDays: 3n, defaultDays: 90n };

/** A loan at noon of `day`: principal outstanding, bucket by time, and since when it is past due. */
function position(l: BookLoan, day: number) {
  const dues = Math.min(6, Math.floor((day - l.drawn) / 30));
  const late = l.missed && day >= l.missed.due && (l.missed.paid === undefined || day < l.missed.paid);
  const paid = late ? (l.missed!.due - l.drawn) / 30 - 1 : dues;
  const since = late ? T0 + l.missed!.due * DAY : 0;
  const bucket = targetBucket(late ? 1n : 0n, BigInt(since), BigInt(stepTime(day)), PARAMS);
  return { outstanding: (l.principal * BigInt(6 - paid)) / 6n, bucket, since };
}

/** The book stepped daily from day 0 to `lastDay`, a snapshot at every step; the keeper's last event on day 70. */
export function bookSummary(lastDay = 78): MonitorSummary {
  const config = DEFAULT_CONFIG;
  const rules = new WarningRules(config.warnings);
  const warnings: Warning[] = [];
  const clearedAt = new Map<Warning, ClearedWarning>();
  const snapshots: Snapshot[] = [];
  const everLate = new Set<bigint>();
  let points = new Map<bigint, RollPoint>();
  let current: StepReport | undefined;

  for (let day = 0; day <= lastDay; day++) {
    const time = stepTime(day);
    const onBook = LOANS.filter((l) => l.drawn <= day);
    const at = new Map(onBook.map((l) => [l.id, position(l, day)]));
    const positions: LoanPosition[] = onBook.map((l) => ({
      loanId: l.id,
      borrower: l.borrower,
      outstanding: at.get(l.id)!.outstanding,
      bucket: at.get(l.id)!.bucket,
    }));
    const metrics = bookMetrics(positions, poolValue(day));
    const next = new Map(positions.map((p) => [p.loanId, { bucket: p.bucket, outstanding: p.outstanding }]));
    const previous = snapshots.at(-1);
    const rates = previous ? rollRates(points, next, () => false) : undefined;
    points = next;

    const late = new Map<bigint, number>();
    const newlyLate: NewlyLate[] = [];
    for (const p of positions) {
      if (p.bucket < Bucket.M1) continue;
      const since = at.get(p.loanId)!.since;
      late.set(p.loanId, time - since);
      if (everLate.has(p.loanId)) continue;
      everLate.add(p.loanId);
      newlyLate.push({
        loanId: p.loanId,
        borrower: p.borrower,
        bucket: p.bucket,
        active: true,
        pastDue: p.outstanding / 5n,
        pastDueSince: BigInt(since),
        principalOutstanding: p.outstanding,
      });
    }
    const keeperLast = day >= 70 ? { block: 1_070, time: stepTime(70) } : { block: 1_000 + day, time };
    const due = LOANS.filter((l) => l.missed?.due === 75 && day >= 75);
    const { raised, cleared } = rules.evaluate({
      block: 1_000 + day,
      time,
      metrics,
      newlyLate,
      late,
      graceDays: 3,
      rolls: rates && previous ? { rates, previous: previous.rollRates, since: previous.time } : undefined,
      keeper: { last: keeperLast, oldestDue: due.length ? T0 + 75 * DAY : undefined, loansDue: due.length },
    });
    warnings.push(...raised);
    for (const c of cleared) clearedAt.set(c.warning, c);

    const snapshot: Snapshot = {
      block: 1_000 + day,
      time,
      metrics,
      poolShares: POOL_SHARES,
      rollRates: rates,
      since: previous?.time,
    };
    const pool = (s: Snapshot) => ({
      time: s.time,
      poolValue: s.metrics.utilisation.total,
      poolShares: s.poolShares,
    });
    current = {
      block: 1_000 + day,
      time,
      metrics,
      poolValue: poolValue(day),
      poolShares: POOL_SHARES,
      ledgerPrincipal: metrics.outstanding,
      lenderYield: lenderYield(pool(snapshot), snapshots.map(pool)),
      riskParams: { graceDays: 3, defaultDays: 90 },
      unmarked: 0,
      reads: onBook.length,
      staleLoans: 0,
      snapshot,
      originated: [],
      warnings: raised,
      cleared,
    };
    snapshots.push(snapshot);
  }

  const entries: WarningEntry[] = warnings.map((w) => {
    const c = clearedAt.get(w);
    return c ? { ...w, cleared: { time: c.time, at: c.at, block: c.block, value: c.value } } : w;
  });
  return {
    chainId: "31337",
    ledger: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    pool: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    config,
    current,
    snapshots,
    originationByDay: originationByDay(
      LOANS.map((l) => ({ drawnAt: T0 + l.drawn * DAY + 3_600, principal: l.principal })),
    ),
    vintages: vintageCurves(
      LOANS.map((l) => ({ drawnAt: T0 + l.drawn * DAY + 3_600, principal: l.principal })),
      stepTime(lastDay),
    ),
    writtenOff: { loans: 0, principal: 0n, loss: 0n, recovered: 0n },
    warnings: entries,
    active: rules.active(),
  };
}
