// `microcredit merchant register|accept|credential|register-with-credential|revoke-credential`: the two ways onto the
// registry. A manager registers a merchant (Pending) and its owner accepts it with a payout address (Active); or a
// manager signs a credential (printed, not sent) that the merchant submits from its owner key (Active at once).
import { readFileSync } from "node:fs";
import { getAddress } from "ethers";
import {
  MAX_CATEGORY,
  MAX_DISCOUNT_BPS,
  MERCHANT_MANAGER_ROLE,
  merchantCredential,
  merchantCredentialDigest,
  merchantCredentialFromJson,
  registeredMerchantId,
  signMerchantCredential,
  type MerchantCredential,
} from "../sdk/merchants.ts";
import { toJson } from "../sdk/offers.ts";
import { address, integer, required, str, UsageError, type Values } from "./args.ts";
import type { Command } from "./command.ts";
import type { Context } from "./context.ts";
import {
  afterTransaction,
  checkWhich,
  MERCHANT_OPTION,
  OWN_MERCHANT_USAGE,
  openRegistry,
  send,
  whichMerchant,
} from "./merchant-record.ts";
import { toJsonText } from "./output.ts";

const SECONDS_PER_DAY = 86_400n;
const MAX_EXPIRY_DAYS = 3_650;

export const discountOf = (values: Values) =>
  integer(required(values, "discount-bps"), "discount-bps", 0, MAX_DISCOUNT_BPS);
export const categoryOf = (values: Values) =>
  integer(required(values, "category"), "category", 0, MAX_CATEGORY);

const TERMS_OPTIONS = {
  owner: { type: "string" as const },
  "discount-bps": { type: "string" as const },
  category: { type: "string" as const },
};
const TERMS_USAGE = [
  "  --owner <a>           the merchant's owner key (one merchant per key, for ever)",
  `  --discount-bps <bps>  the merchant discount rate its settlements are charged (0–${MAX_DISCOUNT_BPS})`,
  `  --category <n>        its ISO 18245 merchant category code (0–${MAX_CATEGORY})`,
].join("\n");
const checkTerms = (values: Values) => {
  address(required(values, "owner"), "owner");
  discountOf(values);
  categoryOf(values);
};

export const register: Command = {
  name: "register",
  summary:
    "register --owner <a> --discount-bps <bps> --category <n>  register a merchant, Pending until its owner accepts (manager)",
  usage: TERMS_USAGE,
  options: TERMS_OPTIONS,
  check: checkTerms,
  async run(ctx, values) {
    const open = await openRegistry(ctx, true);
    const owner = address(required(values, "owner"), "owner");
    const receipt = await send(open, "register", [owner, discountOf(values), categoryOf(values)]);
    const merchantId = registeredMerchantId(open.registry, receipt.logs);
    const said =
      `registered merchant ${merchantId} for ${owner}: Pending until its owner accepts it with a payout ` +
      `address (microcredit merchant accept --payout <a>)`;
    return afterTransaction(ctx, "register", said, open, merchantId, receipt);
  },
};

export const accept: Command = {
  name: "accept",
  summary:
    "accept --payout <a> [--merchant <id>]  accept your Pending merchant with its payout address (the owner)",
  usage: `  --payout <a>          where the merchant's settlements go\n${OWN_MERCHANT_USAGE}`,
  options: { ...MERCHANT_OPTION, payout: { type: "string" } },
  check: (values) => void (address(required(values, "payout"), "payout"), checkWhich(values)),
  async run(ctx, values) {
    const open = await openRegistry(ctx, true);
    const merchantId = await whichMerchant(ctx, open.registry, values);
    const payout = address(required(values, "payout"), "payout");
    const receipt = await send(open, "accept", [merchantId, payout]);
    const said = `merchant ${merchantId} is active, paying out to ${payout}`;
    return afterTransaction(ctx, "accept", said, open, merchantId, receipt);
  },
};

