import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { wireMicrocredit } from "./wiring.ts";

/** Two days: the default delay of every admin change (PRODUCT.md C9 asks for a timelock, not a length). */
export const DEFAULT_TIMELOCK_DELAY = 2 * 24 * 60 * 60;

/**
 * Public-network deployment (docs/DEPLOY.md): the system of Microcredit.ts on an existing stablecoin, with the
 * operators of a parameters file (ignition/parameters/<network>.json) and the admin role behind a
 * MicrocreditTimelock. Module id "Microcredit", as locally, so that the keeper, the monitor and the SDK read the
 * same `Microcredit#CreditLedger` and `Microcredit#CreditLens` entries.
 *
 * The limits and caps of src/config/defaults.ts are in units of a 6-decimals token (USDC).
 * Parameters (`Microcredit.<name>`):
 * | name | default |
 * | `asset` | required: the stablecoin's address |
 * | `poolName`, `poolSymbol` | "Microcredit Pool", "mcPOOL" |
 * | `underwriter`, `pauser`, `riskOfficer`, `offerSigner`, `kycIssuer`, `merchantManager` | the deploying account |
 * | `governor` | required: the timelock's only proposer and executor (a multisig); never the deploying key |
 * | `timelockDelay` | 172,800 s (two days) |
 * The deploying account configures the products, caps and limits, then grants the admin role of the ledger, of
 * CreditOffers and of MerchantRegistry to the timelock and renounces its own: every later admin change waits
 * `timelockDelay`.
 */
export default buildModule("Microcredit", (m) => {
  const deployerAccount = m.getAccount(0);
  const asset = m.getParameter<string>("asset");
  const wired = wireMicrocredit(
    m,
    asset,
    { name: m.getParameter("poolName", "Microcredit Pool"), symbol: m.getParameter("poolSymbol", "mcPOOL") },
    {
      underwriter: m.getParameter("underwriter", deployerAccount),
      pauser: m.getParameter("pauser", deployerAccount),
      riskOfficer: m.getParameter("riskOfficer", deployerAccount),
      offerSigner: m.getParameter("offerSigner", deployerAccount),
      kycIssuer: m.getParameter("kycIssuer", deployerAccount),
      merchantManager: m.getParameter("merchantManager", deployerAccount),
    },
  );
  const {
    deployer,
    ledger,
    lens,
    pool,
    quotes,
    offers,
    productLimits,
    merchantRegistry,
    salesRouter,
    configured,
  } = wired;
  // No default: a governor left to the deploying key would keep the admin role within reach of that key.
  const governor = m.getParameter<string>("governor");
  const timelock = m.contract("MicrocreditTimelock", [
    m.getParameter("timelockDelay", DEFAULT_TIMELOCK_DELAY),
    [governor],
    [governor],
    "0x0000000000000000000000000000000000000000",
  ]);
  const adminRole = "0x0000000000000000000000000000000000000000000000000000000000000000";
  const ledgerToTimelock = m.call(ledger, "grantRole", [adminRole, timelock], {
    id: "ledgerAdminToTimelock",
  });
  const offersToTimelock = m.call(offers, "grantRole", [adminRole, timelock], {
    id: "offersAdminToTimelock",
  });
  m.call(ledger, "renounceRole", [adminRole, deployerAccount], {
    id: "ledgerAdminRenounced",
    after: [...configured, ledgerToTimelock],
  });
  m.call(offers, "renounceRole", [adminRole, deployerAccount], {
    id: "offersAdminRenounced",
    after: [...configured, offersToTimelock],
  });
  const merchantsToTimelock = m.call(merchantRegistry, "grantRole", [adminRole, timelock], {
    id: "merchantRegistryAdminToTimelock",
  });
  m.call(merchantRegistry, "renounceRole", [adminRole, deployerAccount], {
    id: "merchantRegistryAdminRenounced",
    after: [...configured, merchantsToTimelock],
  });
  return {
    deployer,
    ledger,
    lens,
    pool,
    quotes,
    offers,
    productLimits,
    merchantRegistry,
    salesRouter,
    timelock,
  };
});
