// Copyright 2026 the moonwire authors. MIT license.
// The table codec's msgpack reader: a recursive-descent parser over the
// caller's bytes for the Lua value model. Input is untrusted: every read is
// bounds-checked, container sizes are checked against the bytes left before
// anything is allocated, and recursion is bounded by maxDepth.

// A decode failure; the reader turns it into the public error.
class DecodeFailure {
  readonly kind: "SyntaxError" | "RangeError" | "TypeError";
  readonly detail: string;
  constructor(
    kind: "SyntaxError" | "RangeError" | "TypeError",
    detail: string,
  ) {
    this.kind = kind;
    this.detail = detail;
  }
}

const END_OF_INPUT = "unexpected end of input";
// Strings up to this many bytes are decoded by hand when they are ASCII:
// String.fromCharCode in steps of 8 beats TextDecoder up to about 48 bytes
// and loses beyond (measured in Deno 2.9.6; the encoder's hand loop wins up
// to 64 characters, so its limit is higher).
const SHORT_STRING = 48;
const fromCharCode = String.fromCharCode;

const textDecoder = new TextDecoder();
const EMPTY = new Uint8Array(0);
const scratch = new Uint8Array(8);
// Map keys up to this many bytes go through the key cache.
const KEY_CACHE_LENGTH = 16;
const KEY_CACHE_SLOTS = 1024;
const keyCache: (string | undefined)[] = new Array(KEY_CACHE_SLOTS);
const keyLengths = new Uint8Array(KEY_CACHE_SLOTS);
const keyBytes = new Uint8Array(KEY_CACHE_SLOTS * KEY_CACHE_LENGTH);
const scratchView = new DataView(scratch.buffer);

function keyKind(head: number): string {
  if (head === 0xc0) return "nil";
  if (head === 0xc2 || head === 0xc3) return "boolean";
  if ((head & 0xf0) === 0x90 || head === 0xdc || head === 0xdd) return "array";
  if ((head & 0xf0) === 0x80 || head === 0xde || head === 0xdf) return "map";
  return "Uint8Array";
}

/** One reusable msgpack reader for the Lua value model. */
export class TableReader {
  #bytes: Uint8Array = EMPTY;
  #pos = 0;
  #end = 0;
  #maxDepth = 64;
  #share = false;

  /**
   * Decodes exactly one value; throws SyntaxError/RangeError/TypeError only.
   * With `share`, byte strings are views of `bytes` instead of copies: only
   * for bytes the caller owns and never changes or reuses.
   */
  decode(bytes: Uint8Array, maxDepth: number, share = false): unknown {
    this.#bytes = bytes;
    this.#pos = 0;
    this.#end = bytes.length;
    this.#maxDepth = maxDepth;
    this.#share = share;
    try {
      const value = this.#value(0);
      if (this.#pos !== this.#end) {
        throw new DecodeFailure(
          "SyntaxError",
          `${this.#end - this.#pos} trailing byte(s) after the value`,
        );
      }
      return value;
    } catch (error) {
      throw this.#error(error);
    } finally {
      this.#bytes = EMPTY;
    }
  }

