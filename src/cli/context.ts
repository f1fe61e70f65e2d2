// What a command works with: the node (`--rpc` / `--network`), its chain id, the deployment found for it (the same
// rule as the keeper and the monitor: ignition/deployments/<deploymentId(chainId, rpc)>/deployed_addresses.json
// under the current directory, or --deployment, or --ledger [--lens] [--pool]), the key, and the Microcredit client
// on top.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { Contract, type JsonRpcProvider, type Signer } from "ethers";
import { ABIS } from "../abi/contracts.ts";
import { deploymentId } from "../chain/deployment-id.ts";
import { displayUrl } from "../chain/networks.ts";
import { connect } from "../chain/provider.ts";
import { addressesFromIgnition, Microcredit, type DeploymentAddresses } from "../client/index.ts";
import { address, asUsageError, rpcTarget, str, UsageError, type Values } from "./args.ts";
import { resolveSigner } from "./keys.ts";

/** The contracts a deployment may list besides the ledger and the pool, by their address key. */
const OPTIONAL = {
  offers: "CreditOffers",
  quotes: "CreditQuotes",
  merchantRegistry: "MerchantRegistry",
  salesRouter: "SalesRouter",
} as const;

export class Context {
  readonly values: Values;
  readonly rpc: string;
  readonly provider: JsonRpcProvider;
  readonly chainId: bigint;
  private signerValue?: Signer;
  private deploymentValue?: DeploymentAddresses;

  private constructor(values: Values, rpc: string, provider: JsonRpcProvider, chainId: bigint) {
    this.values = values;
    this.rpc = rpc;
    this.provider = provider;
    this.chainId = chainId;
  }

  /**
   * Connects to the node of `--rpc` / `--network`; a node that does not answer, or is not the chain `--network`
   * names, is a UsageError naming its URL.
   */
  static async open(values: Values): Promise<Context> {
    const target = rpcTarget(values);
    try {
      const { provider, chainId } = await connect(target, { pollingInterval: 500 });
      return new Context(values, target.url, provider, chainId);
    } catch (error) {
      throw asUsageError(error);
    }
  }

  /** The signer of the command (MICROCREDIT_KEY, or --account on a development node: devKeysAllowed). */
  signer(): Signer {
    this.signerValue ??= resolveSigner(this.chainId, this.rpc, this.provider, str(this.values, "account"));
    return this.signerValue;
  }

  /** The address the reads are about: --address when the command has it, else the signer's. */
  async who(): Promise<string> {
    const given = str(this.values, "address");
    return given !== undefined ? address(given, "address") : this.signer().getAddress();
  }

  /** The deployment's addresses, each checked to hold a contract on this node. */
  async deployment(): Promise<DeploymentAddresses> {
    if (this.deploymentValue) return this.deploymentValue;
    const found = await this.findDeployment();
    for (const [name, at] of Object.entries(found)) {
      if (typeof at === "string" && (await this.provider.getCode(at)) === "0x") {
        throw new UsageError(
          `no contract at ${at} (the ${name} address) on chain ${this.chainId} at ${displayUrl(this.rpc)}`,
          false,
        );
      }
    }
    this.deploymentValue = found;
    return found;
  }

  /** The client, as the signer (writes) or read-only. */
  async client(asSigner: boolean): Promise<Microcredit> {
    // The key first: a missing key is said before anything about the deployment.
    const runner = asSigner ? this.signer() : this.provider;
    return Microcredit.connect(runner, await this.deployment());
  }

  /** CreditOffers, CreditQuotes, MerchantRegistry or SalesRouter of the deployment, or a UsageError saying the command needs it. */
  async optional(name: keyof typeof OPTIONAL): Promise<Contract> {
    const at = (await this.deployment())[name];
    const contract = OPTIONAL[name];
    if (at === undefined) {
      throw new UsageError(
        `this command needs the ${contract} address: use the node's deployment or --deployment`,
      );
    }
    return new Contract(at, ABIS[contract] as never, this.provider);
  }

  /** The latest block's timestamp (the chain's clock, which a local node may have moved). */
  async now(): Promise<bigint> {
    const block = await this.provider.getBlock("latest");
    if (!block) throw new Error("the node returned no latest block");
    return BigInt(block.timestamp);
  }

  close(): void {
    this.provider.destroy();
  }

  /** The node's deployment file under the current directory (it may not exist). */
  private journalFile(): string {
    return join(
      process.cwd(),
      "ignition",
      "deployments",
      deploymentId(this.chainId, this.rpc),
      "deployed_addresses.json",
    );
  }

  /** The CreditLens the node's deployment lists for `ledger`, if it lists that ledger. */
  private journalLensOf(ledger: string): string | undefined {
    const file = this.journalFile();
    if (!existsSync(file)) return undefined;
    try {
      const { ledger: listed, lens } = addressesFromIgnition(
        JSON.parse(readFileSync(file, "utf8")) as Record<string, string>,
      );
      return listed.toLowerCase() === ledger.toLowerCase() ? lens : undefined;
    } catch {
      return undefined;
    }
  }

  private async findDeployment(): Promise<DeploymentAddresses> {
    const ledgerFlag = str(this.values, "ledger");
    const lensFlag = str(this.values, "lens");
    const poolFlag = str(this.values, "pool");
    const file = str(this.values, "deployment");
    if (ledgerFlag !== undefined || lensFlag !== undefined || poolFlag !== undefined) {
      if (file !== undefined) throw new UsageError("give --deployment or --ledger/--lens/--pool, not both");
      if (ledgerFlag === undefined)
        throw new UsageError(`--${poolFlag !== undefined ? "pool" : "lens"} needs --ledger`);
      const ledger = address(ledgerFlag, "ledger");
      if ((await this.provider.getCode(ledger)) === "0x") {
        throw new UsageError(
          `no contract at ${ledger} (the ledger address) on chain ${this.chainId} at ${displayUrl(this.rpc)}`,
          false,
        );
      }
      const lens = lensFlag !== undefined ? address(lensFlag, "lens") : this.journalLensOf(ledger);
      if (lens === undefined) {
        throw new UsageError(
          `--ledger ${ledger} needs --lens, its CreditLens: the node's deployment does not list that ledger`,
        );
      }
      const pool =
        poolFlag !== undefined
          ? address(poolFlag, "pool")
          : String(await new Contract(ledger, ABIS.CreditLedger as never, this.provider).pool());
      return { ledger, lens, pool };
    }
    const path = file ?? this.journalFile();
    const target =
      existsSync(path) && statSync(path).isDirectory() ? join(path, "deployed_addresses.json") : path;
    if (!existsSync(target)) {
      throw new UsageError(
        file !== undefined
          ? `--deployment ${file}: no such file`
          : `no deployment for chain ${this.chainId} at ${displayUrl(this.rpc)}: ${relative(process.cwd(), target)} does not exist ` +
              "(deploy first, or pass --deployment or --ledger)",
        file !== undefined,
      );
    }
    try {
      return addressesFromIgnition(JSON.parse(readFileSync(target, "utf8")) as Record<string, string>);
    } catch (error) {
      throw new UsageError(`${relative(process.cwd(), target)}: ${(error as Error).message}`, false);
    }
  }
}
