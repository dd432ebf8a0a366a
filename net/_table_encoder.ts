// Copyright 2026 the moonwire authors. MIT license.
// The table codec's msgpack writer: one pass over the value that validates
// the Lua value model while writing into a reused, growable buffer. The
// path in an error message is built only when something fails: each table
// level adds its key to the error while it unwinds.

/** Options after validation, shared by the encode and decode paths. */
export interface ResolvedTableOptions {
  maxDepth: number;
  maxBytes: number;
  canonical: boolean;
}

/** A growable byte buffer that tables are appended to. */
export interface ByteSink {
  buffer: Uint8Array<ArrayBuffer>;
  view: DataView<ArrayBuffer>;
  length: number;
}

/** A sink with room for `capacity` bytes (at least 16). */
export function createSink(capacity: number): ByteSink {
  const buffer = new Uint8Array(Math.max(16, capacity));
  return { buffer, view: new DataView(buffer.buffer), length: 0 };
}

type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Formats a path like `message.a.b[3]` or `message["odd key"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let path = "message";
  for (const segment of segments) {
    if (typeof segment === "number") path += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  const type = typeof value;
  if (type !== "object") return type;
  const name = (value as { constructor?: { name?: unknown } }).constructor
    ?.name;
  return typeof name === "string" && name !== "" ? name : "object";
}

function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === "number") {
    return typeof b === "number" ? a - b : -1;
  }
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// An encode failure on its way out; segments are collected innermost first.
class EncodeFailure {
  readonly detail: string;
  readonly segments: PathSegment[] = [];
  constructor(detail: string) {
    this.detail = detail;
  }
}

// Writers start with a slab this big; pooled results are views into it.
const SLAB_SIZE = 64 * 1024;
// A buffer grown past this by one large value is not kept for the next.
const KEEP_SIZE = 1024 * 1024;
// Pooled results larger than this get their own buffer.
const POOL_LIMIT = 4096;
// Strings up to this many code units are written by hand; longer ones with
// TextEncoder.encodeInto.
const SHORT_STRING = 64;

const textEncoder = new TextEncoder();

/**
 * One reusable msgpack writer for the Lua value model. Not reentrant: the
 * caller uses a fresh writer while `busy` is set (a getter that encodes).
 *
 * Each encode writes at `#start`, the free part of the current slab. A
 * pooled result is a view of the slab and moves `#start` past itself, so a
 * small message costs no ArrayBuffer allocation (an allocation costs about
 * as much as encoding a small table); other results are copied out.
 */
export class TableWriter {
  busy = false;
  #buffer = new Uint8Array(SLAB_SIZE);
  #view = new DataView(this.#buffer.buffer);
  #start = 0;
  #pos = 0;
  #appending = false;
  #ancestors: object[] = [];
  #depth = 0;
  #maxDepth = 64;
  #canonical = false;

