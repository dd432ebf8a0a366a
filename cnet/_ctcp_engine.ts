// Copyright 2026 the moonwire authors. MIT license.
// The CTCP protocol engine: reliable, ordered connections over any channel
// that may lose, duplicate or reorder messages (a CryptoNet session over a
// lossy modem). It only sees opaque "links" (sockets) and table packets, so it
// runs the same over CryptoNet and over an in-memory test pipe.
//
// Packets are string-keyed tables (_ctcp_packet.ts):
//   { __ctcp: kind, c: connection id, o: sent by the initiator, s: seq, a: ack, d?: data }
// SYN, DATA, FIN and FIN-ACK consume a sequence number and are retransmitted
// until acknowledged (cumulative `a` = next sequence number expected). SYN-ACK
// also consumes one, so the handshake is SYN / SYN-ACK / ACK and the close is
// FIN / FIN-ACK / ACK, each side's FIN sequenced after its data.

import type { LuaValue } from "./_cnet_lua_value.ts";
import {
  CTCP_MARKER,
  CtcpKind,
  isCtcpPacket,
  type Kind,
  type ParsedPacket,
  parsePacket,
} from "./_ctcp_packet.ts";

/** Timers and bounds of the engine, all in milliseconds or counts. */
export interface CtcpTuning {
  /** First retransmission timeout (ms). */
  retransmitTimeout: number;
  /** Cap of the exponential backoff (ms). */
  maxRetransmitTimeout: number;
  /** Retransmissions of one packet before the connection is given up. */
  maxRetransmits: number;
  /** Accepted connections silent this long are dropped (ms, 0 = never). */
  idleTimeout: number;
  /** Accepted connections alive at once, per endpoint. */
  maxConnections: number;
  /** Out-of-order packets buffered per connection. */
  reorderWindow: number;
  /** Packets sent and not yet acknowledged per connection. */
  sendWindow: number;
  /** Messages queued behind a full send window per connection. */
  maxQueuedMessages: number;
}

/** Defaults for {@linkcode CtcpTuning}. */
export const DEFAULT_CTCP_TUNING: CtcpTuning = {
  retransmitTimeout: 250,
  maxRetransmitTimeout: 4000,
  maxRetransmits: 10,
  idleTimeout: 120_000,
  maxConnections: 256,
  reorderWindow: 64,
  sendWindow: 32,
  maxQueuedMessages: 1024,
};

/** What the engine needs from its user. */
export interface CtcpEndpointHooks<L> {
  /** Sends a packet over a link; may throw or reject (treated as a loss). */
  send(link: L, packet: LuaValue): void | Promise<unknown>;
  /** A DATA payload arrived in order. */
  onMessage(session: CtcpSession<L>, payload: LuaValue): void;
  /** An incoming connection completed its handshake. */
  onAccept?(session: CtcpSession<L>): void;
  /** A connection ended: `graceful` after FIN / FIN-ACK / ACK. */
  onClose?(session: CtcpSession<L>, graceful: boolean): void;
  /**
   * Whether to hold the FIN-ACK after the peer's FIN (e.g. requests are
   * still being answered); release it with `session.releaseFin()`.
   */
  holdFin?(session: CtcpSession<L>): boolean;
}

/**
 * Why `connect` failed: no SYN-ACK in time, the server answered RST (e.g. it
 * is full), or the endpoint or its link closed first.
 */
export type CtcpConnectFailure = "timeout" | "reset" | "closed";

/** Session states. */
export type CtcpState =
  | "syn-sent"
  | "syn-received"
  | "established"
  | "closing"
  | "closed";

interface Outgoing {
  seq: number;
  kind: Kind;
  data?: LuaValue;
  done?: (acknowledged: boolean) => void;
}

interface Incoming {
  kind: Kind;
  seq: number;
  data: LuaValue;
}

