// `microcredit borrower accept --offer <file> --kyc <file>`: the borrower submits a signed offer and KYC credential
// (the JSON `microcredit underwriter offer|kyc --json` prints) to CreditOffers, which opens or changes the line.
import { readFileSync } from "node:fs";
import { percent } from "../format/money.ts";
import { withDecodedErrors } from "../sdk/errors.ts";
import { kycFromJson, NO_PERMIT, offerFromJson, type Kyc } from "../sdk/offers.ts";
import { required, UsageError } from "./args.ts";
import type { Command } from "./command.ts";
import { pairs, units } from "./output.ts";

/** The `{ <key>: {...}, signature }` document in `path`, or a UsageError naming the file. */
function signedDocument(
  path: string,
  key: "offer" | "kyc",
): { body: Record<string, unknown>; signature: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read --${key} ${path}: ${(error as Error).message.split("\n")[0]}`, false);
  }
  const doc = parsed as Record<string, unknown>;
  if (typeof doc?.[key] !== "object" || doc[key] === null || typeof doc.signature !== "string") {
    throw new UsageError(
      `--${key} ${path} is not a signed ${key} (microcredit underwriter ${key} --json)`,
      false,
    );
  }
  return { body: doc[key] as Record<string, unknown>, signature: doc.signature };
}

export const accept: Command = {
  name: "accept",
  summary: "accept --offer <file> --kyc <file>   submit a signed offer and KYC credential: opens the line",
  usage: [
    "  --offer <file>      the signed offer (microcredit underwriter offer --json > offer.json)",
    "  --kyc <file>        the signed KYC credential (microcredit underwriter kyc --json > kyc.json)",
  ].join("\n"),
  options: { offer: { type: "string" }, kyc: { type: "string" } },
  check: (values) => {
    required(values, "offer");
    required(values, "kyc");
  },
  async run(ctx, values) {
    const offerDoc = signedDocument(required(values, "offer"), "offer");
    const kycDoc = signedDocument(required(values, "kyc"), "kyc");
    let offer;
    let kyc: Kyc;
    try {
      offer = offerFromJson(offerDoc.body);
      kyc = kycFromJson(kycDoc.body);
    } catch (error) {
      throw new UsageError(`the offer or KYC file is malformed: ${(error as Error).message}`, false);
    }
    const client = await ctx.client(true);
    const offers = (await ctx.optional("offers")).connect(ctx.signer());
    const receipt = await withDecodedErrors(async () => {
      const tx = await offers.getFunction("acceptOffer")(
        offer,
        offerDoc.signature,
        kyc,
        kycDoc.signature,
        NO_PERMIT,
      );
      return tx.wait();
    }, client.decimals);
    const line = await client.line(offer.borrower);
    return {
      json: {
        command: "borrower accept",
        borrower: offer.borrower,
        line,
        decimals: client.decimals,
        tx: receipt.hash,
      },
      human: [
        `offer accepted (tx ${receipt.hash})`,
        ...pairs([
          ["limit", units(line.limit, client.decimals)],
          ["APR", percent(line.aprBps)],
          ["status", String(line.status)],
        ]),
      ],
    };
  },
};
