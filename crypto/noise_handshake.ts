// Copyright 2026 the moonwire authors. MIT license.
/**
 * The Noise Protocol Framework handshake (revision 34).
 *
 * @module
 */
import type { KeyPair } from "./key_pair.ts";
import { AuthenticationError, HandshakeError } from "./errors.ts";
import type { KeyObject } from "node:crypto";
import {
  dh,
  type DhKey,
  dhPublicKey,
  dhStaticPublicKey,
  InvalidPublicKeyError,
  loadDhKey,
  type NoiseProtocol,
  parseProtocolName,
} from "./_noise_functions.ts";
import type { NoiseToken } from "./_noise_patterns.ts";
import { SymmetricState } from "./_noise_symmetric_state.ts";
import { takeEphemeralKey } from "./_ephemeral_pool.ts";
import { NoiseCipherState } from "./noise_cipher_state.ts";
import {
  disableNoiseCipherState,
  shareNoiseKeyBuffer,
} from "./_noise_cipher_access.ts";

/** Options for {@linkcode NoiseHandshake}. */
export interface NoiseHandshakeOptions {
  /** `true` for the party that sends the first handshake message. */
  initiator: boolean;
  /** Bytes both parties must agree on; mixed into the handshake hash. */
  prologue?: Uint8Array;
  /**
   * This party's static X25519 key pair. Required when the pattern gives
   * this role a static key (e.g. the NK/NX responder, the XX initiator).
   */
  staticKeyPair?: KeyPair;
  /**
   * The peer's static public key, known in advance. Required when the
   * pattern has it as a pre-message (e.g. the NK/KK/IK initiator) and refused
   * when the peer transmits it during the handshake (read
   * {@linkcode NoiseHandshake.prototype.remoteStaticPublicKey} afterwards).
   */
  remoteStaticPublicKey?: Uint8Array;
  /** Pre-shared 32-byte keys, one per `psk` modifier, in pattern order. */
  psks?: Uint8Array[];
  /**
   * A fixed ephemeral key pair. For test vectors only: reusing an
   * ephemeral key breaks Noise's security.
   */
  ephemeralKeyPair?: KeyPair;
  /** Largest handshake message, 1–65535 bytes. Defaults to 65535. */
  maxMessageSize?: number;
}

/** The transport cipher states of a finished handshake, for this side. */
export interface NoiseTransport {
  /** Encrypts messages to the peer. */
  send: NoiseCipherState;
  /** Decrypts messages from the peer. */
  receive: NoiseCipherState;
  /** The final handshake hash, for channel binding. */
  handshakeHash: Uint8Array<ArrayBuffer>;
}

const DHLEN = 32;
const TAGLEN = 16;
const NOISE_MAX_MESSAGE = 65535;
const EMPTY = new Uint8Array(0);

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

function checkKeyPair(label: string, keyPair: unknown): KeyPair {
  if (typeof keyPair !== "object" || keyPair === null) {
    throw new TypeError(
      `Cannot create Noise handshake: ${label} must be a key pair`,
    );
  }
  const { publicKey, privateKey } = keyPair as Partial<KeyPair>;
  if (!isBytes(publicKey) || !isBytes(privateKey)) {
    throw new TypeError(
      `Cannot create Noise handshake: ${label} must have Uint8Array publicKey and privateKey`,
    );
  }
  if (publicKey.length !== DHLEN || privateKey.length !== DHLEN) {
    throw new RangeError(
      `Cannot create Noise handshake: ${label} keys must be 32 bytes, got ${publicKey.length} and ${privateKey.length}`,
    );
  }
  return keyPair as KeyPair;
}

