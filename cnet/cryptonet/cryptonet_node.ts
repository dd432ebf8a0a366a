// Copyright 2026 the moonwire authors. MIT license.
// The driver: CryptoNetNode wires the units together (modems and channels,
// the event hub, real timers through each session core's deadlines) and is
// the public face; every method delegates. The protocol itself lives in
// the sans-I/O session core (_session_core.ts, _client_handshake.ts).
import type { Certificate, CertificateAuthority } from "../../crypto/mod.ts";
import type { LuaValue } from "../../net/mod.ts";
import { ConnectionClosedError } from "../../net/mod.ts";
import type { Modem } from "../modem.ts";
import type { ModemSide } from "../modem_side.ts";
import { checkChannel } from "../_modem_channels.ts";
import { positiveInteger, seconds } from "./_checks.ts";
import { connect } from "./_connect.ts";
import { discover, requestCertificate } from "./_discovery.ts";
import { onModemMessage } from "./_dispatch.ts";
import { EventHub } from "./_event_hub.ts";
import {
  initCa,
  LOAD_CA_KEY,
  loadCaKey,
  resolvePath,
  signCertificateFileOrValue,
} from "./_files.ts";
import { closeServer, host } from "./_host.ts";
import { answerLogin, login, logout } from "./_login_exchange.ts";
import { ModemTable } from "./_modem_table.ts";
import { NodeContext } from "./_node_context.ts";
import type {
  ChannelOptions,
  ConnectOptions,
  CryptoNetNodeOptions,
  CryptoNetNodeStats,
  DiscoveredServer,
  DiscoverOptions,
  HostOptions,
  InitCertificateAuthorityOptions,
  RequestCertificateOptions,
  RequestedCertificate,
  SignCertificateOptions,
} from "./_node_options.ts";
import { nameBytes } from "./_packet.ts";
import { ServerState, Session } from "./_session.ts";
import {
  closeSession,
  failRequests,
  sendMessage,
  sendPlain,
} from "./_session_driver.ts";
import * as users from "./_user_store.ts";
import type {
  CryptoNetEvent,
  CryptoNetEventMap,
  EventSubscription,
} from "./events.ts";
import type { Server } from "./server.ts";
import type { Socket } from "./socket.ts";

export type {
  ChannelOptions,
  ConnectOptions,
  CryptoNetNodeOptions,
  CryptoNetNodeStats,
  DiscoveredServer,
  DiscoverOptions,
  HostOptions,
  InitCertificateAuthorityOptions,
  RequestCertificateOptions,
  RequestedCertificate,
  SignCertificateOptions,
} from "./_node_options.ts";

