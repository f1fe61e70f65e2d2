// Setup shared by the gas bench (`bench/gas.ts`) and the gas profile (`bench/profile.ts`), so both measure the same
// state.
import type { Signer } from "ethers";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { CreditLedger } from "../typechain-types/CreditLedger.ts";
import type { LendingPool } from "../typechain-types/LendingPool.ts";
import type { MockStablecoin } from "../typechain-types/mocks/MockStablecoin.ts";
import { ALL_PRODUCTS_MASK, ONE, LIMITS } from "../src/config/defaults.ts";

/** The local portfolio limits on, and one draw by another borrower so the limits' aggregate word is non-zero. */
export async function steadyLimits(ledger: CreditLedger, underwriter: Signer & { address: string }) {
  await ledger.setLimits(LIMITS);
  await ledger.connect(underwriter).setLine(underwriter.address, 50_000n * ONE, 1800, ALL_PRODUCTS_MASK, 1);
  await ledger.connect(underwriter).draw(2, 1_000n * ONE);
}

/** A new wallet with ETH and 2,000,000 tokens, the pool allowed to pull them: a lender's first deposit. */
export async function newLender(
  ethers: HardhatEthers,
  admin: Signer,
  token: MockStablecoin,
  pool: LendingPool,
) {
  const wallet = ethers.Wallet.createRandom().connect(ethers.provider);
  await admin.sendTransaction({ to: wallet.address, value: 10n ** 18n });
  await token.faucet(wallet.address, 2_000_000n * ONE);
  await token.connect(wallet).approve(await pool.getAddress(), ethers.MaxUint256);
  return wallet;
}
