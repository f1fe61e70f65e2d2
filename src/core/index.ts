// Public API of `microcredit/core`: the contracts' pure rules in bigint (schedules, accrual, cost disclosure and the
// APR as an IRR, instalment conversions, monthly statements, penalty, payoff, buckets, loan ids, the APR cap and
// decision terms). No ethers, no chain access.
export * from "./arrears.ts";
export * from "./buckets.ts";
export * from "./conversion.ts";
export * from "./disclosure.ts";
export * from "./draw-bounds.ts";
export * from "./fee-rebate.ts";
export * from "./loan.ts";
export * from "./loan-id.ts";
export * from "./payoff.ts";
export * from "./schedule.ts";
export * from "./statement.ts";
export * from "./terms.ts";
