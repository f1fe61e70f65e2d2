// Which deployment a chain has: the public ones committed with the package, and, under Node, the Ignition journal of a
// node this machine deployed to (the CLI's rule: ignition/deployments/<deploymentId>/ under the current directory).
import type { ContractRunner, Provider } from "ethers";
import { deploymentId, isPerNode } from "../chain/deployment-id.ts";
import { addressesFromIgnition, type DeploymentAddresses } from "./addresses.ts";

/**
 * The public deployments committed with the package, by decimal chain id. Empty until one is committed: each entry is
 * `addressesFromIgnition` of that chain's `ignition/deployments/chain-<id>/deployed_addresses.json` (docs/SDK.md).
 */
export const PUBLISHED_DEPLOYMENTS: Readonly<Record<string, DeploymentAddresses>> = {};

/**
 * A deployment named by its chain instead of its addresses. `chainId` defaults to the runner's network; `rpcUrl` to
 * the URL of the runner's JSON-RPC provider; `cwd` (the directory holding `ignition/`) to `process.cwd()`.
 */
export interface ChainLookup {
  chainId?: bigint | number;
  rpcUrl?: string;
  cwd?: string;
}

/** The provider behind a runner: the runner itself when it is one, else its `provider`. */
function providerOf(runner: ContractRunner): Provider | undefined {
  const candidate = runner as Partial<Provider>;
  if (typeof candidate.getNetwork === "function") return runner as Provider;
  return runner.provider ?? undefined;
}

/** The URL an ethers `JsonRpcProvider` posts to, or undefined for any other provider (a browser wallet, in-process). */
export function rpcUrlOf(runner: ContractRunner): string | undefined {
  const provider = providerOf(runner) as { _getConnection?: () => { url?: unknown } } | undefined;
  if (typeof provider?._getConnection !== "function") return undefined;
  const url = provider._getConnection().url;
  return typeof url === "string" && /^https?:\/\//.test(url) ? url : undefined;
}

async function chainIdOf(runner: ContractRunner): Promise<bigint> {
  const provider = providerOf(runner);
  if (provider === undefined)
    throw new Error("the runner has no provider to read the chain id from: pass { chainId }");
  return (await provider.getNetwork()).chainId;
}

const underNode = (): boolean => typeof process !== "undefined" && typeof process.versions?.node === "string";

const LOOKUP_KEYS = new Set(["chainId", "rpcUrl", "cwd"]);

/** True for a ChainLookup (`{}` included), false for addresses or an Ignition deployment's entries. */
export function isChainLookup(source: unknown): source is ChainLookup {
  return (
    typeof source === "object" && source !== null && Object.keys(source).every((key) => LOOKUP_KEYS.has(key))
  );
}

/** The node's Ignition journal under `cwd`: its file, and its addresses when the file exists. */
async function journalOf(
  chainId: bigint,
  rpcUrl: string,
  cwd: string,
): Promise<{ file: string; addresses?: DeploymentAddresses }> {
  const [{ readFile }, { join }] = await Promise.all([import("node:fs/promises"), import("node:path")]);
  const file = join(cwd, "ignition", "deployments", deploymentId(chainId, rpcUrl), "deployed_addresses.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return { file };
    throw error;
  }
  try {
    return { file, addresses: addressesFromIgnition(JSON.parse(text) as Record<string, string>) };
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

/**
 * The deployment of a chain. Under Node, for a node with a journal of its own (a development chain, or any node on
 * this machine: `isPerNode`), the Ignition journal of the node the runner reaches; for a public chain, the journal
 * under `lookup.cwd` only when `cwd` is given (a project's own `ignition/` is not read by accident), else the deployment
 * published for the chain id. A `chainId` given with a runner on another chain is refused. Neither: an error saying
 * what to pass instead.
 */
export async function deploymentOf(
  runner: ContractRunner,
  lookup: ChainLookup = {},
): Promise<DeploymentAddresses> {
  const runnerChain = providerOf(runner) !== undefined ? await chainIdOf(runner) : undefined;
  const chainId = lookup.chainId !== undefined ? BigInt(lookup.chainId) : runnerChain;
  if (chainId === undefined)
    throw new Error("the runner has no provider to read the chain id from: pass { chainId }");
  if (runnerChain !== undefined && runnerChain !== chainId) {
    throw new Error(
      `the runner is on chain ${runnerChain}, not chain ${chainId}: connect a runner of chain ${chainId}`,
    );
  }
  const rpcUrl = lookup.rpcUrl ?? rpcUrlOf(runner);
  let missing = "";
  if (rpcUrl !== undefined && underNode() && (isPerNode(chainId, rpcUrl) || lookup.cwd !== undefined)) {
    const journal = await journalOf(chainId, rpcUrl, lookup.cwd ?? process.cwd());
    if (journal.addresses !== undefined) return journal.addresses;
    missing = ` and ${journal.file} does not exist`;
  }
  const published = PUBLISHED_DEPLOYMENTS[chainId.toString()];
  if (published !== undefined) return { ...published };
  throw new Error(
    `no Microcredit deployment is published for chain ${chainId}${missing}: pass its addresses or its deployed_addresses.json`,
  );
}
