// The ABI of every deployable contract, as `npm run build` exports it to abi/ (scripts/export-abi.ts).
// `CreditLedger` is everything served at the ledger's address: its modules' events and errors included. `CreditLens`
// has the ledger's reads (loans, lines, products, limits, the book), with the errors they can revert with.
import CollectionModule from "../../abi/CollectionModule.json" with { type: "json" };
import CollectionUpkeep from "../../abi/CollectionUpkeep.json" with { type: "json" };
import ConfigModule from "../../abi/ConfigModule.json" with { type: "json" };
import CreditLedger from "../../abi/CreditLedger.json" with { type: "json" };
import CreditLens from "../../abi/CreditLens.json" with { type: "json" };
import CreditOffers from "../../abi/CreditOffers.json" with { type: "json" };
import CreditQuotes from "../../abi/CreditQuotes.json" with { type: "json" };
import DelinquencyModule from "../../abi/DelinquencyModule.json" with { type: "json" };
import LendingPool from "../../abi/LendingPool.json" with { type: "json" };
import MerchantRegistry from "../../abi/MerchantRegistry.json" with { type: "json" };
import MicrocreditDeployer from "../../abi/MicrocreditDeployer.json" with { type: "json" };
import MicrocreditTimelock from "../../abi/MicrocreditTimelock.json" with { type: "json" };
import MockStablecoin from "../../abi/MockStablecoin.json" with { type: "json" };
import SalesRouter from "../../abi/SalesRouter.json" with { type: "json" };
import ViewModule from "../../abi/ViewModule.json" with { type: "json" };
import type { Abi } from "./types.ts";

const typed = (json: unknown): Abi => json as Abi;

export const ABIS = {
  CollectionModule: typed(CollectionModule),
  CollectionUpkeep: typed(CollectionUpkeep),
  ConfigModule: typed(ConfigModule),
  CreditLedger: typed(CreditLedger),
  CreditLens: typed(CreditLens),
  CreditOffers: typed(CreditOffers),
  CreditQuotes: typed(CreditQuotes),
  DelinquencyModule: typed(DelinquencyModule),
  LendingPool: typed(LendingPool),
  MerchantRegistry: typed(MerchantRegistry),
  MicrocreditDeployer: typed(MicrocreditDeployer),
  MicrocreditTimelock: typed(MicrocreditTimelock),
  /** The 6-decimals token mock with a faucet that local deployments use (never deployed on a public network). */
  MockStablecoin: typed(MockStablecoin),
  SalesRouter: typed(SalesRouter),
  ViewModule: typed(ViewModule),
} as const;

export type ContractName = keyof typeof ABIS;

export const CREDIT_LEDGER_ABI = ABIS.CreditLedger;
export const CREDIT_LENS_ABI = ABIS.CreditLens;
export const LENDING_POOL_ABI = ABIS.LendingPool;
export const CREDIT_OFFERS_ABI = ABIS.CreditOffers;
export const CREDIT_QUOTES_ABI = ABIS.CreditQuotes;
export const MERCHANT_REGISTRY_ABI = ABIS.MerchantRegistry;
