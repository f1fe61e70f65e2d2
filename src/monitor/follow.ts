// The monitor: follows the ledger's events, keeps every loan in memory, reads the views of the loans that can have
// changed, works out each active loan's bucket by time, and at each step computes the book metrics, takes a snapshot
// when one is due and runs the warning rules.
//
// A poll moves the monitor to the head in steps. A step is one block: events up to it are applied, views are read at
// it (`blockTag`) and its timestamp is "now", so every number of a step describes the chain at that block. When the
// monitor is behind by more than a snapshot interval (a first run, `--from-block 0`, a restart) the poll first steps
// through the history, one step at the first block of each snapshot interval, so the snapshots, roll rates and
// warnings of a rebuild are those of a monitor that had been running. Warnings of those history steps are marked
// `replayed`; those still active at the head are sent to the sinks ("found on catch-up"), then every new one.
import type { JsonRpcProvider } from "ethers";
import { LendingPool__factory } from "../../typechain-types/factories/LendingPool__factory.ts";
import type { LendingPool } from "../../typechain-types/LendingPool.ts";
import { connectLedger } from "../chain/ledger.ts";
import { lensReads, type LensReads } from "../chain/lens.ts";
import { targetBucket, type BucketParams } from "../core/buckets.ts";
import { checkLensOf } from "../sdk/lens-check.ts";
import { mapLimit, sleep } from "../util/async.ts";
import { withProgress, type StartProgress } from "../util/progress.ts";
import { shortError } from "../util/short-error.ts";
import { DEFAULT_CONFIG, type MonitorConfig } from "./config.ts";
import {
  bookMetrics,
  Bucket,
  lenderYield,
  originationByDay,
  rollRates,
  vintageCurves,
  type BookMetrics,
  type DayOrigination,
  type LenderYield,
  type LoanPosition,
  type RollPoint,
  type RollRate,
  type Vintage,
} from "./metrics.ts";
import { MINIMUM_SOON_SECONDS, originatedProducts, type OriginatedProduct } from "./originated.ts";
import { EventScanner, KEEPER_EVENTS, type MonitorEvent } from "./scan.ts";
import { BookState, lastDueAt, type KeeperActivity, type LoanInfo } from "./state.ts";
import { summaryLine, pollLines } from "./poll-lines.ts";
import type { WarningSink } from "./sinks.ts";
import {
  WarningRules,
  type ActiveWarning,
  type ClearedWarning,
  type NewlyLate,
  type StepInput,
  type StepTime,
  type Warning,
} from "./warnings.ts";

export interface MonitorOptions {
  /** With ethers' request cache off: `createProvider(url)` of src/chain/provider.ts. */
  provider: JsonRpcProvider;
  ledger: string;
  /** The ledger's CreditLens, which the monitor reads loans and the book on; without it, the same reads go through
   * the ledger's `extView`. */
  lens?: string;
  /** The LendingPool; defaults to `ledger.pool()`. */
  pool?: string;
  /** First block to read events from (the ledger's deployment block or earlier). */
  fromBlock?: number;
  config?: MonitorConfig;
  sinks?: WarningSink[];
  log?: (line: string) => void;
  /** Shows a catch-up's long steps (event scan, history replay); nothing is shown without it. */
  progress?: StartProgress;
  signal?: AbortSignal;
}

/** The book at a snapshot, and the roll rates since the previous snapshot. */
export interface Snapshot {
  block: number;
  time: number;
  metrics: BookMetrics;
  /** `LendingPool.totalSupply()` (the pool value is `metrics.utilisation.total`): the share price for the yield. */
  poolShares: bigint;
  /** Since the previous snapshot (`since`); absent for the first. */
  rollRates?: RollRate[];
  since?: number;
}

export interface StepReport {
  block: number;
  time: number;
  metrics: BookMetrics;
  /** `LendingPool.totalAssets()`, `totalSupply()` and the lens's `principalOutstanding()` at the step's block. */
  poolValue: bigint;
  poolShares: bigint;
  ledgerPrincipal: bigint;
  /** Lenders' yield over the last 30 days of snapshots (absent before the second point). */
  lenderYield?: LenderYield;
  riskParams: { graceDays: number; defaultDays: number };
  /** Active loans whose stored bucket differs from the bucket they belong in (not marked yet). */
  unmarked: number;
  /** Views read in this step, and loans that needed a read but were left for the next step. */
  reads: number;
  staleLoans: number;
  snapshot?: Snapshot;
  /** Products a product contract originates (the merchant loan): their book, what the contract repaid, loans behind. */
  originated: OriginatedProduct[];
  /** Warnings this step raised and cleared. */
  warnings: Warning[];
  cleared: ClearedWarning[];
}