export const credential: Command = {
  name: "credential",
  summary:
    "credential --owner <a> --discount-bps <bps> --category <n> --expiry-days <n> [--payout <a>]  sign a credential (manager; printed, not sent)",
  usage: [
    TERMS_USAGE,
    "  --payout <a>          where its settlements go (default: the owner)",
    "  --expiry-days <n>     valid for n days from the chain's latest block",
  ].join("\n"),
  options: { ...TERMS_OPTIONS, payout: { type: "string" }, "expiry-days": { type: "string" } },
  check(values) {
    checkTerms(values);
    const payout = str(values, "payout");
    if (payout !== undefined) address(payout, "payout");
    integer(required(values, "expiry-days"), "expiry-days", 1, MAX_EXPIRY_DAYS);
  },
  async run(ctx, values) {
    const signer = ctx.signer();
    const { registry } = await openRegistry(ctx, false);
    const owner = address(required(values, "owner"), "owner");
    const payout = str(values, "payout");
    const days = integer(required(values, "expiry-days"), "expiry-days", 1, MAX_EXPIRY_DAYS);
    const document: MerchantCredential = merchantCredential({
      owner,
      payout: payout === undefined ? owner : address(payout, "payout"),
      discountBps: discountOf(values),
      category: categoryOf(values),
      expiry: (await ctx.now()) + BigInt(days) * SECONDS_PER_DAY,
    });
    const registryAddress = String(registry.target);
    const signature = await signMerchantCredential(signer, registryAddress, ctx.chainId, document);
    const signerAddress = await signer.getAddress();
    const trusted = Boolean(await registry.hasRole(MERCHANT_MANAGER_ROLE, signerAddress));
    // The output is the signed document itself: indented for people, one line with --json.
    const signed = {
      credential: toJson(document),
      signature,
      signer: signerAddress,
      trustedSigner: trusted,
      registry: registryAddress,
      chainId: ctx.chainId,
    };
    return { json: signed, human: [toJsonText(signed, 2)] };
  },
};

/** A signed credential as `merchant credential --json` wrote it. */
interface CredentialFile {
  credential: MerchantCredential;
  signature: string;
  registry?: string;
  chainId?: bigint;
}

/** The credential document in `path`, or a UsageError naming the file. */
function credentialFile(path: string): CredentialFile {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(
      `cannot read --credential ${path}: ${(error as Error).message.split("\n")[0]}`,
      false,
    );
  }
  if (typeof doc?.credential !== "object" || doc.credential === null || typeof doc.signature !== "string") {
    throw new UsageError(
      `--credential ${path} is not a signed merchant credential (microcredit merchant credential --json)`,
      false,
    );
  }
  try {
    return {
      credential: merchantCredentialFromJson(doc.credential as Record<string, unknown>),
      signature: doc.signature,
      registry: typeof doc.registry === "string" ? getAddress(doc.registry) : undefined,
      chainId:
        typeof doc.chainId === "string" || typeof doc.chainId === "number" ? BigInt(doc.chainId) : undefined,
    };
  } catch (error) {
    throw new UsageError(`--credential ${path} is malformed: ${(error as Error).message}`, false);
  }
}

/** The file's credential, refused in one line when it names another registry or chain than the node's deployment. */
function forThisRegistry(ctx: Context, file: CredentialFile, registryAddress: string): CredentialFile {
  if (
    (file.registry ?? registryAddress) !== registryAddress ||
    (file.chainId ?? ctx.chainId) !== ctx.chainId
  ) {
    const signedFor = `${file.registry ?? "a registry"} on chain ${file.chainId ?? ctx.chainId}`;
    throw new UsageError(
      `the credential was signed for ${signedFor}, not for ${registryAddress} on chain ${ctx.chainId}`,
      false,
    );
  }
  return file;
}

const credentialOption = { credential: { type: "string" as const } };

export const registerWithCredential: Command = {
  name: "register-with-credential",
  summary:
    "register-with-credential --credential <file>  register yourself, Active, with a manager's credential (the owner's key)",
  usage:
    "  --credential <file>   the signed credential (microcredit merchant credential --json > credential.json)",
  options: credentialOption,
  check: (values) => void required(values, "credential"),
  async run(ctx, values) {
    const read = credentialFile(required(values, "credential"));
    const open = await openRegistry(ctx, true);
    const file = forThisRegistry(ctx, read, String(open.registry.target));
    const receipt = await send(open, "registerWithCredential", [file.credential, file.signature]);
    const merchantId = registeredMerchantId(open.registry, receipt.logs);
    const said = `registered merchant ${merchantId} for ${file.credential.owner}, active`;
    return afterTransaction(ctx, "register-with-credential", said, open, merchantId, receipt);
  },
};

export const revokeCredential: Command = {
  name: "revoke-credential",
  summary: "revoke-credential --credential <file>  make a signed, unused credential unusable (manager)",
  usage: "  --credential <file>   the signed credential (as merchant credential --json wrote it)",
  options: credentialOption,
  check: (values) => void required(values, "credential"),
  async run(ctx, values) {
    const read = credentialFile(required(values, "credential"));
    const open = await openRegistry(ctx, true);
    const registryAddress = String(open.registry.target);
    const { credential: revoked } = forThisRegistry(ctx, read, registryAddress);
    const digest = merchantCredentialDigest(registryAddress, ctx.chainId, revoked);
    const receipt = await send(open, "revokeCredential", [digest]);
    return {
      json: {
        command: "merchant revoke-credential",
        digest,
        owner: revoked.owner,
        tx: receipt.hash,
      },
      human: [`revoked the credential for ${revoked.owner} (digest ${digest}) (tx ${receipt.hash})`],
    };
  },
};
