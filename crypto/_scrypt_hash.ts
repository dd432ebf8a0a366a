// Copyright 2026 the moonwire authors. MIT license.
// Parsing of stored "$scrypt$ln=N,r=N,p=N$<salt>$<hash>" strings. Stored
// strings may be hostile (an edited user table), so every parameter is
// bounded before any work is done.

import { decodeBase64 } from "./_base64.ts";

export const MIN_LOG_N = 15;
export const MAX_LOG_N = 20;
export const MAX_R = 32;
export const MAX_P = 4;
/** Largest scrypt working memory (128·r·N bytes) a stored hash may demand. */
export const MAX_MEMORY = 1024 ** 3;
const MIN_STORED_LENGTH = 16;
const MAX_STORED_LENGTH = 64;
const MAX_ENCODED_LENGTH = 256;
const FORMAT =
  /^\$scrypt\$ln=([1-9][0-9]?),r=([1-9][0-9]?),p=([1-9][0-9]?)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

export interface ScryptHash {
  logN: number;
  r: number;
  p: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array<ArrayBuffer>;
}

/**
 * @throws {SyntaxError} If the string is not in the format or has bad base64.
 * @throws {RangeError} If a parameter or length is outside the bounds.
 */
export function parseScryptHash(encoded: string): ScryptHash {
  const match = encoded.length <= MAX_ENCODED_LENGTH
    ? FORMAT.exec(encoded)
    : null;
  if (match === null) {
    throw new SyntaxError(
      "Cannot verify password: hash is not in $scrypt$ln=N,r=N,p=N$salt$hash format",
    );
  }
  const [, lnText, rText, pText, saltText, hashText] = match;
  const logN = Number(lnText);
  const r = Number(rText);
  const p = Number(pText);
  const salt = decodeBase64(saltText);
  const hash = decodeBase64(hashText);
  if (salt === undefined || hash === undefined) {
    throw new SyntaxError("Cannot verify password: hash has invalid base64");
  }
  if (logN < MIN_LOG_N || logN > MAX_LOG_N) {
    throw new RangeError(
      `Cannot verify password: ln must be from ${MIN_LOG_N} to ${MAX_LOG_N}, got ${logN}`,
    );
  }
  if (r > MAX_R || p > MAX_P) {
    throw new RangeError(
      `Cannot verify password: r must be at most ${MAX_R} and p at most ${MAX_P}, got r=${r}, p=${p}`,
    );
  }
  if (128 * r * 2 ** logN > MAX_MEMORY) {
    throw new RangeError(
      "Cannot verify password: parameters need more than 1 GiB of memory",
    );
  }
  for (const [what, bytes] of [["salt", salt], ["hash", hash]] as const) {
    if (
      bytes.length < MIN_STORED_LENGTH || bytes.length > MAX_STORED_LENGTH
    ) {
      throw new RangeError(
        `Cannot verify password: ${what} must be ${MIN_STORED_LENGTH} to ${MAX_STORED_LENGTH} bytes, got ${bytes.length}`,
      );
    }
  }
  return { logN, r, p, salt, hash };
}
