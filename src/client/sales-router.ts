// Money through the sales router (ISalesRouter) for integrators: a sale paid to a merchant, whose share repays the
// merchant's loans first, and the merchant loan its owner borrows against its sales. `microcredit merchant pay` and
// `merchant borrow` run these. A refusal comes back as a MicrocreditError in one sentence, and neither leaves an
// approval or a consent behind for a transaction that was refused.
import type { Contract, ContractTransactionReceipt, Signer } from "ethers";
import type { DrawBounds } from "../core/draw-bounds.ts";
import { decodeError, withDecodedErrors } from "../sdk/errors.ts";
import { connectMerchantRegistry, readMerchant } from "../sdk/merchants.ts";
import { connectSalesRouter, readMerchantLoans, type MerchantLoans } from "../sdk/sales.ts";
import { eventsEmittedBy } from "./events.ts";
import type { Microcredit, Outcome } from "./microcredit.ts";
import { ensureAllowance, restoreAllowance, transferred } from "./token.ts";

/** What a sale paid through the router did. */
export interface SalePaid {
  merchantId: bigint;
  orderId: bigint;
  /** The sale. */
  amount: bigint;
  /** What each of the merchant's loans received from it (`RepaidFromSale`), oldest loan first. */
  repaid: { loanId: bigint; amount: bigint }[];
  /** The rest, which the merchant's payout receives (at once, or after the registry's payout delay). */
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

/** The sales router and the merchant registry of a deployment, for the signer of `client`. */
export class SalesRouter {
  readonly client: Microcredit;
  readonly router: Contract;
  readonly registry: Contract;

  private constructor(client: Microcredit, router: Contract, registry: Contract) {
    this.client = client;
    this.router = router;
    this.registry = registry;
  }

  /** The router and the registry at the deployment's addresses (`salesRouter`, `merchantRegistry`). */
  static of(client: Microcredit): SalesRouter {
    const { salesRouter, merchantRegistry } = client.addresses;
    if (salesRouter === undefined || merchantRegistry === undefined) {
      throw new Error(
        "this deployment has no sales router or merchant registry (salesRouter, merchantRegistry)",
      );
    }
    return new SalesRouter(
      client,
      connectSalesRouter(salesRouter, client.runner),
      connectMerchantRegistry(merchantRegistry, client.runner),
    );
  }

  /** The merchant's loans as the router lists them, and the share of a sale that repays them now. */
  loans(merchantId: bigint): Promise<MerchantLoans> {
    return readMerchantLoans(this.router, merchantId);
  }

  /**
   * Pays sale `orderId` of `amount` to merchant `merchantId` from the signer's wallet, approving the router first when
   * its allowance is short. A merchant that may not be paid and an order already paid are refused before anything is
   * approved; if the sale fails once approved, the allowance goes back to what it was.
   */
  async pay(merchantId: bigint, amount: bigint, orderId: bigint): Promise<Outcome<SalePaid>> {
    const signer = this.signer();
    const spender = String(this.router.target);
    return this.decoded(async () => {
      await this.registry.checkActive(merchantId);
      if ((await this.router.orderPaid(merchantId, orderId)) as boolean) {
        throw this.refusal(this.router, "OrderAlreadyPaid", [merchantId, orderId]);
      }
      const before = await ensureAllowance(this.client.token, signer, spender, amount);
      let receipt: ContractTransactionReceipt;
      try {
        receipt = await this.send("pay", [merchantId, amount, orderId]);
      } catch (error) {
        await restoreAllowance(this.client.token, signer, spender, before).catch(() => undefined);
        throw error;
      }
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
   * quote read just before (it needs the deployment's `quotes`). A merchant that is not active and another key than
   * the owner's are refused before anything is sent. When the router may not originate on the line yet, it is allowed
   * to (`setOriginatorAllowed`) just before the borrow, and that is taken back if the borrow is refused.
   */
  async borrow(merchantId: bigint, amount: bigint, bounds?: DrawBounds): Promise<Outcome<MerchantBorrowed>> {
    const me = await this.signer().getAddress();
    const client = this.client;
    const routerAt = String(this.router.target);
    return this.decoded(async () => {
      const [payout] = (await this.registry.checkActive(merchantId)) as [string];
      const record = await readMerchant(this.registry, merchantId);
      if (record?.owner.toLowerCase() !== me.toLowerCase()) {
        throw this.refusal(this.registry, "NotMerchantOwner", [merchantId, me]);
      }
      const held = bounds ?? (await client.quote(Number(await this.router.loanProduct()), amount, me)).bounds;
      const ledger = client.ledger.connect(this.signer()) as Contract;
      let allowTx: string | null = null;
      if (!((await client.lens.originatorAllowed(me, routerAt)) as boolean)) {
        allowTx = (await (await ledger.getFunction("setOriginatorAllowed")(routerAt, true)).wait())
          .hash as string;
      }
      let receipt: ContractTransactionReceipt;
      try {
        receipt = await this.send("borrow", [merchantId, amount, held]);
      } catch (error) {
        if (allowTx !== null) {
          await (await ledger.getFunction("setOriginatorAllowed")(routerAt, false)).wait();
        }
        throw error;
      }
      const opened = eventsEmittedBy(this.router, receipt.logs).find((e) => e.name === "MerchantLoanOpened");
      if (!opened) throw new Error(`the borrow transaction ${receipt.hash} has no MerchantLoanOpened event`);
      const received = transferred(client.token, client.addresses.token, "to", payout, receipt.logs);
      return {
        value: {
          merchantId,
          loanId: opened.args.loanId as bigint,
          amount,
          payout,
          received,
          bounds: held,
          allowTx,
        },
        receipt,
      };
    });
  }

  private signer(): Signer {
    const runner = this.client.runner as Partial<Signer>;
    if (typeof runner.getAddress !== "function" || typeof runner.sendTransaction !== "function") {
      throw new Error("this needs a signer: connect with a Signer, not a Provider");
    }
    return runner as Signer;
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

  private async send(method: string, args: unknown[]): Promise<ContractTransactionReceipt> {
    const receipt = (await (
      await this.router.getFunction(method)(...args)
    ).wait()) as ContractTransactionReceipt | null;
    if (receipt === null) throw new Error(`${method}: the transaction was dropped`);
    return receipt;
  }
}
