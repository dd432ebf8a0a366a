// Copyright 2026 the moonwire authors. MIT license.
/**
 * The mm server.
 *
 * @module
 */
import {
  FramedConnection,
  type FramedConnectionOptions,
} from "../net/framed_connection.ts";
import type { LuaTable, LuaTableOf } from "../net/table_codec.ts";
import type { ResolvedTableOptions } from "../net/_table_encoder.ts";
import { encodeMessage } from "./_record.ts";
import type { EventQueue } from "./_event_queue.ts";
import { connectionFactory } from "./_factory.ts";
import {
  checkAddress,
  checkNumber,
  checkPort,
  newSocketId,
  type ResolvedOptions,
  resolveOptions,
} from "./_options.ts";
import { listenTcp } from "./_listen.ts";
import { QueueBudget } from "./_queue_budget.ts";
import { type BroadcastRelay, roomHook } from "./_room_hook.ts";
import { Session, type SessionHandlers } from "./_session.ts";
import { framedOptions, tableOptions } from "./_session_options.ts";
// Side effect: registers the ClientConnection factory.
import "./client_connection.ts";
import type { ClientConnection } from "./client_connection.ts";
import type { ConnectionOptions } from "./connection_options.ts";
import {
  EVENT_CLIENT_CLOSE,
  EVENT_CONNECT,
  EVENT_ERROR,
  EVENT_RECEIVE,
  type NetworkObject,
} from "./network_event.ts";

const DEFAULT_MAX_HANDSHAKES = 256;
// The usual soft limit on open files (ulimit -n): a server at its default
// never runs out of descriptors before it refuses peers.
const DEFAULT_MAX_CONNECTIONS = 1024;
// 16 connections' worth of the default 4 MiB queue: healthy peers drain in
// milliseconds and never come near it, while any number of peers that stop
// reading can pin at most this much memory.
const DEFAULT_MAX_SERVER_QUEUED_BYTES = 64 * 1024 * 1024;

/**
 * Options for `new Server(address, port, options)`: the
 * {@linkcode ConnectionOptions} shared with `Client`, plus server-only limits.
 *
 * @example Admit at most 64 handshakes at a time
 * ```ts
 * import { Server, type ServerOptions } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * const options: ServerOptions = { maxHandshakes: 64, handshakeTimeout: 2_000 };
 * await using server = new Server("127.0.0.1", 0, options);
 * assert.ok(server.getPort() > 0);
 * ```
 */
export interface ServerOptions extends ConnectionOptions {
  /**
   * Most accepted connections still in their hello/handshake at once. While
   * that many are pending the server stops accepting: further clients wait
   * in the listen backlog (they are not refused) until one handshake
   * finishes, fails or times out. Bounds what unauthenticated sockets cost.
   *
   * @default {256}
   */
  maxHandshakes?: number;
  /**
   * Most connections at once, counting those still in their handshake. A
   * peer that arrives while the server is full is accepted and closed at
   * once (its client sees the handshake fail), and the server reports an
   * `EVENT_ERROR`: `Cannot accept connection from <address>:<port>: server
   * is at maxConnections (<n>)`.
   *
   * @default {1024}
   */
  maxConnections?: number;
  /**
   * Most bytes of tables queued over all connections together (accepted by
   * `send`/`broadcast` and not yet handed to the socket), on top of each
   * connection's own `maxQueuedBytes`. Beyond it sends count as failures
   * for the connections that do not fit, and the server reports an
   * `EVENT_ERROR` when it fills (again only after it drained to half):
   * `Cannot queue table: server queue is full (maxServerQueuedBytes <n>)`.
   *
   * @default {67108864} (64 MiB)
   */
  maxServerQueuedBytes?: number;
}

