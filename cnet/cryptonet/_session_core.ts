// Copyright 2026 the moonwire authors. MIT license.
// The sans-I/O core of one CryptoNet session end, shaped like quinn-proto's
// Connection: the server's half of the Noise NK/NX handshake, transport
// records (64-bit counter, AEAD, replay window, message order),
// fragmentation and reassembly, the client's OPEN confirmation, keepalives,
// idle and half-open deadlines, login/logout request retransmission and
// close. It takes packets, commands and a clock reading (`now`, ms) and
// hands back packets, the next deadline and events: after each handle*
// call or command (and again once its promise settles) the driver calls
// pollTransmit() until undefined, then pollTimeout(), then pollEvent()
// until undefined. No modem, timer, clock or file in here; only the Noise
// and AEAD calls are async.
import {
  type Certificate,
  encodeCertificate,
  type KeyPair,
  type NoiseCipherState,
  NoiseHandshake,
  timingSafeEqual,
} from "../../crypto/mod.ts";
import {
  ConnectionClosedError,
  decodeTable,
  encodeTable,
  type LuaValue,
} from "../../net/mod.ts";
import { fragment, fragmentCount, MAX_FRAGMENTS } from "./_fragment.ts";
import { MessageOrder } from "./_message_order.ts";
import {
  DATA_OVERHEAD,
  encodeDataHeader,
  encodeHelloReply,
  FRAGMENT_HEADER_LENGTH,
  HandshakePattern,
  Inner,
  joinBytes,
  PacketType,
  PROTOCOL_NAMES,
} from "./_packet.ts";
import { Reassembly } from "./_reassembly.ts";
import { ReplayWindow } from "./_replay_window.ts";
import { prologue } from "./_prologue.ts";
import {
  type CloseReason,
  MAX_COUNTER,
  readRequestId,
  type SessionCoreInit,
  type SessionEvent,
  type SessionLimits,
  type SessionPhase,
  type Transmit,
  type TransmitFailure,
  withRequestId,
} from "./_session_types.ts";

export type { SessionPhase } from "./_session_types.ts";

interface PendingRequest {
  inner: Uint8Array;
  nextAt: number;
  deadline: number;
  onError: TransmitFailure | undefined;
}

const EMPTY = new Uint8Array(0);

// A function, not an inline comparison: the phase changes across awaits,
// which TypeScript's narrowing does not see.
function isClosed(core: SessionCore): boolean {
  return core.state === "closed";
}

export class SessionCore {
  readonly role: "client" | "server";
  readonly idBytes: Uint8Array<ArrayBuffer>;
  readonly window = new ReplayWindow();
  /** Drops messages older than one already delivered. */
  readonly order = new MessageOrder();
  readonly reassembly: Reassembly;
  readonly #limits: SessionLimits;
  readonly #maxCounter: bigint;
  readonly #transmits: Transmit[] = [];
  readonly #events: SessionEvent[] = [];
  readonly #requests = new Map<number, PendingRequest>();
  /** Serialises outgoing encryption so counters go out in order. */
  #tx: Promise<void> = Promise.resolve();
  /** Serialises incoming packets so events keep arrival order. */
  #rx: Promise<void> = Promise.resolve();
  #closing: Promise<void> | undefined;

  maxPayloadSize: number;
  state: SessionPhase = "handshaking";
  sendCipher: NoiseCipherState | undefined;
  receiveCipher: NoiseCipherState | undefined;
  sendCounter = 0n;
  nextMessageId = 0;
  nextRequestId = 1;
  readonly created: number;
  lastReceived: number;
  lastSent: number;
  /** An authenticated message arrived from the peer. */
  confirmed = false;
  /** An encrypted message was queued on this session. */
  spoke = false;
  /** Server side: the HELLO this session answered and the cached answer. */
  hello: Uint8Array | undefined;
  helloReply: Uint8Array<ArrayBuffer> | undefined;
  /** Client: when the next OPEN is due, and whether it is the first. */
  #openAt: number | undefined;
  #openStarted = 0;
  #firstOpen = false;

  constructor(init: SessionCoreInit) {
    this.role = init.role;
    this.idBytes = init.idBytes;
    this.maxPayloadSize = init.maxPayloadSize;
    this.#limits = init.limits;
    this.#maxCounter = init.limits.maxCounter ?? MAX_COUNTER;
    this.reassembly = new Reassembly(init.limits.reassembly);
    this.created = init.now;
    this.lastReceived = init.now;
    this.lastSent = init.now;
  }

