// What a command prints: for people, a few lines or a small table; with --json, one JSON object (bigints as decimal
// strings) on one line.
import { decimal, money } from "../format/money.ts";

/** A command's outcome: the JSON object for scripts, the lines for people. */
export interface Report {
  json: Record<string, unknown>;
  human: string[];
}

/** JSON text of `value` with every bigint as its decimal string. */
export function toJsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v), indent);
}

export function print(report: Report, json: boolean): void {
  console.log(json ? toJsonText(report.json) : report.human.join("\n"));
}

/** Label/value pairs aligned in two columns. */
export function pairs(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
}

/** A table with a header row; numbers (and amounts) right-aligned. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^-?[\d,.]+%?$|^—$/.test(r[i])));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** Token units for people: every decimal the token has, trailing zeros trimmed to two ("1,000.50"). */
export function units(value: bigint, decimals: number): string {
  return money(value, decimals, { exact: true });
}

/** Pool shares for people (up to 4 decimals of the shares' own). */
export function shareUnits(value: bigint, decimals: number): string {
  return decimal(value, decimals, 2, 4);
}

/** Unix seconds as a UTC date and time ("2026-01-05 10:00"), "—" for 0. */
export function date(seconds: bigint): string {
  if (seconds === 0n) return "—";
  return new Date(Number(seconds) * 1000).toISOString().slice(0, 16).replace("T", " ");
}
