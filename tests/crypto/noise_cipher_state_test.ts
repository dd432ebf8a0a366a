// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { gcm } from "@noble/ciphers/aes.js";
import { NoiseCipherState } from "../../crypto/noise_cipher_state.ts";
import {
  disableNoiseCipherState,
  noiseCipherKeyForTesting,
  setNoiseNonceForTesting,
} from "../../crypto/_noise_cipher_access.ts";
import { AuthenticationError } from "../../crypto/errors.ts";

const MAX = (1n << 64n) - 1n;
const KEY = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const PLAIN = new TextEncoder().encode("the hot path");

// Reference nonces: 4 zero bytes + 64-bit counter (LE for ChaChaPoly, BE for AESGCM).
function chachaNonce(n: bigint): Uint8Array {
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setBigUint64(4, n, true);
  return nonce;
}
function gcmNonce(n: bigint): Uint8Array {
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setBigUint64(4, n, false);
  return nonce;
}
const reference = {
  ChaChaPoly: (
    key: Uint8Array,
    n: bigint,
    m: Uint8Array,
    ad = new Uint8Array(),
  ) => chacha20poly1305(key, chachaNonce(n), ad).encrypt(m),
  AESGCM: (key: Uint8Array, n: bigint, m: Uint8Array, ad = new Uint8Array()) =>
    gcm(key, gcmNonce(n), ad).encrypt(m),
};

for (const cipher of ["ChaChaPoly", "AESGCM"] as const) {
  Deno.test(`NoiseCipherState ${cipher}: nonce encoding matches the spec, across the 32-bit carry`, async () => {
    const state = new NoiseCipherState(KEY, { cipher });
    const ad = new Uint8Array([1, 2, 3]);
    assert.deepEqual(
      await state.encrypt(PLAIN, ad),
      reference[cipher](KEY, 0n, PLAIN, ad),
    );
    for (
      const n of [0xfffffffen, 0xffffffffn, 0x100000000n, 0x0102030405060708n]
    ) {
      setNoiseNonceForTesting(state, n);
      assert.deepEqual(
        await state.encrypt(PLAIN),
        reference[cipher](KEY, n, PLAIN),
      );
      assert.equal(state.nonce, n + 1n);
      assert.deepEqual(
        await state.encryptWithNonce(n, PLAIN),
        reference[cipher](KEY, n, PLAIN),
      );
      assert.equal(state.nonce, n + 1n);
    }
  });

  Deno.test(`NoiseCipherState ${cipher}: rekey is ENCRYPT(k, 2^64-1, "", zeros)[0..32]`, async () => {
    const state = new NoiseCipherState(KEY, { cipher });
    await state.encrypt(PLAIN);
    state.rekey();
    const newKey = reference[cipher](KEY, MAX, new Uint8Array(32)).slice(0, 32);
    assert.equal(state.nonce, 1n);
    assert.deepEqual(
      await state.encrypt(PLAIN),
      reference[cipher](newKey, 1n, PLAIN),
    );
    const receiver = new NoiseCipherState(newKey, { cipher });
    assert.deepEqual(
      await receiver.decryptWithNonce(1n, reference[cipher](newKey, 1n, PLAIN)),
      PLAIN,
    );
  });
}

for (const cipher of ["ChaChaPoly", "AESGCM"] as const) {
  Deno.test(`NoiseCipherState ${cipher}: records past the 4 KiB native switch use the rekeyed key`, async () => {
    // Large AES-GCM records go through a CryptoKey imported on first use:
    // a rekey in place must drop it, or the old key would seal again.
    const big = Uint8Array.from({ length: 6000 }, (_, i) => i & 0xff);
    const sender = new NoiseCipherState(KEY, { cipher });
    const receiver = new NoiseCipherState(KEY, { cipher });
    const first = await sender.encrypt(big);
    assert.deepEqual(first, reference[cipher](KEY, 0n, big));
    assert.deepEqual(await receiver.decrypt(first), big);
    sender.rekey();
    receiver.rekey();
    const newKey = reference[cipher](KEY, MAX, new Uint8Array(32)).slice(0, 32);
    const second = await sender.encrypt(big);
    assert.deepEqual(second, reference[cipher](newKey, 1n, big));
    assert.deepEqual(await receiver.decrypt(second), big);
    await assert.rejects(
      receiver.decryptWithNonce(0n, first),
      AuthenticationError,
    );
    sender.destroy();
    await assert.rejects(sender.encrypt(big), {
      name: "TypeError",
      message: "Cannot encrypt: cipher state is destroyed",
    });
  });
}

