// One rule for a payment the client prepared with an approval or a consent: what was given for it is put back only
// when the transaction is known not to have happened (it reverted, or it was refused before broadcast), and a failed
// put-back is told, never dropped. The client's repayments and the sales router's sales and borrows share it.
import { isError, type Contract, type ContractTransactionReceipt, type ErrorCode } from "ethers";
import { decodeError, explain } from "../sdk/errors.ts";

/** Errors of a transaction that was never broadcast. */
const NOT_SENT: ErrorCode[] = ["ACTION_REJECTED", "INSUFFICIENT_FUNDS", "NONCE_EXPIRED"];

/**
 * Sends `method` to `contract` and waits for it. When it reverts or is refused before broadcast, `undo` puts back
 * what was given for it (`what`, as the sentence names it) and the refusal is thrown, decoded in one sentence (amounts
 * in `decimals`), with a note if the undo failed too. Any other failure (a timeout, a replaced or dropped
 * transaction) leaves the outcome unknown: nothing is undone, and the error says to check the chain first.
 */
export async function sendOrUndo(
  contract: Contract,
  method: string,
  args: unknown[],
  what: string,
  undo: () => Promise<unknown>,
  decimals: number,
): Promise<ContractTransactionReceipt> {
  let hash: string | undefined;
  try {
    const tx = await contract.getFunction(method)(...args);
    hash = tx.hash as string;
    const receipt = (await tx.wait()) as ContractTransactionReceipt | null;
    if (receipt === null) throw new Error(`the transaction ${hash} was dropped`);
    return receipt;
  } catch (error) {
    const decoded = decodeError(error, decimals);
    // Refused before it was broadcast (the wallet, the node's nonce or balance check) or reverted: not mined.
    const notSent = hash === undefined && NOT_SENT.some((code) => isError(error, code));
    if (decoded === undefined && !notSent && !isError(error, "CALL_EXCEPTION")) {
      const where = hash === undefined ? "" : ` (tx ${hash})`;
      throw new Error(`${method}: the outcome is unknown${where}; check the chain before trying again`, {
        cause: error,
      });
    }
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
}
