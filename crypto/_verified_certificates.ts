// Copyright 2026 the moonwire authors. MIT license.
// Certificates whose signature already verified, so a client that checks
// the same certificate on every connect pays for Ed25519 (about 0.9 ms in
// JS) once. Keyed by every byte verification reads: the CA key, the signed
// message (label, version, name, public key) and the signature; a
// certificate changed in any field, or another CA key, is a different key
// and is verified again. Only successes are kept: a failure is never
// remembered, so nothing can be cached into "verified" without a valid
// signature. Bounded, least recently used first out.

const verified = new Set<string>();

/** Entries kept; a client rarely checks more certificates than this. */
export const MAX_VERIFIED_CERTIFICATES = 1024;

/** The cache key for one verification. */
export function verificationKey(
  caPublicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): string {
  // Fixed-length CA key and signature around the message: unambiguous.
  return `${caPublicKey.toHex()}${signature.toHex()}${message.toHex()}`;
}

/** Whether `key` verified before (and marks it recently used). */
export function wasVerified(key: string): boolean {
  if (!verified.delete(key)) return false;
  verified.add(key);
  return true;
}

/** Remembers a successful verification. */
export function rememberVerified(key: string): void {
  verified.delete(key);
  if (verified.size >= MAX_VERIFIED_CERTIFICATES) {
    verified.delete(verified.values().next().value!);
  }
  verified.add(key);
}
