// The ledger's and the pool's events as a typed union: money and ids as bigint, small enums as numbers, buckets by
// name. Parsed from a receipt's logs or queried by borrower.
import {
  Interface,
  toBeHex,
  type Contract,
  zeroPadValue,
  type InterfaceAbi,
  type LogDescription,
  type Provider,
} from "ethers";
import { ABIS } from "../abi/contracts.ts";
import { BUCKET_NAMES } from "../core/buckets.ts";
import type { BucketName } from "./views.ts";

/** Each event's fields, as `parseEvents` returns them. */
export interface MicrocreditEventArgs {
  // ── CreditLedger: loans ──
  /**
   * A draw, with the cost figures `CreditQuotes.quote` showed for it: `aprBps` includes the fee (IRR, 30/360); the
   * recipient received `principal − totalFees`; the borrower repays `principal + totalInterest` on the plan.
   */
  Drawn: {
    loanId: bigint;
    borrower: string;
    recipient: string;
    productId: number;
    principal: bigint;
    aprBps: bigint;
    totalFees: bigint;
    totalInterest: bigint;
  };
  /** `principal` includes any fee rebate (`FeeRebated`); penalty is in `PenaltyCharged`. */
  Repaid: {
    loanId: bigint;
    payer: string;
    interest: bigint;
    principal: bigint;
    principalOutstanding: bigint;
  };
  FeeRebated: { loanId: bigint; rebate: bigint };
  PenaltyCharged: { loanId: bigint; penalty: bigint };
  PenaltyWaived: { loanId: bigint; amount: bigint; reason: string; by: string };
  LoanClosed: { loanId: bigint };
  // ── CreditLedger: collection and delinquency ──
  MandateSet: { borrower: string; capPerCollection: bigint };
  MandateRevoked: { borrower: string };
  Collected: { loanId: bigint; borrower: string; amount: bigint };
  /** `reason`: 1 not active, 2 no mandate, 3 no balance, 4 no allowance, 5 transfer failed, 6 cap used up. */
  CollectionFailed: { loanId: bigint; reason: number };
  BucketChanged: { loanId: bigint; from: BucketName; to: BucketName; provision: bigint };
  /** A past-due loan's provision moved in the same bucket (a mark as it ages, a payment that leaves it past due). */
  ProvisionChanged: { loanId: bigint; provision: bigint };
  /** The write-off of a loan past the default threshold. */
  LoanDefaulted: { loanId: bigint; loss: bigint; absorbedByReserve: bigint; lenderLoss: bigint };
  Recovered: { loanId: bigint; amount: bigint; toLenders: bigint; toReserve: bigint };
  // ── LendingPool ──
  Deposit: { sender: string; owner: string; assets: bigint; shares: bigint };
  Withdraw: { sender: string; receiver: string; owner: string; assets: bigint; shares: bigint };
  RedeemRequested: { requestId: bigint; owner: string; shares: bigint };
  RedeemFilled: { requestId: bigint; owner: string; shares: bigint; assets: bigint };
  RedeemCancelled: { requestId: bigint; owner: string; shares: bigint };
  RedeemClaimed: { owner: string; receiver: string; assets: bigint };
  GainLocked: { step: bigint; locked: bigint; unlockEnd: bigint };
}

export type MicrocreditEventName = keyof MicrocreditEventArgs;

/** One event of the ledger or the pool, narrowed by `name`: `if (e.name === "Drawn") e.args.principal`. */
export type MicrocreditEvent = {
  [N in MicrocreditEventName]: {
    name: N;
    contract: "ledger" | "pool";
    args: MicrocreditEventArgs[N];
    blockNumber: number;
    transactionHash: string;
    logIndex: number;
  };
}[MicrocreditEventName];

const LEDGER_EVENTS = [
  "Drawn",
  "Repaid",
  "FeeRebated",
  "PenaltyCharged",
  "PenaltyWaived",
  "LoanClosed",
  "MandateSet",
  "MandateRevoked",
  "Collected",
  "CollectionFailed",
  "BucketChanged",
  "ProvisionChanged",
  "LoanDefaulted",
  "Recovered",
] as const satisfies readonly MicrocreditEventName[];

const POOL_EVENTS = [
  "Deposit",
  "Withdraw",
  "RedeemRequested",
  "RedeemFilled",
  "RedeemCancelled",
  "RedeemClaimed",
  "GainLocked",
] as const satisfies readonly MicrocreditEventName[];

/** The ledger's and the pool's ABIs, as ethers Interfaces. */
export const LEDGER_INTERFACE = new Interface(ABIS.CreditLedger as InterfaceAbi);
export const POOL_INTERFACE = new Interface(ABIS.LendingPool as InterfaceAbi);

