#!/usr/bin/env node
// `microcredit <role> <command> [options]`: one CLI for lenders, borrowers, underwriters, operators and merchant
// managers, on the client of this package (docs/SDK.md, "CLI"). A user's mistake (a flag, a value, a missing key or
// deployment, a node that does not answer) is one line on stderr and exit code 2; a refused transaction is the
// decoded sentence and exit code 1. Never a stack trace.
import { MicrocreditError } from "../sdk/errors.ts";
import { COMMON_USAGE, parseCommandArgs, UsageError } from "./args.ts";
import { borrower } from "./borrower.ts";
import type { Command, Role } from "./command.ts";
import { Context } from "./context.ts";
import { lender } from "./lender.ts";
import { merchant } from "./merchant.ts";
import { token } from "./token.ts";
import { ops } from "./ops.ts";
import { print } from "./output.ts";
import { underwriter } from "./underwriter.ts";

const ROLES: Role[] = [lender, borrower, underwriter, ops, merchant, token];

function usage(): string {
  return [
    "usage: microcredit <role> <command> [options]   (--help after a role or a command for more)",
    ...ROLES.map((r) => `  ${r.name.padEnd(12)} ${r.summary}: ${r.commands.map((c) => c.name).join(", ")}`),
    COMMON_USAGE,
  ].join("\n");
}

function roleUsage(role: Role): string {
  return [
    `usage: microcredit ${role.name} <command> [options]   (${role.summary})`,
    ...role.commands.map((c) => `  ${c.summary}`),
    COMMON_USAGE,
  ].join("\n");
}

function commandUsage(role: Role, command: Command): string {
  const own = command.usage ? [command.usage] : [];
  return [`usage: microcredit ${role.name} ${command.summary}`, ...own, COMMON_USAGE].join("\n");
}

const isHelp = (arg: string | undefined) => arg === "--help" || arg === "-h" || arg === "help";

/** One line for an error nothing decoded: ethers' short message when there is one. */
function oneLine(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string };
  return (e?.shortMessage ?? e?.message ?? String(error)).replace(/\s*\n\s*/g, " ");
}

async function main(argv: string[]): Promise<number> {
  const [roleName, commandName, ...rest] = argv;
  if (roleName === undefined || isHelp(roleName)) {
    (roleName === undefined ? console.error : console.log)(usage());
    return roleName === undefined ? 2 : 0;
  }
  const role = ROLES.find((r) => r.name === roleName);
  if (!role)
    throw new UsageError(`unknown role "${roleName}" (roles: ${ROLES.map((r) => r.name).join(", ")})`);
  if (commandName === undefined || isHelp(commandName)) {
    (commandName === undefined ? console.error : console.log)(roleUsage(role));
    return commandName === undefined ? 2 : 0;
  }
  const command = role.commands.find((c) => c.name === commandName);
  if (!command) {
    throw new UsageError(
      `unknown command "${role.name} ${commandName}" (${role.name} commands: ${role.commands.map((c) => c.name).join(", ")})`,
    );
  }
  const values = parseCommandArgs(rest, command.options);
  if (values.help) {
    console.log(commandUsage(role, command));
    return 0;
  }
  command.check?.(values);
  const ctx = await Context.open(values);
  try {
    print(await command.run(ctx, values), values.json === true);
  } finally {
    ctx.close();
  }
  return 0;
}

const prefix = () => {
  const [role, command] = process.argv.slice(2);
  return ["microcredit", role, command].filter((p) => p !== undefined && !p.startsWith("-")).join(" ");
};

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${prefix()}: ${error.message}${error.seeHelp ? " (see --help)" : ""}`);
    process.exitCode = 2;
  } else if (error instanceof MicrocreditError) {
    console.error(`${prefix()}: ${error.message}`);
    process.exitCode = 1;
  } else {
    console.error(`${prefix()}: ${oneLine(error)}`);
    process.exitCode = 1;
  }
}
