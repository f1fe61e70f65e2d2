// The ledger's events the monitor follows, read in block pages by the loan discovery it shares with the keeper
// (`discoverLoans` in src/chain/: pages, halving a page the provider refuses, the set of open loans from
// Drawn/LoanClosed). The monitor hands it a
// view of the provider whose `eth_getLogs` asks for all the monitor's events in the same call and keeps them, so one
// request per page serves both, and whose head is the block the monitor wants to reach.
import type { Filter, Log, Provider } from "ethers";
import { CheckpointStore, emptyCheckpoint } from "../chain/checkpoint.ts";
import { discoverLoans } from "../chain/discovery.ts";
import { ledgerInterface } from "../chain/ledger.ts";
import type { StartProgress } from "../util/progress.ts";

interface At {
  block: number;
  logIndex: number;
  loanId: bigint;
}

/** A ledger event the monitor uses, decoded. */
export type MonitorEvent = At &
  (
    | { name: "Drawn"; principal: bigint; productId: number }
    | { name: "Repaid"; principalOutstanding: bigint; payer: string; amount: bigint }
    | { name: "LoanClosed" }
    | { name: "Collected"; amount: bigint }
    | { name: "CollectionFailed"; reason: number }
    | { name: "BucketChanged"; from: number; to: number }
    | { name: "ProvisionChanged"; provision: bigint }
    | { name: "LoanDefaulted"; loss: bigint }
    | { name: "Recovered"; amount: bigint }
  );

export const MONITORED_EVENTS = [
  "Drawn",
  "Repaid",
  "LoanClosed",
  "Collected",
  "CollectionFailed",
  "BucketChanged",
  "ProvisionChanged",
  "LoanDefaulted",
  "Recovered",
] as const;

/** Events a keeper (or the Chainlink upkeep) causes: the sign that collection is running. A daily re-mark of a
 * past-due loan in the same bucket emits `ProvisionChanged`, so a keeper with only such loans to mark is seen running. */
export const KEEPER_EVENTS: ReadonlySet<MonitorEvent["name"]> = new Set([
  "Collected",
  "CollectionFailed",
  "BucketChanged",
  "ProvisionChanged",
]);

const TOPICS = MONITORED_EVENTS.map((name) => ledgerInterface.getEvent(name)!.topicHash);
const DISCOVERY_TOPICS = new Set(["Drawn", "LoanClosed"].map((n) => ledgerInterface.getEvent(n)!.topicHash));

/** Decodes one log of the ledger (undefined for events the monitor does not use). */
export function decodeEvent(log: Log): MonitorEvent | undefined {
  const parsed = ledgerInterface.parseLog(log);
  if (!parsed) return undefined;
  const a = parsed.args;
  const at: At = { block: log.blockNumber, logIndex: log.index, loanId: a[0] as bigint };
  switch (parsed.name) {
    case "Drawn":
      return { ...at, name: "Drawn", principal: a.principal as bigint, productId: Number(a.productId) };
    case "Repaid":
      // amount: the interest and principal the payment retired (penalty is in PenaltyCharged).
      return {
        ...at,
        name: "Repaid",
        principalOutstanding: a[4] as bigint,
        payer: String(a[1]).toLowerCase(),
        amount: (a[2] as bigint) + (a[3] as bigint),
      };
    case "LoanClosed":
      return { ...at, name: "LoanClosed" };
    case "Collected":
      return { ...at, name: "Collected", amount: a.amount as bigint };
    case "CollectionFailed":
      return { ...at, name: "CollectionFailed", reason: Number(a[1]) };
    case "BucketChanged":
      return { ...at, name: "BucketChanged", from: Number(a[1]), to: Number(a[2]) };
    case "ProvisionChanged":
      return { ...at, name: "ProvisionChanged", provision: a[1] as bigint };
    case "LoanDefaulted":
      return { ...at, name: "LoanDefaulted", loss: a[1] as bigint };
    case "Recovered":
      return { ...at, name: "Recovered", amount: a[1] as bigint };
    default:
      return undefined;
  }
}

/** The discovery's checkpoint, kept in memory: the monitor rebuilds from events and has no file to write. */
class MemoryCursor extends CheckpointStore {
  override save(): void {}
}

export class EventScanner {
  readonly provider: Provider;
  readonly ledger: string;
  readonly pageBlocks: number;
  private readonly cursor: MemoryCursor;
  /** Events of pages already scanned and not yet returned. */
  private readonly pending: MonitorEvent[] = [];

  constructor(provider: Provider, ledger: string, chainId: bigint, fromBlock: number, pageBlocks: number) {
    this.provider = provider;
    this.ledger = ledger;
    this.pageBlocks = pageBlocks;
    this.cursor = new MemoryCursor("", emptyCheckpoint(chainId, ledger, fromBlock));
  }

  /** Last block whose events have been read. */
  get lastScannedBlock(): number {
    return this.cursor.state.lastScannedBlock;
  }

  /** Loans drawn and not closed (written-off loans included), as the keeper's discovery counts them. */
  openLoans(): bigint[] {
    return this.cursor.activeIds();
  }

  /**
   * Reads the events of the blocks after the last scanned one up to `toBlock`, in chain order. When a page fails
   * (or the signal aborts), the pages read before it stay scanned and their events are returned by the next call.
   */
  async scanTo(toBlock: number, signal?: AbortSignal, progress?: StartProgress): Promise<MonitorEvent[]> {
    const events = this.pending;
    const provider = this.provider;
    const view = new Proxy(provider, {
      get(target, prop) {
        if (prop === "getBlockNumber") return async () => toBlock;
        if (prop === "getLogs") {
          return async (filter: Filter) => {
            const logs = await target.getLogs({ ...filter, topics: [TOPICS] });
            const page: MonitorEvent[] = [];
            for (const log of logs) {
              const e = decodeEvent(log);
              if (e) page.push(e);
            }
            // Only after the whole page was read: a refused page is retried in halves by the discovery.
            events.push(...page);
            return logs.filter((log) => DISCOVERY_TOPICS.has(log.topics[0]));
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    await discoverLoans(view, this.ledger, this.cursor, {
      pageBlocks: this.pageBlocks,
      confirmations: 0,
      signal,
      progress,
    });
    return events.splice(0).sort((a, b) => a.block - b.block || a.logIndex - b.logIndex);
  }
}
