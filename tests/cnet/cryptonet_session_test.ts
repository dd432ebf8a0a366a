// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import type { CryptoNet, MemoryNetworkOptions } from "../../cnet/mod.ts";
import { createWorld, record, settle, until } from "./_cryptonet_fixtures.ts";

const COUNT = 1000;

function payload(from: string, i: number): Record<string, string | number> {
  return { from, i, text: `${from}-${i}-${"x".repeat(i % 50)}` };
}

async function exchange(networkOptions: MemoryNetworkOptions) {
  await using world = await createWorld(networkOptions);
  const serverNode = await world.node("server");
  const clientNode = await world.node("client");
  const server = await serverNode.host("exchange");
  await serverNode.addUser(server, "ann", "correct horse battery");
  const serverEvents = record(serverNode);
  const socket = await clientNode.connect("exchange", { certTimeout: 0.3 });
  assert.equal(socket.protocol, "Noise_NX_25519_ChaChaPoly_SHA256");
  assert.equal(socket.certificateVerified, false);
  assert.equal(
    await clientNode.login(socket, "ann", "correct horse battery"),
    true,
  );
  await until(() => server.sockets.length === 1, 5000, "server socket");
  const serverSocket = server.sockets[0];
  await until(() => serverSocket.username === "ann", 5000, "server login");

  const atServer: CryptoNet.EncryptedMessageEvent[] = [];
  const atClient: CryptoNet.EncryptedMessageEvent[] = [];
  serverNode.on("encrypted_message", (event) => atServer.push(event));
  clientNode.on("encrypted_message", (event) => atClient.push(event));
  const sends: Promise<void>[] = [];
  for (let i = 0; i < COUNT; i++) {
    sends.push(clientNode.send(socket, payload("client", i)));
    sends.push(serverNode.send(serverSocket, payload("server", i)));
  }
  await Promise.all(sends);
  await settle(() => atServer.length + atClient.length);
  for (
    const [events, from] of [[atServer, "client"], [
      atClient,
      "server",
    ]] as const
  ) {
    const seen = new Set<number>();
    for (const event of events) {
      const message = event.message as Record<string, number>;
      assert.equal(
        seen.has(message.i),
        false,
        `duplicate ${from} ${message.i}`,
      );
      seen.add(message.i);
      assert.deepEqual(message, payload(from, message.i));
    }
  }
  assert.equal(serverEvents.filter((e) => e.type === "login").length, 1);
  return {
    atServer: atServer.map((e) => (e.message as Record<string, number>).i),
    atClient: atClient.map((e) => (e.message as Record<string, number>).i),
    stats: world.network.stats,
    socket,
    serverSocket,
  };
}

Deno.test("CryptoNet: 10% loss, duplication and reordering — at most once, in order, never corrupted", async () => {
  const result = await exchange({
    seed: 20261121,
    loss: 0.1,
    duplication: 0.1,
    reordering: 0.1,
  });
  assert.ok(result.stats.lost > 0 && result.stats.duplicated > 0);
  assert.ok(result.stats.reordered > 0);
  // Lossy: some are lost, the rest arrive exactly once.
  assert.ok(result.atServer.length > COUNT * 0.8, `${result.atServer.length}`);
  assert.ok(result.atClient.length > COUNT * 0.8, `${result.atClient.length}`);
  assert.ok(result.atServer.length < COUNT);
  // Reordered messages arrive in send order (a late one is dropped).
  const sorted = [...result.atServer].sort((a, b) => a - b);
  assert.deepEqual(result.atServer, sorted);
  assert.deepEqual(result.atClient, [...result.atClient].sort((a, b) => a - b));
});

Deno.test("CryptoNet: without faults nothing is lost and order is kept", async () => {
  const result = await exchange({});
  const expected = Array.from({ length: COUNT }, (_, i) => i);
  assert.deepEqual(result.atServer, expected);
  assert.deepEqual(result.atClient, expected);
});

