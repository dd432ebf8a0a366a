// Copyright 2026 the moonwire authors. MIT license.
// The check every abort test makes: a wait that honoured its signal rejects
// with a DOMException named "AbortError", its message naming the wait and
// its cause the signal's reason.
import assert from "node:assert/strict";

/** Asserts `promise` rejects with the AbortError `message` and `cause`. */
export async function assertAborted(
  promise: Promise<unknown>,
  message: string,
  cause: unknown,
): Promise<void> {
  const error = await promise.then(
    () => assert.fail("the wait did not reject"),
    (error: unknown) => error,
  );
  assert.ok(error instanceof DOMException, `got ${error}`);
  assert.equal(error.name, "AbortError");
  assert.equal(error.message, message);
  assert.equal(error.cause, cause);
}
