// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { CtcpEndpoint } from "../../cnet/_ctcp_engine.ts";
import { CttpRequest } from "../../cnet/cttp_request.ts";
import type { LuaValue } from "../../net/table_codec.ts";
import {
  corePair,
  disconnect,
  type Link,
  request,
  waitFor,
} from "./_cnet_core_pair.ts";
import { mulberry32 } from "../_random.ts";

Deno.test("CTCP: 50 connections x 100 requests over 20% loss, duplication, reordering", async () => {
  const net = corePair({ seed: 42, loss: 0.2, duplicate: 0.1 });
  net.server.router.set("GET", "/echo", (args, header, data) => ({
    args,
    n: header.n,
    data,
  }));
  try {
    const links = net.links(10);
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, c) => {
        const connection = await net.client.connect(links[c % 10], 5000);
        assert.ok(connection, `connection ${c} opened`);
        let ok = 0;
        for (let batch = 0; batch < 20; batch++) {
          // Five requests in flight at once on one connection: ids keep them apart.
          await Promise.all(
            Array.from({ length: 5 }, async (_, k): Promise<void> => {
              const i = batch * 5 + k;
              const { response, acknowledged } = await request(
                connection,
                new CttpRequest("GET", `/echo/${c}/${i}`, { n: i }, [c, i]),
              );
              assert.ok(response, `response ${c}/${i}`);
              assert.equal(acknowledged, true);
              assert.equal(response.statusCode, 200);
              assert.deepEqual(response.data, {
                args: [String(c), String(i)],
                n: i,
                data: [c, i],
              });
              ok++;
            }),
          );
        }
        assert.equal(await disconnect(connection), true);
        return ok;
      }),
    );
    assert.deepEqual(results, Array(50).fill(100));
    assert.ok(net.pipe.lost > 0 && net.pipe.duplicated > 0);
    assert.equal(net.client.malformedPackets, 0);
    assert.equal(net.server.malformedPackets, 0);
    // The server forgets a connection once its FIN-ACK is acknowledged.
    await waitFor(() => net.server.endpoint.acceptedConnections === 0);
    assert.equal(net.client.endpoint.openedConnections, 0);
  } finally {
    net.close();
  }
});

Deno.test("CTCP: sequence and acknowledgement numbers advance per message", async () => {
  const net = corePair();
  let serverConnection: { seqNumber: number; ackNumber: number } | undefined;
  net.server.onAccept = (connection) => serverConnection = connection;
  net.server.router.set("GET", "/", () => "ok");
  try {
    const connection = await net.client.connect(net.links(1)[0], 2000);
    assert.ok(connection);
    await waitFor(() => serverConnection !== undefined);
    const { seqNumber, ackNumber } = connection;
    assert.equal(serverConnection!.ackNumber, seqNumber);
    assert.equal(serverConnection!.seqNumber, ackNumber);
    await request(connection, new CttpRequest("GET", "/"));
    assert.equal(connection.seqNumber, seqNumber + 1);
    assert.equal(connection.ackNumber, ackNumber + 1);
    assert.equal(await disconnect(connection), true);
    assert.equal(connection.isOpen, false);
  } finally {
    net.close();
  }
});

Deno.test("CTCP: the server may close; the client sees the connection end", async () => {
  const net = corePair({ seed: 3, loss: 0.2, duplicate: 0.1 });
  const closed: string[] = [];
  net.client.onClose = (_, graceful) => closed.push(`client ${graceful}`);
  net.server.onClose = (_, graceful) => closed.push(`server ${graceful}`);
  let accepted:
    | Parameters<NonNullable<typeof net.server.onAccept>>[0]
    | undefined;
  net.server.onAccept = (connection) => accepted = connection;
  try {
    const connection = await net.client.connect(net.links(1)[0], 5000);
    assert.ok(connection);
    await waitFor(() => accepted !== undefined);
    assert.equal(await disconnect(accepted!), true);
    await waitFor(() => closed.length === 2);
    assert.deepEqual(closed.sort(), ["client true", "server true"]);
    assert.equal(connection.isOpen, false);
    const { response, acknowledged } = await request(
      connection,
      new CttpRequest("GET", "/"),
    );
    assert.equal(response, null);
    assert.equal(acknowledged, false);
  } finally {
    net.close();
  }
});

Deno.test("CTCP: connecting to nobody times out with null", async () => {
  const net = corePair({ loss: 1 });
  try {
    const started = Date.now();
    assert.equal(await net.client.connect(net.links(1)[0], 300), null);
    assert.ok(Date.now() - started >= 290);
    assert.equal(net.client.endpoint.openedConnections, 0);
  } finally {
    net.close();
  }
});

Deno.test("CTCP: a request with no answer times out, not acknowledged only if lost", async () => {
  const net = corePair();
  net.server.router.set("GET", "/slow", () => new Promise(() => {}));
  try {
    const connection = await net.client.connect(net.links(1)[0], 2000);
    assert.ok(connection);
    const result = await request(
      connection,
      new CttpRequest("GET", "/slow"),
      200,
    );
    assert.deepEqual(result, { response: null, acknowledged: true });
  } finally {
    net.close();
  }
});

