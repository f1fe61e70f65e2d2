// The networks every tool knows by name (`--network <name>`): the chain id its nodes report and the environment
// variable holding its JSON-RPC URL, the same variables hardhat.config.ts reads, so one setting serves
// `hardhat ignition deploy --network sepolia` and `npm run keeper -- --network sepolia` alike. `resolveRpc` turns
// `--rpc` / `--network` into a URL, and `expectChain` refuses a node of another chain once connected: a keeper
// pointed at the wrong URL must stop before it signs anything.

/** The URL of a local node when neither `--rpc`, `--network` nor MICROCREDIT_RPC says otherwise. */
export const DEFAULT_RPC_URL = "http://127.0.0.1:8545";

/** The variable naming the node of every tool without `--rpc` (and the URL of `--network localhost`). */
export const RPC_VARIABLE = "MICROCREDIT_RPC";

/** Hardhat's and Anvil's chain id: the id of the `localhost` network. */
export const LOCAL_CHAIN_ID = 31337n;

/** Chain ids of development nodes: Hardhat and Anvil (31337); Ganache, Geth's dev mode and some Anvil set-ups (1337). */
export const LOCAL_CHAIN_IDS: ReadonlySet<bigint> = new Set([LOCAL_CHAIN_ID, 1337n]);

/** The local chain ids as a user reads them: "31337 or 1337". */
export const LOCAL_CHAINS_TEXT = [...LOCAL_CHAIN_IDS].join(" or ");

/** True for the chain id of a development node (which keeps a journal of its own: deployment-id.ts). */
export function isLocalChain(chainId: bigint): boolean {
  return LOCAL_CHAIN_IDS.has(chainId);
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1", "0.0.0.0"]);

/** True when `rpcUrl` reaches a node on this machine; false for another host or a string that is not a URL. */
export function isLoopbackUrl(rpcUrl: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(rpcUrl).hostname);
  } catch {
    return false;
  }
}

/** Where Hardhat's default accounts may sign, as a user reads it. */
export const DEV_KEYS_TEXT = `chain ${LOCAL_CHAIN_ID}, or 1337 on this machine`;

/**
 * True where Hardhat's well-known default accounts may sign: chain 31337 (Hardhat's and Anvil's id, never a real
 * network's), and chain 1337 reached over loopback. 1337 is also the default id of many private chains reached over
 * the network, where anyone could sweep what those public keys hold.
 */
export function devKeysAllowed(chainId: bigint, rpcUrl: string): boolean {
  return chainId === LOCAL_CHAIN_ID || (isLocalChain(chainId) && isLoopbackUrl(rpcUrl));
}

/** A network known by name. */
export interface NamedNetwork {
  readonly name: string;
  /** The chain id its nodes report (`localhost` accepts every local id: isLocalChain). */
  readonly chainId: bigint;
  /** Hardhat's chain type. */
  readonly chainType: "l1" | "op";
  /** The environment variable holding its JSON-RPC URL. */
  readonly rpcVariable: string;
  /** The variable holding the deploying key of `hardhat ignition deploy`; none locally (the node's accounts). */
  readonly keyVariable?: string;
}

/** Every network `--network` accepts. */
export const NETWORKS = {
  localhost: { name: "localhost", chainId: LOCAL_CHAIN_ID, chainType: "l1", rpcVariable: RPC_VARIABLE },
  sepolia: {
    name: "sepolia",
    chainId: 11155111n,
    chainType: "l1",
    rpcVariable: "SEPOLIA_RPC_URL",
    keyVariable: "SEPOLIA_PRIVATE_KEY",
  },
  baseSepolia: {
    name: "baseSepolia",
    chainId: 84532n,
    chainType: "op",
    rpcVariable: "BASE_SEPOLIA_RPC_URL",
    keyVariable: "BASE_SEPOLIA_PRIVATE_KEY",
  },
} as const satisfies Record<string, NamedNetwork>;

export type NetworkName = keyof typeof NETWORKS;

/** One line for a usage text: `localhost (MICROCREDIT_RPC), sepolia (SEPOLIA_RPC_URL), …`. */
export const NETWORKS_TEXT = Object.values(NETWORKS)
  .map((n: NamedNetwork) => `${n.name} (${n.rpcVariable})`)
  .join(", ");

