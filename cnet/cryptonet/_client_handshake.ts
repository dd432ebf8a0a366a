// Copyright 2026 the moonwire authors. MIT license.
// The client's half of the CryptoNet handshake, sans-I/O: Noise NK (the
// certificate is known) or NX (it is learned from the answer and judged:
// it must carry the name, match the handshake key and be signed by the CA
// key, or, without one or with allowUnsigned, be the only one answering).
// The driver feeds it answers, the CA key (read from a file) and clock
// readings, and sends what pollTransmit() gives to the server's channel;
// `result` is set once the handshake is decided.
import {
  type Certificate,
  decodeCertificate,
  HandshakeError,
  NoiseHandshake,
  timingSafeEqual,
  verifyCertificate,
} from "../../crypto/mod.ts";
import { TimeoutError } from "../../net/mod.ts";
import { encodeHello, HandshakePattern, PROTOCOL_NAMES } from "./_packet.ts";
import { prologue } from "./_prologue.ts";
import { ephemeralKeyPair } from "./_x25519.ts";

/** An acceptable answer: its handshake state and the server's certificate. */
export interface Candidate {
  handshake: NoiseHandshake;
  certificate: Certificate;
  verified: boolean;
}

export type HandshakeResult =
  | { ok: true; candidate: Candidate }
  | { ok: false; error: Error };

export interface ClientHandshakeInit {
  /** For messages: `connect to "<name>"`. */
  action: string;
  name: string;
  idBytes: Uint8Array<ArrayBuffer>;
  /** The certificate given by the caller (NK), or undefined (NX). */
  provided: Certificate | undefined;
  allowUnsigned: boolean;
  /** ms to wait for an acceptable answer. */
  timeout: number;
  /** ms to collect unsigned NX answers before choosing. */
  certTimeout: number;
  /** ms between HELLO retransmissions. */
  retransmit: number;
  now: number;
}

export function ambiguousAnswers(action: string, count: number): Error {
  return new HandshakeError(
    `Cannot ${action}: ${count} servers answered with different certificates and no certificate authority key can tell them apart`,
  );
}

export class ClientHandshake {
  readonly pattern: HandshakePattern;
  readonly #init: ClientHandshakeInit;
  readonly #makeHandshake: () => NoiseHandshake;
  readonly #primary: NoiseHandshake;
  readonly #caKey = Promise.withResolvers<Uint8Array | undefined>();
  readonly #unverified = new Map<string, Candidate>();
  readonly #rejections: string[] = [];
  #message: Uint8Array | undefined;
  #hello: Uint8Array<ArrayBuffer> | undefined;
  #transmits: Uint8Array<ArrayBuffer>[] = [];
  #result: HandshakeResult | undefined;
  #chain: Promise<void> = Promise.resolve();
  #primaryUsed = false;
  #certWindowOver = false;
  #nextSend: number;
  #certAt: number | undefined;
  #deadline: number | undefined;

  constructor(init: ClientHandshakeInit) {
    this.#init = init;
    this.pattern = init.provided === undefined
      ? HandshakePattern.NX
      : HandshakePattern.NK;
    const ephemeral = ephemeralKeyPair();
    const handshakePrologue = prologue(init.name, init.idBytes, this.pattern);
    // The first answer is read by the state that wrote the HELLO; later
    // ones by fresh states rebuilt from the same ephemeral key, so several
    // servers answering one request can each be checked (and a bad answer
    // does not spoil the state for a good one).
    this.#makeHandshake = () =>
      new NoiseHandshake(PROTOCOL_NAMES[this.pattern], {
        initiator: true,
        prologue: handshakePrologue,
        ephemeralKeyPair: ephemeral,
        remoteStaticPublicKey: init.provided?.publicKey,
      });
    this.#primary = this.#makeHandshake();
    this.#nextSend = init.now;
    this.#certAt = init.provided === undefined
      ? init.now + init.certTimeout
      : undefined;
    this.#deadline = init.now + init.timeout;
    // A CA key that cannot be loaded fails the handshake at once.
    this.#caKey.promise.catch((error) => this.#finish(error));
  }

