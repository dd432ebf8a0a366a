// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  Client,
  ClientConnection,
  EVENT_CLIENT_CLOSE,
  EVENT_CONNECT,
  EVENT_CONNECTED,
  EVENT_ERROR,
  EVENT_RECEIVE,
  EVENT_SERVER_CLOSE,
  type NetworkEvent,
  NetworkEvents,
  type NetworkObject,
  pollEvents,
  Server,
} from "../../mm/mod.ts";
import {
  connectFailure,
  EventLog,
  KEY,
  KEY_256,
  unusedPort,
  waitFor,
} from "./_helpers.ts";
import { silentPort } from "../_silent_port.ts";

function summary(event: NetworkEvent): string {
  switch (event.event) {
    case EVENT_RECEIVE:
      return `receive ${JSON.stringify(event.packet)}`;
    case EVENT_CONNECTED:
      return `connected ${event.result}`;
    case EVENT_ERROR:
      return `error ${event.errors}`;
    default:
      return event.event;
  }
}

function byObject(events: NetworkEvent[]): Map<NetworkObject | null, string[]> {
  const map = new Map<NetworkObject | null, string[]>();
  for (const event of events) {
    const list = map.get(event.object) ?? [];
    list.push(summary(event));
    map.set(event.object, list);
  }
  return map;
}

for (
  const [mode, cipherKey] of [
    ["plaintext", undefined],
    ["128-bit key", KEY],
    ["256-bit key", KEY_256],
  ] as const
) {
  Deno.test(`two servers, several clients: send, broadcast, disconnect, close (${mode})`, async () => {
    const events = new NetworkEvents({ capacity: 10_000 });
    const log = new EventLog(events);
    const options = { cipherKey, events };
    const serverA = new Server("127.0.0.1", 0, options);
    const serverB = new Server("127.0.0.1", undefined, options);
    assert.notEqual(serverA.getPort(), serverB.getPort());
    assert.equal(serverA.getAddress(), "127.0.0.1");

    // Connect one at a time so each ClientConnection maps to its Client.
    async function connect(
      server: Server,
    ): Promise<[Client, ClientConnection]> {
      const client = new Client("127.0.0.1", server.getPort(), options);
      assert.equal(client.getPort(), null);
      const before = log.poll().filter((e) => e.event === EVENT_CONNECT).length;
      const { ok, waitTime } = await client.waitForConnect();
      assert.equal(ok, true);
      assert.ok(waitTime >= 0 && waitTime < 2);
      assert.equal(client.getPort(), server.getPort());
      assert.equal(client.getAddress(), "127.0.0.1");
      const connects = await log.count(
        "EVENT_CONNECT",
        before + 1,
        (e) => e.event === EVENT_CONNECT,
      );
      const connection = connects[before].object as ClientConnection;
      assert.ok(connection instanceof ClientConnection);
      assert.equal(connection.getAddress(), "127.0.0.1");
      assert.ok(connection.getPort() > 0);
      return [client, connection];
    }
    const [a1, connA1] = await connect(serverA);
    const [a2, connA2] = await connect(serverA);
    const [a3, connA3] = await connect(serverA);
    const [b1, connB1] = await connect(serverB);
    const [b2, connB2] = await connect(serverB);
    assert.equal(serverA.connectionCount(), 3);
    assert.equal(serverB.connectionCount(), 2);
    const ids = [
      serverA,
      serverB,
      a1,
      a2,
      a3,
      b1,
      b2,
      connA1,
      connA2,
      connA3,
      connB1,
      connB2,
    ]
      .map((o) => o.getSocket());
    assert.equal(new Set(ids).size, ids.length);

    assert.equal(serverA.send({ to: "a1,a3" }, connA1, connA3), 2);
    assert.equal(serverA.send({ to: "nobody" }, connB1), 0); // not serverA's
    assert.equal(serverA.broadcast(["all A"]), 3);
    assert.equal(serverB.broadcast(["all B"]), 2);
    assert.equal(
      a2.send({ from: "a2", n: 1.5, ok: true, list: [1, 2, 3] }),
      true,
    );
    assert.equal(
      b2.send(new Map<string | number, string>([[1, "one"], [2, "two"]])),
      true,
    );
    await log.count("receive", 9, (e) => e.event === EVENT_RECEIVE);

    assert.equal(serverA.disconnect(connA1, connA1, connB1), 1);
    assert.equal(serverA.connectionCount(), 2);
    assert.equal(serverA.send(["late"], connA1), 0);
    await log.count(
      "a1 server close",
      1,
      (e) => e.event === EVENT_SERVER_CLOSE,
    );
    assert.equal(a1.send(["after close"]), false);

    await a2.disconnect();
    await log.count(
      "a2 client close",
      1,
      (e) => e.event === EVENT_CLIENT_CLOSE,
    );
    assert.equal(serverA.connectionCount(), 1);

    await serverA.close();
    await serverB.close();
    await log.count(
      "all server closes",
      4,
      (e) => e.event === EVENT_SERVER_CLOSE,
    );
    await Promise.all([a1, a2, a3, b1, b2].map((c) => c.disconnect()));

    const seen = byObject(log.take());
    assert.deepEqual(seen.get(a1), [
      "connected true",
      'receive {"to":"a1,a3"}',
      'receive ["all A"]',
      "server_close",
    ]);
    assert.deepEqual(seen.get(a2), ["connected true", 'receive ["all A"]']);
    assert.deepEqual(seen.get(a3), [
      "connected true",
      'receive {"to":"a1,a3"}',
      'receive ["all A"]',
      "server_close",
    ]);
    assert.deepEqual(seen.get(b1), [
      "connected true",
      'receive ["all B"]',
      "server_close",
    ]);
    assert.deepEqual(seen.get(b2), [
      "connected true",
      'receive ["all B"]',
      "server_close",
    ]);
    assert.deepEqual(seen.get(connA1), ["connect"]);
    assert.deepEqual(seen.get(connA2), [
      "connect",
      'receive {"from":"a2","n":1.5,"ok":true,"list":[1,2,3]}',
      "client_close",
    ]);
    assert.deepEqual(seen.get(connA3), ["connect"]);
    assert.deepEqual(seen.get(connB1), ["connect"]);
    assert.deepEqual(seen.get(connB2)?.[0], "connect");
    assert.equal(seen.get(connB2)?.length, 2);
    assert.equal(seen.size, 10);
    assert.equal(events.droppedCount, 0);
  });
}

