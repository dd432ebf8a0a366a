// Copyright 2026 the moonwire authors. MIT license.
// CryptoNet's delivery guarantee across every schedule: a send, a pause from
// tests/_schedule.ts, another send (and a close). Over a modem that keeps
// order and loses nothing, every accepted message arrives exactly once and
// in order; over a lossy, duplicating, reordering one, at most once and in
// order (never reliable: that is CTCP's job).
import assert from "node:assert/strict";
import type { CryptoNet, LuaValue } from "../../cnet/mod.ts";
import { pauses } from "../_schedule.ts";
import { createWorld, type Node, until } from "./_cryptonet_fixtures.ts";

type Socket = CryptoNet.Socket;

/** Collects the messages one node receives, by kind, in arrival order. */
function inbox(node: Node) {
  const encrypted: LuaValue[] = [];
  const plain: LuaValue[] = [];
  const order: string[] = [];
  const subscriptions = [
    node.on("encrypted_message", (event) => {
      encrypted.push(event.message);
      order.push(`msg:${String(event.message)}`);
    }),
    node.on("plain_message", (event) => {
      plain.push(event.message);
      order.push(`plain:${String(event.message)}`);
    }),
    node.on("connection_closed", () => order.push("closed")),
  ];
  return {
    encrypted,
    plain,
    order,
    [Symbol.dispose]() {
      for (const subscription of subscriptions) subscription.close();
    },
  };
}

async function pair() {
  const world = await createWorld();
  const server = await world.node("server");
  const client = await world.node("client");
  await server.host("delivery");
  const accepted = new Promise<Socket>((resolve) =>
    server.on("connection_opened", (event) => resolve(event.socket))
  );
  const socket = await client.connect("delivery");
  await client.send(socket, "hello");
  const serverSocket = await accepted;
  return { world, server, client, socket, serverSocket };
}

for (const encrypted of [true, false]) {
  const kind = encrypted ? "send" : "sendUnencrypted";
  for (const direction of ["client to server", "server to client"]) {
    Deno.test(`CryptoNet delivery: ${kind} ${direction}, pause, ${kind} again — each message once, in order`, async () => {
      const p = await pair();
      await using _world = p.world;
      const toServer = direction === "client to server";
      const [sender, receiver] = toServer
        ? [p.client, p.server]
        : [p.server, p.client];
      const socket = toServer ? p.socket : p.serverSocket;
      using box = inbox(receiver);
      const send = (value: string) =>
        encrypted
          ? sender.send(socket, value)
          : sender.sendUnencrypted(socket, value);
      const sent: Promise<void>[] = [];
      const expected: string[] = [];
      for (const pause of pauses()) {
        expected.push(`${pause.name} a`, `${pause.name} b`);
        sent.push(send(`${pause.name} a`));
        await pause.wait();
        sent.push(send(`${pause.name} b`));
      }
      await Promise.all(sent);
      const got = encrypted ? box.encrypted : box.plain;
      // Hello was sent before the inbox existed: only the sweep is counted.
      await until(() => got.length >= expected.length, 5000, "messages");
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(got, expected);
    });
  }
}

for (const encrypted of [true, false]) {
  const kind = encrypted ? "send" : "sendUnencrypted";
  for (const closer of ["client", "server"]) {
    Deno.test(`CryptoNet delivery: ${kind}, pause, ${closer} closes — every message arrives, then connection_closed`, async () => {
      const world = await createWorld();
      await using _world = world;
      const server = await world.node("server");
      const client = await world.node("client");
      // A known certificate (NK): no 1 s wait for certificate answers.
      const { certificate } = await server.host("closing");
      let serverSocket: Socket | undefined;
      server.on("connection_opened", (event) => serverSocket = event.socket);
      for (const pause of pauses()) {
        const socket = await client.connect("closing", { certificate });
        await client.send(socket, "open");
        await until(() => serverSocket?.isOpen === true, 5000, "open");
        const [sender, receiver, local] = closer === "client"
          ? [client, server, socket]
          : [server, client, serverSocket!];
        using box = inbox(receiver);
        const send = (value: string) =>
          encrypted
            ? sender.send(local, value)
            : sender.sendUnencrypted(local, value);
        const first = send("a");
        await pause.wait();
        const second = send("b");
        await pause.wait();
        const closed = sender.close(local);
        await Promise.all([first, second, closed]);
        await until(
          () => box.order.includes("closed"),
          5000,
          `close after ${pause.name}`,
        );
        const prefix = encrypted ? "msg" : "plain";
        assert.deepEqual(
          box.order,
          [`${prefix}:a`, `${prefix}:b`, "closed"],
          pause.name,
        );
        serverSocket = undefined;
      }
    });
  }
}

Deno.test("CryptoNet delivery: over a lossy, duplicating, reordering modem each message arrives at most once and in send order", async () => {
  const world = await createWorld({
    seed: 11,
    loss: 0.1,
    duplication: 0.2,
    reordering: 0.3,
    reorderDelay: 3,
  });
  await using _world = world;
  const server = await world.node("server", { retransmitInterval: 0.02 });
  const client = await world.node("client", { retransmitInterval: 0.02 });
  const { certificate } = await server.host("lossy");
  const socket = await client.connect("lossy", { certificate });
  const box = inbox(server);
  const sent: Promise<void>[] = [];
  let n = 0;
  for (let round = 0; round < 4; round++) {
    for (const pause of pauses()) {
      sent.push(client.send(socket, n++));
      await pause.wait();
      // Fragmented messages too: 3 pieces on a 4 KiB modem payload.
      sent.push(client.send(socket, [n++, "x".repeat(9000)]));
    }
  }
  await Promise.all(sent);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const numbers = box.encrypted.map((m) =>
    typeof m === "number" ? m : (m as LuaValue[])[0] as number
  );
  assert.ok(numbers.length > n / 2, `only ${numbers.length} of ${n} arrived`);
  for (let i = 1; i < numbers.length; i++) {
    assert.ok(
      numbers[i] > numbers[i - 1],
      `message ${numbers[i]} arrived after ${numbers[i - 1]}`,
    );
  }
});

Deno.test("CryptoNet delivery: a plain message first after connect, pause, another message — the session opens first, then both arrive in order", async () => {
  const world = await createWorld();
  await using _world = world;
  const server = await world.node("server");
  const client = await world.node("client");
  const { certificate } = await server.host("plain-first");
  for (const encryptedSecond of [false, true]) {
    for (const pause of pauses()) {
      using box = inbox(server);
      const opened: string[] = [];
      using _opened = server.on("connection_opened", () => {
        opened.push(`opened before ${box.order.length} messages`);
      });
      const socket = await client.connect("plain-first", { certificate });
      const first = client.sendUnencrypted(socket, "a");
      await pause.wait();
      const second = encryptedSecond
        ? client.send(socket, "b")
        : client.sendUnencrypted(socket, "b");
      await Promise.all([first, second, client.close(socket)]);
      await until(() => box.order.includes("closed"), 5000, pause.name);
      assert.deepEqual(opened, ["opened before 0 messages"], pause.name);
      assert.deepEqual(
        box.order,
        ["plain:a", encryptedSecond ? "msg:b" : "plain:b", "closed"],
        pause.name,
      );
    }
  }
});
