// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { buildRecord, readRecord } from "../../mm/_record.ts";
import { encodeTable } from "../../net/table_codec.ts";
import { mulberry32 } from "../_random.ts";

Deno.test("a record is a msgpack array of the encoded tables", () => {
  const items = [encodeTable([1]), encodeTable({ a: "b" }), encodeTable([])];
  const record = buildRecord(items, 0, 3, 2 + 5 + 1);
  assert.deepEqual(
    record,
    Uint8Array.of(
      0xdd,
      0,
      0,
      0,
      3,
      0x91,
      1,
      0x81,
      0xa1,
      0x61,
      0xa1,
      0x62,
      0x90,
    ),
  );
  assert.deepEqual(readRecord(record), [[1], { a: "b" }, []]);
  assert.deepEqual(readRecord(buildRecord(items, 1, 2, 5)), [{ a: "b" }]);
});

Deno.test("readRecord rejects malformed records", () => {
  assert.throws(() => readRecord(new Uint8Array(0)), {
    name: "SyntaxError",
    message: "Cannot read record: missing record header",
  });
  assert.throws(() => readRecord(Uint8Array.of(0x93, 1, 2, 3, 4, 5)), {
    name: "SyntaxError",
    message: "Cannot read record: missing record header",
  });
  assert.throws(() => readRecord(Uint8Array.of(0xdd, 0, 0, 0, 0, 0x90)), {
    name: "SyntaxError",
    message: "Cannot read record: 0 messages cannot fit in 1 bytes",
  });
  assert.throws(
    () => readRecord(Uint8Array.of(0xdd, 255, 255, 255, 255, 0x90)),
    {
      name: "SyntaxError",
      message: "Cannot read record: 4294967295 messages cannot fit in 1 bytes",
    },
  );
  assert.throws(() => readRecord(Uint8Array.of(0xdd, 0, 0, 0, 2, 0x90, 0x05)), {
    name: "TypeError",
    message: "Cannot read record: message 1 is not a table",
  });
  assert.throws(
    () => readRecord(Uint8Array.of(0xdd, 0, 0, 0, 2, 0x90)),
    SyntaxError,
  );
  assert.throws(
    () => readRecord(Uint8Array.of(0xdd, 0, 0, 0, 1, 0x90, 0x90)),
    SyntaxError,
  );
});

Deno.test("readRecord on random input throws only typed errors", () => {
  const random = mulberry32(0x6d6d);
  const parts = [encodeTable({ a: [1, 2, { b: "c" }] }), encodeTable([true])];
  const valid = buildRecord(parts, 0, 2, parts[0].length + parts[1].length);
  for (let i = 0; i < 5000; i++) {
    let bytes: Uint8Array;
    if (i % 2 === 0) {
      // Mutations of a valid record reach deep into the decoder.
      bytes = valid.slice(0, Math.floor(random() * (valid.length + 1)));
      for (let j = 0; j < 3; j++) {
        bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      }
    } else {
      bytes = new Uint8Array(Math.floor(random() * 40));
      for (let j = 0; j < bytes.length; j++) {
        bytes[j] = Math.floor(random() * 256);
      }
      if (bytes.length > 0) bytes[0] = 0xdd;
    }
    try {
      for (const table of readRecord(bytes)) {
        assert.equal(typeof table, "object");
      }
    } catch (error) {
      assert.ok(
        error instanceof SyntaxError || error instanceof RangeError ||
          error instanceof TypeError,
        String(error),
      );
    }
  }
});
