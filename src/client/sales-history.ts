// A merchant's on-chain sales history (src/sdk/sales.ts) as the risk engine's merchant model reads it
// (src/risk/merchant-history.ts): the one place the two meet.
import {
  MAX_WINDOWS,
  WINDOW_DAYS,
  type MerchantHistory,
  type SalesWindow,
} from "../risk/merchant-history.ts";
import type { RouterHistory } from "../sdk/sales.ts";

const DAY = 86_400n;

/**
 * What the merchant model reads (`MerchantHistory`), from the router's history at block time `now` and the merchant's
 * loan record. Tenure counts from the first sale; only complete windows the tenure covers are kept, at most 12. A
 * refund can pay back a sale of an earlier window, so a window's refunds above its own volume are carried to the
 * window before it (the model's rule: refunds never exceed the volume of their window); refunds left beyond the
 * oldest window kept are dropped.
 */
export function toMerchantHistory(
  h: RouterHistory,
  now: bigint,
  loans: Pick<MerchantHistory, "loansRepaid" | "loansLate" | "loansDefaulted"> = {
    loansRepaid: 0,
    loansLate: 0,
    loansDefaulted: 0,
  },
): MerchantHistory {
  const tenureDays = h.firstSaleAt === 0n || now < h.firstSaleAt ? 0 : Number((now - h.firstSaleAt) / DAY);
  const kept = Math.min(MAX_WINDOWS, Math.floor(tenureDays / WINDOW_DAYS), h.complete.length);
  const windows: SalesWindow[] = [];
  let carried = 0n;
  for (let i = 0; i < kept; i++) {
    const w = h.complete[i];
    const refunds = w.refunds + carried;
    const counted = refunds > w.volume ? w.volume : refunds;
    carried = refunds - counted;
    windows.push({ volume: w.volume, sales: w.sales, refunds: counted, activeDays: w.activeDays });
  }
  return { windows, tenureDays, ...loans };
}
