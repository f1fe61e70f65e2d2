// Public API of `microcredit`: the client, and the decoder that turns every revert into one sentence.
export * from "./addresses.ts";
export * from "./microcredit.ts";
export * from "./views.ts";
export { ERC20_ABI, transferred } from "./token.ts";
export { decodeError, explain, MicrocreditError, withDecodedErrors, ERROR_MESSAGES } from "../sdk/errors.ts";
