// Risk engine CLI (docs/RISK.md): train, score, monitor, synth and the merchant commands work offline
// from files; offer, merchant offer and history load the chain libraries only when called, so a
// checkout without compiled contracts (typechain-types/) can still train and score.
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import type { DecisionTerms } from "../src/core/terms.ts";
import { money, percent } from "../src/format/money.ts";
import { startProgress } from "../src/util/progress.ts";
import {
  applicantRow,
  assess,
  assessMerchant,
  compareToReference,
  DEFAULT_BINNING,
  DEFAULT_MERCHANT_POLICY,
  DEFAULT_POLICY,
  DEFAULT_SCALING,
  loadDataset,
  MERCHANT_TRAINING,
  MERCHANT_TYPES,
  merchantCsv,
  merchantHistoryToJson,
  merchantOutcome,
  merchantReport,
  merchantReportJson,
  parseCsv,
  parseHistory,
  parseMerchantHistory,
  parseMerchantPolicy,
  parseModel,
  parsePolicy,
  parseTypeOverrides,
  PSI_WARN,
  PSI_WATCH,
  scoreApplicant,
  simulateMerchants,
  syntheticCreditCsv,
  trainFile,
  writeTrainingOutput,
  type Assessment,
  type BinningOptions,
  type CreditHistory,
  type DriftReport,
  type EncodingKind,
  type Family,
  type MerchantAssessment,
  type MerchantHistory,
  type MerchantPolicy,
  type MerchantReport,
  type ModelArtifact,
  type Policy,
  type TrainReport,
} from "../src/risk/index.ts";

const MERCHANT_HELP: Record<string, string> = {
  simulate: `npm run risk -- merchant simulate --out <file.csv> [--count 4000] [--seed 1]
      [--histories <file.json>]
    Writes simulated merchants (seven kinds, seeded; the same options give the same bytes) as the CSV merchant train
    reads: id, type, the model's features, outcome (default or repaid, from a one-month loan run against the
    merchant's future sales) and loss. --histories also writes their sales histories as the JSON assess reads.`,
  train: `npm run risk -- merchant train --data <merchants.csv> --out <dir>
      [any train option except --target, --bad, --exclude and --types]
    The train command with the merchant CSV's target (outcome = default), exclusions (id, type, loss) and column
    types filled in: the same pipeline, the same model.json and report.json.`,
  assess: `npm run risk -- merchant assess --model <dir|dir/model.json> --input <history.json>
      [--policy merchant-policy.json] [--json]
    Features, probability of default, decision, limit, APR and reasons for one merchant history or an array of them
    (money as decimal strings of base units).`,
  report: `npm run risk -- merchant report --model <dir|dir/model.json> [--count 2000] [--seed 2]
      [--policy merchant-policy.json] [--json]
    Simulates merchants the model has not seen (use a seed other than the training data's), assesses them, runs each
    approved merchant's loan at its limit against its future sales, and prints approval, limit, PD, default and loss
    by kind of merchant.`,
  offer: `npm run risk -- merchant offer --model <dir|dir/model.json> --input <history.json> --owner <address>
      --offers <address> --ledger <address> --chain-id <id> --key <hex private key>
      [--nonce N] [--expiry-seconds 86400] [--policy merchant-policy.json]
    Assesses one merchant and prints the EIP-712 credit offer for its owner key, signed by --key, as JSON: the same
    offer and signing as offer, with the limit, APR and products of the merchant policy (the key may come from
    MICROCREDIT_OFFER_KEY instead of --key).`,
};