/**
 * A server that clients connect to (the seed's `network.Server`). Creating
 * one listens at once; bad arguments throw `TypeError`/`RangeError`/
 * `SyntaxError` before any socket is opened, and a failure to listen throws
 * Deno's error class (e.g. `Deno.errors.AddrInUse`) with the message
 * `Cannot create server on <address>:<port>: <reason>` (e.g. `address
 * already in use`) and Deno's original error as `cause` — where the seed
 * returns `nil, result`.
 *
 * Accepted clients are reported as `EVENT_CONNECT` (object: a
 * {@linkcode ClientConnection}), their tables as `EVENT_RECEIVE`, their
 * departure as `EVENT_CLIENT_CLOSE`: with `errors` `""` only after the
 * client's close record (its graceful disconnect), otherwise preceded by an
 * `EVENT_ERROR` saying why — e.g. a modified or replayed record, `Cannot
 * read from <address>:<port>: connection ended without close record` when
 * the stream was cut, reset or ended early, or `Cannot send to
 * <address>:<port>: peer closed with N tables not delivered` when the
 * client disconnected before the server's tables to it were written.
 * A client refused during the handshake (wrong or missing key, garbage, no
 * handshake within `handshakeTimeout`) never becomes a connection: it is one
 * `EVENT_ERROR` whose object is the server. Connections the server itself
 * disconnects get no close event. At most `maxHandshakes` (256) accepted
 * connections are in their handshake at a time; more clients wait in the
 * listen backlog until one finishes. At most `maxConnections` (1024) are
 * open at once (further peers are refused with an `EVENT_ERROR`), and all
 * connections together queue at most `maxServerQueuedBytes` (64 MiB).
 *
 * Type parameters: `Send` is the type of the tables this server sends and
 * `Receive` of those its clients send (`new Server<ServerMsg, ClientMsg>()`;
 * the client is `Client<ClientMsg, ServerMsg>`). Both default to any
 * {@linkcode LuaTable}; interfaces fit ({@linkcode LuaTableOf}). Received
 * tables reach you through a hub typed with them
 * (`new NetworkEvents<ClientMsg>()`). Types are a promise, not a check: the
 * decoder validates that a table is well formed, never its shape.
 *
 * @typeParam Send The tables this server sends.
 * @typeParam Receive The tables its clients send.
 *
 * @example Echo one table back
 * ```ts
 * import {
 *   Client,
 *   type ClientConnection,
 *   EVENT_RECEIVE,
 *   NetworkEvents,
 *   Server,
 * } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * const events = new NetworkEvents();
 * const server = new Server("127.0.0.1", 0, {
 *   cipherKey: "0C03EA65238DD2C25EB87CE563868098",
 *   events,
 * });
 * const client = new Client("127.0.0.1", server.getPort(), {
 *   cipherKey: "0C03EA65238DD2C25EB87CE563868098",
 *   events,
 * });
 * client.send({ OpCode: 10, Data: "From client" });
 * for await (const event of events) {
 *   if (event.event !== EVENT_RECEIVE) continue;
 *   if (event.object === client) {
 *     assert.deepEqual(event.packet, ["Hello Client"]);
 *     break;
 *   }
 *   assert.deepEqual(event.packet, { OpCode: 10, Data: "From client" });
 *   const connection = event.object as ClientConnection;
 *   assert.equal(server.send(["Hello Client"], connection), 1);
 * }
 * await client.disconnect();
 * await server.close();
 * ```
 */
export class Server<
  Send extends LuaTableOf<Send> = LuaTable,
  Receive extends LuaTableOf<Receive> = LuaTable,
