// Copyright 2026 the moonwire authors. MIT license.
/**
 * The Noise transport cipher state: one key and one 64-bit counter per
 * direction.
 *
 * @module
 */
import { AuthenticationError } from "./errors.ts";
import { noiseCipher } from "./_noise_functions.ts";
import { forgetSubtleKey } from "./_aead_backends.ts";
import {
  checkData,
  checkOutput,
  cipherCall,
  disabled,
  exhausted,
  type KeySlot,
  keySlot,
  outputLength,
  TAG_LENGTH,
} from "./_noise_cipher_calls.ts";
import { noiseCipherStateInternals } from "./_noise_cipher_internals.ts";

/** Options for {@linkcode NoiseCipherState}. */
export interface NoiseCipherStateOptions {
  /**
   * The Noise cipher: `"ChaChaPoly"` (nonce = 4 zero bytes + little-endian
   * counter) or `"AESGCM"` (4 zero bytes + big-endian counter). Defaults to
   * `"ChaChaPoly"`.
   */
  cipher?: "ChaChaPoly" | "AESGCM";
}

const MAX32 = 0xffffffff;
const MAX_NONCE = (1n << 64n) - 1n;

const DESTROYED = "cipher state is destroyed";

/**
 * A Noise `CipherState` for transport messages: one key and a 64-bit
 * counter that is never reused and never wraps. {@linkcode NoiseHandshake}'s
 * `split()` returns two of them, already oriented (`send` and `receive`).
 *
 * `encrypt` takes its counter when called, so several calls may be in flight
 * at once and still get distinct nonces, in call order. `decrypt` likewise
 * takes the next counter when called; a failed decrypt gives it back (when
 * no later decrypt has been started), so a forged record does not
 * desynchronise the stream. Counter 2^64-1 is reserved for
 * {@linkcode NoiseCipherState.prototype.rekey}; reaching it is a `RangeError`.
 *
 * Do not mix `encrypt` with `encryptWithNonce` on one state unless the
 * explicit counters can never collide with the implicit ones.
 *
 * {@linkcode NoiseCipherState.prototype.destroy} (or `using`) zeroes the key
 * once the state is no longer needed; every later operation throws.
 *
 * @example Transport messages after an NK handshake
 * ```ts
 * import { generateX25519KeyPair, NoiseHandshake } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const server = generateX25519KeyPair();
 * const name = "Noise_NK_25519_ChaChaPoly_SHA256";
 * const initiator = new NoiseHandshake(name, {
 *   initiator: true,
 *   remoteStaticPublicKey: server.publicKey,
 * });
 * const responder = new NoiseHandshake(name, { initiator: false, staticKeyPair: server });
 * await responder.readMessage(await initiator.writeMessage());
 * await initiator.readMessage(await responder.writeMessage());
 * const client = initiator.split();
 * const host = responder.split();
 *
 * const record = await client.send.encrypt(new TextEncoder().encode("ping"));
 * assert.equal(client.send.nonce, 1n);
 * const plain = await host.receive.decrypt(record);
 * assert.equal(new TextDecoder().decode(plain), "ping");
 * ```
 */
export class NoiseCipherState implements Disposable {
  // The cipher, and where this state's 32 key bytes are in #key: a state
  // from split() shares one key buffer with its other direction.
  #slot: KeySlot;
  // The only copy of the key this state holds, replaced in place by rekey()
  // and zeroed by destroy(); the AEAD calls read it through a view made per
  // call (an idle state keeps no view and no keyed AEAD object: a few
  // hundred bytes less per cipher state). A large AES-GCM record imports a
  // CryptoKey on first use (kept in _aead_backends.ts for this state).
  #key: ArrayBuffer;
  // The 64-bit counter as two uint32 halves: no bigint on the hot path.
  #hi = 0;
  #lo = 0;
  // Set for the unused direction of a one-way pattern: fail closed.
  #disabled: string | undefined;

