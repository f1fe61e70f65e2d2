import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * Local deployment: the 6-decimals stablecoin mock. Later modules add the pool
 * and the ledger on top of this one.
 */
export default buildModule("Microcredit", (m) => {
  const asset = m.contract("MockStablecoin");
  return { asset };
});
