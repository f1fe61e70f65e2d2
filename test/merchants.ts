// MerchantRegistry from TypeScript (docs/MERCHANTS.md): credentials signed by the SDK (EOA and ERC-1271) are what the
// registry verifies, its records read back with named fields, every refusal decodes into its sentence, and the
// `microcredit merchant` commands run against a node where `npm run deploy:local` deployed the registry.
import { expect } from "chai";
import { type ChildProcess } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { network } from "hardhat";
import { Contract, Interface, JsonRpcProvider, Wallet, type InterfaceAbi } from "ethers";
import { ABIS } from "../src/abi/contracts.ts";
import { ERROR_SIGNATURES } from "../src/abi/errors.ts";
import { hardhatKey } from "../src/cli/keys.ts";
import { duration } from "../src/format/duration.ts";
import { ERROR_MESSAGES } from "../src/sdk/errors.ts";
import {
  connectMerchantRegistry,
  contractSignature,
  merchantCredential,
  merchantCredentialDigest,
  merchantStatusName,
  MERCHANT_MANAGER_ROLE,
  readMerchant,
  SUBSIDY_SPENDER_ROLE,
  readMerchantOf,
  recoverMerchantCredentialSigner,
  registeredMerchantId,
  signMerchantCredential,
  type MerchantCredential,
} from "../src/sdk/merchants.ts";
import { scratchCheckout } from "./helpers/checkout.ts";
import { json, ok, oneLine, runCli, runScript } from "./helpers/cli-process.ts";
import { startNode } from "./helpers/node.ts";
import { DAY, ONE } from "./helpers/fixture.ts";
import { refusal } from "./helpers/refusal.ts";
import { MERCHANT_LOAN_MASK, MERCHANT_LOAN_PRODUCT, SALES_SHARE } from "../src/config/defaults.ts";
import { saleSplit } from "../src/sdk/sales.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

/** Unix seconds as the decoder writes them: "1750000000 (2025-06-15T15:06:40.000Z)". */
const when = (seconds: bigint) => `${seconds} (${new Date(Number(seconds) * 1000).toISOString()})`;

async function setup() {
  const [admin, manager, owner, payout, other, stranger, newcomer] = await ethers.getSigners();
  const token = await ethers.deployContract("MockStablecoin");
  const registry = await ethers.deployContract("MerchantRegistry", [await token.getAddress(), admin.address]);
  await registry.grantRole(MERCHANT_MANAGER_ROLE, manager.address);
  const registryAddress = await registry.getAddress();
  const { chainId } = await ethers.provider.getNetwork();
  for (const who of [owner, other]) {
    await token.faucet(who.address, 1_000n * ONE);
    await token.connect(who).approve(registryAddress, ethers.MaxUint256);
  }
  return {
    token,
    registry,
    registryAddress,
    chainId,
    admin,
    manager,
    owner,
    payout,
    other,
    stranger,
    newcomer,
  };
}

/** A credential for `owner` paid to `payout`, 2.5% discount, grocery stores (5411), valid for a week. */
async function credentialFor(owner: string, payout: string): Promise<MerchantCredential> {
  const now = BigInt(await networkHelpers.time.latest());
  return merchantCredential({ owner, payout, discountBps: 250, category: 5411, expiry: now + 7n * DAY });
}

