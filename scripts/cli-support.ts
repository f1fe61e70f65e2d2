// What every CLI (demo, deploy, keeper, monitor, risk) needs before it touches the chain: flags parsed into one
// readable line on error, one way to name the node (`--rpc` / `--network`, src/chain/networks.ts), and the contract
// bindings loaded only once they exist.
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { JsonRpcProvider } from "ethers";
import {
  DEFAULT_RPC_URL,
  NetworkError,
  resolveRpc,
  type RpcFlags,
  type RpcTarget,
} from "../src/chain/networks.ts";
import { connect } from "../src/chain/provider.ts";

export { DEFAULT_RPC_URL };

/** `--rpc <url>` and `--network <name>`, without defaults: `resolveRpc` applies them. */
export const NODE_OPTIONS = { rpc: { type: "string" }, network: { type: "string" } } as const;

/** The `--rpc` option: `MICROCREDIT_RPC` when set, else `fallback` (null: the caller has a default of its own). */
export function rpcOption(fallback: string | null = DEFAULT_RPC_URL) {
  const url = process.env.MICROCREDIT_RPC ?? fallback;
  return url === null ? { type: "string" as const } : { type: "string" as const, default: url };
}

/** The node of `--rpc` / `--network`, or one line and exit code 2 (an unknown name, an unset variable). */
export function resolveOrExit(tool: string, flags: RpcFlags): RpcTarget {
  try {
    return resolveRpc(flags);
  } catch (error) {
    exitWith(tool, error);
  }
}

/**
 * A provider for `target` (a URL, or the node of `resolveOrExit`) and its chain id, or one line and exit code 2 when
 * the node does not answer or is not the chain `--network` names.
 */
export async function connectOrExit(
  tool: string,
  target: string | RpcTarget,
): Promise<{ provider: JsonRpcProvider; chainId: bigint }> {
  try {
    return await connect(typeof target === "string" ? { url: target } : target);
  } catch (error) {
    exitWith(tool, error);
  }
}

function exitWith(tool: string, error: unknown): never {
  if (!(error instanceof NetworkError)) throw error;
  console.error(`${tool}: ${error.message}${error.seeHelp ? " (see --help)" : ""}`);
  process.exit(2);
}

/** `parseArgs`, or one line naming the bad flag and exit code 2 (never a stack trace). */
export function parseArgsOrExit<T extends ParseArgsConfig>(
  tool: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    console.error(`${tool}: ${firstLine(error)} (see --help)`);
    process.exit(2);
  }
}

/** True when `error` is Node's failure to load the generated contract bindings (`typechain-types/`). */
export function isMissingBuild(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === "ERR_MODULE_NOT_FOUND" && /typechain-types/.test(e.message ?? "");
}

/** Loads a library that needs the compiled contracts; before the first build, says what to run and exits 2. */
export async function importAfterBuild<T>(tool: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isMissingBuild(error)) throw error;
    console.error(
      `${tool}: the contracts are not built yet: run \`npm run build\` first (a first build takes minutes)`,
    );
    process.exit(2);
  }
}

/** From here on, an error nothing caught (a node that went away mid-run, a revert) is one line and exit code 1. */
export function oneLineErrors(tool: string): void {
  process.on("uncaughtException", (error) => {
    console.error(`${tool}: ${errorLine(error)}`);
    process.exit(1);
  });
}

/** One line for an error: ethers' short message when there is one, never a stack or a JSON dump. */
export function errorLine(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string };
  return (e?.shortMessage ?? e?.message ?? String(error)).replace(/\s*\n\s*/g, " ");
}

function firstLine(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).split("\n")[0];
}
