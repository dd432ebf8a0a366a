// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { checksum } from "../../cnet/checksum.ts";
import type { LuaValue } from "../../net/table_codec.ts";
import { crc32 } from "../../cnet/_cnet_crc32.ts";
import { mulberry32 } from "../_random.ts";

Deno.test("crc32 matches the standard check value", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array()), 0);
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
