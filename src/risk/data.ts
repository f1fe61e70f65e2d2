// Tabular data loading for the risk engine: CSV and ARFF in, one in-memory shape out.
// Cells stay strings until the column type is known, so a typo in one row can never
// silently turn a numeric column into a categorical one (or the reverse) mid-way.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { sha256Hex as sha256 } from "./canonical.ts";

export type ColumnType = "numeric" | "categorical";
/** A raw cell: the text as written, or null when the source marked it missing. */
export type Cell = string | null;

export interface Dataset {
  name: string;
  format: "csv" | "arff";
  columns: string[];
  rows: Cell[][];
  /** Types the file itself declares (ARFF headers); CSV declares none. */
  declaredTypes: Record<string, ColumnType>;
  /** sha256 of the source text, so a model can name exactly what it was trained on. */
  sha256: string;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Strict number parsing: `Number("")`, `Number("0x1f")` or `Number(" ")` must not count as numbers. */
export function parseNumber(text: string): number | null {
  const t = text.trim();
  if (!NUMBER.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

interface Token {
  text: string;
  quoted: boolean;
}

/**
 * Unquoted cells that mean "missing": `?` (ARFF, UCI), and what R, pandas and spreadsheets write
 * (NA, NaN, null, #N/A). A quoted marker is data, not a marker.
 */
export const MISSING_MARKERS: ReadonlySet<string> = new Set(["?", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "#N/A"]);

function toCell(token: Token): Cell {
  const t = token.text.trim();
  if (t === "") return null;
  if (!token.quoted && MISSING_MARKERS.has(t)) return null;
  return token.quoted ? token.text : t;
}

/** RFC 4180 CSV with a header row; quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string, name = "data.csv"): Dataset {
  const hash = sha256(text);
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const records: Token[][] = [];
  let record: Token[] = [];
  let field = "";
  let quoted = false;
  let inQuotes = false;
  const endField = () => {
    record.push({ text: field, quoted });
    field = "";
    quoted = false;
  };
  const endRecord = () => {
    endField();
    // A blank line is a record with one empty unquoted field: skip it rather than fail on width.
    if (!(record.length === 1 && record[0].text.trim() === "" && !record[0].quoted)) records.push(record);
    record = [];
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inQuotes) {
      if (c === '"') {
        if (body[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else field += c;
    } else if (c === '"' && field.trim() === "") {
      inQuotes = true;
      quoted = true;
      field = "";
    } else if (c === ",") endField();
    else if (c === "\n") endRecord();
    else if (c === "\r") {
      if (body[i + 1] !== "\n") endRecord();
    } else field += c;
  }
  if (inQuotes) throw new Error(`${name}: unterminated quoted field`);
  if (field !== "" || record.length > 0) endRecord();
  if (records.length === 0) throw new Error(`${name}: empty CSV`);
  const columns = records[0].map((t) => t.text.trim());
  checkColumnNames(columns, name);
  const rows = records.slice(1).map((r, i) => {
    if (r.length !== columns.length) {
      throw new Error(`${name}: record ${i + 2} has ${r.length} fields, header has ${columns.length}`);
    }
    return r.map(toCell);
  });
  return { name, format: "csv", columns, rows, declaredTypes: {}, sha256: hash };
}

function checkColumnNames(columns: string[], name: string): void {
  const seen = new Set<string>();
  for (const c of columns) {
    if (c === "") throw new Error(`${name}: empty column name`);
    if (seen.has(c)) throw new Error(`${name}: duplicate column ${c}`);
    seen.add(c);
  }
}

// ARFF lines quote with ' or " and escape with a backslash (Weka's writer does both).
function splitArffLine(line: string): Token[] {
  const out: Token[] = [];
  let field = "";
  let quote = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === "\\" && i + 1 < line.length) field += line[++i];
      else if (c === quote) quote = "";
      else field += c;
    } else if ((c === "'" || c === '"') && field.trim() === "") {
      quote = c;
      quoted = true;
      field = "";
    } else if (c === ",") {
      out.push({ text: field, quoted });
      field = "";
      quoted = false;
    } else field += c;
  }
  if (quote) throw new Error(`unterminated quote in: ${line}`);
  out.push({ text: field, quoted });
  return out;
}

function arffName(spec: string): [string, string] {
  const s = spec.trim();
  if (s[0] === "'" || s[0] === '"') {
    const end = s.indexOf(s[0], 1);
    if (end < 0) throw new Error(`bad attribute name: ${spec}`);
    return [s.slice(1, end), s.slice(end + 1).trim()];
  }
  const m = /^(\S+)\s+(.*)$/.exec(s);
  if (!m) throw new Error(`bad attribute: ${spec}`);
  return [m[1], m[2].trim()];
}

/** Dense ARFF (Weka). Nominal attributes become categorical, numeric/real/integer numeric. */
export function parseArff(text: string, name = "data.arff"): Dataset {
  const columns: string[] = [];
  const declaredTypes: Record<string, ColumnType> = {};
  const rows: Cell[][] = [];
  let inData = false;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("%")) return;
    if (!inData) {
      const lower = line.toLowerCase();
      if (lower.startsWith("@relation")) return;
      if (lower.startsWith("@data")) {
        inData = true;
        return;
      }
      if (!lower.startsWith("@attribute")) throw new Error(`${name}:${index + 1}: unexpected header line`);
      const [col, type] = arffName(line.slice("@attribute".length));
      const t = type.toLowerCase();
      if (t.startsWith("{") || t === "string") declaredTypes[col] = "categorical";
      else if (t === "numeric" || t === "real" || t === "integer") declaredTypes[col] = "numeric";
      else throw new Error(`${name}:${index + 1}: unsupported ARFF type ${type} for ${col}`);
      columns.push(col);
      return;
    }
    if (line.startsWith("{")) throw new Error(`${name}:${index + 1}: sparse ARFF is not supported`);
    const tokens = splitArffLine(line);
    if (tokens.length !== columns.length) {
      throw new Error(`${name}:${index + 1}: ${tokens.length} values, ${columns.length} attributes`);
    }
    rows.push(tokens.map(toCell));
  });
  if (!inData) throw new Error(`${name}: no @data section`);
  checkColumnNames(columns, name);
  return { name, format: "arff", columns, rows, declaredTypes, sha256: sha256(text) };
}