export interface PollReport {
  /** The block the poll reached (head − confirmations); steps empty when there was no new block. */
  head: number;
  steps: StepReport[];
  /** The first poll of this monitor: the catch-up. */
  first: boolean;
  /** Warnings raised by the head step: sent to the sinks. */
  live: Warning[];
  /** Warnings raised by history steps: recorded; those still active at the head are in `found`. */
  replayed: Warning[];
  /** Replayed warnings still active at the head, sent to the sinks before `live`. */
  found: Warning[];
  /** Warnings sent earlier whose condition stopped holding in this poll. */
  cleared: ClearedWarning[];
  /** Every warning active after the poll. */
  active: ActiveWarning[];
  line: string;
}

/** A warning as the report lists it: with the step that cleared it, if one did. */
export interface WarningEntry extends Warning {
  cleared?: StepTime & { value?: number };
}

/** Everything the report shows. */
export interface MonitorSummary {
  chainId: string;
  ledger: string;
  pool: string;
  config: MonitorConfig;
  current?: StepReport;
  snapshots: Snapshot[];
  originationByDay: DayOrigination[];
  vintages: Vintage[];
  writtenOff: { loans: number; principal: bigint; loss: bigint; recovered: bigint };
  /** Every warning raised, in order, with when it cleared; and those active at the last step. */
  warnings: WarningEntry[];
  active: ActiveWarning[];
}

export class Monitor {
  readonly provider: JsonRpcProvider;
  /** The loans' and the book's reads (the CreditLens, or the ledger's `extView`). */
  readonly lens: LensReads;
  readonly pool: LendingPool;
  readonly ledgerAddress: string;
  readonly poolAddress: string;
  readonly chainId: bigint;
  readonly config: MonitorConfig;
  readonly state = new BookState();
  readonly rules: WarningRules;
  readonly scanner: EventScanner;
  readonly snapshots: Snapshot[] = [];
  /** Every warning raised, live and replayed, in order, and the step that cleared each one that did. */
  readonly warnings: Warning[] = [];
  private readonly clearedAt = new Map<Warning, ClearedWarning>();
  /** Warnings given to the sinks. */
  private readonly sent = new Set<Warning>();
  readonly sinks: WarningSink[];
  readonly log: (line: string) => void;
  private readonly progress?: StartProgress;
  readonly signal?: AbortSignal;
  lastStep?: StepReport;
  private lastPoints = new Map<bigint, RollPoint>();
  /** Each product's originator (the zero address: drawn by borrowers), read when its first loan is seen and again
   * at every snapshot. */
  private readonly originators = new Map<number, string>();
  private queue: MonitorEvent[] = [];
  private readonly blockTimes = new Map<number, number>();

  private constructor(options: MonitorOptions, chainId: bigint, pool: string) {
    this.provider = options.provider;
    this.chainId = chainId;
    this.ledgerAddress = options.ledger;
    this.poolAddress = pool;
    this.lens = lensReads(options, options.provider);
    this.pool = LendingPool__factory.connect(pool, options.provider);
    this.config = options.config ?? DEFAULT_CONFIG;
    this.rules = new WarningRules(this.config.warnings);
    this.sinks = options.sinks ?? [];
    this.log = options.log ?? console.log;
    this.progress = options.progress;
    this.signal = options.signal;
    this.scanner = new EventScanner(
      options.provider,
      options.ledger,
      chainId,
      options.fromBlock ?? 0,
      this.config.pageBlocks,
    );
  }

  static async create(options: MonitorOptions): Promise<Monitor> {
    const { chainId } = await options.provider.getNetwork();
    if ((await options.provider.getCode(options.ledger)) === "0x") {
      throw new Error(`no contract at ledger address ${options.ledger} on chain ${chainId}`);
    }
    let pool: string;
    try {
      pool = options.pool ?? (await connectLedger(options.ledger, options.provider).pool());
    } catch (error) {
      const why = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
      throw new Error(`${options.ledger} on chain ${chainId} is not a CreditLedger (pool() failed: ${why})`);
    }
    if (options.lens !== undefined) await checkLensOf(options.lens, options.ledger, options.provider);
    return new Monitor(options, chainId, pool);
  }

