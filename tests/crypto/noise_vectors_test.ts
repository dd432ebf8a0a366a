// Copyright 2026 the moonwire authors. MIT license.
// Every 25519 vector of cacophony.json: handshake messages, transport
// messages and the handshake hash, byte for byte.
import assert from "node:assert/strict";
import { x25519 } from "@noble/curves/ed25519.js";
import { NoiseHandshake } from "../../crypto/noise_handshake.ts";
import type { NoiseHandshakeOptions } from "../../crypto/noise_handshake.ts";
import type { KeyPair } from "../../crypto/key_pair.ts";
import { parseProtocolName } from "../../crypto/_noise_functions.ts";

interface Vector {
  protocol_name: string;
  init_prologue: string;
  init_psks?: string[];
  init_static?: string;
  init_ephemeral: string;
  init_remote_static?: string;
  resp_prologue: string;
  resp_psks?: string[];
  resp_static?: string;
  resp_ephemeral?: string;
  resp_remote_static?: string;
  handshake_hash?: string;
  messages: { payload: string; ciphertext: string }[];
}

const VECTORS_URL = new URL(
  "../../../shared/vectors/noise/cacophony.json",
  import.meta.url,
);

function loadVectors(): Vector[] | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(VECTORS_URL)).vectors;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

const vectors = loadVectors();
if (vectors === undefined) {
  console.log(
    `noise vectors: ${VECTORS_URL.pathname} not found; vector test ignored`,
  );
}

function hex(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.fromHex(text);
}

function keyPair(privateHex: string): KeyPair {
  const privateKey = hex(privateHex);
  return {
    privateKey,
    publicKey: Uint8Array.from(x25519.getPublicKey(privateKey)),
  };
}

function options(vector: Vector, initiator: boolean): NoiseHandshakeOptions {
  const p = initiator ? "init" : "resp";
  const v = vector as unknown as Record<string, string | string[] | undefined>;
  const staticKey = v[`${p}_static`] as string | undefined;
  const remote = v[`${p}_remote_static`] as string | undefined;
  const ephemeral = v[`${p}_ephemeral`] as string | undefined;
  const psks = v[`${p}_psks`] as string[] | undefined;
  return {
    initiator,
    prologue: hex(v[`${p}_prologue`] as string),
    staticKeyPair: staticKey === undefined ? undefined : keyPair(staticKey),
    remoteStaticPublicKey: remote === undefined ? undefined : hex(remote),
    ephemeralKeyPair: ephemeral === undefined ? undefined : keyPair(ephemeral),
    psks: psks?.map(hex),
  };
}

async function runVector(vector: Vector): Promise<void> {
  const { pattern } = parseProtocolName(vector.protocol_name);
  const init = new NoiseHandshake(vector.protocol_name, options(vector, true));
  const resp = new NoiseHandshake(vector.protocol_name, options(vector, false));
  const handshakeCount = pattern.messages.length;
  let i = 0;
  for (; i < handshakeCount; i++) {
    const { payload, ciphertext } = vector.messages[i];
    const [writer, reader] = i % 2 === 0 ? [init, resp] : [resp, init];
    const message = await writer.writeMessage(hex(payload));
    assert.equal(message.toHex(), ciphertext, `handshake message ${i}`);
    assert.equal((await reader.readMessage(message)).toHex(), payload);
  }
  assert.ok(init.isComplete && resp.isComplete);
  if (vector.handshake_hash !== undefined) {
    assert.equal((init.getHandshakeHash()).toHex(), vector.handshake_hash);
    assert.equal((resp.getHandshakeHash()).toHex(), vector.handshake_hash);
  }
  const a = init.split();
  const b = resp.split();
  for (; i < vector.messages.length; i++) {
    const { payload, ciphertext } = vector.messages[i];
    // One-way patterns only carry initiator → responder traffic.
    const fromInitiator = pattern.oneWay || i % 2 === 0;
    const [sender, receiver] = fromInitiator ? [a, b] : [b, a];
    const message = await sender.send.encrypt(hex(payload));
    assert.equal(message.toHex(), ciphertext, `transport message ${i}`);
    assert.equal((await receiver.receive.decrypt(message)).toHex(), payload);
  }
}

Deno.test({
  name: "Noise: every 25519 cacophony vector passes byte for byte",
  ignore: vectors === undefined,
  async fn() {
    const selected = vectors!.filter((v) =>
      v.protocol_name.split("_")[2] === "25519"
    );
    let ran = 0;
    const failures: string[] = [];
    for (const vector of selected) {
      ran++;
      try {
        await runVector(vector);
      } catch (error) {
        failures.push(`${vector.protocol_name}: ${(error as Error).message}`);
      }
    }
    console.log(
      `noise vectors: ran ${ran} of ${selected.length} 25519 vectors (${
        vectors!.length
      } in file), ${ran - failures.length} passed`,
    );
    assert.deepEqual(failures, []);
    assert.equal(ran, selected.length);
    assert.ok(ran > 0);
  },
});