Deno.test("NoiseCipherState: a failed decrypt does not advance the counter", async () => {
  const sender = new NoiseCipherState(KEY);
  const receiver = new NoiseCipherState(KEY);
  const r0 = await sender.encrypt(PLAIN);
  const r1 = await sender.encrypt(PLAIN);
  await assert.rejects(receiver.decrypt(r1), {
    name: "AuthenticationError",
    message: "Cannot open record: authentication failed",
  });
  await assert.rejects(
    receiver.decrypt(r0.subarray(0, 10)),
    AuthenticationError,
  );
  await assert.rejects(
    receiver.decrypt(r0, new Uint8Array([1])),
    AuthenticationError,
  );
  assert.equal(receiver.nonce, 0n);
  assert.deepEqual(await receiver.decrypt(r0), PLAIN);
  assert.deepEqual(await receiver.decrypt(r1), PLAIN);
  assert.equal(receiver.nonce, 2n);
});

Deno.test("NoiseCipherState: concurrent calls take counters in call order", async () => {
  const sender = new NoiseCipherState(KEY, { cipher: "AESGCM" });
  const receiver = new NoiseCipherState(KEY, { cipher: "AESGCM" });
  const messages = Array.from({ length: 20 }, (_, i) => new Uint8Array([i]));
  const records = await Promise.all(messages.map((m) => sender.encrypt(m)));
  assert.equal(sender.nonce, 20n);
  const plain = await Promise.all(records.map((r) => receiver.decrypt(r)));
  assert.deepEqual(plain, messages);
  assert.equal(receiver.nonce, 20n);
});

Deno.test("NoiseCipherState: counter exhaustion is a RangeError", async () => {
  const state = new NoiseCipherState(KEY);
  setNoiseNonceForTesting(state, MAX - 1n);
  const last = await state.encrypt(PLAIN);
  assert.equal(state.nonce, MAX);
  await assert.rejects(state.encrypt(PLAIN), {
    name: "RangeError",
    message: "Cannot encrypt: nonce space exhausted",
  });
  assert.equal(state.nonce, MAX);

  const receiver = new NoiseCipherState(KEY);
  setNoiseNonceForTesting(receiver, MAX - 1n);
  assert.deepEqual(await receiver.decrypt(last), PLAIN);
  await assert.rejects(receiver.decrypt(last), {
    name: "RangeError",
    message: "Cannot decrypt: nonce space exhausted",
  });
  await assert.rejects(state.encryptWithNonce(MAX, PLAIN), {
    name: "RangeError",
    message: "Cannot encrypt: nonce space exhausted",
  });
  await assert.rejects(state.decryptWithNonce(MAX, last), {
    name: "RangeError",
    message: "Cannot decrypt: nonce space exhausted",
  });
  await assert.rejects(state.encryptWithNonce(MAX + 1n, PLAIN), {
    name: "RangeError",
    message:
      "Cannot encrypt: nonce 18446744073709551616 is outside 0 to 18446744073709551614",
  });
  await assert.rejects(state.decryptWithNonce(-1n, last), {
    name: "RangeError",
    message: "Cannot decrypt: nonce -1 is outside 0 to 18446744073709551614",
  });
  await assert.rejects(state.encryptWithNonce(1 as unknown as bigint, PLAIN), {
    name: "TypeError",
    message: "Cannot encrypt: nonce must be a bigint, got number",
  });
  // Rekey still works at the end: it uses the reserved counter itself.
  state.rekey();
  assert.equal(state.nonce, MAX);
});

