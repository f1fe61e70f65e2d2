// The Microcredit Ignition module deployed on a connection, shared by `npm run deploy:local` and the demo. Ignition
// records the addresses in ignition/deployments/<deployment id>/ (chain-<chainId>, or chain-31337-<port> for a local
// node: src/chain/deployment-id.ts), where the keeper, the monitor and `risk history` look for the node they reach.
import { existsSync, readFileSync, rmSync } from "node:fs";
import type { NetworkConnection } from "hardhat/types/network";
import MicrocreditModule from "../ignition/modules/Microcredit.ts";
import { deploymentId, isPerNode } from "../src/chain/deployment-id.ts";
import { defaultCheckpointFile } from "../src/keeper/config.ts";

export interface DeployOptions {
  /** The node's JSON-RPC URL, which keys a local node's journal; none for an in-process chain. */
  rpcUrl?: string;
  /** Ignition's live panel. It redraws itself with cursor moves, so only a terminal shows it once. */
  displayUi: boolean;
  say: (line: string) => void;
}

/** The chain's deployment of the module: reused when its journal is live, deployed (or completed) otherwise. */
export async function deployMicrocredit(connection: NetworkConnection, { rpcUrl, displayUi, say }: DeployOptions) {
  const { ethers, ignition } = connection;
  const { chainId } = await ethers.provider.getNetwork();
  const live = connection.networkConfig.type === "http";
  if (live && rpcUrl === undefined) throw new Error("deployMicrocredit: a node needs its rpcUrl");
  const id = live ? deploymentId(chainId, rpcUrl!) : `chain-${chainId}`;
  const journal = `ignition/deployments/${id}`;
  const addressesFile = `${journal}/deployed_addresses.json`;
  // A restarted local node starts empty while the journal still lists the old contracts: drop a journal whose
  // contracts are gone instead of failing to reconcile it, with the keeper's checkpoint for that node (the new
  // ledger lands at the same address, and the old checkpoint would skip the new chain's first blocks). An
  // in-process chain keeps no journal and must not touch the one of a node on the same chain id.
  if (live && isPerNode(chainId, rpcUrl!) && existsSync(addressesFile)) {
    const codes = await Promise.all(recorded(addressesFile).map(([, a]) => ethers.provider.getCode(a)));
    if (codes.some((code) => code === "0x")) {
      rmSync(journal, { recursive: true, force: true });
      rmSync(defaultCheckpointFile(chainId, rpcUrl!), { force: true });
      say("(a previous local deployment's journal pointed at contracts this node does not have: starting afresh)");
    }
  }
  const deployed = await ignition.deploy(MicrocreditModule, { displayUi, ...(live ? { deploymentId: id } : {}) });
  return { deployed, chainId, addressesFile };
}

/** The `[future id, address]` pairs Ignition recorded. */
export function recorded(addressesFile: string): [string, string][] {
  return Object.entries(JSON.parse(readFileSync(addressesFile, "utf8")) as Record<string, string>);
}
