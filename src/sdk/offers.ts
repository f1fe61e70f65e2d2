// Signed credit offers (docs/OFFERS.md): the EIP-712 types CreditOffers verifies, signing helpers for the
// underwriter, the KYC issuer and the borrower's ERC-2612 permit, and the risk engine's decision → offer mapping.
// Everything except signPermit works offline (no provider).
import {
  AbiCoder,
  Contract,
  Signature,
  TypedDataEncoder,
  ZeroHash,
  getAddress,
  verifyTypedData,
  type Addressable,
  type Signer,
  type TypedDataDomain,
  type TypedDataField,
} from "ethers";
import { APR_CAP_BPS, type DecisionTerms } from "../core/terms.ts";

export const OFFERS_DOMAIN_NAME = "Microcredit";
export const OFFERS_DOMAIN_VERSION = "1";
/** Largest limit the ledger stores (2^88 − 1 base units). */
export const MAX_LIMIT = (1n << 88n) - 1n;

/** EIP-712 type of a credit offer. The field order is part of the signed type: never reorder. */
export const OFFER_TYPES: Record<string, TypedDataField[]> = {
  CreditOffer: [
    { name: "borrower", type: "address" },
    { name: "ledger", type: "address" },
    { name: "limit", type: "uint256" },
    { name: "aprBps", type: "uint256" },
    { name: "productMask", type: "uint32" },
    { name: "modelVersion", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "expiry", type: "uint256" },
  ],
};

/** EIP-712 type of a KYC credential. */
export const KYC_TYPES: Record<string, TypedDataField[]> = {
  Kyc: [
    { name: "borrower", type: "address" },
    { name: "level", type: "uint8" },
    { name: "expiry", type: "uint256" },
  ],
};

/** ERC-2612 permit type. */
export const PERMIT_TYPES: Record<string, TypedDataField[]> = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** A credit offer as CreditOffers.acceptOffer takes it. Money in base units, APR in basis points per year. */
export interface CreditOffer {
  borrower: string;
  ledger: string;
  limit: bigint;
  aprBps: bigint;
  productMask: number;
  /** bytes32: the risk model's sha256 content hash. */
  modelVersion: string;
  nonce: bigint;
  /** Unix seconds; the offer is valid through this second. */
  expiry: bigint;
}

/** A KYC credential: `borrower` verified at `level` through `expiry` (unix seconds, inclusive). */
export interface Kyc {
  borrower: string;
  level: number;
  expiry: bigint;
}

/** An ERC-2612 permit from the borrower to the ledger; `deadline == 0` means none. */
export interface Permit {
  value: bigint;
  deadline: bigint;
  v: number;
  r: string;
  s: string;
}

export const NO_PERMIT: Permit = { value: 0n, deadline: 0n, v: 0, r: ZeroHash, s: ZeroHash };

/** Anything that signs EIP-712 typed data: an ethers Wallet, a Hardhat signer, a JSON-RPC signer. */
export type TypedDataSigner = Pick<Signer, "signTypedData">;

/** The EIP-712 domain of a CreditOffers deployment. */
export function offersDomain(offersAddress: string, chainId: bigint | number): TypedDataDomain {
  return {
    name: OFFERS_DOMAIN_NAME,
    version: OFFERS_DOMAIN_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: getAddress(offersAddress),
  };
}

/** The digest CreditOffers.hashOffer computes. */
export function offerDigest(offersAddress: string, chainId: bigint | number, offer: CreditOffer): string {
  return TypedDataEncoder.hash(offersDomain(offersAddress, chainId), OFFER_TYPES, offer);
}

/** The digest CreditOffers.hashKyc computes. */
export function kycDigest(offersAddress: string, chainId: bigint | number, kyc: Kyc): string {
  return TypedDataEncoder.hash(offersDomain(offersAddress, chainId), KYC_TYPES, kyc);
}

