// The keeper's memory between runs: a JSON file written atomically (temp file + rename) after every step that
// matters, so a crash at any point leaves either the previous or the new state, never half of one.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export const CHECKPOINT_VERSION = 1;

/** What the keeper knows about one active loan. Amounts and times are decimal strings (JSON has no bigint). */
export interface LoanEntry {
  /** The loan's next due date as last read (unix seconds). Only ever moves later, so a stale value is safe. */
  nextDueAt: string;
  /** True while the loan was past due or not in the Current bucket at the last look: checked on every pass. */
  late: boolean;
}

/** One signed transaction of an in-flight batch. All attempts share the batch's nonce, so at most one is mined. */
export interface TxAttempt {
  hash: string;
  /** The signed transaction, so a restart can rebroadcast exactly the same bytes (same hash, same nonce). */
  raw: string;
  /** Block number and wall-clock time (ms) when it was first broadcast. */
  sentBlock: number;
  sentAt: number;
  maxFeePerGas: string;
  maxPriorityFeePerGas: string;
}

/** A batch written down before it is broadcast and cleared only once its outcome is known. */
export interface InFlight {
  kind: "collect" | "mark";
  nonce: number;
  loanIds: string[];
  attempts: TxAttempt[];
}

export interface Checkpoint {
  version: number;
  chainId: string;
  ledger: string;
  /** Last block whose Drawn/LoanClosed events are reflected in `loans`; -1 before the first scan. */
  lastScannedBlock: number;
  /** Active loans by id (decimal string). */
  loans: Record<string, LoanEntry>;
  inFlight: InFlight | null;
}

export function emptyCheckpoint(chainId: bigint, ledger: string, fromBlock: number): Checkpoint {
  return {
    version: CHECKPOINT_VERSION,
    chainId: chainId.toString(),
    ledger: ledger.toLowerCase(),
    lastScannedBlock: fromBlock - 1,
    loans: {},
    inFlight: null,
  };
}

/** Thrown when a checkpoint file belongs to another chain or ledger, or is not one this version can read. */
export class CheckpointMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckpointMismatchError";
  }
}

/**
 * Loads `file`, or starts a fresh checkpoint when it does not exist. Refuses a file written for another chain or
 * ledger: a keeper pointed at the wrong file must stop, not collect from a book it does not know.
 */
export function loadCheckpoint(file: string, chainId: bigint, ledger: string, fromBlock: number): Checkpoint {
  if (!existsSync(file)) return emptyCheckpoint(chainId, ledger, fromBlock);
  let parsed: Checkpoint;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8")) as Checkpoint;
  } catch (error) {
    throw new CheckpointMismatchError(`${file}: not a readable checkpoint (${(error as Error).message})`);
  }
  if (parsed.version !== CHECKPOINT_VERSION) {
    throw new CheckpointMismatchError(
      `${file}: checkpoint version ${parsed.version}, expected ${CHECKPOINT_VERSION}`,
    );
  }
  if (parsed.chainId !== chainId.toString() || parsed.ledger !== ledger.toLowerCase()) {
    throw new CheckpointMismatchError(
      `${file} is for ledger ${parsed.ledger} on chain ${parsed.chainId}, not ${ledger.toLowerCase()} on chain ${chainId}; ` +
        "use another --checkpoint file",
    );
  }
  parsed.loans ??= {};
  parsed.inFlight ??= null;
  return parsed;
}

/** Writes the checkpoint atomically: a reader (or a restart after a crash) sees the old or the new file, whole. */
export function saveCheckpoint(file: string, checkpoint: Checkpoint): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(checkpoint, null, 2) + "\n");
  renameSync(temp, file);
}

/** The checkpoint together with the file it lives in; `save()` after every change that must survive a crash. */
export class CheckpointStore {
  readonly file: string;
  readonly state: Checkpoint;

  constructor(file: string, state: Checkpoint) {
    this.file = file;
    this.state = state;
  }

  static open(file: string, chainId: bigint, ledger: string, fromBlock: number): CheckpointStore {
    return new CheckpointStore(file, loadCheckpoint(file, chainId, ledger, fromBlock));
  }

  save(): void {
    saveCheckpoint(this.file, this.state);
  }

  activeIds(): bigint[] {
    return Object.keys(this.state.loans).map((id) => BigInt(id));
  }

  addLoan(loanId: bigint): void {
    this.state.loans[loanId.toString()] ??= { nextDueAt: "0", late: false };
  }

  removeLoan(loanId: bigint): void {
    delete this.state.loans[loanId.toString()];
  }

  entry(loanId: bigint): LoanEntry | undefined {
    return this.state.loans[loanId.toString()];
  }
}
