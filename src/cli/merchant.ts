// `microcredit merchant …`: the deployment's MerchantRegistry (docs/MERCHANTS.md). Onboarding is in
// merchant-onboarding.ts, the subsidy budget in merchant-budget.ts, what they share in merchant-record.ts; here, the
// role, `show`, and the changes to a merchant's payout, status, terms and owner key.
import { duration } from "../format/duration.ts";
import { percent } from "../format/money.ts";
import { MAX_CATEGORY, MAX_DISCOUNT_BPS } from "../sdk/merchants.ts";
import { address, oneOf, required, str } from "./args.ts";
import type { Command, Role } from "./command.ts";
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
  recordLines,
  recordOf,
  send,
  whichMerchant,
} from "./merchant-record.ts";
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

const setPayout: Command = {
  name: "set-payout",
  summary: "set-payout --payout <a> [--merchant <id>]  change your payout address at once (the owner)",
  usage: `  --payout <a>          the new payout address\n${OWN_MERCHANT_USAGE}`,
  options: { ...MERCHANT_OPTION, payout: { type: "string" } },
  check: (values) => void (address(required(values, "payout"), "payout"), checkWhich(values)),
  async run(ctx, values) {
    const open = await openRegistry(ctx, true);
    const merchantId = await whichMerchant(ctx, open.registry, values);
    const payout = address(required(values, "payout"), "payout");
    const receipt = await send(open, "setPayout", [merchantId, payout]);
    const said = `merchant ${merchantId} now pays out to ${payout}`;
    return afterTransaction(ctx, "set-payout", said, open, merchantId, receipt);
  },
};

const proposePayout: Command = {
  name: "propose-payout",
  summary:
    "propose-payout --merchant <id> --payout <a>  propose a payout address, applicable after the delay (manager)",
  usage: `${MANAGED_MERCHANT_USAGE}\n  --payout <a>          the proposed payout address`,
  options: { ...MERCHANT_OPTION, payout: { type: "string" } },
  check: (values) => void (managedMerchant(values), address(required(values, "payout"), "payout")),
  async run(ctx, values) {
    const open = await openRegistry(ctx, true);
    const merchantId = managedMerchant(values);
    const payout = address(required(values, "payout"), "payout");
    const receipt = await send(open, "proposePayout", [merchantId, payout]);
    const at = { blockTag: receipt.blockNumber };
    const [, readyAt] = (await open.registry.pendingPayout(merchantId, at)) as [string, bigint];
    const delay = (await open.registry.payoutDelay(at)) as bigint;
    const said =
      `proposed ${payout} as merchant ${merchantId}'s payout: anyone can apply it from ${date(readyAt)} UTC ` +
      `(in ${duration(delay)}); the owner or a manager can cancel it until then`;
    return afterTransaction(ctx, "propose-payout", said, open, merchantId, receipt, { readyAt });
  },
};

const applyPayout: Command = {
  name: "apply-payout",
  summary: "apply-payout --merchant <id>           apply a proposed payout whose delay has passed (anyone)",
  usage: MANAGED_MERCHANT_USAGE,
  options: MERCHANT_OPTION,
  check: (values) => void managedMerchant(values),
  async run(ctx, values) {
    const open = await openRegistry(ctx, true);
    const merchantId = managedMerchant(values);
    const [payout] = (await open.registry.pendingPayout(merchantId)) as [string, bigint];
    const receipt = await send(open, "applyPayout", [merchantId]);
    const said = `merchant ${merchantId} now pays out to ${payout}`;
    return afterTransaction(ctx, "apply-payout", said, open, merchantId, receipt);
  },
};

const cancelPayout: Command = {
  name: "cancel-payout",
  summary: "cancel-payout [--merchant <id>]        drop a pending payout proposal (the owner or a manager)",
  usage: OWN_MERCHANT_USAGE,
  options: MERCHANT_OPTION,
  check: checkWhich,
  async run(ctx, values) {
    const open = await openRegistry(ctx, true);
    const merchantId = await whichMerchant(ctx, open.registry, values);
    const receipt = await send(open, "cancelPayout", [merchantId]);
    const said = `dropped the payout proposal of merchant ${merchantId}`;
    return afterTransaction(ctx, "cancel-payout", said, open, merchantId, receipt);
  },
};

/** `suspend` and `reactivate` (a manager: `--merchant` required) and `close` (the owner, or the admin with `--merchant`). */
function statusCommand(name: "suspend" | "reactivate" | "close", summary: string, what: string): Command {
  const owners = name === "close";
  return {
    name,
    summary,
    usage: owners ? OWN_MERCHANT_USAGE : MANAGED_MERCHANT_USAGE,
    options: MERCHANT_OPTION,
    check: owners ? checkWhich : (values) => void managedMerchant(values),
    async run(ctx, values) {
      const open = await openRegistry(ctx, true);
      const merchantId = owners ? await whichMerchant(ctx, open.registry, values) : managedMerchant(values);
      const receipt = await send(open, name, [merchantId]);
      return afterTransaction(ctx, name, `merchant ${merchantId} ${what}`, open, merchantId, receipt);
    },
  };
}

