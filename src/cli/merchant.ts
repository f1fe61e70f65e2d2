// `microcredit merchant …`: the deployment's MerchantRegistry (docs/MERCHANTS.md). Onboarding is in
// merchant-onboarding.ts, the subsidy budget in merchant-budget.ts, what they share in merchant-record.ts; here, the
// role, `show`, and the changes to a merchant's payout, status, terms and owner key.
import type { ContractTransactionReceipt } from "ethers";
import { duration } from "../format/duration.ts";
import { percent } from "../format/money.ts";
import { MAX_CATEGORY, MAX_DISCOUNT_BPS } from "../sdk/merchants.ts";
import { address, oneOf, required, str, type Options, type Values } from "./args.ts";
import type { Command, Role } from "./command.ts";
import type { Context } from "./context.ts";
import { allowSpender, denySpender, fund, withdraw } from "./merchant-budget.ts";
import {
  accept,
  categoryOf,
  credential,
  discountOf,
  register,
  registerWithCredential,
  revokeCredential,
} from "./merchant-onboarding.ts";
import {
  afterTransaction,
  checkWhich,
  MANAGED_MERCHANT_USAGE,
  managedMerchant,
  MERCHANT_OPTION,
  OWN_MERCHANT_USAGE,
  openRegistry,
  type OpenRegistry,
  recordLines,
  recordOf,
  send,
  whichMerchant,
} from "./merchant-record.ts";
import { borrow, pay } from "./merchant-router.ts";
import { loans, sales } from "./merchant-sales.ts";
import { date } from "./output.ts";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

const show: Command = {
  name: "show",
  summary:
    "show [--merchant <id> | --owner <a>]  a merchant: owner, payout, status, terms, budget, pending changes",
  usage:
    `${MANAGED_MERCHANT_USAGE}\n  --owner <a>           the merchant of this owner key\n` +
    "  (neither: the key's own merchant)",
  options: { ...MERCHANT_OPTION, owner: { type: "string" } },
  check: checkWhich,
  async run(ctx, values) {
    const { client, registry } = await openRegistry(ctx, false);
    const merchantId = await whichMerchant(ctx, registry, values);
    const record = await recordOf(registry, merchantId, await ctx.provider.getBlockNumber());
    return {
      json: {
        command: "merchant show",
        ...record,
        decimals: client.decimals,
        registry: String(registry.target),
      },
      human: recordLines(record, client.decimals, await ctx.now()),
    };
  },
};

/** What a change's line is made of: the merchant, the method's arguments after its id, the flags and the receipt. */
interface Sent<A> {
  ctx: Context;
  values: Values;
  open: OpenRegistry;
  merchantId: bigint;
  args: A;
  receipt: ContractTransactionReceipt;
}

/** The line saying what a change did, and with --json any fields beside the merchant's record. */
type Said = string | { line: string; extra: Record<string, unknown> };

/**
 * A command that sends `method(merchantId, ...args(values))` from the key, then reports the line `said` makes and the
 * merchant's record after it. `owned`: the merchant is `--merchant`, by default the key's own (the owner's commands);
 * otherwise `--merchant` is required. `usage` and `options` are the command's own besides `--merchant`; its flags are
 * checked by `check`, by default by parsing `args`.
 */
function merchantChange<A extends [] | unknown[] = []>(spec: {
  name: string;
  summary: string;
  owned: boolean;
  usage?: string;
  options?: Options;
  check?: (values: Values) => void;
  method: string;
  args?: (values: Values) => A;
  said: (sent: Sent<A>) => Said | Promise<Said>;
}): Command {
  const check = spec.check ?? spec.args;
  const own = spec.usage === undefined ? [] : [spec.usage];
  return {
    name: spec.name,
    summary: spec.summary,
    usage: (spec.owned ? [...own, OWN_MERCHANT_USAGE] : [MANAGED_MERCHANT_USAGE, ...own]).join("\n"),
    options: { ...MERCHANT_OPTION, ...spec.options },
    check: spec.owned
      ? (values) => void (check?.(values), checkWhich(values))
      : (values) => void (managedMerchant(values), check?.(values)),
    async run(ctx, values) {
      const open = await openRegistry(ctx, true);
      const merchantId = spec.owned
        ? await whichMerchant(ctx, open.registry, values)
        : managedMerchant(values);
      const args = spec.args?.(values) ?? ([] as A);
      const receipt = await send(open, spec.method, [merchantId, ...args]);
      const said = await spec.said({ ctx, values, open, merchantId, args, receipt });
      const { line, extra } = typeof said === "string" ? { line: said, extra: {} } : said;
      return afterTransaction(ctx, spec.name, line, open, merchantId, receipt, extra);
    },
  };
}

const PAYOUT_OPTION = { payout: { type: "string" as const } };
const payoutOf = (values: Values): string => address(required(values, "payout"), "payout");

const setPayout = merchantChange({
  name: "set-payout",
  summary: "set-payout --payout <a> [--merchant <id>]  change your payout address at once (the owner)",
  owned: true,
  usage: "  --payout <a>          the new payout address",
  options: PAYOUT_OPTION,
  method: "setPayout",
  args: (values) => [payoutOf(values)],
  said: ({ merchantId, args: [payout] }) => `merchant ${merchantId} now pays out to ${payout}`,
});

