// Warning rules and where warnings go. Rules run at every step of the monitor (the roll-rate rule only at
// snapshots) in a fixed order: first missed payments, roll rate, concentration, circuit breaker, keeper. Level rules
// (concentration, breaker) fire when a value crosses its limit and again only after it went back below; the keeper
// rule fires once per silence. Sinks: the console, a JSON-lines file, a webhook (docs/MONITOR.md).
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { loanLabel } from "../core/loan-id.ts";
import { money } from "../format/money.ts";
import type { WarningThresholds } from "./config.ts";
import { BUCKET_NAMES, type BookMetrics, type RollRate, type Share } from "./metrics.ts";

export type WarningKind =
  | "first-missed-payment"
  | "roll-rate"
  | "concentration"
  | "breaker-near"
  | "breaker-tripped"
  | "keeper-stale";

export type DetailValue = string | number | boolean | null;

export interface Warning {
  kind: WarningKind;
  /** Chain time (unix seconds, and ISO) and block of the step that raised it. */
  time: number;
  at: string;
  block: number;
  message: string;
  /** The loan (decimal id) and borrower a per-loan warning is about. */
  loanId?: string;
  borrower?: string;
  /** The measured share and the limit it crossed. */
  value?: number;
  threshold?: number;
  details: Record<string, DetailValue>;
  /** Raised while catching up on history (a step before the head of its poll): recorded, not sent. */
  replayed?: boolean;
}

/** A loan past grace at a step that was never past grace before. */
export interface NewlyLate {
  loanId: bigint;
  borrower: string;
  /** The bucket it belongs in now (by time), or the bucket an event marked it into. */
  bucket: number;
  active: boolean;
  pastDue: bigint;
  pastDueSince: bigint;
  principalOutstanding: bigint;
}

/** Everything the rules look at in one step. */
export interface StepInput {
  block: number;
  time: number;
  metrics: BookMetrics;
  newlyLate: NewlyLate[];
  /** Set at a snapshot step: this snapshot's roll rates and the previous snapshot's (when it had any). */
  rolls?: { rates: RollRate[]; previous?: RollRate[]; since: number };
  keeper: {
    last?: { block: number; time: number };
    /** The oldest due date after the last keeper event of a loan with something past due, and how many. */
    oldestDue?: number;
    loansDue: number;
  };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const iso = (seconds: number | bigint) => new Date(Number(seconds) * 1000).toISOString();
const hours = (seconds: number) => `${(seconds / 3600).toFixed(1)} h`;

const shareDetails = (s: Share): Record<string, DetailValue> => ({
  amount: s.amount.toString(),
  total: s.total.toString(),
});

/** The warning rules with their memory (what fired, which levels are crossed). */
export class WarningRules {
  readonly thresholds: WarningThresholds;
  /** Level rules currently above their limit. */
  private readonly above = new Set<string>();
  /** The keeper event after which keeper-stale last fired (-1: before any keeper event). */
  private keeperStaleAfter?: number;

  constructor(thresholds: WarningThresholds) {
    this.thresholds = thresholds;
  }

