// Copyright 2026 the moonwire authors. MIT license.
// The public face of the driver: every method checks its target and hands
// over to a unit (_node_setup.ts wires them; the protocol itself is the
// sans-I/O session core in _session_core.ts and _client_handshake.ts).
import type { Certificate, CertificateAuthority } from "../../crypto/mod.ts";
import type { LuaValue, LuaValueOf } from "../../net/mod.ts";
import type { Modem } from "../modem.ts";
import type { ModemSide } from "../modem_side.ts";
import { checkChannel } from "../_modem_channels.ts";
import type { NodeContext } from "./_node_context.ts";
import type {
  ChannelOptions,
  ConnectOptions,
  CryptoNetNodeOptions,
  CryptoNetNodeStats,
  DiscoveredServer,
  DiscoverOptions,
  HostOptions,
  InitCertificateAuthorityOptions,
  LoginOptions,
  RequestCertificateOptions,
  RequestedCertificate,
  SignCertificateOptions,
} from "./_node_options.ts";
import * as unit from "./_node_setup.ts";
import { ServerState, Session } from "./_session.ts";
import { withSignal } from "./_signal_call.ts";
import { UnauthenticatedSocket } from "./_unauthenticated_socket.ts";
import * as users from "./_user_store.ts";
import type {
  CryptoNetEvent,
  CryptoNetEventHandler,
  EventSubscription,
} from "./events.ts";
import type { Server } from "./server.ts";
import type { Socket } from "./socket.ts";

export type * from "./_node_options.ts";

