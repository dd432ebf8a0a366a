// Copyright 2026 the moonwire authors. MIT license.
// A fresh X25519 key pair from the runtime's native crypto (several times
// faster than the pure-JS generator), for handshake ephemerals.
import { generateKeyPairSync } from "node:crypto";
import type { KeyPair } from "../../crypto/mod.ts";

// DER framing of raw X25519 keys (RFC 8410): SPKI is 12 bytes of header then
// the 32-byte public key, PKCS#8 is 16 bytes of header then the private key.
const SPKI_LENGTH = 44;
const PKCS8_LENGTH = 48;

export function ephemeralKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("x25519", {
    publicKeyEncoding: { type: "spki", format: "der" },
    privateKeyEncoding: { type: "pkcs8", format: "der" },
  });
  if (publicKey.length !== SPKI_LENGTH || privateKey.length !== PKCS8_LENGTH) {
    throw new Error("Cannot generate X25519 key pair: unexpected DER layout");
  }
  const pair = {
    publicKey: Uint8Array.from(publicKey.subarray(12)),
    privateKey: Uint8Array.from(privateKey.subarray(16)),
  };
  privateKey.fill(0);
  return pair;
}
