// The `microcredit` CLI as a user's shell runs it (src/cli/index.ts under tsx), and the checks every CLI test makes
// of what it printed: success with nothing on stderr, one JSON object, or one line on stderr with a given exit code
// and no stack trace.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI = join(fileURLToPath(new URL("../../", import.meta.url)), "src", "cli", "index.ts");

/** The developer's variables a user's shell does not have: the tools' own and the testnet URLs. */
const OWN = new Set(["MICROCREDIT_RPC", "MICROCREDIT_KEY", "SEPOLIA_RPC_URL", "BASE_SEPOLIA_RPC_URL"]);

/** A user's shell: none of the variables above, none of the HARDHAT_* `hardhat test` sets. */
export const USER_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !OWN.has(key) && !key.startsWith("HARDHAT_")),
);

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `script` (TypeScript, under tsx) with `args` in `cwd` without blocking this process (a server of the test
 * may have to answer it). */
export function runScript(
  cwd: string,
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx/esm", script, ...args], {
    cwd,
    env: { ...USER_ENV, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

/** Runs the CLI with `args` in `cwd`. */
export function runCli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return runScript(cwd, CLI, args, env);
}

/** The command succeeded and wrote nothing on stderr; its stdout. */
export function ok(out: Run): string {
  expect(out.status, out.stderr).to.equal(0);
  expect(out.stderr).to.equal("");
  return out.stdout;
}

/** A --json command's one JSON object. */
export function json(out: Run): Record<string, any> {
  const text = ok(out).trim();
  expect(text.split("\n"), text).to.have.length(1);
  return JSON.parse(text) as Record<string, any>;
}

/** The command failed with `status` and one line on stderr matching `pattern`: no stack trace, nothing on stdout. */
export function oneLine(out: Run, pattern: RegExp, status: number): void {
  expect(out.status, out.stderr).to.equal(status);
  const lines = out.stderr.trim().split("\n");
  expect(lines, out.stderr).to.have.length(1);
  expect(lines[0]).to.match(pattern);
  expect(out.stderr).to.not.match(/\n\s+at |Error:/);
  expect(out.stdout).to.equal("");
}
