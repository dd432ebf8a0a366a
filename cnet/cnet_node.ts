// Copyright 2026 the moonwire authors. MIT license.
import { resolve } from "node:path";
import { CnetCore } from "./_cnet_core.ts";
import {
  type CryptoNetEventMap,
  CryptoNetNode,
  type EventSubscription,
  getDefaultNode,
  type Server,
  type Socket,
} from "./_cnet_cryptonet.ts";
import { ctcpTuning } from "./_cnet_node_checks.ts";
import {
  checkMaxRegisteredUsers,
  checkRestPath,
  REGISTER_PATH,
  registerRequest,
  registerResult,
  Registrations,
} from "./_cnet_registration.ts";
import { CtcpClient } from "./_ctcp_client.ts";
import { CNetNodeBase } from "./cnet_node_base.ts";
import type {
  CNetHostOptions,
  CNetNodeOptions,
  ConnectAndSendCttpRequestResult,
  ConnectCtcpOptions,
  MessageHandler,
  RestHandler,
  SendCttpRequestOptions,
  SendCttpRequestResult,
} from "./cnet_node_types.ts";
import type { CtcpConnection } from "./ctcp_connection.ts";
import type { LuaValue, LuaValueOf } from "../net/table_codec.ts";
import type { CttpRequest } from "./cttp_request.ts";
import type { CttpRequestMethod } from "./cttp_request_method.ts";
import { MessageEventType } from "./message_event_type.ts";
import type { RegisterResult } from "./register_result.ts";

/** The cNet node on each CryptoNet node (at most one, see the constructor). */
const WRAPPERS = new WeakMap<CryptoNetNode, CNetNode>();

/** The CryptoNet node a new CNetNode runs on, and whether it owns it. */
function cryptoNetOf(options: CNetNodeOptions): [CryptoNetNode, boolean] {
  const { cryptoNet, ctcp: _ctcp, maxRequestSize: _size, ...rest } = options;
  if (cryptoNet === undefined) {
    // Absolute once, here: a relative directory must not follow Deno.chdir.
    const directory = resolve(rest.directory ?? Deno.cwd());
    return [new CryptoNetNode({ ...rest, directory }), true];
  }
  const given = Object.keys(rest).find((key) =>
    rest[key as keyof typeof rest] !== undefined
  );
  if (given !== undefined) {
    // It would be ignored: the CryptoNet node has its directory and modems.
    throw new TypeError(
      `Cannot create cNet node: ${given} cannot be given with cryptoNet, which has its own`,
    );
  }
  if (WRAPPERS.has(cryptoNet)) {
    // Two CTCP engines on one node would answer each other's packets with RST.
    throw new TypeError(
      "Cannot create cNet node: the CryptoNet node already has an open cNet node",
    );
  }
  return [cryptoNet, false];
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
 * Everything a cNet program needs is a method here: the CTCP/CTTP calls of
 * seed 001, and seed 000's CryptoNet calls (`connect`, `send`, `discover`,
 * `requestCertificate`, `initCertificateAuthority`, `signCertificate`, user
 * management, `login`, `logout`; see {@linkcode CNetNodeBase}).
 *
 * Paths: every relative file path given to the node — `host`'s
 * `certificate`, `privateKey` and `userTablePath`, `connect`'s
 * `certificate` and `certAuthKey`, the CA key files of
 * `initCertificateAuthority`, `signCertificate` and `loadCertAuthKey` — and
 * every default file name resolves against {@linkcode CNetNodeBase.directory}
 * (the `directory` option, made absolute when the node is created; default
 * the current directory then; over a given `cryptoNet` node, that node's
 * directory). Absolute paths are used as they are.
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
export class CNetNode extends CNetNodeBase implements AsyncDisposable {
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
      if (current.cryptoNet === getDefaultNode()) return current;
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

  #ownsCryptoNet: boolean;
  readonly #core: CnetCore<Socket>;
  readonly #client: CtcpClient;
  readonly #registrations: Registrations;
  readonly #handlers = new Map<MessageEventType, (event: never) => void>();
  readonly #subscriptions: EventSubscription[] = [];
  #closed = false;

