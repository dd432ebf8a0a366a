// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  Client,
  EVENT_CLIENT_CLOSE,
  EVENT_CONNECTED,
  EVENT_ERROR,
  EVENT_RECEIVE,
  type NetworkEvent,
  NetworkEvents,
  Server,
} from "../../mm/mod.ts";
import {
  delay,
  EventLog,
  frameRecorder,
  KEY,
  readAll,
  writeAll,
} from "./_helpers.ts";

for (const cipherKey of [undefined, KEY]) {
  Deno.test(`tables sent in one tick travel in one record (${cipherKey ? "encrypted" : "plaintext"})`, async () => {
    const events = new NetworkEvents();
    const log = new EventLog(events);
    await using server = new Server("127.0.0.1", 0, { cipherKey, events });
    const { proxy, frames } = await frameRecorder(server.getPort());
    const client = new Client("127.0.0.1", proxy.port, { cipherKey, events });
    try {
      assert.equal((await client.waitForConnect()).ok, true);
      const handshakeFrames = frames.length;
      assert.equal(handshakeFrames, cipherKey ? 2 : 1);
      for (let i = 0; i < 50; i++) assert.equal(client.send({ i }), true);
      const received = await log.count(
        "50 tables",
        50,
        (e) => e.event === EVENT_RECEIVE,
      );
      assert.deepEqual(
        received.map((e) =>
          e.event === EVENT_RECEIVE && (e.packet as { i: number }).i
        ),
        Array.from({ length: 50 }, (_, i) => i),
      );
      // One record: array32 header + 50 tables of 4 bytes (+ tag when sealed).
      assert.deepEqual(frames.slice(handshakeFrames), [
        4 + 5 + 50 * 4 + (cipherKey ? 16 : 0),
      ]);
    } finally {
      await client.disconnect();
      await proxy.close();
    }
  });
}

Deno.test("a silent peer is disconnected by the heartbeat", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  await using server = new Server("127.0.0.1", 0, {
    events,
    heartbeatInterval: 100,
  });
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.getPort(),
  });
  await writeAll(conn, Uint8Array.of(0, 0, 0, 5, 0x6d, 0x6d, 0x77, 2, 0));
  const bytes = await readAll(conn); // hello, pings, then the end
  conn.close();
  assert.deepEqual([...bytes.subarray(0, 9)], [
    0,
    0,
    0,
    5,
    0x6d,
    0x6d,
    0x77,
    2,
    0,
  ]);
  assert.ok(bytes.length >= 13 && bytes.subarray(9).every((b) => b === 0));
  const seen: NetworkEvent[] = await log.count(
    "close",
    1,
    (e) => e.event === EVENT_CLIENT_CLOSE,
  );
  assert.match(
    seen[0].errors,
    /^Cannot keep connection alive: no traffic from peer for 300 ms \(peer 127\.0\.0\.1:\d+\)$/,
  );
  assert.deepEqual(log.take().map((e) => e.event), [
    "connect",
    "error",
    "client_close",
  ]);
});

Deno.test("heartbeats keep idle mm peers connected", async () => {
  const events = new NetworkEvents();
  const options = { events, heartbeatInterval: 200 };
  await using server = new Server("127.0.0.1", 0, options);
  await using client = new Client("127.0.0.1", server.getPort(), options);
  assert.equal((await client.waitForConnect()).ok, true);
  await delay(1000); // five intervals
  assert.deepEqual(events.poll().map((e) => e.event).sort(), [
    "connect",
    "connected",
  ]);
  assert.equal(server.connectionCount(), 1);
  assert.equal(client.send(["still here"]), true);
  await new EventLog(events).count(
    "receive",
    1,
    (e) => e.event === EVENT_RECEIVE,
  );
});