/**
 * A Noise handshake state machine for one party, driven by the pattern in
 * its protocol name: `Noise_<pattern>_25519_<ChaChaPoly|AESGCM>_<SHA256|SHA512|BLAKE2s|BLAKE2b>`.
 * All one-way, interactive and deferred patterns of revision 34 are
 * supported, with any `pskN` modifiers (`NNpsk0`, `XXpsk3`, `NNpsk0+psk2`).
 *
 * Parties alternate `writeMessage` and `readMessage` until
 * {@linkcode NoiseHandshake.prototype.isComplete}, then call
 * {@linkcode NoiseHandshake.prototype.split} once. Every failure of a handshake
 * message (too short, too long, bad tag, invalid key, wrong turn) is a
 * {@linkcode HandshakeError}. A message that fails leaves the state as it
 * was, so a forged message cannot derail a handshake in progress.
 *
 * moonwire uses `Noise_NK_25519_ChaChaPoly_SHA256` (server key known),
 * `Noise_NX_25519_ChaChaPoly_SHA256` (server key learned in the handshake)
 * and `Noise_NNpsk0_25519_AESGCM_SHA256` (shared cipher key).
 *
 * @example NK handshake and one message each way
 * ```ts
 * import { generateX25519KeyPair, NoiseHandshake } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const server = generateX25519KeyPair();
 * const name = "Noise_NK_25519_ChaChaPoly_SHA256";
 * const client = new NoiseHandshake(name, {
 *   initiator: true,
 *   remoteStaticPublicKey: server.publicKey,
 * });
 * const host = new NoiseHandshake(name, { initiator: false, staticKeyPair: server });
 *
 * await host.readMessage(await client.writeMessage());
 * await client.readMessage(await host.writeMessage());
 * assert.ok(client.isComplete && host.isComplete);
 * assert.deepEqual(client.getHandshakeHash(), host.getHandshakeHash());
 *
 * const c = client.split();
 * const h = host.split();
 * const hello = new TextEncoder().encode("hello");
 * assert.deepEqual(await h.receive.decrypt(await c.send.encrypt(hello)), hello);
 * assert.deepEqual(await c.receive.decrypt(await h.send.encrypt(hello)), hello);
 * ```
 */
export class NoiseHandshake {
  /** The protocol name this handshake was created with. */
  readonly protocolName: string;
  #protocol: NoiseProtocol;
  #initiator: boolean;
  #ss: SymmetricState;
  #s: DhKey | undefined;
  #e: DhKey | undefined;
  #rs: Uint8Array<ArrayBuffer> | undefined;
  #re: Uint8Array<ArrayBuffer> | undefined;
  // Remote keys imported for DH, each with the array it came from (#re and
  // #rs are replaced, never changed in place): a key used twice is imported
  // once.
  #reKey: { from: Uint8Array; key: KeyObject } | undefined;
  #rsKey: { from: Uint8Array; key: KeyObject } | undefined;
  #fixedEphemeral: KeyPair | undefined;
  #psks: Uint8Array<ArrayBuffer>[];
  #pskIndex = 0;
  #messageIndex = 0;
  #maxMessageSize: number;
  #busy = false;
  #split = false;

