// `--rpc` / `--network` as every tool resolves them (src/chain/networks.ts), and the local chains (31337 and 1337)
// where the well-known Hardhat keys may sign and each node keeps a journal of its own. In process, no node.
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import hre from "hardhat";
import { deploymentId, isPerNode } from "../src/chain/deployment-id.ts";
import {
  DEFAULT_RPC_URL,
  devKeysAllowed,
  displayUrl,
  expectChain,
  isLocalChain,
  isLoopbackUrl,
  NETWORKS,
  NetworkError,
  resolveRpc,
  type RpcFlags,
} from "../src/chain/networks.ts";
import { createProvider } from "../src/chain/provider.ts";
import { rpcTarget, UsageError } from "../src/cli/args.ts";
import { hardhatKey, resolveSigner } from "../src/cli/keys.ts";
import { HARDHAT_ACCOUNT_0_KEY, resolveKey } from "../src/keeper/config.ts";

const SEPOLIA = "https://eth-sepolia.example.org/v2/secret-key";
const BASE = "https://base-sepolia.example.org/";
const LOCAL = DEFAULT_RPC_URL;
/** A chain-1337 node on another machine (a private chain's default id). */
const REMOTE_1337 = "http://10.0.0.7:8545";

/** The NetworkError `resolveRpc(flags, env)` throws. */
function refusal(flags: RpcFlags, env: NodeJS.ProcessEnv = {}): NetworkError {
  try {
    resolveRpc(flags, env);
  } catch (error) {
    expect(error).to.be.instanceOf(NetworkError);
    return error as NetworkError;
  }
  throw new Error("resolveRpc accepted it");
}

