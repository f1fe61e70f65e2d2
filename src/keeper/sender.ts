// Sends one batch transaction at a time so that a crash or restart can never submit the same work twice:
//  1. the transaction is signed locally and written to the checkpoint (hash, nonce, raw bytes) BEFORE broadcast;
//  2. a restart first looks for a receipt of every recorded hash; a transaction the node forgot is rebroadcast
//     byte for byte (same hash); one not mined after N blocks or T seconds is replaced at the SAME nonce with
//     higher fees, so at most one of the attempts can ever be mined;
//  3. a revert (in simulation or on chain) is retried with exponential backoff; the caller splits what still fails.
import { Transaction, type Provider, type TransactionReceipt, type Wallet } from "ethers";
import type { CheckpointStore, InFlight, TxAttempt } from "../chain/checkpoint.ts";
import { explain } from "../sdk/errors.ts";
import { sleep } from "../util/async.ts";
import { shortError } from "../util/short-error.ts";

export interface SenderOptions {
  /** Poll interval while waiting for a receipt. */
  pollMs: number;
  /** An attempt not mined after this many blocks, or this many ms, counts as dropped and is replaced. */
  dropAfterBlocks: number;
  dropAfterMs: number;
  /** Attempts per batch (reverts) and per nonce (replacements) before giving up. */
  maxAttempts: number;
  /** First backoff delay; doubles after every failed attempt. */
  backoffMs: number;
  /** Fee multiplier for a replacement, in percent (nodes require ≥ 110). */
  replacementFeePercent: bigint;
  /** Gas limit headroom over the estimate, in percent. */
  gasHeadroomPercent: bigint;
  signal?: AbortSignal;
  log: (line: string) => void;
  /** Called right after a transaction is broadcast (tests use it to interrupt the keeper at the worst moment). */
  afterBroadcast?: (inFlight: InFlight) => void | Promise<void>;
}

export interface BatchOutcome {
  kind: InFlight["kind"];
  loanIds: bigint[];
  /** Undefined when another transaction took the nonce and none of ours was mined. */
  receipt?: TransactionReceipt;
  /** True when the batch was recorded by a previous run and only resolved now. */
  recovered: boolean;
}

/** Thrown when a batch still reverts after every attempt; `splittable` tells the caller to try halves. */
export class BatchFailedError extends Error {
  readonly loanIds: bigint[];
  constructor(message: string, loanIds: bigint[]) {
    super(message);
    this.name = "BatchFailedError";
    this.loanIds = loanIds;
  }
}

/** Thrown when a nonce stays unmined after every replacement: the operator must look (gas price, node). */
export class StuckTransactionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StuckTransactionError";
  }
}

export class TxSender {
  readonly provider: Provider;
  readonly wallet: Wallet;
  readonly store: CheckpointStore;
  readonly options: SenderOptions;
  readonly to: string;
  readonly chainId: bigint;
  /** One above the last nonce this sender saw mined: a lagging node never makes it reuse a nonce. */
  private minNonce = 0;

  constructor(
    provider: Provider,
    wallet: Wallet,
    store: CheckpointStore,
    to: string,
    chainId: bigint,
    options: SenderOptions,
  ) {
    this.provider = provider;
    this.wallet = wallet;
    this.store = store;
    this.to = to;
    this.chainId = chainId;
    this.options = options;
  }

  /** Resolves a batch a previous run left in flight. Returns its outcome, or undefined when there was none. */
  async recover(): Promise<BatchOutcome | undefined> {
    const inFlight = this.store.state.inFlight;
    if (!inFlight) return undefined;
    this.options.log(
      `resuming ${inFlight.kind} batch of ${inFlight.loanIds.length} loans left in flight by the previous run ` +
        `(nonce ${inFlight.nonce}, ${inFlight.attempts.map((a) => a.hash).join(", ")})`,
    );
    const receipt = await this.settle(inFlight);
    return this.finish(inFlight, receipt, true);
  }

