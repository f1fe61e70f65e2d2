// Which Ignition journal belongs to the chain a tool is connected to. Every development node reports the same local
// chain id (31337 or 1337), and a local fork keeps the id of the chain it copies, so a node on this machine is told
// apart by its port (and a local-id node elsewhere by its host and port): two nodes never share a journal, a fork
// never writes into the journal of the public chain it copies, and the deploy script, keeper, monitor and CLIs all
// find the one of the node they reach. A public chain reached over the network has one journal per chain id.
import { isLocalChain, isLoopbackUrl, LOCAL_CHAIN_ID } from "./networks.ts";

export { isLocalChain, LOCAL_CHAIN_ID };

function hostAndPort(rpcUrl: string): { host: string; port: string; loopback: boolean } {
  const url = new URL(rpcUrl);
  const secure = url.protocol === "https:" || url.protocol === "wss:";
  const port = url.port !== "" ? url.port : secure ? "443" : "80";
  return { host: url.hostname, port, loopback: isLoopbackUrl(rpcUrl) };
}

/** True when `rpcUrl` reaches one node whose journal is its own (a node on this machine, or a local-id node elsewhere). */
export function isPerNode(chainId: bigint, rpcUrl: string): boolean {
  return isLocalChain(chainId) || hostAndPort(rpcUrl).loopback;
}

/** The Ignition deployment id (directory under `ignition/deployments/`) for `chainId` reached at `rpcUrl`. */
export function deploymentId(chainId: bigint, rpcUrl: string): string {
  if (!isPerNode(chainId, rpcUrl)) return `chain-${chainId}`;
  const { host, port, loopback } = hostAndPort(rpcUrl);
  if (loopback) return `chain-${chainId}-${port}`;
  return `chain-${chainId}-${host.replace(/[^A-Za-z0-9.-]/g, "_")}-${port}`;
}
