// Hook handlers of build-progress.ts. `build`: counts the compilation jobs and runs them on every core (Hardhat's
// default leaves one idle, which on a 2-core machine means one job at a time). `invokeSolc`: a line as each job
// starts and one as it ends (k of n, its time, the time since the build began). `getCompilationJobErrors`: drops the diagnostics that do not fail the build, so none is printed.
import { cpus } from "node:os";
import type { SolidityHooks } from "hardhat/types/hooks";
import { clock } from "../../src/util/progress.ts";
import { isOurs } from "./compiler-warnings.ts";

export default async (): Promise<Partial<SolidityHooks>> => {
  let total = 0;
  let done = 0;
  let t0 = Date.now();
  // A job's root files, found by the set of sources in its solc input (the hook sees only the input).
  let rootsBySources = new Map<string, string>();
  const sourcesKey = (names: Iterable<string>) => [...names].sort().join("\n");
  return {
    async build(context, rootFilePaths, options, next) {
      done = 0;
      total = 0;
      t0 = Date.now();
      rootsBySources = new Map();
      const jobs = await context.solidity.getCompilationJobs(rootFilePaths, options);
      if ("compilationJobsPerFile" in jobs) {
        const unique = new Set(jobs.compilationJobsPerFile.values());
        total = unique.size;
        for (const job of unique) {
          const files = [...job.dependencyGraph.getAllFiles()].map((f) => f.inputSourceName);
          const roots = [...job.dependencyGraph.getRoots().keys()];
          rootsBySources.set(sourcesKey(files), roots.length <= 1 ? (roots[0] ?? "?") : `${roots[0]} and ${roots.length - 1} more`);
        }
      }
      if (total > 0 && options?.quiet !== true) {
        console.log(
          `build: ${total} compilation job${total === 1 ? "" : "s"} on ${cpus().length} cores ` +
            "(the wasm compiler is slow: a first build takes minutes)",
        );
      }
      // Hardhat prints an empty line after each job's diagnostics, even when it has none: drop bare empty lines
      // while the jobs run.
      const log = console.log;
      console.log = (...args: unknown[]) => {
        if (args.length > 0) log(...args);
      };
      try {
        return await next(context, rootFilePaths, { ...options, concurrency: Math.max(cpus().length, 1) });
      } finally {
        console.log = log;
      }
    },
    async invokeSolc(context, compiler, solcInput, solcConfig, next) {
      const name = rootsBySources.get(sourcesKey(Object.keys(solcInput.sources))) ?? "a compilation job";
      const start = Date.now();
      console.log(`build: compiling ${name}`);
      const output = await next(context, compiler, solcInput, solcConfig);
      console.log(
        `build: [${++done}/${Math.max(total, done)}] ${name} in ${clock(Date.now() - start)} ` +
          `(${clock(Date.now() - t0)} elapsed)`,
      );
      return output;
    },
    async getCompilationJobErrors(context, compilationJob, compilerOutput, next) {
      // The errors come back in the compiler's order, without their source locations: match them by position.
      const errors = await next(context, compilationJob, compilerOutput);
      const raw = compilerOutput.errors ?? [];
      return errors.length === raw.length ? errors.filter((_, i) => isOurs(raw[i])) : errors;
    },
  };
};
