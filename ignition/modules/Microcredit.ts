import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { FEE_PRODUCTS, LIMITS, PRODUCT_CAPS, PRODUCTS } from "../../src/config/defaults.ts";

/**
 * Local deployment, wired and configured:
 * - the 6-decimals stablecoin mock;
 * - ledger and pool in one transaction through MicrocreditDeployer (each knows the other as an immutable), after the
 *   ledger's three modules;
 * - the default product catalogue (fee products with their fees) with their outstanding caps (IProductLimits, served
 *   at the ledger's address) and the portfolio limits of PRODUCT.md §6;
 * - the CreditQuotes lens that discloses a draw's cost before it happens;
 * - CreditOffers, the signed-offer front door, holding the underwriter role on the ledger;
 * - the deployer account as underwriter, pauser, risk officer, offer signer and KYC issuer.
 * Outside a local chain, replace those with the real keys and put the admin role behind a MicrocreditTimelock.
 */
export default buildModule("Microcredit", (m) => {
  const admin = m.getAccount(0);
  const asset = m.contract("MockStablecoin");
  const collectionModule = m.contract("CollectionModule", [asset]);
  const configModule = m.contract("ConfigModule", [asset]);
  const viewModule = m.contract("ViewModule", [asset]);
  const deployer = m.contract("MicrocreditDeployer", [
    asset,
    "Microcredit Pool mUSD",
    "mcUSD",
    admin,
    collectionModule,
    configModule,
    viewModule,
  ]);
  const ledgerAddress = m.staticCall(deployer, "ledger", [], 0, { id: "ledgerAddress" });
  const poolAddress = m.staticCall(deployer, "pool", [], 0, { id: "poolAddress" });
  const ledger = m.contractAt("CreditLedger", ledgerAddress);
  const pool = m.contractAt("LendingPool", poolAddress);
  const underwriterRole = m.staticCall(ledger, "UNDERWRITER_ROLE", [], 0, { id: "underwriterRole" });
  const pauserRole = m.staticCall(ledger, "PAUSER_ROLE", [], 0, { id: "pauserRole" });
  m.call(ledger, "grantRole", [underwriterRole, admin], { id: "grantUnderwriter" });
  m.call(ledger, "grantRole", [pauserRole, admin], { id: "grantPauser" });
  const riskRole = m.staticCall(ledger, "RISK_ROLE", [], 0, { id: "riskRole" });
  m.call(ledger, "grantRole", [riskRole, admin], { id: "grantRisk" });
  const productLimits = m.contractAt("IProductLimits", ledgerAddress, { id: "productLimits" });
  for (const p of [...PRODUCTS, ...FEE_PRODUCTS]) {
    const set = m.call(ledger, "setProduct", [p.id, p.method, p.instalments, p.periodDays, true], {
      id: `product${p.id}`,
    });
    if ("feeBps" in p)
      m.call(ledger, "setProductFee", [p.id, p.feeBps], { id: `productFee${p.id}`, after: [set] });
    m.call(productLimits, "setProductCap", [p.id, PRODUCT_CAPS[p.id]], {
      id: `productCap${p.id}`,
      after: [set],
    });
  }
  m.call(ledger, "setLimits", [LIMITS], { id: "limits" });
  const quotes = m.contract("CreditQuotes", [ledger]);
  const offers = m.contract("CreditOffers", [ledger, admin]);
  m.call(ledger, "grantRole", [underwriterRole, offers], { id: "grantOffersUnderwriter" });
  m.call(offers, "setSigner", [admin, true], { id: "offerSigner" });
  m.call(offers, "setKycIssuer", [admin, true], { id: "kycIssuer" });
  return { asset, deployer, ledger, pool, quotes, offers, productLimits };
});
