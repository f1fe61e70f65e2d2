// Whether an address is the CreditLens of a given ledger, read on the ABI of `microcredit/abi` (no typechain-types,
// so the installable client can use it): the client checks the lens it connects to with it, as do the keeper and the
// monitor with the lens they are given.
import { Contract, ZeroAddress, type ContractRunner, type InterfaceAbi } from "ethers";
import { ABIS } from "../abi/contracts.ts";

/**
 * Throws unless the contract at `lens` is a CreditLens (it answers `ledger()` and the lens-only `loanIdOf`, which the
 * pool and CreditQuotes, whose `ledger()` is the same, do not have) and reads the ledger at `ledger` (a lens of
 * another deployment would answer for another book).
 */
export async function checkLensOf(lens: string, ledger: string, runner: ContractRunner): Promise<void> {
  let read: string;
  try {
    const contract = new Contract(lens, ABIS.CreditLens as InterfaceAbi, runner);
    read = String(await contract.ledger());
    if ((await contract.loanIdOf(ZeroAddress, 1)) !== 1n) throw new Error("loanIdOf(0, 1) is not 1");
  } catch (error) {
    const why = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
    throw new Error(`${lens} (the lens address) is not a CreditLens: ${why}`);
  }
  if (read.toLowerCase() !== ledger.toLowerCase()) {
    throw new Error(`the CreditLens ${lens} reads the ledger ${read}, not ${ledger}`);
  }
}
