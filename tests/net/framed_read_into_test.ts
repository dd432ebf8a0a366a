// Copyright 2026 the moonwire authors. MIT license.
// The callback read mm sessions use (net/_framed_access.ts): frames there
// now come back at once, later ones go to the receiver as they arrive, in
// order, then the end (null) or the failure.
import assert from "node:assert/strict";
import { ConnectionClosedError } from "../../net/errors.ts";
import { framedAccess, type FrameReceiver } from "../../net/_framed_access.ts";
import { pair } from "./_framed_pair.ts";

const readInto = framedAccess.readInto!;

// Takes every frame with readInto (copies, as frames are borrowed) until
// the end or a failure; `done` settles then.
function collect(connection: object) {
  const frames: number[][] = [];
  const done = Promise.withResolvers<null>();
  const receiver: FrameReceiver = {
    many: false,
    resolve(frame) {
      if (frame === null) return done.resolve(null);
      frames.push([...frame]);
      drain();
    },
    reject: (error) => done.reject(error),
  };
  const drain = () => {
    for (;;) {
      const frame = readInto(connection, receiver);
      if (frame === undefined) return;
      if (frame === null) return done.resolve(null);
      frames.push([...frame]);
    }
  };
  return { frames, done: done.promise, drain };
}

Deno.test("readInto returns frames there now, then calls the receiver for later ones, in order, then null", async () => {
  await using conns = await pair({}, { borrowFrames: true });
  await conns.client.sendMany([new Uint8Array([1]), new Uint8Array([2, 2])]);
  // Both frames are there once the first one can be read.
  assert.deepEqual(await conns.server.read(), new Uint8Array([1]));
  const reader = collect(conns.server);
  reader.drain();
  assert.deepEqual(reader.frames, [[2, 2]]);
  await conns.client.send(new Uint8Array([3, 3, 3]));
  await conns.client.sendMany([new Uint8Array([4]), new Uint8Array([5])]);
  await conns.client.close();
  assert.equal(await reader.done, null);
  assert.deepEqual(reader.frames, [[2, 2], [3, 3, 3], [4], [5]]);
});

Deno.test("readInto: a waiting receiver gets the failure of an aborted connection", async () => {
  await using conns = await pair();
  const reader = collect(conns.server);
  reader.drain();
  conns.server.abort();
  await assert.rejects(reader.done, {
    name: "ConnectionClosedError",
    message: "Cannot read frame: connection aborted",
  });
  assert.throws(
    () => readInto(conns.server, {} as FrameReceiver),
    ConnectionClosedError,
  );
  assert.deepEqual(reader.frames, []);
});
