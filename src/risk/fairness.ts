// Protected attributes never enter a scorecard. There is deliberately no switch to let them
// in: fair-lending rules (e.g. ECOA/Reg B, the EU AI Act's credit-scoring provisions) forbid
// deciding on them, and a model that saw them would keep using their proxies.

/** Columns known to encode a protected attribute in the datasets we train on. */
export const PROTECTED_COLUMNS: Readonly<Record<string, string>> = {
  personal_status: "protected attribute: encodes sex and marital status (credit-g)",
  foreign_worker: "protected attribute: encodes nationality (credit-g)",
};

/** Any column whose name suggests a protected attribute; a false positive only costs a feature. */
export const PROTECTED_PATTERN = /sex|gender|race|nationality|foreign|marital|religion/i;

/** Why a column is protected, or null when it is not. */
export function protectedReason(column: string): string | null {
  if (Object.hasOwn(PROTECTED_COLUMNS, column)) return PROTECTED_COLUMNS[column];
  const m = PROTECTED_PATTERN.exec(column);
  return m ? `protected attribute: name matches "${m[0].toLowerCase()}"` : null;
}
