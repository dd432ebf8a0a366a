// Copyright 2026 the moonwire authors. MIT license.
// The receiving half of a NATS room: checks each message from the bus
// (header, seal, shape), hands the tables of other servers to the local
// clients in each origin's order, and counts and reports what never came
// (gaps in an origin's sequence), what came twice and what was refused.
import type { Aead } from "../crypto/aead.ts";
import { TableReader } from "../net/_table_decoder.ts";
import { RoomOrigins } from "./_room_origins.ts";
import type { RoomAttachment } from "./_room_hook.ts";
import {
  associatedData,
  HEADER_SIZE,
  KIND_HEARTBEAT,
  KIND_LEAVE,
  KIND_TABLES,
  nonceOf,
  readHeader,
  readTables,
  type RoomHeader,
  tablesText,
} from "./_room_wire.ts";

/** The receive counters of a room's stats. */
export interface ReceiveCounters {
  received: number;
  missed: number;
  duplicates: number;
  rejected: number;
  undelivered: number;
}

/** What a {@linkcode RoomReceiver} delivers to and reports through. */
export interface RoomReceiverSink {
  /** The room's name, for the reports. */
  readonly room: string;
  readonly attachment: RoomAttachment;
  /** How many local connections there are. */
  connectionCount(): number;
  /** This server's own origin id (hex) now. */
  origin(): string;
  /** Reports an `EVENT_ERROR`. */
  report(errors: string): void;
  /** A server was heard from for the first time: answer with a heartbeat. */
  greet(): void;
}

export class RoomReceiver {
  readonly #aead: Aead | undefined;
  readonly #subject: Uint8Array;
  readonly #sink: RoomReceiverSink;
  readonly #stats: ReceiveCounters;
  readonly #origins = new RoomOrigins();
  readonly #reader = new TableReader();
  // Sealed messages are handled in arrival order once opened.
  #tail: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    aead: Aead | undefined,
    subject: Uint8Array,
    sink: RoomReceiverSink,
    stats: ReceiveCounters,
  ) {
    this.#aead = aead;
    this.#subject = subject;
    this.#sink = sink;
    this.#stats = stats;
  }

  /** Origins heard from. */
  get peers(): number {
    return this.#origins.size;
  }

  /** Stops delivering; resolves once no message is being opened. */
  async close(): Promise<void> {
    this.#closed = true;
    let tail: Promise<void>;
    do {
      tail = this.#tail;
      await tail;
    } while (tail !== this.#tail);
  }

  /** One message from the room's subscription (`data` is the client's). */
  receive(data: Uint8Array): void {
    if (this.#closed) return;
    const header = readHeader(data);
    if (header === undefined) {
      this.#reject(`a ${data.length}-byte message is not a room message`);
      return;
    }
    // Its own, on a connection that echoes.
    if (header.origin === this.#sink.origin()) return;
    const aead = this.#aead;
    if (header.sealed !== (aead !== undefined)) {
      this.#reject(
        `a ${
          header.sealed ? "sealed" : "plain"
        } message from origin ${header.origin} in a ${
          aead === undefined ? "plain" : "sealed"
        } room (do the servers use the same cipher key?)`,
      );
      return;
    }
    if (header.kind !== KIND_TABLES && header.count !== 0) {
      this.#reject(`a malformed message from origin ${header.origin}`);
      return;
    }
    if (aead === undefined) {
      this.#handle(header, data.subarray(HEADER_SIZE));
      return;
    }
    // Opened now, while the bytes are surely intact; handled in order.
    const opened = aead.open(
      nonceOf(data),
      data.subarray(HEADER_SIZE),
      associatedData(data, this.#subject),
    );
    this.#tail = this.#tail.then(() => opened).then(
      (body) => this.#handle(header, body),
      () =>
        this.#reject(
          `a message from origin ${header.origin} failed authentication (another cipher key, or modified)`,
        ),
    );
  }

  #reject(detail: string): void {
    this.#stats.rejected++;
    this.#sink.report(
      `Cannot receive relayed tables in room ${
        JSON.stringify(this.#sink.room)
      }: ${detail}`,
    );
  }

  #handle(header: RoomHeader, body: Uint8Array): void {
    if (this.#closed) return;
    const origin = header.origin;
    if (header.kind !== KIND_TABLES) {
      const known = this.#origins.has(origin);
      const arrival = this.#origins.upTo(
        origin,
        header.sequence,
        header.kind === KIND_LEAVE,
      );
      this.#noteMissed(origin, arrival.missed, arrival.from);
      // A newcomer learns of this server at once, not a heartbeat later.
      if (!known && header.kind === KIND_HEARTBEAT) this.#sink.greet();
      return;
    }
    let tables: Uint8Array[];
    try {
      tables = readTables(body, header.count);
      // Plain tables come from anyone on the bus: checked before clients
      // get them. Sealed ones were made by a room member's encoder.
      if (this.#aead === undefined) {
        for (const table of tables) this.#reader.decode(table, 64);
      }
    } catch (error) {
      this.#reject(
        `a message from origin ${origin} is malformed (${
          (error as Error).message
        })`,
      );
      return;
    }
    const arrival = this.#origins.tables(origin, header.sequence, header.count);
    this.#noteMissed(origin, arrival.missed, arrival.from);
    this.#stats.duplicates += arrival.skip;
    const attachment = this.#sink.attachment;
    const max = attachment.maxMessageSize;
    let refused = 0;
    for (let i = arrival.skip; i < tables.length; i++) {
      const table = tables[i];
      this.#stats.received++;
      refused += table.length > max
        ? this.#sink.connectionCount()
        : attachment.deliver(table);
    }
    if (refused > 0) {
      this.#stats.undelivered += refused;
      this.#sink.report(
        `Cannot deliver relayed tables in room ${
          JSON.stringify(this.#sink.room)
        }: ${refused} local ${
          refused === 1 ? "delivery" : "deliveries"
        } refused (send queue full or table over maxMessageSize)`,
      );
    }
  }

  #noteMissed(origin: string, missed: number, from: number): void {
    if (missed === 0) return;
    this.#stats.missed += missed;
    this.#sink.report(
      `Cannot receive relayed tables in room ${
        JSON.stringify(this.#sink.room)
      }: ${tablesText(missed)} from origin ${origin} missed (sequence ${from}-${
        from + missed - 1
      })`,
    );
  }
}
