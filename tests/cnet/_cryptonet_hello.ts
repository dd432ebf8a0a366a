// Copyright 2026 the moonwire authors. MIT license.
// A HELLO from a rogue client that never finishes: a genuine first Noise NK
// message for a fresh session id, so the server answers and keeps a
// half-open session until its handshake timeout.
import type { CryptoNet, Modem } from "../../cnet/mod.ts";
import { encodeHello } from "../../cnet/cryptonet/_packet.ts";
import { NoiseHandshake } from "../../crypto/mod.ts";

const LABEL = new TextEncoder().encode("moonwire cryptonet v1");

/** Sends one NK HELLO to `server` from `modem`, replies to channel 4321. */
export async function sendRogueHello(
  modem: Modem,
  server: CryptoNet.Server,
): Promise<void> {
  const name = new TextEncoder().encode(server.name);
  const sessionId = crypto.getRandomValues(new Uint8Array(16));
  const handshake = new NoiseHandshake("Noise_NK_25519_ChaChaPoly_SHA256", {
    initiator: true,
    prologue: new Uint8Array([
      ...LABEL,
      1,
      name.length,
      ...name,
      ...sessionId,
    ]),
    remoteStaticPublicKey: server.certificate.publicKey,
  });
  modem.transmit(
    server.channel,
    4321,
    encodeHello(sessionId, 1, server.name, await handshake.writeMessage()),
  );
}

/**
 * Sends one NX HELLO whose "ephemeral key" is 32 random bytes (no key work
 * for the sender) to `server` from `modem`; answers go to `replyChannel`.
 */
export function sendRandomHello(
  modem: Modem,
  server: CryptoNet.Server,
  replyChannel = 4321,
): void {
  modem.transmit(
    server.channel,
    replyChannel,
    encodeHello(
      crypto.getRandomValues(new Uint8Array(16)),
      2,
      server.name,
      crypto.getRandomValues(new Uint8Array(32)),
    ),
  );
}
