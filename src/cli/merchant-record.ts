// What every `microcredit merchant` command shares: the deployment's MerchantRegistry, the merchant a command is about
// (`--merchant <id>`, `--owner <a>`, or the key's own), a transaction with its revert decoded, and the record printed.
import type { Contract, ContractTransactionReceipt } from "ethers";
import type { Microcredit } from "../client/index.ts";
import { duration } from "../format/duration.ts";
import { percent } from "../format/money.ts";
import { withDecodedErrors } from "../sdk/errors.ts";
import { readMerchant, type MerchantRecord } from "../sdk/merchants.ts";
import { address, required, str, UsageError, type Values } from "./args.ts";
import type { Context } from "./context.ts";
import { date, pairs, units, type Report } from "./output.ts";

/** The client (for the token and its decimals) and the registry, connected to the key when opened to send. */
export interface OpenRegistry {
  client: Microcredit;
  registry: Contract;
}

export async function openRegistry(ctx: Context, asSigner: boolean): Promise<OpenRegistry> {
  // The key first: a missing key is said before anything about the deployment.
  const client = await ctx.client(asSigner);
  const registry = await ctx.optional("merchantRegistry");
  return { client, registry: asSigner ? (registry.connect(ctx.signer()) as Contract) : registry };
}

export const MERCHANT_OPTION = { merchant: { type: "string" as const } };
export const OWN_MERCHANT_USAGE = "  --merchant <id>       the merchant (default: the key's own)";
export const MANAGED_MERCHANT_USAGE = "  --merchant <id>       the merchant";

/** A merchant id as `merchant show` prints it: a positive integer. */
export function merchantIdOf(raw: string, name = "merchant"): bigint {
  const text = raw.trim();
  if (!/^\d+$/.test(text) || BigInt(text) === 0n || BigInt(text) >= 1n << 256n) {
    throw new UsageError(`--${name} must be a merchant id (1, 2, …), got "${raw}"`);
  }
  return BigInt(text);
}

/** `--merchant`, required: the commands of a manager, who has no merchant of its own. */
export const managedMerchant = (values: Values): bigint => merchantIdOf(required(values, "merchant"));

/** Checks `--merchant` and, when the command has it, `--owner` (not both). */
export function checkWhich(values: Values): void {
  const id = str(values, "merchant");
  const owner = str(values, "owner");
  if (id !== undefined && owner !== undefined) throw new UsageError("give --merchant or --owner, not both");
  if (id !== undefined) merchantIdOf(id);
  if (owner !== undefined) address(owner, "owner");
}

/** The merchant a command is about: `--merchant`, else the merchant of `--owner`, else the key's own merchant. */
export async function whichMerchant(ctx: Context, registry: Contract, values: Values): Promise<bigint> {
  const given = str(values, "merchant");
  if (given !== undefined) return merchantIdOf(given);
  const flag = str(values, "owner");
  const owner = flag !== undefined ? address(flag, "owner") : await ctx.signer().getAddress();
  const id = (await registry.getFunction("merchantIdOf")(owner)) as bigint;
  if (id === 0n) {
    const whose = flag !== undefined ? owner : `the key's address ${owner}`;
    throw new UsageError(`${whose} owns no merchant in the registry at ${String(registry.target)}`, false);
  }
  return id;
}

/** The record of a merchant, or a UsageError for an id never registered. */
export async function recordOf(
  registry: Contract,
  merchantId: bigint,
  blockTag?: number,
): Promise<MerchantRecord> {
  const record = await readMerchant(registry, merchantId, blockTag);
  if (record === undefined) {
    throw new UsageError(
      `merchant ${merchantId} is not registered in the registry at ${String(registry.target)}`,
      false,
    );
  }
  return record;
}

/** Sends `registry.<method>(...args)` from the key and waits for it; a revert is its decoded sentence. */
export async function send(
  open: OpenRegistry,
  method: string,
  args: unknown[],
): Promise<ContractTransactionReceipt> {
  return sendFrom(open.registry, method, args, open.client.decimals);
}

/** Sends `contract.<method>(...args)` from the runner it is connected to and waits; a revert is its decoded sentence. */
async function sendFrom(
  contract: Contract,
  method: string,
  args: unknown[],
  decimals: number,
): Promise<ContractTransactionReceipt> {
  return withDecodedErrors(async () => {
    const tx = await contract.getFunction(method)(...args);
    return (await tx.wait()) as ContractTransactionReceipt;
  }, decimals);
}

/** A merchant record for people: one label and value a line. */
export function recordLines(record: MerchantRecord, decimals: number, now: bigint): string[] {
  const pending = record.pendingPayout;
  const wait = pending === null || pending.readyAt <= now ? "" : `, in ${duration(pending.readyAt - now)}`;
  return pairs([
    ["merchant", record.id.toString()],
    ["owner", record.owner],
    ["payout", record.payout ?? "none yet: its owner accepts the merchant with one (merchant accept)"],
    ["status", record.status],
    ["discount rate", percent(record.discountBps)],
    ["category", String(record.category)],
    ["registered", date(record.registeredAt)],
    ["subsidy budget", units(record.subsidyBudget, decimals)],
    [
      "pending payout",
      pending === null ? "none" : `${pending.payout} from ${date(pending.readyAt)} UTC${wait}`,
    ],
    ["proposed owner", record.pendingOwner ?? "none"],
  ]);
}

/**
 * The report of a transaction on one merchant: one line saying what it did, then the merchant's record after it
 * (with --json: the record under `merchant`, and `extra`).
 */
export async function afterTransaction(
  ctx: Context,
  command: string,
  said: string,
  open: OpenRegistry,
  merchantId: bigint,
  receipt: { hash: string; blockNumber: number },
  extra: Record<string, unknown> = {},
): Promise<Report> {
  const record = await recordOf(open.registry, merchantId, receipt.blockNumber);
  return {
    json: {
      command: `merchant ${command}`,
      merchantId,
      ...extra,
      merchant: record,
      decimals: open.client.decimals,
      tx: receipt.hash,
    },
    human: [`${said} (tx ${receipt.hash})`, ...recordLines(record, open.client.decimals, await ctx.now())],
  };
}
