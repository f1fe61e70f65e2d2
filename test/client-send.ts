// sendOrUndo (src/client/send.ts), the client's one rule for a transaction prepared with an approval or a consent:
// put back only what a transaction that did not happen was given, tell a failed put-back, and never undo after an
// unknown outcome. Driven with a stand-in contract whose estimate, send, wait and receipt lookup fail on demand.
import { expect } from "chai";
import { makeError, type Contract, type ContractTransactionReceipt } from "ethers";
import { sendOrUndo } from "../src/client/send.ts";
import { rejection } from "./helpers/refusal.ts";

const HASH = "0x" + "ab".repeat(32);

interface Script {
  estimate?: () => Promise<bigint>;
  send?: () => Promise<void>;
  wait?: () => Promise<unknown>;
  receipt?: { status: number } | null;
}

/** A contract whose one method behaves as `script` says; records the gas limit it was sent with. */
function standIn(script: Script) {
  const sent: bigint[] = [];
  const fn = Object.assign(
    async (...args: unknown[]) => {
      await script.send?.();
      const overrides = args[args.length - 1] as { gasLimit: bigint };
      sent.push(overrides.gasLimit);
      return { hash: HASH, wait: script.wait ?? (async () => ({ hash: HASH, status: 1, logs: [] })) };
    },
    { estimateGas: script.estimate ?? (async () => 21_000n) },
  );
  const provider = { getTransactionReceipt: async () => script.receipt ?? null };
  const contract = { getFunction: () => fn, runner: { provider } } as unknown as Contract;
  return { contract, sent };
}

/** Runs sendOrUndo on `script`; counts the undos (which fail when `undoFails`). */
async function run(script: Script, undoFails = false) {
  const { contract, sent } = standIn(script);
  let undos = 0;
  const undo = async () => {
    undos++;
    if (undoFails) throw new Error("the wallet is locked");
  };
  const result = sendOrUndo(contract, "repay", [1n, 2n], "the allowance", undo, 6);
  return { result, undos: () => undos, sent };
}

const fails =
  (code: Parameters<typeof makeError>[1], message = "failed") =>
  async (): Promise<never> => {
    throw makeError(message, code);
  };

describe("client sendOrUndo", () => {
  it("a mined success is returned, sent with the estimated gas, and nothing is undone", async () => {
    const r = await run({ estimate: async () => 77_000n });
    const receipt = (await r.result) as ContractTransactionReceipt;
    expect(receipt.hash).to.equal(HASH);
    expect(r.sent).to.deep.equal([77_000n]);
    expect(r.undos()).to.equal(0);
  });

  it("an estimate that fails sends nothing and undoes, whatever the reason (a node that cannot be reached too)", async () => {
    const r = await run({ estimate: fails("NETWORK_ERROR", "connection refused") });
    expect((await rejection(r.result)).message).to.contain("connection refused");
    expect(r.sent).to.deep.equal([]);
    expect(r.undos()).to.equal(1);
  });

  it("a refusal before broadcast undoes; another failure before a hash undoes nothing and says the outcome is unknown", async () => {
    for (const code of ["ACTION_REJECTED", "INSUFFICIENT_FUNDS", "NONCE_EXPIRED"] as const) {
      const r = await run({ send: fails(code) });
      await rejection(r.result);
      expect(r.undos(), code).to.equal(1);
    }
    const r = await run({ send: fails("UNKNOWN_ERROR") });
    expect((await rejection(r.result)).message).to.equal(
      "repay: the outcome is unknown; check the chain before trying again",
    );
    expect(r.undos()).to.equal(0);
  });

  it("a revert while waiting undoes", async () => {
    const r = await run({ wait: fails("CALL_EXCEPTION", "execution reverted") });
    await rejection(r.result);
    expect(r.undos()).to.equal(1);
  });

  it("after a failed wait the receipt decides: success returned, revert undone, none found unknown", async () => {
    const success = await run({ wait: fails("TIMEOUT"), receipt: { status: 1 } });
    expect(((await success.result) as ContractTransactionReceipt).status).to.equal(1);
    expect(success.undos()).to.equal(0);

    const reverted = await run({ wait: fails("TIMEOUT"), receipt: { status: 0 } });
    await rejection(reverted.result);
    expect(reverted.undos()).to.equal(1);

    const unknown = await run({ wait: fails("TRANSACTION_REPLACED"), receipt: null });
    expect((await rejection(unknown.result)).message).to.equal(
      `repay: the outcome is unknown (tx ${HASH}); check the chain before trying again`,
    );
    expect(unknown.undos()).to.equal(0);
  });

  it("a speed-up's repriced copy decides by its own receipt; a cancelled transaction is unknown", async () => {
    const replaced = (reason: string, status: number) => async (): Promise<never> => {
      const copy = { hash: "0x" + "cd".repeat(32), status, logs: [] };
      throw Object.assign(makeError("transaction was replaced", "TRANSACTION_REPLACED"), {
        reason,
        receipt: copy,
      });
    };
    const sped = await run({ wait: replaced("repriced", 1), receipt: null });
    expect(((await sped.result) as ContractTransactionReceipt).hash).to.equal("0x" + "cd".repeat(32));
    expect(sped.undos()).to.equal(0);

    const spedReverted = await run({ wait: replaced("repriced", 0), receipt: null });
    await rejection(spedReverted.result);
    expect(spedReverted.undos()).to.equal(1);

    const cancelled = await run({ wait: replaced("cancelled", 1), receipt: null });
    expect((await rejection(cancelled.result)).message).to.contain("the outcome is unknown");
    expect(cancelled.undos()).to.equal(0);
  });

  it("an undo that fails is told in the same sentence as the refusal", async () => {
    const r = await run({ send: fails("ACTION_REJECTED", "user rejected action") }, true);
    const error = await rejection(r.result);
    expect(error.message).to.contain("user rejected action");
    expect(error.message).to.contain("(the allowance could not be put back: the wallet is locked)");
    expect(r.undos()).to.equal(1);
  });
});
