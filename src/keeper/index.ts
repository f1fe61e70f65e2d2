// The collection keeper: finds loans from ledger events, collects what is due in batches, marks delinquency, and
// survives restarts through a checkpoint file (docs/KEEPER.md).
export { runOnce, runLoop, Keeper, type KeeperOptions, type PassReport } from "./keeper.ts";
export {
  CheckpointStore,
  loadCheckpoint,
  saveCheckpoint,
  type Checkpoint,
  type InFlight,
} from "../chain/checkpoint.ts";
export {
  DEFAULT_TUNING,
  DEFAULT_RPC_URL,
  createProvider,
  defaultCheckpointFile,
  resolveKey,
  type Tuning,
} from "./config.ts";
export {
  Bucket,
  BUCKET_NAMES,
  markDue,
  NON_ACCRUAL_AFTER,
  provisionBase,
  provisionUp,
  targetBucket,
  type BucketParams,
  type ProvisionBase,
  type ProvisionParams,
} from "../core/buckets.ts";
export { borrowerOf, loanLabel } from "../core/loan-id.ts";
