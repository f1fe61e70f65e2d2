// Public API of the off-chain risk engine (see docs/RISK.md).
export * from "./assess.ts";
export * from "./canonical.ts";
export * from "./cv.ts";
export * from "./data.ts";
export * from "./encode.ts";
export * from "./fairness.ts";
export * from "./history.ts";
export * from "./logistic.ts";
export * from "./metrics.ts";
export * from "./model.ts";
export * from "./policy.ts";
export * from "./scorecard.ts";
export * from "./train.ts";
