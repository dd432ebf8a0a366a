// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { x25519 } from "@noble/curves/ed25519.js";
import {
  dh,
  generateDhKey,
  InvalidPublicKeyError,
  loadDhKey,
} from "../../crypto/_noise_functions.ts";
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
