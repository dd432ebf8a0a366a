// Copyright 2026 the moonwire authors. MIT license.
import type { LuaValue } from "../net/table_codec.ts";
import { ConnectionClosedError, TimeoutError } from "../net/errors.ts";
import { CnetCore } from "./_cnet_core.ts";
import type { CtcpConnectFailure, CtcpTuning } from "./_ctcp_engine.ts";
import { ctcpConnectError } from "./_ctcp_connect_error.ts";
import {
  type CryptoNetConnectOptions,
  type CryptoNetEventMap,
  type CryptoNetHostOptions,
  CryptoNetNode,
  type CryptoNetNodeOptions,
  type EventSubscription,
  getDefaultNode,
  type Server,
  type Socket,
} from "./_cnet_cryptonet.ts";
import { connectionState } from "./_ctcp_registry.ts";
import { pathSegments } from "./_cttp_router.ts";
import { CtcpConnection } from "./ctcp_connection.ts";
import { CttpRequest } from "./cttp_request.ts";
import type { CttpHeader } from "./cttp_request.ts";
import { CttpRequestMethod } from "./cttp_request_method.ts";
import { CttpResponse } from "./cttp_response.ts";
import { CttpStatus } from "./cttp_status.ts";
import { MessageEventType } from "./message_event_type.ts";
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
   * An existing CryptoNet node to build on (its modems, directory and
   * servers). When given, the other CryptoNet options are ignored and
   * closing the cNet node leaves it open. A CryptoNet node carries at most
   * one open cNet node.
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
}

/**
 * A handler for CryptoNet message events; see
 * {@linkcode CNetNode.setMessageHandler}.
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
export type MessageHandler<T extends MessageEventType = MessageEventType> = (
  event: CryptoNetEventMap[T],
) => void;

/**
 * A REST handler: gets the path segments after the registered prefix, the
 * request's header and data and the connection (its `socket` tells the
 * logged-in user), and returns a {@linkcode CttpResponse} or a plain value,
 * which is sent as `200 OK`. A thrown error (or rejected promise) becomes
 * `500 Internal Server Error` with no details.
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
export type RestHandler = (
  args: string[],
  header: CttpHeader,
  data: LuaValue,
  connection: CtcpConnection<Socket>,
) =>
  | CttpResponse
  | LuaValue
  | undefined
  | Promise<CttpResponse | LuaValue | undefined>;

/**
 * What {@linkcode CNetNode.sendCttpRequest} returns: seed 001's two results
 * `response, acknowledged`.
 *
 * @example Read a result
 * ```ts
 * import type { SendCttpRequestResult } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const result: SendCttpRequestResult = { response: null, acknowledged: false };
 * assert.equal(result.response, null);
 * ```
 */
