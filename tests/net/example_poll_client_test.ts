// Copyright 2026 the moonwire authors. MIT license.
// Runs examples/net_poll_client.ts with `deno run`: against an echo server in
// this test, and together with examples/net_echo_server.ts (the callback API).
import assert from "node:assert/strict";

const client = new URL("../../examples/net_poll_client.ts", import.meta.url);
const server = new URL("../../examples/net_echo_server.ts", import.meta.url);
const decoder = new TextDecoder();

async function runClient(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", client.pathname, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  }).output();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
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
  assert.match(
    result.stderr,
    new RegExp(`^Cannot connect to 127\\.0\\.0\\.1:${port}: `),
  );
});

Deno.test({
  name: "examples net_echo_server + net_poll_client run together",
  async fn() {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", server.pathname, "0"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    }).spawn();
    let text = "";
    const stderr = child.stderr.pipeTo(new WritableStream());
    const reader = child.stdout.getReader();
    try {
      let port: number | undefined;
      const deadline = performance.now() + 20_000;
      while (port === undefined) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
        const match = /listening on [^\s]*:(\d+)/i.exec(text);
        if (match) port = Number(match[1]);
        if (performance.now() > deadline) break;
      }
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
      while (!/ closed\n/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
      child.kill("SIGTERM");
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
      const status = await child.status;
      assert.equal(status.code, 0, text);
      const lines = text.trim().split("\n");
      assert.equal(lines[0], `listening on 127.0.0.1:${port}`);
      assert.match(lines[1], /^accepted 127\.0\.0\.1:\d+$/);
      assert.match(lines[2], /^connection to 127\.0\.0\.1:\d+ closed$/);
      assert.equal(lines.at(-1), "stopped");
    } finally {
      try {
        child.kill("SIGTERM");
      } catch {
        // Exited already.
      }
      await child.status;
      await reader.cancel();
      await stderr.catch(() => {});
    }
  },
});
