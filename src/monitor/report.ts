// The report: `metrics.json` (everything the monitor computed, money as decimal strings) and `report.html`, one
// self-contained page that opens offline (no script, no stylesheet or font from anywhere): headline figures with
// breaches highlighted, the active warnings, charts at the page's width, the book's tables and every warning.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatUnits } from "ethers";
import { loanLabel } from "../core/loan-id.ts";
import { money as formatMoney, ratio, fraction } from "../format/money.ts";
import { lineChartSvg, stackedBarsSvg } from "./charts.ts";
import type { MonitorSummary, WarningEntry } from "./follow.ts";
import { headlineFigures, headlineHtml } from "./headline.ts";
import { esc, table } from "./html.ts";
import { BUCKET_NAMES, ROLL_STAGES, utcDay, type Share } from "./metrics.ts";
import type { OriginatedProduct } from "./originated.ts";
import { MAX_PERIODS, originationSeries } from "./series.ts";
import { bySeverity, chainMinute, subject, versus } from "./warning-text.ts";

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

const date = (t: number) => `${chainMinute(t).replace("T", " ").slice(0, -1)} UTC`;

const STYLE =
  "body{font-family:sans-serif;margin:24px;color:#222}h1{margin:0 0 4px}h2{margin-top:1.6em}" +
  "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;" +
  "font-size:13px;vertical-align:top}.empty{color:#888}svg.chart{display:block;width:100%;height:auto}" +
  ".headline{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:10px;margin:16px 0}" +
  ".figure{border:1px solid #ccc;border-radius:6px;padding:10px 12px;background:#f6f6f6}" +
  ".figure .label{display:block;font-size:13px;color:#555}.figure .value{display:block;font-size:26px;" +
  "font-weight:600;margin:2px 0}.figure .note{display:block;font-size:12px;color:#666}" +
  ".figure.ok{background:#eef6ee;border-color:#a8cfa8}.figure.near{background:#fff4d6;border:2px solid #e0a100}" +
  ".figure.breach{background:#fde3e0;border:2px solid #c62828}.figure.breach .value{color:#b71c1c}" +
  ".flag{font-weight:600;text-transform:uppercase;font-size:11px;color:#b71c1c}.near .flag{color:#8a6100}" +
  "tr.critical td{background:#fde3e0}tr.warning td{background:#fff4d6}td.sev{font-weight:600}" +
  "tr.cleared td{color:#777}";

/**
 * Products a product contract originates (the merchant loan, repaid from sales): the book, who repaid it, and the
 * loans past due or whose next minimum the sales have not covered a week before it falls due.
 */
function originatedHtml(products: OriginatedProduct[], money: (v: bigint) => string): string {
  const day = (t: number) => chainMinute(t).slice(0, 10);
  return (
    `<section id="originated"><h2>Loans a product contract originates and repays (merchant loans)</h2>` +
    table(
      [
        "product",
        "originator",
        "loans (active)",
        "principal outstanding",
        "past due",
        "repaid by the contract (sales)",
        "repaid by borrowers",
        "repaid by others",
        "share repaid by the contract",
      ],
      products.map((p) => [
        p.productId,
        p.originator,
        `${p.loans} (${p.active})`,
        money(p.principalOutstanding),
        money(p.pastDue),
        money(p.repaidByOriginator),
        money(p.repaidByBorrowers),
        money(p.repaidByOthers),
        fraction(p.originatorShare),
      ]),
    ) +
    (products.every((p) => p.behind.length === 0)
      ? `<p class="empty">No loan past due, and no minimum due within a week that the sales have not covered.</p>`
      : table(
          ["product", "loan", "borrower", "state", "amount", "due", "days"],
          products.flatMap((p) =>
            p.behind.map((b) => [
              p.productId,
              loanLabel(b.loanId),
              b.borrower,
              b.state,
              money(b.amount),
              day(b.dueAt),
              b.state === "past due" ? `${b.days} past due` : `due in ${b.days}`,
            ]),
          ),
          (i) => (products.flatMap((p) => p.behind)[i].state === "past due" ? "warning" : undefined),
        )) +
    `</section>`
  );
}

/** The warnings still active, most severe first: severity, what, since, value now against the threshold. */
function activeTable(s: MonitorSummary): string {
  if (s.active.length === 0) return `<p class="empty">No active warning.</p>`;
  const list = bySeverity(s.active);
  return table(
    ["severity", "kind", "what", "active since (chain time)", "now vs threshold", "found"],
    list.map((a) => [
      { text: a.warning.severity, cls: "sev" },
      a.warning.kind,
      subject(a.warning),
      `${date(a.warning.time)}, block ${a.warning.block}`,
      versus(a.warning, a.value, a.threshold, true),
      a.warning.replayed ? "on catch-up" : "live",
    ]),
    (i) => list[i].warning.severity,
  );
}

