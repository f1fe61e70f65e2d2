import { expect } from "chai";
import { network } from "hardhat";
import { Wallet, type Interface } from "ethers";
import { deployMicrocredit, ALL_PRODUCTS_MASK, ONE } from "./helpers/fixture.ts";
import { decodeError } from "../src/sdk/errors.ts";
import { ledgerViews } from "../src/chain/lens.ts";

// The ledger's modules are fixed at deployment: `modules()` names them, the constructor refuses an address that is
// not a module over the ledger's asset, and the calls they serve (here the underwriter's `setMandateFor`) are in the
// ledger's ABI under their own names. The ViewModule's reads are not: they are the CreditLens's, which runs each of
// them through the ledger's `extView`.
const connection = await network.create();
const { networkHelpers, ethers } = connection;

async function base() {
  return deployMicrocredit(connection);
}

type Modules = [collection: string, delinquency: string, config: string, views: string];
/** The four modules, in the order `modules()` returns them and the deployer takes them. */
const MODULE_NAMES = ["CollectionModule", "DelinquencyModule", "ConfigModule", "ViewModule"] as const;

/** Deploys the four modules over `asset`. */
async function modulesOver(asset: string): Promise<Modules> {
  const out: string[] = [];
  for (const name of MODULE_NAMES) out.push(await (await ethers.deployContract(name, [asset])).getAddress());
  return [out[0], out[1], out[2], out[3]];
}

/** The reads served by the CreditLens (ICreditLens, but `ledger()`), that the ledger's own ABI no longer has. */
const LENS_VIEWS = [
  "loanState(uint256)",
  "loanRecord(uint256)",
  "dueNow(uint256)",
  "loanIdOf(address,uint256)",
  "lineOf(address)",
  "creditHistory(address)",
  "mandateOf(address)",
  "borrowerCount()",
  "borrowerAt(uint256)",
  "originatorAllowed(address,address)",
  "product(uint8)",
  "productExposure(uint8)",
  "riskState()",
  "riskParams()",
  "kycRequired()",
  "lenderAssets()",
  "principalOutstanding()",
  "interestReceivable()",
  "grossInterest()",
  "penaltyIncome()",
  "rateSum()",
  "protocolFeesOwed()",
  "firstLossReserve()",
  "provisions()",
  "queueReserve()",
  "rates()",
];

/** The reads the ledger keeps: what the pool and the entry points use, its roles, and `extView` for the lens. */
const LEDGER_VIEWS = [
  "bookValue()",
  "cash()",
  "availableLiquidity()",
  "pool()",
  "asset()",
  "paused()",
  "modules()",
  "hasRole(bytes32,address)",
  "getRoleAdmin(bytes32)",
  "UNDERWRITER_ROLE()",
  "APR_CAP_BPS()",
  "supportsInterface(bytes4)",
  "extView(bytes)",
];

/** Every function of an ABI, as its signature. */
function signatures(iface: Interface): string[] {
  const out: string[] = [];
  iface.forEachFunction((f) => out.push(f.format("sighash")));
  return out.sort();
}

/** Each function's output types, by signature. */
function outputs(iface: Interface): Map<string, string> {
  const out = new Map<string, string>();
  iface.forEachFunction((f) =>
    out.set(f.format("sighash"), f.outputs.map((o) => o.format("sighash")).join(",")),
  );
  return out;
}