const suspend = statusCommand(
  "suspend",
  "suspend --merchant <id>                stop payments to a merchant and freeze its payout and budget (manager)",
  "is suspended: it cannot be paid, and its payout and budget stay put until it is reactivated",
);
const reactivate = statusCommand(
  "reactivate",
  "reactivate --merchant <id>             make a suspended merchant payable again (manager)",
  "is active again",
);
const close = statusCommand(
  "close",
  "close [--merchant <id>]                close a merchant for good (the owner, or the admin)",
  "is closed for good; its subsidy budget stays withdrawable by its owner",
);

const setDiscount: Command = {
  name: "set-discount",
  summary: "set-discount --merchant <id> --discount-bps <bps>  the merchant discount rate (manager)",
  usage: `${MANAGED_MERCHANT_USAGE}\n  --discount-bps <bps>  the new rate, for later settlements (0–${MAX_DISCOUNT_BPS})`,
  options: { ...MERCHANT_OPTION, "discount-bps": { type: "string" } },
  check: (values) => void (managedMerchant(values), discountOf(values)),
  async run(ctx, values) {
    const open = await openRegistry(ctx, true);
    const merchantId = managedMerchant(values);
    const bps = discountOf(values);
    const receipt = await send(open, "setDiscount", [merchantId, bps]);
    const said = `merchant ${merchantId}'s discount rate is now ${percent(bps)}`;
    return afterTransaction(ctx, "set-discount", said, open, merchantId, receipt);
  },
};

const setCategory: Command = {
  name: "set-category",
  summary: "set-category --merchant <id> --category <n>  the merchant category code (manager)",
  usage: `${MANAGED_MERCHANT_USAGE}\n  --category <n>        the ISO 18245 code (0–${MAX_CATEGORY})`,
  options: { ...MERCHANT_OPTION, category: { type: "string" } },
  check: (values) => void (managedMerchant(values), categoryOf(values)),
  async run(ctx, values) {
    const open = await openRegistry(ctx, true);
    const merchantId = managedMerchant(values);
    const category = categoryOf(values);
    const receipt = await send(open, "setCategory", [merchantId, category]);
    const said = `merchant ${merchantId}'s category is now ${category}`;
    return afterTransaction(ctx, "set-category", said, open, merchantId, receipt);
  },
};

const proposeOwner: Command = {
  name: "propose-owner",
  summary:
    "propose-owner --new-owner <a> | --withdraw [--merchant <id>]  hand the merchant to another key (the owner, or the admin)",
  usage: [
    "  --new-owner <a>       the key that takes the merchant over once it accepts (merchant accept-owner)",
    "  --withdraw            drop the pending proposal",
    OWN_MERCHANT_USAGE,
  ].join("\n"),
  options: { ...MERCHANT_OPTION, "new-owner": { type: "string" }, withdraw: { type: "boolean" } },
  check(values) {
    if (oneOf(values, ["new-owner", "withdraw"]) === "new-owner")
      address(required(values, "new-owner"), "new-owner");
    checkWhich(values);
  },
  async run(ctx, values) {
    const open = await openRegistry(ctx, true);
    const merchantId = await whichMerchant(ctx, open.registry, values);
    const given = str(values, "new-owner");
    const owner = given === undefined ? ZERO_ADDRESS : address(given, "new-owner");
    const receipt = await send(open, "proposeOwner", [merchantId, owner]);
    const said =
      given === undefined
        ? `dropped the owner proposal of merchant ${merchantId}`
        : `proposed ${owner} as merchant ${merchantId}'s owner: it takes over when it runs merchant accept-owner`;
    return afterTransaction(ctx, "propose-owner", said, open, merchantId, receipt);
  },
};

const acceptOwner: Command = {
  name: "accept-owner",
  summary:
    "accept-owner --merchant <id> --payout <a>  take over a merchant proposed to your key, naming its payout address",
  usage: `${MANAGED_MERCHANT_USAGE}\n  --payout <a>          where its settlements go from now on`,
  options: { ...MERCHANT_OPTION, payout: { type: "string" } },
  check: (values) => void (managedMerchant(values), address(required(values, "payout"), "payout")),
  async run(ctx, values) {
    const open = await openRegistry(ctx, true);
    const merchantId = managedMerchant(values);
    const payout = address(required(values, "payout"), "payout");
    const receipt = await send(open, "acceptOwner", [merchantId, payout]);
    const said = `${await ctx.signer().getAddress()} now owns merchant ${merchantId}, paying out to ${payout}`;
    return afterTransaction(ctx, "accept-owner", said, open, merchantId, receipt);
  },
};

export const merchant: Role = {
  name: "merchant",
  summary:
    "register merchants or sign their credentials, change payouts, status, terms and owners, subsidy budgets",
  commands: [
    register,
    accept,
    credential,
    registerWithCredential,
    revokeCredential,
    show,
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
