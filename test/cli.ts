// The operator CLIs (keeper, monitor, risk) as a newcomer meets them: a bad flag, a bad address, a node that is
// down, and a fresh clone before any build each give one line and a non-zero exit, never a stack trace.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isMissingBuild } from "../scripts/cli-support.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const DOWN = "http://127.0.0.1:9"; // nothing listens on the discard port

function run(cwd: string, script: string, ...args: string[]) {
  return spawnSync(process.execPath, [join("scripts", script), ...args], {
    cwd,
    encoding: "utf8",
    timeout: 60_000,
  });
}

function expectOneLine(out: ReturnType<typeof run>, pattern: RegExp, status = 2) {
  expect(out.status, out.stderr).to.equal(status);
  const lines = out.stderr.trim().split("\n");
  expect(lines, out.stderr).to.have.length(1);
  expect(lines[0]).to.match(pattern);
  expect(out.stderr).to.not.match(/\n\s+at /);
}

describe("operator CLIs: one line for every user mistake", function () {
  this.timeout(120_000);

  it("test_cli_unknownFlag: keeper and monitor name the flag", () => {
    expectOneLine(
      run(ROOT, "keeper.ts", "--frobnicate"),
      /^keeper: Unknown option '--frobnicate'.* \(see --help\)$/,
    );
    expectOneLine(
      run(ROOT, "monitor.ts", "--frobnicate"),
      /^monitor: Unknown option '--frobnicate'.* \(see --help\)$/,
    );
  });

  it("test_cli_badAddress: an address that is not one is refused before any connection", () => {
    expectOneLine(
      run(ROOT, "keeper.ts", "--ledger", "nope"),
      /^keeper: --ledger must be an address, got "nope"/,
    );
    expectOneLine(
      run(ROOT, "monitor.ts", "--pool", "0x12"),
      /^monitor: --pool must be an address, got "0x12"/,
    );
  });

  it("test_cli_nodeDown: a node that does not answer is named with its URL", () => {
    expectOneLine(
      run(ROOT, "keeper.ts", "--rpc", DOWN, "--once"),
      /^keeper: cannot reach http:\/\/127\.0\.0\.1:9: /,
    );
    expectOneLine(
      run(ROOT, "monitor.ts", "--rpc", DOWN, "--once"),
      /^monitor: cannot reach http:\/\/127\.0\.0\.1:9: /,
    );
  });

  describe("a fresh clone before `npm run build`", () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "microcredit-prebuild-"));
      for (const path of ["scripts", "src", "data", "package.json"])
        cpSync(join(ROOT, path), join(dir, path), { recursive: true });
      symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("test_cli_beforeBuild: keeper and monitor say to build first; --help and the offline risk commands work", () => {
      expectOneLine(
        run(dir, "keeper.ts", "--once"),
        /^keeper: the contracts are not built yet: run `npm run build` first/,
      );
      expectOneLine(
        run(dir, "monitor.ts", "--once"),
        /^monitor: the contracts are not built yet: run `npm run build` first/,
      );
      for (const script of ["keeper.ts", "monitor.ts"]) {
        const help = run(dir, script, "--help");
        expect(help.status, help.stderr).to.equal(0);
        expect(help.stdout).to.match(/^usage: npm run /);
      }
      const synth = run(dir, "risk.ts", "synth", "--out", join(dir, "s.csv"), "--rows", "50");
      expect(synth.status, synth.stderr).to.equal(0);
      expect(run(dir, "risk.ts", "train", "--help").status).to.equal(0);
    });
  });

  it("isMissingBuild recognises only a missing typechain-types module", () => {
    const missing = Object.assign(new Error("Cannot find module '/x/typechain-types/index.ts'"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    expect(isMissingBuild(missing)).to.equal(true);
    const other = Object.assign(new Error("Cannot find module 'left-pad'"), { code: "ERR_MODULE_NOT_FOUND" });
    expect(isMissingBuild(other)).to.equal(false);
    expect(isMissingBuild(new Error("typechain-types"))).to.equal(false);
  });
});
