// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  EVENT_ERROR,
  EVENT_RECEIVE,
  type NetworkEvent,
  type NetworkObject,
} from "../../mm/network_event.ts";
import { NetworkEvents } from "../../mm/network_events.ts";
import { pollEvents } from "../../mm/poll_events.ts";
import { queueOf } from "../../mm/_event_queue.ts";

const object: NetworkObject = {
  getSocket: () => 7,
  getPort: () => 4096,
  getAddress: () => "127.0.0.1",
};

function receive(n: number): NetworkEvent {
  return {
    event: EVENT_RECEIVE,
    timestamp: 1000 + n,
    object,
    errors: "",
    packet: [n],
  };
}

Deno.test("NetworkEvents returns events oldest first and empties the queue", () => {
  const events = new NetworkEvents({ capacity: 10 });
  const queue = queueOf(events);
  for (let i = 0; i < 5; i++) queue.push(receive(i));
  assert.equal(events.size, 5);
  assert.deepEqual(events.poll(), [0, 1, 2, 3, 4].map(receive));
  assert.deepEqual(events.poll(), []);
  assert.equal(events.droppedCount, 0);
});

Deno.test("NetworkEvents drops the oldest on overflow and reports it once", () => {
  const events = new NetworkEvents({ capacity: 3 });
  const queue = queueOf(events);
  for (let i = 0; i < 8; i++) queue.push(receive(i));
  assert.equal(events.droppedCount, 5);
  assert.equal(events.size, 4);
  assert.deepEqual(events.poll(), [
    {
      event: EVENT_ERROR,
      timestamp: 1003,
      object: null,
      errors:
        "Cannot queue events: 5 oldest events dropped, queue capacity 3 (poll more often)",
    },
    receive(5),
    receive(6),
    receive(7),
  ]);
  // Reported once; the total stays readable.
  queue.push(receive(8));
  assert.deepEqual(events.poll(), [receive(8)]);
  assert.equal(events.droppedCount, 5);
  // A later overflow is reported again.
  for (let i = 0; i < 4; i++) queue.push(receive(i));
  assert.equal(events.droppedCount, 6);
  const polled = events.poll();
  assert.equal(polled.length, 4);
  assert.equal(polled[0].event, EVENT_ERROR);
  assert.equal(
    polled[0].errors,
    "Cannot queue events: 1 oldest events dropped, queue capacity 3 (poll more often)",
  );
});

Deno.test("NetworkEvents can be consumed with for await", async () => {
  const events = new NetworkEvents();
  const queue = queueOf(events);
  const seen: number[] = [];
  const consumer = (async () => {
    for await (const event of events) {
      assert.equal(event.event, EVENT_RECEIVE);
      if (event.event === EVENT_RECEIVE) {
        seen.push((event.packet as number[])[0]);
      }
    }
  })();
  queue.push(receive(1));
  await new Promise((resolve) => setTimeout(resolve, 5));
  queue.push(receive(2));
  queue.push(receive(3));
  await new Promise((resolve) => setTimeout(resolve, 5));
  events.close();
  await consumer;
  assert.deepEqual(seen, [1, 2, 3]);
});

Deno.test("NetworkEvents validates its capacity", () => {
  assert.throws(() => new NetworkEvents({ capacity: 0 }), {
    name: "RangeError",
    message:
      "Cannot create event queue: capacity 0 is not an integer of at least 1",
  });
  assert.throws(() => new NetworkEvents({ capacity: "5" as never }), {
    name: "TypeError",
    message: "Cannot create event queue: capacity must be a number, got string",
  });
});

Deno.test("pollEvents reads the default hub or the hub given", () => {
  const events = new NetworkEvents();
  queueOf(events).push(receive(1));
  assert.deepEqual(pollEvents(events), [receive(1)]);
  queueOf(NetworkEvents.default).push(receive(2));
  assert.deepEqual(pollEvents(), [receive(2)]);
});