  // ---- handshake ---------------------------------------------------------

  /**
   * Server: answers a HELLO (NK, or NX carrying the certificate) and queues
   * the answer. Returns false when the HELLO was refused or the session was
   * closed meanwhile (it is then closed and wiped).
   */
  async respond(options: {
    serverName: string;
    pattern: HandshakePattern;
    hello: Uint8Array<ArrayBuffer>;
    keyPair: KeyPair;
    certificate: Certificate;
  }): Promise<boolean> {
    this.hello = options.hello;
    let reply: Uint8Array;
    try {
      const handshake = new NoiseHandshake(PROTOCOL_NAMES[options.pattern], {
        initiator: false,
        prologue: prologue(options.serverName, this.idBytes, options.pattern),
        staticKeyPair: options.keyPair,
      });
      await handshake.readMessage(options.hello);
      reply = await handshake.writeMessage(
        options.pattern === HandshakePattern.NX
          ? encodeCertificate(options.certificate)
          : EMPTY,
      );
      const transport = handshake.split();
      this.sendCipher = transport.send;
      this.receiveCipher = transport.receive;
    } catch {
      this.state = "closed";
      this.#events.push({ type: "dropped", replay: false });
      this.wipe();
      return false;
    }
    if (isClosed(this)) {
      // Closed while the handshake ran: the keys just split are never used.
      this.wipe();
      return false;
    }
    this.state = "pending";
    this.helloReply = encodeHelloReply(this.idBytes, reply);
    this.#transmits.push({ packet: this.helloReply, onError: undefined });
    return true;
  }

  /** Server: a HELLO for this session id again; a retransmission is answered again. */
  handleHello(message: Uint8Array): void {
    if (
      this.hello !== undefined && this.helloReply !== undefined &&
      this.hello.length === message.length &&
      timingSafeEqual(this.hello, message)
    ) {
      this.#transmits.push({ packet: this.helloReply, onError: undefined });
    }
  }

  /**
   * Client: the handshake is done (keys from `split()`). The session is
   * open; OPEN goes out one turn later unless an encrypted message does
   * the job, and is retransmitted until the server is heard from.
   */
  established(
    transport: { send: NoiseCipherState; receive: NoiseCipherState },
    now: number,
  ): void {
    this.sendCipher = transport.send;
    this.receiveCipher = transport.receive;
    this.state = "open";
    this.#openStarted = now;
    this.#openAt = now;
    this.#firstOpen = true;
  }

