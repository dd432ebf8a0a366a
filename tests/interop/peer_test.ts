// Copyright 2026 the moonwire authors. MIT license.
// The interop peer runner itself: stop() must end forked children that hold
// the peer's pipes open, and must not wait forever on a peer that ignores
// SIGTERM.
import assert from "node:assert/strict";
import { ignoreReason } from "../_tools.ts";
import { freePort, startPeer } from "./_peer.ts";

/** Waits until no process is left in the group `pgid` (zombies included). */
async function groupGone(pgid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const out = await new Deno.Command("pgrep", {
      args: ["-g", String(pgid)],
      stdout: "null",
      stderr: "null",
    }).output();
    if (out.code === 1) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

Deno.test({
  name: "interop: stop() ends socat's forked children that hold its pipes",
  ignore: ignoreReason("socat", "pgrep") !== undefined,
  async fn() {
    const port = freePort();
    const peer = await startPeer("socat", [
      `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`,
      "EXEC:cat",
    ], { tcpPort: port, stopTimeout: 20_000 });
    // An open connection keeps a forked socat (and its cat) alive, and with
    // them the peer's stdout and stderr.
    using conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new Uint8Array([42]));
    const echo = new Uint8Array(1);
    assert.equal(await conn.read(echo), 1);
    assert.deepEqual(echo, new Uint8Array([42]));
    const started = performance.now();
    await peer.stop();
    // Well under stopTimeout: SIGTERM to the group did it, not the fallback.
    assert.ok(performance.now() - started < 10_000);
    assert.equal(await groupGone(peer.pid), true);
  },
});

Deno.test({
  name: "interop: stop() kills a peer that ignores SIGTERM after stopTimeout",
  ignore: ignoreReason("sh", "sleep", "pgrep") !== undefined,
  async fn() {
    // The background sleep inherits the ignored SIGTERM and holds the pipes.
    const peer = await startPeer("sh", [
      "-c",
      'trap "" TERM; sleep 60 & echo ready; wait',
    ], { ready: "ready", stopTimeout: 300 });
    const started = performance.now();
    await peer.stop();
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 250, `stopped after ${elapsed} ms`);
    assert.ok(elapsed < 10_000, `stopped after ${elapsed} ms`);
    assert.equal(peer.output(), "ready\n");
    assert.equal(await groupGone(peer.pid), true);
    // A second stop() is the same finished stop.
    await peer.stop();
  },
});