describe("networks: --rpc and --network", () => {
  it("test_resolveRpc_defaults: --rpc, else MICROCREDIT_RPC, else the local default, with no network to check", () => {
    expect(resolveRpc({}, {})).to.deep.equal({ url: DEFAULT_RPC_URL });
    expect(resolveRpc({}, { MICROCREDIT_RPC: "http://10.0.0.7:8545" })).to.deep.equal({
      url: "http://10.0.0.7:8545",
    });
    expect(
      resolveRpc({ rpc: "http://127.0.0.1:9545" }, { MICROCREDIT_RPC: "http://10.0.0.7:8545" }),
    ).to.deep.equal({
      url: "http://127.0.0.1:9545",
    });
    // An empty variable is an unset one.
    expect(resolveRpc({}, { MICROCREDIT_RPC: "" }).url).to.equal(DEFAULT_RPC_URL);
  });

  it("test_resolveRpc_envDefault: --network takes its URL from its own variable (MICROCREDIT_RPC for localhost)", () => {
    const env = {
      SEPOLIA_RPC_URL: SEPOLIA,
      BASE_SEPOLIA_RPC_URL: BASE,
      MICROCREDIT_RPC: "http://127.0.0.1:9",
    };
    expect(resolveRpc({ network: "sepolia" }, env)).to.deep.equal({
      url: SEPOLIA,
      network: NETWORKS.sepolia,
    });
    expect(resolveRpc({ network: "baseSepolia" }, env)).to.deep.equal({
      url: BASE,
      network: NETWORKS.baseSepolia,
    });
    expect(resolveRpc({ network: "localhost" }, env)).to.deep.equal({
      url: "http://127.0.0.1:9",
      network: NETWORKS.localhost,
    });
    expect(resolveRpc({ network: "localhost" }, {})).to.deep.equal({
      url: DEFAULT_RPC_URL,
      network: NETWORKS.localhost,
    });
  });

  it("test_resolveRpc_rpcAndNetwork: --rpc is the URL, --network the chain it must be", () => {
    const target = resolveRpc(
      { rpc: "http://127.0.0.1:8545", network: "sepolia" },
      { SEPOLIA_RPC_URL: SEPOLIA },
    );
    expect(target).to.deep.equal({ url: "http://127.0.0.1:8545", network: NETWORKS.sepolia });
    // Without the variable too: --rpc gives the URL.
    expect(resolveRpc({ rpc: "http://127.0.0.1:8545", network: "sepolia" }, {}).url).to.equal(
      "http://127.0.0.1:8545",
    );
  });

  it("test_resolveRpc_unknownName: lists the known networks and points at --help", () => {
    const error = refusal({ network: "mainnet" });
    expect(error.message).to.equal('unknown --network "mainnet" (known: localhost, sepolia, baseSepolia)');
    expect(error.seeHelp).to.equal(true);
    // Not a property every object has.
    expect(refusal({ network: "toString" }).message).to.match(/^unknown --network "toString"/);
  });

  it("test_resolveRpc_missingVariable: names the variable the network needs", () => {
    const error = refusal(
      { network: "sepolia" },
      { MICROCREDIT_RPC: "http://127.0.0.1:8545", SEPOLIA_RPC_URL: " " },
    );
    expect(error.message).to.equal("--network sepolia needs SEPOLIA_RPC_URL (the node's JSON-RPC URL)");
    expect(error.seeHelp).to.equal(false);
    expect(refusal({ network: "baseSepolia" }).message).to.equal(
      "--network baseSepolia needs BASE_SEPOLIA_RPC_URL (the node's JSON-RPC URL)",
    );
  });

  it("test_resolveRpc_badUrl: names where the URL came from", () => {
    expect(refusal({ rpc: "127.0.0.1:8545" }).message).to.equal(
      "--rpc must be an http(s) URL, got <not a URL>",
    );
    expect(refusal({}, { MICROCREDIT_RPC: "ws://x" }).message).to.equal(
      'MICROCREDIT_RPC must be an http(s) URL, got "ws://x"',
    );
    expect(refusal({ network: "sepolia" }, { SEPOLIA_RPC_URL: "sepolia" }).message).to.equal(
      "SEPOLIA_RPC_URL must be an http(s) URL, got <not a URL>",
    );
  });

  it("test_resolveRpc_badUrlSecret: a refused URL never shows the key in its path, query or credentials", () => {
    const secret = "k3y-s3cr3t";
    for (const url of [
      `wss://eth-sepolia.example.org/v2/${secret}`,
      `ws://node.example.org/?apikey=${secret}`,
      `wss://user:${secret}@node.example.org/`,
      secret,
      `${secret}:8545`,
    ]) {
      const error = refusal({ network: "sepolia" }, { SEPOLIA_RPC_URL: url });
      expect(error.message).to.not.include(secret);
      expect(error.message).to.match(/^SEPOLIA_RPC_URL must be an http\(s\) URL, got /);
    }
    expect(refusal({ rpc: `wss://eth-sepolia.example.org/v2/${secret}` }).message).to.equal(
      '--rpc must be an http(s) URL, got "wss://eth-sepolia.example.org/…"',
    );
  });

  it("test_expectChain_wrongNetwork: one line naming both chain ids, the URL without its key", () => {
    expectChain({ url: SEPOLIA }, 31337n);
    expectChain({ url: SEPOLIA, network: NETWORKS.sepolia }, 11155111n);
    expect(() => expectChain({ url: "http://127.0.0.1:8545", network: NETWORKS.sepolia }, 31337n)).to.throw(
      NetworkError,
      /^--network sepolia expects chain 11155111, but http:\/\/127\.0\.0\.1:8545 is chain 31337$/,
    );
    expect(() => expectChain({ url: SEPOLIA, network: NETWORKS.baseSepolia }, 11155111n)).to.throw(
      "--network baseSepolia expects chain 84532, but https://eth-sepolia.example.org/… is chain 11155111",
    );
    // localhost is any development chain.
    expectChain({ url: DEFAULT_RPC_URL, network: NETWORKS.localhost }, 31337n);
    expectChain({ url: DEFAULT_RPC_URL, network: NETWORKS.localhost }, 1337n);
    expect(() => expectChain({ url: DEFAULT_RPC_URL, network: NETWORKS.localhost }, 11155111n)).to.throw(
      "--network localhost expects a local chain (31337 or 1337), but http://127.0.0.1:8545 is chain 11155111",
    );
  });

  it("displayUrl hides a provider's path, query and credentials", () => {
    expect(displayUrl("http://127.0.0.1:8545")).to.equal("http://127.0.0.1:8545");
    expect(displayUrl("http://127.0.0.1:8545/")).to.equal("http://127.0.0.1:8545");
    expect(displayUrl("https://sepolia.infura.io/v3/abc")).to.equal("https://sepolia.infura.io/…");
    expect(displayUrl("https://user:pw@node.example.org/?key=abc")).to.equal("https://node.example.org/…");
  });

  it("displayUrl never repeats a string that is not a URL with a host", () => {
    for (const garbage of [
      "",
      "not a url",
      "0123456789abcdef",
      "localhost:8545",
      "mailto:key@example.org",
      "file:///k",
    ]) {
      expect(displayUrl(garbage), garbage).to.equal("<not a URL>");
    }
  });

  it("the CLI turns every refusal into one usage line", () => {
    expect(() => rpcTarget({ network: "mainnet" }, {})).to.throw(UsageError, /^unknown --network "mainnet"/);
    expect(() => rpcTarget({ network: "sepolia" }, {})).to.throw(UsageError, /needs SEPOLIA_RPC_URL/);
    expect(rpcTarget({ rpc: "http://127.0.0.1:1" }, {})).to.deep.equal({ url: "http://127.0.0.1:1" });
  });

  it("createProvider: no request cache, the given polling interval", () => {
    const provider = createProvider(DEFAULT_RPC_URL, { pollingInterval: 250 });
    try {
      expect(provider).to.be.instanceOf(JsonRpcProvider);
      expect(provider._getOption("cacheTimeout")).to.equal(-1);
      expect(provider._getOption("staticNetwork")).to.equal(true);
      expect(provider.pollingInterval).to.equal(250);
      expect(createProvider(DEFAULT_RPC_URL).pollingInterval).to.equal(1_000);
    } finally {
      provider.destroy();
    }
  });

  it("hardhat.config.ts takes each testnet's chain id, chain type and variables from the registry", () => {
    for (const name of ["sepolia", "baseSepolia"] as const) {
      const config = hre.config.networks[name];
      const network = NETWORKS[name];
      expect([config.chainId, config.chainType]).to.deep.equal([Number(network.chainId), network.chainType]);
      if (config.type !== "http") throw new Error(`${name} is not an http network`);
      const names = [config.url, ...(config.accounts as unknown[])].map((v) => (v as { name?: string }).name);
      expect(names).to.deep.equal([network.rpcVariable, network.keyVariable]);
    }
  });
});