export interface SendCttpRequestResult {
  /** The response, or `null` when none came within the timeout. */
  response: CttpResponse | null;
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
 */
export interface ConnectAndSendCttpRequestResult extends SendCttpRequestResult {
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

/**
 * Result codes of {@linkcode CNetNode.register} (seed 001 returns an
 * integer).
 *
 * | name | code | meaning |
 * | --- | --- | --- |
 * | `SUCCESS` | 0 | the account was created |
 * | `CONNECT_FAILED` | 1 | no connection to the server |
 * | `NOT_ACKNOWLEDGED` | 2 | the request was not acknowledged or not answered |
 * | `DISCONNECT_NOT_ACKNOWLEDGED` | 3 | created, but the close was not acknowledged |
 * | `NAME_TAKEN` | 4 | a user with that name exists |
 * | `REFUSED` | 5 | registration is off, the server's limit is reached, or the name or password is invalid |
 *
 * @example Codes
 * ```ts
 * import { RegisterResult } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * assert.equal(RegisterResult.NAME_TAKEN, 4);
 * ```
 */
export const RegisterResult = {
  SUCCESS: 0,
  CONNECT_FAILED: 1,
  NOT_ACKNOWLEDGED: 2,
  DISCONNECT_NOT_ACKNOWLEDGED: 3,
  NAME_TAKEN: 4,
  REFUSED: 5,
} as const;

/**
 * One of the {@linkcode RegisterResult} codes.
 *
 * @example A typed code
 * ```ts
 * import { RegisterResult } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const code: RegisterResult = RegisterResult.SUCCESS;
 * assert.equal(code, 0);
 * ```
 */
export type RegisterResult = typeof RegisterResult[keyof typeof RegisterResult];

/** The cNet node on each CryptoNet node (at most one, see the constructor). */
const WRAPPERS = new WeakMap<CryptoNetNode, CNetNode>();

/** Requests under this path are the node's own (registration). */
const RESERVED_PREFIX = ".cnet";
const REGISTER_PATH = "/.cnet/register";
const DEFAULT_TIMEOUT = 5;
const DEFAULT_MAX_REGISTERED = 10_000;

interface RegistrationPolicy {
  allow: boolean;
  max: number;
  count: number;
  inFlight: Set<string>;
}

function checkTimeout(action: string, timeout: unknown): number {
  if (timeout === undefined) return DEFAULT_TIMEOUT;
  if (typeof timeout !== "number" || !(timeout >= 0) || timeout > 2147483) {
    throw new RangeError(
      `Cannot ${action}: timeout must be a number of seconds in 0-2147483, got ${timeout}`,
    );
  }
  return timeout;
}

function ctcpTuning(options: CtcpOptions = {}): Partial<CtcpTuning> {
  const ms = (name: string, value: number | undefined) => {
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !(value >= 0) || value > 2147483) {
      throw new RangeError(
        `Cannot create cNet node: ctcp.${name} must be a number of seconds in 0-2147483, got ${value}`,
      );
    }
    return value * 1000;
  };
  const count = (name: string, value: number | undefined, min: number) => {
    if (value === undefined) return undefined;
    if (!Number.isSafeInteger(value) || value < min) {
      throw new RangeError(
        `Cannot create cNet node: ctcp.${name} must be an integer of at least ${min}, got ${value}`,
      );
    }
    return value;
  };
  const tuning: Partial<CtcpTuning> = {
    retransmitTimeout: ms("retransmitTimeout", options.retransmitTimeout),
    maxRetransmitTimeout: ms(
      "maxRetransmitTimeout",
      options.maxRetransmitTimeout,
    ),
    maxRetransmits: count("maxRetransmits", options.maxRetransmits, 0),
    idleTimeout: ms("idleTimeout", options.idleTimeout),
    maxConnections: count("maxConnections", options.maxConnections, 0),
    reorderWindow: count("reorderWindow", options.reorderWindow, 1),
    sendWindow: count("sendWindow", options.sendWindow, 1),
    maxQueuedMessages: count("maxQueuedMessages", options.maxQueuedMessages, 0),
  };
  for (const key of Object.keys(tuning) as (keyof CtcpTuning)[]) {
    if (tuning[key] === undefined) delete tuning[key];
  }
  return tuning;
}

/** No answer or no session: reported as a failed login/logout, not thrown. */
function isLinkFailure(error: unknown): boolean {
  return error instanceof TimeoutError ||
    error instanceof ConnectionClosedError;
}

function socketOf(action: string, connection: unknown): Socket {
  if (connection instanceof CtcpConnection) return connection.socket as Socket;
  if (typeof connection === "object" && connection !== null) {
    return connection as Socket;
  }
  throw new TypeError(
    `Cannot ${action}: expected a CtcpConnection or a CryptoNet socket`,
  );
}

/**
 * A cNet "computer": a CryptoNet node (modems, working directory, servers,
 * sockets) plus the CTCP/CTTP layer of Copper OS cNet — reliable connections,
 * requests, REST routing, registration and logins. The module-level
 * functions (`host`, `connectCtcp`, `setRestApi`, ...) call the same methods
 * on a default node; create nodes explicitly to run a client and a server in
 * one process.
 *
 * Ownership: the modems in the options belong to the node (to its CryptoNet
 * node) and `close()` closes them, so `await using node = new CNetNode({
 * modems: { top: await UdpModem.create(...) } })` ends with the program's
 * work; `closeModems: false` keeps them open. A CryptoNet node given as
 * `cryptoNet` stays the caller's: closing this node leaves it and its
 * modems open.
 *
 * Delivery: CTCP is reliable. A CTTP request that `sendCttpRequest`
 * accepted reaches the server's handler exactly once and in order, over a
 * modem that loses, duplicates or reorders (retransmission, sequence
 * numbers); otherwise the call reports it (`acknowledged: false`, or a
 * `null` response when no answer came in time). Plain CryptoNet `send` is
 * ordered and at most once, but not reliable.
 *
 * @example A server and a client on one in-memory network
 * ```ts
 * import {
 *   CNetNode,
 *   CttpRequest,
 *   CttpRequestMethod,
 *   MemoryNetwork,
 * } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * await using server = new CNetNode({ directory, modems: { top: network.createModem() } });
 * await using client = new CNetNode({ directory, modems: { top: network.createModem() } });
 * await server.host("shop");
 * server.setRestApi(CttpRequestMethod.GET, "/hello", ([name]) => `hello ${name}`);
 *
 * const connection = await client.connectCtcp("shop");
 * assert.ok(connection);
 * const { response, acknowledged } = await client.sendCttpRequest(
 *   connection,
 *   new CttpRequest(CttpRequestMethod.GET, "/hello/ann"),
 * );
 * assert.equal(response?.data, "hello ann");
 * assert.equal(acknowledged, true);
 * assert.equal(await client.disconnectCtcp(connection), true);
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export class CNetNode implements AsyncDisposable {
  static #default: CNetNode | undefined;
  static #defaultWasSet = false;

  /**
   * The node the module-level functions (`host`, `connectCtcp`, ...) use:
   * the one given to {@linkcode CNetNode.setDefault}, else the one over
   * CryptoNet's default node (`CryptoNet.getDefaultNode()`, created here
   * when it has none), so seed-style programs share one computer. Closing a
   * node created here closes CryptoNet's default node too.
   */
  static get default(): CNetNode {
    const current = CNetNode.#default;
    if (current !== undefined && !current.#closed) {
      if (CNetNode.#defaultWasSet) return current;
      if (current.#cryptoNet === getDefaultNode()) return current;
    }
    const cryptoNet = getDefaultNode();
    let node = WRAPPERS.get(cryptoNet);
    if (node === undefined) {
      node = new CNetNode({ cryptoNet });
      node.#ownsCryptoNet = true;
    }
    CNetNode.#default = node;
    CNetNode.#defaultWasSet = false;
    return node;
  }

  /**
   * Sets the node the module-level functions use (`undefined` goes back to
   * the one over CryptoNet's default node). The previous node is not
   * closed.
   *
   * @param node The node.
   */
  static setDefault(node: CNetNode | undefined): void {
    if (node !== undefined && !(node instanceof CNetNode)) {
      throw new TypeError("Cannot set default node: expected a CNetNode");
    }
    CNetNode.#default = node;
    CNetNode.#defaultWasSet = node !== undefined;
  }

  readonly #cryptoNet: CryptoNetNode;
  #ownsCryptoNet: boolean;
  readonly #core: CnetCore<Socket>;
  readonly #handlers = new Map<MessageEventType, (event: never) => void>();
  readonly #subscriptions: EventSubscription[] = [];
  // Keyed by the server object so a closed server's policy goes with it.
  readonly #registration = new WeakMap<Server, RegistrationPolicy>();
  readonly #clientSockets = new Set<Socket>();
  /** Client sockets being closed, so `disconnectCtcp`/`close` can wait. */
  readonly #closingSockets = new Map<Socket, Promise<void>>();
  #closed = false;

  /**
   * Creates a node.
   *
   * @param options The CryptoNet node options (or an existing node) and the
   * CTCP/CTTP limits.
   */
  constructor(options: CNetNodeOptions = {}) {
    const { cryptoNet, ctcp, maxRequestSize, ...cryptoNetOptions } = options;
    if (cryptoNet !== undefined && WRAPPERS.has(cryptoNet)) {
      // Two CTCP engines on one node would answer each other's packets with RST.
      throw new TypeError(
        "Cannot create cNet node: the CryptoNet node already has an open cNet node",
      );
    }
    this.#ownsCryptoNet = cryptoNet === undefined;
    this.#cryptoNet = cryptoNet ?? new CryptoNetNode(cryptoNetOptions);
    WRAPPERS.set(this.#cryptoNet, this);
    this.#core = new CnetCore<Socket>({
      send: (socket, packet) => this.#cryptoNet.send(socket, packet),
      tuning: ctcpTuning(ctcp),
      maxRequestSize,
    });
    // Each CTCP connection this node opens has its own CryptoNet session:
    // however the connection ends (FIN from the server, RST, idle timeout,
    // retransmissions exhausted), the session goes with it. Otherwise it
    // would stay open on both nodes, kept alive by CryptoNet's keepalives.
    this.#core.onClose = (connection) =>
      void this.#closeClientSocket(connection.socket);
    this.#core.router.set(
      "POST",
      REGISTER_PATH,
      (_args, _header, data, connection) =>
        this.#serveRegister(data, connection),
    );
    this.#subscribe();
  }

