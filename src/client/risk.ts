// Public API of `microcredit/risk`: the risk engine (scoring, policy, decisions; src/risk) and the signed credit
// offers a decision becomes (EIP-712 signing and recovery; src/sdk/offers.ts).
export * from "../risk/index.ts";
export * from "../sdk/offers.ts";
