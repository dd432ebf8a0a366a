// Copyright 2026 the moonwire authors. MIT license.
// The Noise prologue of a CryptoNet handshake: both ends bind the protocol
// label, the pattern, the server name and the session id into the
// handshake hash, so none of them can be changed in transit.
import type { HandshakePattern } from "./_packet.ts";

const PROLOGUE_LABEL = new TextEncoder().encode("moonwire cryptonet v1");

export function prologue(
  name: string,
  sessionId: Uint8Array,
  pattern: HandshakePattern,
): Uint8Array<ArrayBuffer> {
  const n = new TextEncoder().encode(name);
  const out = new Uint8Array(PROLOGUE_LABEL.length + 2 + n.length + 16);
  out.set(PROLOGUE_LABEL, 0);
  let at = PROLOGUE_LABEL.length;
  out[at++] = pattern;
  out[at++] = n.length;
  out.set(n, at);
  out.set(sessionId, at + n.length);
  return out;
}
