// Copyright 2026 the moonwire authors. MIT license.
import {
  type Certificate,
  type CertificateAuthority,
  decodeCertificate,
  encodeCertificate,
  HandshakeError,
  hashPassword,
  NoiseHandshake,
  timingSafeEqual,
  verifyCertificate,
  verifyPassword,
} from "../../crypto/mod.ts";
import {
  ConnectionClosedError,
  decodeTable,
  encodeTable,
  type LuaValue,
  TimeoutError,
} from "../../net/mod.ts";
import type { Modem, ModemMessage, ModemSubscription } from "../modem.ts";
import { isModemSide, ModemSide } from "../modem_side.ts";
import { checkChannel } from "../_modem_channels.ts";
import { EventQueue } from "./_event_queue.ts";
import { LOGIN_THROTTLE_DEFAULTS, LoginThrottle } from "./_login_throttle.ts";
import { ephemeralKeyPair } from "./_x25519.ts";
import { EVENT_TYPES } from "./_event_types.ts";
import {
  defaultFileName,
  initCa,
  LOAD_CA_KEY,
  loadCaKey,
  loadClientCertificate,
  loadServerIdentity,
  resolvePath,
  signCertificateFileOrValue,
} from "./_files.ts";
import {
  DATA_OVERHEAD,
  decodePacket,
  encodeCertReply,
  encodeCertRequest,
  encodeDataHeader,
  encodeDiscover,
  encodeDiscoverReply,
  encodeHello,
  encodeHelloReply,
  encodePlain,
  FRAGMENT_HEADER_LENGTH,
  HandshakePattern,
  Inner,
  joinBytes,
  nameBytes,
  type Packet,
  PacketType,
  PROTOCOL_NAMES,
  toHex,
} from "./_packet.ts";
import {
  DISCOVERY_CHANNEL,
  randomReplyChannel,
  serverChannel,
} from "./_server_channel.ts";
import { ServerState as ServerImpl, Session } from "./_session.ts";
import {
  checkPasswordText,
  checkPermissionLevel,
  checkUsername,
  UserTable,
} from "./_user_table.ts";
import type {
  CryptoNetEvent,
  CryptoNetEventMap,
  EventSubscription,
} from "./events.ts";
import type { Server } from "./server.ts";
import type { Socket } from "./socket.ts";

/** Options for {@linkcode CryptoNetNode}. */
export interface CryptoNetNodeOptions {
  /**
   * Working directory for every relative file path (certificates, keys,
   * user tables). Default: the current directory when the node is created.
   */
  directory?: string;
  /**
   * Modems to attach, by side (more can be attached with `attach`). They
   * belong to the node: `close()` closes them (see `closeModems`).
   */
  modems?: Partial<Record<ModemSide, Modem>>;
  /**
   * Whether `close()` closes the node's modems, those given here and those
   * attached later (default true, so a program whose work is done exits by
   * itself after `await using`). `false` leaves them open for the caller to
   * close or reuse. `detach()` always hands a modem back unclosed.
   */
  closeModems?: boolean;
  /** Events buffered for `listen()`/`events()`; oldest dropped (2000). */
  eventQueueSize?: number;
  /** Seconds without hearing from the peer before a session closes (60). */
  idleTimeout?: number;
  /** Seconds of silence after which a keepalive is sent (20). */
  keepAliveInterval?: number;
  /** Seconds between retransmissions of handshakes and requests (0.25). */
  retransmitInterval?: number;
  /** Seconds a server keeps a half-open handshake (5). */
  handshakeTimeout?: number;
  /** Seconds to wait for a login or logout answer (10). */
  requestTimeout?: number;
  /** Largest encoded message in bytes, after reassembly (1 MiB). */
  maxMessageSize?: number;
  /** Most sessions (open and half-open) per server (1024). */
  maxSessions?: number;
}

/** Options for {@linkcode CryptoNetNode.host} (the seed's parameters). */
export interface HostOptions {
  /** Answer `discover` requests (default true). */
  discoverable?: boolean;
  /**
   * Never reveal the certificate, in discovery or handshakes: only clients
   * that already have it can connect (NK only). Default false.
   */
  hideCertificate?: boolean;
  /** The modem to listen on (default: a side with a modem). */
  modemSide?: ModemSide;
  /**
   * The certificate, or its file (default `<serverName>.crt`). When both
   * files are missing they are generated; only one present is an error.
   * Default names need a server name that is a plain file name.
   */
  certificate?: Certificate | string;
  /** The X25519 private key, or its file (default `<serverName>_private.key`). */
  privateKey?: Uint8Array | string;
  /** The user table file (default `<serverName>_users.tbl`). */
  userTablePath?: string;
  /**
   * Seconds of delay after the first failed login, doubling each time up to
   * 60 s (0.5); applied per socket and per user name. See `login` for the
   * resulting bound on guesses.
   */
  loginDelay?: number;
  /** Failed logins per socket before all further attempts fail (5). */
  maxLoginAttempts?: number;
  /**
   * Password checks per second for this whole server, any user (20, with a
   * burst of as many); further attempts get `rate_limited` without a check.
   */
  maxLoginChecksPerSecond?: number;
  /** scrypt cost (log2 N) for new password hashes (15, the minimum). */
  passwordCost?: number;
}

/** Options for {@linkcode CryptoNetNode.connect} (the seed's parameters). */
export interface ConnectOptions {
  /** Seconds to wait for the server (default 5). */
  timeout?: number;
  /**
   * Seconds to collect certificate answers when no certificate is given
   * (default 1): more than one different unsigned answer is refused.
   */
  certTimeout?: number;
  /**
   * The server's certificate or its file (default `<serverName>.crt` when
   * that file exists). A given certificate is trusted as is (NK handshake);
   * without one the certificate is learned in the handshake (NX).
   */
  certificate?: Certificate | string;
  /** The modem to use (default: a side with a modem). */
  modemSide?: ModemSide;
  /**
   * The certificate authority public key or its file (default
   * `certAuth.key` when it exists). A file that exists but is invalid throws.
   * Certificates learned in the handshake must carry its signature; a given
   * `certificate` is trusted as is and only checked (for
   * `socket.certificateVerified`) against an explicitly given key.
   */
  certAuthKey?: Uint8Array | string;
  /**
   * Accept learned certificates without a valid CA signature (default
   * false). Without a CA key they are accepted only when exactly one
   * server answers.
   */
  allowUnsigned?: boolean;
}

/** Options for {@linkcode CryptoNetNode.discover}. */
export interface DiscoverOptions {
  /** Seconds to collect answers (default 1). */
  timeout?: number;
  /** The modem to use (default: a side with a modem). */
  modemSide?: ModemSide;
}

/** A server that answered {@linkcode CryptoNetNode.discover}. */
export interface DiscoveredServer {
  /** Its name. */
  name: string;
  /** Its certificate, `undefined` when it hides it. Not verified. */
  certificate: Certificate | undefined;
}

/** Options for {@linkcode CryptoNetNode.requestCertificate}. */
export interface RequestCertificateOptions {
  /** Seconds to collect answers (default 1). */
  timeout?: number;
  /** The modem to use (default: a side with a modem). */
  modemSide?: ModemSide;
  /** As in {@linkcode ConnectOptions.certAuthKey}. */
  certAuthKey?: Uint8Array | string;
  /** As in {@linkcode ConnectOptions.allowUnsigned}. */
  allowUnsigned?: boolean;
}

/** The answer of {@linkcode CryptoNetNode.requestCertificate}. */
export interface RequestedCertificate {
  /** The chosen certificate. */
  certificate: Certificate;
  /** Whether a CA key vouched for it. */
  verified: boolean;
}

/** Options for {@linkcode CryptoNetNode.initCertificateAuthority}. */
export interface InitCertificateAuthorityOptions {
  /** Public key file (default `certAuth.key`). */
  publicKeyPath?: string;
  /** Private key file, mode 0600 (default `certAuth_private.key`). */
  privateKeyPath?: string;
  /** Replace existing files (default false: existing files are an error). */
  overwrite?: boolean;
}

