// Copyright 2026 the moonwire authors. MIT license.
/**
 * Authenticated encryption (AEAD) with AES-128-GCM, AES-256-GCM and
 * ChaCha20-Poly1305 behind one interface and two interchangeable backends.
 *
 * @module
 */

import { AuthenticationError } from "./errors.ts";
import {
  type AeadCore,
  nativeCore,
  nobleCore,
  type NodeCipherName,
  OPEN_FAILED,
  TAG_LENGTH,
} from "./_aead_backends.ts";

/** The AEAD ciphers moonwire supports. */
export type AeadAlgorithm = "AES-128-GCM" | "AES-256-GCM" | "ChaCha20-Poly1305";

/**
 * Which implementation does the work:
 * - `"noble"`: `@noble/ciphers`, pure TypeScript, the audited reference.
 * - `"native"`: the runtime's native crypto — `node:crypto`
 *   ChaCha20-Poly1305; for AES-GCM, `node:crypto` for records up to 4 KiB
 *   and `crypto.subtle` (with a cached `CryptoKey`) for larger ones, the
 *   faster of the two at each size.
 *
 * Both produce identical bytes for identical inputs.
 */
export type AeadBackend = "noble" | "native";

/** Options for {@linkcode createAead}. */
export interface AeadOptions {
  /** The implementation to use. Defaults to `"native"`. */
  backend?: AeadBackend;
}

/**
 * An AEAD cipher bound to one key. Every call takes the 12-byte nonce
 * explicitly: the caller (for example a Noise cipher state) is responsible
 * for never reusing a nonce with the same key.
 */
