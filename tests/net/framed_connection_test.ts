// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  FramedConnection,
  type FramedConnectionKeepAlive,
  type FramedConnectionOptions,
} from "../../net/framed_connection.ts";
import { StreamSocket } from "../../net/stream_socket.ts";
import { pair } from "./_framed_pair.ts";
import {
  ConnectionClosedError,
  FrameTooLargeError,
  TimeoutError,
} from "../../net/errors.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

// A framed connection on one side, a raw Deno.Conn on the other.
async function rawPeer(
  options: FramedConnectionOptions = {},
): Promise<{ framed: FramedConnection; raw: Deno.Conn }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const accepted = listener.accept();
    const raw = await Deno.connect({
      hostname: "127.0.0.1",
      port: listener.addr.port,
    });
    return { framed: new FramedConnection(await accepted, options), raw };
  } finally {
    listener.close();
  }
}

async function readExactly(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let filled = 0;
  while (filled < n) {
    const got = await conn.read(out.subarray(filled));
    if (got === null) throw new Error(`eof after ${filled} of ${n} bytes`);
    filled += got;
  }
  return out;
}

function settleState(promise: Promise<unknown>): Promise<string> {
  return Promise.race([
    promise.then(() => "resolved", () => "rejected"),
    new Promise<string>((resolve) => setTimeout(() => resolve("pending"), 0)),
  ]);
}

Deno.test("FramedConnection delivers frames of all sizes in order", async () => {
  await using p = await pair();
  const sizes = [1, 2, 100, 4096, 65535, 65536, 70000, 1024 * 1024, 3];
  const sent = sizes.map((size, i) =>
    new Uint8Array(size).map((_, j) => (i * 31 + j) & 0xff)
  );
  const sending = Promise.all(sent.map((payload) => p.client.send(payload)));
  const received: Uint8Array[] = [];
  for (let i = 0; i < sent.length; i++) received.push((await p.server.read())!);
  await sending;
  assert.deepEqual(received, sent);
  assert.equal(p.client.pendingBytes, 0);
  assert.equal(p.client.remoteAddr.port, p.server.localAddr.port);
});

