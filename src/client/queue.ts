// A lender's place in the pool's redemption queue. The pool keeps requests by id, filled FIFO from `head`; it has no
// per-owner index, so the client walks the ids from head to tail, a bounded number of reads.
import type { Contract } from "ethers";

/** How many request ids `queuePosition` reads by default (one `redemptionRequest` call each). */
export const DEFAULT_MAX_REQUESTS = 1_000;

/** How many `redemptionRequest` reads are in flight at once. */
const BATCH = 50;

/** One open redemption request of the owner. */
export interface QueuedRequest {
  requestId: bigint;
  /** Shares still waiting (a partly filled request keeps the rest). */
  shares: bigint;
  /** Shares of other open requests ahead of this one: filled before it. */
  sharesAhead: bigint;
}

/** An owner's open requests in queue order, and how much of the queue was read. */
export interface QueuePosition {
  owner: string;
  requests: QueuedRequest[];
  /** The first open request id and the next id to be created (`queueBounds`). */
  head: bigint;
  tail: bigint;
  /** All shares waiting in the queue (`queuedShares`). */
  queuedShares: bigint;
  /** True when ids from `head + maxRequests` on were not read: requests there are missing from `requests`. */
  truncated: boolean;
}

/**
 * The open requests of `owner`, read from the queue's head towards its tail (cancelled and filled ids read as zero
 * shares and are skipped). Reads at most `maxRequests` ids; a longer queue sets `truncated`.
 */
export async function readQueuePosition(
  pool: Contract,
  owner: string,
  maxRequests: number = DEFAULT_MAX_REQUESTS,
): Promise<QueuePosition> {
  if (!Number.isSafeInteger(maxRequests) || maxRequests < 0) {
    throw new Error(`maxRequests must be a non-negative integer, got ${maxRequests}`);
  }
  const [[head, tail], queuedShares] = (await Promise.all([pool.queueBounds(), pool.queuedShares()])) as [
    [bigint, bigint],
    bigint,
  ];
  const end = tail - head > BigInt(maxRequests) ? head + BigInt(maxRequests) : tail;
  const requests: QueuedRequest[] = [];
  const me = owner.toLowerCase();
  let ahead = 0n;
  for (let from = head; from < end; from += BigInt(BATCH)) {
    const ids: bigint[] = [];
    for (let id = from; id < end && id < from + BigInt(BATCH); id++) ids.push(id);
    const read = (await Promise.all(ids.map((id) => pool.redemptionRequest(id)))) as {
      owner: string;
      shares: bigint;
    }[];
    read.forEach((request, i) => {
      if (request.shares === 0n) return;
      if (request.owner.toLowerCase() === me) {
        requests.push({ requestId: ids[i], shares: request.shares, sharesAhead: ahead });
      }
      ahead += request.shares;
    });
  }
  return { owner, requests, head, tail, queuedShares, truncated: end < tail };
}
