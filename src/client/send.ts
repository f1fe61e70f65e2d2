// One rule for a transaction the client prepared with an approval or a consent (a repayment, a payoff, a deposit, a
// sale or a borrow through the sales router, a merchant's subsidy funding): what was given for it is put back only
// when the transaction is known not to have happened (its dry run failed, it reverted, or it was refused before
// broadcast), and a failed put-back is told, never dropped.
import {
  isError,
  type Contract,
  type ContractTransactionReceipt,
  type ErrorCode,
  type TransactionReceipt,
} from "ethers";
import { decodeError, explain } from "../sdk/errors.ts";

/** Errors of a transaction that was never broadcast. */
const NOT_SENT: ErrorCode[] = ["ACTION_REJECTED", "INSUFFICIENT_FUNDS", "NONCE_EXPIRED"];

/**
 * Sends `method` to `contract` and waits for it. Its gas is estimated first: a failure there (a revert, a node that
 * cannot be reached) sends nothing. When the estimate fails, the transaction reverts or is refused before broadcast,
 * `undo` puts back what was given for it (`what`, as the sentence names it) and the refusal is thrown, decoded in one
 * sentence (amounts in `decimals`), with a note if the undo failed too. When waiting fails after the transaction was
 * sent, its receipt (or that of the repriced copy a wallet's speed-up sent) decides: a revert is undone as above, a
 * success returned. Otherwise (a timeout, a cancelled or dropped transaction) the outcome is unknown: nothing is
 * undone, and the error says to check the chain first.
 */
export async function sendOrUndo(
  contract: Contract,
  method: string,
  args: unknown[],
  what: string,
  undo: () => Promise<unknown>,
  decimals: number,
): Promise<ContractTransactionReceipt> {
  const fn = contract.getFunction(method);
  let gasLimit: bigint;
  try {
    gasLimit = await fn.estimateGas(...args);
  } catch (error) {
    return await undone(error, what, undo, decimals);
  }
  let hash: string | undefined;
  try {
    const tx = await fn(...args, { gasLimit });
    hash = tx.hash as string;
    const receipt = (await tx.wait()) as ContractTransactionReceipt | null;
    if (receipt === null) throw new Error(`the transaction ${hash} was dropped`);
    return receipt;
  } catch (error) {
    if (decodeError(error, decimals) !== undefined || isError(error, "CALL_EXCEPTION")) {
      return await undone(error, what, undo, decimals);
    }
    if (hash === undefined) {
      // Refused before it was broadcast: the wallet, the node's nonce or balance check.
      if (NOT_SENT.some((code) => isError(error, code))) return await undone(error, what, undo, decimals);
    } else {
      // A wallet's speed-up replaces the transaction with a repriced copy of it: that copy's receipt is the outcome.
      const replaced = error as { code?: string; reason?: string; receipt?: TransactionReceipt | null };
      const repriced = isError(error, "TRANSACTION_REPLACED") && replaced.reason === "repriced";
      const mined = repriced ? (replaced.receipt ?? undefined) : await minedReceipt(contract, hash);
      if (mined?.status === 1) return mined as ContractTransactionReceipt;
      if (mined?.status === 0) return await undone(error, what, undo, decimals);
    }
    const where = hash === undefined ? "" : ` (tx ${hash})`;
    throw new Error(`${method}: the outcome is unknown${where}; check the chain before trying again`, {
      cause: error,
    });
  }
}

/** Runs `undo` after `error` (a transaction that did not happen) and throws the error, noting a failed undo. */
async function undone(
  error: unknown,
  what: string,
  undo: () => Promise<unknown>,
  decimals: number,
): Promise<never> {
  const decoded = decodeError(error, decimals);
  try {
    await undo();
  } catch (undoError) {
    const note = `${what} could not be put back: ${explain(undoError, decimals)}`;
    if (decoded !== undefined) {
      decoded.message += ` (${note})`;
      throw decoded;
    }
    throw new Error(`${explain(error, decimals)} (${note})`, { cause: error });
  }
  throw decoded ?? error;
}

/** The receipt of `hash` if the node has it, else undefined (also when the node cannot be asked). */
async function minedReceipt(contract: Contract, hash: string): Promise<TransactionReceipt | undefined> {
  const provider = contract.runner?.provider;
  if (!provider) return undefined;
  return (await provider.getTransactionReceipt(hash).catch(() => null)) ?? undefined;
}
