// Copyright 2026 the moonwire authors. MIT license.
/**
 * Compact binary certificates, for handshake payloads.
 *
 * @module
 */

import {
  checkCertificate,
  MAX_NAME_BYTES,
  PUBLIC_KEY_LENGTH,
  SIGNATURE_LENGTH,
} from "./_certificate.ts";
import type { Certificate } from "./certificate.ts";

// Layout: version (u8 = 1) | name length (u8, 1–255) | name (UTF-8) |
// public key (32) | signature flag (u8: 0 or 1) | signature (64, if flag 1).
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Encodes a certificate in moonwire's compact binary form (at most 354
 * bytes), the inverse of {@linkcode decodeCertificate}.
 *
 * @example Round trip
 * ```ts
 * import { decodeCertificate, encodeCertificate, generateCertificate } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const { certificate } = generateCertificate("server");
 * const bytes = encodeCertificate(certificate);
 * assert.equal(bytes.length, 1 + 1 + 6 + 32 + 1);
 * assert.deepEqual(decodeCertificate(bytes), certificate);
 * ```
 *
 * @param certificate The certificate to encode.
 * @returns The encoded bytes.
 * @throws {TypeError} If a field has the wrong type.
 * @throws {RangeError} If a field has the wrong length or the version is
 * unsupported.
 */
export function encodeCertificate(
  certificate: Certificate,
): Uint8Array<ArrayBuffer> {
  const name = checkCertificate("Cannot encode certificate", certificate);
  const signature = certificate.signature;
  const bytes = new Uint8Array(
    2 + name.length + PUBLIC_KEY_LENGTH + 1 +
      (signature === undefined ? 0 : SIGNATURE_LENGTH),
  );
  bytes[0] = certificate.version;
  bytes[1] = name.length;
  bytes.set(name, 2);
  let offset = 2 + name.length;
  bytes.set(certificate.publicKey, offset);
  offset += PUBLIC_KEY_LENGTH;
  if (signature !== undefined) {
    bytes[offset] = 1;
    bytes.set(signature, offset + 1);
  }
  return bytes;
}

/**
 * Decodes a certificate encoded by {@linkcode encodeCertificate}. Input is
 * treated as untrusted: every length is checked and only the exact encoding
 * is accepted. The signature is not verified; call
 * {@linkcode verifyCertificate} for that.
 *
 * @example Refuse trailing bytes
 * ```ts
 * import { decodeCertificate, encodeCertificate, generateCertificate } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeCertificate(generateCertificate("a").certificate);
 * const longer = new Uint8Array(bytes.length + 1);
 * longer.set(bytes);
 * assert.throws(() => decodeCertificate(longer), RangeError);
 * ```
 *
 * @param bytes The encoded certificate.
 * @returns The certificate, with its own copies of the key and signature.
 * @throws {TypeError} If `bytes` is not a `Uint8Array`.
 * @throws {RangeError} If the input is truncated, too long, has an
 * unsupported version or an empty name.
 * @throws {SyntaxError} If the name is not valid UTF-8 or the signature flag
 * is neither 0 nor 1.
 */
export function decodeCertificate(bytes: Uint8Array): Certificate {
  const context = "Cannot decode certificate";
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`${context}: input must be a Uint8Array`);
  }
  if (bytes.length < 2) {
    throw new RangeError(
      `${context}: expected at least 2 bytes, got ${bytes.length}`,
    );
  }
  if (bytes[0] !== 1) {
    throw new RangeError(`${context}: unsupported version ${bytes[0]}`);
  }
  const nameLength = bytes[1];
  if (nameLength === 0) {
    throw new RangeError(`${context}: name must not be empty`);
  }
  const flagOffset = 2 + nameLength + PUBLIC_KEY_LENGTH;
  if (bytes.length <= flagOffset) {
    throw new RangeError(
      `${context}: expected at least ${
        flagOffset + 1
      } bytes, got ${bytes.length}`,
    );
  }
  const flag = bytes[flagOffset];
  if (flag !== 0 && flag !== 1) {
    throw new SyntaxError(`${context}: invalid signature flag ${flag}`);
  }
  const expected = flagOffset + 1 + (flag === 1 ? SIGNATURE_LENGTH : 0);
  if (bytes.length !== expected) {
    throw new RangeError(
      `${context}: expected ${expected} bytes, got ${bytes.length}`,
    );
  }
  let name: string;
  try {
    name = decoder.decode(bytes.subarray(2, 2 + nameLength));
  } catch (cause) {
    throw new SyntaxError(`${context}: name is not valid UTF-8`, { cause });
  }
  const certificate: Certificate = {
    version: 1,
    name,
    publicKey: bytes.slice(2 + nameLength, flagOffset) as Uint8Array<
      ArrayBuffer
    >,
  };
  if (flag === 1) {
    certificate.signature = bytes.slice(flagOffset + 1) as Uint8Array<
      ArrayBuffer
    >;
  }
  return certificate;
}

/**
 * The largest possible encoded certificate, in bytes (354): a 255-byte name
 * and a signature. Useful to size handshake payload limits.
 *
 * @example
 * ```ts
 * import { MAX_ENCODED_CERTIFICATE_LENGTH } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MAX_ENCODED_CERTIFICATE_LENGTH, 354);
 * ```
 */
export const MAX_ENCODED_CERTIFICATE_LENGTH: number = 2 + MAX_NAME_BYTES +
  PUBLIC_KEY_LENGTH + 1 + SIGNATURE_LENGTH;
