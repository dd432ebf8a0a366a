// Copyright 2026 the moonwire authors. MIT license.
// TcpLink lives here, next to the internal factory that connect() and
// listen() use, so the public file (tcp_link.ts) exports only the class.
// Its TLS layer (node:tls over the StreamSocket) is _callback_link_tls.ts.
import { ConnectionClosedError } from "./errors.ts";
import type { StreamSocket } from "./stream_socket.ts";
import {
  LinkTls,
  type LinkTlsHooks,
  type StartTlsClientOptions,
  type StartTlsServerOptions,
} from "./_callback_link_tls.ts";
import {
  assertCallbacks,
  errorCode,
  errorMessage,
  invoke,
} from "./_callback_common.ts";

/**
 * The callbacks of one TCP link; Cuberite's `LinkCallbacks`.
 *
 * Each link gets exactly one terminal callback, `onRemoteClosed` or
 * `onError`, and no callback at all after it or after a local
 * {@linkcode TcpLink.prototype.close}. No callback runs inside the call that
 * started the work.
 */
export interface LinkCallbacks {
  /**
   * The link connected (client links made by `connect()` only). It is safe
   * to send from here.
   *
   * @param link The connected link.
   */
  onConnected?(link: TcpLink): void;
  /**
   * The link failed (connection refused, reset, TLS handshake failure...).
   * Terminal: nothing follows; the link is already closed.
   *
   * @param link The link (for a failed `connect()`, a link that never
   * connected: its remote address is the requested one, its local one empty).
   * @param code An errno-style code or error class name, e.g.
   * `ECONNREFUSED`, `ECONNRESET`, `ECONNABORTED`, `TimeoutError`.
   * @param message What failed, then the details.
   */
  onError(link: TcpLink, code: string, message: string): void;
  /**
   * Bytes arrived (decrypted, once TLS is started). The buffer is the
   * callback's to keep.
   *
   * @param link The link.
   * @param data The received bytes.
   */
  onReceivedData(link: TcpLink, data: Uint8Array<ArrayBuffer>): void;
  /**
   * The peer closed the link. Terminal: nothing follows; what was sent before
   * this callback is still flushed, sends from here on are dropped.
   *
   * @param link The link.
   */
  onRemoteClosed(link: TcpLink): void;
}

export type {
  StartTlsClientOptions,
  StartTlsServerOptions,
} from "./_callback_link_tls.ts";

/** How connect() and listen() build a link (internal). */
export interface LinkInit {
  socket: StreamSocket | undefined;
  remoteHost: string;
  remotePort: number;
  serverName?: string;
  maxQueuedBytes: number;
  onDone?: (link: TcpLink) => void;
}

// A link that ended lets what it queued flush for this long, then closes.
const LINGER_MS = 5000;
const encoder = new TextEncoder();

let create: (init: LinkInit, callbacks: LinkCallbacks) => TcpLink;
let start: (link: TcpLink) => void;
let abort: (link: TcpLink, code: string, message: string) => void;

/**
 * One TCP connection, driven by callbacks; Cuberite's `cTCPLink`. Links come
 * from {@linkcode connect} (client) and {@linkcode listen} (server) and
 * report through their {@linkcode LinkCallbacks}.
 *
 * `send()` queues bytes (at most `maxQueuedBytes`, default 4 MiB, may wait
 * unsent; a send beyond that fails the link with `onError` code
 * `ENOBUFS` rather than buffering without bound).
 *
 * @example Talk to a listening server
 * ```ts
 * import { connect, listen, type TcpLink } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const received = Promise.withResolvers<string>();
 * const server = listen(0, {
 *   onIncomingConnection: () => ({
 *     onReceivedData: (link: TcpLink, data: Uint8Array) => link.send(data),
 *     onRemoteClosed: () => {},
 *     onError: () => {},
 *   }),
 *   onError: (code, message) => received.reject(new Error(`${code} ${message}`)),
 * }, { hostname: "127.0.0.1" });
 * connect("127.0.0.1", server.getPort(), {
 *   onConnected: (link) => link.send("hello"),
 *   onReceivedData: (link, data) => {
 *     received.resolve(new TextDecoder().decode(data));
 *     link.close();
 *   },
 *   onRemoteClosed: () => {},
 *   onError: (_link, code, message) => received.reject(new Error(`${code} ${message}`)),
 * });
 * assert.equal(await received.promise, "hello");
 * server.close();
 * await server.closed;
 * ```
 */
