// The report: `metrics.json` (everything the monitor computed, money as decimal strings) and `report.html`, one
// self-contained page with inline SVG charts (bucket stack over time, vintage curves, origination by day) that opens
// offline: no script, no stylesheet or font from anywhere.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatUnits } from "ethers";
import { money as formatMoney } from "../format/money.ts";
import type { MonitorSummary } from "./follow.ts";
import { BUCKET_NAMES, ROLL_STAGES, utcDay, type Share } from "./metrics.ts";

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}

export interface ReportFiles {
  metrics: string;
  html: string;
}

/** Writes `<dir>/metrics.json` and `<dir>/report.html`. */
export function writeReport(dir: string, summary: MonitorSummary, decimals = 6): ReportFiles {
  mkdirSync(dir, { recursive: true });
  const files = { metrics: join(dir, "metrics.json"), html: join(dir, "report.html") };
  writeFileSync(files.metrics, toJson({ generatedAt: new Date().toISOString(), ...summary }) + "\n");
  writeFileSync(files.html, renderHtml(summary, decimals));
  return files;
}

// ---------------------------------------------------------------- charts

const COLORS = ["#3b8c4a", "#a6c96a", "#f2c14e", "#f08a3c", "#d9473b", "#7a1f2b"];
const SERIES = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const W = 760;
const H = 300;
const PAD = { left: 70, right: 140, top: 16, bottom: 44 };

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const pct = (x: number, digits = 2) => `${(x * 100).toFixed(digits)}%`;

/** A round upper bound for an axis and its ticks. */
function niceScale(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const step0 = max / 4;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0)!;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(v);
  return ticks;
}

function frame(title: string, ticks: number[], label: (v: number) => string, body: string, legend: string) {
  const top = ticks[ticks.length - 1];
  const plotH = H - PAD.top - PAD.bottom;
  const grid = ticks
    .map((v) => {
      const y = PAD.top + plotH - (v / top) * plotH;
      return (
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="#ddd"/>` +
        `<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end" font-size="11">${esc(label(v))}</text>`
      );
    })
    .join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" ` +
    `aria-label="${esc(title)}" font-family="sans-serif">${grid}${body}${legend}</svg>`
  );
}

function legendOf(names: string[], colors: string[]): string {
  return names
    .map((n, i) => {
      const y = PAD.top + 6 + i * 18;
      const x = W - PAD.right + 14;
      return (
        `<rect x="${x}" y="${y - 9}" width="12" height="12" fill="${colors[i % colors.length]}"/>` +
        `<text x="${x + 18}" y="${y + 1}" font-size="12">${esc(n)}</text>`
      );
    })
    .join("");
}

/** Stacked bars: `stacks[i][s]` is series s of bar i. */
export function stackedBarsSvg(
  title: string,
  labels: string[],
  stacks: number[][],
  names: string[],
  format: (v: number) => string,
): string {
  if (labels.length === 0) return `<p class="empty">No data yet.</p>`;
  const ticks = niceScale(Math.max(...stacks.map((s) => s.reduce((a, b) => a + b, 0))));
  const top = ticks[ticks.length - 1];
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / labels.length;
  const bw = Math.max(1, Math.min(40, slot * 0.8));
  const every = Math.ceil(labels.length / 8);
  let body = "";
  labels.forEach((label, i) => {
    const x = PAD.left + i * slot + (slot - bw) / 2;
    let y = PAD.top + plotH;
    stacks[i].forEach((v, s) => {
      const h = (v / top) * plotH;
      y -= h;
      if (h > 0) {
        body +=
          `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" ` +
          `fill="${COLORS[s % COLORS.length]}"><title>${esc(`${label} ${names[s]}: ${format(v)}`)}</title></rect>`;
      }
    });
    if (i % every === 0) {
      body += `<text x="${(x + bw / 2).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="11">${esc(label)}</text>`;
    }
  });
  return frame(title, ticks, format, body, legendOf(names, COLORS));
}

/** Lines over x = 1, 2, …: `lines[k]` is one series. */
export function lineChartSvg(
  title: string,
  lines: { name: string; points: { x: number; y: number }[] }[],
  xLabel: string,
  format: (v: number) => string,
): string {
  const all = lines.flatMap((l) => l.points);
  if (all.length === 0) return `<p class="empty">No data yet.</p>`;
  const ticks = niceScale(Math.max(...all.map((p) => p.y)));
  const top = ticks[ticks.length - 1];
  const maxX = Math.max(...all.map((p) => p.x), 1);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const sx = (x: number) => PAD.left + (maxX === 1 ? plotW / 2 : ((x - 1) / (maxX - 1)) * plotW);
  const sy = (y: number) => PAD.top + plotH - (y / top) * plotH;
  let body = "";
  for (let x = 1; x <= maxX; x += Math.ceil(maxX / 12)) {
    body += `<text x="${sx(x).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="11">${x}</text>`;
  }
  body += `<text x="${PAD.left + plotW / 2}" y="${H - 6}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>`;
  lines.forEach((l, k) => {
    const color = SERIES[k % SERIES.length];
    const pts = l.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(" ");
    body += `<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"/>`;
    for (const p of l.points) {
      body +=
        `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${color}">` +
        `<title>${esc(`${l.name}, ${xLabel} ${p.x}: ${format(p.y)}`)}</title></circle>`;
    }
  });
  return frame(
    title,
    ticks,
    format,
    body,
    legendOf(
      lines.map((l) => l.name),
      SERIES,
    ),
  );
}

