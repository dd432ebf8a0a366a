// Copyright 2026 the moonwire authors. MIT license.
import { encodeTable, type LuaValue } from "../net/table_codec.ts";
import { crc32 } from "./_cnet_crc32.ts";

/**
 * Calculates a checksum for any serialisable value: the CRC-32 of its
 * canonical table encoding (msgpack with sorted keys). Equal tables give
 * equal checksums whatever the order their keys were inserted in.
 *
 * @param object Any value the table codec can encode.
 * @returns An unsigned 32-bit integer.
 * @throws {TypeError} When `object` holds something that cannot be encoded
 * (functions, cycles, too deep).
 *
 * @example Order-independent checksums
 * ```ts
 * import { checksum } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checksum({ a: 1, b: 2 }), checksum({ b: 2, a: 1 }));
 * assert.notEqual(checksum({ a: 1 }), checksum({ a: 2 }));
 * assert.equal(checksum("hello"), 0x08217065);
 * ```
 */
export function checksum(object: LuaValue): number {
  return crc32(encodeTable(object, { canonical: true }));
}
