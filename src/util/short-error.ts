// One line per failure in progress output, whatever threw it.

/** The first line of an error message, for progress output. */
export function shortError(error: unknown): string {
  if (typeof error === "string") return error.split("\n")[0];
  const e = error as { shortMessage?: string; message?: string };
  return (e?.shortMessage ?? e?.message ?? String(error)).split("\n")[0];
}
