// Copyright 2026 the moonwire authors. MIT license.
/**
 * The server-side handle of one connected client.
 *
 * @module
 */
import { connectionFactory } from "./_factory.ts";
import type { NetworkObject } from "./network_event.ts";

/**
 * One client connected to a `Server`, handed out by the `EVENT_CONNECT` event
 * and used to address `server.send(table, connection)` and
 * `server.disconnect(connection)`.
 *
 * Unlike the seed, a connection is not closed when its object is garbage
 * collected: it stays open until `server.disconnect()`, `server.close()` or
 * the client leaves (`EVENT_CLIENT_CLOSE`).
 *
 * @example Receive a client connection from EVENT_CONNECT
 * ```ts
 * import {
 *   Client,
 *   ClientConnection,
 *   EVENT_CONNECT,
 *   NetworkEvents,
 *   Server,
 * } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * const events = new NetworkEvents();
 * const server = new Server("127.0.0.1", 0, { events });
 * const client = new Client("127.0.0.1", server.getPort(), { events });
 * assert.equal((await client.waitForConnect()).ok, true);
 * while (server.connectionCount() === 0) {
 *   await new Promise((resolve) => setTimeout(resolve, 10));
 * }
 * const connect = events.poll().find((event) => event.event === EVENT_CONNECT)!;
 * const connection = connect.object as ClientConnection;
 * assert.ok(connection instanceof ClientConnection);
 * assert.equal(connection.getAddress(), "127.0.0.1");
 * await client.disconnect();
 * await server.close();
 * ```
 */
export class ClientConnection implements NetworkObject {
  static {
    connectionFactory.create = (socketId, address, port) =>
      new ClientConnection(socketId, address, port);
  }

  #socketId: number;
  #address: string;
  #port: number;

  private constructor(socketId: number, address: string, port: number) {
    this.#socketId = socketId;
    this.#address = address;
    this.#port = port;
  }

  /**
   * The unique socket identifier of this connection.
   *
   * @example Socket ids are numbers
   * ```ts
   * import { ClientConnection } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * assert.equal(typeof ClientConnection.prototype.getSocket, "function");
   * ```
   *
   * @returns The id, unique among all servers, clients and connections.
   */
  getSocket(): number {
    return this.#socketId;
  }

  /**
   * The client's port (the remote end of this connection).
   *
   * @example A method of every connection
   * ```ts
   * import { ClientConnection } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * assert.equal(typeof ClientConnection.prototype.getPort, "function");
   * ```
   *
   * @returns The remote port number.
   */
  getPort(): number {
    return this.#port;
  }

  /**
   * The client's IP address string.
   *
   * @example A method of every connection
   * ```ts
   * import { ClientConnection } from "@moonwire/moonwire/mm";
   * import assert from "node:assert/strict";
   *
   * assert.equal(typeof ClientConnection.prototype.getAddress, "function");
   * ```
   *
   * @returns The remote address, e.g. `"127.0.0.1"`.
   */
  getAddress(): string {
    return this.#address;
  }
}
