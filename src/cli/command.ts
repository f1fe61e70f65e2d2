// The shape of a role's commands: each names its options and its usage, and runs against a Context into a Report.
import type { Options, Values } from "./args.ts";
import type { Context } from "./context.ts";
import type { Report } from "./output.ts";

export interface Command {
  name: string;
  /** One line for the role's usage. */
  summary: string;
  /** The command's own options, one line each, for its --help. */
  usage: string;
  options: Options;
  /** Checks the flags before any connection (a UsageError for a bad one). */
  check?: (values: Values) => void;
  run: (ctx: Context, values: Values) => Promise<Report>;
}

export interface Role {
  name: string;
  summary: string;
  commands: Command[];
}
