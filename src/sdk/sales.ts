// The sales router (ISalesRouter): order-id rules mirrored for a merchant's own checks and a typed reader of a
// merchant's on-chain sales history (`toMerchantHistory` in src/client/sales-history.ts turns it into what the risk
// engine's merchant model reads).
import { Contract, type ContractRunner } from "ethers";
import { ABIS } from "../abi/contracts.ts";

/** Order ids are below 2^50 (`MAX_ORDER_ID`). */
export const MAX_ORDER_ID = (1n << 50n) - 1n;
/** An order id at least this far below the highest paid is refused as too old (`ORDER_SPAN`). */
export const ORDER_SPAN = 48n;
/** An order id more than this above the highest paid (0 before the first sale) is refused (`MAX_ORDER_JUMP`). */
export const MAX_ORDER_JUMP = 1n << 16n;
/** Windows `history` returns: the current one and the 12 complete ones before it. */
export const ROUTER_WINDOWS = 13;

const DAY = 86_400n;

/** Days in one window of the router's history. */
export const ROUTER_WINDOW_DAYS = 30;

/** One 30-day window as the router returns it. Money in token base units. */
export interface RouterWindow {
  /** Covers `[window × 30 days, (window + 1) × 30 days)` of block time. */
  window: bigint;
  volume: bigint;
  sales: number;
  refunds: bigint;
  /** Days of the window with at least one sale, 0–30. */
  activeDays: number;
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
  return at / DAY / BigInt(ROUTER_WINDOW_DAYS);
}

/** Block time (seconds) at which window `window` starts. */
export function windowStart(window: bigint): bigint {
  return window * BigInt(ROUTER_WINDOW_DAYS) * DAY;
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
 * Whether the router would refuse `orderId` as out of range, too old or too far ahead, given the highest id paid
 * `top` (0 before the merchant's first sale). An id it accepts may still have been paid (`orderPaid`).
 */
export function orderIdProblem(
  orderId: bigint,
  top: bigint,
): "out of range" | "too old" | "too far ahead" | undefined {
  if (orderId < 0n || orderId > MAX_ORDER_ID) return "out of range";
  if (orderId < top && top - orderId >= ORDER_SPAN) return "too old";
  if (orderId > top + MAX_ORDER_JUMP) return "too far ahead";
  return undefined;
}
