// How a warning reads for people: what it is about, its value against its threshold, and the one-line forms the
// console prints for an active, a raised and a cleared warning (docs/MONITOR.md, "Output").
import { loanLabel } from "../core/loan-id.ts";
import { fraction } from "../format/money.ts";
import {
  SEVERITIES,
  type ActiveWarning,
  type ClearedWarning,
  type Severity,
  type StepTime,
  type Warning,
} from "./warnings.ts";

const hours = (seconds: number) => `${(seconds / 3600).toFixed(1)} h`;
const shortAddress = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;

/** Chain time to the minute: "2031-02-13T00:16Z". */
export const chainMinute = (seconds: number) => `${new Date(seconds * 1000).toISOString().slice(0, 16)}Z`;

/** What a warning is about: "top-1 borrower 0x07e5…3671", "loan #1 of 0x07e5…3671". */
export function subject(w: Warning): string {
  switch (w.kind) {
    case "first-missed-payment":
      return `loan ${w.loanId ? loanLabel(BigInt(w.loanId)) : "?"}`;
    case "roll-rate":
      return "roll rate performing → M1";
    case "concentration":
      return w.details.measure === "top1"
        ? `top-1 borrower${w.borrower ? ` ${shortAddress(w.borrower)}` : ""}`
        : "top-10 borrowers";
    case "breaker-near":
      return "30+ DPD near the circuit breaker";
    case "breaker-tripped":
      return "30+ DPD over the circuit breaker";
    case "keeper-stale":
      return "keeper silent";
  }
}

/** A value against its threshold in the kind's unit: "8.66% > 8.00%", "4 days past due > 3 days grace". */
export function versus(
  w: Warning,
  value: number | undefined,
  threshold: number | undefined,
  over: boolean,
): string {
  const sign = over ? ">" : "≤";
  if (w.kind === "first-missed-payment") {
    if (!over) return "no longer past grace";
    return value === undefined ? "past grace" : `${value.toFixed(1)} days past due > ${threshold} days grace`;
  }
  if (w.kind === "keeper-stale") {
    if (!over || value === undefined) return "keeper events again, or nothing overdue";
    return `due for ${hours(value)} with no keeper event ${sign} ${hours(threshold ?? 0)}`;
  }
  if (value === undefined || threshold === undefined) return "";
  return `${fraction(value)} ${sign} ${fraction(threshold)}`;
}

const head = (severity: Severity, verb: string, w: Warning) =>
  `[${severity}] ${verb}${w.kind}: ${subject(w)}`;
const where = (t: StepTime) => `${chainMinute(t.time)} (block ${t.block})`;

/** "[critical] breaker-tripped: 30+ DPD over the circuit breaker, 8.66% > 8.00%, since 2031-02-13T00:16Z (block 1010)". */
export function activeLine(a: ActiveWarning): string {
  const w = a.warning;
  return (
    `${head(w.severity, "", w)}, ${versus(w, a.value, a.threshold, true)}, since ${where(w)}` +
    (w.replayed ? ", found on catch-up" : "")
  );
}

/** "[warning] raised concentration: top-10 borrowers, 16.44% > 15.00%, at … (block 1012): <message>". */
export function raisedLine(w: Warning): string {
  return (
    `${head(w.severity, "raised ", w)}, ${versus(w, w.value, w.threshold, true)}, at ${where(w)}` +
    `${w.replayed ? " (found on catch-up)" : ""}: ${w.message}`
  );
}

/** "[warning] cleared concentration: top-10 borrowers, 14.90% ≤ 15.00%, at … (block 1040), active since …". */
export function clearedLine(c: ClearedWarning): string {
  const w = c.warning;
  return `${head(w.severity, "cleared ", w)}, ${versus(w, c.value, c.threshold, false)}, at ${where(c)}, active since ${chainMinute(w.time)}`;
}

/** Most severe first, then the oldest first. */
export function bySeverity(list: ActiveWarning[]): ActiveWarning[] {
  const rank = (a: ActiveWarning) => SEVERITIES.indexOf(a.warning.severity);
  return [...list].sort((a, b) => rank(a) - rank(b) || a.warning.time - b.warning.time);
}

/** "12 active warnings (1 critical, 3 warning, 8 notice)", "no active warning". */
export function activeCount(list: ActiveWarning[]): string {
  if (list.length === 0) return "no active warning";
  const counts = SEVERITIES.map((s) => [s, list.filter((a) => a.warning.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  return `${list.length} active warning${list.length === 1 ? "" : "s"} (${counts.join(", ")})`;
}
