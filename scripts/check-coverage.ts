// Coverage gate: reads what `hardhat test --coverage` (npm run coverage) wrote and fails below the minimum line
// coverage of the contracts (contracts/**, mocks excluded).
//
// Where Hardhat 3.18 writes its coverage (hardhat/src/internal/builtin-plugins/coverage/coverage-manager.ts):
// - coverage/lcov.info: one SF/DA/LH/LF record per instrumented file, lines only. No BRDA/BRF/BRH: EDR reports
//   which statements ran, not branches, and not how often.
// - coverage/data/<test run>/<uuid>.json: the statements executed, as `{ tag: count }`, per test worker.
// - coverage/html: the same line data as an HTML report.
// Statement totals are printed by Hardhat but not written anywhere, so this script works them out the way Hardhat
// does: it instruments each contract with EDR's `addStatementCoverageInstrumentation` (the tags are a deterministic
// function of source text, source name and solc version) and counts the tags the test runs executed.
//
// Usage: node scripts/check-coverage.ts [--min-lines 95]   (or COVERAGE_MIN_LINES=95)
import { createRequire } from "node:module";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

type Edr = typeof import("@nomicfoundation/edr");

const require = createRequire(import.meta.url);
const edr = require("@nomicfoundation/edr") as Edr;

const ROOT = process.cwd();
const COVERAGE_DIR = join(ROOT, "coverage");
const LCOV = join(COVERAGE_DIR, "lcov.info");
const DATA_DIR = join(COVERAGE_DIR, "data");
const SOLC_VERSION = "0.8.28"; // hardhat.config.ts
const INCLUDE = "contracts/";
const EXCLUDE = ["contracts/mocks/"];

function minLines(): number {
  const i = process.argv.indexOf("--min-lines");
  const raw = i >= 0 ? process.argv[i + 1] : (process.env.COVERAGE_MIN_LINES ?? "95");
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 100) fail(`invalid minimum line coverage: ${raw}`);
  return value;
}

function fail(message: string): never {
  console.error(`check-coverage: ${message}`);
  process.exit(1);
}

function inScope(path: string): boolean {
  return path.startsWith(INCLUDE) && !EXCLUDE.some((prefix) => path.startsWith(prefix));
}

function listSolidity(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...listSolidity(full));
    else if (entry.endsWith(".sol")) out.push(relative(ROOT, full).split(sep).join("/"));
  }
  return out.sort();
}

interface LcovFile {
  lines: Map<number, number>;
  branchesFound: number;
  branchesHit: number;
  hasBranches: boolean;
}

function readLcov(): Map<string, LcovFile> {
  if (!existsSync(LCOV)) fail(`${relative(ROOT, LCOV)} not found: run \`npm run coverage\` first`);
  const files = new Map<string, LcovFile>();
  let current: LcovFile | undefined;
  for (const line of readFileSync(LCOV, "utf8").split("\n")) {
    if (line.startsWith("SF:")) {
      const path = line.slice(3).trim().split(sep).join("/");
      current = { lines: new Map(), branchesFound: 0, branchesHit: 0, hasBranches: false };
      files.set(path.startsWith("/") ? relative(ROOT, path) : path, current);
    } else if (current === undefined) {
      continue;
    } else if (line.startsWith("DA:")) {
      const [lineNo, count] = line.slice(3).split(",").map(Number);
      current.lines.set(lineNo, Math.max(current.lines.get(lineNo) ?? 0, count));
    } else if (line.startsWith("BRF:")) {
      current.branchesFound = Number(line.slice(4));
      current.hasBranches = true;
    } else if (line.startsWith("BRH:")) {
      current.branchesHit = Number(line.slice(4));
      current.hasBranches = true;
    } else if (line === "end_of_record") {
      current = undefined;
    }
  }
  return files;
}

/** Every statement tag any test run executed, from coverage/data/<run>/*.json. */
function readExecutedTags(): Set<string> {
  if (!existsSync(DATA_DIR)) fail(`${relative(ROOT, DATA_DIR)} not found: run \`npm run coverage\` first`);
  const tags = new Set<string>();
  for (const run of readdirSync(DATA_DIR)) {
    const dir = join(DATA_DIR, run);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      const counts = JSON.parse(readFileSync(join(dir, file), "utf8")) as Record<string, number>;
      for (const [tag, count] of Object.entries(counts)) if (count > 0) tags.add(tag);
    }
  }
  return tags;
}

