// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  NoiseHandshake,
  type NoiseHandshakeOptions,
  type NoiseTransport,
} from "../../crypto/noise_handshake.ts";
import { AuthenticationError, HandshakeError } from "../../crypto/errors.ts";
import { generateX25519KeyPair } from "../../crypto/key_pair.ts";
import { noiseCipherKeyForTesting } from "../../crypto/_noise_cipher_access.ts";

const NK = "Noise_NK_25519_ChaChaPoly_SHA256";
const NX = "Noise_NX_25519_ChaChaPoly_SHA256";
const NNPSK0 = "Noise_NNpsk0_25519_AESGCM_SHA256";
const NN = "Noise_NN_25519_ChaChaPoly_SHA256";
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

// A low-order point of Curve25519 (order 8): DH with it is all zeros.
const LOW_ORDER = Uint8Array.fromHex(
  "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
);

function pair(
  name: string,
  initiator: Omit<NoiseHandshakeOptions, "initiator">,
  responder: Omit<NoiseHandshakeOptions, "initiator">,
): [NoiseHandshake, NoiseHandshake] {
  return [
    new NoiseHandshake(name, { ...initiator, initiator: true }),
    new NoiseHandshake(name, { ...responder, initiator: false }),
  ];
}

async function talk(a: NoiseTransport, b: NoiseTransport): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const ping = await a.send.encrypt(text(`ping ${round}`));
    assert.equal(str(await b.receive.decrypt(ping)), `ping ${round}`);
    const pong = await b.send.encrypt(text(`pong ${round}`));
    assert.equal(str(await a.receive.decrypt(pong)), `pong ${round}`);
  }
}

async function session(
  init: NoiseHandshake,
  resp: NoiseHandshake,
): Promise<[NoiseTransport, NoiseTransport]> {
  const a = init.split();
  const b = resp.split();
  assert.deepEqual(a.handshakeHash, b.handshakeHash);
  await talk(a, b);
  // Rekey every direction on both ends at the same point and keep talking.
  a.send.rekey();
  b.receive.rekey();
  a.receive.rekey();
  b.send.rekey();
  await talk(a, b);
  assert.equal(a.send.nonce, 6n);
  assert.equal(b.receive.nonce, 6n);
  return [a, b];
}

Deno.test("Noise NK: handshake, transport both ways, rekey", async () => {
  const server = generateX25519KeyPair();
  const [init, resp] = pair(NK, { remoteStaticPublicKey: server.publicKey }, {
    staticKeyPair: server,
  });
  assert.equal(init.protocolName, NK);
  assert.ok(init.isMyTurn && !resp.isMyTurn);
  const m1 = await init.writeMessage(text("hello"));
  assert.equal(m1.length, 32 + 5 + 16);
  assert.equal(str(await resp.readMessage(m1)), "hello");
  assert.ok(resp.isMyTurn && !init.isMyTurn);
  const m2 = await resp.writeMessage(text("welcome"));
  assert.equal(m2.length, 32 + 7 + 16);
  assert.equal(str(await init.readMessage(m2)), "welcome");
  assert.ok(init.isComplete && resp.isComplete);
  assert.ok(!init.isMyTurn && !resp.isMyTurn);
  assert.deepEqual(init.remoteStaticPublicKey, server.publicKey);
  assert.equal(resp.remoteStaticPublicKey, undefined);
  await session(init, resp);
});

Deno.test("Noise split: both directions share one key buffer; each rekeys and zeroes only its own key", async () => {
  const psk = crypto.getRandomValues(new Uint8Array(32));
  const [init, resp] = pair(NNPSK0, { psks: [psk] }, { psks: [psk] });
  await resp.readMessage(await init.writeMessage());
  await init.readMessage(await resp.writeMessage());
  const a = init.split();
  const b = resp.split();
  const sendKey = noiseCipherKeyForTesting(a.send);
  const receiveKey = noiseCipherKeyForTesting(a.receive);
  assert.equal(sendKey.buffer, receiveKey.buffer);
  assert.equal(sendKey.buffer.byteLength, 64);
  assert.notDeepEqual(sendKey, receiveKey);
  assert.deepEqual(sendKey, noiseCipherKeyForTesting(b.receive));
  assert.deepEqual(receiveKey, noiseCipherKeyForTesting(b.send));
  // Large AES-GCM records (Web Crypto) and small ones (node:crypto).
  const big = new Uint8Array(6000).fill(7);
  a.send.rekey();
  b.receive.rekey();
  assert.deepEqual(noiseCipherKeyForTesting(b.send), receiveKey);
  for (const data of [big, text("small")]) {
    assert.deepEqual(await b.receive.decrypt(await a.send.encrypt(data)), data);
    assert.deepEqual(await a.receive.decrypt(await b.send.encrypt(data)), data);
  }
  const kept = receiveKey.slice();
  a.send.destroy();
  assert.deepEqual(sendKey, new Uint8Array(32));
  assert.deepEqual(receiveKey, kept);
  assert.deepEqual(await a.receive.decrypt(await b.send.encrypt(big)), big);
  a.receive.destroy();
  assert.deepEqual(new Uint8Array(sendKey.buffer), new Uint8Array(64));
});

