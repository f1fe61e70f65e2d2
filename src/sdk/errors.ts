// Decodes every custom error of the Microcredit contracts (and the OpenZeppelin errors they can raise) into a
// typed error with a sentence a person can act on.
import { Interface, id, type ErrorDescription, type Result } from "ethers";
import { loanLabel } from "../core/loan-id.ts";
import { duration } from "../format/duration.ts";
import { money, percent } from "../format/money.ts";
import { ABIS } from "../abi/contracts.ts";
import type { Abi } from "../abi/types.ts";
import { merchantStatusName } from "./merchants.ts";

type Formatter = (args: Result, money: (units: bigint) => string) => string;

const LINE_STATUS = ["none", "active", "frozen", "closed"];
const METHOD_NAMES = ["equal instalments", "equal principal", "interest first", "bullet"];
const LIMIT_FIELDS = [
  "the minimum draw",
  "the maximum draw",
  "the per-borrower exposure cap",
  "the daily origination cap",
  "the per-borrower share of the book",
  "the utilisation cap",
  "the circuit-breaker threshold",
  "the line limit",
  "the APR cap",
  "a product's outstanding cap",
];
const short = (address: string) => `${address.slice(0, 8)}…${address.slice(-4)}`;

/** One sentence per error name. A test checks that every error in every ABI has one. */
export const ERROR_MESSAGES: Record<string, Formatter> = {
  // CreditLedger
  CreditLimitExceeded: (a, m) => `Credit limit exceeded: requested ${m(a[0])}, available ${m(a[1])}.`,
  LineNotActive: (a) =>
    `The credit line of ${short(a[0])} is ${LINE_STATUS[Number(a[1])] ?? a[1]}, not active.`,
  ProductNotAllowed: (a) => `Product ${a[1]} is not part of the credit line of ${short(a[0])}.`,
  ProductNotEnabled: (a) => `Product ${a[0]} is not offered (unknown or disabled).`,
  InvalidProduct: (a) =>
    `Invalid product: method ${a[0]}, ${a[1]} instalments of ${a[2]} days (method 0–3, instalments and period > 0).`,
  ZeroAmount: () => "The amount must be greater than zero.",
  ZeroAddress: () => "An address argument is the zero address.",
  InvalidModule: (a) =>
    `${short(a[0])} is not a ledger module over this asset (no code, no asset(), or a module over another asset).`,
  ViewOnly: (a) => `Function ${a[0]} writes, and the ledger's extView runs reads only.`,
  AmountTooLarge: (a, m) => `Amount ${m(a[0])} is above the largest the ledger stores (${m(a[1])}).`,
  AprAboveCap: (a) => `APR ${bps(a[0])} (fees included) is above the cap of ${bps(a[1])}.`,
  AprAboveBound: (a) =>
    `The draw's APR is now ${bps(a[0])} (fees included), above the ${bps(a[1])} you accepted; quote again.`,
  ReceivedBelowMinimum: (a, m) =>
    `The recipient would now receive ${m(a[0])}, less than the ${m(a[1])} you accepted (a fee changed); quote again.`,
  PlanChanged: (a) =>
    `The product's plan is now ${a[1]} payment(s) every ${a[2]} days (${METHOD_NAMES[Number(a[0])] ?? `method ${a[0]}`}), not the plan you accepted; quote again.`,
  NotProductOriginator: (a) =>
    BigInt(a[1]) === 0n
      ? `Product ${a[0]} is drawn by borrowers themselves; ${short(a[2])} may not originate it.`
      : `Product ${a[0]} is originated only by its product contract ${short(a[1])}, not by ${short(a[2])}.`,
  OriginatorNotAllowed: (a) =>
    `${short(a[0])} has not let the product contract ${short(a[1])} originate loans on their line (setOriginatorAllowed).`,
  WaiverExceedsPenalty: (a, m) =>
    `A waiver of ${m(a[0])} is more than the penalty the loan owes now (${m(a[1])}); waivers must be non-zero.`,
  WaiverReasonMissing: () =>
    "A waiver needs a reason code (e.g. HARDSHIP, SERVICE_ERROR, DISPUTE, GOODWILL).",
  WriteOffDue: (a) =>
    `Loan ${loanLabel(a[0])} is past the default threshold: it is written off at the next mark, not waived.`,
  FeeTooHigh: (a) => `A product fee of ${bps(a[0])} is above the most a product may charge (${bps(a[1])}).`,
  ProductFeeLocked: (a, m) =>
    `Product ${a[0]}'s fee cannot change while ${m(a[1])} of its principal is lent out; offer the new fee as another product.`,
  LoanNotFound: (a) => `Loan ${loanLabel(a[0])} does not exist.`,
  LoanAlreadyRepaid: (a) => `Loan ${loanLabel(a[0])} is already repaid in full.`,
  RepaymentExceedsPayoff: (a, m) =>
    `Payment of ${m(a[0])} is more than the payoff of ${m(a[1])}; pay the payoff (or use the max amount).`,
  ProductIdOutOfRange: (a) => `Product id ${a[0]} is out of range (0–15).`,
  LineFrozenByArrears: (a) =>
    `The credit line of ${short(a[0])} is frozen: ${a[1]} loan(s) past grace. Pay what is past due to unfreeze it.`,
  KycRequiredToDraw: (a) =>
    Number(a[1]) === 0
      ? `${short(a[0])} has no KYC credential on record; draws need one (repayment never does).`
      : `The KYC credential of ${short(a[0])} expired on ${new Date(Number(a[1]) * 1000).toISOString().slice(0, 10)}; renew it to draw again (repayment never needs it).`,
  // Portfolio limits (IRiskLimits, IProductLimits)
  ProductCapExceeded: (a, m) =>
    `The draw would take product ${a[0]} to ${m(a[1])} outstanding, above its cap of ${m(a[2])}.`,
  DrawBelowMinimum: (a, m) => `A draw of ${m(a[0])} is below the minimum draw of ${m(a[1])}.`,
  DrawAboveMaximum: (a, m) => `A draw of ${m(a[0])} is above the maximum draw of ${m(a[1])}.`,
  ExposureCapExceeded: (a, m) =>
    `The draw would take ${short(a[0])} to ${m(a[1])} outstanding, above the per-borrower cap of ${m(a[2])}.`,
  UtilisationCapExceeded: (a, m) =>
    `The draw would take the book to ${m(a[0])} lent out, above the utilisation cap of ${m(a[1])}.`,
  OriginationCapExceeded: (a, m) =>
    `The draw would take origination in the rolling 24 h window to ${m(a[0])}, above the cap of ${m(a[1])}; ` +
    "capacity returns linearly over the day.",
  CircuitBreakerTripped: (a, m) =>
    `New draws are halted by the circuit breaker: ${m(a[0])} of ${m(a[1])} outstanding is 30+ days past due, ` +
    `above ${bps(a[2])}. Repayment, collection and withdrawals are unaffected.`,
  InvalidLimits: () =>
    "Invalid limits: every share must be at most 100%, the minimum draw at most the maximum, a product cap below 2^128.",
  LimitNotRepresentable: (a, m) =>
    `The limit ${m(a[0])} cannot be stored exactly: an amount limit keeps 43 bits of significant value (any amount ` +
    `below 8,796,093,022,208 base units, or a larger one ending in enough zeros). Round it: a maximum or cap down, the ` +
    `minimum draw up (so that tightenLimits accepts it).`,
  LimitRaiseNotAllowed: (a, m) => {
    const field = LIMIT_FIELDS[Number(a[0])] ?? `field ${a[0]}`;
    const f = Number(a[0]);
    const show = (v: bigint) =>
      f === 8
        ? v === 0n
          ? "the default cap (24.00%)"
          : bps(v)
        : v === 0n
          ? "no limit"
          : f >= 4 && f <= 6
            ? bps(v)
            : m(v);
    return `The risk role may only tighten: ${field} would go from ${show(a[1])} to ${show(a[2])}.`;
  },
  InvalidRiskParams: () =>
    "Invalid delinquency parameters (grace ≤ 30 days, default 61–365 days, penalty ≤ 3×, provisions ≤ 100%).",
  AddressEmptyCode: (a) => `No contract at ${short(a[0])}.`,
  FailedCall: () => "A call to another contract failed without a reason.",
  UnknownMethod: (a) =>
    `Unknown repayment method ${a[0]} (0 equal instalment, 1 equal principal, 2 interest-first, 3 bullet).`,
  // LendingPool and the ledger's book
  NotPool: (a) => `Only the lending pool may call this; caller was ${short(a[0])}.`,
  InsufficientLiquidity: (a, m) =>
    `Not enough idle cash in the pool: requested ${m(a[0])}, available ${m(a[1])}.`,
  RateOutOfBounds: (a) => `Rate ${bps(a[0])} is above the maximum of ${bps(a[1])}.`,
  ZeroShares: () => "The number of shares must be greater than zero.",
  NotRequestOwner: (a) => `Redemption request ${a[0]} does not belong to ${short(a[1])}.`,
  RequestClosed: (a) => `Redemption request ${a[0]} is already filled or cancelled.`,
  ZeroRequests: () => "processRedemptions needs a number of requests to visit greater than zero.",
  NothingToClaim: (a) => `${short(a[0])} has no filled redemption to claim.`,
  FeesExceeded: (a, m) =>
    `Cannot claim ${m(a[0])} of fees: only ${m(a[1])} is claimable (fees accrued, less the fee on interest not yet received and what open loans' fee rebates may need).`,
  // CreditOffers
  NotOfferBorrower: (a) => `Only the offer's borrower ${a[1]} may accept it; caller was ${a[0]}.`,
  UntrustedSigner: (a) =>
    `The offer's signature comes from ${a[0]}, which is not a trusted underwriter signer: the offer was altered, ` +
    "signed for another chain or offers contract, or its key was revoked.",
  // InvalidSignature and MalformedSignature: MerchantRegistry's credentials too (same errors, same words).
  InvalidSignature: (a) => `The contract signer ${a[0]} did not accept the signature (ERC-1271).`,
  MalformedSignature: (a) =>
    `A signature of ${a[0]} bytes is neither 65 bytes (r, s, v) nor abi.encode(signer, signature) for a contract signer.`,
  OfferForOtherLedger: (a) =>
    `The offer is for ledger ${a[1]}, but this offers contract serves ledger ${a[0]}.`,
  OfferExpired: (a) => `The offer expired at ${when(a[0])}; it is now ${when(a[1])}. Ask for a new offer.`,
  OfferNonceUsed: (a) => `Offer nonce ${a[1]} of ${a[0]} was already accepted or revoked.`,
  OfferNonceNotNext: (a) =>
    `Offer nonce ${a[1]} of ${a[0]} is ahead of the next usable nonce ${a[2]}; accept or revoke that one first.`,
  KycExpired: (a) => `The KYC credential expired at ${when(a[0])}; it is now ${when(a[1])}. Renew it.`,
  UntrustedKycIssuer: (a) =>
    `The KYC credential is signed by ${a[0]}, which is not a trusted KYC issuer (altered credential or revoked key).`,
  KycForOtherBorrower: (a) => `The KYC credential is for ${a[1]}, not for the borrower ${a[0]}.`,
  KycLevelTooLow: (a) => `KYC level ${a[0]} is below the required level ${a[1]}.`,
  KycOlderThanRecorded: (a) =>
    `This KYC credential expires at ${when(a[0])}, before the recorded one (${when(a[1])}); only the borrower may submit it.`,
  PermitFailed: (a, m) =>
    `The permit failed and the ledger may spend only ${m(a[1])} of ${a[0]}'s tokens, below the ${m(a[2])} asked; ` +
    "sign a fresh permit or approve the ledger.",
  NotAllowedToRevoke: (a) =>
    `${a[0]} may not revoke the offer nonces of ${a[1]} (only the borrower, an admin or an underwriter).`,
  NonceOutOfRange: (a) => `Nonce ${a[0]} is too large (nonces are kept in 48 bits).`,
  NonceTooFarAhead: (a) =>
    `Nonce ${a[1]} of ${a[0]} is too far ahead to revoke: revoke up to nonce ${a[2]} (65,535 past the next one).`,
  // MerchantRegistry (ZeroAmount, ZeroAddress, InvalidSignature and MalformedSignature: shared, above)
  UnknownMerchant: (a) => `Merchant ${a[0]} is not registered.`,
  MerchantPending: (a) =>
    `Merchant ${a[0]} is pending: its owner has not accepted it with a payout address yet (accept).`,
  MerchantSuspended: (a) =>
    `Merchant ${a[0]} is suspended: it cannot be paid or closed, and its owner can neither change its payout nor ` +
    "withdraw its budget, until a merchant-manager reactivates it.",
  MerchantClosed: (a) =>
    `Merchant ${a[0]} is closed for good: it can no longer be paid or changed (its owner can still withdraw its subsidy budget).`,
  MerchantExists: (a) =>
    `${a[0]} already has merchant ${a[1]} (of any status): an owner key holds one merchant, for ever.`,
  DiscountAboveMax: (a) =>
    `A discount rate of ${bps(a[0])} is above the most a merchant may be charged (${bps(a[1])}).`,
  CategoryOutOfRange: (a) => `Merchant category ${a[0]} is not an ISO 18245 code (0–${a[1]}).`,
  NotMerchantOwner: (a) => `Only the owner of merchant ${a[0]} may do this; caller was ${a[1]}.`,
  NotOwnerOr: (a) =>
    `${a[1]} is neither the owner of merchant ${a[0]} nor a holder of ${roleName(a[2])}, and may not do this.`,
  NotProposedOwner: (a) =>
    BigInt(a[2]) === 0n
      ? `No new owner is proposed for merchant ${a[0]}: ${a[1]} cannot take it over.`
      : `Merchant ${a[0]} is proposed to ${a[2]}, not to ${a[1]}: only that key can take it over.`,
  StatusChangeRefused: (a) =>
    `Merchant ${a[0]} cannot go from ${merchantStatusName(a[1])} to ${merchantStatusName(a[2])} ` +
    "(its owner accepts a Pending merchant; a manager moves Active ⇄ Suspended; the owner or the admin closes it, for good).",
  InvalidOwner: (a) => `${a[0]} cannot own a merchant (the zero address).`,
  InvalidPayout: (a) => `${a[0]} cannot be a payout address (it is the zero address or the registry itself).`,
  InvalidRecipient: (a) =>
    `${a[0]} cannot receive subsidy budget tokens (it is the zero address or the registry itself).`,
  NotCredentialOwner: (a) =>
    `The merchant credential is for ${a[1]}: only that key may submit it, not ${a[0]}.`,
  CredentialExpired: (a) =>
    `The merchant credential expired at ${when(a[0])}; it is now ${when(a[1])}. Ask a merchant-manager for a new one.`,
  CredentialRevokedAlready: (a) =>
    `The merchant credential with digest ${a[0]} is revoked: a merchant-manager withdrew it, and it registers no one.`,
  UntrustedCredentialSigner: (a) =>
    `The merchant credential is signed by ${a[0]}, which is not a merchant-manager: the credential was altered, ` +
    "signed for another chain or registry, or its key lost the role.",
  NoPayoutProposal: (a) => `Merchant ${a[0]} has no payout change pending.`,
  PayoutNotReady: (a) =>
    `The payout change proposed for merchant ${a[0]} can be applied from ${when(a[1])}, in ${duration(BigInt(a[1]) - BigInt(a[2]))}; ` +
    `it is now ${when(a[2])}.`,
  PayoutDelayOutOfRange: (a) =>
    `A payout delay of ${duration(a[0])} is outside the allowed ${duration(a[1])} to ${duration(a[2])}.`,
  SpenderNotAllowed: (a) =>
    `${a[1]} may not spend merchant ${a[0]}'s subsidy budget: its owner has not allowed it (setSpenderAllowed).`,
  SubsidyAboveBudget: (a, m) =>
    `Merchant ${a[0]}'s subsidy budget holds ${m(a[2])}, less than the ${m(a[1])} asked.`,
  SubsidyBudgetFull: (a, m) =>
    `Adding ${m(a[1])} to merchant ${a[0]}'s subsidy budget of ${m(a[2])} would pass the most a budget holds (2^96 − 1 base units).`,
  // SalesRouter (ZeroAmount and the registry's merchant status errors: shared, above)
  SaleAmountTooLarge: (a, m) =>
    `An amount of ${m(a[0])} is above the most one sale or refund may be (${m(a[1])}).`,
  OrderIdOutOfRange: (a) => `Order id ${a[0]} is too large: order ids run from 0 to ${a[1]}.`,
  OrderAlreadyPaid: (a) => `Order ${a[1]} of merchant ${a[0]} is already paid; it is never paid twice.`,
  OrderIdTooFarAhead: (a) =>
    `Order ${a[1]} of merchant ${a[0]} is too far above the newest order paid (the highest accepted now is ${a[2]}); ` +
    "number orders from 1 in the order they are issued.",
  OrderIdTooOld: (a) =>
    `Order ${a[1]} of merchant ${a[0]} is too far below the newest order paid (the oldest still accepted is ${a[2]}); ` +
    "ask the merchant for a new order id.",
  NotMerchant: (a) =>
    `${a[1]} is neither the owner nor the payout address of merchant ${a[0]}, and may not refund its sales.`,
  InvalidRefundRecipient: (a) => `${a[0]} cannot receive a refund (the zero address).`,
  WindowFull: (a) =>
    `Merchant ${a[0]}'s sales in window ${a[1]} would pass what the history counts (2^96 − 1 base units, 2^32 − 1 sales).`,
  InvalidShares: (a) =>
    `A sales router's shares must be 0 < share ≤ late share ≤ 10,000 basis points (got ${a[0]} and ${a[1]}).`,
  AssetMismatch: (a) =>
    `The ledger lends ${short(a[1])}, not the merchant registry's token ${short(a[0])}: a sales router needs both on one token.`,
  PayoutIsRouter: (a) =>
    `Merchant ${a[0]}'s payout address is the sales router itself (${short(a[1])}), where money would stay: set another payout address.`,
  OpenLoansOfAnotherKey: (a) =>
    `Merchant ${a[0]}'s loans borrowed by its previous key ${a[1]} are still open: they are repaid before ${a[2]} can borrow.`,
  // Local token
  FaucetOnlyOnLocalChain: (a) => `The faucet only works on local chains, not on chain ${a[0]}.`,
  FaucetAmountTooLarge: (a, m) => `Faucet request ${m(a[0])} is above the maximum of ${m(a[1])}.`,
  // OpenZeppelin
  AccessControlUnauthorizedAccount: (a) => `Account ${short(a[0])} lacks the role ${roleName(a[1])}.`,
  AccessControlBadConfirmation: () => "Role renounce must be confirmed by the account itself.",
  EnforcedPause: () => "New credit is paused.",
  ExpectedPause: () => "The contract is not paused.",
  ReentrancyGuardReentrantCall: () => "Reentrant call refused.",
  SafeERC20FailedOperation: (a) => `Token transfer failed on ${short(a[0])}.`,
  SafeCastOverflowedIntDowncast: (a) => `Value ${a[1]} does not fit in int${a[0]}.`,
  SafeCastOverflowedIntToUint: (a) => `Negative value ${a[0]} where a positive one was expected.`,
  SafeCastOverflowedUintToInt: (a) => `Value ${a[0]} is too large for a signed integer.`,
  SafeCastOverflowedUintDowncast: (a) => `Value ${a[1]} does not fit in uint${a[0]}.`,
  ERC20InsufficientBalance: (a, m) => `Balance too low: ${short(a[0])} has ${m(a[1])}, needs ${m(a[2])}.`,
  ERC20InsufficientAllowance: (a, m) =>
    `Allowance too low: ${short(a[0])} may spend ${m(a[1])}, needs ${m(a[2])}. Approve ${short(a[0])} (the spender) first.`,
  ERC20InvalidApprover: (a) => `Invalid approver ${short(a[0])}.`,
  ERC20InvalidReceiver: (a) => `Invalid receiver ${short(a[0])}.`,
  ERC20InvalidSender: (a) => `Invalid sender ${short(a[0])}.`,
  ERC20InvalidSpender: (a) => `Invalid spender ${short(a[0])}.`,
  ERC4626ExceededMaxDeposit: (a, m) =>
    `Deposit of ${m(a[1])} for ${short(a[0])} is above the maximum ${m(a[2])}.`,
  ERC4626ExceededMaxMint: (a) => `Mint of ${a[1]} shares for ${short(a[0])} is above the maximum ${a[2]}.`,
  ERC4626ExceededMaxWithdraw: (a, m) =>
    `Withdrawal of ${m(a[1])} by ${short(a[0])} is above what can leave now (${m(a[2])}); queue the rest with requestRedeem.`,
  ERC4626ExceededMaxRedeem: (a) =>
    `Redemption of ${a[1]} shares by ${short(a[0])} is above what can leave now (${a[2]} shares); queue the rest.`,
  ERC2612ExpiredSignature: (a) => `The permit expired at ${new Date(Number(a[0]) * 1000).toISOString()}.`,
  ERC2612InvalidSigner: (a) => `The permit was signed by ${short(a[0])}, not by the owner ${short(a[1])}.`,
  InvalidAccountNonce: (a) => `Nonce mismatch for ${short(a[0])}: current nonce is ${a[1]}.`,
  ECDSAInvalidSignature: () => "Invalid signature.",
  ECDSAInvalidSignatureLength: (a) => `Invalid signature length ${a[0]}.`,
  ECDSAInvalidSignatureS: () => "Invalid signature (malleable s value).",
  InvalidShortString: () => "Invalid short string.",
  StringTooLong: () => "String too long.",
};

