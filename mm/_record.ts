// Copyright 2026 the moonwire authors. MIT license.
// Record format: a record (one frame, encrypted as a whole when a cipher key
// is set) holds one or more encoded tables, each prefixed with its length as
// a u32 big-endian. Tables sent in the same tick are coalesced into one
// record so per-record costs (AEAD, frame header, write) are amortised.

/** Builds the record holding `items[start..end)`; `bytes` is their total size. */
export function buildRecord(
  items: readonly Uint8Array[],
  start: number,
  end: number,
  bytes: number,
): Uint8Array<ArrayBuffer> {
  const record = new Uint8Array(bytes + 4 * (end - start));
  const view = new DataView(record.buffer);
  let offset = 0;
  for (let i = start; i < end; i++) {
    const item = items[i];
    view.setUint32(offset, item.length);
    record.set(item, offset + 4);
    offset += 4 + item.length;
  }
  return record;
}

/** Splits a record into its encoded tables (subarrays, no copy). */
export function splitRecord(
  record: Uint8Array,
  maxMessageSize: number,
): Uint8Array[] {
  const items: Uint8Array[] = [];
  const view = new DataView(record.buffer, record.byteOffset, record.length);
  let offset = 0;
  if (record.length === 0) {
    throw new SyntaxError("Cannot read record: record is empty");
  }
  while (offset < record.length) {
    if (record.length - offset < 4) {
      throw new SyntaxError(
        `Cannot read record: ${record.length - offset} trailing bytes`,
      );
    }
    const length = view.getUint32(offset);
    if (length > maxMessageSize) {
      throw new RangeError(
        `Cannot read record: message length ${length} exceeds limit ${maxMessageSize}`,
      );
    }
    offset += 4;
    if (length > record.length - offset) {
      throw new SyntaxError(
        `Cannot read record: message length ${length} exceeds the ${
          record.length - offset
        } bytes left`,
      );
    }
    items.push(record.subarray(offset, offset + length));
    offset += length;
  }
  return items;
}