/**
 * One CryptoNet "computer": modems by side, a working directory, its
 * servers, sockets and events; the seed's functions are its methods (the
 * module-level ones call them on a default node). Sessions are Noise NK or
 * NX, with replay-checked counters and fragmentation. The `CryptoNet`
 * module documentation covers delivery (ordered, at most once, not
 * reliable), modem ownership (`close()` closes them unless `closeModems:
 * false`) and events, with a runnable example for every method.
 *
 * @example A server and a client on one in-memory network
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * await using server = new CryptoNet.CryptoNetNode({
 *   directory,
 *   modems: { top: network.createModem() },
 * });
 * await using client = new CryptoNet.CryptoNetNode({
 *   directory,
 *   modems: { back: network.createModem() },
 * });
 * await server.host("mainframe");
 * const received = new Promise<CryptoNet.EncryptedMessageEvent>((resolve) =>
 *   server.on("encrypted_message", resolve)
 * );
 * const socket = await client.connect("mainframe");
 * await client.send(socket, { command: "ping", n: 1 });
 * const event = await received;
 * assert.deepEqual(event.message, { command: "ping", n: 1 });
 * assert.equal(event.server?.name, "mainframe");
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export class CryptoNetNode implements AsyncDisposable {
  readonly #ctx: NodeContext;

  /**
   * Creates a node.
   *
   * @param options Working directory, modems, timeouts and limits.
   */
  constructor(options: CryptoNetNodeOptions = {}) {
    this.#ctx = unit.createContext(options);
    for (const [side, modem] of Object.entries(options.modems ?? {})) {
      if (modem !== undefined) this.attach(side as ModemSide, modem);
    }
  }

  /** The working directory relative file paths resolve against. */
  get directory(): string {
    return this.#ctx.directory;
  }

  /** Whether `close()` has been called. */
  get isClosed(): boolean {
    return this.#ctx.isClosed;
  }

  /** The servers this node hosts. */
  get servers(): readonly Server[] {
    return [...this.#ctx.servers];
  }

  /** The open sessions of this node, client and server side. */
  get sockets(): readonly Socket[] {
    return [...this.#ctx.allSessions()].filter((s) => s.state === "open");
  }

  /** A snapshot of the node's counters. */
  get stats(): CryptoNetNodeStats {
    return this.#ctx.stats;
  }

  /** The sides that have a modem, in {@linkcode ModemSide} order. */
  get sides(): ModemSide[] {
    return this.#ctx.modems.sides;
  }

  /**
   * Attaches `modem` on `side`; it belongs to the node, which closes it in
   * `close()` unless created with `closeModems: false`.
   * Module example: modems.
   *
   * @param side One of {@linkcode ModemSide}.
   * @param modem The modem.
   */
  attach(side: ModemSide, modem: Modem): void {
    this.#ctx.checkOpen("attach modem");
    this.#ctx.modems.attach(side, modem);
  }

  /**
   * Detaches the modem on `side`, unclosed; refused while a server or
   * socket uses it (module example: modems).
   *
   * @param side One of {@linkcode ModemSide}.
   * @returns The detached modem, or `undefined` when the side was empty.
   */
  detach(side: ModemSide): Modem | undefined {
    const using = [...this.#ctx.servers, ...this.#ctx.allSessions()];
    return this.#ctx.modems.detach(
      side,
      using.filter((s) => s.side === side).length,
    );
  }

  /**
   * The modem on `side`, or on the default side ("a side with a modem";
   * module example: modems).
   *
   * @param side One of {@linkcode ModemSide}; omitted for the default.
   * @returns The modem.
   */
  getModem(side?: ModemSide): Modem {
    return this.#ctx.modems.entry("find modem", side).modem;
  }

  /**
   * Opens a raw channel: its non-CryptoNet traffic arrives as
   * `modem_message` events (module example: raw channels).
   *
   * @param channel 0–65535.
   * @param options The modem side.
   */
  openChannel(channel: number, options: ChannelOptions = {}): void {
    this.#ctx.checkOpen("open channel");
    checkChannel("open channel", channel);
    const entry = this.#ctx.modems.entry("open channel", options.modemSide);
    this.#ctx.modems.openUserChannel(entry, channel);
  }

  /**
   * Closes a raw channel opened with `openChannel` (module example: raw
   * channels).
   *
   * @param channel 0–65535.
   * @param options The modem side.
   */
  closeChannel(channel: number, options: ChannelOptions = {}): void {
    checkChannel("close channel", channel);
    const entry = this.#ctx.modems.entry("close channel", options.modemSide);
    this.#ctx.modems.closeUserChannel(entry, channel);
  }

  /**
   * Registers `handler` for events named `type` (see the class example).
   *
   * @param type An event name, e.g. `"encrypted_message"`.
   * @param handler Called synchronously with each such event; `M` (unchecked) types `message`.
   * @returns A subscription; `close()` removes the handler.
   */
  on<K extends CryptoNetEvent["type"], M extends LuaValueOf<M> = LuaValue>(
    type: K,
    handler: CryptoNetEventHandler<K, M>,
  ): EventSubscription {
    return this.#ctx.hub.on(type, handler as CryptoNetEventHandler<K>);
  }

  /**
   * The next event (the seed's blocking `listen`, as a Promise). Events are
   * buffered from the first call of `listen()` or `events()` on.
   * Module example: events.
   *
   * @returns The next event; rejects with ConnectionClosedError once the
   * node is closed.
   */
  listen(): Promise<CryptoNetEvent> {
    return this.#ctx.hub.listen();
  }

  /**
   * Every event as an async iterator (also `for await (... of node)`);
   * ends when the node closes (module example: events).
   *
   * @returns An async iterator over the node's events.
   */
  events(): AsyncIterableIterator<CryptoNetEvent> {
    return this.#ctx.hub.events();
  }

  /**
   * Same as `events()`.
   *
   * @returns An async iterator over the node's events.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<CryptoNetEvent> {
    return this.events();
  }

  /**
   * Runs the event loop (the seed's `setup`): calls `onStart(node)`, then
   * keeps the process alive until the node is closed. Events are dispatched
   * whether or not the loop runs (module example: the event loop).
   *
   * @param onStart Called once the loop runs; may be async. If it throws,
   * the node is closed and the error rethrown.
   * @returns Resolves when the node is closed.
   */
  setup(
    onStart?: (node: CryptoNetNode) => void | Promise<void>,
  ): Promise<void> {
    return unit.runLoop(this.#ctx, () => onStart?.(this), () => this.close());
  }

  /**
   * Hosts a server named `serverName` (the seed's `host`) on the channel
   * derived from its name. Its certificate and key are loaded, or generated
   * and saved when both files are missing.
   * Module example: hosting.
   *
   * @param serverName 1–128 UTF-8 bytes.
   * @param options The seed's options.
   * @returns The server.
   * @throws {RangeError} A default file name (`<serverName>.crt`,
   * `<serverName>_private.key`, `<serverName>_users.tbl`) is needed but the
   * name contains "/", "\\" or NUL, or is "." or "..": give explicit paths.
   */
  host(serverName: string, options: HostOptions = {}): Promise<Server> {
    return unit.host(this.#ctx, serverName, options);
  }

  /**
   * Opens an encrypted session with the server named `serverName` (the
   * seed's `connect`). With a certificate (given, or `<serverName>.crt` in
   * the working directory) the handshake is Noise NK; without, Noise NX
   * and the learned certificate must carry the name, match the handshake
   * key and be signed by the CA key — or, without a CA key (or with
   * `allowUnsigned`), be the only one answering. Trust rule (see
   * `ConnectOptions.certificate`): only a certificate loaded from a file or
   * built is trusted as is. Module example: connecting.
   *
   * @param serverName The server's name; inferred from `options.certificate`
   * when omitted.
   * @param options The seed's options; `signal` aborts at once, and a session
   * the handshake still opens is closed at once (opened, then closed events).
   * @returns The open socket.
   * @throws {RangeError} No certificate is given and the name cannot be a
   * file name (`<serverName>.crt`).
   * @throws {TimeoutError} No (acceptable) answer within `timeout`.
   * @throws {HandshakeError} Answers were refused (wrong key, name or
   * signature), several different unsigned certificates answered, or a
   * certificate from the network is not signed by the CA key.
   * @throws {DOMException} `AbortError` once `signal` fired.
   */
  connect(
    serverName?: string,
    options: ConnectOptions = {},
  ): Promise<Socket> {
    const to = serverName === undefined ? "" : ` to "${serverName}"`;
    const run = () => unit.connect(this.#ctx, serverName, options);
    const close = (late: Socket) => this.close(late);
    return withSignal(`connect${to}`, options.signal, run, close);
  }

  /**
   * Sends `message` encrypted over `socket` (the seed's `send`; see the
   * class example), fragmented to fit the modem.
   *
   * @typeParam T Checked by {@linkcode LuaValueOf}: interfaces fit; functions,
   * Dates, bigints do not; `undefined` fields are nil.
   * @param socket An open socket of this node.
   * @param message Any Lua value (null, boolean, number, string, bytes,
   * tables), at most `maxMessageSize` bytes encoded.
   * @returns Resolves once encrypted and handed to the modem (then it
   * arrives at most once, in order, unless a lossy modem loses it); rejects
   * with the modem's error when it refused the packet.
   */
  async send<T extends LuaValueOf<T>>(
    socket: Socket,
    message: T,
  ): Promise<void> {
    const session = this.#ctx.session("send", socket);
    await unit.sendMessage(this.#ctx, session, message as LuaValue);
  }

  /**
   * Sends `message` unencrypted and unauthenticated over `socket`'s
   * channels (the seed's `sendUnencrypted`); it arrives as a
   * `plain_message` event with `authenticated: false` and the session's
   * login withheld (anyone who saw the session id, sent in clear, can send
   * one in its name). Must fit one modem payload. Module example: plain
   * messages.
   *
   * @param socket An open socket of this node.
   * @param message Any Lua value.
   * @returns Resolves once handed to the modem.
   */
  sendUnencrypted(socket: Socket, message: LuaValue): Promise<void> {
    const session = this.#ctx.session("send unencrypted message", socket);
    return unit.sendPlain(this.#ctx, session, message);
  }

  /**
   * Lists the discoverable servers in range (the seed's `discover`): every
   * answer within `timeout`, sorted by name, with the certificate unless
   * the server hides it. Answers are not authenticated: `verified` tells
   * whether `certAuthKey` vouches for the certificate, and with a key the
   * others are listed only with `allowUnsigned`. Module example: discovery.
   *
   * @param options Timeout, modem side, CA key and `signal`: its abort
   * rejects at once and the answers collected until the timeout are dropped.
   * @returns The servers that answered.
   * @throws {DOMException} `AbortError` once `signal` fired.
   */
  discover(options: DiscoverOptions = {}): Promise<DiscoveredServer[]> {
    const run = () => unit.discover(this.#ctx, options);
    return withSignal("discover", options.signal, run);
  }

  /**
   * Asks the servers named `name` for their certificate (the seed's
   * `requestCertificate`; module example: discovery) and applies
   * `connect`'s rules: a CA-signed one wins; without a CA key (or with
   * `allowUnsigned`) an unsigned one only when it is the only one.
   *
   * @param name The server's name.
   * @param options Timeout, modem side, CA key, allowUnsigned and
   * `signal`: its abort rejects at once and a later answer is dropped.
   * @returns The certificate and whether a CA key vouched for it.
   * @throws {TimeoutError} Nobody answered.
   * @throws {HandshakeError} Answers were refused or ambiguous.
   * @throws {DOMException} `AbortError` once `signal` fired.
   */
  requestCertificate(
    name: string,
    options: RequestCertificateOptions = {},
  ): Promise<RequestedCertificate> {
    const run = () => unit.requestCertificate(this.#ctx, name, options);
    return withSignal(`request certificate for "${name}"`, options.signal, run);
  }

  /**
   * Closes a socket (telling the peer) or a server (closing its sessions)
   * (the seed's `close`). Without a target, closes the node: every socket
   * and server, pending waits (rejected with ConnectionClosedError), its
   * modems (see `closeModems`) and the event loop. Module example: closing.
   *
   * @param target A socket or server of this node; omitted for the node.
   */
  async close(target?: Socket | Server): Promise<void> {
    if (target === undefined) return await unit.closeNode(this.#ctx);
    const socket = UnauthenticatedSocket.unwrap(target);
    if (socket instanceof Session) {
      await unit.closeSession(this.#ctx, socket, "closed", true);
    } else if (target instanceof ServerState) {
      await unit.closeServer(this.#ctx, target);
    } else {
      throw new TypeError("Cannot close: expected a socket or server");
    }
  }

  /**
   * Closes every socket and server of this node; the node stays usable
   * (the seed's `closeAll`; module example: closing).
   */
  async closeAll(): Promise<void> {
    await unit.closeAll(this.#ctx);
  }

  /**
   * Adds a user to `server`'s table (scrypt hash, saved atomically; module
   * example: users).
   *
   * @param server A server of this node.
   * @param username 1–64 characters, not yet in the table.
   * @param password 1–1024 characters.
   * @param permissionLevel Default 1.
   */
  async addUser(
    server: Server,
    username: string,
    password: string,
    permissionLevel: number = 1,
  ): Promise<void> {
    const state = this.#ctx.server("add user", server);
    await users.addUser(state, username, password, permissionLevel);
  }

  /**
   * Deletes a user; their logged-in sockets are logged out (module
   * example: users).
   *
   * @param server A server of this node.
   * @param username The user.
   * @returns Whether the user existed.
   */
  async deleteUser(server: Server, username: string): Promise<boolean> {
    const state = this.#ctx.server("delete user", server);
    return await users.deleteUser(state, username, (s) => this.logout(s));
  }

  /**
   * Whether `username` is in `server`'s table (module example: users).
   *
   * @param server A server of this node.
   * @param username The user.
   * @returns `true` when the user exists.
   */
  userExists(server: Server, username: string): boolean {
    return this.#ctx.server("check user", server).users.users.has(username);
  }

  /**
   * Replaces a user's password (module example: users).
   *
   * @param server A server of this node.
   * @param username An existing user.
   * @param password 1–1024 characters.
   */
  async setPassword(
    server: Server,
    username: string,
    password: string,
  ): Promise<void> {
    const state = this.#ctx.server("set password", server);
    await users.setPassword(state, username, password);
  }

  /**
   * Sets a user's permission level, also on their logged-in sockets (module
   * example: users).
   *
   * @param server A server of this node.
   * @param username An existing user.
   * @param permissionLevel 0–2147483647.
   */
  async setPermissionLevel(
    server: Server,
    username: string,
    permissionLevel: number,
  ): Promise<void> {
    const state = this.#ctx.server("set permission level", server);
    await users.setPermissionLevel(state, username, permissionLevel);
  }

  /**
   * A user's permission level (module example: users).
   *
   * @param server A server of this node.
   * @param username The user.
   * @returns The level, or `undefined` for an unknown user.
   */
  getPermissionLevel(server: Server, username: string): number | undefined {
    const state = this.#ctx.server("get permission level", server);
    return state.users.users.get(username)?.permissionLevel;
  }

  /**
   * Checks a password against the table (scrypt; unknown users take as
   * long as known ones; module example: users).
   *
   * @param server A server of this node.
   * @param username The user.
   * @param password The candidate password.
   * @returns Whether it is the user's password.
   */
  async checkPassword(
    server: Server,
    username: string,
    password: string,
  ): Promise<boolean> {
    const state = this.#ctx.server("check password", server);
    return await users.checkPassword(state, username, password);
  }

  /**
   * Logs in on the server at the other end of a client `socket` (the
   * seed's `login`). The password travels only inside the session; both
   * sides fire `login` or `login_failed`. Failed logins are throttled per
   * socket, per user name and per server (see {@linkcode HostOptions}); a
   * throttled attempt fails at once with reason `rate_limited`, one beyond
   * the node's `maxWaitingLogins` with reason `busy` (module example:
   * logins).
   *
   * @param socket A client socket of this node.
   * @param username The user.
   * @param password The password.
   * @param options `signal`: its abort rejects at once; a login the server
   * still accepts is logged out at once (`login`, then `logout`, both sides).
   * @returns `true` when logged in; then `socket.username` and
   * `socket.permissionLevel` are set.
   * @throws {TimeoutError} No answer within the node's `requestTimeout`.
   * @throws {DOMException} `AbortError` once `signal` fired.
   */
  login(
    socket: Socket,
    username: string,
    password: string,
    options: LoginOptions = {},
  ): Promise<boolean> {
    return withSignal("log in", options.signal, async () => {
      const session = this.#ctx.session("log in", socket);
      return await unit.login(this.#ctx, session, username, password);
    }, (loggedIn) => loggedIn && this.logout(socket));
  }

  /**
   * Logs out (the seed's `logout`; module example: logins). On a client
   * socket it tells the server and waits for the answer; on a server-side
   * socket it logs that client out and tells it. Fires `logout` on both
   * sides when a user was logged in.
   *
   * @param socket A socket of this node.
   */
  async logout(socket: Socket): Promise<void> {
    await unit.logout(this.#ctx, this.#ctx.session("log out", socket));
  }

  /**
   * Creates a certificate authority and writes its key files (public
   * `certAuth.key`, private `certAuth_private.key` with mode 0600; module
   * example: certificate authority).
   *
   * @param options File paths and whether to overwrite.
   * @returns The new authority's keys.
   */
  initCertificateAuthority(
    options: InitCertificateAuthorityOptions = {},
  ): Promise<CertificateAuthority> {
    return unit.initCertificateAuthority(this.#ctx, options);
  }

  /**
   * Signs a certificate with the CA private key; a file path's signed
   * certificate is written back to it (module example: certificate
   * authority).
   *
   * @param certificate A certificate or its file.
   * @param options The CA private key or its file.
   * @returns The signed certificate.
   */
  signCertificate(
    certificate: Certificate | string,
    options: SignCertificateOptions = {},
  ): Promise<Certificate> {
    const key = options.certAuthPrivateKey;
    return unit.signCertificate(this.#ctx.directory, certificate, key);
  }

  /**
   * Reads a certificate authority public key file (module
   * example: certificate authority).
   *
   * @param path Default `certAuth.key`.
   * @returns The 32-byte Ed25519 public key.
   */
  loadCertAuthKey(
    path: string = "certAuth.key",
  ): Promise<Uint8Array<ArrayBuffer>> {
    return unit.loadCertAuthKey(this.#ctx, path);
  }

  /** Same as `close()`: closes everything and stops the loop. */
  [Symbol.asyncDispose](): Promise<void> {
    return unit.closeNode(this.#ctx);
  }
}
