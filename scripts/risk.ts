// Risk engine CLI: `npm run risk -- train ...` and `npm run risk -- score ...` (docs/RISK.md).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { JsonRpcProvider, Wallet } from "ethers";
import {
  assess,
  DEFAULT_BINNING,
  DEFAULT_POLICY,
  DEFAULT_SCALING,
  formatUnits,
  parseCsv,
  parseHistory,
  parseModel,
  parsePolicy,
  parseTypeOverrides,
  trainFile,
  writeTrainingOutput,
  type Assessment,
  type BinningOptions,
  type CreditHistory,
  type EncodingKind,
  type Policy,
  type TrainReport,
} from "../src/risk/index.ts";
import { offerDigest, offerFromDecision, offersDomain, signOffer, toJson } from "../src/sdk/offers.ts";
import { historyToJson, readCreditHistory } from "../src/sdk/history.ts";
import { CreditLedger__factory } from "../typechain-types/factories/CreditLedger__factory.ts";

const USAGE = `usage:
  npm run risk -- train --data <file.csv|file.arff> --target <column> --bad <label> --out <dir>
                        [--types col=numeric,col2=categorical] [--exclude a,b] [--seed N] [--folds K]
                        [--encodings woe,onehot,bins] [--lambdas 1,3,10]
                        [--binning maxBins=20,minBinFraction=0.05,minLevelFraction=0.02,monotone=true]
                        [--base-score 600] [--base-odds 50] [--pdo 20]
  npm run risk -- score --model <dir>/model.json --input <applicants.json|applicants.csv>
                        [--policy policy.json] [--history histories.json] [--json]
  npm run risk -- offer --model <dir>/model.json --input <applicant.json> --borrower <address>
                        --offers <address> --ledger <address> --chain-id <id> --key <hex private key>
                        [--nonce N] [--expiry-seconds 86400] [--policy policy.json] [--history history.json]
                        [--refer-approved]
      scores one applicant and prints the EIP-712 credit offer signed by --key as JSON (offline; the key
      may come from MICROCREDIT_OFFER_KEY instead of --key, which keeps it out of the shell history).
  npm run risk -- history --ledger <address> --borrower <address> [--rpc http://127.0.0.1:8545]
      reads the borrower's on-chain repayment record and prints it as the JSON --history takes.

Protected attributes (personal_status, foreign_worker and any column named like
sex/gender/race/nationality/foreign/marital/religion) are always excluded.`;

function list(s: string | undefined): string[] | undefined {
  return s === undefined ? undefined : s.split(",").map((x) => x.trim()).filter((x) => x !== "");
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
    else if (key === "maxBins" || key === "minBinFraction" || key === "minLevelFraction") out[key] = num(value, "binning") as number;
    else throw new Error(`bad --binning entry ${part}`);
  }
  return out;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(7);

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
  console.log(`chosen ${r.selection.encoding}, lambda ${r.selection.lambda} (selection CV over ${r.selection.candidates.length} candidates)`);
  console.log(`${r.folds}-fold nested CV AUC ${r.auc.toFixed(4)} ± ${r.aucStd.toFixed(4)} (seed ${r.seed})`);
  console.log(
    `holdout (${r.holdout.testRows} rows): AUC ${r.holdout.auc.toFixed(4)}  KS ${r.holdout.ks.toFixed(4)}  Brier ${r.holdout.brier.toFixed(4)}`,
  );
  console.log("\ncalibration (holdout deciles of predicted P(bad))");
  console.log("  bin  count  predicted  observed");
  for (const b of r.calibration) {
    console.log(`  ${String(b.bin).padStart(3)}  ${String(b.count).padStart(5)}  ${pct(b.meanPredicted)}    ${pct(b.observedBadRate)}`);
  }
  console.log("\ncut-offs (holdout: approve when score >= cut-off)");
  console.log("  cutoff  approved  bad rate among approved");
  for (const c of r.cutoffs) {
    const bad = c.badRateApproved === null ? "      -" : pct(c.badRateApproved);
    console.log(`  ${String(c.cutoff).padStart(6)}  ${pct(c.approvalRate)}   ${bad}`);
  }
}

function runTrain(argv: string[]): void {
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
      encodings: { type: "string" },
      lambdas: { type: "string" },
      binning: { type: "string" },
      "base-score": { type: "string" },
      "base-odds": { type: "string" },
      pdo: { type: "string" },
    },
  });
  if (!values.data || !values.target || values.bad === undefined || !values.out) {
    throw new Error("train needs --data, --target, --bad and --out");
  }
  const start = Date.now();
  const encodings = list(values.encodings);
  for (const e of encodings ?? []) {
    if (!["woe", "bins", "onehot"].includes(e)) throw new Error(`unknown encoding ${e}`);
  }
  const result = trainFile(values.data, {
    target: values.target,
    bad: values.bad,
    types: parseTypeOverrides(values.types),
    exclude: list(values.exclude),
    seed: num(values.seed, "seed"),
    folds: num(values.folds, "folds"),
    encodings: encodings as EncodingKind[] | undefined,
    lambdas: list(values.lambdas)?.map((l) => num(l, "lambdas") as number),
    binning: parseBinning(values.binning),
    scaling: {
      baseScore: num(values["base-score"], "base-score") ?? DEFAULT_SCALING.baseScore,
      baseOdds: num(values["base-odds"], "base-odds") ?? DEFAULT_SCALING.baseOdds,
      pdo: num(values.pdo, "pdo") ?? DEFAULT_SCALING.pdo,
    },
    onProgress: (line) => console.log(`[${((Date.now() - start) / 1000).toFixed(1).padStart(5)}s] ${line}`),
  });
  const files = writeTrainingOutput(values.out, result);
  printSummary(result.report);
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

