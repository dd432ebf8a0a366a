// Copyright 2026 the moonwire authors. MIT license.
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { createAead } from "../crypto/aead.ts";
import { deriveKey } from "../crypto/derive_key.ts";
import { parseCipherKey } from "../crypto/parse_cipher_key.ts";
import {
  checkNatsConnection,
  connectOwned,
  flushNats,
  NATS_SUBJECT,
  type NatsConnectOptions,
  natsMaxPayload,
  NatsOutbox,
  type NatsStatusHandler,
  type NatsStatusWatch,
  watchNatsStatus,
} from "../net/_nats_connection.ts";
import { newSocketId, PSK_LABEL } from "./_options.ts";
import { type RoomAttachment, roomHook } from "./_room_hook.ts";
import { RoomReceiver } from "./_room_receiver.ts";
import { RoomSender } from "./_room_sender.ts";
import {
  KIND_HEARTBEAT,
  KIND_LEAVE,
  KIND_TABLES,
  roomKey,
  tablesText,
} from "./_room_wire.ts";
import type { NetworkObject } from "./network_event.ts";
import { Server } from "./server.ts";

/**
 * The subject prefix of a {@linkcode NatsRoom} unless one is given: room
 * `"lobby"` is the subject `moonwire.mm.lobby`.
 *
 * @example The lobby's subject
 * ```ts
 * import { DEFAULT_NATS_ROOM_PREFIX } from "@moonwire/moonwire/mm/nats";
 * import assert from "node:assert/strict";
 *
 * assert.equal(`${DEFAULT_NATS_ROOM_PREFIX}.lobby`, "moonwire.mm.lobby");
 * ```
 */
export const DEFAULT_NATS_ROOM_PREFIX = "moonwire.mm";

const CLOSE_FLUSH_MS = 2000;
const encoder = new TextEncoder();

/**
 * Options for a {@linkcode NatsRoom}, however it is created.
 *
 * @example A sealed lobby with its own cluster key
 * ```ts
 * import type { NatsRoomOptions } from "@moonwire/moonwire/mm/nats";
 * import assert from "node:assert/strict";
 *
 * const options: NatsRoomOptions = {
 *   room: "lobby",
 *   cipherKey: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
 * };
 * assert.equal(options.heartbeatInterval, undefined); // default 1000 ms
 * ```
 */
export interface NatsRoomOptions {
  /**
   * The room: servers with the same room (and prefix) relay each other's
   * broadcasts. NATS subject tokens (letters, digits, `_`, `-`, separated
   * by `.`).
   */
  room: string;
  /** Subject prefix: the room is `<prefix>.<room>` (default `"moonwire.mm"`). */
  prefix?: string;
  /**
   * A cluster key (32 or 64 hex characters, as an mm cipher key) that seals
   * what goes on the bus. Default: the server's own cipher key; a server
   * without one and without this option relays in the clear.
   */
  cipherKey?: string;
  /**
   * Milliseconds between the heartbeats that tell the other servers how
   * many tables this one has relayed, so a lost last table is noticed too
   * (default 1000, at least 10).
   */
  heartbeatInterval?: number;
  /**
   * Bytes of relayed tables held while the NATS connection is down, to be
   * published after the reconnect; beyond it tables are lost and reported
   * (default 4 MiB, 0 holds nothing).
   */
  maxPendingBytes?: number;
  /** Called with each change of the NATS connection's state. */
  onStatus?: NatsStatusHandler;
}

/**
 * Options for {@linkcode NatsRoom.join}: the room's, the NATS servers and
 * how to connect to them.
 *
 * @example Two nodes of a cluster
 * ```ts
 * import type { NatsRoomJoinOptions } from "@moonwire/moonwire/mm/nats";
 * import assert from "node:assert/strict";
 *
 * const options: NatsRoomJoinOptions = {
 *   servers: ["nats://10.0.0.1:4222", "nats://10.0.0.2:4222"],
 *   room: "lobby",
 * };
 * assert.equal(options.room, "lobby");
 * ```
 */
export interface NatsRoomJoinOptions
  extends NatsRoomOptions, NatsConnectOptions {
  /** One NATS URL or several; the nodes of a cluster announce the others. */
  servers: string | string[];
  /**
   * Aborts the join: it rejects at once with a DOMException named
   * "AbortError" (`Cannot join room: aborted`, the signal's reason as
   * `cause`), without connecting when the signal has already fired; a
   * connection that opens later is closed at once.
   */
  signal?: AbortSignal;
}

