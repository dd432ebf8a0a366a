// Copyright 2026 the moonwire authors. MIT license.
/**
 * Signing certificates with a certificate authority key.
 *
 * @module
 */

import { ed25519 } from "@noble/curves/ed25519.js";
import { certificateMessage, checkCertificate } from "./_certificate.ts";
import type { Certificate } from "./certificate.ts";

/**
 * Signs a certificate with a CA's Ed25519 private key. Any existing
 * signature is replaced; the input is not modified.
 *
 * @example Sign and verify
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
 * const { certificate } = generateCertificate("mail");
 * const signed = signCertificate(certificate, ca.privateKey);
 * assert.equal(signed.signature?.length, 64);
 * assert.equal(certificate.signature, undefined);
 * assert.equal(verifyCertificate(signed, ca.publicKey), true);
 * ```
 *
 * @param certificate The certificate to sign.
 * @param caPrivateKey The CA's 32-byte Ed25519 private seed.
 * @returns A new, signed copy of the certificate.
 * @throws {TypeError} If a field or the key has the wrong type.
 * @throws {RangeError} If a field or the key has the wrong length or the
 * version is unsupported.
 */
export function signCertificate(
  certificate: Certificate,
  caPrivateKey: Uint8Array,
): Certificate {
  const context = "Cannot sign certificate";
  const nameBytes = checkCertificate(context, certificate);
  if (!(caPrivateKey instanceof Uint8Array)) {
    throw new TypeError(`${context}: CA private key must be a Uint8Array`);
  }
  if (caPrivateKey.length !== 32) {
    throw new RangeError(
      `${context}: CA private key must be 32 bytes, got ${caPrivateKey.length}`,
    );
  }
  const unsigned: Certificate = {
    version: 1,
    name: certificate.name,
    publicKey: Uint8Array.from(certificate.publicKey),
  };
  const signature = ed25519.sign(
    certificateMessage(unsigned, nameBytes),
    caPrivateKey,
  );
  return { ...unsigned, signature: Uint8Array.from(signature) };
}
