// Products whose loans a product contract originates (the ledger's `product(id).originator`), above all the merchant
// loan the SalesRouter originates and repays from sales: per product, the book, how much of what was repaid came from
// the product contract (the sales) and how much from the borrowers (the mandate's pulls, or their own payments), and
// the loans falling behind: something past due, or a minimum the sales have not covered that falls due within
// `soonSeconds` (the mandate will pull the rest from the borrower's wallet then).
import { ratio } from "./metrics.ts";
import type { LoanInfo } from "./state.ts";

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** A minimum not yet covered is listed from this long before it falls due (the monitor's default): a week. */
export const MINIMUM_SOON_SECONDS = 7 * 86_400;

/** A loan of an originated product that is past due, or whose next minimum is not covered and falls due soon. */
export interface LoanBehind {
  loanId: bigint;
  borrower: string;
  state: "past due" | "minimum not covered";
  /** Past due: the amount and days since the oldest unpaid due date. Not covered: what is left and when it is due. */
  amount: bigint;
  dueAt: number;
  days: number;
}

export interface OriginatedProduct {
  productId: number;
  originator: string;
  loans: number;
  active: number;
  principalOutstanding: bigint;
  pastDue: bigint;
  /** Interest and principal repaid (the ledger's `Repaid`): by the product contract, by the borrowers, by others. */
  repaidByOriginator: bigint;
  repaidByBorrowers: bigint;
  repaidByOthers: bigint;
  /** repaidByOriginator over all repaid: how much of the repayment the sales carried (0 before any repayment). */
  originatorShare: number;
  behind: LoanBehind[];
}

/**
 * The originated products among `loans` at chain time `now`, in product order. `originators` maps a product id to its
 * originator (products mapped to the zero address, or not at all, are drawn by borrowers and left out).
 */
export function originatedProducts(
  loans: Iterable<LoanInfo>,
  originators: ReadonlyMap<number, string>,
  now: number,
  soonSeconds: number,
): OriginatedProduct[] {
  const byProduct = new Map<number, OriginatedProduct>();
  for (const l of loans) {
    const originator = originators.get(l.productId);
    if (originator === undefined || originator === ZERO_ADDRESS) continue;
    let p = byProduct.get(l.productId);
    if (!p) {
      p = {
        productId: l.productId,
        originator,
        loans: 0,
        active: 0,
        principalOutstanding: 0n,
        pastDue: 0n,
        repaidByOriginator: 0n,
        repaidByBorrowers: 0n,
        repaidByOthers: 0n,
        originatorShare: 0,
        behind: [],
      };
      byProduct.set(l.productId, p);
    }
    p.loans++;
    p.repaidByBorrowers += l.repaidByBorrower;
    for (const [payer, amount] of l.repaidByOthers ?? []) {
      if (payer === originator.toLowerCase()) p.repaidByOriginator += amount;
      else p.repaidByOthers += amount;
    }
    if (l.status !== "active") continue;
    p.active++;
    const v = l.view;
    p.principalOutstanding += v?.principalOutstanding ?? l.principalOutstanding;
    if (!v) continue;
    if (v.pastDue > 0n) {
      p.pastDue += v.pastDue;
      const since = Number(v.pastDueSince);
      p.behind.push({
        loanId: l.loanId,
        borrower: l.borrower,
        state: "past due",
        amount: v.pastDue,
        dueAt: since,
        days: Math.floor((now - since) / 86_400),
      });
    } else if (v.nextDueAmount > 0n && Number(v.nextDueAt) - now <= soonSeconds) {
      const dueAt = Number(v.nextDueAt);
      p.behind.push({
        loanId: l.loanId,
        borrower: l.borrower,
        state: "minimum not covered",
        amount: v.nextDueAmount,
        dueAt,
        days: Math.max(0, Math.ceil((dueAt - now) / 86_400)),
      });
    }
  }
  const list = [...byProduct.values()].sort((a, b) => a.productId - b.productId);
  for (const p of list) {
    const total = p.repaidByOriginator + p.repaidByBorrowers + p.repaidByOthers;
    p.originatorShare = ratio(p.repaidByOriginator, total);
    // Past due first, the oldest first; then the minimums that fall due soonest.
    p.behind.sort((a, b) => (a.state === b.state ? a.dueAt - b.dueAt : a.state === "past due" ? -1 : 1));
  }
  return list;
}
