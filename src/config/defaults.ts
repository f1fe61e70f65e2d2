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

/**
 * Products with an origination fee (ICostDisclosure: deducted from what the recipient receives, paid to the protocol).
 * Kept apart from PRODUCTS (and ALL_PRODUCTS_MASK) so that a line opts in: a fee adds to the APR, and at a high
 * contract APR the draw would be refused by the APR cap. 1.5 % on six monthly instalments adds about 5.3 points
 * (`disclose` in src/sdk/disclosure.ts): a 12 % line draws it at 17.30 % APR, an 18 % line at 23.35 %; above
 * 18.64 % the APR passes the 24 % cap and the draw is refused (a 19 % line would be at 24.36 %).
 */
export const FEE_PRODUCTS = [
  {
    id: 6,
    name: "6 × 30 days, equal instalments, 1.5 % fee",
    method: Method.EqualInstalment,
    instalments: 6,
    periodDays: 30,
    feeBps: 150,
  },
] as const;

export const FEE_PRODUCTS_MASK = FEE_PRODUCTS.reduce((mask, p) => mask | (1 << p.id), 0);

/**
 * The merchant loan (PRODUCT.md C7; ISalesRouter): only the SalesRouter originates it, for a merchant's owner, and the
 * merchant's sales repay it (SALES_SHARE). Its plan is the minimum the merchant must have repaid each 30 days: equal
 * principal over six periods, interest at the line's APR on the balance, so sales that repay ahead cost the merchant
 * less interest. A merchant's line opts in with MERCHANT_LOAN_MASK.
 */
export const MERCHANT_LOAN_PRODUCT = {
  id: 7,
  name: "merchant loan: 6 × 30 days, equal principal, repaid from sales",
  method: Method.EqualPrincipal,
  instalments: 6,
  periodDays: 30,
} as const;

export const MERCHANT_LOAN_MASK = 1 << MERCHANT_LOAN_PRODUCT.id;

/**
 * Share of every sale through the SalesRouter that repays the merchant's open loans, and the share while its line
 * has a loan past grace (basis points; PRODUCT.md C7 defaults). Fixed when the router is deployed.
 */
export const SALES_SHARE = { shareBps: 2_000, lateShareBps: 5_000 };

/** Pool split of interest and liquidity kept idle, in basis points. */
export const POOL_RATES = { protocolFeeBps: 500, firstLossBps: 1_000, liquidityReserveBps: 500 };

/**
 * Portfolio limits of the local deployment (PRODUCT.md §6; IRiskLimits), in base units and basis points, 0 = no
 * limit. PRODUCT.md gives the exposure caps, the draw range and the breaker; the utilisation cap (90 %) and the
 * rolling daily origination cap (1,000,000) are our choice for the local pool. The contract itself starts with
 * every limit off.
 */
export const LIMITS = {
  minDraw: 10n * ONE,
  maxDraw: 50_000n * ONE,
  maxExposure: 200_000n * ONE,
  dailyOriginationCap: 1_000_000n * ONE,
  maxExposureBps: 200,
  maxUtilisationBps: 9_000,
  breakerBps: 800,
  /** APR cap, fees included (PRODUCT.md §5: 24 %); the contract's default when 0, stated here explicitly. */
  aprCapBps: 2_400,
};

/**
 * Per-product caps on principal outstanding (IProductLimits) of the local deployment, by product id, 0 = none.
 * PRODUCT.md names the cap but gives no figure; our choice for the 1,000,000 local pool: no product may hold more
 * than 40 % of it, and the fee product and the merchant loan at most 10 % each. So a run on one product (a merchant campaign, a
 * bad batch) cannot take the whole book.
 */
export const PRODUCT_CAPS: Record<number, bigint> = {
  ...Object.fromEntries(PRODUCTS.map((p) => [p.id, 400_000n * ONE])),
  ...Object.fromEntries(FEE_PRODUCTS.map((p) => [p.id, 100_000n * ONE])),
  [MERCHANT_LOAN_PRODUCT.id]: 100_000n * ONE,
};

export const ROLES = {
  UNDERWRITER: "UNDERWRITER_ROLE",
  PAUSER: "PAUSER_ROLE",
  RISK: "RISK_ROLE",
  SERVICER: "SERVICER_ROLE",
} as const;
