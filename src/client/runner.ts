// What a client needs of its ethers runner, with one sentence when it is missing: a provider to read, a signer to send.
import type { ContractRunner, Provider, Signer } from "ethers";

/** The runner's provider, or an error saying a read needs one. */
export function providerOf(runner: ContractRunner): Provider {
  const provider = runner.provider;
  if (!provider) throw new Error("this needs a provider: connect with a Signer that has one, or a Provider");
  return provider;
}

/** The runner as a signer, or an error saying a transaction needs one. */
export function signerOf(runner: ContractRunner): Signer {
  const candidate = runner as Partial<Signer>;
  if (typeof candidate.getAddress !== "function" || typeof candidate.sendTransaction !== "function") {
    throw new Error("this needs a signer: connect with a Signer, not a Provider");
  }
  return candidate as Signer;
}
