// A client for one Microcredit deployment: the lender's pool, the borrower's line and loans, and the operator's
// collection, built on the ABIs of `microcredit/abi`. Every revert comes back as a MicrocreditError whose message is
// one sentence (src/sdk/errors.ts), with amounts in the token's decimals.
import {
  Contract,
  MaxUint256,
  ZeroAddress,
  type ContractRunner,
  type ContractTransactionReceipt,
  type InterfaceAbi,
  type Signer,
} from "ethers";
import { ABIS } from "../abi/contracts.ts";
import type { DrawBounds } from "../core/draw-bounds.ts";
import { accruedInterestUp, BPS } from "../core/schedule.ts";
import { withDecodedErrors } from "../sdk/errors.ts";
import { resolveAddresses, type AddressSource, type MicrocreditAddresses } from "./addresses.ts";
import { connectToken, ensureAllowance, transferred } from "./token.ts";
import { toLine, toLoan, type Line, type Loan, type Position } from "./views.ts";

export type { DrawBounds };

/** A mined transaction and what it did, read from its events. */
export interface Outcome<T> {
  value: T;
  receipt: ContractTransactionReceipt;
}

/** How long the allowance given for a payoff covers the loan's interest and penalty growing (seconds). */
export const PAYOFF_ALLOWANCE_SECONDS = 3_600n;

const abi = (entries: unknown): InterfaceAbi => entries as InterfaceAbi;

export class Microcredit {
  readonly addresses: MicrocreditAddresses;
  readonly runner: ContractRunner;
  readonly ledger: Contract;
  readonly pool: Contract;
  readonly token: Contract;
  /** The token's decimals, used to write amounts in error messages. */
  readonly decimals: number;

  private constructor(runner: ContractRunner, addresses: MicrocreditAddresses, decimals: number) {
    this.runner = runner;
    this.addresses = addresses;
    this.decimals = decimals;
    this.ledger = new Contract(addresses.ledger, abi(ABIS.CreditLedger), runner);
    this.pool = new Contract(addresses.pool, abi(ABIS.LendingPool), runner);
    this.token = connectToken(addresses.token, runner);
  }

  /**
   * Connects to a deployment given as addresses, as the entries of an Ignition `deployed_addresses.json`, or as the
   * path of that file; without a token address, the pool's asset. A signer runner can send transactions; a provider
   * only reads.
   */
  static async connect(runner: ContractRunner, source: AddressSource): Promise<Microcredit> {
    const listed = await resolveAddresses(source);
    const pool = new Contract(listed.pool, abi(ABIS.LendingPool), runner);
    const asset = String(await pool.asset());
    if (listed.token !== undefined && listed.token.toLowerCase() !== asset.toLowerCase()) {
      throw new Error(`the token ${listed.token} is not the pool's asset ${asset}`);
    }
    const addresses = { ...listed, token: asset };
    const decimals = Number(await connectToken(addresses.token, runner).decimals());
    return new Microcredit(runner, addresses, decimals);
  }

  // ── lender ──────────────────────────────────────────────────────────────────────────────────────────────────

  /** Deposits `assets` into the pool (approving the pool first if needed). Resolves with the shares minted. */
  async deposit(assets: bigint): Promise<Outcome<bigint>> {
    const signer = this.signer();
    const me = await signer.getAddress();
    return this.decoded(async () => {
      await ensureAllowance(this.token, signer, this.addresses.pool, assets);
      const receipt = await this.send(this.pool, "deposit", [assets, me]);
      return { value: this.poolEvent(receipt, "Deposit", "shares"), receipt };
    });
  }

  /** Redeems `shares` now at the exit price. Resolves with the assets paid. */
  async redeem(shares: bigint): Promise<Outcome<bigint>> {
    const me = await this.signer().getAddress();
    return this.decoded(async () => {
      const receipt = await this.send(this.pool, "redeem", [shares, me, me]);
      return { value: this.poolEvent(receipt, "Withdraw", "assets"), receipt };
    });
  }

  /** Withdraws `assets` now. Resolves with the shares burnt. */
  async withdraw(assets: bigint): Promise<Outcome<bigint>> {
    const me = await this.signer().getAddress();
    return this.decoded(async () => {
      const receipt = await this.send(this.pool, "withdraw", [assets, me, me]);
      return { value: this.poolEvent(receipt, "Withdraw", "shares"), receipt };
    });
  }

  /** The lender's shares, their value, what can leave now and what is claimable (the signer's by default). */
  async position(owner?: string): Promise<Position> {
    const who = owner ?? (await this.signer().getAddress());
    return this.decoded(async () => {
      const shares: bigint = await this.pool.balanceOf(who);
      const [assets, maxWithdraw, maxRedeem, claimable] = await Promise.all([
        this.pool.convertToAssets(shares) as Promise<bigint>,
        this.pool.maxWithdraw(who) as Promise<bigint>,
        this.pool.maxRedeem(who) as Promise<bigint>,
        this.pool.claimable(who) as Promise<bigint>,
      ]);
      return { shares, assets, maxWithdraw, maxRedeem, claimable };
    });
  }

  // ── borrower ────────────────────────────────────────────────────────────────────────────────────────────────

  /** The borrower's credit line (the signer's by default). */
  async line(borrower?: string): Promise<Line> {
    const who = borrower ?? (await this.signer().getAddress());
    return this.decoded(async () => toLine(await this.ledger.lineOf(who)));
  }

  /** Every loan of the borrower (the signer's by default), oldest first, each as the ledger sees it now. */
  async loans(borrower?: string): Promise<Loan[]> {
    const who = borrower ?? (await this.signer().getAddress());
    return this.decoded(async () => {
      const { loanCount } = toLine(await this.ledger.lineOf(who));
      const ids: bigint[] = await Promise.all(
        Array.from({ length: loanCount }, (_, i) => this.ledger.loanIdOf(who, i + 1) as Promise<bigint>),
      );
      return Promise.all(ids.map(async (id) => toLoan(id, await this.ledger.loanState(id))));
    });
  }

