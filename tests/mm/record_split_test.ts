// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  Client,
  EVENT_CONNECT,
  EVENT_RECEIVE,
  NetworkEvents,
  Server,
} from "../../mm/mod.ts";
import type { LuaTable } from "../../net/table_codec.ts";
import { EventLog, frameRecorder, KEY } from "./_helpers.ts";

for (const cipherKey of [undefined, KEY]) {
  Deno.test(`a burst is split into records within maxMessageSize, in order (${cipherKey ? "encrypted" : "plaintext"})`, async () => {
    const events = new NetworkEvents({ capacity: 5000 });
    const log = new EventLog(events);
    const maxMessageSize = 64 * 1024;
    await using server = new Server("127.0.0.1", 0, {
      cipherKey,
      events,
      maxMessageSize,
    });
    const { proxy, frames } = await frameRecorder(server.getPort());
    const client = new Client("127.0.0.1", proxy.port, {
      cipherKey,
      events,
      maxMessageSize,
    });
    try {
      assert.equal((await client.waitForConnect()).ok, true);
      const handshakeFrames = frames.length;
      const text = "t".repeat(90);
      const big = new Uint8Array(60 * 1024).fill(9);
      const sent: unknown[] = [];
      for (let i = 0; i < 3000; i++) {
        const table: LuaTable = i === 1500 ? { i, big } : { i, text };
        sent.push(table);
        assert.equal(client.send(table), true);
      }
      // A table that fails to encode leaves the record intact.
      assert.throws(() => client.send({ f: () => 1 } as never), TypeError);
      const received = await log.count(
        "3000 tables",
        3000,
        (e) => e.event === EVENT_RECEIVE,
      );
      assert.deepEqual(
        received.map((e) => e.event === EVENT_RECEIVE && e.packet),
        sent,
      );
      const overhead = 4 + 5 + (cipherKey ? 16 : 0);
      const records = frames.slice(handshakeFrames).map((n) => n - overhead);
      assert.ok(records.length > 3, `records ${records}`);
      assert.ok(
        records.every((n) => n <= maxMessageSize),
        `records ${records}`,
      );
    } finally {
      await client.disconnect();
      await proxy.close();
    }
  });
}

Deno.test("server send and broadcast share records with client-style writes", async () => {
  const events = new NetworkEvents({ capacity: 5000 });
  const log = new EventLog(events);
  await using server = new Server("127.0.0.1", 0, { events });
  const client = new Client("127.0.0.1", server.getPort(), { events });
  try {
    assert.equal((await client.waitForConnect()).ok, true);
    const [connect] = await log.count(
      "connect",
      1,
      (e) => e.event === EVENT_CONNECT,
    );
    const connection = connect.object as never;
    log.take();
    for (let i = 0; i < 600; i++) {
      const count = i % 2 === 0
        ? server.send({ i, pad: "p".repeat(100) }, connection)
        : server.broadcast({ i, pad: "p".repeat(100) });
      assert.equal(count, 1);
    }
    const received = await log.count(
      "600 tables",
      600,
      (e) => e.event === EVENT_RECEIVE && e.object === client,
    );
    assert.deepEqual(
      received.map((e) =>
        e.event === EVENT_RECEIVE && (e.packet as { i: number }).i
      ),
      Array.from({ length: 600 }, (_, i) => i),
    );
  } finally {
    await client.disconnect();
  }
});
