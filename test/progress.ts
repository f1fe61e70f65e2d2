// Progress of long passes: a bar on a terminal, plain lines at intervals when piped (a CI log never gets a carriage
// return), nothing for a pass that ends quickly; and the passes that report it (event scan, parallel reads, training).
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Provider } from "ethers";
import { CheckpointStore, emptyCheckpoint } from "../src/chain/checkpoint.ts";
import { discoverLoans } from "../src/chain/discovery.ts";
import { mapLimit } from "../src/util/async.ts";
import { progressLine, startProgress, withProgress, type StartProgress } from "../src/util/progress.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** A clock the test moves, a pipe (no TTY) and the lines logged. */
function piped() {
  let t = 1_000_000;
  const lines: string[] = [];
  const written: string[] = [];
  const stream = { isTTY: false, write: (s: string) => written.push(s) > 0 } as unknown as NodeJS.WriteStream;
  return {
    lines,
    written,
    advance: (ms: number) => (t += ms),
    options: { stream, log: (l: string) => lines.push(l), now: () => t, quietMs: 2_000, everyMs: 10_000 },
  };
}

/** A terminal that records what is drawn on it. */
function terminal() {
  const out: string[] = [];
  const stream = {
    isTTY: true,
    columns: 100,
    write(s: string) {
      out.push(s);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { out, stream };
}

describe("progress", () => {
  it("test_progress_piped: nothing before quietMs, then one plain line per everyMs and a closing line, no \\r", () => {
    const p = piped();
    const bar = startProgress("scanning blocks", 10_000, p.options);
    p.advance(1_000);
    bar.update(1_000);
    expect(p.lines).to.deep.equal([]);
    p.advance(1_500); // 2.5 s
    bar.update(2_000);
    p.advance(3_000); // 5.5 s: within 10 s of the last line
    bar.update(4_000);
    p.advance(8_000); // 13.5 s
    bar.update(9_000);
    bar.stop();
    expect(p.lines).to.deep.equal([
      "scanning blocks: 2,000 of 10,000 (20%), 0:03 elapsed",
      "scanning blocks: 9,000 of 10,000 (90%), 0:14 elapsed",
      "scanning blocks: 9,000 of 10,000 done in 0:14",
    ]);
    expect(p.written).to.deep.equal([]);
    expect(p.lines.join("\n")).to.not.contain("\r");
  });

  it("test_progress_quick: a pass that ends within quietMs prints nothing, not even a closing line", () => {
    const p = piped();
    const bar = startProgress("reading loans", 200, p.options);
    for (let i = 1; i <= 200; i++) bar.update(i);
    p.advance(1_999);
    bar.stop();
    expect(p.lines).to.deep.equal([]);
  });

  it("test_progress_terminal: a bar with label, count and percentage; a log line goes above it; stop clears it", () => {
    const { out, stream } = terminal();
    const lines: string[] = [];
    let t = 0;
    const bar = startProgress("replaying history", 4_000, { stream, log: (l) => lines.push(l), now: () => t, quietMs: 0 });
    t = 10;
    bar.update(1_000);
    const drawn = out.join("");
    expect(drawn).to.match(/replaying history \[[^\]]+\] 1,000\/4,000 25% \| 0:00 elapsed, eta /);
    out.length = 0;
    bar.log("a line of the pass");
    expect(lines).to.deep.equal(["a line of the pass"]);
    expect(out[0]).to.equal("\r\x1b[2K");
    expect(out.join("")).to.match(/replaying history \[[^\]]+\] 1,000\/4,000 25%/);
    bar.stop();
    expect(lines).to.deep.equal(["a line of the pass"]); // no plain line on a terminal
  });

  it("test_progress_withProgress: stops the bar when the pass throws, and starts none for an empty pass", async () => {
    const started: string[] = [];
    const stopped: string[] = [];
    const start: StartProgress = (label) => {
      started.push(label);
      return { update() {}, log() {}, stop: () => stopped.push(label) };
    };
    await withProgress(start, "empty", 0, async () => undefined);
    expect(started).to.deep.equal([]);
    let caught: unknown;
    try {
      await withProgress(start, "failing", 5, async () => {
        throw new Error("boom");
      });
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).to.equal("boom");
    expect(stopped).to.deep.equal(["failing"]);
  });

  it("test_progress_line: counts with separators, whole percent, m:ss", () => {
    expect(progressLine("x", 1_234, 10_000, 65_400)).to.equal("x: 1,234 of 10,000 (12%), 1:05 elapsed");
    expect(progressLine("x", 0, 0, 0)).to.equal("x: 0 of 0 (100%), 0:00 elapsed");
  });

  it("test_progress_passes: the event scan reports blocks page by page, mapLimit every finished call", async () => {
    const updates: number[] = [];
    const labels: string[] = [];
    const start: StartProgress = (label, total) => {
      labels.push(`${label} ${total}`);
      return { update: (n) => updates.push(n), log() {}, stop() {} };
    };
    const provider = {
      getBlockNumber: async () => 9_999,
      getLogs: async () => [],
    } as unknown as Provider;
    const ledger = "0x0000000000000000000000000000000000000001";
    const store = new (class extends CheckpointStore {
      override save(): void {}
    })("", emptyCheckpoint(31337n, ledger, 0));
    await discoverLoans(provider, ledger, store, { pageBlocks: 4_000, confirmations: 0, progress: start });
    expect(labels).to.deep.equal(["scanning blocks 10000"]);
    expect(updates).to.deep.equal([4_000, 8_000, 10_000]);

    const done: number[] = [];
    const out = await mapLimit([1, 2, 3, 4, 5], 2, async (x) => x * 2, undefined, (n) => done.push(n));
    expect(out).to.deep.equal([2, 4, 6, 8, 10]);
    expect(done).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it("test_progress_riskTrainPiped: `risk train` into a pipe prints plain progress lines and no carriage return", function () {
    this.timeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), "microcredit-train-"));
    try {
      const out = spawnSync(
        process.execPath,
        ["scripts/risk.ts", "train", "--data", "data/credit-g.arff", "--target", "class", "--bad", "bad", "--out", dir],
        { cwd: ROOT, encoding: "utf8", timeout: 120_000 },
      );
      expect(out.status, out.stderr).to.equal(0);
      expect(out.stdout + out.stderr).to.not.contain("\r");
      expect(out.stdout).to.match(/^cross-validations: \d of 6 \(\d+%\), 0:0\d elapsed$/m);
      expect(out.stdout).to.match(/^cross-validations: 6 of 6 done in \d:\d\d$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