Deno.test("FramedConnection coalesces many small sends into few writes", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: listener.addr.port,
  });
  let writes = 0;
  // Count the writes that reach the Deno.Conn itself.
  const counting = new Proxy(conn, {
    get(target, key) {
      if (key === "write") {
        return (data: Uint8Array) => {
          writes++;
          return target.write(data);
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const client = new FramedConnection(counting);
  const server = new FramedConnection(await accepted);
  listener.close();
  try {
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 1000; i++) {
      sends.push(client.send(bytes(i & 0xff, i >> 8)));
    }
    assert.equal(client.pendingBytes, 6000);
    await Promise.all(sends);
    assert.equal(writes, 1);
    assert.equal(client.stats.writeCalls, 1);
    for (let i = 0; i < 1000; i++) {
      assert.deepEqual(await server.read(), bytes(i & 0xff, i >> 8));
    }
    // Sends made while a write is in flight share the next write.
    const first = client.send(bytes(1));
    await Promise.resolve();
    const later = [client.send(bytes(2)), client.send(bytes(3))];
    await Promise.all([first, ...later]);
    assert.ok(writes <= 3, `writes ${writes}`);
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("FramedConnection.ready paces a producer that does not await sends", async () => {
  await using p = await pair({ maxQueuedBytes: 64 * 1024 });
  const frame = new Uint8Array(1000);
  const count = 3000;
  let maxPending = 0;
  const reading = (async () => {
    let got = 0;
    while (got < count) {
      const frames = await p.server.readMany();
      assert.notEqual(frames, null);
      for (const f of frames!) assert.equal(f[0], got++ & 0xff);
    }
  })();
  for (let i = 0; i < count; i++) {
    await p.client.ready();
    frame[0] = i & 0xff;
    p.client.send(frame);
    maxPending = Math.max(maxPending, p.client.pendingBytes);
  }
  await reading;
  assert.ok(maxPending <= 64 * 1024 + 1004, `pending ${maxPending}`);
  p.client.abort();
  await assert.rejects(p.client.ready(), {
    name: "ConnectionClosedError",
    message: "Cannot send frame: connection is closed",
  });
});

Deno.test("FramedConnection.readMany returns what has arrived, then null", async () => {
  await using p = await pair();
  const waiting = p.server.readMany();
  await p.client.sendMany([bytes(1), bytes(2), bytes(3)]);
  const got: Uint8Array[] = [...(await waiting)!];
  while (got.length < 3) got.push(...(await p.server.readMany())!);
  assert.deepEqual(got, [bytes(1), bytes(2), bytes(3)]);
  await p.client.close();
  assert.equal(await p.server.readMany(), null);
});

Deno.test("FramedConnection.sendMany writes all frames at once", async () => {
  await using p = await pair();
  await p.client.sendMany([bytes(1), bytes(2, 2), bytes(3, 3, 3)]);
  assert.equal(p.client.stats.writeCalls, 1);
  assert.deepEqual(await p.server.read(), bytes(1));
  assert.deepEqual(await p.server.read(), bytes(2, 2));
  assert.deepEqual(await p.server.read(), bytes(3, 3, 3));
  await p.client.sendMany([]);
  await assert.rejects(
    p.client.sendMany([bytes(1), new Uint8Array(2 * 1024 * 1024)]),
    {
      name: "FrameTooLargeError",
      message: "Cannot send frame: length 2097152 exceeds limit 1048576",
    },
  );
});

Deno.test("FramedConnection.send validates payloads", async () => {
  await using p = await pair({ maxFrameSize: 100 });
  await assert.rejects(p.client.send(new Uint8Array(101)), {
    name: "FrameTooLargeError",
    message: "Cannot send frame: length 101 exceeds limit 100",
  });
  await assert.rejects(p.client.send(new Uint8Array(0)), {
    name: "RangeError",
    message: "Cannot send frame: empty frames are reserved for keepalive pings",
  });
  await assert.rejects(p.client.send("x" as unknown as Uint8Array), {
    name: "TypeError",
    message: "Cannot send frame: payload must be a Uint8Array, got string",
  });
});

Deno.test("FramedConnection whenFull 'fail' rejects at once when the queue is full", async () => {
  await using p = await pair({ maxQueuedBytes: 100_000, whenFull: "fail" });
  const first = p.client.send(new Uint8Array(60_000));
  await assert.rejects(p.client.send(new Uint8Array(60_000)), {
    name: "RangeError",
    message:
      "Cannot send frame: send queue is full (60004 bytes queued, limit 100000)",
  });
  await first;
  assert.equal((await p.server.read())!.length, 60_000);
  // A single frame larger than the queue is fine when the queue is empty.
  await p.client.send(new Uint8Array(200_000));
  assert.equal((await p.server.read())!.length, 200_000);
});

Deno.test("FramedConnection whenFull 'wait' holds sends until there is room", async () => {
  await using p = await pair({ maxQueuedBytes: 100_000 });
  const order: number[] = [];
  const first = p.client.send(new Uint8Array(60_000).fill(1));
  const second = p.client.send(new Uint8Array(60_000).fill(2));
  // The second frame waits for room until the first is written, and both
  // count as pending (mm adds pendingBytes to its own queue to bound it).
  assert.equal(p.client.pendingBytes, 120_008);
  await Promise.all([
    first.then(() => order.push(1)),
    second.then(() => order.push(2)),
  ]);
  assert.deepEqual(order, [1, 2]);
  assert.deepEqual(await p.server.read(), new Uint8Array(60_000).fill(1));
  assert.deepEqual(await p.server.read(), new Uint8Array(60_000).fill(2));
});

Deno.test("FramedConnection.pendingBytes counts sends waiting for room until they are written", async () => {
  await using p = await pair({ maxQueuedBytes: 10 });
  const sends = [
    p.client.send(new Uint8Array([1, 1, 1, 1, 1, 1])),
    p.client.sendMany([new Uint8Array([2, 2]), new Uint8Array([3])]),
    p.client.send(new Uint8Array([4, 4, 4, 4, 4, 4, 4, 4])),
  ];
  // 10 + 11 + 12 bytes with headers: the first is queued, two wait.
  assert.equal(p.client.pendingBytes, 33);
  await sends[0];
  // The second is admitted (in flight or queued), the third still waits.
  assert.equal(p.client.pendingBytes, 23);
  await Promise.all(sends);
  assert.equal(p.client.pendingBytes, 0);
  const frames = [];
  while (frames.length < 4) frames.push(...(await p.server.readMany())!);
  assert.deepEqual(frames.map((frame) => frame[0]), [1, 2, 3, 4]);
  p.client.send(new Uint8Array(6));
  p.client.send(new Uint8Array(6));
  assert.equal(p.client.pendingBytes, 20);
  p.client.abort();
  assert.equal(p.client.pendingBytes, 0);
});

Deno.test("FramedConnection applies real backpressure when the peer stops reading", async () => {
  const limit = 256 * 1024;
  const frame = new Uint8Array(64 * 1024);
  const total = 512; // 32 MiB, far more than the kernel buffers hold
  const { framed, raw } = await rawPeer({ maxQueuedBytes: limit });
  let completed = 0;
  let maxPending = 0;
  const sender = (async () => {
    for (let i = 0; i < total; i++) {
      const sent = framed.send(frame);
      maxPending = Math.max(maxPending, framed.pendingBytes);
      await sent;
      completed++;
    }
  })();
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stalledAt = completed;
    assert.ok(stalledAt < total, "sender must stall while nobody reads");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(completed, stalledAt, "no progress without a reader");
    assert.ok(maxPending <= limit + frame.length + 4, `pending ${maxPending}`);
    // Start reading: everything arrives.
    const expected = total * (frame.length + 4);
    const buffer = new Uint8Array(1024 * 1024);
    let received = 0;
    while (received < expected) {
      const n = await raw.read(buffer);
      assert.notEqual(n, null);
      received += n!;
    }
    await sender;
    assert.equal(completed, total);
  } finally {
    raw.close();
    framed.abort();
    await sender.catch(() => {});
    await framed.closed;
  }
});

Deno.test("FramedConnection.close with closeTimeout sees frames the peer sends while closing", async () => {
  await using p = await pair({ closeTimeout: 3000 });
  const closing = p.client.close();
  assert.equal(await p.server.read(), null);
  await p.server.send(bytes(7));
  await p.server.close();
  await closing;
  assert.deepEqual(await p.client.read(), bytes(7));
  assert.equal(await p.client.read(), null);
});

Deno.test("FramedConnection.close flushes, half-closes and the peer reads everything", async () => {
  await using p = await pair();
  for (let i = 0; i < 100; i++) p.client.send(bytes(i)).catch(() => {});
  const closing = p.client.close();
  await assert.rejects(p.client.send(bytes(1)), {
    name: "ConnectionClosedError",
    message: "Cannot send frame: connection is closed",
  });
  const got: number[] = [];
  for await (const frame of p.server) got.push(frame[0]);
  assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => i));
  await p.server.close();
  await closing;
  assert.equal(await p.client.read(), null);
  await assert.rejects(p.client.send(bytes(1)), ConnectionClosedError);
});

Deno.test("FramedConnection.close lingers for a silent peer at most closeTimeout", async () => {
  const { framed, raw } = await rawPeer({ closeTimeout: 100 });
  try {
    await framed.send(bytes(9));
    const started = Date.now();
    await framed.close();
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 90 && elapsed < 3000, `elapsed ${elapsed}`);
    assert.deepEqual(await readExactly(raw, 5), bytes(0, 0, 0, 1, 9));
    assert.equal(await raw.read(new Uint8Array(1)), null);
  } finally {
    raw.close();
  }
});

Deno.test("FramedConnection.abort drops the connection and rejects pending work", async () => {
  await using p = await pair();
  const pendingRead = p.client.read();
  const reason = new Error("enough");
  p.client.abort(reason);
  await assert.rejects(pendingRead, reason);
  await assert.rejects(p.client.read(), reason);
  await assert.rejects(p.client.send(bytes(1)), {
    name: "ConnectionClosedError",
    message: "Cannot send frame: connection is closed",
  });
  assert.equal(await p.server.read(), null);
  const other = await pair();
  other.client.abort();
  await assert.rejects(other.client.read(), {
    name: "ConnectionClosedError",
    message: "Cannot read frame: connection aborted",
  });
  await other[Symbol.asyncDispose]();
});

Deno.test("FramedConnection reports a peer that vanishes mid-frame", async () => {
  const { framed, raw } = await rawPeer();
  try {
    await raw.write(bytes(0, 0, 0, 1, 7, 0, 0, 0, 10, 1, 2, 3));
    raw.close();
    assert.deepEqual(await framed.read(), bytes(7));
    await assert.rejects(framed.read(), {
      name: "ConnectionClosedError",
      message: "Cannot read frame: connection closed mid-frame (7 of 14 bytes)",
    });
    await assert.rejects(framed.send(bytes(1)), ConnectionClosedError);
  } finally {
    await framed.close();
  }
  const half = await rawPeer();
  await half.raw.write(bytes(0, 0));
  half.raw.close();
  await assert.rejects(half.framed.read(), {
    name: "ConnectionClosedError",
    message: "Cannot read frame: connection closed mid-frame (2 of 4 bytes)",
  });
  await half.framed.close();
});

Deno.test("FramedConnection rejects an oversize frame from the peer and closes", async () => {
  const { framed, raw } = await rawPeer({ maxFrameSize: 65536 });
  try {
    await raw.write(bytes(0, 1, 0x11, 0x70));
    await assert.rejects(framed.read(), {
      name: "FrameTooLargeError",
      message: "Cannot decode frame: length 70000 exceeds limit 65536",
    });
    assert.equal(await raw.read(new Uint8Array(1)), null);
    assert.ok(new FrameTooLargeError("x") instanceof RangeError);
  } finally {
    raw.close();
    await framed.closed;
  }
});

Deno.test("FramedConnection idle timeout really closes the connection", async () => {
  await using p = await pair({}, { idleTimeout: 200 });
  const started = Date.now();
  await assert.rejects(p.server.read(), {
    name: "TimeoutError",
    message: "Cannot keep connection open: idle for 200 ms",
  });
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 150 && elapsed < 5000, `elapsed ${elapsed}`);
  // The client sees the server go away.
  assert.equal(await p.client.read(), null);
  await assert.rejects(p.server.send(bytes(1)), ConnectionClosedError);
  assert.ok(new TimeoutError("x") instanceof Error);
});