describe("MerchantRegistry from the SDK", () => {
  it("test_merchants_sdkCredential: a credential the SDK signs is the registry's digest and registers its owner", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const credential = await credentialFor(d.owner.address, d.payout.address);
    const signature = await signMerchantCredential(d.manager, d.registryAddress, d.chainId, credential);
    expect(merchantCredentialDigest(d.registryAddress, d.chainId, credential)).to.equal(
      await d.registry.hashCredential(credential),
    );
    expect(recoverMerchantCredentialSigner(d.registryAddress, d.chainId, credential, signature)).to.equal(
      d.manager.address,
    );

    const tx = await d.registry.connect(d.owner).registerWithCredential(credential, signature);
    const receipt = (await tx.wait())!;
    const reader = connectMerchantRegistry(d.registryAddress, ethers.provider);
    expect(registeredMerchantId(reader, receipt.logs)).to.equal(1n);
    const registeredAt = BigInt((await ethers.provider.getBlock(receipt.blockNumber))!.timestamp);
    const record = await readMerchant(reader, 1n);
    expect(record).to.deep.equal({
      id: 1n,
      owner: d.owner.address,
      payout: d.payout.address,
      discountBps: 250,
      category: 5411,
      status: "Active",
      registeredAt,
      subsidyBudget: 0n,
      pendingPayout: null,
      pendingOwner: null,
    });
    expect(await readMerchantOf(reader, d.owner.address)).to.deep.equal(record);
    expect(await readMerchantOf(reader, d.stranger.address)).to.equal(undefined);
    expect(await readMerchant(reader, 2n)).to.equal(undefined);
    expect(await d.registry.checkActive(1n)).to.deep.equal([d.payout.address, 250n]);

    // A proposal, a key transfer and a budget show in the record; the status reads by name.
    await d.registry.connect(d.manager).proposePayout(1n, d.stranger.address);
    const [, readyAt] = await d.registry.pendingPayout(1n);
    await d.registry.connect(d.owner).proposeOwner(1n, d.newcomer.address);
    await d.registry.connect(d.other).fundSubsidy(1n, 12_500_000n);
    const proposed = (await readMerchant(reader, 1n))!;
    expect(proposed.pendingPayout).to.deep.equal({ payout: d.stranger.address, readyAt });
    expect(proposed.pendingOwner).to.equal(d.newcomer.address);
    expect(proposed.subsidyBudget).to.equal(12_500_000n);
    await d.registry.connect(d.manager).suspend(1n);
    const suspended = (await readMerchant(reader, 1n))!;
    expect(suspended.status).to.equal("Suspended");
    expect(suspended.pendingOwner).to.equal(null); // a suspension drops a key transfer

    // A manager's registration is Pending, without a payout, until its owner accepts it.
    await d.registry.connect(d.manager).register(d.other.address, 120, 5812);
    const pending = (await readMerchant(reader, 2n))!;
    expect([pending.status, pending.payout, pending.discountBps, pending.category]).to.deep.equal([
      "Pending",
      null,
      120,
      5812,
    ]);
    await d.registry.connect(d.other).accept(2n, d.other.address);
    expect(await readMerchant(reader, 2n)).to.include({ status: "Active", payout: d.other.address });
  });

  it("test_merchants_untrustedSigner: a credential a non-manager signed is refused in one sentence", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const credential = await credentialFor(d.owner.address, d.payout.address);
    const forged = await signMerchantCredential(d.other, d.registryAddress, d.chainId, credential);
    const refused = await refusal(d.registry.connect(d.owner).registerWithCredential(credential, forged));
    expect(refused.errorName).to.equal("UntrustedCredentialSigner");
    expect(refused.message).to.equal(
      `The merchant credential is signed by ${d.other.address}, which is not a merchant-manager: the credential ` +
        "was altered, signed for another chain or registry, or its key lost the role.",
    );
    // A manager's signature for another chain recovers to some other address: refused the same way.
    const elsewhere = await signMerchantCredential(d.manager, d.registryAddress, 1n, credential);
    const wrongChain = await refusal(
      d.registry.connect(d.owner).registerWithCredential(credential, elsewhere),
    );
    expect(wrongChain.errorName).to.equal("UntrustedCredentialSigner");
    expect(wrongChain.args[0]).to.not.equal(d.manager.address);
    // A manager's own credential, revoked before use.
    const signature = await signMerchantCredential(d.manager, d.registryAddress, d.chainId, credential);
    const digest = merchantCredentialDigest(d.registryAddress, d.chainId, credential);
    await d.registry.connect(d.manager).revokeCredential(digest);
    const revoked = await refusal(d.registry.connect(d.owner).registerWithCredential(credential, signature));
    expect(revoked.message).to.equal(
      `The merchant credential with digest ${digest} is revoked: a merchant-manager withdrew it, and it registers no one.`,
    );
    expect(await d.registry.merchantCount()).to.equal(0n);
  });

  it("test_merchants_contractSigner: an ERC-1271 manager's wrapped signature registers; a refusing wallet does not", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const wallet = await ethers.deployContract("MockERC1271Signer", [d.manager.address]);
    const walletAddress = await wallet.getAddress();
    await d.registry.grantRole(MERCHANT_MANAGER_ROLE, walletAddress);
    const credential = await credentialFor(d.owner.address, d.payout.address);
    const inner = await signMerchantCredential(d.manager, d.registryAddress, d.chainId, credential);
    await d.registry
      .connect(d.owner)
      .registerWithCredential(credential, contractSignature(walletAddress, inner));
    expect(await d.registry.merchantIdOf(d.owner.address)).to.equal(1n);
    const [event] = await d.registry.queryFilter(d.registry.filters.MerchantRegistered());
    expect(event.args.approvedBy).to.equal(walletAddress);

    await wallet.connect(d.manager).setApproving(false);
    const next = await credentialFor(d.other.address, d.other.address);
    const nextInner = await signMerchantCredential(d.manager, d.registryAddress, d.chainId, next);
    const refused = await refusal(
      d.registry.connect(d.other).registerWithCredential(next, contractSignature(walletAddress, nextInner)),
    );
    expect(refused.message).to.equal(
      `The contract signer ${walletAddress} did not accept the signature (ERC-1271).`,
    );
    const malformed = await refusal(
      d.registry.connect(d.other).registerWithCredential(next, "0x" + "ab".repeat(10)),
    );
    expect(malformed.message).to.equal(
      "A signature of 10 bytes is neither 65 bytes (r, s, v) nor abi.encode(signer, signature) for a contract signer.",
    );
  });

  it("test_merchants_decodedSentences: each refusal of the registry reads as one sentence with its values", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const r = d.registry;
    await r.connect(d.manager).register(d.owner.address, 250, 5411);
    const pending = await refusal(r.checkActive(1n));
    expect(pending.message).to.equal(
      "Merchant 1 is pending: its owner has not accepted it with a payout address yet (accept).",
    );
    const strangerAccepts = await refusal(r.connect(d.stranger).accept(1n, d.stranger.address));
    expect(strangerAccepts.message).to.equal(
      `Only the owner of merchant 1 may do this; caller was ${d.stranger.address}.`,
    );
    const toRegistry = await refusal(r.connect(d.owner).accept(1n, d.registryAddress));
    expect(toRegistry.message).to.equal(
      `${d.registryAddress} cannot be a payout address (it is the zero address or the registry itself).`,
    );
    await r.connect(d.owner).accept(1n, d.payout.address);

    const exists = await refusal(r.connect(d.manager).register(d.owner.address, 0, 0));
    expect(exists.message).to.equal(
      `${d.owner.address} already has merchant 1 (of any status): an owner key holds one merchant, for ever.`,
    );
    const discount = await refusal(r.connect(d.manager).setDiscount(1n, 1_001));
    expect(discount.message).to.equal(
      "A discount rate of 10.01% is above the most a merchant may be charged (10.00%).",
    );
    const category = await refusal(r.connect(d.manager).register(d.other.address, 0, 10_000));
    expect(category.message).to.equal("Merchant category 10000 is not an ISO 18245 code (0–9999).");
    expect((await refusal(r.checkActive(99n))).message).to.equal("Merchant 99 is not registered.");
    const delay = await refusal(r.setPayoutDelay(3_600n));
    expect(delay.message).to.equal("A payout delay of 1 hour is outside the allowed 1 day to 30 days.");
    const role = await refusal(r.connect(d.stranger).register(d.stranger.address, 0, 0));
    expect(role.message).to.equal(
      `Account ${d.stranger.address.slice(0, 8)}…${d.stranger.address.slice(-4)} lacks the role MERCHANT_MANAGER_ROLE.`,
    );
    const noProposal = await refusal(r.connect(d.stranger).acceptOwner(1n, d.stranger.address));
    expect(noProposal.message).to.equal(
      `No new owner is proposed for merchant 1: ${d.stranger.address} cannot take it over.`,
    );

    // Budgets: amounts in token units with their base units.
    await r.connect(d.other).fundSubsidy(1n, 100_500_000n);
    const above = await refusal(r.connect(d.owner).withdrawSubsidy(1n, 200n * ONE, d.owner.address));
    expect(above.message).to.equal(
      "Merchant 1's subsidy budget holds 100.50 (100,500,000 units), less than the 200.00 (200,000,000 units) asked.",
    );
    expect((await refusal(r.connect(d.other).fundSubsidy(1n, 0n))).message).to.equal(
      "The amount must be greater than zero.",
    );
    const stranded = await refusal(r.connect(d.owner).withdrawSubsidy(1n, ONE, d.registryAddress));
    expect(stranded.message).to.equal(
      `${d.registryAddress} cannot receive subsidy budget tokens (it is the zero address or the registry itself).`,
    );

    // A proposed payout waits out the delay: the sentence says when, and how long is left.
    await r.connect(d.manager).proposePayout(1n, d.other.address);
    const [, readyAt] = await r.pendingPayout(1n);
    const early = await refusal(r.applyPayout(1n));
    const now = early.args[2] as bigint;
    expect(early.errorName).to.equal("PayoutNotReady");
    expect(readyAt - now).to.be.within(2n * DAY - 5n, 2n * DAY);
    expect(early.message).to.equal(
      `The payout change proposed for merchant 1 can be applied from ${when(readyAt)}, in ${duration(readyAt - now)}; ` +
        `it is now ${when(now)}.`,
    );
    expect(duration(readyAt - now)).to.match(/^(2 days|1 day 23 hours)$/);
    const intruder = await refusal(r.connect(d.stranger).cancelPayout(1n));
    expect(intruder.message).to.equal(
      `${d.stranger.address} is neither the owner of merchant 1 nor a holder of MERCHANT_MANAGER_ROLE, and may not do this.`,
    );
    const managerCloses = await refusal(r.connect(d.manager).close(1n));
    expect(managerCloses.message).to.equal(
      `${d.manager.address} is neither the owner of merchant 1 nor a holder of DEFAULT_ADMIN_ROLE, and may not do this.`,
    );

    // Suspended: not payable, and its money stays put.
    await r.connect(d.manager).suspend(1n);
    const suspended =
      "Merchant 1 is suspended: it cannot be paid or closed, and its owner can neither change its payout nor " +
      "withdraw its budget, until a merchant-manager reactivates it.";
    expect((await refusal(r.checkActive(1n))).message).to.equal(suspended);
    expect((await refusal(r.connect(d.owner).withdrawSubsidy(1n, ONE, d.owner.address))).message).to.equal(
      suspended,
    );
    // No one closes a suspended merchant (its key may be stolen); reactivated, its owner can. Closed: for good.
    expect((await refusal(r.connect(d.owner).close(1n))).message).to.equal(suspended);
    expect((await refusal(r.connect(d.admin).close(1n))).message).to.equal(suspended);
    await r.connect(d.manager).reactivate(1n);
    await r.connect(d.owner).close(1n);
    const refusedMove = await refusal(r.connect(d.manager).suspend(1n));
    expect(refusedMove.message).to.equal(
      "Merchant 1 cannot go from Closed to Suspended (its owner accepts a Pending merchant; a manager moves " +
        "Active ⇄ Suspended; the owner or the admin closes it, for good).",
    );
    expect((await refusal(r.connect(d.other).fundSubsidy(1n, ONE))).message).to.equal(
      "Merchant 1 is closed for good: it can no longer be paid or changed (its owner can still withdraw its subsidy budget).",
    );

    // Credentials: submitted by someone else, or too late.
    const credential = await credentialFor(d.newcomer.address, d.newcomer.address);
    const signature = await signMerchantCredential(d.manager, d.registryAddress, d.chainId, credential);
    const notTheirs = await refusal(r.connect(d.stranger).registerWithCredential(credential, signature));
    expect(notTheirs.message).to.equal(
      `The merchant credential is for ${d.newcomer.address}: only that key may submit it, not ${d.stranger.address}.`,
    );
    await networkHelpers.time.increaseTo(credential.expiry + 1n);
    const expired = await refusal(r.connect(d.newcomer).registerWithCredential(credential, signature));
    const [expiry, at] = expired.args as unknown as [bigint, bigint];
    expect(expiry).to.equal(credential.expiry);
    expect(expired.message).to.equal(
      `The merchant credential expired at ${when(expiry)}; it is now ${when(at)}. Ask a merchant-manager for a new one.`,
    );
  });

  it("test_merchants_spender: a product spends a budget only once the owner allows it, never to the registry", async () => {
    const d = await networkHelpers.loadFixture(setup);
    const r = d.registry;
    const product = d.stranger; // a key standing in for a reviewed product contract
    await r.connect(d.manager).register(d.owner.address, 0, 5411);
    await r.connect(d.owner).accept(1n, d.payout.address);
    await r.connect(d.other).fundSubsidy(1n, 50n * ONE);
    await r.grantRole(SUBSIDY_SPENDER_ROLE, product.address);
    const refused = await refusal(r.connect(product).spendSubsidy(1n, ONE, d.newcomer.address));
    expect(refused.message).to.equal(
      `${product.address} may not spend merchant 1's subsidy budget: its owner has not allowed it (setSpenderAllowed).`,
    );
    await r.connect(d.owner).setSpenderAllowed(1n, product.address, true);
    await r.connect(product).spendSubsidy(1n, 3n * ONE, d.newcomer.address);
    expect(await d.token.balanceOf(d.newcomer.address)).to.equal(3n * ONE);
    const reader = connectMerchantRegistry(d.registryAddress, ethers.provider);
    expect((await readMerchant(reader, 1n))!.subsidyBudget).to.equal(47n * ONE);
    const stranded = await refusal(r.connect(product).spendSubsidy(1n, ONE, d.registryAddress));
    expect(stranded.errorName).to.equal("InvalidRecipient");
  });

  it("test_merchants_everyError: each registry error has a sentence and its selector in abi/errors.json", () => {
    const registry = new Interface(ABIS.MerchantRegistry as InterfaceAbi);
    const names: string[] = [];
    registry.forEachError((error) => {
      names.push(error.name);
      expect(ERROR_SIGNATURES[error.selector], error.name).to.equal(error.format("sighash"));
      expect(ERROR_MESSAGES[error.name], error.name).to.not.equal(undefined);
    });
    expect(names).to.include.members([
      "UnknownMerchant",
      "MerchantPending",
      "StatusChangeRefused",
      "PayoutNotReady",
      "SubsidyBudgetFull",
      "UntrustedCredentialSigner",
      "NotOwnerOr",
      "SpenderNotAllowed",
    ]);
    expect([0, 1, 2, 3, 4, 7].map((s) => merchantStatusName(s))).to.deep.equal([
      "None",
      "Pending",
      "Active",
      "Suspended",
      "Closed",
      "status 7",
    ]);
    expect(() =>
      merchantCredential({
        owner: SOME_ADDRESS,
        payout: SOME_ADDRESS,
        discountBps: 1_001,
        category: 0,
        expiry: 0,
      }),
    ).to.throw("discount rate 1001 bps is outside 0–1000 bps");
  });
});

