// Copyright 2026 the moonwire authors. MIT license.
// The two AEAD backends behind createAead (aead.ts checks every argument
// first): @noble/ciphers, and the runtime's native crypto. Each seals and
// opens into a caller's target (exactly the record's size, which may overlap
// the input) or, without one, into an exact array it owns.
import { createCipheriv, createDecipheriv } from "node:crypto";
import { gcm } from "@noble/ciphers/aes.js";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { AuthenticationError } from "./errors.ts";

/** Bytes of the authentication tag after every ciphertext. */
export const TAG_LENGTH = 16;
/** The message of every failed open. */
export const OPEN_FAILED = "Cannot open record: authentication failed";

const EMPTY = new Uint8Array(0);

/** The node:crypto names of the AEAD ciphers. */
export type NodeCipherName =
  | "chacha20-poly1305"
  | "aes-128-gcm"
  | "aes-256-gcm";

/** One backend bound to one key; arguments are already checked. */
export interface AeadCore {
  /** Seals into `target` (returned) or a new array. */
  seal(
    nonce: Uint8Array,
    plaintext: Uint8Array,
    associatedData: Uint8Array | undefined,
    target: Uint8Array | undefined,
  ): Uint8Array | Promise<Uint8Array>;
  /**
   * Opens into `target` (returned) or a new array; AuthenticationError on
   * any failure, and then `target` is unchanged.
   */
  open(
    nonce: Uint8Array,
    ciphertext: Uint8Array,
    associatedData: Uint8Array | undefined,
    target: Uint8Array | undefined,
  ): Uint8Array | Promise<Uint8Array>;
}

/**
 * Returns `bytes` as an exact, unshared, plain `Uint8Array<ArrayBuffer>`:
 * as it is when it already is one, a plain view of a node `Buffer` that owns
 * its whole ArrayBuffer (whose `slice()` would share memory), else a copy.
 */
function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (
    bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength
  ) {
    return Object.getPrototypeOf(bytes) === Uint8Array.prototype
      ? bytes as Uint8Array<ArrayBuffer>
      : new Uint8Array(bytes.buffer);
  }
  return new Uint8Array(bytes);
}

/**
 * The noble backend. Its ChaCha20-Poly1305 writes into an output buffer
 * (copying its input there first, so any overlap works); its GCM only
 * allocates, so a target gets a copy. Both verify a tag before they write
 * any plaintext.
 */
export function nobleCore(
  chacha: boolean,
  key: Uint8Array<ArrayBuffer>,
): AeadCore {
  const cipher = (nonce: Uint8Array, associatedData: Uint8Array | undefined) =>
    chacha
      ? chacha20poly1305(key, nonce, associatedData ?? EMPTY)
      : gcm(key, nonce, associatedData ?? EMPTY);
  return {
    seal(nonce, plaintext, associatedData, target) {
      if (target !== undefined && chacha) {
        return chacha20poly1305(key, nonce, associatedData ?? EMPTY)
          .encrypt(plaintext, target);
      }
      return into(cipher(nonce, associatedData).encrypt(plaintext), target);
    },
    open(nonce, ciphertext, associatedData, target) {
      try {
        if (target !== undefined && chacha) {
          return chacha20poly1305(key, nonce, associatedData ?? EMPTY)
            .decrypt(ciphertext, target);
        }
        return into(cipher(nonce, associatedData).decrypt(ciphertext), target);
      } catch (cause) {
        throw new AuthenticationError(OPEN_FAILED, { cause });
      }
    },
  };
}

/** A backend's own result, copied into `target` or returned owned. */
function into(result: Uint8Array, target: Uint8Array | undefined): Uint8Array {
  if (target === undefined) return own(result);
  target.set(result);
  return target;
}

/**
 * Records up to this size use `node:crypto` for AES-GCM; larger ones use
 * `crypto.subtle`. Web Crypto runs each call as an async job with a fixed
 * cost of tens of microseconds, which dominates small records, while its
 * AES-GCM is 2–3x faster per byte (measured in Deno 2.9.6: node:crypto
 * wins up to ~4–6 KiB, subtle from ~8 KiB).
 */
const NODE_GCM_MAX_RECORD = 4096;

/**
 * Seals with `node:crypto`. Deno's `update()` always returns a new Buffer
 * of the plaintext's size, so sealing costs that allocation plus one copy
 * into the result; a caller's target saves allocating the result. The
 * Buffer is complete before `target` is written, so the two may overlap.
 */
function nodeSeal(
  name: NodeCipherName,
  key: Uint8Array<ArrayBuffer>,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  associatedData: Uint8Array | undefined,
  target: Uint8Array | undefined,
): Uint8Array {
  const options = { authTagLength: TAG_LENGTH };
  // Two calls so each matches its typed overload.
  const cipher = name === "chacha20-poly1305"
    ? createCipheriv(name, key, nonce, options)
    : createCipheriv(name, key, nonce, options);
  if (associatedData !== undefined && associatedData.length > 0) {
    cipher.setAAD(associatedData, { plaintextLength: plaintext.length });
  }
  const body = cipher.update(plaintext);
  const rest = cipher.final();
  const out = target ?? new Uint8Array(plaintext.length + TAG_LENGTH);
  out.set(body, 0);
  out.set(rest, body.length);
  out.set(cipher.getAuthTag(), body.length + rest.length);
  return out;
}

/**
 * Opens with `node:crypto` (`ciphertext` has a full tag). `final()` checks
 * the tag before `target` is written, so a forged record leaves it
 * unchanged. Without a target the Buffer `update()` returned is the result
 * (it owns its memory): no copy.
 */
