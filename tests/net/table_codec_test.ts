// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  decodeTable,
  encodeTable,
  type LuaTable,
  type LuaValue,
} from "../../net/table_codec.ts";
import {
  decode as msgpackDecode,
  encode as msgpackEncode,
  Encoder,
} from "@msgpack/msgpack";
import { mulberry32 } from "../_random.ts";

const bytes = (...values: number[]) => new Uint8Array(values);
const utf8 = (text: string) => [...new TextEncoder().encode(text)];

Deno.test("encodeTable writes standard msgpack for the Lua value model", () => {
  assert.deepEqual(encodeTable(null), bytes(0xc0));
  assert.deepEqual(encodeTable(true), bytes(0xc3));
  assert.deepEqual(encodeTable(false), bytes(0xc2));
  assert.deepEqual(encodeTable(5), bytes(0x05));
  assert.deepEqual(encodeTable(-1), bytes(0xff));
  assert.deepEqual(encodeTable(300), bytes(0xcd, 0x01, 0x2c));
  assert.deepEqual(
    encodeTable(1.5),
    bytes(0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0),
  );
  assert.deepEqual(encodeTable(-0), bytes(0xcb, 0x80, 0, 0, 0, 0, 0, 0, 0));
  assert.deepEqual(encodeTable("hi"), bytes(0xa2, 0x68, 0x69));
  assert.deepEqual(encodeTable(bytes(1, 2)), bytes(0xc4, 0x02, 0x01, 0x02));
  assert.deepEqual(encodeTable([1, "a"]), bytes(0x92, 0x01, 0xa1, 0x61));
  assert.deepEqual(encodeTable({ a: 1 }), bytes(0x81, 0xa1, 0x61, 0x01));
  assert.deepEqual(
    encodeTable(new Map<string | number, LuaValue>([[2, "x"], ["k", null]])),
    bytes(0x82, 0x02, 0xa1, 0x78, 0xa1, 0x6b, 0xc0),
  );
  const long = encodeTable(new Array(20).fill(0));
  assert.deepEqual(long.subarray(0, 3), bytes(0xdc, 0x00, 0x14));
});

Deno.test("decodeTable round-trips scalars, floats and nested tables", () => {
  const values: LuaValue[] = [
    null,
    true,
    0,
    -0,
    1,
    -33,
    2 ** 40,
    -(2 ** 40),
    2 ** 60,
    0.1,
    NaN,
    Infinity,
    -Infinity,
    "",
    "héllo ✓ 😀",
    bytes(),
    bytes(0, 255),
    [],
    {},
    [1, [2, [3, { x: [4] }]]],
    { nested: { list: [true, false, null], blob: bytes(9) } },
    new Map<string | number, LuaValue>([[1, "a"], [2.5, "b"], ["s", [1]]]),
    new Array(70000).fill("z"),
  ];
  for (const value of values) {
    assert.deepEqual(decodeTable(encodeTable(value)), value);
  }
});

Deno.test("decodeTable makes plain objects for string keys and Maps for number keys", () => {
  const onlyStrings = new Map<string | number, LuaValue>([["a", 1], ["b", 2]]);
  const decoded = decodeTable(encodeTable(onlyStrings));
  assert.deepEqual(decoded, { a: 1, b: 2 });
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
  // 1 and "1" are different keys.
  const mixed = new Map<string | number, LuaValue>([[1, "num"], ["1", "str"]]);
  assert.deepEqual(decodeTable(encodeTable(mixed)), mixed);
  // String keys that look like our internal escapes survive.
  const odd = { "\x00x": 1, "\x01y": 2, "": 3, "\x00": 4 };
  assert.deepEqual(decodeTable(encodeTable(odd)), odd);
  const oddMap = new Map<string | number, LuaValue>([["\x001", 1], [1, 2]]);
  assert.deepEqual(decodeTable(encodeTable(oddMap)), oddMap);
});