Deno.test("a record over the receiver's message limit ends the connection", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  await using server = new Server("127.0.0.1", 0, {
    events,
    maxMessageSize: 1024,
  });
  await using client = new Client("127.0.0.1", server.getPort(), { events });
  assert.equal((await client.waitForConnect()).ok, true);
  assert.equal(client.send({ big: "x".repeat(2000) }), true);
  const seen = await log.count(
    "close",
    1,
    (e) => e.event === EVENT_CLIENT_CLOSE,
  );
  assert.match(
    seen[0].errors,
    /^Cannot decode frame: length 2013 exceeds limit 1045 \(peer 127\.0\.0\.1:\d+\)$/,
  );
  await log.count("server close", 1, (e) => e.event === "server_close");
  const serverSide = log.take().filter((e) => e.object !== client).map((e) =>
    e.event
  );
  assert.deepEqual(serverSide, ["connect", "error", "client_close"]);
});

Deno.test("a graceful disconnect ends the stream with the close record (exact bytes)", async () => {
  const events = new NetworkEvents();
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = new Client("127.0.0.1", listener.addr.port, { events });
  using conn = await listener.accept();
  await writeAll(conn, Uint8Array.of(0, 0, 0, 5, 0x6d, 0x6d, 0x77, 2, 0));
  assert.equal((await client.waitForConnect()).ok, true);
  assert.equal(client.send(["x"]), true);
  const disconnected = client.disconnect();
  const bytes = await readAll(conn);
  await conn.closeWrite(); // the client lingers for our end
  await disconnected;
  assert.deepEqual([...bytes], [
    // hello: "mmw", version 2, plaintext
    ...[0, 0, 0, 5, 0x6d, 0x6d, 0x77, 2, 0],
    // record: array32 of one table, ["x"]
    ...[0, 0, 0, 8, 0xdd, 0, 0, 0, 1, 0x91, 0xa1, 0x78],
    // close record: array32 of no tables, then the end of stream
    ...[0, 0, 0, 5, 0xdd, 0, 0, 0, 0],
  ]);
  assert.deepEqual(events.poll().map((e) => e.event), ["connected"]);
});

Deno.test("a version 1 peer is refused with a version error, not misparsed", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  // A v1 client at a v2 server, in both modes.
  for (const cipherKey of [undefined, KEY]) {
    const mode = cipherKey ? 1 : 0;
    await using server = new Server("127.0.0.1", 0, { cipherKey, events });
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.getPort(),
    });
    await writeAll(conn, Uint8Array.of(0, 0, 0, 5, 0x6d, 0x6d, 0x77, 1, mode));
    const bytes = await readAll(conn); // the server's hello, then the end
    const port = conn.localAddr.port;
    conn.close();
    assert.deepEqual([...bytes], [0, 0, 0, 5, 0x6d, 0x6d, 0x77, 2, mode]);
    const [error] = await log.count("error", 1, (e) => e.event === EVENT_ERROR);
    assert.equal(error.object, server);
    assert.equal(
      error.errors,
      `Cannot complete handshake with 127.0.0.1:${port}: peer speaks mm protocol version 1, this end speaks version 2`,
    );
    assert.deepEqual(log.take().map((e) => e.event), ["error"]);
  }
  // A v2 client at a v1 server (whose hello goes first).
  for (const cipherKey of [undefined, KEY]) {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    await using client = new Client("127.0.0.1", port, { cipherKey, events });
    using conn = await listener.accept();
    const mode = cipherKey ? 1 : 0;
    await writeAll(conn, Uint8Array.of(0, 0, 0, 5, 0x6d, 0x6d, 0x77, 1, mode));
    const bytes = await readAll(conn); // the client's hello (+ Noise), the end
    assert.deepEqual(
      [...bytes.subarray(0, 9)],
      [0, 0, 0, 5, 0x6d, 0x6d, 0x77, 2, mode],
    );
    const result = await client.waitForConnect();
    const text =
      `Cannot complete handshake with 127.0.0.1:${port}: peer speaks mm protocol version 1, this end speaks version 2`;
    assert.deepEqual(result.ok ? undefined : result.error, text);
    const seen = await log.count(
      "connected",
      1,
      (e) => e.event === EVENT_CONNECTED,
    );
    assert.equal(seen[0].errors, text);
    assert.deepEqual(
      log.take().map((e) => [e.event, e.errors]),
      [["error", text], ["connected", text]],
    );
  }
});