  /**
   * Creates one party's handshake state.
   *
   * @example NX: the responder sends its static key, the initiator learns it
   * ```ts
   * import { generateX25519KeyPair, NoiseHandshake } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * const server = generateX25519KeyPair();
   * const name = "Noise_NX_25519_ChaChaPoly_SHA256";
   * const client = new NoiseHandshake(name, { initiator: true });
   * const host = new NoiseHandshake(name, { initiator: false, staticKeyPair: server });
   * await host.readMessage(await client.writeMessage());
   * const certificate = new TextEncoder().encode("certificate");
   * const payload = await client.readMessage(await host.writeMessage(certificate));
   * assert.deepEqual(payload, certificate);
   * assert.deepEqual(client.remoteStaticPublicKey, server.publicKey);
   * ```
   *
   * @param protocolName The full Noise protocol name.
   * @param options The role, keys, PSKs and prologue.
   * @throws {SyntaxError} If the protocol name does not parse.
   * @throws {TypeError} If a part of the name is unsupported, or a key the
   * pattern needs is missing (or one it forbids is given).
   * @throws {RangeError} If a key or PSK is not 32 bytes, or
   * `maxMessageSize` is outside 1–65535.
   */
  constructor(protocolName: string, options: NoiseHandshakeOptions) {
    const protocol = parseProtocolName(protocolName);
    const pattern = protocol.pattern;
    if (typeof options !== "object" || options === null) {
      throw new TypeError(
        "Cannot create Noise handshake: options must be an object",
      );
    }
    if (typeof options.initiator !== "boolean") {
      throw new TypeError(
        "Cannot create Noise handshake: options.initiator must be a boolean",
      );
    }
    const initiator = options.initiator;
    const role = initiator ? "initiator" : "responder";
    const maxMessageSize = options.maxMessageSize ?? NOISE_MAX_MESSAGE;
    if (
      !Number.isInteger(maxMessageSize) || maxMessageSize < 1 ||
      maxMessageSize > NOISE_MAX_MESSAGE
    ) {
      throw new RangeError(
        `Cannot create Noise handshake: maxMessageSize must be an integer from 1 to 65535, got ${maxMessageSize}`,
      );
    }
    const prologue = options.prologue ?? EMPTY;
    if (!isBytes(prologue)) {
      throw new TypeError(
        "Cannot create Noise handshake: prologue must be a Uint8Array",
      );
    }

    const needsStatic = initiator
      ? pattern.initiatorHasStatic
      : pattern.responderHasStatic;
    if (needsStatic && options.staticKeyPair === undefined) {
      throw new TypeError(
        `Cannot create Noise handshake: ${pattern.name} ${role} requires staticKeyPair`,
      );
    }
    const remotePreMessage = initiator
      ? pattern.responderPreMessage
      : pattern.initiatorPreMessage;
    const remoteKnown = remotePreMessage.includes("s");
    if (remoteKnown && options.remoteStaticPublicKey === undefined) {
      throw new TypeError(
        `Cannot create Noise handshake: ${pattern.name} ${role} requires remoteStaticPublicKey`,
      );
    }
    if (!remoteKnown && options.remoteStaticPublicKey !== undefined) {
      throw new TypeError(
        `Cannot create Noise handshake: ${pattern.name} ${role} must not be given remoteStaticPublicKey (the peer ${
          (initiator ? pattern.responderHasStatic : pattern.initiatorHasStatic)
            ? "sends its static key in the handshake"
            : "has no static key"
        })`,
      );
    }
    if (options.remoteStaticPublicKey !== undefined) {
      if (!isBytes(options.remoteStaticPublicKey)) {
        throw new TypeError(
          "Cannot create Noise handshake: remoteStaticPublicKey must be a Uint8Array",
        );
      }
      if (options.remoteStaticPublicKey.length !== DHLEN) {
        throw new RangeError(
          `Cannot create Noise handshake: remoteStaticPublicKey must be 32 bytes, got ${options.remoteStaticPublicKey.length}`,
        );
      }
    }
    const psks = options.psks ?? [];
    if (!Array.isArray(psks) || !psks.every(isBytes)) {
      throw new TypeError(
        "Cannot create Noise handshake: psks must be an array of Uint8Array",
      );
    }
    if (psks.length !== pattern.pskCount) {
      throw new TypeError(
        `Cannot create Noise handshake: ${pattern.name} needs ${pattern.pskCount} PSK${
          pattern.pskCount === 1 ? "" : "s"
        }, got ${psks.length}`,
      );
    }
    psks.forEach((psk, i) => {
      if (psk.length !== 32) {
        throw new RangeError(
          `Cannot create Noise handshake: PSK ${i} must be 32 bytes, got ${psk.length}`,
        );
      }
    });
    const staticKeyPair = needsStatic
      ? checkKeyPair("staticKeyPair", options.staticKeyPair)
      : undefined;
    this.#fixedEphemeral = options.ephemeralKeyPair === undefined
      ? undefined
      : checkKeyPair("ephemeralKeyPair", options.ephemeralKeyPair);

    this.protocolName = protocolName;
    this.#protocol = protocol;
    this.#initiator = initiator;
    this.#maxMessageSize = maxMessageSize;
    this.#psks = psks.map((psk) => Uint8Array.from(psk));
    this.#s = staticKeyPair === undefined
      ? undefined
      : loadDhKey(staticKeyPair);
    this.#rs = remoteKnown
      ? Uint8Array.from(options.remoteStaticPublicKey!)
      : undefined;
    this.#ss = SymmetricState.initialize(
      protocolName,
      protocol.cipher,
      protocol.hash,
    );
    this.#ss.mixHash(prologue);
    // Pre-messages: the initiator's keys first, then the responder's (§5.3).
    for (
      const [side, tokens] of [[true, pattern.initiatorPreMessage], [
        false,
        pattern.responderPreMessage,
      ]] as const
    ) {
      for (const token of tokens) {
        // Standard patterns only carry `s` in pre-messages.
        const key = side === initiator ? this.#s!.publicKey : this.#rs!;
        if (token === "s") this.#ss.mixHash(key);
      }
    }
  }

  /**
   * Whether every handshake message of the pattern has been processed.
   *
   * @returns `true` once `split()` may be called.
   */
  get isComplete(): boolean {
    return this.#messageIndex >= this.#protocol.pattern.messages.length;
  }

  /**
   * Whether the next call should be `writeMessage` (otherwise
   * `readMessage`). `false` once complete.
   *
   * @returns `true` when it is this party's turn to write.
   */
  get isMyTurn(): boolean {
    return !this.isComplete &&
      (this.#messageIndex % 2 === 0) === this.#initiator;
  }

  /**
   * The peer's static public key: given in the options or learned from the
   * handshake. Check it against the expected identity (e.g. a certificate)
   * before trusting the session.
   *
   * @returns A copy of the key, or `undefined` when not known (yet).
   */
  get remoteStaticPublicKey(): Uint8Array | undefined {
    return this.#rs === undefined ? undefined : this.#rs.slice();
  }

  // Exact length of the next message for `payloadLength`, or with
  // payloadLength 0 the minimum length of a message to read.
  #messageLength(tokens: readonly NoiseToken[], payloadLength: number): number {
    const psk = this.#protocol.pattern.pskCount > 0;
    let hasKey = this.#ss.hasKey;
    let length = 0;
    for (const token of tokens) {
      if (token === "e") {
        length += DHLEN;
        if (psk) hasKey = true;
      } else if (token === "s") {
        length += DHLEN + (hasKey ? TAGLEN : 0);
      } else {
        hasKey = true;
      }
    }
    return length + payloadLength + (hasKey ? TAGLEN : 0);
  }

  #dh(
    ss: SymmetricState,
    local: DhKey | undefined,
    remote: Uint8Array | undefined,
  ): void {
    // Missing keys cannot happen for a validated pattern; fail closed anyway.
    if (local === undefined || remote === undefined) {
      throw new HandshakeError("Cannot process handshake: missing key");
    }
    const shared = dh(local, this.#remoteKey(remote));
    ss.mixKey(shared);
    shared.fill(0);
  }

  #remoteKey(remote: Uint8Array): KeyObject {
    const ephemeral = remote === this.#re;
    const cached = ephemeral ? this.#reKey : this.#rsKey;
    if (cached !== undefined && cached.from === remote) return cached.key;
    const key = ephemeral ? dhPublicKey(remote) : dhStaticPublicKey(remote);
    if (ephemeral) this.#reKey = { from: remote, key };
    else this.#rsKey = { from: remote, key };
    return key;
  }

  #processDh(ss: SymmetricState, token: NoiseToken): void {
    const i = this.#initiator;
    switch (token) {
      case "ee":
        return this.#dh(ss, this.#e, this.#re);
      case "es":
        return i
          ? this.#dh(ss, this.#e, this.#rs)
          : this.#dh(ss, this.#s, this.#re);
      case "se":
        return i
          ? this.#dh(ss, this.#s, this.#re)
          : this.#dh(ss, this.#e, this.#rs);
      case "ss":
        return this.#dh(ss, this.#s, this.#rs);
      case "psk":
        return ss.mixKeyAndHash(this.#psks[this.#pskIndex++]);
    }
  }

  #checkState(action: "write" | "read"): void {
    if (this.isComplete) {
      throw new HandshakeError(
        `Cannot ${action} handshake message: handshake is complete`,
      );
    }
    if (this.#busy) {
      throw new HandshakeError(
        `Cannot ${action} handshake message: another handshake message is being processed`,
      );
    }
    if (action === "write" && !this.isMyTurn) {
      throw new HandshakeError(
        "Cannot write handshake message: it is the peer's turn to write",
      );
    }
    if (action === "read" && this.isMyTurn) {
      throw new HandshakeError(
        "Cannot read handshake message: it is our turn to write",
      );
    }
  }

  #fail(action: "write" | "read", error: unknown): HandshakeError {
    if (error instanceof HandshakeError) return error;
    const detail = error instanceof AuthenticationError
      ? "authentication failed"
      : error instanceof InvalidPublicKeyError
      ? "invalid public key (DH output is all zeros)"
      : `${(error as Error)?.message ?? error}`;
    return new HandshakeError(`Cannot ${action} handshake message: ${detail}`, {
      cause: error,
    });
  }

  /**
   * Writes the next handshake message.
   *
   * @example The initiator's first NN message
   * ```ts
   * import { NoiseHandshake } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * const client = new NoiseHandshake("Noise_NN_25519_ChaChaPoly_SHA256", { initiator: true });
   * const message = await client.writeMessage(new Uint8Array([1, 2]));
   * assert.equal(message.length, 32 + 2); // ephemeral key + plaintext payload
   * assert.equal(client.isMyTurn, false);
   * ```
   *
   * @param payload Bytes carried by the message (encrypted once the pattern
   * has a key). Defaults to empty.
   * @returns The handshake message to send.
   * @throws {HandshakeError} When it is not this party's turn, the handshake
   * is complete, the message would exceed `maxMessageSize`, or a DH result is
   * invalid.
   * @throws {TypeError} If `payload` is not a `Uint8Array`.
   */
  async writeMessage(
    payload: Uint8Array = EMPTY,
  ): Promise<Uint8Array<ArrayBuffer>> {
    if (!isBytes(payload)) {
      throw new TypeError(
        "Cannot write handshake message: payload must be a Uint8Array",
      );
    }
    this.#checkState("write");
    const tokens = this.#protocol.pattern.messages[this.#messageIndex];
    if (payload.length > this.#maxMessageSize) {
      throw new HandshakeError(
        `Cannot write handshake message: payload of ${payload.length} bytes exceeds limit ${this.#maxMessageSize}`,
      );
    }
    const length = this.#messageLength(tokens, payload.length);
    if (length > this.#maxMessageSize) {
      throw new HandshakeError(
        `Cannot write handshake message: length ${length} exceeds limit ${this.#maxMessageSize}`,
      );
    }
    this.#busy = true;
    const saved = { e: this.#e, pskIndex: this.#pskIndex };
    const ss = this.#ss.clone();
    try {
      const message = new Uint8Array(length);
      let offset = 0;
      for (const token of tokens) {
        if (token === "e") {
          const e = this.#fixedEphemeral === undefined
            ? takeEphemeralKey()
            : loadDhKey(this.#fixedEphemeral);
          this.#e = e;
          message.set(e.publicKey, offset);
          offset += DHLEN;
          ss.mixHash(e.publicKey);
          if (this.#protocol.pattern.pskCount > 0) ss.mixKey(e.publicKey);
        } else if (token === "s") {
          const sealed = await ss.encryptAndHash(this.#s!.publicKey);
          message.set(sealed, offset);
          offset += sealed.length;
        } else {
          this.#processDh(ss, token);
        }
      }
      message.set(await ss.encryptAndHash(payload), offset);
      this.#ss = ss;
      this.#messageIndex++;
      return message;
    } catch (error) {
      this.#e = saved.e;
      this.#pskIndex = saved.pskIndex;
      throw this.#fail("write", error);
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Reads the peer's next handshake message. On any failure the handshake
   * state is unchanged.
   *
   * @example A bad message is a HandshakeError
   * ```ts
   * import { HandshakeError, NoiseHandshake } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * const host = new NoiseHandshake("Noise_NN_25519_ChaChaPoly_SHA256", { initiator: false });
   * await assert.rejects(host.readMessage(new Uint8Array(5)), {
   *   name: "HandshakeError",
   *   message: "Cannot read handshake message: length 5 is below the minimum 32",
   * });
   * assert.ok(HandshakeError);
   * ```
   *
   * @param message The handshake message received.
   * @returns The decrypted payload.
   * @throws {HandshakeError} When the message is too short or too long, does
   * not authenticate, carries an invalid key, or arrives out of turn.
   * @throws {TypeError} If `message` is not a `Uint8Array`.
   */
  async readMessage(message: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
    if (!isBytes(message)) {
      throw new TypeError(
        "Cannot read handshake message: message must be a Uint8Array",
      );
    }
    this.#checkState("read");
    if (message.length > this.#maxMessageSize) {
      throw new HandshakeError(
        `Cannot read handshake message: length ${message.length} exceeds limit ${this.#maxMessageSize}`,
      );
    }
    const tokens = this.#protocol.pattern.messages[this.#messageIndex];
    const minimum = this.#messageLength(tokens, 0);
    if (message.length < minimum) {
      throw new HandshakeError(
        `Cannot read handshake message: length ${message.length} is below the minimum ${minimum}`,
      );
    }
    this.#busy = true;
    const saved = { re: this.#re, rs: this.#rs, pskIndex: this.#pskIndex };
    const ss = this.#ss.clone();
    try {
      let offset = 0;
      for (const token of tokens) {
        if (token === "e") {
          const re = message.slice(offset, offset + DHLEN);
          offset += DHLEN;
          this.#re = re;
          ss.mixHash(re);
          if (this.#protocol.pattern.pskCount > 0) ss.mixKey(re);
        } else if (token === "s") {
          const length = DHLEN + (ss.hasKey ? TAGLEN : 0);
          this.#rs = await ss.decryptAndHash(
            message.subarray(offset, offset + length),
          );
          offset += length;
        } else {
          this.#processDh(ss, token);
        }
      }
      const payload = await ss.decryptAndHash(message.subarray(offset));
      this.#ss = ss;
      this.#messageIndex++;
      return payload;
    } catch (error) {
      this.#re = saved.re;
      this.#rs = saved.rs;
      this.#pskIndex = saved.pskIndex;
      throw this.#fail("read", error);
    } finally {
      this.#busy = false;
    }
  }

  /**
   * The handshake hash `h`: after completion, a unique identifier of the
   * session for channel binding (equal on both sides).
   *
   * @example Both sides agree
   * ```ts
   * import { NoiseHandshake } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * const name = "Noise_NN_25519_ChaChaPoly_SHA256";
   * const a = new NoiseHandshake(name, { initiator: true });
   * const b = new NoiseHandshake(name, { initiator: false });
   * await b.readMessage(await a.writeMessage());
   * await a.readMessage(await b.writeMessage());
   * assert.deepEqual(a.getHandshakeHash(), b.getHandshakeHash());
   * ```
   *
   * @returns A copy of the current handshake hash (32 or 64 bytes).
   */
  getHandshakeHash(): Uint8Array<ArrayBuffer> {
    return this.#ss.h.slice();
  }

  /**
   * Derives the transport cipher states, oriented for this side. Call once,
   * after the handshake is complete. For one-way patterns (N, K, X) only the
   * initiator's `send` and the responder's `receive` work; the other
   * direction throws a `TypeError` on use.
   *
   * @example Split after NN
   * ```ts
   * import { NoiseHandshake } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * const name = "Noise_NN_25519_AESGCM_SHA256";
   * const a = new NoiseHandshake(name, { initiator: true });
   * const b = new NoiseHandshake(name, { initiator: false });
   * await b.readMessage(await a.writeMessage());
   * await a.readMessage(await b.writeMessage());
   * const ta = a.split();
   * const tb = b.split();
   * const record = await tb.send.encrypt(new Uint8Array([9]));
   * assert.deepEqual(await ta.receive.decrypt(record), new Uint8Array([9]));
   * assert.deepEqual(ta.handshakeHash, tb.handshakeHash);
   * ```
   *
   * @returns The `send` and `receive` cipher states and the handshake hash.
   * @throws {HandshakeError} When the handshake is not complete or was
   * already split.
   */
  split(): NoiseTransport {
    if (!this.isComplete) {
      throw new HandshakeError(
        "Cannot split handshake: handshake is not complete",
      );
    }
    if (this.#split) {
      throw new HandshakeError("Cannot split handshake: already split");
    }
    this.#split = true;
    const [k1, k2] = this.#ss.split();
    const options = { cipher: this.#protocol.cipher.name };
    const c1 = new NoiseCipherState(k1, options);
    const c2 = new NoiseCipherState(k2, options);
    shareNoiseKeyBuffer(c1, c2);
    k1.fill(0);
    k2.fill(0);
    // The handshake secrets are no longer needed.
    for (const psk of this.#psks) psk.fill(0);
    this.#e = undefined;
    this.#fixedEphemeral = undefined;
    this.#reKey = undefined;
    this.#rsKey = undefined;
    if (this.#protocol.pattern.oneWay) {
      // §5: one-way patterns discard c2; fail closed if it is used.
      disableNoiseCipherState(
        c2,
        `one-way pattern ${this.#protocol.pattern.name} only carries initiator-to-responder messages`,
      );
    }
    return {
      send: this.#initiator ? c1 : c2,
      receive: this.#initiator ? c2 : c1,
      handshakeHash: this.#ss.h.slice(),
    };
  }
}