/** A bad `--rpc` or `--network`, or a node that does not answer or is not the network's: one line for the user. */
export class NetworkError extends Error {
  /** True when the fix is a flag (the line may point at --help), false for the environment or the node. */
  readonly seeHelp: boolean;
  constructor(message: string, seeHelp: boolean) {
    super(message);
    this.name = "NetworkError";
    this.seeHelp = seeHelp;
  }
}

/** Where a tool connects: the node's URL and, with `--network`, the network the node must belong to. */
export interface RpcTarget {
  url: string;
  network?: NamedNetwork;
}

/** The flags naming the node: `--rpc <url>` and `--network <name>`, either, both or none. */
export interface RpcFlags {
  rpc?: string;
  network?: string;
}

const present = (value: string | undefined) =>
  value !== undefined && value.trim() !== "" ? value.trim() : undefined;

/**
 * The node a tool reaches. `--rpc` is the URL when given; else `--network`'s variable (which must be set), else
 * MICROCREDIT_RPC, else DEFAULT_RPC_URL. With `--network`, the node must then be that network's chain
 * (`expectChain`). Throws a NetworkError for an unknown name, an unset variable or a URL that is not http(s).
 */
export function resolveRpc(flags: RpcFlags, env: NodeJS.ProcessEnv = process.env): RpcTarget {
  let network: NamedNetwork | undefined;
  if (flags.network !== undefined) {
    network = Object.hasOwn(NETWORKS, flags.network) ? NETWORKS[flags.network as NetworkName] : undefined;
    if (network === undefined) {
      throw new NetworkError(
        `unknown --network "${flags.network}" (known: ${Object.keys(NETWORKS).join(", ")})`,
        true,
      );
    }
  }
  let url: string;
  let source: string;
  if (flags.rpc !== undefined) {
    [url, source] = [flags.rpc, "--rpc"];
  } else if (network !== undefined && network !== NETWORKS.localhost) {
    const fromEnv = present(env[network.rpcVariable]);
    if (fromEnv === undefined) {
      throw new NetworkError(
        `--network ${network.name} needs ${network.rpcVariable} (the node's JSON-RPC URL)`,
        false,
      );
    }
    [url, source] = [fromEnv, network.rpcVariable];
  } else {
    const fromEnv = present(env[RPC_VARIABLE]);
    [url, source] = fromEnv !== undefined ? [fromEnv, RPC_VARIABLE] : [DEFAULT_RPC_URL, "the default URL"];
  }
  if (!/^https?:\/\/[^/]/.test(url)) {
    // The URL as displayUrl shows it: a provider's key in its path must not reach the terminal.
    const shown = displayUrl(url);
    const got = shown === NOT_A_URL ? shown : `"${shown}"`;
    throw new NetworkError(`${source} must be an http(s) URL, got ${got}`, source === "--rpc");
  }
  return network === undefined ? { url } : { url, network };
}

/** Throws a NetworkError when `target` names a network and `chainId` (the node's) is not one of its chains. */
export function expectChain(target: RpcTarget, chainId: bigint): void {
  const { network, url } = target;
  if (network === undefined) return;
  const local = network === NETWORKS.localhost;
  if (local ? isLocalChain(chainId) : chainId === network.chainId) return;
  const expected = local ? `a local chain (${LOCAL_CHAINS_TEXT})` : `chain ${network.chainId}`;
  throw new NetworkError(
    `--network ${network.name} expects ${expected}, but ${displayUrl(url)} is chain ${chainId}`,
    false,
  );
}

/** What displayUrl shows for a string that is not a URL with a host. */
export const NOT_A_URL = "<not a URL>";

/**
 * `url` as a message may show it: scheme, host and port. A provider's path or query often holds its API key
 * (`…/v2/<key>`), which must not land in a terminal's scrollback or a log, so it becomes "/…"; a string that is
 * not a URL with a host (a key pasted on its own) is never shown at all.
 */
export function displayUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return NOT_A_URL;
  }
  if (parsed.host === "") return NOT_A_URL;
  const hidden = parsed.pathname !== "/" || parsed.search !== "" || parsed.hash !== "";
  return `${parsed.protocol}//${parsed.host}${hidden ? "/…" : ""}`;
}