/**
 * Counters of a {@linkcode NatsRoom}, in tables unless said otherwise.
 *
 * @example Nothing missed
 * ```ts
 * import type { NatsRoomStats } from "@moonwire/moonwire/mm/nats";
 * import assert from "node:assert/strict";
 *
 * const stats: NatsRoomStats = {
 *   relayed: 10, received: 20, missed: 0, lost: 0, duplicates: 0,
 *   rejected: 0, undelivered: 0, disconnects: 0,
 * };
 * assert.equal(stats.missed + stats.lost, 0);
 * ```
 */
export interface NatsRoomStats {
  /** This server's broadcasts handed to the NATS client. */
  relayed: number;
  /** Other servers' tables received and handed to the local clients. */
  received: number;
  /**
   * Other servers' tables that never arrived: gaps in an origin's
   * sequence, found by its next message or heartbeat.
   */
  missed: number;
  /**
   * This server's broadcasts that could not be published: the connection
   * was down with `maxPendingBytes` full, the client refused them, or the
   * room closed with them still held.
   */
  lost: number;
  /** Tables received twice (replays), dropped. */
  duplicates: number;
  /**
   * Messages refused: not room messages, failed authentication, or sealed
   * and plain mixed up.
   */
  rejected: number;
  /**
   * Deliveries of relayed tables a local connection refused (its queue
   * full, or the table larger than this server's `maxMessageSize`).
   */
  undelivered: number;
  /** Times the NATS connection was lost. */
  disconnects: number;
}

function checkToken(name: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new TypeError(
      `Cannot join room: ${name} must be a string, got ${typeof value}`,
    );
  }
  if (!NATS_SUBJECT.test(value)) {
    throw new SyntaxError(
      `Cannot join room: ${name} ${
        JSON.stringify(value)
      } is not a subject (letters, digits, "_" and "-" in tokens separated by ".")`,
    );
  }
  return value;
}

function checkInteger(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(
      `Cannot join room: ${name} ${value} is not an integer of at least ${min}`,
    );
  }
  return value;
}

function checkOptions(server: unknown, options: NatsRoomOptions) {
  if (!(server instanceof Server)) {
    throw new TypeError("Cannot join room: server must be an mm Server");
  }
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Cannot join room: options must be an object");
  }
  if (
    options.onStatus !== undefined && typeof options.onStatus !== "function"
  ) {
    throw new TypeError("Cannot join room: onStatus must be a function");
  }
  return {
    room: checkToken("room", options.room),
    prefix: checkToken("prefix", options.prefix ?? DEFAULT_NATS_ROOM_PREFIX),
    psk: options.cipherKey === undefined
      ? undefined
      : deriveKey(parseCipherKey(options.cipherKey), PSK_LABEL, 32),
    heartbeat: checkInteger(
      "heartbeatInterval",
      options.heartbeatInterval,
      1000,
      10,
    ),
    maxPending: checkInteger(
      "maxPendingBytes",
      options.maxPendingBytes,
      4 * 1024 * 1024,
      0,
    ),
  };
}

/** How many tables a room message holds (from its header). */
function countOf(message: Uint8Array): number {
  return message[2] === KIND_TABLES
    ? new DataView(message.buffer, message.byteOffset + 20, 4).getUint32(0)
    : 0;
}

