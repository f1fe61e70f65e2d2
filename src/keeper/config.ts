// Keeper settings and their defaults, and the signing key: from KEEPER_KEY, or Hardhat's account #0 on a development
// node only (chain 31337, or 1337 on this machine: a well-known key must never sign on a real network).
import { join } from "node:path";
import type { JsonRpcProvider } from "ethers";
import { deploymentId } from "../chain/deployment-id.ts";
import {
  DEV_KEYS_TEXT,
  devKeysAllowed,
  displayUrl,
  isLocalChain,
  LOCAL_CHAIN_ID,
  LOCAL_CHAINS_TEXT,
} from "../chain/networks.ts";
import { createProvider, DEFAULT_RPC_URL } from "../chain/provider.ts";

export { createProvider, DEFAULT_RPC_URL, LOCAL_CHAIN_ID };

/** Hardhat's (and Anvil's) default account #0: public knowledge, only ever used where devKeysAllowed. */
export const HARDHAT_ACCOUNT_0_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

export interface Tuning {
  /** Loans per `collect` transaction (the ledger's batch is gas-bounded: ~100 fits comfortably in a block). */
  batchSize: number;
  /** Loans per `mark` transaction. */
  markBatchSize: number;
  /** Largest block range per `eth_getLogs`. */
  pageBlocks: number;
  /** Blocks to stay behind the head when scanning events. */
  confirmations: number;
  /** Block to start scanning from when there is no checkpoint (the ledger's deployment block). */
  fromBlock: number;
  /** Reads in flight at once. */
  concurrency: number;
  pollMs: number;
  dropAfterBlocks: number;
  dropAfterMs: number;
  maxAttempts: number;
  backoffMs: number;
  replacementFeePercent: bigint;
  gasHeadroomPercent: bigint;
}

export const DEFAULT_TUNING: Tuning = {
  batchSize: 100,
  markBatchSize: 100,
  pageBlocks: 2_000,
  confirmations: 0,
  fromBlock: 0,
  concurrency: 32,
  pollMs: 500,
  dropAfterBlocks: 12,
  dropAfterMs: 180_000,
  maxAttempts: 4,
  backoffMs: 1_000,
  replacementFeePercent: 125n,
  gasHeadroomPercent: 25n,
};

/**
 * `.keeper/checkpoint-<chainId>.json` under `cwd`; for a node on this machine, `checkpoint-<chainId>-<port>.json`:
 * one file per node, as for its deployment (deploymentId), since two fresh nodes give the ledger the same address.
 */
export function defaultCheckpointFile(chainId: bigint, rpcUrl: string, cwd = process.cwd()): string {
  return join(cwd, ".keeper", `checkpoint-${deploymentId(chainId, rpcUrl).slice("chain-".length)}.json`);
}

/**
 * The keeper's private key for chain `chainId` reached at `rpcUrl`: `KEEPER_KEY`, else Hardhat's account #0 when
 * (and only when) devKeysAllowed.
 */
export function resolveKey(chainId: bigint, rpcUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  const key = env.KEEPER_KEY?.trim();
  if (key) return key;
  if (devKeysAllowed(chainId, rpcUrl)) return HARDHAT_ACCOUNT_0_KEY;
  if (isLocalChain(chainId)) {
    throw new Error(
      `KEEPER_KEY is not set and ${displayUrl(rpcUrl)} is chain ${chainId} on another machine: the default ` +
        `Hardhat key is only used on ${DEV_KEYS_TEXT}; set KEEPER_KEY`,
    );
  }
  throw new Error(
    `KEEPER_KEY is not set; the default Hardhat key is only used on a local chain (${LOCAL_CHAINS_TEXT}), not ${chainId}`,
  );
}

/** Throws unless `provider` has ethers' request cache turned off (see `createProvider`). */
export function assertUncached(provider: JsonRpcProvider): void {
  const timeout = provider._getOption("cacheTimeout");
  if (timeout === undefined || timeout >= 0) {
    throw new Error(
      "the keeper needs a provider without ethers' request cache (a cached nonce or receipt could make it resend " +
        "or give up on a batch): create it with createProvider(url) or { cacheTimeout: -1 }",
    );
  }
}