Deno.test("Noise NX: the responder's static key and payload arrive in message 2", async () => {
  const server = generateX25519KeyPair();
  const [init, resp] = pair(NX, {}, { staticKeyPair: server });
  assert.equal(init.remoteStaticPublicKey, undefined);
  await resp.readMessage(await init.writeMessage());
  const certificate = text("server certificate bytes");
  const m2 = await resp.writeMessage(certificate);
  // e + encrypted s + encrypted payload.
  assert.equal(m2.length, 32 + 32 + 16 + certificate.length + 16);
  assert.deepEqual(await init.readMessage(m2), certificate);
  assert.deepEqual(init.remoteStaticPublicKey, server.publicKey);
  await session(init, resp);
});

Deno.test("Noise NNpsk0 (AESGCM): shared key session; a wrong PSK fails", async () => {
  const psk = crypto.getRandomValues(new Uint8Array(32));
  const [init, resp] = pair(NNPSK0, { psks: [psk] }, { psks: [psk] });
  await resp.readMessage(await init.writeMessage(text("a")));
  await init.readMessage(await resp.writeMessage(text("b")));
  await session(init, resp);

  const [bad, other] = pair(NNPSK0, { psks: [new Uint8Array(32)] }, {
    psks: [psk],
  });
  const m1 = await bad.writeMessage();
  await assert.rejects(other.readMessage(m1), (error: Error) => {
    assert.equal(error.name, "HandshakeError");
    assert.equal(
      error.message,
      "Cannot read handshake message: authentication failed",
    );
    assert.ok(error.cause instanceof AuthenticationError);
    return true;
  });
});

Deno.test("Noise NK: a wrong server key fails at the responder", async () => {
  const server = generateX25519KeyPair();
  const [init, resp] = pair(NK, {
    remoteStaticPublicKey: generateX25519KeyPair().publicKey,
  }, { staticKeyPair: server });
  await assert.rejects(resp.readMessage(await init.writeMessage()), {
    name: "HandshakeError",
    message: "Cannot read handshake message: authentication failed",
  });
});

Deno.test("Noise one-way N: only initiator-to-responder traffic", async () => {
  const server = generateX25519KeyPair();
  const name = "Noise_N_25519_ChaChaPoly_SHA256";
  const [init, resp] = pair(name, { remoteStaticPublicKey: server.publicKey }, {
    staticKeyPair: server,
  });
  await resp.readMessage(await init.writeMessage(text("one")));
  assert.ok(init.isComplete && resp.isComplete);
  const a = init.split();
  const b = resp.split();
  const record = await a.send.encrypt(text("two"));
  assert.equal(str(await b.receive.decrypt(record)), "two");
  const message =
    "Cannot encrypt: one-way pattern N only carries initiator-to-responder messages";
  await assert.rejects(b.send.encrypt(text("x")), {
    name: "TypeError",
    message,
  });
  await assert.rejects(a.receive.decrypt(record), {
    name: "TypeError",
    message: message.replace("encrypt", "decrypt"),
  });
  assert.throws(() => b.send.rekey(), { name: "TypeError" });
});

Deno.test("Noise: combined PSK modifiers NNpsk0+psk2", async () => {
  const psks = [
    crypto.getRandomValues(new Uint8Array(32)),
    crypto.getRandomValues(new Uint8Array(32)),
  ];
  const [init, resp] = pair("Noise_NNpsk0+psk2_25519_ChaChaPoly_BLAKE2b", {
    psks,
  }, { psks });
  await resp.readMessage(await init.writeMessage());
  await init.readMessage(await resp.writeMessage());
  await talk(init.split(), resp.split());

  const [bad, other] = pair("Noise_NNpsk0+psk2_25519_ChaChaPoly_BLAKE2b", {
    psks: [psks[0], new Uint8Array(32)],
  }, { psks });
  await other.readMessage(await bad.writeMessage());
  await assert.rejects(bad.readMessage(await other.writeMessage()), {
    name: "HandshakeError",
    message: "Cannot read handshake message: authentication failed",
  });
});