describe("local chains: 31337 and 1337", () => {
  it("test_isLocalChain: Hardhat's, Anvil's and Ganache's ids, no public one", () => {
    expect([31337n, 1337n].map(isLocalChain)).to.deep.equal([true, true]);
    expect([1n, 11155111n, 84532n, 1338n].map(isLocalChain)).to.deep.equal([false, false, false, false]);
  });

  it("test_devKeysAllowed: chain 31337 from any host, 1337 only over loopback, never a public chain", () => {
    expect(devKeysAllowed(31337n, "http://127.0.0.1:8545")).to.equal(true);
    expect(devKeysAllowed(31337n, "https://node.example.org/v2/key")).to.equal(true);
    for (const url of ["http://127.0.0.1:7545", "http://localhost:8545", "http://[::1]:8545"]) {
      expect(devKeysAllowed(1337n, url), url).to.equal(true);
    }
    for (const url of [
      "http://10.0.0.7:8545",
      "https://consortium.example.org/rpc",
      "http://127.0.0.2:8545",
    ]) {
      expect(devKeysAllowed(1337n, url), url).to.equal(false);
    }
    expect(devKeysAllowed(1337n, "not a url")).to.equal(false);
    expect(devKeysAllowed(11155111n, "http://127.0.0.1:8545")).to.equal(false);
    expect(devKeysAllowed(11155111n, SEPOLIA)).to.equal(false);
    expect([isLoopbackUrl("http://0.0.0.0:8545"), isLoopbackUrl("http://127.0.0.2:8545")]).to.deep.equal([
      true,
      false,
    ]);
  });

  it("test_deploymentId_1337: a chain-1337 node keeps a journal of its own, here or elsewhere", () => {
    expect(deploymentId(1337n, "http://127.0.0.1:7545")).to.equal("chain-1337-7545");
    expect(deploymentId(1337n, "http://10.0.0.7:8545")).to.equal("chain-1337-10.0.0.7-8545");
    expect(isPerNode(1337n, "https://ganache.internal")).to.equal(true);
    expect(isPerNode(1338n, "https://node.internal")).to.equal(false);
  });

  it("test_resolveSigner_1337: Hardhat's default accounts sign on chain 1337, and only with no key set", async () => {
    const provider = new JsonRpcProvider(DEFAULT_RPC_URL, undefined, { staticNetwork: true });
    try {
      expect(await resolveSigner(1337n, LOCAL, provider, "3", {}).getAddress()).to.equal(
        await resolveSigner(31337n, LOCAL, provider, "3", {}).getAddress(),
      );
      expect(await resolveSigner(1337n, LOCAL, provider, undefined, {}).getAddress()).to.equal(
        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
      );
      expect(() => resolveSigner(11155111n, LOCAL, provider, undefined, {})).to.throw(
        UsageError,
        "MICROCREDIT_KEY is not set; Hardhat's default accounts (--account) are only used on a local chain (31337 or 1337), not 11155111",
      );
      expect(hardhatKey(0)).to.equal(HARDHAT_ACCOUNT_0_KEY);
      // With a key set, the node's host does not matter.
      const key = { MICROCREDIT_KEY: hardhatKey(5) };
      expect(await resolveSigner(1337n, REMOTE_1337, provider, undefined, key).getAddress()).to.equal(
        await resolveSigner(31337n, LOCAL, provider, "5", {}).getAddress(),
      );
    } finally {
      provider.destroy();
    }
  });

  it("test_resolveSigner_remote1337: a chain-1337 node on another machine needs MICROCREDIT_KEY", async () => {
    const provider = new JsonRpcProvider(DEFAULT_RPC_URL, undefined, { staticNetwork: true });
    try {
      for (const account of [undefined, "0"]) {
        expect(() => resolveSigner(1337n, `${REMOTE_1337}/v2/secret`, provider, account, {})).to.throw(
          UsageError,
          /^MICROCREDIT_KEY is not set and http:\/\/10\.0\.0\.7:8545\/… is chain 1337 on another machine: Hardhat's default accounts \(--account\) are only used on chain 31337, or 1337 on this machine; set MICROCREDIT_KEY$/,
        );
      }
      // Chain 31337 is Hardhat's and Anvil's own: its default accounts sign wherever the node runs.
      expect(await resolveSigner(31337n, REMOTE_1337, provider, undefined, {}).getAddress()).to.equal(
        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
      );
    } finally {
      provider.destroy();
    }
  });

  it("test_resolveKey_1337: the keeper's default key on chain 1337, refused on a public chain", () => {
    expect(resolveKey(1337n, LOCAL, {})).to.equal(HARDHAT_ACCOUNT_0_KEY);
    expect(resolveKey(31337n, LOCAL, {})).to.equal(HARDHAT_ACCOUNT_0_KEY);
    expect(resolveKey(31337n, REMOTE_1337, {})).to.equal(HARDHAT_ACCOUNT_0_KEY);
    expect(() => resolveKey(84532n, LOCAL, {})).to.throw(
      "KEEPER_KEY is not set; the default Hardhat key is only used on a local chain (31337 or 1337), not 84532",
    );
  });

  it("test_resolveKey_remote1337: a chain-1337 node on another machine needs KEEPER_KEY", () => {
    expect(() => resolveKey(1337n, `${REMOTE_1337}/v2/secret`, {})).to.throw(
      "KEEPER_KEY is not set and http://10.0.0.7:8545/… is chain 1337 on another machine: the default Hardhat key " +
        "is only used on chain 31337, or 1337 on this machine; set KEEPER_KEY",
    );
    expect(resolveKey(1337n, REMOTE_1337, { KEEPER_KEY: "0x01" })).to.equal("0x01");
  });
});
