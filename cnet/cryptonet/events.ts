// Copyright 2026 the moonwire authors. MIT license.
import type { LuaValue } from "../../net/mod.ts";
import type { ModemSide } from "../modem_side.ts";
import type { Server } from "./server.ts";
import type { Socket } from "./socket.ts";

/**
 * A session opened: on the server when a client finished its handshake, on
 * the client when `connect` succeeds.
 *
 * @example The event's shape
 * ```ts
 * import type { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const names: CryptoNet.CryptoNetEvent["type"][] = ["connection_opened"];
 * assert.equal(names[0], "connection_opened");
 * ```
 */
export interface ConnectionOpenedEvent {
  /** The event name. */
  type: "connection_opened";
  /** The session the event is about. */
  socket: Socket;
  /** The accepting server (server side), `undefined` on the client. */
  server: Server | undefined;
}

/**
 * A session closed: `reason` is `"closed"` (this side called close),
 * `"peer"` (the other side closed) or `"timeout"` (nothing heard for the
 * idle timeout).
 *
 * @example The event's reasons
 * ```ts
 * import type { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const reason: CryptoNet.ConnectionClosedEvent["reason"] = "timeout";
 * assert.equal(reason, "timeout");
 * ```
 */
export interface ConnectionClosedEvent {
  /** The event name. */
  type: "connection_closed";
  /** The session the event is about. */
  socket: Socket;
  /** The accepting server (server side), `undefined` on the client. */
  server: Server | undefined;
  /** Why it happened. */
  reason: "closed" | "peer" | "timeout";
}

/**
 * An encrypted message arrived on a session.
 *
 * `Message` is the type of `message`: any {@linkcode LuaValue} unless the
 * handler names one (`node.on<"encrypted_message", Chat>(...)`). The type is
 * a promise, not a check: the decoder guarantees a well-formed Lua value
 * (at most `maxMessageSize` bytes encoded), never your shape, so validate
 * messages from peers you do not trust.
 *
 * @typeParam Message The type of `message`.
 *
 * @example Type the message
 * ```ts
 * import type { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * interface Chat {
 *   text: string;
 * }
 * const text = (event: CryptoNet.EncryptedMessageEvent<Chat>) => event.message.text;
 * assert.equal(text({ message: { text: "hi" } } as CryptoNet.EncryptedMessageEvent<Chat>), "hi");
 * ```
 *
 * @example Narrow an event
 * ```ts
 * import type { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * function text(event: CryptoNet.CryptoNetEvent): string | undefined {
 *   return event.type === "encrypted_message" && typeof event.message === "string"
 *     ? event.message
 *     : undefined;
 * }
 * assert.equal(text({ type: "logout", username: "a" } as CryptoNet.CryptoNetEvent), undefined);
 * ```
 */
export interface EncryptedMessageEvent<Message = LuaValue> {
  /** The event name. */
  type: "encrypted_message";
  /** The decoded message value (its type is a promise, see above). */
  message: Message;
  /** The session the event is about. */
  socket: Socket;
  /** The accepting server (server side), `undefined` on the client. */
  server: Server | undefined;
}

/**
 * An unencrypted message (`sendUnencrypted`) arrived. It is not
 * authenticated: it names its session only by the session id, which
 * travels in clear, so anyone on the medium could have sent it. Hence
 * `authenticated` is `false` and `socket` withholds the session's login:
 * its `username` is `undefined` and its `permissionLevel` 0 even when a
 * user is logged in over the session. Never act on a plain message as if
 * a user sent it; `send(socket, ...)`, `sendUnencrypted` and `close` accept
 * this socket and reach the session it names.
 *
 * `Message` is the type of `message`, as for
 * {@linkcode EncryptedMessageEvent}: a promise, not a check, and a plain
 * message is from anyone, so validate it before use.
 *
 * @typeParam Message The type of `message`.
 *
 * @example The event's shape
 * ```ts
 * import type { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const type: CryptoNet.PlainMessageEvent["type"] = "plain_message";
 * const authenticated: CryptoNet.PlainMessageEvent["authenticated"] = false;
 * assert.equal(type, "plain_message");
 * assert.equal(authenticated, false);
 * ```
 */
export interface PlainMessageEvent<Message = LuaValue> {
  /** The event name. */
  type: "plain_message";
  /** Always `false`: nothing vouches for the sender. */
  authenticated: false;
  /** The decoded message value (its type is a promise, see above). */
  message: Message;
  /**
   * The session the packet names, with its identity withheld (`username`
   * `undefined`, `permissionLevel` 0); not the same object as the
   * session's own socket, but accepted wherever a socket is.
   */
  socket: Socket;
  /** The accepting server (server side), `undefined` on the client. */
  server: Server | undefined;
  /** The side of the modem it arrived on. */
  side: ModemSide;
  /** The channel it arrived on. */
  channel: number;
  /** How far away the sender was, when the medium knows. */
  distance: number | undefined;
}

/**
 * A login succeeded (on both sides).
 *
 * @example The event's shape
 * ```ts
 * import type { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const type: CryptoNet.LoginEvent["type"] = "login";
 * assert.equal(type, "login");
 * ```
 */
export interface LoginEvent {
  /** The event name. */
  type: "login";
  /** The user. */
  username: string;
  /** The session the event is about. */
  socket: Socket;
  /** The accepting server (server side), `undefined` on the client. */
  server: Server | undefined;
}

