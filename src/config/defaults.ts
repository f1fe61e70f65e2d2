// Local-deployment defaults (PRODUCT.md §5). Amounts in base units of the 6-decimals stablecoin.
import { Method } from "../core/schedule.ts";

export const DECIMALS = 6;
export const ONE = 10n ** 6n;

/** The product catalogue: id → method, instalments, period length. Lines allow products by a bit mask of ids. */
export const PRODUCTS = [
  { id: 0, name: "3 × 30 days, equal instalments", method: Method.EqualInstalment, instalments: 3, periodDays: 30 },
  { id: 1, name: "6 × 30 days, equal instalments", method: Method.EqualInstalment, instalments: 6, periodDays: 30 },
  { id: 2, name: "12 × 30 days, equal instalments", method: Method.EqualInstalment, instalments: 12, periodDays: 30 },
  { id: 3, name: "12 × 30 days, equal principal", method: Method.EqualPrincipal, instalments: 12, periodDays: 30 },
  { id: 4, name: "12 × 30 days, interest first", method: Method.InterestFirst, instalments: 12, periodDays: 30 },
  { id: 5, name: "30 days, bullet", method: Method.Bullet, instalments: 1, periodDays: 30 },
] as const;

export const ALL_PRODUCTS_MASK = PRODUCTS.reduce((mask, p) => mask | (1 << p.id), 0);

/** Pool split of interest and liquidity kept idle, in basis points. */
export const POOL_RATES = { protocolFeeBps: 500, firstLossBps: 1_000, liquidityReserveBps: 500 };

export const ROLES = {
  UNDERWRITER: "UNDERWRITER_ROLE",
  PAUSER: "PAUSER_ROLE",
} as const;
