import { expect } from "chai";
import { network } from "hardhat";
import { Wallet } from "ethers";
import { deployMicrocredit, ONE } from "./helpers/fixture.ts";
import { decodeError } from "../src/sdk/errors.ts";

// The ledger's modules are fixed at deployment: `modules()` names them, the constructor refuses an address that is
// not a module over the ledger's asset, and the calls they serve (here the underwriter's `setMandateFor`) are in the
// ledger's ABI under their own names.
const connection = await network.create();
const { networkHelpers, ethers } = connection;

async function base() {
  return deployMicrocredit(connection);
}

type Modules = [collection: string, config: string, views: string];
/** The three modules, in the order `modules()` returns them and the deployer takes them. */
const MODULE_NAMES = ["CollectionModule", "ConfigModule", "ViewModule"] as const;

/** Deploys the three modules over `asset`. */
async function modulesOver(asset: string): Promise<Modules> {
  const out: string[] = [];
  for (const name of MODULE_NAMES) out.push(await (await ethers.deployContract(name, [asset])).getAddress());
  return [out[0], out[1], out[2]];
}

describe("ledger modules", () => {
  it("names its three modules, each serving a book over the ledger's asset", async () => {
    const d = await networkHelpers.loadFixture(base);
    const [collection, config, views] = await d.ledger.modules();
    expect(new Set([collection, config, views]).size).to.equal(3);
    for (const [i, address] of [collection, config, views].entries()) {
      expect(await ethers.provider.getCode(address)).to.not.equal("0x");
      const module = await ethers.getContractAt(MODULE_NAMES[i], address);
      expect(await module.asset()).to.equal(await d.token.getAddress());
    }
  });

  it("refuses at deployment a module over another asset, an address with no code or a contract without asset()", async () => {
    const d = await networkHelpers.loadFixture(base);
    const asset = await d.token.getAddress();
    const other = await (await ethers.deployContract("MockStablecoin")).getAddress();
    const good = await modulesOver(asset);
    const foreign = await modulesOver(other);
    const noCode = Wallet.createRandom().address;
    const factory = await ethers.getContractFactory("MicrocreditDeployer");
    const cases: [number, string][] = [
      [0, foreign[0]],
      [1, foreign[1]],
      [2, foreign[2]],
      [1, noCode],
      [2, other], // a contract with no asset(): the answer is a revert, not an address
    ];
    for (const [slot, bad] of cases) {
      const modules: Modules = [...good];
      modules[slot] = bad;
      const error = await factory
        .deploy(asset, "Pool", "mcUSD", d.admin.address, ...modules)
        .then(() => undefined)
        .catch((e: unknown) => e);
      expect(error, `module ${slot} = ${bad}`).to.not.equal(undefined);
      const decoded = decodeError(error);
      expect(decoded?.errorName).to.equal("InvalidModule");
      expect(decoded?.args[0]).to.equal(bad);
      expect(decoded?.message).to.contain("is not a ledger module over this asset");
    }
    const deployer = await factory.deploy(asset, "Pool", "mcUSD", d.admin.address, ...good);
    const ledger = await ethers.getContractAt("CreditLedger", await deployer.ledger());
    expect(await ledger.modules()).to.deep.equal(good);
  });

  it("lets the underwriter set a borrower's mandate by name, and no one else", async () => {
    const d = await networkHelpers.loadFixture(base);
    expect(await d.ledger.mandateOf(d.borrower.address)).to.deep.equal([false, 0n]);
    await expect(d.ledger.connect(d.underwriter).setMandateFor(d.borrower.address, 250n * ONE))
      .to.emit(d.ledger, "MandateSet")
      .withArgs(d.borrower.address, 250n * ONE);
    expect(await d.ledger.mandateOf(d.borrower.address)).to.deep.equal([true, 250n * ONE]);
    await expect(d.ledger.connect(d.other).setMandateFor(d.borrower.address, 1n))
      .to.be.revertedWithCustomError(d.ledger, "AccessControlUnauthorizedAccount")
      .withArgs(d.other.address, ethers.id("UNDERWRITER_ROLE"));
    expect(await d.ledger.mandateOf(d.borrower.address)).to.deep.equal([true, 250n * ONE]);
    await d.ledger.connect(d.borrower).revokeMandate();
    expect(await d.ledger.mandateOf(d.borrower.address)).to.deep.equal([false, 0n]);
  });

  it("grants, revokes and renounces roles at the ledger's address (run in the ConfigModule), refusing everyone else", async () => {
    const d = await networkHelpers.loadFixture(base);
    const RISK = ethers.id("RISK_ROLE");
    const ADMIN = ethers.ZeroHash;
    await expect(d.ledger.connect(d.other).grantRole(RISK, d.other.address))
      .to.be.revertedWithCustomError(d.ledger, "AccessControlUnauthorizedAccount")
      .withArgs(d.other.address, ADMIN);
    expect(await d.ledger.hasRole(RISK, d.other.address)).to.equal(false);
    await expect(d.ledger.connect(d.admin).grantRole(RISK, d.other.address))
      .to.emit(d.ledger, "RoleGranted")
      .withArgs(RISK, d.other.address, d.admin.address);
    expect(await d.ledger.hasRole(RISK, d.other.address)).to.equal(true);
    // The role works at once on a module-served entry point, and a repeat grant changes nothing.
    await d.ledger.connect(d.other).cutLine(d.borrower.address, 0n);
    await expect(d.ledger.connect(d.admin).grantRole(RISK, d.other.address)).to.not.emit(d.ledger, "RoleGranted");
    await expect(d.ledger.connect(d.other).revokeRole(RISK, d.admin.address))
      .to.be.revertedWithCustomError(d.ledger, "AccessControlUnauthorizedAccount")
      .withArgs(d.other.address, ADMIN);
    await expect(d.ledger.connect(d.other).renounceRole(RISK, d.admin.address)).to.be.revertedWithCustomError(
      d.ledger,
      "AccessControlBadConfirmation",
    );
    await expect(d.ledger.connect(d.other).renounceRole(RISK, d.other.address))
      .to.emit(d.ledger, "RoleRevoked")
      .withArgs(RISK, d.other.address, d.other.address);
    await d.ledger.connect(d.admin).grantRole(RISK, d.other.address);
    await expect(d.ledger.connect(d.admin).revokeRole(RISK, d.other.address))
      .to.emit(d.ledger, "RoleRevoked")
      .withArgs(RISK, d.other.address, d.admin.address);
    expect(await d.ledger.hasRole(RISK, d.other.address)).to.equal(false);
    await expect(d.ledger.connect(d.other).cutLine(d.borrower.address, 0n))
      .to.be.revertedWithCustomError(d.ledger, "AccessControlUnauthorizedAccount")
      .withArgs(d.other.address, RISK);
  });
});
