// Where the ledger, its lens and the pool are when no flag says: the addresses Ignition recorded for the chain
// (`npm run deploy:local` writes ignition/deployments/<deployment id>/deployed_addresses.json; see deployment-id.ts).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { deploymentId } from "../chain/deployment-id.ts";

export interface DeployedAddresses {
  file: string;
  ledger?: string;
  lens?: string;
  pool?: string;
}

/**
 * The `Microcredit#CreditLedger`, `Microcredit#CreditLens` and `Microcredit#LendingPool` entries of the Ignition
 * deployment of the chain `chainId` reached at `rpcUrl`.
 */
export function deployedAddresses(chainId: bigint, rpcUrl: string, cwd = process.cwd()): DeployedAddresses {
  const file = join(cwd, "ignition", "deployments", deploymentId(chainId, rpcUrl), "deployed_addresses.json");
  if (!existsSync(file)) return { file };
  const entries = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
  return {
    file,
    ledger: entries["Microcredit#CreditLedger"],
    lens: entries["Microcredit#CreditLens"],
    pool: entries["Microcredit#LendingPool"],
  };
}
