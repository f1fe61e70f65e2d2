// Inline SVG charts for the report: stacked bars and lines. A chart is drawn in a 1200-unit-wide view box and shown
// at the page's width (`width="100%"`, height from the aspect ratio); a bar is never narrower than `MIN_BAR` units,
// so a few bars on a long time axis stay visible (6 units are about 6 px on a 1280 px page, 4 px at 850 px), and a
// non-zero amount is never lower than 2 units.
import { esc } from "./html.ts";

const COLORS = ["#3b8c4a", "#a6c96a", "#f2c14e", "#f08a3c", "#d9473b", "#7a1f2b"];
const SERIES = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
export const W = 1200;
const H = 340;
const PAD = { left: 80, right: 150, top: 16, bottom: 44 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;
/** The narrowest and widest bar, and the lowest non-zero bar segment, in view-box units. */
export const MIN_BAR = 6;
const MAX_BAR = 48;
const MIN_HEIGHT = 2;

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

function frame(
  id: string,
  title: string,
  ticks: number[],
  label: (v: number) => string,
  body: string,
  legend: string,
) {
  const top = ticks[ticks.length - 1];
  const grid = ticks
    .map((v) => {
      const y = PAD.top + PLOT_H - (v / top) * PLOT_H;
      return (
        `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="#ddd"/>` +
        `<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end" font-size="12">${esc(label(v))}</text>`
      );
    })
    .join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="${esc(id)}" viewBox="0 0 ${W} ${H}" width="100%" ` +
    `preserveAspectRatio="xMidYMid meet" role="img" aria-label="${esc(title)}" font-family="sans-serif">` +
    `${grid}${body}${legend}</svg>`
  );
}

function legendOf(names: string[], colors: string[]): string {
  return names
    .map((n, i) => {
      const y = PAD.top + 6 + i * 20;
      const x = W - PAD.right + 14;
      return (
        `<rect x="${x}" y="${y - 10}" width="13" height="13" fill="${colors[i % colors.length]}"/>` +
        `<text x="${x + 19}" y="${y + 1}" font-size="13">${esc(n)}</text>`
      );
    })
    .join("");
}

/** Stacked bars: `stacks[i][s]` is series s of bar i; each bar's rectangles carry `class="bar"`. */
export function stackedBarsSvg(
  id: string,
  title: string,
  labels: string[],
  stacks: number[][],
  names: string[],
  format: (v: number) => string,
): string {
  if (labels.length === 0) return `<p class="empty" id="${esc(id)}">No data yet.</p>`;
  const ticks = niceScale(Math.max(...stacks.map((s) => s.reduce((a, b) => a + b, 0))));
  const top = ticks[ticks.length - 1];
  const slot = PLOT_W / labels.length;
  const bw = Math.max(MIN_BAR, Math.min(MAX_BAR, slot * 0.8));
  const every = Math.ceil(labels.length / 10);
  let body = "";
  labels.forEach((label, i) => {
    // Centred on its slot, kept inside the plot when the minimum width is wider than the slot.
    const x = Math.max(PAD.left, Math.min(PAD.left + i * slot + (slot - bw) / 2, W - PAD.right - bw));
    let y = PAD.top + PLOT_H;
    stacks[i].forEach((v, s) => {
      const h = v > 0 ? Math.max(MIN_HEIGHT, (v / top) * PLOT_H) : 0;
      y -= h;
      if (h > 0) {
        body +=
          `<rect class="bar" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" ` +
          `fill="${COLORS[s % COLORS.length]}"><title>${esc(`${label} ${names[s]}: ${format(v)}`)}</title></rect>`;
      }
    });
    if (i % every === 0) {
      body += `<text x="${(x + bw / 2).toFixed(1)}" y="${H - PAD.bottom + 17}" text-anchor="middle" font-size="12">${esc(label)}</text>`;
    }
  });
  return frame(id, title, ticks, format, body, legendOf(names, COLORS));
}

/** Lines over x = 1, 2, …: `lines[k]` is one series. */
export function lineChartSvg(
  id: string,
  title: string,
  lines: { name: string; points: { x: number; y: number }[] }[],
  xLabel: string,
  format: (v: number) => string,
): string {
  const all = lines.flatMap((l) => l.points);
  if (all.length === 0) return `<p class="empty" id="${esc(id)}">No data yet.</p>`;
  const ticks = niceScale(Math.max(...all.map((p) => p.y)));
  const top = ticks[ticks.length - 1];
  const maxX = Math.max(...all.map((p) => p.x), 1);
  const sx = (x: number) => PAD.left + (maxX === 1 ? PLOT_W / 2 : ((x - 1) / (maxX - 1)) * PLOT_W);
  const sy = (y: number) => PAD.top + PLOT_H - (y / top) * PLOT_H;
  let body = "";
  for (let x = 1; x <= maxX; x += Math.ceil(maxX / 12)) {
    body += `<text x="${sx(x).toFixed(1)}" y="${H - PAD.bottom + 17}" text-anchor="middle" font-size="12">${x}</text>`;
  }
  body += `<text x="${PAD.left + PLOT_W / 2}" y="${H - 6}" text-anchor="middle" font-size="13">${esc(xLabel)}</text>`;
  lines.forEach((l, k) => {
    const color = SERIES[k % SERIES.length];
    const pts = l.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(" ");
    body += `<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2.5"/>`;
    for (const p of l.points) {
      body +=
        `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="4" fill="${color}">` +
        `<title>${esc(`${l.name}, ${xLabel} ${p.x}: ${format(p.y)}`)}</title></circle>`;
    }
  });
  const names = lines.map((l) => l.name);
  return frame(id, title, ticks, format, body, legendOf(names, SERIES));
}