const HELP: Record<string, string> = {
  train: `npm run risk -- train --data <file.csv|file.arff> --target <column> --bad <label> --out <dir>
      [--types col=numeric,col2=categorical] [--exclude a,b] [--seed 42] [--folds 5]
      [--families scorecard,gbt,blend] [--encodings woe,onehot,bins] [--lambdas 1,3,10]
      [--depths 2,3] [--trees 25,50,75,100,150,225,300]
      [--binning maxBins=20,minBinFraction=0.05,minLevelFraction=0.02,monotone=true]
      [--base-score 600] [--base-odds 50] [--pdo 20] [--force]
    Picks a model among the families by cross-validation, measures it by nested CV, calibrates it
    and writes <dir>/model.json and <dir>/report.json. The defaults need no per-dataset option.
    Types not declared by the file or --types are inferred and listed as a warning; a column of
    numbers with stray text is refused until --types says which it is. No model is written when
    its cross-validated AUC is below 0.55, unless --force.`,
  score: `npm run risk -- score --model <dir|dir/model.json> --input <applicants.json|applicants.csv>
      [--policy policy.json] [--history histories.json] [--json]
    Scores applicants: probability of bad, score, decision, limit, APR, products and reasons.`,
  monitor: `npm run risk -- monitor --model <dir|dir/model.json> --data <batch.csv|batch.arff> [--json] [--fail-on-drift]
    Compares a batch of applicants with the training population: population stability index (PSI)
    per feature and for the score; PSI above ${PSI_WARN} is a warning (exit code 3 with --fail-on-drift).`,
  synth: `npm run risk -- synth --out <file.csv> [--rows 4454] [--seed 1] [--shift 0]
    Writes synthetic applicants shaped like the "credit scoring" data (target Status, bad label bad);
    --shift moves the population (older, richer, larger loans) to exercise drift monitoring.`,
  offer: `npm run risk -- offer --model <dir/model.json> --input <applicant.json> --borrower <address>
      --offers <address> --ledger <address> --chain-id <id> --key <hex private key>
      [--nonce N] [--expiry-seconds 86400] [--policy policy.json] [--history history.json] [--refer-approved]
    Scores one applicant and prints the EIP-712 credit offer signed by --key as JSON (offline; the key
    may come from MICROCREDIT_OFFER_KEY instead of --key, which keeps it out of the shell history).`,
  history: `npm run risk -- history --borrower <address> [--ledger <address>] [--lens <address>] [--rpc <url>]
      [--network <name>]
    Reads the borrower's on-chain repayment record and prints it as the JSON --history takes.
    --rpc defaults to MICROCREDIT_RPC, else http://127.0.0.1:8545; --network is one of localhost,
    sepolia, baseSepolia (the URL from MICROCREDIT_RPC, SEPOLIA_RPC_URL, BASE_SEPOLIA_RPC_URL unless
    --rpc), and the node must be that chain; --ledger defaults to the chain's Ignition deployment, and
    --lens (its CreditLens) to the deployment's for that ledger, else the record is read through the
    ledger's extView.`,
  merchant: Object.values(MERCHANT_HELP).join("\n\n  "),
};

const USAGE = `usage:
${Object.values(HELP)
  .map((h) => `  ${h}`)
  .join("\n\n")}

Protected attributes (personal_status, foreign_worker and any column named like
sex/gender/race/nationality/foreign/marital/religion) are always excluded from scoring.`;

/** True when a subcommand was asked for its usage; the usage is printed. */
function helpAsked(command: string, argv: string[], help: Record<string, string> = HELP): boolean {
  if (!argv.includes("--help") && !argv.includes("-h")) return false;
  console.log(`usage:\n  ${help[command]}`);
  return true;
}

function list(s: string | undefined): string[] | undefined {
  return s === undefined
    ? undefined
    : s
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x !== "");
}

