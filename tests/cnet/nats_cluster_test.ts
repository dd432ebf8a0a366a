// Copyright 2026 the moonwire authors. MIT license.
// cnet across a 3-node NATS cluster: a server and a client in two child
// Deno processes attached to different nodes discover, connect, log in and
// exchange 1000 CTTP requests; a subscriber to every subject (">") on the
// third node sees the discovery in plain text but neither the password nor
// any CTTP request or body.
import assert from "node:assert/strict";
import type { Msg } from "@nats-io/transport-node";
import { natsClient, natsIgnore, startNatsCluster } from "../_nats_server.ts";

const decoder = new TextDecoder();
const program = new URL("./_nats_program.ts", import.meta.url).pathname;
const config = new URL("../../deno.json", import.meta.url).pathname;
const PASSWORD = "cluster password 7f3a";

function spawn(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--frozen", "-A", "--config", config, program, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  }).spawn();
}

/** Reads a child's stdout until `text` shows up; returns what was read. */
async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  text: string,
): Promise<string> {
  let sofar = "";
  while (!sofar.includes(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`no "${text}" in output: ${sofar}`);
    sofar += decoder.decode(value);
  }
  return sofar;
}

Deno.test({
  name:
    "NatsModem cluster: server and client processes on different nodes discover, connect, log in, 1000 CTTP requests answered in order; the bus sees no password and no request or body",
  ignore: natsIgnore !== undefined,
  async fn() {
    await using cluster = await startNatsCluster(3);
    const directory = await Deno.makeTempDir({ prefix: "nats_cluster_" });
    const spy = await natsClient(cluster.urls[1]);
    const seen: string[] = [];
    spy.subscribe(">", {
      // latin1: one character per byte, so byte strings can be searched.
      callback: (_error: Error | null, message: Msg) =>
        void seen.push(String.fromCharCode(...message.data)),
    });
    await spy.flush();
    const server = spawn(["server", directory, cluster.urls[0], PASSWORD]);
    const serverOut = server.stdout.getReader();
    const serverErr = new Response(server.stderr).text();
    let stdinClosed = false;
    try {
      await readUntil(serverOut, "ready");
      const out = await spawn(["client", directory, cluster.urls[2], PASSWORD])
        .output();
      assert.equal(out.code, 0, decoder.decode(out.stderr));
      assert.deepEqual(JSON.parse(decoder.decode(out.stdout)), {
        found: ["cluster-door"],
        login: true,
        answered: 1000,
        matching: 1000,
      });
      const writer = server.stdin.getWriter();
      await writer.write(new TextEncoder().encode("stop\n"));
      await writer.close();
      stdinClosed = true;
      const report = await readUntil(serverOut, "\n");
      assert.equal(report.trim(), "answered 1000, in order: true");
      assert.equal((await server.status).code, 0, await serverErr);
      // 1000 requests and 1000 responses at least crossed the bus...
      assert.ok(seen.length > 2000, `${seen.length} messages`);
      // ... where plain text shows: discovery answers name the server.
      assert.ok(seen.some((body) => body.includes("cluster-door")));
      for (const secret of [PASSWORD, "plaintext body marker", "/echo/"]) {
        assert.equal(
          seen.filter((body) => body.includes(secret)).length,
          0,
          `"${secret}" on the bus`,
        );
      }
    } finally {
      try {
        server.kill("SIGKILL");
      } catch {
        // Exited already.
      }
      await server.status;
      if (!stdinClosed) await server.stdin.close().catch(() => {});
      await serverErr;
      serverOut.releaseLock();
      await server.stdout.cancel();
      await spy.close();
      await Deno.remove(directory, { recursive: true });
    }
  },
});
