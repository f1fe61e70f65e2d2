// Progress lines a person can read while the keeper runs, and the receipt parsing they are built from.
import type { TransactionReceipt } from "ethers";
import { FAILURE_REASONS, ledgerInterface } from "../chain/ledger.ts";
import type { BatchOutcome } from "./sender.ts";

export interface TxReport {
  kind: BatchOutcome["kind"];
  hash: string;
  loans: number;
  gasUsed: bigint;
  /** True when a previous run sent it and this run only found its receipt. */
  recovered: boolean;
}

export interface Totals {
  txs: TxReport[];
  /** Loans with a `Collected` event / a `BucketChanged` event, and what was collected. */
  loans: number;
  amount: bigint;
  collected: Map<bigint, bigint>;
  /** `CollectionFailed` counts by reason name. */
  failed: Record<string, number>;
  transitions: number;
  /** `ProvisionChanged` events: past-due loans re-marked in the same bucket whose provision moved. */
  provisionMoves: number;
  defaults: number;
}

export function emptyTotals(): Totals {
  return {
    txs: [],
    loans: 0,
    amount: 0n,
    collected: new Map(),
    failed: {},
    transitions: 0,
    provisionMoves: 0,
    defaults: 0,
  };
}

/** Adds a mined batch's events to `totals`. */
export function addReceipt(
  totals: Totals,
  outcome: BatchOutcome,
  receipt: TransactionReceipt,
  ledger: string,
) {
  totals.txs.push({
    kind: outcome.kind,
    hash: receipt.hash,
    loans: outcome.loanIds.length,
    gasUsed: receipt.gasUsed,
    recovered: outcome.recovered,
  });
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== ledger.toLowerCase()) continue;
    const parsed = ledgerInterface.parseLog(log);
    if (!parsed) continue;
    if (parsed.name === "Collected") {
      const loanId = parsed.args.loanId as bigint;
      const amount = parsed.args.amount as bigint;
      totals.collected.set(loanId, (totals.collected.get(loanId) ?? 0n) + amount);
      totals.amount += amount;
      totals.loans++;
    } else if (parsed.name === "CollectionFailed") {
      const reason = FAILURE_REASONS[Number(parsed.args[1])] ?? `reason ${parsed.args[1]}`;
      totals.failed[reason] = (totals.failed[reason] ?? 0) + 1;
    } else if (parsed.name === "BucketChanged") {
      totals.transitions++;
    } else if (parsed.name === "ProvisionChanged") {
      totals.provisionMoves++;
    } else if (parsed.name === "LoanDefaulted") {
      totals.defaults++;
    }
  }
}

const int = (n: bigint | number) => n.toLocaleString("en-US");

/** "in 2 txs (gas 5,123,456; 51,234/loan)". */
export function txSummary(txs: TxReport[], loans: number): string {
  if (txs.length === 0) return "";
  const gas = txs.reduce((s, t) => s + t.gasUsed, 0n);
  const perLoan = loans > 0 ? `; ${int(gas / BigInt(loans))}/loan` : "";
  return ` in ${txs.length} tx${txs.length === 1 ? "" : "s"} (gas ${int(gas)}${perLoan})`;
}

export function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
}
