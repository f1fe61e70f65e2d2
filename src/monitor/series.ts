// Origination on a continuous time axis for the report's bar chart: per UTC day while the book spans at most 180
// days, per week (starting Monday, UTC) up to 180 weeks, per month beyond; periods without draws count zero, so the
// bars keep their place in time and there are never more than about 180 of them.
import { utcDay, utcMonth, type DayOrigination } from "./metrics.ts";

const DAY = 86_400;
export const MAX_PERIODS = 180;

export type Period = "day" | "week" | "month";

export interface PeriodOrigination {
  /** "2031-01-10" (day, or the Monday that starts a week) or "2031-01" (month). */
  label: string;
  loans: number;
  principal: bigint;
}

const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`) / 1000;
const monday = (t: number) => t - ((new Date(t * 1000).getUTCDay() + 6) % 7) * DAY;

/** The days of `days` (sorted, as `originationByDay` gives them) summed per period, every period present. */
export function originationSeries(days: DayOrigination[]): { period: Period; points: PeriodOrigination[] } {
  if (days.length === 0) return { period: "day", points: [] };
  const first = dayStart(days[0].day);
  const last = dayStart(days[days.length - 1].day);
  const span = Math.round((last - first) / DAY) + 1;
  const period: Period = span <= MAX_PERIODS ? "day" : span <= MAX_PERIODS * 7 ? "week" : "month";
  const keyOf = (t: number) =>
    period === "day" ? utcDay(t) : period === "week" ? utcDay(monday(t)) : utcMonth(t);

  const labels: string[] = [];
  if (period === "month") {
    const d = new Date(first * 1000);
    for (let y = d.getUTCFullYear(), m = d.getUTCMonth(); ; m++) {
      const t = Date.UTC(y, m, 1) / 1000;
      if (t > last) break;
      labels.push(utcMonth(t));
    }
  } else {
    const step = period === "day" ? DAY : 7 * DAY;
    for (let t = period === "day" ? first : monday(first); t <= last; t += step) labels.push(utcDay(t));
  }
  const points = new Map(labels.map((label) => [label, { label, loans: 0, principal: 0n }]));
  for (const d of days) {
    const p = points.get(keyOf(dayStart(d.day)))!;
    p.loans += d.loans;
    p.principal += d.principal;
  }
  return { period, points: [...points.values()] };
}
