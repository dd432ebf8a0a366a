// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { parseCipherKey } from "../../crypto/mod.ts";

Deno.test("parseCipherKey() parses 32 and 64 hex characters", () => {
  const k16 = parseCipherKey("00112233445566778899aabbccddeeff");
  assert.deepEqual(
    k16,
    new Uint8Array([
      0x00,
      0x11,
      0x22,
      0x33,
      0x44,
      0x55,
      0x66,
      0x77,
      0x88,
      0x99,
      0xaa,
      0xbb,
      0xcc,
      0xdd,
      0xee,
      0xff,
    ]),
  );
  assert.ok(k16.buffer instanceof ArrayBuffer);
  assert.deepEqual(
    parseCipherKey("00112233445566778899AABBCCDDEEFF"),
    k16,
  );
  const k32 = parseCipherKey(
    "F".repeat(32) + "0123456789abcdefABCDEF0123456789",
  );
  assert.equal(k32.length, 32);
  assert.deepEqual(k32.subarray(0, 16), new Uint8Array(16).fill(0xff));
  assert.deepEqual(
    Array.from(k32.subarray(16)),
    [
      0x01,
      0x23,
      0x45,
      0x67,
      0x89,
      0xab,
      0xcd,
      0xef,
      0xab,
      0xcd,
      0xef,
      0x01,
      0x23,
      0x45,
      0x67,
      0x89,
    ],
  );
});

Deno.test("parseCipherKey() rejects wrong lengths with RangeError", () => {
  for (const length of [0, 1, 16, 31, 33, 48, 63, 65, 128]) {
    assert.throws(() => parseCipherKey("a".repeat(length)), {
      name: "RangeError",
      message:
        `Cannot parse cipher key: expected 32 or 64 hex characters, got ${length}`,
    });
  }
});

Deno.test("parseCipherKey() rejects non-hex characters with SyntaxError", () => {
  const cases: [string, number][] = [
    ["g" + "0".repeat(31), 0],
    ["0".repeat(31) + "G", 31],
    ["0".repeat(10) + " " + "0".repeat(21), 10],
    ["0x" + "0".repeat(30), 1],
    ["0".repeat(63) + "-", 63],
    ["0".repeat(20) + "é" + "0".repeat(11), 20],
  ];
  for (const [text, index] of cases) {
    assert.throws(() => parseCipherKey(text), {
      name: "SyntaxError",
      message:
        `Cannot parse cipher key: invalid hex character at index ${index}`,
    });
  }
});

Deno.test("parseCipherKey() rejects non-strings with TypeError", () => {
  const cases: [unknown, string][] = [
    [undefined, "undefined"],
    [null, "null"],
    [123, "number"],
    [new Uint8Array(16), "Uint8Array"],
  ];
  for (const [value, kind] of cases) {
    assert.throws(() => parseCipherKey(value as never), {
      name: "TypeError",
      message: `Cannot parse cipher key: expected a string, got ${kind}`,
    });
  }
});
