// Copyright 2026 the moonwire authors. MIT license.
/**
 * TCP servers of the polling API (Pragtical `net.server`,
 * `net.create_server`).
 *
 * @module
 */
import { Address } from "./address.ts";
import { type OpenTcpOptions, Tcp } from "./tcp.ts";
import { StreamSocket } from "./stream_socket.ts";
import { acceptBackOff } from "./_accept_backoff.ts";
import { checkPort } from "./_stream_validate.ts";
import { withContext } from "./_error_context.ts";
import { adoptSocket } from "./_poll_tcp_adopt.ts";
import {
  checkPositiveInteger,
  checkTcpLimits,
  resolvedIp,
} from "./_poll_validate.ts";

/** Options for {@linkcode createServer}. */
export interface CreateServerOptions {
  /** Connections accepted but not yet taken by `accept()`. Default 128. */
  maxPending?: number;
  /** Buffer limits for each accepted connection. */
  connection?: Pick<OpenTcpOptions, "maxQueuedBytes" | "maxReadBufferBytes">;
}

/**
 * A listening TCP server. Connections are accepted in the background and
 * handed out by {@linkcode Server.accept}, which never waits.
 *
 * @example Accept a connection
 * ```ts
 * import { createServer, resolveAddress } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * await using server = createServer(resolveAddress("127.0.0.1"), 0);
 * using client = await Deno.connect({
 *   hostname: "127.0.0.1",
 *   port: server.getPort(),
 * });
 * let tcp = server.accept();
 * while (tcp === null) {
 *   await new Promise((resolve) => setTimeout(resolve, 10));
 *   tcp = server.accept();
 * }
 * assert.equal(tcp.getStatus(), "success");
 * assert.equal(tcp.getAddress().getIp(), "127.0.0.1");
 * await tcp[Symbol.asyncDispose]();
 * ```
 */
export class Server implements Disposable, AsyncDisposable {
  #listener: Deno.TcpListener;
  #pending: Tcp[] = [];
  #maxPending: number;
  #options: OpenTcpOptions;
  #room: (() => void) | undefined;
  #closed = false;
  #loop: Promise<void>;
  #closedDone = Promise.withResolvers<void>();

  /**
   * Listens on `address` (all interfaces when `null`) and `port`. Same as
   * {@linkcode createServer}.
   *
   * @param address A resolved address to bind, or `null` for all interfaces.
   * @param port TCP port, 0–65535; 0 picks a free port (see `getPort()`).
   * @param options Accept queue and connection buffer limits.
   */
  constructor(
    address: Address | null | undefined,
    port: number,
    options: CreateServerOptions = {},
  ) {
    const hostname = address === null || address === undefined
      ? "0.0.0.0"
      : resolvedIp(address, "create server", "an Address or null");
    checkPort(port, "create server");
    this.#maxPending = checkPositiveInteger(
      options.maxPending ?? 128,
      "maxPending",
      "create server",
    );
    this.#options = { ...options.connection };
    checkTcpLimits(this.#options, "create server");
    try {
      this.#listener = Deno.listen({ hostname, port });
    } catch (error) {
      // The OS error names no address ("Address already in use").
      throw withContext(
        error,
        `Cannot create server on ${hostname}:${port}: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
    this.#loop = this.#acceptLoop();
  }

  async #acceptLoop(): Promise<void> {
    while (!this.#closed) {
      if (this.#pending.length >= this.#maxPending) {
        // Leave further connections in the kernel backlog until taken.
        const { promise, resolve } = Promise.withResolvers<void>();
        this.#room = resolve;
        await promise;
        continue;
      }
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (this.#closed) return;
        // A connection that died while queued; keep serving the others.
        if (error instanceof Deno.errors.ConnectionAborted) continue;
        // E.g. out of file descriptors under a connection flood: back off
        // and keep serving instead of stopping for good.
        const pause = acceptBackOff();
        // accept() (a descriptor freed) and close() end the pause early.
        this.#room = pause.wake;
        await pause.done;
        this.#room = undefined;
        continue;
      }
      if (this.#closed) {
        conn.close();
        return;
      }
      const socket = new StreamSocket(conn, {
        maxQueuedBytes: this.#options.maxQueuedBytes,
      });
      const remote = socket.remoteAddr;
      const address = new Address(remote.hostname, { ip: remote.hostname });
      this.#pending.push(
        adoptSocket(socket, () => new Tcp(address, 0, this.#options)),
      );
    }
  }

  /**
   * Takes the next accepted connection. Never waits, and never returns the
   * server itself (unlike the seed).
   *
   * @returns A connected `Tcp`, or `null` when none is waiting.
   */
  accept(): Tcp | null {
    const tcp = this.#pending.shift() ?? null;
    const room = this.#room;
    this.#room = undefined;
    room?.();
    return tcp;
  }

  /**
   * The port the server listens on (the real one when created with 0).
   *
   * @returns The port.
   */
  getPort(): number {
    return this.#listener.addr.port;
  }

  /** Whether `close()` ran. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Stops listening and closes connections not yet taken by `accept()`;
   * connections already taken stay open. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#listener.close();
    } catch {
      // Closed already.
    }
    const pending = this.#pending;
    this.#pending = [];
    for (const tcp of pending) tcp.close();
    this.#loop
      .then(() => Promise.all(pending.map((tcp) => tcp.closed)))
      .then(() => this.#closedDone.resolve());
    const room = this.#room;
    this.#room = undefined;
    room?.();
  }

  /** Resolves once `close()` ran and the accept loop and queued connections ended. */
  get closed(): Promise<void> {
    return this.#closedDone.promise;
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Closes and waits until everything is released. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.closed;
  }
}

/**
 * Creates a TCP server listening on `port` at `address` (all interfaces when
 * `null`). Bind errors (port in use, no permission) throw at once.
 *
 * @param address A resolved address, or `null` for all interfaces.
 * @param port TCP port, 0–65535; 0 picks a free port.
 * @param options Accept queue and connection buffer limits.
 * @returns The listening server.
 *
 * @example The real port of port 0
 * ```ts
 * import { createServer, resolveAddress } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * await using server = createServer(resolveAddress("127.0.0.1"), 0);
 * assert.ok(server.getPort() > 0);
 * assert.equal(server.accept(), null);
 * ```
 */
export function createServer(
  address: Address | null | undefined,
  port: number,
  options?: CreateServerOptions,
): Server {
  return new Server(address, port, options);
}