  /**
   * Encodes `value`; throws TypeError/RangeError with the codec's messages.
   * With `pooled`, small results share their ArrayBuffer with other pooled
   * results (callers must not use `.buffer` as if it were theirs alone).
   */
  encode(
    value: unknown,
    options: ResolvedTableOptions,
    pooled = false,
  ): Uint8Array<ArrayBuffer> {
    let size: number;
    try {
      size = this.#run(value, options);
    } catch (error) {
      this.#shrink();
      throw error;
    }
    const start = this.#start;
    let bytes: Uint8Array<ArrayBuffer>;
    if (pooled && size <= POOL_LIMIT) {
      bytes = new Uint8Array(this.#buffer.buffer, start, size);
      this.#start = this.#pos;
    } else {
      bytes = this.#buffer.slice(start, this.#pos);
    }
    this.#shrink();
    return bytes;
  }

  /**
   * Encodes `value` at the end of `sink` (growing its buffer) and returns
   * the size written; on any error `sink.length` is unchanged.
   */
  append(
    value: unknown,
    options: ResolvedTableOptions,
    sink: ByteSink,
  ): number {
    const buffer = this.#buffer;
    const view = this.#view;
    const start = this.#start;
    this.#buffer = sink.buffer;
    this.#view = sink.view;
    this.#start = sink.length;
    this.#appending = true;
    try {
      const size = this.#run(value, options);
      sink.length += size;
      return size;
    } finally {
      sink.buffer = this.#buffer;
      sink.view = this.#view;
      this.#buffer = buffer;
      this.#view = view;
      this.#start = start;
      this.#appending = false;
    }
  }

  // Writes `value` at #start; returns its size or throws the public error.
  #run(value: unknown, options: ResolvedTableOptions): number {
    this.busy = true;
    this.#pos = this.#start;
    this.#maxDepth = options.maxDepth;
    this.#canonical = options.canonical;
    try {
      this.#write(value);
    } catch (error) {
      if (error instanceof EncodeFailure) {
        throw new TypeError(
          `Cannot encode table: ${error.detail} at ${
            formatPath(error.segments.reverse())
          }`,
        );
      }
      throw error;
    } finally {
      this.busy = false;
      if (this.#depth > 0) {
        this.#ancestors.fill(undefined as unknown as object, 0, this.#depth);
        this.#depth = 0;
      }
    }
    const size = this.#pos - this.#start;
    if (size > options.maxBytes) {
      throw new RangeError(
        `Cannot encode table: size ${size} exceeds limit ${options.maxBytes}`,
      );
    }
    return size;
  }

