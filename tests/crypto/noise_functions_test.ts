// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { x25519 } from "@noble/curves/ed25519.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { blake2b, blake2s } from "@noble/hashes/blake2.js";
import {
  dh,
  dhPublicKey,
  dhStaticPublicKey,
  generateDhKey,
  generateDhKeyPair,
  InvalidPublicKeyError,
  loadDhKey,
  parseProtocolName,
} from "../../crypto/_noise_functions.ts";
import { SymmetricState } from "../../crypto/_noise_symmetric_state.ts";
import { AuthenticationError } from "../../crypto/errors.ts";
import { mulberry32 } from "../_random.ts";
import {
  NOISE_PATTERN_NAMES,
  parseNoisePattern,
} from "../../crypto/_noise_patterns.ts";

Deno.test("Noise DH: node:crypto X25519 agrees with @noble/curves", () => {
  for (let i = 0; i < 50; i++) {
    const a = crypto.getRandomValues(new Uint8Array(32));
    const b = crypto.getRandomValues(new Uint8Array(32));
    const local = loadDhKey({
      privateKey: a,
      publicKey: x25519.getPublicKey(a),
    });
    const remote = x25519.getPublicKey(b);
    assert.deepEqual(dh(local, remote), x25519.getSharedSecret(a, remote));
  }
  const fresh = generateDhKey();
  const other = crypto.getRandomValues(new Uint8Array(32));
  assert.deepEqual(
    dh(fresh, x25519.getPublicKey(other)),
    x25519.getSharedSecret(other, fresh.publicKey),
  );
  assert.throws(() => dh(fresh, new Uint8Array(32)), InvalidPublicKeyError);
});

Deno.test("Noise patterns: every table entry parses (alternating, initiator first) with e in each first message", () => {
  assert.equal(NOISE_PATTERN_NAMES.length, 38);
  for (const name of NOISE_PATTERN_NAMES) {
    const pattern = parseNoisePattern(name);
    assert.equal(pattern.oneWay, pattern.messages.length === 1, name);
    assert.ok(pattern.messages.length >= 1);
    // Each side's first message begins with (or contains) its ephemeral key.
    assert.ok(pattern.messages[0].includes("e"), name);
    if (!pattern.oneWay) assert.ok(pattern.messages[1].includes("e"), name);
    assert.equal(pattern.pskCount, 0);
  }
});

Deno.test("Noise patterns: PSK modifiers go where §9 puts them", () => {
  const p = parseNoisePattern("XXpsk3");
  assert.deepEqual(p.messages, [["e"], ["e", "ee", "s", "es"], [
    "s",
    "se",
    "psk",
  ]]);
  const q = parseNoisePattern("NNpsk0+psk2");
  assert.deepEqual(q.messages, [["psk", "e"], ["e", "ee", "psk"]]);
  assert.equal(q.pskCount, 2);
  const n = parseNoisePattern("Npsk0");
  assert.deepEqual(n.responderPreMessage, ["s"]);
  assert.deepEqual(n.messages, [["psk", "e", "es"]]);
  assert.ok(n.responderHasStatic && !n.initiatorHasStatic);
});

// Noise §4.3 HKDF spelled out with HMAC, as the reference for the native one.
function referenceHkdf(
  fn: typeof sha256,
  chainingKey: Uint8Array,
  inputKeyMaterial: Uint8Array,
  outputs: number,
): Uint8Array[] {
  const tempKey = hmac(fn, chainingKey, inputKeyMaterial);
  const out = [hmac(fn, tempKey, Uint8Array.of(1))];
  for (let i = 2; i <= outputs; i++) {
    out.push(hmac(fn, tempKey, Uint8Array.of(...out[i - 2], i)));
  }
  return out;
}

Deno.test("Noise HKDF: SHA256 and SHA512 agree with HMAC-by-hand for 2 and 3 outputs, empty input included", () => {
  const random = mulberry32(2026);
  const bytes = (length: number) =>
    Uint8Array.from({ length }, () => Math.floor(random() * 256));
  for (
    const [name, fn, hashLen] of [
      ["SHA256", sha256, 32],
      ["SHA512", sha512 as unknown as typeof sha256, 64],
      ["BLAKE2s", undefined, 32],
    ] as const
  ) {
    const hash = parseProtocolName(`Noise_NN_25519_ChaChaPoly_${name}`).hash;
    assert.equal(hash.hashLen, hashLen);
    for (let i = 0; i < 50; i++) {
      const chainingKey = bytes(hashLen);
      const input = bytes([0, 32, 33, 100][i % 4]);
      for (const outputs of [2, 3] as const) {
        const got = hash.hkdf(chainingKey, input, outputs);
        assert.equal(got.length, outputs);
        for (const part of got) assert.equal(part.length, hashLen);
        if (fn !== undefined) {
          assert.deepEqual(
            got,
            referenceHkdf(fn, chainingKey, input, outputs),
          );
        }
      }
    }
  }
});

