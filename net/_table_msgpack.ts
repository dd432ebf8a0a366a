// Copyright 2026 the moonwire authors. MIT license.
// The table codec's msgpack layer. @msgpack/msgpack (pinned in deno.lock)
// writes and parses the bytes; we hook a few of its internal methods on our
// own reused instances (never on the shared prototypes) because its public
// options cannot express the Lua value model: Map keys that are numbers, a
// path in every encode error, a depth limit while decoding, and "__proto__"
// keys decoded as plain data. tests/net/table_codec_test.ts pins the
// behaviour, so a library change that breaks a hook fails loudly there.
import {
  DecodeError,
  Decoder,
  Encoder,
  ExtensionCodec,
} from "@msgpack/msgpack";

/** Options after validation, shared by the encode and decode paths. */
export interface ResolvedTableOptions {
  maxDepth: number;
  maxBytes: number;
  canonical: boolean;
}

// Errors created by the codec itself; anything else thrown by msgpack is
// wrapped into SyntaxError/RangeError with `cause`.
const ownErrors = new WeakSet<Error>();

/** Marks an error as the codec's own, final error. */
export function own<T extends Error>(error: T): T {
  ownErrors.add(error);
  return error;
}

/** Whether the codec created this error. */
export function isOwn(error: unknown): error is Error {
  return error instanceof Error && ownErrors.has(error);
}

interface EncoderInternals {
  doEncode(object: unknown, depth: number): void;
  encodeNil(): void;
  encodeBoolean(value: boolean): void;
  encodeNumber(value: number): void;
  encodeNumberAsFloat(value: number): void;
  encodeString(value: string): void;
  encodeBinary(value: ArrayBufferView): void;
  writeU8(value: number): void;
  writeU16(value: number): void;
  writeU32(value: number): void;
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

/**
 * One reusable msgpack encoder whose value walk is ours: it validates the
 * Lua value model, tracks the path for errors and writes through the
 * library's primitive writers in a single pass (no separate validation walk,
 * so a getter cannot show the checker one value and the writer another).
 */
export class TableWriter {
  busy = false;
  #encoder = new Encoder({ initialBufferSize: 4096 });
  #internals = this.#encoder as unknown as EncoderInternals;
  #path: PathSegment[] = [];
  #ancestors: object[] = [];
  #options: ResolvedTableOptions = {
    maxDepth: 64,
    maxBytes: 1024 * 1024,
    canonical: false,
  };

  constructor() {
    // Replace only this instance's entry point; the library calls doEncode
    // once for the root value and never again because we write containers.
    this.#internals.doEncode = (object: unknown) => this.#write(object);
  }

  /** Encodes `value`; throws TypeError/RangeError with the codec's messages. */
  encode(
    value: unknown,
    options: ResolvedTableOptions,
  ): Uint8Array<ArrayBuffer> {
    this.busy = true;
    this.#options = options;
    this.#path.length = 0;
    this.#ancestors.length = 0;
    try {
      const bytes = this.#encoder.encodeSharedRef(value);
      if (bytes.length > options.maxBytes) {
        throw own(
          new RangeError(
            `Cannot encode table: size ${bytes.length} exceeds limit ${options.maxBytes}`,
          ),
        );
      }
      return bytes.slice();
    } finally {
      this.busy = false;
      this.#ancestors.length = 0;
    }
  }