/** Unix seconds as "1750000000 (2025-06-15T15:06:40.000Z)". */
function when(seconds: bigint): string {
  const ms = Number(seconds) * 1000;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15
    ? `${seconds} (${new Date(ms).toISOString()})`
    : `${seconds}`;
}

function bps(value: bigint): string {
  return percent(value);
}

// Role ids are keccak256 of the role name, as the contracts define them.
const ROLE_NAMES = new Map<string, string>([
  ["0x" + "00".repeat(32), "DEFAULT_ADMIN_ROLE"],
  ...[
    "UNDERWRITER_ROLE",
    "PAUSER_ROLE",
    "KEEPER_ROLE",
    "RISK_ROLE",
    "SERVICER_ROLE",
    "MERCHANT_MANAGER_ROLE",
    "SUBSIDY_SPENDER_ROLE",
  ].map((name): [string, string] => [id(name), name]),
]);

function roleName(role: string): string {
  return ROLE_NAMES.get(role) ?? role;
}

/**
 * All contract ABIs whose errors the SDK decodes (abi/CreditLedger.json includes its modules' and IProductLimits',
 * abi/CreditLens.json the errors its reads bubble up from the ledger), the merchant registry's, the sales router's, and the local token
 * mock's faucet.
 */
export const DECODING_ABIS: readonly Abi[] = [
  ABIS.CreditLedger,
  ABIS.CreditLens,
  ABIS.LendingPool,
  ABIS.CreditOffers,
  ABIS.MerchantRegistry,
  ABIS.SalesRouter,
  ABIS.MockStablecoin,
];

