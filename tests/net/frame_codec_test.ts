// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { FrameDecoder, FrameEncoder } from "../../net/frame_codec.ts";
import { FrameTooLargeError } from "../../net/errors.ts";

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function payloads(): Uint8Array[] {
  return [
    new Uint8Array([1, 2, 3]),
    new Uint8Array(0),
    new Uint8Array(300).map((_, i) => i & 0xff),
    new Uint8Array([0xff]),
    new Uint8Array(5).fill(9),
  ];
}

Deno.test("FrameEncoder.encode writes a u32 big-endian length then the payload", () => {
  const encoder = new FrameEncoder();
  assert.deepEqual(
    encoder.encode(new Uint8Array([0xaa, 0xbb])),
    new Uint8Array([0, 0, 0, 2, 0xaa, 0xbb]),
  );
  assert.deepEqual(encoder.encode(new Uint8Array(0)), new Uint8Array(4));
  const big = encoder.encode(new Uint8Array(0x010203));
  assert.deepEqual(big.subarray(0, 4), new Uint8Array([0, 1, 2, 3]));
  assert.equal(big.length, 4 + 0x010203);
  assert.equal(encoder.maxFrameSize, 1024 * 1024);
});

Deno.test("FrameEncoder.encodeMany concatenates frames and encodeInto fills a buffer", () => {
  const encoder = new FrameEncoder();
  const many = encoder.encodeMany(payloads());
  let expected: number[] = [];
  for (const p of payloads()) expected = [...expected, ...encoder.encode(p)];
  assert.deepEqual(many, new Uint8Array(expected));
  assert.deepEqual(encoder.encodeMany([]), new Uint8Array(0));

  const target = new Uint8Array(10);
  assert.equal(encoder.encodeInto(new Uint8Array([5, 6]), target, 2), 8);
  assert.deepEqual(target, new Uint8Array([0, 0, 0, 0, 0, 2, 5, 6, 0, 0]));
  assert.throws(() => encoder.encodeInto(new Uint8Array(5), target, 2), {
    name: "RangeError",
    message:
      "Cannot encode frame: 9 bytes do not fit at offset 2 of a 10-byte buffer",
  });
});

Deno.test("FrameEncoder rejects oversize payloads and non-bytes", () => {
  const encoder = new FrameEncoder({ maxFrameSize: 65536 });
  assert.throws(() => encoder.encode(new Uint8Array(70000)), {
    name: "FrameTooLargeError",
    message: "Cannot encode frame: length 70000 exceeds limit 65536",
  });
  assert.throws(
    () => encoder.encodeMany([new Uint8Array(1), new Uint8Array(65537)]),
    {
      name: "FrameTooLargeError",
      message: "Cannot encode frame: length 65537 exceeds limit 65536",
    },
  );
  assert.equal(encoder.encode(new Uint8Array(65536)).length, 65540);
  assert.throws(
    () => encoder.encode("hi" as unknown as Uint8Array),
    {
      name: "TypeError",
      message: "Cannot encode frame: payload must be a Uint8Array, got string",
    },
  );
  assert.ok(new FrameTooLargeError("x") instanceof RangeError);
});

Deno.test("FrameDecoder/FrameEncoder reject a bad maxFrameSize", () => {
  assert.throws(() => new FrameDecoder({ maxFrameSize: -1 }), {
    name: "RangeError",
    message:
      "Cannot create frame codec: maxFrameSize -1 is not an integer in 0..4294967295",
  });
  assert.throws(() => new FrameEncoder({ maxFrameSize: 2 ** 32 }), {
    name: "RangeError",
  });
  assert.throws(
    () => new FrameEncoder({ maxFrameSize: "1" as unknown as number }),
    {
      name: "TypeError",
      message:
        "Cannot create frame codec: maxFrameSize must be a number, got string",
    },
  );
});

Deno.test("FrameDecoder decodes every split point of a multi-frame buffer", () => {
  const encoded = new FrameEncoder().encodeMany(payloads());
  for (let a = 0; a <= encoded.length; a++) {
    for (let b = a; b <= encoded.length; b += 7) {
      const decoder = new FrameDecoder();
      const frames = [
        ...decoder.decode(encoded.slice(0, a)),
        ...decoder.decode(encoded.slice(a, b)),
        ...decoder.decode(encoded.slice(b)),
      ];
      assert.deepEqual(frames, payloads(), `split at ${a}/${b}`);
      assert.equal(decoder.bufferedBytes, 0);
      assert.equal(decoder.expectedBytes, 0);
    }
  }
});