/** Loads by extension: `.arff` is ARFF, anything else CSV. */
export function loadDataset(path: string): Dataset {
  const text = readFileSync(path, "utf8");
  return path.toLowerCase().endsWith(".arff") ? parseArff(text, basename(path)) : parseCsv(text, basename(path));
}

/** Parses `col=numeric,col2=categorical` (the CLI's --types). */
export function parseTypeOverrides(spec: string | undefined): Record<string, ColumnType> {
  const out: Record<string, ColumnType> = {};
  if (!spec) return out;
  for (const part of spec.split(",")) {
    if (part.trim() === "") continue;
    const eq = part.lastIndexOf("=");
    const col = part.slice(0, eq).trim();
    const type = part.slice(eq + 1).trim();
    if (eq <= 0 || (type !== "numeric" && type !== "categorical")) {
      throw new Error(`bad type override "${part}": expected column=numeric or column=categorical`);
    }
    out[col] = type;
  }
  return out;
}

/**
 * Column types: an explicit override wins, then what the file declares, then inference
 * (numeric when every non-missing value parses as a number). A numeric override accepts up to
 * 10 % text, which training reads as missing.
 */
export function resolveColumnTypes(ds: Dataset, overrides: Record<string, ColumnType> = {}): Record<string, ColumnType> {
  for (const col of Object.keys(overrides)) {
    if (!ds.columns.includes(col)) throw new Error(`type override for unknown column ${col}`);
  }
  const out: Record<string, ColumnType> = {};
  ds.columns.forEach((col, j) => {
    const override = overrides[col];
    if (override === "numeric") {
      // Declared numeric, a column may hold a little text, read as missing (`detectMissingCodes`); mostly text, no.
      const present = ds.rows.filter((r) => r[j] !== null);
      const text = present.filter((r) => parseNumber(r[j] as string) === null);
      if (text.length > 0.1 * present.length) {
        throw new Error(`column ${col} forced numeric but ${text.length} of ${present.length} values are text, e.g. "${text[0][j]}"`);
      }
    }
    out[col] = override ?? ds.declaredTypes[col] ?? inferType(ds.rows.map((r) => r[j]));
  });
  return out;
}

