// Copyright 2026 the moonwire authors. MIT license.
// The options, handler and result types of CNetNode and the functions that
// call it on the default node.
import type { LuaValue, LuaValueOf } from "../net/table_codec.ts";
import type {
  CryptoNetEventMap,
  CryptoNetHostOptions,
  CryptoNetNode,
  CryptoNetNodeOptions,
  Socket,
} from "./_cnet_cryptonet.ts";
import type { CtcpConnection } from "./ctcp_connection.ts";
import type { CttpHeader } from "./cttp_request.ts";
import type { CttpResponse } from "./cttp_response.ts";
import type { MessageEventType } from "./message_event_type.ts";
import type { ModemSide } from "./modem_side.ts";

/**
 * CTCP timers and bounds of a {@linkcode CNetNode}. Times are in seconds,
 * like every cNet timeout.
 *
 * @example Fast timers for a test
 * ```ts
 * import type { CtcpOptions } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const ctcp: CtcpOptions = { retransmitTimeout: 0.02, maxRetransmitTimeout: 0.2 };
 * assert.equal(ctcp.retransmitTimeout, 0.02);
 * ```
 */
export interface CtcpOptions {
  /** First retransmission timeout in seconds (default 0.25). */
  retransmitTimeout?: number;
  /** Cap of the exponential backoff in seconds (default 4). */
  maxRetransmitTimeout?: number;
  /** Retransmissions before a connection is given up (default 10). */
  maxRetransmits?: number;
  /** Seconds after which a silent accepted connection is dropped (default 120; 0 = never). */
  idleTimeout?: number;
  /** Accepted connections alive at once (default 256). */
  maxConnections?: number;
  /** Out-of-order packets buffered per connection (default 64). */
  reorderWindow?: number;
  /** Unacknowledged packets in flight per connection (default 32). */
  sendWindow?: number;
  /** Messages queued behind a full window per connection (default 1024). */
  maxQueuedMessages?: number;
}

/**
 * Options of a {@linkcode CNetNode}.
 *
 * @example Options
 * ```ts
 * import type { CNetNodeOptions } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const options: CNetNodeOptions = { maxRequestSize: 4096 };
 * assert.equal(options.maxRequestSize, 4096);
 * ```
 */
export interface CNetNodeOptions extends CryptoNetNodeOptions {
  /**
   * The node's working directory: every relative file path given to the
   * node (certificates, private keys, CA key files, user tables) and every
   * default file name (`<server>.crt`, `<server>_private.key`,
   * `<server>_users.tbl`, `certAuth.key`, `certAuth_private.key`) resolves
   * against it; absolute paths are used as they are. A relative directory
   * is resolved against the current directory once, when the node is
   * created, so a later `Deno.chdir` moves nothing. Default: the current
   * directory when the node is created.
   */
  directory?: string;
  /**
   * An existing CryptoNet node to build on (its modems, directory and
   * servers); closing the cNet node leaves it open. It cannot be combined
   * with the other CryptoNet options (`directory`, `modems`, timeouts ...):
   * the node already has its own. A CryptoNet node carries at most one open
   * cNet node.
   */
  cryptoNet?: CryptoNetNode;
  /** CTCP timers and bounds. */
  ctcp?: CtcpOptions;
  /** Largest CTTP request or response, in encoded bytes (default 65536). */
  maxRequestSize?: number;
}

/**
 * Options of {@linkcode CNetNode.host}: the CryptoNet server options of seed
 * 000 plus registration limits for `register`.
 *
 * @example Host without registration
 * ```ts
 * import type { CNetHostOptions } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const options: CNetHostOptions = { discoverable: false, allowRegistration: false };
 * assert.equal(options.allowRegistration, false);
 * ```
 */
export interface CNetHostOptions extends CryptoNetHostOptions {
  /**
   * The certificate, or its file, relative to the node's `directory`
   * (default `<serverId>.crt`). When the certificate and key files are both
   * missing they are generated; only one present is an error.
   */
  certificate?: CryptoNetHostOptions["certificate"];
  /**
   * The X25519 private key, or its file, relative to the node's `directory`
   * (default `<serverId>_private.key`).
   */
  privateKey?: CryptoNetHostOptions["privateKey"];
  /**
   * The user table file, relative to the node's `directory` (default
   * `<serverId>_users.tbl`).
   */
  userTablePath?: string;
  /** Whether clients may create accounts with `register` (default true). */
  allowRegistration?: boolean;
  /**
   * Most accounts `register` may create on this server over the node's
   * lifetime (default 10000).
   */
  maxRegisteredUsers?: number;
}

/**
 * Options of {@linkcode CNetNode.connectCtcp} and the functions that open a
 * connection.
 *
 * @example Options
 * ```ts
 * import type { ConnectCtcpOptions } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const options: ConnectCtcpOptions = { timeout: 2000, modemSide: "top" };
 * assert.equal(options.timeout, 2000);
 * ```
 */
