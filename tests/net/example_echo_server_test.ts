// Copyright 2026 the moonwire authors. MIT license.
// Runs examples/net_echo_server.ts with `deno run`: echo, logs, and a clean
// exit on SIGTERM/SIGINT. (tests/net/example_poll_client_test.ts pairs it
// with the polling client example.)
import assert from "node:assert/strict";
import { type RunningExample, startExample } from "../_run_example.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Starts the echo server; `port` is 0 when it printed none. */
async function start(
  args: string[],
): Promise<RunningExample & { port: number }> {
  const running = startExample("net_echo_server.ts", args);
  let port = 0;
  try {
    const text = await running.waitFor("\n");
    const match = /^listening on 127\.0\.0\.1:(\d+)\n/.exec(text);
    if (match) port = Number(match[1]);
  } catch {
    // Reported by the caller through finish().
  }
  return Object.assign(running, { port });
}

Deno.test("example net_echo_server echoes, logs, and exits cleanly on SIGTERM", async () => {
  await using running = await start(["0"]);
  assert.ok(running.port > 0, "no port printed");
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: running.port,
  });
  const local = (conn.localAddr as Deno.NetAddr).port;
  await conn.write(encoder.encode("echo me"));
  const buffer = new Uint8Array(64);
  let echoed = "";
  while (echoed.length < 7) {
    const n = await conn.read(buffer);
    assert.notEqual(n, null);
    echoed += decoder.decode(buffer.subarray(0, n!));
  }
  assert.equal(echoed, "echo me");
  await conn.closeWrite();
  assert.equal(await conn.read(buffer), null);
  conn.close();
  await running.waitFor(`connection to 127.0.0.1:${local} closed`);
  running.child.kill("SIGTERM");
  const { code, stdout } = await running.finish();
  assert.equal(code, 0);
  assert.equal(
    stdout,
    `listening on 127.0.0.1:${running.port}\n` +
      `accepted 127.0.0.1:${local}\n` +
      `connection to 127.0.0.1:${local} closed\n` +
      "stopped\n",
  );
});

Deno.test("example net_echo_server closes open links on SIGINT", async () => {
  await using running = await start([]);
  using conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: running.port,
  });
  const local = (conn.localAddr as Deno.NetAddr).port;
  await running.waitFor(`accepted 127.0.0.1:${local}`);
  running.child.kill("SIGINT");
  assert.equal(await conn.read(new Uint8Array(8)), null);
  const { code, stdout } = await running.finish();
  assert.equal(code, 0);
  assert.match(
    stdout,
    new RegExp(
      `error talking to 127\\.0\\.0\\.1:${local}: ECONNABORTED \\(Cannot continue link: its server handle was closed\\)\nstopped\n$`,
    ),
  );
});

Deno.test("example net_echo_server exits 1 when its port is taken", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const running = await start([String(taken.addr.port)]);
  const { code, stdout } = await running.finish();
  assert.equal(code, 1);
  assert.match(stdout, /^cannot listen: EADDRINUSE \(Cannot listen on /);
});
