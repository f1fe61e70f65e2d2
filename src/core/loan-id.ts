// Loan ids as the ledger mints them: the borrower in the top 160 bits, a per-borrower counter below.

/** The borrower is the top 160 bits of a loan id. */
export function borrowerOf(loanId: bigint): string {
  return `0x${(loanId >> 96n).toString(16).padStart(40, "0")}`;
}

/** A short label for logs: "#3 of 0x1234…abcd". */
export function loanLabel(loanId: bigint): string {
  const b = borrowerOf(loanId);
  return `#${loanId & ((1n << 96n) - 1n)} of ${b.slice(0, 6)}…${b.slice(-4)}`;
}
