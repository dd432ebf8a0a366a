// Copyright 2026 the moonwire authors. MIT license.
/**
 * Length-prefixed framing: each frame is a `u32` big-endian payload length
 * followed by the payload.
 *
 * @module
 */
import { FrameTooLargeError } from "./errors.ts";

/** Default largest payload a frame may carry: 1 MiB. */
export const DEFAULT_MAX_FRAME_SIZE: number = 1024 * 1024;

/** Bytes in a frame header (the `u32` big-endian payload length). */
export const FRAME_HEADER_SIZE = 4;

/** Options for {@linkcode FrameEncoder} and {@linkcode FrameDecoder}. */
export interface FrameCodecOptions {
  /**
   * Largest payload, in bytes, a frame may carry. Longer frames are a
   * {@linkcode FrameTooLargeError}. At most `2 ** 32 - 1`.
   *
   * @default {1048576}
   */
  maxFrameSize?: number;
}

function checkMaxFrameSize(
  value: number | undefined,
  action = "create frame codec",
): number {
  if (value === undefined && action === "create frame codec") {
    return DEFAULT_MAX_FRAME_SIZE;
  }
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot ${action}: maxFrameSize must be a number, got ${typeof value}`,
    );
  }
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new RangeError(
      `Cannot ${action}: maxFrameSize ${value} is not an integer in 0..4294967295`,
    );
  }
  return value;
}

/**
 * Writes frames: a 4-byte big-endian payload length, then the payload.
 *
 * @example Encode two frames at once
 * ```ts
 * import { FrameEncoder } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const encoder = new FrameEncoder();
 * assert.deepEqual(encoder.encode(new Uint8Array([7])), new Uint8Array([0, 0, 0, 1, 7]));
 * const both = encoder.encodeMany([new Uint8Array([1]), new Uint8Array([2, 3])]);
 * assert.deepEqual(both, new Uint8Array([0, 0, 0, 1, 1, 0, 0, 0, 2, 2, 3]));
 * ```
 */
export class FrameEncoder {
  #maxFrameSize: number;

  /**
   * Creates an encoder.
   *
   * @param options The payload size limit.
   */
  constructor(options: FrameCodecOptions = {}) {
    this.#maxFrameSize = checkMaxFrameSize(options.maxFrameSize);
  }

  /** Largest payload, in bytes, this encoder accepts. */
  get maxFrameSize(): number {
    return this.#maxFrameSize;
  }

  /**
   * Frames one payload.
   *
   * @param payload The bytes to frame.
   * @returns A new buffer holding header and payload.
   * @throws {FrameTooLargeError} When the payload is longer than `maxFrameSize`.
   */
  encode(payload: Uint8Array): Uint8Array<ArrayBuffer> {
    const length = this.#check(payload);
    const frame = new Uint8Array(FRAME_HEADER_SIZE + length);
    writeHeader(frame, 0, length);
    frame.set(payload, FRAME_HEADER_SIZE);
    return frame;
  }

  /**
   * Frames several payloads into one buffer, ready for a single write.
   *
   * @param payloads The payloads, in order.
   * @returns A new buffer with every frame back to back.
   * @throws {FrameTooLargeError} When any payload is longer than
   * `maxFrameSize` (nothing is encoded then).
   */
  encodeMany(payloads: Uint8Array[]): Uint8Array<ArrayBuffer> {
    let total = 0;
    for (const payload of payloads) {
      total += FRAME_HEADER_SIZE + this.#check(payload);
    }
    const out = new Uint8Array(total);
    let offset = 0;
    for (const payload of payloads) {
      writeHeader(out, offset, payload.length);
      out.set(payload, offset + FRAME_HEADER_SIZE);
      offset += FRAME_HEADER_SIZE + payload.length;
    }
    return out;
  }

  /**
   * Writes one frame into `target` at `offset` (for callers that batch frames
   * into their own buffer).
   *
   * @param payload The bytes to frame.
   * @param target Where to write; needs `4 + payload.length` bytes free at `offset`.
   * @param offset Where the frame starts in `target`.
   * @returns The offset just past the written frame.
   * @throws {FrameTooLargeError} When the payload is longer than `maxFrameSize`.
   * @throws {RangeError} When `target` is too small.
   */
  encodeInto(payload: Uint8Array, target: Uint8Array, offset = 0): number {
    const length = this.#check(payload);
    const end = offset + FRAME_HEADER_SIZE + length;
    if (!Number.isInteger(offset) || offset < 0 || end > target.length) {
      throw new RangeError(
        `Cannot encode frame: ${
          FRAME_HEADER_SIZE + length
        } bytes do not fit at offset ${offset} of a ${target.length}-byte buffer`,
      );
    }
    writeHeader(target, offset, length);
    target.set(payload, offset + FRAME_HEADER_SIZE);
    return end;
  }

  #check(payload: Uint8Array): number {
    if (!(payload instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot encode frame: payload must be a Uint8Array, got ${
          typeName(payload)
        }`,
      );
    }
    if (payload.length > this.#maxFrameSize) {
      throw new FrameTooLargeError(
        `Cannot encode frame: length ${payload.length} exceeds limit ${this.#maxFrameSize}`,
      );
    }
    return payload.length;
  }
}

