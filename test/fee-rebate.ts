import { expect } from "chai";
import { network } from "hardhat";
import {
  deployMicrocredit,
  ALL_PRODUCTS_MASK,
  FEE_PRODUCTS,
  FEE_PRODUCTS_MASK,
  ONE,
  DAY,
  NO_LIMITS,
} from "./helpers/fixture.ts";
import { Method } from "../src/core/schedule.ts";

// SECURITY item 11: a fee product paid off early must not cost more than the APR disclosed at the draw. The fee is
// earned per unit of principal as it falls due, over the period it falls due in; principal repaid ahead of the plan
// gets the unearned part of its share back (FeeRebateMath), out of the protocol's fee claim. Checked here with an IRR computed independently of the contracts and the SDK, for
// every repayment method, over payoff dates drawn from a seeded generator.
const connection = await network.create();
const { networkHelpers } = connection;

const FEE_PRODUCT = FEE_PRODUCTS[0]; // id 6: 6 × 30 days, equal instalments, 1.5 % fee
const CAP_100 = { ...NO_LIMITS, aprCapBps: 10_000n }; // fees up to 20 % on short plans

// One fee product per repayment method (ids 7–11), next to the catalogue's product 6.
const SHAPES = [
  { id: 7, name: "12 × 30 d equal instalments, 10 %, 20 % fee", method: Method.EqualInstalment, instalments: 12, periodDays: 30, aprBps: 1_000, feeBps: 2_000 },
  { id: 8, name: "12 × 30 d equal principal, 18 %, 1.5 % fee", method: Method.EqualPrincipal, instalments: 12, periodDays: 30, aprBps: 1_800, feeBps: 150 },
  { id: 9, name: "6 × 30 d interest first, 36 %, 8 % fee", method: Method.InterestFirst, instalments: 6, periodDays: 30, aprBps: 3_600, feeBps: 800 },
  { id: 10, name: "bullet 3 × 30 d, 5 %, 5 % fee", method: Method.Bullet, instalments: 3, periodDays: 30, aprBps: 500, feeBps: 500 },
  { id: 11, name: "4 × 14 d equal instalments, 0 %, 5 % fee", method: Method.EqualInstalment, instalments: 4, periodDays: 14, aprBps: 0, feeBps: 500 },
] as const;

async function base() {
  const d = await deployMicrocredit(connection);
  await d.ledger.setLimits(CAP_100);
  for (const s of SHAPES) {
    await d.ledger.setProduct(s.id, s.method, s.instalments, s.periodDays, true);
    await d.ledger.setProductFee(s.id, s.feeBps);
  }
  await d.pool.connect(d.lender).deposit(900_000n * ONE, d.lender.address);
  return d;
}
const fixture = () => networkHelpers.loadFixture(base);
type D = Awaited<ReturnType<typeof base>>;

const MASK = ALL_PRODUCTS_MASK | FEE_PRODUCTS_MASK | SHAPES.reduce((m, s) => m | (1 << s.id), 0);

/** Seeded generator (mulberry32): the same dates on every run. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The APR (bps, unrounded) of what the borrower received and paid: the periodic rate r that makes the payments'
 * present value equal to the amount received, 30/360, in the actuarial convention of APR rules (a payment `t` seconds
 * after the draw is discounted by (1 + r)^k × (1 + f × r), k whole periods and f the fraction left), times the periods
 * in a year. Bisection in floating point: no code shared with the contracts or the SDK.
 */
function realisedAprBps(received: bigint, payments: { at: bigint; amount: bigint }[], periodDays: bigint): number {
  const period = Number(periodDays * DAY);
  const pv = (r: number) =>
    payments.reduce((s, p) => {
      const k = Math.floor(Number(p.at) / period);
      const f = (Number(p.at) - k * period) / period;
      return s + Number(p.amount) / ((1 + r) ** k * (1 + f * r));
    }, 0);
  let lo = 0;
  let hi = 10;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (pv(mid) > Number(received)) lo = mid;
    else hi = mid;
  }
  return ((lo + hi) / 2) * (360 / Number(periodDays)) * 10_000;
}

/**
 * FeeRebateMath's terms, mirrored: for a loan with plan principals `principals` and `outstanding` principal, none
 * past due, `elapsed` seconds after its draw, the principal falling due at the end of the current period, after it,
 * and the seconds left in the period.
 */
