import { expect } from "chai";
import { network } from "hardhat";
import { schedule, Method, UnknownMethodError } from "../src/core/schedule.ts";
import { deployMicrocredit } from "./helpers/fixture.ts";
// The risk engine's seeded PRNG (mulberry32), so a failure replays from its seed.
import { createRng } from "../src/risk/cv.ts";

const connection = await network.create();

describe("schedule math: TypeScript twin equals the contract to the unit", () => {
  it("golden schedules of PRODUCT.md §4 in TypeScript", () => {
    const P = 10_000_000000n;
    const ei = schedule({ method: Method.EqualInstalment, principal: P, aprBps: 1800, instalments: 12, periodDays: 30 });
    expect(ei.slice(0, 11).every((r) => r.payment === 916_799930n)).to.equal(true);
    expect(ei[11].payment).to.equal(916_799924n);
    expect([ei[0].interest, ei[1].interest, ei[11].interest]).to.deep.equal([150_000000n, 138_498002n, 13_548768n]);
    expect(ei.reduce((s, r) => s + r.payment, 0n)).to.equal(11_001_599154n);
    const ep = schedule({ method: Method.EqualPrincipal, principal: P, aprBps: 1800, instalments: 12, periodDays: 30 });
    expect(ep[0].principal).to.equal(833_333333n);
    expect(ep[11].principal).to.equal(833_333337n);
    expect([ep[1].interest, ep[11].interest]).to.deep.equal([137_500001n, 12_500001n]);
    expect(ep.reduce((s, r) => s + r.payment, 0n)).to.equal(10_975_000011n);
    const fi = schedule({ method: Method.InterestFirst, principal: P, aprBps: 1800, instalments: 12, periodDays: 30 });
    expect(fi.map((r) => r.payment)).to.deep.equal([...Array(11).fill(150_000000n), 10_150_000000n]);
  });

  it("300 random plans (seed 20261129): every row equal on chain and in TypeScript", async () => {
    const { quotes } = await deployMicrocredit(connection);
    const random = createRng(20261129);
    const pick = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    for (let i = 0; i < 300; i++) {
      const input = {
        method: pick(0, 3),
        principal: BigInt(pick(1, 2 ** 30)) * BigInt(pick(1, 2 ** 20)),
        aprBps: BigInt(pick(0, 10_000)),
        instalments: BigInt(pick(1, 36)),
        periodDays: BigInt(pick(1, 120)),
      };
      const [payments, principals, interests] = await quotes.previewSchedule(
        input.method,
        input.principal,
        input.aprBps,
        input.instalments,
        input.periodDays,
      );
      const rows = schedule(input);
      const label = JSON.stringify(input, (_, v) => (typeof v === "bigint" ? v.toString() : v));
      expect(rows.map((r) => r.payment), label).to.deep.equal([...payments]);
      expect(rows.map((r) => r.principal), label).to.deep.equal([...principals]);
      expect(rows.map((r) => r.interest), label).to.deep.equal([...interests]);
    }
  });

  it("rejects unknown methods and empty plans like the contract does", () => {
    expect(() => schedule({ method: 4, principal: 1n, aprBps: 1, instalments: 1, periodDays: 1 })).to.throw(
      UnknownMethodError,
    );
    expect(() => schedule({ method: 0, principal: 1n, aprBps: 1, instalments: 0, periodDays: 1 })).to.throw(RangeError);
  });
});
