// Copyright 2026 the moonwire authors. MIT license.
/**
 * Certificates: a name bound to an X25519 public key, optionally signed by
 * a certificate authority.
 *
 * @module
 */

import { checkName } from "./_certificate.ts";
import { generateX25519KeyPair } from "./key_pair.ts";

/**
 * A certificate binds a server name to its X25519 static public key. A
 * certificate authority (CA) signs it with Ed25519 over a domain-separated,
 * length-prefixed encoding of `version`, `name` and `publicKey`.
 */
export interface Certificate {
  /** The format version; always `1`. */
  version: 1;
  /** The server name: non-empty, at most 255 bytes of UTF-8. */
  name: string;
  /** The 32-byte X25519 public key. */
  publicKey: Uint8Array<ArrayBuffer>;
  /** The 64-byte Ed25519 CA signature, absent on unsigned certificates. */
  signature?: Uint8Array<ArrayBuffer>;
}

/** A new certificate with the private key that belongs to it. */
export interface GeneratedCertificate {
  /** The unsigned certificate. */
  certificate: Certificate;
  /** The 32-byte X25519 private key; keep it secret. */
  privateKey: Uint8Array<ArrayBuffer>;
}

/**
 * Generates a fresh X25519 key pair and an unsigned certificate for `name`.
 *
 * @example Generate and sign a server certificate
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
 * const { certificate, privateKey } = generateCertificate("server");
 * assert.equal(certificate.name, "server");
 * assert.equal(privateKey.length, 32);
 * assert.equal(certificate.signature, undefined);
 * const signed = signCertificate(certificate, ca.privateKey);
 * assert.equal(verifyCertificate(signed, ca.publicKey), true);
 * ```
 *
 * @param name The server name: non-empty, at most 255 bytes of UTF-8.
 * @returns The unsigned certificate and its private key.
 * @throws {TypeError} If `name` is not a string or not well-formed Unicode.
 * @throws {RangeError} If `name` is empty or longer than 255 bytes of UTF-8.
 */
export function generateCertificate(name: string): GeneratedCertificate {
  checkName("Cannot generate certificate", name);
  const { publicKey, privateKey } = generateX25519KeyPair();
  return { certificate: { version: 1, name, publicKey }, privateKey };
}