  #shrink(): void {
    if (this.#buffer.length > KEEP_SIZE && !this.#appending) {
      this.#buffer = new Uint8Array(SLAB_SIZE);
      this.#view = new DataView(this.#buffer.buffer);
      this.#start = 0;
    }
  }

  // Moves the value written so far to a new buffer with room for `needed`
  // more bytes; the old slab stays valid for pooled results that view it.
  // When appending to a sink, everything before the value moves too.
  #grow(needed: number): void {
    const keep = this.#appending ? 0 : this.#start;
    const used = this.#pos - keep;
    let size = this.#appending ? this.#buffer.length * 2 : SLAB_SIZE;
    while (size < used + needed) size *= 2;
    const buffer = new Uint8Array(size);
    buffer.set(this.#buffer.subarray(keep, this.#pos));
    this.#buffer = buffer;
    this.#view = new DataView(buffer.buffer);
    this.#start -= keep;
    this.#pos = used;
  }

  #write(value: unknown): void {
    switch (typeof value) {
      case "string":
        this.#string(value);
        return;
      case "number":
        this.#number(value);
        return;
      case "boolean":
        if (this.#pos + 1 > this.#buffer.length) this.#grow(1);
        this.#buffer[this.#pos++] = value ? 0xc3 : 0xc2;
        return;
      case "object":
        if (value === null) {
          this.#nil();
          return;
        }
        if (value instanceof Uint8Array) {
          this.#binary(value);
          return;
        }
        this.#table(value);
        return;
      default:
        throw new EncodeFailure(`unsupported value of type ${typeof value}`);
    }
  }

  #nil(): void {
    if (this.#pos + 1 > this.#buffer.length) this.#grow(1);
    this.#buffer[this.#pos++] = 0xc0;
  }

  #number(value: number): void {
    if (this.#pos + 9 > this.#buffer.length) this.#grow(9);
    const buffer = this.#buffer;
    let pos = this.#pos;
    // msgpack ints have no -0; keep the sign as a float.
    if (Number.isSafeInteger(value) && (value !== 0 || 1 / value > 0)) {
      if (value >= 0) {
        if (value < 0x80) {
          buffer[pos++] = value;
        } else if (value < 0x100) {
          buffer[pos++] = 0xcc;
          buffer[pos++] = value;
        } else if (value < 0x10000) {
          buffer[pos++] = 0xcd;
          buffer[pos++] = value >>> 8;
          buffer[pos++] = value;
        } else if (value < 0x100000000) {
          buffer[pos++] = 0xce;
          this.#view.setUint32(pos, value);
          pos += 4;
        } else {
          buffer[pos++] = 0xcf;
          this.#view.setUint32(pos, Math.floor(value / 0x100000000));
          this.#view.setUint32(pos + 4, value >>> 0);
          pos += 8;
        }
      } else if (value >= -0x20) {
        buffer[pos++] = value & 0xff;
      } else if (value >= -0x80) {
        buffer[pos++] = 0xd0;
        buffer[pos++] = value & 0xff;
      } else if (value >= -0x8000) {
        buffer[pos++] = 0xd1;
        this.#view.setInt16(pos, value);
        pos += 2;
      } else if (value >= -0x80000000) {
        buffer[pos++] = 0xd2;
        this.#view.setInt32(pos, value);
        pos += 4;
      } else {
        buffer[pos++] = 0xd3;
        this.#view.setInt32(pos, Math.floor(value / 0x100000000));
        this.#view.setUint32(pos + 4, value >>> 0);
        pos += 8;
      }
    } else {
      buffer[pos++] = 0xcb;
      this.#view.setFloat64(pos, value);
      pos += 8;
    }
    this.#pos = pos;
  }

  #string(value: string): void {
    const length = value.length;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const most = length * 3;
    if (this.#pos + 5 + most > this.#buffer.length) this.#grow(5 + most);
    const buffer = this.#buffer;
    const start = this.#pos;
    // Guess the header from the ASCII size; fixed below when wrong.
    const head = length < 32
      ? 1
      : length < 0x100
      ? 2
      : length < 0x10000
      ? 3
      : 5;
    let pos = start + head;
    if (length <= SHORT_STRING) {
      // Tight ASCII loop first; the general loop takes over at the first
      // other character.
      let i = 0;
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        buffer[pos + i] = code;
      }
      pos += i;
      for (; i < length; i++) {
        let code = value.charCodeAt(i);
        if (code < 0x80) {
          buffer[pos++] = code;
        } else if (code < 0x800) {
          buffer[pos++] = 0xc0 | (code >> 6);
          buffer[pos++] = 0x80 | (code & 0x3f);
        } else {
          if (code >= 0xd800 && code <= 0xdfff) {
            const next = i + 1 < length ? value.charCodeAt(i + 1) : 0;
            if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
              code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
              i++;
              buffer[pos++] = 0xf0 | (code >> 18);
              buffer[pos++] = 0x80 | ((code >> 12) & 0x3f);
              buffer[pos++] = 0x80 | ((code >> 6) & 0x3f);
              buffer[pos++] = 0x80 | (code & 0x3f);
              continue;
            }
            // A lone surrogate becomes U+FFFD, as TextEncoder does.
            code = 0xfffd;
          }
          buffer[pos++] = 0xe0 | (code >> 12);
          buffer[pos++] = 0x80 | ((code >> 6) & 0x3f);
          buffer[pos++] = 0x80 | (code & 0x3f);
        }
      }
    } else {
      pos += textEncoder.encodeInto(value, buffer.subarray(pos)).written;
    }
    const size = pos - start - head;
    const fit = size < 32 ? 1 : size < 0x100 ? 2 : size < 0x10000 ? 3 : 5;
    if (fit !== head) {
      // The guessed header has the wrong size: move the bytes (the buffer
      // has room, as it was sized for the worst case plus 5).
      buffer.copyWithin(start + fit, start + head, pos);
      pos -= head - fit;
    }
    if (fit === 1) {
      buffer[start] = 0xa0 | size;
    } else if (fit === 2) {
      buffer[start] = 0xd9;
      buffer[start + 1] = size;
    } else if (fit === 3) {
      buffer[start] = 0xda;
      buffer[start + 1] = size >>> 8;
      buffer[start + 2] = size;
    } else {
      buffer[start] = 0xdb;
      this.#view.setUint32(start + 1, size);
    }
    this.#pos = pos;
  }

  #binary(value: Uint8Array): void {
    const size = value.length;
    if (this.#pos + 5 + size > this.#buffer.length) this.#grow(5 + size);
    const buffer = this.#buffer;
    let pos = this.#pos;
    if (size < 0x100) {
      buffer[pos++] = 0xc4;
      buffer[pos++] = size;
    } else if (size < 0x10000) {
      buffer[pos++] = 0xc5;
      buffer[pos++] = size >>> 8;
      buffer[pos++] = size;
    } else {
      buffer[pos++] = 0xc6;
      this.#view.setUint32(pos, size);
      pos += 4;
    }
    buffer.set(value, pos);
    this.#pos = pos + size;
  }

  #header(size: number, fix: number, code16: number): void {
    if (this.#pos + 5 > this.#buffer.length) this.#grow(5);
    this.#pos += this.#headerAt(this.#pos, size, fix, code16);
  }

  // Writes a map/array header at `pos`; returns its length.
  #headerAt(pos: number, size: number, fix: number, code16: number): number {
    const buffer = this.#buffer;
    if (size < 16) {
      buffer[pos] = fix | size;
      return 1;
    }
    if (size < 0x10000) {
      buffer[pos] = code16;
      buffer[pos + 1] = size >>> 8;
      buffer[pos + 2] = size;
      return 3;
    }
    buffer[pos] = code16 + 1;
    this.#view.setUint32(pos + 1, size);
    return 5;
  }

  // A map header written at `at` for `planned` entries, of which only
  // `written` were (the others were undefined, Lua's nil): rewrite it, moving
  // the entries when the header gets shorter, so the bytes equal those of
  // the table without the nil entries.
  #fixMapHeader(at: number, planned: number, written: number): void {
    const before = headerLength(planned);
    const after = headerLength(written);
    if (after !== before) {
      this.#buffer.copyWithin(at + after, at + before, this.#pos);
      this.#pos -= before - after;
    }
    this.#headerAt(at, written, 0x80, 0xde);
  }

  #table(value: object): void {
    const ancestors = this.#ancestors;
    const depth = this.#depth;
    for (let i = 0; i < depth; i++) {
      if (ancestors[i] === value) throw new EncodeFailure("cycle");
    }
    if (depth >= this.#maxDepth) {
      throw new EncodeFailure(`depth exceeds limit ${this.#maxDepth}`);
    }
    ancestors[depth] = value;
    this.#depth = depth + 1;
    if (Array.isArray(value)) this.#array(value);
    else if (value instanceof Map) this.#map(value);
    else this.#object(value);
    ancestors[depth] = undefined as unknown as object;
    this.#depth = depth;
  }

  #array(array: unknown[]): void {
    const size = array.length;
    this.#header(size, 0x90, 0xdc);
    let i = 0;
    try {
      for (; i < size; i++) {
        const item = array[i];
        // A hole or undefined is Lua's nil: msgpack nil keeps the indices.
        if (item === undefined) this.#nil();
        else this.#write(item);
      }
    } catch (error) {
      if (error instanceof EncodeFailure) error.segments.push(i);
      throw error;
    }
  }

  #map(map: Map<unknown, unknown>): void {
    for (const key of map.keys()) {
      if (typeof key === "string") continue;
      if (typeof key === "number") {
        if (Number.isNaN(key)) throw new EncodeFailure("unsupported key NaN");
        continue;
      }
      throw new EncodeFailure(`unsupported key of type ${describe(key)}`);
    }
    let entries: Iterable<[unknown, unknown]> = map;
    if (this.#canonical) {
      entries = [...map].sort((a, b) =>
        compareKeys(a[0] as string | number, b[0] as string | number)
      );
    }
    const at = this.#pos;
    this.#header(map.size, 0x80, 0xde);
    let key: string | number = "";
    let written = 0;
    try {
      for (const [k, item] of entries) {
        // An undefined value is Lua's nil: the key is absent.
        if (item === undefined) continue;
        key = k as string | number;
        if (typeof key === "string") this.#string(key);
        else this.#number(key === 0 ? 0 : key);
        this.#write(item);
        written++;
      }
    } catch (error) {
      if (error instanceof EncodeFailure) error.segments.push(key);
      throw error;
    }
    if (written !== map.size) this.#fixMapHeader(at, map.size, written);
  }

  #object(object: object): void {
    const proto = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      throw new EncodeFailure(`unsupported value of type ${describe(object)}`);
    }
    if (Object.getOwnPropertySymbols(object).length > 0) {
      throw new EncodeFailure("unsupported key of type symbol");
    }
    const keys = Object.keys(object);
    if (this.#canonical) keys.sort();
    const size = keys.length;
    const at = this.#pos;
    this.#header(size, 0x80, 0xde);
    const record = object as Record<string, unknown>;
    let i = 0;
    let written = 0;
    try {
      for (; i < size; i++) {
        const key = keys[i];
        const item = record[key];
        // An undefined field is Lua's nil: the key is absent.
        if (item === undefined) continue;
        this.#string(key);
        this.#write(item);
        written++;
      }
    } catch (error) {
      if (error instanceof EncodeFailure) error.segments.push(keys[i]);
      throw error;
    }
    if (written !== size) this.#fixMapHeader(at, size, written);
  }
}

