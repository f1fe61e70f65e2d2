// The monitor's view of products a product contract originates (the merchant loan the sales router repays): who repaid
// each loan, from the ledger's `Repaid` events, and which loans fall behind, from their views.
import { expect } from "chai";
import { getAddress } from "ethers";
import type { MonitorEvent } from "../src/monitor/scan.ts";
import { BookState, type LoanInfo, type LoanView } from "../src/monitor/state.ts";
import { originatedProducts, MINIMUM_SOON_SECONDS, ZERO_ADDRESS } from "../src/monitor/originated.ts";
import { renderHtml } from "../src/monitor/report.ts";
import { bookSummary } from "./helpers/monitor-book.ts";

const ONE = 1_000_000n;
const DAY = 86_400;
const NOW = 1_800_000_000;
const ROUTER = "0x00000000000000000000000000000000000000aa";
const FRIEND = "0x00000000000000000000000000000000000000bb";
const merchantA = getAddress("0x1000000000000000000000000000000000000001");
const merchantB = getAddress("0x2000000000000000000000000000000000000002");
const merchantC = getAddress("0x3000000000000000000000000000000000000003");
const cashBorrower = getAddress("0x4000000000000000000000000000000000000004");
const loanOf = (borrower: string, n: bigint) => (BigInt(borrower) << 96n) | n;

let logIndex = 0;
const at = (loanId: bigint) => ({ block: 1, logIndex: logIndex++, loanId });
const drawn = (loanId: bigint, productId: number, principal: bigint): MonitorEvent => ({
  ...at(loanId),
  name: "Drawn",
  principal,
  productId,
});
const repaid = (loanId: bigint, payer: string, amount: bigint, left: bigint): MonitorEvent => ({
  ...at(loanId),
  name: "Repaid",
  payer: payer.toLowerCase(),
  amount,
  principalOutstanding: left,
});
const view = (over: Partial<LoanView>): LoanView => ({
  block: 2,
  principalOutstanding: 0n,
  pastDue: 0n,
  pastDueSince: 0n,
  nextDueAt: BigInt(NOW + 20 * DAY),
  nextDueAmount: 0n,
  storedBucket: 0,
  ...over,
});

describe("monitor: loans a product contract originates (merchant loans)", () => {
  it("test_originated_repaidBySource_andLoansBehind: sales, borrowers and others apart; past due and uncovered minimums listed", () => {
    const book = new BookState();
    const a = loanOf(merchantA, 1n);
    const b = loanOf(merchantB, 1n);
    const c = loanOf(merchantC, 1n);
    const cash = loanOf(cashBorrower, 1n);
    for (const e of [
      drawn(a, 7, 6_000n * ONE),
      drawn(b, 7, 3_000n * ONE),
      drawn(c, 7, 1_000n * ONE),
      drawn(cash, 2, 500n * ONE),
      repaid(a, ROUTER, 800n * ONE, 5_240n * ONE), // a sale's share
      repaid(a, merchantA, 120n * ONE, 5_130n * ONE), // the mandate's pull of the shortfall
      repaid(b, ROUTER, 50n * ONE, 2_960n * ONE),
      repaid(b, FRIEND, 30n * ONE, 2_935n * ONE),
      repaid(c, ROUTER, 1_010n * ONE, 0n),
      { ...at(c), name: "LoanClosed" },
      repaid(cash, cashBorrower, 45n * ONE, 460n * ONE), // a product drawn by its borrower: left out
    ] as MonitorEvent[])
      book.apply(e, NOW - 40 * DAY);
    expect(book.loans.get(a)!.repaidByBorrower).to.equal(120n * ONE);
    expect([...book.loans.get(a)!.repaidByOthers!]).to.deep.equal([[ROUTER, 800n * ONE]]);

    // A: on plan, but 310 of the minimum due in 3 days is not covered yet; B: 200 past due for 12 days.
    book.setView(
      book.loans.get(a)!,
      view({
        principalOutstanding: 5_130n * ONE,
        nextDueAt: BigInt(NOW + 3 * DAY),
        nextDueAmount: 310n * ONE,
      }),
      1n,
      NOW,
    );
    book.setView(
      book.loans.get(b)!,
      view({ principalOutstanding: 2_935n * ONE, pastDue: 200n * ONE, pastDueSince: BigInt(NOW - 12 * DAY) }),
      1n,
      NOW,
    );
    // C is repaid; the cash loan has a view but its product has no originator.
    book.setView(
      book.loans.get(cash)!,
      view({ principalOutstanding: 460n * ONE, pastDue: 9n * ONE }),
      1n,
      NOW,
    );

    const originators = new Map([
      [7, ROUTER],
      [2, ZERO_ADDRESS],
    ]);
    const [merchantLoans, ...others] = originatedProducts(
      book.loans.values(),
      originators,
      NOW,
      MINIMUM_SOON_SECONDS,
    );
    expect(others).to.deep.equal([]);
    expect(merchantLoans).to.deep.include({
      productId: 7,
      originator: ROUTER,
      loans: 3,
      active: 2,
      principalOutstanding: 8_065n * ONE,
      pastDue: 200n * ONE,
      repaidByOriginator: 1_860n * ONE,
      repaidByBorrowers: 120n * ONE,
      repaidByOthers: 30n * ONE,
    });
    // The ratio as the monitor computes it (Number over Number): chai's closeTo is bigint-only once the ethers matchers load.
    expect(merchantLoans.originatorShare).to.equal(Number(1_860n * ONE) / Number(2_010n * ONE));
    expect(merchantLoans.behind).to.deep.equal([
      {
        loanId: b,
        borrower: merchantB,
        state: "past due",
        amount: 200n * ONE,
        dueAt: NOW - 12 * DAY,
        days: 12,
      },
      {
        loanId: a,
        borrower: merchantA,
        state: "minimum not covered",
        amount: 310n * ONE,
        dueAt: NOW + 3 * DAY,
        days: 3,
      },
    ]);

    // Eight days before it falls due, an uncovered minimum is not listed yet.
    const later = originatedProducts(book.loans.values(), originators, NOW - 5 * DAY, MINIMUM_SOON_SECONDS);
    expect(later[0].behind.map((x) => x.state)).to.deep.equal(["past due"]);

    // The report shows the product and the two loans, the past-due one marked.
    const summary = bookSummary();
    const html = renderHtml({ ...summary, current: { ...summary.current!, originated: [merchantLoans] } });
    expect(html).to.contain("<h2>Loans a product contract originates and repays (merchant loans)</h2>");
    expect(html).to.contain(
      `<td>${ROUTER}</td><td>3 (2)</td><td>8,065.00</td><td>200.00</td><td>1,860.00</td>`,
    );
    expect(html).to.match(/<tr class="warning"><td>7<\/td><td>#1 of 0x2000…0002<\/td>.*?<td>past due<\/td>/);
    expect(html).to.match(
      /<td>minimum not covered<\/td><td>310\.00<\/td><td>\d{4}-\d\d-\d\d<\/td><td>due in 3<\/td>/,
    );
    // No originated product: no section.
    expect(renderHtml(summary)).to.not.contain("merchant loans");
  });
});
