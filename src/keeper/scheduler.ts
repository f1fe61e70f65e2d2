// Decides what a pass does: which known loans to look at (due by the cached date, or late), which of them have
// something to collect that the borrower's mandate, balance and allowance let the ledger pull, and which need a
// bucket transition. Reads only; the checkpoint's cached next due dates are refreshed as a side effect.
import type { Contract } from "ethers";
import type { CheckpointStore } from "../chain/checkpoint.ts";
import type { LensReads } from "../chain/lens.ts";
import { Bucket, markDue, targetBucket, type BucketParams } from "../core/buckets.ts";
import { borrowerOf } from "../core/loan-id.ts";
import { mapLimit } from "../util/async.ts";
import { withProgress, type StartProgress } from "../util/progress.ts";

/** Ids whose loan might have something due at `now`: never looked at, due by the cached date, or already late. */
export function candidates(store: CheckpointStore, now: bigint): bigint[] {
  const out: bigint[] = [];
  for (const [id, entry] of Object.entries(store.state.loans)) {
    if (entry.late || entry.nextDueAt === "0" || BigInt(entry.nextDueAt) <= now) out.push(BigInt(id));
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Why a due loan is not sent to `collect` this pass (the ledger would only log a CollectionFailed). */
export type SkipReason = "no mandate" | "no balance" | "no allowance";

export interface LoanLook {
  loanId: bigint;
  due: bigint;
  bucket: number;
  targetBucket: number;
}

export interface Plan {
  /** Loans read this pass. */
  checked: number;
  /** Loans found closed, repaid or written off and dropped from the book. */
  dropped: number;
  /** Loans with something due now. */
  due: LoanLook[];
  /** Due loans the ledger can pull from now, in id order. */
  collect: bigint[];
  /** Due loans left alone this pass, by reason. */
  skipped: Partial<Record<SkipReason, number>>;
  /**
   * Loans `mark` has work on (`markDue`), the ones sent to collect included: the keeper reads them again after
   * collecting and marks only those the collection did not update.
   */
  mark: bigint[];
}

export interface SchedulerContext {
  /** The CreditLens's reads (or the same through the ledger's `extView`). */
  lens: LensReads;
  token: Contract;
  ledgerAddress: string;
  /** Reads in flight at once; ethers batches them into JSON-RPC batches. */
  concurrency: number;
  signal?: AbortSignal;
  progress?: StartProgress;
}

interface Look {
  loanId: bigint;
  active: boolean;
  nextDueAt: bigint;
  pastDue: bigint;
  due: bigint;
  bucket: number;
  target: number;
  /** `mark` has work on it (`markDue`): bucket behind, or past due with its provision a day behind. */
  markDue: boolean;
}

/** The part of `loanState` that `markedBy` reads. */
interface MarkView {
  status: bigint;
  markedBucket: bigint;
  pastDue: bigint;
  pastDueSince: bigint;
}

/**
 * Whether `mark` has work on the loan whose `loanState` is `view`, at chain time `now` (`markDue`); reads its record
 * for the last touch only when it is marked past due. Also its stored bucket and the bucket it belongs in now.
 */
export async function markedBy(
  lens: LensReads,
  loanId: bigint,
  view: MarkView,
  now: bigint,
  params: BucketParams,
): Promise<{ due: boolean; bucket: number; target: number }> {
  const bucket = Number(view.markedBucket);
  if (view.status !== 1n) return { due: false, bucket, target: bucket };
  const target = targetBucket(view.pastDue, view.pastDueSince, now, params);
  const pastDue = bucket >= Bucket.Grace && bucket <= Bucket.M3;
  const checkpoint = pastDue ? (await lens.loanRecord(loanId)).checkpoint : now;
  return { due: markDue(bucket, target, checkpoint, now), bucket, target };
}

async function look(ctx: SchedulerContext, loanId: bigint, now: bigint, params: BucketParams): Promise<Look> {
  const view = await ctx.lens.loanState(loanId);
  const active = view.status === 1n;
  const pastDue = active ? view.pastDue + view.penalty : 0n;
  const due = pastDue > 0n ? await ctx.lens.dueNow(loanId) : 0n;
  const { due: toMark, bucket, target } = await markedBy(ctx.lens, loanId, view, now, params);
  return {
    loanId,
    active,
    nextDueAt: view.nextDueAt,
    pastDue,
    due,
    // `bucket` in the view is the one at the current block; what `mark` moves is the one last classified.
    bucket,
    target,
    markDue: toMark,
  };
}

/** Looks at `ids` at chain time `now` and plans the pass. */
export async function plan(
  ctx: SchedulerContext,
  store: CheckpointStore,
  ids: bigint[],
  now: bigint,
  params: BucketParams,
): Promise<Plan> {
  const looks = await withProgress(ctx.progress, "reading loans", ids.length, (update) =>
    mapLimit(ids, ctx.concurrency, (id) => look(ctx, id, now, params), ctx.signal, update),
  );
  const result: Plan = { checked: looks.length, dropped: 0, due: [], collect: [], skipped: {}, mark: [] };
  const payers = new Map<string, Promise<SkipReason | undefined>>();
  const dueLooks: Look[] = [];
  for (const l of looks) {
    if (!l.active) {
      store.removeLoan(l.loanId);
      result.dropped++;
      continue;
    }
    const entry = store.entry(l.loanId);
    if (entry) {
      entry.nextDueAt = l.nextDueAt.toString();
      entry.late = l.pastDue > 0n || l.bucket !== Bucket.Current;
    }
    if (l.due > 0n) {
      dueLooks.push(l);
      result.due.push({ loanId: l.loanId, due: l.due, bucket: l.bucket, targetBucket: l.target });
      const borrower = borrowerOf(l.loanId);
      if (!payers.has(borrower)) payers.set(borrower, payerProblem(ctx, borrower));
    }
  }
  const collecting = new Set<bigint>();
  for (const l of dueLooks) {
    const problem = await payers.get(borrowerOf(l.loanId))!;
    if (problem) result.skipped[problem] = (result.skipped[problem] ?? 0) + 1;
    else collecting.add(l.loanId);
  }
  result.collect = [...collecting];
  // Every loan `mark` has work on is listed, the ones being collected too: the keeper re-reads the list after
  // collecting and drops the loans the collection updated (a payment reclassifies the loan and sets its provision).
  // What is left is what collection could not touch: a pull the token refused (a blacklisted borrower, a paused
  // token) leaves a loan in grace unmarked, and its provision must still ramp day by day rather than step at M1.
  for (const l of looks) if (l.markDue) result.mark.push(l.loanId);
  return result;
}

/** Why the ledger could not pull anything from `borrower` now, or undefined when it can. */
async function payerProblem(ctx: SchedulerContext, borrower: string): Promise<SkipReason | undefined> {
  const [[active], balance, allowance] = await Promise.all([
    ctx.lens.mandateOf(borrower),
    ctx.token.balanceOf(borrower) as Promise<bigint>,
    ctx.token.allowance(borrower, ctx.ledgerAddress) as Promise<bigint>,
  ]);
  if (!active) return "no mandate";
  if (balance === 0n) return "no balance";
  if (allowance === 0n) return "no allowance";
  return undefined;
}