function terms(principals: readonly bigint[], outstanding: bigint, period: bigint, elapsed: bigint) {
  const k = Number(elapsed / period);
  if (k >= principals.length) return { current: 0n, later: 0n, left: 0n };
  const planAfter = principals.slice(k + 1).reduce((a, b) => a + b, 0n);
  const current = outstanding > planAfter ? outstanding - planAfter : 0n;
  return { current, later: outstanding - current, left: BigInt(k + 1) * period - elapsed };
}
type Terms = ReturnType<typeof terms>;
const payoffRebate = (t: Terms, fee: bigint, principal: bigint, period: bigint) =>
  (fee * (t.later * period + t.current * t.left)) / (principal * period);
function retiredBy(t: Terms, cash: bigint, fee: bigint, principal: bigint, period: bigint) {
  const perUnit = principal * period;
  const rebatePerUnit = fee * t.left;
  const forCurrent = t.current - (t.current * rebatePerUnit) / perUnit;
  if (cash < forCurrent) return (cash * perUnit) / (perUnit - rebatePerUnit);
  return t.current + ((cash - forCurrent) * principal) / (principal - fee);
}

/** Draws `amount` of `productId` at `aprBps`; returns the loan, what was received and the disclosed APR. */
async function drawFee(d: D, productId: number, amount: bigint, aprBps: number) {
  await d.ledger.connect(d.underwriter).setLine(d.borrower.address, amount, aprBps, MASK, 1);
  const [q] = await d.quotes.quote(d.borrower.address, productId, amount);
  const before = await d.token.balanceOf(d.recipient.address);
  const tx = await d.ledger.connect(d.borrower).drawTo(productId, amount, d.recipient.address);
  const receipt = await tx.wait();
  const drawnAt = BigInt((await d.ethers.provider.getBlock(receipt!.blockNumber))!.timestamp);
  const loanId = (await d.lens.lineOf(d.borrower.address)).loanCount + (BigInt(d.borrower.address) << 96n);
  const received = (await d.token.balanceOf(d.recipient.address)) - before;
  expect(received).to.equal(q.netDisbursed);
  return { loanId, received, drawnAt, aprBps: q.aprBps, periodDays: q.periodDays };
}

/** Repays `amount` of `loanId` at `at` (Unix seconds); returns what the ledger took. */
async function payAt(d: D, loanId: bigint, at: bigint, amount: bigint | "all") {
  await networkHelpers.time.setNextBlockTimestamp(at);
  const before = await d.token.balanceOf(d.borrower.address);
  await d.ledger.connect(d.borrower).repay(loanId, amount === "all" ? d.ethers.MaxUint256 : amount);
  return before - (await d.token.balanceOf(d.borrower.address));
}

/** Pays the instalment due at `due` one second later (nothing if nothing is due); returns what the ledger took. */
async function payDue(d: D, loanId: bigint, due: bigint) {
  await networkHelpers.time.setNextBlockTimestamp(due);
  await networkHelpers.mine();
  const amount = await d.lens.dueNow(loanId);
  return amount === 0n ? 0n : payAt(d, loanId, due + 1n, amount);
}

/** Pays every instalment a second after its due date before `payoffAt`, then pays off at `payoffAt`. */
async function payOffAt(d: D, loan: Awaited<ReturnType<typeof drawFee>>, instalments: number, periodDays: number, payoffAt: bigint) {
  const payments: { at: bigint; amount: bigint }[] = [];
  for (let k = 1; k <= instalments; k++) {
    const due = loan.drawnAt + BigInt(k * periodDays) * DAY;
    if (due + 1n >= payoffAt) break; // the payoff pays it
    const amount = await payDue(d, loan.loanId, due);
    if (amount !== 0n) payments.push({ at: due + 1n - loan.drawnAt, amount });
  }
  const paid = await payAt(d, loan.loanId, payoffAt, "all");
  payments.push({ at: payoffAt - loan.drawnAt, amount: paid });
  expect((await d.lens.loanRecord(loan.loanId)).status).to.equal(2n, "paid off");
  return { payments, paid };
}

/**
 * At `at`, pays the interest to date (read a second earlier) plus `extra` towards principal ahead of the plan: what
 * went to principal (a second's interest less than `extra`), the principal retired and the rebate, from the events.
 */
async function prepayAt(d: D, loanId: bigint, at: bigint, extra: bigint) {
  await networkHelpers.time.setNextBlockTimestamp(at - 1n);
  await networkHelpers.mine();
  const cash = (await d.lens.loanState(loanId)).interestAccrued + extra;
  await networkHelpers.time.setNextBlockTimestamp(at);
  const receipt = await (await d.ledger.connect(d.borrower).repay(loanId, cash)).wait();
  const events = receipt!.logs.map((l) => d.ledger.interface.parseLog(l)).filter((e) => e !== null);
  const repaid = events.find((e) => e.name === "Repaid")!;
  return {
    toPrincipal: cash - (repaid.args.interest as bigint),
    retired: repaid.args.principal as bigint,
    rebate: events.find((e) => e.name === "FeeRebated")!.args.rebate as bigint,
  };
}

