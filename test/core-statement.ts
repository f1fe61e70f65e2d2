// Monthly statements in microcredit/core (PRODUCT.md C6), without a chain: the same golden cycles, due dates, minimum
// payments and revolving interest as test/StatementMath.t.sol pins the contract library to, so the twins agree on them
// to the unit; and the same properties over seeded random inputs.
import { expect } from "chai";
import {
  DEFAULT_STATEMENT_CYCLE_DAYS,
  DEFAULT_STATEMENT_DUE_AFTER_DAYS,
  DEFAULT_STATEMENT_MINIMUM_BPS,
  TimeBeforeAnchorError,
  UnsupportedCycleLengthError,
  accruedInterestUp,
  isStatementPastDue,
  periodInterestUp,
  revolvingInterestUp,
  statementCycleClose,
  statementCycleOf,
  statementCycleSeconds,
  statementCycleStart,
  statementDueDate,
  statementInterestFreeUntil,
  statementMinimumPaymentUp,
} from "../src/core/index.ts";
// The risk engine's seeded PRNG (mulberry32), so a failure replays from its seed.
import { createRng } from "../src/risk/cv.ts";

/** 2026-01-01T00:00:00Z: the statement day of the golden line. */
const ANCHOR = 1_767_225_600n;
const DAY = 86_400n;
const CYCLE_DAYS = DEFAULT_STATEMENT_CYCLE_DAYS;
const GRACE_DAYS = DEFAULT_STATEMENT_DUE_AFTER_DAYS;
const MINIMUM_BPS = DEFAULT_STATEMENT_MINIMUM_BPS;
const STATEMENT = 10_000_000000n;
const APR_BPS = 1_800n;

