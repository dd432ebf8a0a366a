// Copyright 2026 the moonwire authors. MIT license.
// Runs examples/net_poll_client.ts with `deno run`: against an echo server in
// this test, and together with examples/net_echo_server.ts (the callback API).
import assert from "node:assert/strict";
import {
  type ExampleResult,
  runExample,
  startExample,
} from "../_run_example.ts";

function runClient(args: string[]): Promise<ExampleResult> {
  return runExample("net_poll_client.ts", args);
}

Deno.test("example net_poll_client echoes through a local echo server", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    using conn = await listener.accept();
    const buffer = new Uint8Array(1024);
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) break;
      await conn.write(buffer.subarray(0, n));
    }
  })();
  const result = await runClient([
    "127.0.0.1",
    String(listener.addr.port),
    "polling hello",
  ]);
  await serving;
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "echo: polling hello\n");
});

Deno.test("example net_poll_client reports a refused connection", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const result = await runClient(["127.0.0.1", String(port)]);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.equal(
    result.stderr,
    `Cannot connect to 127.0.0.1:${port}: Connection refused (os error 111)\n`,
  );
});

Deno.test("example net_poll_client reports an unknown host in one line", async () => {
  const result = await runClient(["nosuchhost.invalid", "7777"]);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  // One line, the host named once; the resolver's reason follows.
  assert.match(result.stderr, /^Cannot resolve nosuchhost\.invalid: [^\n]+\n$/);
  assert.equal(result.stderr.split("Cannot resolve").length, 2, result.stderr);
});

Deno.test({
  name: "examples net_echo_server + net_poll_client run together",
  async fn() {
    await using server = startExample("net_echo_server.ts", ["0"]);
    const text = await server.waitFor(/listening on [^\s]*:(\d+)/i);
    const port = Number(/listening on [^\s]*:(\d+)/i.exec(text)?.[1]);
    assert.ok(port, `the server printed no port: ${text}`);
    const result = await runClient([
      "127.0.0.1",
      String(port),
      "both examples",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "echo: both examples\n");
    // The server logs the accept and the client's close; then it stops
    // cleanly on SIGTERM.
    await server.waitFor(/ closed\n/);
    server.child.kill("SIGTERM");
    const status = await server.finish();
    assert.equal(status.code, 0, status.stdout);
    const lines = status.stdout.trim().split("\n");
    assert.equal(lines[0], `listening on 127.0.0.1:${port}`);
    assert.match(lines[1], /^accepted 127\.0\.0\.1:\d+$/);
    assert.match(lines[2], /^connection to 127\.0\.0\.1:\d+ closed$/);
    assert.equal(lines.at(-1), "stopped");
  },
});
