// Copyright 2026 the moonwire authors. MIT license.
// How many socket writes a stream of frames takes: frames sent while a
// write is in flight gather into one arena, and a producer paced by
// ready() keeps the arenas full instead of trickling one frame per write.
import assert from "node:assert/strict";
import { pair } from "./_framed_pair.ts";

const FRAME = 64 * 1024;
const FRAMES = 40;

Deno.test("FramedConnection: a producer paced by ready() writes full arenas (3 frames of 64 KiB per write), not one frame per wake-up", async () => {
  await using framed = await pair({ borrowFrames: true }, {
    borrowFrames: true,
  });
  const { client, server } = framed;
  const payload = new Uint8Array(FRAME).fill(5);
  const reading = (async () => {
    let frames = 0;
    let bytes = 0;
    while (frames < FRAMES) {
      const batch = (await server.readMany())!;
      for (const frame of batch) {
        assert.equal(frame[0], 5);
        assert.equal(frame[FRAME - 1], 5);
        bytes += frame.length;
      }
      frames += batch.length;
    }
    return bytes;
  })();
  const before = client.stats.writeCalls;
  for (let i = 0; i < FRAMES; i++) {
    // The pacing mm and the benchmarks use: wait for room past 256 KiB.
    if (client.pendingBytes >= 256 * 1024) await client.ready();
    client.send(payload);
  }
  assert.equal(await reading, FRAME * FRAMES);
  const writes = client.stats.writeCalls - before;
  // 40 frames of 64 KiB + 4 fill 14 arenas of 256 KiB (3 frames each).
  // Flushing the filling arena right after each write completed, before
  // the woken producer added to it, took 20 writes.
  assert.ok(writes <= 15, `took ${writes} writes`);
});

Deno.test("FramedConnection: frames larger than an arena (512 KiB, reusing one spare buffer) arrive intact, sent back to back, after awaits and in one turn", async () => {
  await using framed = await pair({}, {});
  const { client, server } = framed;
  const size = 512 * 1024 + 113;
  const frame = (fill: number) => {
    const bytes = new Uint8Array(size).fill(fill);
    bytes[0] = fill ^ 0xff; // a first byte that differs from the rest
    return bytes;
  };
  const fills = [1, 2, 3, 4, 5, 6];
  const reading = (async () => {
    const seen: number[] = [];
    while (seen.length < fills.length) {
      const got = (await server.read())!;
      assert.equal(got.length, size);
      const fill = got[1];
      assert.equal(got[0], fill ^ 0xff);
      assert.ok(got.every((byte, i) => i === 0 || byte === fill));
      seen.push(fill);
    }
    return seen;
  })();
  // Two awaited one by one (the spare is reused), then four in one turn
  // (the spare is taken by the first, the others get buffers of their own),
  // and the caller's arrays are overwritten at once: send() copied them.
  for (const fill of fills.slice(0, 2)) {
    const bytes = frame(fill);
    const sent = client.send(bytes);
    bytes.fill(0);
    await sent;
  }
  const sends = fills.slice(2).map((fill) => {
    const bytes = frame(fill);
    const sent = client.send(bytes);
    bytes.fill(0);
    return sent;
  });
  await Promise.all(sends);
  assert.deepEqual(await reading, fills);
});