const KNOWN: Record<"ledger" | "pool", ReadonlySet<string>> = {
  ledger: new Set(LEDGER_EVENTS),
  pool: new Set(POOL_EVENTS),
};

/** The events `contract` emitted among `logs`, parsed with its ABI, in log order (any contract, any event). */
export function eventsEmittedBy(
  contract: Contract,
  logs: readonly { address: string; topics: readonly string[]; data: string }[],
): LogDescription[] {
  const address = String(contract.target).toLowerCase();
  return logs
    .filter((log) => log.address.toLowerCase() === address)
    .map((log) => contract.interface.parseLog(log))
    .filter((event) => event !== null);
}

/** A log as a receipt or `getLogs` gives it. */
export interface RawLog {
  address: string;
  topics: readonly string[];
  data: string;
  blockNumber: number;
  transactionHash: string;
  index: number;
}

function fieldsOf(event: LogDescription): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  event.fragment.inputs.forEach((input, i) => {
    const value = event.args[i] as unknown;
    if (event.name === "BucketChanged" && (input.name === "from" || input.name === "to")) {
      fields[input.name] = BUCKET_NAMES[Number(value)] ?? `bucket ${value}`;
    } else if (/^uint(8|16|32)$/.test(input.type)) {
      fields[input.name] = Number(value);
    } else {
      fields[input.name] = value;
    }
  });
  return fields;
}

/**
 * The ledger's and the pool's events among `logs` (a receipt's, or `getLogs`'), in log order. Other contracts' logs,
 * and the two contracts' administrative events (roles, products, limits), are left out.
 */
export function parseEvents(
  addresses: { ledger: string; pool: string },
  logs: readonly RawLog[],
): MicrocreditEvent[] {
  const ledger = addresses.ledger.toLowerCase();
  const pool = addresses.pool.toLowerCase();
  const out: MicrocreditEvent[] = [];
  for (const log of logs) {
    const address = log.address.toLowerCase();
    const contract = address === ledger ? "ledger" : address === pool ? "pool" : undefined;
    if (contract === undefined) continue;
    const event = (contract === "ledger" ? LEDGER_INTERFACE : POOL_INTERFACE).parseLog({
      topics: [...log.topics],
      data: log.data,
    });
    if (event === null || !KNOWN[contract].has(event.name)) continue;
    out.push({
      name: event.name,
      contract,
      args: fieldsOf(event),
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
      logIndex: log.index,
    } as MicrocreditEvent);
  }
  return out;
}

/** The events of one name from a parsed list, with their fields typed. */
export function eventsNamed<N extends MicrocreditEventName>(
  events: readonly MicrocreditEvent[],
  name: N,
): Extract<MicrocreditEvent, { name: N }>[] {
  return events.filter((e): e is Extract<MicrocreditEvent, { name: N }> => e.name === name);
}

/** The ledger's events that index the borrower as their second topic. */
const BORROWER_TOPIC_EVENTS = ["Drawn", "Collected"] as const;

/** The ledger's events about a loan, indexed by its id as their first topic. */
const LOAN_EVENTS = [
  "Repaid",
  "FeeRebated",
  "PenaltyCharged",
  "PenaltyWaived",
  "LoanClosed",
  "CollectionFailed",
  "BucketChanged",
  "ProvisionChanged",
  "LoanDefaulted",
  "Recovered",
] as const;

/** How many loan ids one `getLogs` topic filter names. */
const IDS_PER_QUERY = 100;

const topicsOf = (names: readonly string[]): string[] =>
  names.map((name) => LEDGER_INTERFACE.getEvent(name)!.topicHash);

/**
 * A borrower's events from the node: `Drawn` and `Collected` by their indexed borrower, and the events of `loanIds`
 * (the borrower's) by loan id, in chain order. One `getLogs` for the first, one per 100 loans for the rest.
 */
export async function queryBorrowerEvents(
  provider: Provider,
  addresses: { ledger: string; pool: string },
  borrower: string,
  loanIds: readonly bigint[],
  fromBlock: number,
  toBlock?: number,
): Promise<MicrocreditEvent[]> {
  const range = { address: addresses.ledger, fromBlock, toBlock: toBlock ?? "latest" };
  const queries = [
    provider.getLogs({
      ...range,
      topics: [topicsOf(BORROWER_TOPIC_EVENTS), null, zeroPadValue(borrower, 32)],
    }),
  ];
  for (let i = 0; i < loanIds.length; i += IDS_PER_QUERY) {
    const ids = loanIds.slice(i, i + IDS_PER_QUERY).map((id) => toBeHex(id, 32));
    queries.push(provider.getLogs({ ...range, topics: [topicsOf(LOAN_EVENTS), ids] }));
  }
  const logs = (await Promise.all(queries)).flat();
  logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  return parseEvents(addresses, logs);
}
