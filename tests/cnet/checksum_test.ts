// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { checksum } from "../../cnet/checksum.ts";
import type { LuaValue } from "../../net/table_codec.ts";
import { crc32 } from "../../cnet/_cnet_crc32.ts";
import { mulberry32 } from "../_random.ts";
import { testSeed } from "../_schedule.ts";

Deno.test("crc32 matches the standard check value", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array()), 0);
  // Known answers from zlib; the high bit set checks the result is unsigned.
  assert.equal(crc32(new TextEncoder().encode("a")), 0xe8b7be43);
  assert.equal(crc32(new Uint8Array(32)), 0x190a55ad);
  assert.equal(crc32(new Uint8Array(32).fill(0xff)), 0xff6cab0b);
});

// The bitwise definition, independent of any table or native code.
function referenceCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) {
      crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
    }
  }
  return (crc ^ 0xffffffff) >>> 0;
}

Deno.test("crc32 equals the bitwise definition on seeded random inputs", () => {
  const { random } = testSeed("crc32 random inputs");
  const lengths = [1, 2, 3, 7, 8, 15, 16, 63, 64, 255, 1024, 65536];
  for (let i = 0; i < 100; i++) {
    const length = i < lengths.length
      ? lengths[i]
      : Math.floor(random() * 5000);
    const bytes = new Uint8Array(length).map(() => random() * 256);
    // A view into a larger buffer must hash only its own bytes.
    const padded = new Uint8Array(length + 8);
    padded.set(bytes, 4);
    const view = padded.subarray(4, 4 + length);
    const expected = referenceCrc32(bytes);
    assert.equal(crc32(bytes), expected, `length ${length}`);
    assert.equal(crc32(view), expected, `view of length ${length}`);
  }
});

Deno.test("checksum: pinned values", () => {
  assert.equal(checksum(null), 1231433021);
  assert.equal(checksum(true), 3496967303);
  assert.equal(checksum(42), 163128923);
  assert.equal(checksum("hello"), 0x08217065);
  assert.equal(checksum(new Uint8Array([1, 2, 3])), 1660899303);
  assert.equal(checksum([1, 2, 3]), 609011801);
  assert.equal(checksum({ a: 1, b: 2 }), 758415400);
  assert.equal(checksum(new Map([[1, "a"], [2, "b"]])), 2420148466);
  assert.equal(
    checksum({ name: "app", tags: ["x", "y"], v: 1.5 }),
    3837302058,
  );
});

Deno.test("checksum: key insertion order does not matter", () => {
  assert.equal(checksum({ a: 1, b: 2 }), checksum({ b: 2, a: 1 }));
  assert.equal(
    checksum(new Map([[2, "b"], [1, "a"]])),
    checksum(new Map([[1, "a"], [2, "b"]])),
  );
  assert.equal(
    checksum(new Map<string | number, string>([["x", "1"], [3, "2"]])),
    checksum(new Map<string | number, string>([[3, "2"], ["x", "1"]])),
  );
  // Nested tables, shuffled with a seeded PRNG.
  const random = mulberry32(7);
  const entries = Array.from(
    { length: 40 },
    (_, i): [string, LuaValue] => [`k${i}`, { inner: i, list: [i, `v${i}`] }],
  );
  const reference = checksum(Object.fromEntries(entries));
  for (let round = 0; round < 50; round++) {
    const shuffled = [...entries];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    assert.equal(checksum(Object.fromEntries(shuffled)), reference);
  }
});

Deno.test("checksum: different values differ", () => {
  assert.notEqual(checksum({ a: 1 }), checksum({ a: 2 }));
  assert.notEqual(checksum([1, 2]), checksum([2, 1]));
  assert.notEqual(checksum("1"), checksum(1));
});

Deno.test("checksum: unencodable values throw TypeError", () => {
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => checksum({ f: (() => {}) as any }),
    { name: "TypeError" },
  );
});
