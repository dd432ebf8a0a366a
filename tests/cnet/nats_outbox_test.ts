// Copyright 2026 the moonwire authors. MIT license.
// The NATS entry points' hold-while-disconnected queue, without a server.
import assert from "node:assert/strict";
import { NatsOutbox } from "../../net/_nats_connection.ts";

const bytes = (n: number, fill = 0) => new Uint8Array(n).fill(fill);

Deno.test("NatsOutbox: publishes at once while connected, holds while disconnected, publishes the held ones in order on reconnect before any new send", () => {
  const published: string[] = [];
  const publish = (subject: string, message: Uint8Array) =>
    void published.push(`${subject}:${message[0]}`);
  const outbox = new NatsOutbox(10);
  assert.equal(outbox.send(publish, "a", bytes(4, 1)), true);
  assert.deepEqual(published, ["a:1"]);
  outbox.disconnected();
  assert.equal(outbox.connected, false);
  assert.equal(outbox.send(publish, "b", bytes(4, 2)), true);
  assert.equal(outbox.send(publish, "c", bytes(4, 3)), true);
  assert.equal(outbox.send(publish, "d", bytes(3, 4)), false, "8 + 3 > 10");
  assert.deepEqual([outbox.length, outbox.bytes], [2, 8]);
  assert.deepEqual(published, ["a:1"]);
  // A send made while the held ones go out waits behind them.
  let nested = false;
  const count = outbox.reconnected((subject, message) => {
    publish(subject, message);
    if (!nested) {
      nested = true;
      assert.equal(outbox.send(publish, "e", bytes(1, 5)), true);
    }
  });
  assert.equal(count, 3);
  assert.deepEqual(published, ["a:1", "b:2", "c:3", "e:5"]);
  assert.deepEqual([outbox.length, outbox.bytes, outbox.connected], [
    0,
    0,
    true,
  ]);
});

Deno.test("NatsOutbox: empty() resolves on reconnect, false after the timeout; clear() drops and wakes", async () => {
  const outbox = new NatsOutbox(100);
  assert.equal(await outbox.empty(10), true);
  outbox.disconnected();
  outbox.send(() => {}, "a", bytes(1));
  assert.equal(await outbox.empty(10), false);
  const waiting = outbox.empty(5000);
  outbox.reconnected(() => {});
  assert.equal(await waiting, true);
  outbox.disconnected();
  outbox.send(() => {}, "a", bytes(1));
  const cleared = outbox.empty(5000);
  outbox.clear();
  assert.equal(await cleared, true);
  assert.equal(outbox.length, 0);
});