Deno.test("CTCP: the server bounds concurrent connections", async () => {
  const net = corePair({ serverTuning: { maxConnections: 2 } });
  try {
    const links = net.links(3);
    assert.ok(await net.client.connect(links[0], 2000));
    assert.ok(await net.client.connect(links[1], 2000));
    assert.equal(await net.client.connect(links[2], 2000), null);
    assert.equal(net.server.endpoint.acceptedConnections, 2);
  } finally {
    net.close();
  }
});

Deno.test("CTCP: idle accepted connections are dropped and the client is reset", async () => {
  const net = corePair({ serverTuning: { idleTimeout: 100 } });
  try {
    const connection = await net.client.connect(net.links(1)[0], 2000);
    assert.ok(connection);
    await waitFor(() => net.server.endpoint.acceptedConnections === 0);
    await waitFor(() => !connection.isOpen);
    assert.equal(net.client.endpoint.openedConnections, 0);
  } finally {
    net.close();
  }
});

Deno.test("CTCP: malformed packets are dropped and counted, other connections unharmed", async () => {
  const net = corePair();
  net.server.router.set("GET", "/ping", () => "pong");
  try {
    const [good, bad] = net.links(2);
    const connection = await net.client.connect(good, 2000);
    assert.ok(connection);
    const garbage: LuaValue[] = [
      { __ctcp: 0, c: 1, o: true, s: 1, a: 1 },
      { __ctcp: 9, c: 1, o: true, s: 1, a: 1 },
      { __ctcp: 1, c: -1, o: true, s: 1, a: 1 },
      { __ctcp: 1, c: 1, o: "yes", s: 1, a: 1 },
      { __ctcp: 1, c: 1, o: true, s: 1.5, a: 1 },
      { __ctcp: 1, c: 1, o: true, s: 1, a: -4 },
      { __ctcp: 3, c: 1, o: true, s: 1, a: 1, d: "data on an ACK" },
      { __ctcp: "4", c: 1, o: true, s: 1, a: 1 },
    ];
    for (const packet of garbage) {
      assert.equal(net.server.receive(bad.peer!, packet), true);
    }
    assert.equal(net.server.malformedPackets, garbage.length);
    // Not CTCP at all: handed back to the caller, not counted.
    assert.equal(net.server.receive(bad.peer!, { hello: 1 }), false);
    assert.equal(net.server.receive(bad.peer!, "text"), false);
    // A well-formed CTCP packet whose CTTP payload is nonsense.
    const { response } = await request(
      connection,
      new CttpRequest("GET", "/ping"),
    );
    assert.equal(response?.data, "pong");
    assert.equal(net.server.malformedPackets, garbage.length);
  } finally {
    net.close();
  }
});

Deno.test("CTCP: seeded random packets never crash the endpoint", () => {
  const random = mulberry32(99);
  const sent: LuaValue[] = [];
  const endpoint = new CtcpEndpoint<Link>({
    send: (_, packet) => void sent.push(packet),
    onMessage: () => {},
  }, { idleTimeout: 0, retransmitTimeout: 10_000 });
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const values: LuaValue[] = [
    null,
    true,
    -1,
    0,
    1,
    2,
    7,
    2 ** 53,
    0.5,
    "x",
    new Uint8Array([1]),
    [],
    {},
  ];
  const link: Link = { name: "fuzz" };
  try {
    for (let i = 0; i < 5000; i++) {
      const packet: Record<string, LuaValue> = {};
      for (const key of ["__ctcp", "c", "o", "s", "a", "d"]) {
        if (random() < 0.85) {
          packet[key] = key === "o" && random() < 0.7
            ? random() < 0.5
            : key !== "d" && random() < 0.6
            ? Math.floor(random() * 8)
            : pick(values);
        }
      }
      endpoint.receive(link, packet);
    }
    assert.ok(endpoint.malformedPackets > 1000);
    assert.ok(endpoint.acceptedConnections <= 256);
  } finally {
    endpoint.close();
  }
});

Deno.test("CTCP: a full send queue and too many requests in flight throw RangeError", async () => {
  const net = corePair({
    tuning: { sendWindow: 1, maxQueuedMessages: 1 },
    maxPendingRequests: 3,
  });
  net.server.router.set("GET", "/", () => new Promise(() => {}));
  try {
    const connection = await net.client.connect(net.links(1)[0], 2000);
    assert.ok(connection);
    net.pipe.close(); // from now on nothing arrives, so nothing is acknowledged
    const first = request(connection, new CttpRequest("GET", "/"), 100);
    const second = request(connection, new CttpRequest("GET", "/"), 100);
    assert.throws(() => request(connection, new CttpRequest("GET", "/"), 100), {
      name: "RangeError",
      message: "Cannot send CTCP message: send queue is full (1 messages)",
    });
    assert.deepEqual(await first, { response: null, acknowledged: false });
    assert.deepEqual(await second, { response: null, acknowledged: false });
  } finally {
    net.close();
  }
  const busy = corePair({ maxPendingRequests: 2 });
  busy.server.router.set("GET", "/", () => new Promise(() => {}));
  try {
    const connection = await busy.client.connect(busy.links(1)[0], 2000);
    assert.ok(connection);
    const pending = [
      request(connection, new CttpRequest("GET", "/"), 100),
      request(connection, new CttpRequest("GET", "/"), 100),
    ];
    assert.throws(() => request(connection, new CttpRequest("GET", "/"), 100), {
      name: "RangeError",
      message: "Cannot send CTTP request: 2 requests already in flight",
    });
    await Promise.all(pending);
  } finally {
    busy.close();
  }
});
