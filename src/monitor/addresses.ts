// Where the ledger and pool are when no flag says: the addresses Ignition recorded for the chain
// (`npm run deploy:local` writes ignition/deployments/chain-<chainId>/deployed_addresses.json).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface DeployedAddresses {
  file: string;
  ledger?: string;
  pool?: string;
}

/** The `Microcredit#CreditLedger` and `Microcredit#LendingPool` entries of the chain's Ignition deployment. */
export function deployedAddresses(chainId: bigint, cwd = process.cwd()): DeployedAddresses {
  const file = join(cwd, "ignition", "deployments", `chain-${chainId}`, "deployed_addresses.json");
  if (!existsSync(file)) return { file };
  const entries = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  return { file, ledger: entries["Microcredit#CreditLedger"], pool: entries["Microcredit#LendingPool"] };
}
