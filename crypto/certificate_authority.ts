// Copyright 2026 the moonwire authors. MIT license.
/**
 * Certificate authorities.
 *
 * @module
 */

import { generateEd25519KeyPair } from "./key_pair.ts";

/**
 * A certificate authority: an Ed25519 key pair. Its public key is what
 * clients trust (CryptoNet's `certAuth.key`); the private key signs
 * certificates (`certAuth_private.key`).
 */
export interface CertificateAuthority {
  /** The 32-byte Ed25519 public key. */
  publicKey: Uint8Array<ArrayBuffer>;
  /** The 32-byte Ed25519 private seed; keep it secret. */
  privateKey: Uint8Array<ArrayBuffer>;
}

/**
 * Creates a new certificate authority with a random Ed25519 key pair.
 *
 * @example Create a CA and store its keys
 * ```ts
 * import { createCertificateAuthority, readKeyFile, writeKeyFile } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const ca = createCertificateAuthority();
 * const dir = await Deno.makeTempDir();
 * await writeKeyFile(`${dir}/certAuth.key`, ca.publicKey, { algorithm: "ed25519", private: false });
 * await writeKeyFile(`${dir}/certAuth_private.key`, ca.privateKey, { algorithm: "ed25519", private: true });
 * assert.deepEqual(
 *   await readKeyFile(`${dir}/certAuth.key`, { algorithm: "ed25519", private: false }),
 *   ca.publicKey,
 * );
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @returns The new authority's key pair.
 */
export function createCertificateAuthority(): CertificateAuthority {
  return generateEd25519KeyPair();
}
