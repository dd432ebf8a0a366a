// Copyright 2026 the moonwire authors. MIT license.
// Noise handshakes per second (both parties, in memory) and the per-message
// overhead of NoiseCipherState over the raw AEAD.
import { NoiseHandshake } from "../crypto/noise_handshake.ts";
import { NoiseCipherState } from "../crypto/noise_cipher_state.ts";
import { createAead } from "../crypto/aead.ts";
import { generateX25519KeyPair } from "../crypto/key_pair.ts";

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