describe("core statement: cycles, due dates, minimum payments and revolving interest (PRODUCT.md C6)", () => {
  it("the defaults (PRODUCT.md C6): 30-day cycles, due 10 days after the close, a 10 % minimum", () => {
    expect(CYCLE_DAYS).to.equal(30n);
    expect(GRACE_DAYS).to.equal(10n);
    expect(MINIMUM_BPS).to.equal(1_000n);
    expect(statementCycleSeconds(CYCLE_DAYS)).to.equal(2_592_000n);
  });

  it("golden cycles: the first second of a cycle, its last second and the first second of the next", () => {
    expect(statementCycleOf(ANCHOR, 1_767_225_600n, CYCLE_DAYS), "first second of cycle 0").to.equal(0n);
    expect(statementCycleOf(ANCHOR, 1_769_817_599n, CYCLE_DAYS), "last second of cycle 0").to.equal(0n);
    expect(statementCycleOf(ANCHOR, 1_769_817_600n, CYCLE_DAYS), "first second of cycle 1").to.equal(1n);
    expect(statementCycleOf(ANCHOR, 1_798_329_599n, CYCLE_DAYS), "last second of cycle 11").to.equal(11n);
    expect(statementCycleOf(ANCHOR, 1_798_329_600n, CYCLE_DAYS), "first second of cycle 12").to.equal(12n);
  });

  it("golden starts, closes and due dates", () => {
    expect(statementCycleStart(ANCHOR, 0n, CYCLE_DAYS), "start 0").to.equal(1_767_225_600n);
    expect(statementCycleClose(ANCHOR, 0n, CYCLE_DAYS), "close 0").to.equal(1_769_817_600n);
    expect(statementDueDate(ANCHOR, 0n, CYCLE_DAYS, GRACE_DAYS), "due 0").to.equal(1_770_681_600n);
    expect(statementCycleStart(ANCHOR, 1n, CYCLE_DAYS), "start 1").to.equal(1_769_817_600n);
    expect(statementCycleClose(ANCHOR, 1n, CYCLE_DAYS), "close 1").to.equal(1_772_409_600n);
    expect(statementDueDate(ANCHOR, 1n, CYCLE_DAYS, GRACE_DAYS), "due 1").to.equal(1_773_273_600n);
    expect(statementCycleStart(ANCHOR, 12n, CYCLE_DAYS), "start 12").to.equal(1_798_329_600n);
    expect(statementDueDate(ANCHOR, 12n, CYCLE_DAYS, GRACE_DAYS), "due 12").to.equal(1_801_785_600n);
  });

  it("another configuration: 28-day cycles due 15 days after the close; due 0 days after makes the due date the close", () => {
    expect(statementCycleClose(ANCHOR, 1n, 28n)).to.equal(1_772_064_000n);
    expect(statementDueDate(ANCHOR, 1n, 28n, 15n)).to.equal(1_773_360_000n);
    expect(statementCycleOf(ANCHOR, 1_772_063_999n, 28n)).to.equal(1n);
    expect(statementCycleOf(ANCHOR, 1_772_064_000n, 28n)).to.equal(2n);
    expect(statementDueDate(ANCHOR, 1n, 28n, 0n)).to.equal(1_772_064_000n);
  });

  it("a purchase at the anchor is free for 40 days, one in the cycle's last second for 10 days and a second", () => {
    expect(statementInterestFreeUntil(ANCHOR, 1_767_225_600n, CYCLE_DAYS, GRACE_DAYS)).to.equal(
      1_770_681_600n,
    );
    expect(statementInterestFreeUntil(ANCHOR, 1_769_817_599n, CYCLE_DAYS, GRACE_DAYS)).to.equal(
      1_770_681_600n,
    );
    expect(statementInterestFreeUntil(ANCHOR, 1_769_817_600n, CYCLE_DAYS, GRACE_DAYS)).to.equal(
      1_773_273_600n,
    );
    expect(1_770_681_600n - 1_767_225_600n).to.equal(40n * DAY);
    expect(1_770_681_600n - 1_769_817_599n).to.equal(10n * DAY + 1n);
  });

  it("golden minimum payments: 10 % rounded up, the instalments due, capped at the statement", () => {
    expect(statementMinimumPaymentUp(STATEMENT, 0n, MINIMUM_BPS), "10 %").to.equal(1_000_000000n);
    expect(statementMinimumPaymentUp(STATEMENT, 1_200_000000n, MINIMUM_BPS), "instalments due").to.equal(
      1_200_000000n,
    );
    expect(statementMinimumPaymentUp(STATEMENT, 800_000000n, MINIMUM_BPS), "10 % above instalments").to.equal(
      1_000_000000n,
    );
    expect(statementMinimumPaymentUp(500_000000n, 1_200_000000n, MINIMUM_BPS), "capped").to.equal(
      500_000000n,
    );
    expect(statementMinimumPaymentUp(10_000_000001n, 0n, MINIMUM_BPS), "rounded up").to.equal(1_000_000001n);
    expect(statementMinimumPaymentUp(1n, 0n, MINIMUM_BPS), "one unit").to.equal(1n);
    expect(statementMinimumPaymentUp(0n, 0n, MINIMUM_BPS), "empty statement").to.equal(0n);
    expect(statementMinimumPaymentUp(STATEMENT, 0n, 10_000n), "100 %").to.equal(STATEMENT);
    expect(statementMinimumPaymentUp(STATEMENT, 0n, 20_000n), "above 100 %").to.equal(STATEMENT);
    expect(statementMinimumPaymentUp(STATEMENT, 0n, 0n), "no share, nothing due").to.equal(0n);
  });

  it("golden revolving interest: 9,000.000000 at 18 % from the due date, 135.000000 for 30 days", () => {
    const due = statementDueDate(ANCHOR, 0n, CYCLE_DAYS, GRACE_DAYS);
    const unpaid = STATEMENT - statementMinimumPaymentUp(STATEMENT, 0n, MINIMUM_BPS);
    expect(unpaid).to.equal(9_000_000000n);
    expect(revolvingInterestUp(unpaid, APR_BPS, due, due + 30n * DAY), "30 days").to.equal(135_000000n);
    expect(revolvingInterestUp(unpaid, APR_BPS, due, due + DAY), "1 day").to.equal(4_500000n);
    // 9,000e6 × 1,800 / 311,040,000,000 = 52.08…, rounded up.
    expect(revolvingInterestUp(unpaid, APR_BPS, due, due + 1n), "1 second").to.equal(53n);
    expect(revolvingInterestUp(unpaid, APR_BPS, due, due + 365n * DAY), "365 days").to.equal(1_642_500000n);
    expect(revolvingInterestUp(unpaid, APR_BPS, due, due), "at the due date").to.equal(0n);
    expect(revolvingInterestUp(unpaid, APR_BPS, due, ANCHOR), "before the due date").to.equal(0n);
    expect(revolvingInterestUp(0n, APR_BPS, due, due + 30n * DAY), "paid in full").to.equal(0n);
  });

  it("golden past-due checks: short of the minimum only after the due date", () => {
    const due = statementDueDate(ANCHOR, 0n, CYCLE_DAYS, GRACE_DAYS);
    expect(isStatementPastDue(999_000000n, 1_000_000000n, due, due), "short at the due date").to.equal(false);
    expect(isStatementPastDue(999_000000n, 1_000_000000n, due, due + 1n), "short after").to.equal(true);
    expect(isStatementPastDue(1_000_000000n, 1_000_000000n, due, due + 1n), "minimum paid").to.equal(false);
    expect(isStatementPastDue(0n, 0n, due, due + 1n), "nothing asked").to.equal(false);
    expect(isStatementPastDue(0n, 1n, due, due + 365n * DAY), "nothing paid").to.equal(true);
  });

  it("refuses a time before the anchor and a cycle of no days, with their values", () => {
    expect(() => statementCycleOf(ANCHOR, ANCHOR - 1n, CYCLE_DAYS))
      .to.throw(TimeBeforeAnchorError, `time ${ANCHOR - 1n} is before the statement anchor ${ANCHOR}`)
      .that.includes({ time: ANCHOR - 1n, anchor: ANCHOR });
    expect(() => statementInterestFreeUntil(ANCHOR, 0n, CYCLE_DAYS, GRACE_DAYS))
      .to.throw(TimeBeforeAnchorError)
      .that.includes({ time: 0n, anchor: ANCHOR });
    expect(() => statementCycleOf(ANCHOR, ANCHOR, 0n))
      .to.throw(UnsupportedCycleLengthError, "0 days")
      .that.includes({ cycleDays: 0n });
    expect(() => statementCycleStart(ANCHOR, 1n, 0n)).to.throw(UnsupportedCycleLengthError);
    expect(() => statementDueDate(ANCHOR, 0n, 0n, GRACE_DAYS)).to.throw(UnsupportedCycleLengthError);
    expect(() => statementInterestFreeUntil(ANCHOR, ANCHOR, 0n, GRACE_DAYS)).to.throw(
      UnsupportedCycleLengthError,
    );
    expect(() => statementMinimumPaymentUp(-1n, 0n, MINIMUM_BPS)).to.throw(RangeError);
    expect(() => revolvingInterestUp(STATEMENT, -1n, 0n, 1n)).to.throw(RangeError);
    expect(() => statementDueDate(ANCHOR, 0n, CYCLE_DAYS, -1n)).to.throw(RangeError);
  });

  it("500 random lines (seed 20260701): cycles, due dates, minimums, interest and past due keep their rules", () => {
    const random = createRng(20260701);
    const pick = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    // Up to 10^15 (a billion tokens of 6 decimals), a product of two draws so that the low digits vary too.
    const amount = () => BigInt(pick(0, 1_000_000)) * BigInt(pick(1, 1_000_000_000));
    for (let i = 0; i < 500; i++) {
      const anchor = BigInt(pick(0, 2_000_000_000));
      const cycle = BigInt(pick(0, 100_000));
      const cycleDays = BigInt(pick(1, 366));
      const dueAfterDays = BigInt(pick(0, 366));
      const label = `anchor ${anchor}, cycle ${cycle} of ${cycleDays} days, due ${dueAfterDays} days after`;

      // Every second of cycle i maps to i; its close opens the next one, and the due date is `dueAfterDays` later.
      const start = statementCycleStart(anchor, cycle, cycleDays);
      const close = statementCycleClose(anchor, cycle, cycleDays);
      expect(close - start, `${label}: length`).to.equal(cycleDays * DAY);
      expect(close, `${label}: close == next start`).to.equal(
        statementCycleStart(anchor, cycle + 1n, cycleDays),
      );
      const offset = BigInt(pick(0, Number(close - start - 1n)));
      expect(statementCycleOf(anchor, start + offset, cycleDays), `${label}: +${offset}`).to.equal(cycle);
      expect(statementCycleOf(anchor, close - 1n, cycleDays), `${label}: last second`).to.equal(cycle);
      expect(statementCycleOf(anchor, close, cycleDays), `${label}: close`).to.equal(cycle + 1n);
      const due = statementDueDate(anchor, cycle, cycleDays, dueAfterDays);
      expect(due - close, `${label}: dueAfterDays`).to.equal(dueAfterDays * DAY);

      // A purchase is free for more than `dueAfterDays` and at most a cycle plus `dueAfterDays`.
      const free =
        statementInterestFreeUntil(anchor, start + offset, cycleDays, dueAfterDays) - (start + offset);
      expect(
        free > dueAfterDays * DAY && free <= (cycleDays + dueAfterDays) * DAY,
        `${label}: free ${free}`,
      ).to.equal(true);

      // The minimum: within the balance, at least the share and the instalments due it covers, and tight.
      const balance = amount();
      const instalmentsDue = pick(0, 3) === 0 ? balance + amount() : amount() / 10n;
      const minimumBps = BigInt(pick(0, 10_000));
      const minimum = statementMinimumPaymentUp(balance, instalmentsDue, minimumBps);
      const ml = `${label}: minimum of ${balance} with ${instalmentsDue} due at ${minimumBps} bps`;
      expect(minimum <= balance, `${ml}: within the balance`).to.equal(true);
      expect(minimum * 10_000n >= balance * minimumBps, `${ml}: at least the share`).to.equal(true);
      const covered = instalmentsDue < balance ? instalmentsDue : balance;
      expect(minimum >= covered, `${ml}: at least the instalments due`).to.equal(true);
      if (minimum > 0n) {
        const tight = (minimum - 1n) * 10_000n < balance * minimumBps || minimum - 1n < instalmentsDue;
        expect(tight, `${ml}: tight`).to.equal(true);
      }

      // Interest: nothing up to the due date, then monotone, positive, per second on 30/360, whole days as periods.
      const unpaid = amount();
      const aprBps = BigInt(pick(0, 10_000));
      // From up to a year before the due date to ten years after it.
      const earliest = due > 365n * DAY ? due - 365n * DAY : 0n;
      const horizon = due + 3_660n * DAY;
      const a = earliest + BigInt(pick(0, Number(horizon - earliest)));
      const b = a + BigInt(pick(0, Number(horizon - a)));
      const il = `${label}: ${unpaid} at ${aprBps} bps from ${due}, ${a}..${b}`;
      const atA = revolvingInterestUp(unpaid, aprBps, due, a);
      const atB = revolvingInterestUp(unpaid, aprBps, due, b);
      expect(atA <= atB, `${il}: monotone`).to.equal(true);
      if (a <= due) expect(atA, `${il}: free up to the due date`).to.equal(0n);
      if (b > due) {
        expect(atB, `${il}: per second`).to.equal(accruedInterestUp(unpaid, aprBps, b - due));
        expect(atB > 0n, `${il}: positive`).to.equal(unpaid > 0n && aprBps > 0n);
      }
      const d = (b - a) / DAY;
      expect(revolvingInterestUp(unpaid, aprBps, due, due + d * DAY), `${il}: ${d} whole days`).to.equal(
        periodInterestUp(unpaid, aprBps, d),
      );

      // Past due only short of the minimum after the due date.
      const short = minimum > 0n && pick(0, 1) === 1;
      const paid = short ? minimum - 1n : minimum;
      // Within a day either side of the due date (every due date is at least a day after the epoch).
      const time = due - DAY + BigInt(pick(0, 2 * 86_400));
      expect(isStatementPastDue(paid, minimum, due, time), `${ml}: paid ${paid} at ${time}`).to.equal(
        time > due && paid < minimum,
      );
    }
  });
});
