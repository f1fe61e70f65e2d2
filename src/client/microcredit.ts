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
  type Provider,
  type Signer,
} from "ethers";
import { ABIS } from "../abi/contracts.ts";
import type { DrawBounds } from "../core/draw-bounds.ts";
import { LoanStatus } from "../core/loan.ts";
import { payoffAllowance } from "../core/payoff.ts";
import { explain, withDecodedErrors } from "../sdk/errors.ts";
import { checkLensOf } from "../sdk/lens-check.ts";
import { resolveAddresses, type AddressSource, type MicrocreditAddresses } from "./addresses.ts";
import { deploymentOf, isChainLookup, type ChainLookup } from "./deployments.ts";
import {
  eventsEmittedBy,
  parseEvents,
  queryBorrowerEvents,
  type MicrocreditEvent,
  type RawLog,
} from "./events.ts";
import { signPermit } from "./permit.ts";
import { providerOf, signerOf } from "./runner.ts";
import { readQueuePosition, type QueuePosition } from "./queue.ts";
import { readPlan, type LoanPlan } from "./plan.ts";
import { readQuote, type Quote } from "./quote.ts";
import { sendOrUndo } from "./send.ts";
import {
  connectToken,
  ensureAllowance,
  isAllowanceShortfall,
  restoreAllowance,
  transferred,
} from "./token.ts";
import { toLine, toLoan, type Line, type Loan, type Position } from "./views.ts";

export type { DrawBounds };

/** A mined transaction and what it did, read from its events. */
export interface Outcome<T> {
  value: T;
  receipt: ContractTransactionReceipt;
  /** Set when the transaction succeeded but a follow-up did not (a payoff's allowance could not be taken back). */
  warning?: string;
}

/** How long the allowance given for a payoff covers the loan's interest and penalty growing (seconds). */
export const PAYOFF_ALLOWANCE_SECONDS = 3_600n;

/** How long a permit signed by `setMandateWithPermit` stays valid when no deadline is given (seconds). */
export const PERMIT_SECONDS = 3_600n;

/** What `redeemAll` and `redeemAvailable` did: shares burnt and assets paid (both 0 when nothing could leave). */
export interface Redeemed {
  shares: bigint;
  assets: bigint;
}

/** What `setMandateWithPermit` left: the mandate's cap, and the ledger's allowance after the permit. */
export interface MandatePermitted {
  capPerCollection: bigint;
  allowance: bigint;
  /** False when the token refused the permit (used, expired, front-run): the mandate is set all the same. */
  permitted: boolean;
}

const abi = (entries: unknown): InterfaceAbi => entries as InterfaceAbi;

export class Microcredit {
  readonly addresses: MicrocreditAddresses;
  readonly runner: ContractRunner;
  readonly ledger: Contract;
  /** The CreditLens: every read of loans, lines, products, limits and the book. */
  readonly lens: Contract;
  readonly pool: Contract;
  readonly token: Contract;
  /** CreditQuotes, when the deployment lists it (`quote` needs it). */
  readonly quotes?: Contract;
  /** The token's decimals, used to write amounts in error messages. */
  readonly decimals: number;

  private constructor(runner: ContractRunner, addresses: MicrocreditAddresses, decimals: number) {
    this.runner = runner;
    this.addresses = addresses;
    this.decimals = decimals;
    this.ledger = new Contract(addresses.ledger, abi(ABIS.CreditLedger), runner);
    this.lens = new Contract(addresses.lens, abi(ABIS.CreditLens), runner);
    this.pool = new Contract(addresses.pool, abi(ABIS.LendingPool), runner);
    this.token = connectToken(addresses.token, runner);
    if (addresses.quotes !== undefined) {
      this.quotes = new Contract(addresses.quotes, abi(ABIS.CreditQuotes), runner);
    }
  }

