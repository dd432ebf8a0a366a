// Copyright 2026 the moonwire authors. MIT license.
/**
 * Message framing over a byte stream: length-prefixed frames with a bounded,
 * coalescing send queue, read-side flow control, idle timeout and keepalive.
 *
 * @module
 */
import {
  ConnectionClosedError,
  FrameTooLargeError,
  TimeoutError,
} from "./errors.ts";
import { DEFAULT_MAX_FRAME_SIZE, FrameDecoder } from "./frame_codec.ts";
import { StreamSocket, type StreamSocketTlsOptions } from "./stream_socket.ts";

/** Keepalive settings for {@linkcode FramedConnectionOptions}. */
export interface FramedConnectionKeepAlive {
  /** Milliseconds between keepalive checks. */
  interval: number;
  /**
   * Unanswered pings tolerated: the connection is aborted with a
   * {@linkcode TimeoutError} when nothing arrived for `maxMissed` pings in a
   * row and the next check still sees nothing.
   */
  maxMissed: number;
}

/** Options for {@linkcode FramedConnection}. */
export interface FramedConnectionOptions {
  /**
   * Largest payload, in bytes, sent or accepted.
   *
   * @default {1048576}
   */
  maxFrameSize?: number;
  /**
   * Most bytes the send queue holds (frames accepted but not yet handed to
   * the socket). A single frame larger than this is still accepted when the
   * queue is empty.
   *
   * @default {4194304}
   */
  maxQueuedBytes?: number;
  /**
   * What `send()` does when the queue is full: `"wait"` for room, or `"fail"`
   * at once with a `RangeError`.
   *
   * @default {"wait"}
   */
  whenFull?: "wait" | "fail";
  /**
   * Abort the connection with a {@linkcode TimeoutError} after this many
   * milliseconds without traffic in either direction; `0` turns it off.
   *
   * @default {0}
   */
  idleTimeout?: number;
  /**
   * Send zero-length ping frames and abort when the peer stays silent. The
   * peer need not be configured for keepalive: a connection without
   * keepalive answers every ping with a ping; one with keepalive never
   * answers (it sends its own), so pings never loop.
   */
  keepAlive?: FramedConnectionKeepAlive;
  /**
   * Size of each socket read when this connection creates the
   * {@linkcode StreamSocket} (given a `Deno.Conn`). Larger reads mean fewer
   * calls for bulk transfers, at that much memory per connection. With
   * `borrowFrames` the default is 256 KiB: the one reused read buffer starts
   * at 16 KiB and grows to this size only while reads fill it.
   *
   * @default {65536}
   */
  readChunkSize?: number;
  /**
   * Received bytes buffered ahead of `read()` before the socket is paused.
   *
   * @default {4194304}
   */
  maxReadAheadBytes?: number;
  /**
   * Borrowed frames: the socket reads into one reused buffer and frames are
   * views of it, valid only until the next `read()`/`readMany()` call (the
   * one after the call that returned them). Much less allocation for bulk
   * streams; copy (`frame.slice()`) any frame you keep longer. Frames split
   * across reads are copied, so they are always intact. While frames are
   * held nothing is read (keepalive pings included), so read on promptly.
   * Only when this connection starts the socket (always, unless given a
   * started one, which is an error anyway).
   *
   * @default {false}
   */
  borrowFrames?: boolean;
  /**
   * Milliseconds `close()` lingers after half-closing, waiting for the peer
   * to finish sending (frames arriving meanwhile stay readable), before it
   * closes. `0` closes right after the half-close.
   *
   * @default {0}
   */
  closeTimeout?: number;
}

/** Options for {@linkcode FramedConnection.connect}. */
export interface FramedConnectionConnectOptions
  extends FramedConnectionOptions {
  /** Milliseconds to wait for the connection (and TLS handshake). Default 5000. */
  timeout?: number;
  /** Connect with TLS (certificates verified by default). */
  tls?: StreamSocketTlsOptions;
  /** Aborts the connection attempt. */
  signal?: AbortSignal;
}

const DEFAULT_MAX_QUEUED = 4 * 1024 * 1024;
// Send arenas: big enough that a write moves a lot, small enough to pipeline.
// They start small (a chat-like connection never zeroes 256 KiB per message)
// and double each time one fills up, back to small after a quiet second.
const ARENA_SIZE = 256 * 1024;
const FIRST_ARENA_SIZE = 16 * 1024;
const EMPTY_FRAME = new Uint8Array(4);
// close() drops what is still queued once the peer read nothing this long.
const FLUSH_STALL_MS = 5000;
// Arenas kept for reuse while busy (a full 4 MiB queue); trimmed to none
// once the queue drains, so idle connections hold no send memory.
const POOL_SIZE = 16;
const NO_ARENA = new Uint8Array(0);
const TRIM_DELAY = 1000;
const RESOLVED: Promise<void> = Promise.resolve();

// Frames accepted for sending, gathered into one buffer and written at once.
interface Batch {
  buffer: Uint8Array<ArrayBuffer>;
  used: number;
  done: PromiseWithResolvers<void> | undefined;
}

// A pending read() (one frame) or readMany() (all available frames).
type Reader =
  | {
    many: false;
    done: PromiseWithResolvers<Uint8Array<ArrayBuffer> | null>;
  }
  | {
    many: true;
    done: PromiseWithResolvers<Uint8Array<ArrayBuffer>[] | null>;
  };