Deno.test("decodeTable keeps a __proto__ key as data and never pollutes prototypes", () => {
  // msgpack {"__proto__": {"polluted": true}}
  const wire = bytes(
    0x81,
    0xa9,
    ...utf8("__proto__"),
    0x81,
    0xa8,
    ...utf8("polluted"),
    0xc3,
  );
  const decoded = decodeTable(wire) as Record<string, LuaValue>;
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
  assert.deepEqual(Object.keys(decoded), ["__proto__"]);
  assert.deepEqual(
    Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value,
    { polluted: true },
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal((decoded as Record<string, unknown>).polluted, undefined);
  // And it round-trips.
  assert.deepEqual(encodeTable(decoded), wire);
});

Deno.test("decodeTable copies byte strings instead of aliasing the input", () => {
  const wire = encodeTable([bytes(1, 2, 3)]);
  const [blob] = decodeTable(wire) as Uint8Array[];
  wire[3] = 99;
  assert.deepEqual(blob, bytes(1, 2, 3));
  assert.notEqual(blob.buffer, wire.buffer);
});

Deno.test("encodeTable rejects values outside the model with the exact path", () => {
  class Point {
    x = 1;
  }
  const cases: [unknown, string][] = [
    [
      { a: { b: [1, 2, 3, () => {}] } },
      "unsupported value of type function at message.a.b[3]",
    ],
    [undefined, "unsupported value of type undefined at message"],
    [[Symbol("s")], "unsupported value of type symbol at message[0]"],
    [{ n: 1n }, "unsupported value of type bigint at message.n"],
    [{ when: new Date(0) }, "unsupported value of type Date at message.when"],
    [{ p: new Point() }, "unsupported value of type Point at message.p"],
    [[new Int8Array(1)], "unsupported value of type Int8Array at message[0]"],
    [
      { "odd key": [null, new Set()] },
      'unsupported value of type Set at message["odd key"][1]',
    ],
    [{ [Symbol("k")]: 1 }, "unsupported key of type symbol at message"],
    [
      { m: new Map<unknown, unknown>([[true, 1]]) },
      "unsupported key of type boolean at message.m",
    ],
    [{ m: new Map([[NaN, 1]]) }, "unsupported key NaN at message.m"],
    [
      { m: new Map<string | number, unknown>([[7, { f: Math.max }]]) },
      "unsupported value of type function at message.m[7].f",
    ],
  ];
  for (const [value, detail] of cases) {
    assert.throws(() => encodeTable(value as LuaValue), {
      name: "TypeError",
      message: `Cannot encode table: ${detail}`,
    });
  }
});

Deno.test("encodeTable: undefined in a table is nil (absent key, nil item)", () => {
  // {n: 1}: the undefined field leaves no trace in the bytes.
  assert.deepEqual(
    encodeTable({ a: undefined, n: 1, z: undefined }),
    bytes(0x81, 0xa1, 0x6e, 0x01),
  );
  assert.deepEqual(
    encodeTable(
      new Map<string | number, LuaValue | undefined>([[1, undefined], [
        "n",
        1,
      ]]),
    ),
    bytes(0x81, 0xa1, 0x6e, 0x01),
  );
  assert.deepEqual(encodeTable({ a: undefined }), bytes(0x80));
  // Holes and undefined items are msgpack nil: [1, nil, nil, 3].
  // deno-lint-ignore no-sparse-arrays
  assert.deepEqual(
    encodeTable([1, , undefined, 3]),
    bytes(0x94, 0x01, 0xc0, 0xc0, 0x03),
  );
  assert.deepEqual(decodeTable(encodeTable([undefined])), [null]);
  // 16 fields, 2 undefined: the map16 header shrinks to a fixmap one and
  // the bytes equal those of the 14 defined fields (canonical too).
  const full: Record<string, number | undefined> = {};
  const defined: Record<string, number> = {};
  for (let i = 0; i < 16; i++) {
    full[`k${i}`] = i % 8 === 3 ? undefined : i;
    if (i % 8 !== 3) defined[`k${i}`] = i;
  }
  assert.equal(encodeTable(full)[0], 0x8e);
  assert.deepEqual(encodeTable(full), encodeTable(defined));
  assert.deepEqual(
    encodeTable(full, { canonical: true }),
    encodeTable(defined, { canonical: true }),
  );
  assert.deepEqual(decodeTable(encodeTable({ nested: [{ x: undefined }] })), {
    nested: [{}],
  });
});

Deno.test("encodeTable rejects cycles but allows shared subtables", () => {
  const root: Record<string, LuaValue> = {};
  root.a = root;
  assert.throws(() => encodeTable(root), {
    name: "TypeError",
    message: "Cannot encode table: cycle at message.a",
  });
  const list: LuaValue[] = [1];
  list.push({ back: list });
  assert.throws(() => encodeTable(list), {
    name: "TypeError",
    message: "Cannot encode table: cycle at message[1].back",
  });
  const shared = { x: 1 };
  assert.deepEqual(decodeTable(encodeTable({ a: shared, b: shared })), {
    a: { x: 1 },
    b: { x: 1 },
  });
  // A failed encode leaves the shared encoder usable.
  assert.deepEqual(encodeTable([1]), bytes(0x91, 0x01));
});

Deno.test("encodeTable and decodeTable enforce maxDepth", () => {
  let deep: LuaValue = 1;
  for (let i = 0; i < 64; i++) deep = [deep];
  const wire = encodeTable(deep);
  assert.deepEqual(decodeTable(wire), deep);
  assert.throws(() => encodeTable([deep]), {
    name: "TypeError",
    message: `Cannot encode table: depth exceeds limit 64 at message${
      "[0]".repeat(64)
    }`,
  });
  assert.throws(() => encodeTable({ a: { b: {} } }, { maxDepth: 2 }), {
    name: "TypeError",
    message: "Cannot encode table: depth exceeds limit 2 at message.a.b",
  });
  assert.throws(() => decodeTable(bytes(0x91, ...wire)), {
    name: "RangeError",
    message: "Cannot decode table: depth exceeds limit 64",
  });
  assert.throws(() => decodeTable(encodeTable([[[1]]]), { maxDepth: 2 }), {
    name: "RangeError",
    message: "Cannot decode table: depth exceeds limit 2",
  });
  // A megabyte of nested array headers fails fast, without building them.
  const bomb = new Uint8Array(1024 * 1024).fill(0x91);
  assert.throws(() => decodeTable(bomb), { name: "RangeError" });
});

Deno.test("encodeTable and decodeTable enforce maxBytes", () => {
  assert.throws(() => encodeTable("x".repeat(100), { maxBytes: 50 }), {
    name: "RangeError",
    message: "Cannot encode table: size 102 exceeds limit 50",
  });
  assert.throws(() => decodeTable(new Uint8Array(51), { maxBytes: 50 }), {
    name: "RangeError",
    message: "Cannot decode table: size 51 exceeds limit 50",
  });
  const big = encodeTable(new Uint8Array(1024 * 1024), {
    maxBytes: 2 * 1024 * 1024,
  });
  assert.throws(() => decodeTable(big), {
    name: "RangeError",
    message: "Cannot decode table: size 1048581 exceeds limit 1048576",
  });
  assert.equal(
    (decodeTable(big, { maxBytes: 2 * 1024 * 1024 }) as Uint8Array).length,
    1024 * 1024,
  );
});

Deno.test("canonical encoding is independent of insertion order", () => {
  const a = {
    b: 1,
    a: [{ z: 1, y: 2 }],
    c: new Map<string | number, LuaValue>([["s", 1], [10, 2], [2, 3]]),
  };
  const b = {
    c: new Map<string | number, LuaValue>([[2, 3], ["s", 1], [10, 2]]),
    a: [{ y: 2, z: 1 }],
    b: 1,
  };
  assert.notDeepEqual(encodeTable(a), encodeTable(b));
  assert.deepEqual(
    encodeTable(a, { canonical: true }),
    encodeTable(b, { canonical: true }),
  );
  // Numbers before strings, numbers ascending.
  assert.deepEqual(
    encodeTable(
      new Map<string | number, LuaValue>([["a", 0], [10, 0], [-1, 0], [
        "B",
        0,
      ]]),
      {
        canonical: true,
      },
    ),
    bytes(0x84, 0xff, 0x00, 0x0a, 0x00, 0xa1, 0x42, 0x00, 0xa1, 0x61, 0x00),
  );
});

Deno.test("decodeTable rejects malformed, truncated, trailing and extension input", () => {
  const cases: [Uint8Array, string, string][] = [
    [bytes(), "SyntaxError", "Cannot decode table: unexpected end of input"],
    [
      bytes(0xa3, 0x61),
      "SyntaxError",
      "Cannot decode table: unexpected end of input",
    ],
    [
      bytes(0xcd, 0x01),
      "SyntaxError",
      "Cannot decode table: unexpected end of input",
    ],
    [
      bytes(0x01, 0x02),
      "SyntaxError",
      "Cannot decode table: 1 trailing byte(s) after the value",
    ],
    [
      bytes(0xc1),
      "SyntaxError",
      "Cannot decode table: unrecognized type byte: 0xc1",
    ],
    [
      bytes(0xdd, 0xff, 0xff, 0xff, 0xff),
      "SyntaxError",
      "Cannot decode table: unexpected end of input (4294967295 items declared, 0 bytes left)",
    ],
    [
      bytes(0xd6, 0xff, 0, 0, 0, 0),
      "TypeError",
      "Cannot decode table: unsupported extension type -1",
    ],
    [
      bytes(0xd4, 0x05, 0x00),
      "TypeError",
      "Cannot decode table: unsupported extension type 5",
    ],
    [
      bytes(0x81, 0xc3, 0x01),
      "TypeError",
      "Cannot decode table: unsupported map key of type boolean",
    ],
    [
      bytes(0x81, 0xc0, 0x01),
      "TypeError",
      "Cannot decode table: unsupported map key of type nil",
    ],
    [
      bytes(0x81, 0x90, 0x01),
      "TypeError",
      "Cannot decode table: unsupported map key of type array",
    ],
    [
      bytes(0x81, 0xc4, 0x00, 0x01),
      "TypeError",
      "Cannot decode table: unsupported map key of type Uint8Array",
    ],
    [
      bytes(0x81, 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0, 0x01),
      "TypeError",
      "Cannot decode table: unsupported map key NaN",
    ],
  ];
  for (const [input, name, message] of cases) {
    assert.throws(() => decodeTable(input), { name, message }, message);
  }
  assert.throws(() => decodeTable(bytes(0x01, 0x02)), (error: Error) => {
    assert.ok(error.cause instanceof Error);
    return true;
  });
  assert.throws(() => decodeTable("x" as unknown as Uint8Array), {
    name: "TypeError",
    message: "Cannot decode table: bytes must be a Uint8Array, got string",
  });
  assert.throws(() => decodeTable(bytes(1), { maxDepth: 0 }), {
    name: "RangeError",
    message: "Cannot decode table: maxDepth 0 is not a positive integer",
  });
});

Deno.test("encodeTable works when a getter encodes from inside an encode", () => {
  const inner = {
    get x() {
      return encodeTable([1]);
    },
  };
  assert.deepEqual(
    encodeTable(inner as unknown as LuaValue),
    bytes(0x81, 0xa1, 0x78, 0xc4, 0x02, 0x91, 0x01),
  );
});

function randomValue(random: () => number, depth: number): LuaValue {
  const pick = Math.floor(random() * (depth > 4 ? 7 : 10));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return Math.floor((random() - 0.5) * 2 ** (Math.floor(random() * 54)));
    case 3:
      return [NaN, Infinity, -Infinity, -0, (random() - 0.5) * 1e6][
        Math.floor(random() * 5)
      ];
    case 4:
      return String.fromCharCode(
        ...Array.from(
          { length: Math.floor(random() * 12) },
          () => Math.floor(random() * 0x800),
        ),
      );
    case 5:
      return new Uint8Array(Math.floor(random() * 8)).map(() =>
        Math.floor(random() * 256)
      );
    case 6:
      return random() < 0.5 ? "__proto__" : "\x00";
    case 7:
      return Array.from(
        { length: Math.floor(random() * 5) },
        () => randomValue(random, depth + 1),
      );
    case 8: {
      const object: Record<string, LuaValue> = {};
      const keys = ["a", "b", "__proto__", "\x00n", "1", "constructor", ""];
      for (let i = Math.floor(random() * 5); i > 0; i--) {
        Object.defineProperty(
          object,
          keys[Math.floor(random() * keys.length)],
          {
            value: randomValue(random, depth + 1),
            enumerable: true,
            writable: true,
            configurable: true,
          },
        );
      }
      return object;
    }
    default: {
      const map = new Map<string | number, LuaValue>();
      map.set(Math.floor(random() * 100) - 50, randomValue(random, depth + 1));
      for (let i = Math.floor(random() * 4); i > 0; i--) {
        const key = random() < 0.5
          ? String(Math.floor(random() * 5))
          : random() * 10;
        map.set(key, randomValue(random, depth + 1));
      }
      return map;
    }
  }
}

