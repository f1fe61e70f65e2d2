// Which Ignition journal belongs to the chain a tool is connected to. Every local Hardhat node reports chain id
// 31337, so a local journal is keyed by the node's port too (and its host when not this machine): two nodes never
// share a journal, and the deploy script, keeper, monitor and CLIs all find the one of the node they reach.
// Public chains have one journal per chain id.

/** The chain id of every local Hardhat node. */
export const LOCAL_CHAIN_ID = 31337n;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1", "0.0.0.0"]);

/** The Ignition deployment id (directory under `ignition/deployments/`) for `chainId` reached at `rpcUrl`. */
export function deploymentId(chainId: bigint, rpcUrl: string): string {
  if (chainId !== LOCAL_CHAIN_ID) return `chain-${chainId}`;
  const url = new URL(rpcUrl);
  const port = url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80";
  if (LOOPBACK.has(url.hostname)) return `chain-${chainId}-${port}`;
  return `chain-${chainId}-${url.hostname.replace(/[^A-Za-z0-9.-]/g, "_")}-${port}`;
}
