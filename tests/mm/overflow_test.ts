// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  Client,
  EVENT_ERROR,
  EVENT_RECEIVE,
  NetworkEvents,
  Server,
} from "../../mm/mod.ts";
import { waitFor } from "./_helpers.ts";

Deno.test("a full event queue drops the oldest, counts them and reports it", async () => {
  const serverEvents = new NetworkEvents({ capacity: 10 });
  const clientEvents = new NetworkEvents();
  await using server = new Server("127.0.0.1", 0, { events: serverEvents });
  await using client = new Client("127.0.0.1", server.getPort(), {
    events: clientEvents,
  });
  for (let i = 0; i < 50; i++) assert.equal(client.send([i]), true);
  // 1 connect + 50 receives into a queue of 10: 41 dropped.
  await waitFor("drops", () => serverEvents.droppedCount === 41);
  assert.equal(serverEvents.size, 11);
  const events = serverEvents.poll();
  assert.equal(events.length, 11);
  assert.deepEqual(
    { ...events[0], timestamp: 0 },
    {
      event: EVENT_ERROR,
      timestamp: 0,
      object: null,
      errors:
        "Cannot queue events: 41 oldest events dropped, queue capacity 10 (poll more often)",
    },
  );
  assert.deepEqual(
    events.slice(1).map((e) => e.event === EVENT_RECEIVE && e.packet),
    [[40], [41], [42], [43], [44], [45], [46], [47], [48], [49]],
  );
  assert.deepEqual(serverEvents.poll(), []);
  assert.equal(serverEvents.droppedCount, 41);
});

Deno.test("a full send queue makes send report failure instead of growing", async () => {
  const events = new NetworkEvents({ capacity: 100 });
  await using server = new Server("127.0.0.1", 0, { events });
  await using client = new Client("127.0.0.1", server.getPort(), {
    events,
    maxQueuedBytes: 1000,
  });
  const table = { pad: "x".repeat(300) };
  assert.equal(client.send(table), true);
  assert.equal(client.send(table), true);
  assert.equal(client.send(table), true);
  assert.equal(client.send(table), false); // over 1000 queued bytes
  assert.equal((await client.waitForConnect()).ok, true);
  await client.flush();
  assert.equal(client.send(table), true);
  let received = 0;
  await waitFor("4 receives", () => {
    received += events.poll().filter((e) => e.event === EVENT_RECEIVE).length;
    return received === 4;
  });
});