Deno.test("round trip property: seeded random Lua values", () => {
  const random = mulberry32(7);
  for (let i = 0; i < 2000; i++) {
    const value = randomValue(random, 0);
    const plain = encodeTable(value);
    assert.deepEqual(decodeTable(plain), value);
    const canonical = encodeTable(value, { canonical: true });
    assert.deepEqual(decodeTable(canonical), value);
    // Canonical bytes are a fixed point.
    assert.deepEqual(
      encodeTable(decodeTable(canonical), { canonical: true }),
      canonical,
    );
  }
});

Deno.test("decodeTable on seeded random and mutated bytes throws only typed errors", () => {
  const random = mulberry32(0xbad);
  const allowed = new Set(["SyntaxError", "RangeError", "TypeError"]);
  const seeds = Array.from(
    { length: 50 },
    () => encodeTable(randomValue(random, 0)),
  );
  let failures = 0;
  for (let i = 0; i < 6000; i++) {
    let input: Uint8Array;
    if (i % 2 === 0) {
      input = new Uint8Array(Math.floor(random() * 40)).map(() =>
        Math.floor(random() * 256)
      );
    } else {
      input = seeds[i % seeds.length].slice();
      for (let flips = 1 + Math.floor(random() * 3); flips > 0; flips--) {
        if (input.length === 0) break;
        input[Math.floor(random() * input.length)] = Math.floor(random() * 256);
      }
      if (random() < 0.2) {
        input = input.subarray(0, Math.floor(random() * input.length));
      }
    }
    try {
      decodeTable(input, { maxDepth: 8, maxBytes: 4096 });
    } catch (error) {
      failures++;
      assert.ok(error instanceof Error, String(error));
      assert.ok(allowed.has(error.name), `${error.name}: ${error.message}`);
      assert.match(error.message, /^Cannot decode table: /);
    }
  }
  assert.ok(failures > 1000, `failures ${failures}`);
});

