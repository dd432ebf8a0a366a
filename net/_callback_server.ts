// Copyright 2026 the moonwire authors. MIT license.
// ServerHandle and the accept loop behind listen(); the public file
// (server_handle.ts) exports only the class.
import { StreamSocket } from "./stream_socket.ts";
import { acceptBackOff } from "./_accept_backoff.ts";
import { errorCode, errorMessage, invoke } from "./_callback_common.ts";
import {
  abortLink,
  assertLinkCallbacks,
  createLink,
  type LinkCallbacks,
  startLink,
  type TcpLink,
} from "./_callback_tcp_link.ts";

/**
 * The callbacks of a listening server; Cuberite's `ListenCallbacks`.
 */
export interface ListenCallbacks {
  /**
   * A connection is being accepted. Return the callbacks for its link, or
   * `null`/`undefined` to drop it (the peer sees the connection closed).
   *
   * @param remoteIp The peer's IP address.
   * @param remotePort The peer's port.
   * @param localPort The port the server listens on.
   * @returns The link's callbacks, or nothing to drop the connection.
   */
  onIncomingConnection(
    remoteIp: string,
    remotePort: number,
    localPort: number,
  ): LinkCallbacks | null | undefined;
  /**
   * The link for an accepted connection exists; called before any of its
   * data arrives, and it is safe to send from here.
   *
   * @param link The new link.
   */
  onAccepted?(link: TcpLink): void;
  /**
   * Listening failed: binding (called before `listen()` returns) or a later
   * fatal accept error; nothing follows, the server is not listening. A
   * passing accept failure (e.g. `EMFILE`, out of file descriptors) is
   * reported once per run of failures while the server keeps listening and
   * retries every 100 ms.
   *
   * @param code An errno-style code, e.g. `EADDRINUSE`, or an error class name.
   * @param message What failed, then the details.
   */
  onError(code: string, message: string): void;
}

/** What listen() hands to the handle (internal). */
export interface ServerInit {
  listener: Deno.Listener | undefined;
  callbacks: ListenCallbacks;
  maxQueuedBytes: number;
}

let create: (init: ServerInit) => ServerHandle;

/**
 * A listening TCP server made by {@linkcode listen}; Cuberite's
 * `cServerHandle`.
 *
 * @example Listen, then close
 * ```ts
 * import { listen } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const server = listen(0, {
 *   onIncomingConnection: () => null,
 *   onError: () => {},
 * }, { hostname: "127.0.0.1" });
 * assert.equal(server.isListening(), true);
 * server.close();
 * assert.equal(server.isListening(), false);
 * await server.closed;
 * ```
 */
export class ServerHandle implements Disposable {
  #listener: Deno.Listener | undefined;
  #callbacks: ListenCallbacks;
  #maxQueued: number;
  #port: number;
  #listening: boolean;
  #links = new Set<TcpLink>();
  // Links that ended on their own but may still be flushing.
  #settling = new Set<Promise<void>>();
  #loop: Promise<void> = Promise.resolve();
  #wakeAcceptLoop: (() => void) | undefined;
  #closed = Promise.withResolvers<void>();

  private constructor(init: ServerInit) {
    this.#listener = init.listener;
    this.#callbacks = init.callbacks;
    this.#maxQueued = init.maxQueuedBytes;
    this.#listening = init.listener !== undefined;
    this.#port = init.listener ? (init.listener.addr as Deno.NetAddr).port : 0;
    if (init.listener) this.#loop = this.#acceptLoop(init.listener);
    else this.#closed.resolve();
  }

  static {
    create = (init) => new ServerHandle(init);
  }

  /**
   * Whether the server accepts connections.
   *
   * @returns `false` after a bind failure or `close()`.
   *
   * @example A port in use leaves the server not listening
   * ```ts
   * import { listen } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
   * const errors: string[] = [];
   * const server = listen(taken.addr.port, {
   *   onIncomingConnection: () => null,
   *   onError: (code) => errors.push(code),
   * }, { hostname: "127.0.0.1" });
   * assert.equal(server.isListening(), false);
   * assert.deepEqual(errors, ["EADDRINUSE"]); // reported before listen() returned
   * ```
   */
  isListening(): boolean {
    return this.#listening;
  }

  /**
   * The port the server listens on: the real one when `listen()` was given
   * port 0. A moonwire addition.
   *
   * @returns The port, or 0 when not listening since the start.
   *
   * @example Ask for any free port
   * ```ts
   * import { listen } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * using server = listen(0, {
   *   onIncomingConnection: () => null,
   *   onError: () => {},
   * }, { hostname: "127.0.0.1" });
   * assert.ok(server.getPort() > 0);
   * ```
   */
  getPort(): number {
    return this.#port;
  }