/**
 * An mm {@linkcode Server} in a room on NATS, so several servers (processes,
 * machines) serve one audience: `broadcast()` on any of them reaches every
 * client of every server in the room, exactly once, and the tables of one
 * server arrive everywhere in the order it broadcast them. `send()` to a
 * connection stays local, and so do receive events: each server sees its own
 * clients' tables.
 *
 * The room is the subject `<prefix>.<room>` (default prefix
 * `"moonwire.mm"`). Each server publishes its broadcasts there (those of
 * one tick in one NATS message) with a random 64-bit origin id chosen when
 * the room is joined and a sequence number per table; every other server in
 * the room hands them to its own clients. Relayed tables are never relayed
 * again.
 *
 * Sealing: when the server has a cipher key (or the room a `cipherKey` of
 * its own), every message is sealed with ChaCha20-Poly1305 under a key
 * derived with HKDF (label `"moonwire mm nats room v1"`, distinct from mm's
 * PSK label), nonce = origin id ‖ message number, the header and subject
 * authenticated: a subscriber to `>` sees ciphertext only, and a message
 * that was modified, moved to another room or sealed under another key is
 * refused (`stats.rejected`, `EVENT_ERROR`). Replays are dropped by their
 * sequence number (`stats.duplicates`). Without a key tables travel in the
 * clear and are checked (decoded) before local clients get them.
 *
 * Delivery: core NATS is at most once, and drops what is published while a
 * client reconnects. The room never loses silently: while its connection is
 * down it holds its broadcasts (up to `maxPendingBytes`) and publishes them
 * in order after the reconnect; it reports the disconnect as an
 * `EVENT_ERROR` on the server's event queue, and any gap in another
 * server's sequence — found by that server's next message or its next
 * heartbeat (every `heartbeatInterval`, default 1 s) — as an `EVENT_ERROR`
 * with the count: `Cannot receive relayed tables in room "lobby": 12
 * tables from origin 8f3a0c2e9b1d4f60 missed (sequence 100-111)`. Tables
 * it could not publish are an `EVENT_ERROR` too (`Cannot relay 5 tables in
 * room "lobby": ...`). `stats` counts it all. The events' `object` is the
 * room. An origin is known from the first message heard from it: what a
 * server broadcast before this one joined is not missed.
 *
 * Ownership: {@linkcode NatsRoom.join} connects and the room owns the
 * connection (`close()` closes it); `new NatsRoom(server, connection,
 * options)` uses the caller's connection and leaves it open. A server is
 * in at most one room at a time. Close the room before the server to relay
 * the server's last broadcasts; `close()` publishes everything broadcast
 * before it (giving a reconnect up to 2 s) and tells the others it left.
 *
 * @example Two servers in one room (skipped where no NATS server runs)
 * ```ts ignore
 * import { Server } from "@moonwire/moonwire/mm";
 * import { NatsRoom } from "@moonwire/moonwire/mm/nats";
 *
 * const servers = ["nats://127.0.0.1:4222"];
 * await using east = new Server("127.0.0.1", 0);
 * await using west = new Server("127.0.0.1", 0);
 * await using eastRoom = await NatsRoom.join(east, { servers, room: "lobby" });
 * await using westRoom = await NatsRoom.join(west, { servers, room: "lobby" });
 * // Clients of either server get it.
 * east.broadcast({ OpCode: 10, Data: "Hello everyone" });
 * ```
 */