Deno.test("FrameDecoder decodes a stream fed one byte at a time", () => {
  const encoded = new FrameEncoder().encodeMany(payloads());
  const decoder = new FrameDecoder();
  const frames: Uint8Array[] = [];
  let maxBuffered = 0;
  for (let i = 0; i < encoded.length; i++) {
    frames.push(...decoder.decode(encoded.subarray(i, i + 1)));
    maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
  }
  assert.deepEqual(frames, payloads());
  assert.equal(maxBuffered, 4 + 299);
});

Deno.test("FrameDecoder returns frames inside one chunk as views without copying", () => {
  const chunk = new FrameEncoder().encodeMany(payloads());
  const frames = new FrameDecoder().decode(chunk);
  assert.equal(frames.length, 5);
  for (const frame of frames) assert.equal(frame.buffer, chunk.buffer);
  assert.equal(frames[0].byteOffset, 4);
});

Deno.test("FrameDecoder gathers a spanning frame into one buffer of its declared size", () => {
  const frame = new FrameEncoder().encode(new Uint8Array(1000).fill(7));
  const decoder = new FrameDecoder();
  assert.deepEqual(decoder.decode(frame.subarray(0, 2)), []);
  assert.equal(decoder.bufferedBytes, 2);
  assert.equal(decoder.expectedBytes, 4);
  assert.deepEqual(decoder.decode(frame.subarray(2, 10)), []);
  assert.equal(decoder.bufferedBytes, 10);
  assert.equal(decoder.expectedBytes, 1004);
  const [out] = decoder.decode(frame.subarray(10));
  assert.equal(out.length, 1000);
  assert.equal(out.buffer.byteLength, 1000);
  assert.notEqual(out.buffer, frame.buffer);
  assert.deepEqual(out, new Uint8Array(1000).fill(7));
});

Deno.test("FrameDecoder checks the length before allocating and stays poisoned", () => {
  const decoder = new FrameDecoder({ maxFrameSize: 65536 });
  const good = new FrameEncoder().encode(new Uint8Array([1]));
  assert.deepEqual(decoder.decode(good), [new Uint8Array([1])]);
  assert.deepEqual(decoder.decode(new Uint8Array([0, 1])), []);
  assert.throws(() => decoder.decode(new Uint8Array([0x11, 0x70])), {
    name: "FrameTooLargeError",
    message: "Cannot decode frame: length 70000 exceeds limit 65536",
  });
  assert.equal(decoder.bufferedBytes, 0);
  assert.throws(() => decoder.decode(good), {
    name: "FrameTooLargeError",
    message: "Cannot decode frame: length 70000 exceeds limit 65536",
  });
  assert.throws(() => decoder.decode(new Uint8Array(0)), FrameTooLargeError);
  decoder.reset();
  assert.deepEqual(decoder.decode(good), [new Uint8Array([1])]);
  // A 4 GiB declaration must fail at once, not allocate.
  assert.throws(
    () => new FrameDecoder().decode(new Uint8Array([0xff, 0xff, 0xff, 0xff])),
    {
      name: "FrameTooLargeError",
      message: "Cannot decode frame: length 4294967295 exceeds limit 1048576",
    },
  );
});

Deno.test("FrameDecoder copies chunks backed by shared memory", () => {
  const shared = new Uint8Array(new SharedArrayBuffer(6));
  shared.set([0, 0, 0, 2, 8, 9]);
  const [frame] = new FrameDecoder().decode(shared);
  assert.ok(frame.buffer instanceof ArrayBuffer);
  assert.deepEqual(frame, new Uint8Array([8, 9]));
  assert.throws(() => new FrameDecoder().decode([1] as unknown as Uint8Array), {
    name: "TypeError",
    message: "Cannot decode frame: chunk must be a Uint8Array, got Array",
  });
});

Deno.test("FrameDecoder survives seeded random bytes in random chunks", () => {
  const random = mulberry32(0x5eed);
  const limit = 4096;
  let tooLarge = 0;
  let decoded = 0;
  for (let round = 0; round < 5000; round++) {
    const length = Math.floor(random() * 64);
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      // Mostly small lengths so that many frames complete.
      bytes[i] = random() < 0.6 ? 0 : Math.floor(random() * 256);
    }
    const decoder = new FrameDecoder({ maxFrameSize: limit });
    let offset = 0;
    try {
      while (offset < length) {
        const size = 1 + Math.floor(random() * 9);
        decoded += decoder.decode(bytes.subarray(offset, offset + size)).length;
        offset += size;
        assert.ok(decoder.bufferedBytes <= limit + 4);
      }
    } catch (error) {
      assert.ok(error instanceof FrameTooLargeError, String(error));
      tooLarge++;
    }
  }
  assert.ok(tooLarge > 100, `too-large cases ${tooLarge}`);
  assert.ok(decoded > 100, `decoded frames ${decoded}`);
});

