// Public-network deployment (docs/DEPLOY.md), tested offline: the networks resolve from the config, the module
// deploys with each network's parameters file (on a local chain of the same chain type, with a stablecoin placed at
// the file's address), and a deployment without credentials stops in one clear message.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { network } from "hardhat";
import { id, ZeroHash } from "ethers";
import hre from "hardhat";
import MicrocreditNetwork, { DEFAULT_TIMELOCK_DELAY } from "../ignition/modules/MicrocreditNetwork.ts";
import { FEE_PRODUCTS, LIMITS, PRODUCT_CAPS, PRODUCTS } from "../src/config/defaults.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const NETWORKS = [
  {
    name: "sepolia",
    chainType: "l1",
    chainId: 11155111,
    secrets: ["SEPOLIA_RPC_URL", "SEPOLIA_PRIVATE_KEY"],
  },
  {
    name: "baseSepolia",
    chainType: "op",
    chainId: 84532,
    secrets: ["BASE_SEPOLIA_RPC_URL", "BASE_SEPOLIA_PRIVATE_KEY"],
  },
] as const;

type Parameters = { Microcredit: Record<string, string | number> };
const parametersOf = (name: string) =>
  JSON.parse(readFileSync(`${ROOT}ignition/parameters/${name}.json`, "utf8")) as Parameters;

