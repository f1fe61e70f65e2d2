// Numbers for people, the one formatting every log line, report, CLI and SDK message uses: token amounts
// ("15,000.00"), pool shares, percentages of basis points ("12.00%"), product names for a mask, loan ids.
// Built from the bigint, never through Number: 15,001,000,000 units of a 6-decimals token are "15,001.00", and
// amounts beyond 2^53 keep every digit. Rounding is half-up (away from zero) at the last digit shown.
export { loanLabel } from "../core/loan-id.ts";

/** How `money` shows an amount. */
export interface MoneyOptions {
  /** Every decimal of the token, trailing zeros trimmed down to two ("888.487887"); default: two ("888.49"). */
  exact?: boolean;
  /** Fixed fraction digits instead of two (ignored with `exact`). */
  fractionDigits?: number;
  /** Append the raw base units: "1,500.00 (1,500,000,000 units)". Only where the exact amount matters. */
  units?: boolean;
}

/** Groups the digits of a non-negative integer string by thousands: "15001000" → "15,001,000". */
function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * `units` with `decimals` decimals as a grouped decimal: rounded half-up to `maxFraction` digits, trailing zeros
 * trimmed but never below `minFraction`.
 */
export function decimal(units: bigint, decimals: number, minFraction: number, maxFraction: number): string {
  if (units < 0n) return `-${decimal(-units, decimals, minFraction, maxFraction)}`;
  let scaled = units;
  let places = decimals;
  if (maxFraction < decimals) {
    const divisor = 10n ** BigInt(decimals - maxFraction);
    scaled = (units + divisor / 2n) / divisor;
    places = maxFraction;
  }
  const text = scaled.toString().padStart(places + 1, "0");
  const whole = text.slice(0, text.length - places);
  let fraction = text.slice(text.length - places);
  while (fraction.length > minFraction && fraction.endsWith("0")) fraction = fraction.slice(0, -1);
  fraction = fraction.padEnd(minFraction, "0");
  return fraction.length === 0 ? group(whole) : `${group(whole)}.${fraction}`;
}

/**
 * A token amount of `units` base units (`decimals` decimals, 6 for the stablecoin): "15,000.00" by default;
 * `{ exact: true }` keeps every decimal ("888.487887"), `{ units: true }` appends " (888,487,887 units)".
 */
export function money(units: bigint, decimals = 6, options: MoneyOptions = {}): string {
  const digits = options.fractionDigits ?? 2;
  const text = options.exact
    ? decimal(units, decimals, Math.min(2, decimals), decimals)
    : decimal(units, decimals, digits, digits);
  if (!options.units) return text;
  const raw = units < 0n ? `-${group((-units).toString())}` : group(units.toString());
  return `${text} (${raw} units)`;
}

/**
 * Pool shares: the pool mints shares with a 6-decimals virtual offset over its asset, so 12 decimals for the
 * 6-decimals stablecoin (`decimals` is the shares' own decimals). Grouped, 2 to 4 fraction digits: "49,963.4619".
 */
export function shares(units: bigint, decimals = 12): string {
  return decimal(units, decimals, 2, 4);
}

/** Basis points as a percentage with `digits` fraction digits (default 2): 1_200 → "12.00%", 5 → "0.05%". */
export function percent(bps: bigint | number, digits = 2): string {
  // bps are hundredths of a percent: the percentage is bps with two decimals.
  return `${decimal(BigInt(bps), 2, digits, digits)}%`;
}

/** A fraction (a share computed in floating point, 0.1234) as a percentage: "12.34%". */
export function fraction(x: number, digits = 2): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/** A ratio of two amounts as a percentage ("12.34%"), exact to the basis point, 0 when the whole is 0. */
export function ratio(part: bigint, whole: bigint, digits = 2): string {
  if (whole === 0n) return percent(0n, digits);
  // In hundred-thousandths of a percent, then rounded half-up to `digits` by `decimal`.
  const scale = 10n ** 7n;
  return `${decimal((part * 100n * scale + whole / 2n) / whole, 7, digits, digits)}%`;
}

/** The names of the products a bit mask allows, from a catalogue of `{ id, name }`: "3 × 30 days, …; 30 days, bullet". */
export function products(mask: bigint | number, catalogue: readonly { id: number; name: string }[]): string {
  const m = BigInt(mask);
  const names = catalogue.filter((p) => (m >> BigInt(p.id)) & 1n).map((p) => p.name);
  const known = catalogue.reduce((all, p) => all | (1n << BigInt(p.id)), 0n);
  const unknown = [...m.toString(2)].reverse().flatMap((bit, id) => (bit === "1" && !((known >> BigInt(id)) & 1n) ? [`product ${id}`] : []));
  const all = [...names, ...unknown];
  return all.length === 0 ? "no products" : all.join("; ");
}
