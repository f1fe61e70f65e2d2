// The Microcredit system wired and configured on a stablecoin, shared by the local module (Microcredit.ts, on the
// token mock) and the public-network module (MicrocreditNetwork.ts, on a real stablecoin behind a timelock). The
// deploying account is the admin while it configures; `configured` lists every call that needs the admin role, so
// a module can hand the role over after them.
import type {
  AccountRuntimeValue,
  ContractFuture,
  Future,
  IgnitionModuleBuilder,
  ModuleParameterRuntimeValue,
} from "@nomicfoundation/ignition-core";
import {
  FEE_PRODUCTS,
  LIMITS,
  MERCHANT_LOAN_PRODUCT,
  PRODUCT_CAPS,
  PRODUCTS,
  SALES_SHARE,
} from "../../src/config/defaults.ts";

type Account = AccountRuntimeValue | ModuleParameterRuntimeValue<AccountRuntimeValue>;

/**
 * Who holds each operating role: the ledger's underwriter, pauser and risk officer; the offers' signer and KYC issuer;
 * the merchant registry's merchant-manager.
 */
export interface Operators {
  underwriter: Account;
  pauser: Account;
  riskOfficer: Account;
  offerSigner: Account;
  kycIssuer: Account;
  merchantManager: Account;
}

export function wireMicrocredit(
  m: IgnitionModuleBuilder,
  asset: ContractFuture<string> | ModuleParameterRuntimeValue<string>,
  pool: {
    name: string | ModuleParameterRuntimeValue<string>;
    symbol: string | ModuleParameterRuntimeValue<string>;
  },
  operators: Operators,
) {
  const admin = m.getAccount(0);
  const collectionModule = m.contract("CollectionModule", [asset]);
  const delinquencyModule = m.contract("DelinquencyModule", [asset]);
  const configModule = m.contract("ConfigModule", [asset]);
  const viewModule = m.contract("ViewModule", [asset]);
  const deployer = m.contract("MicrocreditDeployer", [
    asset,
    pool.name,
    pool.symbol,
    admin,
    collectionModule,
    delinquencyModule,
    configModule,
    viewModule,
  ]);
  const ledgerAddress = m.staticCall(deployer, "ledger", [], 0, { id: "ledgerAddress" });
  const poolAddress = m.staticCall(deployer, "pool", [], 0, { id: "poolAddress" });
  const lensAddress = m.staticCall(deployer, "lens", [], 0, { id: "lensAddress" });
  const ledger = m.contractAt("CreditLedger", ledgerAddress);
  const lendingPool = m.contractAt("LendingPool", poolAddress);
  // The ledger's reads (loans, lines, products, limits, the book), served through its `extView`.
  const lens = m.contractAt("CreditLens", lensAddress);
  const configured: Future[] = [];
  const underwriterRole = m.staticCall(ledger, "UNDERWRITER_ROLE", [], 0, { id: "underwriterRole" });
  const pauserRole = m.staticCall(ledger, "PAUSER_ROLE", [], 0, { id: "pauserRole" });
  const riskRole = m.staticCall(ledger, "RISK_ROLE", [], 0, { id: "riskRole" });
  configured.push(
    m.call(ledger, "grantRole", [underwriterRole, operators.underwriter], { id: "grantUnderwriter" }),
    m.call(ledger, "grantRole", [pauserRole, operators.pauser], { id: "grantPauser" }),
    m.call(ledger, "grantRole", [riskRole, operators.riskOfficer], { id: "grantRisk" }),
  );
  const productLimits = m.contractAt("IProductLimits", ledgerAddress, { id: "productLimits" });
  for (const p of [...PRODUCTS, ...FEE_PRODUCTS]) {
    const set = m.call(ledger, "setProduct", [p.id, p.method, p.instalments, p.periodDays, true], {
      id: `product${p.id}`,
    });
    configured.push(set);
    if ("feeBps" in p)
      configured.push(
        m.call(ledger, "setProductFee", [p.id, p.feeBps], { id: `productFee${p.id}`, after: [set] }),
      );
    configured.push(
      m.call(productLimits, "setProductCap", [p.id, PRODUCT_CAPS[p.id]], {
        id: `productCap${p.id}`,
        after: [set],
      }),
    );
  }
  configured.push(m.call(ledger, "setLimits", [LIMITS], { id: "limits" }));
  const quotes = m.contract("CreditQuotes", [ledger]);
  const offers = m.contract("CreditOffers", [ledger, admin]);
  configured.push(
    m.call(ledger, "grantRole", [underwriterRole, offers], { id: "grantOffersUnderwriter" }),
    m.call(offers, "setSigner", [operators.offerSigner, true], { id: "offerSigner" }),
    m.call(offers, "setKycIssuer", [operators.kycIssuer, true], { id: "kycIssuer" }),
  );
  // The merchants the merchant products pay, with their subsidy budgets in the ledger's asset.
  const merchantRegistry = m.contract("MerchantRegistry", [asset, admin]);
  const merchantManagerRole = m.staticCall(merchantRegistry, "MERCHANT_MANAGER_ROLE", [], 0, {
    id: "merchantManagerRole",
  });
  configured.push(
    m.call(merchantRegistry, "grantRole", [merchantManagerRole, operators.merchantManager], {
      id: "grantMerchantManager",
    }),
  );
  // Customers pay registered merchants through the router, which keeps their sales history (no roles, no admin),
  // originates the merchant loan product and repays it from each sale's share.
  const merchantLoan = MERCHANT_LOAN_PRODUCT;
  const salesRouter = m.contract("SalesRouter", [
    merchantRegistry,
    ledger,
    merchantLoan.id,
    SALES_SHARE.shareBps,
    SALES_SHARE.lateShareBps,
  ]);
  const setMerchantLoan = m.call(
    ledger,
    "setProduct",
    [merchantLoan.id, merchantLoan.method, merchantLoan.instalments, merchantLoan.periodDays, true],
    { id: `product${merchantLoan.id}` },
  );
  configured.push(
    setMerchantLoan,
    m.call(ledger, "setProductOriginator", [merchantLoan.id, salesRouter], {
      id: "merchantLoanOriginator",
      after: [setMerchantLoan],
    }),
    m.call(productLimits, "setProductCap", [merchantLoan.id, PRODUCT_CAPS[merchantLoan.id]], {
      id: `productCap${merchantLoan.id}`,
      after: [setMerchantLoan],
    }),
  );
  return {
    deployer,
    ledger,
    lens,
    pool: lendingPool,
    quotes,
    offers,
    productLimits,
    merchantRegistry,
    salesRouter,
    admin,
    configured,
  };
}
