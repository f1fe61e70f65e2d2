import type { NetworkConnection } from "hardhat/types/network";
import { id } from "ethers";
import {
  PRODUCTS,
  ALL_PRODUCTS_MASK,
  ONE,
  LIMITS,
  FEE_PRODUCTS,
  FEE_PRODUCTS_MASK,
} from "../../src/config/defaults.ts";

export { ONE, ALL_PRODUCTS_MASK, PRODUCTS, FEE_PRODUCTS, FEE_PRODUCTS_MASK };
export const DAY = 86_400n;

/** Every portfolio limit off (the APR cap at its default, 0 = 24 %). */
export const NO_LIMITS = {
  minDraw: 0n,
  maxDraw: 0n,
  maxExposure: 0n,
  dailyOriginationCap: 0n,
  maxExposureBps: 0n,
  maxUtilisationBps: 0n,
  breakerBps: 0n,
  aprCapBps: 0n,
};

/** The local deployment's portfolio limits (PRODUCT.md §6), shares as bigints as the contract returns them. */
export const LOCAL_LIMITS = {
  ...LIMITS,
  maxExposureBps: BigInt(LIMITS.maxExposureBps),
  maxUtilisationBps: BigInt(LIMITS.maxUtilisationBps),
  breakerBps: BigInt(LIMITS.breakerBps),
  aprCapBps: BigInt(LIMITS.aprCapBps),
};

/**
 * The ledger's four modules, then ledger, pool and lens (MicrocreditDeployer) over `asset`, administered by `admin`.
 * The ledger's read-only views are on the lens (CreditLens).
 */
export async function deployCore(
  connection: NetworkConnection<"generic">,
  asset: string,
  admin: string,
  name: string,
) {
  const { ethers } = connection;
  const modules = [];
  for (const module of ["CollectionModule", "DelinquencyModule", "ConfigModule", "ViewModule"]) {
    modules.push(await (await ethers.deployContract(module, [asset])).getAddress());
  }
  const deployer = await ethers.deployContract("MicrocreditDeployer", [
    asset,
    name,
    "mcUSD",
    admin,
    ...modules,
  ]);
  return {
    pool: await ethers.getContractAt("LendingPool", await deployer.pool()),
    ledger: await ethers.getContractAt("CreditLedger", await deployer.ledger()),
    lens: await ethers.getContractAt("CreditLens", await deployer.lens()),
  };
}

/** Deploys token, pool, ledger and lens with the default product catalogue and a funded lender. */
export async function deployMicrocredit(connection: NetworkConnection<"generic">) {
  const { ethers } = connection;
  const [admin, underwriter, lender, borrower, recipient, other] = await ethers.getSigners();
  const token = await ethers.deployContract("MockStablecoin");
  const { pool, ledger, lens } = await deployCore(
    connection,
    await token.getAddress(),
    admin.address,
    "Microcredit Pool mUSD",
  );
  await ledger.grantRole(id("UNDERWRITER_ROLE"), underwriter.address);
  await ledger.grantRole(id("PAUSER_ROLE"), admin.address);
  for (const p of PRODUCTS) await ledger.setProduct(p.id, p.method, p.instalments, p.periodDays, true);
  for (const p of FEE_PRODUCTS) {
    await ledger.setProduct(p.id, p.method, p.instalments, p.periodDays, true);
    await ledger.setProductFee(p.id, p.feeBps);
  }
  const quotes = await ethers.deployContract("CreditQuotes", [await ledger.getAddress()]);
  // Per-product caps (IProductLimits) are in the ledger's ABI too; `caps` is the same contract through that interface
  // (its setters: the exposures are read on the lens).
  const caps = await ethers.getContractAt("IProductLimits", await ledger.getAddress());
  for (const who of [lender, borrower, other]) {
    await token.faucet(who.address, 1_000_000n * ONE);
    await token.connect(who).approve(await pool.getAddress(), ethers.MaxUint256);
    await token.connect(who).approve(await ledger.getAddress(), ethers.MaxUint256);
  }
  return {
    ethers,
    token,
    pool,
    ledger,
    lens,
    quotes,
    caps,
    admin,
    underwriter,
    lender,
    borrower,
    recipient,
    other,
  };
}

export type Deployment = Awaited<ReturnType<typeof deployMicrocredit>>;