Deno.test("NoiseCipherState: bad arguments never consume a counter", async () => {
  const state = new NoiseCipherState(KEY);
  await assert.rejects(state.encrypt("x" as unknown as Uint8Array), {
    name: "TypeError",
    message: "Cannot encrypt: data must be a Uint8Array",
  });
  await assert.rejects(
    state.decrypt(new Uint8Array(20), [] as unknown as Uint8Array),
    {
      name: "TypeError",
      message: "Cannot decrypt: associated data must be a Uint8Array",
    },
  );
  // Explicit counters check their data the same way.
  await assert.rejects(
    state.encryptWithNonce(0n, "x" as unknown as Uint8Array),
    { name: "TypeError", message: "Cannot encrypt: data must be a Uint8Array" },
  );
  await assert.rejects(
    state.decryptWithNonce(
      0n,
      new Uint8Array(20),
      "ad" as unknown as Uint8Array,
    ),
    {
      name: "TypeError",
      message: "Cannot decrypt: associated data must be a Uint8Array",
    },
  );
  assert.equal(state.nonce, 0n);
  assert.throws(() => new NoiseCipherState(new Uint8Array(16)), {
    name: "RangeError",
    message: "Cannot create cipher state: key must be 32 bytes, got 16",
  });
  assert.throws(() => new NoiseCipherState("k" as unknown as Uint8Array), {
    name: "TypeError",
    message: "Cannot create cipher state: key must be a Uint8Array",
  });
  assert.throws(
    () => new NoiseCipherState(KEY, { cipher: "AES" as "AESGCM" }),
    {
      name: "TypeError",
      message:
        'Cannot create cipher state: unknown cipher "AES" (supported: ChaChaPoly, AESGCM)',
    },
  );
});

for (const cipher of ["ChaChaPoly", "AESGCM"] as const) {
  Deno.test(`NoiseCipherState ${cipher}: destroy zeroes the key and every later use throws`, async () => {
    const state = new NoiseCipherState(KEY, { cipher });
    const first = await state.encrypt(PLAIN);
    // Started before destroy: finishes with the key it began with.
    const inFlight = state.encryptWithNonce(7n, PLAIN);
    const key = noiseCipherKeyForTesting(state);
    assert.deepEqual(key, KEY);
    assert.equal(state.destroyed, false);
    state.destroy();
    assert.equal(state.destroyed, true);
    assert.deepEqual(key, new Uint8Array(32));
    assert.deepEqual(
      await inFlight,
      reference[cipher](KEY, 7n, PLAIN),
    );
    assert.deepEqual(first, reference[cipher](KEY, 0n, PLAIN));
    // The caller's key is the caller's: only the state's copy is zeroed.
    assert.deepEqual(KEY, Uint8Array.from({ length: 32 }, (_, i) => i + 1));
    const destroyed = (action: string) => ({
      name: "TypeError",
      message: `Cannot ${action}: cipher state is destroyed`,
    });
    await assert.rejects(state.encrypt(PLAIN), destroyed("encrypt"));
    await assert.rejects(state.decrypt(first), destroyed("decrypt"));
    await assert.rejects(
      state.encryptWithNonce(1n, PLAIN),
      destroyed("encrypt"),
    );
    await assert.rejects(
      state.decryptWithNonce(0n, first),
      destroyed("decrypt"),
    );
    assert.throws(() => state.rekey(), destroyed("rekey"));
    // Failed calls take no counter; destroying again changes nothing.
    assert.equal(state.nonce, 1n);
    state.destroy();
    state[Symbol.dispose]();
    disableNoiseCipherState(state, "unused direction");
    assert.equal(state.destroyed, true);
    await assert.rejects(state.encrypt(PLAIN), destroyed("encrypt"));
  });
}

Deno.test("NoiseCipherState: destroy after rekey zeroes the rekeyed key; using destroys", async () => {
  const state = new NoiseCipherState(KEY);
  state.rekey();
  const rekeyed = noiseCipherKeyForTesting(state);
  assert.notDeepEqual(rekeyed, new Uint8Array(32));
  {
    using scoped = state;
    assert.equal(scoped.destroyed, false);
  }
  assert.equal(state.destroyed, true);
  assert.deepEqual(rekeyed, new Uint8Array(32));
  // A one-way pattern's disabled direction keeps its own message until
  // destroyed.
  const unused = new NoiseCipherState(KEY);
  disableNoiseCipherState(unused, "one-way pattern");
  await assert.rejects(unused.encrypt(PLAIN), {
    name: "TypeError",
    message: "Cannot encrypt: one-way pattern",
  });
  assert.equal(unused.destroyed, false);
  unused.destroy();
  await assert.rejects(unused.encrypt(PLAIN), {
    name: "TypeError",
    message: "Cannot encrypt: cipher state is destroyed",
  });
  assert.deepEqual(noiseCipherKeyForTesting(unused), new Uint8Array(32));
});