export class TcpLink implements Disposable {
  #callbacks: LinkCallbacks;
  #socket: StreamSocket | undefined;
  #maxQueued: number;
  #serverName: string | undefined;
  #onDone: ((link: TcpLink) => void) | undefined;
  #localIp = "";
  #localPort = 0;
  #remoteIp: string;
  #remotePort: number;
  // Set once the terminal callback ran or the link was closed locally.
  #done = false;
  #writeShut = false;
  #closed = Promise.withResolvers<void>();
  #tls: LinkTls | undefined;
  #tlsHooks: LinkTlsHooks = {
    socket: (action) => this.#checkTlsStart(action),
    peer: () => `${this.#remoteIp}:${this.#remotePort}`,
    done: () => this.#done,
    writeShut: () => this.#writeShut,
    data: (bytes) =>
      invoke(this.#callbacks.onReceivedData, this.#callbacks, this, bytes),
    terminate: (error) => this.#terminate(error),
  };

  private constructor(init: LinkInit, callbacks: LinkCallbacks) {
    this.#callbacks = callbacks;
    this.#socket = init.socket;
    this.#maxQueued = init.maxQueuedBytes;
    this.#serverName = init.serverName;
    this.#onDone = init.onDone;
    this.#remoteIp = init.remoteHost;
    this.#remotePort = init.remotePort;
    if (init.socket) {
      const local = init.socket.localAddr;
      const remote = init.socket.remoteAddr;
      this.#localIp = local.hostname;
      this.#localPort = local.port;
      this.#remoteIp = remote.hostname;
      this.#remotePort = remote.port;
    } else {
      // A link that never connected is over before anyone sees it.
      this.#done = true;
      this.#closed.resolve();
    }
  }

  static {
    create = (init, callbacks) => new TcpLink(init, callbacks);
    start = (link) => link.#start();
    abort = (link, code, message) => link.#abort(code, message);
  }