  evaluate(input: StepInput): Warning[] {
    const out: Warning[] = [];
    const base = { time: input.time, at: iso(input.time), block: input.block };
    const push = (w: Omit<Warning, "time" | "at" | "block">) => out.push({ ...base, ...w });

    for (const l of [...input.newlyLate].sort((a, b) => (a.loanId < b.loanId ? -1 : 1))) {
      const days = l.pastDueSince > 0n ? Math.floor((input.time - Number(l.pastDueSince)) / 86_400) : null;
      push({
        kind: "first-missed-payment",
        loanId: l.loanId.toString(),
        borrower: l.borrower,
        message:
          `first missed payment: loan ${loanLabel(l.loanId)} is ${BUCKET_NAMES[l.bucket]}` +
          (days !== null ? `, ${days} days past due since ${iso(l.pastDueSince).slice(0, 10)}` : "") +
          ` (${money(l.pastDue)} past due, ${money(l.principalOutstanding)} outstanding)`,
        details: {
          bucket: BUCKET_NAMES[l.bucket],
          active: l.active,
          daysPastDue: days,
          pastDue: l.pastDue.toString(),
          pastDueSince: l.pastDueSince > 0n ? iso(l.pastDueSince) : null,
          principalOutstanding: l.principalOutstanding.toString(),
        },
      });
    }

    if (input.rolls) {
      const limits = this.thresholds.rollRate;
      const r = input.rolls.rates[0];
      const previous = input.rolls.previous?.[0];
      const jump = previous ? r.rate - previous.rate : undefined;
      const overMax = r.base > 0n && r.rate > limits.currentToM1Max;
      const overJump = r.base > 0n && jump !== undefined && jump > limits.currentToM1JumpMax;
      if (overMax || overJump) {
        push({
          kind: "roll-rate",
          value: r.rate,
          threshold: overMax ? limits.currentToM1Max : limits.currentToM1JumpMax,
          message:
            `roll rate current → 1–30 DPD ${pct(r.rate)} since ${iso(input.rolls.since)}` +
            (previous ? ` (previous snapshot ${pct(previous.rate)})` : "") +
            `: ${overMax ? `above ${pct(limits.currentToM1Max)}` : ""}${overMax && overJump ? ", " : ""}` +
            `${overJump ? `up more than ${(limits.currentToM1JumpMax * 100).toFixed(2)} points` : ""}`,
          details: {
            rolled: r.rolled.toString(),
            base: r.base.toString(),
            previousRate: previous?.rate ?? null,
            jump: jump ?? null,
            since: iso(input.rolls.since),
          },
        });
      }
    }

    const c = this.thresholds.concentration;
    const top = input.metrics.concentration;
    this.level(push, "concentration", "top1", top.top1.ratio, c.top1Max, () => ({
      message: `concentration: largest borrower ${top.top[0]?.borrower} holds ${pct(top.top1.ratio)} of outstanding (limit ${pct(c.top1Max)})`,
      borrower: top.top[0]?.borrower,
      details: { measure: "top1", ...shareDetails(top.top1) },
    }));
    this.level(push, "concentration", "top10", top.top10.ratio, c.top10Max, () => ({
      message: `concentration: ten largest borrowers hold ${pct(top.top10.ratio)} of outstanding (limit ${pct(c.top10Max)})`,
      details: { measure: "top10", ...shareDetails(top.top10) },
    }));

    const b = this.thresholds.breaker;
    const p30 = input.metrics.pastDue30;
    const near = b.threshold * b.nearFraction;
    this.level(push, "breaker-near", "near", p30.ratio, near, () => ({
      message: `circuit breaker near: ${pct(p30.ratio)} of outstanding is 30+ days past due (warning at ${pct(near)}, breaker at ${pct(b.threshold)})`,
      details: { breakerThreshold: b.threshold, ...shareDetails(p30) },
    }));
    this.level(push, "breaker-tripped", "tripped", p30.ratio, b.threshold, () => ({
      message: `circuit breaker threshold crossed: ${pct(p30.ratio)} of outstanding is 30+ days past due (breaker at ${pct(b.threshold)})`,
      details: { breakerThreshold: b.threshold, ...shareDetails(p30) },
    }));

    const k = input.keeper;
    const stale = this.thresholds.keeper.staleHours * 3600;
    const after = k.last?.block ?? -1;
    if (k.oldestDue !== undefined && input.time - k.oldestDue > stale && this.keeperStaleAfter !== after) {
      this.keeperStaleAfter = after;
      push({
        kind: "keeper-stale",
        value: input.time - k.oldestDue,
        threshold: stale,
        message:
          `keeper not running: ${k.loansDue} loan${k.loansDue === 1 ? " has" : "s have"} had something due since ` +
          `${iso(k.oldestDue)} ` +
          `(${hours(input.time - k.oldestDue)}) and the last Collected/CollectionFailed/BucketChanged event ` +
          (k.last ? `was at ${iso(k.last.time)} (block ${k.last.block})` : "never happened"),
        details: {
          loansDue: k.loansDue,
          oldestDue: iso(k.oldestDue),
          lastKeeperEvent: k.last ? iso(k.last.time) : null,
          lastKeeperBlock: k.last?.block ?? null,
        },
      });
    }
    return out;
  }

  /** Fires `kind` when `value` goes above `limit` (and was not above at the last step). */
  private level(
    push: (w: Omit<Warning, "time" | "at" | "block">) => void,
    kind: WarningKind,
    key: string,
    value: number,
    limit: number,
    build: () => Pick<Warning, "message" | "details" | "borrower">,
  ) {
    const id = `${kind}:${key}`;
    if (value > limit) {
      if (!this.above.has(id)) {
        this.above.add(id);
        push({ kind, value, threshold: limit, ...build() });
      }
    } else {
      this.above.delete(id);
    }
  }
}

// ---------------------------------------------------------------- sinks

export interface WarningSink {
  emit(warning: Warning): void | Promise<void>;
}

/** One line per warning: "[warning] 2027-01-01T00:00:00.000Z block 123 first-missed-payment: …". */
export function consoleSink(log: (line: string) => void = console.log): WarningSink {
  return { emit: (w) => log(`[warning] ${w.at} block ${w.block} ${w.kind}: ${w.message}`) };
}

/** Appends each warning to `file` as one JSON line. */
export function jsonlSink(file: string): WarningSink {
  mkdirSync(dirname(file), { recursive: true });
  return { emit: (w) => appendFileSync(file, JSON.stringify(w) + "\n") };
}

/** POSTs each warning as JSON to `url`; a failure is logged and never stops the monitor. */
export function webhookSink(
  url: string,
  log: (line: string) => void = console.error,
  timeoutMs = 5_000,
): WarningSink {
  return {
    async emit(w) {
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(w),
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!response.ok) log(`webhook ${url}: HTTP ${response.status} for ${w.kind} at block ${w.block}`);
      } catch (error) {
        log(`webhook ${url}: ${(error as Error).message} for ${w.kind} at block ${w.block}`);
      }
    },
  };
}
