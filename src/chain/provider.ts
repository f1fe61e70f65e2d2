// The one way every tool (the role CLI, keeper, monitor, risk history, deploy) opens a node: a JSON-RPC provider
// without ethers' request cache, connected to the URL of `resolveRpc` and checked to be the chain `--network` names.
import { JsonRpcProvider } from "ethers";
import { displayUrl, expectChain, NetworkError, type RpcTarget } from "./networks.ts";

export { DEFAULT_RPC_URL } from "./networks.ts";

export interface ProviderOptions {
  /** Milliseconds between two polls of a transaction or a block (default 1,000). */
  pollingInterval?: number;
}

/**
 * A JSON-RPC provider for `url`: ethers' 250 ms request cache is off (it would hand back a nonce, a receipt or a
 * loan state from before the transaction just mined), and the network is detected once and then trusted.
 */
export function createProvider(
  url: string,
  { pollingInterval = 1_000 }: ProviderOptions = {},
): JsonRpcProvider {
  return new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval });
}

/**
 * A provider for `target` and the node's chain id. Throws a NetworkError when the node does not answer (naming its
 * URL) or is not the chain of `target.network`; the provider is closed then.
 */
export async function connect(
  target: RpcTarget,
  options: ProviderOptions = {},
): Promise<{ provider: JsonRpcProvider; chainId: bigint }> {
  const provider = createProvider(target.url, options);
  let chainId: bigint;
  try {
    chainId = (await provider.getNetwork()).chainId;
  } catch (error) {
    provider.destroy();
    const e = error as { shortMessage?: string; message?: string };
    const reason = (e?.shortMessage ?? e?.message ?? String(error)).split("\n")[0];
    throw new NetworkError(`cannot reach ${displayUrl(target.url)}: ${reason}`, false);
  }
  try {
    expectChain(target, chainId);
  } catch (error) {
    provider.destroy();
    throw error;
  }
  return { provider, chainId };
}
