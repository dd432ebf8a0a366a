// Copyright 2026 the moonwire authors. MIT license.
/**
 * The mm client.
 *
 * @module
 */
import { FramedConnection } from "../net/framed_connection.ts";
import { StreamSocket } from "../net/stream_socket.ts";
import { abortable, checkSignal } from "../net/_abort.ts";
import type { LuaTable, LuaTableOf } from "../net/table_codec.ts";
import type { ResolvedTableOptions } from "../net/_table_encoder.ts";
import { encodeMessage } from "./_record.ts";
import type { EventQueue } from "./_event_queue.ts";
import {
  checkAddress,
  checkPort,
  newSocketId,
  type ResolvedOptions,
  resolveOptions,
} from "./_options.ts";
import { Session, type SessionHandlers } from "./_session.ts";
import {
  CLOSE_GRACE,
  framedOptions,
  tableOptions,
} from "./_session_options.ts";
import type { ConnectionOptions } from "./connection_options.ts";
import {
  EVENT_CONNECTED,
  EVENT_ERROR,
  EVENT_RECEIVE,
  EVENT_SERVER_CLOSE,
  type NetworkObject,
} from "./network_event.ts";

/**
 * Result of {@linkcode Client.waitForConnect} (the seed's two returns, plus
 * the reason when not connected): `ok` tells which of the two shapes it is.
 *
 * @example Report why a client is not connected
 * ```ts
 * import type { WaitForConnectResult } from "@moonwire/moonwire/mm";
 *
 * function describe(result: WaitForConnectResult): string {
 *   return result.ok ? "connected" : `not connected: ${result.error}`;
 * }
 * describe({ ok: false, waitTime: 0.01, error: "Cannot connect to ..." });
 * ```
 */
export type WaitForConnectResult =
  | {
    /** The client is connected. */
    ok: true;
    /** Seconds spent waiting in this call (approximate). */
    waitTime: number;
  }
  | {
    /** The client is not connected. */
    ok: false;
    /** Seconds spent waiting in this call (approximate). */
    waitTime: number;
    /**
     * Why: the text of the failure's `EVENT_CONNECTED`/`EVENT_ERROR` event
     * (e.g. `Cannot connect to 127.0.0.1:4000: Connection refused ...`),
     * `Cannot connect to <address>:<port>: not connected within <timeout> s`
     * when the wait ran out first, `...: client disconnected` after
     * `disconnect()`, or `...: connection closed by server` (with the error,
     * if any) once a connection has ended.
     */
    error: string;
  };

// The early-table list of a client with none (never pushed to).
const NO_EARLY: Uint8Array[] = [];

// What every client's session reports to (owner: the client); set in the
// class's static block, where the client's private members are in reach.
// deno-lint-ignore no-explicit-any
let clientHandlers: SessionHandlers<Client<any, any>>;

/**
 * A client of an mm `Server` (the seed's `network.Client`). Creating one
 * starts connecting in the background and returns at once; the outcome is an
 * `EVENT_CONNECTED` event (`result` true or false) and is also what
 * {@linkcode waitForConnect} waits for. Bad arguments throw
 * `TypeError`/`RangeError`/`SyntaxError` before any socket is opened.
 *
 * A server that cannot be reached gives `EVENT_CONNECTED` with
 * `result: false` and the reason in `errors`. With a cipher key, "connected"
 * means the encrypted handshake succeeded; a failed handshake (wrong key, a
 * key on one side only, a peer that is not an mm server, no answer within
 * `handshakeTimeout`) gives an `EVENT_ERROR` followed by `EVENT_CONNECTED`
 * with `result: false`, and no table ever passes. Once connected, the end of
 * the connection is an `EVENT_SERVER_CLOSE`: with `errors` `""` only after
 * the server's close record (its graceful close), otherwise preceded by an
 * `EVENT_ERROR` saying why — e.g. a modified record, `Cannot read from
 * <address>:<port>: connection ended without close record` when the
 * stream was cut, reset or ended early, or `Cannot send to
 * <address>:<port>: peer closed with N tables not delivered` when the
 * server closed before the client's tables were written.
 *
 * Tables sent before the connection is up are queued and sent once it is,
 * before any table sent later; if the connection cannot be made they are
 * dropped and the `EVENT_CONNECTED` with `result: false` reports it. See
 * {@linkcode Client.send} for the delivery guarantee.
 *
 * Type parameters: `Send` is the type of the tables this client sends and
 * `Receive` of those the server sends (`new Client<ClientMsg, ServerMsg>()`
 * for a `Server<ServerMsg, ClientMsg>`). Both default to any
 * {@linkcode LuaTable}; interfaces fit ({@linkcode LuaTableOf}). Received
 * tables reach you through a hub typed with them
 * (`new NetworkEvents<ServerMsg>()`). Types are a promise, not a check: the
 * decoder validates that a table is well formed, never its shape.
 *
 * @typeParam Send The tables this client sends.
 * @typeParam Receive The tables the server sends.
 *
 * @example Connect, send, disconnect
 * ```ts
 * import { Client, NetworkEvents, Server } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * const events = new NetworkEvents();
 * await using server = new Server("127.0.0.1", 0, { events });
 * await using client = new Client("127.0.0.1", server.getPort(), { events });
 * const { ok } = await client.waitForConnect();
 * assert.equal(ok, true);
 * assert.equal(client.send({ OpCode: 10, Data: "From client" }), true);
 * ```
 */