  /** One loan as the ledger sees it now. */
  async loan(loanId: bigint): Promise<Loan> {
    return this.decoded(async () => toLoan(loanId, await this.ledger.loanState(loanId)));
  }

  /**
   * Draws `amount` on product `productId` as a new loan, paid to the signer (less the product's fee). With `bounds`
   * (from a quote) the draw reverts rather than cost more, pay less or follow another plan. Resolves with the loan id.
   */
  async draw(productId: number, amount: bigint, bounds?: DrawBounds): Promise<Outcome<bigint>> {
    this.signer();
    return this.decoded(async () => {
      const receipt =
        bounds === undefined
          ? await this.send(this.ledger, "draw", [productId, amount])
          : await this.send(this.ledger, "drawWithin", [productId, amount, ZeroAddress, bounds]);
      return { value: this.ledgerEvent(receipt, "Drawn", "loanId"), receipt };
    });
  }

  /** Pays `amount` towards `loanId` from the signer's wallet (approving the ledger first if needed). Resolves with
   * the amount taken. */
  async repay(loanId: bigint, amount: bigint): Promise<Outcome<bigint>> {
    return this.pay(loanId, amount, amount);
  }

  /** Pays the loan off, whatever the payoff is when the transaction runs. Resolves with the amount taken. */
  async payoff(loanId: bigint): Promise<Outcome<bigint>> {
    const allowance = await this.decoded(async () => {
      const [state, record, params] = await Promise.all([
        this.ledger.loanState(loanId),
        this.ledger.loanRecord(loanId),
        this.ledger.riskParams(),
      ]);
      const rate = (BigInt(record.aprBps) * (BPS + BigInt(params.penaltyMultiplierBps))) / BPS;
      return (state.payoff as bigint) + accruedInterestUp(state.payoff, rate, PAYOFF_ALLOWANCE_SECONDS);
    });
    return this.pay(loanId, MaxUint256, allowance);
  }

  // ── operator ────────────────────────────────────────────────────────────────────────────────────────────────

  /** Collects what is due on `loanIds` from the borrowers' mandates. Resolves with the total collected. */
  async collect(loanIds: readonly bigint[]): Promise<Outcome<bigint>> {
    this.signer();
    return this.decoded(async () => {
      const receipt = await this.send(this.ledger, "collect", [[...loanIds]]);
      let collected = 0n;
      for (const event of this.parsed(this.ledger, receipt)) {
        if (event.name === "Collected") collected += event.args.amount as bigint;
      }
      return { value: collected, receipt };
    });
  }

  /** Moves `loanIds` to the bucket their arrears put them in (writing off those past default). Resolves with the
   * number of bucket changes. */
  async mark(loanIds: readonly bigint[]): Promise<Outcome<number>> {
    this.signer();
    return this.decoded(async () => {
      const receipt = await this.send(this.ledger, "mark", [[...loanIds]]);
      const changes = this.parsed(this.ledger, receipt).filter((e) => e.name === "BucketChanged").length;
      return { value: changes, receipt };
    });
  }

  // ── plumbing ────────────────────────────────────────────────────────────────────────────────────────────────

  private async pay(loanId: bigint, amount: bigint, allowance: bigint): Promise<Outcome<bigint>> {
    const signer = this.signer();
    const me = await signer.getAddress();
    return this.decoded(async () => {
      // With a collection mandate, the allowance left to the ledger is the mandate's budget: the payment adds to it.
      const [mandate] = (await this.ledger.mandateOf(me)) as [boolean, bigint];
      await ensureAllowance(this.token, signer, this.addresses.ledger, allowance, mandate);
      const receipt = await this.send(this.ledger, "repay", [loanId, amount]);
      return { value: transferred(this.token, this.addresses.token, "from", me, receipt.logs), receipt };
    });
  }

  private signer(): Signer {
    const runner = this.runner as Partial<Signer>;
    if (typeof runner.getAddress !== "function" || typeof runner.sendTransaction !== "function") {
      throw new Error("this needs a signer: connect with a Signer, not a Provider");
    }
    return runner as Signer;
  }

  private decoded<T>(call: () => Promise<T>): Promise<T> {
    return withDecodedErrors(call, this.decimals);
  }

  private async send(
    contract: Contract,
    method: string,
    args: unknown[],
  ): Promise<ContractTransactionReceipt> {
    const tx = await contract.getFunction(method)(...args);
    const receipt = await tx.wait();
    if (receipt === null) throw new Error(`${method}: the transaction was dropped`);
    return receipt;
  }

  private parsed(contract: Contract, receipt: ContractTransactionReceipt) {
    const address = String(contract.target).toLowerCase();
    return receipt.logs
      .filter((log) => log.address.toLowerCase() === address)
      .map((log) => contract.interface.parseLog(log))
      .filter((event) => event !== null);
  }

  private ledgerEvent(receipt: ContractTransactionReceipt, name: string, field: string): bigint {
    const event = this.parsed(this.ledger, receipt).find((e) => e.name === name);
    if (!event) throw new Error(`no ${name} event in transaction ${receipt.hash}`);
    return event.args[field] as bigint;
  }

  private poolEvent(receipt: ContractTransactionReceipt, name: string, field: string): bigint {
    const event = this.parsed(this.pool, receipt).find((e) => e.name === name);
    if (!event) throw new Error(`no ${name} event in transaction ${receipt.hash}`);
    return event.args[field] as bigint;
  }
}