Deno.test("LuaTable type accepts arrays, records and maps", () => {
  const tables: LuaTable[] = [[1], { a: "b" }, new Map([[1, true]])];
  for (const table of tables) {
    assert.deepEqual(decodeTable(encodeTable(table)), table);
  }
});

function walk(
  value: LuaValue,
  visit: (value: LuaValue, key?: unknown) => void,
) {
  visit(value);
  if (Array.isArray(value)) { for (const item of value) walk(item, visit); }
  else if (value instanceof Map) {
    for (const [key, item] of value) {
      visit(null, key);
      walk(item, visit);
    }
  } else if (
    typeof value === "object" && value !== null &&
    !(value instanceof Uint8Array)
  ) {
    for (const key of Object.keys(value)) {
      visit(null, key);
      walk(value[key], visit);
    }
  }
}

Deno.test("table bytes interoperate with @msgpack/msgpack both ways", () => {
  const random = mulberry32(0x5eed);
  let compared = 0;
  for (let i = 0; i < 3000; i++) {
    const value = randomValue(random, 0);
    let negativeZero = false;
    let protoKey = false;
    let map = false;
    walk(value, (item, key) => {
      if (Object.is(item, -0) || Object.is(key, -0)) negativeZero = true;
      if (key === "__proto__") protoKey = true;
      if (item instanceof Map) map = true;
    });
    const ours = encodeTable(value);
    // msgpack writes -0 as the integer 0 (we keep the sign as a float) and
    // Maps as empty maps.
    if (!negativeZero && !map) {
      assert.deepEqual(ours, msgpackEncode(value));
      assert.deepEqual(decodeTable(msgpackEncode(value)), value);
      compared++;
    }
    // Floats as float32 and integers as float64 decode too.
    if (!map && !protoKey) {
      const floats = new Encoder({ forceFloat32: true }).encode(value);
      assert.deepEqual(decodeTable(floats), msgpackDecode(floats));
    }
    if (!protoKey && !map) assert.deepEqual(msgpackDecode(ours), value);
  }
  assert.ok(compared > 500, `compared ${compared}`);
});

