// The lines the monitor prints for a poll: one summary line, then after the first poll (the catch-up) one line per
// active warning, and after later polls one line per warning raised or cleared (docs/MONITOR.md, "Output").
import { money, fraction } from "../format/money.ts";
import type { PollReport, StepReport } from "./follow.ts";
import { BUCKET_NAMES } from "./metrics.ts";
import { activeCount, activeLine, bySeverity, chainMinute, clearedLine, raisedLine } from "./warning-text.ts";
import type { ActiveWarning, Warning } from "./warnings.ts";

/** Per-loan warnings printed per poll at most; the rest are counted in one line (the warnings file has them all). */
export const MAX_LOAN_LINES = 50;


/** The poll's summary: the head step's book, the history stepped through, and the warnings. */
export function summaryLine(
  steps: StepReport[],
  counts: { replayed: number; found: number; active: ActiveWarning[]; unknownLoanEvents: number },
): string {
  const s = steps[steps.length - 1];
  const m = s.metrics;
  const buckets = BUCKET_NAMES.map((n, i) => `${n} ${m.byBucket.loans[i]}`).join(" / ");
  const history =
    steps.length > 1
      ? `, ${steps.length - 1} history steps (${counts.replayed} warnings raised, ${counts.found} still active)`
      : "";
  const changes =
    s.warnings.length || s.cleared.length ? `; ${s.warnings.length} raised, ${s.cleared.length} cleared` : "";
  return (
    `block ${s.block} (${chainMinute(s.time)})${history}: ${m.loans} active loans, ` +
    `outstanding ${money(m.outstanding)}, utilisation ${fraction(m.utilisation.ratio)}; ${buckets}; ` +
    `NPL ${fraction(m.npl.ratio)}, 30+ DPD ${fraction(m.pastDue30.ratio)}, top1 ${fraction(m.concentration.top1.ratio)}, ` +
    `top10 ${fraction(m.concentration.top10.ratio)}; ${s.unmarked} unmarked; ${s.reads} reads` +
    (s.staleLoans ? `, ${s.staleLoans} left for the next step` : "") +
    (s.snapshot ? "; snapshot" : "") +
    (counts.unknownLoanEvents
      ? `; ${counts.unknownLoanEvents} events of loans drawn before the first block read ignored`
      : "") +
    `${changes}; ${activeCount(counts.active)}`
  );
}

/** One line per item, but per-loan warnings past `MAX_LOAN_LINES` counted in one line. */
function capLoans<T>(items: T[], warningOf: (item: T) => Warning, line: (item: T) => string): string[] {
  const out: string[] = [];
  let loans = 0;
  for (const item of items) {
    if (warningOf(item).kind === "first-missed-payment" && ++loans > MAX_LOAN_LINES) continue;
    out.push(line(item));
  }
  if (loans > MAX_LOAN_LINES) out.push(`  … and ${loans - MAX_LOAN_LINES} more first-missed-payment`);
  return out;
}

/** Everything a poll prints: nothing without a new block. */
export function pollLines(r: PollReport): string[] {
  if (r.steps.length === 0) return [];
  const lines = [r.line];
  if (r.first) {
    const head = r.steps[r.steps.length - 1];
    lines.push(
      `${activeCount(r.active)} at block ${head.block} (${chainMinute(head.time)})${r.active.length ? ":" : ""}`,
    );
    lines.push(
      ...capLoans(
        bySeverity(r.active),
        (a) => a.warning,
        (a) => `  ${activeLine(a)}`,
      ),
    );
  } else {
    lines.push(...capLoans([...r.found, ...r.live], (w) => w, raisedLine));
    lines.push(...capLoans(r.cleared, (c) => c.warning, clearedLine));
  }
  return lines;
}
