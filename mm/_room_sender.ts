// Copyright 2026 the moonwire authors. MIT license.
// The sending half of a NATS room: a server's broadcasts of one tick become
// one numbered message (sealed when the room has a key), heartbeats and the
// leave say how many tables were sent, and everything is published in the
// order it was made, sealed or not.
import type { Aead } from "../crypto/aead.ts";
import {
  associatedData,
  HEADER_SIZE,
  KIND_LEAVE,
  KIND_TABLES,
  MAX_U32,
  nonceOf,
  tableSize,
  TAG_SIZE,
  writeHeader,
  writeTables,
} from "./_room_wire.ts";

/** What a {@linkcode RoomSender} publishes through and reports to. */
export interface RoomSenderSink {
  /** Largest message the bus takes now (the server's max_payload). */
  maxPayload(): number;
  /** Publishes (or holds) a finished message; called in order. */
  publish(message: Uint8Array): void;
  /** `tables` of this server's could not be published. */
  lose(tables: number, reason: string): void;
}

export class RoomSender {
  readonly #aead: Aead | undefined;
  readonly #subject: Uint8Array;
  readonly #sink: RoomSenderSink;
  #origin = crypto.getRandomValues(new Uint8Array(8));
  #originHex = this.#origin.toHex();
  #number = 0;
  #sequence = 0;
  // Broadcasts of the current tick, cut into one message at its end.
  #batch: Uint8Array[] = [];
  #batchBytes = 0;
  #cutScheduled = false;
  // Messages still being sealed; later ones wait behind them.
  #tail: Promise<void> = Promise.resolve();
  #sealing = 0;

  constructor(
    aead: Aead | undefined,
    subject: Uint8Array,
    sink: RoomSenderSink,
  ) {
    this.#aead = aead;
    this.#subject = subject;
    this.#sink = sink;
  }

  /** The origin id (hex) the messages carry now. */
  get origin(): string {
    return this.#originHex;
  }

  /** Largest table body the bus takes now. */
  maxBody(): number {
    return this.#sink.maxPayload() - HEADER_SIZE -
      (this.#aead === undefined ? 0 : TAG_SIZE);
  }

  /**
   * Takes a broadcast table (encoded, never changed later) for the next
   * message; throws a RangeError, taking nothing, when it cannot fit one.
   */
  add(encoded: Uint8Array): void {
    const size = tableSize(encoded);
    const limit = this.maxBody();
    if (size > limit) {
      throw new RangeError(
        `Cannot broadcast table: ${encoded.length} bytes exceed the room's limit ${
          limit - 4
        } (NATS max_payload less the room header)`,
      );
    }
    if (this.#batchBytes + size > limit) this.cut();
    this.#batch.push(encoded);
    this.#batchBytes += size;
    if (!this.#cutScheduled) {
      this.#cutScheduled = true;
      // The rest of this tick's broadcasts share the message.
      queueMicrotask(() => {
        this.#cutScheduled = false;
        this.cut();
      });
    }
  }

  /**
   * Makes the tables taken so far into a message. The batch is taken
   * synchronously: a table added after this goes into the next message.
   */
  cut(): void {
    const tables = this.#batch;
    if (tables.length === 0) return;
    const bytes = this.#batchBytes;
    this.#batch = [];
    this.#batchBytes = 0;
    const { number, sequence } = this.#claim(tables.length);
    this.#send(
      this.#message(KIND_TABLES, number, sequence, tables, bytes),
      tables.length,
    );
  }

  /** Sends a heartbeat or leave (after the tables taken so far). */
  mark(kind: number): void {
    this.cut();
    const { number, sequence } = this.#claim(0);
    this.#send(this.#message(kind, number, sequence), 0);
  }

  /** Resolves once every message made so far was handed to `publish`. */
  async settled(): Promise<void> {
    let tail: Promise<void>;
    do {
      tail = this.#tail;
      await tail;
    } while (tail !== this.#tail);
  }

  // Numbers a message; a new origin id before the number or the sequence
  // would wrap (the old one leaves first), so no nonce is ever reused.
  #claim(tables: number): { number: number; sequence: number } {
    if (this.#number >= MAX_U32 - 1 || this.#sequence + tables > MAX_U32) {
      const leave = this.#message(KIND_LEAVE, this.#number++, this.#sequence);
      this.#send(leave, 0);
      this.#origin = crypto.getRandomValues(new Uint8Array(8));
      this.#originHex = this.#origin.toHex();
      this.#number = 0;
      this.#sequence = 0;
    }
    const claimed = { number: this.#number++, sequence: this.#sequence };
    this.#sequence += tables;
    return claimed;
  }

  #message(
    kind: number,
    number: number,
    sequence: number,
    tables: readonly Uint8Array[] = [],
    bytes = 0,
  ): Uint8Array | Promise<Uint8Array> {
    const aead = this.#aead;
    const message = new Uint8Array(
      HEADER_SIZE + bytes + (aead === undefined ? 0 : TAG_SIZE),
    );
    writeHeader(
      message,
      kind,
      aead !== undefined,
      this.#origin,
      number,
      sequence,
      tables.length,
    );
    if (aead === undefined) {
      writeTables(message, HEADER_SIZE, tables);
      return message;
    }
    const body = new Uint8Array(bytes);
    writeTables(body, 0, tables);
    return aead.seal(
      nonceOf(message),
      body,
      associatedData(message, this.#subject),
    ).then((sealed) => {
      message.set(sealed, HEADER_SIZE);
      return message;
    });
  }

  // Publishes in the order messages were made: a plain one at once unless
  // sealed ones are still waiting ahead of it.
  #send(message: Uint8Array | Promise<Uint8Array>, tables: number): void {
    if (message instanceof Uint8Array && this.#sealing === 0) {
      this.#sink.publish(message);
      return;
    }
    this.#sealing++;
    this.#tail = this.#tail.then(() => message).then(
      (ready) => this.#sink.publish(ready),
      (error) => this.#sink.lose(tables, `Cannot seal: ${error.message}`),
    ).finally(() => this.#sealing--);
  }
}