  static {
    // The slot types states as `object`; only real cipher states get in.
    const own = (state: object): NoiseCipherState => {
      if (#key in state) return state;
      throw new TypeError(
        "Cannot access cipher state internals: not a NoiseCipherState",
      );
    };
    noiseCipherStateInternals.setNonce = (state, nonce) => {
      const cipherState = own(state);
      if (nonce < 0n || nonce > MAX_NONCE) {
        throw new RangeError("Cannot set nonce: out of range");
      }
      cipherState.#hi = Number(nonce >> 32n);
      cipherState.#lo = Number(nonce & 0xffffffffn);
    };
    noiseCipherStateInternals.disable = (state, reason) => {
      const cipherState = own(state);
      if (cipherState.#disabled !== DESTROYED) cipherState.#disabled = reason;
    };
    noiseCipherStateInternals.key = (state) => own(state).#view();
    noiseCipherStateInternals.pair = (first, second) => {
      const states = [own(first), own(second)];
      if (states[0].#slot.cipher !== states[1].#slot.cipher) {
        throw new TypeError("Cannot pair cipher states: ciphers differ");
      }
      // One buffer for both keys; each state's own copy is zeroed.
      const buffer = new ArrayBuffer(64);
      states.forEach((state, half) => {
        const key = state.#view();
        new Uint8Array(buffer, 32 * half, 32).set(key);
        key.fill(0);
        state.#key = buffer;
        state.#slot = keySlot(state.#slot.cipher, half);
      });
    };
  }

  /**
   * Creates a cipher state with counter 0. Usually obtained from
   * {@linkcode NoiseHandshake.prototype.split} instead.
   *
   * @example Two ends of one direction
   * ```ts
   * import { NoiseCipherState } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * const key = crypto.getRandomValues(new Uint8Array(32));
   * const sender = new NoiseCipherState(key, { cipher: "AESGCM" });
   * const receiver = new NoiseCipherState(key, { cipher: "AESGCM" });
   * const record = await sender.encrypt(new Uint8Array([1, 2, 3]));
   * assert.deepEqual(await receiver.decrypt(record), new Uint8Array([1, 2, 3]));
   * ```
   *
   * @param key The 32-byte cipher key (copied).
   * @param options The Noise cipher (default `"ChaChaPoly"`).
   * @throws {TypeError} If the key is not a `Uint8Array` or the cipher is unknown.
   * @throws {RangeError} If the key is not 32 bytes.
   */
  constructor(key: Uint8Array, options: NoiseCipherStateOptions = {}) {
    if (!(key instanceof Uint8Array)) {
      throw new TypeError(
        "Cannot create cipher state: key must be a Uint8Array",
      );
    }
    if (key.length !== 32) {
      throw new RangeError(
        `Cannot create cipher state: key must be 32 bytes, got ${key.length}`,
      );
    }
    const name = options.cipher ?? "ChaChaPoly";
    const cipher = noiseCipher(name);
    if (cipher === undefined) {
      throw new TypeError(
        `Cannot create cipher state: unknown cipher ${
          JSON.stringify(name)
        } (supported: ChaChaPoly, AESGCM)`,
      );
    }
    this.#slot = keySlot(cipher, 0);
    this.#key = Uint8Array.from(key).buffer;
  }

  // This state's key bytes (a view made per call: the state keeps none).
  #view(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.#key, 32 * this.#slot.half, 32);
  }

  /**
   * The counter the next {@linkcode NoiseCipherState.prototype.encrypt} or
   * {@linkcode NoiseCipherState.prototype.decrypt} uses.
   *
   * @example A fresh state starts at 0
   * ```ts
   * import { NoiseCipherState } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new NoiseCipherState(new Uint8Array(32)).nonce, 0n);
   * ```
   *
   * @returns The next counter, 0 to 2^64-2.
   */
  get nonce(): bigint {
    return (BigInt(this.#hi) << 32n) | BigInt(this.#lo);
  }

  #nonceBytes(hi: number, lo: number): Uint8Array<ArrayBuffer> {
    // A fresh array per call: an async AEAD may read it after we return.
    const nonce = new Uint8Array(12);
    this.#slot.cipher.writeNonce(nonce, hi, lo);
    return nonce;
  }

  /**
   * Encrypts a transport message with the next counter and advances it.
   *
   * @example Encrypt a message
   * ```ts
   * import { NoiseCipherState } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * const state = new NoiseCipherState(new Uint8Array(32));
   * const record = await state.encrypt(new Uint8Array(10));
   * assert.equal(record.length, 10 + 16);
   * assert.equal(state.nonce, 1n);
   * ```
   *
   * @param plaintext The message.
   * @param associatedData Authenticated, unencrypted bytes (default empty).
   * @returns The ciphertext followed by the 16-byte tag.
   * @throws {RangeError} When the counter space is exhausted.
   * @throws {TypeError} If an argument is not a `Uint8Array`, or this is the
   * unused direction of a one-way pattern.
   */
  encrypt(
    plaintext: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>> {
    const nonce = this.#take("encrypt", plaintext, associatedData, false);
    if (!(nonce instanceof Uint8Array)) return Promise.reject(nonce);
    return this.#aead(
      true,
      nonce,
      plaintext,
      associatedData,
      undefined,
    ) as Promise<
      Uint8Array<ArrayBuffer>
    >;
  }

  // One AEAD call with this state's key (see cipherCall).
  #aead(
    seal: boolean,
    nonce: Uint8Array,
    data: Uint8Array,
    associatedData: Uint8Array | undefined,
    target: Uint8Array | undefined,
  ): Promise<Uint8Array> {
    return cipherCall(
      seal,
      this.#slot.cipher,
      this.#view(),
      this,
      nonce,
      data,
      associatedData,
      target,
    );
  }

  /**
   * {@linkcode NoiseCipherState.prototype.encrypt} into a buffer the caller
   * provides (for a sender that reuses one buffer per record): the same
   * counter handling and the same bytes, without allocating the result.
   * `output` may overlap `plaintext`, so a record is encrypted in place in a
   * buffer with 16 bytes to spare after it. Leave `output` alone until the
   * promise settles.
   *
   * @example Encrypt in place
   * ```ts
   * import { NoiseCipherState } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * const key = new Uint8Array(32);
   * const sender = new NoiseCipherState(key);
   * const buffer = new Uint8Array(3 + 16);
   * buffer.set([1, 2, 3]);
   * const record = await sender.encryptInto(buffer.subarray(0, 3), buffer);
   * assert.equal(record.buffer, buffer.buffer);
   * assert.equal(sender.nonce, 1n);
   * assert.deepEqual(
   *   record,
   *   await new NoiseCipherState(key).encrypt(Uint8Array.of(1, 2, 3)),
   * );
   * ```
   *
   * @param plaintext The message.
   * @param output Where the ciphertext and tag go: at least
   * `plaintext.length + 16` bytes, written from its start.
   * @param associatedData Authenticated, unencrypted bytes (default empty).
   * @returns The view of `output` holding the ciphertext and the tag.
   * @throws {RangeError} When the counter space is exhausted or `output` is
   * too short (no counter is used then).
   * @throws {TypeError} If an argument is not a `Uint8Array`, or this is the
   * unused direction of a one-way pattern.
   */
  encryptInto(
    plaintext: Uint8Array,
    output: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array> {
    const nonce = this.#take(
      "encrypt",
      plaintext,
      associatedData,
      true,
      output,
    );
    if (!(nonce instanceof Uint8Array)) return Promise.reject(nonce);
    return this.#aead(
      true,
      nonce,
      plaintext,
      associatedData,
      output.subarray(0, plaintext.length + TAG_LENGTH),
    );
  }