Deno.test("byte strings, maps and nested tables round-trip", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  await using server = new Server("127.0.0.1", 0, { events, cipherKey: KEY });
  await using client = new Client("127.0.0.1", server.getPort(), {
    events,
    cipherKey: KEY,
  });
  const table = {
    bytes: Uint8Array.of(0, 1, 2, 255),
    map: new Map<string | number, unknown>([[1, "one"], [2.5, [true, null]]]),
    nested: { deep: [[["x"]]] },
    big: 2 ** 53 - 1,
    negative: -1.25,
    text: "héllo ✓",
  };
  assert.equal(client.send(table as never), true);
  const [received] = await log.count(
    "receive",
    1,
    (e) => e.event === EVENT_RECEIVE,
  );
  assert.equal(received.event, EVENT_RECEIVE);
  if (received.event === EVENT_RECEIVE) {
    assert.deepEqual(received.packet, table);
  }
});

Deno.test("tables sent before the connection is up are delivered in order", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  await using server = new Server("127.0.0.1", 0, { events });
  await using client = new Client("127.0.0.1", server.getPort(), { events });
  for (let i = 0; i < 5; i++) assert.equal(client.send([i]), true);
  const received = await log.count(
    "receive",
    5,
    (e) => e.event === EVENT_RECEIVE,
  );
  assert.deepEqual(
    received.map((e) => e.event === EVENT_RECEIVE && e.packet),
    [[0], [1], [2], [3], [4]],
  );
});

Deno.test("a client that cannot connect gets EVENT_CONNECTED with result false", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  const port = unusedPort();
  await using client = new Client("127.0.0.1", port, { events });
  const result = await client.waitForConnect(2);
  assert.equal(result.ok, false);
  const event = await connectFailure(log, client, port);
  // The result carries the reason the event gave.
  assert.equal(!result.ok && result.error, event.errors);
  assert.equal(client.send(["x"]), false);
  assert.equal(client.getPort(), null);
  assert.deepEqual(log.take().map((e) => e.event), [EVENT_CONNECTED]);
});

