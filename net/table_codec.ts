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
 * {@linkcode LuaTable}s. This is what decoding gives; to accept your own
 * interfaces where a value is taken, use {@linkcode LuaValueOf}.
 */
export type LuaValue = null | boolean | number | string | Uint8Array | LuaTable;

/**
 * A Lua table: an array, a plain object with string keys, or a `Map` whose
 * keys are strings or numbers (for number keys, which plain objects cannot
 * hold). Interfaces have no index signature and so are not `LuaTable`s;
 * places that take a table check them with {@linkcode LuaTableOf} instead.
 */
export type LuaTable =
  | LuaValue[]
  | { [key: string]: LuaValue }
  | Map<string | number, LuaValue>;

/**
 * What `T` must be to travel as a Lua table, checked structurally: use it as
 * a constraint, `T extends LuaTableOf<T>`, wherever a table is taken (mm's
 * `send`, `new Server<Send, Receive>()`); interfaces and type aliases
 * without index signatures fit.
 *
 * A table is an array (or tuple), a `Map` with string or number keys, or an
 * object whose fields are Lua values: `null`, booleans, numbers, strings,
 * `Uint8Array` and tables. A field or item may also be `undefined` or
 * optional: that is Lua's `nil` (see {@linkcode encodeTable}). Anything else
 * in a field is a compile error (`Type '() => void' is not assignable to
 * type 'never'`): functions, `bigint`, `symbol`, `unknown`, `Date`, other
 * typed arrays and class instances with methods. A class instance with data
 * fields only cannot be told apart from an interface by TypeScript; the
 * encoder rejects it at run time.
 *
 * @typeParam T The type to check.
 *
 * @example Accept an interface
 * ```ts
 * import { encodeTable, type LuaTableOf } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * interface Chat {
 *   text: string;
 *   to?: string;
 * }
 * function size<T extends LuaTableOf<T>>(table: T): number {
 *   return encodeTable(table).length;
 * }
 * const chat: Chat = { text: "hi" };
 * assert.equal(size(chat), 9);
 * // size({ at: new Date() }) and size("hi") do not compile.
 * ```
 */
export type LuaTableOf<T> =
  & object
  & {
    // Types that are already LuaTables pass first (which also ends the
    // recursion); a Map fits as a whole or not at all (every member becomes
    // never); a byte string is a scalar, not a table.
    [K in keyof T]: T extends LuaTable ? T[K]
      : T extends ReadonlyMap<infer MK, infer MV>
        ? [MK] extends [string | number]
          ? [MV] extends [LuaFieldOf<MV>] ? T[K] : never
        : never
      : T extends Uint8Array ? never
      : K extends symbol ? never
      : LuaFieldOf<T[K]>;
  };

/**
 * What `T` must be to travel as a Lua value: a scalar (`null`, boolean,
 * number, string, `Uint8Array`) or a table as {@linkcode LuaTableOf}
 * describes. Used as `T extends LuaValueOf<T>`.
 *
 * @typeParam T The type to check.
 *
 * @example A scalar or a table
 * ```ts
 * import type { LuaValueOf } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * function value<T extends LuaValueOf<T>>(value: T): T {
 *   return value;
 * }
 * assert.equal(value("hi"), "hi");
 * assert.deepEqual(value([1, undefined]), [1, undefined]);
 * ```
 */
export type LuaValueOf<T> =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | LuaTableOf<T>;

/**
 * What a field or item inside a table must be: `undefined` (Lua's `nil`),
 * a {@linkcode LuaValue}, or a type that fits structurally — `T` itself
 * when it does, with every part that does not fit turned into `never`. The
 * building block of {@linkcode LuaTableOf}.
 *
 * @typeParam T The field's type.
 *
 * @example A field type that fits is itself
 * ```ts
 * import type { LuaFieldOf } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const to: LuaFieldOf<string | undefined> = undefined;
 * const never: LuaFieldOf<() => void> extends never ? true : false = true;
 * assert.equal(to, undefined);
 * assert.equal(never, true);
 * ```
 */
export type LuaFieldOf<T> = T extends undefined | LuaValue ? T
  : T extends ReadonlyMap<infer K, infer V>
    ? [K] extends [string | number] ? ReadonlyMap<K, LuaFieldOf<V>> : never
  : T extends (...args: never[]) => unknown ? never
  : T extends object
    ? { [K in keyof T]: K extends symbol ? never : LuaFieldOf<T[K]> }
  : never;

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
 * `undefined` inside a table is Lua's `nil`: an object field or `Map` entry
 * whose value is `undefined` is left out (the key is absent on the other
 * side, and the bytes equal those of the table without it), and an array
 * item that is `undefined` or a hole is msgpack nil, decoded as `null` (the
 * array keeps its length and indices, as a Lua peer sees a hole).
 *
 * Anything else outside the model — `undefined` as the value itself,
 * functions, symbols, bigints, `Date`s, class instances, other typed arrays,
 * `NaN` map keys, cycles, nesting deeper than `maxDepth` — is a `TypeError`
 * whose message names the path, for example
 * `Cannot encode table: unsupported value of type function at message.a.b[3]`
 * (array indices are JavaScript's, from 0). A table referenced twice without
 * a cycle is encoded twice.
 *
 * The type parameter checks `value` structurally ({@linkcode LuaValueOf}),
 * so interfaces fit; the run-time checks above apply whatever the type says.
 *
 * @typeParam T The type of the value.
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
 *
 * @example `undefined` is nil
 * ```ts
 * import { decodeTable, encodeTable } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodeTable(encodeTable({ text: undefined, n: 1 })), { n: 1 });
 * assert.deepEqual(decodeTable(encodeTable([1, undefined, 3])), [1, null, 3]);
 * ```
 */
export function encodeTable<T extends LuaValueOf<T>>(
  value: T,
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
