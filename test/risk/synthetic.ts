import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assess, createRng, sigmoid, trainFile } from "../../src/risk/index.ts";

// A known logistic relationship with gaps: the engine must find it without being told more
// than the target, the bad label and the column types.
function syntheticCsv(n: number, seed: number) {
  const rng = createRng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const regionEffect: Record<string, number> = { north: 0, south: 0.9, east: -0.7, west: 0.3 };
  const regions = Object.keys(regionEffect);
  const lines = ["applicant_id,income_z,tenure_years,region,gender,outcome"];
  let missingIncome = 0;
  let missingRegion = 0;
  let rowsWithMissing = 0;
  let bads = 0;
  for (let i = 0; i < n; i++) {
    const income = normal();
    const tenure = 10 * rng();
    const region = regions[Math.floor(rng() * regions.length)];
    const gender = rng() < 0.5 ? "f" : "m"; // no effect, and must never be used
    const bad = rng() < sigmoid(-1 - 1.2 * income - 0.25 * (tenure - 5) + regionEffect[region]);
    bads += bad ? 1 : 0;
    const hideIncome = rng() < 0.1;
    const hideRegion = rng() < 0.05;
    missingIncome += hideIncome ? 1 : 0;
    missingRegion += hideRegion ? 1 : 0;
    rowsWithMissing += hideIncome || hideRegion ? 1 : 0;
    lines.push(
      [`A${String(i).padStart(4, "0")}`, hideIncome ? "" : income.toFixed(4), tenure.toFixed(2), hideRegion ? "?" : region, gender, bad ? "default" : "repaid"].join(","),
    );
  }
  return { csv: lines.join("\n") + "\n", missingIncome, missingRegion, rowsWithMissing, bads };
}

describe("synthetic CSV with missing values (library entry point used by the CLI)", function () {
  this.timeout(30_000);
  const data = syntheticCsv(400, 2024);
  let dir: string;
  let result: ReturnType<typeof trainFile>;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "risk-synthetic-"));
    writeFileSync(join(dir, "applicants.csv"), data.csv);
    result = trainFile(join(dir, "applicants.csv"), {
      target: "outcome",
      bad: "default",
      types: { income_z: "numeric", tenure_years: "numeric", region: "categorical" },
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("learns the relationship: nested cross-validated AUC well above 0.5", () => {
    expect(data.bads).to.be.within(80, 240);
    expect(result.report.auc).to.be.above(0.72);
    expect(result.report.families.scorecard!.auc).to.be.above(0.72);
    expect(result.report.rows).to.deep.include({ total: 400, used: 400 });
  });

  it("counts missing values per column and rows with any, keeping every row", () => {
    expect(data.missingIncome).to.be.above(20);
    expect(result.report.rows.missingByColumn).to.deep.equal({
      income_z: data.missingIncome,
      tenure_years: 0,
      region: data.missingRegion,
    });
    expect(result.report.rows.withMissing).to.equal(data.rowsWithMissing);
    expect(result.report.rows.missingCells).to.equal(data.missingIncome + data.missingRegion);
  });

  it("drops the protected and the identifier-like column, with reasons", () => {
    const excluded = Object.fromEntries(result.report.excluded.map((e) => [e.column, e.reason]));
    expect(Object.keys(excluded).sort()).to.deep.equal(["applicant_id", "gender"]);
    expect(excluded.gender).to.match(/protected/);
    expect(excluded.applicant_id).to.match(/identifier-like/);
  });

  it("finds the directions of the true effects", () => {
    const score = (a: Record<string, unknown>) => assess(result.model, a).score;
    const base = { income_z: 0, tenure_years: 5, region: "north" };
    expect(score({ ...base, income_z: 1.5 })).to.be.above(score({ ...base, income_z: -1.5 }));
    expect(score({ ...base, tenure_years: 9 })).to.be.above(score({ ...base, tenure_years: 1 }));
    expect(score({ ...base, region: "east" })).to.be.above(score({ ...base, region: "south" }));
  });

  it("scores a missing income through the learned missing bin, not as unreadable", () => {
    const a = assess(result.model, { tenure_years: 5, region: "north" });
    expect(a.missing).to.deep.equal(["income_z"]);
    expect(a.unreadable).to.deep.equal([]);
    expect(a.score).to.be.a("number");
    const unknown = assess(result.model, { income_z: 0, tenure_years: 5, region: "mars" });
    expect(unknown.unreadable).to.deep.equal(["region"]);
  });
});
