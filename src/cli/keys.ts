// The key a command signs with: MICROCREDIT_KEY, or on a development node only (chain 31337, or 1337 on this
// machine: devKeysAllowed), one of Hardhat's 20 default accounts chosen with --account. A key is never taken from
// the command line (it would stay in the shell's history and in `ps`); `npx hardhat keystore get <name>` can fill
// the variable from the Hardhat keystore.
import { HDNodeWallet, Wallet, type Provider, type Signer } from "ethers";
import {
  DEV_KEYS_TEXT,
  devKeysAllowed,
  displayUrl,
  isLocalChain,
  LOCAL_CHAINS_TEXT,
} from "../chain/networks.ts";
import { integer, UsageError } from "./args.ts";

export const KEY_VARIABLE = "MICROCREDIT_KEY";

/** The mnemonic of Hardhat's (and Anvil's) default accounts: public knowledge, only ever used on a local chain. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const HARDHAT_ACCOUNTS = 20;

/** The private key of Hardhat's default account `n`. */
export function hardhatKey(n: number): string {
  return HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, `m/44'/60'/0'/0/${n}`).privateKey;
}

/**
 * The signer for chain `chainId` reached at `rpcUrl`: MICROCREDIT_KEY when set (then `account` must not be), else
 * Hardhat account `account` (default 0) where devKeysAllowed; anything else is a UsageError that never repeats the
 * key.
 */
export function resolveSigner(
  chainId: bigint,
  rpcUrl: string,
  provider: Provider,
  account: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Signer {
  const key = env[KEY_VARIABLE]?.trim();
  if (key) {
    if (account !== undefined) {
      throw new UsageError(`--account selects a Hardhat account; it cannot be used with ${KEY_VARIABLE} set`);
    }
    if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key)) {
      throw new UsageError(`${KEY_VARIABLE} is not a private key (32 bytes as 64 hex digits)`, false);
    }
    return new Wallet(key.startsWith("0x") ? key : `0x${key}`, provider);
  }
  if (!isLocalChain(chainId)) {
    throw new UsageError(
      `${KEY_VARIABLE} is not set; Hardhat's default accounts (--account) are only used on a local chain (${LOCAL_CHAINS_TEXT}), not ${chainId}`,
      false,
    );
  }
  if (!devKeysAllowed(chainId, rpcUrl)) {
    throw new UsageError(
      `${KEY_VARIABLE} is not set and ${displayUrl(rpcUrl)} is chain ${chainId} on another machine: Hardhat's ` +
        `default accounts (--account) are only used on ${DEV_KEYS_TEXT}; set ${KEY_VARIABLE}`,
      false,
    );
  }
  const n = account === undefined ? 0 : integer(account, "account", 0, HARDHAT_ACCOUNTS - 1);
  return new Wallet(hardhatKey(n), provider);
}
