// Public API of `microcredit/core`: the contracts' pure rules in bigint (schedules, accrual, buckets, loan ids, the
// APR cap and decision terms). No ethers, no chain access.
export * from "./buckets.ts";
export type * from "./draw-bounds.ts";
export * from "./loan-id.ts";
export * from "./schedule.ts";
export * from "./terms.ts";
