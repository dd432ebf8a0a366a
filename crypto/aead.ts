// Copyright 2026 the moonwire authors. MIT license.
/**
 * Authenticated encryption (AEAD) with AES-128-GCM, AES-256-GCM and
 * ChaCha20-Poly1305 behind one interface and two interchangeable backends.
 *
 * @module
 */

import { createCipheriv, createDecipheriv } from "node:crypto";
import { gcm } from "@noble/ciphers/aes.js";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { AuthenticationError } from "./errors.ts";

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
}

const TAG_LENGTH = 16;
const NONCE_LENGTH = 12;
const EMPTY = new Uint8Array(0);
const OPEN_FAILED = "Cannot open record: authentication failed";

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
  if (backend === "noble") return new NobleAead(algorithm, ownKey);
  if (algorithm === "ChaCha20-Poly1305") return new NodeChaChaAead(ownKey);
  return new NativeGcmAead(algorithm, ownKey);
}

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
 * Runs a synchronous backend call and hands its result or error back as an
 * already settled promise (no async function, so no extra microtask hop).
 */
function settle<T>(run: () => T): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Returns `bytes` as an exact, unshared `Uint8Array<ArrayBuffer>`. */
function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (
    bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength
  ) {
    return bytes as Uint8Array<ArrayBuffer>;
  }
  return bytes.slice() as Uint8Array<ArrayBuffer>;
}

/** Web Crypto's AES-GCM parameters for one record. */
function gcmParams(
  nonce: Uint8Array,
  associatedData: Uint8Array | undefined,
): AesGcmParams {
  return {
    name: "AES-GCM",
    iv: bufferSource(nonce),
    additionalData: bufferSource(associatedData ?? EMPTY),
    tagLength: TAG_LENGTH * 8,
  };
}

/** Web Crypto wants ArrayBuffer-backed views; copy only when necessary. */
function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? bytes as Uint8Array<ArrayBuffer>
    : bytes.slice() as Uint8Array<ArrayBuffer>;
}

class NobleAead implements Aead {
  readonly algorithm: AeadAlgorithm;
  readonly backend: AeadBackend = "noble";
  #key: Uint8Array<ArrayBuffer>;

  constructor(algorithm: AeadAlgorithm, key: Uint8Array<ArrayBuffer>) {
    this.algorithm = algorithm;
    this.#key = key;
  }