/**
 * Splits a byte stream into frames, whatever the chunk boundaries.
 *
 * A frame that lies entirely inside one chunk is returned as a subarray of
 * that chunk (no copy), so keep the chunk unchanged while you use its frames.
 * A frame that spans chunks is gathered into one buffer of exactly its
 * declared size, allocated once its length is known and checked.
 *
 * The declared length is checked against `maxFrameSize` before anything is
 * allocated. After a {@linkcode FrameTooLargeError} the decoder is poisoned:
 * the stream position is lost, so every later `decode` throws the same error
 * class; frames of the failing chunk that preceded the bad header are dropped
 * with it. Zero-length frames are returned as empty arrays.
 *
 * @example Frames split across chunks
 * ```ts
 * import { FrameDecoder, FrameEncoder } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const bytes = new FrameEncoder().encodeMany([
 *   new TextEncoder().encode("hello"),
 *   new TextEncoder().encode("world"),
 * ]);
 * const decoder = new FrameDecoder();
 * const first = decoder.decode(bytes.subarray(0, 11)); // frame 1 + 2 header bytes
 * assert.equal(new TextDecoder().decode(first[0]), "hello");
 * assert.equal(decoder.bufferedBytes, 2);
 * assert.deepEqual(decoder.decode(bytes.subarray(11, 15)), []);
 * const [second] = decoder.decode(bytes.subarray(15));
 * assert.equal(new TextDecoder().decode(second), "world");
 * assert.equal(decoder.bufferedBytes, 0);
 * ```
 *
 * @example Oversize frames fail before allocation
 * ```ts
 * import { FrameDecoder } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const decoder = new FrameDecoder({ maxFrameSize: 65536 });
 * assert.throws(() => decoder.decode(new Uint8Array([0, 1, 0x11, 0x70])), {
 *   name: "FrameTooLargeError",
 *   message: "Cannot decode frame: length 70000 exceeds limit 65536",
 * });
 * ```
 */
export class FrameDecoder {
  #maxFrameSize: number;
  // Partial header bytes (fewer than 4) carried over from the last chunk,
  // big-endian in a number (a buffer would cost every connection ~200 B).
  #header = 0;
  #headerFilled = 0;
  // Payload of the frame being gathered across chunks, sized to its length.
  #partial: Uint8Array<ArrayBuffer> | null = null;
  #partialFilled = 0;
  #poison: string | null = null;

  /**
   * Creates a decoder.
   *
   * @param options The payload size limit.
   */
  constructor(options: FrameCodecOptions = {}) {
    this.#maxFrameSize = checkMaxFrameSize(options.maxFrameSize);
  }

  /**
   * Largest payload, in bytes, this decoder accepts. Setting it (e.g. a
   * small limit until a peer is authenticated, then the real one) applies
   * to the next frame header completed; a frame whose header was already
   * accepted is still gathered whole, so lowering the limit mid-frame keeps
   * the stream position. A poisoned decoder stays poisoned.
   *
   * @example Raise the limit once the peer is trusted
   * ```ts
   * import { FrameDecoder } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * const decoder = new FrameDecoder({ maxFrameSize: 16 });
   * assert.deepEqual(decoder.decode(new Uint8Array([0, 0])), []);
   * decoder.maxFrameSize = 64; // before the header completes: it applies
   * const [frame] = decoder.decode(new Uint8Array([0, 40, ...new Uint8Array(40)]));
   * assert.equal(frame.length, 40);
   * assert.throws(() => {
   *   decoder.maxFrameSize = -1;
   * }, RangeError);
   * ```
   *
   * @throws {TypeError} When set to a non-number.
   * @throws {RangeError} When set to anything but an integer in
   * `0..4294967295`.
   */
  get maxFrameSize(): number {
    return this.#maxFrameSize;
  }

  set maxFrameSize(value: number) {
    this.#maxFrameSize = checkMaxFrameSize(value, "set frame limit");
  }