function headerLength(size: number): number {
  return size < 16 ? 1 : size < 0x10000 ? 3 : 5;
}

/**
 * Validates codec options; `action` is "encode" or "decode" for messages.
 * Returns a shared frozen default when `options` is undefined.
 */
export function resolveTableOptions(
  action: string,
  options: {
    maxDepth?: number;
    maxBytes?: number;
    canonical?: boolean;
  } | undefined,
): ResolvedTableOptions {
  if (options === undefined) return DEFAULT_OPTIONS;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Cannot ${action} table: options must be an object`);
  }
  const { maxDepth = 64, maxBytes = 1024 * 1024, canonical = false } = options;
  if (!Number.isInteger(maxDepth) || maxDepth < 1) {
    throw new RangeError(
      `Cannot ${action} table: maxDepth ${maxDepth} is not a positive integer`,
    );
  }
  if (!Number.isInteger(maxBytes) || maxBytes < 1) {
    throw new RangeError(
      `Cannot ${action} table: maxBytes ${maxBytes} is not a positive integer`,
    );
  }
  if (typeof canonical !== "boolean") {
    throw new TypeError(
      `Cannot ${action} table: canonical must be a boolean, got ${typeof canonical}`,
    );
  }
  return { maxDepth, maxBytes, canonical };
}

const DEFAULT_OPTIONS: ResolvedTableOptions = Object.freeze({
  maxDepth: 64,
  maxBytes: 1024 * 1024,
  canonical: false,
});

const writer = new TableWriter();

/**
 * Encodes with the shared writer (a fresh one when a getter encodes from
 * inside an encode). `pooled` results may share their ArrayBuffer.
 */
export function encodeWith(
  value: unknown,
  options: ResolvedTableOptions,
  pooled: boolean,
): Uint8Array<ArrayBuffer> {
  const active = writer.busy ? new TableWriter() : writer;
  return active.encode(value, options, pooled);
}

/**
 * Appends the encoding of `value` to `sink` with the shared writer; returns
 * its size. On any error `sink.length` is unchanged.
 */
export function appendWith(
  value: unknown,
  options: ResolvedTableOptions,
  sink: ByteSink,
): number {
  const active = writer.busy ? new TableWriter() : writer;
  return active.append(value, options, sink);
}