/** Signs an offer as an underwriter key: a 65-byte signature for CreditOffers.acceptOffer. */
export function signOffer(
  signer: TypedDataSigner,
  offersAddress: string,
  chainId: bigint | number,
  offer: CreditOffer,
): Promise<string> {
  return signer.signTypedData(offersDomain(offersAddress, chainId), OFFER_TYPES, offer);
}

/** Signs a KYC credential as a KYC issuer key. */
export function signKyc(
  signer: TypedDataSigner,
  offersAddress: string,
  chainId: bigint | number,
  kyc: Kyc,
): Promise<string> {
  return signer.signTypedData(offersDomain(offersAddress, chainId), KYC_TYPES, kyc);
}

/** The address a 65-byte offer signature recovers to: what CreditOffers checks against its signer set. */
export function recoverOfferSigner(
  offersAddress: string,
  chainId: bigint | number,
  offer: CreditOffer,
  signature: string,
): string {
  return verifyTypedData(offersDomain(offersAddress, chainId), OFFER_TYPES, offer, signature);
}

/** The address a 65-byte KYC signature recovers to. */
export function recoverKycIssuer(
  offersAddress: string,
  chainId: bigint | number,
  kyc: Kyc,
  signature: string,
): string {
  return verifyTypedData(offersDomain(offersAddress, chainId), KYC_TYPES, kyc, signature);
}

/**
 * Wraps the signature of a contract signer (a multisig, checked by ERC-1271) for CreditOffers:
 * `abi.encode(address signer, bytes signature)`.
 */
export function contractSignature(signer: string, signature: string): string {
  return AbiCoder.defaultAbiCoder().encode(["address", "bytes"], [signer, signature]);
}

const PERMIT_TOKEN_ABI = [
  "function name() view returns (string)",
  "function nonces(address owner) view returns (uint256)",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, " +
    "address verifyingContract, bytes32 salt, uint256[] extensions)",
];

/** The token's ERC-2612 domain: from ERC-5267 `eip712Domain()` when it has it, else name()/version "1"/chain id. */
export async function permitDomain(token: Contract, chainId: bigint): Promise<TypedDataDomain> {
  try {
    const d = await token.eip712Domain();
    const fields = Number(d.fields);
    const domain: TypedDataDomain = {};
    if (fields & 0x01) domain.name = d.name;
    if (fields & 0x02) domain.version = d.version;
    if (fields & 0x04) domain.chainId = d.chainId;
    if (fields & 0x08) domain.verifyingContract = d.verifyingContract;
    if (fields & 0x10) domain.salt = d.salt;
    return domain;
  } catch {
    return { name: await token.name(), version: "1", chainId, verifyingContract: await token.getAddress() };
  }
}

/**
 * Signs an ERC-2612 permit of `value` from `owner` to `spender` (the ledger, for auto-debit) valid through
 * `deadline`, reading the domain and the owner's nonce from the token. Needs `owner` connected to a provider.
 */
export async function signPermit(
  token: string | Addressable,
  owner: Signer,
  spender: string | Addressable,
  value: bigint,
  deadline: bigint,
): Promise<Permit> {
  const provider = owner.provider;
  if (!provider) throw new Error("signPermit: the owner signer must be connected to a provider");
  const address = typeof token === "string" ? token : await token.getAddress();
  const contract = new Contract(address, PERMIT_TOKEN_ABI, provider);
  const ownerAddress = await owner.getAddress();
  const spenderAddress = typeof spender === "string" ? spender : await spender.getAddress();
  const { chainId } = await provider.getNetwork();
  const [domain, nonce] = await Promise.all([permitDomain(contract, chainId), contract.nonces(ownerAddress)]);
  const signature = await owner.signTypedData(domain, PERMIT_TYPES, {
    owner: ownerAddress,
    spender: spenderAddress,
    value,
    nonce,
    deadline,
  });
  const { v, r, s } = Signature.from(signature);
  return { value, deadline, v, r, s };
}

