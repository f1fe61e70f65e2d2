// Simulated merchants for training and measuring the merchant model where no real sales data may be shipped: seven
// kinds of business (docs/RISK.md, "Merchant model"), each a daily sales path with trading days, day-to-day noise,
// event days, a drifting sales level, growth or decline, a year-end peak, refunds and failure. The history is the
// 12 windows before the assessment; the outcome comes from the same path's future days, by running a loan against
// them (merchant-loan.ts), never from the type label. One integer seed gives the same merchants byte for byte.
import { createRng, deriveSeed } from "./cv.ts";
import { merchantFeatureCells, merchantFeatures, MERCHANT_COLUMNS, tokensText } from "./merchant-features.ts";
import {
  MAX_WINDOWS,
  validateMerchantHistory,
  WINDOW_DAYS,
  type MerchantHistory,
  type SalesWindow,
} from "./merchant-history.ts";
import {
  loanHorizonDays,
  simulateSalesLoan,
  type LoanOutcome,
  type SalesLoanTerms,
} from "./merchant-loan.ts";
import type { TrainOptions } from "./train.ts";

export const MERCHANT_TYPES = [
  "steady",
  "seasonal",
  "growing",
  "declining",
  "volatile",
  "high-refund",
  "failing",
] as const;
export type MerchantType = (typeof MERCHANT_TYPES)[number];

type Range = readonly [number, number];

/** How one kind of merchant trades. Ranges are drawn uniformly per merchant (log-uniformly for money). */
export interface MerchantProfile {
  /** Share of the generated population. */
  share: number;
  /** The business it stands for. */
  example: string;
  /** Days since its first sale through the router. */
  tenureDays: Range;
  /** Usual settled volume of a trading day, tokens (log-uniform). */
  dailyVolume: Range;
  /** Average ticket, tokens (log-uniform). */
  ticket: Range;
  /** Chance that a given day trades. */
  tradingDays: Range;
  /** σ of the log of a trading day's volume around its usual level. */
  dailyNoise: number;
  /** σ of the monthly random walk of the sales level (log). */
  levelDrift: number;
  /** Chance that a trading day is an event day, and its volume multiple. */
  events: { chance: number; multiple: Range };
  /** Change of the sales level per 30 days (0.05 = +5 %). */
  growth: Range;
  /** Extra volume at the mid-December peak, as a multiple of the usual level (0 = none). */
  yearEndPeak: Range;
  /** Refunds as a share of volume. */
  refundRate: Range;
  /** Chance per 30 days that the business fails, before the frailty, age and decline factors (unused with a collapse). */
  failurePerWindow: number;
  /** Failing merchants only: day their sales start to collapse, relative to the assessment (negative: in the history). */
  collapseStart?: Range;
}

