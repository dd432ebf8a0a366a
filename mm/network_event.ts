// Copyright 2026 the moonwire authors. MIT license.
/**
 * Event codes and the event shapes that {@linkcode pollEvents} returns.
 *
 * @module
 */
import type { LuaTable } from "../net/table_codec.ts";

/**
 * Event code: a server accepted a client. The event's `object` is the new
 * `ClientConnection`.
 *
 * @example Compare an event against the code
 * ```ts
 * import { EVENT_CONNECT } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * assert.equal(EVENT_CONNECT, "connect");
 * ```
 */
export const EVENT_CONNECT = "connect";

/**
 * Event code: a client finished connecting (or failed to). The event's
 * `result` is `true` on success.
 *
 * @example Compare an event against the code
 * ```ts
 * import { EVENT_CONNECTED } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * assert.equal(EVENT_CONNECTED, "connected");
 * ```
 */
export const EVENT_CONNECTED = "connected";

/**
 * Event code: a table arrived. The event's `packet` holds it and `object` is
 * the `Client` or `ClientConnection` it came through.
 *
 * @example Compare an event against the code
 * ```ts
 * import { EVENT_RECEIVE } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * assert.equal(EVENT_RECEIVE, "receive");
 * ```
 */
export const EVENT_RECEIVE = "receive";

/**
 * Event code: the server closed a client's connection (or it was lost). The
 * event's `object` is the `Client`. `errors` is `""` only for a graceful
 * close (the server's close record arrived); a lost connection has the
 * reason, also reported by the `EVENT_ERROR` just before.
 *
 * @example Compare an event against the code
 * ```ts
 * import { EVENT_SERVER_CLOSE } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * assert.equal(EVENT_SERVER_CLOSE, "server_close");
 * ```
 */
export const EVENT_SERVER_CLOSE = "server_close";

/**
 * Event code: a client connection to a server closed (or was lost). The
 * event's `object` is the `ClientConnection`. `errors` is `""` only for a
 * graceful disconnect (the client's close record arrived); a lost
 * connection has the reason, also reported by the `EVENT_ERROR` just
 * before.
 *
 * @example Compare an event against the code
 * ```ts
 * import { EVENT_CLIENT_CLOSE } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * assert.equal(EVENT_CLIENT_CLOSE, "client_close");
 * ```
 */
export const EVENT_CLIENT_CLOSE = "client_close";

/**
 * Event code: something failed; `errors` says what. `object` is the server,
 * client or client connection concerned, or `null` when the event queue
 * itself overflowed.
 *
 * @example Compare an event against the code
 * ```ts
 * import { EVENT_ERROR } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * assert.equal(EVENT_ERROR, "error");
 * ```
 */
export const EVENT_ERROR = "error";

/**
 * Every event code.
 *
 * @example Narrow a string to an event code
 * ```ts
 * import type { EventCode } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * const code: EventCode = "receive";
 * assert.equal(code, "receive");
 * ```
 */
export type EventCode =
  | typeof EVENT_CONNECT
  | typeof EVENT_CONNECTED
  | typeof EVENT_RECEIVE
  | typeof EVENT_SERVER_CLOSE
  | typeof EVENT_CLIENT_CLOSE
  | typeof EVENT_ERROR;

/**
 * What `Server`, `Client` and `ClientConnection` have in common: the seed's
 * `GetSocket`, `GetPort` and `GetAddress`. Use `instanceof` to tell them
 * apart.
 *
 * @example Any network object has a socket id
 * ```ts
 * import type { NetworkObject } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * const object: NetworkObject = {
 *   getSocket: () => 1,
 *   getPort: () => 4096,
 *   getAddress: () => "127.0.0.1",
 * };
 * assert.equal(object.getSocket(), 1);
 * ```
 */
export interface NetworkObject {
  /** The unique socket identifier. */
  getSocket(): number;
  /** The port, or `null` while a client is not connected yet. */
  getPort(): number | null;
  /** The IP address string. */
  getAddress(): string;
}

/**
 * Fields every event has (the seed's `.Event`, `.Timestamp`, `.Object`,
 * `.Errors`).
 *
 * @example Read the common fields
 * ```ts
 * import type { NetworkEventBase } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * const base: NetworkEventBase = { timestamp: Date.now(), errors: "" };
 * assert.equal(base.errors, "");
 * ```
 */
export interface NetworkEventBase {
  /** When the event happened, in milliseconds since the epoch (`Date.now()`). */
  timestamp: number;
  /** Result or status text; `""` when nothing went wrong. */
  errors: string;
}

/**
 * One event, discriminated by `event`. Receive events carry `packet`,
 * connected events carry `result`.
 *
 * `Packet` is the type of `packet`, as the hub the event came from was
 * typed (`new NetworkEvents<Packet>()`); by default any {@linkcode LuaTable}.
 * It is a promise to the type checker, not a check: the decoder only
 * guarantees a well-formed table, so validate tables from untrusted peers.
 *
 * @example Narrow an event by its code
 * ```ts
 * import { EVENT_RECEIVE, type NetworkEvent } from "@moonwire/moonwire/mm";
 * import assert from "node:assert/strict";
 *
 * function text(event: NetworkEvent): string {
 *   return event.event === EVENT_RECEIVE ? JSON.stringify(event.packet) : event.event;
 * }
 * assert.equal(text({
 *   event: EVENT_RECEIVE,
 *   timestamp: 0,
 *   errors: "",
 *   object: { getSocket: () => 1, getPort: () => 4096, getAddress: () => "127.0.0.1" },
 *   packet: ["Hello"],
 * }), '["Hello"]');
 * ```
 *
 * @typeParam Packet The type of a receive event's `packet`.
 */
export type NetworkEvent<Packet = LuaTable> =
  | NetworkEventBase & {
    event: typeof EVENT_CONNECT;
    object: NetworkObject;
  }
  | NetworkEventBase & {
    event: typeof EVENT_CONNECTED;
    object: NetworkObject;
    result: boolean;
  }
  | NetworkEventBase & {
    event: typeof EVENT_RECEIVE;
    object: NetworkObject;
    packet: Packet;
  }
  | NetworkEventBase & {
    event: typeof EVENT_SERVER_CLOSE;
    object: NetworkObject;
  }
  | NetworkEventBase & {
    event: typeof EVENT_CLIENT_CLOSE;
    object: NetworkObject;
  }
  | NetworkEventBase & {
    event: typeof EVENT_ERROR;
    object: NetworkObject | null;
  };