export interface Aead {
  /** The cipher in use. */
  readonly algorithm: AeadAlgorithm;
  /** The implementation in use. */
  readonly backend: AeadBackend;
  /**
   * Encrypts and authenticates a record.
   *
   * @param nonce The 12-byte nonce; never reuse one with the same key.
   * @param plaintext The bytes to encrypt.
   * @param associatedData Bytes authenticated but not encrypted (default empty).
   * @returns The ciphertext followed by the 16-byte tag.
   */
  seal(
    nonce: Uint8Array,
    plaintext: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>>;
  /**
   * Verifies and decrypts a record sealed with the same key, nonce and
   * associated data. Rejects with {@linkcode AuthenticationError} on any
   * failure (wrong key, modified bytes, truncated input, wrong associated
   * data); no plaintext is returned in that case.
   *
   * @param nonce The 12-byte nonce the record was sealed with.
   * @param ciphertext The ciphertext followed by the 16-byte tag.
   * @param associatedData The associated data given to `seal` (default empty).
   * @returns The plaintext.
   */
  open(
    nonce: Uint8Array,
    ciphertext: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>>;
  /**
   * {@linkcode Aead.prototype.seal} into a buffer the caller provides, for a
   * caller that reuses one buffer per record instead of allocating one.
   * `output` may overlap `plaintext`: a record is sealed in place when its
   * buffer has 16 bytes to spare after it. The bytes are those `seal` gives.
   * Leave `output` alone until the promise settles.
   *
   * @param nonce The 12-byte nonce; never reuse one with the same key.
   * @param plaintext The bytes to encrypt.
   * @param output Where the ciphertext and tag go: at least
   * `plaintext.length + 16` bytes, written from its start.
   * @param associatedData Bytes authenticated but not encrypted (default empty).
   * @returns The view of `output` holding the ciphertext followed by the tag.
   */
  sealInto(
    nonce: Uint8Array,
    plaintext: Uint8Array,
    output: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array>;
  /**
   * {@linkcode Aead.prototype.open} into a buffer the caller provides.
   * `output` may overlap `ciphertext` (open in place). The record is
   * verified before anything is written: when it does not authenticate the
   * promise rejects with {@linkcode AuthenticationError} and `output` is
   * unchanged. Leave `output` alone until the promise settles.
   *
   * @param nonce The 12-byte nonce the record was sealed with.
   * @param ciphertext The ciphertext followed by the 16-byte tag.
   * @param output Where the plaintext goes: at least
   * `ciphertext.length - 16` bytes, written from its start.
   * @param associatedData The associated data given to `seal` (default empty).
   * @returns The view of `output` holding the plaintext.
   */
  openInto(
    nonce: Uint8Array,
    ciphertext: Uint8Array,
    output: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array>;
}

const NONCE_LENGTH = 12;

const KEY_LENGTHS: Record<AeadAlgorithm, number> = {
  "AES-128-GCM": 16,
  "AES-256-GCM": 32,
  "ChaCha20-Poly1305": 32,
};

/**
 * Creates an AEAD cipher for one key.
 *
 * The key is copied, so later changes to the caller's array do not affect
 * the cipher.
 *
 * @example Seal and open a record
 * ```ts
 * import { createAead } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const key = crypto.getRandomValues(new Uint8Array(32));
 * const nonce = new Uint8Array(12); // a counter in real use, never repeated
 * const aead = createAead("ChaCha20-Poly1305", key);
 * const sealed = await aead.seal(nonce, new TextEncoder().encode("hello"));
 * assert.equal(sealed.length, 5 + 16);
 * const opened = await aead.open(nonce, sealed);
 * assert.equal(new TextDecoder().decode(opened), "hello");
 * ```
 *
 * @example Seal in place, open into a reused buffer
 * ```ts
 * import { createAead } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const aead = createAead("ChaCha20-Poly1305", new Uint8Array(32));
 * const nonce = new Uint8Array(12);
 * const buffer = new Uint8Array(5 + 16); // the record and room for the tag
 * buffer.set([1, 2, 3, 4, 5]);
 * const sealed = await aead.sealInto(nonce, buffer.subarray(0, 5), buffer);
 * assert.deepEqual(sealed, await aead.seal(nonce, Uint8Array.of(1, 2, 3, 4, 5)));
 * const plain = new Uint8Array(64);
 * const opened = await aead.openInto(nonce, sealed, plain);
 * assert.deepEqual(opened, Uint8Array.of(1, 2, 3, 4, 5));
 * assert.equal(opened.buffer, plain.buffer);
 * ```
 *
 * @example A modified record is refused
 * ```ts
 * import { AuthenticationError, createAead } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const aead = createAead("AES-128-GCM", new Uint8Array(16), { backend: "noble" });
 * const nonce = new Uint8Array(12);
 * const sealed = await aead.seal(nonce, new Uint8Array([1, 2, 3]));
 * sealed[0] ^= 1;
 * await assert.rejects(aead.open(nonce, sealed), AuthenticationError);
 * ```
 *
 * @param algorithm The cipher: `"AES-128-GCM"` (16-byte key), `"AES-256-GCM"`
 * or `"ChaCha20-Poly1305"` (32-byte keys).
 * @param key The secret key.
 * @param options The backend to use (default `"native"`).
 * @returns The cipher bound to the key.
 * @throws {TypeError} If the algorithm or backend is unknown or the key is not
 * a `Uint8Array`.
 * @throws {RangeError} If the key has the wrong length for the algorithm.
 */
export function createAead(
  algorithm: AeadAlgorithm,
  key: Uint8Array,
  options: AeadOptions = {},
): Aead {
  if (!Object.hasOwn(KEY_LENGTHS, algorithm)) {
    throw new TypeError(
      `Cannot create AEAD: unknown algorithm ${JSON.stringify(algorithm)}`,
    );
  }
  const backend = options.backend ?? "native";
  if (backend !== "noble" && backend !== "native") {
    throw new TypeError(
      `Cannot create AEAD: unknown backend ${JSON.stringify(backend)}`,
    );
  }
  if (!(key instanceof Uint8Array)) {
    throw new TypeError("Cannot create AEAD: key must be a Uint8Array");
  }
  const expected = KEY_LENGTHS[algorithm];
  if (key.length !== expected) {
    throw new RangeError(
      `Cannot create AEAD: ${algorithm} key must be ${expected} bytes, got ${key.length}`,
    );
  }
  const ownKey = key.slice() as Uint8Array<ArrayBuffer>;
  const core = backend === "noble"
    ? nobleCore(algorithm === "ChaCha20-Poly1305", ownKey)
    : nativeCore(NODE_CIPHER[algorithm], ownKey);
  return new CheckedAead(algorithm, backend, core);
}

const NODE_CIPHER: Record<AeadAlgorithm, NodeCipherName> = {
  "AES-128-GCM": "aes-128-gcm",
  "AES-256-GCM": "aes-256-gcm",
  "ChaCha20-Poly1305": "chacha20-poly1305",
};

function checkInputs(
  action: string,
  nonce: Uint8Array,
  data: Uint8Array,
  associatedData: Uint8Array | undefined,
): void {
  if (!(nonce instanceof Uint8Array)) {
    throw new TypeError(`Cannot ${action} record: nonce must be a Uint8Array`);
  }
  if (nonce.length !== NONCE_LENGTH) {
    throw new RangeError(
      `Cannot ${action} record: nonce must be ${NONCE_LENGTH} bytes, got ${nonce.length}`,
    );
  }
  if (!(data instanceof Uint8Array)) {
    throw new TypeError(`Cannot ${action} record: data must be a Uint8Array`);
  }
  if (associatedData !== undefined && !(associatedData instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot ${action} record: associated data must be a Uint8Array`,
    );
  }
}

/** checkInputs for open, plus a ciphertext too short to hold a tag. */
function checkOpenInputs(
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  associatedData: Uint8Array | undefined,
): void {
  checkInputs("open", nonce, ciphertext, associatedData);
  if (ciphertext.length < TAG_LENGTH) {
    throw new AuthenticationError(OPEN_FAILED);
  }
}

/**
 * The output check of sealInto/openInto; returns the exact view of `output`
 * the record is written to.
 */
function checkOutput(
  action: string,
  output: Uint8Array,
  length: number,
): Uint8Array {
  if (!(output instanceof Uint8Array)) {
    throw new TypeError(`Cannot ${action} record: output must be a Uint8Array`);
  }
  if (output.length < length) {
    throw new RangeError(
      `Cannot ${action} record: output must hold ${length} bytes, got ${output.length}`,
    );
  }
  return output.subarray(0, length);
}

/**
 * Runs a synchronous backend call and hands its result or error back as an
 * already settled promise (no async function, so no extra microtask hop).
 */
function settle<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error);
  }
}

/** An {@linkcode Aead}: checks every argument, then calls its backend. */
class CheckedAead implements Aead {
  readonly algorithm: AeadAlgorithm;
  readonly backend: AeadBackend;
  #core: AeadCore;

  constructor(algorithm: AeadAlgorithm, backend: AeadBackend, core: AeadCore) {
    this.algorithm = algorithm;
    this.backend = backend;
    this.#core = core;
  }

  seal(
    nonce: Uint8Array,
    plaintext: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>> {
    return settle(() => {
      checkInputs("seal", nonce, plaintext, associatedData);
      return this.#core.seal(nonce, plaintext, associatedData, undefined);
    }) as Promise<Uint8Array<ArrayBuffer>>;
  }

  open(
    nonce: Uint8Array,
    ciphertext: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>> {
    return settle(() => {
      checkOpenInputs(nonce, ciphertext, associatedData);
      return this.#core.open(nonce, ciphertext, associatedData, undefined);
    }) as Promise<Uint8Array<ArrayBuffer>>;
  }

  sealInto(
    nonce: Uint8Array,
    plaintext: Uint8Array,
    output: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array> {
    return settle(() => {
      checkInputs("seal", nonce, plaintext, associatedData);
      const target = checkOutput("seal", output, plaintext.length + TAG_LENGTH);
      return this.#core.seal(nonce, plaintext, associatedData, target);
    });
  }

  openInto(
    nonce: Uint8Array,
    ciphertext: Uint8Array,
    output: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array> {
    return settle(() => {
      checkOpenInputs(nonce, ciphertext, associatedData);
      const length = ciphertext.length - TAG_LENGTH;
      const target = checkOutput("open", output, length);
      return this.#core.open(nonce, ciphertext, associatedData, target);
    });
  }
}
