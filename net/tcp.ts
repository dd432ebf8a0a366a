// Copyright 2026 the moonwire authors. MIT license.
/**
 * TCP connections of the polling API (Pragtical `net.tcp`, `net.open_tcp`).
 *
 * @module
 */
import { Address, type PollStatus, type PollWaitOptions } from "./address.ts";
import { ConnectionClosedError } from "./errors.ts";
import { StreamSocket, type StreamSocketTlsOptions } from "./stream_socket.ts";
import { checkPort } from "./_stream_validate.ts";
import { withContext } from "./_error_context.ts";
import { bundleCerts } from "./_poll_cacert.ts";
import { Notifier, waitUntil } from "./_poll_wait.ts";
import { adoptedSocket } from "./_poll_tcp_adopt.ts";
import { checkTcpLimits } from "./_poll_validate.ts";

/** TLS settings for {@linkcode openTcp}. */
export interface TcpTlsOptions {
  /** Name the certificate must carry. Default: the address's host name. */
  serverName?: string;
  /**
   * Skip certificate verification. Insecure; only when `true` explicitly.
   * Data is still encrypted, but anyone on the path can read it.
   */
  unsafelyDisableVerification?: boolean;
}

/** Options for {@linkcode openTcp}. */
export interface OpenTcpOptions {
  /**
   * Use TLS. `true` verifies the server certificate against Deno's roots and
   * the CA bundle (`getCacertPath()`), failing closed.
   */
  tls?: boolean | TcpTlsOptions;
  /** Milliseconds to wait for the connection (and handshake). Default 5000. */
  timeout?: number;
  /** Most bytes buffered by `write()`. Default 4 MiB. */
  maxQueuedBytes?: number;
  /** Received bytes buffered before reading pauses. Default 4 MiB. */
  maxReadBufferBytes?: number;
}

const DEFAULT_READ_BUFFER = 4 * 1024 * 1024;
const encoder = new TextEncoder();

/**
 * A TCP (or TLS) connection driven by polling: it connects in the
 * background; `read()` and `write()` never wait. Create one with
 * {@linkcode openTcp}, or get one from `Server.accept()`.
 *
 * @example Talk to a local server
 * ```ts
 * import { openTcp, resolveAddress } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const accepted = listener.accept();
 * await using tcp = openTcp(resolveAddress("127.0.0.1"), listener.addr.port);
 * assert.equal(await tcp.waitUntilConnected(5000), "success");
 * using peer = await accepted;
 * await peer.write(new TextEncoder().encode("hi"));
 * let data = tcp.read(10)!;
 * while (data.length === 0) {
 *   await new Promise((resolve) => setTimeout(resolve, 10));
 *   data = tcp.read(10)!;
 * }
 * assert.equal(new TextDecoder().decode(data), "hi");
 * ```
 */
export class Tcp implements Disposable, AsyncDisposable {
  #address: Address;
  #status: PollStatus = "waiting";
  #error: Error | null = null;
  #socket: StreamSocket | undefined;
  #controller = new AbortController();
  #connecting: Promise<void> | undefined;
  #notifier = new Notifier();
  #chunks: Uint8Array<ArrayBuffer>[] = [];
  #head = 0;
  #buffered = 0;
  #maxRead: number;
  #paused = false;
  #ended = false;
  #closed = false;
  #closedDone = Promise.withResolvers<void>();