function num(s: string | undefined, name: string): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (s.trim() === "" || !Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${s}`);
  return n;
}

/** `maxBins=20,monotone=false`: overrides on top of the default binning. */
function parseBinning(spec: string | undefined): BinningOptions {
  const out: BinningOptions = { ...DEFAULT_BINNING };
  for (const part of list(spec) ?? []) {
    const [key, value] = part.split("=").map((x) => x.trim());
    if (key === "monotone" && (value === "true" || value === "false")) out.monotone = value === "true";
    else if (key === "maxBins" || key === "minBinFraction" || key === "minLevelFraction")
      out[key] = num(value, "binning") as number;
    else throw new Error(`bad --binning entry ${part}`);
  }
  return out;
}

/** Below this nested cross-validated AUC, `train` writes no model unless `--force`: it ranks little better than chance. */
const MIN_AUC = 0.55;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(7);
const f4 = (x: number) => x.toFixed(4);

function printSummary(report: TrainReport): void {
  const r = report;
  console.log("");
  console.log(`model ${r.modelVersion}`);
  console.log(`data  ${r.data.name} sha256 ${r.data.sha256}`);
  console.log(
    `rows  ${r.rows.total} total, ${r.rows.used} used, ${r.rows.withMissing} with missing values ` +
      `(${r.rows.missingCells} cells), ${r.rows.droppedMissingTarget} without a target`,
  );
  for (const e of r.excluded) console.log(`excluded ${e.column}: ${e.reason}`);
  const inferred = Object.entries(r.inferredTypes);
  if (inferred.length > 0) {
    console.log(
      `warning: types inferred from the values, not declared: ${inferred.map(([c, t]) => `${c}=${t}`).join(", ")} ` +
        "(declare them with --types to be sure)",
    );
  }
  for (const [col, dir] of Object.entries(r.monotone))
    console.log(`monotone ${col}: ${dir} as the value grows`);
  console.log(`\nchosen ${r.chosen.name}: ${r.chosen.why}`);
  console.log(
    `${r.folds}-fold nested CV AUC ${f4(r.auc)} ± ${f4(r.aucStd)} (seed ${r.seed}), KS ${f4(r.ks)}, Brier ${f4(r.brier)} (before calibration ${f4(r.brierRaw)})`,
  );
  console.log("\nfamilies (nested CV: best of the family picked inside every outer fold)");
  console.log("  family      AUC      ± std    KS       Brier raw  Brier calibrated");
  for (const [name, f] of Object.entries(r.families)) {
    console.log(
      `  ${name.padEnd(10)}  ${f4(f.auc)}  ${f4(f.aucStd)}  ${f4(f.ks)}   ${f4(f.brierRaw)}     ${f4(f.brier)}`,
    );
  }
  console.log("\ncalibration (out-of-fold deciles of calibrated P(bad))");
  console.log("  bin  count  predicted  observed");
  for (const b of r.calibration) {
    console.log(
      `  ${String(b.bin).padStart(3)}  ${String(b.count).padStart(5)}  ${pct(b.meanPredicted)}    ${pct(b.observedBadRate)}`,
    );
  }
  console.log("\ncut-offs (out-of-fold scores: approve when score >= cut-off)");
  console.log("  cutoff  approved  bad rate among approved");
  for (const c of r.cutoffs) {
    const bad = c.badRateApproved === null ? "      -" : pct(c.badRateApproved);
    console.log(`  ${String(c.cutoff).padStart(6)}  ${pct(c.approvalRate)}   ${bad}`);
  }
  console.log(`\nfairness (out-of-fold decisions under policy ${r.fairness.policy})`);
  for (const t of r.fairness.tables) {
    console.log(
      `  ${t.attribute} (${t.note}): approval gap ${pct(t.approvalGap).trim()}, ratio ${t.approvalRatio.toFixed(2)}, average-limit gap ${t.limitGap.toFixed(0)} tokens`,
    );
    for (const g of t.groups) {
      console.log(
        `    ${g.group.padEnd(22)} ${String(g.applicants).padStart(5)} applicants  approved ${pct(g.approvalRate)}  average limit ${g.averageLimit.toFixed(0).padStart(6)}  bad rate ${pct(g.badRate)}${g.small ? "  (small group)" : ""}`,
      );
    }
  }
}

function runTrain(argv: string[]): void {
  if (helpAsked("train", argv)) return;
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: "string" },
      target: { type: "string" },
      bad: { type: "string" },
      out: { type: "string" },
      types: { type: "string" },
      exclude: { type: "string" },
      seed: { type: "string" },
      folds: { type: "string" },
      families: { type: "string" },
      encodings: { type: "string" },
      lambdas: { type: "string" },
      depths: { type: "string" },
      trees: { type: "string" },
      binning: { type: "string" },
      "base-score": { type: "string" },
      "base-odds": { type: "string" },
      pdo: { type: "string" },
      force: { type: "boolean" },
    },
  });
  if (!values.data || !values.target || values.bad === undefined || !values.out) {
    throw new Error("train needs --data, --target, --bad and --out (see train --help)");
  }
  const start = Date.now();
  const encodings = list(values.encodings);
  for (const e of encodings ?? []) {
    if (!["woe", "bins", "onehot"].includes(e)) throw new Error(`unknown encoding ${e}`);
  }
  const families = list(values.families);
  for (const f of families ?? []) {
    if (!["scorecard", "gbt", "blend"].includes(f))
      throw new Error(`unknown model family ${f} (scorecard, gbt or blend)`);
  }
  const bar = startProgress("cross-validations", 1);
  let result: ReturnType<typeof trainFile>;
  try {
    result = trainFile(values.data, {
      target: values.target,
      bad: values.bad,
      types: parseTypeOverrides(values.types),
      exclude: list(values.exclude),
      seed: num(values.seed, "seed"),
      folds: num(values.folds, "folds"),
      families: families as Family[] | undefined,
      encodings: encodings as EncodingKind[] | undefined,
      lambdas: list(values.lambdas)?.map((l) => num(l, "lambdas") as number),
      depths: list(values.depths)?.map((d) => num(d, "depths") as number),
      treeCounts: list(values.trees)?.map((t) => num(t, "trees") as number),
      binning: parseBinning(values.binning),
      scaling: {
        baseScore: num(values["base-score"], "base-score") ?? DEFAULT_SCALING.baseScore,
        baseOdds: num(values["base-odds"], "base-odds") ?? DEFAULT_SCALING.baseOdds,
        pdo: num(values.pdo, "pdo") ?? DEFAULT_SCALING.pdo,
      },
      onProgress: (line) => bar.log(`[${((Date.now() - start) / 1000).toFixed(1).padStart(5)}s] ${line}`),
      onStep: (done, total) => bar.update(done, total),
    });
  } finally {
    bar.stop();
  }
  printSummary(result.report);
  if (result.report.auc < MIN_AUC && !values.force) {
    throw new Error(
      `no model written: its cross-validated AUC ${f4(result.report.auc)} is below ${MIN_AUC} (close to chance, ` +
        "0.5); check the target, --bad and the column types, or pass --force to write it anyway",
    );
  }
  const files = writeTrainingOutput(values.out, result);
  console.log(`\nwrote ${files.model} and ${files.report} in ${((Date.now() - start) / 1000).toFixed(1)} s`);
}

/** Reads a file for `parse`, naming the file in any error. */
function readWith<T>(path: string, parse: (text: string) => T): T {
  try {
    return parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A model file, or the directory `train --out` wrote it to. */
function readModel(path: string): ModelArtifact {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, "model.json");
  } catch {
    throw new Error(`${path}: no such file or directory`);
  }
  return readWith(file, parseModel);
}

function readApplicants(path: string): Record<string, unknown>[] {
  const text = readWith(path, (t) => t);
  if (path.toLowerCase().endsWith(".csv")) {
    const ds = parseCsv(text, path);
    return ds.rows.map((r) => Object.fromEntries(ds.columns.map((c, j) => [c, r[j]])));
  }
  const parsed = readWith(path, () => JSON.parse(text) as unknown);
  const list = Array.isArray(parsed) ? parsed : [parsed];
  for (const a of list) {
    if (a === null || typeof a !== "object" || Array.isArray(a))
      throw new Error(`${path}: every applicant must be a JSON object`);
  }
  return list as Record<string, unknown>[];
}

function readHistories(path: string | undefined, count: number): (CreditHistory | undefined)[] {
  if (!path) return new Array(count).fill(undefined);
  const raw = readWith(path, (t) => JSON.parse(t) as unknown);
  if (!Array.isArray(raw) || raw.length !== count) {
    throw new Error(
      `${path}: expected an array of ${count} history records (null for none), one per applicant`,
    );
  }
  return raw.map((h) => (h === null ? undefined : parseHistory(h as Record<string, unknown>)));
}

async function runHistory(argv: string[]): Promise<void> {
  if (helpAsked("history", argv)) return;
  const { connectOrExit, NODE_OPTIONS, resolveOrExit } = await import("./cli-support.ts");
  const { values } = parseArgs({
    args: argv,
    options: {
      ledger: { type: "string" },
      lens: { type: "string" },
      borrower: { type: "string" },
      ...NODE_OPTIONS,
    },
  });
  if (!values.borrower) throw new Error("history needs --borrower");
  const target = resolveOrExit("risk", values);
  const { historyToJson, readCreditHistory } = await import("../src/sdk/history.ts");
  const { deployedAddresses } = await import("../src/monitor/addresses.ts");
  let bindings: typeof import("../src/chain/lens.ts");
  try {
    bindings = await import("../src/chain/lens.ts");
  } catch {
    throw new Error("history needs the contract bindings in typechain-types/: run npm run build first");
  }
  const { provider, chainId } = await connectOrExit("risk", target);
  try {
    const deployed = deployedAddresses(chainId, target.url);
    const address = values.ledger ?? deployed.ledger;
    if (!address) throw new Error(`no --ledger and no Microcredit#CreditLedger in ${deployed.file}`);
    const lens =
      values.lens ?? (address.toLowerCase() === deployed.ledger?.toLowerCase() ? deployed.lens : undefined);
    const reads = bindings.lensReads({ ledger: address, lens }, provider);
    console.log(JSON.stringify(historyToJson(await readCreditHistory(reads, values.borrower)), null, 2));
  } finally {
    provider.destroy();
  }
}