/**
 * A login failed (on both sides): wrong user name or password, too many
 * attempts, rate limited, or the server too busy to check a password.
 *
 * @example The event's shape
 * ```ts
 * import type { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const reason: CryptoNet.LoginFailedEvent["reason"] = "rate_limited";
 * assert.equal(reason, "rate_limited");
 * ```
 */
export interface LoginFailedEvent {
  /** The event name. */
  type: "login_failed";
  /** The user. */
  username: string;
  /** The session the event is about. */
  socket: Socket;
  /** The accepting server (server side), `undefined` on the client. */
  server: Server | undefined;
  /**
   * Why it happened: `busy` when the server's node had as many password
   * checks running and waiting as it allows (`maxConcurrentLogins`,
   * `maxWaitingLogins`); not counted as a failed attempt, retry later.
   */
  reason: "invalid_credentials" | "rate_limited" | "too_many_attempts" | "busy";
}

/**
 * A user logged out (on both sides).
 *
 * @example The event's shape
 * ```ts
 * import type { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const type: CryptoNet.LogoutEvent["type"] = "logout";
 * assert.equal(type, "logout");
 * ```
 */
export interface LogoutEvent {
  /** The event name. */
  type: "logout";
  /** The user. */
  username: string;
  /** The session the event is about. */
  socket: Socket;
  /** The accepting server (server side), `undefined` on the client. */
  server: Server | undefined;
}

/**
 * A raw modem message on a channel opened with `CryptoNetNode.open`
 * (traffic that is not CryptoNet's own).
 *
 * @example The event's shape
 * ```ts
 * import type { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const type: CryptoNet.ModemMessageEvent["type"] = "modem_message";
 * assert.equal(type, "modem_message");
 * ```
 */
export interface ModemMessageEvent {
  /** The event name. */
  type: "modem_message";
  /** The side of the modem it arrived on. */
  side: ModemSide;
  /** The channel it arrived on. */
  channel: number;
  /** The channel the sender asked replies to go to. */
  replyChannel: number;
  /** The raw bytes. */
  payload: Uint8Array<ArrayBuffer>;
  /** How far away the sender was, when the medium knows. */
  distance: number | undefined;
}

/**
 * Every CryptoNet event, discriminated by `type` (the seed's event names).
 *
 * @example Switch on the type
 * ```ts
 * import type { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * function describe(event: CryptoNet.CryptoNetEvent): string {
 *   switch (event.type) {
 *     case "login":
 *       return `welcome ${event.username}`;
 *     default:
 *       return event.type;
 *   }
 * }
 * assert.equal(describe({ type: "login", username: "ann" } as CryptoNet.CryptoNetEvent), "welcome ann");
 * ```
 */
export type CryptoNetEvent =
  | ConnectionOpenedEvent
  | ConnectionClosedEvent
  | EncryptedMessageEvent
  | PlainMessageEvent
  | LoginEvent
  | LoginFailedEvent
  | LogoutEvent
  | ModemMessageEvent;

/**
 * Event name → event type, for `on(name, handler)`. `Message` types the
 * `message` of `encrypted_message` and `plain_message` events (a promise,
 * not a check: see {@linkcode EncryptedMessageEvent}).
 *
 * @typeParam Message The type of message events' `message`.
 *
 * @example Type a handler
 * ```ts
 * import type { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const handler = (event: CryptoNet.CryptoNetEventMap["login"]) => event.username;
 * assert.equal(typeof handler, "function");
 * ```
 */
export interface CryptoNetEventMap<Message = LuaValue> {
  /** The `connection_opened` event. */
  connection_opened: ConnectionOpenedEvent;
  /** The `connection_closed` event. */
  connection_closed: ConnectionClosedEvent;
  /** The `encrypted_message` event. */
  encrypted_message: EncryptedMessageEvent<Message>;
  /** The `plain_message` event. */
  plain_message: PlainMessageEvent<Message>;
  /** The `login` event. */
  login: LoginEvent;
  /** The `login_failed` event. */
  login_failed: LoginFailedEvent;
  /** The `logout` event. */
  logout: LogoutEvent;
  /** The `modem_message` event. */
  modem_message: ModemMessageEvent;
}

/**
 * A handler of the events named `K`, for `on(name, handler)`; `Message`
 * types the `message` of `encrypted_message` and `plain_message` events (a
 * promise, not a check: see {@linkcode EncryptedMessageEvent}).
 *
 * @typeParam K The event name.
 * @typeParam Message The type of message events' `message`.
 *
 * @example A typed message handler
 * ```ts
 * import { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * interface Chat {
 *   text: string;
 * }
 * const seen: string[] = [];
 * const handler: CryptoNet.CryptoNetEventHandler<"encrypted_message", Chat> = (
 *   event,
 * ) => seen.push(event.message.text);
 * await using node = new CryptoNet.CryptoNetNode();
 * node.on("encrypted_message", handler).close();
 * assert.deepEqual(seen, []);
 * ```
 */
export type CryptoNetEventHandler<
  K extends keyof CryptoNetEventMap,
  Message = LuaValue,
> = (event: CryptoNetEventMap<Message>[K]) => void;

/**
 * A handler registration from `on(name, handler)`; `close()` (or `using`)
 * removes it.
 *
 * @example Remove a handler
 * ```ts
 * import { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * await using node = new CryptoNet.CryptoNetNode();
 * const subscription = node.on("login", () => {});
 * subscription.close();
 * assert.ok(node);
 * ```
 */
export interface EventSubscription extends Disposable {
  /** Removes the handler; idempotent. */
  close(): void;
}
