// Copyright 2026 the moonwire authors. MIT license.
// Server-wide limits: maxConnections refuses peers beyond it, and
// maxServerQueuedBytes bounds what all connections together may queue.
import assert from "node:assert/strict";
import {
  Client,
  type ClientConnection,
  EVENT_CLIENT_CLOSE,
  EVENT_CONNECT,
  EVENT_ERROR,
  EVENT_RECEIVE,
  NetworkEvents,
  Server,
} from "../../mm/mod.ts";
import { delay, EventLog, writeAll } from "./_helpers.ts";

Deno.test("maxConnections: a third peer is refused with an EVENT_ERROR until one leaves", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  await using server = new Server("127.0.0.1", 0, {
    events,
    maxConnections: 2,
  });
  const port = server.getPort();
  await using first = new Client("127.0.0.1", port, { events });
  assert.equal((await first.waitForConnect()).ok, true);
  await using second = new Client("127.0.0.1", port, { events });
  assert.equal((await second.waitForConnect()).ok, true);
  await log.count("connects", 2, (e) => e.event === EVENT_CONNECT);
  await using third = new Client("127.0.0.1", port, { events });
  const refused = await third.waitForConnect();
  assert.equal(refused.ok, false);
  const [error] = await log.count(
    "refusal",
    1,
    (e) => e.event === EVENT_ERROR && e.object === server,
  );
  assert.match(
    error.errors,
    /^Cannot accept connection from 127\.0\.0\.1:\d+: server is at maxConnections \(2\)$/,
  );
  assert.equal(server.connectionCount(), 2);
  assert.equal(third.send(["late"]), false);
  // One leaves: a new client gets in.
  await first.disconnect();
  await log.count("close", 1, (e) => e.event === EVENT_CLIENT_CLOSE);
  await using fourth = new Client("127.0.0.1", port, { events });
  assert.equal((await fourth.waitForConnect()).ok, true);
  assert.equal(server.connectionCount(), 2);
});

// A plaintext mm peer that completes the hello exchange and never reads.
async function silentPeer(port: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const hello = new Uint8Array(9);
  for (let filled = 0; filled < hello.length;) {
    const got = await conn.read(hello.subarray(filled));
    if (got === null) throw new Error("end of stream before the hello");
    filled += got;
  }
  await writeAll(conn, hello); // the same hello back: plaintext, version 1
  return conn;
}

Deno.test("maxServerQueuedBytes: peers that never read fill the budget, then sends fail", async () => {
  const budget = 4 * 1024 * 1024;
  const events = new NetworkEvents({ capacity: 10_000 });
  const log = new EventLog(events);
  await using server = new Server("127.0.0.1", 0, {
    events,
    maxServerQueuedBytes: budget,
    // Far above the budget: only the server-wide bound can refuse.
    maxQueuedBytes: 256 * 1024 * 1024,
  });
  const peers = await Promise.all(
    [0, 1, 2].map(() => silentPeer(server.getPort())),
  );
  try {
    const connects = await log.count(
      "connects",
      3,
      (e) => e.event === EVENT_CONNECT,
    );
    const connections = connects.map((e) => e.object as ClientConnection);
    const big = ["x".repeat(256 * 1024)];
    // The kernel's socket buffers take some first; then the budget fills.
    let full = false;
    for (let round = 0; round < 2000 && !full; round++) {
      full = server.broadcast(big) < 3;
      await delay(1);
    }
    assert.ok(full, "the budget never filled");
    assert.equal(server.send(big, ...connections), 0);
    assert.equal(server.broadcast(big), 0);
    // Still full after a small table fits: no second report.
    assert.ok(server.broadcast(["s"]) >= 1);
    assert.equal(server.broadcast(big), 0);
    const errors = log.poll().filter((e) => e.event === EVENT_ERROR);
    assert.deepEqual(errors.map((e) => [e.object, e.errors]), [[
      server,
      `Cannot queue table: server queue is full (maxServerQueuedBytes ${budget})`,
    ]]);
  } finally {
    for (const peer of peers) peer.close();
  }
  // The peers are gone: their queued bytes are released for others.
  await log.count("closes", 3, (e) => e.event === EVENT_CLIENT_CLOSE);
  await using client = new Client("127.0.0.1", server.getPort(), { events });
  assert.equal((await client.waitForConnect()).ok, true);
  const [connect] = await log.count(
    "fourth connect",
    4,
    (e) => e.event === EVENT_CONNECT,
  ).then((all) => all.slice(3));
  const table = ["y".repeat(256 * 1024)];
  assert.equal(server.send(table, connect.object as ClientConnection), 1);
  const [received] = await log.count(
    "receive",
    1,
    (e) => e.event === EVENT_RECEIVE && e.object === client,
  );
  assert.deepEqual(received.event === EVENT_RECEIVE && received.packet, table);
});