function describe(a: Assessment, policy: Policy, label: string): string {
  const { symbol, decimals } = policy.token;
  const lines = [
    `${label}: score ${a.score}  P(bad) ${a.probabilityOfBad.toFixed(3)}  ${a.decision.toUpperCase()}` +
      (a.tier ? ` (tier ${a.tier})` : ""),
    `  limit ${money(a.limit, decimals)} ${symbol}  APR ${a.aprBps === null ? "-" : percent(a.aprBps)}` +
      `  products ${a.products.length ? a.products.map((id) => `${id} (${policy.products.find((p) => p.id === id)?.name})`).join(", ") : "-"}`,
  ];
  for (const r of a.reasons) lines.push(`  reason: ${r.text}`);
  if (a.missing.length) lines.push(`  missing: ${a.missing.join(", ")}`);
  if (a.unreadable.length)
    lines.push(`  scored as least favourable (never seen in training): ${a.unreadable.join(", ")}`);
  for (const n of a.notes) lines.push(`  ${n}`);
  return lines.join("\n");
}

function runScore(argv: string[]): void {
  if (helpAsked("score", argv)) return;
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string" },
      input: { type: "string" },
      policy: { type: "string" },
      history: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  if (!values.model || !values.input) throw new Error("score needs --model and --input (see score --help)");
  const model = readModel(values.model);
  const policy = values.policy ? readWith(values.policy, parsePolicy) : DEFAULT_POLICY;
  const applicants = readApplicants(values.input);
  const histories = readHistories(values.history, applicants.length);
  const results = applicants.map((a, i) => assess(model, a, policy, histories[i]));
  if (values.json) {
    // bigint limits become decimal strings of base units.
    console.log(JSON.stringify(results, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2));
    return;
  }
  console.log(
    `model ${model.modelVersion} (${model.family})\npolicy ${policy.version} ${results[0]?.policyHash ?? ""}`,
  );
  results.forEach((r, i) => {
    const id = applicants[i].id;
    console.log(
      describe(r, policy, `applicant ${typeof id === "string" || typeof id === "number" ? id : i + 1}`),
    );
  });
}

