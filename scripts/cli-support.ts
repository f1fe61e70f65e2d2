// What every CLI (demo, deploy, keeper, monitor, risk) needs before it touches the chain: flags parsed into one
// readable line on error, one way to name the node, and the contract bindings loaded only once they exist.
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { JsonRpcProvider } from "ethers";
import { createProvider, DEFAULT_RPC_URL } from "../src/keeper/config.ts";

export { DEFAULT_RPC_URL };

/** The `--rpc` option: `MICROCREDIT_RPC` when set, else `fallback` (null: the caller has a default of its own). */
export function rpcOption(fallback: string | null = DEFAULT_RPC_URL) {
  const url = process.env.MICROCREDIT_RPC ?? fallback;
  return url === null ? { type: "string" as const } : { type: "string" as const, default: url };
}

/** A provider for `url` and its chain id, or one line naming the URL and exit code 2 when the node does not answer. */
export async function connectOrExit(
  tool: string,
  url: string,
): Promise<{ provider: JsonRpcProvider; chainId: bigint }> {
  const provider = createProvider(url);
  try {
    return { provider, chainId: (await provider.getNetwork()).chainId };
  } catch (error) {
    provider.destroy();
    console.error(`${tool}: cannot reach ${url}: ${errorLine(error)}`);
    process.exit(2);
  }
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