  /** Moves to the head (in history steps first when behind), sends the head step's warnings, returns what it did. */
  async poll(): Promise<PollReport> {
    const head = (await this.provider.getBlockNumber()) - this.config.confirmations;
    const steps: StepReport[] = [];
    const first = this.lastStep === undefined;
    if (head <= (this.lastStep?.block ?? -1) || head < 0) {
      const active = this.rules.active();
      const none = { live: [], replayed: [], found: [], cleared: [] };
      return { head, steps, first, ...none, active, line: `block ${head}: no new block` };
    }
    this.queue.push(...(await this.scanner.scanTo(head, this.signal, this.progress)));
    const history = await this.historySteps(head);
    await withProgress(this.progress, "replaying history", history.length, async (update) => {
      for (const block of history) update(steps.push(await this.step(block, true)));
    });
    steps.push(await this.step(head, false));
    const replayed = steps.slice(0, -1).flatMap((s) => s.warnings);
    for (const w of replayed) w.replayed = true;
    const live = steps[steps.length - 1].warnings;
    const active = this.rules.active();
    const found = active.map((a) => a.warning).filter((w) => w.replayed && !this.sent.has(w));
    for (const w of [...found, ...live]) {
      this.sent.add(w);
      for (const sink of this.sinks) await sink.emit(w);
    }
    const cleared = steps.flatMap((s) => s.cleared).filter((c) => this.sent.has(c.warning));
    const line = summaryLine(steps, {
      replayed: replayed.length,
      found: found.length,
      active,
      unknownLoanEvents: this.state.unknownLoanEvents,
    });
    return { head, steps, first, live, replayed, found, cleared, active, line };
  }

  /** Polls every `config.pollSeconds` until the signal aborts; a failed poll is logged and retried. */
  async run(): Promise<void> {
    while (!this.signal?.aborted) {
      try {
        for (const line of pollLines(await this.poll())) this.log(line);
      } catch (error) {
        if (this.signal?.aborted) break;
        this.log(`poll failed: ${shortError(error)}; next poll in ${this.config.pollSeconds} s`);
      }
      try {
        await sleep(this.config.pollSeconds * 1000, this.signal);
      } catch {
        break;
      }
    }
  }

  /** The report's data at the last step. */
  summary(): MonitorSummary {
    const loans = [...this.state.loans.values()];
    const now = this.lastStep?.time ?? 0;
    const off = loans.filter((l) => l.status === "defaulted");
    return {
      chainId: this.chainId.toString(),
      ledger: this.ledgerAddress,
      pool: this.poolAddress,
      config: this.config,
      current: this.lastStep,
      snapshots: this.snapshots,
      originationByDay: originationByDay(loans),
      vintages: vintageCurves(loans, now),
      writtenOff: {
        loans: off.length,
        principal: off.reduce((s, l) => s + (l.defaultedPrincipal ?? 0n), 0n),
        loss: off.reduce((s, l) => s + (l.loss ?? 0n), 0n),
        recovered: off.reduce((s, l) => s + l.recovered, 0n),
      },
      warnings: this.warnings.map((w) => {
        const c = this.clearedAt.get(w);
        return c ? { ...w, cleared: { time: c.time, at: c.at, block: c.block, value: c.value } } : w;
      }),
      active: this.rules.active(),
    };
  }

  // ---------------------------------------------------------------- steps

  /**
   * Blocks before `head` at which a snapshot falls due: the first draw when there is no snapshot yet, then the first
   * block of each snapshot interval. At most `maxReplaySnapshots` (a longer history uses a longer interval).
   */
  private async historySteps(head: number): Promise<number[]> {
    const blocks: number[] = [];
    let last = this.snapshots.at(-1)?.time;
    let from = (this.lastStep?.block ?? -1) + 1;
    if (last === undefined) {
      const firstDraw = this.queue.find((e) => e.name === "Drawn");
      if (!firstDraw || firstDraw.block >= head) return blocks;
      blocks.push(firstDraw.block);
      last = await this.blockTime(firstDraw.block);
      from = firstDraw.block + 1;
    }
    const headTime = await this.blockTime(head);
    const configured = this.config.snapshotHours * 3600;
    const interval = Math.max(configured, Math.ceil((headTime - last) / this.config.maxReplaySnapshots));
    for (;;) {
      const block = await this.firstBlockAtOrAfter(last + interval, from, head);
      if (block === undefined || block >= head) break;
      blocks.push(block);
      last = await this.blockTime(block);
      from = block + 1;
    }
    return blocks;
  }

