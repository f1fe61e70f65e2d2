// The slice of the ledger the keeper talks to, with the ABI taken from the compiled contract so the LoanView
// layout can never drift from the ledger's.
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

/** Delinquency buckets as the ledger numbers them (`ICreditLedger.Bucket`). */
export const Bucket = { Current: 0, Grace: 1, M1: 2, M2: 3, M3: 4, Default: 5 } as const;
export const BUCKET_NAMES = ["current", "grace", "M1", "M2", "M3", "default"] as const;

/** `CollectionFailed` reasons (`ICreditLedger`). */
export const FAILURE_REASONS: Record<number, string> = {
  1: "not active",
  2: "no mandate",
  3: "no balance",
  4: "no allowance",
  5: "transfer failed",
  6: "mandate cap used in this call",
};

/** The borrower is the top 160 bits of a loan id. */
export function borrowerOf(loanId: bigint): string {
  return `0x${(loanId >> 96n).toString(16).padStart(40, "0")}`;
}

/** A short label for logs: "#3 of 0x1234…abcd". */
export function loanLabel(loanId: bigint): string {
  const b = borrowerOf(loanId);
  return `#${loanId & ((1n << 96n) - 1n)} of ${b.slice(0, 6)}…${b.slice(-4)}`;
}
