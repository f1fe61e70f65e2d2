// The one formatting for people: exact strings, built from bigints, for amounts, shares, percentages and products.
import { expect } from "chai";
import { loanLabel, money, percent, products, ratio, shares } from "../src/format/money.ts";

describe("format", () => {
  describe("money", () => {
    it("shows two fraction digits, grouped by thousands", () => {
      expect(money(0n)).to.equal("0.00");
      expect(money(1n)).to.equal("0.00");
      expect(money(15_001_000_000n)).to.equal("15,001.00");
      expect(money(15_000_000_000n)).to.equal("15,000.00");
      expect(money(1_000_000_000_000n)).to.equal("1,000,000.00");
    });

    it("rounds half-up at the last digit shown", () => {
      expect(money(888_487_887n)).to.equal("888.49");
      expect(money(4_999n)).to.equal("0.00");
      expect(money(5_000n)).to.equal("0.01");
      expect(money(999_995_000n)).to.equal("1,000.00");
      expect(money(-888_487_887n)).to.equal("-888.49");
    });

    it("keeps every decimal with exact, trimmed to at least two", () => {
      expect(money(888_487_887n, 6, { exact: true })).to.equal("888.487887");
      expect(money(1n, 6, { exact: true })).to.equal("0.000001");
      expect(money(15_001_000_000n, 6, { exact: true })).to.equal("15,001.00");
      expect(money(15_001_500_000n, 6, { exact: true })).to.equal("15,001.50");
    });

    it("appends the raw units only when asked", () => {
      expect(money(1_500_000_000n, 6, { units: true })).to.equal("1,500.00 (1,500,000,000 units)");
      expect(money(888_487_887n, 6, { exact: true, units: true })).to.equal("888.487887 (888,487,887 units)");
    });

    it("keeps every digit of values beyond 2^53", () => {
      expect(money(2n ** 53n + 1n, 6, { exact: true })).to.equal("9,007,199,254.740993");
      expect(money(2n ** 88n - 1n)).to.equal("309,485,009,821,345,068,724.78");
      expect(money(10n ** 30n + 1n, 18, { exact: true })).to.equal("1,000,000,000,000.000000000000000001");
    });

    it("follows the token's decimals and a chosen number of digits", () => {
      expect(money(1_234_500n, 4)).to.equal("123.45");
      expect(money(123n, 0)).to.equal("123.00");
      expect(money(123n, 0, { exact: true })).to.equal("123");
      expect(money(1_234_567n, 6, { fractionDigits: 4 })).to.equal("1.2346");
    });
  });

  it("shares: grouped, two to four fraction digits, twelve decimals by default", () => {
    expect(shares(1_000_000n * 10n ** 12n)).to.equal("1,000,000.00");
    expect(shares(49_963_461_926_915_644n)).to.equal("49,963.4619");
    expect(shares(1_500_000_000_000n)).to.equal("1.50");
    expect(shares(0n)).to.equal("0.00");
  });

  it("percent: basis points with two fraction digits", () => {
    expect(percent(1_200n)).to.equal("12.00%");
    expect(percent(1_200)).to.equal("12.00%");
    expect(percent(5n)).to.equal("0.05%");
    expect(percent(2_400n, 0)).to.equal("24%");
    expect(percent(1_735n, 1)).to.equal("17.4%");
    expect(ratio(1n, 3n)).to.equal("33.33%");
    expect(ratio(2n, 3n)).to.equal("66.67%");
    expect(ratio(5n, 0n)).to.equal("0.00%");
  });

  it("products: names for a mask, unknown ids by number", () => {
    const catalogue = [
      { id: 0, name: "3 × 30 days" },
      { id: 2, name: "12 × 30 days" },
    ];
    expect(products(5, catalogue)).to.equal("3 × 30 days; 12 × 30 days");
    expect(products(0b1001n, catalogue)).to.equal("3 × 30 days; product 3");
    expect(products(0, catalogue)).to.equal("no products");
  });

  it("loanLabel: a short id a person can read and copy", () => {
    const id = (BigInt("0x1234567890abcdef1234567890abcdef12345678") << 96n) | 3n;
    expect(loanLabel(id)).to.equal("#3 of 0x1234…5678");
  });
});