/**
 * One CryptoNet "computer": modems attached by side, a working directory for
 * file paths, the servers it hosts, its sockets and its events. The seed's
 * functions are its methods (`host`, `connect`, `send`, `discover`, `login`
 * ...); `CryptoNet`'s module-level functions call the same methods on a
 * default node.
 *
 * Sessions are Noise NK (the client has the server's certificate) or NX
 * (the client learns it in the handshake and checks it), each transport
 * message carries its counter and passes a sliding replay window, and
 * messages larger than a modem payload are fragmented.
 *
 * Delivery: a modem is a datagram medium that may lose, duplicate or
 * reorder, and a CryptoNet session does not retransmit messages. A `send`
 * that resolved was encrypted and handed to the modem, in order; each such
 * message arrives at most once (the replay window) and in send order (a
 * message older than one already delivered is dropped), or not at all, with
 * no error: CryptoNet is ordered but not reliable. Over a modem that neither
 * loses nor reorders (a `MemoryNetwork` without fault injection) every
 * accepted message arrives, in order, and a graceful `close` delivers
 * everything sent before it, then the peer's `connection_closed`.
 * `sendUnencrypted` messages carry no counter, so a duplicating modem
 * duplicates them. For reliable delivery (delivered, or the connection
 * reports the failure) use a CTCP connection (`CNetNode.connectCtcp`).
 *
 * Ownership: the modems given in the options or with `attach` belong to the
 * node, and `close()` (or `await using`) closes them, so a program whose
 * work is done exits by itself (a `UdpModem` keeps its receive loop running
 * until closed). Pass `closeModems: false` to keep them open for reuse;
 * `detach` hands one modem back unclosed.
 *
 * Events (`connection_opened`, `encrypted_message`, ...) go to `on`
 * handlers as they happen and, once `listen()` or `events()` has been
 * called, into a bounded queue read by those two.
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
  readonly #closed = Promise.withResolvers<void>();
  readonly #closeModems: boolean;
  #running = false;

  /**
   * Creates a node.
   *
   * @param options Working directory, modems, timeouts and limits.
   */
  constructor(options: CryptoNetNodeOptions = {}) {
    const action = "create node";
    this.#closeModems = options.closeModems ?? true;
    if (typeof this.#closeModems !== "boolean") {
      throw new TypeError("Cannot create node: closeModems must be a boolean");
    }
    const directory = options.directory ?? Deno.cwd();
    if (typeof directory !== "string" || directory === "") {
      throw new TypeError(
        "Cannot create node: directory must be a non-empty string",
      );
    }
    const hub = new EventHub(
      positiveInteger(
        action,
        "eventQueueSize",
        options.eventQueueSize ?? 2000,
        1_000_000,
      ),
    );
    const limit = (name: keyof CryptoNetNodeOptions, fallback: number) =>
      seconds(action, name, options[name] ?? fallback);
    const modems = new ModemTable((entry, message) =>
      onModemMessage(this.#ctx, entry, message)
    );
    this.#ctx = new NodeContext(
      directory,
      {
        idleTimeout: limit("idleTimeout", 60),
        keepAlive: limit("keepAliveInterval", 20),
        retransmit: Math.max(10, limit("retransmitInterval", 0.25)),
        handshakeTimeout: limit("handshakeTimeout", 5),
        requestTimeout: limit("requestTimeout", 10),
        maxMessageSize: positiveInteger(
          action,
          "maxMessageSize",
          options.maxMessageSize ?? 1024 * 1024,
          64 * 1024 * 1024,
        ),
        maxSessions: positiveInteger(
          action,
          "maxSessions",
          options.maxSessions ?? 1024,
          1_000_000,
        ),
      },
      modems,
      hub,
    );
    this.#ctx.onLoginRequest = (session, requestId, body) =>
      answerLogin(this.#ctx, session, requestId, body).catch(() =>
        this.#ctx.drop(session.serverState)
      );
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
    let reassemblies = 0;
    for (const session of this.#ctx.allSessions()) {
      reassemblies += session.reassembly.dropped;
    }
    return {
      droppedPackets: this.#ctx.counters.droppedPackets,
      replayedPackets: this.#ctx.counters.replayedPackets,
      droppedEvents: this.#ctx.hub.dropped,
      droppedReassemblies: reassemblies,
      transmitErrors: this.#ctx.counters.transmitErrors,
    };
  }

  /**
   * Attaches `modem` on `side`.
   *
   * @param side One of {@linkcode ModemSide}.
   * @param modem The modem; it now belongs to the node, which closes it in
   * `close()` unless created with `closeModems: false` (`detach` gives it
   * back).
   *
   * @example Attach a modem
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * await using node = new CryptoNet.CryptoNetNode();
   * node.attach("right", network.createModem());
   * assert.deepEqual(node.sides, ["right"]);
   * ```
   */
  attach(side: ModemSide, modem: Modem): void {
    this.#ctx.checkOpen("attach modem");
    this.#ctx.modems.attach(side, modem);
  }

  /**
   * Detaches the modem on `side`. Refused while a server or socket uses it.
   *
   * @param side One of {@linkcode ModemSide}.
   * @returns The detached modem, or `undefined` when the side was empty.
   *
   * @example Detach a modem
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const modem = network.createModem();
   * await using node = new CryptoNet.CryptoNetNode({ modems: { top: modem } });
   * assert.equal(node.detach("top"), modem);
   * assert.deepEqual(node.sides, []);
   * ```
   */
  detach(side: ModemSide): Modem | undefined {
    const users = [...this.#ctx.servers, ...this.#ctx.allSessions()]
      .filter((s) => s.side === side).length;
    return this.#ctx.modems.detach(side, users);
  }

  /** The sides that have a modem, in {@linkcode ModemSide} order. */
  get sides(): ModemSide[] {
    return this.#ctx.modems.sides;
  }

  /**
   * The modem on `side`, or on the default side ("a side with a modem").
   *
   * @param side One of {@linkcode ModemSide}; omitted for the default.
   * @returns The modem.
   *
   * @example Find the default modem
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const modem = network.createModem();
   * await using node = new CryptoNet.CryptoNetNode({ modems: { left: modem } });
   * assert.equal(node.getModem(), modem);
   * await using empty = new CryptoNet.CryptoNetNode();
   * assert.throws(() => empty.getModem(), {
   *   name: "Error",
   *   message: "Cannot find modem: no modem attached",
   * });
   * ```
   */
  getModem(side?: ModemSide): Modem {
    return this.#ctx.modems.entry("find modem", side).modem;
  }

  /**
   * Opens a raw channel whose non-CryptoNet traffic arrives as
   * `modem_message` events.
   *
   * @param channel 0–65535.
   * @param options The modem side.
   *
   * @example Hear raw modem traffic
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const other = network.createModem();
   * await using node = new CryptoNet.CryptoNetNode({
   *   modems: { top: network.createModem() },
   * });
   * node.openChannel(100);
   * const event = new Promise<CryptoNet.ModemMessageEvent>((resolve) =>
   *   node.on("modem_message", resolve)
   * );
   * other.transmit(100, 7, new Uint8Array([1, 2]));
   * assert.deepEqual((await event).payload, new Uint8Array([1, 2]));
   * ```
   */
  openChannel(channel: number, options: ChannelOptions = {}): void {
    this.#ctx.checkOpen("open channel");
    checkChannel("open channel", channel);
    const entry = this.#ctx.modems.entry("open channel", options.modemSide);
    if (entry.userChannels.has(channel)) return;
    this.#ctx.modems.retain(entry, channel);
    entry.userChannels.add(channel);
  }

  /**
   * Closes a raw channel opened with `openChannel`.
   *
   * @param channel 0–65535.
   * @param options The modem side.
   *
   * @example Close a raw channel
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const modem = network.createModem();
   * await using node = new CryptoNet.CryptoNetNode({ modems: { top: modem } });
   * node.openChannel(100);
   * node.closeChannel(100);
   * assert.equal(modem.isOpen(100), false);
   * ```
   */
  closeChannel(channel: number, options: ChannelOptions = {}): void {
    checkChannel("close channel", channel);
    const entry = this.#ctx.modems.entry("close channel", options.modemSide);
    if (!entry.userChannels.delete(channel)) return;
    this.#ctx.modems.release(entry, channel);
  }

  /**
   * Registers `handler` for events named `type`.
   *
   * @param type An event name, e.g. `"encrypted_message"`.
   * @param handler Called synchronously with each such event.
   * @returns A subscription; `close()` removes the handler.
   *
   * @example Handle logins
   * ```ts
   * import { CryptoNet } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * await using node = new CryptoNet.CryptoNetNode();
   * const names: string[] = [];
   * using _subscription = node.on("login", (event) => names.push(event.username));
   * assert.deepEqual(names, []);
   * ```
   */
  on<K extends keyof CryptoNetEventMap>(
    type: K,
    handler: (event: CryptoNetEventMap[K]) => void,
  ): EventSubscription {
    return this.#ctx.hub.on(type, handler);
  }

  /**
   * The next event (the seed's blocking `listen`, as a Promise). Events are
   * buffered from the first call of `listen()` or `events()` on.
   *
   * @returns The next event; rejects with ConnectionClosedError once the
   * node is closed.
   *
   * @example Wait for the next event
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem(), bottom: network.createModem() },
   * });
   * await node.host("listen-doc", { modemSide: "top" });
   * const next = node.listen();
   * await node.connect("listen-doc", { modemSide: "bottom" });
   * assert.equal((await next).type, "connection_opened");
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  listen(): Promise<CryptoNetEvent> {
    return this.#ctx.hub.listen();
  }

  /**
   * Every event as an async iterator; ends when the node closes.
   *
   * @returns An async iterator over the node's events.
   *
   * @example Iterate over events
   * ```ts
   * import { CryptoNet } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * const node = new CryptoNet.CryptoNetNode();
   * const seen: string[] = [];
   * const loop = (async () => {
   *   for await (const event of node.events()) seen.push(event.type);
   * })();
   * await node.close();
   * await loop;
   * assert.deepEqual(seen, []);
   * ```
   */
  events(): AsyncIterableIterator<CryptoNetEvent> {
    return this.#ctx.hub.events();
  }

  /**
   * Same as `events()`.
   *
   * @returns An async iterator over the node's events.
   *
   * @example for await over a node
   * ```ts
   * import { CryptoNet } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * const node = new CryptoNet.CryptoNetNode();
   * await node.close();
   * for await (const _ of node) assert.fail("no events after close");
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<CryptoNetEvent> {
    return this.events();
  }

  /**
   * Runs the event loop (the seed's `setup`): calls `onStart(node)`, then
   * keeps the process alive until the node is closed. Events are dispatched
   * as they arrive whether or not the loop runs.
   *
   * @param onStart Called once the loop runs; may be async. If it throws,
   * the node is closed and the error rethrown.
   * @returns Resolves when the node is closed.
   *
   * @example Start, then stop from inside
   * ```ts
   * import { CryptoNet } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * const node = new CryptoNet.CryptoNetNode();
   * let started = false;
   * await node.setup(async (self) => {
   *   started = true;
   *   await self.close();
   * });
   * assert.equal(started, true);
   * ```
   */
  async setup(
    onStart?: (node: CryptoNetNode) => void | Promise<void>,
  ): Promise<void> {
    this.#ctx.checkOpen("set up");
    if (this.#running) {
      throw new Error("Cannot set up: the event loop is already running");
    }
    this.#running = true;
    // A long timer keeps Deno running while the loop waits for events.
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      await onStart?.(this);
      await this.#closed.promise;
    } catch (error) {
      await this.close();
      throw error;
    } finally {
      clearInterval(keepAlive);
      this.#running = false;
    }
  }

  /**
   * Hosts a server named `serverName` (the seed's `host`). Its channel is
   * derived from the name; its certificate and key are loaded, or generated
   * and saved when both files are missing.
   *
   * @param serverName 1–128 UTF-8 bytes.
   * @param options The seed's options.
   * @returns The server.
   * @throws {RangeError} A default file name (`<serverName>.crt`,
   * `<serverName>_private.key`, `<serverName>_users.tbl`) is needed but the
   * name contains "/", "\\" or NUL, or is "." or "..": give explicit paths.
   *
   * @example Host and inspect the generated files
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem() },
   * });
   * const server = await node.host("files-doc");
   * const key = await Deno.stat(`${directory}/files-doc_private.key`);
   * assert.equal(key.mode! & 0o777, 0o600);
   * assert.equal(server.certificate.name, "files-doc");
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  host(serverName: string, options: HostOptions = {}): Promise<Server> {
    return host(this.#ctx, serverName, options);
  }

  /**
   * Opens an encrypted session with the server named `serverName` (the
   * seed's `connect`). With a certificate (given, or `<serverName>.crt` in
   * the working directory) the handshake is Noise NK; without, Noise NX
   * and the learned certificate must carry the name, match the handshake
   * key and be signed by the CA key — or, without a CA key (or with
   * `allowUnsigned`), be the only one answering.
   *
   * @param serverName The server's name; inferred from `options.certificate`
   * when omitted.
   * @param options The seed's options.
   * @returns The open socket.
   * @throws {RangeError} No certificate is given and the name cannot be a
   * file name (`<serverName>.crt`): it contains "/", "\\" or NUL, or is "."
   * or "..".
   * @throws {TimeoutError} No (acceptable) answer within `timeout`.
   * @throws {HandshakeError} Answers were refused (wrong key, name or
   * signature) or several different unsigned certificates answered.
   *
   * @example Connect with a known certificate
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem(), bottom: network.createModem() },
   * });
   * const server = await node.host("connect-doc", { modemSide: "top" });
   * const socket = await node.connect(undefined, {
   *   certificate: server.certificate,
   *   modemSide: "bottom",
   * });
   * assert.equal(socket.serverName, "connect-doc");
   * assert.equal(socket.isOpen, true);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  connect(serverName?: string, options: ConnectOptions = {}): Promise<Socket> {
    return connect(this.#ctx, serverName, options);
  }

  /**
   * Sends `message` encrypted over `socket` (the seed's `send`). Large
   * messages are fragmented to fit the modem. At-most-once: a lost packet
   * loses the message.
   *
   * @param socket An open socket of this node.
   * @param message Any Lua value (null, boolean, number, string, bytes,
   * tables), at most `maxMessageSize` bytes encoded.
   * @returns Resolves once encrypted and handed to the modem: the message
   * then arrives at most once and in order, but a lossy modem may lose it
   * (see the class documentation on delivery).
   *
   * @example Send a table
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem(), bottom: network.createModem() },
   * });
   * await node.host("send-doc", { modemSide: "top" });
   * const heard = new Promise<CryptoNet.EncryptedMessageEvent>((resolve) =>
   *   node.on("encrypted_message", resolve)
   * );
   * const socket = await node.connect("send-doc", { modemSide: "bottom" });
   * await node.send(socket, ["a", 1, true]);
   * assert.deepEqual((await heard).message, ["a", 1, true]);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  async send(socket: Socket, message: LuaValue): Promise<void> {
    await sendMessage(this.#ctx, this.#open("send", socket), message);
  }

  /**
   * Sends `message` unencrypted and unauthenticated over `socket`'s
   * channels (the seed's `sendUnencrypted`); it arrives as a
   * `plain_message` event. Must fit one modem payload.
   *
   * @param socket An open socket of this node.
   * @param message Any Lua value.
   * @returns Resolves once handed to the modem.
   *
   * @example Send in the clear
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem(), bottom: network.createModem() },
   * });
   * await node.host("plain-doc", { modemSide: "top" });
   * const heard = new Promise<CryptoNet.PlainMessageEvent>((resolve) =>
   *   node.on("plain_message", resolve)
   * );
   * const socket = await node.connect("plain-doc", { modemSide: "bottom" });
   * await node.sendUnencrypted(socket, "hello");
   * assert.equal((await heard).message, "hello");
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  sendUnencrypted(socket: Socket, message: LuaValue): Promise<void> {
    const session = this.#open("send unencrypted message", socket);
    return sendPlain(this.#ctx, session, message);
  }

  /**
   * Lists the discoverable servers in range (the seed's `discover`): every
   * answer within `timeout`, sorted by name, with the certificate unless the
   * server hides it. Certificates here are unverified.
   *
   * @param options Timeout and modem side.
   * @returns The servers that answered.
   *
   * @example Discover a server
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem(), bottom: network.createModem() },
   * });
   * await node.host("visible", { modemSide: "top" });
   * await node.host("invisible", { modemSide: "top", discoverable: false });
   * const found = await node.discover({ modemSide: "bottom", timeout: 0.1 });
   * assert.deepEqual(found.map((s) => s.name), ["visible"]);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  discover(options: DiscoverOptions = {}): Promise<DiscoveredServer[]> {
    return Promise.try(() => {
      this.#ctx.checkOpen("discover");
      const timeout = seconds("discover", "timeout", options.timeout ?? 1);
      const entry = this.#ctx.modems.entry("discover", options.modemSide);
      return discover(this.#ctx, entry, timeout);
    });
  }

  /**
   * Asks the servers named `name` for their certificate (the seed's
   * `requestCertificate`) and applies `connect`'s rules: a CA-signed one
   * wins; without a CA key (or with `allowUnsigned`) an unsigned one only
   * when it is the only one.
   *
   * @param name The server's name.
   * @param options Timeout, modem side, CA key, allowUnsigned.
   * @returns The certificate and whether a CA key vouched for it.
   * @throws {TimeoutError} Nobody answered.
   * @throws {HandshakeError} Answers were refused or ambiguous.
   *
   * @example Fetch a certificate
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem(), bottom: network.createModem() },
   * });
   * const server = await node.host("cert-doc", { modemSide: "top" });
   * const answer = await node.requestCertificate("cert-doc", {
   *   modemSide: "bottom",
   *   timeout: 0.1,
   * });
   * assert.deepEqual(answer.certificate.publicKey, server.certificate.publicKey);
   * assert.equal(answer.verified, false);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  async requestCertificate(
    name: string,
    options: RequestCertificateOptions = {},
  ): Promise<RequestedCertificate> {
    const action = `request certificate for "${name}"`;
    this.#ctx.checkOpen(action);
    nameBytes(action, name);
    const timeout = seconds(action, "timeout", options.timeout ?? 1);
    const caKey = await loadCaKey(
      this.#ctx.directory,
      options.certAuthKey,
      typeof options.certAuthKey === "string",
      action,
    );
    return await requestCertificate(
      this.#ctx,
      this.#ctx.modems.entry(action, options.modemSide),
      { action, name, timeout, caKey, allowUnsigned: !!options.allowUnsigned },
    );
  }

  /**
   * Closes a socket (telling the peer) or a server (closing its sessions)
   * (the seed's `close`). Without a target, closes the node itself: every
   * socket and server, pending waits (rejected with ConnectionClosedError),
   * its modem subscriptions and channels (the modems stay open) and the
   * event loop.
   *
   * @param target A socket or server of this node; omitted for the node.
   *
   * @example Close a server
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem() },
   * });
   * const server = await node.host("close-doc");
   * await node.close(server);
   * assert.equal(server.isOpen, false);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  async close(target?: Socket | Server): Promise<void> {
    if (target === undefined) return await this.#closeNode();
    if (target instanceof Session) {
      await closeSession(this.#ctx, target, "closed", true);
    } else if (target instanceof ServerState) {
      await closeServer(this.#ctx, target);
    } else {
      throw new TypeError("Cannot close: expected a socket or server");
    }
  }

  /**
   * Closes every socket and server of this node; the node stays usable
   * (the seed's `closeAll`).
   *
   * @example Close everything
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem() },
   * });
   * await node.host("all-doc");
   * await node.closeAll();
   * assert.deepEqual(node.servers, []);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  async closeAll(): Promise<void> {
    await Promise.all([
      ...[...this.#ctx.clientSessions.values()].map((s) =>
        closeSession(this.#ctx, s, "closed", true)
      ),
      ...[...this.#ctx.servers].map((s) => closeServer(this.#ctx, s)),
    ]);
  }

  /**
   * Adds a user to `server`'s table (scrypt hash, saved atomically).
   *
   * @param server A server of this node.
   * @param username 1–64 characters, not yet in the table.
   * @param password 1–1024 characters.
   * @param permissionLevel Default 1.
   *
   * @example Add a user
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem() },
   * });
   * const server = await node.host("users-doc");
   * await node.addUser(server, "ann", "correct horse");
   * assert.equal(node.userExists(server, "ann"), true);
   * assert.equal(node.getPermissionLevel(server, "ann"), 1);
   * assert.equal(await node.checkPassword(server, "ann", "correct horse"), true);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  async addUser(
    server: Server,
    username: string,
    password: string,
    permissionLevel: number = 1,
  ): Promise<void> {
    const state = this.#server("add user", server);
    await users.addUser(state, username, password, permissionLevel);
  }

  /**
   * Deletes a user; their logged-in sockets are logged out.
   *
   * @param server A server of this node.
   * @param username The user.
   * @returns Whether the user existed.
   *
   * @example Delete a user
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem() },
   * });
   * const server = await node.host("delete-doc");
   * await node.addUser(server, "bob", "hunter2!");
   * assert.equal(await node.deleteUser(server, "bob"), true);
   * assert.equal(node.userExists(server, "bob"), false);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  async deleteUser(server: Server, username: string): Promise<boolean> {
    const state = this.#server("delete user", server);
    return await users.deleteUser(state, username, (s) => this.logout(s));
  }

  /**
   * Whether `username` is in `server`'s table.
   *
   * @param server A server of this node.
   * @param username The user.
   * @returns `true` when the user exists.
   *
   * @example Check a user
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem() },
   * });
   * const server = await node.host("exists-doc");
   * assert.equal(node.userExists(server, "nobody"), false);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  userExists(server: Server, username: string): boolean {
    return this.#server("check user", server).users.users.has(username);
  }

  /**
   * Replaces a user's password.
   *
   * @param server A server of this node.
   * @param username An existing user.
   * @param password 1–1024 characters.
   *
   * @example Change a password
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem() },
   * });
   * const server = await node.host("password-doc");
   * await node.addUser(server, "cy", "old password");
   * await node.setPassword(server, "cy", "new password");
   * assert.equal(await node.checkPassword(server, "cy", "old password"), false);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  async setPassword(
    server: Server,
    username: string,
    password: string,
  ): Promise<void> {
    const state = this.#server("set password", server);
    await users.setPassword(state, username, password);
  }

  /**
   * Sets a user's permission level (also on their logged-in sockets).
   *
   * @param server A server of this node.
   * @param username An existing user.
   * @param permissionLevel 0–2147483647.
   *
   * @example Promote a user
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem() },
   * });
   * const server = await node.host("level-doc");
   * await node.addUser(server, "di", "secret words");
   * await node.setPermissionLevel(server, "di", 3);
   * assert.equal(node.getPermissionLevel(server, "di"), 3);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  async setPermissionLevel(
    server: Server,
    username: string,
    permissionLevel: number,
  ): Promise<void> {
    const state = this.#server("set permission level", server);
    await users.setPermissionLevel(state, username, permissionLevel);
  }

  /**
   * A user's permission level.
   *
   * @param server A server of this node.
   * @param username The user.
   * @returns The level, or `undefined` for an unknown user.
   *
   * @example Read a level
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem() },
   * });
   * const server = await node.host("get-level-doc");
   * assert.equal(node.getPermissionLevel(server, "nobody"), undefined);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  getPermissionLevel(server: Server, username: string): number | undefined {
    return this.#server("get permission level", server).users.users.get(
      username,
    )?.permissionLevel;
  }

  /**
   * Checks a password against the table (scrypt; unknown users take as
   * long as known ones).
   *
   * @param server A server of this node.
   * @param username The user.
   * @param password The candidate password.
   * @returns Whether it is the user's password.
   *
   * @example Check a password
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem() },
   * });
   * const server = await node.host("check-doc");
   * assert.equal(await node.checkPassword(server, "nobody", "x"), false);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  async checkPassword(
    server: Server,
    username: string,
    password: string,
  ): Promise<boolean> {
    const state = this.#server("check password", server);
    return await users.checkPassword(state, username, password);
  }

  /**
   * Logs in on the server at the other end of a client `socket` (the
   * seed's `login`). The password travels only inside the session. Fires
   * `login` or `login_failed` on both sides.
   *
   * The server throttles failed logins three ways, so neither a new session
   * per guess nor parallel sessions buy more guesses:
   * - per socket: after `maxLoginAttempts` failures every attempt fails;
   * - per user name (any number of sessions): one password check at a time,
   *   and after the n-th consecutive failure the next check waits
   *   `min(60 s, loginDelay * 2^(n-1))`. With the default `loginDelay` of
   *   0.5 s that is at most 7 checks in the first minute (0, 0.5, 1.5, 3.5,
   *   7.5, 15.5, 31.5 s), then 1 per minute, per name. A success, or 15
   *   minutes without a failure, clears the name; up to 10000 names are
   *   tracked (least recently used dropped first);
   * - per server: at most `maxLoginChecksPerSecond` (20) password checks
   *   per second in all.
   *
   * A throttled attempt is answered at once with reason `rate_limited`,
   * runs no password check and does not count as a failure. A user whose
   * name is under attack may have to wait out the delay too (the price of
   * the per-name bound); users with other names are not slowed down unless
   * the server-wide rate is exhausted.
   *
   * @param socket A client socket of this node.
   * @param username The user.
   * @param password The password.
   * @returns `true` when logged in; then `socket.username` and
   * `socket.permissionLevel` are set.
   * @throws {TimeoutError} No answer within the node's `requestTimeout`.
   *
   * @example Log in
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem(), bottom: network.createModem() },
   * });
   * const server = await node.host("login-doc", { modemSide: "top" });
   * await node.addUser(server, "eve", "let me in", 2);
   * const socket = await node.connect("login-doc", { modemSide: "bottom" });
   * assert.equal(await node.login(socket, "eve", "let me in"), true);
   * assert.equal(socket.username, "eve");
   * assert.equal(socket.permissionLevel, 2);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  async login(
    socket: Socket,
    username: string,
    password: string,
  ): Promise<boolean> {
    const session = this.#open("log in", socket);
    return await login(this.#ctx, session, username, password);
  }

  /**
   * Logs out (the seed's `logout`). On a client socket it tells the server
   * and waits for the answer; on a server-side socket it logs that client
   * out and tells it. Fires `logout` on both sides when a user was logged
   * in.
   *
   * @param socket A socket of this node.
   *
   * @example Log out
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem(), bottom: network.createModem() },
   * });
   * const server = await node.host("logout-doc", { modemSide: "top" });
   * await node.addUser(server, "fay", "pass phrase");
   * const socket = await node.connect("logout-doc", { modemSide: "bottom" });
   * await node.login(socket, "fay", "pass phrase");
   * await node.logout(socket);
   * assert.equal(socket.username, undefined);
   * assert.equal(socket.permissionLevel, 0);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  async logout(socket: Socket): Promise<void> {
    await logout(this.#ctx, this.#open("log out", socket));
  }

  /**
   * Creates a certificate authority and writes its key files (public
   * `certAuth.key`, private `certAuth_private.key` with mode 0600).
   *
   * @param options File paths and whether to overwrite.
   * @returns The new authority's keys.
   *
   * @example Create a CA
   * ```ts
   * import { CryptoNet } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({ directory });
   * const ca = await node.initCertificateAuthority();
   * assert.deepEqual(await node.loadCertAuthKey(), ca.publicKey);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  async initCertificateAuthority(
    options: InitCertificateAuthorityOptions = {},
  ): Promise<CertificateAuthority> {
    const path = (name: string) => resolvePath(this.#ctx.directory, name);
    return await initCa({
      publicKeyPath: path(options.publicKeyPath ?? "certAuth.key"),
      privateKeyPath: path(options.privateKeyPath ?? "certAuth_private.key"),
    }, options.overwrite ?? false);
  }

  /**
   * Signs a certificate with the CA private key. Given a file path, the
   * signed certificate is written back to that file.
   *
   * @param certificate A certificate or its file.
   * @param options The CA private key or its file.
   * @returns The signed certificate.
   *
   * @example Sign a server's certificate file
   * ```ts
   * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
   * import { verifyCertificate } from "@moonwire/moonwire/crypto";
   * import assert from "node:assert/strict";
   *
   * using network = new MemoryNetwork();
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({
   *   directory,
   *   modems: { top: network.createModem() },
   * });
   * const ca = await node.initCertificateAuthority();
   * const server = await node.host("signed-doc");
   * await node.close(server);
   * const signed = await node.signCertificate("signed-doc.crt");
   * assert.equal(verifyCertificate(signed, ca.publicKey), true);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  async signCertificate(
    certificate: Certificate | string,
    options: SignCertificateOptions = {},
  ): Promise<Certificate> {
    return await signCertificateFileOrValue(
      this.#ctx.directory,
      certificate,
      options.certAuthPrivateKey,
    );
  }

  /**
   * Reads a certificate authority public key file.
   *
   * @param path Default `certAuth.key`.
   * @returns The 32-byte Ed25519 public key.
   *
   * @example Load the CA key
   * ```ts
   * import { CryptoNet } from "@moonwire/moonwire/cnet";
   * import assert from "node:assert/strict";
   *
   * const directory = await Deno.makeTempDir();
   * await using node = new CryptoNet.CryptoNetNode({ directory });
   * await node.initCertificateAuthority();
   * assert.equal((await node.loadCertAuthKey("certAuth.key")).length, 32);
   * await Deno.remove(directory, { recursive: true });
   * ```
   */
  async loadCertAuthKey(
    path: string = "certAuth.key",
  ): Promise<Uint8Array<ArrayBuffer>> {
    return (await loadCaKey(this.#ctx.directory, path, true, LOAD_CA_KEY))!;
  }

  /** Same as `close()`: closes everything and stops the loop. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.#closeNode();
  }

  #server(action: string, server: Server): ServerState {
    if (!(server instanceof ServerState) || !this.#ctx.servers.has(server)) {
      throw new TypeError(`Cannot ${action}: not an open server of this node`);
    }
    return server;
  }

  #open(action: string, socket: Socket): Session {
    if (!(socket instanceof Session)) {
      throw new TypeError(`Cannot ${action}: expected a CryptoNet socket`);
    }
    const known =
      (socket.role === "client"
        ? this.#ctx.clientSessions
        : this.#ctx.serverSessions).get(socket.id);
    if (known !== socket && socket.state !== "closed") {
      throw new TypeError(`Cannot ${action}: socket belongs to another node`);
    }
    if (socket.state !== "open") {
      throw new ConnectionClosedError(`Cannot ${action}: socket is closed`);
    }
    return socket;
  }

  async #closeNode(): Promise<void> {
    const ctx = this.#ctx;
    if (ctx.isClosed) return;
    // Waiting logins and logouts fail as the node goes, not at their timeout.
    for (const session of ctx.clientSessions.values()) {
      failRequests(session, "node is closed");
    }
    await this.closeAll();
    ctx.isClosed = true;
    ctx.abort.abort();
    await ctx.modems.closeAll(this.#closeModems);
    ctx.hub.close();
    this.#closed.resolve();
  }
}
