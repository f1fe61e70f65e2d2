// The Microcredit Ignition module deployed on a connection, shared by `npm run deploy:local` and the demo. Ignition
// records the addresses in ignition/deployments/chain-<chainId>/, where the keeper, the monitor and `risk history`
// look for the chain they are connected to.
import { existsSync, readFileSync, rmSync } from "node:fs";
import type { NetworkConnection } from "hardhat/types/network";
import MicrocreditModule from "../ignition/modules/Microcredit.ts";

export interface DeployOptions {
  /** Ignition's live panel. It redraws itself with cursor moves, so only a terminal shows it once. */
  displayUi: boolean;
  say: (line: string) => void;
}

/** The chain's deployment of the module: reused when its journal is live, deployed (or completed) otherwise. */
export async function deployMicrocredit(connection: NetworkConnection, { displayUi, say }: DeployOptions) {
  const { ethers, ignition } = connection;
  const { chainId } = await ethers.provider.getNetwork();
  const journal = `ignition/deployments/chain-${chainId}`;
  const addressesFile = `${journal}/deployed_addresses.json`;
  // A restarted local node (chain 31337) starts empty while the journal still lists the old contracts: drop a
  // journal whose contracts are gone instead of failing to reconcile it. An in-process chain keeps no journal and
  // must not touch the one of a node on the same chain id.
  const live = connection.networkConfig.type === "http";
  if (live && chainId === 31337n && existsSync(addressesFile)) {
    const codes = await Promise.all(recorded(addressesFile).map(([, a]) => ethers.provider.getCode(a)));
    if (codes.some((code) => code === "0x")) {
      rmSync(journal, { recursive: true, force: true });
      say("(a previous local deployment's journal pointed at contracts this node does not have: starting afresh)");
    }
  }
  const deployed = await ignition.deploy(MicrocreditModule, { displayUi });
  return { deployed, chainId, addressesFile };
}

/** The `[future id, address]` pairs Ignition recorded. */
export function recorded(addressesFile: string): [string, string][] {
  return Object.entries(JSON.parse(readFileSync(addressesFile, "utf8")) as Record<string, string>);
}