  /**
   * Sends `data` to the ledger for `loanIds` and waits for it to be mined. Retries reverts with backoff; throws
   * BatchFailedError when every attempt reverted.
   */
  async send(kind: InFlight["kind"], data: string, loanIds: bigint[]): Promise<BatchOutcome> {
    if (this.store.state.inFlight) throw new Error("a batch is still in flight; call recover() first");
    const { maxAttempts, backoffMs, signal, log } = this.options;
    let lastError = "";
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      if (attempt > 0) {
        const delay = backoffMs * 2 ** (attempt - 1);
        log(
          `  ${kind} of ${loanIds.length} loans: ${lastError}; retry ${attempt + 1}/${maxAttempts} in ${delay} ms`,
        );
        await sleep(delay, signal);
      }
      signal?.throwIfAborted();
      let gasLimit: bigint;
      try {
        const estimate = await this.provider.estimateGas({ from: this.wallet.address, to: this.to, data });
        gasLimit = (estimate * (100n + this.options.gasHeadroomPercent)) / 100n;
      } catch (error) {
        lastError = `simulation failed (${shortError(explain(error))})`;
        continue;
      }
      const pending = await this.provider.getTransactionCount(this.wallet.address, "pending");
      const nonce = Math.max(pending, this.minNonce);
      const inFlight: InFlight = { kind, nonce, loanIds: loanIds.map(String), attempts: [] };
      await this.broadcastNew(inFlight, data, gasLimit, undefined);
      const receipt = await this.settle(inFlight);
      const outcome = await this.finish(inFlight, receipt, false);
      if (!outcome.receipt || outcome.receipt.status === 1) return outcome;
      lastError = `reverted on chain in ${outcome.receipt.hash}`;
    }
    throw new BatchFailedError(
      `${kind} of ${loanIds.length} loans failed ${maxAttempts} times: ${lastError}`,
      loanIds,
    );
  }

  private async finish(inFlight: InFlight, receipt: TransactionReceipt | undefined, recovered: boolean) {
    if (receipt) this.minNonce = Math.max(this.minNonce, inFlight.nonce + 1);
    this.store.state.inFlight = null;
    this.store.save();
    return {
      kind: inFlight.kind,
      loanIds: inFlight.loanIds.map(BigInt),
      receipt,
      recovered,
    } satisfies BatchOutcome;
  }

  /** Signs an attempt at `inFlight.nonce`, records it in the checkpoint, then broadcasts it. */
  private async broadcastNew(
    inFlight: InFlight,
    data: string,
    gasLimit: bigint,
    previous: TxAttempt | undefined,
  ) {
    const fees = await this.provider.getFeeData();
    let maxFeePerGas = fees.maxFeePerGas ?? fees.gasPrice ?? 1_000_000_000n;
    let maxPriorityFeePerGas = fees.maxPriorityFeePerGas ?? 1_000_000n;
    if (previous) {
      const bump = this.options.replacementFeePercent;
      maxFeePerGas = max(maxFeePerGas, (BigInt(previous.maxFeePerGas) * bump) / 100n + 1n);
      maxPriorityFeePerGas = max(
        maxPriorityFeePerGas,
        (BigInt(previous.maxPriorityFeePerGas) * bump) / 100n + 1n,
      );
    }
    const raw = await this.wallet.signTransaction({
      type: 2,
      chainId: this.chainId,
      to: this.to,
      data,
      nonce: inFlight.nonce,
      gasLimit,
      maxFeePerGas,
      maxPriorityFeePerGas,
    });
    const attempt: TxAttempt = {
      hash: Transaction.from(raw).hash!,
      raw,
      sentBlock: await this.provider.getBlockNumber(),
      sentAt: Date.now(),
      maxFeePerGas: maxFeePerGas.toString(),
      maxPriorityFeePerGas: maxPriorityFeePerGas.toString(),
    };
    inFlight.attempts.push(attempt);
    this.store.state.inFlight = inFlight;
    this.store.save(); // written down before the network sees it: a crash from here on cannot lose it
    await this.rebroadcast(attempt);
    await this.options.afterBroadcast?.(inFlight);
    this.options.signal?.throwIfAborted();
  }

  private async rebroadcast(attempt: TxAttempt): Promise<void> {
    try {
      await this.provider.broadcastTransaction(attempt.raw);
    } catch (error) {
      // "already known", "nonce too low" (mined meanwhile), "replacement underpriced": settle() sorts these out.
      this.options.log(`  broadcast of ${attempt.hash}: ${shortError(error)}`);
    }
  }

  /** Waits until one attempt of `inFlight` is mined (returns its receipt) or another transaction took the nonce. */
  private async settle(inFlight: InFlight): Promise<TransactionReceipt | undefined> {
    const { pollMs, dropAfterBlocks, dropAfterMs, maxAttempts, signal, log } = this.options;
    for (;;) {
      signal?.throwIfAborted();
      const receipt = await this.findReceipt(inFlight);
      if (receipt) return receipt;
      const mined = await this.provider.getTransactionCount(this.wallet.address, "latest");
      if (mined > inFlight.nonce) {
        // The nonce is used. Look once more (the receipt may have landed between the two reads).
        const late = await this.findReceipt(inFlight);
        if (late) return late;
        log(
          `  nonce ${inFlight.nonce} was used by another transaction; none of this batch's attempts was mined`,
        );
        return undefined;
      }
      const last = inFlight.attempts[inFlight.attempts.length - 1];
      if ((await this.provider.getTransaction(last.hash)) === null) {
        log(`  ${last.hash} unknown to the node; rebroadcasting the same signed bytes`);
        await this.rebroadcast(last);
      }
      const block = await this.provider.getBlockNumber();
      if (block - last.sentBlock >= dropAfterBlocks || Date.now() - last.sentAt >= dropAfterMs) {
        if (inFlight.attempts.length >= maxAttempts) {
          throw new StuckTransactionError(
            `nonce ${inFlight.nonce} not mined after ${inFlight.attempts.length} attempts (${last.hash}); ` +
              "check the node and gas prices, then restart: the checkpoint keeps every attempt",
          );
        }
        const delay = this.options.backoffMs * 2 ** (inFlight.attempts.length - 1);
        log(
          `  ${last.hash} not mined after ${block - last.sentBlock} blocks; replacing at nonce ${inFlight.nonce} in ${delay} ms`,
        );
        await sleep(delay, signal);
        const tx = Transaction.from(last.raw);
        await this.broadcastNew(inFlight, tx.data, tx.gasLimit, last);
        continue;
      }
      await sleep(pollMs, signal);
    }
  }

  private async findReceipt(inFlight: InFlight): Promise<TransactionReceipt | undefined> {
    for (const attempt of inFlight.attempts) {
      const receipt = await this.provider.getTransactionReceipt(attempt.hash);
      if (receipt) return receipt;
    }
    return undefined;
  }
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