Deno.test("FramedConnection idle timer is reset by traffic", async () => {
  await using p = await pair({}, { idleTimeout: 1000 });
  for (let i = 0; i < 6; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    await p.client.send(bytes(i));
    assert.deepEqual(await p.server.read(), bytes(i));
  }
});

Deno.test("FramedConnection keepalive pings keep an idle connection up and are never delivered", async () => {
  await using p = await pair(
    { keepAlive: { interval: 150, maxMissed: 4 } },
    { idleTimeout: 600 },
  );
  const serverRead = p.server.read();
  const clientRead = p.client.read();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(await settleState(serverRead), "pending");
  assert.equal(await settleState(clientRead), "pending");
  await p.client.send(bytes(5));
  assert.deepEqual(await serverRead, bytes(5));
  await p.server.send(bytes(6));
  assert.deepEqual(await clientRead, bytes(6));
});

Deno.test("FramedConnection keepalive on both sides does not loop and stays up", async () => {
  await using p = await pair(
    { keepAlive: { interval: 100, maxMissed: 5 } },
    { keepAlive: { interval: 130, maxMissed: 5 } },
  );
  const serverRead = p.server.read();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(await settleState(serverRead), "pending");
  // Pings are 4 bytes each; a loop would have written far more.
  assert.ok(
    p.client.stats.bytesWritten < 200,
    `${p.client.stats.bytesWritten}`,
  );
  await p.client.send(bytes(1));
  assert.deepEqual(await serverRead, bytes(1));
});

