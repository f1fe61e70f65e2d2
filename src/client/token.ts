// The pool's asset as the client uses it: an ERC-20 with decimals, and the allowance a deposit or a repayment needs.
import { Contract, MaxUint256, type ContractRunner, type Signer } from "ethers";

export const ERC20_ABI = [
  "function decimals() view returns (uint8)",
  "function balanceOf(address owner) view returns (uint256)",
  "function allowance(address owner, address spender) view returns (uint256)",
  "function approve(address spender, uint256 value) returns (bool)",
  "event Transfer(address indexed from, address indexed to, uint256 value)",
  "event Approval(address indexed owner, address indexed spender, uint256 value)",
];

export function connectToken(address: string, runner: ContractRunner): Contract {
  return new Contract(address, ERC20_ABI, runner);
}

/**
 * Makes `amount` pullable by `spender` (at most one `approve`, awaited). With `keep`, what `owner` had already
 * allowed is still there after the pull (the budget a collection mandate draws on): the allowance becomes
 * `current + amount`. Without it, the allowance is raised to `amount` when lower. An unlimited allowance is left as is.
 */
export async function ensureAllowance(
  token: Contract,
  owner: Signer,
  spender: string,
  amount: bigint,
  keep = false,
): Promise<void> {
  const current: bigint = await token.allowance(await owner.getAddress(), spender);
  const target = keep ? current + amount : amount;
  if (current >= target || current === MaxUint256) return;
  const tx = await token.connect(owner).getFunction("approve")(
    spender,
    target > MaxUint256 ? MaxUint256 : target,
  );
  await tx.wait();
}

/** The sum of the `Transfer`s of `token` in a receipt's logs whose `side` ("from" or "to") is `account`. */
export function transferred(
  token: Contract,
  tokenAddress: string,
  side: "from" | "to",
  account: string,
  logs: readonly { address: string; topics: readonly string[]; data: string }[],
): bigint {
  let total = 0n;
  for (const log of logs) {
    if (log.address.toLowerCase() !== tokenAddress.toLowerCase()) continue;
    const event = token.interface.parseLog(log);
    if (event?.name === "Transfer" && String(event.args[side]).toLowerCase() === account.toLowerCase()) {
      total += event.args.value as bigint;
    }
  }
  return total;
}