export const MERCHANT_PROFILES: Readonly<Record<MerchantType, MerchantProfile>> = {
  steady: {
    share: 0.24,
    example: "grocery, pharmacy",
    tenureDays: [150, 3000],
    dailyVolume: [150, 3000],
    ticket: [8, 30],
    tradingDays: [0.88, 0.98],
    dailyNoise: 0.15,
    levelDrift: 0.04,
    events: { chance: 0, multiple: [1, 1] },
    growth: [-0.005, 0.01],
    yearEndPeak: [0, 0.15],
    refundRate: [0.002, 0.015],
    failurePerWindow: 0.004,
  },
  seasonal: {
    share: 0.16,
    example: "clothing, toys, gifts",
    tenureDays: [150, 3000],
    dailyVolume: [150, 2500],
    ticket: [25, 120],
    tradingDays: [0.8, 0.93],
    dailyNoise: 0.25,
    levelDrift: 0.06,
    events: { chance: 0, multiple: [1, 1] },
    growth: [-0.01, 0.01],
    yearEndPeak: [1.5, 3],
    refundRate: [0.02, 0.05],
    failurePerWindow: 0.008,
  },
  growing: {
    share: 0.14,
    example: "new online shop",
    tenureDays: [45, 420],
    dailyVolume: [100, 1500],
    ticket: [20, 80],
    tradingDays: [0.93, 1],
    dailyNoise: 0.3,
    levelDrift: 0.08,
    events: { chance: 0.01, multiple: [2, 4] },
    growth: [0.04, 0.12],
    yearEndPeak: [0.2, 0.8],
    refundRate: [0.02, 0.06],
    failurePerWindow: 0.012,
  },
  declining: {
    share: 0.12,
    example: "shop losing its street or its customers",
    tenureDays: [200, 3000],
    dailyVolume: [150, 2500],
    ticket: [10, 60],
    tradingDays: [0.8, 0.95],
    dailyNoise: 0.2,
    levelDrift: 0.06,
    events: { chance: 0, multiple: [1, 1] },
    growth: [-0.06, -0.02],
    yearEndPeak: [0, 0.5],
    refundRate: [0.005, 0.03],
    failurePerWindow: 0.015,
  },
  volatile: {
    share: 0.12,
    example: "food stall, events",
    tenureDays: [120, 2500],
    dailyVolume: [200, 3000],
    ticket: [6, 20],
    tradingDays: [0.3, 0.6],
    dailyNoise: 0.6,
    levelDrift: 0.15,
    events: { chance: 0.06, multiple: [3, 6] },
    growth: [-0.01, 0.02],
    yearEndPeak: [0, 0.6],
    refundRate: [0.002, 0.02],
    failurePerWindow: 0.012,
  },
  "high-refund": {
    share: 0.1,
    example: "electronics, online fashion",
    tenureDays: [150, 2500],
    dailyVolume: [300, 4000],
    ticket: [150, 600],
    tradingDays: [0.85, 0.97],
    dailyNoise: 0.35,
    levelDrift: 0.06,
    events: { chance: 0.01, multiple: [2, 3] },
    growth: [-0.01, 0.02],
    yearEndPeak: [0.4, 1],
    refundRate: [0.07, 0.18],
    failurePerWindow: 0.012,
  },
  failing: {
    share: 0.12,
    example: "any business on its way out",
    tenureDays: [120, 2500],
    dailyVolume: [150, 2500],
    ticket: [8, 60],
    tradingDays: [0.8, 0.95],
    dailyNoise: 0.25,
    levelDrift: 0.06,
    events: { chance: 0, multiple: [1, 1] },
    growth: [-0.02, 0.01],
    yearEndPeak: [0, 0.5],
    refundRate: [0.005, 0.04],
    failurePerWindow: 0, // collapses instead
    collapseStart: [-100, 40],
  },
};

/** Days of future sales every merchant carries: enough for a 12-period loan and its grace period. */
export const FUTURE_DAYS = loanHorizonDays(12);

/**
 * The loan each simulated merchant is labelled with: one average month (12-window average volume, at least 100
 * tokens), at 15 % APR over 6 periods, repaid from 20 % of every sale.
 */
export const TRAINING_LOAN = {
  aprBps: 1500,
  termPeriods: 6,
  salesShareBps: 2000,
  minPrincipal: 100_000_000n,
} as const;

export interface SimulatedMerchant {
  id: string;
  type: MerchantType;
  history: MerchantHistory;
  /** Settled volume of each day after the assessment, base units (day 0 the loan's first day). */
  futureVolume: number[];
  /** Cash the merchant can put in to cover a shortfall, base units. */
  buffer: bigint;
  /** Day the business stops trading, relative to the assessment (negative: already in the history); null: not soon. */
  failureDay: number | null;
}

export interface MerchantSimOptions {
  count: number;
  seed: number;
}

const GOLDEN = (Math.sqrt(5) - 1) / 2;

/**
 * The type of merchant `i`: the type whose slice of the cumulative shares holds frac((i + ½)·φ). This low-discrepancy
 * sequence keeps every type's count within three merchants of its share (measured for every count up to 5,000).
 */
export function merchantTypeOf(i: number): MerchantType {
  const u = ((i + 0.5) * GOLDEN) % 1;
  let acc = 0;
  for (const t of MERCHANT_TYPES) {
    acc += MERCHANT_PROFILES[t].share;
    if (u < acc) return t;
  }
  return MERCHANT_TYPES[MERCHANT_TYPES.length - 1];
}