function readApplicants(path: string): Record<string, unknown>[] {
  const text = readWith(path, (t) => t);
  if (path.toLowerCase().endsWith(".csv")) {
    const ds = parseCsv(text, path);
    return ds.rows.map((r) => Object.fromEntries(ds.columns.map((c, j) => [c, r[j]])));
  }
  const parsed = readWith(path, () => JSON.parse(text) as unknown);
  const list = Array.isArray(parsed) ? parsed : [parsed];
  for (const a of list) {
    if (a === null || typeof a !== "object" || Array.isArray(a)) throw new Error(`${path}: every applicant must be a JSON object`);
  }
  return list as Record<string, unknown>[];
}

function readHistories(path: string | undefined, count: number): (CreditHistory | undefined)[] {
  if (!path) return new Array(count).fill(undefined);
  const raw = readWith(path, (t) => JSON.parse(t) as unknown);
  if (!Array.isArray(raw) || raw.length !== count) {
    throw new Error(`${path}: expected an array of ${count} history records (null for none), one per applicant`);
  }
  return raw.map((h) => (h === null ? undefined : parseHistory(h as Record<string, unknown>)));
}

async function runHistory(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { ledger: { type: "string" }, borrower: { type: "string" }, rpc: { type: "string" } },
  });
  if (!values.ledger || !values.borrower) throw new Error("history needs --ledger and --borrower");
  const provider = new JsonRpcProvider(values.rpc ?? "http://127.0.0.1:8545");
  try {
    const ledger = CreditLedger__factory.connect(values.ledger, provider);
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
    `  limit ${formatUnits(a.limit, decimals)} ${symbol}  APR ${a.aprBps === null ? "-" : `${(a.aprBps / 100).toFixed(2)}%`}` +
      `  products ${a.products.length ? a.products.map((id) => `${id} (${policy.products.find((p) => p.id === id)?.name})`).join(", ") : "-"}`,
  ];
  if (a.reasons.length) lines.push(`  main score reducers: ${a.reasons.map((r) => `${r.column} (${r.points.toFixed(1)} pts)`).join(", ")}`);
  if (a.missing.length) lines.push(`  missing: ${a.missing.join(", ")}`);
  if (a.unreadable.length) lines.push(`  scored as least favourable (never seen in training): ${a.unreadable.join(", ")}`);
  for (const n of a.notes) lines.push(`  ${n}`);
  return lines.join("\n");
}

function runScore(argv: string[]): void {
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
  if (!values.model || !values.input) throw new Error("score needs --model and --input");
  const model = readWith(values.model, parseModel);
  const policy = values.policy ? readWith(values.policy, parsePolicy) : DEFAULT_POLICY;
  const applicants = readApplicants(values.input);
  const histories = readHistories(values.history, applicants.length);
  const results = applicants.map((a, i) => assess(model, a, policy, histories[i]));
  if (values.json) {
    // bigint limits become decimal strings of base units.
    console.log(JSON.stringify(results, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2));
    return;
  }
  console.log(`model ${model.modelVersion}\npolicy ${policy.version} ${results[0]?.policyHash ?? ""}`);
  results.forEach((r, i) => {
    const id = applicants[i].id;
    console.log(describe(r, policy, `applicant ${typeof id === "string" || typeof id === "number" ? id : i + 1}`));
  });
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
  const expiry = BigInt(Math.floor(Date.now() / 1000)) + integer(values["expiry-seconds"], "expiry-seconds", 86_400n);
  let signer: Wallet;
  try {
    signer = new Wallet(key.startsWith("0x") ? key : `0x${key}`);
  } catch {
    throw new Error("--key must be a 32-byte hex private key");
  }
  const model = readWith(values.model, parseModel);
  const policy = values.policy ? readWith(values.policy, parsePolicy) : DEFAULT_POLICY;
  const applicants = readApplicants(values.input);
  if (applicants.length !== 1) throw new Error(`${values.input}: offer takes exactly one applicant, found ${applicants.length}`);
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
  else if (command === "offer") await runOffer(rest);
  else if (command === "history") await runHistory(rest);
  else {
    console.log(USAGE);
    if (command !== "help" && command !== "--help" && command !== "-h") process.exitCode = 2;
  }
}

main().catch((e: unknown) => {
  console.error(`risk: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
