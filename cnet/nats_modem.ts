// Copyright 2026 the moonwire authors. MIT license.
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import {
  checkNatsConnection,
  connectOwned,
  flushNats,
  natsMaxPayload,
  NatsOutbox,
  type NatsStatusWatch,
  watchNatsStatus,
} from "../net/_nats_connection.ts";
import type {
  Modem,
  ModemMessage,
  ModemMessageHandler,
  ModemSubscription,
} from "./modem.ts";
import { checkChannel } from "./_modem_channels.ts";

import {
  checkOptions,
  NATS_MODEM_HEADER_LENGTH,
  type NatsModemConnectOptions,
  type NatsModemOptions,
  type NatsModemStats,
} from "./_nats_modem_options.ts";
export {
  DEFAULT_NATS_MODEM_PREFIX,
  NATS_MODEM_HEADER_LENGTH,
  type NatsModemConnectOptions,
  type NatsModemOptions,
  type NatsModemStats,
} from "./_nats_modem_options.ts";
const MAGIC = 0x4e;
const VERSION = 1;
const SLAB_SIZE = 64 * 1024;
const SLAB_MESSAGE_MAX = 4096;
// How long close() waits for the server to confirm the last transmissions.
const CLOSE_FLUSH_MS = 2000;

/**
 * A {@linkcode Modem} on NATS, for cnet across machines and data centres:
 * channel N is the subject `<prefix>.N` (default prefix `"moonwire.cnet"`),
 * every modem with the channel open hears a transmission on it, on whichever
 * node of a NATS cluster it is attached to. CryptoNet, CTCP and CTTP run over
 * it unchanged; their encrypted traffic is ciphertext on the bus.
 *
 * Wire format: the message body is a 12-byte header — `"N"` (0x4e),
 * version 1, the reply channel (big-endian u16), the sender's random 8-byte
 * id — then the payload; no NATS headers. A modem never hears its own
 * transmissions: the sender id is checked on every message, and a
 * connection the modem opens itself also sets NATS `noEcho`. The payload
 * limit is the server's `max_payload` less the header (`maxPayloadSize`
 * lowers it); a larger payload is a `RangeError` before anything is sent.
 *
 * Ownership: {@linkcode NatsModem.connect} opens a connection from server
 * URLs and the modem owns it (`close()` closes it); `new NatsModem(connection)`
 * uses a connection the caller opened and still owns (`close()` removes the
 * modem's subscriptions and leaves the connection open). Connection states
 * (`disconnect`, `reconnecting`, `reconnect`, `stale`, `lameDuck`, `error`,
 * `close`) reach the `onStatus` option. When the connection closes for good
 * the modem closes too.
 *
 * Received payloads are copies, one per message and receiver; small ones
 * share a 64 KiB backing buffer with other payloads of the same modem (as
 * Node's `Buffer` pool does), so `slice()` a payload before transferring
 * its `buffer`.
 *
 * Delivery: core NATS is at most once, as a modem may be. Transmissions
 * `transmit()` accepted are handed to the client in call order. While the
 * connection is down (from its `disconnect` status to its `reconnect`) the
 * modem holds them (up to `maxPendingBytes`) and publishes them, in order,
 * right after the reconnect: the client itself drops what is published
 * while it redials. What goes out in the instant between the socket failing
 * and the `disconnect` status is lost, as on any modem. `close()` waits up
 * to 2 s for held transmissions to go out and, for an owned connection,
 * until the server has confirmed everything accepted; what could not go out
 * is counted in `stats.lost`.
 *
 * @example Two modems on one NATS server (skipped where none runs)
 * ```ts ignore
 * import { NatsModem } from "@moonwire/moonwire/cnet/nats";
 * import type { ModemMessage } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * await using a = await NatsModem.connect("127.0.0.1:4222");
 * await using b = await NatsModem.connect("127.0.0.1:4222");
 * b.open(5);
 * await b.flush();
 * const heard = new Promise<ModemMessage>((resolve) => b.subscribe(resolve));
 * a.transmit(5, 6, new TextEncoder().encode("over NATS"));
 * assert.equal((await heard).replyChannel, 6);
 * ```
 */
