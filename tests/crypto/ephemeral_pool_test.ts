// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { x25519 } from "@noble/curves/ed25519.js";
import {
  EPHEMERAL_POOL_SIZE,
  pooledEphemeralKeys,
  refillEphemeralKeys,
  refillEphemeralKeysSoon,
  takeEphemeralKey,
} from "../../crypto/_ephemeral_pool.ts";
import { generateDhKeyPair } from "../../crypto/_noise_functions.ts";
import { NoiseHandshake } from "../../crypto/mod.ts";

function drain(): void {
  while (pooledEphemeralKeys() > 0) takeEphemeralKey();
}

Deno.test("ephemeral pool: each pooled key pair is handed out once, then fresh ones are generated", () => {
  refillEphemeralKeys();
  assert.equal(pooledEphemeralKeys(), EPHEMERAL_POOL_SIZE);
  const seen = new Set<string>();
  for (let i = 0; i < EPHEMERAL_POOL_SIZE + 3; i++) {
    const key = takeEphemeralKey();
    assert.equal(key.publicKey.length, 32);
    seen.add(key.publicKey.toHex());
    assert.equal(
      pooledEphemeralKeys(),
      Math.max(0, EPHEMERAL_POOL_SIZE - i - 1),
    );
  }
  assert.equal(seen.size, EPHEMERAL_POOL_SIZE + 3);
});

Deno.test("ephemeral pool: a pooled key pair exported as bytes matches its public key", () => {
  refillEphemeralKeys();
  const pair = generateDhKeyPair(takeEphemeralKey());
  assert.deepEqual(pair.publicKey, x25519.getPublicKey(pair.privateKey));
});

Deno.test("ephemeral pool: refillEphemeralKeysSoon queues one refill for a microtask, not a timer", async () => {
  drain();
  refillEphemeralKeysSoon();
  refillEphemeralKeysSoon();
  assert.equal(pooledEphemeralKeys(), 0, "not during the caller's task");
  await Promise.resolve();
  assert.equal(pooledEphemeralKeys(), EPHEMERAL_POOL_SIZE);
  // Full: nothing is queued.
  refillEphemeralKeysSoon();
  takeEphemeralKey();
  await Promise.resolve();
  assert.equal(pooledEphemeralKeys(), EPHEMERAL_POOL_SIZE - 1);
  drain();
});

Deno.test("ephemeral pool: handshakes never share an ephemeral key, pooled or not", async () => {
  refillEphemeralKeys();
  const seen = new Set<string>();
  for (let i = 0; i < EPHEMERAL_POOL_SIZE * 2; i++) {
    const before = pooledEphemeralKeys();
    const client = new NoiseHandshake("Noise_NN_25519_ChaChaPoly_SHA256", {
      initiator: true,
    });
    const message = await client.writeMessage();
    assert.equal(pooledEphemeralKeys(), Math.max(0, before - 1));
    seen.add(message.subarray(0, 32).toHex());
  }
  assert.equal(seen.size, EPHEMERAL_POOL_SIZE * 2);
});