Deno.test("CryptoNet: large messages are fragmented and reassembled", async () => {
  await using world = await createWorld({
    seed: 5,
    maxPayloadSize: 600,
    duplication: 0.3,
    reordering: 0.3,
  });
  const serverNode = await world.node("server");
  const clientNode = await world.node("client");
  await serverNode.host("big");
  const received: CryptoNet.EncryptedMessageEvent[] = [];
  serverNode.on("encrypted_message", (event) => received.push(event));
  const socket = await clientNode.connect("big", { certTimeout: 0.1 });
  const messages = Array.from({ length: 10 }, (_, i) => {
    const bytes = new Uint8Array(20_000 + i * 1000);
    for (let j = 0; j < bytes.length; j++) bytes[j] = (j * 7 + i) & 255;
    return bytes;
  });
  for (const message of messages) await clientNode.send(socket, message);
  await until(() => received.length === messages.length, 5000, "messages");
  await settle(() => received.length, 100);
  const got = received.map((e) => e.message as Uint8Array).sort((a, b) =>
    a.length - b.length
  );
  assert.deepEqual(got, messages);
  assert.equal(clientNode.stats.droppedReassemblies, 0);
});

Deno.test("CryptoNet: events, close and idle timeout", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server");
  const clientNode = await world.node("client");
  const server = await serverNode.host("events");
  await serverNode.addUser(server, "bo", "bo's password", 2);
  const serverEvents = record(serverNode);
  const clientEvents = record(clientNode);
  const socket = await clientNode.connect("events", { certTimeout: 0.05 });
  await clientNode.send(socket, "hi");
  await clientNode.login(socket, "bo", "bo's password");
  await clientNode.logout(socket);
  await clientNode.sendUnencrypted(socket, { clear: true });
  await until(() => serverEvents.length >= 5, 5000, "server events");
  await socket.close();
  await until(() => serverEvents.length >= 6, 5000, "close");
  assert.deepEqual(serverEvents.map((e) => e.type), [
    "connection_opened",
    "encrypted_message",
    "login",
    "logout",
    "plain_message",
    "connection_closed",
  ]);
  assert.deepEqual(
    (serverEvents[5] as CryptoNet.ConnectionClosedEvent).reason,
    "peer",
  );
  assert.deepEqual(clientEvents.map((e) => e.type), [
    "connection_opened",
    "login",
    "logout",
    "connection_closed",
  ]);
  assert.throws(() => clientNode.sendUnencrypted(socket, 1), {
    name: "ConnectionClosedError",
    message: "Cannot send unencrypted message: socket is closed",
  });
  await assert.rejects(clientNode.send(socket, 1), {
    name: "ConnectionClosedError",
    message: "Cannot send: socket is closed",
  });

  // Idle timeout: nobody talks, keepalives are off.
  const quiet = { idleTimeout: 0.5, keepAliveInterval: 0 };
  const idleServer = await world.node("idle-server", quiet);
  const idleClient = await world.node("idle-client", quiet);
  await idleServer.host("idle");
  const idleServerEvents = record(idleServer);
  const idleClientEvents = record(idleClient);
  await idleClient.connect("idle", { certTimeout: 0.05 });
  await until(
    () =>
      idleServerEvents.some((e) => e.type === "connection_closed") &&
      idleClientEvents.some((e) => e.type === "connection_closed"),
    5000,
    "idle timeout",
  );
  // The side that times out first tells the other, which may still be
  // waiting for its own timeout.
  const reasons = [idleServerEvents, idleClientEvents].map((events) =>
    (events.find((e) =>
      e.type === "connection_closed"
    ) as CryptoNet.ConnectionClosedEvent).reason
  ).sort();
  assert.ok(
    reasons[1] === "timeout" &&
      (reasons[0] === "peer" || reasons[0] === "timeout"),
    reasons.join(),
  );
});

