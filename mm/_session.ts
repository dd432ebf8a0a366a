// Copyright 2026 the moonwire authors. MIT license.
// One mm connection (client side or server side) over a FramedConnection:
// the hello exchange, the optional Noise NNpsk0 handshake, the coalescing
// send queue, the read loop and the close record that ends a graceful close.
import { HandshakeError } from "../crypto/errors.ts";
import { NoiseHandshake } from "../crypto/noise_handshake.ts";
import { ConnectionClosedError, TimeoutError } from "../net/errors.ts";
import type { FramedConnection } from "../net/framed_connection.ts";
import type { LuaTable } from "../net/table_codec.ts";
import type { ResolvedOptions } from "./_options.ts";
import {
  closeRecord,
  encodeMessage,
  isCloseRecord,
  readRecord,
  RECORD_HEADER_SIZE,
  recordCount,
} from "./_record.ts";
import { hello, readHello } from "./_hello.ts";
import { CLOSE_GRACE, frameLimit } from "./_session_options.ts";
import { checkTable } from "./_options.ts";
import type { QueueBudget } from "./_queue_budget.ts";
import { RecordCipher, TAG_SIZE } from "./_record_cipher.ts";
import { framedAccess, type FrameReceiver } from "../net/_framed_access.ts";
import {
  appendWith,
  type ByteSink,
  createSink,
  type ResolvedTableOptions,
} from "../net/_table_encoder.ts";

// ChaChaPoly since wire version 2: node:crypto's ChaCha20-Poly1305 seals
// 512 KiB records at 1.0-1.7 GB/s here, against about 0.55 GB/s for
// crypto.subtle AES-GCM and 0.15 GB/s for node:crypto AES-GCM (Deno 2.9.6).
export const PROTOCOL_NAME = "Noise_NNpsk0_25519_ChaChaPoly_SHA256";
const PROLOGUE = new TextEncoder().encode("moonwire mm v2 NNpsk0");
/** A coalesced record is sealed once it holds this many bytes of tables. */
const RECORD_TARGET = 512 * 1024;
/** Smallest buffer a record starts with. */
const MIN_SINK = 256;
/** Bytes handed to the framed connection before waiting for it to write. */
const WRITE_AHEAD = 256 * 1024;

/**
 * What a session reports, to the owner given to `start` (one handlers
 * object serves every session of a server or every client: an idle
 * connection holds no closures for it).
 */
export interface SessionHandlers<Owner> {
  /** A received table and when its record arrived (`Date.now()`). */
  table(owner: Owner, packet: LuaTable, timestamp: number): void;
  /** The connection ended on its own (never after a local close). */
  end(owner: Owner, session: Session, error: Error | undefined): void;
}

// Flags of a session's state.
const S_ESTABLISHED = 1;
const S_CLOSING = 2; // local close: no more sends, no more events
const S_ENDED = 4; // the connection is gone
const S_PEER_CLOSED = 8; // the peer's close record came: nothing is sent
const S_READ_STOPPED = 16; // the read path has stopped

/**
 * One mm connection. It is its framed connection's FrameReceiver
 * (`resolve`/`reject`), so an idle session waits for frames holding no
 * promise and no extra object.
 */
