// Every custom error the deployable contracts can return, by 4-byte selector, as `npm run build` exports it to
// abi/errors.json (scripts/export-abi.ts).
import errors from "../../abi/errors.json" with { type: "json" };

/** Selector ("0x" + 8 hex digits) → error signature ("CreditLimitExceeded(uint256,uint256)"). */
export const ERROR_SIGNATURES: Readonly<Record<string, string>> = errors;

/** The signature of the error a revert's selector (or its whole revert data) names, if a contract has it. */
export function errorSignature(selectorOrData: string): string | undefined {
  return ERROR_SIGNATURES[selectorOrData.slice(0, 10).toLowerCase()];
}

/** The selector of an error, by its signature or, when only one error has that name, by its name. */
export function errorSelector(nameOrSignature: string): string | undefined {
  const matches = Object.entries(ERROR_SIGNATURES).filter(
    ([, signature]) => signature === nameOrSignature || signature.split("(")[0] === nameOrSignature,
  );
  return matches.length === 1 ? matches[0][0] : undefined;
}