/** 10,000 drawn at 18 % on the 1.5 % fee product (6 × 30 days), with its plan's principals. */
async function feeProductLoan() {
  const d = await fixture();
  const [amount, fee, period] = [10_000n * ONE, 150n * ONE, 30n * DAY];
  const loan = await drawFee(d, FEE_PRODUCT.id, amount, 1_800);
  const [, , principals] = await d.quotes.loanSchedule(loan.loanId);
  return { d, loan, principals, amount, fee, period };
}

describe("SECURITY item 11: early payoff of a fee product stays within the disclosed APR", () => {
  it("the issue's case: 10,000 at 18 % on the 1.5 % fee product, paid off at day 10, costs 9,908.03 (was 10,050)", async () => {
    const d = await fixture();
    const loan = await drawFee(d, FEE_PRODUCT.id, 10_000n * ONE, 1_800);
    expect(loan.received).to.equal(9_850n * ONE);
    expect(loan.aprBps).to.equal(2_335n);
    const [, , principals] = await d.quotes.loanSchedule(loan.loanId);
    const period = 30n * DAY;
    const at = loan.drawnAt + 10n * DAY;
    await networkHelpers.time.setNextBlockTimestamp(at);
    await networkHelpers.mine();
    // Interest of 10 days at 18 % on 10,000 is 50; the fee comes back but for a third of the first instalment's share.
    const rebate = payoffRebate(terms(principals, 10_000n * ONE, period, 10n * DAY), 150n * ONE, 10_000n * ONE, period);
    expect(rebate).to.equal(141_973_739n);
    expect((await d.lens.loanState(loan.loanId)).payoff).to.equal(10_050n * ONE - rebate);
    const paid = await payAt(d, loan.loanId, at + 1n, "all");
    // A second later: 57.87 more interest (rounded up), and a second less of the first instalment's share back.
    const later = payoffRebate(terms(principals, 10_000n * ONE, period, 10n * DAY + 1n), 150n * ONE, 10_000n * ONE, period);
    expect(rebate - later).to.equal(10n);
    expect(paid).to.equal(10_050n * ONE + 58n - later);
    const realised = realisedAprBps(loan.received, [{ at: at + 1n - loan.drawnAt, amount: paid }], loan.periodDays);
    expect(realised).to.be.below(2_125); // 21.2 %, against 23.35 % disclosed and 73.1 % before the rebate
  });

  for (const shape of SHAPES) {
    it(`${shape.name}: a payoff on any date costs at most the disclosed APR`, async () => {
      const random = rng(shape.id * 7_919);
      const amount = 10_000n * ONE + BigInt(Math.floor(random() * 1e9));
      const term = shape.instalments * shape.periodDays;
      // Dates: the first day, each due date and the second after it, the last day, and random seconds in between.
      const offsets = [DAY / 2n, BigInt(shape.periodDays) * DAY, BigInt(shape.periodDays) * DAY + 1n, BigInt(term) * DAY - 1n];
      for (let i = 0; i < 6; i++) offsets.push(BigInt(Math.floor(random() * term * 86_400)) + 1n);
      for (const offset of offsets) {
        const d = await fixture();
        const loan = await drawFee(d, shape.id, amount, shape.aprBps);
        const { payments } = await payOffAt(d, loan, shape.instalments, shape.periodDays, loan.drawnAt + offset);
        const realised = realisedAprBps(loan.received, payments, loan.periodDays);
        expect(realised, `paid off ${offset} s after the draw`).to.be.at.most(Number(loan.aprBps) + 1e-6);
      }
    });
  }

  it("draw and pay off at once: the borrower pays back exactly what they received, and every claim is as before", async () => {
    const d = await fixture();
    const fees = await d.lens.protocolFeesOwed();
    const lenders = await d.lens.lenderAssets();
    // The line, the draw and the payoff in one block (automining off; gas limits given, as nothing is mined yet).
    const gasLimit = 1_000_000n;
    await d.ethers.provider.send("evm_setAutomine", [false]);
    await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 10_000n * ONE, 1_800, MASK, 1, { gasLimit });
    const draw = await d.ledger.connect(d.borrower).drawTo(FEE_PRODUCT.id, 10_000n * ONE, d.recipient.address, { gasLimit });
    const loanId = (BigInt(d.borrower.address) << 96n) + 1n;
    const pay = await d.ledger.connect(d.borrower).repay(loanId, 9_850n * ONE, { gasLimit });
    await networkHelpers.mine();
    await d.ethers.provider.send("evm_setAutomine", [true]);
    await expect(draw).to.emit(d.ledger, "Drawn");
    await expect(pay).to.emit(d.ledger, "FeeRebated").withArgs(loanId, 150n * ONE);
    expect((await d.lens.loanRecord(loanId)).status).to.equal(2n);
    expect(await d.lens.protocolFeesOwed()).to.equal(fees);
    expect(await d.lens.lenderAssets()).to.equal(lenders);
  });

  it("a partial prepayment retires its fee share too, the current instalment's first; the fee kept covers the principal that fell due", async () => {
    const { d, loan, principals, amount, fee, period } = await feeProductLoan();
    await payDue(d, loan.loanId, loan.drawnAt + period); // the first instalment
    expect((await d.lens.loanRecord(loan.loanId)).principalPaid).to.equal(principals[0]);
    let outstanding = amount - principals[0];
    // Day 40: the period's interest, then 2,955 of prepayment: the second instalment's principal first (a third of
    // the period run: two thirds of its share back), then principal due later (its whole share back).
    const at = loan.drawnAt + 40n * DAY + 1n;
    const first = await prepayAt(d, loan.loanId, at, 2_955n * ONE);
    // The second since the view accrued a little interest, so a little less than 2,955 went to principal.
    const retired = retiredBy(terms(principals, outstanding, period, at - loan.drawnAt), first.toPrincipal, fee, amount, period);
    expect(retired).to.be.above(principals[1], "past the second instalment's principal");
    expect(first.rebate).to.equal(retired - first.toPrincipal);
    expect(first.retired).to.equal(retired, "Repaid.principal includes the rebate");
    outstanding -= retired;
    expect((await d.lens.loanState(loan.loanId)).principalOutstanding).to.equal(outstanding);
    // Day 60: nothing of principal falls due (the prepayment ran ahead of the plan), only interest. Day 75: paid off.
    await payDue(d, loan.loanId, loan.drawnAt + 2n * period);
    expect((await d.lens.loanState(loan.loanId)).principalOutstanding).to.equal(outstanding);
    const last = payoffRebate(terms(principals, outstanding, period, 75n * DAY), fee, amount, period);
    await networkHelpers.time.setNextBlockTimestamp(loan.drawnAt + 75n * DAY);
    await expect(d.ledger.connect(d.borrower).repay(loan.loanId, d.ethers.MaxUint256))
      .to.emit(d.ledger, "FeeRebated")
      .withArgs(loan.loanId, last);
    // The protocol keeps at least the fee share of the principal paid when due, and a part of the current shares.
    expect(fee - first.rebate - last).to.be.at.least((principals[0] * fee) / amount);
    expect(fee - first.rebate - last).to.be.below(((principals[0] + principals[1] + principals[2]) * fee) / amount);
  });

  it("a prepayment within the current instalment's principal gets back the unearned part of that share only", async () => {
    const { d, loan, principals, amount, fee, period } = await feeProductLoan();
    // Day 10: the interest to date, then 500 towards the first instalment's principal (1,605.25), two thirds of
    // whose period is still to run: 1.5 % × 2/3 of it comes back, about 5.05.
    const at = loan.drawnAt + 10n * DAY + 1n;
    const paid = await prepayAt(d, loan.loanId, at, 500n * ONE);
    const retired = retiredBy(terms(principals, amount, period, at - loan.drawnAt), paid.toPrincipal, fee, amount, period);
    expect(retired).to.be.below(principals[0], "within the current instalment's principal");
    expect(paid.retired).to.equal(retired);
    expect(paid.rebate).to.equal(retired - paid.toPrincipal);
    expect(paid.rebate).to.be.closeTo(5_050_505n, 1_000n);
    expect((await d.lens.loanState(loan.loanId)).principalOutstanding).to.equal(amount - retired);
  });

  it("the payoff is net of the rebate: a larger amount is refused with the net payoff, the rebate comes from the protocol's fees", async () => {
    const d = await fixture();
    const loan = await drawFee(d, FEE_PRODUCT.id, 10_000n * ONE, 1_800);
    const at = loan.drawnAt + 20n * DAY;
    await networkHelpers.time.setNextBlockTimestamp(at);
    await networkHelpers.mine();
    const [, , principals] = await d.quotes.loanSchedule(loan.loanId);
    const period = 30n * DAY;
    const rebate = payoffRebate(terms(principals, 10_000n * ONE, period, 20n * DAY), 150n * ONE, 10_000n * ONE, period);
    const net = (await d.lens.loanState(loan.loanId)).payoff; // 10,000 + 100 of interest, less the rebate
    expect(net).to.equal(10_100n * ONE - rebate);
    // A second later the payoff is 58 more of interest (57.87, rounded up), less a second's share of the first
    // instalment's fee: 1,000 units above it are refused, with the payoff.
    const next = 10_100n * ONE + 58n - payoffRebate(terms(principals, 10_000n * ONE, period, 20n * DAY + 1n), 150n * ONE, 10_000n * ONE, period);
    await networkHelpers.time.setNextBlockTimestamp(at + 1n);
    await expect(d.ledger.connect(d.borrower).repay(loan.loanId, net + 1_000n))
      .to.be.revertedWithCustomError(d.ledger, "RepaymentExceedsPayoff")
      .withArgs(net + 1_000n, next);
    // The fee claim held back what the rebate needs: nothing of the draw's fee could be claimed meanwhile.
    const owed = await d.lens.protocolFeesOwed();
    await expect(d.ledger.claimFees(d.admin.address, owed)).to.be.revertedWithCustomError(d.ledger, "FeesExceeded");
    const lenders = await d.lens.lenderAssets();
    await payAt(d, loan.loanId, at + 2n, "all");
    // The payoff moved the rebate's principal from the lenders' book to the protocol's claim: lenders gain only
    // their share of the interest paid (interest accrues to them as before), the protocol's claim falls by the rebate.
    expect(await d.lens.protocolFeesOwed()).to.be.below(owed - rebate + ONE);
    expect(await d.lens.lenderAssets()).to.be.at.least(lenders);
  });

  it("a late borrower who catches up and pays off gets the same rebate: the loan closes at the net payoff", async () => {
    const { d, loan, principals, amount, fee, period } = await feeProductLoan();
    // Day 45: the first instalment is 15 days past due (past grace, with a penalty), so the payment runs the late
    // path; the rebate is that of the principal not yet due (the second instalment's and the later ones).
    const at = loan.drawnAt + 45n * DAY;
    const rebate = payoffRebate(terms(principals, amount - principals[0], period, 45n * DAY), fee, amount, period);
    expect(rebate).to.be.above(0n);
    await networkHelpers.time.setNextBlockTimestamp(at - 1n);
    await networkHelpers.mine();
    const owed = await d.lens.protocolFeesOwed();
    await networkHelpers.time.setNextBlockTimestamp(at);
    const receipt = await (await d.ledger.connect(d.borrower).repay(loan.loanId, d.ethers.MaxUint256)).wait();
    const events = receipt!.logs.map((l) => d.ledger.interface.parseLog(l)).filter((e) => e !== null);
    expect(events.map((e) => e.name)).to.include.members(["PenaltyCharged", "FeeRebated", "LoanClosed"]);
    expect(events.find((e) => e.name === "FeeRebated")!.args.rebate).to.equal(rebate);
    // Repaid.principal counts the rebate's principal too: the whole loan is retired.
    expect(events.find((e) => e.name === "Repaid")!.args.principal).to.equal(amount);
    expect((await d.lens.loanRecord(loan.loanId)).status).to.equal(2n, "paid off");
    // The claim gives the rebate back (its 5 % of the penalty paid comes on top).
    expect(await d.lens.protocolFeesOwed()).to.be.below(owed);
  });

  it("a product's fee is locked while it has principal outstanding", async () => {
    const d = await fixture();
    const loan = await drawFee(d, FEE_PRODUCT.id, 1_000n * ONE, 1_800);
    await expect(d.ledger.setProductFee(FEE_PRODUCT.id, 100))
      .to.be.revertedWithCustomError(d.ledger, "ProductFeeLocked")
      .withArgs(FEE_PRODUCT.id, 1_000n * ONE);
    await d.ledger.setProductFee(FEE_PRODUCT.id, FEE_PRODUCT.feeBps); // the same fee: no change, allowed
    await d.ledger.connect(d.borrower).repay(loan.loanId, d.ethers.MaxUint256);
    await expect(d.ledger.setProductFee(FEE_PRODUCT.id, 100)).to.emit(d.ledger, "ProductFeeSet").withArgs(FEE_PRODUCT.id, 100);
  });
});
