// Copyright 2026 the moonwire authors. MIT license.
/**
 * The mm client.
 *
 * @module
 */
import { FramedConnection } from "../net/framed_connection.ts";
import { StreamSocket } from "../net/stream_socket.ts";
import type { LuaTable } from "../net/table_codec.ts";
import type { ResolvedTableOptions } from "../net/_table_encoder.ts";
import { encodeMessage, messageOptions } from "./_record.ts";
import type { EventQueue } from "./_event_queue.ts";
import {
  checkAddress,
  checkPort,
  newSocketId,
  type ResolvedOptions,
  resolveOptions,
} from "./_options.ts";
import { framedOptions, Session } from "./_session.ts";
import type { ConnectionOptions } from "./connection_options.ts";
import {
  EVENT_CONNECTED,
  EVENT_ERROR,
  EVENT_RECEIVE,
  EVENT_SERVER_CLOSE,
  type NetworkObject,
} from "./network_event.ts";

/** Result of {@linkcode Client.waitForConnect} (the seed's two returns). */
export interface WaitForConnectResult {
  /** Whether the client is connected. */
  ok: boolean;
  /** Seconds spent waiting in this call (approximate). */
  waitTime: number;
}

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
 * the connection is an `EVENT_SERVER_CLOSE` (preceded by an `EVENT_ERROR`
 * when it ended because of an error, e.g. a modified record).
 *
 * Tables sent before the connection is up are queued and sent once it is
 * (and dropped if it fails).
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
export class Client implements NetworkObject, AsyncDisposable {
  #socketId = newSocketId();
  #options: ResolvedOptions;
  #tableOptions: ResolvedTableOptions;
  #events: EventQueue;
  #address: string;
  #port: number;
  #session: Session | undefined;
  #connected = false;
  #settled = Promise.withResolvers<boolean>();
  #early: Uint8Array[] = [];
  #earlyBytes = 0;
  #abort = new AbortController();
  #disconnected = false;
  #ended = false;
  #task: Promise<void>;
  #disconnectTask: Promise<void> | undefined;

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
    this.#tableOptions = messageOptions(this.#options.maxMessageSize);
    this.#events = this.#options.events;
    this.#task = this.#run();
  }

  async #run(): Promise<void> {
    const options = this.#options;
    let socket: StreamSocket;
    try {
      socket = await StreamSocket.connect(this.#address, this.#port, {
        signal: this.#abort.signal,
        timeout: options.handshakeTimeout,
      });
    } catch (error) {
      this.#fail(
        `Cannot connect to ${this.#address}:${this.#port}: ${
          (error as Error).message
        }`,
        false,
      );
      return;
    }
    const framed = new FramedConnection(socket, framedOptions(options));
    const session = new Session(framed, options);
    this.#session = session;
    if (this.#disconnected) {
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
    if (this.#disconnected) {
      await session.close();
      return;
    }
    this.#connected = true;
    const events = this.#events;
    events.push({
      event: EVENT_CONNECTED,
      timestamp: Date.now(),
      object: this,
      errors: "",
      result: true,
    });
    this.#settled.resolve(true);
    for (const encoded of this.#early) session.enqueue(encoded);
    this.#early = [];
    this.#earlyBytes = 0;
    session.start({
      table: (packet, timestamp) =>
        events.push({
          event: EVENT_RECEIVE,
          timestamp,
          object: this,
          errors: "",
          packet,
        }),
      end: (error) => {
        this.#ended = true;
        const errors = error ? session.describe(error) : "";
        if (error) this.#emitError(errors);
        events.push({
          event: EVENT_SERVER_CLOSE,
          timestamp: Date.now(),
          object: this,
          errors,
        });
      },
    });
    await session.done();
  }

  #fail(errors: string, asError: boolean): void {
    this.#ended = true;
    this.#early = [];
    this.#earlyBytes = 0;
    this.#settled.resolve(false);
    if (this.#disconnected) return;
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
   * @param table The table: an array, a plain object or a Map holding only
   *   null, booleans, numbers, strings, byte strings and tables.
   * @returns `true` when the table was queued; `false` when the client is
   *   disconnected or its send queue is full.
   * @throws {TypeError} If `table` is not a table or holds an unsupported
   *   value (the message names its path).
   * @throws {RangeError} If the encoded table exceeds `maxMessageSize`.
   */
  send(table: LuaTable): boolean {
    if (this.#connected && !this.#disconnected && !this.#ended) {
      // Encoded straight into the connection's next record.
      return this.#session!.write(table);
    }
    const encoded = encodeMessage(table, this.#tableOptions);
    if (this.#disconnected || this.#ended) return false;
    if (this.#earlyBytes + encoded.length > this.#options.maxQueuedBytes) {
      return false;
    }
    this.#early.push(encoded);
    this.#earlyBytes += encoded.length;
    return true;
  }

  /**
   * Resolves once every table sent so far has been handed to the socket
   * (not part of the seed; useful before measuring or shutting down).
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
    await this.#session?.flush();
  }

  /**
   * Disconnects from the server (the seed's `Disconnect`). Tables already
   * sent are delivered first (for up to 2 s). No `EVENT_SERVER_CLOSE`
   * follows. Idempotent.
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
    this.#abort.abort();
    await this.#session?.close();
    await this.#task;
    await this.#session?.close();
    this.#settled.resolve(false);
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
   * @param timeout Seconds to wait, 0.25–10 (default 2).
   * @returns Whether the client is connected and the seconds waited.
   * @throws {RangeError} If `timeout` is outside 0.25–10 seconds.
   */
  async waitForConnect(timeout = 2): Promise<WaitForConnectResult> {
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
    const start = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeout * 1000);
    });
    try {
      const ok = await Promise.race([this.#settled.promise, timedOut]);
      return {
        ok: ok && this.#connected && !this.#ended,
        waitTime: (performance.now() - start) / 1000,
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