export class Session implements FrameReceiver {
  // Boolean state, packed in one number (the S_* flags).
  #flags = S_READ_STOPPED;
  #framed: FramedConnection;
  #options: ResolvedOptions;
  #cipher: RecordCipher | undefined;
  // deno-lint-ignore no-explicit-any
  #handlers: SessionHandlers<any> | undefined;
  #owner: unknown;
  // Send queue: the record being filled (tables are encoded straight into
  // it) and sealed records waiting to be sent.
  #sink: ByteSink | undefined;
  #sinkCount = 0;
  #sinkCapacity = MIN_SINK;
  // Made when a record is sealed while another waits (idle: none).
  #sealed: ByteSink[] | undefined;
  // A sent record's buffer, reused by the next record (a record is sealed
  // in place in its buffer, and the framed connection copies it on send).
  #spare: ByteSink | undefined;
  #tableOptions: ResolvedTableOptions;
  #pendingBytes = 0;
  // Server-wide budget and what this connection holds of it: bytes accepted
  // and not yet handed to the socket (queued here or in the framed queue).
  #budget: QueueBudget | undefined;
  #charged = 0;
  #flushing: Promise<void> | undefined;
  // Tables accepted and not handed to the socket before the peer's close
  // record came (queued here or in the framed queue), and any accepted
  // after it until the connection ends: what a close by the peer loses.
  #unsent = 0;
  // The read path is a chain of callbacks, not a suspended async function
  // (an idle connection waits in one framed read): whether it has stopped,
  // and a waiter made only when someone waits for it to stop.
  #readWaiter: PromiseWithResolvers<void> | undefined;
  #closeTask: Promise<void> | undefined;

  /**
   * `tableOptions` is `messageOptions(options.maxMessageSize)`, shared by
   * every session of its owner (an idle connection holds no copy).
   */
  constructor(
    framed: FramedConnection,
    options: ResolvedOptions,
    tableOptions: ResolvedTableOptions,
    budget?: QueueBudget,
  ) {
    this.#framed = framed;
    this.#options = options;
    this.#budget = budget;
    this.#tableOptions = tableOptions;
    // A record is sealed once it reaches RECORD_TARGET: big enough to
    // amortise the AEAD call and async hops per record, small enough that
    // writing starts early and buffers stay modest. The table that reaches
    // it stays in it (no copy) when the record still fits the peer's frame
    // limit; a larger table gets a record of its own.
  }

  /** The peer's address and port, for messages (made when needed). */
  get peer(): string {
    const remote = this.#framed.remoteAddr;
    return `${remote.hostname}:${remote.port}`;
  }

  // Whether any of the flags in `flag` is set.
  #is(flag: number): boolean {
    return (this.#flags & flag) !== 0;
  }

