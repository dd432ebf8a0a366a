// Copyright 2026 the moonwire authors. MIT license.
// Parsing of key file text, separate from the I/O so it can be fuzzed.

import { decodeBase64 } from "./_base64.ts";

/** Bytes of every key a key file holds (X25519 and Ed25519 alike). */
export const KEY_LENGTH = 32;

// What the caller expects: key_file.ts passes its KeyFileOptions. Declared
// here so this file imports nothing from key_file.ts (no import cycle).
interface ExpectedKey {
  algorithm: string;
  private: boolean;
}

/**
 * Parses the text of a key file named `path` (used in messages).
 *
 * @throws {SyntaxError} Not JSON, not a key file, bad base64.
 * @throws {RangeError} Wrong key length.
 * @throws {TypeError} Another algorithm or use than expected.
 */
export function parseKeyDocument(
  text: string,
  path: string,
  options: ExpectedKey,
): Uint8Array<ArrayBuffer> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new SyntaxError(`Cannot read key file ${path}: not valid JSON`, {
      cause,
    });
  }
  if (
    typeof document !== "object" || document === null ||
    Array.isArray(document)
  ) {
    throw new SyntaxError(
      `Cannot read key file ${path}: expected a JSON object`,
    );
  }
  const { type, algorithm, use, key } = document as Record<string, unknown>;
  if (
    type !== "moonwire-key" || typeof algorithm !== "string" ||
    typeof use !== "string" || typeof key !== "string"
  ) {
    throw new SyntaxError(
      `Cannot read key file ${path}: not a moonwire key file`,
    );
  }
  if (algorithm !== options.algorithm) {
    throw new TypeError(
      `Cannot read key file ${path}: expected algorithm ${options.algorithm}, got ${
        JSON.stringify(algorithm)
      }`,
    );
  }
  const expectedUse = options.private ? "private" : "public";
  if (use !== expectedUse) {
    throw new TypeError(
      `Cannot read key file ${path}: expected a ${expectedUse} key, got ${
        JSON.stringify(use)
      }`,
    );
  }
  const bytes = decodeBase64(key);
  if (bytes === undefined) {
    throw new SyntaxError(
      `Cannot read key file ${path}: key is not valid base64`,
    );
  }
  if (bytes.length !== KEY_LENGTH) {
    throw new RangeError(
      `Cannot read key file ${path}: key must be ${KEY_LENGTH} bytes, got ${bytes.length}`,
    );
  }
  return bytes;
}
