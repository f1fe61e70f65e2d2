// `microcredit underwriter offer|kyc`: a credit offer or a KYC credential signed (EIP-712, src/sdk/offers.ts) for the
// deployment's CreditOffers, printed as JSON for the borrower to submit. Nothing is sent to the chain.
import { ZeroHash } from "ethers";
import { APR_CAP_BPS } from "../core/terms.ts";
import {
  modelVersionToBytes32,
  productMask,
  signKyc,
  signOffer,
  toJson,
  type CreditOffer,
  type Kyc,
} from "../sdk/offers.ts";
import { address, amount, integer, list, required, str, UsageError, type Values } from "./args.ts";
import type { Command, Role } from "./command.ts";
import type { Context } from "./context.ts";
import { toJsonText } from "./output.ts";

const SECONDS_PER_DAY = 86_400n;
const MAX_EXPIRY_DAYS = 3_650;

async function expiryFrom(ctx: Context, values: Values): Promise<bigint> {
  const days = integer(required(values, "expiry-days"), "expiry-days", 1, MAX_EXPIRY_DAYS);
  return (await ctx.now()) + BigInt(days) * SECONDS_PER_DAY;
}

/** Underwriter output is the signed document itself: indented for people, one line with --json. */
function signed(document: Record<string, unknown>) {
  return { json: document, human: [toJsonText(document, 2)] };
}

const offer: Command = {
  name: "offer",
  summary:
    "offer --borrower <a> --limit <tokens> --apr-bps <bps> --products <ids> --expiry-days <n>  sign an offer",
  usage:
    "  --borrower <a>        the borrower the offer is for\n" +
    "  --limit <tokens>      the line's limit, in token units (0: a frozen line)\n" +
    `  --apr-bps <bps>       the line's APR in basis points (0–${APR_CAP_BPS})\n` +
    "  --products <ids>      product ids the line allows, comma-separated (e.g. 0,1,5)\n" +
    "  --expiry-days <n>     valid for n days from the chain's latest block\n" +
    "  --nonce <n>           the offer's nonce (default: the borrower's next, from CreditOffers)\n" +
    "  --model-version <v>   sha256:<hex> or bytes32 of the risk model (default: zero, a manual offer)",
  options: {
    borrower: { type: "string" },
    limit: { type: "string" },
    "apr-bps": { type: "string" },
    products: { type: "string" },
    "expiry-days": { type: "string" },
    nonce: { type: "string" },
    "model-version": { type: "string" },
  },
  check(values) {
    address(required(values, "borrower"), "borrower");
    required(values, "limit");
    integer(required(values, "apr-bps"), "apr-bps", 0, APR_CAP_BPS);
    list(required(values, "products"), "products", (t, n) => integer(t, n, 0, 31));
    integer(required(values, "expiry-days"), "expiry-days", 1, MAX_EXPIRY_DAYS);
  },
  async run(ctx, values) {
    const signer = ctx.signer();
    const client = await ctx.client(false);
    const offers = await ctx.optional("offers");
    const borrower = address(required(values, "borrower"), "borrower");
    const nonceFlag = str(values, "nonce");
    let modelVersion = ZeroHash;
    const versionFlag = str(values, "model-version");
    if (versionFlag !== undefined) {
      try {
        modelVersion = modelVersionToBytes32(versionFlag);
      } catch (error) {
        throw new UsageError(`--model-version: ${(error as Error).message}`);
      }
    }
    const document: CreditOffer = {
      borrower,
      ledger: client.addresses.ledger,
      limit: amount(required(values, "limit"), client.decimals, "limit", true),
      aprBps: BigInt(integer(required(values, "apr-bps"), "apr-bps", 0, APR_CAP_BPS)),
      productMask: productMask(
        list(required(values, "products"), "products", (t, n) => integer(t, n, 0, 31)),
      ),
      modelVersion,
      nonce:
        nonceFlag !== undefined
          ? BigInt(integer(nonceFlag, "nonce", 0, 2 ** 48 - 1))
          : ((await offers.nextNonce(borrower)) as bigint),
      expiry: await expiryFrom(ctx, values),
    };
    const offersAddress = String(offers.target);
    const signature = await signOffer(signer, offersAddress, ctx.chainId, document);
    const signerAddress = await signer.getAddress();
    const trusted = Boolean(await offers.isSigner(signerAddress));
    return signed({
      offer: toJson(document),
      signature,
      signer: signerAddress,
      trustedSigner: trusted,
      offers: offersAddress,
      chainId: ctx.chainId,
    });
  },
};

const kyc: Command = {
  name: "kyc",
  summary: "kyc --borrower <a> --level <n> --expiry-days <n>  sign a KYC credential",
  usage:
    "  --borrower <a>        the borrower verified\n  --level <n>           the KYC level (0–255)\n" +
    "  --expiry-days <n>     valid for n days from the chain's latest block",
  options: { borrower: { type: "string" }, level: { type: "string" }, "expiry-days": { type: "string" } },
  check(values) {
    address(required(values, "borrower"), "borrower");
    integer(required(values, "level"), "level", 0, 255);
    integer(required(values, "expiry-days"), "expiry-days", 1, MAX_EXPIRY_DAYS);
  },
  async run(ctx, values) {
    const signer = ctx.signer();
    const offers = await ctx.optional("offers");
    const document: Kyc = {
      borrower: address(required(values, "borrower"), "borrower"),
      level: integer(required(values, "level"), "level", 0, 255),
      expiry: await expiryFrom(ctx, values),
    };
    const offersAddress = String(offers.target);
    const signature = await signKyc(signer, offersAddress, ctx.chainId, document);
    const issuer = await signer.getAddress();
    const trusted = Boolean(await offers.isKycIssuer(issuer));
    return signed({
      kyc: toJson(document),
      signature,
      issuer,
      trustedIssuer: trusted,
      offers: offersAddress,
      chainId: ctx.chainId,
    });
  },
};

export const underwriter: Role = {
  name: "underwriter",
  summary: "sign credit offers and KYC credentials (printed, not sent)",
  commands: [offer, kyc],
};
