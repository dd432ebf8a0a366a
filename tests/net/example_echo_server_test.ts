// Copyright 2026 the moonwire authors. MIT license.
// Runs examples/net_echo_server.ts with `deno run`: echo, logs, and a clean
// exit on SIGTERM/SIGINT. (tests/net/example_poll_client_test.ts pairs it
// with the polling client example.)
import assert from "node:assert/strict";

const server = new URL("../../examples/net_echo_server.ts", import.meta.url);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Running {
  child: Deno.ChildProcess;
  port: number;
  /** Waits until stdout contains `text`; returns all stdout so far. */
  waitFor(text: string): Promise<string>;
  /** Waits for exit; returns code, stdout and stderr. */
  finish(): Promise<{ code: number; stdout: string; stderr: string }>;
}

async function start(args: string[]): Promise<Running> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", server.pathname, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  }).spawn();
  let stdout = "";
  let stderr = "";
  let wake: (() => void) | undefined;
  const reading = (async () => {
    for await (const chunk of child.stdout) {
      stdout += decoder.decode(chunk);
      wake?.();
    }
    wake?.();
  })();
  const readingErr = (async () => {
    for await (const chunk of child.stderr) stderr += decoder.decode(chunk);
  })();
  let ended = false;
  reading.then(() => (ended = true));
  const waitFor = async (text: string) => {
    const deadline = performance.now() + 20_000;
    while (!stdout.includes(text)) {
      if (ended || performance.now() > deadline) {
        throw new Error(`no "${text}" in output: ${stdout} ${stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return stdout;
  };
  const finish = async () => {
    const status = await child.status;
    await Promise.all([reading, readingErr]);
    return { code: status.code, stdout, stderr };
  };
  let port = 0;
  try {
    const text = await waitFor("\n");
    const match = /^listening on 127\.0\.0\.1:(\d+)\n/.exec(text);
    if (match) port = Number(match[1]);
  } catch {
    // Reported by the caller through finish().
  }
  return { child, port, waitFor, finish };
}

Deno.test("example net_echo_server echoes, logs, and exits cleanly on SIGTERM", async () => {
  const running = await start(["0"]);
  try {
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
  } finally {
    try {
      running.child.kill("SIGKILL");
    } catch {
      // Exited already.
    }
    await running.finish();
  }
});

Deno.test("example net_echo_server closes open links on SIGINT", async () => {
  const running = await start([]);
  try {
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
  } finally {
    try {
      running.child.kill("SIGKILL");
    } catch {
      // Exited already.
    }
    await running.finish();
  }
});

Deno.test("example net_echo_server exits 1 when its port is taken", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const running = await start([String(taken.addr.port)]);
  const { code, stdout } = await running.finish();
  assert.equal(code, 1);
  assert.match(stdout, /^cannot listen: EADDRINUSE \(Cannot listen on /);
});