function statementTags(path: string): string[] {
  const solcVersion = edr.latestSupportedSolidityVersion();
  const version = compareVersions(SOLC_VERSION, solcVersion) <= 0 ? SOLC_VERSION : solcVersion;
  const { metadata } = edr.addStatementCoverageInstrumentation(
    readFileSync(join(ROOT, path), "utf8"),
    `project/${path}`,
    version,
  );
  return metadata.filter((m) => m.kind === "statement").map((m) => Buffer.from(m.tag).toString("hex"));
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

/** 3, 4, 5, 9 → "3-5, 9" */
function ranges(lines: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j] + 1) j++;
    out.push(i === j ? `${lines[i]}` : `${lines[i]}-${lines[j]}`);
    i = j;
  }
  return out.join(", ");
}

function pct(hit: number, found: number): string {
  return found === 0 ? "-" : `${((hit * 100) / found).toFixed(2)}%`;
}

interface Row {
  path: string;
  linesHit: number;
  linesFound: number;
  statementsHit: number;
  statementsFound: number;
  uncovered: number[];
}

const minimum = minLines();
const lcov = readLcov();
const executed = readExecutedTags();
const rows: Row[] = [];
const missing: string[] = [];
let branchesFound = 0;
let branchesHit = 0;
let hasBranches = false;
let tagsMatched = 0;

for (const path of listSolidity(join(ROOT, "contracts")).filter(inScope)) {
  const tags = statementTags(path);
  if (tags.length === 0) continue; // interfaces and other files without executable code
  const statementsHit = tags.filter((t) => executed.has(t)).length;
  tagsMatched += statementsHit;
  const file = lcov.get(path);
  if (file === undefined) {
    // Never compiled in the coverage run: nothing of it ran.
    missing.push(path);
    rows.push({ path, linesHit: 0, linesFound: 0, statementsHit, statementsFound: tags.length, uncovered: [] });
    continue;
  }
  const uncovered = [...file.lines].filter(([, n]) => n === 0).map(([l]) => l).sort((a, b) => a - b);
  rows.push({
    path,
    linesHit: file.lines.size - uncovered.length,
    linesFound: file.lines.size,
    statementsHit,
    statementsFound: tags.length,
    uncovered,
  });
  if (file.hasBranches) {
    hasBranches = true;
    branchesFound += file.branchesFound;
    branchesHit += file.branchesHit;
  }
}

if (rows.length === 0) fail("no contract with statements found under contracts/");
if (tagsMatched === 0) {
  fail(
    "no executed statement matches the contracts' statement tags: the coverage data is empty or the instrumentation " +
      "(EDR version, source names) changed",
  );
}

const width = Math.max(...rows.map((r) => r.path.length), "File".length);
const header = `${"File".padEnd(width)}  ${"Lines".padStart(17)}  ${"Statements".padStart(17)}  Uncovered lines`;
console.log(header);
console.log("-".repeat(header.length));
const total = { linesHit: 0, linesFound: 0, statementsHit: 0, statementsFound: 0 };
for (const r of rows) {
  total.linesHit += r.linesHit;
  total.linesFound += r.linesFound;
  total.statementsHit += r.statementsHit;
  total.statementsFound += r.statementsFound;
  const lines = `${r.linesHit}/${r.linesFound} ${pct(r.linesHit, r.linesFound)}`;
  const statements = `${r.statementsHit}/${r.statementsFound} ${pct(r.statementsHit, r.statementsFound)}`;
  console.log(`${r.path.padEnd(width)}  ${lines.padStart(17)}  ${statements.padStart(17)}  ${ranges(r.uncovered)}`);
}
console.log("-".repeat(header.length));
const lineTotal = `${total.linesHit}/${total.linesFound} ${pct(total.linesHit, total.linesFound)}`;
const statementTotal = `${total.statementsHit}/${total.statementsFound} ${pct(total.statementsHit, total.statementsFound)}`;
console.log(`${"Total".padEnd(width)}  ${lineTotal.padStart(17)}  ${statementTotal.padStart(17)}`);
console.log(
  hasBranches
    ? `Branches: ${branchesHit}/${branchesFound} ${pct(branchesHit, branchesFound)}`
    : "Branches: not reported (Hardhat 3's lcov has no BRDA/BRF/BRH records: EDR provides statement coverage only)",
);

if (missing.length > 0) fail(`not in ${relative(ROOT, LCOV)} (not compiled by the coverage run): ${missing.join(", ")}`);
const linePct = total.linesFound === 0 ? 0 : (total.linesHit * 100) / total.linesFound;
if (linePct < minimum) {
  fail(`line coverage ${linePct.toFixed(2)}% of contracts/ (mocks excluded) is below the minimum of ${minimum}%`);
}
console.log(`check-coverage: line coverage ${linePct.toFixed(2)}% ≥ ${minimum}%`);
