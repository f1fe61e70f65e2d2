// The pool's asset as the client uses it: an ERC-20 with decimals, and the allowance a deposit or a repayment needs.
import { Contract, MaxUint256, id, type ContractRunner, type Signer } from "ethers";

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
 * Resolves with the allowance before, to put back with `restoreAllowance` when the pull does not happen.
 */
export async function ensureAllowance(
  token: Contract,
  owner: Signer,
  spender: string,
  amount: bigint,
  keep = false,
): Promise<bigint> {
  const current: bigint = await token.allowance(await owner.getAddress(), spender);
  const target = keep ? current + amount : amount;
  if (current >= target || current === MaxUint256) return current;
  const tx = await token.connect(owner).getFunction("approve")(
    spender,
    target > MaxUint256 ? MaxUint256 : target,
  );
  await tx.wait();
  return current;
}

/** Sets `owner`'s allowance to `spender` back to `before` when it is now higher (one `approve`, awaited). */
export async function restoreAllowance(
  token: Contract,
  owner: Signer,
  spender: string,
  before: bigint,
): Promise<void> {
  const now: bigint = await token.allowance(await owner.getAddress(), spender);
  if (now <= before) return;
  await (await token.connect(owner).getFunction("approve")(spender, before)).wait();
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

/** OpenZeppelin 5's `ERC20InsufficientAllowance(address,uint256,uint256)` selector. */
const ALLOWANCE_SELECTOR = id("ERC20InsufficientAllowance(address,uint256,uint256)").slice(0, 10);

/**
 * Whether a call failed only for want of an allowance: OpenZeppelin's custom error, or an older token's revert string
 * naming the allowance ("ERC20: insufficient allowance", "transfer amount exceeds allowance").
 */
export function isAllowanceShortfall(error: unknown): boolean {
  const e = error as { data?: unknown; reason?: unknown; revert?: { name?: unknown } };
  if (typeof e?.data === "string" && e.data.toLowerCase().startsWith(ALLOWANCE_SELECTOR)) return true;
  if (e?.revert?.name === "ERC20InsufficientAllowance") return true;
  return typeof e?.reason === "string" && /allowance/i.test(e.reason);
}