export interface ConnectCtcpOptions {
  /** Seconds to wait for the CryptoNet session and the CTCP handshake (default 5). */
  timeout?: number;
  /** The modem to use (default: a side with a modem). */
  modemSide?: ModemSide;
  /**
   * The certificate authority public key, or its file relative to the
   * node's `directory` (default `certAuth.key` there, when it exists). The
   * server's certificate must carry its signature unless `allowUnsigned`.
   */
  certAuthKey?: Uint8Array | string;
  /**
   * Accept a server certificate without a valid CA signature (default
   * false; `socket.certificateVerified` then tells). Without a CA key such
   * a certificate is accepted only when exactly one server answers.
   */
  allowUnsigned?: boolean;
  /**
   * Gives up: the call rejects at once with a `DOMException` named
   * `"AbortError"` (`Cannot connect CTCP to "<server>": aborted`, `cause`
   * the signal's reason), also when it fired before the call, and the
   * session opened for the connection is closed. For the functions that
   * also send a request and disconnect, it covers those steps too.
   */
  signal?: AbortSignal;
}

/**
 * Options of {@linkcode CNetNode.sendCttpRequest}.
 *
 * @example Options
 * ```ts
 * import type { SendCttpRequestOptions } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const controller = new AbortController();
 * const options: SendCttpRequestOptions = { timeout: 2, signal: controller.signal };
 * assert.equal(options.timeout, 2);
 * ```
 */
export interface SendCttpRequestOptions {
  /** Seconds to wait for the response (default 5). */
  timeout?: number;
  /**
   * Stops waiting for the response: the call rejects at once with a
   * `DOMException` named `"AbortError"` (`Cannot send CTTP request:
   * aborted`, `cause` the signal's reason). The request was sent and still
   * reaches the server; its response is dropped. The connection stays open.
   */
  signal?: AbortSignal;
}

/**
 * A handler for CryptoNet message events; see
 * {@linkcode CNetNode.setMessageHandler}. `M` types the `message` of
 * `encrypted_message` and `plain_message` events: a promise, not a check
 * (see {@linkcode EncryptedMessageEvent}).
 *
 * @typeParam T The event type.
 * @typeParam M The type of message events' `message`.
 *
 * @example A login handler
 * ```ts
 * import type { MessageHandler } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const handler: MessageHandler<"login"> = (event) => console.log(event.username);
 * assert.equal(typeof handler, "function");
 * ```
 */
export type MessageHandler<
  T extends MessageEventType = MessageEventType,
  M = LuaValue,
> = (event: CryptoNetEventMap<M>[T]) => void;

/**
 * A REST handler: gets the path segments after the registered prefix, the
 * request's header and data and the connection (its `socket` tells the
 * logged-in user), and returns a {@linkcode CttpResponse} or a plain value,
 * which is sent as `200 OK`. A thrown error (or rejected promise) becomes
 * `500 Internal Server Error` with no details.
 *
 * `Data` is the type the handler takes the request's data as, `Result` the
 * type of what it returns (checked structurally where the handler is set:
 * interfaces fit, `undefined` fields are Lua's nil). `Data` is a promise,
 * not a check: the decoder guarantees only a Lua value, so check data from
 * clients you do not trust. Both are any Lua value by default.
 *
 * @typeParam Data The request data's type.
 * @typeParam Result The response data's type.
 *
 * @example A handler
 * ```ts
 * import { CttpResponse, CttpStatus, type RestHandler } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const handler: RestHandler = ([id]) =>
 *   id === undefined ? new CttpResponse(CttpStatus.BAD_REQUEST) : { id };
 * assert.deepEqual(handler(["7"], {}, null, undefined as never), { id: "7" });
 * ```
 */
export type RestHandler<
  Data extends LuaValueOf<Data> = LuaValue,
  Result extends LuaValueOf<Result> = LuaValue,
> = (
  args: string[],
  header: CttpHeader,
  data: Data,
  connection: CtcpConnection<Socket>,
) =>
  | CttpResponse<Result>
  | Result
  | undefined
  | Promise<CttpResponse<Result> | Result | undefined>;

/**
 * What {@linkcode CNetNode.sendCttpRequest} returns: seed 001's two results
 * `response, acknowledged`. `T` is the type the caller expects the
 * response data to have: a promise, not a check (see {@linkcode CttpResponse}).
 *
 * @example Read a result
 * ```ts
 * import type { SendCttpRequestResult } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const result: SendCttpRequestResult = { response: null, acknowledged: false };
 * assert.equal(result.response, null);
 * ```
 *
 * @typeParam T The response data's type.
 */
export interface SendCttpRequestResult<T extends LuaValueOf<T> = LuaValue> {
  /** The response, or `null` when none came within the timeout. */
  response: CttpResponse<T> | null;
  /** Whether the server acknowledged receiving the request. */
  acknowledged: boolean;
}

/**
 * What {@linkcode CNetNode.connectAndSendCttpRequest} returns: seed 001's
 * four results `response, connected, acknowledged, disconnectAcknowledged`.
 *
 * @example Read a result
 * ```ts
 * import type { ConnectAndSendCttpRequestResult } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const result: ConnectAndSendCttpRequestResult = {
 *   response: null,
 *   connected: false,
 *   acknowledged: false,
 *   disconnectAcknowledged: false,
 * };
 * assert.equal(result.connected, false);
 * ```
 *
 * @typeParam T The response data's type (a promise, not a check).
 */
export interface ConnectAndSendCttpRequestResult<
  T extends LuaValueOf<T> = LuaValue,
> extends SendCttpRequestResult<T> {
  /** Whether the connection was opened. */
  connected: boolean;
  /**
   * Why the connection could not be opened (the error `connectCtcp`
   * rejected with); absent when `connected` is true.
   */
  error?: Error;
  /** Whether the server acknowledged the close. */
  disconnectAcknowledged: boolean;
}
