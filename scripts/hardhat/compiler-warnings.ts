// Which compiler diagnostics count: one rule for the build's printout (build-progress-hooks.ts) and for the check
// that fails the build on any warning (scripts/check-warnings.ts).

/** A solc diagnostic as it appears in the compiler output. */
export interface SolcDiagnostic {
  severity?: string;
  errorCode?: string;
  sourceLocation?: { file?: string };
}

/**
 * True for a diagnostic of ours: errors always; warnings unless they come from a dependency (OpenZeppelin's
 * transient-storage notice, for one) or are the code-size warnings of test contracts, which are never deployed on a
 * real chain (5574 runtime, 3860 initcode).
 */
export function isOurs(d: SolcDiagnostic): boolean {
  if (d.severity === "error") return true;
  if (d.severity !== "warning") return false;
  const source = d.sourceLocation?.file ?? "";
  if (source.includes("node_modules") || source.startsWith("npm/")) return false;
  if (/^(project\/)?test\//.test(source) && (d.errorCode === "5574" || d.errorCode === "3860")) return false;
  return true;
}
