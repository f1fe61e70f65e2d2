// Per-product outstanding caps (IProductLimits), which the CreditLedger implements: its own ABI has the setters too;
// `connectProductLimits` sets them through the narrower IProductLimits ABI. The exposures are the CreditLens's reads
// (`productExposure`).
import type { ContractRunner } from "ethers";
import { ledgerViews } from "../chain/lens.ts";
import { IProductLimits__factory } from "../../typechain-types/factories/interfaces/IProductLimits__factory.ts";
import type { IProductLimits } from "../../typechain-types/interfaces/IProductLimits.ts";

/** Product ids the ledger accepts: 0–15 (a line's product mask has 16 bits). */
export const PRODUCT_IDS = Array.from({ length: 16 }, (_, i) => i);

/** The product caps' setters of the ledger at `ledgerAddress`. */
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

/**
 * The exposure of each product in `productIds` (every id by default) of the ledger at `ledgerAddress`, read in
 * parallel at one block through the ledger's `extView` (the answers of its CreditLens).
 */
export async function productExposures(
  ledgerAddress: string,
  runner: ContractRunner,
  productIds: readonly number[] = PRODUCT_IDS,
): Promise<ProductExposure[]> {
  const limits = ledgerViews(ledgerAddress, runner);
  const blockTag = runner.provider ? await runner.provider.getBlockNumber() : undefined;
  return Promise.all(
    productIds.map(async (productId) => {
      const [outstanding, cap] = await limits.productExposure(productId, { blockTag });
      const headroom = cap === 0n ? null : cap > outstanding ? cap - outstanding : 0n;
      return { productId, outstanding, cap, headroom };
    }),
  );
}