  /** Writes the HELLO; it goes out at the first handleTimeout (due now). */
  async start(): Promise<void> {
    const message = await this.#primary.writeMessage();
    this.#message = message;
    this.#hello = encodeHello(
      this.#init.idBytes,
      this.pattern,
      this.#init.name,
      message,
    );
  }

  /** The CA public key (undefined: none), or why it could not be loaded. */
  setCaKey(key: Uint8Array | undefined | Error): void {
    if (key instanceof Error) this.#caKey.reject(key);
    else this.#caKey.resolve(key);
  }

  /** A HELLO_REPLY for this session id. */
  handleReply(reply: Uint8Array): Promise<void> {
    this.#chain = this.#chain.then(() => this.#examine(reply)).catch(() => {});
    return this.#chain;
  }

  /**
   * A COOKIE from a server under load: the HELLO is repeated with it at
   * once, and so are its retransmissions (the latest cookie wins).
   */
  handleCookie(cookie: Uint8Array, now: number): void {
    if (this.#result !== undefined || this.#message === undefined) return;
    const { idBytes, name, retransmit } = this.#init;
    this.#hello = encodeHello(
      idBytes,
      this.pattern,
      name,
      this.#message,
      cookie,
    );
    this.#transmits.push(this.#hello);
    this.#nextSend = now + retransmit;
  }

  /** HELLO retransmission, the end of the certificate window, the deadline. */
  handleTimeout(now: number): Promise<void> {
    if (this.#result !== undefined) return Promise.resolve();
    if (this.#hello !== undefined && now >= this.#nextSend) {
      this.#transmits.push(this.#hello);
      this.#nextSend = now + this.#init.retransmit;
    }
    if (this.#certAt !== undefined && now >= this.#certAt) {
      this.#certAt = undefined;
      this.#certWindowOver = true;
      this.#chain = this.#chain.then(() => this.#decide());
    }
    if (this.#deadline !== undefined && now >= this.#deadline) {
      this.#deadline = undefined;
      this.#chain = this.#chain.then(async () => {
        try {
          await this.#caKey.promise;
        } catch (error) {
          this.#finish(error as Error);
          return;
        }
        this.#decide();
        const { action, timeout } = this.#init;
        this.#finish(
          this.#rejections.length > 0
            ? new HandshakeError(`Cannot ${action}: ${this.#rejections[0]}`)
            : new TimeoutError(
              `Cannot ${action}: no answer within ${timeout} ms`,
            ),
        );
      });
    }
    return this.#chain;
  }

  /** Ends the handshake with `error` (closed node, failed transmit). */
  abort(error: Error): void {
    this.#finish(error);
  }

  /** The next HELLO to send. */
  pollTransmit(): Uint8Array<ArrayBuffer> | undefined {
    return this.#transmits.shift();
  }

  /** When handleTimeout() is next due; undefined once decided. */
  pollTimeout(): number | undefined {
    if (this.#result !== undefined) return undefined;
    return Math.min(
      this.#nextSend,
      this.#certAt ?? Infinity,
      this.#deadline ?? Infinity,
    );
  }

  /** The outcome, once decided. */
  get result(): HandshakeResult | undefined {
    return this.#result;
  }

  #finish(value: Candidate | Error): void {
    if (this.#result !== undefined) return;
    this.#transmits = [];
    this.#result = value instanceof Error
      ? { ok: false, error: value }
      : { ok: true, candidate: value };
  }

  #decide(): void {
    const unverified = this.#unverified;
    if (unverified.size === 1) {
      this.#finish(unverified.values().next().value!);
    } else if (unverified.size > 1) {
      this.#finish(ambiguousAnswers(this.#init.action, unverified.size));
    }
  }

  async #examine(reply: Uint8Array): Promise<void> {
    if (this.#result !== undefined) return;
    const { name, provided } = this.#init;
    let caKey: Uint8Array | undefined;
    try {
      caKey = await this.#caKey.promise;
    } catch (error) {
      this.#finish(error as Error);
      return;
    }
    let handshake = this.#primary;
    if (this.#primaryUsed) {
      handshake = this.#makeHandshake();
      await handshake.writeMessage();
    }
    this.#primaryUsed = true;
    let payload: Uint8Array;
    try {
      payload = await handshake.readMessage(reply);
    } catch {
      this.#rejections.push(
        provided !== undefined
          ? "the answer did not prove the certificate's key"
          : "a handshake answer failed",
      );
      return;
    }
    if (provided !== undefined) {
      this.#finish({
        handshake,
        certificate: provided,
        verified: caKey !== undefined && verifyCertificate(provided, caKey),
      });
      return;
    }
    let certificate: Certificate;
    try {
      certificate = decodeCertificate(payload);
    } catch {
      this.#rejections.push("the server sent a malformed certificate");
      return;
    }
    const learned = handshake.remoteStaticPublicKey;
    if (
      learned === undefined || !timingSafeEqual(learned, certificate.publicKey)
    ) {
      this.#rejections.push("the certificate does not match the server's key");
      return;
    }
    if (certificate.name !== name) {
      this.#rejections.push(`the certificate is for "${certificate.name}"`);
      return;
    }
    const verified = caKey !== undefined &&
      verifyCertificate(certificate, caKey);
    if (verified) {
      this.#finish({ handshake, certificate, verified });
      return;
    }
    if (caKey !== undefined && !this.#init.allowUnsigned) {
      this.#rejections.push(
        "the certificate is not signed by the certificate authority",
      );
      return;
    }
    const key = certificate.publicKey.toHex();
    if (!this.#unverified.has(key)) {
      this.#unverified.set(key, { handshake, certificate, verified: false });
    }
    if (this.#certWindowOver) this.#decide();
  }
}