Deno.test("a connect that times out names its target once", async () => {
  using silent = await silentPort();
  const events = new NetworkEvents();
  const log = new EventLog(events);
  await using client = new Client("127.0.0.1", silent.port, {
    events,
    handshakeTimeout: 300,
  });
  const event = await connectFailure(log, client, silent.port);
  assert.equal(
    event.errors,
    `Cannot connect to 127.0.0.1:${silent.port}: no answer within 300 ms`,
  );
  const result = await client.waitForConnect(0.25);
  assert.equal(!result.ok && result.error, event.errors);
});

Deno.test("waitForConnect times out while a handshake is stalled", async () => {
  const events = new NetworkEvents();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const client = new Client("127.0.0.1", listener.addr.port, {
    events,
    handshakeTimeout: 10_000,
  });
  const result = await client.waitForConnect(0.25);
  assert.equal(result.ok, false);
  assert.ok(
    result.waitTime >= 0.2 && result.waitTime < 5,
    String(result.waitTime),
  );
  assert.equal(
    !result.ok && result.error,
    `Cannot connect to 127.0.0.1:${listener.addr.port}: not connected within 0.25 s`,
  );
  const conn = await accepted;
  await client.disconnect();
  const after = await client.waitForConnect(0.25);
  assert.equal(
    !after.ok && after.error,
    `Cannot connect to 127.0.0.1:${listener.addr.port}: client disconnected`,
  );
  conn.close();
  listener.close();
  assert.deepEqual(events.poll(), []);
});

Deno.test("waitForConnect after the server closed the connection names the reason", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  const server = new Server("127.0.0.1", 0, { events });
  const port = server.getPort();
  await using client = new Client("127.0.0.1", port, { events });
  assert.equal((await client.waitForConnect()).ok, true);
  await log.count("connect", 1, (e) => e.event === EVENT_CONNECT);
  await server.close();
  await log.count("server close", 1, (e) => e.event === EVENT_SERVER_CLOSE);
  const result = await client.waitForConnect(0.25);
  assert.equal(result.ok, false);
  assert.equal(
    !result.ok && result.error,
    `Cannot connect to 127.0.0.1:${port}: connection closed by server`,
  );
});

Deno.test("encrypted sessions rekey at the same record on both sides", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  const options = { events, cipherKey: KEY, rekeyRecords: 2, rekeyBytes: 100 };
  await using server = new Server("127.0.0.1", 0, options);
  await using client = new Client("127.0.0.1", server.getPort(), options);
  assert.equal((await client.waitForConnect()).ok, true);
  for (let i = 0; i < 9; i++) {
    assert.equal(client.send({ i, pad: "x".repeat(i * 10) }), true);
    await client.flush(); // one record each
  }
  const received = await log.count(
    "receive",
    9,
    (e) => e.event === EVENT_RECEIVE,
  );
  assert.deepEqual(
    received.map((e) =>
      e.event === EVENT_RECEIVE && (e.packet as { i: number }).i
    ),
    [0, 1, 2, 3, 4, 5, 6, 7, 8],
  );
  const connection =
    (await log.count("connect", 1, (e) => e.event === EVENT_CONNECT))[0]
      .object as ClientConnection;
  for (let i = 0; i < 5; i++) assert.equal(server.send([i], connection), 1);
  await log.count(
    "replies",
    5,
    (e) => e.event === EVENT_RECEIVE && e.object === client,
  );
  assert.equal(log.all.filter((e) => e.event === EVENT_ERROR).length, 0);
});

Deno.test("without an events option, pollEvents() sees the events", async () => {
  pollEvents();
  await using server = new Server("127.0.0.1");
  await using client = new Client("127.0.0.1", server.getPort());
  assert.equal((await client.waitForConnect()).ok, true);
  client.send(["Hello Server"]);
  const seen: NetworkEvent[] = [];
  const log = { poll: () => (seen.push(...pollEvents()), seen) };
  await waitFor(
    "receive",
    () => log.poll().some((e) => e.event === EVENT_RECEIVE),
  );
  const kinds = seen.map((e) => e.event).sort();
  assert.deepEqual(
    kinds,
    [EVENT_CONNECT, EVENT_CONNECTED, EVENT_RECEIVE].sort(),
  );
  const received = seen.find((e) => e.event === EVENT_RECEIVE)!;
  assert.deepEqual(
    received.event === EVENT_RECEIVE && received.packet,
    ["Hello Server"],
  );
});