export class NatsRoom implements NetworkObject, AsyncDisposable {
  // Set by `join` around its `new`: that room owns its connection.
  static #owning = false;
  readonly #socketId = newSocketId();
  readonly #connection: NatsConnection;
  readonly #owned: boolean;
  readonly #room: string;
  readonly #subject: string;
  readonly #subjectBytes: Uint8Array;
  readonly #attachment: RoomAttachment;
  readonly #sealed: boolean;
  readonly #maxPending: number;
  readonly #outbox: NatsOutbox;
  readonly #watch: NatsStatusWatch;
  readonly #subscription: Subscription;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  readonly #sender: RoomSender;
  readonly #receiver: RoomReceiver;
  readonly #stats: NatsRoomStats = {
    relayed: 0,
    received: 0,
    missed: 0,
    lost: 0,
    duplicates: 0,
    rejected: 0,
    undelivered: 0,
    disconnects: 0,
  };
  #serverMaxPayload: number;
  #closed = false;
  #closeTask: Promise<void> | undefined;

  /**
   * Connects to NATS and puts `server` in the room; the room owns the
   * connection. The connection defaults notice a hung node within about
   * 3 s and reconnect to another node for ever.
   *
   * @param server The mm server whose broadcasts the room relays.
   * @param options `servers`, `room`, the room's and connection's
   *   options, and `signal`, which aborts the join.
   * @returns The room, subscribed.
   * @throws {TypeError} For a `server` that is not an mm `Server` or a bad
   *   option type (also a `signal` that is not an AbortSignal).
   * @throws {DOMException} "AbortError" when `signal` fires first, also
   *   before the call (`Cannot join room: aborted`, its reason as `cause`);
   *   a connection that opens later is closed at once.
   * @throws {SyntaxError} For a room or prefix that is not a subject, or a
   *   cipher key that is not hex.
   * @throws {RangeError} For a number out of range or a cipher key of the
   *   wrong length.
   * @throws {Error} When no NATS server answers (`Cannot join room: no NATS
   *   server answered at ...`, the client's error as `cause`) or the server
   *   is already in a room.
   *
   * @example No NATS server at the address
   * ```ts
   * import { Server } from "@moonwire/moonwire/mm";
   * import { NatsRoom } from "@moonwire/moonwire/mm/nats";
   * import assert from "node:assert/strict";
   *
   * await using server = new Server("127.0.0.1", 0);
   * await assert.rejects(
   *   NatsRoom.join(server, { servers: "nats://127.0.0.1:1", room: "lobby" }),
   *   {
   *     message:
   *       "Cannot join room: no NATS server answered at nats://127.0.0.1:1 (connection refused)",
   *   },
   * );
   * ```
   */
  static async join(
    server: Server,
    options: NatsRoomJoinOptions,
  ): Promise<NatsRoom> {
    checkOptions(server, options);
    return await connectOwned(
      "join room",
      options.servers,
      options,
      (connection) => {
        NatsRoom.#owning = true;
        try {
          return new NatsRoom(server, connection, options);
        } finally {
          NatsRoom.#owning = false;
        }
      },
    );
  }

  /**
   * Puts `server` in the room on a connection the caller opened and keeps
   * owning: `close()` leaves the room and the connection open.
   *
   * @param server The mm server whose broadcasts the room relays.
   * @param connection An open connection from `@nats-io/transport-node`.
   * @param options `room` and the room's options.
   * @throws {TypeError} For a bad `server`, `connection` or option type.
   * @throws {Error} When the server is already in a room.
   *
   * @example On a connection the program opened (skipped where no NATS server runs)
   * ```ts ignore
   * import { connect } from "@nats-io/transport-node";
   * import { Server } from "@moonwire/moonwire/mm";
   * import { NatsRoom } from "@moonwire/moonwire/mm/nats";
   *
   * const connection = await connect({ servers: "127.0.0.1:4222" });
   * await using server = new Server("127.0.0.1", 0);
   * const room = new NatsRoom(server, connection, { room: "lobby" });
   * await room.close();
   * await connection.close();
   * ```
   */
  constructor(
    server: Server,
    connection: NatsConnection,
    options: NatsRoomOptions,
  ) {
    const checked = checkOptions(server, options);
    checkNatsConnection("join room", connection);
    this.#attachment = roomHook.attach!(server, (encoded) => {
      this.#sender.add(encoded);
    });
    // Undone if anything below throws, so the server can join again.
    try {
      this.#connection = connection;
      this.#owned = NatsRoom.#owning;
      this.#room = checked.room;
      this.#subject = `${checked.prefix}.${checked.room}`;
      this.#subjectBytes = encoder.encode(this.#subject);
      const psk = checked.psk ?? this.#attachment.psk;
      const aead = psk === undefined
        ? undefined
        : createAead("ChaCha20-Poly1305", roomKey(psk));
      this.#sealed = aead !== undefined;
      this.#sender = new RoomSender(aead, this.#subjectBytes, {
        maxPayload: () => this.#serverMaxPayload,
        publish: (message) => this.#publish(message),
        lose: (tables, reason) => this.#lose(tables, reason),
      });
      this.#receiver = new RoomReceiver(aead, this.#subjectBytes, {
        room: this.#room,
        attachment: this.#attachment,
        connectionCount: () => server.connectionCount(),
        origin: () => this.#sender.origin,
        report: (errors) => this.#report(errors),
        greet: () => this.#sender.mark(KIND_HEARTBEAT),
      }, this.#stats);
      this.#maxPending = checked.maxPending;
      this.#outbox = new NatsOutbox(checked.maxPending);
      this.#serverMaxPayload = natsMaxPayload(connection);
      const onStatus = options.onStatus;
      this.#watch = watchNatsStatus(connection, (status) => {
        if (status.type === "disconnect") {
          this.#outbox.disconnected();
          this.#stats.disconnects++;
          this.#report(
            `Cannot relay tables in room ${
              JSON.stringify(this.#room)
            }: lost the NATS connection to ${status.server}; broadcasts are held until it is back, tables relayed meanwhile may be missed`,
          );
        }
        if (status.type === "reconnect") {
          this.#serverMaxPayload = natsMaxPayload(connection) ||
            this.#serverMaxPayload;
          this.#outbox.reconnected((subject, message) => {
            try {
              this.#publishNow(subject, message);
            } catch (error) {
              this.#lose(countOf(message), (error as Error).message);
            }
          });
          // Tell the others at once how far this server got.
          if (!this.#closed) this.#sender.mark(KIND_HEARTBEAT);
        }
        if (status.type === "close") {
          this.#dropHeld("the NATS connection closed for good first");
        }
        if (!this.#closed || status.type === "close") onStatus?.(status);
      });
      this.#subscription = connection.subscribe(this.#subject, {
        callback: (error, message) => {
          if (error === null) this.#receiver.receive(message.data);
        },
      });
      this.#heartbeat = setInterval(() => {
        if (this.#outbox.connected) this.#sender.mark(KIND_HEARTBEAT);
      }, checked.heartbeat);
      this.#sender.mark(KIND_HEARTBEAT);
    } catch (error) {
      this.#attachment.detach();
      throw error;
    }
    connection.closed().then(() => this.close(), () => this.close());
  }

  /** The room's name. */
  get room(): string {
    return this.#room;
  }

  /** The NATS subject of the room: `<prefix>.<room>`. */
  get subject(): string {
    return this.#subject;
  }

  /** Whether messages on the bus are sealed (a cipher key is in use). */
  get sealed(): boolean {
    return this.#sealed;
  }

  /** Whether the room owns its connection (created by `join`). */
  get ownsConnection(): boolean {
    return this.#owned;
  }

  /**
   * This server's origin id in the room (16 hex digits, random per join),
   * as the other servers' reports name it.
   */
  get origin(): string {
    return this.#sender.origin;
  }

  /** How many other servers (origins) in the room have been heard from. */
  get peers(): number {
    return this.#receiver.peers;
  }

  /** A snapshot of the counters. */
  get stats(): NatsRoomStats {
    return { ...this.#stats };
  }

  /** Whether the room is closed (by `close()` or its connection closing). */
  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * A unique socket id (as mm's objects have): room events carry the room
   * as their `object`.
   *
   * @returns The id, unique among all mm servers, clients, connections and
   *   rooms of this process.
   */
  getSocket(): number {
    return this.#socketId;
  }

  /**
   * The port of the NATS server the connection is attached to now.
   *
   * @returns The port, or `null` when not known.
   */
  getPort(): number | null {
    const port = Number(/:(\d+)$/.exec(this.#connection.getServer())?.[1]);
    return Number.isInteger(port) && port > 0 ? port : null;
  }

  /**
   * The host of the NATS server the connection is attached to now.
   *
   * @returns The host, `""` when not known.
   */
  getAddress(): string {
    return this.#connection.getServer().replace(/:\d+$/, "");
  }

  /**
   * Waits until everything broadcast so far is published and the NATS
   * server has it (a PING/PONG round trip), or `timeout` ms (default 2000).
   *
   * @param options `timeout` in ms.
   * @returns `false` when the server did not answer in time.
   */
  async flush(options: { timeout?: number } = {}): Promise<boolean> {
    this.#sender.cut();
    await this.#sender.settled();
    return await flushNats(this.#connection, options.timeout ?? CLOSE_FLUSH_MS);
  }

  /**
   * Leaves the room: stops relaying the server's broadcasts, publishes the
   * ones made before (giving a reconnect up to 2 s; what could not go out
   * is counted in `stats.lost` and reported), tells the other servers it
   * left, and closes an owned connection. Idempotent.
   *
   * @returns A promise that resolves once the room is closed.
   */
  close(): Promise<void> {
    this.#closeTask ??= this.#close();
    return this.#closeTask;
  }

  /** Same as {@linkcode close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(): Promise<void> {
    this.#closed = true;
    this.#attachment.detach();
    clearInterval(this.#heartbeat);
    const open = !this.#connection.isClosed();
    if (open) this.#sender.mark(KIND_LEAVE);
    else this.#sender.cut();
    await this.#sender.settled();
    if (open && !this.#connection.isClosed()) {
      await this.#outbox.empty(CLOSE_FLUSH_MS);
    }
    this.#dropHeld("the room closed before the NATS connection was back");
    if (!this.#connection.isClosed()) this.#subscription.unsubscribe();
    if (this.#owned) {
      await flushNats(this.#connection, CLOSE_FLUSH_MS);
      await this.#connection.close();
    } else {
      this.#watch.stop();
    }
    await this.#watch.done;
    await this.#receiver.close();
  }

  #publish(message: Uint8Array): void {
    let accepted: boolean;
    try {
      accepted = this.#outbox.send(this.#publishNow, this.#subject, message);
    } catch (error) {
      this.#lose(countOf(message), (error as Error).message);
      return;
    }
    if (!accepted) {
      this.#lose(
        countOf(message),
        `the NATS connection is down and ${this.#outbox.bytes} bytes are held (maxPendingBytes ${this.#maxPending})`,
      );
    }
  }

  #publishNow = (subject: string, message: Uint8Array): void => {
    this.#connection.publish(subject, message);
    this.#stats.relayed += countOf(message);
  };

  #dropHeld(reason: string): void {
    let tables = 0;
    for (const message of this.#outbox.clear()) tables += countOf(message);
    this.#lose(tables, reason);
  }

  #lose(tables: number, reason: string): void {
    if (tables === 0) return;
    this.#stats.lost += tables;
    this.#report(
      `Cannot relay ${tablesText(tables)} in room ${
        JSON.stringify(this.#room)
      }: ${reason}`,
    );
  }

  #report(errors: string): void {
    this.#attachment.error(this, errors);
  }
}
