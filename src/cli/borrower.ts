// `microcredit borrower line|loans|schedule|quote|accept|draw|repay|mandate`: a credit line and its loans, through
// the client. The reads are in borrower-reads.ts, accepting an offer in accept.ts; here, what moves money.
import type { ContractTransactionReceipt } from "ethers";
import { loanLabel } from "../core/loan-id.ts";
import { withDecodedErrors } from "../sdk/errors.ts";
import { costDisclosureOf, type DecodedDisclosure } from "../core/disclosure.ts";
import { drawBoundsOf } from "../core/draw-bounds.ts";
import { transferred, type Microcredit } from "../client/index.ts";
import { amount, integer, loanId, oneOf, required, str, UsageError, type Values } from "./args.ts";
import { accept } from "./accept.ts";
import { line, loans, productOption, quote, quoteFor, scheduleCommand } from "./borrower-reads.ts";
import type { Command, Role } from "./command.ts";
import type { Context } from "./context.ts";
import { units } from "./output.ts";

/** drawWithin's bounds: the quote now, with --max-apr-bps and --min-received in place of its figures. */
export async function boundsFor(
  ctx: Context,
  client: Microcredit,
  me: string,
  product: number,
  value: bigint,
  values: Values,
) {
  const maxApr = str(values, "max-apr-bps");
  const minReceived = str(values, "min-received");
  if ((await ctx.deployment()).quotes === undefined) {
    if (maxApr !== undefined || minReceived !== undefined) await ctx.optional("quotes"); // says it is needed
    return undefined;
  }
  const { disclosure: q } = await quoteFor(ctx, client, me, product, value);
  const p = await client.lens.product(product);
  const quoted = drawBoundsOf(costDisclosureOf(q as unknown as DecodedDisclosure), Number(p.method));
  return {
    ...quoted,
    maxAprBps: maxApr !== undefined ? BigInt(integer(maxApr, "max-apr-bps", 0, 1_000_000)) : quoted.maxAprBps,
    minReceived:
      minReceived !== undefined
        ? amount(minReceived, client.decimals, "min-received", true)
        : quoted.minReceived,
  };
}

const draw: Command = {
  name: "draw",
  summary: "draw --product <id> --amount <tokens>  draw a loan, bound to the quote (drawWithin)",
  usage:
    "  --product <id>         product id (0–15)\n  --amount <tokens>      what to draw, in token units\n" +
    "  --max-apr-bps <bps>    highest APR (fees included) accepted (default: the quote's, read just before)\n" +
    "  --min-received <tokens> least to receive (default: the quote's net disbursement)",
  options: { ...productOption, "max-apr-bps": { type: "string" }, "min-received": { type: "string" } },
  check: (values) =>
    void (integer(required(values, "product"), "product", 0, 15), required(values, "amount")),
  async run(ctx, values) {
    const client = await ctx.client(true);
    const me = await ctx.signer().getAddress();
    const product = integer(required(values, "product"), "product", 0, 15);
    const value = amount(required(values, "amount"), client.decimals, "amount");
    const bounds = await boundsFor(ctx, client, me, product, value, values);
    const { value: id, receipt } = await client.draw(product, value, bounds);
    const got = transferred(client.token, client.addresses.token, "to", me, receipt.logs);
    const d = client.decimals;
    return {
      json: {
        command: "borrower draw",
        loanId: id,
        product,
        amount: value,
        received: got,
        bounds: bounds ?? null,
        decimals: d,
        tx: receipt.hash,
      },
      human: [
        `drew loan ${id} (${loanLabel(id)}): ${units(value, d)} on product ${product}, received ${units(got, d)} (tx ${receipt.hash})`,
      ],
    };
  },
};