/** `sha256:<hex>` (the risk model's version) or a 0x-prefixed 32-byte hex → bytes32. */
export function modelVersionToBytes32(version: string): string {
  const hex = version.startsWith("sha256:") ? `0x${version.slice(7)}` : version;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex))
    throw new Error(`model version ${version} is not sha256:<64 hex> or bytes32`);
  return hex.toLowerCase();
}

/** Bit mask of product ids (bit i allows product i), as the ledger stores it. */
export function productMask(ids: readonly number[]): number {
  let mask = 0;
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id > 31)
      throw new Error(`product id ${id} does not fit the 32-product mask`);
    mask |= 1 << id;
  }
  return mask >>> 0;
}

export interface OfferOptions {
  /** Turn a "refer" (manual review) decision into an offer: only once a person approved it. */
  referApproved?: boolean;
}

/**
 * The credit offer for a risk-engine decision. An approval carries the decision's limit, APR and product menu; a
 * decline becomes a limit-0 offer, which the offers contract turns into a frozen line; a referral needs
 * `referApproved`. Throws on terms the ledger would refuse (APR above the 24% cap, limit above 2^88 − 1).
 */
export function offerFromDecision(
  decision: DecisionTerms,
  borrower: string,
  ledger: string,
  nonce: bigint | number,
  expiry: bigint | number,
  modelVersion: string,
  options: OfferOptions = {},
): CreditOffer {
  const who = { borrower: getAddress(borrower), ledger: getAddress(ledger) };
  const tail = {
    modelVersion: modelVersionToBytes32(modelVersion),
    nonce: BigInt(nonce),
    expiry: BigInt(expiry),
  };
  const offer = (limit: bigint, aprBps: bigint, mask: number): CreditOffer => ({
    ...who,
    limit,
    aprBps,
    productMask: mask,
    ...tail,
  });
  if (decision.decision === "decline") return offer(0n, 0n, 0);
  if (decision.decision === "refer" && !options.referApproved) {
    throw new Error("the decision is a referral: it needs a manual approval (referApproved) before an offer");
  }
  if (decision.aprBps === null) throw new Error(`an ${decision.decision} decision without an APR`);
  if (!Number.isInteger(decision.aprBps) || decision.aprBps < 0 || decision.aprBps > APR_CAP_BPS) {
    throw new Error(`APR ${decision.aprBps} bps is outside 0–${APR_CAP_BPS} bps (the ledger's cap)`);
  }
  if (decision.limit < 0n || decision.limit > MAX_LIMIT)
    throw new Error(`limit ${decision.limit} does not fit the ledger`);
  return offer(decision.limit, BigInt(decision.aprBps), productMask(decision.products));
}

/** JSON-safe copy of an offer, KYC credential or permit (bigints as decimal strings). */
export function toJson<T extends object>(value: T): { [K in keyof T]: T[K] extends bigint ? string : T[K] } {
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v]),
  ) as { [K in keyof T]: T[K] extends bigint ? string : T[K] };
}

/** Reads a KYC credential back from its JSON form. */
export function kycFromJson(json: Record<string, unknown>): Kyc {
  return {
    borrower: getAddress(String(json.borrower)),
    level: Number(json.level),
    expiry: BigInt(String(json.expiry)),
  };
}

/** Reads an offer back from its JSON form. */
export function offerFromJson(json: Record<string, unknown>): CreditOffer {
  const big = (key: string) => {
    const v = json[key];
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "bigint")
      throw new Error(`offer.${key} missing`);
    return BigInt(v);
  };
  return {
    borrower: getAddress(String(json.borrower)),
    ledger: getAddress(String(json.ledger)),
    limit: big("limit"),
    aprBps: big("aprBps"),
    productMask: Number(big("productMask")),
    modelVersion: modelVersionToBytes32(String(json.modelVersion)),
    nonce: big("nonce"),
    expiry: big("expiry"),
  };
}