Deno.test("Noise: prologue mismatch fails", async () => {
  const [init, resp] = pair(NNPSK0, {
    psks: [new Uint8Array(32)],
    prologue: text("v1"),
  }, { psks: [new Uint8Array(32)], prologue: text("v2") });
  await assert.rejects(resp.readMessage(await init.writeMessage()), {
    name: "HandshakeError",
    message: "Cannot read handshake message: authentication failed",
  });
});

// ---------------------------------------------------------------- negative

Deno.test("Noise negative: short messages", async () => {
  const [nn] = pair(NN, {}, {});
  const nnResp = new NoiseHandshake(NN, { initiator: false });
  await assert.rejects(nnResp.readMessage(new Uint8Array(5)), {
    name: "HandshakeError",
    message: "Cannot read handshake message: length 5 is below the minimum 32",
  });
  const server = generateX25519KeyPair();
  const [init, resp] = pair(NK, { remoteStaticPublicKey: server.publicKey }, {
    staticKeyPair: server,
  });
  const m1 = await init.writeMessage();
  await assert.rejects(resp.readMessage(m1.subarray(0, 47)), {
    name: "HandshakeError",
    message: "Cannot read handshake message: length 47 is below the minimum 48",
  });
  await assert.rejects(resp.readMessage(new Uint8Array(0)), {
    name: "HandshakeError",
    message: "Cannot read handshake message: length 0 is below the minimum 48",
  });
  // The failures changed nothing: the real message still works.
  await resp.readMessage(m1);
  await init.readMessage(await resp.writeMessage());
  assert.ok(nn.isMyTurn);
});

Deno.test("Noise negative: bad tags are HandshakeError with AuthenticationError cause", async () => {
  const server = generateX25519KeyPair();
  const [init, resp] = pair(NX, {}, { staticKeyPair: server });
  await resp.readMessage(await init.writeMessage());
  const m2 = await resp.writeMessage(text("payload"));
  for (const index of [0, 40, 70, m2.length - 1]) {
    const bad = m2.slice();
    bad[index] ^= 0x01;
    await assert.rejects(init.readMessage(bad), (error: Error) => {
      assert.ok(error instanceof HandshakeError);
      // A changed ephemeral key (index 0) changes every derived key.
      assert.equal(
        error.message,
        "Cannot read handshake message: authentication failed",
      );
      assert.ok(error.cause instanceof AuthenticationError);
      return true;
    });
    assert.equal(init.remoteStaticPublicKey, undefined);
  }
  await assert.rejects(init.readMessage(m2.subarray(0, m2.length - 1)), {
    name: "HandshakeError",
    message: "Cannot read handshake message: authentication failed",
  });
  assert.equal(str(await init.readMessage(m2)), "payload");
});

Deno.test("Noise negative: wrong state", async () => {
  const server = generateX25519KeyPair();
  const [init, resp] = pair(NK, { remoteStaticPublicKey: server.publicKey }, {
    staticKeyPair: server,
  });
  await assert.rejects(init.readMessage(new Uint8Array(48)), {
    name: "HandshakeError",
    message: "Cannot read handshake message: it is our turn to write",
  });
  await assert.rejects(resp.writeMessage(), {
    name: "HandshakeError",
    message: "Cannot write handshake message: it is the peer's turn to write",
  });
  assert.throws(() => init.split(), {
    name: "HandshakeError",
    message: "Cannot split handshake: handshake is not complete",
  });
  // Two writes at once: the second is refused, the first goes through.
  const first = init.writeMessage();
  await assert.rejects(init.writeMessage(), {
    name: "HandshakeError",
    message:
      "Cannot write handshake message: another handshake message is being processed",
  });
  await resp.readMessage(await first);
  await init.readMessage(await resp.writeMessage());
  await assert.rejects(init.writeMessage(), {
    name: "HandshakeError",
    message: "Cannot write handshake message: handshake is complete",
  });
  await assert.rejects(resp.readMessage(new Uint8Array(48)), {
    name: "HandshakeError",
    message: "Cannot read handshake message: handshake is complete",
  });
  init.split();
  assert.throws(() => init.split(), {
    name: "HandshakeError",
    message: "Cannot split handshake: already split",
  });
});

