// Merchants (docs/MERCHANTS.md): the EIP-712 merchant credential MerchantRegistry verifies, signing and recovery for a
// merchant-manager key, the registry's limits and role ids, status names, and a typed reader of merchant records.
// Signing, digests and recovery work offline (no provider).
import {
  Contract,
  TypedDataEncoder,
  getAddress,
  id,
  verifyTypedData,
  type ContractRunner,
  type Log,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";
import { ABIS } from "../abi/contracts.ts";
import { OFFERS_DOMAIN_NAME, OFFERS_DOMAIN_VERSION, type TypedDataSigner } from "./offers.ts";

export type { TypedDataSigner };
/** `abi.encode(address signer, bytes signature)`: a contract signer's (ERC-1271) signature, as for credit offers. */
export { contractSignature } from "./offers.ts";

/** The highest merchant discount rate (`MAX_DISCOUNT_BPS`): 10% of a settlement. */
export const MAX_DISCOUNT_BPS = 1_000;
/** The highest ISO 18245 merchant category code (`MAX_CATEGORY`). */
export const MAX_CATEGORY = 9_999;
/** The payout delay the registry starts with, and its bounds (`MIN_PAYOUT_DELAY`, `MAX_PAYOUT_DELAY`), in seconds. */
export const DEFAULT_PAYOUT_DELAY = 2n * 86_400n;
export const MIN_PAYOUT_DELAY = 86_400n;
export const MAX_PAYOUT_DELAY = 30n * 86_400n;

/** Registers merchants, signs and revokes credentials, sets terms, suspends and reactivates, proposes payouts. */
export const MERCHANT_MANAGER_ROLE = id("MERCHANT_MANAGER_ROLE");
/** Product contracts that spend the subsidy budgets of the merchants that allow them (`setSpenderAllowed`). */
export const SUBSIDY_SPENDER_ROLE = id("SUBSIDY_SPENDER_ROLE");

/**
 * `IMerchantRegistry.MerchantStatus`, by its number: `Pending` is registered by a manager and not yet accepted by its
 * owner; only `Active` may be paid.
 */
export const MERCHANT_STATUS = ["None", "Pending", "Active", "Suspended", "Closed"] as const;
export type MerchantStatusName = (typeof MERCHANT_STATUS)[number];

/** The name of a status number (0–4); any other number as "status <n>". */
export function merchantStatusName(status: bigint | number): MerchantStatusName | `status ${string}` {
  return MERCHANT_STATUS[Number(status)] ?? `status ${status}`;
}

/** EIP-712 type of a merchant credential. The field order is part of the signed type: never reorder. */
export const MERCHANT_CREDENTIAL_TYPES: Record<string, TypedDataField[]> = {
  MerchantCredential: [
    { name: "owner", type: "address" },
    { name: "payout", type: "address" },
    { name: "discountBps", type: "uint16" },
    { name: "category", type: "uint16" },
    { name: "expiry", type: "uint256" },
  ],
};

/**
 * What a merchant-manager signs so that `owner` registers itself (`registerWithCredential`, sent from `owner`):
 * where its money goes, its discount rate in basis points, its ISO 18245 category, valid through `expiry` (unix
 * seconds, inclusive).
 */
export interface MerchantCredential {
  owner: string;
  payout: string;
  discountBps: number;
  category: number;
  expiry: bigint;
}

/** The EIP-712 domain of a MerchantRegistry deployment: "Microcredit", "1", the chain, the registry. */
export function merchantDomain(registryAddress: string, chainId: bigint | number): TypedDataDomain {
  return {
    name: OFFERS_DOMAIN_NAME,
    version: OFFERS_DOMAIN_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: getAddress(registryAddress),
  };
}

/** The digest MerchantRegistry.hashCredential computes. */
export function merchantCredentialDigest(
  registryAddress: string,
  chainId: bigint | number,
  credential: MerchantCredential,
): string {
  return TypedDataEncoder.hash(
    merchantDomain(registryAddress, chainId),
    MERCHANT_CREDENTIAL_TYPES,
    credential,
  );
}

/** Signs a credential as a merchant-manager key: a 65-byte signature for `registerWithCredential`. */
export function signMerchantCredential(
  signer: TypedDataSigner,
  registryAddress: string,
  chainId: bigint | number,
  credential: MerchantCredential,
): Promise<string> {
  return signer.signTypedData(
    merchantDomain(registryAddress, chainId),
    MERCHANT_CREDENTIAL_TYPES,
    credential,
  );
}

/** The address a 65-byte credential signature recovers to: what the registry checks for MERCHANT_MANAGER_ROLE. */
export function recoverMerchantCredentialSigner(
  registryAddress: string,
  chainId: bigint | number,
  credential: MerchantCredential,
  signature: string,
): string {
  return verifyTypedData(
    merchantDomain(registryAddress, chainId),
    MERCHANT_CREDENTIAL_TYPES,
    credential,
    signature,
  );
}

/**
 * A credential with its addresses checksummed, or an error naming the term the registry would refuse: a discount
 * rate above 1,000 bps, a category above 9999, a zero owner or payout (the registry also refuses itself as payout).
 */
export function merchantCredential(fields: {
  owner: string;
  payout: string;
  discountBps: number | bigint;
  category: number | bigint;
  expiry: number | bigint;
}): MerchantCredential {
  const discountBps = Number(fields.discountBps);
  const category = Number(fields.category);
  if (!Number.isInteger(discountBps) || discountBps < 0 || discountBps > MAX_DISCOUNT_BPS)
    throw new Error(`discount rate ${fields.discountBps} bps is outside 0–${MAX_DISCOUNT_BPS} bps`);
  if (!Number.isInteger(category) || category < 0 || category > MAX_CATEGORY)
    throw new Error(`category ${fields.category} is not an ISO 18245 code (0–${MAX_CATEGORY})`);
  const owner = getAddress(fields.owner);
  const payout = getAddress(fields.payout);
  if (BigInt(owner) === 0n || BigInt(payout) === 0n)
    throw new Error("owner and payout must not be the zero address");
  return { owner, payout, discountBps, category, expiry: BigInt(fields.expiry) };
}

/** Reads a credential back from its JSON form (`toJson` of src/sdk/offers.ts: the expiry as a decimal string). */
export function merchantCredentialFromJson(json: Record<string, unknown>): MerchantCredential {
  for (const key of ["owner", "payout", "discountBps", "category", "expiry"]) {
    const v = json[key];
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "bigint")
      throw new Error(`credential.${key} missing`);
  }
  return merchantCredential({
    owner: String(json.owner),
    payout: String(json.payout),
    discountBps: BigInt(json.discountBps as string),
    category: BigInt(json.category as string),
    expiry: BigInt(json.expiry as string),
  });
}

