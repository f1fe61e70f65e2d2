// Plain words for reason codes. An applicant is owed the reasons for a decision in terms they can
// act on ("Checking account status (no checking)"), not a column name ("checking_status").

/** Labels of the columns of the datasets this engine is measured on; others are derived. */
export const COLUMN_LABELS: Readonly<Record<string, string>> = {
  // German Credit (credit-g)
  checking_status: "Checking account balance",
  duration: "Loan duration (months)",
  credit_history: "Credit history",
  purpose: "Purpose of the loan",
  credit_amount: "Amount requested",
  savings_status: "Savings",
  employment: "Time in current job",
  installment_commitment: "Instalment as a share of income",
  other_parties: "Co-applicant or guarantor",
  residence_since: "Years at current address",
  property_magnitude: "Most valuable property",
  age: "Age",
  other_payment_plans: "Other instalment plans",
  housing: "Housing",
  existing_credits: "Existing credits at this bank",
  job: "Job",
  num_dependents: "Number of dependants",
  own_telephone: "Telephone",
  // "Credit scoring" layout
  Seniority: "Years with current employer",
  Home: "Housing",
  Time: "Loan term (months)",
  Age: "Age",
  Records: "Arrears on record",
  Job: "Type of job",
  Expenses: "Monthly expenses",
  Income: "Monthly income",
  Assets: "Assets",
  Debt: "Debt",
  Amount: "Amount requested",
  Price: "Price of the purchase",
};

/** "credit_amount" → "Credit amount", "LoanTerm" → "Loan term". */
export function columnLabel(column: string): string {
  if (Object.hasOwn(COLUMN_LABELS, column)) return COLUMN_LABELS[column];
  const words = column
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_\-.]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** One sentence for one reason: what the attribute was and how many points it cost or gave. */
export function reasonText(column: string, value: unknown, points: number, unreadable: boolean): string {
  const shown = unreadable
    ? "not readable, scored as the least favourable case"
    : value === null || value === undefined || value === ""
      ? "not given"
      : String(value);
  const n = Math.abs(points).toFixed(0);
  const amount = n === "0" ? "less than 1 point" : n === "1" ? "1 point" : `${n} points`;
  return points < 0
    ? `${columnLabel(column)} (${shown}) lowered the score by ${amount}`
    : `${columnLabel(column)} (${shown}) was the weakest factor, still adding ${amount}`;
}
