// Copyright 2026 the moonwire authors. MIT license.
/**
 * Message framing over a byte stream: length-prefixed frames with a bounded,
 * coalescing send queue, read-side flow control, idle timeout and keepalive.
 *
 * @module
 */
import { ConnectionClosedError, TimeoutError } from "./errors.ts";
import { StreamSocket, type StreamSocketHandlers } from "./stream_socket.ts";
import {
  checkOption,
  type FramedConnectionConnectOptions,
  type FramedConnectionOptions,
  type FramedSettings,
  framedSettings,
} from "./_framed_options.ts";
import { type FrameSendHooks, FrameSendQueue } from "./_frame_send_queue.ts";
import { FrameReadQueue } from "./_frame_read_queue.ts";
import { FramedWatch } from "./_framed_watch.ts";
import { framedAccess } from "./_framed_access.ts";

export type {
  FramedConnectionConnectOptions,
  FramedConnectionKeepAlive,
  FramedConnectionOptions,
} from "./_framed_options.ts";

// close() drops what is still queued once the peer read nothing this long.
const FLUSH_STALL_MS = 5000;

// A connection's timers and its callbacks for its socket and send queue:
// one object whose methods are on a prototype, not closures per connection
// (defined inside the class, so they reach its private members).
let Hooks: new (
  connection: FramedConnection,
  settings: FramedSettings,
) => FramedWatch & StreamSocketHandlers & FrameSendHooks;

/**
 * A framed message connection over TCP, TLS or a Unix socket. Each message
 * is one frame: a 4-byte big-endian length, then the payload.
 *
 * Sending: `send()` copies the payload (reuse your buffer at once) into an
 * arena that starts at 1 KiB and grows while frames fill it, up to 256 KiB
 * (bigger frames get their own); frames sent in the same turn, or while the
 * previous write is in flight, go out together in one write (up to 256 KiB
 * each), and share one promise that resolves when that write is handed to
 * the socket. While the queue holds `maxQueuedBytes`, `send()` waits (or
 * fails fast with `whenFull: "fail"`); a producer may also skip awaiting
 * each send and `await ready()` instead. Send promises never raise unhandled rejections:
 * a failed connection also shows in `read()`, `ready()` and `closed`.
 * Zero-length frames are keepalive pings and are never sent by `send()` nor
 * delivered by `read()`, so `send(new Uint8Array(0))` is a `RangeError`.
 *
 * Receiving: frames are read ahead up to `maxReadAheadBytes`, then the
 * socket is paused until `read()` catches up. Read buffers start at 1 KiB
 * and grow only while reads fill them, so an idle connection holds little. A frame that lies in one
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
  #closeTimeout: number;
  #sender: FrameSendQueue;
  #receiver: FrameReadQueue;
  #watch: FramedWatch;
  // Made only when close() lingers for the peer's end.
  #peerEnded: PromiseWithResolvers<void> | undefined;
  #peerGone = false;
  #closing: Promise<void> | undefined;
  #shut = false;

  static {
    framedAccess.readInto = (connection, receiver) =>
      (connection as FramedConnection).#receiver.readInto(receiver);
    Hooks = class extends FramedWatch {
      #connection: FramedConnection;
      constructor(connection: FramedConnection, settings: FramedSettings) {
        super(settings.idleTimeout, settings.keepAlive);
        this.#connection = connection;
      }
      data(chunk: Uint8Array<ArrayBuffer>): void {
        this.#connection.#onData(chunk);
      }
      end(): void {
        this.#connection.#onEnd();
      }
      error(error: Error): void {
        this.#connection.#onError(error);
      }
      write(bytes: Uint8Array): Promise<void> {
        return this.#connection.#socket.write(bytes);
      }
      writing(): void {
        this.sending();
      }
      failed(cause: Error): void {
        this.#connection.#teardown(
          new ConnectionClosedError("Cannot read frame: connection failed", {
            cause,
          }),
        );
      }
      timedOut(error: TimeoutError): void {
        this.#connection.#teardown(error);
      }
      get held(): boolean {
        return this.#connection.#receiver.held;
      }
      takeSent(): boolean {
        return this.#connection.#sender.takeSent();
      }
      sendPing(): void {
        this.#connection.#sender.sendPing();
      }
    };
  }

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
    const settings = framedSettings(options);
    this.#closeTimeout = settings.closeTimeout;
    this.#socket = socket instanceof StreamSocket
      ? socket
      : new StreamSocket(socket, {
        maxQueuedBytes: settings.maxQueued,
        readChunkSize: options.readChunkSize,
      });
    const hooks = this.#watch = new Hooks(this, settings);
    this.#sender = new FrameSendQueue(hooks, settings);
    this.#receiver = new FrameReadQueue(this.#socket, settings);
    this.#socket.start(hooks, { borrowChunks: settings.borrow });
    hooks.begin();
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
    return this.#sender.maxFrameSize;
  }

  set maxFrameSize(value: number) {
    const limit = checkOption(
      "maxFrameSize",
      value,
      undefined,
      1,
      "set frame limit",
    );
    this.#receiver.maxFrameSize = limit;
    this.#sender.maxFrameSize = limit;
  }

  /**
   * Bytes of frames accepted by `send()` and not yet handed to the socket,
   * those waiting for room in a full queue included.
   */
  get pendingBytes(): number {
    return this.#sender.pendingBytes;
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
    return this.#sender.send(payload);
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
    return this.#sender.sendMany(payloads);
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
    return this.#receiver.read();
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
    return this.#receiver.readMany();
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
    return this.#sender.ready();
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
    if (this.#closing === undefined) {
      this.#sender.refuse();
      this.#closing = this.#closeGracefully();
    }
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

  #onData(chunk: Uint8Array<ArrayBuffer>): void {
    this.#watch.received();
    let pings: number;
    try {
      pings = this.#receiver.receive(chunk, this.#closing !== undefined);
    } catch (error) {
      this.#teardown(error as Error);
      return;
    }
    // Pings: answer only when we do not send our own, and only while the
    // queue has room: a peer that pings but never reads must not grow it.
    if (pings > 0 && !this.#watch.pinging && this.#sender.pingFits) {
      this.#sender.sendPing();
    }
  }

  #onEnd(): void {
    const midFrame = this.#receiver.midFrameError();
    if (midFrame) {
      this.#teardown(midFrame);
      return;
    }
    this.#receiver.end();
    this.#watch.stopKeepAlive();
    this.#endPeer();
  }

  #onError(error: Error): void {
    this.#teardown(this.#receiver.midFrameError(error) ?? error);
  }

  async #closeGracefully(): Promise<void> {
    this.#receiver.readToEnd();
    try {
      if (!(await this.#flushedUnlessStalled())) {
        this.#teardown(
          new TimeoutError(
            `Cannot flush frames: the peer read nothing for ${FLUSH_STALL_MS} ms`,
          ),
        );
      }
      if (!this.#shut) await this.#socket.closeWrite();
      if (
        !this.#shut && !this.#peerGone && !this.#receiver.done &&
        this.#closeTimeout > 0
      ) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          (this.#peerEnded ??= Promise.withResolvers<void>()).promise,
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
    const flushed = this.#sender.flushed().then(() => true);
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
    if (error) this.#receiver.fail(error);
    if (this.#shut) return;
    this.#shut = true;
    this.#watch.shutDown();
    this.#socket.close();
    this.#sender.shutDown(error);
    this.#receiver.close();
    this.#endPeer();
  }

  #endPeer(): void {
    this.#peerGone = true;
    this.#peerEnded?.resolve();
  }
}