  /** Client: sends the first OPEN now if it is still deferred (plain sends). */
  openNow(now: number): Promise<void> {
    if (!this.#firstOpen) return Promise.resolve();
    return this.#sendOpen(now);
  }

  /** Whether the session is open (a call, so narrowing does not stick). */
  get isOpen(): boolean {
    return this.state === "open";
  }

  // ---- commands ----------------------------------------------------------

  /**
   * Queues `message` (encoded, fragmented to the payload limit, sealed in
   * order). Resolves once its packets are queued for pollTransmit().
   */
  send(
    message: LuaValue,
    now: number,
    onError?: TransmitFailure,
  ): Promise<void> {
    const body = encodeTable(message, {
      maxBytes: this.#limits.maxMessageSize,
    });
    const inner = new Uint8Array(1 + body.length);
    inner[0] = Inner.MESSAGE;
    inner.set(body, 1);
    return this.#queue(inner, now, onError);
  }

  /** Queues a plain (unencrypted) message packet, in line with sealed ones. */
  sendPlain(
    packet: Uint8Array<ArrayBuffer>,
    onError?: TransmitFailure,
  ): Promise<void> {
    const result = this.#tx.then(() => {
      this.#transmits.push({ packet, onError });
    });
    this.#tx = result.catch(() => {});
    return result;
  }

  /** Queues a login/logout control message (kind, requestId, body). */
  sendControl(
    kind: Inner,
    requestId: number,
    body: Uint8Array,
    now: number,
    onError?: TransmitFailure,
  ): Promise<void> {
    return this.#queue(withRequestId(kind, requestId, body), now, onError);
  }

  /**
   * Client: sends a request and retransmits it until its answer arrives
   * (an `answer` event) or `requestTimeout` passes (`request_failed`).
   */
  request(
    kind: Inner,
    body: Uint8Array,
    now: number,
    onError?: TransmitFailure,
  ): { requestId: number; sent: Promise<void> } {
    const requestId = this.nextRequestId++ >>> 0;
    const inner = withRequestId(kind, requestId, body);
    this.#requests.set(requestId, {
      inner,
      nextAt: now + this.#limits.retransmit,
      deadline: now + this.#limits.requestTimeout,
      onError,
    });
    return { requestId, sent: this.#queue(inner, now, onError) };
  }

  /** Client: asks to log in (the credentials travel sealed); see request. */
  login(
    username: string,
    password: string,
    now: number,
    onError?: TransmitFailure,
  ): { requestId: number; sent: Promise<void> } {
    const body = encodeTable({ username, password });
    return this.request(Inner.LOGIN, body, now, onError);
  }

  /** Client: asks to log out; see request. */
  logout(
    now: number,
    onError?: TransmitFailure,
  ): { requestId: number; sent: Promise<void> } {
    return this.request(Inner.LOGOUT, EMPTY, now, onError);
  }

  /** Forgets a request (answered, or given up by the caller). */
  cancelRequest(requestId: number): void {
    this.#requests.delete(requestId);
  }

  /**
   * Closes the session: queues CLOSE after everything already queued when
   * `notify` (and the peer has the keys), emits `closed`, and resolves once
   * the last packet is sealed and the keys are wiped. Idempotent.
   */
  close(reason: CloseReason, notify: boolean, now: number): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    if (isClosed(this)) return Promise.resolve();
    const wasOpen = this.state === "open";
    // A pending server session's client believes it is open: tell it.
    const peerOpen = wasOpen || this.state === "pending";
    this.state = "closed";
    this.#openAt = undefined;
    this.#firstOpen = false;
    this.reassembly.clear();
    for (const requestId of [...this.#requests.keys()]) {
      this.#failRequest(requestId, "closed");
    }
    if (notify && peerOpen) {
      this.#queue(Uint8Array.of(Inner.CLOSE), now, undefined, true).catch(
        () => {},
      );
    }
    this.#events.push({ type: "closed", reason, wasOpen });
    // Everything queued before the close, then the CLOSE: the keys are
    // needed until the last of them is sealed. Nothing is queued after.
    this.#closing = this.#tx.then(() => this.wipe());
    return this.#closing;
  }

  // ---- from the network and the clock -------------------------------------

  /** A DATA packet for this session (header = its associated data). */
  handlePacket(
    counter: bigint,
    header: Uint8Array,
    ciphertext: Uint8Array,
    now: number,
  ): Promise<void> {
    const step = this.#rx.then(() =>
      this.#receive(counter, header, ciphertext, now)
    ).catch(() => this.#drop());
    this.#rx = step;
    return step;
  }

  /** A PLAIN packet for this session, behind its earlier packets. */
  handlePlain(body: Uint8Array, distance: number | undefined): Promise<void> {
    const step = this.#rx.then(() => {
      if (this.state !== "open") return;
      try {
        this.#events.push({
          type: "plain",
          message: decodeTable(body, { maxBytes: this.#limits.maxMessageSize }),
          distance,
        });
      } catch {
        this.#drop();
      }
    });
    this.#rx = step;
    return step;
  }

  /**
   * Runs whatever is due at `now`: reassembly expiry, the idle close, a
   * keepalive PING, half-open expiry, OPEN and request retransmission.
   * Resolves once the packets it queued are sealed.
   */
  handleTimeout(now: number): Promise<void> {
    if (isClosed(this)) return Promise.resolve();
    const limits = this.#limits;
    this.reassembly.sweep(now);
    const work: Promise<void>[] = [];
    if (this.state === "open") {
      if (
        limits.idleTimeout > 0 && now - this.lastReceived > limits.idleTimeout
      ) {
        return this.close("timeout", true, now);
      }
      if (limits.keepAlive > 0 && now - this.lastSent >= limits.keepAlive) {
        work.push(this.#queue(Uint8Array.of(Inner.PING), now));
      }
    } else if (
      this.role === "server" && now - this.created > limits.handshakeTimeout
    ) {
      // A half-open handshake that never confirmed: forget it quietly. It
      // never sent a transport message, so nothing waits on its keys.
      this.state = "closed";
      this.#events.push({ type: "expired" });
      this.wipe();
      return Promise.resolve();
    }
    if (this.#openAt !== undefined && now >= this.#openAt) {
      work.push(this.#sendOpen(now));
    }
    for (const [requestId, request] of [...this.#requests]) {
      if (now >= request.deadline) {
        this.#failRequest(requestId, "timeout");
      } else if (now >= request.nextAt) {
        request.nextAt = now + limits.retransmit;
        work.push(
          this.#queue(request.inner, now, request.onError).catch((error) =>
            this.#failRequest(requestId, "error", error)
          ),
        );
      }
    }
    return Promise.all(work).then(() => {}, () => {});
  }

  // ---- for the driver ------------------------------------------------------

  /** The next packet to send to the peer, in order. */
  pollTransmit(): Transmit | undefined {
    return this.#transmits.shift();
  }

  /** When handleTimeout() is next due, undefined when nothing is pending. */
  pollTimeout(): number | undefined {
    if (isClosed(this)) return undefined;
    const limits = this.#limits;
    let at = Infinity;
    if (this.state === "open") {
      if (limits.idleTimeout > 0) {
        at = Math.min(at, this.lastReceived + limits.idleTimeout + 1);
      }
      if (limits.keepAlive > 0) {
        at = Math.min(at, this.lastSent + limits.keepAlive);
      }
    } else if (this.role === "server") {
      at = Math.min(at, this.created + limits.handshakeTimeout + 1);
    }
    if (this.#openAt !== undefined) at = Math.min(at, this.#openAt);
    for (const request of this.#requests.values()) {
      at = Math.min(at, request.nextAt, request.deadline);
    }
    const partial = this.reassembly.deadline();
    if (partial !== undefined) at = Math.min(at, partial);
    return at === Infinity ? undefined : at;
  }

  /** The next event, in order. */
  pollEvent(): SessionEvent | undefined {
    return this.#events.shift();
  }

  /**
   * Drops what only a live session needs, once it is closed and its last
   * packet (the CLOSE, if any) is sealed: destroys both cipher states
   * (zeroing the session keys), the HELLO and its cached answer and partial
   * messages. Idempotent.
   */
  wipe(): void {
    this.sendCipher?.destroy();
    this.sendCipher = undefined;
    this.receiveCipher?.destroy();
    this.receiveCipher = undefined;
    this.hello = undefined;
    this.helloReply = undefined;
    this.reassembly.clear();
  }

  // ---- internals -----------------------------------------------------------

  #drop(replay = false): void {
    this.#events.push({ type: "dropped", replay });
  }

  #failRequest(
    requestId: number,
    reason: "timeout" | "closed" | "error",
    error?: unknown,
  ): void {
    if (!this.#requests.delete(requestId)) return;
    this.#events.push({ type: "request_failed", requestId, reason, error });
  }

  #sendOpen(now: number): Promise<void> {
    const first = this.#firstOpen;
    this.#firstOpen = false;
    if (
      this.confirmed || isClosed(this) ||
      now - this.#openStarted > this.#limits.handshakeTimeout
    ) {
      this.#openAt = undefined;
      return Promise.resolve();
    }
    this.#openAt = now + this.#limits.retransmit;
    // The first OPEN is skipped when an encrypted message went out first:
    // it confirms the session to the server just as well.
    if (first && this.spoke) return Promise.resolve();
    return this.#queue(Uint8Array.of(Inner.OPEN), now).catch(() => {});
  }

  #queue(
    inner: Uint8Array,
    now: number,
    onError?: TransmitFailure,
    closing = false,
  ): Promise<void> {
    if (isClosed(this) && !closing) {
      return Promise.reject(
        new ConnectionClosedError("Cannot send: socket is closed"),
      );
    }
    const maxPlain = this.maxPayloadSize - DATA_OVERHEAD;
    let pieces = [inner];
    if (inner.length > maxPlain) {
      if (fragmentCount(inner.length, maxPlain) > MAX_FRAGMENTS) {
        return Promise.reject(
          new RangeError(
            `Cannot send: message of ${inner.length} bytes needs more than ${MAX_FRAGMENTS} fragments`,
          ),
        );
      }
      pieces = fragment(inner, maxPlain, this.nextMessageId++ >>> 0);
    }
    this.spoke = true;
    this.lastSent = now;
    const run = async () => {
      for (const piece of pieces) await this.#seal(piece, onError);
    };
    const result = this.#tx.then(run);
    this.#tx = result.catch(() => {});
    return result;
  }

  async #seal(plaintext: Uint8Array, onError?: TransmitFailure): Promise<void> {
    const cipher = this.sendCipher;
    if (cipher === undefined) {
      throw new ConnectionClosedError(
        "Cannot send: session is not established",
      );
    }
    const counter = this.sendCounter;
    if (counter >= this.#maxCounter) {
      throw new RangeError(
        "Cannot send: session message limit reached; reconnect",
      );
    }
    this.sendCounter = counter + 1n;
    const header = encodeDataHeader(
      this.role === "client"
        ? PacketType.DATA_TO_SERVER
        : PacketType.DATA_TO_CLIENT,
      this.idBytes,
      counter,
    );
    const ciphertext = await cipher.encryptWithNonce(
      counter,
      plaintext,
      header,
    );
    this.#transmits.push({ packet: joinBytes(header, ciphertext), onError });
  }

  async #receive(
    counter: bigint,
    header: Uint8Array,
    ciphertext: Uint8Array,
    now: number,
  ): Promise<void> {
    const cipher = this.receiveCipher;
    if (isClosed(this)) return;
    if (cipher === undefined) {
      // Data before the handshake finished: never from the real peer.
      this.#drop();
      return;
    }
    if (!this.window.check(counter)) {
      this.#drop(true);
      return;
    }
    let plaintext: Uint8Array;
    try {
      plaintext = await cipher.decryptWithNonce(counter, ciphertext, header);
    } catch {
      this.#drop();
      return;
    }
    if (isClosed(this)) return;
    this.window.commit(counter);
    this.lastReceived = now;
    const kind = plaintext[0];
    if (
      (kind === Inner.MESSAGE || kind === Inner.FRAGMENT) &&
      !this.order.accepts(counter)
    ) {
      this.#drop();
      return;
    }
    await this.#handleInner(plaintext, counter, false, now);
  }

  async #handleInner(
    plaintext: Uint8Array,
    counter: bigint,
    reassembled: boolean,
    now: number,
  ): Promise<void> {
    if (plaintext.length === 0) {
      this.#drop();
      return;
    }
    this.confirmed = true;
    if (this.state === "pending") {
      // The first authenticated message confirms the session: a replayed
      // HELLO alone never opens one.
      this.state = "open";
      this.#events.push({ type: "opened" });
    }
    const kind = plaintext[0];
    const body = plaintext.subarray(1);
    const isServer = this.role === "server";
    switch (kind) {
      case Inner.OPEN:
        if (isServer) await this.#queue(Uint8Array.of(Inner.OPEN_ACK), now);
        return;
      case Inner.OPEN_ACK:
      case Inner.PING:
        return;
      case Inner.MESSAGE: {
        let message: LuaValue;
        try {
          message = decodeTable(body, {
            maxBytes: this.#limits.maxMessageSize,
          });
        } catch {
          this.#drop();
          return;
        }
        this.order.delivered(counter);
        this.#events.push({ type: "message", message });
        return;
      }
      case Inner.CLOSE:
        await this.close("peer", false, now);
        return;
      case Inner.FRAGMENT: {
        if (reassembled || body.length < FRAGMENT_HEADER_LENGTH - 1) {
          this.#drop();
          return;
        }
        const view = new DataView(body.buffer, body.byteOffset, body.length);
        const whole = this.reassembly.add(
          view.getUint32(0),
          view.getUint16(4),
          view.getUint16(6),
          body.subarray(8),
          now,
        );
        if (whole !== undefined) {
          await this.#handleInner(whole, counter, true, now);
        }
        return;
      }
      case Inner.LOGIN:
        if (isServer && body.length >= 4) {
          this.#events.push({
            type: "login",
            requestId: readRequestId(body),
            body: body.subarray(4),
          });
        } else this.#drop();
        return;
      case Inner.LOGOUT:
        if (isServer && body.length >= 4) {
          this.#events.push({ type: "logout", requestId: readRequestId(body) });
        } else this.#drop();
        return;
      case Inner.LOGIN_RESULT:
      case Inner.LOGOUT_RESULT: {
        if (isServer || body.length < 4) {
          this.#drop();
          return;
        }
        const requestId = readRequestId(body);
        if (kind === Inner.LOGOUT_RESULT && requestId === 0) {
          // The server logged this client out.
          this.#events.push({ type: "logout", requestId: 0 });
          return;
        }
        if (this.#requests.delete(requestId)) {
          this.#events.push({
            type: "answer",
            requestId,
            body: body.slice(4),
          });
        }
        return;
      }
      default:
        this.#drop();
    }
  }
}
