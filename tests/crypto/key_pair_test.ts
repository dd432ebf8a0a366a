// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import {
  generateEd25519KeyPair,
  generateX25519KeyPair,
  keyPairFromPrivateKey,
} from "../../crypto/mod.ts";

Deno.test("generateX25519KeyPair() returns a matching 32-byte pair", () => {
  const a = generateX25519KeyPair();
  const b = generateX25519KeyPair();
  assert.equal(a.publicKey.length, 32);
  assert.equal(a.privateKey.length, 32);
  assert.ok(a.publicKey.buffer instanceof ArrayBuffer);
  assert.deepEqual(a.publicKey, x25519.getPublicKey(a.privateKey));
  assert.notDeepEqual(a.privateKey, b.privateKey);
  // Both sides agree on the shared secret.
  assert.deepEqual(
    x25519.getSharedSecret(a.privateKey, b.publicKey),
    x25519.getSharedSecret(b.privateKey, a.publicKey),
  );
});

Deno.test("generateEd25519KeyPair() returns a seed and a working public key", () => {
  const pair = generateEd25519KeyPair();
  assert.equal(pair.publicKey.length, 32);
  assert.equal(pair.privateKey.length, 32);
  const message = new TextEncoder().encode("message");
  const signature = ed25519.sign(message, pair.privateKey);
  assert.ok(ed25519.verify(signature, message, pair.publicKey));
  assert.notDeepEqual(generateEd25519KeyPair().privateKey, pair.privateKey);
});

Deno.test("keyPairFromPrivateKey() rebuilds pairs and validates input", () => {
  const x = generateX25519KeyPair();
  const e = generateEd25519KeyPair();
  assert.deepEqual(keyPairFromPrivateKey("x25519", x.privateKey), x);
  assert.deepEqual(keyPairFromPrivateKey("ed25519", e.privateKey), e);
  // RFC 7748 §6.1 Alice.
  const alice = Uint8Array.fromHex(
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
  );
  assert.equal(
    keyPairFromPrivateKey("x25519", alice).publicKey.toHex(),
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
  );
  const copy = keyPairFromPrivateKey("x25519", alice);
  alice[0] ^= 1;
  assert.notEqual(copy.privateKey[0], alice[0]);
  assert.throws(() => keyPairFromPrivateKey("x25519", new Uint8Array(31)), {
    name: "RangeError",
    message: "Cannot derive key pair: private key must be 32 bytes, got 31",
  });
  assert.throws(
    () => keyPairFromPrivateKey("rsa" as never, new Uint8Array(32)),
    {
      name: "TypeError",
      message: 'Cannot derive key pair: unknown algorithm "rsa"',
    },
  );
  assert.throws(() => keyPairFromPrivateKey("ed25519", [1, 2] as never), {
    name: "TypeError",
    message: "Cannot derive key pair: private key must be a Uint8Array",
  });
});
