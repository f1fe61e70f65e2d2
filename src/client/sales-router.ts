// Money through the sales router (ISalesRouter) for integrators: a sale paid to a merchant, whose share repays the
// merchant's loans first, and the merchant loan its owner borrows against its sales. `microcredit merchant pay` and
// `merchant borrow` run these. A refusal comes back as a MicrocreditError in one sentence. What the router's own rules
// refuse is refused before anything is sent; a transaction that reverts once approved or consented to has that
// approval or consent put back, and says so if putting it back failed.
import type { Contract, ContractTransactionReceipt, Provider, Signer } from "ethers";
import type { DrawBounds } from "../core/draw-bounds.ts";
import { decodeError, explain, withDecodedErrors } from "../sdk/errors.ts";
import { connectMerchantRegistry, readMerchant } from "../sdk/merchants.ts";
import {
  connectSalesRouter,
  MAX_ORDER_ID,
  MAX_ORDER_JUMP,
  MAX_SALE_AMOUNT,
  ORDER_SPAN,
  orderIdProblem,
  readMerchantLoans,
  type MerchantLoans,
} from "../sdk/sales.ts";
import { eventsEmittedBy } from "./events.ts";
import type { Microcredit, Outcome } from "./microcredit.ts";
import { providerOf, signerOf } from "./runner.ts";
import { sendOrUndo } from "./send.ts";
import { ensureAllowance, restoreAllowance, transferred } from "./token.ts";

/** What a sale paid through the router did. */
export interface SalePaid {
  merchantId: bigint;
  orderId: bigint;
  /** The sale. */
  amount: bigint;
  /** What each of the merchant's loans received from it (`RepaidFromSale`), oldest loan first. */
  repaid: { loanId: bigint; amount: bigint }[];
  /** The rest, which the merchant's payout address receives in the same transaction. */
  toMerchant: bigint;
}

/** What a merchant's borrow did. */
export interface MerchantBorrowed {
  merchantId: bigint;
  loanId: bigint;
  amount: bigint;
  /** The merchant's payout address, and what it received (the amount less the product's fee). */
  payout: string;
  received: bigint;
  /** The bounds the borrow was held to. */
  bounds: DrawBounds;
  /** The consent transaction sent just before the borrow, when the router could not yet originate on the line. */
  allowTx: string | null;
}

/** The sales router and the merchant registry of a deployment, for the runner of `client` (a signer to send). */
export class SalesRouter {
  readonly client: Microcredit;
  readonly router: Contract;
  readonly registry: Contract;

  private constructor(client: Microcredit, router: Contract, registry: Contract) {
    this.client = client;
    this.router = router;
    this.registry = registry;
  }

  /**
   * The router and the registry at the deployment's addresses (`salesRouter`, `merchantRegistry`). A router that
   * lends on another ledger, reads another registry or moves another token is refused: approvals and consents would
   * go astray.
   */
  static async connect(client: Microcredit): Promise<SalesRouter> {
    const { salesRouter, merchantRegistry, ledger } = client.addresses;
    if (salesRouter === undefined || merchantRegistry === undefined) {
      throw new Error(
        "this deployment has no sales router or merchant registry (salesRouter, merchantRegistry)",
      );
    }
    const router = connectSalesRouter(salesRouter, client.runner);
    const [routerLedger, routerRegistry, routerAsset] = (await withDecodedErrors(() =>
      Promise.all([router.ledger(), router.registry(), router.asset()]),
    ).catch((error: unknown) => {
      throw new Error(`${salesRouter} does not answer as a sales router: ${explain(error)}`, {
        cause: error,
      });
    })) as [string, string, string];
    if (routerLedger.toLowerCase() !== ledger.toLowerCase()) {
      throw new Error(`the sales router ${salesRouter} lends on the ledger ${routerLedger}, not ${ledger}`);
    }
    if (routerRegistry.toLowerCase() !== merchantRegistry.toLowerCase()) {
      throw new Error(
        `the sales router ${salesRouter} reads the registry ${routerRegistry}, not ${merchantRegistry}`,
      );
    }
    if (routerAsset.toLowerCase() !== client.addresses.token.toLowerCase()) {
      throw new Error(
        `the sales router ${salesRouter} moves the token ${routerAsset}, not ${client.addresses.token}`,
      );
    }
    return new SalesRouter(client, router, connectMerchantRegistry(merchantRegistry, client.runner));
  }

  /** The merchant's loans as the router lists them, and the share of a sale that repays them now. */
  loans(merchantId: bigint): Promise<MerchantLoans> {
    return readMerchantLoans(this.router, merchantId);
  }

  /**
   * Pays sale `orderId` of `amount` to merchant `merchantId` from the signer's wallet, approving the router first when
   * its allowance is short. An amount or an order id the router refuses (zero, too large, paid, too old, too far
   * ahead) and a merchant that may not be paid are refused before anything is approved; a sale that reverts once
   * approved (a balance too low, say) puts the allowance back.
   */
  async pay(merchantId: bigint, amount: bigint, orderId: bigint): Promise<Outcome<SalePaid>> {
    const signer = this.signer();
    const spender = String(this.router.target);
    const token = this.client.token;
    return this.decoded(async () => {
      await this.checkSale(merchantId, amount, orderId);
      const before = await ensureAllowance(token, signer, spender, amount);
      const receipt = await this.sendOrUndo("pay", [merchantId, amount, orderId], "the allowance", () =>
        restoreAllowance(token, signer, spender, before),
      );
      const repaid = eventsEmittedBy(this.router, receipt.logs)
        .filter((e) => e.name === "RepaidFromSale")
        .map((e) => ({ loanId: e.args.loanId as bigint, amount: e.args.amount as bigint }));
      const toLoans = repaid.reduce((sum, r) => sum + r.amount, 0n);
      return { value: { merchantId, orderId, amount, repaid, toMerchant: amount - toLoans }, receipt };
    });
  }

