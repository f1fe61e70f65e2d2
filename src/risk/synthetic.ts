// Synthetic applicants shaped like the classic 4,454-row "credit scoring" data (Seniority, Home,
// Time, Age, Marital, Records, Job, Expenses, Income, Assets, Debt, Amount, Price → Status), for
// tests and for measuring the engine where no real data may be shipped. The outcome depends on
// the attributes through bends and interactions a plain logistic regression cannot express
// (a loan-to-price threshold, a repayment burden that only matters on long terms, part-time
// work that matters more without a record of stable employment), and missing values are coded
// the several ways real exports code them: empty cells, NA, ? and the 99999999 sentinel.
import { createRng } from "./cv.ts";
import { sigmoid } from "./logistic.ts";

export interface SyntheticOptions {
  rows: number;
  seed: number;
  /** Moves the population (older, richer, larger loans): a batch for drift monitoring. */
  shift?: number;
}

export const SYNTHETIC_COLUMNS = [
  "Status",
  "Seniority",
  "Home",
  "Time",
  "Age",
  "Marital",
  "Records",
  "Job",
  "Expenses",
  "Income",
  "Assets",
  "Debt",
  "Amount",
  "Price",
] as const;

const JOB_EFFECT: Record<string, number> = { fixed: -0.35, freelance: 0.25, partime: 0.9, others: 0.6 };
const HOME_EFFECT: Record<string, number> = { owner: -0.55, rent: 0.25, parents: -0.1, priv: 0.1, other: 0.45, ignore: 0.3 };

function pick<T>(rng: () => number, items: readonly T[], weights: readonly number[]): T {
  let u = rng() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < items.length; i++) {
    u -= weights[i];
    if (u < 0) return items[i];
  }
  return items[items.length - 1];
}

/** One CSV (header first) of synthetic applicants; the same options always give the same text. */
export function syntheticCreditCsv(options: SyntheticOptions): string {
  const rng = createRng(options.seed);
  const shift = options.shift ?? 0;
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const lines: string[] = [SYNTHETIC_COLUMNS.join(",")];
  for (let i = 0; i < options.rows; i++) {
    const age = Math.round(Math.min(68, Math.max(18, 37 + 10 * shift + 11 * normal())));
    const seniority = Math.max(0, Math.min(age - 16, Math.round(-Math.log(1 - rng()) * (3 + 0.15 * (age - 18)))));
    const home = pick(rng, ["owner", "rent", "parents", "priv", "other", "ignore"], [47 + 20 * shift, 22, 17 - 8 * shift, 5, 7, 1]);
    const marital = pick(rng, ["married", "single", "separated", "widow", "divorced"], [age < 26 ? 30 : 75, age < 26 ? 65 : 18, 3, age > 55 ? 6 : 1, 1]);
    const records = rng() < 0.17 ? "yes" : "no";
    const job = pick(rng, ["fixed", "freelance", "partime", "others"], [63, 23, 10, 4]);
    const time = pick(rng, [12, 18, 24, 30, 36, 42, 48, 54, 60], [5, 3, 8, 3, 18, 3, 14, 2, 44]);
    const expenses = Math.round(Math.max(35, 45 + (marital === "married" ? 25 : 0) + (home === "rent" ? 15 : 0) + 18 * normal()));
    const income = Math.round(Math.max(6, Math.exp(4.75 + 0.35 * shift + 0.45 * normal() + (job === "fixed" ? 0.12 : 0) + 0.004 * seniority * 10)));
    const assets = rng() < 0.38 ? 0 : Math.round(Math.exp(8.3 + 0.4 * shift + 0.9 * normal()) / 100) * 100;
    const debt = rng() < 0.8 ? 0 : Math.round(Math.exp(7 + 0.8 * normal()));
    const amount = Math.round(Math.max(100, Math.min(5000, Math.exp(6.85 + 0.3 * shift + 0.45 * normal()))) / 5) * 5;
    const ltv = Math.min(1, Math.max(0.15, 0.7 + 0.22 * normal()));
    const price = Math.max(amount, Math.round(amount / ltv));

    const burden = amount / time / Math.max(1, income - expenses + 5);
    let z = -1.55;
    z += records === "yes" ? 1.3 : 0;
    z += JOB_EFFECT[job];
    z += job === "partime" && seniority < 2 ? 0.8 : 0; // interaction: no track record and part-time work
    z += -0.9 * Math.log1p(seniority) + 0.9; // bent: the first years matter most
    z += HOME_EFFECT[home];
    z += -0.7 * Math.log(income / 130);
    z += amount / price > 0.9 ? 0.9 : 0; // threshold: almost nothing paid up front
    z += time >= 48 ? 2.2 * Math.min(burden, 1) : 0.4 * Math.min(burden, 1); // interaction: burden on long terms
    z += assets === 0 ? 0.35 : -0.08 * Math.log1p(assets / 1000);
    z += debt > 2000 ? 0.3 : 0;
    z += age < 24 ? 0.35 : 0;
    const bad = rng() < sigmoid(z);

    // Missing values, coded the ways real exports code them.
    const incomeCell = rng() < 0.05 ? "99999999" : rng() < 0.03 ? "NA" : String(income);
    const assetsCell = rng() < 0.01 ? "99999999" : String(assets);
    const debtCell = rng() < 0.004 ? "" : String(debt);
    const homeCell = rng() < 0.002 ? "?" : home;
    const maritalCell = rng() < 0.001 ? "NA" : marital;
    const jobCell = rng() < 0.0005 ? "" : job;
    lines.push(
      [bad ? "bad" : "good", seniority, homeCell, time, age, maritalCell, records, jobCell, expenses, incomeCell, assetsCell, debtCell, amount, price].join(","),
    );
  }
  return lines.join("\n") + "\n";
}
