// Progress of a long pass (monitor catch-up, keeper plan, risk training, bench): a bar on a terminal, drawn by
// cli-progress, and plain lines at intervals anywhere else, so a CI log or a pipe reads line by line and never gets a
// carriage return. A pass that ends within `quietMs` shows nothing at all.
import cliProgress from "cli-progress";

export interface ProgressOptions {
  /** Where the bar is drawn; a terminal (`isTTY`) gets the bar, anything else plain lines. Default stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Writes one plain line. Default: `console.log`. */
  log?: (line: string) => void;
  /** Nothing is shown before this much time has passed (default 2,000 ms). */
  quietMs?: number;
  /** Plain lines: at most one per this long (default 10,000 ms). */
  everyMs?: number;
  now?: () => number;
}

export interface Progress {
  /** `done` of `total` are done; `total` may grow while the pass learns how much there is. */
  update(done: number, total?: number): void;
  /** Prints a line of the pass's own above the bar (or as it is, without one). */
  log(line: string): void;
  /** The pass is over: the bar goes away, and a plain line closes the lines printed before (if any). */
  stop(): void;
}

/** Starts the progress of a pass of `total` steps; libraries take one of these and show nothing without it. */
export type StartProgress = (label: string, total: number) => Progress;

/** Runs `pass` under a progress of `total` steps (none without `start` or with nothing to do), stopped however it ends. */
export async function withProgress<T>(
  start: StartProgress | undefined,
  label: string,
  total: number,
  pass: (update: (done: number) => void) => Promise<T>,
): Promise<T> {
  const bar = total > 0 ? start?.(label, total) : undefined;
  try {
    return await pass((done) => bar?.update(done));
  } finally {
    bar?.stop();
  }
}

const count = (n: number) => n.toLocaleString("en-US");

/** m:ss of a duration. */
export function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** "scanning blocks: 1,200 of 5,000 (24%), 0:12 elapsed". */
export function progressLine(label: string, done: number, total: number, elapsedMs: number): string {
  const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
  return `${label}: ${count(done)} of ${count(total)} (${pct}%), ${clock(elapsedMs)} elapsed`;
}

export function startProgress(label: string, total: number, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const log = options.log ?? ((line: string) => console.log(line));
  const now = options.now ?? Date.now;
  const quietMs = options.quietMs ?? 2_000;
  const everyMs = options.everyMs ?? 10_000;
  const t0 = now();
  let done = 0;
  let bar: cliProgress.SingleBar | undefined;
  let lastLine: number | undefined;

  const show = () => {
    const t = now();
    if (t - t0 < quietMs) return;
    if (stream.isTTY === true) {
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: `${label} [{bar}] {value}/{total} {percentage}% | {elapsed} elapsed, eta {eta_formatted}`,
            formatValue: (v, _, type) => (type === "value" || type === "total" ? count(v) : String(v)),
            hideCursor: true,
            clearOnComplete: true,
            // Redraw even when unchanged, so the bar comes back under a line `log` printed over it.
            forceRedraw: true,
            etaBuffer: 100,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done, { elapsed: clock(t - t0) });
      } else {
        bar.setTotal(total);
        bar.update(done, { elapsed: clock(t - t0) });
      }
    } else if (lastLine === undefined || t - lastLine >= everyMs) {
      lastLine = t;
      log(progressLine(label, done, total, t - t0));
    }
  };

  return {
    update(n, newTotal) {
      done = n;
      if (newTotal !== undefined) total = newTotal;
      show();
    },
    log(line) {
      if (!bar) return log(line);
      stream.write("\r\x1b[2K");
      log(line);
      bar.render();
    },
    stop() {
      if (bar) bar.stop();
      else if (lastLine !== undefined) log(`${label}: ${count(done)} of ${count(total)} done in ${clock(now() - t0)}`);
    },
  };
}