  /**
   * Resolves once the server stopped accepting and every link it accepted is
   * closed and released. A moonwire addition.
   *
   * @example Wait for the shutdown to finish
   * ```ts
   * import { listen } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * const server = listen(0, {
   *   onIncomingConnection: () => null,
   *   onError: () => {},
   * }, { hostname: "127.0.0.1" });
   * server.close();
   * await server.closed;
   * assert.equal(server.isListening(), false);
   * ```
   */
  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  /**
   * Stops accepting and closes every link of this server; Cuberite's
   * `Close`. Each open link gets exactly one terminal callback: `onError`
   * with code `ECONNABORTED` (the peer did not close it, so it is not
   * `onRemoteClosed`); what it had queued is flushed, then it closes.
   * Idempotent.
   *
   * @example Close a server with a connected client
   * ```ts
   * import { listen } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * const accepted = Promise.withResolvers<void>();
   * const codes: string[] = [];
   * const server = listen(0, {
   *   onIncomingConnection: () => ({
   *     onReceivedData: () => {},
   *     onRemoteClosed: () => codes.push("closed"),
   *     onError: (_link, code) => codes.push(code),
   *   }),
   *   onAccepted: () => accepted.resolve(),
   *   onError: () => {},
   * }, { hostname: "127.0.0.1" });
   * using conn = await Deno.connect({ hostname: "127.0.0.1", port: server.getPort() });
   * await accepted.promise;
   * server.close();
   * await server.closed;
   * assert.deepEqual(codes, ["ECONNABORTED"]);
   * assert.equal(await conn.read(new Uint8Array(1)), null);
   * ```
   */
  close(): void {
    if (!this.#listener) return;
    const listener = this.#listener;
    this.#listener = undefined;
    this.#listening = false;
    try {
      listener.close();
    } catch {
      // The accept loop closed it after a fatal error.
    }
    const wake = this.#wakeAcceptLoop;
    this.#wakeAcceptLoop = undefined;
    wake?.();
    const links = [...this.#links];
    this.#links.clear();
    for (const link of links) {
      abortLink(
        link,
        "ECONNABORTED",
        "Cannot continue link: its server handle was closed",
      );
    }
    Promise.allSettled([
      this.#loop,
      ...links.map((link) => link.closed),
      ...this.#settling,
    ]).then(() => this.#closed.resolve());
  }

  /** Same as {@linkcode ServerHandle.prototype.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  async #acceptLoop(listener: Deno.Listener): Promise<void> {
    const localPort = this.#port;
    let failing = false;
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (this.#listener !== listener) return;
        const fatal = error instanceof Deno.errors.BadResource;
        // Report once per run of failures, not once per retry.
        if (fatal || !failing) {
          invoke(
            this.#callbacks.onError,
            this.#callbacks,
            errorCode(error),
            `Cannot accept connection: ${errorMessage(error)}`,
          );
        }
        if (fatal) {
          // The listener is gone: end listening, like a bind failure.
          this.#listening = false;
          this.close();
          return;
        }
        // E.g. out of file descriptors under a connection flood: back off
        // and keep listening instead of stopping for good.
        failing = true;
        const pause = acceptBackOff();
        this.#wakeAcceptLoop = pause.wake;
        await pause.done;
        this.#wakeAcceptLoop = undefined;
        continue;
      }
      failing = false;
      if (this.#listener !== listener) {
        conn.close();
        return;
      }
      this.#accept(conn, localPort);
    }
  }

  #accept(conn: Deno.Conn, localPort: number): void {
    const remote = conn.remoteAddr as Deno.NetAddr;
    const callbacks = invoke(
      this.#callbacks.onIncomingConnection,
      this.#callbacks,
      remote.hostname,
      remote.port,
      localPort,
    );
    if (callbacks === null || callbacks === undefined) {
      conn.close();
      return;
    }
    try {
      assertLinkCallbacks("accept connection", callbacks);
    } catch (error) {
      conn.close();
      reportError(error);
      return;
    }
    if (!this.#listener) {
      // The server was closed from inside onIncomingConnection.
      conn.close();
      return;
    }
    const socket = new StreamSocket(conn, { maxQueuedBytes: this.#maxQueued });
    const link = createLink({
      socket,
      remoteHost: remote.hostname,
      remotePort: remote.port,
      maxQueuedBytes: this.#maxQueued,
      onDone: (done) => {
        this.#links.delete(done);
        const closed = done.closed;
        this.#settling.add(closed);
        closed.then(() => this.#settling.delete(closed));
      },
    }, callbacks as LinkCallbacks);
    this.#links.add(link);
    invoke(this.#callbacks.onAccepted, this.#callbacks, link);
    startLink(link);
  }
}

/** Builds a server handle (internal: listen() calls this). */
export function createServerHandle(init: ServerInit): ServerHandle {
  return create(init);
}