const proposePayout = merchantChange({
  name: "propose-payout",
  summary:
    "propose-payout --merchant <id> --payout <a>  propose a payout address, applicable after the delay (manager)",
  owned: false,
  usage: "  --payout <a>          the proposed payout address",
  options: PAYOUT_OPTION,
  method: "proposePayout",
  args: (values) => [payoutOf(values)],
  async said({ open, merchantId, args: [payout], receipt }) {
    const at = { blockTag: receipt.blockNumber };
    const [, readyAt] = (await open.registry.pendingPayout(merchantId, at)) as [string, bigint];
    const delay = (await open.registry.payoutDelay(at)) as bigint;
    const line =
      `proposed ${payout} as merchant ${merchantId}'s payout: anyone can apply it from ${date(readyAt)} UTC ` +
      `(in ${duration(delay)}); the owner or a manager can cancel it until then`;
    return { line, extra: { readyAt } };
  },
});

const applyPayout = merchantChange({
  name: "apply-payout",
  summary: "apply-payout --merchant <id>           apply a proposed payout whose delay has passed (anyone)",
  owned: false,
  method: "applyPayout",
  async said({ open, merchantId, receipt }) {
    // The payout it applied: the merchant's as of the transaction.
    const { payout } = (await open.registry.merchant(merchantId, { blockTag: receipt.blockNumber })) as {
      payout: string;
    };
    return `merchant ${merchantId} now pays out to ${payout}`;
  },
});

const cancelPayout = merchantChange({
  name: "cancel-payout",
  summary: "cancel-payout [--merchant <id>]        drop a pending payout proposal (the owner or a manager)",
  owned: true,
  method: "cancelPayout",
  said: ({ merchantId }) => `dropped the payout proposal of merchant ${merchantId}`,
});

const suspend = merchantChange({
  name: "suspend",
  summary:
    "suspend --merchant <id>                stop payments to a merchant and freeze its payout and budget (manager)",
  owned: false,
  method: "suspend",
  said: ({ merchantId }) =>
    `merchant ${merchantId} is suspended: it cannot be paid, and its payout and budget stay put until it is ` +
    "reactivated",
});

const reactivate = merchantChange({
  name: "reactivate",
  summary: "reactivate --merchant <id>             make a suspended merchant payable again (manager)",
  owned: false,
  method: "reactivate",
  said: ({ merchantId }) => `merchant ${merchantId} is active again`,
});

const close = merchantChange({
  name: "close",
  summary: "close [--merchant <id>]                close a merchant for good (the owner, or the admin)",
  owned: true,
  method: "close",
  said: ({ merchantId }) =>
    `merchant ${merchantId} is closed for good; its subsidy budget stays withdrawable by its owner`,
});

const setDiscount = merchantChange({
  name: "set-discount",
  summary: "set-discount --merchant <id> --discount-bps <bps>  the merchant discount rate (manager)",
  owned: false,
  usage: `  --discount-bps <bps>  the new rate, for later settlements (0–${MAX_DISCOUNT_BPS})`,
  options: { "discount-bps": { type: "string" } },
  method: "setDiscount",
  args: (values) => [discountOf(values)],
  said: ({ merchantId, args: [bps] }) => `merchant ${merchantId}'s discount rate is now ${percent(bps)}`,
});

const setCategory = merchantChange({
  name: "set-category",
  summary: "set-category --merchant <id> --category <n>  the merchant category code (manager)",
  owned: false,
  usage: `  --category <n>        the ISO 18245 code (0–${MAX_CATEGORY})`,
  options: { category: { type: "string" } },
  method: "setCategory",
  args: (values) => [categoryOf(values)],
  said: ({ merchantId, args: [category] }) => `merchant ${merchantId}'s category is now ${category}`,
});

const proposeOwner = merchantChange({
  name: "propose-owner",
  summary:
    "propose-owner --new-owner <a> | --withdraw [--merchant <id>]  hand the merchant to another key (the owner, or the admin)",
  owned: true,
  usage: [
    "  --new-owner <a>       the key that takes the merchant over once it accepts (merchant accept-owner)",
    "  --withdraw            drop the pending proposal",
  ].join("\n"),
  options: { "new-owner": { type: "string" }, withdraw: { type: "boolean" } },
  check(values) {
    if (oneOf(values, ["new-owner", "withdraw"]) === "new-owner")
      address(required(values, "new-owner"), "new-owner");
  },
  method: "proposeOwner",
  args(values) {
    const given = str(values, "new-owner");
    return [given === undefined ? ZERO_ADDRESS : address(given, "new-owner")];
  },
  said: ({ values, merchantId, args: [owner] }) =>
    str(values, "new-owner") === undefined
      ? `dropped the owner proposal of merchant ${merchantId}`
      : `proposed ${owner} as merchant ${merchantId}'s owner: it takes over when it runs merchant accept-owner`,
});

const acceptOwner = merchantChange({
  name: "accept-owner",
  summary:
    "accept-owner --merchant <id> --payout <a>  take over a merchant proposed to your key, naming its payout address",
  owned: false,
  usage: "  --payout <a>          where its settlements go from now on",
  options: PAYOUT_OPTION,
  method: "acceptOwner",
  args: (values) => [payoutOf(values)],
  said: async ({ ctx, merchantId, args: [payout] }) =>
    `${await ctx.signer().getAddress()} now owns merchant ${merchantId}, paying out to ${payout}`,
});

export const merchant: Role = {
  name: "merchant",
  summary:
    "register merchants or sign their credentials, change payouts, status, terms and owners, subsidy budgets, sales, loans; borrow and pay through the sales router",
  commands: [
    register,
    accept,
    credential,
    registerWithCredential,
    revokeCredential,
    show,
    sales,
    loans,
    borrow,
    pay,
    setPayout,
    proposePayout,
    applyPayout,
    cancelPayout,
    suspend,
    reactivate,
    close,
    setDiscount,
    setCategory,
    proposeOwner,
    acceptOwner,
    fund,
    withdraw,
    allowSpender,
    denySpender,
  ],
};