  // Checks the arguments (with `into`, an output of at least
  // `outputLength` bytes too), then takes the next counter and returns its
  // nonce; on an error no counter is taken.
  #take(
    action: "encrypt" | "decrypt",
    data: Uint8Array,
    associatedData: Uint8Array | undefined,
    into: boolean,
    output?: Uint8Array,
  ): Uint8Array<ArrayBuffer> | Error {
    const hi = this.#hi;
    const lo = this.#lo;
    const invalid = this.#disabled === undefined
      ? checkData(action, data, associatedData) ??
        (into
          ? checkOutput(action, output!, outputLength(action, data))
          : undefined)
      : disabled(action, this.#disabled);
    if (invalid !== undefined) return invalid;
    if (lo === MAX32 && hi === MAX32) return exhausted(action);
    if (lo === MAX32) {
      this.#hi = hi + 1;
      this.#lo = 0;
    } else {
      this.#lo = lo + 1;
    }
    return this.#nonceBytes(hi, lo);
  }

  /**
   * Decrypts the next transport message and advances the counter; a failed
   * decrypt leaves the counter where it was.
   *
   * @example Decrypt a message
   * ```ts
   * import { AuthenticationError, NoiseCipherState } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * const key = new Uint8Array(32);
   * const record = await new NoiseCipherState(key).encrypt(new Uint8Array([7]));
   * const receiver = new NoiseCipherState(key);
   * const forged = record.slice();
   * forged[0] ^= 1;
   * await assert.rejects(receiver.decrypt(forged), AuthenticationError);
   * assert.equal(receiver.nonce, 0n);
   * assert.deepEqual(await receiver.decrypt(record), new Uint8Array([7]));
   * assert.equal(receiver.nonce, 1n);
   * ```
   *
   * @param ciphertext The ciphertext followed by its tag.
   * @param associatedData The associated data given to `encrypt`.
   * @returns The plaintext.
   * @throws {AuthenticationError} When the message does not authenticate.
   * @throws {RangeError} When the counter space is exhausted.
   */
  decrypt(
    ciphertext: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>> {
    const hi = this.#hi;
    const lo = this.#lo;
    const nonce = this.#take("decrypt", ciphertext, associatedData, false);
    if (!(nonce instanceof Uint8Array)) return Promise.reject(nonce);
    return (this.#aead(
      false,
      nonce,
      ciphertext,
      associatedData,
      undefined,
    ) as Promise<
      Uint8Array<ArrayBuffer>
    >).then(undefined, this.#giveBack(hi, lo));
  }

  /**
   * {@linkcode NoiseCipherState.prototype.decrypt} into a buffer the caller
   * provides: the same counter handling (a failed decrypt gives its counter
   * back) and the same plaintext. The record is verified before anything is
   * written, so a forged one leaves `output` unchanged. `output` may overlap
   * `ciphertext` (decrypt in place). Leave `output` alone until the promise
   * settles, and remember it is overwritten by the next use.
   *
   * @example Decrypt into a reused buffer
   * ```ts
   * import { NoiseCipherState } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * const key = new Uint8Array(32);
   * const sender = new NoiseCipherState(key);
   * const receiver = new NoiseCipherState(key);
   * const buffer = new Uint8Array(1024);
   * for (const text of ["one", "two"]) {
   *   const record = await sender.encrypt(new TextEncoder().encode(text));
   *   const plain = await receiver.decryptInto(record, buffer);
   *   assert.equal(new TextDecoder().decode(plain), text);
   *   assert.equal(plain.buffer, buffer.buffer);
   * }
   * assert.equal(receiver.nonce, 2n);
   * ```
   *
   * @param ciphertext The ciphertext followed by its tag.
   * @param output Where the plaintext goes: at least
   * `ciphertext.length - 16` bytes, written from its start.
   * @param associatedData The associated data given to `encrypt`.
   * @returns The view of `output` holding the plaintext.
   * @throws {AuthenticationError} When the message does not authenticate.
   * @throws {RangeError} When the counter space is exhausted or `output` is
   * too short (no counter is used then).
   * @throws {TypeError} If an argument is not a `Uint8Array`.
   */
  decryptInto(
    ciphertext: Uint8Array,
    output: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array> {
    const hi = this.#hi;
    const lo = this.#lo;
    const nonce = this.#take(
      "decrypt",
      ciphertext,
      associatedData,
      true,
      output,
    );
    if (!(nonce instanceof Uint8Array)) return Promise.reject(nonce);
    const target = output.subarray(0, outputLength("decrypt", ciphertext));
    return this.#aead(false, nonce, ciphertext, associatedData, target)
      .then(undefined, this.#giveBack(hi, lo));
  }

  // The rejection handler of a decrypt that took counter (hi, lo): gives the
  // counter back unless a later decrypt already took the next one, and
  // rejects with an AuthenticationError.
  #giveBack(hi: number, lo: number): (cause: unknown) => never {
    const nextHi = this.#hi;
    const nextLo = this.#lo;
    return (cause) => {
      if (this.#hi === nextHi && this.#lo === nextLo) {
        this.#hi = hi;
        this.#lo = lo;
      }
      throw cause instanceof AuthenticationError
        ? cause
        : new AuthenticationError(
          "Cannot decrypt: authentication failed",
          { cause },
        );
    };
  }

  #explicit(
    action: "encrypt" | "decrypt",
    nonce: bigint,
    data: Uint8Array,
    associatedData: Uint8Array | undefined,
  ): Uint8Array<ArrayBuffer> {
    if (this.#disabled !== undefined) throw disabled(action, this.#disabled);
    const invalid = checkData(action, data, associatedData);
    if (invalid !== undefined) throw invalid;
    if (typeof nonce !== "bigint") {
      throw new TypeError(
        `Cannot ${action}: nonce must be a bigint, got ${typeof nonce}`,
      );
    }
    if (nonce === MAX_NONCE) throw exhausted(action);
    if (nonce < 0n || nonce > MAX_NONCE) {
      throw new RangeError(
        `Cannot ${action}: nonce ${nonce} is outside 0 to ${MAX_NONCE - 1n}`,
      );
    }
    return this.#nonceBytes(
      Number(nonce >> 32n),
      Number(nonce & 0xffffffffn),
    );
  }

  /**
   * Encrypts with an explicit counter, for lossy media where each message
   * carries its counter. Does not move {@linkcode NoiseCipherState.prototype.nonce};
   * the caller must never use one counter twice.
   *
   * @example Encrypt out of order
   * ```ts
   * import { NoiseCipherState } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * const key = new Uint8Array(32);
   * const sender = new NoiseCipherState(key);
   * const receiver = new NoiseCipherState(key);
   * const record = await sender.encryptWithNonce(5n, new Uint8Array([1]));
   * assert.deepEqual(await receiver.decryptWithNonce(5n, record), new Uint8Array([1]));
   * assert.equal(sender.nonce, 0n);
   * ```
   *
   * @param nonce The counter, 0 to 2^64-2.
   * @param plaintext The message.
   * @param associatedData Authenticated, unencrypted bytes (default empty).
   * @returns The ciphertext followed by the 16-byte tag.
   * @throws {TypeError} If `nonce` is not a bigint.
   * @throws {RangeError} If `nonce` is out of range (2^64-1 is reserved).
   */
  encryptWithNonce(
    nonce: bigint,
    plaintext: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>> {
    try {
      return this.#aead(
        true,
        this.#explicit("encrypt", nonce, plaintext, associatedData),
        plaintext,
        associatedData,
        undefined,
      ) as Promise<Uint8Array<ArrayBuffer>>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Decrypts with an explicit counter; does not move
   * {@linkcode NoiseCipherState.prototype.nonce}. Replay protection is the
   * caller's (e.g. a sliding window over accepted counters).
   *
   * @example Decrypt with the counter carried by the message
   * ```ts
   * import { AuthenticationError, NoiseCipherState } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * const key = new Uint8Array(32);
   * const record = await new NoiseCipherState(key).encryptWithNonce(9n, new Uint8Array([2]));
   * const receiver = new NoiseCipherState(key);
   * await assert.rejects(receiver.decryptWithNonce(8n, record), AuthenticationError);
   * assert.deepEqual(await receiver.decryptWithNonce(9n, record), new Uint8Array([2]));
   * ```
   *
   * @param nonce The counter the message was encrypted with.
   * @param ciphertext The ciphertext followed by its tag.
   * @param associatedData The associated data given when encrypting.
   * @returns The plaintext.
   * @throws {AuthenticationError} When the message does not authenticate.
   * @throws {RangeError} If `nonce` is out of range.
   */
  decryptWithNonce(
    nonce: bigint,
    ciphertext: Uint8Array,
    associatedData?: Uint8Array,
  ): Promise<Uint8Array<ArrayBuffer>> {
    try {
      return this.#aead(
        false,
        this.#explicit("decrypt", nonce, ciphertext, associatedData),
        ciphertext,
        associatedData,
        undefined,
      ) as Promise<Uint8Array<ArrayBuffer>>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Noise `REKEY()`: the new key is the first 32 bytes of encrypting 32 zero
   * bytes with counter 2^64-1. The counter is unchanged. Both ends must
   * rekey at the same point of the stream.
   *
   * @example Rekey both ends and keep talking
   * ```ts
   * import { NoiseCipherState } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * const key = new Uint8Array(32);
   * const sender = new NoiseCipherState(key);
   * const receiver = new NoiseCipherState(key);
   * sender.rekey();
   * receiver.rekey();
   * const record = await sender.encrypt(new Uint8Array([3]));
   * assert.deepEqual(await receiver.decrypt(record), new Uint8Array([3]));
   * ```
   */
  rekey(): void {
    if (this.#disabled !== undefined) throw disabled("rekey", this.#disabled);
    const nonce = this.#nonceBytes(MAX32, MAX32);
    const key = this.#view();
    const out = this.#slot.cipher.encryptSync(key, nonce, new Uint8Array(32));
    // In place: the old key is overwritten, and calls already started
    // took their key (node:crypto and importKey copy it when called).
    key.set(out.subarray(0, 32));
    out.fill(0);
    forgetSubtleKey(this);
  }

  /**
   * Whether {@linkcode NoiseCipherState.prototype.destroy} was called.
   *
   * @example A state is live until destroyed
   * ```ts
   * import { NoiseCipherState } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * const state = new NoiseCipherState(new Uint8Array(32));
   * assert.equal(state.destroyed, false);
   * state.destroy();
   * assert.equal(state.destroyed, true);
   * ```
   *
   * @returns `true` once destroyed.
   */
  get destroyed(): boolean {
    return this.#disabled === DESTROYED;
  }

  /**
   * Zeroes the key this state holds (its only copy), so the session key
   * does not outlive the session in memory. Every later `encrypt`,
   * `decrypt`, `encryptWithNonce`, `decryptWithNonce` and `rekey` fails with
   * a `TypeError` ("Cannot encrypt: cipher state is destroyed"); calls
   * already started finish with the key they began with. Idempotent.
   *
   * A `CryptoKey` imported for large AES-GCM records is dropped (Web Crypto
   * keeps its copy until it is collected).
   *
   * @example Destroy a state after use
   * ```ts
   * import { NoiseCipherState } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * const state = new NoiseCipherState(new Uint8Array(32));
   * await state.encrypt(new Uint8Array([1]));
   * state.destroy();
   * await assert.rejects(state.encrypt(new Uint8Array([2])), {
   *   name: "TypeError",
   *   message: "Cannot encrypt: cipher state is destroyed",
   * });
   * ```
   */
  destroy(): void {
    this.#view().fill(0);
    forgetSubtleKey(this);
    this.#disabled = DESTROYED;
  }

  /**
   * Same as {@linkcode NoiseCipherState.prototype.destroy}, for `using`.
   *
   * @example Destroyed at the end of the block
   * ```ts
   * import { NoiseCipherState } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * let kept: NoiseCipherState;
   * {
   *   using state = new NoiseCipherState(new Uint8Array(32));
   *   kept = state;
   * }
   * assert.equal(kept.destroyed, true);
   * ```
   */
  [Symbol.dispose](): void {
    this.destroy();
  }
}