  /**
   * Resolves once the link is closed and its socket released (after the
   * terminal callback or a local `close()`). A moonwire addition.
   *
   * @example Wait for the socket to be released
   * ```ts
   * import { connect } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const accepted = listener.accept();
   * const closed = Promise.withResolvers<void>();
   * connect("127.0.0.1", listener.addr.port, {
   *   onConnected: (link) => {
   *     link.close();
   *     link.closed.then(closed.resolve);
   *   },
   *   onReceivedData: () => {},
   *   onRemoteClosed: () => {},
   *   onError: () => {},
   * });
   * await closed.promise;
   * (await accepted).close();
   * assert.ok(true);
   * ```
   */
  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  /**
   * Bytes queued for sending and not yet handed to the socket (encrypted
   * bytes included once TLS runs). A moonwire addition, to pace large
   * transfers.
   *
   * @example Nothing is queued on a fresh link
   * ```ts
   * import { connect } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const accepted = listener.accept();
   * const pending = Promise.withResolvers<number>();
   * connect("127.0.0.1", listener.addr.port, {
   *   onConnected: (link) => {
   *     pending.resolve(link.pendingBytes);
   *     link.close();
   *   },
   *   onReceivedData: () => {},
   *   onRemoteClosed: () => {},
   *   onError: () => {},
   * });
   * assert.equal(await pending.promise, 0);
   * (await accepted).close();
   * ```
   */
  get pendingBytes(): number {
    return (this.#socket?.pendingBytes ?? 0) + (this.#tls?.pendingBytes ?? 0);
  }

  /**
   * Sends bytes (a string is sent as UTF-8) in the background. Once TLS is
   * started the data is encrypted; data sent before the handshake finishes
   * waits for it.
   *
   * Delivery: data this accepted (returned `true`) reaches the peer exactly
   * once and in order with all other accepted data, whatever the program
   * does between sends, or the link fails and gets its one terminal
   * `onError`. Never silence. `shutdown()` and `ServerHandle.close()`
   * deliver it first; `close()` drops what is still queued.
   *
   * @param data The bytes or text to send; the bytes are copied.
   * @returns `true` when queued; `false` when the link is closed or shut down.
   * @throws {TypeError} When `data` is neither a Uint8Array nor a string.
   *
   * @example Send text
   * ```ts
   * import { connect } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const accepted = listener.accept();
   * const sent = Promise.withResolvers<boolean>();
   * connect("127.0.0.1", listener.addr.port, {
   *   onConnected: (link) => {
   *     sent.resolve(link.send("hi"));
   *     link.shutdown();
   *   },
   *   onReceivedData: () => {},
   *   onRemoteClosed: () => {},
   *   onError: () => {},
   * });
   * assert.equal(await sent.promise, true);
   * using conn = await accepted;
   * const buffer = new Uint8Array(2);
   * assert.equal(await conn.read(buffer), 2);
   * assert.equal(new TextDecoder().decode(buffer), "hi");
   * ```
   */
  send(data: Uint8Array | string): boolean {
    let bytes: Uint8Array;
    if (typeof data === "string") bytes = encoder.encode(data);
    else if (data instanceof Uint8Array) bytes = data.slice();
    else {
      throw new TypeError(
        `Cannot send: data must be a Uint8Array or a string, got ${typeof data}`,
      );
    }
    if (this.#done || this.#writeShut || !this.#socket) return false;
    const queued = this.pendingBytes;
    if (queued > 0 && queued + bytes.length > this.#maxQueued) {
      this.#terminate(
        new ConnectionClosedError(
          `Cannot send: ${
            queued + bytes.length
          } bytes queued exceeds limit ${this.#maxQueued}`,
        ),
        "ENOBUFS",
        true,
      );
      return false;
    }
    if (bytes.length === 0) return true;
    if (this.#tls) this.#tls.send(bytes);
    else {
      // A failed write also fails the read loop, which reports it.
      this.#socket.write(bytes).catch(() => {});
    }
    return true;
  }

  /**
   * Flushes what was sent, then half-closes the link (the peer sees the end
   * of the stream); receiving goes on until the peer closes. With TLS, a
   * close_notify is sent first. Everything `send()` accepted before it,
   * also before the TLS handshake finished, arrives before the end.
   *
   * @example Half-close after a request
   * ```ts
   * import { connect } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const accepted = listener.accept();
   * const closed = Promise.withResolvers<void>();
   * connect("127.0.0.1", listener.addr.port, {
   *   onConnected: (link) => {
   *     link.send("bye");
   *     link.shutdown();
   *   },
   *   onReceivedData: () => {},
   *   onRemoteClosed: () => closed.resolve(),
   *   onError: () => {},
   * });
   * const conn = await accepted;
   * const buffer = new Uint8Array(8);
   * assert.equal(await conn.read(buffer), 3);
   * assert.equal(await conn.read(buffer), null); // end of stream
   * conn.close();
   * await closed.promise;
   * ```
   */
  shutdown(): void {
    if (this.#done || this.#writeShut || !this.#socket) return;
    this.#writeShut = true;
    if (this.#tls) this.#tls.end();
    else this.#socket.closeWrite().catch(() => {});
  }

  /**
   * Closes the link at once, dropping unsent data (call `shutdown()` and
   * wait for `onRemoteClosed` to deliver it). No callback is called for
   * this link afterwards. Idempotent.
   *
   * @example Close from a callback
   * ```ts
   * import { connect } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const accepted = listener.accept();
   * const events: string[] = [];
   * const connected = Promise.withResolvers<void>();
   * connect("127.0.0.1", listener.addr.port, {
   *   onConnected: (link) => {
   *     link.close();
   *     link.closed.then(connected.resolve);
   *   },
   *   onReceivedData: () => events.push("data"),
   *   onRemoteClosed: () => events.push("closed"),
   *   onError: () => events.push("error"),
   * });
   * await connected.promise;
   * (await accepted).close();
   * assert.deepEqual(events, []);
   * ```
   */
  close(): void {
    if (this.#done) return;
    this.#done = true;
    this.#onDone?.(this);
    this.#release(false);
  }

  /** Same as {@linkcode TcpLink.prototype.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Starts a TLS handshake as the client (STARTTLS); Cuberite's
   * `StartTLSClient`. From now on received data is decrypted before
   * `onReceivedData`, and sent data is encrypted (and held until the
   * handshake is done; data sent before this call goes out first, in
   * plain text). The server certificate is verified against the
   * default roots or `caCerts` and the name, and a failure reaches `onError`.
   *
   * @param options Client certificate, trusted roots, name, timeout.
   * @throws {Error} When TLS was already started on this link.
   * @throws {ConnectionClosedError} When the link is closed.
   * @throws {TypeError} When an option has the wrong type.
   *
   * @example Start TLS against a server without TLS: the handshake fails
   * ```ts
   * import { connect } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const accepted = listener.accept();
   * const failed = Promise.withResolvers<string>();
   * connect("127.0.0.1", listener.addr.port, {
   *   onConnected: (link) => link.startTlsClient({ timeout: 2000 }),
   *   onReceivedData: () => {},
   *   onRemoteClosed: () => failed.resolve("closed"),
   *   onError: (_link, code) => failed.resolve(code),
   * });
   * const conn = await accepted;
   * await conn.read(new Uint8Array(4096)); // the ClientHello
   * await conn.write(new TextEncoder().encode("HTTP/1.0 400 Nope\r\n\r\n"));
   * assert.notEqual(await failed.promise, "closed");
   * conn.close();
   * ```
   */
  startTlsClient(options: StartTlsClientOptions = {}): void {
    this.#tls = LinkTls.client(
      options,
      this.#serverName ?? this.#remoteIp,
      this.#tlsHooks,
    );
  }

  /**
   * Starts a TLS handshake as the server on this (accepted, plain) link;
   * Cuberite's `StartTLSServer`. Feed the bytes that already arrived and
   * belong to TLS (the ClientHello) as `options.startData`. From now on
   * received data is decrypted and sent data encrypted (and held until the
   * handshake is done, then sent in order); a handshake failure reaches
   * `onError`.
   *
   * @param certPem The server certificate chain (PEM).
   * @param keyPem Its private key (PEM).
   * @param options Already-received TLS bytes, key password, timeout.
   * @throws {Error} When TLS was already started on this link.
   * @throws {ConnectionClosedError} When the link is closed.
   * @throws {TypeError} When an argument has the wrong type.
   *
   * @example Unusable PEM is rejected at once
   * ```ts
   * import { connect, listen } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * const failed = Promise.withResolvers<string>();
   * const server = listen(0, {
   *   onIncomingConnection: () => ({
   *     onReceivedData: () => {},
   *     onRemoteClosed: () => failed.resolve("closed"),
   *     onError: (_link, code) => failed.resolve(code),
   *   }),
   *   onAccepted: (link) => {
   *     try {
   *       link.startTlsServer("not a certificate", "not a key", { timeout: 500 });
   *     } catch (error) {
   *       failed.resolve((error as Error).name);
   *       link.close();
   *     }
   *   },
   *   onError: () => {},
   * }, { hostname: "127.0.0.1" });
   * using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.getPort() });
   * assert.ok((await failed.promise).length > 0);
   * server.close();
   * await server.closed;
   * ```
   */
  startTlsServer(
    certPem: string,
    keyPem: string,
    options: StartTlsServerOptions = {},
  ): void {
    this.#tls = LinkTls.server(certPem, keyPem, options, this.#tlsHooks);
  }

  /**
   * The IP address of the local end.
   *
   * @returns The local IP (empty for a link that never connected).
   *
   * @example Read the addresses of a link
   * ```ts
   * import { connect } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const accepted = listener.accept();
   * const seen = Promise.withResolvers<string[]>();
   * connect("127.0.0.1", listener.addr.port, {
   *   onConnected: (link) => {
   *     seen.resolve([
   *       link.getLocalIp(),
   *       String(link.getLocalPort() > 0),
   *       link.getRemoteIp(),
   *       String(link.getRemotePort()),
   *     ]);
   *     link.close();
   *   },
   *   onReceivedData: () => {},
   *   onRemoteClosed: () => {},
   *   onError: () => {},
   * });
   * assert.deepEqual(await seen.promise, [
   *   "127.0.0.1", "true", "127.0.0.1", String(listener.addr.port),
   * ]);
   * (await accepted).close();
   * ```
   */
  getLocalIp(): string {
    return this.#localIp;
  }

  /**
   * The port of the local end.
   *
   * @returns The local port (0 for a link that never connected).
   *
   * @example See {@linkcode TcpLink.prototype.getLocalIp}
   * ```ts
   * import { TcpLink } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * assert.equal(typeof TcpLink.prototype.getLocalPort, "function");
   * ```
   */
  getLocalPort(): number {
    return this.#localPort;
  }

  /**
   * The IP address of the remote end.
   *
   * @returns The remote IP (the requested host for a link that never
   * connected).
   *
   * @example See {@linkcode TcpLink.prototype.getLocalIp}
   * ```ts
   * import { TcpLink } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * assert.equal(typeof TcpLink.prototype.getRemoteIp, "function");
   * ```
   */
  getRemoteIp(): string {
    return this.#remoteIp;
  }

  /**
   * The port of the remote end.
   *
   * @returns The remote port.
   *
   * @example See {@linkcode TcpLink.prototype.getLocalIp}
   * ```ts
   * import { TcpLink } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * assert.equal(typeof TcpLink.prototype.getRemotePort, "function");
   * ```
   */
  getRemotePort(): number {
    return this.#remotePort;
  }

  #start(): void {
    if (this.#done || !this.#socket) return;
    this.#socket.start({
      data: (chunk) => this.#onData(chunk),
      end: () => this.#onEnd(),
      error: (error) => this.#terminate(error),
    });
  }

  #onData(chunk: Uint8Array<ArrayBuffer>): void {
    if (this.#done) return;
    if (this.#tls) this.#tls.receive(chunk);
    else invoke(this.#callbacks.onReceivedData, this.#callbacks, this, chunk);
  }

  #onEnd(): void {
    if (this.#done) return;
    if (this.#tls) this.#tls.receiveEnd();
    else this.#terminate(undefined);
  }

  #checkTlsStart(action: string): StreamSocket {
    if (this.#done || !this.#socket) {
      throw new ConnectionClosedError(`Cannot ${action}: link is closed`);
    }
    if (this.#tls) {
      throw new Error(`Cannot ${action}: TLS is already started on this link`);
    }
    return this.#socket;
  }

  // The terminal event: exactly once, then release the socket. `defer`
  // keeps the callback out of a user call that caused it (send, close).
  #terminate(error: Error | undefined, code?: string, defer = false): void {
    if (this.#done) return;
    this.#done = true;
    this.#onDone?.(this);
    if (error) {
      this.#release(false);
      const report = () =>
        invoke(
          this.#callbacks.onError,
          this.#callbacks,
          this,
          code ?? errorCode(error),
          errorMessage(error),
        );
      if (defer) queueMicrotask(report);
      else report();
    } else {
      invoke(this.#callbacks.onRemoteClosed, this.#callbacks, this);
      this.#release(true);
    }
  }

  // The server handle closed: one terminal onError (after close() returns),
  // then flush and close.
  #abort(code: string, message: string): void {
    if (this.#done) return;
    this.#done = true;
    queueMicrotask(() =>
      invoke(this.#callbacks.onError, this.#callbacks, this, code, message)
    );
    this.#release(true);
  }

  async #release(graceful: boolean): Promise<void> {
    const secure = this.#tls;
    secure?.stop();
    const socket = this.#socket;
    if (graceful && socket && !socket.isClosed) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const limit = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, LINGER_MS);
      });
      try {
        let flushed: Promise<unknown>;
        if (secure?.ready) flushed = secure.finish();
        else if (!this.#writeShut) {
          this.#writeShut = true;
          flushed = socket.closeWrite();
        } else {
          flushed = socket.drained();
        }
        await Promise.race([flushed.catch(() => {}), limit]);
      } finally {
        clearTimeout(timer);
      }
    }
    secure?.destroy();
    socket?.close();
    await socket?.closed;
    this.#closed.resolve();
  }
}

/** Builds a link (internal: connect() and listen() call this). */
export function createLink(
  init: LinkInit,
  callbacks: LinkCallbacks,
): TcpLink {
  return create(init, callbacks);
}

/** Starts reading a link, after onConnected/onAccepted ran (internal). */
export function startLink(link: TcpLink): void {
  start(link);
}

/** Ends a link because its server handle closed (internal). */
export function abortLink(link: TcpLink, code: string, message: string): void {
  abort(link, code, message);
}

/** Validates link callbacks (internal). */
export function assertLinkCallbacks(action: string, value: unknown): void {
  assertCallbacks(action, "callbacks", value, [
    "onError",
    "onReceivedData",
    "onRemoteClosed",
  ], ["onConnected"]);
}
