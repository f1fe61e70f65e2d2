// One build for every command: `hardhat ignition deploy` builds the "production" profile, the tests, the demo and
// `deploy:local` build "default". Their compilation jobs must hash alike, or each command recompiles (minutes)
// what the other built. Reads the jobs only; compiles nothing.
import { expect } from "chai";
import hre from "hardhat";

async function buildIds(buildProfile: string): Promise<string[]> {
  const roots = await hre.solidity.getRootFilePaths({ scope: "contracts" });
  const jobs = await hre.solidity.getCompilationJobs(roots, { buildProfile, force: true, quiet: true, scope: "contracts" });
  if (!("compilationJobsPerFile" in jobs)) throw new Error(`cannot plan the ${buildProfile} build`);
  const entries = [...jobs.compilationJobsPerFile.entries()].sort(([a], [b]) => a.localeCompare(b));
  return Promise.all(entries.map(async ([file, job]) => `${file} ${await job.getBuildId()}`));
}

describe("build profiles", () => {
  it("test_buildProfile_productionHitsTheDefaultCache: every contract job has the same build id", async () => {
    const defaults = await buildIds("default");
    expect(defaults.length).to.be.greaterThan(20);
    expect(await buildIds("production")).to.deep.equal(defaults);
  });
});