Deno.test("FramedConnection keepalive aborts when the peer never answers", async () => {
  const { framed, raw } = await rawPeer({
    keepAlive: { interval: 50, maxMissed: 2 },
  });
  try {
    await assert.rejects(framed.read(), {
      name: "TimeoutError",
      message: "Cannot keep connection alive: no traffic from peer for 150 ms",
    });
    // The peer saw only pings.
    const seen = await readExactly(raw, 8);
    assert.deepEqual(seen, new Uint8Array(8));
  } finally {
    raw.close();
    await framed.closed;
  }
});

Deno.test("FramedConnection answers pings and skips them on read", async () => {
  const { framed, raw } = await rawPeer();
  try {
    await raw.write(bytes(0, 0, 0, 0, 0, 0, 0, 1, 42));
    assert.deepEqual(await framed.read(), bytes(42));
    assert.deepEqual(await readExactly(raw, 4), bytes(0, 0, 0, 0));
  } finally {
    raw.close();
    await framed.close();
  }
});

Deno.test("FramedConnection pauses reading when the reader falls behind", async () => {
  await using p = await pair({}, { maxReadAheadBytes: 64 * 1024 });
  const frame = new Uint8Array(1000);
  const count = 2000;
  const sending = (async () => {
    for (let i = 0; i < count; i++) {
      frame[0] = i & 0xff;
      await p.client.send(frame);
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (let i = 0; i < count; i++) {
    const got = await p.server.read();
    assert.equal(got![0], i & 0xff);
  }
  await sending;
});

Deno.test("FramedConnection wraps a StreamSocket and works over a Unix socket", async () => {
  const path = await Deno.makeTempFile({ suffix: ".sock" });
  await Deno.remove(path);
  const listener = Deno.listen({ transport: "unix", path });
  try {
    const accepted = listener.accept();
    const client = new FramedConnection(
      new StreamSocket(await Deno.connect({ transport: "unix", path })),
    );
    const server = new FramedConnection(await accepted);
    await client.send(bytes(1, 2, 3));
    assert.deepEqual(await server.read(), bytes(1, 2, 3));
    await client.close();
    assert.equal(await server.read(), null);
    await server.close();
  } finally {
    listener.close();
    await Deno.remove(path).catch(() => {});
  }
});

Deno.test("FramedConnection validates options", () => {
  const conn = {} as Deno.Conn;
  assert.throws(() => new FramedConnection(conn, { maxQueuedBytes: 0 }), {
    name: "RangeError",
    message:
      "Cannot create framed connection: maxQueuedBytes 0 is not a number >= 1",
  });
  assert.throws(
    () =>
      new FramedConnection(conn, {
        whenFull: "drop" as unknown as "wait",
      }),
    {
      name: "TypeError",
      message:
        'Cannot create framed connection: whenFull must be "wait" or "fail", got drop',
    },
  );
});

Deno.test("FramedConnection names a missing keepAlive field as a TypeError", () => {
  const conn = {} as Deno.Conn;
  const missing = [
    [{ interval: 1000 }, "maxMissed"],
    [{ maxMissed: 2 }, "interval"],
  ] as const;
  for (const [keepAlive, field] of missing) {
    assert.throws(
      () =>
        new FramedConnection(conn, {
          keepAlive: keepAlive as unknown as FramedConnectionKeepAlive,
        }),
      {
        name: "TypeError",
        message:
          `Cannot create framed connection: keepAlive.${field} must be a number, got undefined`,
      },
    );
  }
});

function patterned(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

Deno.test("FramedConnection borrowFrames: frames split across reads are intact (read and readMany)", async () => {
  for (const many of [false, true]) {
    // 1000-byte reads: most frames straddle two or more reads.
    await using p = await pair({}, { borrowFrames: true, readChunkSize: 1000 });
    const sizes = [1, 3, 997, 1000, 1001, 4096, 70000, 2, 65536, 5];
    const sent = Array.from(
      { length: 300 },
      (_, i) => patterned(sizes[i % sizes.length], i + 1),
    );
    const sending = p.client.sendMany(sent);
    let i = 0;
    while (i < sent.length) {
      // Checked at once: borrowed frames are valid until the next read call.
      if (many) {
        for (const frame of (await p.server.readMany())!) {
          assert.deepEqual(frame, sent[i++]);
        }
      } else assert.deepEqual(await p.server.read(), sent[i++]);
    }
    await sending;
  }
});

Deno.test("FramedConnection borrowFrames: a frame stays valid until the next read call", async () => {
  const { framed, raw } = await rawPeer({ borrowFrames: true });
  try {
    const first = patterned(100, 1);
    const second = patterned(100, 2);
    const encoded = new Uint8Array(208);
    encoded.set([0, 0, 0, 100], 0);
    encoded.set(first, 4);
    encoded.set([0, 0, 0, 100], 104);
    encoded.set(second, 108);
    await raw.write(encoded);
    const a = (await framed.read())!;
    assert.deepEqual(a, first);
    // More data waits in the kernel: nothing is read over the lent frames.
    const third = new Uint8Array(204).fill(9);
    third.set([0, 0, 0, 200], 0);
    await raw.write(third);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(a, first);
    const b = (await framed.read())!;
    assert.deepEqual(a, first);
    assert.deepEqual(b, second);
    assert.deepEqual(await framed.read(), new Uint8Array(200).fill(9));
    // Borrowed frames are views of one reused buffer.
    assert.equal(a.buffer, b.buffer);
  } finally {
    raw.close();
    await framed.close();
  }
});

Deno.test("FramedConnection borrowFrames: pings alone do not stall reading", async () => {
  const { framed, raw } = await rawPeer({ borrowFrames: true });
  try {
    await raw.write(bytes(0, 0, 0, 0));
    assert.deepEqual(await readExactly(raw, 4), bytes(0, 0, 0, 0));
    await raw.write(bytes(0, 0, 0, 1, 42));
    assert.deepEqual(await framed.read(), bytes(42));
  } finally {
    raw.close();
    await framed.close();
  }
});

Deno.test("FramedConnection borrowFrames: close() while frames are held keeps them and sees the peer's end", async () => {
  await using p = await pair({}, { borrowFrames: true, closeTimeout: 3000 });
  const sent = [patterned(50, 1), patterned(60, 2)];
  await p.client.sendMany(sent);
  const held = (await p.server.read())!;
  const copy = held.slice();
  const started = Date.now();
  const closing = p.server.close();
  // The client reads the server's end, answers and closes in turn.
  assert.equal(await p.client.read(), null);
  await p.client.send(patterned(70, 3));
  await p.client.close();
  await closing;
  assert.ok(Date.now() - started < 2000, "close waited for its timeout");
  assert.deepEqual(held, copy);
  assert.deepEqual(await p.server.read(), sent[1]);
  assert.deepEqual(await p.server.read(), patterned(70, 3));
  assert.equal(await p.server.read(), null);
});

Deno.test("FramedConnection borrowFrames: abort while frames are held leaks nothing", async () => {
  await using p = await pair({}, { borrowFrames: true });
  await p.client.sendMany([bytes(1), bytes(2)]);
  const held = (await p.server.read())!;
  p.server.abort();
  await p.server.closed;
  assert.deepEqual(held, bytes(1));
  assert.deepEqual(await p.server.read(), bytes(2));
  await assert.rejects(p.server.read(), {
    name: "ConnectionClosedError",
    message: "Cannot read frame: connection aborted",
  });
});

// A connection whose peer sends pings but never reads: writes never finish.
class PingFloodConn {
  readonly localAddr: Deno.NetAddr = {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: 1,
  };
  readonly remoteAddr: Deno.NetAddr = {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: 2,
  };
  reads = 0;
  readonly flooded = Promise.withResolvers<void>();
  #closed = Promise.withResolvers<void>();
  constructor(readonly pings: number) {}
  async read(p: Uint8Array): Promise<number | null> {
    if (this.reads < this.pings) {
      this.reads++;
      p.fill(0, 0, 4);
      // One ping per read, each in its own macrotask like separate segments.
      await new Promise((resolve) => setTimeout(resolve, 0));
      return 4;
    }
    this.flooded.resolve();
    await this.#closed.promise;
    return null;
  }
  async write(_p: Uint8Array): Promise<number> {
    await this.#closed.promise;
    throw new Deno.errors.BadResource("Socket is closed");
  }
  closeWrite(): Promise<void> {
    return Promise.resolve();
  }
  close(): void {
    this.#closed.resolve();
  }
}

Deno.test("FramedConnection: ping replies stay within maxQueuedBytes when the peer never reads", async () => {
  const conn = new PingFloodConn(1000);
  const framed = new FramedConnection(
    new StreamSocket(conn as unknown as Deno.Conn),
    { maxQueuedBytes: 64 },
  );
  const read = framed.read().catch((error) => error);
  await conn.flooded.promise;
  assert.equal(conn.reads, 1000);
  assert.ok(
    framed.pendingBytes <= 64,
    `pendingBytes ${framed.pendingBytes} exceeds maxQueuedBytes 64`,
  );
  framed.abort();
  await read;
  await framed.closed.catch(() => {});
});

Deno.test("FramedConnection.close gives up flushing when the peer reads nothing", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const client = await FramedConnection.connect(
    "127.0.0.1",
    listener.addr.port,
  );
  using _peer = await accepted; // never reads
  // More than the kernel's socket buffers and the send queue together.
  const payload = new Uint8Array(1024 * 1024);
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < 24; i++) {
    sends.push(client.send(payload).catch((error: Error) => error));
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("stalled"), 25_000);
  });
  const started = Date.now();
  const outcome = await Promise.race([
    client.close().then(() => "closed"),
    stalled,
  ]);
  clearTimeout(timer);
  assert.equal(outcome, "closed");
  assert.ok(Date.now() - started >= 4000, "gave up before the stall limit");
  const results = await Promise.all(sends);
  const failed = results.filter((result) => result instanceof Error);
  assert.ok(failed.length > 0);
  for (const error of failed) {
    assert.ok(error instanceof ConnectionClosedError);
    assert.equal(
      (error.cause as Error).message,
      "Cannot flush frames: the peer read nothing for 5000 ms",
    );
  }
});