export class Client<
  Send extends LuaTableOf<Send> = LuaTable,
  Receive extends LuaTableOf<Receive> = LuaTable,
> implements NetworkObject, AsyncDisposable {
  #socketId = newSocketId();
  #options: ResolvedOptions;
  #tableOptions: ResolvedTableOptions;
  #events: EventQueue;
  #address: string;
  #port: number;
  #session: Session | undefined;
  #connected = false;
  // Whether the connection came up, once known; the promise is made only
  // when someone waits (an idle client holds no resolvers).
  #settledResult: boolean | undefined;
  #settled: PromiseWithResolvers<boolean> | undefined;
  #early: Uint8Array[] = NO_EARLY;
  #earlyBytes = 0;
  // Made when flush() waits for #early to be moved or dropped.
  #handedOver: PromiseWithResolvers<void> | undefined;
  // Cancels the connect; dropped once connected.
  #abort: AbortController | undefined = new AbortController();
  #disconnected = false;
  #ended = false;
  #failure: string | undefined; // why the client is not (or no longer) connected
  // The connect task, until it has finished.
  #task: Promise<void> | undefined;
  #disconnectTask: Promise<void> | undefined;

  static {
    clientHandlers = {
      table: (client, packet, timestamp) =>
        client.#events.push({
          event: EVENT_RECEIVE,
          timestamp,
          object: client,
          errors: "",
          packet,
        }),
      end: (client, session, error) => {
        client.#ended = true;
        const errors = error ? session.describe(error) : "";
        client.#failure =
          `Cannot connect to ${client.#address}:${client.#port}: connection closed by server${
            errors ? ` (${errors})` : ""
          }`;
        if (error) client.#emitError(errors);
        client.#events.push({
          event: EVENT_SERVER_CLOSE,
          timestamp: Date.now(),
          object: client,
          errors,
        });
      },
    };
  }

  /**
   * Starts connecting to a server.
   *
   * @param address The server's IP address string.
   * @param port The server's port, 1024–65535.
   * @param options The cipher key as a hex string (the seed's third
   *   argument), or an options object.
   */
  constructor(
    address: string,
    port: number,
    options?: string | ConnectionOptions,
  ) {
    this.#address = checkAddress("create client", address);
    this.#port = checkPort("create client", port, false);
    this.#options = resolveOptions("create client", options);
    this.#tableOptions = tableOptions(this.#options.maxMessageSize);
    this.#events = this.#options.events;
    this.#task = this.#run().finally(() => this.#task = undefined);
  }

  async #run(): Promise<void> {
    const options = this.#options;
    let socket: StreamSocket;
    try {
      socket = await StreamSocket.connect(this.#address, this.#port, {
        signal: this.#abort!.signal,
        timeout: options.handshakeTimeout,
      });
      this.#abort = undefined;
    } catch (error) {
      // A timeout already names the target: say it once.
      const target = `Cannot connect to ${this.#address}:${this.#port}`;
      const message = (error as Error).message;
      this.#fail(
        message.startsWith(target) ? message : `${target}: ${message}`,
        false,
      );
      return;
    }
    const framed = new FramedConnection(socket, framedOptions(options));
    const session = new Session(framed, options, this.#tableOptions);
    this.#session = session;
    // A disconnect while connecting still delivers the tables queued before
    // it (see #disconnect); with none there is nothing left to do.
    if (this.#disconnected && this.#early.length === 0) {
      await session.close(0);
      return;
    }
    try {
      await session.handshake(true);
    } catch (error) {
      this.#fail((error as Error).message, true);
      await session.done();
      return;
    }
    if (this.#disconnected && this.#early.length === 0) {
      await session.close();
      return;
    }
    const events = this.#events;
    if (!this.#disconnected) {
      this.#connected = true;
      events.push({
        event: EVENT_CONNECTED,
        timestamp: Date.now(),
        object: this,
        errors: "",
        result: true,
      });
      this.#settle(true);
    }
    for (const encoded of this.#early) session.enqueue(encoded, true);
    this.#early = NO_EARLY;
    this.#earlyBytes = 0;
    this.#handOver();
    session.start(clientHandlers, this);
    // Disconnected while connecting: close once the queued tables are sent
    // (close() stops new sends and events at once). Otherwise nothing waits
    // here while the connection is open: disconnect() awaits the session's
    // close, which waits for its tasks.
    if (this.#disconnected) void session.close();
  }

  #settle(result: boolean): void {
    if (this.#settledResult !== undefined) return;
    this.#settledResult = result;
    this.#settled?.resolve(result);
    this.#settled = undefined;
  }

  #handOver(): void {
    this.#handedOver?.resolve();
    this.#handedOver = undefined;
  }

  #fail(errors: string, asError: boolean): void {
    // Tables accepted before the connection was up are lost with it: that
    // is reported even after disconnect(), since those sends returned true.
    const stranded = this.#early.length > 0;
    this.#ended = true;
    if (!this.#disconnected) this.#failure = errors;
    this.#early = NO_EARLY;
    this.#earlyBytes = 0;
    this.#handOver();
    this.#settle(false);
    if (this.#disconnected && !stranded) return;
    if (asError) this.#emitError(errors);
    this.#events.push({
      event: EVENT_CONNECTED,
      timestamp: Date.now(),
      object: this,
      errors,
      result: false,
    });
  }

  #emitError(errors: string): void {
    this.#events.push({
      event: EVENT_ERROR,
      timestamp: Date.now(),
      object: this,
      errors,
    });
  }

  /**
   * Sends a table to the server (the seed's `Send`). Tables sent in the same
   * tick travel in one record; tables sent before the connection is up wait
   * for it.
   *
   * Delivery guarantee: a table for which `send` returned `true` (it was
   * *accepted*) reaches the server exactly once and in send order, however
   * the program yields between sends, or the connection reports a failure:
   * `EVENT_CONNECTED` with `result: false` (it never came up; queued tables
   * are lost), or `EVENT_SERVER_CLOSE`, preceded by `EVENT_ERROR` when an
   * error ended it (tables not yet written are lost). {@linkcode disconnect}
   * delivers every accepted table first. `false` means not accepted: nothing
   * of it is sent.
   *
   * @example Invalid tables throw before anything is sent
   * ```ts
   * import { Client, NetworkEvents, Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * const events = new NetworkEvents();
   * await using server = new Server("127.0.0.1", 0, { events });
   * await using client = new Client("127.0.0.1", server.getPort(), { events });
   * assert.throws(() => client.send({ f: () => 1 } as never), TypeError);
   * assert.equal(client.send(["Hello"]), true);
   * ```
   *
   * @typeParam T The table's type: any Lua table ({@linkcode LuaTableOf})
   *   when the client's `Send` is the default, else a `Send`.
   * @param table The table: an array, a plain object or a Map holding only
   *   null, booleans, numbers, strings, byte strings and tables (`undefined`
   *   fields are Lua's nil: absent on the other side).
   * @returns `true` when the table was accepted (queued for delivery);
   *   `false` when the client is disconnected, its connection has ended or
   *   failed, or its send queue (`maxQueuedBytes`) is full.
   * @throws {TypeError} If `table` is not a table or holds an unsupported
   *   value (the message names its path).
   * @throws {RangeError} If the encoded table exceeds `maxMessageSize`.
   */
  send<T extends (LuaTable extends Send ? object : Send) & LuaTableOf<T>>(
    table: T,
  ): boolean {
    if (this.#connected && !this.#disconnected && !this.#ended) {
      // Encoded straight into the connection's next record.
      // The type was checked structurally; the encoder checks the value.
      return this.#session!.write(table as LuaTable);
    }
    const encoded = encodeMessage(table as LuaTable, this.#tableOptions);
    if (this.#disconnected || this.#ended) return false;
    if (this.#earlyBytes + encoded.length > this.#options.maxQueuedBytes) {
      return false;
    }
    if (this.#early === NO_EARLY) this.#early = [];
    this.#early.push(encoded);
    this.#earlyBytes += encoded.length;
    return true;
  }

  /**
   * Resolves once every table sent so far has been handed to the socket
   * (not part of the seed; useful before measuring or shutting down). Tables
   * queued before the connection is up count: it waits for the connection,
   * and resolves when the connection fails (the queued tables are then
   * dropped, as `EVENT_CONNECTED` with `result: false` reports).
   *
   * @example Wait for the send queue to empty
   * ```ts
   * import { Client, NetworkEvents, Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * const events = new NetworkEvents();
   * await using server = new Server("127.0.0.1", 0, { events });
   * await using client = new Client("127.0.0.1", server.getPort(), { events });
   * await client.waitForConnect();
   * client.send(["one"]);
   * await client.flush();
   * assert.equal(client.send(["two"]), true);
   * ```
   *
   * @returns A promise that resolves when the queue is empty.
   */
  async flush(): Promise<void> {
    // Tables queued before the connection is up reach the session only once
    // it is (or are dropped when it fails).
    if (this.#early.length > 0) {
      await (this.#handedOver ??= Promise.withResolvers<void>()).promise;
    }
    await this.#session?.flush();
  }

  /**
   * Disconnects from the server (the seed's `Disconnect`). Every table
   * already accepted by {@linkcode send} is delivered first, then the close
   * record, so the server sees a clean `EVENT_CLIENT_CLOSE`; later sends
   * return `false`. While still
   * connecting, a client with queued tables keeps connecting (up to 2 s) to
   * deliver them; if that fails, `EVENT_CONNECTED` with `result: false`
   * reports it (without queued tables a disconnect while connecting is
   * quiet). The queue is sent for up to 2 s: a server that reads nothing in
   * that time loses the rest and sees the connection end without the close
   * record (`EVENT_ERROR`, then `EVENT_CLIENT_CLOSE`). No
   * `EVENT_SERVER_CLOSE` follows on this side. Idempotent.
   *
   * @example Disconnect before the connection is up
   * ```ts
   * import { Client, NetworkEvents, Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * const events = new NetworkEvents();
   * await using server = new Server("127.0.0.1", 0, { events });
   * const client = new Client("127.0.0.1", server.getPort(), { events });
   * await client.disconnect();
   * assert.equal(client.send(["late"]), false);
   * ```
   *
   * @returns A promise that resolves once the connection is closed.
   */
  disconnect(): Promise<void> {
    this.#disconnectTask ??= this.#disconnect();
    return this.#disconnectTask;
  }

  async #disconnect(): Promise<void> {
    this.#disconnected = true;
    this.#failure ??=
      `Cannot connect to ${this.#address}:${this.#port}: client disconnected`;
    this.#settle(false);
    if (this.#early.length === 0) {
      this.#abort?.abort();
      await this.#session?.close();
      await this.#task;
      return;
    }
    // Tables were accepted before the connection was up: let it come up
    // (for up to CLOSE_GRACE ms) so #run sends them and then closes.
    const timer = setTimeout(() => {
      this.#abort?.abort();
      void this.#session?.close(0);
    }, CLOSE_GRACE);
    try {
      await this.#task;
    } finally {
      clearTimeout(timer);
    }
    await this.#session?.close();
  }

  /**
   * Waits until the client is connected (the seed's `WaitForConnect`).
   *
   * @example Wait with the default two seconds
   * ```ts
   * import { Client, NetworkEvents, Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * const events = new NetworkEvents();
   * await using server = new Server("127.0.0.1", 0, { events });
   * await using client = new Client("127.0.0.1", server.getPort(), { events });
   * const { ok, waitTime } = await client.waitForConnect();
   * assert.equal(ok, true);
   * assert.ok(waitTime >= 0 && waitTime < 2);
   * await assert.rejects(client.waitForConnect(20), RangeError);
   * ```
   *
   * @example The reason when not connected
   * ```ts
   * import { Client, NetworkEvents, Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * const events = new NetworkEvents();
   * const server = new Server("127.0.0.1", 0, { events });
   * const port = server.getPort();
   * await server.close(); // nobody listens there now
   * await using client = new Client("127.0.0.1", port, { events });
   * const result = await client.waitForConnect();
   * assert.equal(result.ok, false);
   * if (!result.ok) assert.match(result.error, /^Cannot connect to 127\.0\.0\.1:/);
   * ```
   *
   * @param [timeout=2] Seconds to wait, 0.25–10.
   * @param options `signal` ends the wait at once with a `DOMException`
   *   named `"AbortError"` (`Cannot wait for connect: aborted`, `cause` the
   *   signal's reason), also when it fired before the call; the client
   *   keeps connecting.
   * @returns `{ ok: true, waitTime }` when connected, else `{ ok: false,
   *   waitTime, error }` with the reason (see
   *   {@linkcode WaitForConnectResult}).
   * @throws {RangeError} If `timeout` is outside 0.25–10 seconds.
   */
  async waitForConnect(
    timeout = 2,
    options: { signal?: AbortSignal } = {},
  ): Promise<WaitForConnectResult> {
    if (typeof timeout !== "number") {
      throw new TypeError(
        `Cannot wait for connect: timeout must be a number, got ${typeof timeout}`,
      );
    }
    if (!(timeout >= 0.25 && timeout <= 10)) {
      throw new RangeError(
        `Cannot wait for connect: timeout ${timeout} is outside 0.25-10 seconds`,
      );
    }
    const signal = checkSignal(options?.signal, "wait for connect");
    const start = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeout * 1000);
    });
    try {
      await abortable(
        Promise.race([
          this.#settledResult !== undefined
            ? this.#settledResult
            : (this.#settled ??= Promise.withResolvers<boolean>()).promise,
          timedOut,
        ]),
        signal,
        "wait for connect",
      );
      const waitTime = (performance.now() - start) / 1000;
      if (this.#connected && !this.#ended && !this.#disconnected) {
        return { ok: true, waitTime };
      }
      return {
        ok: false,
        waitTime,
        error: this.#failure ??
          `Cannot connect to ${this.#address}:${this.#port}: not connected within ${timeout} s`,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The unique socket identifier of this client (the seed's `GetSocket`).
   *
   * @example Ids are numbers
   * ```ts
   * import { Client } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * assert.equal(typeof Client.prototype.getSocket, "function");
   * ```
   *
   * @returns The id, unique among all servers, clients and connections.
   */
  getSocket(): number {
    return this.#socketId;
  }

  /**
   * The server's port once connected (the seed's `GetPort`).
   *
   * @example null until connected
   * ```ts
   * import { Client, NetworkEvents, Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * const events = new NetworkEvents();
   * await using server = new Server("127.0.0.1", 0, { events });
   * await using client = new Client("127.0.0.1", server.getPort(), { events });
   * assert.equal(client.getPort(), null);
   * await client.waitForConnect();
   * assert.equal(client.getPort(), server.getPort());
   * ```
   *
   * @returns The port, or `null` when not connected yet.
   */
  getPort(): number | null {
    return this.#connected ? this.#port : null;
  }

  /**
   * The server's IP address string (the seed's `GetAddress`).
   *
   * @example Read the address
   * ```ts
   * import { Client, NetworkEvents, Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * const events = new NetworkEvents();
   * await using server = new Server("127.0.0.1", 0, { events });
   * await using client = new Client("127.0.0.1", server.getPort(), { events });
   * assert.equal(client.getAddress(), "127.0.0.1");
   * ```
   *
   * @returns The address given at creation.
   */
  getAddress(): string {
    return this.#address;
  }

  /**
   * Same as {@linkcode disconnect}.
   *
   * @example Dispose with await using
   * ```ts
   * import { Client, NetworkEvents, Server } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * const events = new NetworkEvents();
   * await using server = new Server("127.0.0.1", 0, { events });
   * {
   *   await using client = new Client("127.0.0.1", server.getPort(), { events });
   *   assert.equal((await client.waitForConnect()).ok, true);
   * }
   * ```
   *
   * @returns A promise that resolves once disconnected.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disconnect();
  }
}
