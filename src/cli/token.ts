// `microcredit token faucet|balance`: the pool's token as a newcomer on a local node needs it. The faucet is the
// local stablecoin mock's (MockStablecoin): it mints on chain 31337 and 1337 only and refuses elsewhere
// (FaucetOnlyOnLocalChain, decoded).
import { Contract } from "ethers";
import { ABIS } from "../abi/contracts.ts";
import { withDecodedErrors } from "../sdk/errors.ts";
import { address, amount, required, str } from "./args.ts";
import type { Command, Role } from "./command.ts";
import { pairs, units } from "./output.ts";

const toOption = { to: { type: "string" as const }, amount: { type: "string" as const } };

const faucet: Command = {
  name: "faucet",
  summary: "faucet --amount <tokens> [--to <a>]   mint test tokens (the local token mock only)",
  usage: [
    "  --amount <tokens>   how much, in token units (at most 10,000,000 a call)",
    "  --to <a>            who receives them (default: the key's address)",
  ].join("\n"),
  options: toOption,
  check: (values) => {
    required(values, "amount");
    const to = str(values, "to");
    if (to !== undefined) address(to, "to");
  },
  async run(ctx, values) {
    const client = await ctx.client(true);
    const given = str(values, "to");
    const to = given !== undefined ? address(given, "to") : await ctx.signer().getAddress();
    const value = amount(required(values, "amount"), client.decimals, "amount");
    const mock = new Contract(client.addresses.token, ABIS.MockStablecoin as never, ctx.signer());
    const receipt = await withDecodedErrors(async () => {
      const tx = await mock.getFunction("faucet")(to, value);
      return tx.wait();
    }, client.decimals);
    const balance = (await client.token.balanceOf(to)) as bigint;
    return {
      json: {
        command: "token faucet",
        to,
        amount: value,
        balance,
        decimals: client.decimals,
        tx: receipt.hash,
      },
      human: [
        `minted ${units(value, client.decimals)} to ${to}; balance ${units(balance, client.decimals)} (tx ${receipt.hash})`,
      ],
    };
  },
};

const balance: Command = {
  name: "balance",
  summary: "balance [--address <a>]             the token balance of an address",
  usage: "  --address <a>       whose (default: the key's address)",
  options: { address: { type: "string" } },
  async run(ctx) {
    const client = await ctx.client(false);
    const who = await ctx.who();
    const value = (await client.token.balanceOf(who)) as bigint;
    return {
      json: { command: "token balance", address: who, balance: value, decimals: client.decimals },
      human: pairs([
        ["address", who],
        ["balance", units(value, client.decimals)],
      ]),
    };
  },
};

export const token: Role = {
  name: "token",
  summary: "the pool's token: a balance, and test tokens from the local mock's faucet",
  commands: [faucet, balance],
};
