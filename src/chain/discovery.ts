// Finds the ledger's loans from its events: every `Drawn` adds a loan, every `LoanClosed` removes one. Scans block
// ranges in pages (halving a page the provider refuses) and advances the checkpoint page by page, so a restart
// resumes where the last scan stopped.
import type { Provider } from "ethers";
import { withProgress, type StartProgress } from "../util/progress.ts";
import type { CheckpointStore } from "./checkpoint.ts";
import { ledgerInterface } from "./ledger.ts";

const DRAWN = ledgerInterface.getEvent("Drawn")!.topicHash;
const CLOSED = ledgerInterface.getEvent("LoanClosed")!.topicHash;

export interface DiscoveryOptions {
  /** Largest block range per `eth_getLogs` call. */
  pageBlocks: number;
  /** Blocks to stay behind the head, so a shallow reorg cannot remove a scanned event. */
  confirmations: number;
  signal?: AbortSignal;
  /** Shows the blocks scanned of those to scan (a catch-up from an old block takes a while). */
  progress?: StartProgress;
}

export interface DiscoveryResult {
  /** First and last block scanned in this call; `from > to` when there was nothing new. */
  from: number;
  to: number;
  drawn: number;
  closed: number;
}

/** Scans from the block after the checkpoint to the head (minus confirmations) and updates the store. */
export async function discoverLoans(
  provider: Provider,
  ledger: string,
  store: CheckpointStore,
  options: DiscoveryOptions,
): Promise<DiscoveryResult> {
  const head = await provider.getBlockNumber();
  const to = head - options.confirmations;
  const from = store.state.lastScannedBlock + 1;
  const result: DiscoveryResult = { from, to, drawn: 0, closed: 0 };
  let page = Math.max(1, options.pageBlocks);
  let start = from;
  await withProgress(options.progress, "scanning blocks", to - from + 1, async (update) => {
    while (start <= to) {
      options.signal?.throwIfAborted();
      const end = Math.min(to, start + page - 1);
      let logs;
      try {
        logs = await provider.getLogs({
          address: ledger,
          topics: [[DRAWN, CLOSED]],
          fromBlock: start,
          toBlock: end,
        });
      } catch (error) {
        // Providers cap ranges and result sizes differently: retry a smaller range before giving up.
        if (end === start) throw error;
        page = Math.max(1, Math.floor((end - start + 1) / 2));
        continue;
      }
      for (const log of logs) {
        const loanId = BigInt(log.topics[1]);
        if (log.topics[0] === DRAWN) {
          store.addLoan(loanId);
          result.drawn++;
        } else {
          store.removeLoan(loanId);
          result.closed++;
        }
      }
      store.state.lastScannedBlock = end;
      store.save();
      start = end + 1;
      update(end - from + 1);
    }
  });
  return result;
}