for (const cipher of ["ChaChaPoly", "AESGCM"] as const) {
  Deno.test(`NoiseCipherState ${cipher}: encryptInto/decryptInto give encrypt/decrypt's bytes and counters`, async () => {
    const sender = new NoiseCipherState(KEY, { cipher });
    const receiver = new NoiseCipherState(KEY, { cipher });
    const ad = Uint8Array.of(9, 8, 7);
    // Sizes on both sides of the native AES-GCM switch at 4 KiB.
    const buffer = new Uint8Array(6000 + 16);
    for (
      const [n, size] of [[0n, 0], [1n, 12], [2n, 5000], [3n, 6000]] as const
    ) {
      const message = Uint8Array.from({ length: size }, (_, i) => i * 13);
      buffer.set(message);
      const record = await sender.encryptInto(
        buffer.subarray(0, size),
        buffer,
        ad,
      );
      assert.deepEqual(record, reference[cipher](KEY, n, message, ad));
      assert.equal(record.buffer, buffer.buffer);
      assert.equal(sender.nonce, n + 1n);
      const plain = await receiver.decryptInto(record, buffer, ad);
      assert.deepEqual(plain, message);
      assert.equal(plain.buffer, buffer.buffer);
      assert.equal(receiver.nonce, n + 1n);
    }
    // The allocating and the into calls share one counter sequence.
    const next = await sender.encrypt(PLAIN);
    assert.deepEqual(next, reference[cipher](KEY, 4n, PLAIN));
    const output = new Uint8Array(PLAIN.length);
    assert.deepEqual(await receiver.decryptInto(next, output), PLAIN);
    assert.equal(receiver.nonce, 5n);
  });
}

Deno.test("NoiseCipherState: a failed decryptInto gives its counter back and leaves the output alone", async () => {
  const sender = new NoiseCipherState(KEY);
  const receiver = new NoiseCipherState(KEY);
  const r0 = await sender.encrypt(PLAIN);
  const r1 = await sender.encrypt(PLAIN);
  const output = new Uint8Array(PLAIN.length).fill(0x33);
  await assert.rejects(receiver.decryptInto(r1, output), {
    name: "AuthenticationError",
    message: "Cannot open record: authentication failed",
  });
  await assert.rejects(
    receiver.decryptInto(r0.subarray(0, 10), output),
    AuthenticationError,
  );
  assert.deepEqual(output, new Uint8Array(PLAIN.length).fill(0x33));
  assert.equal(receiver.nonce, 0n);
  assert.deepEqual(await receiver.decryptInto(r0, output), PLAIN);
  assert.deepEqual(await receiver.decryptInto(r1, output), PLAIN);
  assert.equal(receiver.nonce, 2n);
});

Deno.test("NoiseCipherState: a missing or short output never consumes a counter", async () => {
  const state = new NoiseCipherState(KEY);
  await assert.rejects(
    state.encryptInto(PLAIN, "x" as unknown as Uint8Array),
    {
      name: "TypeError",
      message: "Cannot encrypt: output must be a Uint8Array",
    },
  );
  await assert.rejects(
    state.encryptInto(PLAIN, new Uint8Array(PLAIN.length + 15)),
    {
      name: "RangeError",
      message: `Cannot encrypt: output must hold ${
        PLAIN.length + 16
      } bytes, got ${PLAIN.length + 15}`,
    },
  );
  await assert.rejects(
    state.encryptInto("x" as unknown as Uint8Array, new Uint8Array(64)),
    { name: "TypeError", message: "Cannot encrypt: data must be a Uint8Array" },
  );
  await assert.rejects(
    state.decryptInto(new Uint8Array(30), undefined as unknown as Uint8Array),
    {
      name: "TypeError",
      message: "Cannot decrypt: output must be a Uint8Array",
    },
  );
  await assert.rejects(
    state.decryptInto(new Uint8Array(30), new Uint8Array(13)),
    {
      name: "RangeError",
      message: "Cannot decrypt: output must hold 14 bytes, got 13",
    },
  );
  assert.equal(state.nonce, 0n);
  state.destroy();
  await assert.rejects(state.encryptInto(PLAIN, new Uint8Array(64)), {
    name: "TypeError",
    message: "Cannot encrypt: cipher state is destroyed",
  });
  await assert.rejects(
    state.decryptInto(new Uint8Array(30), new Uint8Array(64)),
    {
      name: "TypeError",
      message: "Cannot decrypt: cipher state is destroyed",
    },
  );
});