/** Circular distance in days between two days of the year. */
function yearDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 365;
  return Math.min(d, 365 - d);
}

const bump = (distance: number, width: number) => Math.exp(-0.5 * (distance / width) ** 2);

/** A merchant's random source. Draws are taken in a fixed order, which is part of what a seed means. */
interface Draws {
  rng: () => number;
  normal: () => number;
  uniform: (r: Range) => number;
  logUniform: (r: Range) => number;
}

function draws(seed: number): Draws {
  const rng = createRng(seed);
  return {
    rng,
    normal: () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()),
    uniform: (r) => r[0] + (r[1] - r[0]) * rng(),
    logUniform: (r) => Math.exp(Math.log(r[0]) + (Math.log(r[1]) - Math.log(r[0])) * rng()),
  };
}

/** What a merchant is, drawn once before its days. */
interface Traits {
  tenureDays: number;
  windows: number;
  dailyVolume: number;
  ticket: number;
  trading: number;
  growth: number;
  peak: number;
  refundRate: number;
  /** Day of the year of the assessment, and the phase of the mild yearly wave. */
  startDay: number;
  wavePhase: number;
  /** Hidden health: frailty multiplies the failure chance, discipline sets the cash buffer and the loan record. */
  frailty: number;
  discipline: number;
}

function drawTraits(p: MerchantProfile, d: Draws): Traits {
  const tenureDays = Math.floor(d.uniform(p.tenureDays));
  return {
    tenureDays,
    windows: Math.min(MAX_WINDOWS, Math.floor(tenureDays / WINDOW_DAYS)),
    dailyVolume: d.logUniform(p.dailyVolume),
    ticket: d.logUniform(p.ticket),
    trading: d.uniform(p.tradingDays),
    growth: d.uniform(p.growth),
    peak: d.uniform(p.yearEndPeak),
    refundRate: d.uniform(p.refundRate),
    startDay: Math.floor(365 * d.rng()),
    wavePhase: 365 * d.rng(),
    frailty: Math.exp(0.5 * d.normal()),
    discipline: d.rng(),
  };
}

/** When the business stops trading, if it does within the horizon. */
interface Stop {
  failureDay: number | null;
  /** Failing type: the day its sales start to collapse and the e-folding time of the collapse. */
  collapse: { start: number; days: number } | null;
  /** Days over which sales fade to nothing after a failure (0: at once). */
  fadeDays: number;
}

/**
 * Collapse for the failing type; for the others a failure chance every 30 days of the future, higher for young,
 * frail, undisciplined and declining businesses.
 */
function drawStop(p: MerchantProfile, t: Traits, d: Draws): Stop {
  if (p.collapseStart) {
    const start = Math.floor(d.uniform(p.collapseStart));
    const collapse = { start, days: 15 + 45 * d.rng() };
    return { failureDay: start + 30 + Math.floor(90 * d.rng()), collapse, fadeDays: 0 };
  }
  let failureDay: number | null = null;
  for (let k = 0; k < FUTURE_DAYS / WINDOW_DAYS && failureDay === null; k++) {
    const youth = 1 + 4 * Math.exp(-(t.tenureDays + WINDOW_DAYS * k) / 250);
    const decline = 1 + 10 * Math.max(0, -t.growth);
    const chance = p.failurePerWindow * t.frailty * (1.3 - 0.6 * t.discipline) * youth * decline;
    if (d.rng() < chance) failureDay = WINDOW_DAYS * k + Math.floor(WINDOW_DAYS * d.rng());
  }
  return { failureDay, collapse: null, fadeDays: Math.floor(30 * d.rng()) };
}