export class NatsModem implements Modem, AsyncDisposable {
  // Set by `connect` around its `new`: that modem owns its connection.
  static #owning = false;
  readonly #connection: NatsConnection;
  readonly #owned: boolean;
  readonly #prefix: string;
  readonly #maxOpen: number;
  readonly #maxPayloadOption: number;
  readonly #maxPending: number;
  readonly #subscriptions = new Map<number, Subscription>();
  readonly #subjects: string[] = [];
  readonly #handlers = new Set<ModemMessageHandler>();
  // A snapshot of #handlers for delivery, rebuilt when it changes.
  #handlerList: ModemMessageHandler[] = [];
  readonly #sender = crypto.getRandomValues(new Uint8Array(8));
  // The header with reply channel 0: magic, version, 0, 0, sender id.
  readonly #header = new Uint8Array([MAGIC, VERSION, 0, 0, ...this.#sender]);
  readonly #watch: NatsStatusWatch;
  readonly #outbox: NatsOutbox;
  readonly #publish: (subject: string, message: Uint8Array) => void;
  readonly #stats: NatsModemStats = {
    sent: 0,
    delivered: 0,
    dropped: 0,
    lost: 0,
  };
  #serverMaxPayload: number;
  readonly #released = Promise.withResolvers<void>();
  #slab = new ArrayBuffer(0);
  #slabUsed = 0;
  #inSlab = new Uint8Array(0);
  #inUsed = 0;
  #closed = false;

  /**
   * Connects to NATS and creates a modem that owns the connection. The
   * connection defaults notice a hung node within about 3 s (see
   * {@linkcode NatsConnectOptions}) and reconnect to another node for ever.
   *
   * @param servers One URL or several (`"nats://127.0.0.1:4222"`,
   * `"127.0.0.1:4222"`); the nodes of a cluster announce the others too.
   * @param options Modem options, credentials, connection timing and
   *   `signal`, which aborts the connect.
   * @returns The open modem.
   * @throws {TypeError} For `servers` that are not URL strings, or a
   * `signal` that is not an AbortSignal.
   * @throws {DOMException} "AbortError" when `signal` fires first, also
   * before the call (`Cannot connect NATS modem: aborted`, its reason as
   * `cause`); a connection that opens later is closed at once.
   * @throws {RangeError} For a limit or timing outside its range.
   * @throws {Error} When no server answers (`Cannot connect NATS modem: no
   * NATS server answered at 127.0.0.1:1 (...)`, the client's error as
   * `cause`).
   *
   * @example No server at the address
   * ```ts
   * import { NatsModem } from "@moonwire/moonwire/cnet/nats";
   * import assert from "node:assert/strict";
   *
   * await assert.rejects(NatsModem.connect("nats://127.0.0.1:1"), {
   *   message:
   *     "Cannot connect NATS modem: no NATS server answered at nats://127.0.0.1:1 (connection refused)",
   * });
   * ```
   *
   * @example Connect with a status handler (skipped where no server runs)
   * ```ts ignore
   * import { NatsModem } from "@moonwire/moonwire/cnet/nats";
   *
   * await using modem = await NatsModem.connect(
   *   ["nats://127.0.0.1:4222", "nats://127.0.0.1:4223"],
   *   { prefix: "game.cnet", onStatus: (status) => console.log(status.type) },
   * );
   * modem.open(1);
   * ```
   */
  static async connect(
    servers: string | string[],
    options: NatsModemConnectOptions = {},
  ): Promise<NatsModem> {
    checkOptions(options);
    return await connectOwned(
      "connect NATS modem",
      servers,
      options,
      (connection) => {
        NatsModem.#owning = true;
        try {
          return new NatsModem(connection, options);
        } finally {
          NatsModem.#owning = false;
        }
      },
    );
  }

  /**
   * Creates a modem on a connection the caller opened and keeps owning:
   * `close()` removes the modem's subscriptions but leaves the connection
   * open. Several modems may share one connection (they do not hear each
   * other's transmissions only when it was opened with `noEcho`).
   *
   * @param connection An open connection from `@nats-io/transport-node`.
   * @param options Prefix, limits and the status handler.
   * @throws {TypeError} When `connection` is not an open NATS connection.
   *
   * @example On a connection the program opened (skipped where no server runs)
   * ```ts ignore
   * import { connect } from "@nats-io/transport-node";
   * import { NatsModem } from "@moonwire/moonwire/cnet/nats";
   *
   * const connection = await connect({ servers: "127.0.0.1:4222" });
   * const modem = new NatsModem(connection);
   * modem.close();
   * await connection.close();
   * ```
   */
  constructor(connection: NatsConnection, options: NatsModemOptions = {}) {
    const { prefix, maxOpen, maxPayload, maxPending } = checkOptions(options);
    checkNatsConnection("create NATS modem", connection);
    const owned = NatsModem.#owning;
    this.#connection = connection;
    this.#owned = owned;
    this.#prefix = prefix;
    this.#maxOpen = maxOpen;
    this.#maxPayloadOption = maxPayload;
    this.#maxPending = maxPending;
    this.#serverMaxPayload = natsMaxPayload(connection);
    this.#outbox = new NatsOutbox(maxPending);
    this.#publish = (subject, message) => connection.publish(subject, message);
    const onStatus = options.onStatus;
    this.#watch = watchNatsStatus(connection, (status) => {
      if (status.type === "disconnect") this.#outbox.disconnected();
      if (status.type === "reconnect") {
        // A new node may have another limit.
        this.#serverMaxPayload = natsMaxPayload(connection) ||
          this.#serverMaxPayload;
        this.#outbox.reconnected((subject, message) => {
          try {
            this.#publish(subject, message);
          } catch {
            this.#stats.lost++;
          }
        });
      }
      if (status.type === "close") this.#dropHeld();
      if (!this.#closed || status.type === "close") onStatus?.(status);
    });
    connection.closed().then(() => this.close(), () => this.close());
  }

  /** Whether the modem owns its connection (created by `connect`). */
  get ownsConnection(): boolean {
    return this.#owned;
  }

  /** The subject prefix: channel N is `<prefix>.N`. */
  get prefix(): string {
    return this.#prefix;
  }

  /** The server the connection is attached to now (`"host:port"`). */
  get server(): string {
    return this.#connection.getServer();
  }

  /**
   * The largest payload `transmit` accepts: the server's `max_payload` less
   * the 12-byte header, or the `maxPayloadSize` option when lower.
   */
  get maxPayloadSize(): number {
    return Math.max(
      0,
      Math.min(
        this.#maxPayloadOption,
        this.#serverMaxPayload - NATS_MODEM_HEADER_LENGTH,
      ),
    );
  }

  /** Whether the modem is closed (by `close()` or its connection closing). */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** A snapshot of the counters. */
  get stats(): NatsModemStats {
    return { ...this.#stats };
  }

  /**
   * Resolves once `close()` is done: subscriptions removed and, for an owned
   * connection, everything accepted confirmed by the server (or 2 s passed)
   * and the connection closed.
   */
  get closed(): Promise<void> {
    return this.#released.promise;
  }

  /**
   * Waits until the server has every transmission accepted so far and every
   * channel opened so far (a PING/PONG round trip), so that a message sent
   * next by another client on an open channel is heard.
   *
   * @param options `timeout` in ms (default 2000).
   * @returns `false` when the server did not answer in time.
   */
  flush(options: { timeout?: number } = {}): Promise<boolean> {
    return flushNats(this.#connection, options.timeout ?? CLOSE_FLUSH_MS);
  }

  /**
   * Starts hearing `channel` (subscribes to `<prefix>.<channel>`).
   *
   * @param channel 0–65535.
   * @throws {RangeError} For a channel outside 0–65535 or when
   * `maxOpenChannels` channels are open.
   * @throws {Error} Once the modem is closed.
   */
  open(channel: number): void {
    if (this.#closed) throw new Error("Cannot open channel: modem is closed");
    checkChannel("open channel", channel);
    if (this.#subscriptions.has(channel)) return;
    if (this.#subscriptions.size >= this.#maxOpen) {
      throw new RangeError(
        `Cannot open channel: ${this.#maxOpen} channels are already open`,
      );
    }
    const subscription = this.#connection.subscribe(
      this.#subject(channel),
      {
        callback: (error, message) => {
          if (error === null) this.#onMessage(channel, message.data);
        },
      },
    );
    this.#subscriptions.set(channel, subscription);
  }

  /**
   * Whether `channel` is open.
   *
   * @param channel 0–65535.
   * @returns `true` when the channel is open.
   */
  isOpen(channel: number): boolean {
    checkChannel("check channel", channel);
    return this.#subscriptions.has(channel);
  }

  /**
   * Closes `channel`, or the whole modem without one: every subscription is
   * removed and an owned connection is closed once the server has confirmed
   * the accepted transmissions (see `closed`). Idempotent.
   *
   * @param channel 0–65535, or nothing to close the modem.
   */
  close(channel?: number): void {
    if (channel !== undefined) {
      checkChannel("close channel", channel);
      this.#unsubscribe(channel);
      return;
    }
    if (this.#closed) return;
    this.#closed = true;
    this.closeAll();
    this.#handlers.clear();
    this.#handlerList = [];
    // The connection's own close errors are the owner's concern.
    this.#release().then(this.#released.resolve, this.#released.resolve);
  }

  /** Closes every open channel; the modem stays usable. */
  closeAll(): void {
    for (const channel of [...this.#subscriptions.keys()]) {
      this.#unsubscribe(channel);
    }
  }

  /**
   * Publishes `payload` on `<prefix>.<channel>` with `replyChannel` in the
   * header. Accepted when it returns: handed to the NATS client in call
   * order, or, while the connection is down, held and published right after
   * the reconnect.
   *
   * @param channel 0–65535.
   * @param replyChannel 0–65535.
   * @param payload At most {@linkcode NatsModem.maxPayloadSize} bytes.
   * @throws {RangeError} For a channel outside 0–65535, a payload over
   * `maxPayloadSize` (`Cannot transmit: payload of 2000000 bytes exceeds
   * limit 1048564`), or no room left to hold it while the connection is down
   * (`maxPendingBytes`).
   * @throws {Error} Once the modem is closed, or when the client refuses
   * the message (e.g. its connection is draining; the client's error as
   * `cause`).
   */
  transmit(channel: number, replyChannel: number, payload: Uint8Array): void {
    if (this.#closed) throw new Error("Cannot transmit: modem is closed");
    checkChannel("transmit", channel);
    checkChannel("transmit", replyChannel);
    if (!(payload instanceof Uint8Array)) {
      throw new TypeError("Cannot transmit: payload must be a Uint8Array");
    }
    const limit = this.maxPayloadSize;
    if (payload.byteLength > limit) {
      throw new RangeError(
        `Cannot transmit: payload of ${payload.byteLength} bytes exceeds limit ${limit}`,
      );
    }
    const message = this.#allocate(NATS_MODEM_HEADER_LENGTH + payload.length);
    message.set(this.#header);
    message[2] = replyChannel >> 8;
    message[3] = replyChannel & 0xff;
    message.set(payload, NATS_MODEM_HEADER_LENGTH);
    let accepted: boolean;
    try {
      accepted = this.#outbox.send(
        this.#publish,
        this.#subject(channel),
        message,
      );
    } catch (error) {
      throw new Error(
        `Cannot transmit: ${error instanceof Error ? error.message : error}`,
        { cause: error },
      );
    }
    if (!accepted) {
      throw new RangeError(
        `Cannot transmit: the NATS connection is down and ${this.#outbox.bytes} bytes are waiting (maxPendingBytes ${this.#maxPending})`,
      );
    }
    this.#stats.sent++;
  }

  /**
   * Calls `handler` for each message heard on an open channel.
   *
   * @param handler Receives each message.
   * @returns A subscription; `close()` removes the handler.
   */
  subscribe(handler: ModemMessageHandler): ModemSubscription {
    if (typeof handler !== "function") {
      throw new TypeError("Cannot subscribe: handler must be a function");
    }
    // A wrapper so the same function can be subscribed twice and removed once.
    const entry: ModemMessageHandler = (message) => handler(message);
    this.#handlers.add(entry);
    this.#handlerList = [...this.#handlers];
    const remove = () => {
      this.#handlers.delete(entry);
      this.#handlerList = [...this.#handlers];
    };
    return { close: remove, [Symbol.dispose]: remove };
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Closes the modem and waits for `closed`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.closed;
  }

  // Small outgoing messages are cut from a shared slab that is never reused
  // (the client only copies them into its write buffer at the next flush):
  // one backing store per 64 KiB instead of one per message, which costs
  // more than the rest of transmit.
  #allocate(length: number): Uint8Array<ArrayBuffer> {
    if (length > SLAB_MESSAGE_MAX) return new Uint8Array(length);
    if (this.#slabUsed + length > this.#slab.byteLength) {
      this.#slab = new ArrayBuffer(SLAB_SIZE);
      this.#slabUsed = 0;
    }
    const message = new Uint8Array(this.#slab, this.#slabUsed, length);
    this.#slabUsed += length;
    return message;
  }

  // Received payloads are copied into a slab of their own (never reused),
  // for the same reason: a copy per message, not a backing store.
  #copyIn(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
    const length = bytes.length;
    if (length > SLAB_MESSAGE_MAX) return bytes.slice();
    if (this.#inUsed + length > this.#inSlab.byteLength) {
      this.#inSlab = new Uint8Array(SLAB_SIZE);
      this.#inUsed = 0;
    }
    const start = this.#inUsed;
    this.#inSlab.set(bytes, start);
    this.#inUsed += length;
    return this.#inSlab.subarray(start, start + length);
  }

  // Subject strings are made once per channel: transmit is the hot path.
  #subject(channel: number): string {
    return this.#subjects[channel] ??= `${this.#prefix}.${channel}`;
  }

  #unsubscribe(channel: number): void {
    const subscription = this.#subscriptions.get(channel);
    if (subscription === undefined) return;
    this.#subscriptions.delete(channel);
    if (!this.#connection.isClosed()) subscription.unsubscribe();
  }

  async #release(): Promise<void> {
    // Held transmissions go out on the reconnect, if it comes soon.
    if (!this.#connection.isClosed()) await this.#outbox.empty(CLOSE_FLUSH_MS);
    this.#dropHeld();
    if (this.#owned) {
      await flushNats(this.#connection, CLOSE_FLUSH_MS);
      await this.#connection.close();
    } else {
      this.#watch.stop();
    }
    await this.#watch.done;
  }

  #dropHeld(): void {
    this.#stats.lost += this.#outbox.length;
    this.#outbox.clear();
  }

  #onMessage(channel: number, buffer: Uint8Array): void {
    // The client hands out Node Buffers over its read buffer: read and copy
    // through one plain view (Buffer element access and subarray are slow).
    const data = new Uint8Array(
      buffer.buffer,
      buffer.byteOffset,
      buffer.byteLength,
    );
    if (
      data.length < NATS_MODEM_HEADER_LENGTH || data[0] !== MAGIC ||
      data[1] !== VERSION
    ) {
      this.#stats.dropped++;
      return;
    }
    const sender = this.#sender;
    let own = true;
    for (let i = 0; i < 8; i++) {
      if (data[4 + i] !== sender[i]) {
        own = false;
        break;
      }
    }
    if (own) {
      this.#stats.dropped++;
      return;
    }
    if (this.#closed || !this.#subscriptions.has(channel)) return;
    this.#stats.delivered++;
    const payload = this.#copyIn(data.subarray(NATS_MODEM_HEADER_LENGTH));
    const message: ModemMessage = {
      channel,
      replyChannel: (data[2] << 8) | data[3],
      payload,
      distance: undefined,
    };
    for (const handler of this.#handlerList) {
      try {
        handler(message);
      } catch (error) {
        reportError(error);
      }
    }
  }
}
