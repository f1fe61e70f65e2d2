// Local deployment (`npm run deploy:local`): the Microcredit module on a running node, built with the profile the
// demo and the tests use, so it never recompiles what they built.
//   npm run deploy:local -- [--rpc http://127.0.0.1:8545]
import { DEFAULT_RPC_URL, connectOrExit, errorLine, parseArgsOrExit, rpcOption } from "./cli-support.ts";

const USAGE = `usage: npm run deploy:local -- [--rpc <url>]
  --rpc   JSON-RPC URL of the node (default ${DEFAULT_RPC_URL}, or MICROCREDIT_RPC)
Deploys the token mock, ledger, pool, products, quotes lens and offers contract with the node's first account
(admin, underwriter, offer signer and KYC issuer), and records the addresses in
ignition/deployments/chain-<chainId>/deployed_addresses.json (chain-31337-<port>/ for a local node) for the keeper,
monitor and risk history.`;

const { values } = parseArgsOrExit("deploy", {
  options: { rpc: rpcOption(), help: { type: "boolean", short: "h", default: false } },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const rpc = values.rpc!;
(await connectOrExit("deploy", rpc)).provider.destroy();

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
  console.log(`deployed on chain ${chainId} (${rpc}); addresses in ${addressesFile}`);
} catch (error) {
  console.error(`deploy: ${errorLine(error)}`);
  process.exitCode = 1;
}
await connection.close();
