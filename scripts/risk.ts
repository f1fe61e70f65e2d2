// Risk engine CLI (docs/RISK.md): train, score, monitor and synth work offline from files; offer
// and history load the chain libraries only when called, so a checkout without compiled
// contracts (typechain-types/) can still train and score.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { money, percent } from "../src/format/money.ts";
import { startProgress } from "../src/util/progress.ts";
import {
  applicantRow,
  assess,
  compareToReference,
  DEFAULT_BINNING,
  DEFAULT_POLICY,
  DEFAULT_SCALING,
  loadDataset,
  parseCsv,
  parseHistory,
  parseModel,
  parsePolicy,
  parseTypeOverrides,
  PSI_WARN,
  PSI_WATCH,
  scoreApplicant,
  syntheticCreditCsv,
  trainFile,
  writeTrainingOutput,
  type Assessment,
  type BinningOptions,
  type CreditHistory,
  type DriftReport,
  type EncodingKind,
  type Family,
  type ModelArtifact,
  type Policy,
  type TrainReport,
} from "../src/risk/index.ts";

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
  history: `npm run risk -- history --borrower <address> [--ledger <address>] [--rpc <url>] [--network <name>]
    Reads the borrower's on-chain repayment record and prints it as the JSON --history takes.
    --rpc defaults to MICROCREDIT_RPC, else http://127.0.0.1:8545; --network is one of localhost,
    sepolia, baseSepolia (the URL from MICROCREDIT_RPC, SEPOLIA_RPC_URL, BASE_SEPOLIA_RPC_URL unless
    --rpc), and the node must be that chain; --ledger defaults to the chain's Ignition deployment.`,
};

const USAGE = `usage:
${Object.values(HELP)
  .map((h) => `  ${h}`)
  .join("\n\n")}

Protected attributes (personal_status, foreign_worker and any column named like
sex/gender/race/nationality/foreign/marital/religion) are always excluded from scoring.`;

/** True when a subcommand was asked for its usage; the usage is printed. */
function helpAsked(command: string, argv: string[]): boolean {
  if (!argv.includes("--help") && !argv.includes("-h")) return false;
  console.log(`usage:\n  ${HELP[command]}`);
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
    options: { ledger: { type: "string" }, borrower: { type: "string" }, ...NODE_OPTIONS },
  });
  if (!values.borrower) throw new Error("history needs --borrower");
  const target = resolveOrExit("risk", values);
  const { historyToJson, readCreditHistory } = await import("../src/sdk/history.ts");
  const { deployedAddresses } = await import("../src/monitor/addresses.ts");
  let factory: typeof import("../typechain-types/factories/CreditLedger__factory.ts");
  try {
    factory = await import("../typechain-types/factories/CreditLedger__factory.ts");
  } catch {
    throw new Error("history needs the contract bindings in typechain-types/: run npm run build first");
  }
  const { provider, chainId } = await connectOrExit("risk", target);
  try {
    const deployed = deployedAddresses(chainId, target.url);
    const address = values.ledger ?? deployed.ledger;
    if (!address) throw new Error(`no --ledger and no Microcredit#CreditLedger in ${deployed.file}`);
    const ledger = factory.CreditLedger__factory.connect(address, provider);
    console.log(JSON.stringify(historyToJson(await readCreditHistory(ledger, values.borrower)), null, 2));
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

/** decision → offer → EIP-712 signature, for one applicant; no RPC. */
async function runOffer(argv: string[]): Promise<void> {
  if (helpAsked("offer", argv)) return;
  const { Wallet } = await import("ethers");
  const { offerDigest, offerFromDecision, offersDomain, signOffer, toJson } =
    await import("../src/sdk/offers.ts");
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: "string" },
      input: { type: "string" },
      policy: { type: "string" },
      history: { type: "string" },
      borrower: { type: "string" },
      offers: { type: "string" },
      ledger: { type: "string" },
      "chain-id": { type: "string" },
      key: { type: "string" },
      nonce: { type: "string" },
      "expiry-seconds": { type: "string" },
      "refer-approved": { type: "boolean", default: false },
    },
  });
  const key = values.key ?? process.env.MICROCREDIT_OFFER_KEY;
  if (!values.model || !values.input || !values.borrower || !values.offers || !values.ledger || !key) {
    throw new Error("offer needs --model, --input, --borrower, --offers, --ledger, --chain-id and --key");
  }
  const chainId = integer(values["chain-id"], "chain-id");
  const nonce = integer(values.nonce, "nonce", 0n);
  const expiry =
    BigInt(Math.floor(Date.now() / 1000)) + integer(values["expiry-seconds"], "expiry-seconds", 86_400n);
  let signer: InstanceType<typeof Wallet>;
  try {
    signer = new Wallet(key.startsWith("0x") ? key : `0x${key}`);
  } catch {
    throw new Error("--key must be a 32-byte hex private key");
  }
  const model = readModel(values.model);
  const policy = values.policy ? readWith(values.policy, parsePolicy) : DEFAULT_POLICY;
  const applicants = readApplicants(values.input);
  if (applicants.length !== 1)
    throw new Error(`${values.input}: offer takes exactly one applicant, found ${applicants.length}`);
  const [history] = readHistories(values.history, 1);
  const a = assess(model, applicants[0], policy, history);
  const offer = offerFromDecision(a, values.borrower, values.ledger, nonce, expiry, a.modelVersion, {
    referApproved: values["refer-approved"],
  });
  const signature = await signOffer(signer, values.offers, chainId, offer);
  const domain = offersDomain(values.offers, chainId);
  const out = {
    assessment: {
      score: a.score,
      decision: a.decision,
      tier: a.tier,
      limit: a.limit.toString(),
      aprBps: a.aprBps,
      products: a.products,
      notes: a.notes,
      modelVersion: a.modelVersion,
      policyVersion: a.policyVersion,
      policyHash: a.policyHash,
    },
    domain: { ...domain, chainId: chainId.toString() },
    offer: toJson(offer),
    digest: offerDigest(values.offers, chainId, offer),
    signer: signer.address,
    signature,
  };
  console.log(JSON.stringify(out, null, 2));
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === "train") runTrain(rest);
  else if (command === "score") runScore(rest);
  else if (command === "monitor") runMonitor(rest);
  else if (command === "synth") runSynth(rest);
  else if (command === "offer") await runOffer(rest);
  else if (command === "history") await runHistory(rest);
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