  #error(error: unknown): Error {
    const cause = new RangeError(
      `Failed at byte ${this.#pos} of ${this.#end}`,
    );
    if (error instanceof DecodeFailure) {
      const message = `Cannot decode table: ${error.detail}`;
      if (error.kind === "TypeError") return new TypeError(message, { cause });
      if (error.kind === "RangeError") {
        return new RangeError(message, { cause });
      }
      return new SyntaxError(message, { cause });
    }
    // A stack overflow from a huge maxDepth, or anything unforeseen.
    return new RangeError(
      `Cannot decode table: ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }

  #need(count: number): number {
    const pos = this.#pos;
    if (pos + count > this.#end) {
      throw new DecodeFailure("SyntaxError", END_OF_INPUT);
    }
    this.#pos = pos + count;
    return pos;
  }

  #u16(): number {
    const at = this.#need(2);
    const bytes = this.#bytes;
    return (bytes[at] << 8) | bytes[at + 1];
  }

  #u32(): number {
    const at = this.#need(4);
    const bytes = this.#bytes;
    return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) |
      bytes[at + 3]) >>> 0;
  }

  // Floats go through a scratch buffer: no DataView per input.
  #float(size: 4 | 8): number {
    const at = this.#need(size);
    const bytes = this.#bytes;
    for (let i = 0; i < size; i++) scratch[i] = bytes[at + i];
    return size === 4 ? scratchView.getFloat32(0) : scratchView.getFloat64(0);
  }

  #value(depth: number): unknown {
    const pos = this.#pos;
    if (pos >= this.#end) throw new DecodeFailure("SyntaxError", END_OF_INPUT);
    const head = this.#bytes[pos];
    this.#pos = pos + 1;
    if (head < 0x80) return head;
    if (head >= 0xe0) return head - 0x100;
    if (head < 0x90) return this.#map(head & 0x0f, depth);
    if (head < 0xa0) return this.#array(head & 0x0f, depth);
    if (head < 0xc0) return this.#string(head & 0x1f);
    switch (head) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.#binary(this.#bytes[this.#need(1)]);
      case 0xc5:
        return this.#binary(this.#u16());
      case 0xc6:
        return this.#binary(this.#u32());
      case 0xc7:
        return this.#extension(this.#bytes[this.#need(1)]);
      case 0xc8:
        return this.#extension(this.#u16());
      case 0xc9:
        return this.#extension(this.#u32());
      case 0xca:
        return this.#float(4);
      case 0xcb:
        return this.#float(8);
      case 0xcc:
        return this.#bytes[this.#need(1)];
      case 0xcd:
        return this.#u16();
      case 0xce:
        return this.#u32();
      case 0xcf:
        return this.#u32() * 0x100000000 + this.#u32();
      case 0xd0:
        return (this.#bytes[this.#need(1)] << 24) >> 24;
      case 0xd1:
        return (this.#u16() << 16) >> 16;
      case 0xd2:
        return this.#u32() | 0;
      case 0xd3:
        return (this.#u32() | 0) * 0x100000000 + this.#u32();
      case 0xd4:
        return this.#extension(1);
      case 0xd5:
        return this.#extension(2);
      case 0xd6:
        return this.#extension(4);
      case 0xd7:
        return this.#extension(8);
      case 0xd8:
        return this.#extension(16);
      case 0xd9:
        return this.#string(this.#bytes[this.#need(1)]);
      case 0xda:
        return this.#string(this.#u16());
      case 0xdb:
        return this.#string(this.#u32());
      case 0xdc:
        return this.#array(this.#u16(), depth);
      case 0xdd:
        return this.#array(this.#u32(), depth);
      case 0xde:
        return this.#map(this.#u16(), depth);
      case 0xdf:
        return this.#map(this.#u32(), depth);
      default:
        throw new DecodeFailure(
          "SyntaxError",
          `unrecognized type byte: 0x${head.toString(16)}`,
        );
    }
  }

  #string(length: number): string {
    const start = this.#need(length);
    const bytes = this.#bytes;
    if (length <= SHORT_STRING) {
      const end = start + length;
      let high = 0;
      for (let i = start; i < end; i++) high |= bytes[i];
      // ASCII: String.fromCharCode in steps of 8 beats TextDecoder's call
      // overhead for short strings.
      if (high < 0x80) {
        let text = "";
        let i = start;
        for (; i + 8 <= end; i += 8) {
          text += fromCharCode(
            bytes[i],
            bytes[i + 1],
            bytes[i + 2],
            bytes[i + 3],
            bytes[i + 4],
            bytes[i + 5],
            bytes[i + 6],
            bytes[i + 7],
          );
        }
        for (; i < end; i++) text += fromCharCode(bytes[i]);
        return text;
      }
    }
    return textDecoder.decode(bytes.subarray(start, start + length));
  }

  // Keys repeat from message to message: a small cache by content returns
  // the same string (already internalized by V8 from its last use as a
  // property name) instead of building a new one.
  #cachedKey(length: number): string {
    const start = this.#need(length);
    const bytes = this.#bytes;
    let hash = length;
    for (let i = start, end = start + length; i < end; i++) {
      hash = Math.imul(hash ^ bytes[i], 0x01000193);
    }
    const slot = (hash >>> 0) & (KEY_CACHE_SLOTS - 1);
    const cached = keyCache[slot];
    if (cached !== undefined && keyLengths[slot] === length) {
      const at = slot * KEY_CACHE_LENGTH;
      let same = true;
      for (let i = 0; i < length; i++) {
        if (keyBytes[at + i] !== bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    this.#pos = start;
    const key = this.#string(length);
    keyCache[slot] = key;
    keyLengths[slot] = length;
    keyBytes.set(
      bytes.subarray(start, start + length),
      slot * KEY_CACHE_LENGTH,
    );
    return key;
  }

  #binary(length: number): Uint8Array {
    const start = this.#need(length);
    // Copied so results never alias the caller's buffer, unless it is ours.
    return this.#share
      ? this.#bytes.subarray(start, start + length)
      : this.#bytes.slice(start, start + length);
  }

  #extension(length: number): never {
    const at = this.#need(1 + length);
    throw new DecodeFailure(
      "TypeError",
      `unsupported extension type ${(this.#bytes[at] << 24) >> 24}`,
    );
  }

  #open(size: number, per: number, depth: number): void {
    if (depth >= this.#maxDepth) {
      throw new DecodeFailure(
        "RangeError",
        `depth exceeds limit ${this.#maxDepth}`,
      );
    }
    // Each item takes at least one byte: refuse impossible sizes before
    // allocating anything for them.
    const remaining = this.#end - this.#pos;
    if (size * per > remaining) {
      throw new DecodeFailure(
        "SyntaxError",
        `${END_OF_INPUT} (${size} items declared, ${remaining} bytes left)`,
      );
    }
  }

