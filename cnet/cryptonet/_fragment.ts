// Copyright 2026 the moonwire authors. MIT license.
// Fragmentation of an inner message too large for one DATA packet: FRAGMENT
// pieces (kind, messageId[4], index[2], count[2], chunk), each sealed as
// its own packet with consecutive counters; _reassembly.ts joins them.
import { FRAGMENT_HEADER_LENGTH, Inner } from "./_packet.ts";

/** Most pieces a message may have (the count is a u16). */
export const MAX_FRAGMENTS = 65535;

/** How many pieces of at most `maxPlain` bytes `length` bytes need. */
export function fragmentCount(length: number, maxPlain: number): number {
  return Math.ceil(length / (maxPlain - FRAGMENT_HEADER_LENGTH));
}

/** Splits `inner` into FRAGMENT pieces of at most `maxPlain` bytes. */
export function fragment(
  inner: Uint8Array,
  maxPlain: number,
  messageId: number,
): Uint8Array<ArrayBuffer>[] {
  const chunk = maxPlain - FRAGMENT_HEADER_LENGTH;
  const count = fragmentCount(inner.length, maxPlain);
  const pieces: Uint8Array<ArrayBuffer>[] = [];
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
  return pieces;
}