const decoder = new Interface(
  DECODING_ABIS.flatMap((abi) => abi.filter((fragment) => fragment.type === "error")).filter(
    (fragment, index, all) =>
      all.findIndex(
        (f) => f.name === fragment.name && JSON.stringify(f.inputs) === JSON.stringify(fragment.inputs),
      ) === index,
  ),
);

/** A revert of a Microcredit contract, decoded. */
export class MicrocreditError extends Error {
  readonly errorName: string;
  readonly args: Result;
  readonly selector: string;
  constructor(description: ErrorDescription, message: string) {
    super(message);
    this.name = "MicrocreditError";
    this.errorName = description.name;
    this.args = description.args;
    this.selector = description.selector;
  }
}

/** Finds revert data in whatever ethers, Hardhat or a provider threw. */
export function revertData(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (current === null || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    const record = current as Record<string, unknown>;
    for (const key of ["data", "revertData"]) {
      const value = record[key];
      if (typeof value === "string" && /^0x[0-9a-fA-F]{8}/.test(value)) return value;
    }
    for (const key of ["error", "info", "cause", "data"]) queue.push(record[key]);
  }
  return undefined;
}

/**
 * Decodes revert data (or an error carrying it) into a MicrocreditError. Returns undefined when the data is not
 * one of the known errors. `decimals` formats amounts (the local stablecoin has 6).
 */
export function decodeError(errorOrData: unknown, decimals = 6): MicrocreditError | undefined {
  const data = typeof errorOrData === "string" ? errorOrData : revertData(errorOrData);
  if (data === undefined) return undefined;
  let description: ErrorDescription | null = null;
  try {
    description = decoder.parseError(data);
  } catch {
    return undefined;
  }
  if (description === null) return undefined;
  const format = ERROR_MESSAGES[description.name];
  // Decoded errors are about exact amounts: every decimal, and the base units the contract compared.
  const exact = (units: bigint) => money(units, decimals, { exact: true, units: true });
  const message = format
    ? format(description.args, exact)
    : `${description.name}(${description.args.join(", ")})`;
  return new MicrocreditError(description, message);
}

/** A readable one-line explanation of any error thrown by a Microcredit call. */
export function explain(error: unknown, decimals = 6): string {
  const decoded = decodeError(error, decimals);
  if (decoded) return `${decoded.errorName}: ${decoded.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Runs `call`, rethrowing a decoded MicrocreditError when the contract reverted with a known error. */
export async function withDecodedErrors<T>(call: () => Promise<T>, decimals = 6): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw decodeError(error, decimals) ?? error;
  }
}
