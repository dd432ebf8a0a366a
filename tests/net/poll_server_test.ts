// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { resolveAddress } from "../../net/address.ts";
import { createServer, Server } from "../../net/server.ts";
import { openTcp, Tcp } from "../../net/tcp.ts";
import { pollFor, readExactly, readToEnd } from "./_poll_helpers.ts";
import { assertKeepsAccepting } from "./_fd_limit.ts";

const decoder = new TextDecoder();
const local = resolveAddress("127.0.0.1");

Deno.test("createServer on port 0 reports the real port; accept() is null when idle", async () => {
  await using server = createServer(local, 0);
  assert.ok(server instanceof Server);
  const port = server.getPort();
  assert.ok(Number.isInteger(port) && port > 0 && port <= 65535);
  assert.equal(server.accept(), null);
  assert.equal(server.accept(), null);
});

Deno.test("Server.accept returns connected Tcp objects, never the server", async () => {
  await using server = createServer(local, 0);
  await using client = openTcp(local, server.getPort());
  assert.equal(await client.waitUntilConnected(5000), "success");
  await using accepted = await pollFor(() => server.accept());
  assert.ok(accepted instanceof Tcp);
  assert.notEqual(accepted as unknown, server);
  assert.equal(accepted.getStatus(), "success");
  assert.equal(accepted.getAddress().getIp(), "127.0.0.1");
  assert.equal(accepted.getAddress().getStatus(), "success");
  assert.equal(server.accept(), null);

  assert.equal(client.write("ping"), 4);
  assert.equal(decoder.decode(await readExactly(accepted, 4)), "ping");
  assert.equal(accepted.write("pong!"), 5);
  assert.equal(await accepted.waitUntilDrained(5000), 0);
  assert.equal(decoder.decode(await readExactly(client, 5)), "pong!");
  client.close();
  assert.equal((await readToEnd(accepted)).length, 0);
  assert.equal(accepted.read(1), null);
});

Deno.test("Server accepts several clients in order", async () => {
  await using server = createServer(local, 0);
  const clients: Tcp[] = [];
  for (let i = 0; i < 3; i++) {
    const client = openTcp(local, server.getPort());
    assert.equal(await client.waitUntilConnected(5000), "success");
    assert.equal(client.write(`client ${i}`), 8);
    clients.push(client);
  }
  const seen: string[] = [];
  for (let i = 0; i < 3; i++) {
    const accepted = await pollFor(() => server.accept());
    seen.push(decoder.decode(await readExactly(accepted, 8)));
    await accepted[Symbol.asyncDispose]();
  }
  assert.deepEqual(seen.sort(), ["client 0", "client 1", "client 2"]);
  for (const client of clients) await client[Symbol.asyncDispose]();
});

Deno.test("Server.close drops connections not yet accepted", async () => {
  const server = createServer(local, 0);
  const port = server.getPort();
  using peer = await Deno.connect({ hostname: "127.0.0.1", port });
  // Give the accept loop time to queue it.
  await new Promise((resolve) => setTimeout(resolve, 100));
  server.close();
  server.close();
  await server.closed;
  assert.equal(server.isClosed, true);
  assert.equal(server.accept(), null);
  assert.equal(await peer.read(new Uint8Array(1)), null);
  await assert.rejects(
    Deno.connect({ hostname: "127.0.0.1", port }),
    Deno.errors.ConnectionRefused,
  );
});

Deno.test("Server keeps at most maxPending connections queued", async () => {
  await using server = createServer(local, 0, { maxPending: 1 });
  const peers = [];
  for (let i = 0; i < 3; i++) {
    peers.push(
      await Deno.connect({ hostname: "127.0.0.1", port: server.getPort() }),
    );
  }
  const taken: Tcp[] = [];
  for (let i = 0; i < 3; i++) taken.push(await pollFor(() => server.accept()));
  assert.equal(taken.length, 3);
  for (const tcp of taken) await tcp[Symbol.asyncDispose]();
  for (const peer of peers) peer.close();
});

Deno.test("createServer with null listens on all interfaces", async () => {
  await using server = createServer(null, 0);
  using peer = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.getPort(),
  });
  await using tcp = await pollFor(() => server.accept());
  assert.equal(tcp.getStatus(), "success");
  assert.equal((peer.localAddr as Deno.NetAddr).port > 0, true);
});

Deno.test("createServer argument checks and bind errors", async () => {
  assert.throws(() => createServer(local, -1), {
    name: "RangeError",
    message:
      "Cannot create server: port must be an integer from 0 to 65535, got -1",
  });
  assert.throws(() => createServer("127.0.0.1" as never, 0), {
    name: "TypeError",
    message: "Cannot create server: address must be an Address or null",
  });
  const pending = resolveAddress("localhost");
  assert.throws(() => createServer(pending, 0), {
    name: "Error",
    message:
      "Cannot create server: address localhost is not resolved (status waiting)",
  });
  await pending.waitUntilResolved(-1);
  assert.throws(() => createServer(local, 0, { maxPending: 0 }), RangeError);
  assert.throws(
    () => createServer(local, 0, { connection: { maxQueuedBytes: -1 } }),
    {
      name: "RangeError",
      message:
        "Cannot create server: maxQueuedBytes must be a positive integer, got -1",
    },
  );
  await using first = createServer(local, 0);
  assert.throws(
    () => createServer(local, first.getPort()),
    Deno.errors.AddrInUse,
  );
});

Deno.test("Server keeps accepting after running out of file descriptors", async () => {
  await assertKeepsAccepting("./_poll_server_fd_limit.ts", "closed=false");
});
