// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { Client, EVENT_RECEIVE, NetworkEvents, Server } from "../../mm/mod.ts";
import { EventLog, NOT_TABLES, notATableError } from "./_helpers.ts";

Deno.test("a connected client validates tables like an unconnected one and keeps its record intact", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  await using server = new Server("127.0.0.1", 0, {
    events,
    maxMessageSize: 1024,
  });
  const client = new Client("127.0.0.1", server.getPort(), {
    events,
    maxMessageSize: 1024,
  });
  try {
    assert.equal((await client.waitForConnect()).ok, true);
    assert.equal(client.send({ n: 1 }), true);
    for (
      const [value, kind] of [...NOT_TABLES, [new Set(), "Set"] as const]
    ) {
      assert.throws(() => client.send(value as never), notATableError(kind));
    }
    assert.throws(() => client.send({ a: { b: [1, 2, () => 3] } } as never), {
      name: "TypeError",
      message:
        "Cannot encode table: unsupported value of type function at message.a.b[2]",
    });
    assert.throws(() => client.send({ big: "x".repeat(2000) }), {
      name: "RangeError",
      message: "Cannot encode table: size 2008 exceeds limit 1024",
    });
    assert.equal(client.send([2]), true);
    const received = await log.count(
      "2 tables",
      2,
      (e) => e.event === EVENT_RECEIVE,
    );
    assert.deepEqual(
      received.map((e) => e.event === EVENT_RECEIVE && e.packet),
      [{ n: 1 }, [2]],
    );
  } finally {
    await client.disconnect();
  }
  // After disconnecting, bad tables still throw and good ones are refused.
  assert.throws(() => client.send(42 as never), TypeError);
  assert.equal(client.send({ late: true }), false);
});
