// Copyright 2026 the moonwire authors. MIT license.
// The bus format of a NATS room (mm/nats). Every message starts with a
// 24-byte header, sent in the clear and, when sealed, authenticated:
//
//   0  "R" (0x52)          4..11   origin id (random per room start)
//   1  version 1           12..15  message number (u32, per origin)
//   2  kind                16..19  sequence (u32): tables: the first one's;
//   3  flags (1: sealed)           heartbeat and leave: tables sent so far
//                          20..23  how many tables the message holds
//
// The body of a tables message is each encoded table as u32 length + bytes;
// sealed, it is ChaCha20-Poly1305 ciphertext and tag with the nonce origin
// id ‖ message number (never reused: a new origin id at every start and
// before the number wraps) and the header ‖ subject as associated data, so
// nothing can be moved to another room, origin or position. Heartbeats and
// leaves have no body (sealed: just the tag).
import { deriveKey } from "../crypto/derive_key.ts";

export const MAGIC = 0x52;
export const VERSION = 1;
export const HEADER_SIZE = 24;
export const TAG_SIZE = 16;
export const FLAG_SEALED = 1;
export const KIND_TABLES = 1;
export const KIND_HEARTBEAT = 2;
export const KIND_LEAVE = 3;
/** Highest message number and sequence before the origin id is renewed. */
export const MAX_U32 = 0xffffffff;

/**
 * HKDF label of the sealing key: derived from the mm PSK (itself the cipher
 * key through HKDF with mm's own label), so it is independent of the key
 * that protects client connections.
 */
export const ROOM_KEY_LABEL = "moonwire mm nats room v1";

/** The room's ChaCha20-Poly1305 key from an mm PSK. */
export function roomKey(psk: Uint8Array): Uint8Array<ArrayBuffer> {
  return deriveKey(psk, ROOM_KEY_LABEL, 32);
}

/** A decoded header. */
export interface RoomHeader {
  kind: number;
  sealed: boolean;
  /** The origin id as a number-safe key: its 16 hex digits. */
  origin: string;
  number: number;
  sequence: number;
  count: number;
}

/** Writes a header at the start of `message`. */
export function writeHeader(
  message: Uint8Array,
  kind: number,
  sealed: boolean,
  origin: Uint8Array,
  number: number,
  sequence: number,
  count: number,
): void {
  const view = new DataView(
    message.buffer,
    message.byteOffset,
    HEADER_SIZE,
  );
  message[0] = MAGIC;
  message[1] = VERSION;
  message[2] = kind;
  message[3] = sealed ? FLAG_SEALED : 0;
  message.set(origin, 4);
  view.setUint32(12, number);
  view.setUint32(16, sequence);
  view.setUint32(20, count);
}

/** Reads a header, or `undefined` when `data` is not a room message. */
export function readHeader(data: Uint8Array): RoomHeader | undefined {
  if (
    data.length < HEADER_SIZE || data[0] !== MAGIC || data[1] !== VERSION ||
    data[2] < KIND_TABLES || data[2] > KIND_LEAVE || (data[3] & ~1) !== 0
  ) {
    return undefined;
  }
  const view = new DataView(data.buffer, data.byteOffset, HEADER_SIZE);
  return {
    kind: data[2],
    sealed: data[3] === FLAG_SEALED,
    origin: data.subarray(4, 12).toHex(),
    number: view.getUint32(12),
    sequence: view.getUint32(16),
    count: view.getUint32(20),
  };
}

/** The nonce of a sealed message: origin id ‖ 0 ‖ message number. */
export function nonceOf(header: Uint8Array): Uint8Array<ArrayBuffer> {
  const nonce = new Uint8Array(12);
  nonce.set(header.subarray(4, 12));
  nonce.set(header.subarray(12, 16), 8);
  return nonce;
}

/** Associated data of a sealed message: its header ‖ the subject. */
export function associatedData(
  header: Uint8Array,
  subject: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(HEADER_SIZE + subject.length);
  data.set(header.subarray(0, HEADER_SIZE));
  data.set(subject, HEADER_SIZE);
  return data;
}

/** Bytes a table takes in a body. */
export function tableSize(encoded: Uint8Array): number {
  return 4 + encoded.length;
}

/** Writes `tables` as u32 length + bytes each into `body` from `offset`. */
export function writeTables(
  body: Uint8Array,
  offset: number,
  tables: readonly Uint8Array[],
): void {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (const table of tables) {
    view.setUint32(offset, table.length);
    body.set(table, offset + 4);
    offset += 4 + table.length;
  }
}

/**
 * Splits a body into its `count` tables (views of `body`); throws a
 * SyntaxError when the lengths do not add up to the body exactly.
 */
export function readTables(body: Uint8Array, count: number): Uint8Array[] {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const tables: Uint8Array[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > body.length) break;
    const length = view.getUint32(offset);
    offset += 4;
    if (length === 0 || offset + length > body.length) break;
    tables.push(body.subarray(offset, offset + length));
    offset += length;
  }
  if (tables.length !== count || offset !== body.length) {
    throw new SyntaxError(
      `Cannot read relayed tables: ${count} tables do not fit a ${body.length}-byte body`,
    );
  }
  return tables;
}

/** `"1 table"`, `"12 tables"`: counts in reports. */
export function tablesText(count: number): string {
  return `${count} table${count === 1 ? "" : "s"}`;
}
