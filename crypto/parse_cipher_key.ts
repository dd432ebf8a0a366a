// Copyright 2026 the moonwire authors. MIT license.
/**
 * Cipher keys written as hexadecimal text.
 *
 * @module
 */

/**
 * Parses a cipher key written as exactly 32 or 64 hexadecimal characters
 * (either case) into 16 or 32 bytes, as Macro Monkey's cipher keys are
 * given.
 *
 * @example Parse a 128-bit key
 * ```ts
 * import { parseCipherKey } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const key = parseCipherKey("000102030405060708090a0b0c0d0E0F");
 * assert.deepEqual(key, new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]));
 * assert.throws(() => parseCipherKey("abc"), RangeError);
 * ```
 *
 * @param hex The key as 32 or 64 hexadecimal characters.
 * @returns The 16- or 32-byte key.
 * @throws {TypeError} If `hex` is not a string.
 * @throws {RangeError} If `hex` is not 32 or 64 characters long.
 * @throws {SyntaxError} If `hex` contains a character that is not a hex digit.
 */
export function parseCipherKey(hex: string): Uint8Array<ArrayBuffer> {
  if (typeof hex !== "string") {
    throw new TypeError(
      `Cannot parse cipher key: expected a string, got ${describe(hex)}`,
    );
  }
  if (hex.length !== 32 && hex.length !== 64) {
    throw new RangeError(
      `Cannot parse cipher key: expected 32 or 64 hex characters, got ${hex.length}`,
    );
  }
  const key = new Uint8Array(hex.length / 2);
  for (let i = 0; i < hex.length; i++) {
    const digit = hexDigit(hex.charCodeAt(i));
    if (digit < 0) {
      throw new SyntaxError(
        `Cannot parse cipher key: invalid hex character at index ${i}`,
      );
    }
    key[i >> 1] |= (i & 1) === 0 ? digit << 4 : digit;
  }
  return key;
}

function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  return -1;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value instanceof Uint8Array) return "Uint8Array";
  return typeof value;
}
