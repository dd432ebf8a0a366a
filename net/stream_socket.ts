// Copyright 2026 the moonwire authors. MIT license.
/**
 * The shared byte-stream transport core: a push read loop with flow control
 * and a bounded, coalescing write queue over a `Deno.Conn` or `Deno.TlsConn`.
 * The polling API, the callback API and framed connections all run on it.
 *
 * @module
 */
import { ConnectionClosedError, TimeoutError } from "./errors.ts";
import type { StreamConn } from "./_stream_conn.ts";
import {
  isNotTlsAnswer,
  messageOf,
  NOT_TLS_REASON,
  withContext,
} from "./_error_context.ts";
import { handshake, openStreamConn } from "./_stream_connect.ts";
import {
  positiveInteger,
  type StreamSocketConnectOptions,
  type StreamSocketHandlers,
  type StreamSocketOptions,
  type StreamSocketReleaseOptions,
  type StreamSocketStartOptions,
  type StreamSocketStats,
  type StreamSocketUpgradeOptions,
} from "./_stream_options.ts";
import * as flag from "./_stream_flags.ts";
import {
  StreamWriteQueue,
  type StreamWriteTarget,
} from "./_stream_write_queue.ts";

export type {
  StreamSocketConnectOptions,
  StreamSocketHandlers,
  StreamSocketOptions,
  StreamSocketReleaseOptions,
  StreamSocketStartOptions,
  StreamSocketStats,
  StreamSocketTlsOptions,
  StreamSocketUpgradeOptions,
} from "./_stream_options.ts";

const DEFAULT_MAX_QUEUED = 4 * 1024 * 1024;
const DEFAULT_CHUNK = 64 * 1024;
const DEFAULT_BORROW_CHUNK = 256 * 1024;
// Read buffers start this small (an idle socket's pending read pins one),
// double up to readChunkSize each time a read fills one, and drop back to
// this size once no read filled its buffer for QUIET_MS.
const FIRST_READ_SIZE = 1024;
const QUIET_MS = 1000;

// What every socket's write queue calls back (set in the class's static
// block, where the private members are in reach).
let writeTarget: StreamWriteTarget<StreamSocket>;

/**
 * A byte-stream socket: push reads via {@linkcode StreamSocket.start}, with
 * `pause()`/`resume()` flow control, and a bounded write queue in bytes.
 * Everything queued while a write is in flight goes out in one `conn.write`.
 *
 * STARTTLS rule: {@linkcode StreamSocket.upgradeTls} needs no read in flight,
 * so call it before `start()`, or call `pause()` inside the `data` handler
 * that received the go-ahead and upgrade then (pausing from the handler stops
 * the loop before its next read). It throws when a read is in flight.
 *
 * @example Echo over loopback
 * ```ts
 * import { StreamSocket } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const accepted = listener.accept();
 * using client = await StreamSocket.connect("127.0.0.1", listener.addr.port);
 * using server = new StreamSocket(await accepted);
 * const received = Promise.withResolvers<string>();
 * server.start({
 *   data: (chunk) => received.resolve(new TextDecoder().decode(chunk)),
 *   end: () => {},
 *   error: () => {},
 * });
 * await client.write(new TextEncoder().encode("hello"));
 * assert.equal(await received.promise, "hello");
 * ```
 */
