// Penalty waivers (ICostDisclosure.waivePenalty): explicit, with a reason code, logged in `PenaltyWaived`.
import { decodeBytes32String, encodeBytes32String, type ContractRunner } from "ethers";
import { CreditLedger__factory } from "../../typechain-types/factories/CreditLedger__factory.ts";

/** The reason codes the SDK knows, as the bytes32 the ledger logs (a short string, right-padded). */
export const WAIVER_REASONS = {
  /** The borrower is in financial hardship (illness, job loss, disaster). */
  HARDSHIP: encodeBytes32String("HARDSHIP"),
  /** The lateness was the operator's fault (a failed collection, a wrong statement). */
  SERVICE_ERROR: encodeBytes32String("SERVICE_ERROR"),
  /** A dispute over the loan or the purchase it paid for. */
  DISPUTE: encodeBytes32String("DISPUTE"),
  /** A commercial gesture. */
  GOODWILL: encodeBytes32String("GOODWILL"),
} as const;
export type WaiverReason = keyof typeof WAIVER_REASONS;

/** The name of a logged reason code: one of WAIVER_REASONS, another short string, or the raw bytes32. */
export function reasonName(code: string): string {
  for (const [name, value] of Object.entries(WAIVER_REASONS)) if (value === code) return name;
  try {
    return decodeBytes32String(code);
  } catch {
    return code;
  }
}

/**
 * Waives `amount` of a loan's penalty (`"all"` for all of it) with a reason code. The signer must hold the
 * ledger's SERVICER_ROLE. Resolves with the amount waived, read from the `PenaltyWaived` event.
 */
export async function waivePenalty(
  ledgerAddress: string,
  signer: ContractRunner,
  loanId: bigint,
  amount: bigint | "all",
  reason: WaiverReason,
): Promise<bigint> {
  const ledger = CreditLedger__factory.connect(ledgerAddress, signer);
  const value = amount === "all" ? 2n ** 256n - 1n : amount;
  const receipt = await (await ledger.waivePenalty(loanId, value, WAIVER_REASONS[reason])).wait();
  for (const log of receipt?.logs ?? []) {
    const event = ledger.interface.parseLog(log);
    if (event?.name === "PenaltyWaived") return event.args.amount as bigint;
  }
  throw new Error("waivePenalty: no PenaltyWaived event in the receipt");
}
