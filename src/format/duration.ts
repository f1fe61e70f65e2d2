// Lengths of time for people: a delay in seconds as its two largest units ("2 days", "1 day 12 hours", "45 minutes").

const UNITS: [string, bigint][] = [
  ["day", 86_400n],
  ["hour", 3_600n],
  ["minute", 60n],
  ["second", 1n],
];

/** `seconds` as at most two units, the largest first, the rest dropped: 129,600 → "1 day 12 hours"; 0 → "0 seconds". */
export function duration(seconds: bigint | number): string {
  let left = BigInt(seconds);
  if (left < 0n) return `-${duration(-left)}`;
  if (left === 0n) return "0 seconds";
  const parts: string[] = [];
  for (const [name, size] of UNITS) {
    if (parts.length === 2) break;
    const count = left / size;
    if (count === 0n) {
      if (parts.length > 0) break; // "1 day 5 minutes" would skip a unit: stop at "1 day"
      continue;
    }
    parts.push(`${count.toLocaleString("en-US")} ${name}${count === 1n ? "" : "s"}`);
    left -= count * size;
  }
  return parts.join(" ");
}