const repay: Command = {
  name: "repay",
  summary: "repay --loan <id> --amount <tokens> | --all  pay towards a loan (--all: pay it off)",
  usage:
    "  --loan <id>         the loan id\n  --amount <tokens>   what to pay, in token units\n  --all               the payoff, whatever it is when the transaction runs",
  options: { loan: { type: "string" }, amount: { type: "string" }, all: { type: "boolean" } },
  check: (values) => void (loanId(required(values, "loan"), "loan"), oneOf(values, ["amount", "all"])),
  async run(ctx, values) {
    const id = loanId(required(values, "loan"), "loan");
    const client = await ctx.client(true);
    const outcome = values.all
      ? await client.payoff(id)
      : await client.repay(id, amount(required(values, "amount"), client.decimals, "amount"));
    // The payment is mined: a failed read of the loan afterwards leaves its state out, not the payment.
    const after = await client.loan(id).catch(() => undefined);
    const d = client.decimals;
    const state =
      after === undefined
        ? "the loan's state could not be read after the payment"
        : after.status === "active"
          ? `still owed: ${units(after.payoff, d)}`
          : `the loan is ${after.status}`;
    return {
      json: {
        command: "borrower repay",
        loanId: id,
        paid: outcome.value,
        status: after?.status ?? null,
        payoff: after?.payoff ?? null,
        decimals: d,
        tx: outcome.receipt.hash,
        ...(outcome.warning === undefined ? {} : { warning: outcome.warning }),
      },
      human: [
        `paid ${units(outcome.value, d)} towards loan ${id} (${loanLabel(id)}) (tx ${outcome.receipt.hash})`,
        state,
        ...(outcome.warning === undefined ? [] : [`warning: ${outcome.warning}`]),
      ],
    };
  },
};

async function sent(client: Microcredit, call: () => Promise<{ wait: () => Promise<unknown> }>) {
  return withDecodedErrors(
    async () => (await (await call()).wait()) as ContractTransactionReceipt,
    client.decimals,
  );
}

const mandate: Command = {
  name: "mandate",
  summary:
    "mandate --cap <tokens> [--allowance <tokens>] | --revoke  auto-debit of the wallet for collection",
  usage:
    "  --cap <tokens>        most collected per loan and call of collect (0: no cap)\n" +
    "  --allowance <tokens>  also approve the ledger for this much (collection needs an allowance)\n" +
    "  --revoke              stop auto-debit",
  options: { cap: { type: "string" }, allowance: { type: "string" }, revoke: { type: "boolean" } },
  check(values) {
    oneOf(values, ["cap", "revoke"]);
    if (values.revoke && values.allowance !== undefined)
      throw new UsageError("--allowance goes with --cap, not --revoke");
  },
  async run(ctx, values) {
    const client = await ctx.client(true);
    const me = await ctx.signer().getAddress();
    const d = client.decimals;
    const hashes: string[] = [];
    if (values.revoke) {
      hashes.push((await sent(client, () => client.ledger.getFunction("revokeMandate")())).hash);
    } else {
      const cap = amount(required(values, "cap"), d, "cap", true);
      const allowance = str(values, "allowance");
      if (allowance !== undefined) {
        const value = amount(allowance, d, "allowance", true);
        hashes.push(
          (await sent(client, () => client.token.getFunction("approve")(client.addresses.ledger, value)))
            .hash,
        );
      }
      hashes.push((await sent(client, () => client.ledger.getFunction("setMandate")(cap))).hash);
    }
    const [active, cap] = (await client.lens.mandateOf(me)) as [boolean, bigint];
    const allowed: bigint = await client.token.allowance(me, client.addresses.ledger);
    return {
      json: {
        command: "borrower mandate",
        address: me,
        active,
        capPerCollection: cap,
        allowance: allowed,
        decimals: d,
        tx: hashes,
      },
      human: [
        active
          ? `mandate active, ${cap === 0n ? "no cap" : `cap ${units(cap, d)} per collection`}; the ledger may spend ${units(allowed, d)} (tx ${hashes.join(", ")})`
          : `mandate revoked (tx ${hashes.join(", ")})`,
      ],
    };
  },
};

export const borrower: Role = {
  name: "borrower",
  summary: "see a line and its loans, quote, accept an offer, draw, repay, set the collection mandate",
  commands: [line, loans, scheduleCommand, quote, accept, draw, repay, mandate],
};