  /**
   * Connects to a deployment given as addresses, as the entries of an Ignition `deployed_addresses.json`, as the
   * path of that file, or by its chain (`{ chainId? }`, the default: `deploymentOf`, src/client/deployments.ts);
   * without a token address, the pool's asset. A lens that reads another ledger is refused. A signer runner can send
   * transactions; a provider only reads.
   */
  static async connect(
    runner: ContractRunner,
    source: AddressSource | ChainLookup = {},
  ): Promise<Microcredit> {
    const listed = isChainLookup(source)
      ? await deploymentOf(runner, source)
      : await resolveAddresses(source);
    const provider =
      runner.provider ?? (typeof (runner as Provider).getCode === "function" ? (runner as Provider) : null);
    if (provider !== null) {
      for (const [name, at] of Object.entries(listed)) {
        if (typeof at === "string" && (await provider.getCode(at)) === "0x") {
          const { chainId } = await provider.getNetwork();
          throw new Error(`no contract at ${at} (the ${name} address) on chain ${chainId}`);
        }
      }
    }
    await checkLensOf(listed.lens, listed.ledger, runner);
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

  /**
   * Deposits `assets` into the pool (approving the pool first if needed). Resolves with the shares minted. A deposit
   * that reverts once approved (the balance is short, say) puts the allowance back, as a repayment does.
   */
  async deposit(assets: bigint): Promise<Outcome<bigint>> {
    const signer = this.signer();
    const me = await signer.getAddress();
    const pool = this.addresses.pool;
    return this.decoded(async () => {
      const before = await ensureAllowance(this.token, signer, pool, assets);
      const receipt = await sendOrUndo(
        this.pool,
        "deposit",
        [assets, me],
        "the allowance",
        () => restoreAllowance(this.token, signer, pool, before),
        this.decimals,
      );
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

  /**
   * Redeems at most `shares` now: as many as can leave when the transaction runs (`pool.redeemAvailable`), so a figure
   * read from `maxRedeem` a block earlier cannot make it revert. Resolves with the shares burnt and assets paid.
   */
  async redeemAvailable(shares: bigint): Promise<Outcome<Redeemed>> {
    const me = await this.signer().getAddress();
    return this.decoded(async () => {
      const receipt = await this.send(this.pool, "redeemAvailable", [shares, me]);
      const withdrawn = this.parsed(this.pool, receipt).find((e) => e.name === "Withdraw");
      const value = withdrawn
        ? { shares: withdrawn.args.shares as bigint, assets: withdrawn.args.assets as bigint }
        : { shares: 0n, assets: 0n };
      return { value, receipt };
    });
  }

  /** Redeems every share of the signer that can leave now (`redeemAvailable` of the balance); the rest stays. */
  async redeemAll(): Promise<Outcome<Redeemed>> {
    const me = await this.signer().getAddress();
    const balance = await this.decoded(async () => (await this.pool.balanceOf(me)) as bigint);
    return this.redeemAvailable(balance);
  }

  /**
   * Queues `shares` for redemption (escrowed by the pool, filled FIFO by `processRedemptions` as cash comes back, then
   * taken with `claim`). Resolves with the request id.
   */
  async requestRedeem(shares: bigint): Promise<Outcome<bigint>> {
    this.signer();
    return this.decoded(async () => {
      const receipt = await this.send(this.pool, "requestRedeem", [shares]);
      return { value: this.poolEvent(receipt, "RedeemRequested", "requestId"), receipt };
    });
  }

  /** Cancels the signer's request `requestId`. Resolves with the unfilled shares returned. */
  async cancelRedeem(requestId: bigint): Promise<Outcome<bigint>> {
    this.signer();
    return this.decoded(async () => {
      const receipt = await this.send(this.pool, "cancelRedeem", [requestId]);
      return { value: this.poolEvent(receipt, "RedeemCancelled", "shares"), receipt };
    });
  }

  /**
   * The owner's open requests (the signer's by default), each with the shares queued ahead of it. The pool has no
   * index by owner: this walks the queue from head to tail, one `redemptionRequest` read per id, at most `maxRequests`
   * ids (default 1,000); a longer queue comes back with `truncated` set.
   */
  async queuePosition(owner?: string, options: { maxRequests?: number } = {}): Promise<QueuePosition> {
    const who = owner ?? (await this.signer().getAddress());
    return this.decoded(() => readQueuePosition(this.pool, who, options.maxRequests));
  }

  /** Takes the signer's filled redemptions (`claimable`), paid to `receiver` (the signer by default). Resolves with
   * the assets paid. */
  async claim(receiver?: string): Promise<Outcome<bigint>> {
    const me = await this.signer().getAddress();
    return this.decoded(async () => {
      const receipt = await this.send(this.pool, "claim", [receiver ?? me]);
      return { value: this.poolEvent(receipt, "RedeemClaimed", "assets"), receipt };
    });
  }

  /**
   * Fills up to `maxRequests` queued redemptions from the head of the queue with the cash the pool can release now
   * (anyone may call it). Resolves with the requests filled (fully or in part) and the shares and assets they took.
   */
  async processRedemptions(
    maxRequests: number,
  ): Promise<Outcome<{ filled: number; shares: bigint; assets: bigint }>> {
    this.signer();
    return this.decoded(async () => {
      const receipt = await this.send(this.pool, "processRedemptions", [maxRequests]);
      const fills = this.parsed(this.pool, receipt).filter((e) => e.name === "RedeemFilled");
      const value = {
        filled: fills.length,
        shares: fills.reduce((sum, e) => sum + (e.args.shares as bigint), 0n),
        assets: fills.reduce((sum, e) => sum + (e.args.assets as bigint), 0n),
      };
      return { value, receipt };
    });
  }

  // ── borrower ────────────────────────────────────────────────────────────────────────────────────────────────

  /** The borrower's credit line (the signer's by default). */
  async line(borrower?: string): Promise<Line> {
    const who = borrower ?? (await this.signer().getAddress());
    return this.decoded(async () => toLine(await this.lens.lineOf(who)));
  }

  /** Every loan of the borrower (the signer's by default), oldest first, each as the ledger sees it now. */
  async loans(borrower?: string): Promise<Loan[]> {
    const who = borrower ?? (await this.signer().getAddress());
    return this.decoded(async () => {
      const ids = await this.loanIds(who);
      return Promise.all(ids.map(async (id) => toLoan(id, await this.lens.loanState(id))));
    });
  }

  /** One loan as the ledger sees it now; its next instalment is `nextDueAt` and `nextDueAmount`. */
  async loan(loanId: bigint): Promise<Loan> {
    return this.decoded(async () => toLoan(loanId, await this.lens.loanState(loanId)));
  }

  /** The loan's plan as drawn: each due date with its payment, principal and interest (see `readPlan`). */
  async plan(loanId: bigint): Promise<LoanPlan> {
    return this.decoded(() => readPlan(this.lens, this.quotes, loanId));
  }

  /**
   * What drawing `amount` on `productId` would cost now (`CreditQuotes.quote`, for the signer by default): the
   * disclosure, whether its APR is within the cap, and the `bounds` to pass to `draw` so the draw costs no more.
   */
  async quote(productId: number, amount: bigint, borrower?: string): Promise<Quote> {
    const quotes = this.quotes;
    if (quotes === undefined) {
      throw new Error(
        "this needs the CreditQuotes address: connect with { quotes } or a deployment that lists it",
      );
    }
    const who = borrower ?? (await this.signer().getAddress());
    return this.decoded(() => readQuote(quotes, this.lens, who, productId, amount));
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
    const bound = await this.decoded(async () => {
      // Every read in one block, whose timestamp is the `now` of the bound (core/payoff.ts payoffAllowanceUp).
      const block = await this.provider().getBlock("latest");
      if (block === null) throw new Error("the node returned no latest block");
      const at = { blockTag: block.number };
      const [state, record, risk] = await Promise.all([
        this.lens.loanState(loanId, at),
        this.lens.loanRecord(loanId, at),
        this.lens.riskParams(at),
      ]);
      if (BigInt(record.status) === BigInt(LoanStatus.Defaulted))
        return { allowance: state.payoff as bigint, tight: true };
      const { feeBps } = await this.lens.product(record.productId, at);
      const reads = {
        record,
        penalty: state.penalty as bigint,
        risk,
        feeBps: BigInt(feeBps),
        now: BigInt(block.timestamp),
      };
      return payoffAllowance(reads, PAYOFF_ALLOWANCE_SECONDS);
    });
    return this.pay(loanId, MaxUint256, bound.allowance, !bound.tight);
  }

  /**
   * Authorises collection from the signer's wallet, at most `capPerCollection` per loan and call (0: no cap). The
   * ledger also needs an allowance (`setMandateWithPermit` gives both). Resolves with the cap set.
   */
  async setMandate(capPerCollection: bigint): Promise<Outcome<bigint>> {
    this.signer();
    return this.decoded(async () => {
      const receipt = await this.send(this.ledger, "setMandate", [capPerCollection]);
      return { value: this.ledgerEvent(receipt, "MandateSet", "capPerCollection"), receipt };
    });
  }

  /**
   * `setMandate` and an allowance of `allowance` to the ledger in one transaction, with no `approve` sent: signs an
   * ERC-2612 permit (valid until `deadline`, default an hour after the latest block) for `ledger.setMandateWithPermit`.
   * The ledger sets the mandate even when the token refuses the permit: `permitted` says whether it took it.
   */
  async setMandateWithPermit(
    capPerCollection: bigint,
    allowance: bigint,
    deadline?: bigint,
  ): Promise<Outcome<MandatePermitted>> {
    const signer = this.signer();
    const me = await signer.getAddress();
    return this.decoded(async () => {
      const until = deadline ?? (await this.latestTimestamp()) + PERMIT_SECONDS;
      const permit = await signPermit(this.token, signer, this.addresses.ledger, allowance, until);
      const receipt = await this.send(this.ledger, "setMandateWithPermit", [
        capPerCollection,
        permit.value,
        permit.deadline,
        permit.v,
        permit.r,
        permit.s,
      ]);
      const cap = this.ledgerEvent(receipt, "MandateSet", "capPerCollection");
      const approved = receipt.logs.some((log) => {
        if (log.address.toLowerCase() !== this.addresses.token.toLowerCase()) return false;
        const event = this.token.interface.parseLog(log);
        return event?.name === "Approval" && String(event.args.owner).toLowerCase() === me.toLowerCase();
      });
      const current: bigint = await this.token.allowance(me, this.addresses.ledger);
      return { value: { capPerCollection: cap, allowance: current, permitted: approved }, receipt };
    });
  }

  /** Stops collection from the signer's wallet (the allowance is left as it is). */
  async revokeMandate(): Promise<Outcome<void>> {
    this.signer();
    return this.decoded(async () => ({
      value: undefined,
      receipt: await this.send(this.ledger, "revokeMandate", []),
    }));
  }

  // ── events ──────────────────────────────────────────────────────────────────────────────────────────────────

  /** The ledger's and the pool's events in a receipt, typed (`MicrocreditEvent`, narrowed by `name`). */
  events(receipt: { logs: readonly RawLog[] }): MicrocreditEvent[] {
    return parseEvents(this.addresses, receipt.logs);
  }

  /**
   * A borrower's history from `fromBlock` (default 0) to `toBlock` (default latest): its `Drawn` and `Collected`
   * (filtered by the indexed borrower), and every event about its loans (repayments, fees, penalties, buckets,
   * write-offs, closings), in chain order. Public nodes limit the block range of a query: pass a recent `fromBlock`.
   */
  async logsOf(borrower: string, fromBlock: number = 0, toBlock?: number): Promise<MicrocreditEvent[]> {
    const provider = this.runner.provider;
    if (!provider) throw new Error("this needs a runner with a provider to query logs");
    const ids = await this.decoded(() => this.loanIds(borrower));
    return queryBorrowerEvents(provider, this.addresses, borrower, ids, fromBlock, toBlock);
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

  /**
   * Repays from the signer's wallet with `allowance` made pullable first. A repayment the ledger would refuse for
   * another reason than the allowance is refused before anything is approved. If it reverts once approved (the balance
   * is short, the loan changed in between) or is refused before broadcast, the allowance goes back to what it was, and
   * the error says so if that failed; if its outcome is unknown (a timeout with no receipt, a cancelled transaction),
   * nothing is put back (`sendOrUndo`). With `takeBackRest`, the allowance left above its former value after the
   * payment is taken back too (a loose payoff bound); if that fails, the payment is still returned, with a `warning`.
   */
  private async pay(
    loanId: bigint,
    amount: bigint,
    allowance: bigint,
    takeBackRest = false,
  ): Promise<Outcome<bigint>> {
    const signer = this.signer();
    const me = await signer.getAddress();
    const ledger = this.addresses.ledger;
    return this.decoded(async () => {
      await this.ledger.repay.staticCall(loanId, amount).catch((error: unknown) => {
        if (!isAllowanceShortfall(error)) throw error;
      });
      // With a collection mandate, the allowance left to the ledger is the mandate's budget: the payment adds to it.
      const [mandate] = (await this.lens.mandateOf(me)) as [boolean, bigint];
      const before = await ensureAllowance(this.token, signer, ledger, allowance, mandate);
      const receipt = await sendOrUndo(
        this.ledger,
        "repay",
        [loanId, amount],
        "the allowance",
        () => restoreAllowance(this.token, signer, ledger, before),
        this.decimals,
      );
      const value = transferred(this.token, this.addresses.token, "from", me, receipt.logs);
      if (takeBackRest) {
        // The payment is mined: a failed take-back is told with it, never in place of it.
        try {
          await restoreAllowance(this.token, signer, ledger, before);
        } catch (error) {
          const warning = `the allowance left above what it was could not be taken back: ${explain(error, this.decimals)}`;
          return { value, receipt, warning };
        }
      }
      return { value, receipt };
    });
  }

  private async loanIds(borrower: string): Promise<bigint[]> {
    const { loanCount } = toLine(await this.lens.lineOf(borrower));
    return Promise.all(
      Array.from({ length: loanCount }, (_, i) => this.lens.loanIdOf(borrower, i + 1) as Promise<bigint>),
    );
  }

  private async latestTimestamp(): Promise<bigint> {
    const block = await this.runner.provider?.getBlock("latest");
    if (!block) throw new Error("this needs a runner with a provider to read the latest block");
    return BigInt(block.timestamp);
  }

  private provider(): Provider {
    return providerOf(this.runner);
  }

  private signer(): Signer {
    return signerOf(this.runner);
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
    return eventsEmittedBy(contract, receipt.logs);
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