  private async step(block: number, history: boolean): Promise<StepReport> {
    this.signal?.throwIfAborted();
    const time = await this.blockTime(block);
    await this.applyEvents(block);
    const tag = { blockTag: block };
    const [params, poolValue, poolShares, ledgerPrincipal] = await Promise.all([
      this.lens.riskParams(tag),
      this.pool.totalAssets(tag),
      this.pool.totalSupply(tag),
      this.lens.principalOutstanding(tag),
    ]);
    const bucketParams: BucketParams = { graceDays: params.graceDays, defaultDays: params.defaultDays };
    const { reads, stale } = await this.refresh(block, time);

    const now = BigInt(time);
    const active = this.state.active();
    const positions: LoanPosition[] = [];
    const late = new Map<bigint, number>();
    let unmarked = 0;
    for (const l of active) {
      const v = l.view;
      const bucket = v ? targetBucket(v.pastDue, v.pastDueSince, now, bucketParams) : Bucket.Current;
      if (v && bucket !== v.storedBucket) unmarked++;
      if (v && bucket >= Bucket.M1) late.set(l.loanId, time - Number(v.pastDueSince));
      positions.push({
        loanId: l.loanId,
        borrower: l.borrower,
        outstanding: v?.principalOutstanding ?? l.principalOutstanding,
        bucket,
      });
    }
    const metrics = bookMetrics(positions, poolValue);

    let snapshot: Snapshot | undefined;
    const previous = this.snapshots.at(-1);
    const snapshotDue = previous
      ? history || time >= previous.time + this.config.snapshotHours * 3600
      : this.state.loans.size > 0;
    if (snapshotDue) {
      const points = new Map<bigint, RollPoint>(
        positions.map((p) => [p.loanId, { bucket: p.bucket, outstanding: p.outstanding }]),
      );
      const rates = previous
        ? rollRates(this.lastPoints, points, (id) => this.state.loans.get(id)?.status === "defaulted")
        : undefined;
      snapshot = { block, time, metrics, poolShares, rollRates: rates, since: previous?.time };
      this.snapshots.push(snapshot);
      this.lastPoints = points;
    }

    await this.readOriginators(tag, snapshot !== undefined);
    const originated = originatedProducts(
      this.state.loans.values(),
      this.originators,
      time,
      MINIMUM_SOON_SECONDS,
    );

    const input: StepInput = {
      block,
      time,
      metrics,
      newlyLate: this.newlyLate(positions),
      late,
      graceDays: Number(params.graceDays),
      rolls:
        snapshot?.rollRates && previous
          ? { rates: snapshot.rollRates, previous: previous.rollRates, since: previous.time }
          : undefined,
      keeper: this.keeperInput(active, time),
    };
    const { raised, cleared } = this.rules.evaluate(input);
    this.warnings.push(...raised);
    for (const c of cleared) this.clearedAt.set(c.warning, c);
    const poolPoint = (p: { time: number; metrics: BookMetrics; poolShares: bigint }) => ({
      time: p.time,
      poolValue: p.metrics.utilisation.total,
      poolShares: p.poolShares,
    });
    const report: StepReport = {
      block,
      time,
      metrics,
      poolValue,
      poolShares,
      ledgerPrincipal,
      lenderYield: lenderYield(poolPoint({ time, metrics, poolShares }), this.snapshots.map(poolPoint)),
      riskParams: { graceDays: Number(params.graceDays), defaultDays: Number(params.defaultDays) },
      unmarked,
      reads,
      staleLoans: stale,
      snapshot,
      originated,
      warnings: raised,
      cleared,
    };
    this.lastStep = report;
    return report;
  }

  /** Reads the originator of every product with a loan not read yet, or of all of them when `all`. */
  private async readOriginators(tag: { blockTag: number }, all: boolean): Promise<void> {
    const ids = new Set<number>();
    for (const l of this.state.loans.values())
      if (all || !this.originators.has(l.productId)) ids.add(l.productId);
    await mapLimit(
      [...ids],
      this.config.concurrency,
      async (id) => {
        const p = await this.lens.product(id, tag);
        this.originators.set(id, String(p.originator).toLowerCase());
      },
      this.signal,
    );
  }