/** The usual volume of day `day` (0 = the assessment) before that day's own noise, tokens. */
function level(t: Traits, stop: Stop, walk: number, day: number): number {
  const dayOfYear = (((t.startDay + day) % 365) + 365) % 365;
  let x = t.dailyVolume * Math.exp(walk) * (1 + t.growth) ** (day / WINDOW_DAYS);
  x *= 1 + 0.06 * Math.cos((2 * Math.PI * (dayOfYear - t.wavePhase)) / 365);
  const december = bump(yearDistance(dayOfYear, 350), 20);
  const february = bump(yearDistance(dayOfYear, 35), 25);
  x *= 1 + t.peak * december - 0.25 * Math.min(1, t.peak) * february;
  if (stop.collapse && day > stop.collapse.start)
    x *= Math.exp(-(day - stop.collapse.start) / stop.collapse.days);
  if (stop.failureDay !== null && day >= stop.failureDay) {
    x *= stop.fadeDays > 0 ? Math.max(0, 1 - (day - stop.failureDay) / stop.fadeDays) : 0;
  }
  return x;
}

/** Volume (base units), sales and refunds of every day from the first history window to the horizon. */
interface SalesPath {
  /** Day of index 0, relative to the assessment (−30 × windows). */
  first: number;
  volume: number[];
  sales: number[];
  refunds: number[];
}

function salesPath(p: MerchantProfile, t: Traits, stop: Stop, d: Draws): SalesPath {
  const first = -WINDOW_DAYS * t.windows;
  const days = FUTURE_DAYS - first;
  const zeros = () => new Array<number>(days).fill(0);
  const path: SalesPath = { first, volume: zeros(), sales: zeros(), refunds: zeros() };
  let walk = 0;
  for (let k = 0; k < days; k++) {
    const day = first + k;
    if (day % WINDOW_DAYS === 0) walk += p.levelDrift * d.normal();
    const usual = level(t, stop, walk, day);
    const trades = d.rng() < t.trading;
    const noise = d.normal();
    const event = d.rng() < p.events.chance ? d.uniform(p.events.multiple) : 1;
    const ticketNoise = d.normal();
    const refundDraw = d.rng();
    if (!trades || usual <= 0) continue;
    const tokens = usual * Math.exp(p.dailyNoise * noise - (p.dailyNoise * p.dailyNoise) / 2) * event;
    path.volume[k] = Math.max(1, Math.round(tokens * 1e6));
    path.sales[k] = Math.max(1, Math.round(tokens / (t.ticket * Math.exp(0.2 * ticketNoise))));
    path.refunds[k] = Math.round(path.volume[k] * t.refundRate * 2 * refundDraw);
  }
  return path;
}

/** The complete 30-day windows before the assessment, most recent first, as the router would hold them. */
function windowsOf(path: SalesPath, windows: number): SalesWindow[] {
  const out: SalesWindow[] = [];
  for (let w = 0; w < windows; w++) {
    const from = -path.first - WINDOW_DAYS * (w + 1);
    let volume = 0;
    let sales = 0;
    let refunds = 0;
    let active = 0;
    for (let k = from; k < from + WINDOW_DAYS; k++) {
      volume += path.volume[k];
      sales += path.sales[k];
      refunds += path.refunds[k];
      active += path.volume[k] > 0 ? 1 : 0;
    }
    out.push({
      volume: BigInt(volume),
      sales,
      refunds: BigInt(Math.min(refunds, volume)),
      activeDays: active,
    });
  }
  return out;
}

/**
 * Earlier merchant loans, up to one a year once past the first half-year. Lateness and write-offs follow the same
 * hidden strain that drives failure: frailty, little discipline, a shrinking or collapsing trade.
 */
function loanRecord(
  t: Traits,
  stop: Stop,
  d: Draws,
): Pick<MerchantHistory, "loansRepaid" | "loansLate" | "loansDefaulted"> {
  const strain =
    t.frailty * (1.4 - t.discipline) * (1 + 10 * Math.max(0, -t.growth)) * (stop.collapse ? 2 : 1);
  const record = { loansRepaid: 0, loansLate: 0, loansDefaulted: 0 };
  const loans = t.tenureDays < 180 ? 0 : Math.floor(d.rng() * (t.tenureDays / 365 + 1));
  for (let k = 0; k < loans; k++) {
    const u = d.rng();
    const pDefault = Math.min(0.3, 0.015 * strain * strain);
    if (u < pDefault) record.loansDefaulted++;
    else if (u < pDefault + Math.min(0.7, 0.2 * strain)) record.loansLate++;
    else record.loansRepaid++;
  }
  return record;
}

