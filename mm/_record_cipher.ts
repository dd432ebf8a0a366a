// Copyright 2026 the moonwire authors. MIT license.
// The record cipher of an encrypted mm connection: the two Noise cipher
// states split from the handshake and the rekey schedule both ends follow.
// Records are sealed in place in the buffer they were built in (the framed
// connection copies them on send), and opened into a fresh buffer the
// decoded tables may keep views of.
import { AuthenticationError } from "../crypto/errors.ts";
import type { NoiseTransport } from "../crypto/noise_handshake.ts";
import type { NoiseCipherState } from "../crypto/noise_cipher_state.ts";
import { type ByteSink, createSink } from "../net/_table_encoder.ts";
import type { ResolvedOptions } from "./_options.ts";

/** Bytes a record grows by when sealed (Poly1305 tag). */
export const TAG_SIZE = 16;

/** Where a record cipher reads its peer's name, for messages. */
export interface PeerNamed {
  /** The peer's address and port. */
  readonly peer: string;
}

/**
 * One encrypted connection's cipher states and the records and plaintext
 * bytes under each direction's current key. An idle connection holds this
 * object and the two states: the counts are number fields (not objects),
 * the handshake hash is not kept (mm does not use it), and the options and
 * the peer's name are read from the session when needed.
 */
export class RecordCipher {
  #send: NoiseCipherState;
  #receive: NoiseCipherState;
  #options: ResolvedOptions;
  #session: PeerNamed;
  #sendRecords = 0;
  #sendBytes = 0;
  #receiveRecords = 0;
  #receiveBytes = 0;

  constructor(
    transport: NoiseTransport,
    options: ResolvedOptions,
    session: PeerNamed,
  ) {
    this.#send = transport.send;
    this.#receive = transport.receive;
    this.#options = options;
    this.#session = session;
  }

  // Counts one record of `bytes` in one direction; true (and that count
  // starts over) when its key must be replaced now. Both ends count the same
  // records, so they rekey at the same place in the stream.
  #rekeyDue(sending: boolean, bytes: number): boolean {
    const records = (sending ? this.#sendRecords : this.#receiveRecords) + 1;
    const total = (sending ? this.#sendBytes : this.#receiveBytes) + bytes;
    const due = records >= this.#options.rekeyRecords ||
      total >= this.#options.rekeyBytes;
    if (sending) {
      this.#sendRecords = due ? 0 : records;
      this.#sendBytes = due ? 0 : total;
    } else {
      this.#receiveRecords = due ? 0 : records;
      this.#receiveBytes = due ? 0 : total;
    }
    return due;
  }

  /**
   * Seals the record in `sink` in place: the tag goes into the room a
   * record buffer keeps after its tables, made here (one copy) on the rare
   * record whose tables filled that room.
   */
  sealInPlace(sink: ByteSink): Promise<Uint8Array> {
    if (sink.buffer.length < sink.length + TAG_SIZE) {
      const grown = createSink(sink.length + TAG_SIZE);
      grown.buffer.set(sink.buffer.subarray(0, sink.length));
      sink.buffer = grown.buffer;
      sink.view = grown.view;
    }
    return this.#seal(sink.buffer.subarray(0, sink.length), sink.buffer);
  }

  /** Seals a record into a new array. */
  seal(record: Uint8Array): Promise<Uint8Array> {
    return this.#seal(record, undefined);
  }

  // Counts the record toward the rekey limits exactly as the receiver's
  // open() does.
  async #seal(
    record: Uint8Array,
    output: Uint8Array | undefined,
  ): Promise<Uint8Array> {
    const cipher = this.#send;
    const sealed = output === undefined
      ? await cipher.encrypt(record)
      : await cipher.encryptInto(record, output);
    if (this.#rekeyDue(true, record.length)) cipher.rekey();
    return sealed;
  }

  /**
   * Opens a received record into a fresh buffer; AuthenticationError naming
   * the peer when it was not sealed by the peer in this place of the stream.
   */
  async open(frame: Uint8Array): Promise<Uint8Array> {
    const cipher = this.#receive;
    let record: Uint8Array;
    try {
      record = await cipher.decrypt(frame);
    } catch (error) {
      if (error instanceof AuthenticationError) {
        throw new AuthenticationError(
          `Cannot read record from ${this.#session.peer}: authentication failed (modified, replayed, reordered or truncated record)`,
          { cause: error },
        );
      }
      throw error;
    }
    if (this.#rekeyDue(false, record.length)) cipher.rekey();
    return record;
  }
}
