// The shape of the JSON ABIs in abi/ (Solidity's ABI JSON), typed without ethers so any client library can use them.

/** A function, event or error parameter. */
export interface AbiParameter {
  readonly name: string;
  readonly type: string;
  readonly internalType?: string;
  readonly indexed?: boolean;
  readonly components?: readonly AbiParameter[];
}

/** A function, event or custom error. */
export interface AbiNamedItem {
  readonly type: "function" | "event" | "error";
  readonly name: string;
  readonly inputs: readonly AbiParameter[];
  readonly outputs?: readonly AbiParameter[];
  readonly stateMutability?: string;
  readonly anonymous?: boolean;
}

/** A constructor, fallback or receive entry: no name. */
export interface AbiUnnamedItem {
  readonly type: "constructor" | "fallback" | "receive";
  readonly name?: undefined;
  readonly inputs?: readonly AbiParameter[];
  readonly stateMutability?: string;
}

export type AbiItem = AbiNamedItem | AbiUnnamedItem;
export type Abi = readonly AbiItem[];