  #array(size: number, depth: number): unknown[] {
    this.#open(size, 1, depth);
    const array = new Array(size);
    for (let i = 0; i < size; i++) array[i] = this.#value(depth + 1);
    return array;
  }

  #key(): string | number {
    const pos = this.#pos;
    if (pos >= this.#end) throw new DecodeFailure("SyntaxError", END_OF_INPUT);
    const head = this.#bytes[pos];
    if ((head & 0xe0) === 0xa0) {
      this.#pos = pos + 1;
      const length = head & 0x1f;
      return length <= KEY_CACHE_LENGTH
        ? this.#cachedKey(length)
        : this.#string(length);
    }
    if (
      head < 0x80 || head >= 0xe0 || (head >= 0xca && head <= 0xd3) ||
      (head >= 0xd9 && head <= 0xdb)
    ) {
      const key = this.#value(0) as string | number;
      if (key !== key) {
        throw new DecodeFailure("TypeError", "unsupported map key NaN");
      }
      return key;
    }
    if ((head >= 0xc7 && head <= 0xc9) || (head >= 0xd4 && head <= 0xd8)) {
      this.#value(0); // throws its extension error
    }
    if (head === 0xc1) this.#value(0); // throws its syntax error
    throw new DecodeFailure(
      "TypeError",
      `unsupported map key of type ${keyKind(head)}`,
    );
  }

  #map(size: number, depth: number): unknown {
    this.#open(size, 2, depth);
    const inner = depth + 1;
    const object: Record<string, unknown> = {};
    for (let i = 0; i < size; i++) {
      const key = this.#key();
      if (typeof key === "number") {
        return this.#numberMap(object, key, i, size, inner);
      }
      const value = this.#value(inner);
      if (key === "__proto__") {
        // Plain data, never the prototype.
        Object.defineProperty(object, key, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      } else {
        object[key] = value;
      }
    }
    return object;
  }

  // Continues a map as a Map once a number key shows up.
  #numberMap(
    object: Record<string, unknown>,
    firstKey: number,
    index: number,
    size: number,
    inner: number,
  ): Map<string | number, unknown> {
    const map = new Map<string | number, unknown>();
    for (const key of Object.keys(object)) map.set(key, object[key]);
    map.set(firstKey, this.#value(inner));
    for (let i = index + 1; i < size; i++) {
      const key = this.#key();
      map.set(key, this.#value(inner));
    }
    return map;
  }
}