  /**
   * Opens a connection to a resolved address; connecting continues in the
   * background. Same as {@linkcode openTcp}.
   *
   * @param address A resolved address (status `"success"`).
   * @param port TCP port, 1–65535.
   * @param options TLS, connect timeout and buffer limits, or the seed's
   *   `ssl` flag (`true`: verified TLS; `false`: plain TCP).
   */
  constructor(
    address: Address,
    port: number,
    options: OpenTcpOptions | boolean = {},
  ) {
    this.#address = address;
    const adopted = adoptedSocket();
    if (adopted) {
      this.#maxRead = (options as OpenTcpOptions).maxReadBufferBytes ??
        DEFAULT_READ_BUFFER;
      this.#attach(adopted);
      return;
    }
    // The seed's open_tcp(address, port, ssl): a positional boolean means
    // what it means there, never silently plain text.
    if (typeof options === "boolean") options = { tls: options };
    else if (typeof options !== "object" || options === null) {
      throw new TypeError(
        `Cannot open TCP connection: options must be an object or the ssl flag (a boolean), got ${
          options === null ? "null" : typeof options
        }`,
      );
    }
    this.#maxRead = options.maxReadBufferBytes ?? DEFAULT_READ_BUFFER;
    if (!(address instanceof Address)) {
      throw new TypeError(
        "Cannot open TCP connection: address must be an Address (use resolveAddress())",
      );
    }
    checkPort(port, "open TCP connection", 1);
    checkTcpLimits(options, "open TCP connection");
    const status = address.getStatus();
    if (status === "waiting") {
      throw new Error(
        `Cannot open TCP connection: address ${address} is not resolved yet; wait with waitUntilResolved()`,
      );
    }
    if (status === "failure") {
      throw new Error(
        `Cannot open TCP connection: address ${address} did not resolve: ${address.error?.message}`,
        { cause: address.error },
      );
    }
    const tls = options.tls;
    if (
      tls !== undefined && typeof tls !== "boolean" && typeof tls !== "object"
    ) {
      throw new TypeError(
        "Cannot open TCP connection: tls must be a boolean or an options object",
      );
    }
    this.#connecting = this.#connect(address, port, options);
  }

