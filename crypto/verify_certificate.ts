// Copyright 2026 the moonwire authors. MIT license.
/**
 * Verifying certificates against a certificate authority key.
 *
 * @module
 */

import { ed25519 } from "@noble/curves/ed25519.js";
import { certificateMessage, checkCertificate } from "./_certificate.ts";
import {
  rememberVerified,
  verificationKey,
  wasVerified,
} from "./_verified_certificates.ts";
import type { Certificate } from "./certificate.ts";

/**
 * Checks that a certificate carries a valid signature by the CA with the
 * given Ed25519 public key. Returns `false`, never throws, for anything
 * else: no signature, a malformed signature or certificate, another CA, or
 * a modified name or key. Verification is strict RFC 8032 (non-canonical
 * encodings are refused). A success is remembered for the exact bytes
 * checked (CA key, name, public key, version, signature), so checking the
 * same certificate again, e.g. on every connect, is cheap; failures are
 * never remembered.
 *
 * @example Reject a tampered certificate
 * ```ts
 * import {
 *   createCertificateAuthority,
 *   generateCertificate,
 *   signCertificate,
 *   verifyCertificate,
 * } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const ca = createCertificateAuthority();
 * const signed = signCertificate(generateCertificate("bank").certificate, ca.privateKey);
 * assert.equal(verifyCertificate(signed, ca.publicKey), true);
 * assert.equal(verifyCertificate({ ...signed, name: "bank2" }, ca.publicKey), false);
 * assert.equal(verifyCertificate(signed, createCertificateAuthority().publicKey), false);
 * ```
 *
 * @param certificate The certificate to check.
 * @param caPublicKey The trusted CA's 32-byte Ed25519 public key.
 * @returns `true` only for a well-formed certificate signed by that CA.
 */
export function verifyCertificate(
  certificate: Certificate,
  caPublicKey: Uint8Array,
): boolean {
  try {
    const nameBytes = checkCertificate(
      "Cannot verify certificate",
      certificate,
    );
    const { signature } = certificate;
    if (signature === undefined) return false;
    if (!(caPublicKey instanceof Uint8Array) || caPublicKey.length !== 32) {
      return false;
    }
    const message = certificateMessage(certificate, nameBytes);
    const key = verificationKey(caPublicKey, message, signature);
    if (wasVerified(key)) return true;
    const ok = ed25519.verify(signature, message, caPublicKey, {
      zip215: false,
    });
    if (ok) rememberVerified(key);
    return ok;
  } catch {
    // Malformed input of any kind is simply "not verified".
    return false;
  }
}
