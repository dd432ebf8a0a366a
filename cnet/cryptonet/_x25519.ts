// Copyright 2026 the moonwire authors. MIT license.
// A fresh X25519 key pair from the runtime's native crypto (several times
// faster than the pure-JS generator), for handshake ephemerals.
import { Buffer } from "node:buffer";
import { generateKeyPairSync } from "node:crypto";
import type { KeyPair } from "../../crypto/mod.ts";

export function ephemeralKeyPair(): KeyPair {
  const { privateKey } = generateKeyPairSync("x25519");
  const jwk = privateKey.export({ format: "jwk" });
  return {
    publicKey: Uint8Array.from(Buffer.from(jwk.x!, "base64url")),
    privateKey: Uint8Array.from(Buffer.from(jwk.d!, "base64url")),
  };
}