export class StreamSocket implements Disposable, AsyncDisposable {
  #conn: StreamConn;
  // Boolean state in one number (see _stream_flags.ts). Reads chain
  // callbacks (an idle socket holds only its conn.read).
  #flags = flag.READ_STOPPED;
  #chunkSize: number;
  #handlers: StreamSocketHandlers | undefined;
  #terminal: { error?: Error } | undefined;
  // Made when someone asks for `closed` (an idle socket holds no promise).
  #closedDone: PromiseWithResolvers<void> | undefined;
  #readWaiter: PromiseWithResolvers<void> | undefined;
  #readSize = FIRST_READ_SIZE;
  #filledAt = 0;
  #readBuffer: Uint8Array<ArrayBuffer> | undefined;
  #writes: StreamWriteQueue<StreamSocket>;
  #stats: StreamSocketStats = {
    writeCalls: 0,
    bytesWritten: 0,
    readCalls: 0,
    bytesRead: 0,
  };

  static {
    writeTarget = {
      conn: (socket) => socket.#conn,
      failed: (socket, error) => socket.#fail(error),
    };
  }

  /**
   * Wraps an open connection. Nothing is read until `start()`.
   *
   * @param conn A connected `Deno.Conn` (TCP, TLS or Unix).
   * @param options Queue limit and read buffer size.
   */
  constructor(conn: Deno.Conn, options: StreamSocketOptions = {}) {
    this.#conn = conn;
    const maxQueued = positiveInteger(
      options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED,
      "maxQueuedBytes",
    );
    this.#chunkSize = positiveInteger(
      options.readChunkSize ?? DEFAULT_CHUNK,
      "readChunkSize",
    );
    this.#set(flag.CHUNK_SIZE_GIVEN, options.readChunkSize !== undefined);
    this.#writes = new StreamWriteQueue(
      writeTarget,
      this,
      this.#stats,
      maxQueued,
    );
    // The write queue already coalesces small writes; Nagle's algorithm on
    // top only delays a write made while the last one is unacknowledged
    // (40 ms of delayed ACK when the peer answers nothing in between).
    if ("setNoDelay" in conn && typeof conn.setNoDelay === "function") {
      try {
        (conn as Deno.TcpConn).setNoDelay(true);
      } catch {
        // Closed already: the first read or write reports it.
      }
    }
  }

  /**
   * Connects over TCP, or TLS with `options.tls` (certificates verified by
   * default; `unsafelyDisableVerification: true` is the explicit opt-out).
   *
   * @param hostname Host name or IP address.
   * @param port TCP port, 1–65535.
   * @param options TLS, timeout (ms, default 5000), abort signal, queue options.
   * @returns The connected socket (not started).
   *
   * @example Connect with a timeout
   * ```ts
   * import { StreamSocket } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const accepted = listener.accept();
   * using socket = await StreamSocket.connect("127.0.0.1", listener.addr.port, {
   *   timeout: 2000,
   * });
   * (await accepted).close();
   * assert.equal(socket.remoteAddr.port, listener.addr.port);
   * ```
   */
  static async connect(
    hostname: string,
    port: number,
    options: StreamSocketConnectOptions = {},
  ): Promise<StreamSocket> {
    const conn = await openStreamConn(hostname, port, options);
    return new StreamSocket(conn as unknown as Deno.Conn, options);
  }

  /** What the socket did so far: write calls (to prove coalescing), bytes. */
  get stats(): Readonly<StreamSocketStats> {
    return this.#stats;
  }

  /** The local address of the connection. */
  get localAddr(): Deno.NetAddr {
    return this.#conn.localAddr as Deno.NetAddr;
  }

  /** The remote address of the connection. */
  get remoteAddr(): Deno.NetAddr {
    return this.#conn.remoteAddr as Deno.NetAddr;
  }

  /** Bytes accepted by `write`/`tryWrite` and not yet handed to the socket. */
  get pendingBytes(): number {
    return this.#writes.pendingBytes;
  }

  /** Whether `close()` ran (locally or after an error). */
  get isClosed(): boolean {
    return this.#is(flag.CLOSED);
  }

  /** Resolves once the socket is closed and no operation is in flight. */
  get closed(): Promise<void> {
    if (this.#is(flag.FINISHED)) return Promise.resolve();
    return (this.#closedDone ??= Promise.withResolvers<void>()).promise;
  }

  /**
   * Starts the read loop. Each chunk is a fresh buffer, unless
   * `options.borrowChunks` is set: then each chunk is a view of one reused
   * buffer, lent to the `data` handler until {@linkcode release} is called
   * (from the handler or any time later); no read happens in between.
   *
   * @param handlers The `data`, `end` and `error` callbacks.
   * @param options Whether chunks are borrowed.
   *
   * @example Borrowed chunks: use them, then release
   * ```ts
   * import { StreamSocket } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const accepted = listener.accept();
   * using client = await StreamSocket.connect("127.0.0.1", listener.addr.port);
   * using server = new StreamSocket(await accepted);
   * let text = "";
   * const ended = Promise.withResolvers<void>();
   * server.start({
   *   data(chunk) {
   *     text += new TextDecoder().decode(chunk); // copy what you keep
   *     server.release(); // the buffer may now be reused
   *   },
   *   end: () => ended.resolve(),
   *   error: ended.reject,
   * }, { borrowChunks: true });
   * await client.write(new TextEncoder().encode("hello"));
   * await client.closeWrite();
   * await ended.promise;
   * assert.equal(text, "hello");
   * ```
   */
  start(
    handlers: StreamSocketHandlers,
    options: StreamSocketStartOptions = {},
  ): void {
    if (
      typeof handlers !== "object" || handlers === null ||
      typeof handlers.data !== "function" ||
      typeof handlers.end !== "function" ||
      typeof handlers.error !== "function"
    ) {
      throw new TypeError(
        "Cannot start socket: handlers must have data, end and error functions",
      );
    }
    if (typeof options !== "object" || options === null) {
      throw new TypeError("Cannot start socket: options must be an object");
    }
    if (this.#handlers) {
      throw new Error("Cannot start socket: already started");
    }
    this.#set(flag.BORROW, options.borrowChunks === true);
    if (this.#is(flag.BORROW) && !this.#is(flag.CHUNK_SIZE_GIVEN)) {
      this.#chunkSize = DEFAULT_BORROW_CHUNK;
    }
    this.#readSize = Math.min(
      FIRST_READ_SIZE,
      this.#chunkSize,
    );
    this.#handlers = handlers;
    if (this.#terminal) {
      // Failed before start: report it, but never synchronously.
      queueMicrotask(() => this.#sendTerminal());
      return;
    }
    if (this.#is(flag.CLOSED)) return;
    this.#set(flag.READ_STOPPED, false);
    this.#readNext();
  }

  /** Stops reading after the current read; data stays in the kernel. */
  pause(): void {
    this.#set(flag.PAUSED, true);
  }

  /** Resumes reading after `pause()`. */
  resume(): void {
    this.#set(flag.PAUSED, false);
    this.#wake();
  }

  /**
   * Hands the borrowed chunk back (sockets started with `borrowChunks`): the
   * socket may overwrite it with the next read. With `keep: true` the chunk
   * stays valid for good and the next read goes into a new buffer. A no-op
   * once the socket is closed (nothing is read any more, so a borrowed chunk
   * stays intact).
   *
   * @param options Whether to keep the chunk.
   * @throws {Error} When the socket is open and no chunk is borrowed.
   *
   * @example Keep a chunk instead of copying it
   * ```ts
   * import { StreamSocket } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const accepted = listener.accept();
   * using client = await StreamSocket.connect("127.0.0.1", listener.addr.port);
   * using server = new StreamSocket(await accepted);
   * const kept = Promise.withResolvers<Uint8Array>();
   * server.start({
   *   data(chunk) {
   *     server.release({ keep: true });
   *     kept.resolve(chunk);
   *   },
   *   end: () => {},
   *   error: () => {},
   * }, { borrowChunks: true });
   * await client.write(new Uint8Array([1, 2, 3]));
   * assert.deepEqual(await kept.promise, new Uint8Array([1, 2, 3]));
   * assert.throws(() => server.release(), {
   *   name: "Error",
   *   message: "Cannot release chunk: no chunk is borrowed",
   * });
   * ```
   */
  release(options: StreamSocketReleaseOptions = {}): void {
    if (this.#is(flag.CLOSED)) return;
    if (!this.#is(flag.LENT)) {
      throw new Error(
        this.#is(flag.BORROW)
          ? "Cannot release chunk: no chunk is borrowed"
          : "Cannot release chunk: socket was not started with borrowChunks",
      );
    }
    this.#set(flag.LENT, false);
    if (options.keep === true) this.#readBuffer = undefined;
    this.#wake();
  }

  #is(bits: number): boolean {
    return (this.#flags & bits) !== 0; // any of them
  }

  #set(bits: number, on: boolean): void {
    this.#flags = on ? this.#flags | bits : this.#flags & ~bits;
  }

  #wake(): void {
    if (!this.#is(flag.PARKED)) return;
    this.#set(flag.PARKED, false);
    // Reading goes on in a microtask, as after an await: a pause() right
    // after resume() still holds it.
    if (this.#is(flag.CLOSED)) this.#stopReading();
    else queueMicrotask(() => this.#readNext());
  }

  // The buffer for the next read: reused while borrowing, otherwise fresh
  // unless the last read was small; smaller again after a quiet spell.
  #nextBuffer(): Uint8Array<ArrayBuffer> {
    const first = Math.min(FIRST_READ_SIZE, this.#chunkSize);
    if (
      this.#readSize > first &&
      Date.now() - this.#filledAt >= QUIET_MS
    ) {
      this.#readSize = first;
    }
    const buffer = this.#readBuffer;
    if (buffer !== undefined && buffer.length === this.#readSize) return buffer;
    return this.#readBuffer = new Uint8Array(this.#readSize);
  }

  // Issues the next read, or parks until #wake.
  #readNext(): void {
    if (this.#is(flag.CLOSED)) return this.#stopReading();
    if (
      this.#is(flag.PAUSED | flag.UPGRADING | flag.LENT)
    ) {
      this.#set(flag.PARKED, true);
      return;
    }
    const buffer = this.#nextBuffer();
    this.#set(flag.READING, true);
    this.#conn.read(buffer).then(this.#onSettled, this.#onSettled);
  }

  // Bound once per socket, both outcomes of every read: conn.read resolves
  // to a count or null and rejects with an error object (one closure per
  // socket instead of two).
  #onSettled = (result: number | null | Error): void =>
    typeof result === "number" || result === null
      ? this.#onRead(result)
      : this.#onReadError(result);

  #onRead(n: number | null): void {
    this.#set(flag.READING, false);
    if (this.#is(flag.CLOSED)) return this.#stopReading();
    if (n === null) {
      this.#terminal ??= {};
      this.#sendTerminal();
      return this.#stopReading();
    }
    // Only #readNext replaces it, and a close drops it (handled above).
    const buffer = this.#readBuffer!;
    this.#stats.readCalls++;
    this.#stats.bytesRead += n;
    if (n === buffer.length) {
      // A full read: the stream is busy, read more at a time.
      this.#filledAt = Date.now();
      if (n < this.#chunkSize) {
        this.#readSize = Math.min(n * 2, this.#chunkSize);
      }
    }
    let chunk: Uint8Array<ArrayBuffer>;
    if (this.#is(flag.BORROW)) {
      chunk = buffer.subarray(0, n);
      this.#set(flag.LENT, true);
    } else if (n * 2 <= buffer.length) {
      // Small read: copy out and reuse the buffer, so a kept chunk never
      // pins a mostly empty big buffer.
      chunk = buffer.slice(0, n);
    } else {
      chunk = buffer.subarray(0, n);
      this.#readBuffer = undefined;
    }
    try {
      this.#handlers!.data(chunk);
    } catch (error) {
      this.#fail(error instanceof Error ? error : new Error(String(error)));
      return this.#stopReading();
    }
    this.#readNext();
  }

  #onReadError(error: unknown): void {
    this.#set(flag.READING, false);
    if (!this.#is(flag.CLOSED)) {
      this.#fail(
        new ConnectionClosedError(`Cannot read: ${messageOf(error)}`, {
          cause: error,
        }),
      );
    }
    this.#stopReading();
  }

  #stopReading(): void {
    this.#set(flag.READ_STOPPED, true);
    this.#readWaiter?.resolve();
    this.#readWaiter = undefined;
  }

  // Resolves once no read is in flight and none will be issued.
  #readDone(): Promise<void> | undefined {
    if (this.#is(flag.READ_STOPPED)) return undefined;
    return (this.#readWaiter ??= Promise.withResolvers<void>()).promise;
  }

  #sendTerminal(): void {
    if (this.#is(flag.TERMINAL_SENT) || !this.#handlers || !this.#terminal) {
      return;
    }
    if (this.#is(flag.CLOSED) && !this.#terminal.error) return;
    this.#set(flag.TERMINAL_SENT, true);
    const { error } = this.#terminal;
    try {
      if (error) this.#handlers.error(error);
      else this.#handlers.end();
    } catch (thrown) {
      reportError(thrown);
    }
  }

  // The connection broke: close, then report once (unless already ended).
  #fail(error: Error): void {
    if (this.#is(flag.CLOSED)) return;
    const report = !this.#terminal;
    if (report) this.#terminal = { error };
    this.#shutdown(error);
    if (report) this.#sendTerminal();
  }

  /**
   * Queues bytes for sending. Resolves when they are handed to the socket;
   * waits while the queue is full. Do not change `data` until it resolves.
   *
   * Delivery: bytes this accepts go out exactly once and in order with all
   * other accepted bytes (also across `upgradeTls()`, `pause()`/`resume()`
   * and whatever the caller awaits between writes), or the socket fails: the
   * promise rejects and the `error` handler runs. Never silence.
   *
   * @param data Bytes to send.
   * @returns Resolves once written; rejects with `ConnectionClosedError`.
   */
  write(data: Uint8Array): Promise<void> {
    if (!(data instanceof Uint8Array)) {
      return Promise.reject(
        new TypeError("Cannot write: data must be a Uint8Array"),
      );
    }
    const closedError = this.#writeClosedError();
    if (closedError) return Promise.reject(closedError);
    return this.#writes.write(data);
  }

  /**
   * Accepts as many bytes as fit in the queue now (copied) and returns how
   * many; 0 when full or when writes are waiting for space. The bytes
   * counted have the delivery guarantee of
   * {@linkcode StreamSocket.prototype.write}.
   *
   * @param data Bytes to send.
   * @returns The number of bytes accepted.
   */
  tryWrite(data: Uint8Array): number {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError("Cannot write: data must be a Uint8Array");
    }
    const closedError = this.#writeClosedError();
    if (closedError) throw closedError;
    return this.#writes.tryWrite(data);
  }

  #writeClosedError(): Error | undefined {
    if (this.#is(flag.CLOSED)) {
      return new ConnectionClosedError("Cannot write: socket is closed");
    }
    if (this.#is(flag.WRITE_SHUT)) {
      return new ConnectionClosedError("Cannot write: write side is closed");
    }
    return undefined;
  }

  /**
   * Resolves when everything queued so far has been handed to the socket.
   *
   * @returns Resolves at zero pending bytes; rejects if the socket closes first.
   */
  drained(): Promise<void> {
    return this.#writes.drained();
  }

  /**
   * Flushes the queue, then half-closes (sends end of stream). Reading goes
   * on; further writes reject. Everything accepted before the call reaches
   * the peer before its end of stream.
   *
   * @returns Resolves once the end of stream is sent.
   */
  async closeWrite(): Promise<void> {
    const closedError = this.#writeClosedError();
    if (closedError) throw closedError;
    this.#set(flag.WRITE_SHUT, true);
    await this.drained();
    try {
      await this.#conn.closeWrite();
    } catch (error) {
      throw new ConnectionClosedError(
        `Cannot close write side: ${messageOf(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * Upgrades a plain TCP client connection to TLS (STARTTLS) with verified
   * certificates. Needs no read in flight: call before `start()`, or after
   * `pause()` from inside the `data` handler. Pending writes are flushed
   * first; writes made during the upgrade go out encrypted. The pause state
   * is unchanged. If the handshake fails, the socket closes, the error goes
   * to the `error` handler (when started) and this promise rejects with it.
   *
   * @param options Name to verify, extra roots, timeout (ms, default 5000).
   * @returns Resolves once the TLS handshake is complete.
   */
  async upgradeTls(options: StreamSocketUpgradeOptions = {}): Promise<void> {
    if (options.unsafelyDisableVerification === true) {
      throw new TypeError(
        "Cannot upgrade to TLS: unsafelyDisableVerification is not supported for STARTTLS (Deno.startTls always verifies certificates)",
      );
    }
    if (this.#is(flag.CLOSED)) {
      throw new ConnectionClosedError(
        "Cannot upgrade to TLS: socket is closed",
      );
    }
    if (this.#is(flag.READING)) {
      throw new Error(
        "Cannot upgrade to TLS: a read is in flight; call upgradeTls() before start() or after pause() inside the data handler",
      );
    }
    if (this.#is(flag.UPGRADING)) {
      throw new Error("Cannot upgrade to TLS: an upgrade is in progress");
    }
    // Reads and new writes wait from here on; what was queued before this
    // call still goes out in plain text.
    this.#set(flag.UPGRADING, true);
    const plain = this.#writes.hold();
    const timeout = options.timeout ?? 5000;
    const remote = this.remoteAddr;
    const hostname = options.hostname ?? remote.hostname;
    const controller = new AbortController();
    // The timeout covers the plain-text flush too: a peer that reads
    // nothing would hold it forever, so failing the socket ends it.
    let flushing = true;
    const timer = setTimeout(() => {
      const error = new TimeoutError(
        `Cannot upgrade to TLS: no handshake within ${timeout} ms`,
      );
      controller.abort(error);
      if (flushing) this.#fail(error);
    }, timeout);
    try {
      await this.#writes.flushHeld(plain);
    } finally {
      flushing = false;
    }
    if (this.#is(flag.CLOSED)) {
      clearTimeout(timer);
      this.#set(flag.UPGRADING, false);
      this.#writes.unhold(false);
      if (controller.signal.aborted) throw controller.signal.reason;
      throw new ConnectionClosedError(
        "Cannot upgrade to TLS: socket is closed",
      );
    }
    try {
      this.#conn = await handshake(
        this.#conn as Deno.TcpConn,
        hostname,
        options,
        controller.signal,
      );
    } catch (error) {
      const failure = isNotTlsAnswer(error)
        ? withContext(
          error,
          `Cannot upgrade to TLS with ${remote.hostname}:${remote.port}: ${NOT_TLS_REASON}`,
        )
        : error instanceof Error
        ? error
        : new Error(String(error));
      this.#set(flag.UPGRADING, false);
      this.#writes.unhold(false);
      this.#fail(failure);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
    this.#set(flag.UPGRADING, false);
    this.#writes.unhold(true);
    if (!this.#is(flag.PAUSED)) this.resume();
  }

  /**
   * Closes now, dropping queued bytes (their `write()` promises reject);
   * idempotent. No events follow. Use `closeWrite()` to deliver them first.
   */
  close(): void {
    this.#shutdown(undefined);
  }

  #shutdown(cause: Error | undefined): void {
    if (this.#is(flag.CLOSED)) return;
    this.#set(flag.CLOSED, true);
    try {
      this.#conn.close();
    } catch {
      // Already closed by the runtime.
    }
    this.#writes.shutDown(cause);
    this.#readBuffer = undefined;
    this.#wake();
    const finished = (this.#conn as { finished?: Promise<void> }).finished;
    Promise.allSettled([this.#readDone(), this.#writes.task, finished]).then(
      () => {
        this.#set(flag.FINISHED, true);
        this.#closedDone?.resolve();
      },
    );
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Closes and waits until no operation is in flight. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.closed;
  }
}