export function inferType(values: Cell[]): ColumnType {
  let seen = 0;
  for (const v of values) {
    if (v === null) continue;
    if (parseNumber(v) === null) return "categorical";
    seen++;
  }
  // A column with no values at all carries nothing; calling it categorical keeps it harmless.
  return seen > 0 ? "numeric" : "categorical";
}

/** Reads one column as the typed values the encoders use (numbers or level names; null = missing). */
export function columnValues(ds: Dataset, col: string, type: ColumnType, missingCodes: readonly string[] = []): (number | string | null)[] {
  const j = ds.columns.indexOf(col);
  if (j < 0) throw new Error(`unknown column ${col}`);
  return ds.rows.map((r) => {
    const v = r[j];
    if (v === null || isMissingCode(v, missingCodes)) return null;
    if (type === "categorical") return v;
    const n = parseNumber(v);
    if (n === null) throw new Error(`column ${col} is numeric but holds "${v}"`);
    return n;
  });
}

/** True when a cell's text (or, for a number, its value) is one of the column's missing codes. */
export function isMissingCode(text: string, missingCodes: readonly string[]): boolean {
  if (missingCodes.length === 0) return false;
  const t = text.trim();
  if (missingCodes.includes(t)) return true;
  const n = parseNumber(t);
  return n !== null && missingCodes.includes(String(n));
}

const ALL_NINES = /^9{4,}$/;

/** Words (with counts) in a column whose present values are at least 90 % numbers. */
export interface StrayText {
  words: Record<string, number>;
  numbers: number;
}

/**
 * Codes that stand for "missing" inside a numeric column, found from the data:
 * - sentinels: an all-nines value (9999, 99999999) more than ten times the column's largest
 *   other value, the way older credit files code an unknown income;
 * - in a column declared numeric (`--types col=numeric`), every value that is not a number
 *   ("unknown", "-").
 * A column whose type was inferred as categorical although at least 90 % of its present values
 * are numbers is not guessed either way: it is returned with `stray` set, and training refuses it
 * until `--types` says which it is (one "abc" must not silently turn a numeric column into
 * categories).
 * Returns the type to use and the codes (numbers as `String(n)`, words as written).
 */
export function detectMissingCodes(
  values: Cell[],
  type: ColumnType,
  inferred: boolean,
): { type: ColumnType; missingCodes: string[]; stray?: StrayText } {
  const codes: string[] = [];
  const words = new Map<string, number>();
  let numbers = 0;
  for (const v of values) {
    if (v === null) continue;
    if (parseNumber(v) === null) words.set(v.trim(), (words.get(v.trim()) ?? 0) + 1);
    else numbers++;
  }
  const present = numbers + [...words.values()].reduce((a, b) => a + b, 0);
  if (type === "categorical" && inferred && words.size > 0 && numbers >= 0.9 * present) {
    return { type, missingCodes: [], stray: { words: Object.fromEntries([...words].sort()), numbers } };
  }
  if (type === "numeric" && !inferred) codes.push(...[...words.keys()].sort());
  if (type === "numeric") {
    const xs: number[] = [];
    for (const v of values) {
      if (v === null || codes.includes(v.trim())) continue;
      const n = parseNumber(v);
      if (n !== null) xs.push(n);
    }
    const candidates = [...new Set(xs.filter((x) => ALL_NINES.test(String(x))))].sort((a, b) => a - b);
    for (const c of candidates) {
      const rest = xs.filter((x) => !candidates.includes(x));
      const max = rest.reduce((m, x) => Math.max(m, x), -Infinity);
      if (rest.length > 0 && c > 10 * Math.max(max, 1)) codes.push(String(c));
    }
  }
  return { type, missingCodes: codes };
}
