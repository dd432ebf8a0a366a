// Copyright 2026 the moonwire authors. MIT license.
// Tcp.waitUntilDrained waits for bytes written while it waits, also bytes
// written in the turn the queue first ran empty: it must not go back to
// sleep with nothing left to wake it.
import assert from "node:assert/strict";
import { openTcp, resolveAddress, StreamSocket } from "../../net/mod.ts";
import { pauses } from "../_schedule.ts";

Deno.test("Tcp.waitUntilDrained sees bytes written as the queue first drains", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  await using tcp = openTcp(resolveAddress("127.0.0.1"), listener.addr.port);
  assert.equal(await tcp.waitUntilConnected(5000), "success");
  using peer = await accepted;
  const reading = (async () => {
    const buffer = new Uint8Array(16);
    let got = 0;
    while (got < 4) got += (await peer.read(buffer.subarray(got))) ?? 0;
    return new TextDecoder().decode(buffer.subarray(0, got));
  })();
  // Write "b" in the very turn the queue drained of "a", before the wait
  // rechecks: only a fresh drain watch sees "b" leave.
  const drained = StreamSocket.prototype.drained;
  let injected = false;
  StreamSocket.prototype.drained = function (this: StreamSocket) {
    return drained.call(this).then(() => {
      if (injected) return;
      injected = true;
      assert.equal(tcp.write("bbb"), 3);
    });
  };
  try {
    assert.equal(tcp.write("a"), 1);
    const started = performance.now();
    assert.equal(await tcp.waitUntilDrained(5000), 0);
    const elapsed = performance.now() - started;
    assert.ok(injected);
    assert.ok(
      elapsed < 2500,
      `the wait slept until its timeout (${elapsed} ms)`,
    );
  } finally {
    StreamSocket.prototype.drained = drained;
  }
  assert.equal(await reading, "abbb");
});

Deno.test("Tcp.waitUntilDrained returns promptly for writes made at every pause after it started", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  await using tcp = openTcp(resolveAddress("127.0.0.1"), listener.addr.port);
  assert.equal(await tcp.waitUntilConnected(5000), "success");
  using peer = await accepted;
  let expected = "";
  for (const pause of pauses()) {
    expected += "x";
    assert.equal(tcp.write("x"), 1);
    const waiting = tcp.waitUntilDrained(5000);
    await pause.wait();
    expected += "y";
    assert.equal(tcp.write("y"), 1);
    const started = performance.now();
    // 1 when "y" came after the wait saw the queue empty, as it returned.
    assert.ok([0, 1].includes(await waiting), pause.name);
    assert.equal(await tcp.waitUntilDrained(5000), 0, pause.name);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 2500, `${pause.name}: ${elapsed} ms`);
  }
  const buffer = new Uint8Array(expected.length);
  let got = 0;
  while (got < expected.length) {
    got += (await peer.read(buffer.subarray(got))) ?? 0;
  }
  assert.equal(new TextDecoder().decode(buffer), expected);
});