Deno.test("Noise hashes: hash and hashTwo agree with @noble/hashes, empty and long input included", () => {
  const random = mulberry32(11);
  const bytes = (length: number) =>
    Uint8Array.from({ length }, () => Math.floor(random() * 256));
  for (
    const [name, fn] of [
      ["SHA256", sha256],
      ["SHA512", sha512],
      ["BLAKE2s", blake2s],
      ["BLAKE2b", blake2b],
    ] as const
  ) {
    const hash = parseProtocolName(`Noise_NN_25519_ChaChaPoly_${name}`).hash;
    for (const [a, b] of [[0, 0], [32, 0], [0, 48], [64, 32], [3, 5000]]) {
      const first = bytes(a);
      const second = bytes(b);
      const joined = new Uint8Array(a + b);
      joined.set(first);
      joined.set(second, a);
      const expected = (fn as typeof sha256)(joined);
      assert.deepEqual(
        hash.hashTwo(first, second),
        expected,
        `${name} ${a}+${b}`,
      );
      assert.deepEqual(hash.hash(joined), expected, `${name} ${a + b}`);
      // Owned bytes, not a view of a larger (pooled) buffer.
      assert.equal(hash.hash(joined).buffer.byteLength, expected.length);
    }
  }
});

Deno.test("Noise DH: a static public key is imported once per key bytes", () => {
  const a = generateDhKeyPair();
  const b = generateDhKeyPair();
  const key = dhStaticPublicKey(a.publicKey);
  assert.equal(dhStaticPublicKey(a.publicKey.slice()), key);
  assert.notEqual(dhStaticPublicKey(b.publicKey), key);
  // The cached import is the same key: DH with it matches a fresh import.
  const local = loadDhKey(b);
  assert.deepEqual(dh(local, key), dh(local, a.publicKey));
});

Deno.test("Noise DH: loaded key pairs are reused per object and reloaded when their bytes change", () => {
  const privateKey = crypto.getRandomValues(new Uint8Array(32));
  const pair = { privateKey, publicKey: x25519.getPublicKey(privateKey) };
  const first = loadDhKey(pair);
  assert.equal(loadDhKey(pair), first);
  // An equal pair in another object is loaded on its own.
  const twin = loadDhKey({ ...pair });
  assert.notEqual(twin, first);
  assert.deepEqual(twin.publicKey, first.publicKey);
  // Changed in place: the cached key must not be used any more.
  const other = crypto.getRandomValues(new Uint8Array(32));
  pair.privateKey.set(other);
  pair.publicKey.set(x25519.getPublicKey(other));
  const reloaded = loadDhKey(pair);
  assert.notEqual(reloaded, first);
  const peer = x25519.getPublicKey(crypto.getRandomValues(new Uint8Array(32)));
  assert.deepEqual(dh(reloaded, peer), x25519.getSharedSecret(other, peer));
});

Deno.test("Noise DH: generated key pairs and imported remote keys agree with @noble/curves", () => {
  const pair = generateDhKeyPair();
  assert.deepEqual(pair.publicKey, x25519.getPublicKey(pair.privateKey));
  const loaded = loadDhKey(pair);
  assert.deepEqual(loaded.publicKey, pair.publicKey);
  const peerPrivate = crypto.getRandomValues(new Uint8Array(32));
  const peer = x25519.getPublicKey(peerPrivate);
  const expected = x25519.getSharedSecret(pair.privateKey, peer);
  assert.deepEqual(dh(loaded, peer), expected);
  assert.deepEqual(dh(loaded, dhPublicKey(peer)), expected);
  const fresh = generateDhKey();
  assert.deepEqual(
    dh(fresh, peer),
    x25519.getSharedSecret(peerPrivate, fresh.publicKey),
  );
  assert.throws(
    () => dh(fresh, dhPublicKey(new Uint8Array(32))),
    InvalidPublicKeyError,
  );
});

Deno.test("Noise protocol names: parsed once, shared frozen", () => {
  const a = parseProtocolName("Noise_NK_25519_ChaChaPoly_SHA256");
  assert.equal(parseProtocolName("Noise_NK_25519_ChaChaPoly_SHA256"), a);
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.pattern));
  assert.ok(Object.isFrozen(a.pattern.messages));
  assert.ok(a.pattern.messages.every((m) => Object.isFrozen(m)));
  assert.deepEqual(a.pattern.messages, [["e", "es"], ["e", "ee"]]);
  assert.throws(() => parseProtocolName("Noise_NK_25519_ChaChaPoly_MD5"), {
    name: "TypeError",
  });
});

for (const name of ["SHA256", "SHA512"] as const) {
  Deno.test(`Noise SymmetricState (${name}): the handshake cipher works on its key alone, and Split() zeroes it and the chaining key`, async () => {
    const { cipher, hash } = parseProtocolName(
      `Noise_NN_25519_AESGCM_${name}`,
    );
    const a = SymmetricState.initialize("moonwire test", cipher, hash);
    const b = SymmetricState.initialize("moonwire test", cipher, hash);
    const ikm = Uint8Array.from({ length: 32 }, (_, i) => i);
    a.mixKey(ikm);
    b.mixKey(ikm);
    const key = a.k!;
    assert.equal(key.length, 32);
    // Small and large (Web Crypto) AES-GCM payloads, each way.
    for (const size of [5, 6000]) {
      const plain = new Uint8Array(size).fill(size & 0xff);
      const sealed = await a.encryptAndHash(plain);
      assert.equal(sealed.length, size + 16);
      assert.deepEqual(await b.decryptAndHash(sealed), plain);
    }
    await assert.rejects(
      b.decryptAndHash(new Uint8Array(20)),
      AuthenticationError,
    );
    const ck = a.ck;
    const [k1, k2] = a.split();
    assert.deepEqual(b.split(), [k1, k2]);
    assert.equal(k1.length, 32);
    assert.deepEqual(key, new Uint8Array(32));
    assert.deepEqual(ck, new Uint8Array(hash.hashLen));
    assert.equal(a.k, undefined);
  });
}
