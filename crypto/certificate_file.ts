// Copyright 2026 the moonwire authors. MIT license.
/**
 * Certificate files (`<name>.crt`): JSON documents holding one certificate.
 *
 * @module
 */

import { decodeBase64, encodeBase64 } from "./_base64.ts";
import {
  checkCertificate,
  checkName,
  PUBLIC_KEY_LENGTH,
  SIGNATURE_LENGTH,
} from "./_certificate.ts";
import { readSmallTextFile } from "./_read_small_file.ts";
import type { Certificate } from "./certificate.ts";
import { writeFileAtomic } from "./write_file_atomic.ts";

/**
 * Writes a certificate file, CryptoNet's `<name>.crt`, as JSON:
 * `{"type":"moonwire-certificate","version":1,"name":"...","publicKey":"<base64>","signature":"<base64>"|null}`.
 * The file is written atomically with mode `0o644` (certificates are public).
 *
 * @example Write and read back a signed certificate
 * ```ts
 * import {
 *   createCertificateAuthority,
 *   generateCertificate,
 *   readCertificateFile,
 *   signCertificate,
 *   writeCertificateFile,
 * } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const ca = createCertificateAuthority();
 * const signed = signCertificate(generateCertificate("server").certificate, ca.privateKey);
 * await writeCertificateFile(`${dir}/server.crt`, signed);
 * assert.deepEqual(await readCertificateFile(`${dir}/server.crt`), signed);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param path The file to create or replace, e.g. `server.crt`.
 * @param certificate The certificate, signed or not.
 * @returns A promise that resolves once the file is in place.
 * @throws {TypeError} If a field has the wrong type.
 * @throws {RangeError} If a field has the wrong length or the version is
 * unsupported.
 */
export async function writeCertificateFile(
  path: string,
  certificate: Certificate,
): Promise<void> {
  checkCertificate(`Cannot write certificate file ${path}`, certificate);
  const document = {
    type: "moonwire-certificate",
    version: certificate.version,
    name: certificate.name,
    publicKey: encodeBase64(certificate.publicKey),
    signature: certificate.signature === undefined
      ? null
      : encodeBase64(certificate.signature),
  };
  await writeFileAtomic(path, JSON.stringify(document) + "\n", {
    mode: 0o644,
  });
}

/**
 * Reads a certificate file written by {@linkcode writeCertificateFile}. The
 * signature is not verified; call {@linkcode verifyCertificate} for that.
 *
 * @example A missing file passes NotFound through
 * ```ts
 * import { readCertificateFile } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(readCertificateFile("/nonexistent/x.crt"), Deno.errors.NotFound);
 * ```
 *
 * @param path The file to read.
 * @returns The certificate.
 * @throws {SyntaxError} If the file is not JSON, not a moonwire certificate
 * file, or holds invalid base64 (message names the file).
 * @throws {RangeError} If the key or signature has the wrong length, the
 * name is empty or too long, or the version is unsupported (message names
 * the file).
 * @throws {Deno.errors.NotFound} If the file does not exist.
 */
export async function readCertificateFile(path: string): Promise<Certificate> {
  const context = `Cannot read certificate file ${path}`;
  const text = await readSmallTextFile(path, "certificate file");
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
