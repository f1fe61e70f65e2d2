// The figures the report opens with: pool value, lenders' yield, utilisation, NPL (90+), 30+ DPD, the circuit
// breaker, concentration, the roll rate and the active warnings. Every figure has a configured limit (the warning
// thresholds, or `headline` for the four no rule watches) and is `breach` past it (the same strict comparison the
// warning rules make), `near` between the breaker's warning level and the breaker, `ok` otherwise; `plain` is left
// for a figure that cannot be judged yet (no yield before a second snapshot).
import { money, ratio, fraction } from "../format/money.ts";
import type { MonitorSummary } from "./follow.ts";
import { esc } from "./html.ts";
import { utcDay, YIELD_WINDOW } from "./metrics.ts";
import { activeCount } from "./warning-text.ts";

export type FigureState = "breach" | "near" | "ok" | "plain";

export interface Figure {
  /** Stable name (`data-figure` in the page). */
  id: string;
  label: string;
  value: string;
  note: string;
  state: FigureState;
  /** Words beside the label when not ok ("over limit" by default). */
  flag?: string;
}

const over = (value: number, limit: number): FigureState => (value > limit ? "breach" : "ok");

/** The highest pool value of the yield window (snapshots of the last 30 days, and now), and when it was. */
function poolPeak(s: MonitorSummary): { value: bigint; time: number } {
  const c = s.current!;
  let peak = { value: c.poolValue, time: c.time };
  for (const x of s.snapshots) {
    const value = x.metrics.utilisation.total;
    if (x.time >= c.time - YIELD_WINDOW && x.time <= c.time && value > peak.value) peak = { value, time: x.time };
  }
  return peak;
}

/** The headline figures at the last step; none before the first block is read. */
export function headlineFigures(s: MonitorSummary, decimals = 6): Figure[] {
  const c = s.current;
  if (!c) return [];
  const m = c.metrics;
  const t = s.config.warnings;
  const cash = (v: bigint) => money(v, decimals);
  const near = t.breaker.threshold * t.breaker.nearFraction;
  const p30 = m.pastDue30.ratio;
  const breaker: FigureState = p30 > t.breaker.threshold ? "breach" : p30 > near ? "near" : "ok";
  const y = c.lenderYield;
  const rolls = s.snapshots.filter((x) => x.rollRates);
  const roll = rolls.at(-1)?.rollRates?.[0];
  const previousRoll = rolls.at(-2)?.rollRates?.[0];
  const rollState =
    roll && roll.base > 0n
      ? roll.rate > t.rollRate.currentToM1Max ||
        (previousRoll !== undefined && roll.rate - previousRoll.rate > t.rollRate.currentToM1JumpMax)
        ? "breach"
        : "ok"
      : "ok";
  const severities = s.active.map((a) => a.warning.severity);
  const top = m.concentration;
  const h = s.config.headline;
  const peak = poolPeak(s);
  const drop = peak.value > 0n ? Number(((peak.value - c.poolValue) * 1_000_000n) / peak.value) / 1_000_000 : 0;

  return [
    {
      id: "pool-value",
      label: "Pool value",
      value: cash(c.poolValue),
      note:
        `${cash(m.outstanding)} lent in ${m.loans} active loans; ` +
        (drop > 0 ? `${fraction(drop)} below the peak ${cash(peak.value)} of ${utcDay(peak.time)}` : "at its 30-day peak") +
        `, limit a ${fraction(h.poolValueDropMax)} drop`,
      state: over(drop, h.poolValueDropMax),
      flag: drop > h.poolValueDropMax ? "dropped" : undefined,
    },
    {
      id: "yield",
      label: "Lenders' yield",
      value: y ? fraction(y.rate) : "n/a",
      note: y
        ? `share price since ${utcDay(y.since)}, annualised; limit ${fraction(h.lenderYieldMin)} at least`
        : "needs a second snapshot",
      state: y ? (y.rate < h.lenderYieldMin ? "breach" : "ok") : "plain",
      flag: y && y.rate < h.lenderYieldMin ? "under limit" : undefined,
    },
    {
      id: "utilisation",
      label: "Utilisation",
      value: ratio(m.utilisation.amount, m.utilisation.total),
      note: `outstanding / pool value; limit ${fraction(h.utilisationMax)}`,
      state: over(m.utilisation.ratio, h.utilisationMax),
    },
    {
      id: "npl",
      label: "NPL (90+)",
      value: ratio(m.npl.amount, m.npl.total),
      note: `${cash(m.npl.amount)} more than ${c.riskParams.defaultDays} days past due; limit ${fraction(h.nplMax)}`,
      state: over(m.npl.ratio, h.nplMax),
    },
    {
      id: "dpd30",
      label: "30+ DPD",
      value: ratio(m.pastDue30.amount, m.pastDue30.total),
      note: `breaker at ${fraction(t.breaker.threshold)}, warning over ${fraction(near)}`,
      state: breaker,
    },
    {
      id: "breaker",
      label: "Circuit breaker",
      value: breaker === "breach" ? "tripped" : breaker === "near" ? "near" : "clear",
      note: `30+ DPD ${ratio(m.pastDue30.amount, m.pastDue30.total)} against ${fraction(t.breaker.threshold)}`,
      state: breaker,
    },
    {
      id: "top1",
      label: "Top-1 borrower",
      value: ratio(top.top1.amount, top.top1.total),
      note: `limit ${fraction(t.concentration.top1Max)}`,
      state: over(top.top1.ratio, t.concentration.top1Max),
    },
    {
      id: "top10",
      label: "Top-10 borrowers",
      value: ratio(top.top10.amount, top.top10.total),
      note: `limit ${fraction(t.concentration.top10Max)}`,
      state: over(top.top10.ratio, t.concentration.top10Max),
    },
    {
      id: "roll-rate",
      label: "Roll performing → M1",
      value: roll ? fraction(roll.rate) : "n/a",
      note: `last snapshot; limit ${fraction(t.rollRate.currentToM1Max)} or a rise of ${(t.rollRate.currentToM1JumpMax * 100).toFixed(2)} points`,
      state: rollState,
    },
    {
      id: "warnings",
      label: "Active warnings",
      value: String(s.active.length),
      note: activeCount(s.active),
      state: severities.includes("critical") ? "breach" : severities.includes("warning") ? "near" : "ok",
      flag: severities.includes("critical") ? "critical" : "",
    },
  ];
}

const FLAG: Record<FigureState, string> = { breach: "over limit", near: "near limit", ok: "", plain: "" };

/** The headline block: one box per figure, classed by state. */
export function headlineHtml(figures: Figure[]): string {
  if (figures.length === 0) return "";
  const boxes = figures.map((f) => {
    const flag = f.flag ?? FLAG[f.state];
    return (
      `<div class="figure ${f.state}" data-figure="${esc(f.id)}"><span class="label">${esc(f.label)}` +
      (flag ? ` <span class="flag">${esc(flag)}</span>` : "") +
      `</span><span class="value">${esc(f.value)}</span><span class="note">${esc(f.note)}</span></div>`
    );
  });
  return `<section class="headline" aria-label="Headline figures">${boxes.join("")}</section>`;
}