const status = (w: WarningEntry) =>
  w.cleared ? `cleared ${date(w.cleared.time)} (block ${w.cleared.block})` : "active";

export function renderHtml(s: MonitorSummary, decimals = 6): string {
  const tokens = (v: bigint) => Number(formatUnits(v, decimals));
  const money = (v: bigint) => formatMoney(v, decimals);
  const amount = (v: number) => v.toLocaleString("en-US", { maximumFractionDigits: 0 });
  const shareText = (x: Share) => `${ratio(x.amount, x.total)} (${money(x.amount)} of ${money(x.total)})`;
  const c = s.current;
  const parts: string[] = [];

  parts.push(
    `<h1>Microcredit monitor</h1><p>Chain ${esc(s.chainId)}, ledger <code>${esc(s.ledger)}</code>, pool ` +
      `<code>${esc(s.pool)}</code>` +
      (c ? `, block ${c.block} at ${esc(date(c.time))} (chain time).` : ". No block read yet.") +
      `</p>`,
  );
  parts.push(headlineHtml(headlineFigures(s, decimals)));
  parts.push(
    `<section id="active-warnings"><h2>Active warnings (${s.active.length})</h2>${activeTable(s)}</section>`,
  );

  const snapshots = s.snapshots.slice(-MAX_PERIODS);
  const cut =
    s.snapshots.length > snapshots.length ? ` (last ${snapshots.length} of ${s.snapshots.length})` : "";
  parts.push(
    `<h2>Outstanding principal by bucket at each snapshot${cut}</h2>` +
      stackedBarsSvg(
        "chart-buckets",
        "Outstanding principal by bucket at each snapshot",
        snapshots.map((x) => utcDay(x.time)),
        snapshots.map((x) => x.metrics.byBucket.principal.map(tokens)),
        [...BUCKET_NAMES],
        amount,
      ),
  );

  const origination = originationSeries(s.originationByDay);
  parts.push(
    `<h2>Origination per ${origination.period}</h2>` +
      stackedBarsSvg(
        "chart-origination",
        `Principal drawn per ${origination.period}`,
        origination.points.map((d) => d.label),
        origination.points.map((d) => [tokens(d.principal)]),
        ["drawn"],
        amount,
      ),
  );

  parts.push(
    `<h2>Vintage curves: cumulative default rate by months on book</h2>` +
      lineChartSvg(
        "chart-vintages",
        "Cumulative principal written off over principal originated, by origination month",
        s.vintages.map((v) => ({
          name: `${v.cohort} (${v.loans})`,
          points: v.points.map((p) => ({ x: p.mob, y: p.rate })),
        })),
        "months on book (30 days)",
        (v) => fraction(v, 1),
      ) +
      table(
        ["cohort", "loans", "originated", "written off", "rate now"],
        s.vintages.map((v) => {
          const last = v.points[v.points.length - 1];
          return [v.cohort, v.loans, money(v.originated), v.defaults, fraction(last?.rate ?? 0)];
        }),
      ),
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
            ratio(m.byBucket.principal[i], m.outstanding),
          ]),
        ),
    );
  }

  if (c && c.originated.length > 0) parts.push(originatedHtml(c.originated, money));

  const withRates = s.snapshots.filter((x) => x.rollRates).slice(-20);
  parts.push(
    `<h2>Roll rates between snapshots</h2>` +
      table(
        ["from", "to", ...ROLL_STAGES.slice(0, -1).map((f, i) => `${f} → ${ROLL_STAGES[i + 1]}`)],
        withRates.map((x) => [date(x.since!), date(x.time), ...x.rollRates!.map((r) => fraction(r.rate))]),
      ),
  );

  parts.push(
    `<section id="all-warnings"><h2>Every warning raised (${s.warnings.length})</h2>` +
      table(
        ["raised (chain time)", "block", "severity", "kind", "value vs threshold", "status", "message"],
        s.warnings.map((w) => [
          date(w.time),
          w.block,
          { text: w.severity, cls: "sev" },
          w.kind,
          versus(w, w.value, w.threshold, true),
          status(w),
          w.message,
        ]),
        (i) => (s.warnings[i].cleared ? "cleared" : s.warnings[i].severity),
      ) +
      `</section>`,
  );

  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Microcredit monitor</title>` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>` +
    `<body>${parts.join("\n")}</body></html>\n`
  );
}
