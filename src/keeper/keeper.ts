// One keeper pass, and the loop around it:
//   resolve a batch the last run left in flight → scan new Drawn/LoanClosed events → look at loans due or late →
//   collect in batches of ≤ batchSize → mark bucket transitions and late loans a day behind →
//   print one summary line.
// Every step writes the checkpoint, so the keeper can be killed at any moment and restarted from the same file.
import type { JsonRpcProvider, Wallet } from "ethers";
import { CheckpointStore } from "../chain/checkpoint.ts";
import { discoverLoans, type DiscoveryResult } from "../chain/discovery.ts";
import { connectLedger, connectToken, ledgerInterface } from "../chain/ledger.ts";
import { lensReads, type LensReads } from "../chain/lens.ts";
import type { BucketParams } from "../core/buckets.ts";
import { loanLabel } from "../core/loan-id.ts";
import { money } from "../format/money.ts";
import { checkLensOf } from "../sdk/lens-check.ts";
import { mapLimit, sleep } from "../util/async.ts";
import { withProgress, type StartProgress } from "../util/progress.ts";
import { shortError } from "../util/short-error.ts";
import { assertUncached, DEFAULT_TUNING, defaultCheckpointFile, type Tuning } from "./config.ts";
import { addReceipt, countsText, emptyTotals, txSummary, type Totals } from "./progress.ts";
import { candidates, markedBy, plan, type Plan } from "./scheduler.ts";
import { BatchFailedError, TxSender, type BatchOutcome, type SenderOptions } from "./sender.ts";

export interface KeeperOptions extends Partial<Tuning> {
  /** With ethers' request cache off: `createProvider(url)`. */
  provider: JsonRpcProvider;
  /** The signing key; it pays gas for `collect` and `mark` and needs no role on the ledger. */
  wallet: Wallet;
  ledger: string;
  /** The ledger's CreditLens, which the keeper reads loans on; without it, the same reads go through the ledger's
   * `extView`. */
  lens?: string;
  /** Defaults to `.keeper/checkpoint-<chainId>.json` (`checkpoint-31337-<port>.json` on a local node). */
  checkpointFile?: string;
  log?: (line: string) => void;
  /** Shows the long steps of a pass (event scan, loan reads, batches); nothing is shown without it. */
  progress?: StartProgress;
  signal?: AbortSignal;
  afterBroadcast?: SenderOptions["afterBroadcast"];
}

export interface PassReport {
  scan: DiscoveryResult;
  active: number;
  plan: Plan;
  collect: Totals;
  mark: Totals;
  /** A batch of the previous run resolved at the start of this pass. */
  recovered?: BatchOutcome;
  /** Loans a batch could not include because `collect` or `mark` reverted for them alone. */
  failedLoans: bigint[];
  line: string;
}

/** Runs one pass. Throws on an abort (`signal`) or a checkpoint for another chain or ledger. */
export async function runOnce(options: KeeperOptions): Promise<PassReport> {
  const keeper = await Keeper.create(options);
  return keeper.pass();
}

/** Runs a pass every `intervalSeconds` until `signal` aborts. A failed pass is logged and retried next time. */
export async function runLoop(options: KeeperOptions, intervalSeconds: number): Promise<void> {
  const log = options.log ?? console.log;
  const keeper = await Keeper.create(options);
  while (!options.signal?.aborted) {
    try {
      await keeper.pass();
    } catch (error) {
      if (options.signal?.aborted) break;
      if ((error as Error).name === "CheckpointMismatchError") throw error;
      log(`pass failed: ${shortError(error)}; next pass in ${intervalSeconds} s`);
    }
    try {
      await sleep(intervalSeconds * 1000, options.signal);
    } catch {
      break;
    }
  }
}

export class Keeper {
  readonly options: KeeperOptions;
  readonly tuning: Tuning;
  /** The loans' and the mandates' reads (the CreditLens, or the ledger's `extView`). */
  readonly lens: LensReads;
  readonly store: CheckpointStore;
  readonly sender: TxSender;
  readonly token: ReturnType<typeof connectToken>;
  readonly log: (line: string) => void;

  private constructor(options: KeeperOptions, store: CheckpointStore, chainId: bigint, token: string) {
    this.options = options;
    this.tuning = { ...DEFAULT_TUNING, ...definedOnly(options) };
    this.log = options.log ?? console.log;
    this.store = store;
    this.lens = lensReads(options, options.provider);
    this.token = connectToken(token, options.provider);
    this.sender = new TxSender(options.provider, options.wallet, store, options.ledger, chainId, {
      pollMs: this.tuning.pollMs,
      dropAfterBlocks: this.tuning.dropAfterBlocks,
      dropAfterMs: this.tuning.dropAfterMs,
      maxAttempts: this.tuning.maxAttempts,
      backoffMs: this.tuning.backoffMs,
      replacementFeePercent: this.tuning.replacementFeePercent,
      gasHeadroomPercent: this.tuning.gasHeadroomPercent,
      signal: options.signal,
      log: this.log,
      afterBroadcast: options.afterBroadcast,
    });
  }

  static async create(options: KeeperOptions): Promise<Keeper> {
    assertUncached(options.provider);
    const { chainId } = await options.provider.getNetwork();
    const code = await options.provider.getCode(options.ledger);
    if (code === "0x") throw new Error(`no contract at ledger address ${options.ledger} on chain ${chainId}`);
    const file =
      options.checkpointFile ?? defaultCheckpointFile(chainId, options.provider._getConnection().url);
    const fromBlock = options.fromBlock ?? DEFAULT_TUNING.fromBlock;
    const store = CheckpointStore.open(file, chainId, options.ledger, fromBlock);
    let token: string;
    try {
      token = await connectLedger(options.ledger, options.provider).asset();
    } catch (error) {
      const why = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
      throw new Error(`${options.ledger} on chain ${chainId} is not a CreditLedger (asset() failed: ${why})`);
    }
    if (options.lens !== undefined) await checkLensOf(options.lens, options.ledger, options.provider);
    return new Keeper(options, store, chainId, token);
  }

