// Copyright 2026 the moonwire authors. MIT license.
// Noise handshakes per second (both parties, in memory), the per-message
// overhead of NoiseCipherState over the raw AEAD, and the primitives one
// CryptoNet NK connect cannot avoid.
import { NoiseHandshake } from "../crypto/noise_handshake.ts";
import { NoiseCipherState } from "../crypto/noise_cipher_state.ts";
import { createAead } from "../crypto/aead.ts";
import { generateX25519KeyPair } from "../crypto/key_pair.ts";
import {
  dh,
  dhPublicKey,
  generateDhKey,
  parseProtocolName,
} from "../crypto/_noise_functions.ts";

const server = generateX25519KeyPair();
const NK = "Noise_NK_25519_ChaChaPoly_SHA256";
const NX = "Noise_NX_25519_ChaChaPoly_SHA256";
const NNPSK0 = "Noise_NNpsk0_25519_AESGCM_SHA256";
const certificate = new Uint8Array(120);
const psk = crypto.getRandomValues(new Uint8Array(32));

async function handshake(
  initiator: NoiseHandshake,
  responder: NoiseHandshake,
  responderPayload?: Uint8Array,
): Promise<void> {
  await responder.readMessage(await initiator.writeMessage());
  await initiator.readMessage(await responder.writeMessage(responderPayload));
  initiator.split();
  responder.split();
}

Deno.bench({
  name: "Noise NK handshake (ChaChaPoly, SHA256)",
  group: "handshake",
  baseline: true,
  n: 300,
  warmup: 50,
  async fn() {
    await handshake(
      new NoiseHandshake(NK, {
        initiator: true,
        remoteStaticPublicKey: server.publicKey,
      }),
      new NoiseHandshake(NK, { initiator: false, staticKeyPair: server }),
    );
  },
});

Deno.bench({
  name: "Noise NX handshake (ChaChaPoly, SHA256, 120 B certificate)",
  group: "handshake",
  n: 300,
  warmup: 50,
  async fn() {
    await handshake(
      new NoiseHandshake(NX, { initiator: true }),
      new NoiseHandshake(NX, { initiator: false, staticKeyPair: server }),
      certificate,
    );
  },
});

Deno.bench({
  name: "Noise NNpsk0 handshake (AESGCM, SHA256)",
  group: "handshake",
  n: 300,
  warmup: 50,
  async fn() {
    await handshake(
      new NoiseHandshake(NNPSK0, { initiator: true, psks: [psk] }),
      new NoiseHandshake(NNPSK0, { initiator: false, psks: [psk] }),
    );
  },
});

const key = crypto.getRandomValues(new Uint8Array(32));
const message = new Uint8Array(64);
const nonce = new Uint8Array(12);
const aead = createAead("ChaCha20-Poly1305", key);
const sender = new NoiseCipherState(key);
const receiver = new NoiseCipherState(key);

Deno.bench({
  name: "raw Aead seal+open 64 B (ChaCha20-Poly1305, native)",
  group: "transport 64 B",
  baseline: true,
  n: 20000,
  warmup: 2000,
  async fn() {
    await aead.open(nonce, await aead.seal(nonce, message));
  },
});

Deno.bench({
  name: "NoiseCipherState encrypt+decrypt 64 B (ChaChaPoly)",
  group: "transport 64 B",
  n: 20000,
  warmup: 2000,
  async fn() {
    await receiver.decrypt(await sender.encrypt(message));
  },
});

// The floor of one CryptoNet NK connect: the native primitives both ends
// run, counted per connect (4 DH, 2 keygens, 6 HKDF, 12 MixHash, 8 AEAD
// calls with the first message and the close). Compare the sum with the
// P5 figure before looking for glue to cut.
const protocol = parseProtocolName(NK);
const local = generateDhKey();
const remote = dhPublicKey(generateDhKey().publicKey);
const chainingKey = crypto.getRandomValues(new Uint8Array(32));

Deno.bench({
  name: "X25519 DH (node:crypto), 4 per NK connect",
  group: "NK connect primitives",
  baseline: true,
  n: 3000,
  warmup: 300,
  fn() {
    dh(local, remote);
  },
});

Deno.bench({
  name: "X25519 keygen + raw public key (node:crypto), 2 per NK connect",
  group: "NK connect primitives",
  n: 3000,
  warmup: 300,
  fn() {
    generateDhKey();
  },
});

Deno.bench({
  name: "Noise HKDF, 2 outputs (SHA256), 6 per NK connect",
  group: "NK connect primitives",
  n: 10000,
  warmup: 1000,
  fn() {
    protocol.hash.hkdf(chainingKey, key, 2);
  },
});

Deno.bench({
  name: "Noise MixHash 32 B (SHA256), 12 per NK connect",
  group: "NK connect primitives",
  n: 10000,
  warmup: 1000,
  fn() {
    protocol.hash.hashTwo(chainingKey, key);
  },
});
