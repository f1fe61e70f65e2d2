// What the monitor knows about every loan, kept in memory by loan id: terms and outcome from events (draw, payments,
// close, write-off), the last view read from the ledger for active loans, and the lateness flags the warnings use.
// Events change it through `apply`; views through `setView`.
import { Bucket } from "../core/buckets.ts";
import { borrowerOf } from "../core/loan-id.ts";
import { KEEPER_EVENTS, type MonitorEvent } from "./scan.ts";

/** The part of `loanState` the monitor keeps, read at `block`. */
export interface LoanView {
  block: number;
  principalOutstanding: bigint;
  pastDue: bigint;
  /** Oldest unpaid due date (unix seconds), 0 when nothing is past due. */
  pastDueSince: bigint;
  nextDueAt: bigint;
  /** What is still owed for the instalment due at `nextDueAt` (0 when payments already covered it). */
  nextDueAmount: bigint;
  /** The bucket as stored, i.e. as last marked; the monitor works out the bucket by time itself. */
  storedBucket: number;
}

/** Terms that fix the due dates: due date k = drawnAt + k × periodSeconds, k = 1 … instalments. */
export interface LoanTerms {
  drawnAt: number;
  periodSeconds: number;
  instalments: number;
}

export type LoanStatus = "active" | "repaid" | "defaulted";

export interface LoanInfo {
  loanId: bigint;
  borrower: string;
  productId: number;
  principal: bigint;
  /** Chain time and block of the draw. */
  drawnAt: number;
  drawBlock: number;
  status: LoanStatus;
  /** Principal outstanding from events: the draw, then each `Repaid`. */
  principalOutstanding: bigint;
  /** Write-off: when, the principal outstanding then, and the loss the ledger booked (principal + interest). */
  defaultedAt?: number;
  defaultedPrincipal?: bigint;
  loss?: bigint;
  /** Payments after write-off. */
  recovered: bigint;
  /** Interest and principal repaid (`Repaid`) by the borrower, and by anyone else, by payer (lower-case address):
   * a product contract that repays for the borrower (the sales router), a friend, a bot. */
  repaidByBorrower: bigint;
  repaidByOthers?: Map<string, bigint>;
  view?: LoanView;
  terms?: LoanTerms;
  /** An event touched the loan after its view was read. */
  dirty: boolean;
  /** Seen past grace at a step, or marked M1 or worse: a first missed payment was already reported. */
  everLate: boolean;
  /** The bucket (M1 or worse) an event marked the loan into since the last step looked at it. */
  lateMark?: number;
}

/** When the last keeper event (`Collected`, `CollectionFailed`, `BucketChanged`, `ProvisionChanged`) happened. */
export interface KeeperActivity {
  block: number;
  time: number;
}

export class BookState {
  readonly loans = new Map<bigint, LoanInfo>();
  lastKeeperEvent?: KeeperActivity;
  /** Events of loans whose `Drawn` was not seen (the scan started after their draw). */
  unknownLoanEvents = 0;

  /** Loans not repaid or written off, in id order. */
  active(): LoanInfo[] {
    return [...this.loans.values()].filter((l) => l.status === "active");
  }

  /** Applies one event; `time` is its block's timestamp. */
  apply(e: MonitorEvent, time: number): void {
    if (KEEPER_EVENTS.has(e.name)) this.lastKeeperEvent = { block: e.block, time };
    if (e.name === "Drawn") {
      this.loans.set(e.loanId, {
        loanId: e.loanId,
        borrower: borrowerOf(e.loanId),
        productId: e.productId,
        principal: e.principal,
        drawnAt: time,
        drawBlock: e.block,
        status: "active",
        principalOutstanding: e.principal,
        recovered: 0n,
        repaidByBorrower: 0n,
        dirty: true,
        everLate: false,
      });
      return;
    }
    const loan = this.loans.get(e.loanId);
    if (!loan) {
      this.unknownLoanEvents++;
      return;
    }
    loan.dirty = true;
    switch (e.name) {
      case "Repaid":
        loan.principalOutstanding = e.principalOutstanding;
        if (e.payer === loan.borrower.toLowerCase()) loan.repaidByBorrower += e.amount;
        else {
          loan.repaidByOthers ??= new Map();
          loan.repaidByOthers.set(e.payer, (loan.repaidByOthers.get(e.payer) ?? 0n) + e.amount);
        }
        break;
      case "LoanClosed":
        loan.status = "repaid";
        loan.principalOutstanding = 0n;
        break;
      case "BucketChanged":
        if (e.to >= Bucket.M1) loan.lateMark = Math.max(loan.lateMark ?? 0, e.to);
        break;
      case "LoanDefaulted":
        loan.status = "defaulted";
        loan.defaultedAt = time;
        loan.defaultedPrincipal = loan.principalOutstanding;
        loan.loss = e.loss;
        break;
      case "Recovered":
        loan.recovered += e.amount;
        break;
    }
  }

  /** Stores a view read at `view.block`; a loan the ledger no longer reports active leaves the book. */
  setView(loan: LoanInfo, view: LoanView, status: bigint, time: number): void {
    loan.dirty = false;
    if (status === 1n) {
      loan.view = view;
      return;
    }
    // Events are read up to the same block, so this only happens for a scan that missed them.
    if (status === 3n && loan.status !== "defaulted") {
      loan.status = "defaulted";
      loan.defaultedAt = time;
      loan.defaultedPrincipal = loan.principalOutstanding;
    } else if (status === 2n) {
      loan.status = "repaid";
      loan.principalOutstanding = 0n;
    }
  }
}

/** The latest due date at or before `now` (unix seconds), or undefined before the first one. */
export function lastDueAt(terms: LoanTerms, now: number): number | undefined {
  if (now < terms.drawnAt + terms.periodSeconds) return undefined;
  const k = Math.min(Math.floor((now - terms.drawnAt) / terms.periodSeconds), terms.instalments);
  return terms.drawnAt + k * terms.periodSeconds;
}
