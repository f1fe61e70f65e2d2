// The sales router (ISalesRouter): order-id rules mirrored for a merchant's own checks, a typed reader of a
// merchant's on-chain sales history (`toMerchantHistory` in src/client/sales-history.ts turns it into what the risk
// engine's merchant model reads), and the merchant loans its sales repay (`saleSplit`, `readMerchantLoans`).
import { Contract, type ContractRunner } from "ethers";
import { ABIS } from "../abi/contracts.ts";

/** Order ids are below 2^50 (`MAX_ORDER_ID`). */
export const MAX_ORDER_ID = (1n << 50n) - 1n;
/** A sale or a refund is at most 2^96 − 1 base units (`MAX_AMOUNT`). */
export const MAX_SALE_AMOUNT = (1n << 96n) - 1n;
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

const BPS = 10_000n;

/**
 * How the router splits a sale of `amount`: the share (amount × bps / 10,000, rounded down, as `SalesRouter`), of it
 * what repays the loans (at most `owed`), and what the payout address receives. `owed` is what the loans the sale
 * reaches owe: the payoffs of the first four loans `openLoans` lists (a sale reaches at most `MAX_LOANS_PER_SALE`,
 * closed ones included); omit it when they owe more than any share. With `shareBps` 0 (nothing owed) the whole sale
 * is the merchant's.
 */
export function saleSplit(
  amount: bigint,
  shareBps: bigint,
  owed?: bigint,
): { share: bigint; toLoans: bigint; toMerchant: bigint } {
  if (amount < 0n || shareBps < 0n || shareBps > BPS || (owed !== undefined && owed < 0n))
    throw new RangeError("amount ≥ 0, owed ≥ 0 and 0 ≤ shareBps ≤ 10,000");
  const share = (amount * shareBps) / BPS;
  const toLoans = owed === undefined || owed > share ? share : owed;
  return { share, toLoans, toMerchant: amount - toLoans };
}

/** A merchant's loans as the router lists them. */
export interface MerchantLoans {
  /** Loans sales may still repay, oldest first (one that owes nothing stays until a sale or, first, a borrow). */
  loanIds: bigint[];
  /** The share of a sale that repays them now, in basis points (0: none listed). */
  shareBps: bigint;
  /** The router's two shares: normal, and while the borrower's line has a loan past grace. */
  normalShareBps: bigint;
  lateShareBps: bigint;
  /** The ledger product the router originates. */
  loanProduct: number;
}

/** The router's view of merchant `merchantId`'s loans: five calls, all at one block (the latest when none is given). */
export async function readMerchantLoans(
  router: Contract,
  merchantId: bigint,
  blockTag?: number,
): Promise<MerchantLoans> {
  const at = { blockTag: blockTag ?? (await router.runner!.provider!.getBlockNumber()) };
  const [loanIds, shareBps, normalShareBps, lateShareBps, loanProduct] = await Promise.all([
    router.openLoans(merchantId, at) as Promise<readonly bigint[]>,
    router.repaymentShareBps(merchantId, at) as Promise<bigint>,
    router.shareBps(at) as Promise<bigint>,
    router.lateShareBps(at) as Promise<bigint>,
    router.loanProduct(at) as Promise<bigint>,
  ]);
  return { loanIds: [...loanIds], shareBps, normalShareBps, lateShareBps, loanProduct: Number(loanProduct) };
}
