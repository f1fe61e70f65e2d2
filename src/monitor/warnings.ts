// Warning rules and their memory. Rules run at every step of the monitor (the roll-rate rule only at snapshots) in a
// fixed order: first missed payments, roll rate, concentration, circuit breaker, keeper. Each warning has a severity
// and stays *active* while its condition holds: a level rule (roll rate, concentration, breaker) while the value
// stays above its limit, a first missed payment while the loan stays past grace, the keeper warning until a keeper
// event arrives or nothing is overdue. A rule raises a warning when its condition starts to hold and clears it when
// it stops (docs/MONITOR.md, "Warnings"). Sinks are in sinks.ts, the text people read in warning-text.ts.
import { loanLabel } from "../core/loan-id.ts";
import { money, fraction } from "../format/money.ts";
import type { WarningThresholds } from "./config.ts";
import { BUCKET_NAMES, type BookMetrics, type RollRate, type Share } from "./metrics.ts";

export type WarningKind =
  | "first-missed-payment"
  | "roll-rate"
  | "concentration"
  | "breaker-near"
  | "breaker-tripped"
  | "keeper-stale";

export type Severity = "critical" | "warning" | "notice";

/** The severity of each kind: the breaker halts lending; the level rules and a silent keeper need action soon. */
export const SEVERITY: Record<WarningKind, Severity> = {
  "breaker-tripped": "critical",
  "breaker-near": "warning",
  concentration: "warning",
  "roll-rate": "warning",
  "keeper-stale": "warning",
  "first-missed-payment": "notice",
};

/** Most severe first. */
export const SEVERITIES: readonly Severity[] = ["critical", "warning", "notice"];

export type DetailValue = string | number | boolean | null;

/** Chain time (unix seconds, and ISO) and block of a step. */
export interface StepTime {
  time: number;
  at: string;
  block: number;
}

export interface Warning extends StepTime {
  kind: WarningKind;
  severity: Severity;
  message: string;
  /** The loan (decimal id) and borrower a per-loan warning is about. */
  loanId?: string;
  borrower?: string;
  /** The measured value and the limit it went over: a share, days past due (first missed payment) or seconds. */
  value?: number;
  threshold?: number;
  details: Record<string, DetailValue>;
  /** Raised by a history step while catching up (before the head of its poll). */
  replayed?: boolean;
}

/** A warning whose condition still holds: the warning that raised it, and the value at the last step. */
export interface ActiveWarning {
  key: string;
  warning: Warning;
  value?: number;
  threshold?: number;
}

/** A warning whose condition stopped holding at a step; `value` is the measure then (absent: nothing to measure). */
export interface ClearedWarning extends StepTime {
  key: string;
  warning: Warning;
  value?: number;
  threshold?: number;
}

/** What one step changed. */
export interface StepWarnings {
  raised: Warning[];
  cleared: ClearedWarning[];
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
  /** Every active loan past grace by time at this step (M1 or worse), with the seconds since its oldest due date. */
  late: ReadonlyMap<bigint, number>;
  /** The ledger's grace period: a first missed payment is more than this many days past due. */
  graceDays: number;
  /** Set at a snapshot step: this snapshot's roll rates and the previous snapshot's (when it had any). */
  rolls?: { rates: RollRate[]; previous?: RollRate[]; since: number };
  keeper: {
    last?: { block: number; time: number };
    /** The oldest due date after the last keeper event of a loan with something past due, and how many. */
    oldestDue?: number;
    loansDue: number;
  };
}

type Raise = Omit<Warning, keyof StepTime | "severity">;

const iso = (seconds: number | bigint) => new Date(Number(seconds) * 1000).toISOString();
const hours = (seconds: number) => `${(seconds / 3600).toFixed(1)} h`;
/** Days past due as a warning's value: to a thousandth of a day. */
const days = (seconds: number) => Math.round(seconds / 86.4) / 1000;

const shareDetails = (s: Share): Record<string, DetailValue> => ({
  amount: s.amount.toString(),
  total: s.total.toString(),
});

/** The warning rules with their memory: the active warnings by key, and the keeper silence already reported. */
export class WarningRules {
  readonly thresholds: WarningThresholds;
  private readonly activeByKey = new Map<string, ActiveWarning>();
  /** The keeper event after which keeper-stale last fired (-1: before any keeper event). */
  private keeperStaleAfter?: number;
  /** The step being evaluated and what it changed so far. */
  private at: StepTime = { time: 0, at: "", block: 0 };
  private changes: StepWarnings = { raised: [], cleared: [] };

