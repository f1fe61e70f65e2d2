import { expect } from "chai";
import { network } from "hardhat";
import { Interface } from "ethers";
import { DECODING_ABIS, ERROR_MESSAGES, decodeError, explain } from "../src/sdk/errors.ts";
import { deployMicrocredit, ALL_PRODUCTS_MASK, ONE } from "./helpers/fixture.ts";

const connection = await network.create();

describe("SDK error decoding", () => {
  it("every custom error in every contract ABI has a readable message", () => {
    const names = new Set<string>();
    for (const abi of DECODING_ABIS) for (const f of abi) if (f.type === "error") names.add(f.name);
    const missing = [...names].filter((name) => ERROR_MESSAGES[name] === undefined);
    expect(missing, `errors without a message: ${missing.join(", ")}`).to.deep.equal([]);
    expect(names.size).to.be.greaterThan(40);
  });

  it("decodes every error of the ledger's ABI from raw revert data into a sentence without raw placeholders", () => {
    for (const abi of DECODING_ABIS) {
      const iface = new Interface(abi);
      iface.forEachError((fragment) => {
        const args = fragment.inputs.map((input) => {
          if (input.type === "address") return "0x00000000000000000000000000000000000000aa";
          if (input.type === "bytes") return "0x1111";
          if (input.type.startsWith("bytes")) return "0x" + "11".repeat(Number(input.type.slice("bytes".length)));
          if (input.type === "string") return "x";
          if (input.type.startsWith("int")) return -5n;
          return 7n;
        });
        const decoded = decodeError(iface.encodeErrorResult(fragment, args));
        expect(decoded, fragment.name).to.not.equal(undefined);
        expect(decoded!.errorName).to.equal(fragment.name);
        expect(decoded!.message.length, fragment.name).to.be.greaterThan(10);
        expect(decoded!.message, fragment.name).to.not.match(/undefined|\[object/);
      });
    }
  });

  it("turns a real revert into a message with the numbers a person needs", async () => {
    const d = await deployMicrocredit(connection);
    await d.pool.connect(d.lender).deposit(100_000n * ONE, d.lender.address);
    await d.ledger.connect(d.underwriter).setLine(d.borrower.address, 1_000n * ONE, 1800, ALL_PRODUCTS_MASK, 1);
    try {
      await d.ledger.connect(d.borrower).draw(2, 1_500n * ONE);
      expect.fail("the draw should have reverted");
    } catch (error) {
      const decoded = decodeError(error);
      expect(decoded?.errorName).to.equal("CreditLimitExceeded");
      expect(decoded?.message).to.equal(
        "Credit limit exceeded: requested 1,500.00 (1,500,000,000 units), available 1,000.00 (1,000,000,000 units).",
      );
      expect(explain(error)).to.contain("CreditLimitExceeded: Credit limit exceeded");
    }
  });
});