function printDrift(report: DriftReport): void {
  console.log(
    `batch of ${report.rows} applicants against the training population (PSI: < ${PSI_WATCH} stable, ${PSI_WATCH}–${PSI_WARN} watch, > ${PSI_WARN} warn)`,
  );
  console.log("  name                    PSI     level");
  for (const r of [...report.features, report.score])
    console.log(`  ${r.name.padEnd(22)}  ${r.psi.toFixed(4)}  ${r.level}`);
  for (const name of report.warnings) {
    const r =
      name === "score"
        ? report.score
        : (report.features.find((f) => f.name === name) as DriftReport["score"]);
    const moved = r.bins
      .slice()
      .sort((a, b) => Math.abs(b.actual - b.expected) - Math.abs(a.actual - a.expected))[0];
    console.log(
      `WARNING: ${name} has drifted (PSI ${r.psi.toFixed(3)} > ${PSI_WARN}); largest move in bin ${moved.label}: ${pct(moved.expected).trim()} in training, ${pct(moved.actual).trim()} now`,
    );
  }
  if (report.warnings.length === 0) console.log("no feature or score above the warning level");
}

function runMonitor(argv: string[]): void {
  if (helpAsked("monitor", argv)) return;
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string" },
      data: { type: "string" },
      json: { type: "boolean", default: false },
      "fail-on-drift": { type: "boolean", default: false },
    },
  });
  if (!values.model || !values.data) throw new Error("monitor needs --model and --data (see monitor --help)");
  const model = readModel(values.model);
  const ds = loadDataset(values.data);
  const missing = model.features.filter((f) => !ds.columns.includes(f.name)).map((f) => f.name);
  if (missing.length) throw new Error(`${values.data} lacks the model's columns ${missing.join(", ")}`);
  const applicants = ds.rows.map((r) => Object.fromEntries(ds.columns.map((c, j) => [c, r[j]])));
  const rows = applicants.map((a) => applicantRow(model, a));
  const scores = applicants.map((a) => scoreApplicant(model, a).score);
  const report = compareToReference(model.reference, rows, scores);
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else printDrift(report);
  if (values["fail-on-drift"] && report.warnings.length > 0) process.exitCode = 3;
}

function runSynth(argv: string[]): void {
  if (helpAsked("synth", argv)) return;
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      rows: { type: "string" },
      seed: { type: "string" },
      shift: { type: "string" },
    },
  });
  if (!values.out) throw new Error("synth needs --out (see synth --help)");
  const rows = num(values.rows, "rows") ?? 4454;
  const seed = num(values.seed, "seed") ?? 1;
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`--rows must be a positive integer, got ${rows}`);
  if (!Number.isInteger(seed) || seed < 0)
    throw new Error(`--seed must be a non-negative integer, got ${seed}`);
  writeFileSync(values.out, syntheticCreditCsv({ rows, seed, shift: num(values.shift, "shift") ?? 0 }));
  console.log(`wrote ${rows} synthetic applicants to ${values.out} (target Status, bad label bad)`);
}

function integer(s: string | undefined, name: string, fallback?: bigint): bigint {
  if (s === undefined) {
    if (fallback === undefined) throw new Error(`offer needs --${name}`);
    return fallback;
  }
  if (!/^\d+$/.test(s.trim())) throw new Error(`--${name} must be a non-negative integer, got ${s}`);
  return BigInt(s.trim());
}

/** The flags every signed offer takes, beside what it is an offer for. */
const OFFER_FLAGS = {
  offers: { type: "string" },
  ledger: { type: "string" },
  "chain-id": { type: "string" },
  key: { type: "string" },
  nonce: { type: "string" },
  "expiry-seconds": { type: "string" },
} as const;

type OfferFlags = { [K in keyof typeof OFFER_FLAGS]?: string };

/** The underwriter key, chain, nonce and expiry of an offer, read before any model is: a bad flag fails first. */
async function offerSigner(flags: OfferFlags, key: string) {
  const { Wallet } = await import("ethers");
  const chainId = integer(flags["chain-id"], "chain-id");
  const nonce = integer(flags.nonce, "nonce", 0n);
  const expiry =
    BigInt(Math.floor(Date.now() / 1000)) + integer(flags["expiry-seconds"], "expiry-seconds", 86_400n);
  let signer: InstanceType<typeof Wallet>;
  try {
    signer = new Wallet(key.startsWith("0x") ? key : `0x${key}`);
  } catch {
    throw new Error("--key must be a 32-byte hex private key");
  }
  return { signer, chainId, nonce, expiry, offers: flags.offers as string, ledger: flags.ledger as string };
}

