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

// ---------------------------------------------------------------------------------------------
// Fairness report: who gets approved, and for how much, across groups the model may not use.
// The attributes are read only to group applicants for this table, never to score them.

/** Columns named like an age (age, Age, applicant_age); "mortgage" or "percentage" do not match. */
export const AGE_COLUMN = /(^|[^a-z])age([^a-z]|$)/i;

export const AGE_BANDS: readonly { label: string; max: number }[] = [
  { label: "under 25", max: 24 },
  { label: "25-34", max: 34 },
  { label: "35-44", max: 44 },
  { label: "45-54", max: 54 },
  { label: "55 and over", max: Infinity },
];

export interface FairnessGroup {
  group: string;
  applicants: number;
  /** Share approved outright (referrals not counted as approvals). */
  approvalRate: number;
  referRate: number;
  /** Mean limit in whole tokens over every applicant of the group (a decline counts as 0). */
  averageLimit: number;
  /** Mean limit among the approved only; null when nobody was approved. */
  averageLimitApproved: number | null;
  /** Observed bad rate: whether a gap in approvals follows a gap in outcomes. */
  badRate: number;
  /** Fewer than 30 applicants: rates this small move by ±10 points by chance. */
  small: boolean;
}

export interface FairnessTable {
  attribute: string;
  /** How the groups were formed, and whether the model used the attribute. */
  note: string;
  groups: FairnessGroup[];
  /** Highest minus lowest approval rate (groups that are not small). */
  approvalGap: number;
  /** Lowest over highest approval rate: below 0.8 fails the "four-fifths" rule of thumb. */
  approvalRatio: number;
  /** Highest minus lowest average limit (tokens, groups that are not small). */
  limitGap: number;
}

export interface Decided {
  decision: "approve" | "refer" | "decline";
  /** Whole tokens. */
  limit: number;
  bad: number;
}

export function ageBand(age: number): string {
  return (AGE_BANDS.find((b) => age <= b.max) as { label: string }).label;
}

/** Groups applicants by `keys` (null = not recorded) and states the gaps. */
export function fairnessTable(attribute: string, note: string, keys: (string | null)[], decided: Decided[], order?: readonly string[]): FairnessTable {
  const byGroup = new Map<string, Decided[]>();
  keys.forEach((k, i) => {
    const key = k ?? "(not recorded)";
    const list = byGroup.get(key) ?? [];
    list.push(decided[i]);
    byGroup.set(key, list);
  });
  const names = [...byGroup.keys()].sort((a, b) => {
    const ia = order ? order.indexOf(a) : -1;
    const ib = order ? order.indexOf(b) : -1;
    if (ia !== ib) return (ia < 0 ? Infinity : ia) - (ib < 0 ? Infinity : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const groups = names.map((group): FairnessGroup => {
    const list = byGroup.get(group) as Decided[];
    const approved = list.filter((d) => d.decision === "approve");
    const sum = (xs: Decided[], f: (d: Decided) => number) => xs.reduce((a, d) => a + f(d), 0);
    return {
      group,
      applicants: list.length,
      approvalRate: approved.length / list.length,
      referRate: list.filter((d) => d.decision === "refer").length / list.length,
      averageLimit: sum(list, (d) => (d.decision === "decline" ? 0 : d.limit)) / list.length,
      averageLimitApproved: approved.length ? sum(approved, (d) => d.limit) / approved.length : null,
      badRate: sum(list, (d) => d.bad) / list.length,
      small: list.length < 30,
    };
  });
  const compared = groups.filter((g) => !g.small);
  const rates = compared.map((g) => g.approvalRate);
  const limits = compared.map((g) => g.averageLimit);
  const maxRate = rates.length ? Math.max(...rates) : 0;
  return {
    attribute,
    note,
    groups,
    approvalGap: rates.length ? maxRate - Math.min(...rates) : 0,
    approvalRatio: rates.length && maxRate > 0 ? Math.min(...rates) / maxRate : 1,
    limitGap: limits.length ? Math.max(...limits) - Math.min(...limits) : 0,
  };
}
