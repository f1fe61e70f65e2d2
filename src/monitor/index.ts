// The early-warning monitor: follows the ledger's events, keeps every loan in memory, derives buckets by time,
// computes book metrics, snapshots, roll rates and vintages, raises warnings and writes a report (docs/MONITOR.md).
export {
  Monitor,
  type MonitorOptions,
  type MonitorSummary,
  type PollReport,
  type Snapshot,
  type StepReport,
  type WarningEntry,
} from "./follow.ts";
export { ConfigError, DEFAULT_CONFIG, loadConfig, resolveConfig, type MonitorConfig } from "./config.ts";
export {
  bookMetrics,
  exposures,
  lenderYield,
  originationByDay,
  ratio,
  rollRates,
  rollStage,
  vintageCurves,
  MONTH_SECONDS,
  ROLL_STAGES,
  type BookMetrics,
  type LenderYield,
  type LoanPosition,
  type PoolPoint,
  type RollPoint,
  type RollRate,
  type Share,
  type Vintage,
  type VintageLoan,
} from "./metrics.ts";
export { EventScanner, decodeEvent, type MonitorEvent } from "./scan.ts";
export { BookState, lastDueAt, type LoanInfo } from "./state.ts";
export {
  SEVERITY,
  WarningRules,
  type ActiveWarning,
  type ClearedWarning,
  type Severity,
  type StepInput,
  type Warning,
  type WarningKind,
} from "./warnings.ts";
export { jsonlSink, webhookSink, type WarningSink } from "./sinks.ts";
export { activeLine, clearedLine, raisedLine, subject, versus } from "./warning-text.ts";
export { pollLines } from "./poll-lines.ts";
export { renderHtml, toJson, writeReport } from "./report.ts";
export { deployedAddresses } from "./addresses.ts";