/** Options for {@linkcode CryptoNetNode.signCertificate}. */
export interface SignCertificateOptions {
  /** CA private key or its file (default `certAuth_private.key`). */
  certAuthPrivateKey?: Uint8Array | string;
}

/** Options for {@linkcode CryptoNetNode.openChannel}. */
export interface ChannelOptions {
  /** The modem (default: a side with a modem). */
  modemSide?: ModemSide;
}

/** Counters of a {@linkcode CryptoNetNode}. */
export interface CryptoNetNodeStats {
  /** Packets dropped anywhere on this node. */
  droppedPackets: number;
  /** Of those, authenticated packets refused as replays. */
  replayedPackets: number;
  /** Events dropped from a full event queue. */
  droppedEvents: number;
  /** Partial fragmented messages dropped (limits or timeouts). */
  droppedReassemblies: number;
}

interface ModemEntry {
  side: ModemSide;
  modem: Modem;
  subscription: ModemSubscription;
  refs: Map<number, number>;
  userChannels: Set<number>;
}

interface Candidate {
  handshake: NoiseHandshake;
  certificate: Certificate;
  verified: boolean;
}

/** CryptoNet needs room for its largest handshake message in one packet. */
const MIN_PAYLOAD = 512;
/** Sessions refuse to go past this many messages (far below 2^64). */
const MAX_COUNTER = 1n << 48n;
const PROLOGUE_LABEL = new TextEncoder().encode("moonwire cryptonet v1");

function seconds(action: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !(value >= 0 && value <= 86_400)) {
    throw new RangeError(
      `Cannot ${action}: ${name} ${value} is not a number of seconds in 0-86400`,
    );
  }
  return Math.round(value * 1000);
}

function positiveInteger(
  action: string,
  name: string,
  value: unknown,
  max: number,
): number {
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < 1 ||
    value > max
  ) {
    throw new RangeError(
      `Cannot ${action}: ${name} ${value} is not an integer in 1-${max}`,
    );
  }
  return value;
}

function prologue(
  name: string,
  sessionId: Uint8Array,
  pattern: HandshakePattern,
): Uint8Array<ArrayBuffer> {
  const n = new TextEncoder().encode(name);
  const out = new Uint8Array(PROLOGUE_LABEL.length + 2 + n.length + 16);
  out.set(PROLOGUE_LABEL, 0);
  let at = PROLOGUE_LABEL.length;
  out[at++] = pattern;
  out[at++] = n.length;
  out.set(n, at);
  out.set(sessionId, at + n.length);
  return out;
}

function withRequestId(
  kind: Inner,
  requestId: number,
  body: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(5 + body.length);
  out[0] = kind;
  new DataView(out.buffer).setUint32(1, requestId);
  out.set(body, 5);
  return out;
}

// A function, not an inline comparison: the state changes across awaits,
// which TypeScript's narrowing does not see.
function isClosedSession(session: Session): boolean {
  return session.state === "closed";
}

/** Closes a modem and waits for it to stop when it says how (`closed`). */
async function closeModem(modem: Modem): Promise<void> {
  modem.close();
  const stopped = (modem as { closed?: unknown }).closed;
  if (stopped instanceof Promise) await stopped.catch(() => {});
}

