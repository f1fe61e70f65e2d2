// Public API of `microcredit`: the client (lender, borrower, operator; quotes, permits, typed events, deployments by
// chain), merchants (credentials, records, sales history), and the decoder that turns every revert into one sentence.
export * from "./addresses.ts";
export * from "./deployments.ts";
export * from "./events.ts";
export * from "./microcredit.ts";
export * from "./plan.ts";
export * from "./queue.ts";
export * from "./quote.ts";
export * from "./views.ts";
export { PERMIT_TYPES, permitDomain, signPermit, type SignedPermit } from "./permit.ts";
export { ERC20_ABI, transferred } from "./token.ts";
export * from "../sdk/merchants.ts";
export * from "../sdk/sales.ts";
export * from "./sales-router.ts";
export { decodeError, explain, MicrocreditError, withDecodedErrors, ERROR_MESSAGES } from "../sdk/errors.ts";