  #set(flag: number, on: boolean): void {
    this.#flags = on ? this.#flags | flag : this.#flags & ~flag;
  }

  get isOpen(): boolean {
    return !this.#is(S_CLOSING | S_ENDED);
  }

  /**
   * Exchanges hellos and, with a cipher key, runs the Noise handshake, all
   * within the handshake timeout. On failure the connection is aborted and
   * the error (HandshakeError or TimeoutError) is thrown.
   */
  async handshake(initiator: boolean): Promise<void> {
    const framed = this.#framed;
    const encrypted = this.#options.psk !== undefined;
    const timeout = this.#options.handshakeTimeout;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      framed.abort(new TimeoutError("Cannot complete handshake: timed out"));
    }, timeout);
    try {
      const noise = encrypted
        ? new NoiseHandshake(PROTOCOL_NAME, {
          initiator,
          prologue: PROLOGUE,
          psks: [this.#options.psk!],
        })
        : undefined;
      // The real frame limit is set before our last handshake message goes
      // out: data is decoded as it arrives, and the peer may send records
      // (in the same chunk as its last handshake message) once it has it.
      const limit = frameLimit(this.#options.maxMessageSize);
      if (initiator) {
        const first = [hello(encrypted)];
        if (noise) first.push(await noise.writeMessage());
        const sent = framed.sendMany(first);
        framed.maxFrameSize = limit;
        await sent;
        this.#checkMode(readHello(await this.#read(), this.peer), initiator);
        if (noise) await this.#readNoise(noise, await this.#read());
      } else {
        // Without a key the server's hello is its last message and goes
        // first, so only an encrypted server reads the client's first
        // frames under the small limit (a plaintext hello proves nothing).
        if (!noise) framed.maxFrameSize = limit;
        await framed.send(hello(encrypted));
        this.#checkMode(readHello(await this.#read(), this.peer), initiator);
        if (noise) {
          await this.#readNoise(noise, await this.#read());
          const last = await noise.writeMessage();
          framed.maxFrameSize = limit;
          await framed.send(last);
        }
      }
      if (noise) {
        this.#cipher = new RecordCipher(noise.split(), this.#options, this);
      }
      this.#set(S_ESTABLISHED, true);
    } catch (error) {
      this.#set(S_ENDED, true);
      framed.abort();
      if (timedOut) {
        throw new TimeoutError(
          `Cannot complete handshake with ${this.peer}: not finished within ${timeout} ms`,
        );
      }
      if (error instanceof HandshakeError) throw error;
      throw new HandshakeError(
        `Cannot complete handshake with ${this.peer}: ${
          (error as Error).message
        }`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async #read(): Promise<Uint8Array> {
    const frame = await this.#framed.read();
    if (frame === null) {
      throw new HandshakeError(
        `Cannot complete handshake with ${this.peer}: connection closed by peer${
          this.#options.psk !== undefined ? " (wrong cipher key?)" : ""
        }`,
      );
    }
    return frame;
  }

  async #readNoise(noise: NoiseHandshake, message: Uint8Array): Promise<void> {
    try {
      await noise.readMessage(message);
    } catch (error) {
      throw new HandshakeError(
        `Cannot complete handshake with ${this.peer}: wrong cipher key or corrupted handshake`,
        { cause: error },
      );
    }
  }

  #checkMode(peerEncrypted: boolean, initiator: boolean): void {
    const encrypted = this.#options.psk !== undefined;
    if (peerEncrypted === encrypted) return;
    const who = initiator ? "server" : "client";
    throw new HandshakeError(
      `Cannot complete handshake with ${this.peer}: ${
        peerEncrypted
          ? `${who} requires a cipher key`
          : `${who} does not use a cipher key`
      }`,
    );
  }

  /** Starts the read loop and the sending of queued tables. */
  start<Owner>(handlers: SessionHandlers<Owner>, owner: Owner): void {
    this.#handlers = handlers;
    this.#owner = owner;
    this.#set(S_READ_STOPPED, false);
    this.#readNext();
    this.#scheduleFlush();
  }

  /**
   * Encodes `table` straight into the record being filled; false when the
   * connection is closed or its queue is full (the peer is not reading fast
   * enough). Throws the codec's TypeError/RangeError for a bad table.
   */
  write(table: LuaTable): boolean {
    // Scalars and byte strings are refused here; other non-tables (class
    // instances) fail inside the encoder, which checks every object's
    // prototype anyway, and get the same message from checkTable below.
    if (
      typeof table !== "object" || table === null ||
      table instanceof Uint8Array || this.#is(S_CLOSING | S_ENDED)
    ) {
      encodeMessage(table, this.#tableOptions);
      return false;
    }
    const sink = this.#sink ??= this.#newSink();
    const before = sink.length;
    let size: number;
    try {
      size = appendWith(table, this.#tableOptions, sink);
    } catch (error) {
      checkTable(table);
      throw error;
    }
    if (!this.#admit(size)) {
      sink.length = before;
      return false;
    }
    this.#accept(sink, before, size);
    return true;
  }

  /**
   * Queues one encoded table (copied); false when the connection is closed
   * or its queue is full. `accepted` skips the queue check for a table the
   * caller already accepted against the same limit (a client's tables from
   * before the connection came up), so it cannot be refused a second time.
   */
  enqueue(encoded: Uint8Array, accepted = false): boolean {
    if (this.#is(S_CLOSING | S_ENDED)) return false;
    const size = encoded.length;
    if (!accepted && !this.#admit(size)) return false;
    let sink = this.#sink ??= this.#newSink();
    const before = sink.length;
    if (before + size > sink.buffer.length) {
      const grown = createSink(Math.max(sink.buffer.length * 2, before + size));
      grown.buffer.set(sink.buffer.subarray(0, before));
      grown.length = before;
      sink = this.#sink = grown;
    }
    sink.buffer.set(encoded, before);
    sink.length = before + size;
    this.#accept(sink, before, size);
    return true;
  }

  #admit(size: number): boolean {
    return this.#pendingBytes + this.#framed.pendingBytes + size <=
        this.#options.maxQueuedBytes &&
      (this.#budget === undefined || this.#budget.admit(size));
  }

  #charge(size: number): void {
    this.#charged += size;
    this.#budget?.charge(size);
  }

  // Capped: a send that settles after the connection dropped its queue
  // (and released everything) releases nothing twice.
  #release(size: number): void {
    const released = Math.min(size, this.#charged);
    this.#charged -= released;
    this.#budget?.release(released);
  }

  // A record buffer with room for the tag after the tables: records are
  // sealed in place.
  #newSink(): ByteSink {
    const spare = this.#spare;
    this.#spare = undefined;
    const capacity = this.#sinkCapacity + TAG_SIZE;
    const sink = spare !== undefined && spare.buffer.length >= capacity
      ? spare
      : createSink(capacity);
    sink.length = RECORD_HEADER_SIZE;
    return sink;
  }

  // Counts the table just written at sink[before..before+size); a record
  // that would grow past the record limit is sealed first.
  #accept(sink: ByteSink, before: number, size: number): void {
    if (
      this.#sinkCount > 0 &&
      before - RECORD_HEADER_SIZE + size > this.#options.maxMessageSize
    ) {
      const next = this.#newSink();
      if (RECORD_HEADER_SIZE + size + TAG_SIZE > next.buffer.length) {
        next.buffer = new Uint8Array(RECORD_HEADER_SIZE + size + TAG_SIZE);
        next.view = new DataView(next.buffer.buffer);
      }
      next.buffer.set(
        sink.buffer.subarray(before, before + size),
        RECORD_HEADER_SIZE,
      );
      next.length = RECORD_HEADER_SIZE + size;
      sink.length = before;
      this.#seal();
      this.#sink = next;
    }
    this.#sinkCount++;
    this.#unsent++;
    this.#pendingBytes += size;
    this.#charge(size);
    if (this.#sink!.length - RECORD_HEADER_SIZE >= RECORD_TARGET) this.#seal();
    this.#scheduleFlush();
  }

  // Moves the record being filled to the sealed list.
  #seal(): void {
    const sink = this.#sink!;
    sink.buffer[0] = 0xdd;
    sink.view.setUint32(1, this.#sinkCount);
    (this.#sealed ??= []).push(sink);
    // The next record starts with room for one like this.
    this.#sinkCapacity = Math.max(
      MIN_SINK,
      Math.min(sink.length, RECORD_TARGET + 64 * 1024),
    );
    this.#sink = undefined;
    this.#sinkCount = 0;
  }

  /** Resolves once every table queued so far was handed to the socket. */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
  }

  #scheduleFlush(): void {
    if (
      this.#flushing !== undefined || !this.#is(S_ESTABLISHED) ||
      this.#handlers === undefined || this.#is(S_PEER_CLOSED) ||
      (this.#sinkCount === 0 && !this.#sealed?.length)
    ) {
      return;
    }
    // Let the current tick queue more tables: they share the next record.
    this.#flushing = Promise.resolve().then(() => this.#flushLoop());
  }

  // Sends queued records until the queue is empty. The queue is only
  // judged empty synchronously before `#flushing` is cleared: a table
  // written during any await here (the encrypt, ready() or the wait for the
  // last send) is seen by the next turn of the loop, never stranded.
  async #flushLoop(): Promise<void> {
    const framed = this.#framed;
    let last: Promise<void> | undefined;
    try {
      while (!this.#is(S_ENDED | S_PEER_CLOSED)) {
        if (!this.#sealed?.length) {
          if (this.#sinkCount === 0) {
            if (last === undefined) break;
            const sending = last;
            last = undefined;
            await sending;
            continue;
          }
          this.#seal();
        }
        const sink = this.#sealed!.shift()!;
        const tableBytes = sink.length - RECORD_HEADER_SIZE;
        const tables = recordCount(sink.buffer);
        this.#pendingBytes -= tableBytes;
        const record = await this.#protect(sink);
        if (this.#is(S_ENDED)) break;
        // The framed connection copies the record and writes in the
        // background: build the next record meanwhile, waiting only when
        // its queue is long.
        last = framed.send(record);
        this.#spare = sink; // copied by send(): free for the next record
        last.then(
          () => {
            if (!this.#is(S_PEER_CLOSED)) this.#unsent -= tables;
          },
          () => {}, // the connection fails and drops its count
        );
        if (this.#budget !== undefined) {
          const release = () => this.#release(tableBytes);
          last.then(release, release);
        }
        if (framed.pendingBytes >= WRITE_AHEAD) await framed.ready();
      }
    } catch (error) {
      this.#fail(error as Error);
    } finally {
      // An idle connection keeps no record buffer.
      this.#spare = undefined;
      if (!this.#sealed?.length) this.#sealed = undefined;
      this.#flushing = undefined;
    }
  }

  // The record in `sink`, sealed in place when encrypted.
  #protect(sink: ByteSink): Promise<Uint8Array> {
    return this.#cipher?.sealInPlace(sink) ??
      Promise.resolve(sink.buffer.subarray(0, sink.length));
  }

  // The stream ended (end of stream, reset, cut mid-frame: the framed
  // connection reports those as ConnectionClosedError) before the close
  // record: never a clean close, whatever ended it. Other errors (timeouts,
  // oversize frames) keep their own message.
  #cut(cause: unknown): Error {
    if (cause !== undefined && !(cause instanceof ConnectionClosedError)) {
      return cause as Error;
    }
    return new ConnectionClosedError(
      `Cannot read from ${this.peer}: connection ended without close record`,
      { cause },
    );
  }

  // After the close record only the end of the stream may follow (a graceful
  // close half-closes right after it); a reset or silence now loses nothing,
  // so the wait is bounded and only data is an error.
  async #readEnd(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = await Promise.race([
      this.#framed.read().catch(() => null),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), CLOSE_GRACE);
      }),
    ]);
    clearTimeout(timer);
    if (next !== null && !this.#is(S_CLOSING | S_ENDED)) {
      throw new SyntaxError(
        `Cannot read from ${this.peer}: data after close record`,
      );
    }
  }

  // Reads through the framed connection's callback read (an idle session
  // holds no promise): frames there now are taken in a loop, and the
  // receiver is called when the next one arrives.
  #readNext(): void {
    for (;;) {
      let frame: Uint8Array | null | undefined;
      try {
        frame = framedAccess.readInto!(this.#framed, this);
      } catch (error) {
        return this.#onReadFailure(this.#cut(error));
      }
      if (frame === undefined || !this.#onFrame(frame)) return;
    }
  }

  /** FrameReceiver: the frame waited for (borrowed), or `null` at the end. */
  resolve(frame: Uint8Array<ArrayBuffer> | null): void {
    if (this.#onFrame(frame)) this.#readNext();
  }

  /** FrameReceiver: the framed connection failed while waiting. */
  reject(error: Error): void {
    this.#onReadFailure(this.#cut(error));
  }

  // Whether to read on at once (not when stopped or decrypting).
  #onFrame(frame: Uint8Array | null): boolean {
    try {
      if (this.#is(S_CLOSING | S_ENDED)) {
        this.#stopReading();
        return false;
      }
      if (frame === null) throw this.#cut(undefined);
      if (this.#cipher === undefined) return this.#onRecord(frame, frame);
      this.#cipher.open(frame).then(
        (record) => {
          if (this.#onRecord(record, frame)) this.#readNext();
        },
        (error) => this.#onReadFailure(error),
      );
    } catch (error) {
      this.#onReadFailure(error);
    }
    return false;
  }

  #onReadFailure(error: unknown): void {
    this.#fail(error as Error);
    this.#stopReading();
  }

  // Whether to read on at once (not when stopped or ending).
  #onRecord(record: Uint8Array, frame: Uint8Array): boolean {
    try {
      // A decrypted record is a fresh buffer (never the borrowed frame):
      // its tables may keep views of it.
      const owned = record.buffer !== frame.buffer;
      if (isCloseRecord(record)) {
        // Our tables not yet sent can no longer be delivered: the peer
        // stopped reading them when it closed. Sends are still accepted
        // (and counted) until the connection ends.
        this.#set(S_PEER_CLOSED, true);
        this.#readEnd().then(() => {
          if (this.#unsent > 0) throw this.#lost(this.#unsent);
          this.#finish(undefined);
          this.#stopReading();
        }).catch((error) => this.#onReadFailure(error));
        return false;
      }
      const packets = readRecord(record, owned);
      const timestamp = Date.now();
      for (const packet of packets) {
        if (this.#is(S_CLOSING | S_ENDED)) {
          this.#stopReading();
          return false;
        }
        this.#handlers!.table(this.#owner, packet, timestamp);
      }
    } catch (error) {
      this.#onReadFailure(error);
      return false;
    }
    return true;
  }

  #stopReading(): void {
    this.#set(S_READ_STOPPED, true);
    this.#readWaiter?.resolve();
    this.#readWaiter = undefined;
  }

  // Resolves once the read path has stopped.
  #readDone(): Promise<void> {
    if (this.#is(S_READ_STOPPED)) return Promise.resolve();
    return (this.#readWaiter ??= Promise.withResolvers<void>()).promise;
  }

  #lost(tables: number): Error {
    return new ConnectionClosedError(
      `Cannot send to ${this.peer}: peer closed with ${tables} ${
        tables === 1 ? "table" : "tables"
      } not delivered`,
    );
  }

  #fail(error: Error): void {
    this.#finish(error);
  }

  /** Event text for an error on this connection, naming the peer. */
  describe(error: Error): string {
    return error.message.includes(this.peer)
      ? error.message
      : `${error.message} (peer ${this.peer})`;
  }

  #finish(error: Error | undefined): void {
    if (this.#is(S_CLOSING | S_ENDED)) return;
    this.#set(S_ENDED, true);
    this.#sink = undefined;
    this.#sinkCount = 0;
    this.#sealed = undefined;
    this.#unsent = 0;
    this.#pendingBytes = 0;
    this.#release(this.#charged);
    this.#framed.abort();
    this.#handlers?.end(this.#owner, this, error);
  }

  /**
   * Local close: queued tables are still sent (within `graceMs`), then the
   * connection is closed; no handler is called afterwards. Idempotent.
   */
  close(graceMs = CLOSE_GRACE): Promise<void> {
    this.#closeTask ??= this.#close(graceMs);
    return this.#closeTask;
  }

  async #close(graceMs: number): Promise<void> {
    const wasEnded = this.#is(S_ENDED);
    this.#set(S_CLOSING, true);
    const framed = this.#framed;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        framed.abort();
        resolve();
      }, graceMs);
    });
    try {
      if (!wasEnded) {
        await Promise.race([
          (async () => {
            await this.flush();
            // Last record: tells the peer everything before it is all there
            // is (sealed, so a cut or an injected end cannot pass for it).
            if (this.#is(S_ESTABLISHED) && !this.#is(S_ENDED)) {
              const record = closeRecord();
              await framed.send(
                this.#cipher === undefined
                  ? record
                  : await this.#cipher.seal(record),
              );
            }
            await framed.close();
          })().catch(() => framed.abort()),
          grace,
        ]);
      }
      framed.abort();
      await Promise.allSettled([this.#readDone(), framed.closed]);
    } finally {
      clearTimeout(timer);
      // Whatever was not sent by now never will be.
      this.#release(this.#charged);
    }
  }

  /** Resolves once the connection's tasks have finished (after an end or close). */
  async done(): Promise<void> {
    await Promise.allSettled([this.#readDone(), this.#framed.closed]);
  }
}