Deno.test("Noise negative: oversized payloads and messages", async () => {
  const server = generateX25519KeyPair();
  const [init, resp] = pair(NK, { remoteStaticPublicKey: server.publicKey }, {
    staticKeyPair: server,
  });
  await assert.rejects(init.writeMessage(new Uint8Array(65536)), {
    name: "HandshakeError",
    message:
      "Cannot write handshake message: payload of 65536 bytes exceeds limit 65535",
  });
  await assert.rejects(init.writeMessage(new Uint8Array(65500)), {
    name: "HandshakeError",
    message: "Cannot write handshake message: length 65548 exceeds limit 65535",
  });
  await assert.rejects(resp.readMessage(new Uint8Array(65536)), {
    name: "HandshakeError",
    message: "Cannot read handshake message: length 65536 exceeds limit 65535",
  });
  // The largest payload that fits still works.
  const m1 = await init.writeMessage(new Uint8Array(65535 - 48));
  assert.equal(m1.length, 65535);
  assert.equal((await resp.readMessage(m1)).length, 65535 - 48);

  const small = new NoiseHandshake(NN, { initiator: true, maxMessageSize: 40 });
  await assert.rejects(small.writeMessage(new Uint8Array(9)), {
    name: "HandshakeError",
    message: "Cannot write handshake message: length 41 exceeds limit 40",
  });
  assert.equal((await small.writeMessage(new Uint8Array(8))).length, 40);
});

Deno.test("Noise negative: invalid public keys (all-zero DH output)", async () => {
  for (const bad of [new Uint8Array(32), LOW_ORDER]) {
    // Responder receives a bad ephemeral key; its `ee` fails on write.
    const resp = new NoiseHandshake(NN, { initiator: false });
    await resp.readMessage(bad);
    await assert.rejects(resp.writeMessage(), {
      name: "HandshakeError",
      message:
        "Cannot write handshake message: invalid public key (DH output is all zeros)",
    });
    // Initiator receives a bad ephemeral key; its `ee` fails on read.
    const init = new NoiseHandshake(NN, { initiator: true });
    await init.writeMessage();
    const m2 = new Uint8Array(48);
    m2.set(bad);
    await assert.rejects(init.readMessage(m2), {
      name: "HandshakeError",
      message:
        "Cannot read handshake message: invalid public key (DH output is all zeros)",
    });
    // NK initiator given a bad server key fails on its first write.
    const nk = new NoiseHandshake(NK, {
      initiator: true,
      remoteStaticPublicKey: bad,
    });
    await assert.rejects(nk.writeMessage(), {
      name: "HandshakeError",
      message:
        "Cannot write handshake message: invalid public key (DH output is all zeros)",
    });
    assert.ok(nk.isMyTurn);
  }
});

Deno.test("Noise negative: constructor options", () => {
  const server = generateX25519KeyPair();
  const create = (name: string, options: NoiseHandshakeOptions) => () =>
    new NoiseHandshake(name, options);
  assert.throws(create(NK, { initiator: true }), {
    name: "TypeError",
    message:
      "Cannot create Noise handshake: NK initiator requires remoteStaticPublicKey",
  });
  assert.throws(create(NK, { initiator: false }), {
    name: "TypeError",
    message:
      "Cannot create Noise handshake: NK responder requires staticKeyPair",
  });
  assert.throws(
    create(NX, { initiator: true, remoteStaticPublicKey: server.publicKey }),
    {
      name: "TypeError",
      message:
        "Cannot create Noise handshake: NX initiator must not be given remoteStaticPublicKey (the peer sends its static key in the handshake)",
    },
  );
  assert.throws(
    create(NN, { initiator: true, remoteStaticPublicKey: server.publicKey }),
    {
      name: "TypeError",
      message:
        "Cannot create Noise handshake: NN initiator must not be given remoteStaticPublicKey (the peer has no static key)",
    },
  );
  assert.throws(create(NNPSK0, { initiator: true }), {
    name: "TypeError",
    message: "Cannot create Noise handshake: NNpsk0 needs 1 PSK, got 0",
  });
  assert.throws(create(NN, { initiator: true, psks: [new Uint8Array(32)] }), {
    name: "TypeError",
    message: "Cannot create Noise handshake: NN needs 0 PSKs, got 1",
  });
  assert.throws(
    create(NNPSK0, { initiator: true, psks: [new Uint8Array(16)] }),
    {
      name: "RangeError",
      message: "Cannot create Noise handshake: PSK 0 must be 32 bytes, got 16",
    },
  );
  assert.throws(
    create(NK, { initiator: true, remoteStaticPublicKey: new Uint8Array(31) }),
    {
      name: "RangeError",
      message:
        "Cannot create Noise handshake: remoteStaticPublicKey must be 32 bytes, got 31",
    },
  );
  assert.throws(
    create(NK, {
      initiator: false,
      staticKeyPair: {
        publicKey: new Uint8Array(32),
        privateKey: new Uint8Array(16),
      },
    }),
    {
      name: "RangeError",
      message:
        "Cannot create Noise handshake: staticKeyPair keys must be 32 bytes, got 32 and 16",
    },
  );
  for (const size of [0, 65536, 1.5]) {
    assert.throws(create(NN, { initiator: true, maxMessageSize: size }), {
      name: "RangeError",
      message:
        `Cannot create Noise handshake: maxMessageSize must be an integer from 1 to 65535, got ${size}`,
    });
  }
  assert.throws(
    create(NN, { initiator: "yes" as unknown as boolean }),
    {
      name: "TypeError",
      message:
        "Cannot create Noise handshake: options.initiator must be a boolean",
    },
  );
  assert.throws(
    create(NN, { initiator: true, prologue: "x" as unknown as Uint8Array }),
    {
      name: "TypeError",
      message: "Cannot create Noise handshake: prologue must be a Uint8Array",
    },
  );
});

