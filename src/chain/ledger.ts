// The slice of the ledger the keeper and the monitor talk to, with the ABI taken from the compiled contract so the
// event signatures and the entry points can never drift from the ledger's. The loans' reads are the CreditLens's
// (lens.ts). Buckets and loan ids are pure rules and live in src/core/ (buckets.ts, loan-id.ts).
import { Contract, Interface, type ContractRunner } from "ethers";
import { CreditLedger__factory } from "../../typechain-types/factories/CreditLedger__factory.ts";
import type { CreditLedger } from "../../typechain-types/CreditLedger.ts";

export type { CreditLedger };

export const ledgerInterface: Interface = new Interface(CreditLedger__factory.abi);

export const ERC20_ABI = [
  "function balanceOf(address) view returns (uint256)",
  "function allowance(address owner, address spender) view returns (uint256)",
];

export function connectLedger(address: string, runner: ContractRunner): CreditLedger {
  return CreditLedger__factory.connect(address, runner);
}

export function connectToken(address: string, runner: ContractRunner): Contract {
  return new Contract(address, ERC20_ABI, runner);
}

/** `CollectionFailed` reasons (`ICreditLedger`). */
export const FAILURE_REASONS: Record<number, string> = {
  1: "not active",
  2: "no mandate",
  3: "no balance",
  4: "no allowance",
  5: "transfer failed",
  6: "mandate cap used in this call",
};
