// Copyright 2026 the moonwire authors. MIT license.
// Record format: a record (one frame, encrypted as a whole when a cipher key
// is set) is a msgpack array32 of the encoded tables sent in the same tick.
// Coalescing amortises per-record costs (AEAD, frame header, write) and the
// receiver decodes a whole record with one decoder call. The close record,
// the same header with no tables, is the last record of a graceful close.
import type { LuaTable } from "../net/table_codec.ts";
import { TableReader } from "../net/_table_decoder.ts";
import {
  encodeWith,
  type ResolvedTableOptions,
} from "../net/_table_encoder.ts";
import { checkTable } from "./_options.ts";

/** Table codec options for messages of at most `maxMessageSize` bytes. */
export function messageOptions(maxMessageSize: number): ResolvedTableOptions {
  return { maxDepth: 64, maxBytes: maxMessageSize, canonical: false };
}

/**
 * Encodes one message for sending. The result may share its ArrayBuffer
 * with other messages (no allocation per small message); it is only read.
 */
export function encodeMessage(
  table: LuaTable,
  options: ResolvedTableOptions,
): Uint8Array {
  return encodeWith(checkTable(table), options, true);
}

/** Bytes of the array32 header in front of the tables. */
export const RECORD_HEADER_SIZE = 5;

/**
 * The close record: an array32 of no tables (`dd 00 00 00 00`). A graceful
 * close sends it (sealed, when encrypted) after every queued table; a stream
 * that ends without it was cut. A fresh copy each time: encrypting may reuse
 * the buffer.
 */
export function closeRecord(): Uint8Array<ArrayBuffer> {
  return Uint8Array.of(0xdd, 0, 0, 0, 0);
}

/** How many tables a record's header says it holds. */
export function recordCount(record: Uint8Array): number {
  return ((record[1] << 24) | (record[2] << 16) | (record[3] << 8) |
    record[4]) >>> 0;
}

/** Whether a (decrypted) record is the close record. */
export function isCloseRecord(record: Uint8Array): boolean {
  return record.length === RECORD_HEADER_SIZE && record[0] === 0xdd &&
    record[1] === 0 && record[2] === 0 && record[3] === 0 && record[4] === 0;
}

/** Builds the record holding `items[start..end)`; `bytes` is their total size. */
export function buildRecord(
  items: readonly Uint8Array[],
  start: number,
  end: number,
  bytes: number,
): Uint8Array<ArrayBuffer> {
  const record = new Uint8Array(RECORD_HEADER_SIZE + bytes);
  record[0] = 0xdd;
  new DataView(record.buffer).setUint32(1, end - start);
  let offset = RECORD_HEADER_SIZE;
  for (let i = start; i < end; i++) {
    record.set(items[i], offset);
    offset += items[i].length;
  }
  return record;
}

const reader = new TableReader();

/**
 * Decodes a record into its tables; typed errors on anything malformed.
 * With `owned` (a decrypted record: a fresh buffer nothing else holds or
 * reuses) byte strings are views of it instead of copies.
 */
export function readRecord(record: Uint8Array, owned = false): LuaTable[] {
  if (record.length <= RECORD_HEADER_SIZE || record[0] !== 0xdd) {
    throw new SyntaxError("Cannot read record: missing record header");
  }
  const count = recordCount(record);
  // Every table takes at least one byte: refuse counts that cannot fit.
  if (count === 0 || count > record.length - RECORD_HEADER_SIZE) {
    throw new SyntaxError(
      `Cannot read record: ${count} messages cannot fit in ${
        record.length - RECORD_HEADER_SIZE
      } bytes`,
    );
  }
  // The record array adds one level to the tables' default depth limit.
  const tables = reader.decode(record, 65, owned) as LuaTable[];
  for (let i = 0; i < tables.length; i++) {
    // Decoded values are tables unless scalars, strings or byte strings.
    const table: unknown = tables[i];
    if (
      typeof table !== "object" || table === null ||
      table instanceof Uint8Array
    ) {
      throw new TypeError(`Cannot read record: message ${i} is not a table`);
    }
  }
  return tables;
}
