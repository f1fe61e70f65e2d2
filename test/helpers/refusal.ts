// The decoded refusal of a call that must revert: what `decodeError` makes of it, which must be a known error.
import { expect } from "chai";
import { decodeError, type MicrocreditError } from "../../src/sdk/errors.ts";

export async function refusal(call: Promise<unknown>): Promise<MicrocreditError> {
  try {
    await call;
  } catch (error) {
    const decoded = decodeError(error);
    expect(decoded, String(error)).to.not.equal(undefined);
    return decoded!;
  }
  expect.fail("the call should have reverted");
}

/** The rejection of `promise`: its error, or a failure of the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: Error) => error,
  );
}