Deno.test("encodeTable and decodeTable handle every size class exactly", () => {
  const integers = [
    0x7f,
    0x80,
    0xff,
    0x100,
    0xffff,
    0x10000,
    0xffffffff,
    0x100000000,
    Number.MAX_SAFE_INTEGER,
    -0x20,
    -0x21,
    -0x80,
    -0x81,
    -0x8000,
    -0x8001,
    -0x80000000,
    -0x80000001,
    Number.MIN_SAFE_INTEGER,
    2 ** 53,
    1e300,
  ];
  for (const value of integers) {
    const wire = encodeTable(value);
    assert.deepEqual(wire, msgpackEncode(value), String(value));
    assert.equal(decodeTable(wire), value);
  }
  // Strings whose worst-case header is bigger than the one they need.
  // (also each side of the decoder's and encoder's hand-written ASCII paths)
  const lengths = [0, 10, 11, 31, 32, 47, 48, 49, 64, 65, 85, 86, 255, 256];
  for (const length of [...lengths, 70000]) {
    for (const text of ["a".repeat(length), "é".repeat(length)]) {
      const wire = encodeTable(text);
      assert.deepEqual(wire, msgpackEncode(text), `${length} ${text[0]}`);
      assert.equal(decodeTable(wire), text);
    }
  }
  for (const length of [0, 255, 256, 65535, 65536]) {
    const blob = new Uint8Array(length).fill(3);
    assert.deepEqual(encodeTable(blob), msgpackEncode(blob));
  }
  for (const size of [15, 16, 65535, 65536]) {
    const array = new Array(size).fill(1);
    assert.deepEqual(encodeTable(array), msgpackEncode(array));
    const object = Object.fromEntries(array.map((_, i) => [`k${i}`, i]));
    assert.deepEqual(encodeTable(object), msgpackEncode(object));
    assert.deepEqual(decodeTable(encodeTable(object)), object);
  }
  // Surrogate pairs, and lone surrogates as U+FFFD like TextEncoder.
  for (const text of ["😀", "a\ud800b", "\udc00", "x\ud83d", "😀".repeat(40)]) {
    const wire = encodeTable(text);
    assert.deepEqual(
      wire,
      msgpackEncode(new TextDecoder().decode(
        new TextEncoder().encode(text),
      )),
    );
  }
  // Invalid UTF-8 decodes to U+FFFD, short or long.
  assert.equal(decodeTable(bytes(0xa2, 0x61, 0xff)), "a\ufffd");
  for (const length of [40, 48, 49]) {
    assert.equal(
      decodeTable(
        bytes(0xd9, length, ...new Array(length - 1).fill(0x61), 0xff),
      ),
      "a".repeat(length - 1) + "\ufffd",
    );
  }
  // float32, uint64 and int64 on the wire.
  assert.equal(decodeTable(bytes(0xca, 0x3f, 0xc0, 0, 0)), 1.5);
  assert.equal(
    decodeTable(bytes(0xcf, 0, 0, 0, 1, 0, 0, 0, 2)),
    2 ** 32 + 2,
  );
  assert.equal(
    decodeTable(bytes(0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe)),
    -2,
  );
});

