// Protected attributes never enter a scorecard. Fair-lending law (e.g. ECOA/Regulation B in the
// US, the EU Consumer Credit Directive 2023/2225) forbids deciding credit on them, and there is
// deliberately no switch to let them in: a flag would put discrimination one typo away.

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
