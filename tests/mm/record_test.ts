// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { buildRecord, splitRecord } from "../../mm/_record.ts";

Deno.test("records hold length-prefixed tables", () => {
  const items = [Uint8Array.of(1, 2, 3), Uint8Array.of(), Uint8Array.of(9)];
  const record = buildRecord(items, 0, 3, 4);
  assert.deepEqual(
    record,
    Uint8Array.of(0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 1, 9),
  );
  assert.deepEqual(splitRecord(record, 16), items);
  assert.deepEqual(
    buildRecord(items, 1, 3, 1),
    Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1, 9),
  );
});

Deno.test("splitRecord rejects malformed records", () => {
  assert.throws(() => splitRecord(new Uint8Array(0), 16), {
    name: "SyntaxError",
    message: "Cannot read record: record is empty",
  });
  assert.throws(() => splitRecord(Uint8Array.of(0, 0, 0, 1, 5, 0, 0), 16), {
    name: "SyntaxError",
    message: "Cannot read record: 2 trailing bytes",
  });
  assert.throws(() => splitRecord(Uint8Array.of(0, 0, 0, 3, 5), 16), {
    name: "SyntaxError",
    message: "Cannot read record: message length 3 exceeds the 1 bytes left",
  });
  assert.throws(() => splitRecord(Uint8Array.of(0, 0, 1, 0, 5), 16), {
    name: "RangeError",
    message: "Cannot read record: message length 256 exceeds limit 16",
  });
});

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("splitRecord on random input throws only typed errors", () => {
  const random = mulberry32(0x6d6d);
  for (let i = 0; i < 5000; i++) {
    const bytes = new Uint8Array(Math.floor(random() * 40));
    for (let j = 0; j < bytes.length; j++) {
      // Small length bytes so some inputs parse.
      bytes[j] = random() < 0.6 ? 0 : Math.floor(random() * 256);
    }
    try {
      for (const item of splitRecord(bytes, 64)) {
        assert.ok(item.length <= 64);
      }
    } catch (error) {
      assert.ok(
        error instanceof SyntaxError || error instanceof RangeError,
        String(error),
      );
    }
  }
});
