// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { deriveKey } from "../../crypto/mod.ts";

Deno.test("deriveKey() matches RFC 5869 test case 3 (empty salt and info)", () => {
  const okm = deriveKey(new Uint8Array(22).fill(0x0b), "", 42);
  assert.equal(
    okm.toHex(),
    "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d" +
      "9d201395faa4b61a96c8",
  );
  assert.ok(okm.buffer instanceof ArrayBuffer);
});

Deno.test("deriveKey() agrees with Web Crypto HKDF for a UTF-8 label", async () => {
  const ikm = new Uint8Array(32).map((_, i) => i * 3);
  const label = "moonwire – psk ✓";
  const base = await crypto.subtle.importKey("raw", ikm, "HKDF", false, [
    "deriveBits",
  ]);
  const expected = new Uint8Array(
    await crypto.subtle.deriveBits(
      {
        name: "HKDF",
        hash: "SHA-256",
        salt: new Uint8Array(0),
        info: new TextEncoder().encode(label),
      },
      base,
      64 * 8,
    ),
  );
  assert.deepEqual(deriveKey(ikm, label, 64), expected);
  assert.deepEqual(deriveKey(ikm, label), expected.subarray(0, 32));
  assert.notDeepEqual(deriveKey(ikm, "other"), deriveKey(ikm, label));
});

Deno.test("deriveKey() validates its arguments", () => {
  const ikm = new Uint8Array(16);
  for (const length of [0, -1, 1.5, 8161, NaN]) {
    assert.throws(() => deriveKey(ikm, "x", length), {
      name: "RangeError",
      message:
        `Cannot derive key: length must be an integer from 1 to 8160, got ${length}`,
    });
  }
  assert.equal(deriveKey(ikm, "x", 8160).length, 8160);
  assert.throws(() => deriveKey("secret" as never, "x"), {
    name: "TypeError",
    message: "Cannot derive key: input key must be a Uint8Array",
  });
  assert.throws(() => deriveKey(ikm, 5 as never), {
    name: "TypeError",
    message: "Cannot derive key: label must be a string",
  });
});
