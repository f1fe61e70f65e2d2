// Token amounts for people: base units to a grouped decimal ("1,234.50"), the one formatting every log line and
// report uses.
import { formatUnits } from "ethers";

/** `units` of a token with `decimals` decimals, at least two fraction digits and at most `maxFractionDigits`. */
export function money(units: bigint, decimals = 6, maxFractionDigits = decimals): string {
  return Number(formatUnits(units, decimals)).toLocaleString("en-US", {
    minimumFractionDigits: 2,
    maximumFractionDigits: maxFractionDigits,
  });
}
