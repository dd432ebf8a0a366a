// Copyright 2026 the moonwire authors. MIT license.
/**
 * Certificate files (`<name>.crt`): JSON documents holding one certificate.
 *
 * @module
 */

import { encodeBase64 } from "./_base64.ts";
import { checkCertificate } from "./_certificate.ts";
import { parseCertificateDocument } from "./_certificate_document.ts";
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
  const text = await readSmallTextFile(path, "certificate file");
  return parseCertificateDocument(text, path);
}