/** decision → offer → EIP-712 signature: the one path every offer this CLI prints takes; no RPC. */
async function signedOffer(
  s: Awaited<ReturnType<typeof offerSigner>>,
  terms: DecisionTerms,
  borrower: string,
  modelVersion: string,
  referApproved: boolean,
) {
  const { offerDigest, offerFromDecision, offersDomain, signOffer, toJson } =
    await import("../src/sdk/offers.ts");
  const offer = offerFromDecision(terms, borrower, s.ledger, s.nonce, s.expiry, modelVersion, {
    referApproved,
  });
  const signature = await signOffer(s.signer, s.offers, s.chainId, offer);
  const domain = offersDomain(s.offers, s.chainId);
  return {
    domain: { ...domain, chainId: s.chainId.toString() },
    offer: toJson(offer),
    digest: offerDigest(s.offers, s.chainId, offer),
    signer: s.signer.address,
    signature,
  };
}

/** decision → offer → EIP-712 signature, for one applicant; no RPC. */
async function runOffer(argv: string[]): Promise<void> {
  if (helpAsked("offer", argv)) return;
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string" },
      input: { type: "string" },
      policy: { type: "string" },
      history: { type: "string" },
      borrower: { type: "string" },
      ...OFFER_FLAGS,
      "refer-approved": { type: "boolean", default: false },
    },
  });
  const key = values.key ?? process.env.MICROCREDIT_OFFER_KEY;
  if (!values.model || !values.input || !values.borrower || !values.offers || !values.ledger || !key) {
    throw new Error("offer needs --model, --input, --borrower, --offers, --ledger, --chain-id and --key");
  }
  const signer = await offerSigner(values, key);
  const model = readModel(values.model);
  const policy = values.policy ? readWith(values.policy, parsePolicy) : DEFAULT_POLICY;
  const applicants = readApplicants(values.input);
  if (applicants.length !== 1)
    throw new Error(`${values.input}: offer takes exactly one applicant, found ${applicants.length}`);
  const [history] = readHistories(values.history, 1);
  const a = assess(model, applicants[0], policy, history);
  const signed = await signedOffer(signer, a, values.borrower, a.modelVersion, values["refer-approved"]);
  console.log(JSON.stringify({ assessment: offerAssessment({ score: a.score }, a), ...signed }, null, 2));
}

/** The assessment an `offer` prints beside the signed offer: `head` (the score or the PD), then the decision. */
function offerAssessment(
  head: Record<string, unknown>,
  a: {
    decision: string;
    tier: unknown;
    limit: bigint;
    aprBps: number | null;
    products: unknown;
    notes: unknown;
    modelVersion: string;
    policyVersion: string;
    policyHash: string;
  },
) {
  return {
    ...head,
    decision: a.decision,
    tier: a.tier,
    limit: a.limit.toString(),
    aprBps: a.aprBps,
    products: a.products,
    notes: a.notes,
    modelVersion: a.modelVersion,
    policyVersion: a.policyVersion,
    policyHash: a.policyHash,
  };
}

// Merchant model (docs/RISK.md, "Merchant model"): simulate → train → assess, report and offer.