describe("ledger modules", () => {
  it("names its four modules, each serving a book over the ledger's asset", async () => {
    const d = await networkHelpers.loadFixture(base);
    const modules = await d.ledger.modules();
    expect(new Set(modules).size).to.equal(4);
    for (const [i, address] of modules.entries()) {
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
      [3, foreign[3]],
      [1, noCode],
      [3, other], // a contract with no asset(): the answer is a revert, not an address
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

  it("runs each delegated call in one module: collection, late loans, configuration", async () => {
    // What each module must serve, and what it must not (a call the ledger routes elsewhere).
    const serves: Record<(typeof MODULE_NAMES)[number], string[]> = {
      CollectionModule: ["collect(uint256[])"],
      DelinquencyModule: [
        "mark(uint256[])",
        "repayLate(uint256,uint256,address)",
        "recover(uint256,uint256)",
        "waivePenalty(uint256,uint256,bytes32)",
      ],
      ConfigModule: [
        "setLimits((uint96,uint96,uint96,uint96,uint16,uint16,uint16,uint16))",
        "feeRebate(uint256,uint256)",
      ],
      ViewModule: ["loanState(uint256)"],
    };
    const all = Object.values(serves).flat();
    for (const name of MODULE_NAMES) {
      const iface = (await ethers.getContractFactory(name)).interface;
      for (const signature of all) {
        expect(iface.hasFunction(signature), `${name} serves ${signature}`).to.equal(
          serves[name].includes(signature),
        );
      }
    }
  });

  it("lets the underwriter set a borrower's mandate by name, and no one else", async () => {
    const d = await networkHelpers.loadFixture(base);
    expect(await d.lens.mandateOf(d.borrower.address)).to.deep.equal([false, 0n]);
    await expect(d.ledger.connect(d.underwriter).setMandateFor(d.borrower.address, 250n * ONE))
      .to.emit(d.ledger, "MandateSet")
      .withArgs(d.borrower.address, 250n * ONE);
    expect(await d.lens.mandateOf(d.borrower.address)).to.deep.equal([true, 250n * ONE]);
    await expect(d.ledger.connect(d.other).setMandateFor(d.borrower.address, 1n))
      .to.be.revertedWithCustomError(d.ledger, "AccessControlUnauthorizedAccount")
      .withArgs(d.other.address, ethers.id("UNDERWRITER_ROLE"));
    expect(await d.lens.mandateOf(d.borrower.address)).to.deep.equal([true, 250n * ONE]);
    await d.ledger.connect(d.borrower).revokeMandate();
    expect(await d.lens.mandateOf(d.borrower.address)).to.deep.equal([false, 0n]);
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
    await expect(d.ledger.connect(d.admin).grantRole(RISK, d.other.address)).to.not.emit(
      d.ledger,
      "RoleGranted",
    );
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

describe("the ledger's reads on the CreditLens", () => {
  it("the lens's ABI is every moved view and ledger(); the ledger's has none of them, keeps the rest and extView", async () => {
    const d = await networkHelpers.loadFixture(base);
    expect(signatures(d.lens.interface)).to.deep.equal([...LENS_VIEWS, "ledger()"].sort());
    d.lens.interface.forEachFunction((f) =>
      expect(["view", "pure"], f.format("sighash")).to.include(f.stateMutability),
    );
    // By name too: an overload of a moved view left on the ledger would be a read the lens does not serve.
    const moved = new Set(LENS_VIEWS.map((v) => v.slice(0, v.indexOf("("))));
    const left = signatures(d.ledger.interface).filter((f) => moved.has(f.slice(0, f.indexOf("("))));
    expect(left, "moved views still on the ledger").to.deep.equal([]);
    expect(signatures(d.ledger.interface)).to.include.members(LEDGER_VIEWS);
    const extView = d.ledger.interface.getFunction("extView")!;
    expect(extView.inputs.map((i) => i.type)).to.deep.equal(["bytes"]);
    expect(extView.outputs.map((o) => o.type)).to.deep.equal(["bytes"]);
    expect(extView.stateMutability).to.equal("view");
    expect(await d.lens.ledger()).to.equal(await d.ledger.getAddress());

    // Each lens view returns what the ViewModule's function of the same signature returns (extView runs it there).
    const [, , , views] = await d.ledger.modules();
    const module = outputs((await ethers.getContractAt("ViewModule", views)).interface);
    const lens = outputs(d.lens.interface);
    for (const view of LENS_VIEWS) {
      expect(module.has(view), `ViewModule serves ${view}`).to.equal(true);
      expect(lens.get(view), view).to.equal(module.get(view));
    }
  });

  it("each lens view answers, byte for byte, what the ledger's extView answers for the same call", async () => {
    const d = await networkHelpers.loadFixture(base);
    await d.pool.connect(d.lender).deposit(100_000n * ONE, d.lender.address);
    await d.ledger
      .connect(d.underwriter)
      .setLine(d.borrower.address, 5_000n * ONE, 1_800, ALL_PRODUCTS_MASK, 1);
    await d.ledger.connect(d.borrower).setMandate(100n * ONE);
    await d.ledger.connect(d.borrower).draw(1, 1_000n * ONE);
    await networkHelpers.time.increase(40n * 86_400n); // past the first due date: something is due
    await networkHelpers.mine();
    const loanId = await d.lens.loanIdOf(d.borrower.address, 1);
    const args: Record<string, unknown[]> = {
      "loanState(uint256)": [loanId],
      "loanRecord(uint256)": [loanId],
      "dueNow(uint256)": [loanId],
      "loanIdOf(address,uint256)": [d.borrower.address, 1],
      "lineOf(address)": [d.borrower.address],
      "creditHistory(address)": [d.borrower.address],
      "mandateOf(address)": [d.borrower.address],
      "borrowerAt(uint256)": [0],
      "originatorAllowed(address,address)": [d.borrower.address, d.other.address],
      "product(uint8)": [1],
      "productExposure(uint8)": [1],
    };
    const lensAddress = await d.lens.getAddress();
    const lensInterface: Interface = d.lens.interface;
    for (const view of LENS_VIEWS) {
      const data = lensInterface.encodeFunctionData(view, args[view] ?? []);
      const answer = await ethers.provider.call({ to: lensAddress, data });
      expect(answer, view).to.equal(await d.ledger.extView(data));
    }
    // The answers are the loan's, not empty ones.
    const state = await d.lens.loanState(loanId);
    expect([state.borrower, state.principal, state.status]).to.deep.equal([
      d.borrower.address,
      1_000n * ONE,
      1n,
    ]);
    expect(await d.lens.dueNow(loanId)).to.be.greaterThan(0n);
    expect(await d.lens.borrowerCount()).to.equal(1n);
    expect(await d.lens.borrowerAt(0)).to.equal(d.borrower.address);
    expect((await d.lens.lineOf(d.borrower.address)).outstanding).to.equal(1_000n * ONE);
    expect((await d.lens.productExposure(1))[0]).to.equal(1_000n * ONE);
    expect(await d.lens.principalOutstanding()).to.equal(1_000n * ONE);
    // A reader with only the ledger's address gets the same answers through extView (src/chain/lens.ts).
    const viaLedger = ledgerViews(await d.ledger.getAddress(), ethers.provider);
    expect(await viaLedger.loanState(loanId)).to.deep.equal(state);
    expect(await viaLedger.lineOf(d.borrower.address)).to.deep.equal(await d.lens.lineOf(d.borrower.address));
    expect(await viaLedger.mandateOf(d.borrower.address)).to.deep.equal([true, 100n * ONE]);
    expect(await viaLedger.rates()).to.deep.equal(await d.lens.rates());
    expect(await viaLedger.dueNow(loanId)).to.equal(await d.lens.dueNow(loanId));
  });

  it("a view's error comes back from the lens unchanged, and extView runs nothing that writes", async () => {
    const d = await networkHelpers.loadFixture(base);
    const unknown = await d.lens.loanIdOf(d.borrower.address, 1);
    await expect(d.lens.loanState(unknown))
      .to.be.revertedWithCustomError(d.ledger, "LoanNotFound")
      .withArgs(unknown);
    await expect(d.lens.productExposure(16))
      .to.be.revertedWithCustomError(d.ledger, "ProductIdOutOfRange")
      .withArgs(16);
    await expect(d.lens.borrowerAt(await d.lens.borrowerCount())).to.be.revertedWithPanic(0x32);
    // A role setter sent through extView is the ViewModule's, which refuses it: the ledger's roles are unchanged.
    const [, , , views] = await d.ledger.modules();
    const module = await ethers.getContractAt("ViewModule", views);
    const RISK = ethers.id("RISK_ROLE");
    const grant = d.ledger.interface.encodeFunctionData("grantRole", [RISK, d.other.address]);
    await expect(d.ledger.connect(d.admin).extView(grant))
      .to.be.revertedWithCustomError(module, "ViewOnly")
      .withArgs(grant.slice(0, 10));
    expect(await d.ledger.hasRole(RISK, d.other.address)).to.equal(false);
  });
});
