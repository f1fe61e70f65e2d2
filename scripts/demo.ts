// The Microcredit story, told on a chain: `npm run demo` (in-process Hardhat
// network) or `npm run demo -- --network localhost` (against `npm run node`).
import { network } from "hardhat";

const { ethers } = await network.create();
const [admin, lender] = await ethers.getSigners();
const fmt = (units: bigint) => ethers.formatUnits(units, 6);
const say = (line: string) => console.log(`  ${line}`);

console.log(`Microcredit demo on chain ${(await ethers.provider.getNetwork()).chainId}\n`);
const token = await ethers.deployContract("MockStablecoin");
await token.waitForDeployment();
say(`1. Admin ${admin.address.slice(0, 10)}… deployed the stablecoin mUSD at ${await token.getAddress()}`);
await (await token.faucet(lender.address, 100_000_000000n)).wait();
say(`2. Lender ${lender.address.slice(0, 10)}… took ${fmt(await token.balanceOf(lender.address))} mUSD from the faucet`);
console.log("\nDone.");