function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length));
}

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
  readonly #directory: string;
  readonly #modems = new Map<ModemSide, ModemEntry>();
  readonly #handlers = new Map<string, Set<(event: CryptoNetEvent) => void>>();
  readonly #queue: EventQueue<CryptoNetEvent>;
  #queueing = false;
  readonly #servers = new Set<ServerImpl>();
  readonly #serverSessions = new Map<string, Session>();
  readonly #clientSessions = new Map<string, Session>();
  readonly #helloWaiters = new Map<string, (reply: Uint8Array) => void>();
  readonly #collectors = new Map<string, (packet: Packet) => void>();
  readonly #abort = new AbortController();
  readonly #closed = Promise.withResolvers<void>();
  readonly #idleTimeout: number;
  readonly #keepAlive: number;
  readonly #retransmit: number;
  readonly #handshakeTimeout: number;
  readonly #requestTimeout: number;
  readonly #maxMessageSize: number;
  readonly #maxSessions: number;
  #sweepTimer: ReturnType<typeof setInterval> | undefined;
  #dummyHash: Promise<string> | undefined;
  #isClosed = false;
  #running = false;
  #droppedReassemblies = 0;
  readonly #closeModems: boolean;
  readonly #stats = { droppedPackets: 0, replayedPackets: 0 };

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
    this.#directory = options.directory ?? Deno.cwd();
    if (typeof this.#directory !== "string" || this.#directory === "") {
      throw new TypeError(
        "Cannot create node: directory must be a non-empty string",
      );
    }
    this.#queue = new EventQueue(
      positiveInteger(
        action,
        "eventQueueSize",
        options.eventQueueSize ?? 2000,
        1_000_000,
      ),
    );
    this.#idleTimeout = seconds(
      action,
      "idleTimeout",
      options.idleTimeout ?? 60,
    );
    this.#keepAlive = seconds(
      action,
      "keepAliveInterval",
      options.keepAliveInterval ?? 20,
    );
    this.#retransmit = Math.max(
      10,
      seconds(action, "retransmitInterval", options.retransmitInterval ?? 0.25),
    );
    this.#handshakeTimeout = seconds(
      action,
      "handshakeTimeout",
      options.handshakeTimeout ?? 5,
    );
    this.#requestTimeout = seconds(
      action,
      "requestTimeout",
      options.requestTimeout ?? 10,
    );
    this.#maxMessageSize = positiveInteger(
      action,
      "maxMessageSize",
      options.maxMessageSize ?? 1024 * 1024,
      64 * 1024 * 1024,
    );
    this.#maxSessions = positiveInteger(
      action,
      "maxSessions",
      options.maxSessions ?? 1024,
      1_000_000,
    );
    for (const [side, modem] of Object.entries(options.modems ?? {})) {
      if (modem !== undefined) this.attach(side as ModemSide, modem);
    }
  }

  /** The working directory relative file paths resolve against. */
  get directory(): string {
    return this.#directory;
  }

  /** Whether `close()` has been called. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** The servers this node hosts. */
  get servers(): readonly Server[] {
    return [...this.#servers];
  }

  /** The open sessions of this node, client and server side. */
  get sockets(): readonly Socket[] {
    return [...this.#clientSessions.values(), ...this.#serverSessions.values()]
      .filter((session) => session.state === "open");
  }

  /** A snapshot of the node's counters. */
  get stats(): CryptoNetNodeStats {
    let reassemblies = this.#droppedReassemblies;
    for (const session of this.#allSessions()) {
      reassemblies += session.reassembly.dropped;
    }
    return {
      ...this.#stats,
      droppedEvents: this.#queue.dropped,
      droppedReassemblies: reassemblies,
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
    this.#checkOpen("attach modem");
    if (!isModemSide(side)) {
      throw new TypeError(
        `Cannot attach modem: ${JSON.stringify(side)} is not a modem side`,
      );
    }
    if (
      typeof modem !== "object" || modem === null ||
      typeof modem.subscribe !== "function" ||
      typeof modem.transmit !== "function"
    ) {
      throw new TypeError("Cannot attach modem: expected a Modem");
    }
    if (this.#modems.has(side)) {
      throw new Error(`Cannot attach modem: side "${side}" already has one`);
    }
    const entry: ModemEntry = {
      side,
      modem,
      subscription: undefined as unknown as ModemSubscription,
      refs: new Map(),
      userChannels: new Set(),
    };
    entry.subscription = modem.subscribe((message) =>
      this.#onModemMessage(entry, message)
    );
    this.#modems.set(side, entry);
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
    const entry = this.#modems.get(side);
    if (entry === undefined) return undefined;
    const users = [...this.#servers].filter((s) => s.side === side).length +
      [...this.#allSessions()].filter((s) => s.side === side).length;
    if (users > 0) {
      throw new Error(
        `Cannot detach modem: side "${side}" is in use by ${users} servers or sockets`,
      );
    }
    this.#unsubscribe(entry);
    this.#modems.delete(side);
    return entry.modem;
  }

  /** The sides that have a modem, in {@linkcode ModemSide} order. */
  get sides(): ModemSide[] {
    return Object.values(ModemSide).filter((side) => this.#modems.has(side));
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
    return this.#entry("find modem", side).modem;
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
    this.#checkOpen("open channel");
    checkChannel("open channel", channel);
    const entry = this.#entry("open channel", options.modemSide);
    if (entry.userChannels.has(channel)) return;
    this.#retain(entry, channel);
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
    const entry = this.#entry("close channel", options.modemSide);
    if (!entry.userChannels.delete(channel)) return;
    this.#release(entry, channel);
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
    if (typeof handler !== "function") {
      throw new TypeError("Cannot add handler: handler must be a function");
    }
    if (!EVENT_TYPES.includes(type)) {
      throw new TypeError(
        `Cannot add handler: unknown event ${JSON.stringify(type)}`,
      );
    }
    let set = this.#handlers.get(type);
    if (set === undefined) {
      set = new Set();
      this.#handlers.set(type, set);
    }
    const entry = (event: CryptoNetEvent) =>
      handler(event as CryptoNetEventMap[K]);
    set.add(entry);
    const remove = () => void set.delete(entry);
    return { close: remove, [Symbol.dispose]: remove };
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
  async listen(): Promise<CryptoNetEvent> {
    this.#queueing = true;
    const event = await this.#queue.next();
    if (event === undefined) {
      throw new ConnectionClosedError("Cannot listen: node is closed");
    }
    return event;
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
  async *events(): AsyncIterableIterator<CryptoNetEvent> {
    this.#queueing = true;
    while (true) {
      const event = await this.#queue.next();
      if (event === undefined) return;
      yield event;
    }
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
    this.#checkOpen("set up");
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
  async host(serverName: string, options: HostOptions = {}): Promise<Server> {
    const action = `host "${serverName}"`;
    this.#checkOpen(action);
    nameBytes(action, serverName);
    const entry = this.#entry(action, options.modemSide);
    this.#checkPayload(action, entry.modem);
    const loginDelay = seconds(action, "loginDelay", options.loginDelay ?? 0.5);
    const maxLoginAttempts = positiveInteger(
      action,
      "maxLoginAttempts",
      options.maxLoginAttempts ?? 5,
      1_000_000,
    );
    const checksPerSecond = positiveInteger(
      action,
      "maxLoginChecksPerSecond",
      options.maxLoginChecksPerSecond ??
        LOGIN_THROTTLE_DEFAULTS.checksPerSecond,
      1_000_000,
    );
    const passwordCost = options.passwordCost ?? 15;
    if (
      !Number.isInteger(passwordCost) || passwordCost < 15 || passwordCost > 22
    ) {
      throw new RangeError(
        `Cannot ${action}: passwordCost ${passwordCost} is not an integer in 15-22`,
      );
    }
    for (const server of this.#servers) {
      if (server.name === serverName && server.side === entry.side) {
        throw new Error(
          `Cannot ${action}: this node already hosts it on side "${entry.side}"`,
        );
      }
    }
    const identity = await loadServerIdentity(
      serverName,
      this.#directory,
      options.certificate,
      options.privateKey,
    );
    const users = new UserTable(
      resolvePath(
        this.#directory,
        options.userTablePath ??
          defaultFileName(action, serverName, "_users.tbl"),
      ),
    );
    await users.load();
    this.#checkOpen(action);
    const server = new ServerImpl({
      name: serverName,
      channel: serverChannel(serverName),
      side: entry.side,
      modem: entry.modem,
      certificate: identity.certificate,
      keyPair: identity.keyPair,
      discoverable: options.discoverable ?? true,
      hideCertificate: options.hideCertificate ?? false,
      users,
      loginDelay,
      maxLoginAttempts,
      passwordCost,
      loginThrottle: new LoginThrottle({
        ...LOGIN_THROTTLE_DEFAULTS,
        baseDelay: loginDelay,
        checksPerSecond,
      }),
      closer: (s) => this.#closeServer(s),
    });
    this.#servers.add(server);
    this.#retain(entry, server.channel);
    if (server.discoverable) this.#retain(entry, DISCOVERY_CHANNEL);
    return server;
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
  async connect(
    serverName?: string,
    options: ConnectOptions = {},
  ): Promise<Socket> {
    this.#checkOpen("connect");
    const timeout = seconds("connect", "timeout", options.timeout ?? 5);
    const certTimeout = seconds(
      "connect",
      "certTimeout",
      options.certTimeout ?? 1,
    );
    if (serverName !== undefined) nameBytes("connect", serverName);
    const provided = await loadClientCertificate(
      serverName,
      this.#directory,
      options.certificate,
    );
    const name = serverName ?? provided?.name;
    if (name === undefined) {
      throw new TypeError(
        "Cannot connect: give a server name or a certificate",
      );
    }
    const action = `connect to "${name}"`;
    if (provided !== undefined && provided.name !== name) {
      throw new HandshakeError(
        `Cannot ${action}: the certificate is for "${provided.name}"`,
      );
    }
    // Loaded while the handshake runs; awaited before any answer is judged.
    // A given certificate is trusted as is (the seed's rule), so the default
    // CA key file is only read for certificates learned in the handshake.
    const caKey = provided !== undefined && options.certAuthKey === undefined
      ? Promise.resolve(undefined)
      : loadCaKey(
        this.#directory,
        options.certAuthKey,
        typeof options.certAuthKey === "string",
        action,
      );
    caKey.catch(() => {});
    const entry = this.#entry(action, options.modemSide);
    this.#checkPayload(action, entry.modem);
    const pattern = provided === undefined
      ? HandshakePattern.NX
      : HandshakePattern.NK;
    const protocol = PROTOCOL_NAMES[pattern];
    const idBytes = randomBytes(16);
    const id = toHex(idBytes);
    const channel = serverChannel(name);
    const replyChannel = randomReplyChannel();
    const ephemeral = ephemeralKeyPair();
    const handshakePrologue = prologue(name, idBytes, pattern);
    // The first answer is read by the state that wrote the HELLO; later ones
    // by fresh states rebuilt from the same ephemeral key, so several servers
    // answering one request can each be checked (and a bad answer does not
    // spoil the state for a good one).
    const makeHandshake = () =>
      new NoiseHandshake(protocol, {
        initiator: true,
        prologue: handshakePrologue,
        ephemeralKeyPair: ephemeral,
        remoteStaticPublicKey: provided?.publicKey,
      });
    const primary = makeHandshake();
    const hello = encodeHello(
      idBytes,
      pattern,
      name,
      await primary.writeMessage(),
    );
    const started = Date.now();
    this.#retain(entry, replyChannel);
    let session: Session | undefined;
    try {
      const candidate = await this.#collectHelloReplies({
        action,
        id,
        name,
        pattern,
        provided,
        caKey,
        allowUnsigned: options.allowUnsigned ?? false,
        primary,
        makeHandshake,
        send: () => entry.modem.transmit(channel, replyChannel, hello),
        timeout,
        certTimeout,
        started,
      });
      const transport = candidate.handshake.split();
      session = new Session({
        idBytes,
        id,
        role: "client",
        serverName: name,
        server: undefined,
        side: entry.side,
        modem: entry.modem,
        localChannel: replyChannel,
        remoteChannel: channel,
        protocol,
        reassembly: this.#reassemblyLimits(),
        closer: (s) => this.#closeSession(s, "closed", true),
      });
      session.sendCipher = transport.send;
      session.receiveCipher = transport.receive;
      session.certificate = candidate.certificate;
      session.certificateVerified = candidate.verified;
      session.state = "open";
      this.#clientSessions.set(id, session);
      this.#startSweep();
      this.#confirmOpen(session);
      this.#emit({
        type: "connection_opened",
        socket: session,
        server: undefined,
      });
      return session;
    } catch (error) {
      if (session !== undefined && session.state !== "closed") {
        // Never announced: drop quietly.
        session.state = "closed";
        this.#clientSessions.delete(session.id);
        session.wipe();
      }
      throw error;
    } finally {
      if (session === undefined || isClosedSession(session)) {
        this.#release(entry, replyChannel);
      }
    }
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
    const session = this.#openSession("send", socket);
    const body = encodeTable(message, { maxBytes: this.#maxMessageSize });
    const inner = new Uint8Array(1 + body.length);
    inner[0] = Inner.MESSAGE;
    inner.set(body, 1);
    await this.#sendInner(session, inner);
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
    const session = this.#openSession("send unencrypted message", socket);
    // A plain message never opens the session on the server: the OPEN must
    // go first (it is queued on session.tx, so it does).
    session.firstOpen?.();
    const limit = session.modem.maxPayloadSize - 20;
    const body = encodeTable(message, {
      maxBytes: Math.min(limit, this.#maxMessageSize),
    });
    const packet = encodePlain(
      session.role === "client"
        ? PacketType.PLAIN_TO_SERVER
        : PacketType.PLAIN_TO_CLIENT,
      session.idBytes,
      body,
    );
    // In line with encrypted sends, so it never overtakes them.
    const result = session.tx.then(() =>
      session.modem.transmit(
        session.remoteChannel,
        session.localChannel,
        packet,
      )
    );
    session.tx = result.catch(() => {});
    return result;
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
  async discover(options: DiscoverOptions = {}): Promise<DiscoveredServer[]> {
    const action = "discover";
    this.#checkOpen(action);
    const timeout = seconds(action, "timeout", options.timeout ?? 1);
    const entry = this.#entry(action, options.modemSide);
    const found = new Map<string, DiscoveredServer>();
    await this.#collect(entry, timeout, (requestId) => ({
      channel: DISCOVERY_CHANNEL,
      packet: encodeDiscover(requestId),
    }), (packet) => {
      if (packet.type !== PacketType.DISCOVER_REPLY) return;
      let certificate: Certificate | undefined;
      if (packet.certificate !== undefined) {
        try {
          certificate = decodeCertificate(packet.certificate);
        } catch {
          this.#stats.droppedPackets++;
          return;
        }
        if (certificate.name !== packet.name) return;
      }
      const key = `${packet.name}\0${
        certificate ? toHex(certificate.publicKey) : ""
      }`;
      if (!found.has(key)) found.set(key, { name: packet.name, certificate });
    });
    return [...found.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    );
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
    this.#checkOpen(action);
    nameBytes(action, name);
    const timeout = seconds(action, "timeout", options.timeout ?? 1);
    const caKey = await loadCaKey(
      this.#directory,
      options.certAuthKey,
      typeof options.certAuthKey === "string",
      action,
    );
    const entry = this.#entry(action, options.modemSide);
    const verified = new Map<string, Certificate>();
    const unverified = new Map<string, Certificate>();
    let refused = 0;
    await this.#collect(entry, timeout, (requestId) => ({
      channel: serverChannel(name),
      packet: encodeCertRequest(requestId, name),
    }), (packet) => {
      if (packet.type !== PacketType.CERT_REPLY) return;
      let certificate: Certificate;
      try {
        certificate = decodeCertificate(packet.certificate);
      } catch {
        this.#stats.droppedPackets++;
        return;
      }
      if (certificate.name !== name) return;
      const key = toHex(certificate.publicKey);
      if (caKey !== undefined && verifyCertificate(certificate, caKey)) {
        verified.set(key, certificate);
      } else if (caKey === undefined || options.allowUnsigned) {
        unverified.set(key, certificate);
      } else {
        refused++;
      }
    });
    const first = verified.values().next();
    if (!first.done) return { certificate: first.value, verified: true };
    if (unverified.size === 1) {
      return {
        certificate: unverified.values().next().value!,
        verified: false,
      };
    }
    if (unverified.size > 1) {
      throw new HandshakeError(
        `Cannot ${action}: ${unverified.size} servers answered with different certificates and no certificate authority key can tell them apart`,
      );
    }
    if (refused > 0) {
      throw new HandshakeError(
        `Cannot ${action}: no answering certificate is signed by the certificate authority`,
      );
    }
    throw new TimeoutError(
      `Cannot ${action}: no answer within ${timeout} ms`,
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
      await this.#closeSession(target, "closed", true);
    } else if (target instanceof ServerImpl) {
      await this.#closeServer(target);
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
      ...[...this.#clientSessions.values()].map((s) =>
        this.#closeSession(s, "closed", true)
      ),
      ...[...this.#servers].map((s) => this.#closeServer(s)),
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
    const action = "add user";
    const state = this.#server(action, server);
    checkUsername(action, username);
    checkPasswordText(action, password);
    checkPermissionLevel(action, permissionLevel);
    if (state.users.users.has(username)) {
      throw new Error(
        `Cannot ${action}: "${username}" already exists on "${state.name}"`,
      );
    }
    const hash = await hashPassword(password, { logN: state.passwordCost });
    if (state.users.users.has(username)) {
      throw new Error(
        `Cannot ${action}: "${username}" already exists on "${state.name}"`,
      );
    }
    state.users.users.set(username, { hash, permissionLevel });
    await state.users.save();
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
    checkUsername("delete user", username);
    if (!state.users.users.delete(username)) return false;
    await state.users.save();
    for (const session of state.sessions) {
      if (session.username === username && session.state === "open") {
        await this.logout(session);
      }
    }
    return true;
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
    const action = "set password";
    const state = this.#server(action, server);
    checkPasswordText(action, password);
    const hash = await hashPassword(password, { logN: state.passwordCost });
    const record = this.#user(action, state, username);
    record.hash = hash;
    await state.users.save();
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
    const action = "set permission level";
    const state = this.#server(action, server);
    checkPermissionLevel(action, permissionLevel);
    this.#user(action, state, username).permissionLevel = permissionLevel;
    for (const session of state.sessions) {
      if (session.username === username) {
        session.permissionLevel = permissionLevel;
      }
    }
    await state.users.save();
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
    if (typeof username !== "string" || typeof password !== "string") {
      throw new TypeError(
        "Cannot check password: username and password must be strings",
      );
    }
    const record = state.users.users.get(username);
    if (record === undefined) {
      this.#dummyHash ??= hashPassword("moonwire dummy password");
      await verifyPassword(password, await this.#dummyHash);
      return false;
    }
    return await verifyPassword(password, record.hash);
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
    const action = "log in";
    const session = this.#openSession(action, socket);
    if (session.role !== "client") {
      throw new TypeError(`Cannot ${action}: socket is a server-side socket`);
    }
    checkUsername(action, username);
    checkPasswordText(action, password);
    const requestId = session.nextRequestId++ >>> 0;
    const reply = await this.#request(
      session,
      withRequestId(
        Inner.LOGIN,
        requestId,
        encodeTable({ username, password }),
      ),
      requestId,
      action,
    );
    const result = decodeTable(reply) as Record<string, LuaValue>;
    if (
      typeof result !== "object" || result === null ||
      typeof result.ok !== "boolean"
    ) {
      throw new SyntaxError(`Cannot ${action}: malformed answer`);
    }
    if (result.ok === true && typeof result.permissionLevel === "number") {
      session.username = username;
      session.permissionLevel = result.permissionLevel;
      this.#emit({
        type: "login",
        username,
        socket: session,
        server: undefined,
      });
      return true;
    }
    const reason = result.reason === "rate_limited" ||
        result.reason === "too_many_attempts"
      ? result.reason
      : "invalid_credentials";
    this.#emit({
      type: "login_failed",
      username,
      socket: session,
      server: undefined,
      reason,
    });
    return false;
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
    const action = "log out";
    const session = this.#openSession(action, socket);
    if (session.role === "server") {
      this.#resetLogin(session);
      await this.#sendInner(
        session,
        withRequestId(Inner.LOGOUT_RESULT, 0, new Uint8Array(0)),
      ).catch(() => {});
      return;
    }
    const requestId = session.nextRequestId++ >>> 0;
    await this.#request(
      session,
      withRequestId(Inner.LOGOUT, requestId, new Uint8Array(0)),
      requestId,
      action,
    );
    this.#resetLogin(session);
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
    return await initCa({
      publicKeyPath: resolvePath(
        this.#directory,
        options.publicKeyPath ?? "certAuth.key",
      ),
      privateKeyPath: resolvePath(
        this.#directory,
        options.privateKeyPath ?? "certAuth_private.key",
      ),
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
      this.#directory,
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
    return (await loadCaKey(
      this.#directory,
      path,
      true,
      LOAD_CA_KEY,
    ))!;
  }

  /** Same as `close()`: closes everything and stops the loop. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.#closeNode();
  }

  // ---- internals ---------------------------------------------------------

  #checkOpen(action: string): void {
    if (this.#isClosed) throw new Error(`Cannot ${action}: node is closed`);
  }

  #checkPayload(action: string, modem: Modem): void {
    if (modem.maxPayloadSize < MIN_PAYLOAD) {
      throw new RangeError(
        `Cannot ${action}: modem payload limit ${modem.maxPayloadSize} is below the ${MIN_PAYLOAD} bytes CryptoNet needs`,
      );
    }
  }

  #entry(action: string, side: ModemSide | undefined): ModemEntry {
    if (side !== undefined) {
      if (!isModemSide(side)) {
        throw new TypeError(
          `Cannot ${action}: ${JSON.stringify(side)} is not a modem side`,
        );
      }
      const entry = this.#modems.get(side);
      if (entry === undefined) {
        throw new Error(`Cannot ${action}: no modem on side "${side}"`);
      }
      return entry;
    }
    for (const candidate of Object.values(ModemSide)) {
      const entry = this.#modems.get(candidate);
      if (entry !== undefined) return entry;
    }
    throw new Error(`Cannot ${action}: no modem attached`);
  }

  #server(action: string, server: Server): ServerImpl {
    if (!(server instanceof ServerImpl) || !this.#servers.has(server)) {
      throw new TypeError(`Cannot ${action}: not an open server of this node`);
    }
    return server;
  }

  #user(action: string, server: ServerImpl, username: string) {
    const record = server.users.users.get(username);
    if (record === undefined) {
      throw new Error(
        `Cannot ${action}: no user "${username}" on "${server.name}"`,
      );
    }
    return record;
  }

  #openSession(action: string, socket: Socket): Session {
    if (!(socket instanceof Session)) {
      throw new TypeError(`Cannot ${action}: expected a CryptoNet socket`);
    }
    const known = socket.role === "client"
      ? this.#clientSessions.get(socket.id)
      : this.#serverSessions.get(socket.id);
    if (known !== socket) {
      if (socket.state === "closed") {
        throw new ConnectionClosedError(`Cannot ${action}: socket is closed`);
      }
      throw new TypeError(`Cannot ${action}: socket belongs to another node`);
    }
    if (socket.state !== "open") {
      throw new ConnectionClosedError(`Cannot ${action}: socket is closed`);
    }
    return socket;
  }

  *#allSessions(): Iterable<Session> {
    yield* this.#clientSessions.values();
    yield* this.#serverSessions.values();
  }

  #reassemblyLimits() {
    return {
      maxBytes: this.#maxMessageSize + 1,
      maxFragments: 65535,
      maxConcurrent: 8,
      timeout: Math.max(this.#handshakeTimeout, 10_000),
    };
  }

  #retain(entry: ModemEntry, channel: number): void {
    const count = entry.refs.get(channel) ?? 0;
    if (count === 0) entry.modem.open(channel);
    entry.refs.set(channel, count + 1);
  }

  #release(entry: ModemEntry, channel: number): void {
    const count = entry.refs.get(channel) ?? 0;
    if (count <= 1) {
      entry.refs.delete(channel);
      if (!entry.modem.isClosed) entry.modem.close(channel);
    } else {
      entry.refs.set(channel, count - 1);
    }
  }

  #unsubscribe(entry: ModemEntry): void {
    entry.subscription.close();
    if (!entry.modem.isClosed) {
      for (const channel of entry.refs.keys()) entry.modem.close(channel);
    }
    entry.refs.clear();
    entry.userChannels.clear();
  }

  #emit(event: CryptoNetEvent): void {
    const handlers = this.#handlers.get(event.type);
    if (handlers !== undefined) {
      for (const handler of [...handlers]) {
        try {
          handler(event);
        } catch (error) {
          reportError(error);
        }
      }
    }
    if (this.#queueing) this.#queue.push(event);
  }

  #drop(server: ServerImpl | undefined, replay = false): void {
    this.#stats.droppedPackets++;
    if (replay) this.#stats.replayedPackets++;
    if (server !== undefined) {
      server.counters.droppedPackets++;
      if (replay) server.counters.replayedPackets++;
    }
  }

  #startSweep(): void {
    if (this.#sweepTimer !== undefined) return;
    const interval = Math.max(
      20,
      Math.min(
        1000,
        (this.#idleTimeout || 60_000) / 4,
        (this.#keepAlive || 60_000) / 4,
        this.#handshakeTimeout / 4 || 1000,
      ),
    );
    this.#sweepTimer = setInterval(() => this.#sweep(), interval);
  }

  #sweep(): void {
    const now = Date.now();
    let any = false;
    for (const session of [...this.#allSessions()]) {
      any = true;
      session.reassembly.sweep(now);
      if (session.state === "open") {
        if (
          this.#idleTimeout > 0 &&
          now - session.lastReceived > this.#idleTimeout
        ) {
          this.#closeSession(session, "timeout", true).catch(() => {});
        } else if (
          this.#keepAlive > 0 && now - session.lastSent >= this.#keepAlive
        ) {
          this.#sendInner(session, Uint8Array.of(Inner.PING)).catch(() => {});
        }
      } else if (
        session.role === "server" &&
        now - session.created > this.#handshakeTimeout
      ) {
        // A half-open handshake that never confirmed: forget it quietly.
        // It never sent a transport message, so nothing waits on its keys.
        session.state = "closed";
        this.#serverSessions.delete(session.id);
        session.serverState?.sessions.delete(session);
        session.wipe();
      }
    }
    if (!any && this.#sweepTimer !== undefined) {
      clearInterval(this.#sweepTimer);
      this.#sweepTimer = undefined;
    }
  }

  #sendInner(session: Session, inner: Uint8Array): Promise<void> {
    session.spoke = true;
    const maxPlain = session.modem.maxPayloadSize - DATA_OVERHEAD;
    let pieces: Uint8Array[];
    if (inner.length <= maxPlain) {
      pieces = [inner];
    } else {
      const chunk = maxPlain - FRAGMENT_HEADER_LENGTH;
      const count = Math.ceil(inner.length / chunk);
      if (count > 65535) {
        return Promise.reject(
          new RangeError(
            `Cannot send: message of ${inner.length} bytes needs more than 65535 fragments`,
          ),
        );
      }
      const messageId = session.nextMessageId++ >>> 0;
      pieces = [];
      for (let index = 0; index < count; index++) {
        const part = inner.subarray(index * chunk, (index + 1) * chunk);
        const piece = new Uint8Array(FRAGMENT_HEADER_LENGTH + part.length);
        const view = new DataView(piece.buffer);
        piece[0] = Inner.FRAGMENT;
        view.setUint32(1, messageId);
        view.setUint16(5, index);
        view.setUint16(7, count);
        piece.set(part, FRAGMENT_HEADER_LENGTH);
        pieces.push(piece);
      }
    }
    const run = async () => {
      for (const piece of pieces) await this.#seal(session, piece);
    };
    const result = session.tx.then(run);
    session.tx = result.catch(() => {});
    return result;
  }

  async #seal(session: Session, plaintext: Uint8Array): Promise<void> {
    const cipher = session.sendCipher;
    if (cipher === undefined) {
      throw new ConnectionClosedError(
        "Cannot send: session is not established",
      );
    }
    const counter = session.sendCounter;
    if (counter >= MAX_COUNTER) {
      throw new RangeError(
        "Cannot send: session message limit reached; reconnect",
      );
    }
    session.sendCounter = counter + 1n;
    const header = encodeDataHeader(
      session.role === "client"
        ? PacketType.DATA_TO_SERVER
        : PacketType.DATA_TO_CLIENT,
      session.idBytes,
      counter,
    );
    const ciphertext = await cipher.encryptWithNonce(
      counter,
      plaintext,
      header,
    );
    session.modem.transmit(
      session.remoteChannel,
      session.localChannel,
      joinBytes(header, ciphertext),
    );
    session.lastSent = Date.now();
  }

  #request(
    session: Session,
    inner: Uint8Array,
    requestId: number,
    action: string,
  ): Promise<Uint8Array> {
    const { promise, resolve, reject } = Promise.withResolvers<Uint8Array>();
    session.requests.set(requestId, resolve);
    const send = () => {
      if (session.state !== "open") {
        reject(new ConnectionClosedError(`Cannot ${action}: socket is closed`));
        return;
      }
      this.#sendInner(session, inner).catch(reject);
    };
    send();
    const resend = setInterval(send, this.#retransmit);
    const deadline = setTimeout(() =>
      reject(
        new TimeoutError(
          `Cannot ${action}: no answer from "${session.serverName}" within ${this.#requestTimeout} ms`,
        ),
      ), this.#requestTimeout);
    const onAbort = () =>
      reject(new ConnectionClosedError(`Cannot ${action}: node is closed`));
    this.#abort.signal.addEventListener("abort", onAbort);
    return promise.finally(() => {
      clearInterval(resend);
      clearTimeout(deadline);
      this.#abort.signal.removeEventListener("abort", onAbort);
      session.requests.delete(requestId);
    });
  }

  async #collect(
    entry: ModemEntry,
    timeout: number,
    request: (requestId: Uint8Array) => { channel: number; packet: Uint8Array },
    onPacket: (packet: Packet) => void,
  ): Promise<void> {
    const requestId = randomBytes(8);
    const key = toHex(requestId);
    const replyChannel = randomReplyChannel();
    const { channel, packet } = request(requestId);
    this.#retain(entry, replyChannel);
    this.#collectors.set(key, onPacket);
    const done = Promise.withResolvers<void>();
    const send = () => {
      try {
        entry.modem.transmit(channel, replyChannel, packet);
      } catch (error) {
        done.reject(error);
      }
    };
    send();
    const resend = setInterval(send, this.#retransmit);
    const deadline = setTimeout(done.resolve, timeout);
    const onAbort = () =>
      done.reject(
        new ConnectionClosedError("Cannot wait for answers: node is closed"),
      );
    this.#abort.signal.addEventListener("abort", onAbort);
    try {
      await done.promise;
    } finally {
      clearInterval(resend);
      clearTimeout(deadline);
      this.#abort.signal.removeEventListener("abort", onAbort);
      this.#collectors.delete(key);
      this.#release(entry, replyChannel);
    }
  }

  #collectHelloReplies(options: {
    action: string;
    id: string;
    name: string;
    pattern: HandshakePattern;
    provided: Certificate | undefined;
    caKey: Promise<Uint8Array | undefined>;
    allowUnsigned: boolean;
    primary: NoiseHandshake;
    makeHandshake: () => NoiseHandshake;
    send: () => void;
    timeout: number;
    certTimeout: number;
    started: number;
  }): Promise<Candidate> {
    const { action, name, provided } = options;
    let caKey: Uint8Array | undefined;
    const { promise, resolve, reject } = Promise.withResolvers<Candidate>();
    const unverified = new Map<string, Candidate>();
    const rejections: string[] = [];
    let decided = false;
    const finish = (value: Candidate | Error) => {
      if (decided) return;
      decided = true;
      if (value instanceof Error) reject(value);
      else resolve(value);
    };
    // A CA key that cannot be loaded fails the connect now, not at timeout.
    options.caKey.catch((error) => finish(error));
    const decide = () => {
      if (unverified.size === 1) {
        finish(unverified.values().next().value!);
      } else if (unverified.size > 1) {
        finish(
          new HandshakeError(
            `Cannot ${action}: ${unverified.size} servers answered with different certificates and no certificate authority key can tell them apart`,
          ),
        );
      }
    };
    let certWindowOver = false;
    let primaryUsed = false;
    const examine = async (reply: Uint8Array) => {
      if (decided) return;
      try {
        caKey = await options.caKey;
      } catch (error) {
        finish(error as Error);
        return;
      }
      let handshake = options.primary;
      if (primaryUsed) {
        handshake = options.makeHandshake();
        await handshake.writeMessage();
      }
      primaryUsed = true;
      let payload: Uint8Array;
      try {
        payload = await handshake.readMessage(reply);
      } catch {
        rejections.push(
          provided !== undefined
            ? "the answer did not prove the certificate's key"
            : "a handshake answer failed",
        );
        return;
      }
      if (provided !== undefined) {
        finish({
          handshake,
          certificate: provided,
          verified: caKey !== undefined && verifyCertificate(provided, caKey),
        });
        return;
      }
      let certificate: Certificate;
      try {
        certificate = decodeCertificate(payload);
      } catch {
        rejections.push("the server sent a malformed certificate");
        return;
      }
      const learned = handshake.remoteStaticPublicKey;
      if (
        learned === undefined ||
        !timingSafeEqual(learned, certificate.publicKey)
      ) {
        rejections.push("the certificate does not match the server's key");
        return;
      }
      if (certificate.name !== name) {
        rejections.push(`the certificate is for "${certificate.name}"`);
        return;
      }
      const verified = caKey !== undefined &&
        verifyCertificate(certificate, caKey);
      if (verified) {
        finish({ handshake, certificate, verified });
        return;
      }
      if (caKey !== undefined && !options.allowUnsigned) {
        rejections.push(
          "the certificate is not signed by the certificate authority",
        );
        return;
      }
      const key = toHex(certificate.publicKey);
      if (!unverified.has(key)) {
        unverified.set(key, { handshake, certificate, verified: false });
      }
      if (certWindowOver) decide();
    };
    let chain = Promise.resolve();
    this.#helloWaiters.set(options.id, (reply) => {
      chain = chain.then(() => examine(reply)).catch(() => {});
    });
    const send = () => {
      try {
        options.send();
      } catch (error) {
        finish(error as Error);
      }
    };
    send();
    const resend = setInterval(send, this.#retransmit);
    const certTimer = provided === undefined
      ? setTimeout(() => {
        certWindowOver = true;
        chain = chain.then(decide);
      }, options.certTimeout)
      : undefined;
    const deadline = setTimeout(() => {
      chain = chain.then(async () => {
        try {
          await options.caKey;
        } catch (error) {
          finish(error as Error);
          return;
        }
        decide();
        finish(
          rejections.length > 0
            ? new HandshakeError(`Cannot ${action}: ${rejections[0]}`)
            : new TimeoutError(
              `Cannot ${action}: no answer within ${options.timeout} ms`,
            ),
        );
      });
    }, options.timeout);
    const onAbort = () =>
      finish(new ConnectionClosedError(`Cannot ${action}: node is closed`));
    this.#abort.signal.addEventListener("abort", onAbort);
    return promise.finally(() => {
      clearInterval(resend);
      clearTimeout(certTimer);
      clearTimeout(deadline);
      this.#abort.signal.removeEventListener("abort", onAbort);
      this.#helloWaiters.delete(options.id);
    });
  }

  // The server opens its end on the first authenticated message: OPEN is
  // sent until the server answers anything (or the half-open handshake
  // would have expired there); connect does not wait for it.
  #confirmOpen(session: Session): void {
    const started = Date.now();
    const send = () => {
      if (
        isClosedSession(session) || session.confirmed ||
        Date.now() - started > this.#handshakeTimeout
      ) {
        clearInterval(session.openTimer);
        session.openTimer = undefined;
        return;
      }
      this.#sendInner(session, Uint8Array.of(Inner.OPEN)).catch(() => {});
    };
    // The first OPEN waits one macrotask: an encrypted message the
    // application sends right after connect confirms the session to the
    // server just as well, so OPEN goes out only for a client that stays
    // silent (or sends in the clear first: see sendUnencrypted). Until the
    // server is heard from, OPEN is retransmitted as before.
    const first = () => {
      session.firstOpen = undefined;
      clearTimeout(session.openTimer);
      session.openTimer = setInterval(send, this.#retransmit);
      if (!session.spoke) send();
    };
    session.firstOpen = first;
    session.openTimer = setTimeout(first, 0);
  }

  #serversOn(entry: ModemEntry, channel: number): ServerImpl[] {
    const out: ServerImpl[] = [];
    for (const server of this.#servers) {
      if (server.side === entry.side && server.channel === channel) {
        out.push(server);
      }
    }
    return out;
  }

  #onModemMessage(entry: ModemEntry, message: ModemMessage): void {
    if (this.#isClosed) return;
    try {
      this.#dispatch(entry, message);
    } catch {
      // A packet must never take the node down (e.g. an answer to a modem
      // that was closed meanwhile): count it and carry on.
      this.#drop(undefined);
    }
  }

  #dispatch(entry: ModemEntry, message: ModemMessage): void {
    const { channel, replyChannel } = message;
    const packet = decodePacket(message.payload);
    if (packet === undefined) {
      if (entry.userChannels.has(channel)) {
        this.#emit({
          type: "modem_message",
          side: entry.side,
          channel,
          replyChannel,
          payload: message.payload,
          distance: message.distance,
        });
      }
      if (entry.refs.has(channel) && !entry.userChannels.has(channel)) {
        const servers = this.#serversOn(entry, channel);
        if (servers.length === 0) this.#drop(undefined);
        for (const server of servers) this.#drop(server);
      }
      return;
    }
    switch (packet.type) {
      case PacketType.DISCOVER:
        if (channel !== DISCOVERY_CHANNEL) return;
        for (const server of this.#servers) {
          if (server.side !== entry.side || !server.discoverable) continue;
          entry.modem.transmit(
            replyChannel,
            server.channel,
            encodeDiscoverReply(
              packet.requestId,
              server.name,
              server.hideCertificate
                ? undefined
                : encodeCertificate(server.certificate),
            ),
          );
        }
        return;
      case PacketType.CERT_REQUEST:
        for (const server of this.#serversOn(entry, channel)) {
          if (server.name !== packet.name || server.hideCertificate) continue;
          entry.modem.transmit(
            replyChannel,
            server.channel,
            encodeCertReply(
              packet.requestId,
              encodeCertificate(server.certificate),
            ),
          );
        }
        return;
      case PacketType.DISCOVER_REPLY:
      case PacketType.CERT_REPLY:
        this.#collectors.get(toHex(packet.requestId))?.(packet);
        return;
      case PacketType.HELLO: {
        const server = this.#serversOn(entry, channel).find((s) =>
          s.name === packet.name
        );
        if (server !== undefined) {
          this.#handleHello(server, packet, replyChannel).catch(() =>
            this.#drop(server)
          );
        }
        return;
      }
      case PacketType.HELLO_REPLY:
        this.#helloWaiters.get(toHex(packet.sessionId))?.(packet.message);
        return;
      case PacketType.DATA_TO_SERVER:
      case PacketType.DATA_TO_CLIENT: {
        const session =
          (packet.type === PacketType.DATA_TO_SERVER
            ? this.#serverSessions
            : this.#clientSessions).get(toHex(packet.sessionId));
        if (
          session === undefined || session.side !== entry.side ||
          session.localChannel !== channel
        ) {
          return;
        }
        this.#receiveData(
          session,
          packet.counter,
          packet.header,
          packet.ciphertext,
        );
        return;
      }
      case PacketType.PLAIN_TO_SERVER:
      case PacketType.PLAIN_TO_CLIENT: {
        const session =
          (packet.type === PacketType.PLAIN_TO_SERVER
            ? this.#serverSessions
            : this.#clientSessions).get(toHex(packet.sessionId));
        if (
          session === undefined || session.side !== entry.side ||
          session.localChannel !== channel || isClosedSession(session)
        ) {
          return;
        }
        // Behind the session's earlier packets, so an OPEN sent before it
        // is processed first.
        session.rx = session.rx.then(() => {
          if (session.state !== "open") return;
          let value: LuaValue;
          try {
            value = decodeTable(packet.body, {
              maxBytes: this.#maxMessageSize,
            });
          } catch {
            this.#drop(session.serverState);
            return;
          }
          this.#emit({
            type: "plain_message",
            message: value,
            socket: session,
            server: session.serverState,
            side: entry.side,
            channel,
            distance: message.distance,
          });
        });
        return;
      }
    }
  }

  async #handleHello(
    server: ServerImpl,
    packet: Extract<Packet, { type: 5 }>,
    replyChannel: number,
  ): Promise<void> {
    const id = toHex(packet.sessionId);
    const existing = this.#serverSessions.get(id);
    if (existing !== undefined) {
      // A retransmitted HELLO gets the same answer again; anything else
      // claiming this session id is ignored.
      if (
        existing.serverState === server && existing.hello !== undefined &&
        existing.helloReply !== undefined &&
        existing.hello.length === packet.message.length &&
        timingSafeEqual(existing.hello, packet.message)
      ) {
        server.modem.transmit(
          existing.helloReplyChannel,
          server.channel,
          existing.helloReply,
        );
      }
      return;
    }
    if (packet.pattern === HandshakePattern.NX && server.hideCertificate) {
      return;
    }
    if (server.sessions.size >= this.#maxSessions) {
      this.#drop(server);
      return;
    }
    const protocol = PROTOCOL_NAMES[packet.pattern];
    const session = new Session({
      idBytes: packet.sessionId,
      id,
      role: "server",
      serverName: server.name,
      server,
      side: server.side,
      modem: server.modem,
      localChannel: server.channel,
      remoteChannel: replyChannel,
      protocol,
      reassembly: this.#reassemblyLimits(),
      closer: (s) => this.#closeSession(s, "closed", true),
    });
    session.hello = packet.message;
    session.helloReplyChannel = replyChannel;
    session.certificate = server.certificate;
    this.#serverSessions.set(id, session);
    server.sessions.add(session);
    this.#startSweep();
    let reply: Uint8Array;
    try {
      const handshake = new NoiseHandshake(protocol, {
        initiator: false,
        prologue: prologue(server.name, packet.sessionId, packet.pattern),
        staticKeyPair: server.keyPair,
      });
      await handshake.readMessage(packet.message);
      reply = await handshake.writeMessage(
        packet.pattern === HandshakePattern.NX
          ? encodeCertificate(server.certificate)
          : new Uint8Array(0),
      );
      const transport = handshake.split();
      session.sendCipher = transport.send;
      session.receiveCipher = transport.receive;
    } catch {
      session.state = "closed";
      this.#serverSessions.delete(id);
      server.sessions.delete(session);
      this.#drop(server);
      return;
    }
    if (isClosedSession(session) || !server.open) {
      // Closed while the handshake ran: the keys just split are never used.
      session.wipe();
      return;
    }
    session.state = "pending";
    session.helloReply = encodeHelloReply(packet.sessionId, reply);
    server.counters.handshakes++;
    server.modem.transmit(replyChannel, server.channel, session.helloReply);
  }

  #receiveData(
    session: Session,
    counter: bigint,
    header: Uint8Array,
    ciphertext: Uint8Array,
  ): void {
    session.rx = session.rx.then(async () => {
      const cipher = session.receiveCipher;
      if (isClosedSession(session)) return;
      if (cipher === undefined) {
        // Data before the handshake finished: never from the real peer.
        this.#drop(session.serverState);
        return;
      }
      if (!session.window.check(counter)) {
        this.#drop(session.serverState, true);
        return;
      }
      let plaintext: Uint8Array;
      try {
        plaintext = await cipher.decryptWithNonce(counter, ciphertext, header);
      } catch {
        this.#drop(session.serverState);
        return;
      }
      if (isClosedSession(session)) return;
      session.window.commit(counter);
      session.lastReceived = Date.now();
      const kind = plaintext[0];
      if (
        (kind === Inner.MESSAGE || kind === Inner.FRAGMENT) &&
        !session.order.accepts(counter)
      ) {
        this.#drop(session.serverState);
        return;
      }
      await this.#handleInner(session, plaintext, counter, false);
    }).catch(() => this.#drop(session.serverState));
  }

  async #handleInner(
    session: Session,
    plaintext: Uint8Array,
    counter: bigint,
    reassembled: boolean,
  ): Promise<void> {
    if (plaintext.length === 0) {
      this.#drop(session.serverState);
      return;
    }
    session.confirmed = true;
    if (session.state === "pending") {
      // The first authenticated message confirms the session: a replayed
      // HELLO alone never opens one.
      session.state = "open";
      this.#emit({
        type: "connection_opened",
        socket: session,
        server: session.serverState,
      });
    }
    const kind = plaintext[0];
    const body = plaintext.subarray(1);
    const isServer = session.role === "server";
    switch (kind) {
      case Inner.OPEN:
        if (isServer) {
          await this.#sendInner(session, Uint8Array.of(Inner.OPEN_ACK));
        }
        return;
      case Inner.OPEN_ACK:
      case Inner.PING:
        return;
      case Inner.MESSAGE: {
        let message: LuaValue;
        try {
          message = decodeTable(body, { maxBytes: this.#maxMessageSize });
        } catch {
          this.#drop(session.serverState);
          return;
        }
        session.order.delivered(counter);
        this.#emit({
          type: "encrypted_message",
          message,
          socket: session,
          server: session.serverState,
        });
        return;
      }
      case Inner.CLOSE:
        await this.#closeSession(session, "peer", false);
        return;
      case Inner.FRAGMENT: {
        if (reassembled || body.length < FRAGMENT_HEADER_LENGTH - 1) {
          this.#drop(session.serverState);
          return;
        }
        const view = new DataView(body.buffer, body.byteOffset, body.length);
        const whole = session.reassembly.add(
          view.getUint32(0),
          view.getUint16(4),
          view.getUint16(6),
          body.subarray(8),
          Date.now(),
        );
        if (whole !== undefined) {
          await this.#handleInner(session, whole, counter, true);
        }
        return;
      }
      case Inner.LOGIN:
        if (isServer && body.length >= 4) {
          this.#handleLogin(session, body).catch(() =>
            this.#drop(session.serverState)
          );
        } else this.#drop(session.serverState);
        return;
      case Inner.LOGOUT:
        if (isServer && body.length >= 4) {
          this.#resetLogin(session);
          await this.#sendInner(
            session,
            withRequestId(
              Inner.LOGOUT_RESULT,
              new DataView(body.buffer, body.byteOffset).getUint32(0),
              new Uint8Array(0),
            ),
          );
        } else this.#drop(session.serverState);
        return;
      case Inner.LOGIN_RESULT:
      case Inner.LOGOUT_RESULT: {
        if (isServer || body.length < 4) {
          this.#drop(session.serverState);
          return;
        }
        const requestId = new DataView(body.buffer, body.byteOffset).getUint32(
          0,
        );
        if (kind === Inner.LOGOUT_RESULT && requestId === 0) {
          // The server logged this client out.
          this.#resetLogin(session);
          return;
        }
        session.requests.get(requestId)?.(body.slice(4));
        return;
      }
      default:
        this.#drop(session.serverState);
    }
  }

  async #handleLogin(session: Session, body: Uint8Array): Promise<void> {
    const server = session.serverState!;
    const requestId = new DataView(body.buffer, body.byteOffset).getUint32(0);
    if (requestId === session.lastLoginRequest) {
      // A retransmission: repeat the answer, never re-check the password.
      if (session.lastLoginReply !== undefined) {
        await this.#sendInner(session, session.lastLoginReply);
      }
      return;
    }
    if (session.loginBusy) return;
    session.loginBusy = true;
    session.lastLoginRequest = requestId;
    session.lastLoginReply = undefined;
    try {
      let username = "";
      let password = "";
      try {
        const request = decodeTable(body.subarray(4), {
          maxBytes: 4096,
        }) as Record<
          string,
          LuaValue
        >;
        if (
          typeof request === "object" && request !== null &&
          typeof request.username === "string" &&
          typeof request.password === "string"
        ) {
          username = request.username;
          password = request.password;
        }
      } catch {
        // Treated as a failed login below.
      }
      let ok = false;
      let reason: "invalid_credentials" | "rate_limited" | "too_many_attempts" =
        "invalid_credentials";
      if (session.loginFailures >= server.maxLoginAttempts) {
        reason = "too_many_attempts";
      } else if (
        Date.now() < session.loginAllowedAt ||
        !server.loginThrottle.begin(username, Date.now())
      ) {
        // Throttled (this socket, this name or the whole server): answered
        // at once, no scrypt, and not counted as another failure.
        reason = "rate_limited";
      } else {
        try {
          ok = username !== "" && password !== "" &&
            await this.checkPassword(server, username, password);
        } finally {
          server.loginThrottle.end(username, ok, Date.now());
        }
        if (!ok) {
          session.loginFailures++;
          session.loginAllowedAt = Date.now() +
            Math.min(
              60_000,
              server.loginDelay * 2 ** (session.loginFailures - 1),
            );
        }
      }
      if (session.state !== "open") return;
      const record = ok ? server.users.users.get(username) : undefined;
      if (record !== undefined) {
        session.loginFailures = 0;
        session.loginAllowedAt = 0;
        session.username = username;
        session.permissionLevel = record.permissionLevel;
        this.#emit({ type: "login", username, socket: session, server });
      } else {
        ok = false;
        this.#emit({
          type: "login_failed",
          username,
          socket: session,
          server,
          reason,
        });
      }
      const reply = withRequestId(
        Inner.LOGIN_RESULT,
        requestId,
        encodeTable({
          ok,
          username,
          permissionLevel: record?.permissionLevel ?? 0,
          reason: ok ? "" : reason,
        }),
      );
      session.lastLoginReply = reply;
      await this.#sendInner(session, reply);
    } finally {
      session.loginBusy = false;
    }
  }

  #resetLogin(session: Session): void {
    const username = session.username;
    session.username = undefined;
    session.permissionLevel = 0;
    if (username !== undefined) {
      this.#emit({
        type: "logout",
        username,
        socket: session,
        server: session.serverState,
      });
    }
  }

  async #closeSession(
    session: Session,
    reason: "closed" | "peer" | "timeout",
    notify: boolean,
  ): Promise<void> {
    if (isClosedSession(session)) return;
    const wasOpen = session.state === "open";
    session.state = "closed";
    clearInterval(session.openTimer);
    session.openTimer = undefined;
    session.firstOpen = undefined;
    if (session.role === "client") {
      if (this.#clientSessions.get(session.id) === session) {
        this.#clientSessions.delete(session.id);
        const entry = this.#modems.get(session.side);
        if (entry !== undefined) this.#release(entry, session.localChannel);
      }
    } else {
      if (this.#serverSessions.get(session.id) === session) {
        this.#serverSessions.delete(session.id);
      }
      session.serverState?.sessions.delete(session);
    }
    session.reassembly.clear();
    if (notify && wasOpen && !session.modem.isClosed) {
      this.#sendInner(session, Uint8Array.of(Inner.CLOSE)).catch(() => {});
    }
    // Everything queued before the close, then the CLOSE: the keys are
    // needed until the last of them is sealed. Nothing is queued after
    // (every send checks the state first).
    const drained = session.tx;
    if (wasOpen) {
      this.#emit({
        type: "connection_closed",
        socket: session,
        server: session.serverState,
        reason,
      });
    }
    await drained;
    session.wipe();
  }

  async #closeServer(server: ServerImpl): Promise<void> {
    if (!server.open) return;
    server.open = false;
    this.#servers.delete(server);
    await Promise.all(
      [...server.sessions].map((s) => this.#closeSession(s, "closed", true)),
    );
    const entry = this.#modems.get(server.side);
    if (entry !== undefined && entry.modem === server.modem) {
      this.#release(entry, server.channel);
      if (server.discoverable) this.#release(entry, DISCOVERY_CHANNEL);
    }
  }

  async #closeNode(): Promise<void> {
    if (this.#isClosed) return;
    await this.closeAll();
    this.#isClosed = true;
    this.#abort.abort();
    if (this.#sweepTimer !== undefined) {
      clearInterval(this.#sweepTimer);
      this.#sweepTimer = undefined;
    }
    const closing: Promise<void>[] = [];
    for (const entry of this.#modems.values()) {
      this.#unsubscribe(entry);
      // The node's modems are its own (closeModems): closing them lets a
      // program end, e.g. a UdpModem's receive loop.
      if (this.#closeModems) closing.push(closeModem(entry.modem));
    }
    this.#modems.clear();
    await Promise.all(closing);
    this.#queue.close();
    this.#closed.resolve();
  }
}