function randomUint32(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

/** One CTCP connection (either end). */
export class CtcpSession<L> {
  readonly id: number;
  readonly link: L;
  readonly initiator: boolean;
  state: CtcpState;
  /** Next sequence number this side will use. */
  nextSeq: number;
  /** Next sequence number expected from the peer. */
  expected = 0;
  /** Called whenever `nextSeq`/`expected` move (keeps a public view in sync). */
  onNumbers?: (seq: number, ack: number) => void;

  #endpoint: CtcpEndpoint<L>;
  #unacked: Outgoing[] = [];
  #queue: Outgoing[] = [];
  #reorder = new Map<number, Incoming>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #rto: number;
  #tries = 0;
  #finSent = false;
  #finAcked = false;
  #peerFin = false;
  #finHeld = false;
  #established?: (session: CtcpSession<L> | null) => void;
  /** Why a connect ended before SYN-ACK, when it was not a reset. */
  connectFailure: CtcpConnectFailure = "reset";
  #closedWaiters: ((graceful: boolean) => void)[] = [];

  constructor(
    endpoint: CtcpEndpoint<L>,
    link: L,
    id: number,
    initiator: boolean,
  ) {
    this.#endpoint = endpoint;
    this.link = link;
    this.id = id;
    this.initiator = initiator;
    this.state = initiator ? "syn-sent" : "syn-received";
    // Random initial sequence numbers, well inside the safe-integer range.
    this.nextSeq = randomUint32() >>> 1;
    this.#rto = endpoint.tuning.retransmitTimeout;
  }

  /** Whether data can be sent. */
  get isOpen(): boolean {
    return this.state === "established" && !this.#finSent;
  }

  /** Messages sent and not yet acknowledged, plus queued ones. */
  get pendingMessages(): number {
    return this.#unacked.length + this.#queue.length;
  }

  /**
   * Sends one message reliably. Resolves `true` once the peer acknowledged
   * it, `false` when the connection ended first.
   */
  send(
    data: LuaValue,
    onDone?: (acknowledged: boolean) => void,
  ): Promise<boolean> {
    if (!this.isOpen) {
      onDone?.(false);
      return Promise.resolve(false);
    }
    if (this.#queue.length >= this.#endpoint.tuning.maxQueuedMessages) {
      throw new RangeError(
        `Cannot send CTCP message: send queue is full (${this.#queue.length} messages)`,
      );
    }
    const { promise, resolve } = Promise.withResolvers<boolean>();
    // `onDone` runs synchronously with the acknowledgement, before a close
    // that the same packet may complete.
    const done = (acknowledged: boolean) => {
      onDone?.(acknowledged);
      resolve(acknowledged);
    };
    this.#enqueue({ seq: 0, kind: CtcpKind.DATA, data, done });
    return promise;
  }

  /** Sends the FIN-ACK that `holdFin` held back, if any. */
  releaseFin(): void {
    if (!this.#finHeld) return;
    this.#finHeld = false;
    if (!this.#finSent && this.state !== "closed") {
      this.#sendFin(CtcpKind.FIN_ACK);
    }
  }

  /**
   * Closes with FIN / FIN-ACK / ACK. Resolves `true` when the close was
   * acknowledged within `timeout` ms, else `false` (the state is dropped).
   */
  close(timeout: number): Promise<boolean> {
    if (this.state === "closed") return Promise.resolve(false);
    const { promise, resolve } = Promise.withResolvers<boolean>();
    this.#closedWaiters.push(resolve);
    if (!this.#finSent) {
      if (this.state === "established") {
        this.#sendFin(CtcpKind.FIN);
      } else {
        // Not connected yet: nothing to close gracefully.
        this.abort(false);
        return promise;
      }
    }
    const timer = setTimeout(() => this.abort(false), timeout);
    promise.finally(() => clearTimeout(timer));
    return promise;
  }

  /** Drops the connection now; optionally tells the peer with RST. */
  abort(notifyPeer: boolean): void {
    if (this.state === "closed") return;
    if (notifyPeer) this.#endpoint._emit(this, CtcpKind.RST, this.nextSeq);
    this._finish(false);
  }

  _awaitEstablished(resolve: (session: CtcpSession<L> | null) => void): void {
    this.#established = resolve;
  }

  _startConnect(): void {
    this.#enqueue({ seq: 0, kind: CtcpKind.SYN });
  }

  _startAccept(peerSeq: number): void {
    this.expected = peerSeq + 1;
    this.#enqueue({ seq: 0, kind: CtcpKind.SYN_ACK });
    this._touch();
  }

  _touch(): void {
    const idle = this.#endpoint.tuning.idleTimeout;
    if (this.initiator || idle <= 0) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.abort(true), idle);
  }

  _receive(kind: Kind, seq: number, ack: number, data: LuaValue): void {
    this._touch();
    switch (kind) {
      case CtcpKind.RST:
        this._finish(false);
        return;
      case CtcpKind.SYN:
        // Our SYN-ACK was lost: answer at once instead of waiting for the timer.
        if (this.state === "syn-received" && seq + 1 === this.expected) {
          this.#retransmit();
        }
        return;
      case CtcpKind.SYN_ACK:
        if (!this.initiator) return;
        if (this.state === "syn-sent") {
          if (this.#acknowledge(ack) === 0) return;
          this.expected = seq + 1;
          this.state = "established";
          this.#numbers();
          this.#emitAck();
          const resolve = this.#established;
          this.#established = undefined;
          resolve?.(this);
        } else if (seq + 1 === this.expected) {
          this.#emitAck(); // our ACK was lost
        }
        return;
    }
    if (this.state === "syn-sent") return; // nothing else is valid before SYN-ACK
    this.#acknowledge(ack);
    if (this.state === "syn-received" && this.#unacked.length === 0) {
      this.state = "established";
      this.#endpoint._accepted(this);
    }
    if (this.state === "closed") return;
    if (kind === CtcpKind.ACK) return;
    // DATA, FIN, FIN-ACK: sequenced.
    if (seq < this.expected) {
      this.#emitAck(); // duplicate: the peer missed our acknowledgement
      return;
    }
    if (seq > this.expected) {
      const window = this.#endpoint.tuning.reorderWindow;
      if (
        seq - this.expected <= window && this.#reorder.size < window &&
        !this.#reorder.has(seq)
      ) {
        this.#reorder.set(seq, { kind, seq, data });
      }
      this.#emitAck();
      return;
    }
    this.#deliver({ kind, seq, data });
    for (;;) {
      const next = this.#reorder.get(this.expected);
      if (next === undefined) break;
      this.#reorder.delete(this.expected);
      this.#deliver(next);
    }
    if ((this.state as CtcpState) !== "closed") {
      // In-order data: delay the ACK a moment so a reply can carry it.
      if (this.#peerFin) this.#emitAck();
      else this.#scheduleAck();
    }
    this.#checkClosed();
  }

  #deliver(packet: Incoming): void {
    this.expected = packet.seq + 1;
    this.#numbers();
    if (packet.kind === CtcpKind.DATA) {
      if (!this.#peerFin && this.state !== "closed") {
        this.#endpoint._message(this, packet.data);
      }
      return;
    }
    // FIN or FIN-ACK from the peer.
    this.#peerFin = true;
    this.#reorder.clear();
    if (!this.#finSent && this.state !== "closed") {
      // Answers to requests that came before the FIN go out before our FIN.
      if (this.#endpoint._holdsFin(this)) this.#finHeld = true;
      else this.#sendFin(CtcpKind.FIN_ACK);
    }
  }

  #sendFin(kind: Kind): void {
    this.#finSent = true;
    this.state = "closing";
    this.#enqueue({ seq: 0, kind });
  }

  #checkClosed(): void {
    if (this.#finSent && this.#finAcked && this.#peerFin) this._finish(true);
  }

  #enqueue(entry: Outgoing): void {
    entry.seq = this.nextSeq++;
    this.#numbers();
    if (this.#unacked.length < this.#endpoint.tuning.sendWindow) {
      this.#unacked.push(entry);
      this.#transmit(entry);
      this.#arm();
    } else {
      this.#queue.push(entry);
    }
  }

  #transmit(entry: Outgoing): void {
    this.#cancelAck(); // every packet carries the acknowledgement
    this.#endpoint._emit(this, entry.kind, entry.seq, entry.data);
  }

  #emitAck(): void {
    this.#cancelAck();
    this.#endpoint._emit(this, CtcpKind.ACK, this.nextSeq);
  }

  #scheduleAck(): void {
    if (this.#ackTimer !== undefined) return;
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = undefined;
      if (this.state !== "closed") this.#emitAck();
    }, 0);
  }

  #cancelAck(): void {
    if (this.#ackTimer === undefined) return;
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
  }

  /** Cumulative acknowledgement; returns how many packets it acknowledged. */
  #acknowledge(ack: number): number {
    if (ack > this.nextSeq) return 0; // acknowledges what we never sent
    let removed = 0;
    while (removed < this.#unacked.length && this.#unacked[removed].seq < ack) {
      const entry = this.#unacked[removed++];
      if (entry.kind === CtcpKind.FIN || entry.kind === CtcpKind.FIN_ACK) {
        this.#finAcked = true;
      }
      entry.done?.(true);
    }
    if (removed === 0) return 0;
    this.#unacked.splice(0, removed);
    const window = this.#endpoint.tuning.sendWindow;
    while (this.#queue.length > 0 && this.#unacked.length < window) {
      const entry = this.#queue.shift()!;
      this.#unacked.push(entry);
      this.#transmit(entry);
    }
    this.#tries = 0;
    this.#rto = this.#endpoint.tuning.retransmitTimeout;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#arm();
    this.#checkClosed();
    return removed;
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#unacked.length === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#tries++;
      if (this.#tries > this.#endpoint.tuning.maxRetransmits) {
        this._finish(false);
        return;
      }
      this.#rto = Math.min(
        this.#rto * 2,
        this.#endpoint.tuning.maxRetransmitTimeout,
      );
      this.#retransmit();
      this.#arm();
    }, this.#rto);
  }

  #retransmit(): void {
    for (const entry of this.#unacked) this.#transmit(entry);
  }

  #numbers(): void {
    this.onNumbers?.(this.nextSeq, this.expected);
  }

  _finish(graceful: boolean): void {
    if (this.state === "closed") return;
    this.state = "closed";
    clearTimeout(this.#timer);
    clearTimeout(this.#idleTimer);
    this.#cancelAck();
    this.#timer = undefined;
    this.#idleTimer = undefined;
    const entries = [...this.#unacked, ...this.#queue];
    this.#unacked = [];
    this.#queue = [];
    this.#reorder.clear();
    for (const entry of entries) entry.done?.(false);
    this.#endpoint._forget(this);
    const established = this.#established;
    this.#established = undefined;
    established?.(null);
    const waiters = this.#closedWaiters;
    this.#closedWaiters = [];
    for (const resolve of waiters) resolve(graceful);
    this.#endpoint._closed(this, graceful);
  }
}

/**
 * All CTCP connections of one node, over any number of links. Connections
 * are keyed by (link, connection id, direction), so replies never cross.
 */
export class CtcpEndpoint<L> {
  readonly tuning: CtcpTuning;
  #hooks: CtcpEndpointHooks<L>;
  #outgoing = new Map<number, CtcpSession<L>>();
  #incoming = new Map<L, Map<number, CtcpSession<L>>>();
  #incomingCount = 0;
  #malformed = 0;
  #closed = false;

  constructor(hooks: CtcpEndpointHooks<L>, tuning?: Partial<CtcpTuning>) {
    this.#hooks = hooks;
    this.tuning = { ...DEFAULT_CTCP_TUNING, ...tuning };
  }

  /** Malformed CTCP packets dropped so far. */
  get malformedPackets(): number {
    return this.#malformed;
  }

  /** Accepted connections currently alive. */
  get acceptedConnections(): number {
    return this.#incomingCount;
  }

  /** Connections this node opened that are currently alive. */
  get openedConnections(): number {
    return this.#outgoing.size;
  }

  /** Counts one malformed packet seen by a layer above. */
  countMalformed(): void {
    this.#malformed++;
  }

  /**
   * Opens a connection over `link`. Resolves the established session, or
   * `null` when it failed; `onFailure` then gets why first: `"timeout"` (no
   * answer within `timeout` ms), `"reset"` (refused) or `"closed"` (the
   * endpoint or the link closed first).
   */
  connect(
    link: L,
    timeout: number,
    onFailure?: (reason: CtcpConnectFailure) => void,
  ): Promise<CtcpSession<L> | null> {
    if (this.#closed) {
      onFailure?.("closed");
      return Promise.resolve(null);
    }
    let id = randomUint32();
    while (this.#outgoing.has(id)) id = randomUint32();
    const session = new CtcpSession(this, link, id, true);
    this.#outgoing.set(id, session);
    const { promise, resolve } = Promise.withResolvers<CtcpSession<L> | null>();
    session._awaitEstablished((established) => {
      if (established === null) onFailure?.(session.connectFailure);
      resolve(established);
    });
    const timer = setTimeout(() => {
      session.connectFailure = "timeout";
      session.abort(false);
    }, timeout);
    promise.finally(() => clearTimeout(timer));
    session._startConnect();
    return promise;
  }

  /**
   * Feeds one received value. Returns `false` when it is not a CTCP packet
   * (the caller handles it), `true` when consumed (including malformed ones,
   * which are dropped and counted).
   */
  receive(link: L, value: unknown): boolean {
    if (!isCtcpPacket(value)) return false;
    if (this.#closed) return true;
    const packet = parsePacket(value as Record<string, unknown>);
    if (packet === null) {
      this.#malformed++;
      return true;
    }
    const session = packet.fromInitiator
      ? this.#incoming.get(link)?.get(packet.id)
      : this.#outgoing.get(packet.id);
    if (session === undefined || session.link !== link) {
      this.#stateless(link, packet);
      return true;
    }
    session._receive(packet.kind, packet.seq, packet.ack, packet.data);
    return true;
  }

  /** Drops every connection over `link` (the link itself went away). */
  dropLink(link: L): void {
    for (const session of [...this.#incoming.get(link)?.values() ?? []]) {
      session._finish(false);
    }
    for (const session of [...this.#outgoing.values()]) {
      if (session.link !== link) continue;
      session.connectFailure = "closed";
      session._finish(false);
    }
  }

  /** Drops every connection and clears every timer. */
  close(): void {
    this.#closed = true;
    for (const sessions of [...this.#incoming.values()]) {
      for (const session of [...sessions.values()]) session._finish(false);
    }
    for (const session of [...this.#outgoing.values()]) {
      session.connectFailure = "closed";
      session._finish(false);
    }
  }

  #stateless(link: L, packet: ParsedPacket): void {
    const reply = (kind: Kind, seq: number, ack: number) =>
      this.#send(link, {
        [CTCP_MARKER]: kind,
        c: packet.id,
        o: !packet.fromInitiator,
        s: seq,
        a: ack,
      });
    switch (packet.kind) {
      case CtcpKind.SYN: {
        if (!packet.fromInitiator || this.#closed) return;
        if (this.#incomingCount >= this.tuning.maxConnections) {
          reply(CtcpKind.RST, 0, packet.seq + 1);
          return;
        }
        const session = new CtcpSession(this, link, packet.id, false);
        let sessions = this.#incoming.get(link);
        if (sessions === undefined) {
          sessions = new Map();
          this.#incoming.set(link, sessions);
        }
        sessions.set(packet.id, session);
        this.#incomingCount++;
        session._startAccept(packet.seq);
        return;
      }
      case CtcpKind.FIN_ACK:
        // We already closed; our final ACK was lost.
        reply(CtcpKind.ACK, packet.ack, packet.seq + 1);
        return;
      case CtcpKind.ACK:
      case CtcpKind.RST:
        return;
      default:
        reply(CtcpKind.RST, packet.ack, packet.seq + 1);
    }
  }

  #send(link: L, packet: LuaValue): void {
    try {
      const result = this.#hooks.send(link, packet);
      if (result instanceof Promise) result.catch(() => {});
    } catch {
      // A failed send is a lost packet; retransmission covers it.
    }
  }

  _emit(
    session: CtcpSession<L>,
    kind: Kind,
    seq: number,
    data?: LuaValue,
  ): void {
    const packet: Record<string, LuaValue> = {
      [CTCP_MARKER]: kind,
      c: session.id,
      o: session.initiator,
      s: seq,
      a: session.expected,
    };
    if (data !== undefined && data !== null) packet.d = data;
    this.#send(session.link, packet);
  }

  _message(session: CtcpSession<L>, payload: LuaValue): void {
    this.#hooks.onMessage(session, payload);
  }

  _holdsFin(session: CtcpSession<L>): boolean {
    return this.#hooks.holdFin?.(session) ?? false;
  }

  _accepted(session: CtcpSession<L>): void {
    this.#hooks.onAccept?.(session);
  }

  _closed(session: CtcpSession<L>, graceful: boolean): void {
    this.#hooks.onClose?.(session, graceful);
  }

  _forget(session: CtcpSession<L>): void {
    if (session.initiator) {
      if (this.#outgoing.get(session.id) === session) {
        this.#outgoing.delete(session.id);
      }
      return;
    }
    const sessions = this.#incoming.get(session.link);
    if (sessions?.get(session.id) === session) {
      sessions.delete(session.id);
      this.#incomingCount--;
      if (sessions.size === 0) this.#incoming.delete(session.link);
    }
  }
}
