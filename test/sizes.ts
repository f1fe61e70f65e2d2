// `scripts/sizes.ts` is the build's size gate: it must fail, not just print, when a contract's runtime code is above
// the 20,480-byte target or a chain limit. Run against fake artifacts at the edges, in a scratch directory.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("../scripts/sizes.ts", import.meta.url));

/** Runs the gate in a directory whose only artifacts are contracts with these runtime sizes (bytes). */
function gate(sizes: Record<string, { runtime: number; init?: number }>) {
  const dir = mkdtempSync(join(tmpdir(), "microcredit-sizes-"));
  try {
    for (const [name, size] of Object.entries(sizes)) {
      const folder = join(dir, "artifacts", "contracts", `${name}.sol`);
      mkdirSync(folder, { recursive: true });
      const artifact = {
        contractName: name,
        sourceName: `contracts/${name}.sol`,
        abi: [],
        bytecode: "0x" + "00".repeat(size.init ?? size.runtime + 100),
        deployedBytecode: "0x" + "00".repeat(size.runtime),
      };
      writeFileSync(join(folder, `${name}.json`), JSON.stringify(artifact));
    }
    return spawnSync(process.execPath, [SCRIPT], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("size gate (scripts/sizes.ts)", function () {
  this.timeout(120_000);

  it("test_sizes_atTarget: a contract of exactly 20,480 bytes passes", function () {
    const out = gate({ Edge: { runtime: 20_480 } });
    expect(out.status, out.stderr).to.equal(0);
    expect(out.stdout).to.match(/^Edge\s+20,480\s+4,096\s+20,580\s+ok$/m);
  });

  it("test_sizes_overTarget: one byte over the target fails the build and says by how much", function () {
    const out = gate({ Fits: { runtime: 1_000 }, Big: { runtime: 20_481 } });
    expect(out.status).to.equal(1);
    expect(out.stdout).to.match(/^Big\s+20,481\s+4,095\s+20,581\s+1 over$/m);
    expect(out.stdout).to.match(/^Fits\s+1,000\s+.*ok$/m);
    expect(out.stderr).to.contain("sizes: 1 contract(s) above the target of 20,480 bytes of runtime code");
  });

  it("test_sizes_overChainLimit: runtime above EIP-170 or initcode above EIP-3860 fails as undeployable", function () {
    const out = gate({ Runtime: { runtime: 24_577 }, Init: { runtime: 100, init: 49_153 } });
    expect(out.status).to.equal(1);
    expect(out.stdout).to.match(/^Runtime\s+24,577\s+-1\s+.*OVER THE CHAIN LIMIT$/m);
    expect(out.stdout).to.match(/^Init\s+100\s+.*49,153\s+OVER THE CHAIN LIMIT$/m);
    expect(out.stderr).to.contain(
      "sizes: 2 contract(s) above the EIP-170 / EIP-3860 limits would not deploy",
    );
    expect(out.stderr).to.contain("sizes: 1 contract(s) above the target of 20,480 bytes of runtime code");
  });
});
