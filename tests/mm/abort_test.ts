// Copyright 2026 the moonwire authors. MIT license.
// Client.waitForConnect honours an abort signal: the wait ends at once with
// an AbortError (cause: the signal's reason), its timer is cleared
// (sanitizers) and the client keeps connecting.
import assert from "node:assert/strict";
import {
  Client,
  EVENT_CONNECT,
  EVENT_RECEIVE,
  NetworkEvents,
  Server,
} from "../../mm/mod.ts";
import { assertAborted } from "../_abort.ts";
import { silentPort } from "../_silent_port.ts";
import { EventLog } from "./_helpers.ts";

Deno.test("mm Client.waitForConnect: an abort mid-wait rejects promptly; disconnect ends connecting", async () => {
  using silent = await silentPort();
  const events = new NetworkEvents();
  const client = new Client("127.0.0.1", silent.port, {
    events,
    handshakeTimeout: 10_000,
  });
  const controller = new AbortController();
  const reason = new Error("Stop");
  const started = performance.now();
  setTimeout(() => controller.abort(reason), 50);
  await assertAborted(
    client.waitForConnect(10, { signal: controller.signal }),
    "Cannot wait for connect: aborted",
    reason,
  );
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 2000, `took ${elapsed} ms`);
  assert.equal(client.getPort(), null);
  await client.disconnect();
  // Without queued tables a disconnect while connecting is quiet.
  assert.deepEqual(events.poll(), []);
});

Deno.test("mm Client.waitForConnect: an already aborted signal rejects; the client still connects and sends", async () => {
  const events = new NetworkEvents();
  await using server = new Server("127.0.0.1", 0, { events });
  await using client = new Client("127.0.0.1", server.getPort(), { events });
  const reason = new Error("Already");
  await assertAborted(
    client.waitForConnect(2, { signal: AbortSignal.abort(reason) }),
    "Cannot wait for connect: aborted",
    reason,
  );
  const result = await client.waitForConnect(5);
  assert.equal(result.ok, true);
  // A signal that never fires changes nothing, and a later abort neither.
  const controller = new AbortController();
  assert.equal(
    (await client.waitForConnect(5, { signal: controller.signal })).ok,
    true,
  );
  controller.abort();
  assert.equal(client.send({ n: 1 }), true);
  const log = new EventLog(events);
  const received = await log.count(
    "the table",
    1,
    (event) => event.event === EVENT_RECEIVE && event.object !== client,
  );
  assert.deepEqual(
    received.map((event) => event.event === EVENT_RECEIVE && event.packet),
    [{ n: 1 }],
  );
  assert.equal(log.all.filter((e) => e.event === EVENT_CONNECT).length, 1);
});

Deno.test("mm Client.waitForConnect: a signal that is not an AbortSignal is a TypeError", async () => {
  const events = new NetworkEvents();
  await using server = new Server("127.0.0.1", 0, { events });
  await using client = new Client("127.0.0.1", server.getPort(), { events });
  await assert.rejects(
    client.waitForConnect(2, { signal: "later" as unknown as AbortSignal }),
    {
      name: "TypeError",
      message:
        "Cannot wait for connect: signal must be an AbortSignal, got string",
    },
  );
  assert.equal((await client.waitForConnect()).ok, true);
});
