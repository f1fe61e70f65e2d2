// `microcredit ops collect` in batches: when a later batch fails, the batches already mined are reported (what they
// collected, their hashes) before the error, on stderr, or with --json as the one object on stdout. Runs the command
// against a client that mines one batch and then fails, so no node is needed.
import { expect } from "chai";
import { ops } from "../src/cli/ops.ts";
import type { Context } from "../src/cli/context.ts";

const collect = ops.commands.find((c) => c.name === "collect")!;
const IDS = Array.from({ length: 150 }, (_, i) => String(i + 1)).join(","); // two batches of at most 100

/** A client whose first `collect` mines (5.00 collected) and whose second fails like a reverted transaction. */
function failingOnTheSecondBatch() {
  const batches: bigint[][] = [];
  const client = {
    decimals: 6,
    async collect(ids: readonly bigint[]) {
      batches.push([...ids]);
      if (batches.length > 1)
        throw Object.assign(new Error("long\ntext"), { shortMessage: "execution reverted" });
      return { value: 5_000_000n, receipt: { hash: "0xaa" } };
    },
  };
  const ctx = { client: async () => client } as unknown as Context;
  return { ctx, batches };
}

/** Runs `fn` with stdout and stderr captured. */
async function captured(fn: () => Promise<unknown>) {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => out.push(s) > 0) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => err.push(s) > 0) as typeof process.stderr.write;
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
  return { out: out.join(""), err: err.join(""), error };
}

describe("microcredit ops collect: a batch that fails after others were mined", () => {
  it("test_opsCollect_partial: says what the mined batch collected, then fails with the error", async () => {
    const { ctx, batches } = failingOnTheSecondBatch();
    const { err, out, error } = await captured(() => collect.run(ctx, { loans: IDS }));
    expect(batches.map((b) => b.length)).to.deep.equal([100, 50]);
    expect((error as Error).message).to.equal("long\ntext", "the error goes on to the command's error line");
    expect(out).to.equal("");
    expect(err).to.contain(
      "collected 5.00 from 100 of 150 loan(s) in 1 batch(es) before batch 2 failed (tx 0xaa)\n",
    );
  });

  it("test_opsCollect_partialJson: --json prints the mined batch as one object with the error", async () => {
    const { ctx } = failingOnTheSecondBatch();
    const { out, error } = await captured(() => collect.run(ctx, { loans: IDS, json: true }));
    expect(error).to.be.instanceOf(Error);
    const partial = JSON.parse(out);
    expect(partial.command).to.equal("ops collect");
    expect(partial.loans).to.have.length(100);
    expect(partial.loans[0]).to.equal("1");
    expect(partial.loans[99]).to.equal("100");
    expect(partial.collected).to.equal("5000000");
    expect(partial.decimals).to.equal(6);
    expect(partial.tx).to.deep.equal(["0xaa"]);
    expect(partial.error).to.equal("execution reverted");
  });
});