> implements NetworkObject, AsyncDisposable {
  #socketId = newSocketId();
  #options: ResolvedOptions;
  #tableOptions: ResolvedTableOptions;
  // One set for all connections (a connection keeps what it is given).
  #framedOptions: FramedConnectionOptions;
  // What every session of this server reports to (owner: its connection).
  #sessionHandlers: SessionHandlers<ClientConnection> = {
    table: (connection, packet, timestamp) =>
      this.#events.push({
        event: EVENT_RECEIVE,
        timestamp,
        object: connection,
        errors: "",
        packet,
      }),
    end: (connection, session, error) => {
      this.#sessions.delete(connection);
      this.#track(session.done());
      const errors = error ? session.describe(error) : "";
      if (error) this.#emitError(connection, errors);
      this.#events.push({
        event: EVENT_CLIENT_CLOSE,
        timestamp: Date.now(),
        object: connection,
        errors,
      });
    },
  };
  #events: EventQueue;
  #listener: Deno.TcpListener;
  #address: string;
  #port: number;
  #sessions = new Map<ClientConnection, Session>();
  #handshaking = new Set<Session>();
  #tasks = new Set<Promise<void>>();
  #acceptTask: Promise<void>;
  #wakeAcceptLoop: (() => void) | undefined;
  #maxHandshakes: number;
  #maxConnections: number;
  #budget: QueueBudget;
  #handshakeDone: (() => void) | undefined;
  #closed = false;
  #closeTask: Promise<void> | undefined;
  // Set while a NATS room (mm/nats) relays this server's broadcasts.
  #relay: BroadcastRelay | undefined;

  static {
    roomHook.attach = (server, relay) => {
      if (!(server instanceof Server)) {
        throw new TypeError("Cannot join room: server must be an mm Server");
      }
      if (server.#relay !== undefined) {
        throw new Error("Cannot join room: server is already in a room");
      }
      server.#relay = relay;
      return {
        deliver: (encoded) =>
          server.#sessions.size - server.#enqueueAll(encoded),
        error: (object, errors) => server.#emitError(object, errors),
        maxMessageSize: server.#options.maxMessageSize,
        psk: server.#options.psk,
        detach: () => {
          if (server.#relay === relay) server.#relay = undefined;
        },
      };
    };
  }

  /**
   * Listens on `address` and `port`.
   *
   * @param address IP address string to listen on, e.g. `"127.0.0.1"`.
   * @param [port=0] 1024–65535, or 0/omitted to let the system choose (see
   *   {@linkcode getPort}).
   * @param options The cipher key as a hex string (the seed's third
   *   argument), or an options object.
   * @throws {TypeError} For an argument of the wrong type.
   * @throws {RangeError} For a port, cipher key length or numeric option out
   *   of range (e.g. `maxHandshakes`, `maxConnections` or
   *   `maxServerQueuedBytes` not a positive integer).
   * @throws {SyntaxError} For an empty address or a non-hex cipher key.
   * @throws {Deno.errors.AddrInUse} When the port is taken (other listen
   *   failures throw Deno's error class for them); the message is `Cannot
   *   create server on <address>:<port>: <reason>`, `cause` Deno's error.
   */
  constructor(
    address: string,
    port?: number,
    options?: string | ServerOptions,
  ) {
    this.#address = checkAddress("create server", address);
    const wanted = checkPort("create server", port, true);
    this.#options = resolveOptions("create server", options);
    const limits = typeof options === "object" ? options : undefined;
    this.#maxHandshakes = checkNumber(
      "create server",
      "maxHandshakes",
      limits?.maxHandshakes,
      DEFAULT_MAX_HANDSHAKES,
      1,
    );
    this.#maxConnections = checkNumber(
      "create server",
      "maxConnections",
      limits?.maxConnections,
      DEFAULT_MAX_CONNECTIONS,
      1,
    );
    const maxQueued = checkNumber(
      "create server",
      "maxServerQueuedBytes",
      limits?.maxServerQueuedBytes,
      DEFAULT_MAX_SERVER_QUEUED_BYTES,
      1,
    );
    this.#budget = new QueueBudget(maxQueued, () =>
      this.#emitError(
        this,
        `Cannot queue table: server queue is full (maxServerQueuedBytes ${maxQueued})`,
      ));
    this.#tableOptions = tableOptions(this.#options.maxMessageSize);
    this.#framedOptions = framedOptions(this.#options);
    this.#events = this.#options.events;
    this.#listener = listenTcp(this.#address, wanted);
    this.#port = this.#listener.addr.port;
    this.#acceptTask = this.#acceptLoop();
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      // Enough peers mid-handshake: leave the next ones in the backlog.
      while (this.#handshaking.size >= this.#maxHandshakes) {
        await new Promise<void>((resolve) => this.#handshakeDone = resolve);
        this.#handshakeDone = undefined;
        if (this.#closed) return;
      }
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (this.#closed) return;
        // E.g. out of file descriptors: report, back off, keep serving.
        this.#emitError(
          this,
          `Cannot accept connection: ${(error as Error).message}`,
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 100);
          this.#wakeAcceptLoop = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wakeAcceptLoop = undefined;
        if (this.#closed) return;
        continue;
      }
      if (this.#closed) {
        conn.close();
        return;
      }
      if (
        this.#sessions.size + this.#handshaking.size >= this.#maxConnections
      ) {
        const remote = conn.remoteAddr;
        conn.close();
        this.#emitError(
          this,
          `Cannot accept connection from ${remote.hostname}:${remote.port}: server is at maxConnections (${this.#maxConnections})`,
        );
        continue;
      }
      this.#track(
        this.#admit(conn).catch((error) => {
          this.#emitError(this, (error as Error).message);
        }),
      );
    }
  }

  async #admit(conn: Deno.TcpConn): Promise<void> {
    const options = this.#options;
    const framed = new FramedConnection(conn, this.#framedOptions);
    const session = new Session(
      framed,
      options,
      this.#tableOptions,
      this.#budget,
    );
    this.#handshaking.add(session);
    try {
      await session.handshake(false);
    } catch (error) {
      if (!this.#closed) this.#emitError(this, (error as Error).message);
      await session.done();
      return;
    } finally {
      this.#handshaking.delete(session);
      this.#handshakeDone?.();
    }
    if (this.#closed) {
      await session.close();
      return;
    }
    const remote = framed.remoteAddr;
    const connection = connectionFactory.create!(
      newSocketId(),
      remote.hostname,
      remote.port,
    ) as ClientConnection;
    this.#sessions.set(connection, session);
    const events = this.#events;
    events.push({
      event: EVENT_CONNECT,
      timestamp: Date.now(),
      object: connection,
      errors: "",
    });
    session.start(this.#sessionHandlers, connection);
  }

  // A task close() waits for: an ended or closing session's last steps.
  // An open session is not one (close() closes it): an idle connection
  // holds no pending task.
  #track(task: Promise<void>): void {
    this.#tasks.add(task);
    task.finally(() => this.#tasks.delete(task));
  }

  #emitError(object: NetworkObject, errors: string): void {
    this.#events.push({
      event: EVENT_ERROR,
      timestamp: Date.now(),
      object,
      errors,
    });
  }

  // The type was checked structurally; the encoder checks the value.
  #encode(table: object): Uint8Array {
    return encodeMessage(table as LuaTable, this.#tableOptions);
  }

  /**
   * Sends a table to one or more client connections (the seed's `Send`).
   * Tables sent in the same tick to one connection travel in one record.
   *
   * Delivery guarantee: for each connection counted in the result the table
   * is *accepted* — it reaches that client exactly once, after every table
   * accepted for it before, however the program yields between sends — or
   * that connection reports a failure with `EVENT_CLIENT_CLOSE` (preceded by
   * `EVENT_ERROR` when an error ended it). {@linkcode disconnect} and
   * {@linkcode close} deliver every accepted table first. A connection not
   * counted gets nothing of this table.
   *
   * @example Send to chosen connections
   * ```ts
   * import { Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * await using server = new Server("127.0.0.1");
   * assert.equal(server.send(["Hello Client"]), 0); // no connections given
   * assert.throws(() => server.send(42 as never), TypeError);
   * ```
   *
   * @typeParam T The table's type: any Lua table ({@linkcode LuaTableOf})
   *   when the server's `Send` is the default, else a `Send`.
   * @param table The table: an array, a plain object or a Map holding only
   *   null, booleans, numbers, strings, byte strings and tables (`undefined`
   *   fields are Lua's nil: absent on the other side).
   * @param connections The connections to send to.
   * @returns How many connections accepted the table; closed or unknown
   *   connections, and ones whose send queue is full (`maxQueuedBytes`, or
   *   the server-wide `maxServerQueuedBytes`), count as failures.
   * @throws {TypeError} If `table` is not a table or holds an unsupported
   *   value (the message names its path).
   * @throws {RangeError} If the encoded table exceeds `maxMessageSize`.
   */
  send<T extends (LuaTable extends Send ? object : Send) & LuaTableOf<T>>(
    table: T,
    ...connections: ClientConnection[]
  ): number {
    const encoded = this.#encode(table);
    let count = 0;
    for (const connection of connections) {
      if (this.#sessions.get(connection)?.enqueue(encoded)) count++;
    }
    return count;
  }

  /**
   * Sends a table to every connected client (the seed's `Broadcast`); the
   * table is encoded once. Each connection counted in the result accepted
   * it, with the same delivery guarantee as {@linkcode send}.
   *
   * @example Broadcast with nobody connected
   * ```ts
   * import { Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * await using server = new Server("127.0.0.1");
   * assert.equal(server.broadcast({ OpCode: 10, Data: "From server" }), 0);
   * ```
   *
   * @typeParam T The table's type, as for {@linkcode send}.
   * @param table The table to send.
   * In a NATS room (`@moonwire/moonwire/mm/nats`) the table also goes to
   * the clients of the room's other servers; the result counts this
   * server's connections only.
   *
   * @returns How many connections accepted the table (those whose queue is
   *   full do not count).
   * @throws {TypeError} If `table` is not a valid table.
   * @throws {RangeError} If the encoded table exceeds `maxMessageSize` (or,
   *   in a NATS room, what one NATS message can carry); nobody gets it.
   */
  broadcast<T extends (LuaTable extends Send ? object : Send) & LuaTableOf<T>>(
    table: T,
  ): number {
    const encoded = this.#encode(table);
    if (!this.#closed) this.#relay?.(encoded);
    return this.#enqueueAll(encoded);
  }

  #enqueueAll(encoded: Uint8Array): number {
    let count = 0;
    for (const session of this.#sessions.values()) {
      if (session.enqueue(encoded)) count++;
    }
    return count;
  }

  /**
   * Disconnects client connections (the seed's `Disconnect`). Every table
   * already accepted for them is delivered first, then the close record, and
   * the client gets a clean `EVENT_SERVER_CLOSE` (for up to 2 s: a client
   * that reads nothing in that time sees the connection end without the
   * close record, an `EVENT_ERROR`, then `EVENT_SERVER_CLOSE`); later sends
   * to them count as failures.
   * No `EVENT_CLIENT_CLOSE` follows for connections closed this way.
   *
   * @example Disconnecting an unknown connection counts nothing
   * ```ts
   * import { Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * await using server = new Server("127.0.0.1");
   * assert.equal(server.disconnect(), 0);
   * ```
   *
   * @param connections The connections to disconnect.
   * @returns How many of them were open.
   */
  disconnect(...connections: ClientConnection[]): number {
    let count = 0;
    for (const connection of connections) {
      const session = this.#sessions.get(connection);
      if (session === undefined) continue;
      this.#sessions.delete(connection);
      count++;
      this.#track(session.close());
    }
    return count;
  }

  /**
   * How many clients are connected (the seed's `ConnectionCount`).
   *
   * @example A new server has none
   * ```ts
   * import { Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * await using server = new Server("127.0.0.1");
   * assert.equal(server.connectionCount(), 0);
   * ```
   *
   * @returns The number of connected clients (after their handshake).
   */
  connectionCount(): number {
    return this.#sessions.size;
  }

  /**
   * The unique socket identifier of this server (the seed's `GetSocket`).
   *
   * @example Ids are unique
   * ```ts
   * import { Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * await using a = new Server("127.0.0.1");
   * await using b = new Server("127.0.0.1");
   * assert.notEqual(a.getSocket(), b.getSocket());
   * ```
   *
   * @returns The id, unique among all servers, clients and connections.
   */
  getSocket(): number {
    return this.#socketId;
  }

  /**
   * The port the server listens on — the real one when 0 was asked.
   *
   * @example Port 0 lets the system choose
   * ```ts
   * import { Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * await using server = new Server("127.0.0.1", 0);
   * assert.ok(server.getPort() > 0);
   * ```
   *
   * @returns The port number.
   */
  getPort(): number {
    return this.#port;
  }

  /**
   * The IP address string the server listens on.
   *
   * @example Read the address
   * ```ts
   * import { Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * await using server = new Server("127.0.0.1");
   * assert.equal(server.getAddress(), "127.0.0.1");
   * ```
   *
   * @returns The address given at creation.
   */
  getAddress(): string {
    return this.#address;
  }

  /**
   * Stops listening and closes every connection: every accepted table is
   * still delivered first, then the close record (for up to 2 s, as in
   * {@linkcode disconnect}), and clients get `EVENT_SERVER_CLOSE`. Resolves
   * when everything is
   * closed. Idempotent.
   *
   * @example Close a server
   * ```ts
   * import { Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * const server = new Server("127.0.0.1");
   * await server.close();
   * assert.equal(server.connectionCount(), 0);
   * ```
   *
   * @returns A promise that resolves once closed.
   */
  close(): Promise<void> {
    this.#closeTask ??= this.#close();
    return this.#closeTask;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
    this.#wakeAcceptLoop?.();
    this.#handshakeDone?.();
    await this.#acceptTask;
    const closing: Promise<void>[] = [];
    for (const session of this.#sessions.values()) {
      closing.push(session.close());
    }
    this.#sessions.clear();
    for (const session of this.#handshaking) closing.push(session.close(0));
    await Promise.allSettled(closing);
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }

  /**
   * Same as {@linkcode close}.
   *
   * @example Dispose with await using
   * ```ts
   * import { Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * {
   *   await using server = new Server("127.0.0.1");
   *   assert.ok(server.getPort() > 0);
   * }
   * ```
   *
   * @returns A promise that resolves once closed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
