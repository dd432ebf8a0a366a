// Copyright 2026 the moonwire authors. MIT license.
// Parsing of certificate file text, separate from the I/O so it can be fuzzed.

import { decodeBase64 } from "./_base64.ts";
import {
  checkName,
  PUBLIC_KEY_LENGTH,
  SIGNATURE_LENGTH,
} from "./_certificate.ts";
import type { Certificate } from "./certificate.ts";

/**
 * Parses the text of a certificate file named `path` (used in messages).
 *
 * @throws {SyntaxError} Not JSON, not a certificate file, bad base64 or name.
 * @throws {RangeError} Wrong lengths or unsupported version.
 */
export function parseCertificateDocument(
  text: string,
  path: string,
): Certificate {
  const context = `Cannot read certificate file ${path}`;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new SyntaxError(`${context}: not valid JSON`, { cause });
  }
  if (
    typeof document !== "object" || document === null ||
    Array.isArray(document)
  ) {
    throw new SyntaxError(`${context}: expected a JSON object`);
  }
  const { type, version, name, publicKey, signature } = document as Record<
    string,
    unknown
  >;
  if (
    type !== "moonwire-certificate" || typeof version !== "number" ||
    typeof name !== "string" || typeof publicKey !== "string" ||
    (signature !== null && typeof signature !== "string")
  ) {
    throw new SyntaxError(`${context}: not a moonwire certificate file`);
  }
  if (version !== 1) {
    throw new RangeError(`${context}: unsupported version ${version}`);
  }
  try {
    checkName(context, name);
  } catch (error) {
    // A name that is not well-formed Unicode is a malformed file.
    if (error instanceof TypeError) {
      throw new SyntaxError((error as Error).message, { cause: error });
    }
    throw error;
  }
  const certificate: Certificate = {
    version: 1,
    name,
    publicKey: decodeField(context, "public key", publicKey, PUBLIC_KEY_LENGTH),
  };
  if (signature !== null) {
    certificate.signature = decodeField(
      context,
      "signature",
      signature,
      SIGNATURE_LENGTH,
    );
  }
  return certificate;
}

function decodeField(
  context: string,
  field: string,
  text: string,
  length: number,
): Uint8Array<ArrayBuffer> {
  const bytes = decodeBase64(text);
  if (bytes === undefined) {
    throw new SyntaxError(`${context}: ${field} is not valid base64`);
  }
  if (bytes.length !== length) {
    throw new RangeError(
      `${context}: ${field} must be ${length} bytes, got ${bytes.length}`,
    );
  }
  return bytes;
}
