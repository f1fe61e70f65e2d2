// Where a Microcredit deployment lives: the addresses a client talks to, given directly or read from the
// `deployed_addresses.json` Hardhat Ignition writes (ignition/modules/Microcredit.ts names the futures).

/**
 * The contracts of one deployment. `token` is the pool's asset; `lens` is the CreditLens, which serves every read of
 * the ledger's loans, lines, products, limits and book; `offers`, `quotes`, `merchantRegistry` and
 * `salesRouter` are optional.
 */
export interface MicrocreditAddresses {
  ledger: string;
  lens: string;
  pool: string;
  token: string;
  offers?: string;
  quotes?: string;
  merchantRegistry?: string;
  salesRouter?: string;
}

/** Addresses as a deployment lists them: without the token, the client asks the pool for its asset. */
export type DeploymentAddresses = Omit<MicrocreditAddresses, "token"> & { token?: string };

/**
 * The future ids of the Ignition module `Microcredit` for each address (the token: the local mock; on a public
 * network the client reads the pool's asset).
 */
export const IGNITION_FUTURES = {
  ledger: ["Microcredit#CreditLedger"],
  lens: ["Microcredit#CreditLens"],
  pool: ["Microcredit#LendingPool"],
  token: ["Microcredit#MockStablecoin"],
  offers: ["Microcredit#CreditOffers"],
  quotes: ["Microcredit#CreditQuotes"],
  merchantRegistry: ["Microcredit#MerchantRegistry"],
  salesRouter: ["Microcredit#SalesRouter"],
} as const;

const first = (entries: Record<string, string>, ids: readonly string[]): string | undefined =>
  ids.map((id) => entries[id]).find((address) => typeof address === "string");

/** The addresses in the parsed content of an Ignition `deployed_addresses.json` (future id → address). */
export function addressesFromIgnition(entries: Record<string, string>): DeploymentAddresses {
  const ledger = first(entries, IGNITION_FUTURES.ledger);
  const lens = first(entries, IGNITION_FUTURES.lens);
  const pool = first(entries, IGNITION_FUTURES.pool);
  if (ledger === undefined || lens === undefined || pool === undefined) {
    const missing = (["ledger", "lens", "pool"] as const)
      .filter((key) => first(entries, IGNITION_FUTURES[key]) === undefined)
      .flatMap((key) => IGNITION_FUTURES[key]);
    throw new Error(`the Ignition deployment lacks ${missing.join(", ")}`);
  }
  const addresses: DeploymentAddresses = { ledger, lens, pool };
  for (const key of ["token", "offers", "quotes", "merchantRegistry", "salesRouter"] as const) {
    const address = first(entries, IGNITION_FUTURES[key]);
    if (address !== undefined) addresses[key] = address;
  }
  return addresses;
}

/** What `Microcredit.connect` accepts: addresses, an Ignition deployment's entries, or the path of its file. */
export type AddressSource = DeploymentAddresses | Record<string, string> | string;

function isAddresses(source: object): source is DeploymentAddresses {
  const record = source as Record<string, unknown>;
  return typeof record.ledger === "string" && typeof record.pool === "string";
}

/**
 * Resolves any AddressSource to addresses; a path is read from disk (Node only). Addresses without `lens` are
 * refused: every read of the ledger's loans and lines goes to the CreditLens.
 */
export async function resolveAddresses(source: AddressSource): Promise<DeploymentAddresses> {
  if (typeof source === "string") {
    const { readFile } = await import("node:fs/promises");
    return addressesFromIgnition(JSON.parse(await readFile(source, "utf8")) as Record<string, string>);
  }
  if (!isAddresses(source)) return addressesFromIgnition(source);
  if (typeof (source as Partial<DeploymentAddresses>).lens !== "string") {
    throw new Error(
      `the addresses lack lens: give the CreditLens of ledger ${source.ledger} (${IGNITION_FUTURES.lens[0]} in its Ignition deployment)`,
    );
  }
  return { ...source };
}
