// Copyright 2026 the moonwire authors. MIT license.
/**
 * Password hashing with scrypt.
 *
 * @module
 */

import { scrypt } from "node:crypto";
import { encodeBase64 } from "./_base64.ts";
import {
  MAX_LOG_N,
  MAX_MEMORY,
  MIN_LOG_N,
  parseScryptHash,
} from "./_scrypt_hash.ts";
import { timingSafeEqual } from "./timing_safe_equal.ts";

/** Options for {@linkcode hashPassword}. */
export interface HashPasswordOptions {
  /**
   * The scrypt cost as a power of two: N = 2^logN. Default 15, the minimum;
   * at most 20. Each step doubles time and memory (2^15 ≈ 32 MiB).
   */
  logN?: number;
}

const SALT_LENGTH = 16;
const HASH_LENGTH = 32;
/** Longest accepted password, in bytes of UTF-8. */
const MAX_PASSWORD_BYTES = 1024;
const encoder = new TextEncoder();

// At most this many scrypt runs at once (the rest wait their turn), so a
// burst of logins cannot starve the event loop's thread of CPU. The wait is
// unbounded: callers fed by the network bound their own (cnet's login gate
// refuses beyond a small queue), so this stays a CPU bound for every use.
const MAX_RUNNING = Math.max(1, (navigator.hardwareConcurrency ?? 2) - 1);
let running = 0;
const waiting: (() => void)[] = [];

async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (running < MAX_RUNNING) {
    running++;
  } else {
    // The finishing run hands its place over without decrementing.
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next !== undefined) next();
    else running--;
  }
}

function derive(
  password: Uint8Array,
  salt: Uint8Array,
  logN: number,
  r: number,
  p: number,
  length: number,
): Promise<Uint8Array> {
  // node:crypto runs scrypt on the thread pool, so a login never stalls the
  // event loop (noble's scryptAsync computed on the main thread).
  return inTurn(() => {
    const { promise, resolve, reject } = Promise.withResolvers<Uint8Array>();
    scrypt(password, salt, length, {
      N: 2 ** logN,
      r,
      p,
      // scrypt needs 128·r·N bytes plus a little bookkeeping.
      maxmem: MAX_MEMORY + 1024 * 1024,
    }, (error, key) => {
      if (error) {
        reject(
          new Error(`Cannot derive password hash: ${error.message}`, {
            cause: error,
          }),
        );
      } else {
        resolve(new Uint8Array(key.buffer, key.byteOffset, key.byteLength));
      }
    });
    return promise;
  });
}

/**
 * Hashes a password with scrypt (N = 2^15 by default, r = 8, p = 1) and a
 * random 16-byte salt, returning a self-describing string that stores the
 * parameters, so the cost can be raised later without breaking stored
 * hashes: `$scrypt$ln=15,r=8,p=1$<salt base64>$<hash base64>`. Takes about
 * 100 ms and 32 MiB at the default cost, on a worker thread: the event loop
 * keeps running. At most one hash fewer than the machine has CPUs (at least
 * one) runs at once, here and in {@linkcode verifyPassword}; the others wait
 * their turn, so a burst of logins leaves the event loop a CPU.
 *
 * @example Hash and verify
 * ```ts
 * import { hashPassword, verifyPassword } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const stored = await hashPassword("correct horse battery staple");
 * assert.match(stored, /^\$scrypt\$ln=15,r=8,p=1\$/);
 * assert.equal(await verifyPassword("correct horse battery staple", stored), true);
 * ```
 *
 * @param password The password; UTF-8 encoded, at most 1024 bytes.
 * @param options The cost (`logN`, 15 to 20).
 * @returns The encoded hash.
 * @throws {TypeError} If the password is not a string or not well-formed
 * Unicode.
 * @throws {RangeError} If the password is too long or `logN` is not an
 * integer from 15 to 20.
 */
export async function hashPassword(
  password: string,
  options: HashPasswordOptions = {},
): Promise<string> {
  const logN = options.logN ?? MIN_LOG_N;
  if (typeof password !== "string") {
    throw new TypeError("Cannot hash password: password must be a string");
  }
  // Lone surrogates would all encode to U+FFFD and collide.
  if (!password.isWellFormed()) {
    throw new TypeError(
      "Cannot hash password: password is not well-formed Unicode",
    );
  }
  const bytes = encoder.encode(password);
  if (bytes.length > MAX_PASSWORD_BYTES) {
    throw new RangeError(
      `Cannot hash password: password exceeds ${MAX_PASSWORD_BYTES} bytes of UTF-8`,
    );
  }
  if (!Number.isInteger(logN) || logN < MIN_LOG_N || logN > MAX_LOG_N) {
    throw new RangeError(
      `Cannot hash password: logN must be an integer from ${MIN_LOG_N} to ${MAX_LOG_N}, got ${logN}`,
    );
  }
  const salt = crypto.getRandomValues(new Uint8Array(SALT_LENGTH));
  const hash = await derive(bytes, salt, logN, 8, 1, HASH_LENGTH);
  return `$scrypt$ln=${logN},r=8,p=1$${encodeBase64(salt)}$${
    encodeBase64(hash)
  }`;
}

/**
 * Checks a password against a hash from {@linkcode hashPassword}. The
 * parameters are read from the stored string (bounded: ln 15–20, r 1–32,
 * p 1–4, at most 1 GiB of memory, so a hostile stored string cannot
 * exhaust the machine) and the hashes are compared in constant time.
 *
 * @example Wrong password
 * ```ts
 * import { hashPassword, verifyPassword } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const stored = await hashPassword("hunter2");
 * assert.equal(await verifyPassword("hunter3", stored), false);
 * await assert.rejects(verifyPassword("hunter2", "plaintext"), SyntaxError);
 * ```
 *
 * @param password The password to check.
 * @param encoded The stored hash.
 * @returns `true` if the password matches.
 * @throws {TypeError} If either argument is not a string.
 * @throws {SyntaxError} If `encoded` is not a valid scrypt hash string.
 * @throws {RangeError} If its parameters are outside the accepted bounds.
 */
export async function verifyPassword(
  password: string,
  encoded: string,
): Promise<boolean> {
  if (typeof password !== "string" || typeof encoded !== "string") {
    throw new TypeError(
      "Cannot verify password: password and hash must be strings",
    );
  }
  const { logN, r, p, salt, hash: stored } = parseScryptHash(encoded);
  const bytes = encoder.encode(password);
  // No stored hash can match these, as hashPassword refuses them.
  const acceptable = password.isWellFormed() &&
    bytes.length <= MAX_PASSWORD_BYTES;
  const candidate = await derive(
    acceptable ? bytes : new Uint8Array(0),
    salt,
    logN,
    r,
    p,
    stored.length,
  );
  return timingSafeEqual(candidate, stored) && acceptable;
}
