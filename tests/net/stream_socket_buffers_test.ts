// Copyright 2026 the moonwire authors. MIT license.
// Read buffer sizing: small while idle, growing under load, small again
// after a quiet second (an idle socket's pending read pins its buffer).
import assert from "node:assert/strict";
import type { StreamSocket } from "../../net/stream_socket.ts";
import { pair } from "./_stream_pair.ts";

// Collects chunks; `next()` waits for the next one (releasing when borrowing).
function chunks(socket: StreamSocket, borrowChunks: boolean) {
  const waiting: Uint8Array<ArrayBuffer>[] = [];
  let wake: (() => void) | undefined;
  socket.start({
    data(chunk) {
      waiting.push(chunk);
      wake?.();
    },
    end() {},
    error() {},
  }, { borrowChunks });
  return {
    async next(): Promise<Uint8Array<ArrayBuffer>> {
      while (waiting.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
      }
      return waiting.shift()!;
    },
  };
}

for (const borrowChunks of [false, true]) {
  const mode = borrowChunks ? "borrowed" : "fresh";
  Deno.test(`StreamSocket ${mode} chunks: reads start at 1 KiB, grow while full, shrink after a quiet second`, async () => {
    const { client, server } = await pair();
    const reader = chunks(server, borrowChunks);
    // An idle socket's first read goes into a 1 KiB buffer (600 bytes fill
    // more than half of it, so even fresh mode hands that buffer out).
    await client.write(new Uint8Array(600).fill(1));
    const first = await reader.next();
    assert.equal(first.length, 600);
    assert.equal(first.buffer.byteLength, 1024);
    if (borrowChunks) server.release();
    // A burst: buffers double while reads fill them.
    const burst = 2_000_000;
    const sending = client.write(new Uint8Array(burst).fill(2));
    let received = 0;
    let largest = 0;
    while (received < burst) {
      const chunk = await reader.next();
      received += chunk.length;
      largest = Math.max(largest, chunk.buffer.byteLength);
      if (borrowChunks) server.release();
    }
    await sending;
    assert.equal(received, burst);
    assert.ok(largest >= 64 * 1024, `largest read buffer ${largest}`);
    // Quiet for over a second: the read pending since the burst still uses
    // a big buffer, the next one is back at 1 KiB.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await client.write(new Uint8Array(600).fill(3));
    const late = (await reader.next()).slice();
    if (borrowChunks) server.release();
    await client.write(new Uint8Array(600).fill(4));
    const after = await reader.next();
    assert.deepEqual(late, new Uint8Array(600).fill(3));
    assert.deepEqual(after, new Uint8Array(600).fill(4));
    assert.equal(after.buffer.byteLength, 1024);
    if (borrowChunks) server.release();
    client.close();
    server.close();
    await Promise.all([client.closed, server.closed]);
  });
}
