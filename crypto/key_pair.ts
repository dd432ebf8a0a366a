// Copyright 2026 the moonwire authors. MIT license.
/**
 * X25519 (key agreement) and Ed25519 (signing) key pairs.
 *
 * @module
 */

import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import type { KeyAlgorithm } from "./key_file.ts";

/** A public/private key pair; both keys are 32 bytes. */
export interface KeyPair {
  /** The 32-byte public key. */
  publicKey: Uint8Array<ArrayBuffer>;
  /**
   * The 32-byte private key: the X25519 scalar, or the Ed25519 seed.
   * Keep it secret.
   */
  privateKey: Uint8Array<ArrayBuffer>;
}

function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(bytes);
}

/**
 * Generates a random X25519 key pair, as used for Noise static and
 * ephemeral keys and certificate public keys.
 *
 * @example Generate a pair
 * ```ts
 * import { generateX25519KeyPair } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const { publicKey, privateKey } = generateX25519KeyPair();
 * assert.equal(publicKey.length, 32);
 * assert.equal(privateKey.length, 32);
 * ```
 *
 * @returns A fresh key pair from the system's secure random source.
 */
export function generateX25519KeyPair(): KeyPair {
  const { secretKey, publicKey } = x25519.keygen();
  return { publicKey: copy(publicKey), privateKey: copy(secretKey) };
}

/**
 * Generates a random Ed25519 signing key pair, as used for certificate
 * authorities. The private key is the 32-byte seed.
 *
 * @example Generate a pair
 * ```ts
 * import { generateEd25519KeyPair } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const { publicKey, privateKey } = generateEd25519KeyPair();
 * assert.equal(publicKey.length, 32);
 * assert.equal(privateKey.length, 32);
 * ```
 *
 * @returns A fresh key pair from the system's secure random source.
 */
export function generateEd25519KeyPair(): KeyPair {
  const { secretKey, publicKey } = ed25519.keygen();
  return { publicKey: copy(publicKey), privateKey: copy(secretKey) };
}

/**
 * Rebuilds a key pair from its 32-byte private key, for example after
 * loading the private key from a file.
 *
 * @example Recover the public key
 * ```ts
 * import { generateX25519KeyPair, keyPairFromPrivateKey } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const pair = generateX25519KeyPair();
 * assert.deepEqual(keyPairFromPrivateKey("x25519", pair.privateKey), pair);
 * ```
 *
 * @param algorithm `"x25519"` or `"ed25519"`.
 * @param privateKey The 32-byte private key (X25519 scalar or Ed25519 seed).
 * @returns The pair, with a copy of the private key.
 * @throws {TypeError} If the algorithm is unknown or the key is not a
 * `Uint8Array`.
 * @throws {RangeError} If the key is not 32 bytes.
 */
export function keyPairFromPrivateKey(
  algorithm: KeyAlgorithm,
  privateKey: Uint8Array,
): KeyPair {
  if (algorithm !== "x25519" && algorithm !== "ed25519") {
    throw new TypeError(
      `Cannot derive key pair: unknown algorithm ${JSON.stringify(algorithm)}`,
    );
  }
  if (!(privateKey instanceof Uint8Array)) {
    throw new TypeError(
      "Cannot derive key pair: private key must be a Uint8Array",
    );
  }
  if (privateKey.length !== 32) {
    throw new RangeError(
      `Cannot derive key pair: private key must be 32 bytes, got ${privateKey.length}`,
    );
  }
  const curve = algorithm === "x25519" ? x25519 : ed25519;
  return {
    publicKey: copy(curve.getPublicKey(privateKey)),
    privateKey: copy(privateKey),
  };
}
