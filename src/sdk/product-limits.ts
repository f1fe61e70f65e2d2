// Per-product outstanding caps (IProductLimits), which the CreditLedger implements: its own ABI has them too; this
// module reads them through the narrower IProductLimits ABI.
import type { ContractRunner } from "ethers";
import { IProductLimits__factory } from "../../typechain-types/factories/interfaces/IProductLimits__factory.ts";
import type { IProductLimits } from "../../typechain-types/interfaces/IProductLimits.ts";

/** Product ids the ledger accepts: 0–15 (a line's product mask has 16 bits). */
export const PRODUCT_IDS = Array.from({ length: 16 }, (_, i) => i);

/** The product caps of the ledger at `ledgerAddress`. */
export function connectProductLimits(ledgerAddress: string, runner: ContractRunner): IProductLimits {
  return IProductLimits__factory.connect(ledgerAddress, runner);
}

/** One product's principal outstanding against its cap. */
export interface ProductExposure {
  productId: number;
  outstanding: bigint;
  /** 0 = no cap. */
  cap: bigint;
  /** What a draw may still add (0 when the cap is reached or was cut below the outstanding); null = no cap. */
  headroom: bigint | null;
}

/** The exposure of each product in `productIds` (every id by default), read in parallel at one block. */
export async function productExposures(
  ledgerAddress: string,
  runner: ContractRunner,
  productIds: readonly number[] = PRODUCT_IDS,
): Promise<ProductExposure[]> {
  const limits = connectProductLimits(ledgerAddress, runner);
  const blockTag = runner.provider ? await runner.provider.getBlockNumber() : undefined;
  return Promise.all(
    productIds.map(async (productId) => {
      const [outstanding, cap] = await limits.productExposure(productId, { blockTag });
      const headroom = cap === 0n ? null : cap > outstanding ? cap - outstanding : 0n;
      return { productId, outstanding, cap, headroom };
    }),
  );
}
