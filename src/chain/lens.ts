// The reads of a CreditLedger's loans, lines, products, limits and book: the CreditLens's views (ICreditLens). The
// lens runs each of them in the ledger's ViewModule through the ledger's `extView`; a caller that knows only the
// ledger's address gets the same answers by calling `extView` itself (`ledgerViews`), as `LedgerViews` does on chain.
import { Interface, type ContractRunner } from "ethers";
import { CreditLens__factory } from "../../typechain-types/factories/CreditLens__factory.ts";
import type { CreditLens } from "../../typechain-types/CreditLens.ts";
import { connectLedger } from "./ledger.ts";

export type { CreditLens };

export const lensInterface: Interface = new Interface(CreditLens__factory.abi);

/** Every view of the CreditLens (all but `ledger()`), each answered on the ledger's storage. */
export const LENS_VIEWS = [
  "loanState",
  "loanRecord",
  "dueNow",
  "loanIdOf",
  "lineOf",
  "creditHistory",
  "mandateOf",
  "borrowerCount",
  "borrowerAt",
  "originatorAllowed",
  "product",
  "productExposure",
  "riskState",
  "riskParams",
  "kycRequired",
  "lenderAssets",
  "principalOutstanding",
  "interestReceivable",
  "grossInterest",
  "penaltyIncome",
  "rateSum",
  "protocolFeesOwed",
  "firstLossReserve",
  "provisions",
  "queueReserve",
  "rates",
] as const;

export type LensView = (typeof LENS_VIEWS)[number];

/** The lens's views as plain calls (an optional last argument takes `{ blockTag }`): a CreditLens is one. */
export type LensReads = {
  [K in LensView]: (...args: Parameters<CreditLens[K]>) => ReturnType<CreditLens[K]>;
};

export function connectLens(address: string, runner: ContractRunner): CreditLens {
  return CreditLens__factory.connect(address, runner);
}

/**
 * The lens's views read through `extView` of the ledger at `ledgerAddress`: the answers of its CreditLens, for a
 * caller without the lens's address. A view's revert is the ledger's, as from the lens.
 */
export function ledgerViews(ledgerAddress: string, runner: ContractRunner): LensReads {
  const ledger = connectLedger(ledgerAddress, runner);
  const reads: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of LENS_VIEWS) {
    const fn = lensInterface.getFunction(name)!;
    reads[name] = async (...args: unknown[]) => {
      const overrides = args.length > fn.inputs.length ? (args.pop() as object) : {};
      const answer = await ledger.extView(lensInterface.encodeFunctionData(fn, args), overrides);
      const result = lensInterface.decodeFunctionResult(fn, answer);
      // As an ethers contract answers: the value itself for one output, the Result for several.
      return result.length === 1 ? result[0] : result;
    };
  }
  return reads as unknown as LensReads;
}

/** The reads of a deployment: its CreditLens when `lens` is given, else through the ledger's `extView`. */
export function lensReads(addresses: { ledger: string; lens?: string }, runner: ContractRunner): LensReads {
  return addresses.lens !== undefined
    ? connectLens(addresses.lens, runner)
    : ledgerViews(addresses.ledger, runner);
}