  /**
   * Bytes of an incomplete frame held until more data arrives, header
   * included. Never more than `maxFrameSize + 4`.
   */
  get bufferedBytes(): number {
    if (this.#partial !== null) return FRAME_HEADER_SIZE + this.#partialFilled;
    return this.#headerFilled;
  }

  /**
   * Size, header included, of the incomplete frame being gathered: `4` while
   * its header is incomplete, `0` when nothing is buffered.
   */
  get expectedBytes(): number {
    if (this.#partial !== null) return FRAME_HEADER_SIZE + this.#partial.length;
    return this.#headerFilled === 0 ? 0 : FRAME_HEADER_SIZE;
  }

  /**
   * Feeds the next chunk of the stream.
   *
   * @param chunk The next bytes of the stream (any length, may be empty).
   * @returns The frames completed by this chunk, in order (possibly none).
   * @throws {FrameTooLargeError} When a declared length exceeds
   * `maxFrameSize`, and on every call after that.
   */
  decode(chunk: Uint8Array): Uint8Array<ArrayBuffer>[] {
    if (this.#poison !== null) throw new FrameTooLargeError(this.#poison);
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(
        `Cannot decode frame: chunk must be a Uint8Array, got ${
          typeName(chunk)
        }`,
      );
    }
    // Frames are handed out as views of the chunk, which must be a plain
    // ArrayBuffer; a shared-memory chunk is copied once.
    const bytes: Uint8Array<ArrayBuffer> = chunk.buffer instanceof ArrayBuffer
      ? chunk as Uint8Array<ArrayBuffer>
      : new Uint8Array(chunk);
    const frames: Uint8Array<ArrayBuffer>[] = [];
    const end = bytes.length;
    let offset = 0;

    if (this.#partial !== null) {
      offset = this.#fillPartial(bytes, 0, frames);
      if (this.#partial !== null) return frames;
    }
    if (this.#headerFilled > 0) {
      const take = Math.min(FRAME_HEADER_SIZE - this.#headerFilled, end);
      let header = this.#header;
      for (let i = 0; i < take; i++) header = header * 256 + bytes[i];
      this.#header = header;
      this.#headerFilled += take;
      offset = take;
      if (this.#headerFilled < FRAME_HEADER_SIZE) return frames;
      this.#headerFilled = 0;
      this.#header = 0;
      const length = this.#checkLength(header);
      if (end - offset >= length) {
        frames.push(
          new Uint8Array(bytes.buffer, bytes.byteOffset + offset, length),
        );
        offset += length;
      } else {
        this.#partial = new Uint8Array(length);
        this.#partialFilled = 0;
        this.#fillPartial(bytes, offset, frames);
        return frames;
      }
    }

    // Views are made with the constructor: cheaper than subarray() in V8.
    const buffer = bytes.buffer;
    const base = bytes.byteOffset;
    while (end - offset >= FRAME_HEADER_SIZE) {
      const length = this.#checkLength(readHeader(bytes, offset));
      const start = offset + FRAME_HEADER_SIZE;
      if (end - start >= length) {
        frames.push(new Uint8Array(buffer, base + start, length));
        offset = start + length;
      } else {
        this.#partial = new Uint8Array(length);
        this.#partialFilled = 0;
        this.#fillPartial(bytes, start, frames);
        return frames;
      }
    }
    if (offset < end) {
      let header = 0;
      for (let i = offset; i < end; i++) header = header * 256 + bytes[i];
      this.#header = header;
      this.#headerFilled = end - offset;
    }
    return frames;
  }

  /** Drops any buffered partial frame and clears the poisoned state. */
  reset(): void {
    this.#header = 0;
    this.#headerFilled = 0;
    this.#partial = null;
    this.#partialFilled = 0;
    this.#poison = null;
  }

  // Copies what the chunk has of the pending frame; returns the new offset.
  #fillPartial(
    bytes: Uint8Array<ArrayBuffer>,
    offset: number,
    frames: Uint8Array<ArrayBuffer>[],
  ): number {
    const partial = this.#partial!;
    const take = Math.min(
      partial.length - this.#partialFilled,
      bytes.length - offset,
    );
    partial.set(bytes.subarray(offset, offset + take), this.#partialFilled);
    this.#partialFilled += take;
    if (this.#partialFilled === partial.length) {
      frames.push(partial);
      this.#partial = null;
      this.#partialFilled = 0;
    }
    return offset + take;
  }

  #checkLength(length: number): number {
    if (length > this.#maxFrameSize) {
      this.#headerFilled = 0;
      this.#partial = null;
      this.#partialFilled = 0;
      this.#poison =
        `Cannot decode frame: length ${length} exceeds limit ${this.#maxFrameSize}`;
      throw new FrameTooLargeError(this.#poison);
    }
    return length;
  }
}

function writeHeader(target: Uint8Array, offset: number, length: number): void {
  target[offset] = length >>> 24;
  target[offset + 1] = (length >>> 16) & 0xff;
  target[offset + 2] = (length >>> 8) & 0xff;
  target[offset + 3] = length & 0xff;
}

function readHeader(source: Uint8Array, offset: number): number {
  return ((source[offset] << 24) | (source[offset + 1] << 16) |
    (source[offset + 2] << 8) | source[offset + 3]) >>> 0;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return typeof value;
}
