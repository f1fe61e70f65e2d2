import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  applicantRow,
  assess,
  compareToReference,
  DEFAULT_GBT,
  parseCsv,
  PSI_WARN,
  scoreApplicant,
  syntheticCreditCsv,
  train,
  type ModelArtifact,
  type TrainResult,
} from "../../src/risk/index.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "scripts", "risk.ts");

// Small grids keep these tests to seconds; the defaults are exercised end to end on credit-g.
const QUICK = { depths: [2], treeCounts: [100, 200], lambdas: [3] };

function applicants(csv: string): Record<string, unknown>[] {
  const ds = parseCsv(csv);
  return ds.rows.map((r) => Object.fromEntries(ds.columns.map((c, j) => [c, r[j]])));
}

function batchScores(model: ModelArtifact, batch: Record<string, unknown>[]) {
  return compareToReference(
    model.reference,
    batch.map((a) => applicantRow(model, a)),
    batch.map((a) => scoreApplicant(model, a).score),
  );
}

describe("risk pipeline on synthetic credit-scoring data", function () {
  this.timeout(120_000);
  const csv = syntheticCreditCsv({ rows: 1500, seed: 11 });
  let trees: TrainResult;

  before(() => {
    trees = train(parseCsv(csv, "synthetic.csv"), { target: "Status", bad: "bad", families: ["gbt"], ...QUICK });
  });

  it("test_train_sameSeedSameHash: training twice gives the same model version; another seed another one", () => {
    const again = train(parseCsv(csv, "synthetic.csv"), { target: "Status", bad: "bad", families: ["gbt"], ...QUICK });
    expect(again.model.modelVersion).to.equal(trees.model.modelVersion);
    const other = train(parseCsv(csv, "synthetic.csv"), { target: "Status", bad: "bad", families: ["gbt"], ...QUICK, seed: 7 });
    expect(other.model.modelVersion).to.not.equal(trees.model.modelVersion);
  });

  it("test_train_readsMissingCodes: 99999999 and NA are missing values, and the marital column is protected", () => {
    expect(trees.report.rows.missingCodes.Income).to.deep.equal(["99999999"]);
    expect(trees.report.rows.missingByColumn.Income).to.be.above(50);
    expect(trees.model.features.find((f) => f.name === "Income")!.type).to.equal("numeric");
    expect(trees.report.excluded.map((e) => e.column)).to.deep.equal(["Marital"]);
    const a = scoreApplicant(trees.model, { ...applicants(csv)[0], Income: "99999999" });
    expect(a.missing).to.include("Income");
  });

  it("test_calibrate_improvesBrierOnHeldOutFolds: Platt scaling repairs under-confident trees", () => {
    // A tiny learning rate leaves the raw probabilities near the base rate; calibration, fitted on
    // inner folds only, must bring the outer folds' Brier score down.
    const timid = train(parseCsv(csv, "synthetic.csv"), {
      target: "Status",
      bad: "bad",
      families: ["gbt"],
      depths: [2],
      treeCounts: [60],
      gbt: { learningRate: 0.01 },
    });
    const g = timid.report.families.gbt!;
    expect(g.brier).to.be.below(g.brierRaw - 0.005);
    expect(timid.report.calibrationMap.slope).to.be.above(1.5);
  });

  it("test_assess_reasonsForEveryDecision: every decision names a reason in plain words; declines name what lowered the score", () => {
    const batch = applicants(syntheticCreditCsv({ rows: 300, seed: 12 }));
    const kinds = new Set<string>();
    for (const a of batch) {
      const d = assess(trees.model, a);
      kinds.add(d.decision);
      expect(d.reasons.length, JSON.stringify(a)).to.be.within(1, 3);
      for (const r of d.reasons) expect(r.text).to.match(/^[A-Z].* \(.+\) (lowered the score by|was the weakest factor)/);
      if (d.decision === "decline") expect(d.reasons.every((r) => r.points < 0)).to.equal(true);
      expect(d.reasons.map((r) => r.column)).to.not.include("Marital");
    }
    expect([...kinds].sort()).to.deep.equal(["approve", "decline", "refer"]);
  });

  it("test_assess_treeReasonsMatchTheScore: reason points are the trees' own attributions, on the score's scale", () => {
    const a = applicants(csv)[3];
    const s = scoreApplicant(trees.model, a, 20);
    expect(s.reasons.length).to.be.at.least(1);
    const worst = s.reasons[0];
    expect(worst.points).to.be.below(0);
    expect(worst.text).to.match(/lowered the score by (less than 1 point|1 point|\d+ points)$/);
  });

  it("test_monitor_shiftedBatchWarns: a shifted population crosses the PSI warning level, a fresh draw does not", () => {
    const same = batchScores(trees.model, applicants(syntheticCreditCsv({ rows: 1500, seed: 13 })));
    expect(same.warnings).to.deep.equal([]);
    expect(same.score.psi).to.be.below(0.1);
    const shifted = batchScores(trees.model, applicants(syntheticCreditCsv({ rows: 1500, seed: 14, shift: 1.5 })));
    expect(shifted.score.psi).to.be.above(PSI_WARN);
    expect(shifted.warnings).to.include.members(["Age", "Income", "score"]);
  });

  it("test_train_blendExplainsToo: a blend of the scorecard and the trees of every depth, equal thirds, carries calibrated scores and reasons", () => {
    const blend = train(parseCsv(csv, "synthetic.csv"), { target: "Status", bad: "bad", families: ["blend"], ...QUICK, depths: [2, 3], treeCounts: [25, 50] });
    expect(blend.model.family).to.equal("blend");
    expect(blend.model.blendWeight).to.equal(1 / 3);
    // One tree model holds both depths' picks, every member's trees.
    const picked = [...blend.report.chosen.name.matchAll(/gbt depth (\d) × (\d+) trees/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(picked.map(([depth]) => depth)).to.deep.equal([2, 3]);
    const gbt = blend.model.gbt!;
    expect(gbt.trees.length).to.equal(picked.reduce((t, [, trees]) => t + trees * DEFAULT_GBT.bags, 0));
    expect(gbt.params.maxDepth).to.equal(3);
    const d = assess(blend.model, applicants(csv)[0]);
    expect(d.reasons.length).to.be.at.least(1);
    expect(d.probabilityOfBad).to.be.within(0, 1);
  });
});

describe("risk CLI", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "risk-cli-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8" });

  it("test_cli_helpForEverySubcommand: --help prints the usage and succeeds", () => {
    for (const command of ["train", "score", "monitor", "synth", "offer", "history"]) {
      const out = run(command, "--help");
      expect(out.status, command).to.equal(0);
      expect(out.stdout, command).to.match(new RegExp(`usage:\\s+npm run risk -- ${command} `));
    }
  });

  it("test_cli_errorsAreOneLine: a bad invocation gives one readable line, never a stack trace", () => {
    for (const args of [["train"], ["train", "--frobnicate"], ["score", "--model", join(dir, "none"), "--input", "x.json"], ["monitor", "--model", dir], ["nonsense"]]) {
      const out = run(...args);
      expect(out.status, args.join(" ")).to.not.equal(0);
      const lines = out.stderr.trim().split("\n");
      expect(lines, args.join(" ")).to.have.length(1);
      expect(lines[0]).to.match(/^risk: /);
      expect(out.stderr).to.not.match(/\n\s+at /);
    }
  });

  it("test_cli_strayTextRefused: one word in a numeric column is refused until --types says which it is", () => {
    const lines = syntheticCreditCsv({ rows: 600, seed: 5 }).trimEnd().split("\n");
    const header = lines[0].split(",");
    const age = header.indexOf("Age");
    const cells = lines[3].split(",");
    cells[age] = "abc";
    lines[3] = cells.join(",");
    const data = join(dir, "stray.csv");
    writeFileSync(data, lines.join("\n") + "\n");
    const base = ["train", "--data", data, "--target", "Status", "--bad", "bad", "--out", join(dir, "stray"), "--families", "gbt", "--depths", "2", "--trees", "100"];
    const refused = run(...base);
    expect(refused.status).to.equal(1);
    expect(refused.stderr.trim()).to.match(/^risk: column Age looks numeric \(\d+ numbers\) but has text: "abc" ×1; say which it is: --types Age=numeric/);
    const declared = run(...base, "--types", "Age=numeric");
    expect(declared.status, declared.stderr).to.equal(0);
    expect(declared.stdout).to.match(/warning: types inferred from the values, not declared: .*Income=numeric/);
    expect(declared.stdout).to.not.match(/Age=numeric \(declare/);
  });

  it("test_cli_chanceModelNotWritten: a target unrelated to the data gives no model unless --force", () => {
    const lines = syntheticCreditCsv({ rows: 600, seed: 6 }).trimEnd().split("\n");
    const header = lines[0].split(",");
    const status = header.indexOf("Status");
    // The label of each row replaced by a coin flip from a fixed sequence: nothing in the row predicts it.
    let state = 12345;
    for (let i = 1; i < lines.length; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      const cells = lines[i].split(",");
      cells[status] = (state >>> 16) % 2 === 0 ? "bad" : "good";
      lines[i] = cells.join(",");
    }
    const data = join(dir, "noise.csv");
    writeFileSync(data, lines.join("\n") + "\n");
    const out = join(dir, "noise");
    const base = ["train", "--data", data, "--target", "Status", "--bad", "bad", "--out", out, "--families", "gbt", "--depths", "2", "--trees", "100"];
    const refused = run(...base);
    expect(refused.status).to.equal(1);
    expect(refused.stderr.trim()).to.match(/^risk: no model written: its cross-validated AUC 0\.\d{4} is below 0\.55/);
    expect(existsSync(join(out, "model.json"))).to.equal(false);
    const forced = run(...base, "--force");
    expect(forced.status, forced.stderr).to.equal(0);
    expect(existsSync(join(out, "model.json"))).to.equal(true);
  });

  it("test_cli_monitorWarnsOnShift: synth → train → monitor prints a WARNING for a shifted batch", () => {
    const data = join(dir, "train.csv");
    const batch = join(dir, "batch.csv");
    execFileSync(process.execPath, [CLI, "synth", "--out", data, "--rows", "1200", "--seed", "21"]);
    execFileSync(process.execPath, [CLI, "synth", "--out", batch, "--rows", "800", "--seed", "22", "--shift", "1.5"]);
    const out = join(dir, "model");
    execFileSync(process.execPath, [CLI, "train", "--data", data, "--target", "Status", "--bad", "bad", "--out", out, "--families", "gbt", "--depths", "2", "--trees", "100"], {
      encoding: "utf8",
    });
    const text = execFileSync(process.execPath, [CLI, "monitor", "--model", out, "--data", batch], { encoding: "utf8" });
    expect(text).to.match(/WARNING: score has drifted \(PSI \d+\.\d+ > 0\.25\)/);
    const strict = run("monitor", "--model", out, "--data", batch, "--fail-on-drift");
    expect(strict.status).to.equal(3);
    writeFileSync(join(dir, "a.json"), JSON.stringify([{ Seniority: 1, Home: "rent", Time: 60, Age: 22, Records: "yes", Job: "partime", Expenses: 60, Income: 80, Assets: 0, Debt: 0, Amount: 1200, Price: 1250 }]));
    const scored = execFileSync(process.execPath, [CLI, "score", "--model", out, "--input", join(dir, "a.json")], { encoding: "utf8" });
    expect(scored).to.match(/reason: .+ lowered the score by (\d+ points?|less than 1 point)/);
  });
});