  #fail(detail: string): TypeError {
    return own(
      new TypeError(
        `Cannot encode table: ${detail} at ${formatPath(this.#path)}`,
      ),
    );
  }

  #write(value: unknown): void {
    const e = this.#internals;
    switch (typeof value) {
      case "string":
        e.encodeString(value);
        return;
      case "number":
        // msgpack ints have no -0; keep the sign as a float.
        if (value === 0 && 1 / value < 0) e.encodeNumberAsFloat(value);
        else e.encodeNumber(value);
        return;
      case "boolean":
        e.encodeBoolean(value);
        return;
      case "object":
        if (value === null) {
          e.encodeNil();
          return;
        }
        if (value instanceof Uint8Array) {
          e.encodeBinary(value);
          return;
        }
        this.#table(value);
        return;
      default:
        throw this.#fail(`unsupported value of type ${typeof value}`);
    }
  }

  #table(value: object): void {
    const ancestors = this.#ancestors;
    if (ancestors.includes(value)) throw this.#fail("cycle");
    if (ancestors.length >= this.#options.maxDepth) {
      throw this.#fail(`depth exceeds limit ${this.#options.maxDepth}`);
    }
    ancestors.push(value);
    if (Array.isArray(value)) this.#array(value);
    else if (value instanceof Map) this.#map(value);
    else this.#object(value);
    ancestors.pop();
  }

  #array(array: unknown[]): void {
    const e = this.#internals;
    const size = array.length;
    if (size < 16) e.writeU8(0x90 + size);
    else if (size < 0x10000) {
      e.writeU8(0xdc);
      e.writeU16(size);
    } else {
      e.writeU8(0xdd);
      e.writeU32(size);
    }
    const path = this.#path;
    for (let i = 0; i < size; i++) {
      const item = array[i];
      path.push(i);
      if (item === undefined && !(i in array)) {
        throw this.#fail("sparse array hole");
      }
      this.#write(item);
      path.pop();
    }
  }

  #mapHeader(size: number): void {
    const e = this.#internals;
    if (size < 16) e.writeU8(0x80 + size);
    else if (size < 0x10000) {
      e.writeU8(0xde);
      e.writeU16(size);
    } else {
      e.writeU8(0xdf);
      e.writeU32(size);
    }
  }

  #map(map: Map<unknown, unknown>): void {
    const e = this.#internals;
    const path = this.#path;
    for (const key of map.keys()) {
      if (typeof key === "string") continue;
      if (typeof key === "number") {
        if (Number.isNaN(key)) throw this.#fail("unsupported key NaN");
        continue;
      }
      throw this.#fail(`unsupported key of type ${describe(key)}`);
    }
    let entries: Iterable<[unknown, unknown]> = map;
    if (this.#options.canonical) {
      entries = [...map].sort((a, b) =>
        compareKeys(a[0] as string | number, b[0] as string | number)
      );
    }
    this.#mapHeader(map.size);
    for (const [key, item] of entries) {
      const k = key as string | number;
      if (typeof k === "string") e.encodeString(k);
      else if (k === 0 && 1 / k < 0) e.encodeNumber(0);
      else e.encodeNumber(k);
      path.push(k);
      this.#write(item);
      path.pop();
    }
  }

  #object(object: object): void {
    const proto = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      throw this.#fail(`unsupported value of type ${describe(object)}`);
    }
    if (Object.getOwnPropertySymbols(object).length > 0) {
      throw this.#fail("unsupported key of type symbol");
    }
    const e = this.#internals;
    const path = this.#path;
    const keys = Object.keys(object);
    if (this.#options.canonical) keys.sort();
    this.#mapHeader(keys.length);
    const record = object as Record<string, unknown>;
    for (const key of keys) {
      e.encodeString(key);
      path.push(key);
      this.#write(record[key]);
      path.pop();
    }
  }
}

interface DecoderInternals {
  stack: { readonly length: number };
  view: DataView;
  pos: number;
  pushArrayState(size: number): void;
  pushMapState(size: number): void;
  decodeBinary(byteLength: number, headOffset: number): Uint8Array;
}

// Map keys are escaped while decoding so the result can be rebuilt without
// ambiguity: number keys become "\0<number>", string keys that start with
// "\0" or "\x01" (and "__proto__", which the library refuses) get a "\x01"
// prefix. Most messages need no escaping, and then no rebuild pass runs.
const NUMBER_KEY = 0;
const ESCAPED_KEY = 1;

function rejectingCodec(): ExtensionCodec {
  const codec = new ExtensionCodec();
  for (let type = -128; type <= 127; type++) {
    codec.register({
      type,
      encode: () => null,
      decode: (_data, extType) => {
        throw own(
          new TypeError(
            `Cannot decode table: unsupported extension type ${extType}`,
          ),
        );
      },
    });
  }
  return codec;
}

function keyKind(key: unknown): string {
  if (key === null) return "nil";
  if (Array.isArray(key)) return "array";
  if (key instanceof Uint8Array) return "Uint8Array";
  return typeof key === "object" ? "map" : typeof key;
}

/** One reusable msgpack decoder for the Lua value model. */
export class TableReader {
  #escaped = false;
  #maxDepth = 64;
  #decoder: Decoder;

