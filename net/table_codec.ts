// Copyright 2026 the moonwire authors. MIT license.
/**
 * The table codec: Lua values as msgpack.
 *
 * @module
 */
import { TableReader } from "./_table_decoder.ts";
import { encodeWith, resolveTableOptions } from "./_table_encoder.ts";

/**
 * A Lua value: `nil` is `null`; numbers are integers or floats (NaN and
 * ±Infinity travel as floats); byte strings are `Uint8Array`; tables are
 * {@linkcode LuaTable}s.
 */
export type LuaValue = null | boolean | number | string | Uint8Array | LuaTable;

/**
 * A Lua table: an array, a plain object with string keys, or a `Map` whose
 * keys are strings or numbers (for number keys, which plain objects cannot
 * hold).
 */
export type LuaTable =
  | LuaValue[]
  | { [key: string]: LuaValue }
  | Map<string | number, LuaValue>;

/** Options for {@linkcode encodeTable} and {@linkcode decodeTable}. */
export interface TableCodecOptions {
  /**
   * Deepest table nesting allowed; the outermost table is depth 1.
   *
   * @default {64}
   */
  maxDepth?: number;
  /**
   * Largest encoded size, in bytes, produced or accepted.
   *
   * @default {1048576}
   */
  maxBytes?: number;
  /**
   * Sort keys so that equal tables encode to equal bytes whatever their
   * insertion order (for checksums): number keys first in ascending order,
   * then string keys in code unit order. Encoding only.
   *
   * @default {false}
   */
  canonical?: boolean;
}

const reader = new TableReader();

/**
 * Encodes a Lua value as msgpack: `null` → nil, booleans, integers (safe
 * integers as msgpack ints) and floats (float64, `-0` kept), strings (UTF-8),
 * `Uint8Array` → bin, arrays → array, plain objects and `Map`s → map.
 *
 * Anything outside that model — `undefined`, functions, symbols, bigints,
 * `Date`s, class instances, other typed arrays, sparse array holes, `NaN`
 * map keys, cycles, nesting deeper than `maxDepth` — is a `TypeError` whose
 * message names the path, for example
 * `Cannot encode table: unsupported value of type function at message.a.b[3]`
 * (array indices are JavaScript's, from 0). A table referenced twice without
 * a cycle is encoded twice.
 *
 * @param value The value to encode.
 * @param options Depth and size limits, canonical key order.
 * @returns The msgpack bytes (a fresh buffer).
 * @throws {TypeError} For values outside the Lua value model.
 * @throws {RangeError} When the result is longer than `maxBytes`.
 *
 * @example Round trip
 * ```ts
 * import { decodeTable, encodeTable } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const message = { op: "move", to: [1, 2.5], ids: new Map([[1, "a"]]) };
 * assert.deepEqual(decodeTable(encodeTable(message)), message);
 * ```
 *
 * @example Errors name the path
 * ```ts
 * import { encodeTable, type LuaValue } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const message = { a: { b: [1, 2, 3, () => {}] } } as unknown as LuaValue;
 * assert.throws(() => encodeTable(message), {
 *   name: "TypeError",
 *   message: "Cannot encode table: unsupported value of type function at message.a.b[3]",
 * });
 * ```
 */
export function encodeTable(
  value: LuaValue,
  options?: TableCodecOptions,
): Uint8Array<ArrayBuffer> {
  return encodeWith(value, resolveTableOptions("encode", options), false);
}

/**
 * Decodes msgpack bytes into a Lua value. Safe on untrusted input: it throws
 * only `SyntaxError` (malformed, truncated or trailing bytes), `RangeError`
 * (size or depth limit) or `TypeError` (extension types, map keys that are
 * not strings or numbers), with the failing byte offset in `cause`.
 *
 * Maps whose keys are all strings become plain objects (a `"__proto__"` key
 * becomes an ordinary own property, never the prototype); maps with any
 * number key become a `Map`. Byte strings are copied, so the result never
 * shares memory with `bytes`. Invalid UTF-8 in strings is replaced with
 * U+FFFD.
 *
 * @param bytes Exactly one msgpack value.
 * @param options Depth and size limits (`canonical` is ignored).
 * @returns The decoded value.
 * @throws {SyntaxError} When the bytes are not exactly one msgpack value.
 * @throws {RangeError} When `bytes` is longer than `maxBytes` or nests deeper than `maxDepth`.
 * @throws {TypeError} For extension types and unsupported map keys.
 *
 * @example Number keys decode to a Map
 * ```ts
 * import { decodeTable } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * // msgpack {1: "one", "x": true}
 * const bytes = new Uint8Array([0x82, 0x01, 0xa3, 0x6f, 0x6e, 0x65, 0xa1, 0x78, 0xc3]);
 * assert.deepEqual(decodeTable(bytes), new Map<string | number, unknown>([[1, "one"], ["x", true]]));
 * assert.throws(() => decodeTable(new Uint8Array([0xa3, 0x6f])), {
 *   name: "SyntaxError",
 *   message: "Cannot decode table: unexpected end of input",
 * });
 * ```
 */
export function decodeTable(
  bytes: Uint8Array,
  options?: TableCodecOptions,
): LuaValue {
  const resolved = resolveTableOptions("decode", options);
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot decode table: bytes must be a Uint8Array, got ${
        bytes === null ? "null" : typeof bytes
      }`,
    );
  }
  if (bytes.length > resolved.maxBytes) {
    throw new RangeError(
      `Cannot decode table: size ${bytes.length} exceeds limit ${resolved.maxBytes}`,
    );
  }
  // A getter cannot run inside a decode, so the reader is never reentered.
  return reader.decode(bytes, resolved.maxDepth) as LuaValue;
}