Deno.test("Noise negative: unknown protocol names name the part", () => {
  const cases: [string, string, string][] = [
    [
      "Noise_NK_25519_ChaChaPoly",
      "SyntaxError",
      'Cannot parse Noise protocol name "Noise_NK_25519_ChaChaPoly": expected Noise_<pattern>_<dh>_<cipher>_<hash>',
    ],
    [
      "Nois_NK_25519_ChaChaPoly_SHA256",
      "SyntaxError",
      'Cannot parse Noise protocol name "Nois_NK_25519_ChaChaPoly_SHA256": expected Noise_<pattern>_<dh>_<cipher>_<hash>',
    ],
    [
      "Noise_ZZ_25519_ChaChaPoly_SHA256",
      "TypeError",
      'Cannot parse Noise protocol name "Noise_ZZ_25519_ChaChaPoly_SHA256": unsupported handshake pattern "ZZ"',
    ],
    [
      "Noise_nk_25519_ChaChaPoly_SHA256",
      "SyntaxError",
      'Cannot parse Noise protocol name "Noise_nk_25519_ChaChaPoly_SHA256": "nk" is not a pattern name',
    ],
    [
      "Noise_NNpsk3_25519_ChaChaPoly_SHA256",
      "TypeError",
      'Cannot parse Noise protocol name "Noise_NNpsk3_25519_ChaChaPoly_SHA256": modifier "psk3" does not fit "NN" with 2 messages',
    ],
    [
      "Noise_XXfallback_25519_ChaChaPoly_SHA256",
      "TypeError",
      'Cannot parse Noise protocol name "Noise_XXfallback_25519_ChaChaPoly_SHA256": unsupported modifier "fallback" in "XXfallback"',
    ],
    [
      "Noise_NNpsk0+psk0_25519_ChaChaPoly_SHA256",
      "TypeError",
      'Cannot parse Noise protocol name "Noise_NNpsk0+psk0_25519_ChaChaPoly_SHA256": modifier "psk0" does not fit "NN" with 2 messages',
    ],
    [
      "Noise_NK_448_ChaChaPoly_SHA256",
      "TypeError",
      'Cannot parse Noise protocol name "Noise_NK_448_ChaChaPoly_SHA256": unsupported DH function "448" (supported: 25519)',
    ],
    [
      "Noise_NK_25519_AES256_SHA256",
      "TypeError",
      'Cannot parse Noise protocol name "Noise_NK_25519_AES256_SHA256": unsupported cipher "AES256" (supported: ChaChaPoly, AESGCM)',
    ],
    [
      "Noise_NK_25519_ChaChaPoly_SHA3",
      "TypeError",
      'Cannot parse Noise protocol name "Noise_NK_25519_ChaChaPoly_SHA3": unsupported hash "SHA3" (supported: SHA256, SHA512, BLAKE2s, BLAKE2b)',
    ],
    [
      "Noise_NK_25519_toString_SHA256",
      "TypeError",
      'Cannot parse Noise protocol name "Noise_NK_25519_toString_SHA256": unsupported cipher "toString" (supported: ChaChaPoly, AESGCM)',
    ],
  ];
  for (const [name, errorName, message] of cases) {
    assert.throws(() => new NoiseHandshake(name, { initiator: true }), {
      name: errorName,
      message,
    }, name);
  }
  assert.throws(
    () => new NoiseHandshake(42 as unknown as string, { initiator: true }),
    {
      name: "TypeError",
      message:
        "Cannot create Noise handshake: protocol name must be a string, got number",
    },
  );
});