  /**
   * The owner of merchant `merchantId` (the signer) borrows `amount` on its own line as the router's loan product,
   * paid to the merchant's payout and repaid from its sales. The borrow is held to `bounds`, by default those of a
   * quote read just before (it needs the deployment's `quotes`; a quote above the APR cap is refused). A merchant that
   * is not active and another key than the owner's are refused before anything is sent. When the router may not
   * originate on the line yet, it is allowed to (`setOriginatorAllowed`) just before the borrow, and that is taken
   * back if the borrow reverts.
   */
  async borrow(merchantId: bigint, amount: bigint, bounds?: DrawBounds): Promise<Outcome<MerchantBorrowed>> {
    const me = await this.signer().getAddress();
    const client = this.client;
    const routerAt = String(this.router.target);
    return this.decoded(async () => {
      const payout = await this.payoutOf(merchantId);
      const record = await readMerchant(this.registry, merchantId);
      if (record?.owner.toLowerCase() !== me.toLowerCase()) {
        throw this.refusal(this.registry, "NotMerchantOwner", [merchantId, me]);
      }
      let held = bounds;
      if (held === undefined) {
        const quote = await client.quote(Number(await this.router.loanProduct()), amount, me);
        if (!quote.admissible) {
          throw this.refusal(client.ledger, "AprAboveCap", [quote.disclosure.aprBps, quote.aprCapBps]);
        }
        held = quote.bounds;
      }
      const ledger = client.ledger.connect(this.signer()) as Contract;
      const consent = async (allowed: boolean): Promise<string> => {
        const mined = await (await ledger.getFunction("setOriginatorAllowed")(routerAt, allowed)).wait();
        if (mined === null) throw new Error("setOriginatorAllowed: the transaction was dropped");
        return mined.hash as string;
      };
      const allowTx = (await client.lens.originatorAllowed(me, routerAt)) ? null : await consent(true);
      const receipt = await this.sendOrUndo(
        "borrow",
        [merchantId, amount, held],
        "the router's consent",
        () => (allowTx === null ? Promise.resolve() : consent(false)),
      );
      const opened = eventsEmittedBy(this.router, receipt.logs).find((e) => e.name === "MerchantLoanOpened");
      if (!opened) throw new Error(`the borrow transaction ${receipt.hash} has no MerchantLoanOpened event`);
      const received = transferred(client.token, client.addresses.token, "to", payout, receipt.logs);
      const loanId = opened.args.loanId as bigint;
      return { value: { merchantId, loanId, amount, payout, received, bounds: held, allowTx }, receipt };
    });
  }

  /** The router's refusals of a sale that its views tell in advance, in the order `pay` checks them. */
  private async checkSale(merchantId: bigint, amount: bigint, orderId: bigint): Promise<void> {
    const router = this.router;
    if (amount < 0n || orderId < 0n) throw new RangeError("a sale's amount and order id are never negative");
    if (amount === 0n) throw this.refusal(router, "ZeroAmount", []);
    if (amount > MAX_SALE_AMOUNT) throw this.refusal(router, "SaleAmountTooLarge", [amount, MAX_SALE_AMOUNT]);
    if (orderId > MAX_ORDER_ID) throw this.refusal(router, "OrderIdOutOfRange", [orderId, MAX_ORDER_ID]);
    const blockTag = await this.provider().getBlockNumber();
    await this.payoutOf(merchantId, blockTag);
    const top = (await router.highestOrderPaid(merchantId, { blockTag })) as bigint;
    const problem = orderIdProblem(orderId, top);
    if (problem === "too far ahead") {
      throw this.refusal(router, "OrderIdTooFarAhead", [merchantId, orderId, top + MAX_ORDER_JUMP]);
    }
    if (problem === "too old") {
      throw this.refusal(router, "OrderIdTooOld", [merchantId, orderId, top - (ORDER_SPAN - 1n)]);
    }
    if ((await router.orderPaid(merchantId, orderId, { blockTag })) as boolean) {
      throw this.refusal(router, "OrderAlreadyPaid", [merchantId, orderId]);
    }
  }

  /** The payout address of an active merchant, as the router takes it: never the router itself. */
  private async payoutOf(merchantId: bigint, blockTag?: number): Promise<string> {
    const [payout] = (await this.registry.checkActive(merchantId, { blockTag })) as [string];
    if (payout.toLowerCase() === String(this.router.target).toLowerCase()) {
      throw this.refusal(this.router, "PayoutIsRouter", [merchantId, payout]);
    }
    return payout;
  }

  private sendOrUndo(
    method: string,
    args: unknown[],
    what: string,
    undo: () => Promise<unknown>,
  ): Promise<ContractTransactionReceipt> {
    return sendOrUndo(this.router, method, args, what, undo, this.client.decimals);
  }

  private provider(): Provider {
    return providerOf(this.client.runner);
  }

  private signer(): Signer {
    return signerOf(this.client.runner);
  }

  private decoded<T>(call: () => Promise<T>): Promise<T> {
    return withDecodedErrors(call, this.client.decimals);
  }

  /** The contract's error `name` with `args`, as the SDK decodes it when the contract reverts with it. */
  private refusal(contract: Contract, name: string, args: unknown[]): Error {
    return (
      decodeError(contract.interface.encodeErrorResult(name, args), this.client.decimals) ?? new Error(name)
    );
  }
}
