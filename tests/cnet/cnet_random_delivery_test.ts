// Copyright 2026 the moonwire authors. MIT license.
// Seeded randomised delivery: a few clients doing a random mix of sends,
// awaits of random depth, timers and disconnects for about 2 s. Every
// accepted message arrives exactly once in per-sender order, or its
// connection reported the failure. MOONWIRE_SEED=n reproduces a run.
import assert from "node:assert/strict";
import {
  CNetNode,
  type CryptoNet,
  CttpRequest,
  type LuaValue,
} from "../../cnet/mod.ts";
import { randomPause, testSeed } from "../_schedule.ts";
import { FAST_CTCP, world } from "./_cnet_world.ts";
import { createWorld, until } from "./_cryptonet_fixtures.ts";

const RUN_MS = 2000;
const CLIENTS = 3;

Deno.test("CTCP random schedule: over a lossy network every acknowledged request is handled once, in per-client order; the rest report acknowledged false", async () => {
  const { random } = testSeed("CTCP random schedule");
  await using w = await world({
    seed: Math.floor(random() * 2 ** 31),
    loss: 0.1,
    duplication: 0.1,
    reordering: 0.1,
    reorderDelay: 3,
  });
  const clients = [w.client];
  for (let i = 1; i < CLIENTS; i++) {
    clients.push(
      new CNetNode({
        directory: w.directory,
        modems: { top: w.network.createModem() },
        retransmitInterval: 0.02,
        ctcp: FAST_CTCP,
      }),
    );
  }
  await w.server.host("random");
  const handled: [number, number][] = [];
  w.server.setRestApi("POST", "/n", (_args, _header, data) => {
    handled.push(data as [number, number]);
    return data;
  });
  const outcomes: { client: number; n: number; acknowledged: boolean }[] = [];
  const end = Date.now() + RUN_MS;
  try {
    await Promise.all(clients.map(async (node, client) => {
      let n = 0;
      while (Date.now() < end) {
        const connection = await node.connectCtcp("random", { timeout: 10 });
        assert.ok(connection, `client ${client} connects`);
        const inFlight: Promise<void>[] = [];
        const actions = 1 + Math.floor(random() * 20);
        for (let a = 0; a < actions && Date.now() < end; a++) {
          const roll = random();
          if (roll < 0.6) {
            const value: LuaValue = [client, n];
            const mine = n++;
            inFlight.push(
              node.sendCttpRequest(
                connection,
                new CttpRequest("POST", "/n", {}, value),
                { timeout: 20 },
              ).then(({ response, acknowledged }) => {
                if (response !== null) {
                  assert.deepEqual(response.data, value);
                }
                outcomes.push({ client, n: mine, acknowledged });
              }),
            );
          } else if (roll < 0.8) {
            await randomPause(random).wait();
          } else if (inFlight.length > 0) {
            // Await one request of random depth.
            await inFlight[Math.floor(random() * inFlight.length)];
          }
        }
        // Half of the time disconnect with requests still in flight.
        if (random() < 0.5) await Promise.all(inFlight);
        await node.disconnectCtcp(connection, { timeout: 20 });
        await Promise.all(inFlight);
      }
    }));
  } finally {
    for (const node of clients.slice(1)) await node.close();
  }
  const seen = new Map<string, number>();
  for (const [client, n] of handled) {
    const key = `${client}/${n}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  for (const [key, count] of seen) {
    assert.equal(count, 1, `request ${key} handled ${count} times`);
  }
  for (const { client, n, acknowledged } of outcomes) {
    if (acknowledged) {
      assert.equal(seen.get(`${client}/${n}`), 1, `request ${client}/${n}`);
    }
  }
  assert.ok(outcomes.some((o) => o.acknowledged), "something was delivered");
  for (let client = 0; client < CLIENTS; client++) {
    const order = handled.filter(([c]) => c === client).map(([, n]) => n);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      `client ${client}`,
    );
  }
});

Deno.test("CryptoNet random schedule: every resolved send arrives once, in per-socket order, before its connection_closed", async () => {
  const { random } = testSeed("CryptoNet random schedule");
  await using cryptoWorld = await createWorld();
  const server = await cryptoWorld.node("server");
  const { certificate } = await server.host("random");
  const received = new Map<string, string[]>();
  const closedWith = new Map<string, number>();
  const onMessage = (
    event: CryptoNet.EncryptedMessageEvent | CryptoNet.PlainMessageEvent,
  ) => {
    const [client, n] = event.message as [number, number];
    const list = received.get(event.socket.id) ?? [];
    list.push(`${client}/${n}`);
    received.set(event.socket.id, list);
  };
  server.on("encrypted_message", onMessage);
  server.on("plain_message", onMessage);
  server.on("connection_closed", (event) => {
    closedWith.set(event.socket.id, received.get(event.socket.id)?.length ?? 0);
  });
  const expected = new Map<string, string[]>();
  const end = Date.now() + RUN_MS;
  const clients: CryptoNet.CryptoNetNode[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    clients.push(await cryptoWorld.node(`c${i}`));
  }
  await Promise.all(clients.map(async (node, client) => {
    let n = 0;
    while (Date.now() < end) {
      const socket = await node.connect("random", { certificate });
      const sent: string[] = [];
      expected.set(socket.id, sent);
      const pending: Promise<void>[] = [];
      const actions = 1 + Math.floor(random() * 30);
      for (let a = 0; a < actions && Date.now() < end; a++) {
        const roll = random();
        if (roll < 0.6) {
          const value: [number, number] = [client, n++];
          const plain = random() < 0.3;
          const label = `${client}/${value[1]}`;
          sent.push(label);
          pending.push(
            plain
              ? node.sendUnencrypted(socket, value)
              : node.send(socket, value),
          );
        } else if (roll < 0.85) {
          await randomPause(random).wait();
        } else if (pending.length > 0) {
          await pending[Math.floor(random() * pending.length)];
        }
      }
      // Close with sends still queued: a graceful close delivers them.
      await Promise.all([...pending, node.close(socket)]);
    }
  }));
  await until(
    () => [...expected.keys()].every((id) => closedWith.has(id)),
    5000,
    "every close",
  );
  for (const [id, sent] of expected) {
    // A socket that sent nothing never opened on the server.
    assert.deepEqual(received.get(id) ?? [], sent, `socket ${id}`);
    if (sent.length > 0) assert.equal(closedWith.get(id), sent.length);
  }
});
