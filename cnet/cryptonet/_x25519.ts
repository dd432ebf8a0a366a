// Copyright 2026 the moonwire authors. MIT license.
// A fresh X25519 key pair from the runtime's native crypto (several times
// faster than the pure-JS generator), for handshake ephemerals: taken from
// the pool made ahead of time (each pair is handed out once). The pair is
// already loaded for the Noise handshake, so using it as the handshake's
// ephemeral key costs no second import.
import type { KeyPair } from "../../crypto/mod.ts";
import { generateDhKeyPair } from "../../crypto/_noise_functions.ts";
import { takeEphemeralKey } from "../../crypto/_ephemeral_pool.ts";

export function ephemeralKeyPair(): KeyPair {
  return generateDhKeyPair(takeEphemeralKey());
}
