import { expect } from "chai";

/**
 * Float comparison within `tolerance`. Hardhat's chai matchers redefine `closeTo` for bigints, which rejects
 * non-integer tolerances once any test loads them, so the risk tests use this instead.
 */
export function expectClose(actual: number, expected: number, tolerance: number, message?: string): void {
  const gap = Math.abs(actual - expected);
  expect(gap <= tolerance, message ?? `expected ${actual} to be within ${tolerance} of ${expected} (gap ${gap})`).to.equal(
    true,
  );
}