  /** Applies the queued events up to `block`, with the timestamps of the blocks that need one. */
  private async applyEvents(block: number): Promise<void> {
    let n = 0;
    while (n < this.queue.length && this.queue[n].block <= block) n++;
    const events = this.queue.splice(0, n);
    const timed = (e: MonitorEvent) =>
      e.name === "Drawn" || e.name === "LoanDefaulted" || KEEPER_EVENTS.has(e.name);
    const blocks = [...new Set(events.filter(timed).map((e) => e.block))];
    await mapLimit(blocks, this.config.concurrency, (b) => this.blockTime(b), this.signal);
    for (const e of events) this.state.apply(e, timed(e) ? this.blockTimes.get(e.block)! : 0);
  }

  /**
   * Reads `loanState` (and once `loanRecord`, for the due dates) of the active loans that can have changed: never
   * read, touched by an event, or with a due date passed since the last read. Outside those, principal, past-due
   * amount and oldest unpaid due date only change at a due date or a payment, so the bucket follows from time.
   */
  private async refresh(block: number, time: number): Promise<{ reads: number; stale: number }> {
    const now = BigInt(time);
    const touched: LoanInfo[] = [];
    const due: LoanInfo[] = [];
    for (const l of this.state.active()) {
      if (!l.view || l.dirty) touched.push(l);
      else if (l.view.nextDueAt <= now) due.push(l);
    }
    const todo = [...touched, ...due];
    const batch = todo.slice(0, this.config.maxReadsPerStep);
    const tag = { blockTag: block };
    await mapLimit(
      batch,
      this.config.concurrency,
      async (l) => {
        const [v, record] = await Promise.all([
          this.lens.loanState(l.loanId, tag),
          l.terms ? undefined : this.lens.loanRecord(l.loanId, tag),
        ]);
        if (record) {
          l.terms = {
            drawnAt: Number(record.drawnAt),
            periodSeconds: Number(record.periodDays) * 86_400,
            instalments: Number(record.instalments),
          };
        }
        this.state.setView(
          l,
          {
            block,
            principalOutstanding: v.principalOutstanding,
            pastDue: v.pastDue,
            pastDueSince: v.pastDueSince,
            nextDueAt: v.nextDueAt,
            nextDueAmount: v.nextDueAmount,
            storedBucket: Number(v.markedBucket),
          },
          v.status,
          time,
        );
      },
      this.signal,
    );
    return { reads: batch.length, stale: todo.length - batch.length };
  }

  /** Loans past grace now (or marked so by an event since the last step) that never were before. */
  private newlyLate(positions: LoanPosition[]): NewlyLate[] {
    const bucketOf = new Map(positions.map((p) => [p.loanId, p.bucket]));
    const out: NewlyLate[] = [];
    for (const l of this.state.loans.values()) {
      const bucket = bucketOf.get(l.loanId);
      const lateNow = bucket !== undefined && bucket >= Bucket.M1;
      if (!l.everLate && (lateNow || l.lateMark !== undefined)) {
        l.everLate = true;
        out.push({
          loanId: l.loanId,
          borrower: l.borrower,
          bucket: lateNow ? bucket : l.lateMark!,
          active: l.status === "active",
          pastDue: l.view?.pastDue ?? 0n,
          pastDueSince: l.view?.pastDueSince ?? 0n,
          principalOutstanding: l.view?.principalOutstanding ?? l.principalOutstanding,
        });
      }
      l.lateMark = undefined;
    }
    return out;
  }

  /** The oldest due date after the last keeper event among loans with something past due. */
  private keeperInput(active: LoanInfo[], time: number): StepInput["keeper"] {
    const last: KeeperActivity | undefined = this.state.lastKeeperEvent;
    let oldestDue: number | undefined;
    let loansDue = 0;
    for (const l of active) {
      if (!l.view || !l.terms || l.view.pastDue === 0n) continue;
      const due = lastDueAt(l.terms, time);
      if (due === undefined || (last && due <= last.time)) continue;
      loansDue++;
      if (oldestDue === undefined || due < oldestDue) oldestDue = due;
    }
    return { last, oldestDue, loansDue };
  }

  // ---------------------------------------------------------------- blocks

  private async blockTime(block: number): Promise<number> {
    const cached = this.blockTimes.get(block);
    if (cached !== undefined) return cached;
    const b = await this.provider.getBlock(block);
    if (!b) throw new Error(`block ${block} not found`);
    this.blockTimes.set(block, b.timestamp);
    return b.timestamp;
  }

  /** The first block in [lo, hi] with a timestamp ≥ `time`, by binary search (timestamps never decrease). */
  private async firstBlockAtOrAfter(time: number, lo: number, hi: number): Promise<number | undefined> {
    if (lo > hi || (await this.blockTime(hi)) < time) return undefined;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if ((await this.blockTime(mid)) >= time) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
