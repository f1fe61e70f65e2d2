import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { wireMicrocredit } from "./wiring.ts";

/**
 * Local deployment, wired and configured (wiring.ts):
 * - the 6-decimals stablecoin mock with its faucet (local chains only);
 * - ledger, pool and lens in one transaction through MicrocreditDeployer (ledger and pool know each other as
 *   immutables), after the ledger's four modules; the CreditLens serves the ledger's reads through `extView`;
 * - the default product catalogue (fee products with their fees) with their outstanding caps (IProductLimits, served
 *   at the ledger's address) and the portfolio limits of PRODUCT.md §6;
 * - the CreditQuotes lens that discloses a draw's cost before it happens;
 * - CreditOffers, the signed-offer front door, holding the underwriter role on the ledger;
 * - MerchantRegistry, the merchants the merchant products pay, over the same token;
 * - the deployer account as admin, underwriter, pauser, risk officer, offer signer, KYC issuer and merchant-manager.
 * Public networks use MicrocreditNetwork.ts: a real stablecoin, operators from a parameters file, admin behind a
 * timelock (docs/DEPLOY.md).
 */
export default buildModule("Microcredit", (m) => {
  const admin = m.getAccount(0);
  const asset = m.contract("MockStablecoin");
  const wired = wireMicrocredit(
    m,
    asset,
    { name: "Microcredit Pool mUSD", symbol: "mcUSD" },
    {
      underwriter: admin,
      pauser: admin,
      riskOfficer: admin,
      offerSigner: admin,
      kycIssuer: admin,
      merchantManager: admin,
    },
  );
  const { deployer, ledger, lens, pool, quotes, offers, productLimits, merchantRegistry, salesRouter } =
    wired;
  return {
    asset,
    deployer,
    ledger,
    lens,
    pool,
    quotes,
    offers,
    productLimits,
    merchantRegistry,
    salesRouter,
  };
});
