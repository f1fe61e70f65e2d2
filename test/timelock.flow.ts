import { expect } from "chai";
import { network } from "hardhat";
import { ZeroHash, id } from "ethers";
import { deployMicrocredit, ONE, DAY, LOCAL_LIMITS as LIMITS } from "./helpers/fixture.ts";

// The admin behind a timelock (PRODUCT.md C9): a parameter change is announced and cannot run before its delay;
// the emergency levers (pause, tighten) stay immediate and can only lower risk.
const connection = await network.create();
const { networkHelpers } = connection;

const DELAY = 2n * DAY;

async function governed() {
  const d = await deployMicrocredit(connection);
  const { ethers, admin, ledger } = d;
  const timelock = await ethers.deployContract("MicrocreditTimelock", [
    DELAY,
    [admin.address],
    [admin.address],
    ethers.ZeroAddress,
  ]);
  await ledger.setLimits(LIMITS);
  await ledger.grantRole(ZeroHash, await timelock.getAddress());
  await ledger.grantRole(id("RISK_ROLE"), d.other.address);
  await ledger.renounceRole(ZeroHash, admin.address);
  return { ...d, timelock };
}

describe("timelocked administration", () => {
  it("a limit raise is announced, refused before its delay and applied after it", async () => {
    const d = await networkHelpers.loadFixture(governed);
    const raise = { ...LIMITS, maxExposure: 300_000n * ONE };
    await expect(d.ledger.setLimits(raise))
      .to.be.revertedWithCustomError(d.ledger, "AccessControlUnauthorizedAccount")
      .withArgs(d.admin.address, ZeroHash);
    const target = await d.ledger.getAddress();
    const data = d.ledger.interface.encodeFunctionData("setLimits", [raise]);
    const salt = id("raise exposure cap");
    const opId = await d.timelock.hashOperation(target, 0, data, ZeroHash, salt);
    await expect(d.timelock.schedule(target, 0, data, ZeroHash, salt, DELAY))
      .to.emit(d.timelock, "CallScheduled")
      .withArgs(opId, 0, target, 0, data, ZeroHash, DELAY);
    const readyAt = await d.timelock.getTimestamp(opId);
    await expect(d.timelock.execute(target, 0, data, ZeroHash, salt)).to.be.revertedWithCustomError(
      d.timelock,
      "TimelockUnexpectedOperationState",
    );
    await networkHelpers.time.setNextBlockTimestamp(readyAt - 1n);
    await expect(d.timelock.execute(target, 0, data, ZeroHash, salt)).to.be.revertedWithCustomError(
      d.timelock,
      "TimelockUnexpectedOperationState",
    );
    expect((await d.lens.riskState()).limits.maxExposure).to.equal(LIMITS.maxExposure, "not applied early");
    await networkHelpers.time.setNextBlockTimestamp(readyAt);
    await expect(d.timelock.execute(target, 0, data, ZeroHash, salt))
      .to.emit(d.ledger, "LimitsSet")
      .withArgs(Object.values(raise), await d.timelock.getAddress());
    expect((await d.lens.riskState()).limits.maxExposure).to.equal(300_000n * ONE);
  });

  it("a shorter delay than the minimum cannot be scheduled", async () => {
    const d = await networkHelpers.loadFixture(governed);
    const data = d.ledger.interface.encodeFunctionData("setRates", [0, 0, 0]);
    await expect(d.timelock.schedule(await d.ledger.getAddress(), 0, data, ZeroHash, ZeroHash, DELAY - 1n))
      .to.be.revertedWithCustomError(d.timelock, "TimelockInsufficientDelay")
      .withArgs(DELAY - 1n, DELAY);
  });

  it("the emergency levers stay immediate and only lower risk", async () => {
    const d = await networkHelpers.loadFixture(governed);
    const risk = d.ledger.connect(d.other);
    await expect(risk.tightenLimits({ ...LIMITS, breakerBps: 500n })).to.emit(d.ledger, "LimitsSet");
    await expect(risk.tightenLimits({ ...LIMITS, breakerBps: 800n }))
      .to.be.revertedWithCustomError(d.ledger, "LimitRaiseNotAllowed")
      .withArgs(6, 500n, 800n);
    await expect(d.ledger.pause()).to.emit(d.ledger, "Paused"); // the admin account keeps the pauser role
  });
});