function positiveInteger(s: string | undefined, name: string, fallback: number): number {
  const n = num(s, name) ?? fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${s}`);
  return n;
}

function seedFlag(s: string | undefined, fallback: number): number {
  const n = num(s, "seed") ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new Error(`--seed must be an integer in [0, 2^32), got ${s}`);
  return n;
}

function readMerchantPolicy(path: string | undefined): MerchantPolicy {
  return path ? readWith(path, parseMerchantPolicy) : DEFAULT_MERCHANT_POLICY;
}

/** One history or an array of them, each with an optional `id` label. */
function readMerchantHistories(path: string): { id: string; history: MerchantHistory }[] {
  const parsed = readWith(path, (t) => JSON.parse(t) as unknown);
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length === 0) throw new Error(`${path}: no merchant history in the file`);
  return list.map((raw, i) => {
    const label = list.length > 1 ? `merchant ${i + 1}` : null;
    let history: MerchantHistory;
    try {
      history = parseMerchantHistory(raw);
    } catch (e) {
      throw new Error(`${path}: ${label ? `${label}: ` : ""}${e instanceof Error ? e.message : String(e)}`);
    }
    const id = (raw as { id?: unknown }).id;
    return { id: typeof id === "string" || typeof id === "number" ? String(id) : (label ?? path), history };
  });
}

const toJsonText = (value: unknown) =>
  JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2);

function runMerchantSimulate(argv: string[]): void {
  if (helpAsked("simulate", argv, MERCHANT_HELP)) return;
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      count: { type: "string" },
      seed: { type: "string" },
      histories: { type: "string" },
    },
  });
  if (!values.out) throw new Error("merchant simulate needs --out (see merchant simulate --help)");
  const count = positiveInteger(values.count, "count", 4000);
  const seed = seedFlag(values.seed, 1);
  const merchants = simulateMerchants({ count, seed });
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, merchantCsv(merchants));
  console.log(
    `wrote ${count} simulated merchants (seed ${seed}) to ${values.out} (target outcome, bad label default)`,
  );
  if (values.histories) {
    mkdirSync(dirname(values.histories), { recursive: true });
    const json = merchants.map((m) => ({ id: m.id, ...merchantHistoryToJson(m.history) }));
    writeFileSync(values.histories, JSON.stringify(json, null, 2) + "\n");
    console.log(`wrote their sales histories to ${values.histories}`);
  }
  console.log("  type          merchants  default of a one-month loan");
  for (const type of MERCHANT_TYPES) {
    const group = merchants.filter((m) => m.type === type);
    const bad = group.filter((m) => merchantOutcome(m).defaulted).length;
    console.log(
      `  ${type.padEnd(12)}  ${String(group.length).padStart(9)}  ${pct(group.length ? bad / group.length : 0)}`,
    );
  }
}

function runMerchantTrain(argv: string[]): void {
  if (helpAsked("train", argv, MERCHANT_HELP)) return;
  const preset = ["--target", "--bad", "--exclude", "--types"].find((f) =>
    argv.some((a) => a === f || a.startsWith(`${f}=`)),
  );
  if (preset) throw new Error(`merchant train sets ${preset} itself; use train for other targets or columns`);
  const { target, bad, exclude, types } = MERCHANT_TRAINING;
  const typeFlag = Object.entries(types)
    .map(([c, t]) => `${c}=${t}`)
    .join(",");
  runTrain(["--target", target, "--bad", bad, "--exclude", exclude.join(","), "--types", typeFlag, ...argv]);
}

function describeMerchant(label: string, a: MerchantAssessment, policy: MerchantPolicy): string {
  const { symbol, decimals } = policy.token;
  const f = a.features;
  const ratio = (x: number | null) => (x === null ? "-" : x.toFixed(2));
  const share = (x: number | null) => (x === null ? "-" : pct(x).trim());
  const apr = a.aprBps === null ? "-" : percent(a.aprBps);
  const lines = [
    `${label}: P(default) ${a.probabilityOfDefault.toFixed(3)}  ${a.decision.toUpperCase()}` +
      (a.tier ? ` (tier ${a.tier})` : ""),
    `  limit ${money(a.limit, decimals)} ${symbol}  APR ${apr}  products ${a.products.join(", ") || "-"}`,
    `  month ${money(f.recentVolume, decimals)} ${symbol} (last 3 windows), ` +
      `${money(f.averageVolume, decimals)} (last ${f.windows})  trend ${ratio(f.trend)}`,
    `  volatility ${ratio(f.volatility)}  refunds ${share(f.refundRate)}  active days ${share(f.activeDays)}` +
      `  tenure ${f.tenureDays} days  earlier loans ${f.loansRepaid} repaid, ${f.loansLate} late, ` +
      `${f.loansDefaulted} written off`,
  ];
  for (const r of a.reasons) lines.push(`  reason: ${r.text}`);
  for (const n of a.notes) lines.push(`  ${n}`);
  return lines.join("\n");
}

function runMerchantAssess(argv: string[]): void {
  if (helpAsked("assess", argv, MERCHANT_HELP)) return;
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string" },
      input: { type: "string" },
      policy: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  if (!values.model || !values.input)
    throw new Error("merchant assess needs --model and --input (see merchant assess --help)");
  const model = readModel(values.model);
  const policy = readMerchantPolicy(values.policy);
  const merchants = readMerchantHistories(values.input);
  const results = merchants.map((m) => ({ id: m.id, ...assessMerchant(model, m.history, policy) }));
  if (values.json) {
    console.log(toJsonText(results));
    return;
  }
  console.log(
    `model ${model.modelVersion} (${model.family})\nmerchant policy ${policy.version} ${results[0].policyHash}`,
  );
  for (const r of results) console.log(describeMerchant(r.id, r, policy));
}

/** The report's table: one row per kind of merchant and one for all, each column as wide as its heading. */
function printMerchantReport(r: MerchantReport): void {
  const share = (x: number | null) => (x === null ? "-" : `${(100 * x).toFixed(1)}%`);
  console.log(`${r.count} simulated merchants (seed ${r.seed})`);
  if (!r.holdout) console.log("WARNING: these are the model's own training merchants, not a holdout");
  console.log(`model ${r.modelVersion}\nmerchant policy ${r.policyVersion} ${r.policyHash}`);
  console.log(`AUC of the PD against the 1-month loan's outcome: ${r.auc === null ? "-" : f4(r.auc)}\n`);
  const headings = [
    "merchants",
    "approved",
    "limit ÷ month",
    "PD",
    "1-month default",
    "default at limit",
    "loss at limit",
  ];
  const widths = headings.map((h) => Math.max(h.length, 6));
  console.log(`  ${"type".padEnd(12)}${headings.map((h, i) => `  ${h.padStart(widths[i])}`).join("")}`);
  for (const t of [...r.types, r.total]) {
    const cells = [
      String(t.merchants),
      share(t.approvalRate),
      t.limitMultiple === null ? "-" : t.limitMultiple.toFixed(2),
      share(t.pd),
      share(t.trainingLoanDefaultRate),
      share(t.defaultRate),
      share(t.lossRate),
    ];
    console.log(`  ${t.type.padEnd(12)}${cells.map((c, i) => `  ${c.padStart(widths[i])}`).join("")}`);
  }
  console.log(
    `\nlent ${money(r.total.lent)} tokens to ${r.total.approved} merchants, lost ${money(r.total.lost)}`,
  );
  console.log("limit ÷ month: limit over the 12-window average month");
  console.log("PD, 1-month default: a loan of one average month, predicted and realised");
  console.log("default, loss at limit: the loan the policy granted, over the approved");
}

