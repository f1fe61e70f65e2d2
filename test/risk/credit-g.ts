import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseModel, serializeModel, trainFile } from "../../src/risk/index.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DATA = join(ROOT, "data", "credit-g.arff");

function cli(...args: string[]): string {
  return execFileSync(process.execPath, [join(ROOT, "scripts", "risk.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
}

const sha256 = (bytes: string | Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("credit-g risk model (CLI end to end)", function () {
  this.timeout(120_000);
  let dir: string;
  let stdout: string;
  let report: Record<string, any>;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "risk-credit-g-"));
    stdout = cli("train", "--data", DATA, "--target", "class", "--bad", "bad", "--out", dir);
    report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("ships the dataset unchanged (sha256 of the Debian weka copy)", () => {
    expect(sha256(readFileSync(DATA))).to.equal("bd94085134e4eb845c96b34c93ed65a223f89d089bacb273ef96f57509ce0bed");
  });

  it("reaches the nested-CV AUC of at least 0.80 that issue #20 asks for, and writes every report key", () => {
    for (const key of ["auc", "aucStd", "ks", "brier", "brierRaw", "calibration", "cutoffs", "rows", "excluded", "seed", "modelVersion", "families", "fairness", "chosen"]) {
      expect(report, key).to.have.property(key);
    }
    expect(report.auc).to.be.at.least(0.8);
    expect(report.aucStd).to.be.within(0, 0.1);
    expect(report.aucByFold).to.have.length(5);
    expect(report.seed).to.equal(42);
    expect(report.ks).to.be.within(0.3, 1);
    expect(report.brier).to.be.within(0, 0.2);
    expect(report.calibration).to.have.length(10);
    expect(report.calibration.reduce((n: number, b: { count: number }) => n + b.count, 0)).to.equal(1000);
    expect(report.cutoffs[0].approvalRate).to.equal(1);
    expect(report.cutoffs.every((c: { cutoff: number }) => c.cutoff % 20 === 0)).to.equal(true);
    expect(report.rows).to.deep.include({ total: 1000, used: 1000, withMissing: 0, droppedMissingTarget: 0 });
  });

  it("reports both families and their blend with AUC, KS and Brier before and after calibration", () => {
    for (const family of ["scorecard", "gbt", "blend"]) {
      const f = report.families[family];
      expect(f.auc, family).to.be.within(0.75, 0.9);
      expect(f.ks, family).to.be.within(0.3, 1);
      expect(f.brier, family).to.be.within(0.1, 0.2);
      expect(f.brierRaw, family).to.be.within(0.1, 0.2);
      expect(f.picks, family).to.have.length(5);
    }
    expect(report.chosen.why).to.match(/highest selection-CV AUC/);
  });

  it("states approval rates and limits by age band and by sex from personal_status, with the gap", () => {
    const tables = report.fairness.tables as { attribute: string; approvalGap: number; groups: { group: string; applicants: number }[] }[];
    const names = tables.map((t) => t.attribute);
    expect(names).to.include.members(["age band", "personal_status", "sex (from personal_status)"]);
    const sex = tables.find((t) => t.attribute === "sex (from personal_status)")!;
    expect(sex.groups.map((g) => g.group).sort()).to.deep.equal(["female", "male"]);
    expect(sex.groups.reduce((n, g) => n + g.applicants, 0)).to.equal(1000);
    for (const t of tables) expect(t.approvalGap).to.be.within(0, 1);
  });

  it("excludes personal_status and foreign_worker as protected attributes and says why", () => {
    const excluded = report.excluded as { column: string; reason: string }[];
    expect(excluded.map((e) => e.column)).to.deep.equal(["personal_status", "foreign_worker"]);
    expect(excluded[0].reason).to.match(/sex/);
    expect(excluded[1].reason).to.match(/nationality/);
    const model = parseModel(readFileSync(join(dir, "model.json"), "utf8"));
    expect(model.features.map((f) => f.name)).not.to.include.members(["personal_status", "foreign_worker"]);
    expect(model.features).to.have.length(18);
  });

  it("prints progress and a readable summary with the calibration table", () => {
    expect(stdout).to.match(/\[\s*\d+\.\ds\] loaded credit-g\.arff: 1000 rows/);
    expect(stdout).to.match(/nested CV AUC 0\.\d{4} ± 0\.\d{4}/);
    expect(stdout).to.match(/gbt\s+0\.\d{4}\s+0\.\d{4}\s+0\.\d{4}/);
    expect(stdout).to.contain("calibration (out-of-fold deciles");
    expect(stdout).to.contain("fairness (out-of-fold decisions");
  });

  it("is deterministic: retraining gives a byte-identical model.json (same sha256)", () => {
    const again = serializeModel(trainFile(DATA, { target: "class", bad: "bad" }).model);
    expect(sha256(again)).to.equal(sha256(readFileSync(join(dir, "model.json"))));
    expect(JSON.parse(again).modelVersion).to.equal(report.modelVersion);
  });

  it("pins the model version to its content: a tampered coefficient is refused", () => {
    const text = readFileSync(join(dir, "model.json"), "utf8");
    const model = JSON.parse(text);
    model.calibration.intercept += 0.1;
    expect(() => parseModel(JSON.stringify(model))).to.throw(/does not match its version/);
  });

  it("scores the example applicant into a decision with limit, APR and products", () => {
    const out = JSON.parse(cli("score", "--model", join(dir, "model.json"), "--input", join(ROOT, "examples", "applicant.json"), "--json"));
    expect(out).to.have.length(1);
    const a = out[0];
    expect(a.modelVersion).to.equal(report.modelVersion);
    expect(a.score).to.be.a("number");
    expect(a.probabilityOfBad).to.be.within(0, 1);
    expect(["approve", "refer", "decline"]).to.include(a.decision);
    expect(a.limit).to.match(/^\d+$/); // base units as a decimal string, never a float
    if (a.decision !== "decline") expect(a.aprBps).to.be.within(720, 2399);
    expect(a.missing).to.deep.equal([]);
    const text = cli("score", "--model", join(dir, "model.json"), "--input", join(ROOT, "examples", "applicant.json"));
    expect(text).to.match(/applicant applicant-1: score \d+ {2}P\(bad\) 0\.\d{3}/);
  });

  it("re-scores with on-chain behaviour from --history: a default freezes the line", () => {
    const history = join(dir, "history.json");
    writeFileSync(history, JSON.stringify([{ onTimeCount: 4, lateCount: 1, maxDaysLate: 95, defaults: 1, totalBorrowed: "2000000000", totalRepaid: "500000000" }]));
    const args = ["score", "--model", join(dir, "model.json"), "--input", join(ROOT, "examples", "applicant.json"), "--json"];
    const [a] = JSON.parse(cli(...args, "--history", history));
    expect(a).to.deep.include({ decision: "decline", limit: "0", aprBps: null, products: [] });
    expect(a.baseDecision.decision).to.not.equal("decline");
  });
});
