// The monitor's report as a person sees it: rendered from a small hand-made book (test/helpers/monitor-book.ts),
// opened in headless Chromium, and checked through the DOM: the headline figures and their values, which of them are
// marked as breached, the active warnings, the charts' width on the page and the origination bars' width. The
// screenshot is kept as docs/monitor-report.png.
import { expect } from "chai";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { ConfigError, resolveConfig } from "../src/monitor/config.ts";
import type { MonitorSummary } from "../src/monitor/follow.ts";
import { headlineFigures, type Figure } from "../src/monitor/headline.ts";
import { renderHtml } from "../src/monitor/report.ts";
import { bookSummary, ONE } from "./helpers/monitor-book.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const SCREENSHOT = fileURLToPath(new URL("../docs/monitor-report.png", import.meta.url));
const WIDTH = 1280;

describe("headline limits of pool value, yield, utilisation and NPL (config `headline`)", () => {
  const figure = (s: MonitorSummary, id: string) => headlineFigures(s).find((f) => f.id === id) as Figure;
  const withLimits = (s: MonitorSummary, headline: Record<string, number>) => ({
    ...s,
    config: resolveConfig({ headline }),
  });

  it("test_headline_defaults: the hand-made book is within every default limit, and the notes name the limits", () => {
    const s = bookSummary();
    for (const id of ["pool-value", "yield", "utilisation", "npl"]) expect(figure(s, id).state, id).to.equal("ok");
    expect(figure(s, "pool-value").note).to.equal("14,333.33 lent in 6 active loans; at its 30-day peak, limit a 20.00% drop");
    expect(figure(s, "yield").note).to.match(/annualised; limit 0\.00% at least$/);
    expect(figure(s, "utilisation").note).to.equal("outstanding / pool value; limit 90.00%");
    expect(figure(s, "npl").note).to.match(/; limit 5\.00%$/);
  });

  it("test_headline_breaches: each figure is `breach` just past its limit and `ok` at it", () => {
    const s = bookSummary();
    // Utilisation 13.97%, yield 11.81%.
    expect(figure(withLimits(s, { utilisationMax: 0.1397 }), "utilisation").state).to.equal("breach");
    expect(figure(withLimits(s, { utilisationMax: 0.1398 }), "utilisation").state).to.equal("ok");
    const slow = figure(withLimits(s, { lenderYieldMin: 0.12 }), "yield");
    expect([slow.state, slow.flag]).to.deep.equal(["breach", "under limit"]);
    expect(figure(withLimits(s, { lenderYieldMin: 0.118 }), "yield").state).to.equal("ok");
    // NPL: a book with 10% of its principal 90+ days past due.
    const npl = { ...s.current!.metrics.npl, ratio: 0.1 };
    const bad = { ...s, current: { ...s.current!, metrics: { ...s.current!.metrics, npl } } };
    expect(figure(bad, "npl").state).to.equal("breach");
    expect(figure(withLimits(bad, { nplMax: 0.1 }), "npl").state).to.equal("ok");
  });

  it("test_headline_poolDrop: the pool value is judged against its highest snapshot of the last 30 days", () => {
    const s = bookSummary();
    const now = s.current!;
    // A snapshot 10 days back at twice today's value: a 50% drop. One 31 days back at ten times: out of the window.
    const at = (daysBack: number, value: bigint) => {
      const x = s.snapshots.at(-1)!;
      return { ...x, time: now.time - daysBack * 86_400, metrics: { ...x.metrics, utilisation: { ...x.metrics.utilisation, total: value } } };
    };
    const old = { ...s, snapshots: [at(31, now.poolValue * 10n)] };
    expect(figure(old, "pool-value").state).to.equal("ok");
    const dropped = { ...s, snapshots: [at(31, now.poolValue * 10n), at(10, now.poolValue * 2n)] };
    const f = figure(dropped, "pool-value");
    expect([f.state, f.flag]).to.deep.equal(["breach", "dropped"]);
    expect(f.note).to.contain("50.00% below the peak 205,128.77 of");
    expect(figure(withLimits(dropped, { poolValueDropMax: 0.5 }), "pool-value").state).to.equal("ok");
  });

  it("test_headline_config: limits out of range are refused with the key's name", () => {
    expect(() => resolveConfig({ headline: { utilisationMax: 1.5 } })).to.throw(ConfigError, "headline.utilisationMax");
    expect(() => resolveConfig({ headline: { poolValueDrop: 0.1 } })).to.throw(ConfigError, "unknown key headline.poolValueDrop");
    expect(resolveConfig({ headline: { nplMax: 0.03 } }).headline).to.deep.equal({
      poolValueDropMax: 0.2,
      lenderYieldMin: 0,
      utilisationMax: 0.9,
      nplMax: 0.03,
    });
  });
});