  #cipher(nonce: Uint8Array, associatedData: Uint8Array) {
    return this.algorithm === "ChaCha20-Poly1305"
      ? chacha20poly1305(this.#key, nonce, associatedData)
      : gcm(this.#key, nonce, associatedData);
  }

  seal(
    nonce: Uint8Array,
    plaintext: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>> {
    return settle(() => {
      checkInputs("seal", nonce, plaintext, associatedData);
      return own(
        this.#cipher(nonce, associatedData ?? EMPTY).encrypt(plaintext),
      );
    });
  }

  open(
    nonce: Uint8Array,
    ciphertext: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>> {
    return settle(() => {
      checkOpenInputs(nonce, ciphertext, associatedData);
      try {
        const cipher = this.#cipher(nonce, associatedData ?? EMPTY);
        return own(cipher.decrypt(ciphertext));
      } catch (cause) {
        throw new AuthenticationError(OPEN_FAILED, { cause });
      }
    });
  }
}

type NodeCipherName = "chacha20-poly1305" | "aes-128-gcm" | "aes-256-gcm";

const NODE_CIPHER: Record<AeadAlgorithm, NodeCipherName> = {
  "AES-128-GCM": "aes-128-gcm",
  "AES-256-GCM": "aes-256-gcm",
  "ChaCha20-Poly1305": "chacha20-poly1305",
};

/**
 * Records up to this size use `node:crypto` for AES-GCM; larger ones use
 * `crypto.subtle`. Web Crypto runs each call as an async job with a fixed
 * cost of tens of microseconds, which dominates small records, while its
 * AES-GCM is 2–3x faster per byte (measured in Deno 2.9.6: node:crypto
 * wins up to ~4–6 KiB, subtle from ~8 KiB).
 */
const NODE_GCM_MAX_RECORD = 4096;

function nodeSeal(
  name: NodeCipherName,
  key: Uint8Array<ArrayBuffer>,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  associatedData: Uint8Array | undefined,
): Uint8Array<ArrayBuffer> {
  const options = { authTagLength: TAG_LENGTH };
  // Two calls so each matches its typed overload.
  const cipher = name === "chacha20-poly1305"
    ? createCipheriv(name, key, nonce, options)
    : createCipheriv(name, key, nonce, options);
  if (associatedData !== undefined && associatedData.length > 0) {
    cipher.setAAD(associatedData, { plaintextLength: plaintext.length });
  }
  // Node returns pooled Buffers; copy into one exact, owned array.
  const out = new Uint8Array(plaintext.length + TAG_LENGTH);
  const body = cipher.update(plaintext);
  out.set(body, 0);
  const rest = cipher.final();
  out.set(rest, body.length);
  out.set(cipher.getAuthTag(), body.length + rest.length);
  return out;
}

/** Throws AuthenticationError on any failure; `ciphertext` has a full tag. */
function nodeOpen(
  name: NodeCipherName,
  key: Uint8Array<ArrayBuffer>,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  associatedData: Uint8Array | undefined,
): Uint8Array<ArrayBuffer> {
  const bodyLength = ciphertext.length - TAG_LENGTH;
  try {
    const options = { authTagLength: TAG_LENGTH };
    const decipher = name === "chacha20-poly1305"
      ? createDecipheriv(name, key, nonce, options)
      : createDecipheriv(name, key, nonce, options);
    decipher.setAuthTag(ciphertext.subarray(bodyLength));
    if (associatedData !== undefined && associatedData.length > 0) {
      decipher.setAAD(associatedData, { plaintextLength: bodyLength });
    }
    const out = new Uint8Array(bodyLength);
    const body = decipher.update(ciphertext.subarray(0, bodyLength));
    out.set(body, 0);
    // final() throws on a bad tag; `out` is dropped unread in that case.
    out.set(decipher.final(), body.length);
    return out;
  } catch (cause) {
    throw new AuthenticationError(OPEN_FAILED, { cause });
  }
}

const CHACHA: NodeCipherName = "chacha20-poly1305";

class NodeChaChaAead implements Aead {
  readonly algorithm: AeadAlgorithm = "ChaCha20-Poly1305";
  readonly backend: AeadBackend = "native";
  #key: Uint8Array<ArrayBuffer>;

  constructor(key: Uint8Array<ArrayBuffer>) {
    this.#key = key;
  }

  seal(
    nonce: Uint8Array,
    plaintext: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>> {
    return settle(() => {
      checkInputs("seal", nonce, plaintext, associatedData);
      return nodeSeal(CHACHA, this.#key, nonce, plaintext, associatedData);
    });
  }

  open(
    nonce: Uint8Array,
    ciphertext: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>> {
    return settle(() => {
      checkOpenInputs(nonce, ciphertext, associatedData);
      return nodeOpen(CHACHA, this.#key, nonce, ciphertext, associatedData);
    });
  }
}

class NativeGcmAead implements Aead {
  readonly algorithm: AeadAlgorithm;
  readonly backend: AeadBackend = "native";
  #key: Uint8Array<ArrayBuffer>;
  #name: NodeCipherName;
  #cryptoKey: Promise<CryptoKey> | undefined;

  constructor(algorithm: AeadAlgorithm, key: Uint8Array<ArrayBuffer>) {
    this.algorithm = algorithm;
    this.#key = key;
    this.#name = NODE_CIPHER[algorithm];
  }

  /** Imported on first use, then reused by every record. */
  #subtleKey(): Promise<CryptoKey> {
    this.#cryptoKey ??= crypto.subtle.importKey(
      "raw",
      this.#key,
      "AES-GCM",
      false,
      ["encrypt", "decrypt"],
    );
    return this.#cryptoKey;
  }

  async seal(
    nonce: Uint8Array,
    plaintext: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>> {
    checkInputs("seal", nonce, plaintext, associatedData);
    if (plaintext.length <= NODE_GCM_MAX_RECORD) {
      return nodeSeal(this.#name, this.#key, nonce, plaintext, associatedData);
    }
    const sealed = await crypto.subtle.encrypt(
      gcmParams(nonce, associatedData),
      await this.#subtleKey(),
      bufferSource(plaintext),
    );
    return new Uint8Array(sealed);
  }

  async open(
    nonce: Uint8Array,
    ciphertext: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>> {
    checkOpenInputs(nonce, ciphertext, associatedData);
    if (ciphertext.length - TAG_LENGTH <= NODE_GCM_MAX_RECORD) {
      return nodeOpen(this.#name, this.#key, nonce, ciphertext, associatedData);
    }
    try {
      const key = await this.#subtleKey();
      const opened = await crypto.subtle.decrypt(
        gcmParams(nonce, associatedData),
        key,
        bufferSource(ciphertext),
      );
      return new Uint8Array(opened);
    } catch (cause) {
      throw new AuthenticationError(OPEN_FAILED, { cause });
    }
  }
}