  /**
   * Creates a node.
   *
   * @param options The CryptoNet node options (or an existing node) and the
   * CTCP/CTTP limits; relative file paths of the node resolve against
   * `directory` (see {@linkcode CNetNodeOptions.directory}).
   */
  constructor(options: CNetNodeOptions = {}) {
    const [cryptoNet, owns] = cryptoNetOf(options);
    super(cryptoNet);
    const tuning = ctcpTuning(options.ctcp);
    this.#ownsCryptoNet = owns;
    WRAPPERS.set(cryptoNet, this);
    this.#core = new CnetCore<Socket>({
      send: (socket, packet) => cryptoNet.send(socket, packet),
      tuning,
      maxRequestSize: options.maxRequestSize,
    });
    this.#client = new CtcpClient(cryptoNet, this.#core, () => this.#closed);
    this.#registrations = new Registrations(cryptoNet);
    // Each CTCP connection this node opens has its own CryptoNet session:
    // however the connection ends (FIN from the server, RST, idle timeout,
    // retransmissions exhausted), the session goes with it. Otherwise it
    // would stay open on both nodes, kept alive by CryptoNet's keepalives.
    this.#core.onClose = (connection) =>
      void this.#client.closeSocket(connection.socket);
    this.#core.router.set(
      "POST",
      REGISTER_PATH,
      (_args, _header, data, connection) =>
        this.#registrations.serve(data, connection),
    );
    this.#subscribe();
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
      await this.cryptoNet.setup(() => onStart(this));
    } finally {
      // The loop ends when the CryptoNet node closes; so does this node.
      if (this.cryptoNet.isClosed) await this.close();
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
   * @param options Seed 000's host options and registration limits; the
   * `certificate`, `privateKey` and `userTablePath` files are relative to the
   * node's `directory`.
   * @returns The server.
   */
  async host(serverId: string, options: CNetHostOptions = {}): Promise<Server> {
    const { allowRegistration, maxRegisteredUsers, ...hostOptions } = options;
    checkMaxRegisteredUsers(maxRegisteredUsers);
    const server = await this.cryptoNet.host(serverId, hostOptions);
    this.#registrations.add(server, allowRegistration, maxRegisteredUsers);
    return server;
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
   * @param options Timeout, modem side, the CA key and `allowUnsigned` the
   * server's certificate is checked with, and an abort signal.
   * @returns The connection.
   * @throws {TimeoutError} If the server or its SYN-ACK did not answer in
   * time.
   * @throws {ConnectionClosedError} If the connection was refused or closed
   * during the handshake, or the node is closed.
   * @throws {DOMException} An `AbortError` when `options.signal` fires.
   */
  connectCtcp(
    serverId: string,
    options: ConnectCtcpOptions = {},
  ): Promise<CtcpConnection<Socket>> {
    return this.#client.connect(serverId, options);
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
  disconnectCtcp(
    connection: CtcpConnection<Socket>,
    options: { timeout?: number } = {},
  ): Promise<boolean> {
    return this.#client.disconnect(connection, options);
  }

  /**
   * Sends a CTTP request over a CTCP connection and waits for the response.
   *
   * @typeParam T The type the response data is expected to have: a promise,
   *   not a check (the decoder guarantees only a Lua value).
   * @param connection An open connection.
   * @param request The request, with data of any type.
   * @param options How long to wait for the response (default 5 s), and a
   * signal that stops waiting (the request itself still arrives).
   * @returns The response (or `null`) and whether the request was acknowledged.
   * @throws {DOMException} An `AbortError` when `options.signal` fires.
   */
  sendCttpRequest<T extends LuaValueOf<T> = LuaValue>(
    connection: CtcpConnection<Socket>,
    request: CttpRequest<LuaValue | object>,
    options: SendCttpRequestOptions = {},
  ): Promise<SendCttpRequestResult<T>> {
    // The data's type was checked where the request was built.
    return this.#client.request(
      connection,
      request as CttpRequest,
      options,
    ) as Promise<SendCttpRequestResult<T>>;
  }

  /**
   * Connects, sends one CTTP request and disconnects.
   *
   * @typeParam T The type the response data is expected to have: a promise,
   *   not a check (the decoder guarantees only a Lua value).
   * @param serverId The server.
   * @param request The request, with data of any type.
   * @param options Timeout (used for each of the three steps), modem side,
   * CA key, `allowUnsigned`, and a signal that aborts whichever step runs
   * (the connection is then dropped at once).
   * @returns The response and the three booleans of seed 001.
   * @throws {DOMException} An `AbortError` when `options.signal` fires
   * (instead of a result with `connected: false`).
   */
  connectAndSendCttpRequest<T extends LuaValueOf<T> = LuaValue>(
    serverId: string,
    request: CttpRequest<LuaValue | object>,
    options: ConnectCtcpOptions = {},
  ): Promise<ConnectAndSendCttpRequestResult<T>> {
    return this.#client.connectAndRequest(
      serverId,
      request as CttpRequest,
      options,
    ) as Promise<ConnectAndSendCttpRequestResult<T>>;
  }

  /**
   * Sets (or with `undefined` removes) the handler of one CryptoNet event
   * type. CTCP packets are the node's own and never reach the
   * `encrypted_message` handler.
   *
   * @typeParam T The event type.
   * @typeParam M The type of message events' `message`
   * (`setMessageHandler<"encrypted_message", Chat>`): a promise, not a
   * check, see {@linkcode EncryptedMessageEvent}.
   * @param eventType The event type.
   * @param handler The handler.
   */
  setMessageHandler<
    T extends MessageEventType,
    M extends LuaValueOf<M> = LuaValue,
  >(
    eventType: T,
    handler: MessageHandler<T, M> | undefined,
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
   * @typeParam Data The request data's type as the handler takes it (a
   *   promise, not a check).
   * @typeParam Result The type the handler returns, checked structurally.
   * @param requestMethod The method.
   * @param path The path prefix; paths under `/.cnet` are reserved.
   * @param handler The handler.
   */
  setRestApi<
    Data extends LuaValueOf<Data> = LuaValue,
    Result extends LuaValueOf<Result> = LuaValue,
  >(
    requestMethod: CttpRequestMethod,
    path: string,
    handler: RestHandler<Data, Result>,
  ): void {
    if (typeof handler !== "function") {
      throw new TypeError(
        "Cannot set REST handler: handler must be a function",
      );
    }
    checkRestPath(path);
    // Data is the handler's promise about decoded data; the router hands
    // every handler a LuaValue.
    this.#core.router.set(
      requestMethod,
      path,
      handler as unknown as RestHandler,
    );
  }

  /**
   * Creates an account on a server: connects, sends the name and password
   * over the encrypted session, and disconnects. The server stores a scrypt
   * hash.
   *
   * @param serverId The server.
   * @param username The new user's name (1-64 characters).
   * @param password The password (1-1024 characters).
   * @param options Timeout, modem side, CA key, `allowUnsigned` and an
   * abort signal, as for `connectAndSendCttpRequest`.
   * @returns A {@linkcode RegisterResult} code.
   * @throws {DOMException} An `AbortError` when `options.signal` fires
   * (instead of a code).
   */
  async register(
    serverId: string,
    username: string,
    password: string,
    options: ConnectCtcpOptions = {},
  ): Promise<RegisterResult> {
    const request = registerRequest(username, password);
    return registerResult(
      await this.connectAndSendCttpRequest(serverId, request, options),
    );
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
    if (WRAPPERS.get(this.cryptoNet) === this) {
      WRAPPERS.delete(this.cryptoNet);
    }
    for (const subscription of this.#subscriptions) subscription.close();
    this.#core.close();
    await this.#client.close();
    if (this.#ownsCryptoNet) await this.cryptoNet.close();
  }

  /** Same as {@linkcode CNetNode.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #subscribe(): void {
    for (const type of Object.values(MessageEventType)) {
      this.#subscriptions.push(
        this.cryptoNet.on(type, (event: CryptoNetEventMap[typeof type]) => {
          if (
            event.type === "encrypted_message" &&
            this.#core.receive(event.socket, event.message)
          ) return;
          if (event.type === "connection_closed") {
            this.#client.forget(event.socket);
            this.#core.endpoint.dropLink(event.socket);
          }
          const handler = this.#handlers.get(type);
          handler?.(event as never);
        }),
      );
    }
  }
}