/** One merchant, from its own seed: the same index and population seed always give the same merchant. */
function simulateOne(i: number, seed: number): SimulatedMerchant {
  const d = draws(deriveSeed(seed, `merchant-${i}`));
  const type = merchantTypeOf(i);
  const p = MERCHANT_PROFILES[type];
  const t = drawTraits(p, d);
  const stop = drawStop(p, t, d);
  const path = salesPath(p, t, stop, d);
  const windows = windowsOf(path, t.windows);
  const averageMonth = t.windows === 0 ? 0 : windows.reduce((a, w) => a + Number(w.volume), 0) / t.windows;
  const merchant: SimulatedMerchant = {
    id: `${type}-${i + 1}`,
    type,
    history: { windows, tenureDays: t.tenureDays, ...loanRecord(t, stop, d) },
    futureVolume: path.volume.slice(-path.first),
    buffer: BigInt(Math.floor(averageMonth * 0.5 * t.discipline * d.rng())),
    failureDay: stop.failureDay,
  };
  validateMerchantHistory(merchant.history);
  return merchant;
}

/** `count` merchants from `seed`; merchant i is the same whatever the count, so a larger run extends a smaller one. */
export function simulateMerchants(options: MerchantSimOptions): SimulatedMerchant[] {
  const { count, seed } = options;
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`count must be a positive integer, got ${count}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new Error(`seed must be an integer in [0, 2^32), got ${seed}`);
  return Array.from({ length: count }, (_, i) => simulateOne(i, seed));
}

/** The training loan's terms for a merchant: one average month, at least the minimum, in whole tokens. */
export function trainingLoanTerms(m: SimulatedMerchant): SalesLoanTerms {
  const average = merchantFeatures(m.history).averageVolume;
  const whole = (average / 1_000_000n) * 1_000_000n;
  const principal = whole > TRAINING_LOAN.minPrincipal ? whole : TRAINING_LOAN.minPrincipal;
  return {
    principal,
    aprBps: TRAINING_LOAN.aprBps,
    termPeriods: TRAINING_LOAN.termPeriods,
    salesShareBps: TRAINING_LOAN.salesShareBps,
  };
}

/** The outcome of a loan on `terms` (by default the training loan) against the merchant's future sales. */
export function merchantOutcome(
  m: SimulatedMerchant,
  terms: SalesLoanTerms = trainingLoanTerms(m),
): LoanOutcome {
  return simulateSalesLoan(m.futureVolume, terms, m.buffer);
}

/** Header of the simulated merchants' CSV: id, type, the model's columns, the outcome and the loss in tokens. */
export const MERCHANT_CSV_COLUMNS = ["id", "type", ...MERCHANT_COLUMNS, "outcome", "loss"] as const;

/** How `train` reads that CSV: the target and its bad label, the columns that are not features, the features' types. */
export const MERCHANT_TRAINING: Required<Pick<TrainOptions, "target" | "bad" | "exclude" | "types">> = {
  target: "outcome",
  bad: "default",
  exclude: ["id", "type", "loss"],
  types: Object.fromEntries(MERCHANT_COLUMNS.map((c) => [c, "numeric" as const])),
};

/** The CSV `train` reads (target `outcome`, bad label `default`); the same merchants always give the same text. */
export function merchantCsv(merchants: readonly SimulatedMerchant[]): string {
  const lines = [MERCHANT_CSV_COLUMNS.join(",")];
  for (const m of merchants) {
    const o = merchantOutcome(m);
    lines.push(
      [
        m.id,
        m.type,
        ...merchantFeatureCells(merchantFeatures(m.history)),
        o.defaulted ? "default" : "repaid",
        tokensText(o.loss),
      ].join(","),
    );
  }
  return lines.join("\n") + "\n";
}