Deno.test("Noise negative: non-byte arguments are TypeErrors", async () => {
  const init = new NoiseHandshake(NN, { initiator: true });
  await assert.rejects(init.writeMessage("x" as unknown as Uint8Array), {
    name: "TypeError",
    message: "Cannot write handshake message: payload must be a Uint8Array",
  });
  const resp = new NoiseHandshake(NN, { initiator: false });
  await assert.rejects(resp.readMessage([1, 2] as unknown as Uint8Array), {
    name: "TypeError",
    message: "Cannot read handshake message: message must be a Uint8Array",
  });
});

// ------------------------------------------------------------ random input

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("Noise: seeded random handshake messages are only HandshakeError", async () => {
  const random = mulberry32(0x5eed);
  const bytes = (length: number) =>
    Uint8Array.from({ length }, () => Math.floor(random() * 256));
  const server = generateX25519KeyPair();
  const client = generateX25519KeyPair();
  const psk = bytes(32);
  const setups: [string, () => [NoiseHandshake, NoiseHandshake]][] = [
    [NK, () =>
      pair(NK, { remoteStaticPublicKey: server.publicKey }, {
        staticKeyPair: server,
      })],
    [NX, () => pair(NX, {}, { staticKeyPair: server })],
    [NNPSK0, () => pair(NNPSK0, { psks: [psk] }, { psks: [psk] })],
    [
      "Noise_XX_25519_AESGCM_BLAKE2s",
      () =>
        pair("Noise_XX_25519_AESGCM_BLAKE2s", { staticKeyPair: client }, {
          staticKeyPair: server,
        }),
    ],
  ];
  let cases = 0;
  let accepted = 0;
  // A pair advanced to `step`, with the genuine message of that step.
  const advance = async (
    setup: () => [NoiseHandshake, NoiseHandshake],
    step: number,
  ) => {
    const [init, resp] = setup();
    for (let i = 0;; i++) {
      const [writer, reader] = i % 2 === 0 ? [init, resp] : [resp, init];
      const message = await writer.writeMessage(bytes(i * 7));
      if (i === step) return { reader, message };
      await reader.readMessage(message);
    }
  };
  for (const [, setup] of setups) {
    const [probe] = setup();
    let steps = 0;
    for (const other = setup()[1]; !probe.isComplete; steps++) {
      const [w, r] = steps % 2 === 0 ? [probe, other] : [other, probe];
      await r.readMessage(await w.writeMessage());
    }
    for (let step = 0; step < steps; step++) {
      let { reader, message } = await advance(setup, step);
      for (let i = 0; i < 500; i++) {
        const r = random();
        let input: Uint8Array;
        if (r < 0.3) input = bytes(Math.floor(random() * 200));
        else if (r < 0.6) {
          // Right length, random content.
          input = bytes(message.length);
        } else {
          // The genuine message with a few bytes changed, sometimes cut.
          input = message.slice(0, message.length - (r < 0.7 ? 1 : 0));
          const flips = 1 + Math.floor(random() * 3);
          for (let f = 0; f < flips && input.length > 0; f++) {
            input[Math.floor(random() * input.length)] ^= 1 +
              Math.floor(random() * 255);
          }
        }
        cases++;
        try {
          await reader.readMessage(input);
          // Only a message without authentication (a first message that is
          // a bare ephemeral key) can be accepted; start a fresh pair.
          accepted++;
          ({ reader, message } = await advance(setup, step));
        } catch (error) {
          assert.ok(
            error instanceof HandshakeError,
            `expected HandshakeError, got ${error}`,
          );
        }
      }
      // Rejected input changed nothing: the genuine message still works.
      await reader.readMessage(message);
    }
  }
  console.log(`random handshake input: ${cases} cases, ${accepted} accepted`);
  assert.equal(cases, 9 * 500);
});
