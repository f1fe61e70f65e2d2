// The options every `microcredit` command shares, and the parsers that turn a flag's text into a value or a
// UsageError naming the flag: amounts in token units ("1000.50"), addresses, integers, lists of loan ids.
import { parseArgs } from "node:util";
import { getAddress, isAddress, parseUnits } from "ethers";
import {
  DEFAULT_RPC_URL,
  LOCAL_CHAINS_TEXT,
  NETWORKS_TEXT,
  NetworkError,
  resolveRpc,
  type RpcTarget,
} from "../chain/networks.ts";

/**
 * A mistake of the user's (a flag, a value, a missing key or deployment, a node that does not answer): one line and
 * exit code 2. `seeHelp`: the line ends with "(see --help)" (a flag or a value, not the environment).
 */
export class UsageError extends Error {
  readonly seeHelp: boolean;
  constructor(message: string, seeHelp = true) {
    super(message);
    this.name = "UsageError";
    this.seeHelp = seeHelp;
  }
}

export type OptionSpec = { type: "string" | "boolean"; short?: string };
export type Options = Record<string, OptionSpec>;
export type Values = Record<string, string | boolean | undefined>;

/** The options of every command: the node, the output, the deployment and the local account. */
export const COMMON_OPTIONS: Options = {
  rpc: { type: "string" },
  network: { type: "string" },
  json: { type: "boolean" },
  deployment: { type: "string" },
  ledger: { type: "string" },
  lens: { type: "string" },
  pool: { type: "string" },
  account: { type: "string" },
  help: { type: "boolean", short: "h" },
};

export const COMMON_USAGE = `common options:
  --rpc <url>          JSON-RPC URL (default MICROCREDIT_RPC, else ${DEFAULT_RPC_URL})
  --network <name>     ${NETWORKS_TEXT}:
                       the URL from that variable (or --rpc), and the node must be that chain
  --json               one JSON object on stdout (amounts in base units, as decimal strings)
  --deployment <path>  an Ignition deployed_addresses.json (default: ignition/deployments/<id>/ of the node)
  --ledger <address>   the CreditLedger instead of a deployment file (--pool: the LendingPool, default the ledger's;
                       --lens: its CreditLens, default the one the node's deployment lists for that ledger)
  --account <n>        Hardhat account #n (0–19) as the key, on a local chain (${LOCAL_CHAINS_TEXT}) only (default 0)
  -h, --help           this help
key: MICROCREDIT_KEY (a private key, 0x + 64 hex); never on the command line`;

/** `parseArgs` over the command's options and the common ones; an unknown or malformed flag is a UsageError. */
export function parseCommandArgs(argv: string[], options: Options): Values {
  try {
    const { values } = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, strict: true });
    return values as Values;
  } catch (error) {
    throw new UsageError(((error as Error).message ?? String(error)).split("\n")[0]);
  }
}

/** The node of `--rpc` / `--network` (src/chain/networks.ts, `resolveRpc`); a bad one is a UsageError. */
export function rpcTarget(values: Values, env: NodeJS.ProcessEnv = process.env): RpcTarget {
  try {
    return resolveRpc({ rpc: str(values, "rpc"), network: str(values, "network") }, env);
  } catch (error) {
    throw asUsageError(error);
  }
}

/** A NetworkError (a bad flag, an unset variable, a node that is down or of another chain) as a UsageError. */
export function asUsageError(error: unknown): unknown {
  return error instanceof NetworkError ? new UsageError(error.message, error.seeHelp) : error;
}

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

export function required(values: Values, name: string): string {
  const v = str(values, name);
  if (v === undefined || v === "") throw new UsageError(`--${name} is required`);
  return v;
}

/**
 * An amount in token units with at most `decimals` decimals ("1000.50") as base units; `of` names whose decimals
 * they are in the message (default the token's).
 */
export function amount(
  raw: string,
  decimals: number,
  name: string,
  allowZero = false,
  of = "the token's",
): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(raw.trim());
  if (!match) throw new UsageError(`--${name} must be an amount in token units like 1000.50, got "${raw}"`);
  if ((match[2] ?? "").length > decimals) {
    throw new UsageError(`--${name} ${raw} has more than ${of} ${decimals} decimals`);
  }
  const units = parseUnits(raw.trim(), decimals);
  if (units === 0n && !allowZero) throw new UsageError(`--${name} must be greater than zero`);
  return units;
}

export function address(raw: string, name: string): string {
  if (!isAddress(raw)) throw new UsageError(`--${name} must be an address, got "${raw}"`);
  return getAddress(raw);
}

export function integer(raw: string, name: string, min: number, max: number): number {
  const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/** A loan id as `borrower loans` prints it: a decimal (or 0x hex) integer. */
export function loanId(raw: string, name: string): bigint {
  const text = raw.trim();
  if (!/^(\d+|0x[0-9a-fA-F]+)$/.test(text)) throw new UsageError(`--${name} must be a loan id, got "${raw}"`);
  const id = BigInt(text);
  if (id === 0n || id >= 1n << 256n) throw new UsageError(`--${name} must be a loan id, got "${raw}"`);
  return id;
}

/** A comma-separated list ("1,2,3") parsed item by item. */
export function list<T>(raw: string, name: string, item: (text: string, name: string) => T): T[] {
  const parts = raw.split(",").map((p) => p.trim());
  if (parts.some((p) => p === ""))
    throw new UsageError(`--${name} must be a comma-separated list, got "${raw}"`);
  return parts.map((p) => item(p, name));
}

/** Exactly one of the flags `names` is given (`--amount` or `--all`); returns which. */
export function oneOf(values: Values, names: string[]): string {
  const given = names.filter((n) => values[n] !== undefined && values[n] !== false);
  if (given.length !== 1)
    throw new UsageError(`give exactly one of ${names.map((n) => `--${n}`).join(", ")}`);
  return given[0];
}
