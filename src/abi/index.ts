// Public API of `microcredit/abi`: the contracts' JSON ABIs and their custom errors' selectors (no ethers).
export * from "./contracts.ts";
export * from "./errors.ts";
export type * from "./types.ts";