describe("public-network deployment (MicrocreditNetwork module)", () => {
  for (const net of NETWORKS) {
    it(`${net.name}: the network is configured with its chain id, chain type and configuration variables`, () => {
      const config = hre.config.networks[net.name];
      expect(config.type).to.equal("http");
      expect(config.chainType).to.equal(net.chainType);
      expect(config.chainId).to.equal(net.chainId);
      if (config.type !== "http") return;
      // Read from the keystore or the environment when the network is used, never written in the config.
      const names = [config.url, ...(config.accounts as unknown[])].map((v) => (v as { name?: string }).name);
      expect(names).to.deep.equal(net.secrets);
    });

    it(`${net.name}: its parameters file deploys the system with the admin role behind the timelock`, async function () {
      this.timeout(300_000);
      const params = parametersOf(net.name);
      const asset = String(params.Microcredit.asset);
      const { ethers, ignition, networkHelpers } = await network.create({ chainType: net.chainType });
      const [deployer, other, governor] = await ethers.getSigners();
      // The stablecoin the file names, as a token at that address on this local chain.
      const mock = await ethers.deployContract("MockStablecoin");
      await networkHelpers.setCode(asset, await ethers.provider.getCode(await mock.getAddress()));

      // The file names no governor: the deployment refuses to start without one, before any transaction.
      const nonce = await ethers.provider.getTransactionCount(deployer.address);
      const refused = await ignition.deploy(MicrocreditNetwork, { parameters: params }).then(
        () => "deployed",
        (error: Error) => error.message,
      );
      expect(refused).to.match(/governor/);
      expect(await ethers.provider.getTransactionCount(deployer.address)).to.equal(nonce);

      const withGovernor = { Microcredit: { ...params.Microcredit, governor: governor.address } };
      const deployed = await ignition.deploy(MicrocreditNetwork, { parameters: withGovernor });
      const ledger = await ethers.getContractAt("CreditLedger", await deployed.ledger.getAddress());
      // The lens is the deployer's third contract.
      const system = await ethers.getContractAt("MicrocreditDeployer", await deployed.deployer.getAddress());
      const lens = await ethers.getContractAt("CreditLens", await system.lens());
      const pool = await ethers.getContractAt("LendingPool", await deployed.pool.getAddress());
      const offers = await ethers.getContractAt("CreditOffers", await deployed.offers.getAddress());
      const timelock = await ethers.getContractAt(
        "MicrocreditTimelock",
        await deployed.timelock.getAddress(),
      );
      const timelockAddress = await timelock.getAddress();
      const merchants = await ethers.getContractAt(
        "MerchantRegistry",
        await deployed.merchantRegistry.getAddress(),
      );

      expect(await ledger.asset()).to.equal(asset);
      expect(await merchants.asset()).to.equal(asset);
      expect(await pool.asset()).to.equal(asset);
      expect(await pool.name()).to.equal(params.Microcredit.poolName);
      expect(await pool.symbol()).to.equal(params.Microcredit.poolSymbol);
      expect(await timelock.getMinDelay()).to.equal(
        BigInt(params.Microcredit.timelockDelay ?? DEFAULT_TIMELOCK_DELAY),
      );
      expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), governor.address)).to.equal(true);
      expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), deployer.address)).to.equal(false);
      for (const c of [ledger, offers, merchants]) {
        expect(await c.hasRole(ZeroHash, timelockAddress)).to.equal(true);
        expect(await c.hasRole(ZeroHash, deployer.address)).to.equal(false);
      }
      expect(await merchants.hasRole(id("MERCHANT_MANAGER_ROLE"), deployer.address)).to.equal(true);
      // The operators default to the deploying account; CreditOffers underwrites too.
      for (const role of ["UNDERWRITER_ROLE", "PAUSER_ROLE", "RISK_ROLE"])
        expect(await ledger.hasRole(id(role), deployer.address)).to.equal(true);
      expect(await ledger.hasRole(id("UNDERWRITER_ROLE"), await offers.getAddress())).to.equal(true);
      expect(await offers.isSigner(deployer.address)).to.equal(true);
      expect(await offers.isKycIssuer(deployer.address)).to.equal(true);
      // The catalogue, the caps and the limits of src/config/defaults.ts.
      for (const p of [...PRODUCTS, ...FEE_PRODUCTS]) {
        const product = await lens.product(p.id);
        expect([product.method, product.instalments, product.periodDays, product.enabled]).to.deep.equal([
          BigInt(p.method),
          BigInt(p.instalments),
          BigInt(p.periodDays),
          true,
        ]);
        expect(product.feeBps).to.equal(BigInt("feeBps" in p ? p.feeBps : 0));
        expect((await lens.productExposure(p.id))[1]).to.equal(PRODUCT_CAPS[p.id]);
      }
      // Every admin change now goes through the timelock.
      await expect(ledger.connect(deployer).setLimits(LIMITS))
        .to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount")
        .withArgs(deployer.address, ZeroHash);
      await expect(offers.connect(deployer).setSigner(other.address, true))
        .to.be.revertedWithCustomError(offers, "AccessControlUnauthorizedAccount")
        .withArgs(deployer.address, ZeroHash);
      await expect(merchants.connect(deployer).setPayoutDelay(86_400n))
        .to.be.revertedWithCustomError(merchants, "AccessControlUnauthorizedAccount")
        .withArgs(deployer.address, ZeroHash);
    });
  }

  it("operators and governor from the parameters file hold their roles, and the deployer none", async function () {
    this.timeout(300_000);
    const { ethers, ignition, networkHelpers } = await network.create();
    const [deployer, underwriter, pauser, risk, signer, issuer, governor, merchantManager] =
      await ethers.getSigners();
    const mock = await ethers.deployContract("MockStablecoin");
    const asset = ethers.getAddress("0x00000000000000000000000000000000000c0ffe");
    await networkHelpers.setCode(asset, await ethers.provider.getCode(await mock.getAddress()));
    const deployed = await ignition.deploy(MicrocreditNetwork, {
      parameters: {
        Microcredit: {
          asset,
          underwriter: underwriter.address,
          pauser: pauser.address,
          riskOfficer: risk.address,
          offerSigner: signer.address,
          kycIssuer: issuer.address,
          merchantManager: merchantManager.address,
          governor: governor.address,
          timelockDelay: 3_600,
        },
      },
    });
    const ledger = await ethers.getContractAt("CreditLedger", await deployed.ledger.getAddress());
    const offers = await ethers.getContractAt("CreditOffers", await deployed.offers.getAddress());
    const timelock = await ethers.getContractAt("MicrocreditTimelock", await deployed.timelock.getAddress());
    const roles: [string, string][] = [
      ["UNDERWRITER_ROLE", underwriter.address],
      ["PAUSER_ROLE", pauser.address],
      ["RISK_ROLE", risk.address],
    ];
    for (const [role, holder] of roles) {
      expect(await ledger.hasRole(id(role), holder)).to.equal(true);
      expect(await ledger.hasRole(id(role), deployer.address)).to.equal(false);
    }
    expect(await offers.isSigner(signer.address)).to.equal(true);
    expect(await offers.isSigner(deployer.address)).to.equal(false);
    expect(await offers.isKycIssuer(issuer.address)).to.equal(true);
    const merchants = await ethers.getContractAt(
      "MerchantRegistry",
      await deployed.merchantRegistry.getAddress(),
    );
    expect(await merchants.hasRole(id("MERCHANT_MANAGER_ROLE"), merchantManager.address)).to.equal(true);
    expect(await merchants.hasRole(id("MERCHANT_MANAGER_ROLE"), deployer.address)).to.equal(false);
    expect(await timelock.getMinDelay()).to.equal(3_600n);
    expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), governor.address)).to.equal(true);
    expect(await timelock.hasRole(await timelock.EXECUTOR_ROLE(), governor.address)).to.equal(true);
    expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), deployer.address)).to.equal(false);
  });

  // Hardhat prints stack traces whenever it detects a CI (hardhat-utils isCi); the operator at a terminal sees none.
  const CI_MARKERS = [
    "CI",
    "CONTINUOUS_INTEGRATION",
    "GITHUB_ACTIONS",
    "BUILD_NUMBER",
    "RUN_ID",
    "NOW",
    "DEPLOYMENT_ID",
    "CODEBUILD_BUILD_NUMBER",
  ];
  for (const net of NETWORKS) {
    it(`${net.name} without credentials: one clear message naming the missing variable, no stack trace`, () => {
      const env = Object.fromEntries(
        Object.entries(process.env).filter(
          ([k]) =>
            !k.startsWith("HARDHAT_") && !CI_MARKERS.includes(k) && !(net.secrets as readonly string[]).includes(k),
        ),
      );
      const cli = `${ROOT}node_modules/hardhat/dist/src/cli.js`;
      const out = spawnSync(
        process.execPath,
        [
          cli,
          "ignition",
          "deploy",
          "ignition/modules/MicrocreditNetwork.ts",
          "--network",
          net.name,
          "--parameters",
          `ignition/parameters/${net.name}.json`,
        ],
        { cwd: ROOT, encoding: "utf8", env, timeout: 120_000 },
      );
      const text = out.stdout + out.stderr;
      expect(out.status, text).to.not.equal(0);
      // Hardhat's own error: from the environment, or (when a development keystore is in use) from the keystore.
      expect(text).to.match(new RegExp(`^Error HHE\\d+.*"${net.secrets[0]}" not found`, "m"));
      expect(text).to.not.match(/\n\s+at /);
    });
  }
});