function nodeOpen(
  name: NodeCipherName,
  key: Uint8Array<ArrayBuffer>,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  associatedData: Uint8Array | undefined,
  target: Uint8Array | undefined,
): Uint8Array {
  const bodyLength = ciphertext.length - TAG_LENGTH;
  let body: Uint8Array;
  let rest: Uint8Array;
  try {
    const options = { authTagLength: TAG_LENGTH };
    const decipher = name === "chacha20-poly1305"
      ? createDecipheriv(name, key, nonce, options)
      : createDecipheriv(name, key, nonce, options);
    decipher.setAuthTag(ciphertext.subarray(bodyLength));
    if (associatedData !== undefined && associatedData.length > 0) {
      decipher.setAAD(associatedData, { plaintextLength: bodyLength });
    }
    body = decipher.update(ciphertext.subarray(0, bodyLength));
    rest = decipher.final();
  } catch (cause) {
    throw new AuthenticationError(OPEN_FAILED, { cause });
  }
  if (rest.length === 0) return into(body, target);
  const out = target ?? new Uint8Array(bodyLength);
  out.set(body, 0);
  out.set(rest, body.length);
  return out;
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

// The CryptoKeys of large AES-GCM records, imported on first use, per key
// holder (a native core, or a Noise cipher state whose key is an
// ArrayBuffer): an AEAD that never seals a large AES-GCM record holds none.
const subtleKeys = new WeakMap<object, Promise<CryptoKey>>();

function subtleKey(
  holder: object,
  key: Uint8Array<ArrayBuffer>,
): Promise<CryptoKey> {
  let cryptoKey = subtleKeys.get(holder);
  if (cryptoKey === undefined) {
    // importKey copies the key bytes before it returns.
    cryptoKey = crypto.subtle.importKey("raw", key, "AES-GCM", false, [
      "encrypt",
      "decrypt",
    ]);
    subtleKeys.set(holder, cryptoKey);
  }
  return cryptoKey;
}

/**
 * Drops the CryptoKey imported for `holder` (its key bytes changed, e.g. a
 * Noise rekey in place), so the next large AES-GCM record imports the new
 * key.
 */
export function forgetSubtleKey(holder: object): void {
  subtleKeys.delete(holder);
}

// The largest record node:crypto handles for a cipher.
function nodeMax(name: NodeCipherName): number {
  return name === "chacha20-poly1305" ? Infinity : NODE_GCM_MAX_RECORD;
}

/**
 * Native seal with `key` (arguments already checked): `node:crypto` for
 * ChaCha20-Poly1305 and small AES-GCM records, `crypto.subtle` with the
 * CryptoKey kept for `holder` for large AES-GCM records.
 */
export function nativeSeal(
  name: NodeCipherName,
  key: Uint8Array<ArrayBuffer>,
  holder: object,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  associatedData: Uint8Array | undefined,
  target: Uint8Array | undefined,
): Uint8Array | Promise<Uint8Array> {
  if (plaintext.length <= nodeMax(name)) {
    return nodeSeal(name, key, nonce, plaintext, associatedData, target);
  }
  const params = gcmParams(nonce, associatedData);
  const data = bufferSource(plaintext);
  return subtleKey(holder, key)
    .then((k) => crypto.subtle.encrypt(params, k, data))
    .then((sealed) => into(new Uint8Array(sealed), target));
}

/** Native open, as {@linkcode nativeSeal}; AuthenticationError on failure. */
export function nativeOpen(
  name: NodeCipherName,
  key: Uint8Array<ArrayBuffer>,
  holder: object,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  associatedData: Uint8Array | undefined,
  target: Uint8Array | undefined,
): Uint8Array | Promise<Uint8Array> {
  if (ciphertext.length - TAG_LENGTH <= nodeMax(name)) {
    return nodeOpen(name, key, nonce, ciphertext, associatedData, target);
  }
  const params = gcmParams(nonce, associatedData);
  const data = bufferSource(ciphertext);
  return subtleKey(holder, key)
    .then((k) => crypto.subtle.decrypt(params, k, data))
    .then(
      (opened) => into(new Uint8Array(opened), target),
      (cause) => {
        throw new AuthenticationError(OPEN_FAILED, { cause });
      },
    );
}

/**
 * The native backend bound to one key: {@linkcode nativeSeal} and
 * {@linkcode nativeOpen} as prototype methods (no closures per key). Web
 * Crypto copies its input when called, so a target may overlap it.
 */
class NativeCore implements AeadCore {
  #name: NodeCipherName;
  #key: Uint8Array<ArrayBuffer>;

  constructor(name: NodeCipherName, key: Uint8Array<ArrayBuffer>) {
    this.#name = name;
    this.#key = key;
  }

  seal(
    nonce: Uint8Array,
    plaintext: Uint8Array,
    associatedData: Uint8Array | undefined,
    target: Uint8Array | undefined,
  ): Uint8Array | Promise<Uint8Array> {
    return nativeSeal(
      this.#name,
      this.#key,
      this,
      nonce,
      plaintext,
      associatedData,
      target,
    );
  }

  open(
    nonce: Uint8Array,
    ciphertext: Uint8Array,
    associatedData: Uint8Array | undefined,
    target: Uint8Array | undefined,
  ): Uint8Array | Promise<Uint8Array> {
    return nativeOpen(
      this.#name,
      this.#key,
      this,
      nonce,
      ciphertext,
      associatedData,
      target,
    );
  }
}

/** The native backend for one key (see {@linkcode NativeCore}). */
export function nativeCore(
  name: NodeCipherName,
  key: Uint8Array<ArrayBuffer>,
): AeadCore {
  return new NativeCore(name, key);
}
