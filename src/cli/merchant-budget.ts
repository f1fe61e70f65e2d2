// `microcredit merchant fund|withdraw|allow-spender|deny-spender`: a merchant's subsidy budget. Anyone funds it; its
// owner withdraws it and chooses which product contracts (holding SUBSIDY_SPENDER_ROLE) may spend it.
import { sendOrUndo } from "../client/send.ts";
import { ensureAllowance, restoreAllowance } from "../client/token.ts";
import { address, amount, oneOf, required, str, type Values } from "./args.ts";
import type { Command } from "./command.ts";
import {
  afterTransaction,
  checkWhich,
  MANAGED_MERCHANT_USAGE,
  managedMerchant,
  MERCHANT_OPTION,
  OWN_MERCHANT_USAGE,
  openRegistry,
  recordOf,
  send,
  whichMerchant,
} from "./merchant-record.ts";
import { units } from "./output.ts";

export const fund: Command = {
  name: "fund",
  summary:
    "fund --merchant <id> --amount <tokens>  add to a merchant's subsidy budget (anyone; approves when short)",
  usage: `${MANAGED_MERCHANT_USAGE}\n  --amount <tokens>     how much, in token units (e.g. 250.50)`,
  options: { ...MERCHANT_OPTION, amount: { type: "string" } },
  check: (values) => void (managedMerchant(values), required(values, "amount")),
  async run(ctx, values) {
    const open = await openRegistry(ctx, true);
    const merchantId = managedMerchant(values);
    const value = amount(required(values, "amount"), open.client.decimals, "amount");
    const signer = ctx.signer();
    const spender = String(open.registry.target);
    const before = await ensureAllowance(open.client.token, signer, spender, value);
    // Refused: the allowance given for it is taken back (and the sentence says so if that fails).
    const receipt = await sendOrUndo(
      open.registry,
      "fundSubsidy",
      [merchantId, value],
      "the allowance",
      () => restoreAllowance(open.client.token, signer, spender, before),
      open.client.decimals,
    );
    // The budget is credited with what arrived (SubsidyFunded): less than sent for a token that takes a fee.
    let received = value;
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== spender.toLowerCase()) continue;
      const event = open.registry.interface.parseLog(log);
      if (event?.name === "SubsidyFunded") received = event.args.amount as bigint;
    }
    const said = `added ${units(received, open.client.decimals)} to merchant ${merchantId}'s subsidy budget`;
    return afterTransaction(ctx, "fund", said, open, merchantId, receipt, { amount: received });
  },
};

export const withdraw: Command = {
  name: "withdraw",
  summary:
    "withdraw --amount <tokens> | --all [--to <a>] [--merchant <id>]  take subsidy budget back (the owner)",
  usage: [
    "  --amount <tokens>     how much, in token units",
    "  --all                 the whole budget",
    "  --to <a>              who receives it (default: the key's address)",
    OWN_MERCHANT_USAGE,
  ].join("\n"),
  options: {
    ...MERCHANT_OPTION,
    amount: { type: "string" },
    all: { type: "boolean" },
    to: { type: "string" },
  },
  check(values) {
    oneOf(values, ["amount", "all"]);
    checkWhich(values);
    const to = str(values, "to");
    if (to !== undefined) address(to, "to");
  },
  async run(ctx, values) {
    const open = await openRegistry(ctx, true);
    const merchantId = await whichMerchant(ctx, open.registry, values);
    const given = str(values, "to");
    const to = given !== undefined ? address(given, "to") : await ctx.signer().getAddress();
    const d = open.client.decimals;
    let value: bigint;
    if (values.all) {
      value = (await recordOf(open.registry, merchantId)).subsidyBudget;
      if (value === 0n)
        throw new Error(`merchant ${merchantId}'s subsidy budget is empty: nothing to withdraw`);
    } else {
      value = amount(required(values, "amount"), d, "amount");
    }
    const receipt = await send(open, "withdrawSubsidy", [merchantId, value, to]);
    const said = `withdrew ${units(value, d)} of merchant ${merchantId}'s subsidy budget to ${to}`;
    return afterTransaction(ctx, "withdraw", said, open, merchantId, receipt, { amount: value, to });
  },
};

/** `allow-spender` and `deny-spender`: the owner's `setSpenderAllowed`. */
function spenderCommand(allowed: boolean): Command {
  const name = allowed ? "allow-spender" : "deny-spender";
  return {
    name,
    summary: allowed
      ? "allow-spender --spender <a> [--merchant <id>]  let a product contract spend your subsidy budget (the owner)"
      : "deny-spender --spender <a> [--merchant <id>]   stop a product contract spending your subsidy budget (the owner)",
    usage: `  --spender <a>         the product contract (it must also hold SUBSIDY_SPENDER_ROLE)\n${OWN_MERCHANT_USAGE}`,
    options: { ...MERCHANT_OPTION, spender: { type: "string" } },
    check: (values: Values) => void (address(required(values, "spender"), "spender"), checkWhich(values)),
    async run(ctx, values) {
      const open = await openRegistry(ctx, true);
      const merchantId = await whichMerchant(ctx, open.registry, values);
      const spender = address(required(values, "spender"), "spender");
      const receipt = await send(open, "setSpenderAllowed", [merchantId, spender, allowed]);
      const said = allowed
        ? `${spender} may now spend merchant ${merchantId}'s subsidy budget`
        : `${spender} may no longer spend merchant ${merchantId}'s subsidy budget`;
      return afterTransaction(ctx, name, said, open, merchantId, receipt, { spender, allowed });
    },
  };
}

export const allowSpender = spenderCommand(true);
export const denySpender = spenderCommand(false);
