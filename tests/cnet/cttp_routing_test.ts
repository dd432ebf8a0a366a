// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { CttpRouter } from "../../cnet/_cttp_router.ts";
import { CtcpEndpoint } from "../../cnet/_ctcp_engine.ts";
import { CttpRequest } from "../../cnet/cttp_request.ts";
import { CttpResponse } from "../../cnet/cttp_response.ts";
import { CttpStatus } from "../../cnet/cttp_status.ts";
import type { LuaValue } from "../../net/table_codec.ts";
import { corePair, type Link, request, waitFor } from "./_cnet_core_pair.ts";
import { mulberry32 } from "../_random.ts";

Deno.test("CTTP router: longest segment-wise prefix, remaining segments as args", () => {
  const router = new CttpRouter<string>();
  router.set("GET", "/", "root");
  router.set("GET", "/app", "app");
  router.set("GET", "/app/list", "list");
  router.set("POST", "/app", "post app");
  const route = (method: string, path: string) => {
    const found = router.route(method, path);
    return found.found ? [found.handler, ...found.args] : found.code;
  };
  assert.deepEqual(route("GET", "/"), ["root"]);
  assert.deepEqual(route("GET", ""), ["root"]);
  assert.deepEqual(route("GET", "/app"), ["app"]);
  assert.deepEqual(route("GET", "/app/"), ["app"]);
  assert.deepEqual(route("GET", "/app/7"), ["app", "7"]);
  assert.deepEqual(route("GET", "/app/list"), ["list"]);
  assert.deepEqual(route("GET", "/app/list/2/x"), ["list", "2", "x"]);
  assert.deepEqual(route("GET", "/apple"), ["root", "apple"]);
  assert.deepEqual(route("GET", "//app//list"), ["list"]);
  assert.deepEqual(route("POST", "/app/1"), ["post app", "1"]);
  assert.equal(route("POST", "/apple"), 404);
  assert.equal(route("DELETE", "/app"), 404);
  assert.equal(route("PUT", "/app"), 501);
  assert.equal(route("get", "/app"), 501);
  assert.throws(() => router.set("PATCH", "/x", "nope"), {
    name: "TypeError",
    message: 'Cannot set REST handler: unknown method "PATCH"',
  });
});

Deno.test("CTTP over CTCP: 200, wrapped values, 404, 500 without details, 501, /", async () => {
  const net = corePair();
  net.server.router.set("GET", "/", () => "home");
  net.server.router.set(
    "GET",
    "/items",
    (args) => ({ list: ["a", "b"], args }),
  );
  net.server.router.set(
    "POST",
    "/items",
    (_args, header, data) =>
      new CttpResponse(CttpStatus.CREATED, { by: header.user ?? null }, data),
  );
  net.server.router.set("DELETE", "/items", () => {
    throw new Error("secret stack detail");
  });
  net.server.router.set("GET", "/async", () => Promise.resolve(null));
  net.server.router.set("GET", "/reject", () => Promise.reject(new Error("x")));
  try {
    const connection = await net.client.connect(net.links(1)[0], 2000);
    assert.ok(connection);
    const send = async (
      method: string,
      path: string,
      header?: Record<string, LuaValue>,
      data?: LuaValue,
    ) => {
      // deno-lint-ignore no-explicit-any
      const req = new CttpRequest(method as any, path, header, data);
      const { response } = await request(connection, req);
      assert.ok(response);
      return [response.statusCode, response.statusMessage, response.data];
    };
    assert.deepEqual(await send("GET", "/"), [200, "OK", "home"]);
    assert.deepEqual(await send("GET", "/nothing/here"), [200, "OK", "home"]);
    assert.deepEqual(await send("GET", "/items/3"), [200, "OK", {
      list: ["a", "b"],
      args: ["3"],
    }]);
    assert.deepEqual(
      await send("POST", "/items", { user: "ann" }, { name: "new" }),
      [201, "Created", { name: "new" }],
    );
    assert.deepEqual(await send("DELETE", "/items/1"), [
      500,
      "Internal Server Error",
      null,
    ]);
    assert.deepEqual(await send("GET", "/async"), [200, "OK", null]);
    assert.deepEqual(await send("GET", "/reject"), [
      500,
      "Internal Server Error",
      null,
    ]);
    assert.deepEqual(await send("DELETE", "/nope"), [404, "Not Found", null]);
    assert.deepEqual(await send("PUT", "/items"), [
      501,
      "Not Implemented",
      null,
    ]);
  } finally {
    net.close();
  }
});

Deno.test("CTTP over CTCP: requests over the size limit get 400", async () => {
  const net = corePair({ maxRequestSize: 1024 });
  net.server.router.set("POST", "/upload", () => "stored");
  try {
    const connection = await net.client.connect(net.links(1)[0], 2000);
    assert.ok(connection);
    const { response } = await request(
      connection,
      new CttpRequest("POST", "/upload", {}, "x".repeat(2000)),
    );
    assert.equal(response?.statusCode, 400);
    assert.equal(response?.data, "Request too large");
    const small = await request(
      connection,
      new CttpRequest("POST", "/upload", {}, "x".repeat(10)),
    );
    assert.equal(small.response?.data, "stored");
  } finally {
    net.close();
  }
});