function runMerchantReport(argv: string[]): void {
  if (helpAsked("report", argv, MERCHANT_HELP)) return;
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string" },
      count: { type: "string" },
      seed: { type: "string" },
      policy: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  if (!values.model) throw new Error("merchant report needs --model (see merchant report --help)");
  const count = positiveInteger(values.count, "count", 2000);
  const seed = seedFlag(values.seed, 2);
  const model = readModel(values.model);
  const policy = readMerchantPolicy(values.policy);
  const report = merchantReport(model, simulateMerchants({ count, seed }), seed, policy);
  if (values.json) console.log(merchantReportJson(report).trimEnd());
  else printMerchantReport(report);
}

/** merchant history → merchant policy decision → the same signed offer as `offer`, for the merchant's owner key. */
async function runMerchantOffer(argv: string[]): Promise<void> {
  if (helpAsked("offer", argv, MERCHANT_HELP)) return;
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string" },
      input: { type: "string" },
      policy: { type: "string" },
      owner: { type: "string" },
      ...OFFER_FLAGS,
    },
  });
  const key = values.key ?? process.env.MICROCREDIT_OFFER_KEY;
  if (!values.model || !values.input || !values.owner || !values.offers || !values.ledger || !key) {
    throw new Error(
      "merchant offer needs --model, --input, --owner, --offers, --ledger, --chain-id and --key",
    );
  }
  const signer = await offerSigner(values, key);
  const model = readModel(values.model);
  const policy = readMerchantPolicy(values.policy);
  const merchants = readMerchantHistories(values.input);
  if (merchants.length !== 1)
    throw new Error(`${values.input}: merchant offer takes exactly one history, found ${merchants.length}`);
  const a = assessMerchant(model, merchants[0].history, policy);
  const signed = await signedOffer(signer, a, values.owner, a.modelVersion, false);
  const assessment = offerAssessment({ probabilityOfDefault: a.probabilityOfDefault }, a);
  console.log(JSON.stringify({ assessment, ...signed }, null, 2));
}

async function runMerchant(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === "simulate") runMerchantSimulate(rest);
  else if (command === "train") runMerchantTrain(rest);
  else if (command === "assess") runMerchantAssess(rest);
  else if (command === "report") runMerchantReport(rest);
  else if (command === "offer") await runMerchantOffer(rest);
  else {
    console.log(`usage:\n  ${HELP.merchant}`);
    if (command !== undefined && command !== "help" && command !== "--help" && command !== "-h") {
      console.error(`risk: unknown merchant command ${command}`);
      process.exitCode = 2;
    }
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === "train") runTrain(rest);
  else if (command === "score") runScore(rest);
  else if (command === "monitor") runMonitor(rest);
  else if (command === "synth") runSynth(rest);
  else if (command === "offer") await runOffer(rest);
  else if (command === "history") await runHistory(rest);
  else if (command === "merchant") await runMerchant(rest);
  else {
    console.log(USAGE);
    if (command !== undefined && command !== "help" && command !== "--help" && command !== "-h") {
      console.error(`risk: unknown command ${command}`);
      process.exitCode = 2;
    }
  }
}

// One readable line per failure: the people running this need the reason, not a stack trace.
main().catch((e: unknown) => {
  console.error(`risk: ${(e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, " ")}`);
  process.exitCode = 1;
});