describe("monitor report in headless Chromium (hand-made book, no chain)", function () {
  this.timeout(120_000);
  let browser: Browser;
  let page: Page;
  let dir: string;
  /** Every URL the page asked for. */
  const requests: string[] = [];

  /** Writes the report of `summary` to a file and opens it at `width` px. */
  async function open(summary: MonitorSummary, name: string, width = WIDTH) {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, renderHtml(summary));
    await page.setViewportSize({ width, height: 900 });
    await page.goto(pathToFileURL(file).href);
    return pathToFileURL(file).href;
  }

  const text = async (selector: string) => (await page.locator(selector).textContent())?.trim();
  const classes = async (selector: string) =>
    ((await page.locator(selector).getAttribute("class")) ?? "").split(" ");
  const box = async (selector: string) => {
    const b = await page.locator(selector).boundingBox();
    if (!b) throw new Error(`${selector} is not on the page`);
    return b;
  };
  const widths = (selector: string) =>
    page.locator(selector).evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
    }
    dir = mkdtempSync(join(tmpdir(), "monitor-report-"));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage();
    page.on("request", (r) => requests.push(r.url()));
  });

  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("opens with the headline figures, the ones over their thresholds marked as breached", async () => {
    await open(bookSummary(), "book");
    // Day 78 of the book: outstanding 2 × 3,333.333333 (W's first loans, 2 of 6 instalments paid) + 4,166.666666
    // (W's third, 1 paid) + 833.333333 (B1, 1 paid, then missed) + 666.666666 (B2, 2 paid) + 2,000 (B3, none paid)
    // = 14,333.333331; pool 100,000 + 12% × 78/365 of it = 102,564.383561.
    const expected: Record<string, string> = {
      "pool-value": "102,564.38",
      yield: "11.81%", // (102,564.383561 / 101,578.082191 − 1) × 365 / 30: the share price since day 48
      utilisation: "13.97%", // 14,333.333331 / 102,564.383561
      npl: "0.00%",
      dpd30: "13.95%", // B3's 2,000 is 43.5 days past due: 2,000 / 14,333.333331
      breaker: "tripped", // 13.95% > 8%
      top1: "75.58%", // W: 10,833.333332 / 14,333.333331
      top10: "100.00%",
      "roll-rate": "6.76%", // B1's 833.333333 of the 12,333.333331 performing at day 77
      warnings: "8",
    };
    for (const [figure, value] of Object.entries(expected)) {
      expect(await text(`.headline [data-figure="${figure}"] .value`), figure).to.equal(value);
    }
    for (const figure of ["dpd30", "breaker", "top1", "top10", "roll-rate", "warnings"]) {
      expect(await classes(`[data-figure="${figure}"]`), figure).to.include("breach");
      expect(await text(`[data-figure="${figure}"] .flag`), figure).to.match(/over limit|critical/);
    }
    for (const figure of ["pool-value", "yield", "utilisation", "npl"]) {
      expect(await classes(`[data-figure="${figure}"]`), figure).to.not.include("breach");
    }
    // Visibly marked: the breached box is red, unlike a plain one.
    const background = (figure: string) =>
      page.evaluate(
        `getComputedStyle(document.querySelector('[data-figure="${figure}"]')).backgroundColor`,
      ) as Promise<string>;
    expect(await background("dpd30")).to.equal("rgb(253, 227, 224)");
    expect(await background("utilisation")).to.not.equal(await background("dpd30"));
    // The page opens with them: above the first chart, inside the first screen.
    const headline = await box(".headline");
    expect(headline.y + headline.height).to.be.below(900);
    expect(headline.y).to.be.below((await box("#chart-buckets")).y);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it("lists the active warnings most severe first: severity, what, since when, value against threshold", async () => {
    await open(bookSummary(), "book");
    const rows = await page
      .locator("#active-warnings tbody tr")
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")),
      );
    expect(rows.map((r) => `${r[0]} ${r[1]}`)).to.deep.equal([
      "critical breaker-tripped",
      "warning concentration",
      "warning concentration",
      "warning breaker-near",
      "warning keeper-stale",
      "warning roll-rate",
      "notice first-missed-payment",
      "notice first-missed-payment",
    ]);
    expect(rows[0].slice(2, 5)).to.deep.equal([
      "30+ DPD over the circuit breaker",
      "2031-03-16 12:00 UTC, block 1065", // day 65: B3 is 30.5 days past due, M2
      "13.95% > 8.00%",
    ]);
    expect(rows[1][2]).to.equal("top-1 borrower 0x7a11…0001");
    expect(rows[6].slice(2, 5)).to.deep.equal([
      "loan #1 of 0x0b03…0004",
      "2031-02-17 12:00 UTC, block 1038",
      "43.5 days past due > 3 days grace",
    ]);
    expect(await classes("#active-warnings tbody tr:first-child")).to.include("critical");
    // Every warning raised, each with a status: B2's first missed payment cleared when it paid on day 50.
    const all = await page
      .locator("#all-warnings tbody tr")
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")),
      );
    expect(all).to.have.length(11);
    const b2 = all.find((r) => r[6].includes("0x0b02"))!;
    expect(b2[5]).to.equal("cleared 2031-03-01 12:00 UTC (block 1050)");
    expect(all.filter((r) => r[5] === "active")).to.have.length(8);
    expect(await page.locator("body").textContent()).to.not.contain("replayed");
  });

  it("draws every chart at the page's width (at least 90% of the window), at 1280 and 1920 px", async () => {
    for (const width of [WIDTH, 1920]) {
      await open(bookSummary(), "book", width);
      const charts = await widths("svg.chart");
      expect(charts, `${width} px`).to.have.length(3);
      for (const w of charts) expect(w, `${width} px`).to.be.at.least(0.9 * width);
    }
  });

  it("keeps origination bars at least 4 px wide with few loans, per day, week and month", async () => {
    const base = bookSummary();
    const day = (d: string, principal: bigint) => ({ day: d, loans: 1, principal });
    const cases: [string, MonitorSummary["originationByDay"], string, number][] = [
      ["the book: 5 days of draws in 21", base.originationByDay, "Origination per day", 5],
      [
        "2 draws 8 months apart",
        [day("2031-01-10", 900n * ONE), day("2031-09-01", 50n * ONE)],
        "Origination per week",
        2,
      ],
      [
        "3 draws over 4 years",
        [day("2031-01-10", ONE), day("2033-06-01", ONE), day("2035-01-01", ONE)],
        "Origination per month",
        3,
      ],
    ];
    for (const [name, originationByDay, heading, bars] of cases) {
      await open({ ...base, originationByDay }, "origination");
      expect(await page.locator("h2", { hasText: "Origination per" }).textContent(), name).to.equal(heading);
      const w = await widths("#chart-origination rect.bar");
      expect(w, name).to.have.length(bars);
      for (const x of w) expect(x, name).to.be.at.least(4);
    }
  });

  it("loads nothing but its own file", () => {
    expect(requests.length).to.be.above(0);
    expect(requests.filter((u) => !u.startsWith(pathToFileURL(dir).href))).to.deep.equal([]);
  });
});
