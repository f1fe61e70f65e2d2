// The sales router (ISalesRouter): order-id rules mirrored for a merchant's own checks, a typed reader of a merchant's
// on-chain sales history, and its conversion into the `MerchantHistory` the risk engine's merchant model reads.
import { Contract, type ContractRunner } from "ethers";
import { ABIS } from "../abi/contracts.ts";
import {
  MAX_WINDOWS,
  WINDOW_DAYS,
  type MerchantHistory,
  type SalesWindow,
} from "../risk/merchant-history.ts";

/** Order ids are below 2^34 (`MAX_ORDER_ID`). */
export const MAX_ORDER_ID = (1n << 34n) - 1n;
/** An order id at least this far below the highest paid is refused as too old (`ORDER_SPAN`). */
export const ORDER_SPAN = 64n;
/** Windows `history` returns: the current one and the 12 complete ones before it. */
export const ROUTER_WINDOWS = 13;

const DAY = 86_400n;

/** One window as the router returns it, with its number. */
export interface RouterWindow extends SalesWindow {
  /** Covers `[window × 30 days, (window + 1) × 30 days)` of block time. */
  window: bigint;
}

/** A merchant's history as the router holds it. */
export interface RouterHistory {
  /** The window in progress. */
  current: RouterWindow;
  /** The 12 complete windows before it, index 0 the most recent. */
  complete: RouterWindow[];
  /** Block time of the merchant's first sale through the router, or 0n if none. */
  firstSaleAt: bigint;
}

export function connectSalesRouter(address: string, runner: ContractRunner): Contract {
  return new Contract(address, ABIS.SalesRouter, runner);
}

/** The window of block time `at` (seconds), as the router numbers it. */
export function windowOf(at: bigint): bigint {
  return at / DAY / BigInt(WINDOW_DAYS);
}

/** A merchant's history, read in one call. */
export async function readSalesHistory(router: Contract, merchantId: bigint): Promise<RouterHistory> {
  const [raw, firstSaleAt] = await Promise.all([
    router.history(merchantId) as Promise<readonly (readonly bigint[])[]>,
    router.firstSaleAt(merchantId) as Promise<bigint>,
  ]);
  const windows = raw.map(([window, volume, sales, refunds, activeDays]): RouterWindow => ({
    window,
    volume,
    sales: Number(sales),
    refunds,
    activeDays: Number(activeDays),
  }));
  return { current: windows[0], complete: windows.slice(1), firstSaleAt: BigInt(firstSaleAt) };
}

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

/** Whether the router would refuse `orderId` as out of range, or as too old given the highest id paid `top`. */
export function orderIdProblem(orderId: bigint, top: bigint): "out of range" | "too old" | undefined {
  if (orderId < 0n || orderId > MAX_ORDER_ID) return "out of range";
  if (orderId < top && top - orderId >= ORDER_SPAN) return "too old";
  return undefined;
}