Deno.test("FramedConnection: sends after the connection failed may be left unawaited", async () => {
  await using p = await pair();
  p.client.abort();
  // Fire and forget, as queued sends may be: no unhandled rejection.
  p.client.send(bytes(1));
  p.client.sendMany([bytes(2)]);
  await assert.rejects(p.client.send(bytes(3)), {
    name: "ConnectionClosedError",
    message: "Cannot send frame: connection is closed",
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
});

Deno.test("FramedConnection.maxFrameSize raises and lowers both directions", async () => {
  const { framed, raw } = await rawPeer({ maxFrameSize: 4 });
  try {
    assert.equal(framed.maxFrameSize, 4);
    await assert.rejects(framed.send(new Uint8Array(5)), {
      name: "FrameTooLargeError",
      message: "Cannot send frame: length 5 exceeds limit 4",
    });
    // Half a header arrives under the old limit; the raised one applies.
    await raw.write(bytes(0, 0));
    await new Promise((resolve) => setTimeout(resolve, 50));
    framed.maxFrameSize = 8;
    assert.equal(framed.maxFrameSize, 8);
    await raw.write(bytes(0, 6, 1, 2, 3, 4, 5, 6));
    assert.deepEqual(await framed.read(), bytes(1, 2, 3, 4, 5, 6));
    await framed.send(bytes(1, 2, 3, 4, 5, 6, 7, 8));
    assert.deepEqual(
      await readExactly(raw, 12),
      bytes(0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8),
    );
    framed.maxFrameSize = 2;
    await raw.write(bytes(0, 0, 0, 3, 1, 2, 3));
    await assert.rejects(framed.read(), {
      name: "FrameTooLargeError",
      message: "Cannot decode frame: length 3 exceeds limit 2",
    });
    assert.equal(await raw.read(new Uint8Array(1)), null);
  } finally {
    raw.close();
    await framed.closed;
  }
});

Deno.test("FramedConnection.maxFrameSize rejects a bad limit and keeps the old one", async () => {
  await using p = await pair({ maxFrameSize: 100 });
  for (const bad of [0, -1, NaN, Infinity]) {
    assert.throws(() => {
      p.client.maxFrameSize = bad;
    }, {
      name: "RangeError",
      message:
        `Cannot set frame limit: maxFrameSize ${bad} is not a number >= 1`,
    });
  }
  for (const bad of [1.5, 2 ** 32]) {
    assert.throws(() => {
      p.client.maxFrameSize = bad;
    }, {
      name: "RangeError",
      message:
        `Cannot set frame limit: maxFrameSize ${bad} is not an integer in 0..4294967295`,
    });
  }
  assert.throws(() => {
    p.client.maxFrameSize = "8" as unknown as number;
  }, {
    name: "TypeError",
    message:
      "Cannot set frame limit: maxFrameSize must be a number, got string",
  });
  assert.equal(p.client.maxFrameSize, 100);
  await assert.rejects(p.client.send(new Uint8Array(101)), {
    name: "FrameTooLargeError",
  });
});
