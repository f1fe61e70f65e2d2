// ERC-2612 permits: an allowance signed off-chain, so that the ledger's `setMandateWithPermit` sets a mandate and its
// budget in one transaction, with no `approve` sent first.
import { Contract, Signature, type Signer, type TypedDataDomain } from "ethers";
import { PERMIT_TYPES } from "../sdk/offers.ts";

export { PERMIT_TYPES };

const PERMIT_ABI = [
  "function name() view returns (string)",
  "function version() view returns (string)",
  "function nonces(address owner) view returns (uint256)",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
];

/** A signed permit, split as `permit(owner, spender, value, deadline, v, r, s)` takes it. */
export interface SignedPermit {
  value: bigint;
  deadline: bigint;
  v: number;
  r: string;
  s: string;
}

/**
 * The token's EIP-712 domain: its own `eip712Domain()` (EIP-5267) when it has one, else `name()` with `version()`
 * (or "1", the usual default), the chain id of the signer's network and the token's address.
 */
export async function permitDomain(token: Contract, signer: Signer): Promise<TypedDataDomain> {
  const address = String(await token.getAddress());
  const reader = new Contract(address, PERMIT_ABI, signer);
  try {
    const domain = await reader.eip712Domain();
    return {
      name: domain.name,
      version: domain.version,
      chainId: domain.chainId,
      verifyingContract: domain.verifyingContract,
    };
  } catch {
    // A token without EIP-5267 (older permit tokens): the domain from its parts.
  }
  const network = await signer.provider?.getNetwork();
  if (network === undefined) throw new Error("this needs a signer with a provider to read the chain id");
  const name = String(await reader.name());
  const version = await (reader.version() as Promise<string>).then(String, () => "1");
  return { name, version, chainId: network.chainId, verifyingContract: address };
}

/** Signs a permit letting `spender` take `value` of the signer's `token` until `deadline` (Unix seconds). */
export async function signPermit(
  token: Contract,
  signer: Signer,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<SignedPermit> {
  const owner = await signer.getAddress();
  const reader = new Contract(String(await token.getAddress()), PERMIT_ABI, signer);
  const [domain, nonce] = await Promise.all([
    permitDomain(token, signer),
    reader.nonces(owner) as Promise<bigint>,
  ]);
  const message = { owner, spender, value, nonce, deadline };
  const { v, r, s } = Signature.from(await signer.signTypedData(domain, PERMIT_TYPES, message));
  return { value, deadline, v, r, s };
}
