// A loan's plan as drawn: its due dates and, for each, the payment with its principal and interest. From
// `CreditQuotes.loanSchedule` when the deployment lists CreditQuotes, else from the loan's record through
// `microcredit/core`'s schedule (the twin of ScheduleMath, equal to the unit).
import type { Contract } from "ethers";
import { schedule, SECONDS_PER_DAY } from "../core/schedule.ts";

/** One instalment of a loan's plan. */
export interface PlanRow {
  /** Unix seconds. */
  dueAt: bigint;
  payment: bigint;
  principal: bigint;
  interest: bigint;
}

/** The plan of `loanId`, and where it was read from. */
export interface LoanPlan {
  rows: PlanRow[];
  source: "CreditQuotes.loanSchedule" | "microcredit/core schedule";
}

/** Reads the plan of `loanId` from CreditQuotes, else from the CreditLens `lens` (an id never drawn reverts with the
 * ledger's `LoanNotFound`). */
export async function readPlan(
  lens: Contract,
  quotes: Contract | undefined,
  loanId: bigint,
): Promise<LoanPlan> {
  if (quotes !== undefined) {
    const [dueDates, payments, principals, interests] = (await quotes.loanSchedule(loanId)) as bigint[][];
    const rows = payments.map((payment, i) => ({
      dueAt: dueDates[i],
      payment,
      principal: principals[i],
      interest: interests[i],
    }));
    return { rows, source: "CreditQuotes.loanSchedule" };
  }
  await lens.loanState(loanId); // LoanNotFound for an id never drawn
  const r = await lens.loanRecord(loanId);
  const plan = schedule({
    method: Number(r.method),
    principal: r.principal as bigint,
    aprBps: r.aprBps as bigint,
    instalments: r.instalments as bigint,
    periodDays: r.periodDays as bigint,
  });
  const period = BigInt(r.periodDays) * SECONDS_PER_DAY;
  const rows = plan.map((row, i) => ({ dueAt: BigInt(r.drawnAt) + period * BigInt(i + 1), ...row }));
  return { rows, source: "microcredit/core schedule" };
}
