// Where warnings go besides the console: a JSON-lines file and a webhook. Each receives every warning the monitor
// sends: those found active on a catch-up (flagged `replayed`), then each new one as it is raised.
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { displayUrl } from "../chain/networks.ts";
import type { Warning } from "./warnings.ts";

export interface WarningSink {
  emit(warning: Warning): void | Promise<void>;
}

/** Appends each warning to `file` as one JSON line; creates the file (and its folder) at once, empty. */
export function jsonlSink(file: string): WarningSink {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, "");
  return { emit: (w) => appendFileSync(file, JSON.stringify(w) + "\n") };
}

/** POSTs each warning as JSON to `url`; a failure is logged and never stops the monitor. */
export function webhookSink(
  url: string,
  log: (line: string) => void = console.error,
  timeoutMs = 5_000,
): WarningSink {
  return {
    async emit(w) {
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(w),
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!response.ok)
          log(`webhook ${displayUrl(url)}: HTTP ${response.status} for ${w.kind} at block ${w.block}`);
      } catch (error) {
        log(`webhook ${displayUrl(url)}: ${(error as Error).message} for ${w.kind} at block ${w.block}`);
      }
    },
  };
}
