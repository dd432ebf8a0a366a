// Copyright 2026 the moonwire authors. MIT license.
// Channel numbers: a server listens on a channel derived from its name, the
// discovery requests go to a reserved channel.
import { sha256 } from "@noble/hashes/sha2.js";

/** Discovery requests are broadcast here; no server channel maps to it. */
export const DISCOVERY_CHANNEL = 65535;

/** First two bytes of SHA-256(UTF-8 name), big-endian, avoiding 65535. */
export function serverChannel(name: string): number {
  const digest = sha256(new TextEncoder().encode(name));
  const channel = (digest[0] << 8) | digest[1];
  return channel === DISCOVERY_CHANNEL ? 65534 : channel;
}

/** A random channel for replies, never the discovery channel. */
export function randomReplyChannel(): number {
  const value = crypto.getRandomValues(new Uint16Array(1))[0];
  return value === DISCOVERY_CHANNEL ? 0 : value;
}
