// Copyright 2026 the moonwire authors. MIT license.
/**
 * Key derivation with HKDF-SHA256.
 *
 * @module
 */

import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/**
 * Derives a key from input key material with HKDF-SHA256 (RFC 5869), an
 * empty salt and the UTF-8 label as `info`. Different labels give
 * independent keys from the same input.
 *
 * @example Derive a pre-shared key from a cipher key
 * ```ts
 * import { deriveKey } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const cipherKey = new Uint8Array(16).fill(1);
 * const psk = deriveKey(cipherKey, "moonwire mm psk v1");
 * assert.equal(psk.length, 32);
 * assert.notDeepEqual(psk, deriveKey(cipherKey, "another label"));
 * assert.deepEqual(psk, deriveKey(cipherKey, "moonwire mm psk v1"));
 * ```
 *
 * @param inputKey The input key material (a secret of at least 16 bytes).
 * @param label The purpose of the derived key; UTF-8 encoded as HKDF `info`.
 * @param length The output length in bytes, 1 to 8160 (default 32).
 * @returns The derived key.
 * @throws {TypeError} If `inputKey` is not a `Uint8Array` or `label` is not a
 * string.
 * @throws {RangeError} If `length` is not an integer from 1 to 8160.
 */
export function deriveKey(
  inputKey: Uint8Array,
  label: string,
  length = 32,
): Uint8Array<ArrayBuffer> {
  if (!(inputKey instanceof Uint8Array)) {
    throw new TypeError("Cannot derive key: input key must be a Uint8Array");
  }
  if (typeof label !== "string") {
    throw new TypeError("Cannot derive key: label must be a string");
  }
  if (!Number.isInteger(length) || length < 1 || length > 255 * 32) {
    throw new RangeError(
      `Cannot derive key: length must be an integer from 1 to 8160, got ${length}`,
    );
  }
  return Uint8Array.from(
    hkdf(sha256, inputKey, EMPTY, encoder.encode(label), length),
  );
}