Deno.test("CTTP over CTCP: malformed CTTP payloads are dropped and counted", async () => {
  const net = corePair();
  net.server.router.set("GET", "/", () => "fine");
  // A raw CTCP client that sends nonsense inside well-formed CTCP packets.
  const raw = new CtcpEndpoint<Link>({
    send: (link, packet) =>
      net.pipe.carry(packet, (value) => net.server.receive(link.peer!, value)),
    onMessage: () => {},
  }, { retransmitTimeout: 20 });
  const [rawLink, goodLink] = net.links(2);
  // Route the server's replies for rawLink to the raw endpoint.
  const serverReceive = net.client.receive.bind(net.client);
  net.client.receive = (link, value) =>
    link === rawLink ? raw.receive(link, value) : serverReceive(link, value);
  try {
    const session = await raw.connect(rawLink, 2000);
    assert.ok(session);
    const payloads: LuaValue[] = ["text", 5, [1, 2], { q: -1, p: "/" }, {
      q: 1,
    }];
    for (const payload of payloads) {
      assert.equal(await session.send(payload), true);
    }
    await waitFor(() => net.server.malformedPackets === 5);
    const connection = await net.client.connect(goodLink, 2000);
    assert.ok(connection);
    const { response } = await request(connection, new CttpRequest("GET", "/"));
    assert.equal(response?.data, "fine");
    assert.equal(net.server.malformedPackets, 5);
  } finally {
    raw.close();
    net.close();
  }
});

Deno.test("CTTP over CTCP: a handler result that cannot be sent becomes 500", async () => {
  const net = corePair();
  // deno-lint-ignore no-explicit-any
  net.server.router.set("GET", "/fn", () => ({ f: (() => 1) as any }));
  try {
    const connection = await net.client.connect(net.links(1)[0], 2000);
    assert.ok(connection);
    const { response } = await request(
      connection,
      new CttpRequest("GET", "/fn"),
    );
    assert.equal(response?.statusCode, 500);
    assert.equal(response?.data, null);
  } finally {
    net.close();
  }
});

Deno.test("CTTP: seeded random requests and responses never crash either side", async () => {
  const random = mulberry32(1234);
  const atoms: LuaValue[] = [
    null,
    true,
    -1,
    0,
    1,
    3.5,
    2 ** 60,
    "",
    "/",
    "GET",
    "/x/y",
    new Uint8Array([0]),
    [],
    {},
    new Map<string | number, LuaValue>([[1, "a"]]),
  ];
  const randomValue = (depth = 0): LuaValue => {
    const roll = random();
    if (depth < 2 && roll < 0.2) {
      return Array.from(
        { length: Math.floor(random() * 3) },
        () => randomValue(depth + 1),
      );
    }
    return atoms[Math.floor(random() * atoms.length)];
  };
  const randomMessage = (keys: string[]): LuaValue => {
    if (random() < 0.2) return randomValue();
    const message: Record<string, LuaValue> = {};
    for (const key of keys) {
      if (random() < 0.8) {
        message[key] = key === "q" || key === "r" || key === "c"
          ? (random() < 0.7 ? Math.floor(random() * 5) : randomValue())
          : randomValue();
      }
    }
    return message;
  };
  const net = corePair();
  net.server.router.set("GET", "/", () => "ok");
  // A raw CTCP peer on each side: one sends random requests to the server
  // core, the other answers the client core with random responses.
  const rawClient = new CtcpEndpoint<Link>({
    send: (link, packet) =>
      net.pipe.carry(packet, (value) => net.server.receive(link.peer!, value)),
    onMessage: () => {},
  }, { retransmitTimeout: 20 });
  const rawServer = new CtcpEndpoint<Link>({
    send: (link, packet) =>
      net.pipe.carry(packet, (value) => net.client.receive(link.peer!, value)),
    onMessage: () => {},
    onAccept: (session) => {
      for (let i = 0; i < 500; i++) {
        void session.send(randomMessage(["r", "c", "t", "h", "d"]));
      }
    },
  }, { retransmitTimeout: 20, maxQueuedMessages: 1000 });
  const [toServer, toRawServer, good] = net.links(3);
  const clientReceive = net.client.receive.bind(net.client);
  net.client.receive = (link, value) =>
    link === toServer
      ? rawClient.receive(link, value)
      : clientReceive(link, value);
  const serverReceive = net.server.receive.bind(net.server);
  net.server.receive = (link, value) =>
    link === toRawServer.peer
      ? rawServer.receive(link, value)
      : serverReceive(link, value);
  try {
    const session = await rawClient.connect(toServer, 2000);
    assert.ok(session);
    const sends: Promise<boolean>[] = [];
    for (let i = 0; i < 500; i++) {
      sends.push(session.send(randomMessage(["q", "m", "p", "h", "d"])));
    }
    assert.ok((await Promise.all(sends)).every(Boolean));
    const victim = await net.client.connect(toRawServer, 2000);
    assert.ok(victim);
    await waitFor(() => net.client.malformedPackets > 50);
    // Both cores still serve well-formed traffic.
    const connection = await net.client.connect(good, 2000);
    assert.ok(connection);
    const { response } = await request(connection, new CttpRequest("GET", "/"));
    assert.equal(response?.data, "ok");
    assert.ok(net.server.malformedPackets > 50);
  } finally {
    rawClient.close();
    rawServer.close();
    net.close();
  }
});