const SOME_ADDRESS = "0x0000000000000000000000000000000000000001";
const PORT = 9737;
const RPC = `http://127.0.0.1:${PORT}`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

describe("microcredit merchant: the registry's commands against a node", function () {
  this.timeout(180_000);

  let dir: string;
  let node: ChildProcess;
  let provider: JsonRpcProvider;
  let addresses: Record<string, string>;
  const owner = new Wallet(hardhatKey(5));
  const payout = new Wallet(hardhatKey(6));
  const newPayout = new Wallet(hardhatKey(7));
  const applicant = new Wallet(hardhatKey(8));
  const stranger = new Wallet(hardhatKey(9));
  const heir = new Wallet(hardhatKey(11));
  const run = (...args: string[]) => runCli(dir, [...args, "--rpc", RPC]);

  before(async () => {
    dir = scratchCheckout("microcredit-merchant-");
    node = await startNode(PORT);
    const deploy = await runScript(dir, join("scripts", "deploy.ts"), ["--rpc", RPC]);
    expect(deploy.status, deploy.stderr).to.equal(0);
    const file = join(dir, "ignition", "deployments", `chain-31337-${PORT}`, "deployed_addresses.json");
    addresses = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
    provider = new JsonRpcProvider(RPC, undefined, { cacheTimeout: -1 });
    const token = new Contract(
      addresses["Microcredit#MockStablecoin"],
      ["function faucet(address, uint256)"],
      new Wallet(hardhatKey(0), provider),
    );
    await (await token.faucet(owner.address, 1_000n * ONE)).wait();
  });

  after(() => {
    provider?.destroy();
    if (node?.pid) process.kill(-node.pid, "SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("test_merchantCli_deployed: deploy:local lists the registry, the deployer is its manager", async () => {
    const at = addresses["Microcredit#MerchantRegistry"];
    expect(at).to.match(/^0x[0-9a-fA-F]{40}$/);
    const registry = new Contract(at, ABIS.MerchantRegistry as InterfaceAbi, provider);
    expect(await registry.asset()).to.equal(addresses["Microcredit#MockStablecoin"]);
    expect(await registry.hasRole(MERCHANT_MANAGER_ROLE, new Wallet(hardhatKey(0)).address)).to.equal(true);
    expect(await registry.payoutDelay()).to.equal(2n * DAY);
    const top = ok(await runCli(dir, ["--help"]));
    expect(top).to.match(
      /^ {2}merchant\s+.*: register, accept, credential, register-with-credential, revoke-credential, show, /m,
    );
    const help = ok(await runCli(dir, ["merchant", "--help"]));
    for (const command of [
      "propose-payout --merchant <id> --payout <a>",
      "withdraw --amount <tokens> | --all",
      "accept --payout <a> [--merchant <id>]",
      "propose-owner --new-owner <a> | --withdraw",
    ])
      expect(help).to.contain(command);
  });

  it("test_merchantCli_registerAcceptShow: register (Pending), the owner accepts, then show by id (--json) and by owner", async () => {
    const registered = json(
      await run(
        "merchant",
        "register",
        "--owner",
        owner.address,
        "--discount-bps",
        "250",
        "--category",
        "5411",
        "--json",
      ),
    );
    expect(registered).to.include({ command: "merchant register", merchantId: "1" });
    expect(registered.merchant).to.include({ status: "Pending", payout: null, owner: owner.address });
    // Not payable before its owner accepts it: refused by name.
    oneLine(
      await run("merchant", "set-payout", "--payout", payout.address, "--account", "5"),
      /^microcredit merchant set-payout: Merchant 1 is pending: its owner has not accepted it with a payout address yet \(accept\)\.$/,
      1,
    );
    const accepted = ok(await run("merchant", "accept", "--payout", payout.address, "--account", "5"));
    expect(accepted).to.match(
      new RegExp(`^merchant 1 is active, paying out to ${payout.address} \\(tx 0x[0-9a-f]{64}\\)$`, "m"),
    );
    expect(accepted).to.match(/^status\s+Active$/m);

    const shown = json(await run("merchant", "show", "--merchant", "1", "--json"));
    expect(shown).to.include({
      command: "merchant show",
      id: "1",
      owner: owner.address,
      payout: payout.address,
      discountBps: 250,
      category: 5411,
      status: "Active",
      subsidyBudget: "0",
      pendingPayout: null,
      pendingOwner: null,
      decimals: 6,
      registry: addresses["Microcredit#MerchantRegistry"],
    });
    expect(shown.registeredAt).to.equal(registered.merchant.registeredAt);
    const human = ok(await run("merchant", "show", "--owner", owner.address));
    expect(human).to.match(/^merchant\s+1$/m);
    expect(human).to.match(/^discount rate\s+2\.50%$/m);
    expect(human).to.match(/^pending payout\s+none$/m);
    // The owner's key finds its own merchant.
    expect(json(await run("merchant", "show", "--account", "5", "--json")).id).to.equal("1");
    // Not a manager: the role it lacks, decoded.
    oneLine(
      await run(
        "merchant",
        "register",
        "--owner",
        applicant.address,
        "--discount-bps",
        "0",
        "--category",
        "0",
        "--account",
        "9",
      ),
      /^microcredit merchant register: Account 0xa0Ee7A…9720 lacks the role MERCHANT_MANAGER_ROLE\.$/,
      1,
    );
    // Values the registry would refuse are refused before any connection.
    oneLine(
      await run("merchant", "set-discount", "--merchant", "1", "--discount-bps", "1001"),
      /^microcredit merchant set-discount: --discount-bps must be an integer from 0 to 1000, got "1001" \(see --help\)$/,
      2,
    );
    oneLine(
      await run("merchant", "show", "--merchant", "7"),
      new RegExp(
        `^microcredit merchant show: merchant 7 is not registered in the registry at ${escape(addresses["Microcredit#MerchantRegistry"])}$`,
      ),
      2,
    );
  });

  it("test_merchantCli_sales: a customer pays merchant 1 through the sales router; `merchant sales` shows the window", async () => {
    const customer = stranger.connect(provider);
    const admin = new Wallet(hardhatKey(0), provider);
    const token = new Contract(
      addresses["Microcredit#MockStablecoin"],
      ["function faucet(address, uint256)", "function approve(address, uint256)"],
      admin,
    );
    const routerAt = addresses["Microcredit#SalesRouter"];
    expect(routerAt).to.match(/^0x[0-9a-fA-F]{40}$/);
    await (await token.faucet(customer.address, 100n * ONE)).wait();
    await (await admin.sendTransaction({ to: customer.address, value: 10n ** 18n })).wait();
    await (await (token.connect(customer) as Contract).approve(routerAt, 100n * ONE)).wait();
    const router = new Contract(routerAt, ABIS.SalesRouter as InterfaceAbi, customer);
    await (await router.pay(1n, 30n * ONE, 1n)).wait();
    await (await router.pay(1n, 12_500_000n, 2n)).wait();

    const shown = json(await run("merchant", "sales", "--merchant", "1", "--json"));
    expect(shown).to.include({ command: "merchant sales", merchantId: "1", router: routerAt, decimals: 6 });
    expect(shown.current).to.include({ volume: "42500000", sales: 2, refunds: "0", activeDays: 1 });
    expect(shown.complete).to.have.length(12);
    expect(shown.tenureDays).to.equal(0);
    const human = ok(await run("merchant", "sales", "--owner", owner.address));
    expect(human).to.match(
      /^ {2}current {2}from \S+ \S+: 42\.50 in 2 sales on 1 day, refunds 0\.00 \(in progress\)$/m,
    );
    // A sale of an order already paid is refused by name, and moves nothing.
    const again = await refusal(router.pay(1n, ONE, 2n));
    expect(again.message).to.equal("Order 2 of merchant 1 is already paid; it is never paid twice.");
  });

  it("test_merchantCli_loans: the owner borrows through the router, a sale repays 20 % of it, `merchant loans` shows both", async () => {
    const admin = new Wallet(hardhatKey(0), provider);
    const customer = stranger.connect(provider);
    const merchantOwner = owner.connect(provider);
    const routerAt = addresses["Microcredit#SalesRouter"];
    const token = new Contract(
      addresses["Microcredit#MockStablecoin"],
      [
        "function faucet(address, uint256)",
        "function approve(address, uint256)",
        "function balanceOf(address) view returns (uint256)",
        "function allowance(address, address) view returns (uint256)",
      ],
      admin,
    );
    const pool = new Contract(addresses["Microcredit#LendingPool"], ABIS.LendingPool as InterfaceAbi, admin);
    const ledger = new Contract(
      addresses["Microcredit#CreditLedger"],
      ABIS.CreditLedger as InterfaceAbi,
      admin,
    );
    const router = new Contract(routerAt, ABIS.SalesRouter as InterfaceAbi, merchantOwner);
    const lens = new Contract(addresses["Microcredit#CreditLens"], ABIS.CreditLens as InterfaceAbi, provider);
    expect(await router.loanProduct()).to.equal(BigInt(MERCHANT_LOAN_PRODUCT.id));
    expect(json(await run("merchant", "loans", "--merchant", "1", "--json"))).to.include({ shareBps: 0 });
    // A lender funds the pool; the underwriter opens the owner's line for the merchant loan; the owner lets the
    // router originate on it and borrows.
    await (await token.faucet(admin.address, 100_000n * ONE)).wait();
    await (await token.approve(addresses["Microcredit#LendingPool"], 100_000n * ONE)).wait();
    await (await pool.deposit(100_000n * ONE, admin.address)).wait();
    await (await ledger.setLine(owner.address, 10_000n * ONE, 1_800, MERCHANT_LOAN_MASK, 1)).wait();
    // `merchant borrow` lets the router originate on the line first (it had not), then borrows bound to a quote.
    oneLine(
      await run("merchant", "borrow", "--merchant", "1", "--amount", "1000", "--account", "9"),
      new RegExp(
        `^microcredit merchant borrow: Only the owner of merchant 1 may do this; caller was ${stranger.address}\\.$`,
      ),
      1,
    );
    expect(await lens.originatorAllowed(stranger.address, routerAt), "refused before any consent").to.equal(
      false,
    );
    // A borrow the ledger refuses (a bound below the line's APR) takes back the consent the command gave for it.
    oneLine(
      await run("merchant", "borrow", "--amount", "1000", "--max-apr-bps", "100", "--account", "5"),
      /^microcredit merchant borrow: .*APR.*$/,
      1,
    );
    expect(await lens.originatorAllowed(owner.address, routerAt)).to.equal(false);
    const paidOutBefore = await token.balanceOf(payout.address);
    const borrowed = json(await run("merchant", "borrow", "--amount", "1000", "--account", "5", "--json"));
    expect(borrowed).to.include({
      command: "merchant borrow",
      merchantId: "1",
      amount: (1_000n * ONE).toString(),
    });
    expect(borrowed.product).to.equal(MERCHANT_LOAN_PRODUCT.id);
    expect(borrowed.allowTx).to.match(/^0x[0-9a-f]{64}$/);
    expect(borrowed).to.include({
      payout: payout.address,
      received: (1_000n * ONE).toString(),
      router: routerAt,
    });
    expect(borrowed.bounds).to.include({ method: 1, payments: 6, periodDays: 30 });
    expect(await lens.originatorAllowed(owner.address, routerAt)).to.equal(true);
    expect((await token.balanceOf(payout.address)) - paidOutBefore).to.equal(1_000n * ONE);
    expect(BigInt(borrowed.nextDueAmount) > 166n * ONE, "the first minimum: a sixth and interest").to.equal(
      true,
    );

    // A customer pays a sale with `merchant pay`: 20 % repays the loan, the rest reaches the payout address.
    const paidOut = await token.balanceOf(payout.address);
    await (await token.faucet(customer.address, 100n * ONE)).wait();
    const paid = json(
      await run(
        "merchant",
        "pay",
        "--merchant",
        "1",
        "--amount",
        "50",
        "--order",
        "3",
        "--account",
        "9",
        "--json",
      ),
    );
    const split = saleSplit(50n * ONE, BigInt(SALES_SHARE.shareBps));
    expect(split).to.deep.equal({ share: 10n * ONE, toLoans: 10n * ONE, toMerchant: 40n * ONE });
    expect(paid).to.deep.include({
      command: "merchant pay",
      orderId: "3",
      toMerchant: split.toMerchant.toString(),
      repaid: [{ loanId: borrowed.loanId, amount: split.toLoans.toString() }],
    });
    expect((await token.balanceOf(payout.address)) - paidOut).to.equal(split.toMerchant);
    // The same order again: refused by name before any approval.
    const allowanceBefore = (await token.allowance(customer.address, routerAt)) as bigint;
    oneLine(
      await run("merchant", "pay", "--merchant", "1", "--amount", "50", "--order", "3", "--account", "9"),
      /^microcredit merchant pay: Order 3 of merchant 1 is already paid; it is never paid twice\.$/,
      1,
    );
    expect(await token.allowance(customer.address, routerAt)).to.equal(allowanceBefore);
    // A sale above the customer's balance: the token refuses the pull, and the approval given for it is put back.
    const above = ((await token.balanceOf(customer.address)) as bigint) / ONE + 1n;
    expect(allowanceBefore < above * ONE, "the command has to approve for it").to.equal(true);
    oneLine(
      await run(
        "merchant",
        "pay",
        "--merchant",
        "1",
        "--amount",
        above.toString(),
        "--order",
        "4",
        "--account",
        "9",
      ),
      new RegExp(`^microcredit merchant pay: Balance too low: 0x.*$`),
      1,
    );
    expect(await token.allowance(customer.address, routerAt)).to.equal(allowanceBefore);

    const shown = json(await run("merchant", "loans", "--merchant", "1", "--json"));
    expect(shown).to.include({
      command: "merchant loans",
      merchantId: "1",
      shareBps: 2_000,
      lateShareBps: 5_000,
    });
    expect(shown.loans).to.have.length(1);
    expect(shown.loans[0]).to.include({ status: "active", markedBucket: "current", pastDue: "0" });
    const payoff = BigInt(shown.loans[0].payoff);
    expect(
      payoff > 990n * ONE && payoff < 991n * ONE,
      `owes the 990 left and a little interest, not ${payoff}`,
    ).to.equal(true);
    const human = ok(await run("merchant", "loans", "--owner", owner.address));
    expect(human).to.match(/^merchant 1: 20\.00% of each sale repays the loans, oldest first$/m);
    expect(human).to.match(
      /^ {2}loan \d+ \(active, current\): owes 990\.\d\d, next minimum \d+\.\d\d by \S+/m,
    );

    // The monitor's report: the merchant loan under its originator, the sale's 10 repaid by the router.
    const reportDir = join(dir, "monitor-report");
    const report = await runScript(dir, join("scripts", "monitor.ts"), [
      "report",
      "--out",
      reportDir,
      "--rpc",
      RPC,
    ]);
    expect(report.status, report.stderr).to.equal(0);
    const metrics = JSON.parse(readFileSync(join(reportDir, "metrics.json"), "utf8"));
    expect(metrics.current.originated).to.deep.equal([
      {
        productId: MERCHANT_LOAN_PRODUCT.id,
        originator: routerAt.toLowerCase(),
        loans: 1,
        active: 1,
        principalOutstanding: (await lens.loanState(BigInt(borrowed.loanId))).principalOutstanding.toString(),
        pastDue: "0",
        repaidByOriginator: (10n * ONE).toString(),
        repaidByBorrowers: "0",
        repaidByOthers: "0",
        originatorShare: 1,
        behind: [],
      },
    ]);
    expect(readFileSync(join(reportDir, "report.html"), "utf8")).to.contain("(merchant loans)</h2>");
  });

  it("test_merchantCli_payoutDelay: a proposal cannot be applied before the delay, then anyone applies it", async () => {
    const proposed = json(
      await run("merchant", "propose-payout", "--merchant", "1", "--payout", newPayout.address, "--json"),
    );
    const readyAt = BigInt(proposed.readyAt);
    expect(proposed.merchant.pendingPayout).to.deep.equal({
      payout: newPayout.address,
      readyAt: proposed.readyAt,
    });
    expect(proposed.merchant.payout).to.equal(payout.address);

    const early = await run("merchant", "apply-payout", "--merchant", "1", "--account", "9");
    oneLine(
      early,
      new RegExp(
        `^microcredit merchant apply-payout: The payout change proposed for merchant 1 can be applied from ` +
          `${readyAt} \\(${escape(new Date(Number(readyAt) * 1000).toISOString())}\\), in (2 days|1 day 23 hours); ` +
          `it is now \\d+ \\(.+\\)\\.$`,
      ),
      1,
    );
    const still = json(await run("merchant", "show", "--merchant", "1", "--json"));
    expect(still.payout).to.equal(payout.address);

    await provider.send("evm_increaseTime", [2 * 86_400]);
    await provider.send("evm_mine", []);
    const applied = json(
      await run("merchant", "apply-payout", "--merchant", "1", "--account", "9", "--json"),
    );
    expect(applied.merchant.payout).to.equal(newPayout.address);
    expect(applied.merchant.pendingPayout).to.equal(null);
    // Nothing pending any more: the next apply is refused in one sentence.
    oneLine(
      await run("merchant", "apply-payout", "--merchant", "1"),
      /^microcredit merchant apply-payout: Merchant 1 has no payout change pending\.$/,
      1,
    );
    // The owner changes its payout at once.
    const own = json(
      await run("merchant", "set-payout", "--payout", payout.address, "--account", "5", "--json"),
    );
    expect(own.merchant.payout).to.equal(payout.address);
  });

  it("test_merchantCli_credential: a manager's credential registers the merchant that submits it; a revoked one nobody", async () => {
    const file = join(dir, "merchant-credential.json");
    const sign = async (who: string) =>
      ok(
        await run(
          "merchant",
          "credential",
          "--owner",
          who,
          "--discount-bps",
          "120",
          "--category",
          "5812",
          "--expiry-days",
          "7",
          "--json",
        ),
      );
    const signed = await sign(applicant.address);
    writeFileSync(file, signed);
    const document = JSON.parse(signed) as Record<string, any>;
    expect(document).to.include({
      signer: new Wallet(hardhatKey(0)).address,
      trustedSigner: true,
      registry: addresses["Microcredit#MerchantRegistry"],
      chainId: "31337",
    });
    expect(document.credential).to.include({
      owner: applicant.address,
      payout: applicant.address,
      discountBps: 120,
      category: 5812,
    });
    // Someone else's key may not submit it.
    oneLine(
      await run("merchant", "register-with-credential", "--credential", file, "--account", "9"),
      new RegExp(
        `^microcredit merchant register-with-credential: The merchant credential is for ${applicant.address}: ` +
          `only that key may submit it, not ${stranger.address}\\.$`,
      ),
      1,
    );
    const registered = json(
      await run("merchant", "register-with-credential", "--credential", file, "--account", "8", "--json"),
    );
    expect(registered.merchantId).to.equal("2");
    expect(registered.merchant).to.include({
      owner: applicant.address,
      payout: applicant.address,
      discountBps: 120,
      category: 5812,
      status: "Active",
    });
    // Once is all: the same file again.
    oneLine(
      await run("merchant", "register-with-credential", "--credential", file, "--account", "8"),
      new RegExp(
        `^microcredit merchant register-with-credential: ${applicant.address} already has merchant 2 `,
      ),
      1,
    );

    // A credential revoked before use registers no one.
    const revokedFile = join(dir, "revoked-credential.json");
    writeFileSync(revokedFile, await sign(stranger.address));
    const revoked = json(await run("merchant", "revoke-credential", "--credential", revokedFile, "--json"));
    expect(revoked.owner).to.equal(stranger.address);
    const registry = new Contract(
      addresses["Microcredit#MerchantRegistry"],
      ABIS.MerchantRegistry as InterfaceAbi,
      provider,
    );
    expect(await registry.credentialRevoked(revoked.digest)).to.equal(true);
    oneLine(
      await run("merchant", "register-with-credential", "--credential", revokedFile, "--account", "9"),
      new RegExp(
        `^microcredit merchant register-with-credential: The merchant credential with digest ${revoked.digest} is revoked: `,
      ),
      1,
    );
  });

  it("test_merchantCli_budgetStatusOwner: fund, refusals while suspended or above the budget, --all, a new owner key, close", async () => {
    const funded = json(
      await run("merchant", "fund", "--merchant", "1", "--amount", "100.5", "--account", "5", "--json"),
    );
    expect(funded.amount).to.equal("100500000");
    expect(funded.merchant.subsidyBudget).to.equal("100500000");
    // More than the owner holds: the approval given for it is put back and nothing is funded.
    const tokenAllowance = new Contract(
      addresses["Microcredit#MockStablecoin"],
      ["function allowance(address, address) view returns (uint256)"],
      provider,
    );
    const allowedBefore = await tokenAllowance.allowance(
      owner.address,
      addresses["Microcredit#MerchantRegistry"],
    );
    expect(allowedBefore).to.be.lessThan(5_000n * ONE, "the fund below needs an approval");
    oneLine(
      await run("merchant", "fund", "--merchant", "1", "--amount", "5000", "--account", "5"),
      /^microcredit merchant fund: .*balance/i,
      1,
    );
    expect(await tokenAllowance.allowance(owner.address, addresses["Microcredit#MerchantRegistry"])).to.equal(
      allowedBefore,
    );
    oneLine(
      await run("merchant", "withdraw", "--amount", "200", "--account", "5"),
      /^microcredit merchant withdraw: Merchant 1's subsidy budget holds 100\.50 \(100,500,000 units\), less than the 200\.00 \(200,000,000 units\) asked\.$/,
      1,
    );
    expect(json(await run("merchant", "suspend", "--merchant", "1", "--json")).merchant.status).to.equal(
      "Suspended",
    );
    oneLine(
      await run("merchant", "withdraw", "--all", "--account", "5"),
      /^microcredit merchant withdraw: Merchant 1 is suspended: it cannot be paid or closed, and its owner can neither /,
      1,
    );
    expect(json(await run("merchant", "reactivate", "--merchant", "1", "--json")).merchant.status).to.equal(
      "Active",
    );
    const all = json(await run("merchant", "withdraw", "--all", "--account", "5", "--json"));
    expect(all).to.include({ amount: "100500000", to: owner.address });
    expect(all.merchant.subsidyBudget).to.equal("0");
    const token = new Contract(
      addresses["Microcredit#MockStablecoin"],
      ["function balanceOf(address) view returns (uint256)"],
      provider,
    );
    expect(await token.balanceOf(owner.address)).to.equal(1_000n * ONE);

    // The owner hands the merchant to a new key, which accepts it.
    const handed = json(
      await run("merchant", "propose-owner", "--new-owner", heir.address, "--account", "5", "--json"),
    );
    expect(handed.merchant.pendingOwner).to.equal(heir.address);
    const taken = json(
      await run(
        "merchant",
        "accept-owner",
        "--merchant",
        "1",
        "--payout",
        heir.address,
        "--account",
        "11",
        "--json",
      ),
    );
    expect(taken.merchant).to.include({ owner: heir.address, payout: heir.address, pendingOwner: null });

    // A stranger may not close it; its new owner does, for good.
    oneLine(
      await run("merchant", "close", "--merchant", "1", "--account", "9"),
      new RegExp(
        `^microcredit merchant close: ${stranger.address} is neither the owner of merchant 1 nor a holder of ` +
          "DEFAULT_ADMIN_ROLE, and may not do this\\.$",
      ),
      1,
    );
    const closed = ok(await run("merchant", "close", "--account", "11"));
    expect(closed).to.match(
      /^merchant 1 is closed for good; its subsidy budget stays withdrawable by its owner \(tx 0x[0-9a-f]{64}\)$/m,
    );
    expect(closed).to.match(/^status\s+Closed$/m);
    oneLine(
      await run("merchant", "reactivate", "--merchant", "1"),
      /^microcredit merchant reactivate: Merchant 1 cannot go from Closed to Active \(/,
      1,
    );
  });
});
