// Local deployment (`npm run deploy:local`): the Microcredit module on a running node, built with the profile the
// demo and the tests use, so it never recompiles what they built.
//   npm run deploy:local -- [--rpc http://127.0.0.1:8545] [--network localhost]
import {
  displayUrl,
  isLocalChain,
  isLoopbackUrl,
  LOCAL_CHAINS_TEXT,
  NETWORKS,
  NETWORKS_TEXT,
  type NamedNetwork,
} from "../src/chain/networks.ts";
import {
  DEFAULT_RPC_URL,
  connectOrExit,
  errorLine,
  NODE_OPTIONS,
  parseArgsOrExit,
  resolveOrExit,
} from "./cli-support.ts";

const USAGE = `usage: npm run deploy:local -- [--rpc <url>] [--network <name>]
  --rpc       JSON-RPC URL of the node (default MICROCREDIT_RPC, else ${DEFAULT_RPC_URL})
  --network   ${NETWORKS_TEXT}:
              the URL from that variable (or --rpc), and the node must be that chain
Deploys the token mock, ledger, pool, CreditLens (the ledger's reads), products, quotes lens, offers contract and
merchant registry with the node's first account (admin, underwriter, offer signer, KYC issuer and merchant-manager),
and records the addresses in ignition/deployments/chain-<chainId>/deployed_addresses.json (chain-31337-<port>/ for a
local node) for the keeper, monitor and risk history. Only on a local chain (${LOCAL_CHAINS_TEXT}) or a node on this machine (a fork); a public
chain takes the network module instead (docs/DEPLOY.md).`;

const { values } = parseArgsOrExit("deploy", {
  options: { ...NODE_OPTIONS, help: { type: "boolean", short: "h", default: false } },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const target = resolveOrExit("deploy", values);
const rpc = target.url;
const node = await connectOrExit("deploy", target);
node.provider.destroy();
// The local module mints its own token and signs with the node's accounts: any chain that is neither a development
// chain nor a node on this machine (a fork of a public chain is one) takes the network module, with its stablecoin,
// governor and timelock.
if (!isLocalChain(node.chainId) && !isLoopbackUrl(rpc)) {
  const known = Object.values(NETWORKS).find(
    (n: NamedNetwork) => n !== NETWORKS.localhost && n.chainId === node.chainId,
  );
  const name = known === undefined ? `chain ${node.chainId}` : `${known.name} (chain ${node.chainId})`;
  console.error(
    `deploy: ${displayUrl(rpc)} is ${name}, not a local chain (${LOCAL_CHAINS_TEXT}) or a node on this machine: ` +
      `deploy there with \`npx hardhat ignition deploy ignition/modules/MicrocreditNetwork.ts ` +
      `--network ${known?.name ?? "<name>"}\` (docs/DEPLOY.md)`,
  );
  process.exit(2);
}

const { network } = await import("hardhat");
const { deployMicrocredit, recorded } = await import("./deployment.ts");
const connection = await network.create({ network: "localhost", override: { url: rpc } });
const terminal = process.stdout.isTTY === true;
try {
  const { chainId, addressesFile } = await deployMicrocredit(connection, {
    rpcUrl: rpc,
    displayUi: terminal,
    say: console.log,
  });
  // Piped, Ignition's panel is off (its redraws would repeat it): one line per contract instead.
  if (!terminal) for (const [future, address] of recorded(addressesFile)) console.log(`${future} ${address}`);
  console.log(`deployed on chain ${chainId} (${displayUrl(rpc)}); addresses in ${addressesFile}`);
} catch (error) {
  console.error(`deploy: ${errorLine(error)}`);
  process.exitCode = 1;
}
await connection.close();