// A send waiting for room in the queue (only when whenFull is "wait").
interface BlockedSend {
  payloads: Uint8Array | Uint8Array[];
  size: number;
  done: PromiseWithResolvers<void>;
}

function option(
  name: string,
  value: number | undefined,
  fallback: number | undefined,
  min: number,
  action = "create framed connection",
): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot ${action}: ${name} must be a number, got ${typeof value}`,
    );
  }
  if (!Number.isFinite(value) || value < min) {
    throw new RangeError(
      `Cannot ${action}: ${name} ${value} is not a number >= ${min}`,
    );
  }
  return value;
}

/**
 * A framed message connection over TCP, TLS or a Unix socket. Each message
 * is one frame: a 4-byte big-endian length, then the payload.
 *
 * Sending: `send()` copies the payload (reuse your buffer at once) into an
 * arena of 16–256 KiB (bigger frames get their own); frames sent in the same
 * turn, or while the previous write is in flight, go out together in one
 * write, and share one promise that resolves when that write is handed to
 * the socket. While the queue holds `maxQueuedBytes`, `send()` waits (or
 * fails fast with `whenFull: "fail"`); a producer may also skip awaiting
 * each send and `await ready()` instead. Send promises never raise unhandled rejections:
 * a failed connection also shows in `read()`, `ready()` and `closed`.
 * Zero-length frames are keepalive pings and are never sent by `send()` nor
 * delivered by `read()`, so `send(new Uint8Array(0))` is a `RangeError`.
 *
 * Receiving: frames are read ahead up to `maxReadAheadBytes`, then the
 * socket is paused until `read()` catches up. A frame that lies in one
 * received chunk is a view of that chunk (no copy). With `borrowFrames:
 * true` the socket reuses one read buffer instead and frames are valid only
 * until the next `read()`/`readMany()` call (less allocation and garbage
 * for high-rate streams).
 *
 * Closing: `close()` flushes (giving up once the peer read nothing for 5 s),
 * half-closes (the peer reads everything, then end of stream), optionally
 * lingers up to `closeTimeout` ms for the peer to finish, then closes;
 * `abort()` closes at once and drops whatever is queued.
 * The connection does not close itself when the peer ends: `read()` returns
 * `null` and sending still works until you close.
 *
 * @example Request and answer over loopback
 * ```ts
 * import { FramedConnection } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const accepted = listener.accept();
 * await using client = await FramedConnection.connect("127.0.0.1", listener.addr.port);
 * await using server = new FramedConnection(await accepted);
 *
 * await client.send(new TextEncoder().encode("ping"));
 * const request = await server.read();
 * assert.equal(new TextDecoder().decode(request!), "ping");
 * await server.send(new TextEncoder().encode("pong"));
 * assert.equal(new TextDecoder().decode((await client.read())!), "pong");
 * ```
 *
 * @example Borrowed frames: valid until the next read
 * ```ts
 * import { FramedConnection } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const accepted = listener.accept();
 * await using client = await FramedConnection.connect("127.0.0.1", listener.addr.port);
 * await using server = new FramedConnection(await accepted, {
 *   borrowFrames: true,
 * });
 * await client.sendMany([new Uint8Array([1, 1]), new Uint8Array([2, 2])]);
 * const kept: Uint8Array[] = [];
 * while (kept.length < 2) {
 *   // Copy what outlives the next readMany() call.
 *   for (const frame of (await server.readMany())!) kept.push(frame.slice());
 * }
 * assert.deepEqual(kept, [new Uint8Array([1, 1]), new Uint8Array([2, 2])]);
 * ```
 */
export class FramedConnection
  implements AsyncIterable<Uint8Array<ArrayBuffer>>, AsyncDisposable {
  #socket: StreamSocket;
  #decoder: FrameDecoder;
  #maxFrameSize: number;
  #maxQueued: number;
  #readyMark: number;
  #failFast: boolean;
  #readAhead: number;
  #closeTimeout: number;
  // Borrowed frames: the socket's chunk is held until the next read call.
  #borrow: boolean;
  #holding = false;

  // Send side: frames are copied into 64 KiB arenas; full arenas wait in
  // #sealed; one arena is written at a time while the next ones fill.
  #batch: Batch;
  #sealed: Batch[] = [];
  #pool: Batch[] = [];
  #arenaSize = FIRST_ARENA_SIZE;
  #queued = 0;
  #inflight = 0;
  #writing = false;
  #scheduled = false;
  #blocked: BlockedSend[] = [];
  #blockedBytes = 0;
  #idleWaiters: PromiseWithResolvers<void>[] = [];
  #readyWaiters: PromiseWithResolvers<void>[] = [];
  #trimTimer: ReturnType<typeof setTimeout> | undefined;
  #sendError: Error | undefined;

  // Receive side.
  #frames: Uint8Array<ArrayBuffer>[] = [];
  #head = 0;
  #frameBytes = 0;
  #paused = false;
  #readers: Reader[] = [];
  #readDone = false;
  #readError: Error | undefined;
  #peerEnded = Promise.withResolvers<void>();

  // Lifecycle and timers.
  #closing: Promise<void> | undefined;
  #shut = false;
  #keepAlive: FramedConnectionKeepAlive | undefined;
  #idleTimeout: number;
  #lastActivity = 0;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #keepAliveTimer: ReturnType<typeof setInterval> | undefined;
  #receivedSinceTick = false;
  #sentSinceTick = false;
  #unanswered = 0;

  /**
   * Wraps a connected socket and starts reading.
   *
   * @param socket A connected `Deno.Conn`, or a {@linkcode StreamSocket}
   * that has not been started.
   * @param options Limits, backpressure mode, timeouts, keepalive.
   */
  constructor(
    socket: StreamSocket | Deno.Conn,
    options: FramedConnectionOptions = {},
  ) {
    this.#maxFrameSize = option(
      "maxFrameSize",
      options.maxFrameSize,
      DEFAULT_MAX_FRAME_SIZE,
      1,
    );
    this.#maxQueued = option(
      "maxQueuedBytes",
      options.maxQueuedBytes,
      DEFAULT_MAX_QUEUED,
      1,
    );
    this.#readyMark = Math.min(ARENA_SIZE, this.#maxQueued / 2);
    this.#readAhead = option(
      "maxReadAheadBytes",
      options.maxReadAheadBytes,
      DEFAULT_MAX_QUEUED,
      1,
    );
    this.#closeTimeout = option(
      "closeTimeout",
      options.closeTimeout,
      0,
      0,
    );
    this.#idleTimeout = option("idleTimeout", options.idleTimeout, 0, 0);
    const whenFull = options.whenFull ?? "wait";
    if (whenFull !== "wait" && whenFull !== "fail") {
      throw new TypeError(
        `Cannot create framed connection: whenFull must be "wait" or "fail", got ${
          String(whenFull)
        }`,
      );
    }
    this.#failFast = whenFull === "fail";
    if (options.keepAlive !== undefined) {
      const { interval, maxMissed } = options.keepAlive;
      this.#keepAlive = {
        interval: option("keepAlive.interval", interval ?? NaN, 0, 1),
        maxMissed: option("keepAlive.maxMissed", maxMissed ?? NaN, 0, 0),
      };
    }
    this.#borrow = options.borrowFrames === true;
    this.#decoder = new FrameDecoder({ maxFrameSize: this.#maxFrameSize });
    this.#batch = { buffer: NO_ARENA, used: 0, done: undefined };
    this.#socket = socket instanceof StreamSocket
      ? socket
      : new StreamSocket(socket, {
        maxQueuedBytes: this.#maxQueued,
        readChunkSize: options.readChunkSize,
      });
    this.#socket.start({
      data: (chunk) => this.#onData(chunk),
      end: () => this.#onEnd(),
      error: (error) => this.#onError(error),
    }, { borrowChunks: this.#borrow });
    this.#lastActivity = Date.now();
    if (this.#idleTimeout > 0) this.#armIdle(this.#idleTimeout);
    if (this.#keepAlive) {
      this.#keepAliveTimer = setInterval(
        () => this.#keepAliveTick(),
        this.#keepAlive.interval,
      );
    }
  }

  /**
   * Connects over TCP (or TLS with `options.tls`) and wraps the connection.
   *
   * @param hostname Host name or IP address.
   * @param port TCP port.
   * @param options Connection timeout (ms, default 5000), TLS, and the
   * {@linkcode FramedConnectionOptions}.
   * @returns The connected, reading connection.
   *
   * @example Connect with a timeout
   * ```ts
   * import { FramedConnection } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const accepted = listener.accept();
   * const client = await FramedConnection.connect("127.0.0.1", listener.addr.port, {
   *   timeout: 2000,
   * });
   * (await accepted).close();
   * assert.equal(await client.read(), null);
   * await client.close();
   * ```
   */
  static async connect(
    hostname: string,
    port: number,
    options: FramedConnectionConnectOptions = {},
  ): Promise<FramedConnection> {
    const socket = await StreamSocket.connect(hostname, port, {
      timeout: options.timeout,
      tls: options.tls,
      signal: options.signal,
      maxQueuedBytes: options.maxQueuedBytes,
      readChunkSize: options.readChunkSize,
    });
    try {
      return new FramedConnection(socket, options);
    } catch (error) {
      socket.close();
      throw error;
    }
  }

  /** The local address. */
  get localAddr(): Deno.NetAddr {
    return this.#socket.localAddr;
  }

  /** The remote address. */
  get remoteAddr(): Deno.NetAddr {
    return this.#socket.remoteAddr;
  }

  /**
   * Largest payload, in bytes, sent or accepted (the `maxFrameSize` option).
   * Setting it changes both directions: sends are checked against the new
   * limit at once, and received data from the next frame header on (a frame
   * whose header already arrived is still read whole). Data is decoded as it
   * arrives, so change the limit before the peer can send frames that need
   * it — e.g. keep it small until a handshake is done and raise it before
   * sending the last handshake message.
   *
   * @example A small limit until the peer is known
   * ```ts
   * import { FramedConnection } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const accepted = listener.accept();
   * await using client = await FramedConnection.connect("127.0.0.1", listener.addr.port);
   * await using server = new FramedConnection(await accepted, {
   *   maxFrameSize: 16,
   * });
   * await client.send(new TextEncoder().encode("hello"));
   * assert.equal(new TextDecoder().decode((await server.read())!), "hello");
   * server.maxFrameSize = 1024; // before answering: bigger frames follow
   * await server.send(new TextEncoder().encode("welcome"));
   * await client.read();
   * await client.send(new Uint8Array(1000));
   * assert.equal((await server.read())!.length, 1000);
   * ```
   *
   * @throws {TypeError} When set to a non-number.
   * @throws {RangeError} When set to anything but an integer in
   * `1..4294967295`.
   */
  get maxFrameSize(): number {
    return this.#maxFrameSize;
  }

  set maxFrameSize(value: number) {
    const limit = option(
      "maxFrameSize",
      value,
      undefined,
      1,
      "set frame limit",
    );
    this.#decoder.maxFrameSize = limit;
    this.#maxFrameSize = limit;
  }

  /**
   * Bytes of frames accepted by `send()` and not yet handed to the socket,
   * those waiting for room in a full queue included.
   */
  get pendingBytes(): number {
    return this.#queued + this.#inflight + this.#blockedBytes;
  }

  /** Socket counters (`writeCalls` shows how well sends coalesce). */
  get stats(): Readonly<{ writeCalls: number; bytesWritten: number }> {
    return this.#socket.stats;
  }

  /** Resolves once the connection is fully closed. */
  get closed(): Promise<void> {
    return this.#socket.closed;
  }

  /**
   * Sends one frame. Frames sent in the same turn, or while a write is in
   * flight, share one write and one promise.
   *
   * Delivery: a frame this accepts (no error at once) goes out exactly once
   * and in order with every other accepted frame, whenever the caller
   * yields between sends; or the connection fails, and then its promise
   * rejects and `read()` reports the failure. Never silence.
   *
   * @param payload The message, 1 to `maxFrameSize` bytes (copied at once:
   * the caller may reuse the buffer when `send()` returns).
   * @returns Resolves when the frame is handed to the socket.
   * @throws {FrameTooLargeError} When the payload is longer than `maxFrameSize`.
   * @throws {RangeError} For an empty payload, or a full queue with `whenFull: "fail"`.
   * @throws {ConnectionClosedError} Once closing, closed or failed.
   */
  send(payload: Uint8Array): Promise<void> {
    // Fast path (most sends of a stream): the frame joins the arena that is
    // already filling, whose write is already due.
    const batch = this.#batch;
    const done = batch.done;
    if (done !== undefined && payload instanceof Uint8Array) {
      const length = payload.length;
      const size = 4 + length;
      if (
        length > 0 && length <= this.#maxFrameSize &&
        batch.used + size <= batch.buffer.length &&
        this.#queued + this.#inflight + size <= this.#maxQueued &&
        this.#blocked.length === 0 && this.#closing === undefined &&
        !this.#shut
      ) {
        writeFrame(batch.buffer, batch.used, payload);
        batch.used += size;
        this.#queued += size;
        this.#sentSinceTick = true;
        this.#schedule();
        return done.promise;
      }
    }
    const error = this.#checkPayload(payload);
    if (error) return Promise.reject(error);
    return this.#submit(payload, 4 + payload.length);
  }

  /**
   * Sends several frames in one write, with the delivery guarantee of
   * {@linkcode FramedConnection.prototype.send}.
   *
   * @param payloads The messages, in order (each 1 to `maxFrameSize` bytes).
   * @returns Resolves when all are handed to the socket.
   * @throws {FrameTooLargeError} When any payload is too long (none is sent).
   * @throws {RangeError} For an empty payload, or a full queue with `whenFull: "fail"`.
   * @throws {ConnectionClosedError} Once closing, closed or failed.
   *
   * @example Several frames, one write
   * ```ts
   * import { FramedConnection } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const accepted = listener.accept();
   * await using client = await FramedConnection.connect("127.0.0.1", listener.addr.port);
   * await using server = new FramedConnection(await accepted);
   * await client.sendMany([new Uint8Array([1]), new Uint8Array([2, 2])]);
   * assert.equal(client.stats.writeCalls, 1);
   * assert.deepEqual(await server.read(), new Uint8Array([1]));
   * assert.deepEqual(await server.read(), new Uint8Array([2, 2]));
   * ```
   */
  sendMany(payloads: Uint8Array[]): Promise<void> {
    if (!Array.isArray(payloads)) {
      return Promise.reject(
        new TypeError("Cannot send frames: payloads must be an array"),
      );
    }
    let size = 0;
    for (const payload of payloads) {
      const error = this.#checkPayload(payload);
      if (error) return Promise.reject(error);
      size += 4 + payload.length;
    }
    if (payloads.length === 0) {
      return this.#closing || this.#shut
        ? this.#closedRejection()
        : Promise.resolve();
    }
    return this.#submit(payloads, size);
  }

  /**
   * Reads the next frame.
   *
   * @returns The next payload, or `null` once the peer has finished sending
   * and every frame has been read.
   * @throws {ConnectionClosedError} When the peer vanished mid-frame
   * (`Cannot read frame: connection closed mid-frame (N of M bytes)`, counts
   * include the 4-byte header) or the connection failed or was aborted.
   * @throws {FrameTooLargeError} When the peer announced an oversize frame.
   * @throws {TimeoutError} When the idle timeout or keepalive closed the connection.
   */
  read(): Promise<Uint8Array<ArrayBuffer> | null> {
    if (this.#holding) this.#releaseChunk();
    if (this.#head < this.#frames.length) {
      return Promise.resolve(this.#take());
    }
    if (this.#readError) return Promise.reject(this.#readError);
    if (this.#readDone) return Promise.resolve(null);
    const done = Promise.withResolvers<Uint8Array<ArrayBuffer> | null>();
    this.#readers.push({ many: false, done });
    return done.promise;
  }

  /**
   * Reads every frame received so far (at least one, waiting if there is
   * none): one promise for many frames, for high-throughput consumers.
   *
   * @returns The frames in order, or `null` once the peer has finished
   * sending and every frame has been read.
   * @throws The same errors as {@linkcode FramedConnection.prototype.read}.
   *
   * @example Drain what has arrived
   * ```ts
   * import { FramedConnection } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const accepted = listener.accept();
   * await using client = await FramedConnection.connect("127.0.0.1", listener.addr.port);
   * await using server = new FramedConnection(await accepted);
   * await client.sendMany([new Uint8Array([1]), new Uint8Array([2])]);
   * const frames = [];
   * while (frames.length < 2) frames.push(...(await server.readMany())!);
   * assert.deepEqual(frames, [new Uint8Array([1]), new Uint8Array([2])]);
   * ```
   */
  readMany(): Promise<Uint8Array<ArrayBuffer>[] | null> {
    if (this.#holding) this.#releaseChunk();
    if (this.#head < this.#frames.length) {
      return Promise.resolve(this.#takeAll());
    }
    if (this.#readError) return Promise.reject(this.#readError);
    if (this.#readDone) return Promise.resolve(null);
    const done = Promise.withResolvers<Uint8Array<ArrayBuffer>[] | null>();
    this.#readers.push({ many: true, done });
    return done.promise;
  }

  /**
   * Paces a producer that does not await every `send()`: resolves at once
   * while little is queued (under 256 KiB, or half of `maxQueuedBytes` if
   * smaller), otherwise after the next write completes with room left in
   * the queue. So `await ready()` before each send keeps the queue bounded;
   * for bulk streams, `if (conn.pendingBytes >= 256 * 1024) await
   * conn.ready()` also skips the per-frame await, so the loop yields only
   * when a write is due and sends coalesce into full 256 KiB writes. Send
   * promises never cause unhandled rejections; failures also show up in
   * `read()` and `ready()`.
   *
   * @returns Resolves when there is room; rejects with
   * {@linkcode ConnectionClosedError} once closing, closed or failed.
   *
   * @example Stream without awaiting each send
   * ```ts
   * import { FramedConnection } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const accepted = listener.accept();
   * await using client = await FramedConnection.connect("127.0.0.1", listener.addr.port);
   * await using server = new FramedConnection(await accepted);
   * const reading = Array.fromAsync({ length: 1000 }, () => server.read());
   * for (let i = 0; i < 1000; i++) {
   *   await client.ready();
   *   client.send(new Uint8Array([i & 0xff]));
   * }
   * assert.equal((await reading).length, 1000);
   * ```
   */
  ready(): Promise<void> {
    if (this.#closing || this.#shut) {
      return this.#closedRejection();
    }
    if (this.#queued + this.#inflight < this.#readyMark) return RESOLVED;
    const waiter = Promise.withResolvers<void>();
    this.#readyWaiters.push(waiter);
    return waiter.promise;
  }

  /**
   * Iterates over received frames until the peer finishes (or the
   * connection fails, which throws).
   *
   * @returns An async iterator of payloads.
   */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array<ArrayBuffer>> {
    return {
      next: async () => {
        const value = await this.read();
        return value === null
          ? { done: true, value: undefined }
          : { done: false, value };
      },
    };
  }

  /**
   * Graceful close: stops accepting sends, flushes the queue, half-closes,
   * lingers up to `closeTimeout` ms (default 0) for the peer to finish
   * sending, then closes. Every frame accepted before `close()` reaches the
   * peer before its end of stream. Frames already received stay readable. Idempotent.
   * When the peer reads nothing for 5 s while frames are still queued, they
   * are dropped (their sends reject with a `ConnectionClosedError` whose
   * cause is a `TimeoutError`) and the connection closes.
   *
   * @returns Resolves once the connection is closed.
   */
  close(): Promise<void> {
    this.#closing ??= this.#closeGracefully();
    return this.#closing;
  }

  /**
   * Closes at once, dropping queued frames: pending and later sends reject
   * with {@linkcode ConnectionClosedError}; reads return what was already
   * received, then reject.
   *
   * @param reason Why; pending reads reject with it (default a
   * `ConnectionClosedError`).
   */
  abort(reason?: Error): void {
    this.#teardown(
      reason ??
        new ConnectionClosedError("Cannot read frame: connection aborted"),
    );
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- send side ----

  #checkPayload(payload: Uint8Array): Error | undefined {
    if (!(payload instanceof Uint8Array)) {
      return new TypeError(
        `Cannot send frame: payload must be a Uint8Array, got ${typeof payload}`,
      );
    }
    if (payload.length > this.#maxFrameSize) {
      return new FrameTooLargeError(
        `Cannot send frame: length ${payload.length} exceeds limit ${this.#maxFrameSize}`,
      );
    }
    if (payload.length === 0) {
      return new RangeError(
        "Cannot send frame: empty frames are reserved for keepalive pings",
      );
    }
    return undefined;
  }

  // Sends may be fired and forgotten (the failure also reaches read() and
  // ready()), so their rejection once closed must not be unhandled.
  #closedRejection(): Promise<never> {
    const rejected = Promise.reject(this.#closedSendError());
    rejected.catch(ignore);
    return rejected;
  }

  #closedSendError(): Error {
    if (this.#sendError) {
      return new ConnectionClosedError(
        "Cannot send frame: connection is closed",
        { cause: this.#sendError },
      );
    }
    return new ConnectionClosedError("Cannot send frame: connection is closed");
  }

  #submit(payloads: Uint8Array | Uint8Array[], size: number): Promise<void> {
    if (this.#closing || this.#shut) {
      return this.#closedRejection();
    }
    const pending = this.#queued + this.#inflight;
    if (
      this.#blocked.length === 0 &&
      (pending === 0 || pending + size <= this.#maxQueued)
    ) {
      return this.#append(payloads, size);
    }
    if (this.#failFast) {
      return Promise.reject(
        new RangeError(
          `Cannot send frame: send queue is full (${pending} bytes queued, limit ${this.#maxQueued})`,
        ),
      );
    }
    const done = Promise.withResolvers<void>();
    done.promise.catch(ignore);
    // Waiting sends keep a copy, so callers may reuse their buffer at once.
    const copy = payloads instanceof Uint8Array
      ? payloads.slice()
      : payloads.map((payload) => payload.slice());
    this.#blocked.push({ payloads: copy, size, done });
    this.#blockedBytes += size;
    return done.promise;
  }

  // Copies frames into the current arena and schedules a write.
  #append(payloads: Uint8Array | Uint8Array[], size: number): Promise<void> {
    const batch = this.#reserve(size);
    if (payloads instanceof Uint8Array) {
      writeFrame(batch.buffer, batch.used, payloads);
    } else {
      let offset = batch.used;
      for (const payload of payloads) {
        writeFrame(batch.buffer, offset, payload);
        offset += 4 + payload.length;
      }
    }
    batch.used += size;
    this.#queued += size;
    let done = batch.done;
    if (done === undefined) {
      done = batch.done = Promise.withResolvers<void>();
      // Callers may fire and forget; failures also reach read()/ready().
      done.promise.catch(ignore);
    }
    this.#sentSinceTick = true;
    this.#schedule();
    return done.promise;
  }

  // The arena that takes the next `size` bytes: the current one if they
  // fit, else a fresh one (the current one is sealed for writing). Frames
  // larger than an arena get a buffer of their own.
  #reserve(size: number): Batch {
    const batch = this.#batch;
    if (batch.used + size <= batch.buffer.length) return batch;
    if (batch.used > 0) {
      this.#sealed.push(batch);
      if (
        this.#arenaSize < ARENA_SIZE && batch.buffer.length >= this.#arenaSize
      ) {
        // A full arena: traffic is heavy, use bigger ones.
        this.#arenaSize *= 2;
        this.#pool.length = 0;
      }
    } else this.#recycle(batch);
    const next = size <= this.#arenaSize
      ? (this.#pool.pop() ?? newBatch(this.#arenaSize))
      : newBatch(size);
    this.#batch = next;
    return next;
  }

  // Frees pooled arenas once sending has paused for a while, so an idle
  // connection holds no send memory while a busy one reuses its arenas.
  #scheduleTrim(): void {
    if (
      this.#trimTimer !== undefined ||
      (this.#pool.length === 0 && this.#arenaSize === FIRST_ARENA_SIZE)
    ) return;
    this.#trimTimer = setTimeout(() => {
      this.#trimTimer = undefined;
      if (this.#queued === 0 && !this.#writing) {
        this.#pool.length = 0;
        this.#arenaSize = FIRST_ARENA_SIZE;
      } else this.#scheduleTrim();
    }, TRIM_DELAY);
    Deno.unrefTimer(this.#trimTimer);
  }

  #recycle(batch: Batch): void {
    batch.used = 0;
    batch.done = undefined;
    if (
      batch.buffer.length === this.#arenaSize && this.#pool.length < POOL_SIZE
    ) {
      this.#pool.push(batch);
    }
  }

  #schedule(): void {
    if (this.#writing || this.#scheduled) return;
    // Start on a microtask so a burst of synchronous sends becomes one write.
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#writing || this.#shut) return;
    let batch = this.#sealed.shift();
    if (batch === undefined) {
      batch = this.#batch;
      if (batch.used === 0) return;
      this.#batch = this.#pool.pop() ??
        { buffer: NO_ARENA, used: 0, done: undefined };
    }
    this.#writing = true;
    this.#queued -= batch.used;
    this.#inflight = batch.used;
    this.#lastActivity = Date.now();
    const written = batch;
    this.#socket.write(batch.buffer.subarray(0, batch.used)).then(
      () => this.#written(written),
      (error) => this.#writeFailed(written, error),
    );
  }

  #written(batch: Batch): void {
    this.#writing = false;
    this.#inflight = 0;
    const done = batch.done;
    this.#recycle(batch);
    done?.resolve();
    this.#admitBlocked();
    if (this.#readyWaiters.length > 0 && this.#queued < this.#maxQueued) {
      const waiters = this.#readyWaiters;
      this.#readyWaiters = [];
      for (const waiter of waiters) waiter.resolve();
    }
    if (this.#queued > 0) this.#flush();
    else if (this.#blocked.length === 0) {
      this.#scheduleTrim();
      this.#notifyIdle();
    }
  }

  #writeFailed(batch: Batch, error: unknown): void {
    this.#writing = false;
    this.#inflight = 0;
    const cause = error instanceof Error ? error : new Error(String(error));
    this.#sendError ??= cause;
    batch.done?.reject(this.#closedSendError());
    this.#teardown(
      new ConnectionClosedError("Cannot read frame: connection failed", {
        cause,
      }),
    );
  }

  #admitBlocked(): void {
    while (this.#blocked.length > 0) {
      const next = this.#blocked[0];
      const pending = this.#queued + this.#inflight;
      if (pending !== 0 && pending + next.size > this.#maxQueued) return;
      this.#blocked.shift();
      this.#blockedBytes -= next.size;
      this.#append(next.payloads, next.size).then(
        next.done.resolve,
        next.done.reject,
      );
    }
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  // Resolves when everything accepted or waiting has been written.
  #flushed(): Promise<void> {
    if (!this.#writing && this.#queued === 0 && this.#blocked.length === 0) {
      return Promise.resolve();
    }
    const waiter = Promise.withResolvers<void>();
    this.#idleWaiters.push(waiter);
    return waiter.promise;
  }

  #sendPing(): void {
    if (this.#shut || this.#closing) return;
    const batch = this.#reserve(4);
    batch.buffer.set(EMPTY_FRAME, batch.used);
    batch.used += 4;
    this.#queued += 4;
    this.#sentSinceTick = true;
    this.#schedule();
  }

  // ---- receive side ----

  // Borrowed frames: once every frame of the held chunk has been handed out
  // and the caller asks for more, the socket may reuse its buffer.
  #releaseChunk(): void {
    if (this.#head < this.#frames.length) return;
    this.#holding = false;
    this.#socket.release();
  }

  #onData(chunk: Uint8Array<ArrayBuffer>): void {
    this.#receivedSinceTick = true;
    this.#lastActivity = Date.now();
    let frames: Uint8Array<ArrayBuffer>[];
    try {
      frames = this.#decoder.decode(chunk);
    } catch (error) {
      this.#teardown(error as Error);
      return;
    }
    let bytes = 0;
    let pings = 0;
    for (const frame of frames) {
      bytes += frame.length;
      if (frame.length === 0) pings++;
    }
    if (pings > 0) {
      // Pings: answer only when we do not send our own, and only while the
      // queue has room: a peer that pings but never reads must not grow it.
      if (
        !this.#keepAlive &&
        this.#queued + this.#inflight + EMPTY_FRAME.length <= this.#maxQueued
      ) {
        this.#sendPing();
      }
      frames = frames.filter((frame) => frame.length > 0);
    }
    if (this.#closing && this.#frameBytes >= this.#readAhead) {
      // Closing and nobody reads: drop rather than buffer without bound.
      frames = [];
    } else if (this.#head === this.#frames.length) {
      this.#frames = frames;
      this.#head = 0;
      this.#frameBytes += bytes;
    } else {
      for (const frame of frames) this.#frames.push(frame);
      this.#frameBytes += bytes;
    }
    if (this.#borrow) {
      // Closing: keep the chunk (frames stay valid) and read on to the end.
      if (this.#closing) this.#socket.release({ keep: true });
      else if (frames.length === 0) this.#socket.release();
      else this.#holding = true;
    }
    while (this.#readers.length > 0 && this.#head < this.#frames.length) {
      const reader = this.#readers.shift()!;
      if (reader.many) reader.done.resolve(this.#takeAll());
      else reader.done.resolve(this.#take());
    }
    if (this.#frameBytes >= this.#readAhead && !this.#closing) {
      this.#paused = true;
      this.#socket.pause();
    }
  }

  #takeAll(): Uint8Array<ArrayBuffer>[] {
    const frames = this.#head === 0
      ? this.#frames
      : this.#frames.slice(this.#head);
    this.#frames = [];
    this.#head = 0;
    this.#frameBytes = 0;
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
    return frames;
  }

  #take(): Uint8Array<ArrayBuffer> {
    const frame = this.#frames[this.#head++];
    this.#frameBytes -= frame.length;
    if (this.#head === this.#frames.length) {
      this.#frames.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024) {
      this.#frames = this.#frames.slice(this.#head);
      this.#head = 0;
    }
    if (this.#paused && this.#frameBytes <= this.#readAhead / 2) {
      this.#paused = false;
      this.#socket.resume();
    }
    return frame;
  }

  #onEnd(): void {
    const buffered = this.#decoder.bufferedBytes;
    if (buffered > 0) {
      this.#teardown(
        new ConnectionClosedError(
          `Cannot read frame: connection closed mid-frame (${buffered} of ${this.#decoder.expectedBytes} bytes)`,
        ),
      );
      return;
    }
    this.#readDone = true;
    this.#stopKeepAlive();
    this.#peerEnded.resolve();
    for (const reader of this.#readers.splice(0)) reader.done.resolve(null);
  }

  #onError(error: Error): void {
    const buffered = this.#decoder.bufferedBytes;
    if (buffered > 0) {
      this.#teardown(
        new ConnectionClosedError(
          `Cannot read frame: connection closed mid-frame (${buffered} of ${this.#decoder.expectedBytes} bytes)`,
          { cause: error },
        ),
      );
      return;
    }
    this.#teardown(error);
  }

  // ---- timers ----

  #armIdle(delay: number): void {
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#shut) return;
      const quiet = Date.now() - this.#lastActivity;
      // A paused reader is the application's choice, not an idle peer.
      if (quiet >= this.#idleTimeout && !this.#paused && !this.#holding) {
        this.#teardown(
          new TimeoutError(
            `Cannot keep connection open: idle for ${this.#idleTimeout} ms`,
          ),
        );
        return;
      }
      this.#armIdle(Math.max(1, this.#idleTimeout - quiet));
    }, delay);
  }

  #keepAliveTick(): void {
    const { interval, maxMissed } = this.#keepAlive!;
    if (this.#receivedSinceTick || this.#paused || this.#holding) {
      this.#unanswered = 0;
    } else if (this.#unanswered >= maxMissed) {
      this.#teardown(
        new TimeoutError(
          `Cannot keep connection alive: no traffic from peer for ${
            interval * (maxMissed + 1)
          } ms`,
        ),
      );
      return;
    } else {
      this.#unanswered++;
    }
    if (!this.#receivedSinceTick || !this.#sentSinceTick) this.#sendPing();
    this.#receivedSinceTick = false;
    this.#sentSinceTick = false;
  }

  #stopKeepAlive(): void {
    if (this.#keepAliveTimer !== undefined) {
      clearInterval(this.#keepAliveTimer);
      this.#keepAliveTimer = undefined;
    }
  }

  // ---- lifecycle ----

  async #closeGracefully(): Promise<void> {
    // Read ahead freely now: the peer's end must be seen to finish.
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
    if (this.#holding) {
      // Frames already handed out stay valid: the socket reads on into a
      // new buffer.
      this.#holding = false;
      this.#socket.release({ keep: true });
    }
    try {
      if (!(await this.#flushedUnlessStalled())) {
        this.#teardown(
          new TimeoutError(
            `Cannot flush frames: the peer read nothing for ${FLUSH_STALL_MS} ms`,
          ),
        );
      }
      if (!this.#shut) await this.#socket.closeWrite();
      if (!this.#shut && !this.#readDone && this.#closeTimeout > 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          this.#peerEnded.promise,
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, this.#closeTimeout);
          }),
        ]);
        clearTimeout(timer);
      }
    } catch {
      // The connection failed while closing; it is torn down below.
    }
    this.#teardown(undefined);
    await this.#socket.closed;
  }

  // Waits for the queue to empty; false once no byte left for
  // FLUSH_STALL_MS (a peer that stopped reading must not hold close()
  // forever; a slow one that keeps reading may take as long as it needs).
  async #flushedUnlessStalled(): Promise<boolean> {
    const flushed = this.#flushed().then(() => true);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      for (;;) {
        const before = this.#socket.stats.writeCalls;
        const pending = this.pendingBytes;
        const tick = new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), FLUSH_STALL_MS);
        });
        if (await Promise.race([flushed, tick])) return true;
        if (
          this.#socket.stats.writeCalls === before &&
          this.pendingBytes >= pending
        ) {
          return false;
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  #teardown(error: Error | undefined): void {
    if (error && !this.#readDone && !this.#readError) {
      this.#readError = error;
      for (const reader of this.#readers.splice(0)) reader.done.reject(error);
    }
    if (this.#shut) return;
    this.#shut = true;
    if (!this.#readError) this.#readDone = true;
    this.#sendError ??= error;
    this.#stopKeepAlive();
    if (this.#idleTimer !== undefined) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
    }
    if (this.#trimTimer !== undefined) {
      clearTimeout(this.#trimTimer);
      this.#trimTimer = undefined;
    }
    this.#pool.length = 0;
    this.#socket.close();
    const sendError = this.#closedSendError();
    for (const batch of [...this.#sealed.splice(0), this.#batch]) {
      batch.done?.reject(sendError);
      batch.done = undefined;
      batch.used = 0;
    }
    this.#queued = 0;
    for (const blocked of this.#blocked.splice(0)) {
      blocked.done.reject(sendError);
    }
    this.#blockedBytes = 0;
    for (const waiter of this.#readyWaiters.splice(0)) {
      waiter.reject(sendError);
    }
    for (const reader of this.#readers.splice(0)) reader.done.resolve(null);
    this.#peerEnded.resolve();
    this.#notifyIdle();
  }
}

function ignore(): void {}

function writeFrame(buffer: Uint8Array, offset: number, payload: Uint8Array) {
  const length = payload.length;
  buffer[offset] = length >>> 24;
  buffer[offset + 1] = (length >>> 16) & 0xff;
  buffer[offset + 2] = (length >>> 8) & 0xff;
  buffer[offset + 3] = length & 0xff;
  buffer.set(payload, offset + 4);
}

function newBatch(size: number): Batch {
  return { buffer: new Uint8Array(size), used: 0, done: undefined };
}