// ---------------------------------------------------------------- page

function table(head: string[], rows: (string | number)[][]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join("")}</tr>`).join("");
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Every day from the first to the last of `days` (at most `maxDays`), with zero for days without draws. */
export function dailySeries<T extends { day: string }>(
  days: T[],
  empty: (day: string) => T,
  maxDays = 731,
): T[] {
  if (days.length < 2) return days;
  const first = Date.parse(`${days[0].day}T00:00:00Z`) / 1000;
  const last = Date.parse(`${days[days.length - 1].day}T00:00:00Z`) / 1000;
  const span = Math.round((last - first) / 86_400) + 1;
  if (span > maxDays) return days;
  const byDay = new Map(days.map((d) => [d.day, d]));
  return Array.from({ length: span }, (_, i) => {
    const day = utcDay(first + i * 86_400);
    return byDay.get(day) ?? empty(day);
  });
}

export function renderHtml(s: MonitorSummary, decimals = 6): string {
  const tokens = (v: bigint) => Number(formatUnits(v, decimals));
  const money = (v: bigint) => formatMoney(v, decimals);
  const amount = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 0 });
  const shareText = (x: Share) => `${pct(x.ratio)} (${money(x.amount)} of ${money(x.total)})`;
  const date = (t: number) => new Date(t * 1000).toISOString().slice(0, 16).replace("T", " ");
  const c = s.current;
  const origination = dailySeries(s.originationByDay, (day) => ({ day, loans: 0, principal: 0n }));
  const parts: string[] = [];

  parts.push(
    `<h1>Microcredit monitor</h1><p>Chain ${esc(s.chainId)}, ledger <code>${esc(s.ledger)}</code>, pool ` +
      `<code>${esc(s.pool)}</code>` +
      (c ? `, block ${c.block} at ${esc(date(c.time))} UTC (chain time).` : ". No block read yet.") +
      `</p>`,
  );
  if (c) {
    const m = c.metrics;
    parts.push(
      `<h2>Book now</h2>` +
        table(
          ["metric", "value"],
          [
            ["active loans", m.loans],
            ["principal outstanding", money(m.outstanding)],
            ["pool value (totalAssets)", money(c.poolValue)],
            ["utilisation", shareText(m.utilisation)],
            ["NPL ratio (> default days past due)", shareText(m.npl)],
            ["30+ days past due (circuit breaker)", shareText(m.pastDue30)],
            ["top-1 borrower", shareText(m.concentration.top1)],
            ["top-10 borrowers", shareText(m.concentration.top10)],
            ["loans not marked into their bucket yet", c.unmarked],
            [
              "written off (loans, principal, recovered)",
              `${s.writtenOff.loans}, ${money(s.writtenOff.principal)}, ${money(s.writtenOff.recovered)}`,
            ],
          ],
        ) +
        table(
          ["bucket", "loans", "principal", "share"],
          BUCKET_NAMES.map((n, i) => [
            n,
            m.byBucket.loans[i],
            money(m.byBucket.principal[i]),
            pct(m.outstanding === 0n ? 0 : Number(m.byBucket.principal[i]) / Number(m.outstanding)),
          ]),
        ),
    );
  }

  parts.push(
    `<h2>Outstanding principal by bucket over time</h2>` +
      stackedBarsSvg(
        "Outstanding principal by bucket at each snapshot",
        s.snapshots.map((x) => utcDay(x.time)),
        s.snapshots.map((x) => x.metrics.byBucket.principal.map(tokens)),
        [...BUCKET_NAMES],
        amount,
      ),
  );

  parts.push(
    `<h2>Vintage curves: cumulative default rate by months on book</h2>` +
      lineChartSvg(
        "Cumulative principal written off over principal originated, by origination month",
        s.vintages.map((v) => ({
          name: `${v.cohort} (${v.loans})`,
          points: v.points.map((p) => ({ x: p.mob, y: p.rate })),
        })),
        "months on book (30 days)",
        (v) => pct(v, 1),
      ) +
      table(
        ["cohort", "loans", "originated", "written off", "rate now"],
        s.vintages.map((v) => {
          const last = v.points[v.points.length - 1];
          return [v.cohort, v.loans, money(v.originated), v.defaults, pct(last?.rate ?? 0)];
        }),
      ),
  );

  parts.push(
    `<h2>Origination by day</h2>` +
      stackedBarsSvg(
        "Principal drawn per day",
        origination.map((d) => d.day),
        origination.map((d) => [tokens(d.principal)]),
        ["drawn"],
        amount,
      ),
  );

  const withRates = s.snapshots.filter((x) => x.rollRates).slice(-20);
  parts.push(
    `<h2>Roll rates between snapshots</h2>` +
      table(
        ["from", "to", ...ROLL_STAGES.slice(0, -1).map((f, i) => `${f} → ${ROLL_STAGES[i + 1]}`)],
        withRates.map((x) => [date(x.since!), date(x.time), ...x.rollRates!.map((r) => pct(r.rate))]),
      ),
  );

  parts.push(
    `<h2>Warnings (${s.warnings.length})</h2>` +
      table(
        ["chain time", "block", "kind", "message"],
        s.warnings.map((w) => [date(w.time), w.block, w.kind + (w.replayed ? " (replayed)" : ""), w.message]),
      ),
  );

  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Microcredit monitor</title>` +
    `<style>body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse;margin:1em 0}` +
    `td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}h2{margin-top:1.6em}` +
    `.empty{color:#888}</style></head><body>${parts.join("\n")}</body></html>\n`
  );
}
