// Public API of `microcredit/risk`: the risk engine (scoring, policy, decisions; src/risk) and the signed credit
// offers a decision becomes (EIP-712 signing and recovery; src/sdk/offers.ts), and the merchant model's history from
// the sales router's (`toMerchantHistory`).
export * from "../risk/index.ts";
export * from "../sdk/offers.ts";
export { toMerchantHistory } from "./sales-history.ts";