  async pass(): Promise<PassReport> {
    const { signal } = this.options;
    const collect = emptyTotals();
    const mark = emptyTotals();
    const failedLoans: bigint[] = [];

    const recovered = await this.sender.recover();
    if (recovered?.receipt)
      addReceipt(
        recovered.kind === "collect" ? collect : mark,
        recovered,
        recovered.receipt,
        this.options.ledger,
      );

    const scan = await discoverLoans(this.options.provider, this.options.ledger, this.store, {
      pageBlocks: this.tuning.pageBlocks,
      confirmations: this.tuning.confirmations,
      signal,
      progress: this.options.progress,
    });
    const now = BigInt((await this.options.provider.getBlock("latest"))!.timestamp);
    const ctx = {
      lens: this.lens,
      token: this.token,
      ledgerAddress: this.options.ledger,
      concurrency: this.tuning.concurrency,
      signal,
      progress: this.options.progress,
    };
    const risk = await this.lens.riskParams();
    const params = { graceDays: risk.graceDays, defaultDays: risk.defaultDays };
    const work = await plan(ctx, this.store, candidates(this.store, now), now, params);
    this.store.save();

    await withProgress(this.options.progress, "collecting loans", work.collect.length, async (update) => {
      let sent = 0;
      for (const batch of chunks(work.collect, this.tuning.batchSize)) {
        await this.sendSplitting("collect", batch, collect, failedLoans);
        update((sent += batch.length));
      }
    });

    // Collection reclassifies the loans it pays (and may cure them): look again before marking.
    const toMark = await this.stillToMark(work.mark, params);
    for (const batch of chunks(toMark, this.tuning.markBatchSize)) {
      await this.sendSplitting("mark", batch, mark, failedLoans);
    }
    this.store.save();

    const line = this.summary(scan, work, toMark.length, collect, mark, failedLoans);
    this.log(line);
    return {
      scan,
      active: this.store.activeIds().length,
      plan: work,
      collect,
      mark,
      recovered,
      failedLoans,
      line,
    };
  }

  /** Sends a batch; when it keeps reverting, sends each half on its own, down to single loans. */
  private async sendSplitting(kind: "collect" | "mark", ids: bigint[], totals: Totals, failed: bigint[]) {
    const data = ledgerInterface.encodeFunctionData(kind, [ids]);
    try {
      const outcome = await this.sender.send(kind, data, ids);
      if (outcome.receipt) addReceipt(totals, outcome, outcome.receipt, this.options.ledger);
    } catch (error) {
      if (!(error instanceof BatchFailedError)) throw error;
      if (ids.length === 1) {
        this.log(
          `  ${kind} of loan ${loanLabel(ids[0])} keeps failing (${error.message}); skipped this pass`,
        );
        failed.push(ids[0]);
        return;
      }
      const half = Math.ceil(ids.length / 2);
      this.log(
        `  ${kind} of ${ids.length} loans keeps failing; splitting into ${half} + ${ids.length - half}`,
      );
      await this.sendSplitting(kind, ids.slice(0, half), totals, failed);
      await this.sendSplitting(kind, ids.slice(half), totals, failed);
    }
  }

  private async stillToMark(ids: bigint[], params: BucketParams): Promise<bigint[]> {
    if (ids.length === 0) return [];
    const now = BigInt((await this.options.provider.getBlock("latest"))!.timestamp);
    const due = await mapLimit(
      ids,
      this.tuning.concurrency,
      async (id) => (await markedBy(this.lens, id, await this.lens.loanState(id), now, params)).due,
      this.options.signal,
    );
    return ids.filter((_, i) => due[i]);
  }

  private summary(
    scan: DiscoveryResult,
    work: Plan,
    toMark: number,
    collect: Totals,
    mark: Totals,
    failed: bigint[],
  ): string {
    const scanned =
      scan.from <= scan.to
        ? `scanned blocks ${scan.from}–${scan.to} (+${scan.drawn} drawn, −${scan.closed} closed)`
        : `no new blocks (at ${scan.to})`;
    const parts = [scanned, `${this.store.activeIds().length} active loans`, `${work.due.length} due`];
    if (Object.keys(work.skipped).length > 0) parts.push(`skipped ${countsText(work.skipped)}`);
    const collectTxs = collect.txs.filter((t) => !t.recovered);
    parts.push(
      `collected ${collect.loans} (${money(collect.amount)})${txSummary(collect.txs, collect.loans)}`,
    );
    if (collectTxs.length !== collect.txs.length)
      parts.push(`${collect.txs.length - collectTxs.length} tx recovered from the last run`);
    if (Object.keys(collect.failed).length > 0)
      parts.push(`collection failed: ${countsText(collect.failed)}`);
    if (mark.txs.length > 0 || toMark > 0) {
      parts.push(
        `marked ${mark.transitions} transitions, ${mark.provisionMoves} provisions moved, ${mark.defaults} defaults` +
          txSummary(mark.txs, 0),
      );
    }
    if (failed.length > 0)
      parts.push(`${failed.length} loans failing alone: ${failed.map(loanLabel).join(", ")}`);
    return parts.join(", ");
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function definedOnly(options: Partial<Tuning>): Partial<Tuning> {
  const out: Partial<Tuning> = {};
  for (const key of Object.keys(DEFAULT_TUNING) as (keyof Tuning)[]) {
    if (options[key] !== undefined) (out as Record<string, unknown>)[key] = options[key];
  }
  return out;
}