Deno.test("CryptoNet: keepalives hold an idle session open", async () => {
  await using world = await createWorld();
  const options = { idleTimeout: 1.5, keepAliveInterval: 0.2 };
  const serverNode = await world.node("server", options);
  const clientNode = await world.node("client", options);
  await serverNode.host("alive");
  const socket = await clientNode.connect("alive", { certTimeout: 0.05 });
  await new Promise((resolve) => setTimeout(resolve, 2500));
  assert.equal(socket.isOpen, true);
});

Deno.test("CryptoNet: listen() and events() deliver queued events", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server");
  const clientNode = await world.node("client");
  await serverNode.host("queue");
  const first = serverNode.listen();
  const socket = await clientNode.connect("queue", { certTimeout: 0.05 });
  assert.equal((await first).type, "connection_opened");
  await clientNode.send(socket, 1);
  await clientNode.send(socket, 2);
  const seen: number[] = [];
  for await (const event of serverNode.events()) {
    if (event.type === "encrypted_message") seen.push(event.message as number);
    if (seen.length === 2) break;
  }
  assert.deepEqual(seen, [1, 2]);
  await serverNode.close();
  await assert.rejects(serverNode.listen(), {
    name: "ConnectionClosedError",
    message: "Cannot listen: node is closed",
  });
});

Deno.test("CryptoNet: discovery finds exactly the discoverable servers", async () => {
  await using world = await createWorld({ seed: 9, loss: 0.1 });
  const a = await world.node("a");
  const b = await world.node("b");
  const client = await world.node("client");
  const alpha = await a.host("alpha");
  await a.host("hidden-cert", { hideCertificate: true });
  await b.host("beta");
  await b.host("secret", { discoverable: false });
  const found = await client.discover({ timeout: 1 });
  assert.deepEqual(found.map((s) => s.name), ["alpha", "beta", "hidden-cert"]);
  assert.deepEqual(found[0].certificate, alpha.certificate);
  assert.equal(found[2].certificate, undefined);
  // The non-discoverable one is still reachable by name.
  const socket = await client.connect("secret", { certTimeout: 0.3 });
  assert.equal(socket.serverName, "secret");
});

Deno.test("CryptoNet: setup runs onStart and ends when the node closes", async () => {
  await using world = await createWorld();
  const node = await world.node("loop");
  const order: string[] = [];
  await node.setup(async (self) => {
    order.push("start");
    await self.host("looped");
    await self.close();
    order.push("closed");
  });
  assert.deepEqual(order, ["start", "closed"]);
  await assert.rejects(node.host("again"), {
    name: "Error",
    message: 'Cannot host "again": node is closed',
  });
});

Deno.test("CryptoNet: a client that speaks at once needs no OPEN; a silent one still opens the session", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server");
  const clientNode = await world.node("client");
  const server = await serverNode.host("opener");
  const events = record(serverNode);
  const heard: number[] = [];
  const before = world.network.stats.transmitted;
  const talker = await clientNode.connect("opener", {
    certificate: server.certificate,
  });
  await clientNode.send(talker, "first");
  await until(
    () => events.some((e) => e.type === "encrypted_message"),
    5000,
    "first message",
  );
  // HELLO, HELLO_REPLY and the message: its authentication opens the
  // session on the server, no OPEN / OPEN_ACK round trip.
  heard.push(world.network.stats.transmitted - before);
  assert.deepEqual(events.map((e) => e.type), [
    "connection_opened",
    "encrypted_message",
  ]);
  const silent = await clientNode.connect("opener", {
    certificate: server.certificate,
  });
  await until(() => server.sockets.length === 2, 5000, "silent socket");
  assert.equal(events.at(-1)?.type, "connection_opened");
  assert.equal(silent.isOpen, true);
  assert.deepEqual(heard, [3]);
  // Plain first: the OPEN goes out before it, so the server hears it.
  const plain = await clientNode.connect("opener", {
    certificate: server.certificate,
  });
  await clientNode.sendUnencrypted(plain, "in the clear");
  await until(
    () => events.some((e) => e.type === "plain_message"),
    5000,
    "plain message",
  );
  assert.deepEqual(events.slice(-2).map((e) => e.type), [
    "connection_opened",
    "plain_message",
  ]);
});