Deno.test("FrameDecoder round-trips seeded random frames through random chunking", () => {
  const random = mulberry32(42);
  const encoder = new FrameEncoder({ maxFrameSize: 2048 });
  for (let round = 0; round < 300; round++) {
    const sent: Uint8Array[] = [];
    const count = 1 + Math.floor(random() * 10);
    for (let i = 0; i < count; i++) {
      const p = new Uint8Array(Math.floor(random() * 2048));
      for (let j = 0; j < p.length; j += 97) p[j] = Math.floor(random() * 256);
      sent.push(p);
    }
    const stream = encoder.encodeMany(sent);
    const decoder = new FrameDecoder({ maxFrameSize: 2048 });
    const got: Uint8Array[] = [];
    for (let offset = 0; offset < stream.length;) {
      const size = 1 + Math.floor(random() * 3000);
      got.push(...decoder.decode(stream.subarray(offset, offset + size)));
      offset += size;
    }
    assert.deepEqual(got, sent);
  }
});

Deno.test("FrameDecoder.maxFrameSize: a raised limit applies to the next header", () => {
  const decoder = new FrameDecoder({ maxFrameSize: 4 });
  assert.deepEqual(decoder.decode(Uint8Array.of(0, 0, 0, 3, 1, 2, 3, 0, 0)), [
    Uint8Array.of(1, 2, 3),
  ]);
  // Two header bytes buffered: the rest of the header meets the new limit.
  decoder.maxFrameSize = 8;
  assert.equal(decoder.maxFrameSize, 8);
  assert.deepEqual(
    decoder.decode(Uint8Array.of(0, 8, 1, 2, 3, 4, 5, 6, 7, 8)),
    [
      Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
    ],
  );
  assert.throws(() => decoder.decode(Uint8Array.of(0, 0, 0, 9)), {
    name: "FrameTooLargeError",
    message: "Cannot decode frame: length 9 exceeds limit 8",
  });
});

Deno.test("FrameDecoder.maxFrameSize: lowering it mid-frame keeps the stream position", () => {
  const decoder = new FrameDecoder({ maxFrameSize: 8 });
  assert.deepEqual(decoder.decode(Uint8Array.of(0, 0, 0, 8, 1, 2, 3)), []);
  decoder.maxFrameSize = 2;
  assert.equal(decoder.bufferedBytes, 7);
  // The accepted frame completes whole; the next header meets the new limit.
  assert.deepEqual(decoder.decode(Uint8Array.of(4, 5, 6, 7, 8, 0, 0, 0, 2)), [
    Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
  ]);
  assert.deepEqual(decoder.decode(Uint8Array.of(9, 9, 0, 0, 0)), [
    Uint8Array.of(9, 9),
  ]);
  assert.throws(() => decoder.decode(Uint8Array.of(3)), {
    name: "FrameTooLargeError",
    message: "Cannot decode frame: length 3 exceeds limit 2",
  });
  // Poisoned stays poisoned, whatever the limit.
  decoder.maxFrameSize = 100;
  assert.throws(() => decoder.decode(Uint8Array.of(0)), {
    name: "FrameTooLargeError",
    message: "Cannot decode frame: length 3 exceeds limit 2",
  });
});

Deno.test("FrameDecoder.maxFrameSize rejects a bad limit and keeps the old one", () => {
  const decoder = new FrameDecoder({ maxFrameSize: 16 });
  for (const bad of [-1, 1.5, 2 ** 32, NaN]) {
    assert.throws(() => {
      decoder.maxFrameSize = bad;
    }, {
      name: "RangeError",
      message:
        `Cannot set frame limit: maxFrameSize ${bad} is not an integer in 0..4294967295`,
    });
  }
  for (const bad of ["1", undefined]) {
    assert.throws(() => {
      decoder.maxFrameSize = bad as unknown as number;
    }, {
      name: "TypeError",
      message:
        `Cannot set frame limit: maxFrameSize must be a number, got ${typeof bad}`,
    });
  }
  assert.equal(decoder.maxFrameSize, 16);
});