  /** The CryptoNet node underneath (seed 001's `cNet.CryptoNet`). */
  get cryptoNet(): CryptoNetNode {
    return this.#cryptoNet;
  }

  /** Malformed CTCP and CTTP packets dropped so far. */
  get malformedPackets(): number {
    return this.#core.malformedPackets;
  }

  /** Accepted CTCP connections currently alive. */
  get acceptedConnections(): number {
    return this.#core.endpoint.acceptedConnections;
  }

  /**
   * Starts the event loop and calls `onStart` (seed 001's `startEventLoop`).
   * Like the seed's loop it runs until the CryptoNet node underneath is
   * closed (`close()` on a node that owns it, from a handler or from
   * `onStart`, ends the program); then this node is closed too. If `onStart`
   * throws, both are closed and the promise rejects with that error.
   *
   * @param onStart Called with the node once it is set up.
   * @returns A promise that resolves when the node is closed.
   */
  async startEventLoop(
    onStart: (node: CNetNode) => void | Promise<void>,
  ): Promise<void> {
    if (typeof onStart !== "function") {
      throw new TypeError(
        "Cannot start event loop: onStart must be a function",
      );
    }
    try {
      await this.#cryptoNet.setup(() => onStart(this));
    } finally {
      // The loop ends when the CryptoNet node closes; so does this node.
      if (this.#cryptoNet.isClosed) await this.close();
    }
  }

  /**
   * Sets the node up and calls `onStart` (seed 000's `setup`); the same as
   * {@linkcode CNetNode.startEventLoop}.
   *
   * @param onStart Called with the node once it is set up.
   * @returns A promise that resolves when the node is closed.
   */
  setup(onStart: (node: CNetNode) => void | Promise<void>): Promise<void> {
    return this.startEventLoop(onStart);
  }

  /**
   * Hosts a CryptoNet server that answers CTCP connections and CTTP
   * requests with the node's REST handlers.
   *
   * @param serverId The server name (it fixes the channel).
   * @param options Seed 000's host options and registration limits.
   * @returns The server.
   */
  async host(serverId: string, options: CNetHostOptions = {}): Promise<Server> {
    const { allowRegistration, maxRegisteredUsers, ...hostOptions } = options;
    if (
      maxRegisteredUsers !== undefined &&
      (!Number.isInteger(maxRegisteredUsers) || maxRegisteredUsers < 0)
    ) {
      throw new RangeError(
        `Cannot host server: maxRegisteredUsers must be a non-negative integer, got ${maxRegisteredUsers}`,
      );
    }
    const server = await this.#cryptoNet.host(serverId, hostOptions);
    this.#registration.set(server, {
      allow: allowRegistration ?? true,
      max: maxRegisteredUsers ?? DEFAULT_MAX_REGISTERED,
      count: 0,
      inFlight: new Set(),
    });
    return server;
  }

  /**
   * Opens an encrypted CryptoNet session (seed 000's `connect`).
   *
   * @param serverName The server to connect to.
   * @param options CryptoNet's connect options.
   * @returns The socket.
   */
  connect(
    serverName?: string,
    options: CryptoNetConnectOptions = {},
  ): Promise<Socket> {
    return this.#cryptoNet.connect(serverName, options);
  }

  /**
   * Sends an encrypted message over a CryptoNet socket (seed 000's `send`).
   *
   * @param socket The socket.
   * @param message Any table value.
   * @returns A promise that resolves when the message is handed to the modem.
   */
  send(socket: Socket, message: LuaValue): Promise<void> {
    return this.#cryptoNet.send(socket, message);
  }

  /**
   * Opens a CTCP connection: a CryptoNet session, then the SYN / SYN-ACK /
   * ACK handshake. The session is the connection's own and closes when the
   * connection ends, however it ends (`disconnectCtcp` on either side, a
   * reset, a timeout).
   *
   * Seed 001 returns `nil` on failure; moonwire rejects with the reason
   * instead: the CryptoNet `connect` error as is (`TimeoutError` when no
   * server answered, `HandshakeError`, a missing CA key file's `NotFound`),
   * `TimeoutError` when the server did not answer the SYN in time, and
   * `ConnectionClosedError` when it refused (reset), the session closed
   * during the handshake or this node is closed.
   *
   * @param serverId The server to connect to.
   * @param options Timeout and modem side.
   * @returns The connection.
   * @throws {TimeoutError} If the server or its SYN-ACK did not answer in
   * time.
   * @throws {ConnectionClosedError} If the connection was refused or closed
   * during the handshake, or the node is closed.
   */
  async connectCtcp(
    serverId: string,
    options: ConnectCtcpOptions = {},
  ): Promise<CtcpConnection<Socket>> {
    if (typeof serverId !== "string") {
      throw new TypeError(
        `Cannot connect CTCP: server id must be a string, got ${typeof serverId}`,
      );
    }
    const timeout = checkTimeout("connect CTCP", options.timeout);
    if (this.#closed) {
      throw new ConnectionClosedError(
        `Cannot connect CTCP to "${serverId}": node is closed`,
      );
    }
    const deadline = Date.now() + timeout * 1000;
    const socket = await this.#cryptoNet.connect(serverId, {
      timeout,
      ...(options.modemSide === undefined
        ? {}
        : { modemSide: options.modemSide }),
    });
    this.#clientSockets.add(socket);
    let failure: CtcpConnectFailure = "closed";
    const connection = await this.#core.connect(
      socket,
      Math.max(0, deadline - Date.now()),
      (reason) => failure = reason,
    );
    if (connection !== null) return connection;
    await this.#closeClientSocket(socket);
    throw ctcpConnectError(serverId, failure, timeout);
  }

  /**
   * Closes a CTCP connection with FIN / FIN-ACK / ACK, then its CryptoNet
   * session (when this side opened it). A graceful close delivers what was
   * sent before it: the server answers requests that arrived before the FIN
   * (even slow handlers) before its FIN-ACK, and their `sendCttpRequest`
   * calls get those responses. A request the connection could not deliver
   * resolves with `acknowledged: false`.
   *
   * @param connection The connection.
   * @param options How long to wait for the close to be acknowledged
   * (default 5 s).
   * @returns Whether the server acknowledged the close.
   */
  async disconnectCtcp(
    connection: CtcpConnection<Socket>,
    options: { timeout?: number } = {},
  ): Promise<boolean> {
    if (!(connection instanceof CtcpConnection)) {
      throw new TypeError(
        "Cannot disconnect CTCP: connection must be a CtcpConnection",
      );
    }
    const timeout = checkTimeout("disconnect CTCP", options.timeout);
    const state = connectionState(connection);
    if (state === undefined) return false;
    const acknowledged = await state.close(timeout * 1000);
    if (state.initiator) await this.#closeClientSocket(connection.socket);
    return acknowledged;
  }

  /**
   * Sends a CTTP request over a CTCP connection and waits for the response.
   *
   * @param connection An open connection.
   * @param request The request.
   * @param options How long to wait for the response (default 5 s).
   * @returns The response (or `null`) and whether the request was acknowledged.
   */
  async sendCttpRequest(
    connection: CtcpConnection<Socket>,
    request: CttpRequest,
    options: { timeout?: number } = {},
  ): Promise<SendCttpRequestResult> {
    if (!(connection instanceof CtcpConnection)) {
      throw new TypeError(
        "Cannot send CTTP request: connection must be a CtcpConnection",
      );
    }
    if (!(request instanceof CttpRequest)) {
      throw new TypeError(
        "Cannot send CTTP request: request must be a CttpRequest",
      );
    }
    const timeout = checkTimeout("send CTTP request", options.timeout);
    const state = connectionState(connection);
    if (state === undefined || !state.initiator) {
      return { response: null, acknowledged: false };
    }
    return await state.request(
      request,
      timeout * 1000,
    ) as SendCttpRequestResult;
  }

  /**
   * Connects, sends one CTTP request and disconnects.
   *
   * @param serverId The server.
   * @param request The request.
   * @param options Timeout (used for each of the three steps) and modem side.
   * @returns The response and the three booleans of seed 001.
   */
  async connectAndSendCttpRequest(
    serverId: string,
    request: CttpRequest,
    options: ConnectCtcpOptions = {},
  ): Promise<ConnectAndSendCttpRequestResult> {
    if (!(request instanceof CttpRequest)) {
      throw new TypeError(
        "Cannot send CTTP request: request must be a CttpRequest",
      );
    }
    let connection: CtcpConnection<Socket>;
    try {
      connection = await this.connectCtcp(serverId, options);
    } catch (error) {
      // Wrong arguments are the caller's bug; anything else is seed 001's
      // `connected = false`, with the reason.
      if (error instanceof TypeError || error instanceof RangeError) {
        throw error;
      }
      return {
        response: null,
        connected: false,
        acknowledged: false,
        disconnectAcknowledged: false,
        error: error as Error,
      };
    }
    const { response, acknowledged } = await this.sendCttpRequest(
      connection,
      request,
      { timeout: options.timeout },
    );
    const disconnectAcknowledged = await this.disconnectCtcp(connection, {
      timeout: options.timeout,
    });
    return { response, connected: true, acknowledged, disconnectAcknowledged };
  }

  /**
   * Sets (or with `undefined` removes) the handler of one CryptoNet event
   * type. CTCP packets are the node's own and never reach the
   * `encrypted_message` handler.
   *
   * @param eventType The event type.
   * @param handler The handler.
   */
  setMessageHandler<T extends MessageEventType>(
    eventType: T,
    handler: MessageHandler<T> | undefined,
  ): void {
    if (!Object.values(MessageEventType).includes(eventType)) {
      throw new TypeError(
        `Cannot set message handler: unknown event type ${
          JSON.stringify(eventType)
        }`,
      );
    }
    if (handler === undefined) {
      this.#handlers.delete(eventType);
      return;
    }
    if (typeof handler !== "function") {
      throw new TypeError(
        "Cannot set message handler: handler must be a function",
      );
    }
    this.#handlers.set(eventType, handler as (event: never) => void);
  }

  /**
   * Sets the REST handler of a method and path. Requests go to the handler
   * with the longest registered prefix of their path.
   *
   * @param requestMethod The method.
   * @param path The path prefix; paths under `/.cnet` are reserved.
   * @param handler The handler.
   */
  setRestApi(
    requestMethod: CttpRequestMethod,
    path: string,
    handler: RestHandler,
  ): void {
    if (typeof handler !== "function") {
      throw new TypeError(
        "Cannot set REST handler: handler must be a function",
      );
    }
    if (typeof path === "string" && pathSegments(path)[0] === RESERVED_PREFIX) {
      throw new RangeError(
        `Cannot set REST handler: paths under /${RESERVED_PREFIX} are reserved`,
      );
    }
    this.#core.router.set(requestMethod, path, handler);
  }

  /**
   * Creates an account on a server: connects, sends the name and password
   * over the encrypted session, and disconnects. The server stores a scrypt
   * hash.
   *
   * @param serverId The server.
   * @param username The new user's name (1-64 characters).
   * @param password The password (1-1024 characters).
   * @param options Timeout and modem side.
   * @returns A {@linkcode RegisterResult} code.
   */
  async register(
    serverId: string,
    username: string,
    password: string,
    options: ConnectCtcpOptions = {},
  ): Promise<RegisterResult> {
    if (typeof username !== "string" || typeof password !== "string") {
      throw new TypeError(
        "Cannot register: username and password must be strings",
      );
    }
    const result = await this.connectAndSendCttpRequest(
      serverId,
      new CttpRequest(CttpRequestMethod.POST, REGISTER_PATH, {}, {
        username,
        password,
      }),
      options,
    );
    if (!result.connected) return RegisterResult.CONNECT_FAILED;
    const code = result.response?.statusCode;
    if (code === undefined) return RegisterResult.NOT_ACKNOWLEDGED;
    if (code === CttpStatus.CONFLICT.code) return RegisterResult.NAME_TAKEN;
    if (code !== CttpStatus.CREATED.code) return RegisterResult.REFUSED;
    return result.disconnectAcknowledged
      ? RegisterResult.SUCCESS
      : RegisterResult.DISCONNECT_NOT_ACKNOWLEDGED;
  }

  /**
   * Logs in over a CTCP connection or a CryptoNet socket. The result also
   * arrives as a `login` or `login_failed` event.
   *
   * @param connection A CTCP connection or a CryptoNet socket.
   * @param username The user name.
   * @param password The password.
   * @returns Whether the login succeeded.
   */
  async login(
    connection: CtcpConnection<Socket> | Socket,
    username: string,
    password: string,
  ): Promise<boolean> {
    const socket = socketOf("log in", connection);
    try {
      return await this.#cryptoNet.login(socket, username, password);
    } catch (error) {
      if (isLinkFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Logs out over a CTCP connection or a CryptoNet socket. The result also
   * arrives as a `logout` event.
   *
   * @param connection A CTCP connection or a CryptoNet socket.
   * @returns Whether a user was logged in and is now logged out.
   */
  async logout(connection: CtcpConnection<Socket> | Socket): Promise<boolean> {
    const socket = socketOf("log out", connection);
    const wasLoggedIn = socket.username !== undefined;
    try {
      await this.#cryptoNet.logout(socket);
    } catch (error) {
      if (isLinkFailure(error)) return false;
      throw error;
    }
    return wasLoggedIn && socket.username === undefined;
  }

  /**
   * Drops every CTCP connection, clears every timer and (unless it was
   * given in the options) closes the CryptoNet node.
   *
   * @returns A promise that resolves when everything is closed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (WRAPPERS.get(this.#cryptoNet) === this) {
      WRAPPERS.delete(this.#cryptoNet);
    }
    for (const subscription of this.#subscriptions) subscription.close();
    this.#core.close();
    await Promise.all(
      [...this.#clientSockets, ...this.#closingSockets.keys()].map((socket) =>
        this.#closeClientSocket(socket)
      ),
    );
    if (this.#ownsCryptoNet) await this.#cryptoNet.close();
  }

  /** Same as {@linkcode CNetNode.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Closes a socket `connectCtcp` opened; waits for a close under way. */
  #closeClientSocket(socket: Socket): Promise<void> {
    if (!this.#clientSockets.delete(socket)) {
      return this.#closingSockets.get(socket) ?? Promise.resolve();
    }
    const closing = socket.close().catch(() => {}).finally(() =>
      this.#closingSockets.delete(socket)
    );
    this.#closingSockets.set(socket, closing);
    return closing;
  }

  #subscribe(): void {
    for (const type of Object.values(MessageEventType)) {
      this.#subscriptions.push(
        this.#cryptoNet.on(type, (event: CryptoNetEventMap[typeof type]) => {
          if (
            event.type === "encrypted_message" &&
            this.#core.receive(event.socket, event.message)
          ) return;
          if (event.type === "connection_closed") {
            this.#clientSockets.delete(event.socket);
            this.#core.endpoint.dropLink(event.socket);
          }
          const handler = this.#handlers.get(type);
          handler?.(event as never);
        }),
      );
    }
  }

  async #serveRegister(
    data: LuaValue,
    connection: CtcpConnection<Socket>,
  ): Promise<CttpResponse> {
    const server = connection.socket.server;
    const policy = server && this.#registration.get(server);
    if (server === undefined || policy === undefined || !policy.allow) {
      return new CttpResponse(
        CttpStatus.FORBIDDEN,
        {},
        "Registration is disabled",
      );
    }
    const fields =
      typeof data === "object" && data !== null && !Array.isArray(data) &&
        !(data instanceof Map) && !(data instanceof Uint8Array)
        ? data as Record<string, LuaValue>
        : {};
    const { username, password } = fields;
    if (
      typeof username !== "string" || username.length < 1 ||
      username.length > 64 || typeof password !== "string" ||
      password.length < 1 || password.length > 1024
    ) {
      return new CttpResponse(
        CttpStatus.BAD_REQUEST,
        {},
        "Username must be 1-64 and password 1-1024 characters",
      );
    }
    if (policy.count + policy.inFlight.size >= policy.max) {
      return new CttpResponse(
        CttpStatus.INSUFFICIENT_STORAGE,
        {},
        "Registration limit reached",
      );
    }
    const taken = new CttpResponse(
      CttpStatus.CONFLICT,
      {},
      "Username is taken",
    );
    if (policy.inFlight.has(username)) return taken;
    // Reserve the name before any await, so two registrations cannot both pass.
    policy.inFlight.add(username);
    try {
      if (await this.#cryptoNet.userExists(server, username)) return taken;
      await this.#cryptoNet.addUser(server, username, password);
      policy.count++;
    } finally {
      policy.inFlight.delete(username);
    }
    return new CttpResponse(CttpStatus.CREATED, {}, null);
  }
}
