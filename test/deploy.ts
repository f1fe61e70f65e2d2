import { expect } from "chai";
import { network } from "hardhat";

describe("deployment", () => {
  it("deploys a 6-decimals stablecoin whose faucet works on the local chain", async () => {
    const { ethers } = await network.create();
    const [, alice] = await ethers.getSigners();
    const token = await ethers.deployContract("MockStablecoin");
    await token.faucet(alice.address, 1_000_000n);
    expect(await token.decimals()).to.equal(6n);
    expect(await token.balanceOf(alice.address)).to.equal(1_000_000n);
  });
});
