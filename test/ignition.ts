import { expect } from "chai";
import { network } from "hardhat";
import { id } from "ethers";
import Microcredit from "../ignition/modules/Microcredit.ts";
import { modelVersionToBytes32, NO_PERMIT, productMask, signKyc, signOffer } from "../src/sdk/offers.ts";
import { ALL_PRODUCTS_MASK, ONE, PRODUCTS } from "./helpers/fixture.ts";

// The Ignition module deploys the whole system wired: a fresh applicant goes from a signed offer to a loan with no
// transaction outside the module but the lender's deposit.
const connection = await network.create();
const { ethers, ignition, networkHelpers } = connection;

describe("Ignition module (npm run deploy:local)", () => {
  it("deploys CreditOffers holding the underwriter role, with the deployer account as offer signer and KYC issuer", async () => {
    const [admin, lender, applicant] = await ethers.getSigners();
    const deployed = await ignition.deploy(Microcredit);
    const asset = await ethers.getContractAt("MockStablecoin", await deployed.asset.getAddress());
    const ledger = await ethers.getContractAt("CreditLedger", await deployed.ledger.getAddress());
    const lens = await ethers.getContractAt("CreditLens", await deployed.lens.getAddress());
    const pool = await ethers.getContractAt("LendingPool", await deployed.pool.getAddress());
    const offers = await ethers.getContractAt("CreditOffers", await deployed.offers.getAddress());
    const offersAddress = await offers.getAddress();
    const ledgerAddress = await ledger.getAddress();
    expect(await offers.ledger()).to.equal(ledgerAddress);
    expect(await lens.ledger()).to.equal(ledgerAddress, "the lens reads this deployment's ledger");
    expect(await ledger.hasRole(id("UNDERWRITER_ROLE"), offersAddress)).to.equal(true);
    expect(await offers.isSigner(admin.address)).to.equal(true);
    expect(await offers.isKycIssuer(admin.address)).to.equal(true);
    expect(await offers.hasRole(ethers.ZeroHash, admin.address)).to.equal(true);
    expect(await offers.isSigner(lender.address)).to.equal(false);

    await asset.faucet(lender.address, 100_000n * ONE);
    await asset.connect(lender).approve(await pool.getAddress(), ethers.MaxUint256);
    await pool.connect(lender).deposit(100_000n * ONE, lender.address);

    const { chainId } = await ethers.provider.getNetwork();
    const now = BigInt(await networkHelpers.time.latest());
    const offer = {
      borrower: applicant.address,
      ledger: ledgerAddress,
      limit: 2_000n * ONE,
      aprBps: 1_800n,
      productMask: productMask(PRODUCTS.map((p) => p.id)),
      modelVersion: modelVersionToBytes32(`sha256:${"ab".repeat(32)}`),
      nonce: await offers.nextNonce(applicant.address),
      expiry: now + 86_400n,
    };
    const kyc = { borrower: applicant.address, level: 2, expiry: now + 365n * 86_400n };
    await offers
      .connect(applicant)
      .acceptOffer(
        offer,
        await signOffer(admin, offersAddress, chainId, offer),
        kyc,
        await signKyc(admin, offersAddress, chainId, kyc),
        NO_PERMIT,
      );
    const line = await lens.lineOf(applicant.address);
    expect(line.limit).to.equal(2_000n * ONE);
    expect(line.aprBps).to.equal(1_800n);
    expect(line.productMask).to.equal(BigInt(ALL_PRODUCTS_MASK));
    expect(line.status).to.equal(1n); // Active

    await ledger.connect(applicant).draw(PRODUCTS[0].id, 500n * ONE);
    expect(await asset.balanceOf(applicant.address)).to.equal(500n * ONE);
    expect((await lens.lineOf(applicant.address)).outstanding).to.equal(500n * ONE);
  });

  it("deploys MerchantRegistry over the same token, with the deployer account as admin and merchant-manager", async () => {
    const [admin, lender] = await ethers.getSigners();
    const deployed = await ignition.deploy(Microcredit);
    const registry = await ethers.getContractAt(
      "MerchantRegistry",
      await deployed.merchantRegistry.getAddress(),
    );
    expect(await registry.asset()).to.equal(await deployed.asset.getAddress());
    expect(await registry.hasRole(ethers.ZeroHash, admin.address)).to.equal(true);
    expect(await registry.hasRole(id("MERCHANT_MANAGER_ROLE"), admin.address)).to.equal(true);
    expect(await registry.hasRole(id("MERCHANT_MANAGER_ROLE"), lender.address)).to.equal(false);
    expect(await registry.payoutDelay()).to.equal(2n * 86_400n);
    await registry.register(lender.address, 250, 5411);
    await registry.connect(lender).accept(1n, lender.address);
    expect(await registry.checkActive(1n)).to.deep.equal([lender.address, 250n]);

    // The sales router pays the registry's merchants in its token.
    const router = await ethers.getContractAt("SalesRouter", await deployed.salesRouter.getAddress());
    expect(await router.registry()).to.equal(await registry.getAddress());
    expect(await router.asset()).to.equal(await deployed.asset.getAddress());
  });
});