  constructor(thresholds: WarningThresholds) {
    this.thresholds = thresholds;
  }

  /** The warnings active after the last step, in the order they were raised. */
  active(): ActiveWarning[] {
    return [...this.activeByKey.values()];
  }

  evaluate(input: StepInput): StepWarnings {
    this.at = { time: input.time, at: iso(input.time), block: input.block };
    this.changes = { raised: [], cleared: [] };
    this.firstMissed(input);
    if (input.rolls) this.rollRate(input.rolls);

    const c = this.thresholds.concentration;
    const top = input.metrics.concentration;
    this.level("concentration:top1", top.top1.ratio, c.top1Max, () => ({
      kind: "concentration",
      message: `concentration: largest borrower ${top.top[0]?.borrower} holds ${fraction(top.top1.ratio)} of outstanding (limit ${fraction(c.top1Max)})`,
      borrower: top.top[0]?.borrower,
      details: { measure: "top1", ...shareDetails(top.top1) },
    }));
    this.level("concentration:top10", top.top10.ratio, c.top10Max, () => ({
      kind: "concentration",
      message: `concentration: ten largest borrowers hold ${fraction(top.top10.ratio)} of outstanding (limit ${fraction(c.top10Max)})`,
      details: { measure: "top10", ...shareDetails(top.top10) },
    }));

    const b = this.thresholds.breaker;
    const p30 = input.metrics.pastDue30;
    const near = b.threshold * b.nearFraction;
    this.level("breaker-near", p30.ratio, near, () => ({
      kind: "breaker-near",
      message: `circuit breaker near: ${fraction(p30.ratio)} of outstanding is 30+ days past due (warning at ${fraction(near)}, breaker at ${fraction(b.threshold)})`,
      details: { breakerThreshold: b.threshold, ...shareDetails(p30) },
    }));
    this.level("breaker-tripped", p30.ratio, b.threshold, () => ({
      kind: "breaker-tripped",
      message: `circuit breaker threshold crossed: ${fraction(p30.ratio)} of outstanding is 30+ days past due (breaker at ${fraction(b.threshold)})`,
      details: { breakerThreshold: b.threshold, ...shareDetails(p30) },
    }));

    this.keeperStale(input);
    return this.changes;
  }

  private raise(key: string, { kind, ...w }: Raise) {
    const warning: Warning = { ...this.at, kind, severity: SEVERITY[kind], ...w };
    this.changes.raised.push(warning);
    this.activeByKey.set(key, { key, warning, value: w.value, threshold: w.threshold });
  }

  private clear(a: ActiveWarning, value?: number) {
    this.activeByKey.delete(a.key);
    this.changes.cleared.push({ ...this.at, key: a.key, warning: a.warning, value, threshold: a.threshold });
  }

  /** A level: raised when `value` goes above `limit`, kept (with the value now) while above, cleared when not. */
  private level(key: string, value: number, limit: number, build: () => Omit<Raise, "value" | "threshold">) {
    const a = this.activeByKey.get(key);
    if (value <= limit) {
      if (a) this.clear(a, value);
    } else if (a) {
      a.value = value;
      a.threshold = limit;
    } else {
      this.raise(key, { ...build(), value, threshold: limit });
    }
  }

  /** One per loan when it first goes past grace; active while the loan stays past grace (and on the book). */
  private firstMissed(input: StepInput) {
    for (const l of [...input.newlyLate].sort((a, b) => (a.loanId < b.loanId ? -1 : 1))) {
      const late = l.pastDueSince > 0n ? input.time - Number(l.pastDueSince) : undefined;
      const whole = late === undefined ? null : Math.floor(late / 86_400);
      this.raise(`first-missed-payment:${l.loanId}`, {
        kind: "first-missed-payment",
        loanId: l.loanId.toString(),
        borrower: l.borrower,
        value: late === undefined ? undefined : days(late),
        threshold: input.graceDays,
        message:
          `first missed payment: loan ${loanLabel(l.loanId)} is ${BUCKET_NAMES[l.bucket]}` +
          (whole !== null ? `, ${whole} days past due since ${iso(l.pastDueSince).slice(0, 10)}` : "") +
          ` (${money(l.pastDue)} past due, ${money(l.principalOutstanding)} outstanding)`,
        details: {
          bucket: BUCKET_NAMES[l.bucket],
          active: l.active,
          daysPastDue: whole,
          pastDue: l.pastDue.toString(),
          pastDueSince: l.pastDueSince > 0n ? iso(l.pastDueSince) : null,
          principalOutstanding: l.principalOutstanding.toString(),
        },
      });
    }
    for (const a of this.activeByKey.values()) {
      if (a.warning.kind !== "first-missed-payment") continue;
      const late = input.late.get(BigInt(a.warning.loanId!));
      if (late === undefined) this.clear(a);
      else a.value = days(late);
    }
  }