/** A pending manager proposal of a payout address, applicable by anyone from `readyAt`. */
export interface PendingPayout {
  payout: string;
  readyAt: bigint;
}

/** A registered merchant, as `merchant`, `pendingPayout` and `pendingOwner` give it, with its status by name. */
export interface MerchantRecord {
  id: bigint;
  owner: string;
  /** null while Pending: the owner chooses it when it accepts the merchant. */
  payout: string | null;
  discountBps: number;
  category: number;
  status: MerchantStatusName;
  /** Unix seconds. */
  registeredAt: bigint;
  /** Tokens held for its subsidised instalments, in base units. */
  subsidyBudget: bigint;
  /** A manager's payout proposal; null when none is pending. */
  pendingPayout: PendingPayout | null;
  /** The owner key proposed to take the merchant over (`proposeOwner`); null when none. */
  pendingOwner: string | null;
}

/** The MerchantRegistry at `address` (ethers Contract on `microcredit/abi`'s ABI): a signer sends, a provider reads. */
export function connectMerchantRegistry(address: string, runner: ContractRunner): Contract {
  return new Contract(address, ABIS.MerchantRegistry as never, runner);
}

/** The record of merchant `merchantId`, read at one block; undefined for an id never registered. */
export async function readMerchant(
  registry: Contract,
  merchantId: bigint | number,
  blockTag?: number,
): Promise<MerchantRecord | undefined> {
  const merchantIdValue = BigInt(merchantId);
  const tag =
    blockTag ?? (registry.runner?.provider ? await registry.runner.provider.getBlockNumber() : undefined);
  const [m, pending, proposedOwner] = await Promise.all([
    registry.getFunction("merchant")(merchantIdValue, { blockTag: tag }),
    registry.getFunction("pendingPayout")(merchantIdValue, { blockTag: tag }),
    registry.getFunction("pendingOwner")(merchantIdValue, { blockTag: tag }),
  ]);
  if (Number(m.status) === 0) return undefined;
  const readyAt = BigInt(pending.readyAt);
  const orNull = (address: unknown) => (BigInt(String(address)) === 0n ? null : String(address));
  return {
    id: merchantIdValue,
    owner: String(m.owner),
    payout: orNull(m.payout),
    discountBps: Number(m.discountBps),
    category: Number(m.category),
    status: merchantStatusName(m.status) as MerchantStatusName,
    registeredAt: BigInt(m.registeredAt),
    subsidyBudget: BigInt(m.subsidyBudget),
    pendingPayout: readyAt === 0n ? null : { payout: String(pending.payout), readyAt },
    pendingOwner: orNull(proposedOwner),
  };
}

/** The merchant whose owner key is `owner`; undefined when it has none. */
export async function readMerchantOf(registry: Contract, owner: string): Promise<MerchantRecord | undefined> {
  const merchantId = (await registry.getFunction("merchantIdOf")(getAddress(owner))) as bigint;
  return merchantId === 0n ? undefined : readMerchant(registry, merchantId);
}

/** The id of the merchant a `register` or `registerWithCredential` receipt registered (its `MerchantRegistered`). */
export function registeredMerchantId(registry: Contract, logs: readonly Log[]): bigint {
  const target = String(registry.target).toLowerCase();
  for (const log of logs) {
    if (log.address.toLowerCase() !== target) continue;
    const event = registry.interface.parseLog(log);
    if (event?.name === "MerchantRegistered") return event.args.merchantId as bigint;
  }
  throw new Error("no MerchantRegistered event in the receipt");
}