Deno.test("decodeTable counts empty tables toward maxDepth like encodeTable", () => {
  assert.throws(() => encodeTable([[[]]], { maxDepth: 2 }), {
    name: "TypeError",
    message: "Cannot encode table: depth exceeds limit 2 at message[0][0]",
  });
  assert.throws(() => decodeTable(bytes(0x91, 0x91, 0x90), { maxDepth: 2 }), {
    name: "RangeError",
    message: "Cannot decode table: depth exceeds limit 2",
  });
  assert.throws(() => decodeTable(bytes(0x91, 0x91, 0x80), { maxDepth: 2 }), {
    name: "RangeError",
    message: "Cannot decode table: depth exceeds limit 2",
  });
});

Deno.test("decodeTable with a huge maxDepth still throws only typed errors", () => {
  const bomb = new Uint8Array(1024 * 1024).fill(0x91);
  assert.throws(() => decodeTable(bomb, { maxDepth: 2 ** 30 }), (error) => {
    assert.ok(error instanceof RangeError || error instanceof SyntaxError);
    assert.match((error as Error).message, /^Cannot decode table: /);
    return true;
  });
  // The shared reader still works afterwards.
  assert.deepEqual(decodeTable(bytes(0x91, 0x01)), [1]);
});

Deno.test("encodeTable of an array of tables is one fast call and decodes back", () => {
  const tables = Array.from({ length: 1000 }, (_, i) => ({ i, text: "x" }));
  assert.deepEqual(decodeTable(encodeTable(tables)), tables);
});

Deno.test("map keys decode to their exact text through the key cache", () => {
  const random = mulberry32(0xca5e);
  const alphabet = [0x61, 0x62, 0x7a, 0x30, 0xc3, 0xa9, 0xff, 0x80, 0x00];
  const textDecoder = new TextDecoder();
  for (let i = 0; i < 20000; i++) {
    const length = Math.floor(random() * 21);
    const key = Array.from(
      { length },
      () => alphabet[Math.floor(random() * alphabet.length)],
    );
    const expected = textDecoder.decode(new Uint8Array(key));
    if (expected === "__proto__") continue;
    const decoded = decodeTable(bytes(0x81, 0xa0 | length, ...key, 0x01));
    assert.deepEqual(Object.keys(decoded as object), [expected]);
  }
});