  constructor() {
    const keyText = new TextDecoder();
    this.#decoder = new Decoder({
      extensionCodec: rejectingCodec(),
      keyDecoder: {
        canBeCached: () => true,
        decode: (bytes, offset, length) => {
          const key = keyText.decode(bytes.subarray(offset, offset + length));
          const first = key.charCodeAt(0);
          if (
            first === NUMBER_KEY || first === ESCAPED_KEY || key === "__proto__"
          ) {
            this.#escaped = true;
            return "\x01" + key;
          }
          return key;
        },
      },
      mapKeyConverter: (key) => {
        if (typeof key === "string") return key;
        if (typeof key === "number") {
          if (Number.isNaN(key)) {
            throw own(
              new TypeError("Cannot decode table: unsupported map key NaN"),
            );
          }
          this.#escaped = true;
          return "\x00" + String(key);
        }
        throw own(
          new TypeError(
            `Cannot decode table: unsupported map key of type ${keyKind(key)}`,
          ),
        );
      },
    });
    const internals = this.#decoder as unknown as DecoderInternals;
    const pushArray = internals.pushArrayState;
    const pushMap = internals.pushMapState;
    const decodeBinary = internals.decodeBinary;
    const checkContainer = (
      self: DecoderInternals,
      size: number,
      per: number,
    ) => {
      if (self.stack.length >= this.#maxDepth) {
        throw own(
          new RangeError(
            `Cannot decode table: depth exceeds limit ${this.#maxDepth}`,
          ),
        );
      }
      // Each item takes at least one byte; refuse impossible sizes before
      // the library preallocates an array of that length.
      const remaining = self.view.byteLength - self.pos;
      if (size * per > remaining) {
        throw own(
          new SyntaxError(
            `Cannot decode table: unexpected end of input (${size} items declared, ${remaining} bytes left)`,
          ),
        );
      }
    };
    // Empty tables never reach these hooks (the library builds them inline),
    // so an empty table one level past maxDepth decodes; it costs nothing.
    internals.pushArrayState = function (this: DecoderInternals, size) {
      checkContainer(this, size, 1);
      pushArray.call(this, size);
    };
    internals.pushMapState = function (this: DecoderInternals, size) {
      checkContainer(this, size, 2);
      pushMap.call(this, size);
    };
    // Byte strings are copied so results never alias the caller's buffer.
    internals.decodeBinary = function (this: DecoderInternals, length, head) {
      return decodeBinary.call(this, length, head).slice();
    };
  }

  /** Decodes one value; throws SyntaxError/RangeError/TypeError only. */
  decode(bytes: Uint8Array, maxDepth: number): unknown {
    this.#escaped = false;
    this.#maxDepth = maxDepth;
    let value: unknown;
    try {
      value = this.#decoder.decode(bytes);
    } catch (error) {
      throw wrapDecodeError(error);
    }
    return this.#escaped ? unescape(value) : value;
  }
}

function wrapDecodeError(error: unknown): Error {
  if (isOwn(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof DecodeError) {
    const detail = message.charAt(0).toLowerCase() + message.slice(1);
    if (message.startsWith("Max length exceeded")) {
      return new RangeError(`Cannot decode table: ${detail}`, { cause: error });
    }
    return new SyntaxError(`Cannot decode table: ${detail}`, { cause: error });
  }
  if (error instanceof RangeError) {
    const extra = /^Extra (\d+) of (\d+) byte/.exec(message);
    if (extra !== null) {
      return new SyntaxError(
        `Cannot decode table: ${extra[1]} trailing byte(s) after the value`,
        { cause: error },
      );
    }
    return new SyntaxError("Cannot decode table: unexpected end of input", {
      cause: error,
    });
  }
  return new SyntaxError(`Cannot decode table: ${message}`, { cause: error });
}

// Rebuilds tables whose keys were escaped: number keys make a Map, escaped
// string keys lose their prefix ("__proto__" becomes an own data property).
// Depth is already bounded by the decoder.
function unescape(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = unescape(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  let hasNumber = false;
  let hasEscape = false;
  const keys = Object.keys(record);
  for (const key of keys) {
    const first = key.charCodeAt(0);
    if (first === NUMBER_KEY) hasNumber = true;
    else if (first === ESCAPED_KEY) hasEscape = true;
    record[key] = unescape(record[key]);
  }
  if (hasNumber) {
    const map = new Map<string | number, unknown>();
    for (const key of keys) {
      const first = key.charCodeAt(0);
      if (first === NUMBER_KEY) map.set(Number(key.slice(1)), record[key]);
      else if (first === ESCAPED_KEY) map.set(key.slice(1), record[key]);
      else map.set(key, record[key]);
    }
    return map;
  }
  if (!hasEscape) return record;
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const name = key.charCodeAt(0) === ESCAPED_KEY ? key.slice(1) : key;
    Object.defineProperty(out, name, {
      value: record[key],
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return out;
}