  async #connect(
    address: Address,
    port: number,
    options: OpenTcpOptions,
  ): Promise<void> {
    let socket: StreamSocket;
    try {
      let tls: StreamSocketTlsOptions | undefined;
      if (options.tls) {
        const settings = options.tls === true ? {} : options.tls;
        tls = {
          serverName: settings.serverName ?? address.getHostname(),
          caCerts: bundleCerts(),
          unsafelyDisableVerification:
            settings.unsafelyDisableVerification === true,
        };
      }
      socket = await StreamSocket.connect(address.getIp()!, port, {
        tls,
        timeout: options.timeout,
        maxQueuedBytes: options.maxQueuedBytes,
        signal: this.#controller.signal,
      });
    } catch (error) {
      if (this.#closed) return;
      // Name the peer: the OS says only "Connection refused (os error 111)".
      const message = error instanceof Error ? error.message : String(error);
      this.#error = message.startsWith("Cannot connect to ")
        ? error as Error
        : withContext(
          error,
          `Cannot connect to ${address.getIp()}:${port}: ${message}`,
        );
      this.#status = "failure";
      this.#notifier.notify();
      return;
    }
    if (this.#closed) {
      socket.close();
      await socket.closed;
      return;
    }
    this.#attach(socket);
  }

  #attach(socket: StreamSocket): void {
    this.#socket = socket;
    this.#status = "success";
    socket.start({
      data: (chunk) => {
        this.#chunks.push(chunk);
        this.#buffered += chunk.length;
        if (this.#buffered >= this.#maxRead && !this.#paused) {
          this.#paused = true;
          socket.pause();
        }
      },
      end: () => {
        this.#ended = true;
        this.#notifier.notify();
      },
      error: (error) => {
        this.#error = error;
        this.#status = "failure";
        this.#notifier.notify();
      },
    });
    this.#notifier.notify();
  }

  /**
   * The address this connection was opened to (for accepted connections:
   * the peer's IP).
   *
   * @returns The address.
   */
  getAddress(): Address {
    return this.#address;
  }

  /**
   * The connection status now: `"waiting"` while connecting, `"success"`
   * once connected, `"failure"` when connecting failed, the connection broke
   * or it was closed (see `error`).
   *
   * @returns The status.
   */
  getStatus(): PollStatus {
    return this.#status;
  }

  /** Why the status is `"failure"`, else `null`. */
  get error(): Error | null {
    return this.#error;
  }

  /**
   * Bytes accepted by `write()` and not yet handed to the socket (0 once
   * every counted byte was handed over).
   *
   * @returns The pending byte count.
   */
  getPendingWrites(): number {
    return this.#socket?.pendingBytes ?? 0;
  }

  /**
   * Takes up to `amount` received bytes. Never waits.
   *
   * @param amount Most bytes to return (positive integer).
   * @returns The bytes; empty when nothing is buffered yet; `null` at end of
   *   stream, after an error (see `error`) or after `close()`.
   */
  read(amount: number): Uint8Array<ArrayBuffer> | null {
    if (typeof amount !== "number") {
      throw new TypeError(
        `Cannot read: amount must be a number, got ${typeof amount}`,
      );
    }
    if (!Number.isInteger(amount) || amount < 1) {
      throw new RangeError(
        `Cannot read: amount must be a positive integer, got ${amount}`,
      );
    }
    if (this.#closed) return null;
    if (this.#buffered === 0) {
      return this.#ended || this.#error ? null : new Uint8Array(0);
    }
    const n = Math.min(amount, this.#buffered);
    const first = this.#chunks[0];
    let out: Uint8Array<ArrayBuffer>;
    if (first.length - this.#head >= n) {
      // Chunks are fresh buffers, so a view is safe to hand out.
      out = first.subarray(this.#head, this.#head + n);
      this.#consume(n);
    } else {
      out = new Uint8Array(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.#chunks[0];
        const take = Math.min(n - filled, chunk.length - this.#head);
        out.set(chunk.subarray(this.#head, this.#head + take), filled);
        filled += take;
        this.#consume(take);
      }
    }
    if (this.#paused && this.#buffered < this.#maxRead / 2) {
      this.#paused = false;
      this.#socket?.resume();
    }
    return out;
  }

  #consume(n: number): void {
    this.#head += n;
    this.#buffered -= n;
    if (this.#head === this.#chunks[0].length) {
      this.#chunks.shift();
      this.#head = 0;
    }
  }

  /**
   * Queues bytes to send; never waits. Strings are sent as UTF-8.
   *
   * Delivery: the bytes counted in the return value reach the peer exactly
   * once and in order with all other counted bytes, whatever the program
   * does between writes, or the connection fails (status `"failure"`,
   * `error` set, `read()` returns `null`). Never silence. `close()` drops
   * what is still pending: `waitUntilDrained(-1)` first.
   *
   * @param data Bytes or text.
   * @returns Bytes accepted: may be fewer than given, and 0 while connecting
   *   or when the send buffer is full (retry later).
   * @throws {ConnectionClosedError} After `close()` or a connection error.
   */
  write(data: Uint8Array | string): number {
    if (typeof data !== "string" && !(data instanceof Uint8Array)) {
      throw new TypeError("Cannot write: data must be a Uint8Array or string");
    }
    if (this.#closed) {
      throw new ConnectionClosedError("Cannot write: connection is closed");
    }
    if (this.#status === "failure") {
      throw new ConnectionClosedError(
        `Cannot write: ${this.#error?.message}`,
        { cause: this.#error },
      );
    }
    if (!this.#socket) return 0;
    return this.#socket.tryWrite(
      typeof data === "string" ? encoder.encode(data) : data,
    );
  }

  /**
   * Waits up to `timeout` ms for connecting to finish: 0 checks once, -1
   * waits until it finishes.
   *
   * @param timeout Milliseconds; default 0.
   * @param options An abort signal that ends the wait; connecting goes on
   *   (`close()` stops it).
   * @returns The status after waiting.
   * @throws {DOMException} An `AbortError` (`Cannot wait for connection:
   *   aborted`) when `options.signal` fires.
   *
   * @example Give up waiting after a while
   * ```ts
   * import { openTcp, resolveAddress } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * await using tcp = openTcp(resolveAddress("127.0.0.1"), listener.addr.port);
   * const signal = AbortSignal.abort(new Error("Changed my mind"));
   * await assert.rejects(tcp.waitUntilConnected(-1, { signal }), {
   *   name: "AbortError",
   *   message: "Cannot wait for connection: aborted",
   * });
   * assert.equal(await tcp.waitUntilConnected(5000), "success");
   * (await listener.accept()).close();
   * ```
   */
  async waitUntilConnected(
    timeout = 0,
    options: PollWaitOptions = {},
  ): Promise<PollStatus> {
    await waitUntil(
      "wait for connection",
      () => this.#status !== "waiting",
      timeout,
      options,
      this.#notifier,
    );
    return this.#status;
  }

  /**
   * Waits up to `timeout` ms until every written byte is handed to the
   * socket: 0 checks once, -1 waits until drained (or the connection
   * fails). Bytes written while it waits are waited for too.
   *
   * @param timeout Milliseconds; default 0.
   * @param options An abort signal that ends the wait; the written bytes
   *   stay queued and keep going out.
   * @returns The bytes still pending.
   * @throws {DOMException} An `AbortError` (`Cannot wait for drain:
   *   aborted`) when `options.signal` fires.
   */
  async waitUntilDrained(
    timeout = 0,
    options: PollWaitOptions = {},
  ): Promise<number> {
    const wake = () => this.#notifier.notify();
    await waitUntil(
      "wait for drain",
      () => this.getPendingWrites() === 0 || this.#status === "failure",
      timeout,
      options,
      this.#notifier,
      // A fresh watch before each sleep: bytes written in the turn the
      // queue last ran empty need their own drain to wake the wait.
      () => this.#socket?.drained().then(wake, wake),
    );
    return this.getPendingWrites();
  }

  /** Resolves once `close()` ran and the socket is fully released. */
  get closed(): Promise<void> {
    return this.#closedDone.promise;
  }

  /**
   * Closes the connection now, as the seed's `close` destroys it: bytes
   * still pending are dropped (`waitUntilDrained(-1)` first to deliver
   * them; the peer then reads them all, then the end of stream);
   * idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#controller.abort(
      new ConnectionClosedError("Cannot connect: connection was closed"),
    );
    this.#socket?.close();
    if (this.#status !== "failure") {
      this.#status = "failure";
      this.#error = new ConnectionClosedError(
        "Cannot use connection: it was closed",
      );
    }
    this.#chunks = [];
    this.#buffered = 0;
    this.#notifier.notify();
    Promise.allSettled([this.#connecting]).then(async () => {
      await this.#socket?.closed;
      this.#closedDone.resolve();
    });
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Closes and waits until the socket is released. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.closed;
  }
}

/**
 * Opens a TCP connection (TLS with `options.tls`) to a resolved address.
 * Returns at once; connecting continues in the background — poll with
 * `getStatus()` or wait with `waitUntilConnected()`. TLS verifies the
 * server certificate and fails closed (status `"failure"` with the
 * certificate error in `error`).
 *
 * @param address A resolved address (status `"success"`); an unresolved or
 *   failed one throws.
 * @param port TCP port, 1–65535 (anything else is a `RangeError`).
 * @param options TLS, connect timeout and buffer limits; or the seed's
 *   positional `ssl` flag: `true` is TLS with verified certificates, `false`
 *   plain TCP.
 * @returns The connection.
 *
 * @example Unresolved addresses are refused
 * ```ts
 * import { openTcp, resolveAddress } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const address = resolveAddress("localhost");
 * if (address.getStatus() === "waiting") {
 *   assert.throws(() => openTcp(address, 80), {
 *     name: "Error",
 *     message:
 *       "Cannot open TCP connection: address localhost is not resolved yet; wait with waitUntilResolved()",
 *   });
 * }
 * await address.waitUntilResolved(-1);
 * ```
 */
export function openTcp(
  address: Address,
  port: number,
  options?: OpenTcpOptions | boolean,
): Tcp {
  return new Tcp(address, port, options);
}