  /**
   * At a snapshot: active while the performing → M1 rate is above its limit, or rose since the previous snapshot by
   * more than allowed; kept with the new rate at each snapshot where that holds, cleared at the first where not.
   */
  private rollRate(rolls: NonNullable<StepInput["rolls"]>) {
    const limits = this.thresholds.rollRate;
    const r = rolls.rates[0];
    const previous = rolls.previous?.[0];
    const jump = previous ? r.rate - previous.rate : undefined;
    const overMax = r.base > 0n && r.rate > limits.currentToM1Max;
    const overJump = r.base > 0n && jump !== undefined && jump > limits.currentToM1JumpMax;
    const a = this.activeByKey.get("roll-rate");
    if (!overMax && !overJump) {
      if (a) this.clear(a, r.rate);
      return;
    }
    // A jump over its limit means a rate over it too (the previous rate is ≥ 0): value > threshold either way.
    const threshold = overMax ? limits.currentToM1Max : limits.currentToM1JumpMax;
    if (a) {
      a.value = r.rate;
      a.threshold = threshold;
      return;
    }
    this.raise("roll-rate", {
      kind: "roll-rate",
      value: r.rate,
      threshold,
      message:
        `roll rate current → 1–30 DPD ${fraction(r.rate)} since ${iso(rolls.since)}` +
        (previous ? ` (previous snapshot ${fraction(previous.rate)})` : "") +
        `: ${overMax ? `above ${fraction(limits.currentToM1Max)}` : ""}${overMax && overJump ? ", " : ""}` +
        `${overJump ? `up more than ${(limits.currentToM1JumpMax * 100).toFixed(2)} points` : ""}`,
      details: {
        rolled: r.rolled.toString(),
        base: r.base.toString(),
        previousRate: previous?.rate ?? null,
        jump: jump ?? null,
        since: iso(rolls.since),
      },
    });
  }

  /**
   * Once per silence: something past due whose due date is after the last keeper event, the oldest more than
   * `staleHours` ago. Active until a keeper event arrives or nothing is overdue any more.
   */
  private keeperStale(input: StepInput) {
    const k = input.keeper;
    const stale = this.thresholds.keeper.staleHours * 3600;
    const after = k.last?.block ?? -1;
    const silent = k.oldestDue !== undefined ? input.time - k.oldestDue : undefined;
    const staleNow = silent !== undefined && silent > stale;
    const a = this.activeByKey.get("keeper-stale");
    if (a && (!staleNow || this.keeperStaleAfter !== after)) this.clear(a, silent);
    if (!staleNow) return;
    if (this.keeperStaleAfter === after) {
      const still = this.activeByKey.get("keeper-stale");
      if (still) still.value = silent;
      return;
    }
    this.keeperStaleAfter = after;
    this.raise("keeper-stale", {
      kind: "keeper-stale",
      value: silent,
      threshold: stale,
      message:
        `keeper not running: ${k.loansDue} loan${k.loansDue === 1 ? " has" : "s have"} had something due since ` +
        `${iso(k.oldestDue!)} ` +
        `(${hours(silent)}) and the last Collected/CollectionFailed/BucketChanged/ProvisionChanged event ` +
        (k.last ? `was at ${iso(k.last.time)} (block ${k.last.block})` : "never happened"),
      details: {
        loansDue: k.loansDue,
        oldestDue: iso(k.oldestDue!),
        lastKeeperEvent: k.last ? iso(k.last.time) : null,
        lastKeeperBlock: k.last?.block ?? null,
      },
    });
  }
}
