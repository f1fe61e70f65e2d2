// A lender's place in the pool's redemption queue. The pool keeps requests by id, filled FIFO from `head`; it has no
// per-owner index, so the client walks the ids from head to tail, a bounded number of reads, all at one block so a
// fill or a new request mined during the walk cannot make it count a share twice or miss one.
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
  /** The block every read was made at. */
  blockNumber: number;
}

type Request = { owner: string; shares: bigint };

/** The latest block number from the pool's provider: the block a walk is pinned to when none is given. */
async function latestBlock(pool: Contract): Promise<number> {
  const provider = pool.runner?.provider;
  if (!provider) throw new Error("reading the queue needs a runner with a provider");
  return provider.getBlockNumber();
}

/** `redemptionRequest` of each id in `[from, to)` at `blockTag`, `BATCH` reads in flight at a time. */
async function readRequests(pool: Contract, from: bigint, to: bigint, blockTag: number): Promise<Request[]> {
  const read: Request[] = [];
  for (let start = from; start < to; start += BigInt(BATCH)) {
    const ids: bigint[] = [];
    for (let id = start; id < to && id < start + BigInt(BATCH); id++) ids.push(id);
    read.push(
      ...((await Promise.all(ids.map((id) => pool.redemptionRequest(id, { blockTag })))) as Request[]),
    );
  }
  return read;
}

/**
 * The open requests of `owner`, read from the queue's head towards its tail (cancelled and filled ids read as zero
 * shares and are skipped), every read at `blockTag` (default: the latest block, read first). Reads at most
 * `maxRequests` ids; a longer queue sets `truncated`.
 */
export async function readQueuePosition(
  pool: Contract,
  owner: string,
  maxRequests: number = DEFAULT_MAX_REQUESTS,
  blockTag?: number,
): Promise<QueuePosition> {
  if (!Number.isSafeInteger(maxRequests) || maxRequests < 0) {
    throw new Error(`maxRequests must be a non-negative integer, got ${maxRequests}`);
  }
  const at = blockTag ?? (await latestBlock(pool));
  const [[head, tail], queuedShares] = (await Promise.all([
    pool.queueBounds({ blockTag: at }),
    pool.queuedShares({ blockTag: at }),
  ])) as [[bigint, bigint], bigint];
  const end = tail - head > BigInt(maxRequests) ? head + BigInt(maxRequests) : tail;
  const requests: QueuedRequest[] = [];
  const me = owner.toLowerCase();
  let ahead = 0n;
  (await readRequests(pool, head, end, at)).forEach((request, i) => {
    if (request.shares === 0n) return;
    if (request.owner.toLowerCase() === me) {
      requests.push({ requestId: head + BigInt(i), shares: request.shares, sharesAhead: ahead });
    }
    ahead += request.shares;
  });
  return { owner, requests, head, tail, queuedShares, truncated: end < tail, blockNumber: at };
}

/**
 * The shares of open requests ahead of `requestId` at `blockTag` (the block that mined it, say): every queued share
 * less the request's own and those of requests after it (only the ones mined later in the same block, usually
 * none), so it reads O(1) ids rather than walking from the head. Never negative.
 */
export async function readSharesAhead(pool: Contract, requestId: bigint, blockTag: number): Promise<bigint> {
  const [[, tail], queuedShares] = (await Promise.all([
    pool.queueBounds({ blockTag }),
    pool.queuedShares({ blockTag }),
  ])) as [[bigint, bigint], bigint];
  const behind = await readRequests(pool, requestId, tail, blockTag);
  const notAhead = behind.reduce((sum, r) => sum + r.shares, 0n);
  return queuedShares > notAhead ? queuedShares - notAhead : 0n;
}
