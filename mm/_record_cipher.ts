// Copyright 2026 the moonwire authors. MIT license.
// The record cipher of an encrypted mm connection: the two Noise cipher
// states split from the handshake and the rekey schedule both ends follow.
// Records are sealed in place in the buffer they were built in (the framed
// connection copies them on send), and opened into a fresh buffer the
// decoded tables may keep views of.
import { AuthenticationError } from "../crypto/errors.ts";
import type { NoiseTransport } from "../crypto/noise_handshake.ts";
import { type ByteSink, createSink } from "../net/_table_encoder.ts";
import type { ResolvedOptions } from "./_options.ts";

/** Bytes a record grows by when sealed (Poly1305 tag). */
export const TAG_SIZE = 16;

/** Records and plaintext bytes under one direction's current key. */
interface KeyUsage {
  records: number;
  bytes: number;
}

/**
 * Counts one record of `bytes` against `usage`; true (and the count starts
 * over) when the key must be replaced now. Both ends count the same records,
 * so they rekey at the same place in the stream.
 */
function rekeyDue(
  usage: KeyUsage,
  bytes: number,
  options: ResolvedOptions,
): boolean {
  if (
    ++usage.records < options.rekeyRecords &&
    (usage.bytes += bytes) < options.rekeyBytes
  ) {
    return false;
  }
  usage.records = 0;
  usage.bytes = 0;
  return true;
}

export class RecordCipher {
  #transport: NoiseTransport;
  #options: ResolvedOptions;
  #peer: string;
  #sendUsage: KeyUsage = { records: 0, bytes: 0 };
  #receiveUsage: KeyUsage = { records: 0, bytes: 0 };

  constructor(
    transport: NoiseTransport,
    options: ResolvedOptions,
    peer: string,
  ) {
    this.#transport = transport;
    this.#options = options;
    this.#peer = peer;
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
    const cipher = this.#transport.send;
    const sealed = output === undefined
      ? await cipher.encrypt(record)
      : await cipher.encryptInto(record, output);
    if (rekeyDue(this.#sendUsage, record.length, this.#options)) {
      cipher.rekey();
    }
    return sealed;
  }

  /**
   * Opens a received record into a fresh buffer; AuthenticationError naming
   * the peer when it was not sealed by the peer in this place of the stream.
   */
  async open(frame: Uint8Array): Promise<Uint8Array> {
    const cipher = this.#transport.receive;
    let record: Uint8Array;
    try {
      record = await cipher.decrypt(frame);
    } catch (error) {
      if (error instanceof AuthenticationError) {
        throw new AuthenticationError(
          `Cannot read record from ${this.#peer}: authentication failed (modified, replayed, reordered or truncated record)`,
          { cause: error },
        );
      }
      throw error;
    }
    if (rekeyDue(this.#receiveUsage, record.length, this.#options)) {
      cipher.rekey();
    }
    return record;
  }
}
