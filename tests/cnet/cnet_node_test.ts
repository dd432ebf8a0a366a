// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  CNetNode,
  type CryptoNet,
  type CtcpConnection,
  CttpRequest,
  CttpRequestMethod,
  CttpResponse,
  CttpStatus,
  type LuaValue,
  MessageEventType,
  RegisterResult,
} from "../../cnet/mod.ts";

import { world } from "./_cnet_world.ts";

Deno.test("cNet: 50 CTCP connections x 100 CTTP requests over a 20% lossy, duplicating, reordering MemoryNetwork", async () => {
  await using w = await world({
    seed: 2026,
    loss: 0.2,
    duplication: 0.1,
    reordering: 0.1,
    delay: { min: 0, max: 2 },
  });
  await w.server.host("store");
  w.server.setRestApi("GET", "/echo", (args, header, data) => ({
    args,
    n: header.n,
    data,
  }));
  const results = await Promise.all(
    Array.from({ length: 50 }, async (_, c) => {
      const connection = await w.client.connectCtcp("store", { timeout: 30 });
      assert.ok(connection, `connection ${c} opened`);
      let ok = 0;
      for (let i = 0; i < 100; i++) {
        const { response, acknowledged } = await w.client.sendCttpRequest(
          connection,
          new CttpRequest("GET", `/echo/${c}/${i}`, { n: i }, [c, i]),
          { timeout: 30 },
        );
        assert.ok(response, `response ${c}/${i}`);
        assert.equal(acknowledged, true);
        assert.deepEqual(response.data, {
          args: [String(c), String(i)],
          n: i,
          data: [c, i],
        });
        ok++;
      }
      assert.equal(
        await w.client.disconnectCtcp(connection, { timeout: 10 }),
        true,
      );
      return ok;
    }),
  );
  assert.deepEqual(results, Array(50).fill(100));
  assert.ok(w.network.stats.lost > 0);
  assert.equal(w.server.malformedPackets, 0);
  assert.equal(w.client.malformedPackets, 0);
});

Deno.test("cNet: register, log in, authorised request; wrong password; duplicate name", async () => {
  await using w = await world();
  await w.server.host("store");
  w.server.setRestApi(
    "GET",
    "/me",
    (_args, _header, _data, connection) =>
      connection.socket.username === undefined
        ? new CttpResponse(CttpStatus.UNAUTHORIZED)
        : { user: connection.socket.username },
  );
  assert.equal(
    await w.client.register("store", "ann", "correct horse"),
    RegisterResult.SUCCESS,
  );
  assert.equal(
    await w.client.register("store", "ann", "another"),
    RegisterResult.NAME_TAKEN,
  );
  const server = w.server.cryptoNet.servers[0];
  assert.equal(w.server.cryptoNet.userExists(server, "ann"), true);
  // Stored as scrypt, never as the password.
  const table = await Deno.readTextFile(server.userTablePath);
  assert.ok(table.includes("$scrypt$"));
  assert.ok(!table.includes("correct horse"));

  const connection = await w.client.connectCtcp("store");
  assert.ok(connection);
  const me = () =>
    w.client.sendCttpRequest(connection, new CttpRequest("GET", "/me"));
  assert.equal((await me()).response?.statusCode, 401);
  assert.equal(await w.client.login(connection, "ann", "correct horse"), true);
  assert.deepEqual((await me()).response?.data, { user: "ann" });
  assert.equal(await w.client.logout(connection), true);
  assert.equal(await w.client.logout(connection), false);
  assert.equal((await me()).response?.statusCode, 401);
  assert.equal(await w.client.login(connection, "ann", "wrong"), false);
  assert.equal(connection.socket.username, undefined);
  assert.equal(await w.client.disconnectCtcp(connection), true);
});

Deno.test("cNet: registration can be turned off or limited per server", async () => {
  await using w = await world();
  await w.server.host("closed", { allowRegistration: false });
  await w.server.host("small", { maxRegisteredUsers: 1 });
  assert.equal(
    await w.client.register("closed", "ann", "pw"),
    RegisterResult.REFUSED,
  );
  assert.equal(await w.client.register("small", "ann", "pw"), 0);
  assert.equal(
    await w.client.register("small", "bob", "pw"),
    RegisterResult.REFUSED,
  );
  assert.equal(
    await w.client.register("small", "x".repeat(65), "pw"),
    RegisterResult.REFUSED,
  );
  assert.equal(
    await w.client.register("nobody", "ann", "pw", { timeout: 0.3 }),
    RegisterResult.CONNECT_FAILED,
  );
});

Deno.test("cNet: login and logout events reach setMessageHandler on both sides; CTCP stays out of ENCRYPTED_MESSAGE", async () => {
  await using w = await world();
  const server = await w.server.host("store");
  await w.server.cryptoNet.addUser(server, "ann", "pw");
  const seen: string[] = [];
  for (
    const [name, node] of [["server", w.server], ["client", w.client]] as const
  ) {
    node.setMessageHandler(
      MessageEventType.LOGIN,
      (event) => seen.push(`${name} login ${event.username}`),
    );
    node.setMessageHandler(
      MessageEventType.LOGIN_FAILED,
      (event) => seen.push(`${name} login_failed ${event.username}`),
    );
    node.setMessageHandler(
      MessageEventType.LOGOUT,
      (event) => seen.push(`${name} logout ${event.username}`),
    );
    node.setMessageHandler(
      MessageEventType.ENCRYPTED_MESSAGE,
      (event) => seen.push(`${name} message ${JSON.stringify(event.message)}`),
    );
  }
  w.server.setRestApi("GET", "/", () => "ok");
  const connection = await w.client.connectCtcp("store");
  assert.ok(connection);
  assert.equal(
    (await w.client.sendCttpRequest(connection, new CttpRequest("GET", "/")))
      .response?.data,
    "ok",
  );
  assert.equal(await w.client.login(connection, "ann", "pw"), true);
  assert.equal(await w.client.logout(connection.socket), true);
  await w.client.send(connection.socket, { hello: "server" });
  await waitFor(() => seen.some((line) => line.startsWith("server message")));
  await w.client.disconnectCtcp(connection);
  // A new session: the failed-login delay is per socket.
  const second = await w.client.connectCtcp("store");
  assert.ok(second);
  assert.equal(await w.client.login(second, "ann", "nope"), false);
  await waitFor(() =>
    seen.filter((l) => l.includes("login_failed")).length === 2
  );
  await w.client.disconnectCtcp(second);
  assert.deepEqual(seen.sort(), [
    "client login ann",
    "client login_failed ann",
    "client logout ann",
    "server login ann",
    "server login_failed ann",
    "server logout ann",
    'server message {"hello":"server"}',
  ]);
});

Deno.test("cNet: malformed CTCP/CTTP packets over CryptoNet are dropped and counted", async () => {
  await using w = await world();
  await w.server.host("store");
  w.server.setRestApi("GET", "/", () => "ok");
  const good = await w.client.connectCtcp("store");
  assert.ok(good);
  const socket = await w.client.connect("store");
  const garbage: LuaValue[] = [
    { __ctcp: 42, c: 1, o: true, s: 0, a: 0 },
    { __ctcp: 1, c: "x", o: true, s: 0, a: 0 },
    { __ctcp: 4, c: 1, o: true, s: -1, a: 0, d: "x" },
  ];
  for (const packet of garbage) await w.client.send(socket, packet);
  await waitFor(() => w.server.malformedPackets === 3);
  const { response } = await w.client.sendCttpRequest(
    good,
    new CttpRequest("GET", "/"),
  );
  assert.equal(response?.data, "ok");
  assert.equal(w.server.malformedPackets, 3);
  await w.client.disconnectCtcp(good);
  await socket.close();
});

Deno.test("cNet: 100 connectCtcp/request/disconnectCtcp cycles leave no CTCP connection or CryptoNet session behind", async () => {
  await using w = await world();
  await w.server.host("store");
  w.server.setRestApi("GET", "/echo", (args) => args);
  for (let i = 0; i < 100; i++) {
    const connection = await w.client.connectCtcp("store");
    assert.ok(connection, `connection ${i}`);
    const { response } = await w.client.sendCttpRequest(
      connection,
      new CttpRequest("GET", `/echo/${i}`),
    );
    assert.deepEqual(response?.data, [`${i}`]);
    assert.equal(await w.client.disconnectCtcp(connection), true);
    assert.equal(connection.socket.isOpen, false);
  }
  await waitFor(() => w.server.cryptoNet.sockets.length === 0);
  assert.equal(w.server.acceptedConnections, 0);
  assert.equal(w.client.cryptoNet.sockets.length, 0);
});

Deno.test("cNet: a CTCP connection the server closes takes the client's CryptoNet session with it, on both nodes", async () => {
  await using w = await world();
  await w.server.host("store");
  const accepted: CtcpConnection<CryptoNet.Socket>[] = [];
  w.server.setRestApi("GET", "/bye", (_args, _header, _data, connection) => {
    accepted.push(connection);
    return "bye";
  });
  const connections: CtcpConnection<CryptoNet.Socket>[] = [];
  for (let i = 0; i < 20; i++) {
    const connection = await w.client.connectCtcp("store");
    assert.ok(connection, `connection ${i}`);
    connections.push(connection);
    const { response } = await w.client.sendCttpRequest(
      connection,
      new CttpRequest("GET", "/bye"),
    );
    assert.equal(response?.data, "bye");
    assert.equal(await w.server.disconnectCtcp(accepted[i]), true);
  }
  // Before the fix both nodes kept all 20 sessions open (keepalives).
  await waitFor(() =>
    w.client.cryptoNet.sockets.length === 0 &&
    w.server.cryptoNet.sockets.length === 0
  );
  assert.equal(w.server.acceptedConnections, 0);
  for (const connection of connections) {
    assert.equal(connection.socket.isOpen, false);
    // Already closed by the server: nothing left to acknowledge.
    assert.equal(await w.client.disconnectCtcp(connection), false);
  }
});

Deno.test("cNet: unknown servers, reserved paths and bad arguments", async () => {
  await using w = await world();
  await assert.rejects(w.client.connectCtcp("nobody", { timeout: 0.3 }), {
    name: "TimeoutError",
    message: 'Cannot connect to "nobody": no answer within 300 ms',
  });
  const result = await w.client.connectAndSendCttpRequest(
    "nobody",
    new CttpRequest(CttpRequestMethod.GET, "/"),
    { timeout: 0.3 },
  );
  assert.equal(result.error?.name, "TimeoutError");
  assert.deepEqual({ ...result, error: undefined }, {
    response: null,
    connected: false,
    acknowledged: false,
    disconnectAcknowledged: false,
    error: undefined,
  });
  assert.throws(() => w.server.setRestApi("POST", "/.cnet/register", () => 1), {
    name: "RangeError",
    message: "Cannot set REST handler: paths under /.cnet are reserved",
  });
  await assert.rejects(() => w.client.connectCtcp("x", { timeout: -1 }), {
    name: "RangeError",
    message:
      "Cannot connect CTCP: timeout must be a number of seconds in 0-2147483, got -1",
  });
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => w.server.setMessageHandler("nope" as any, () => {}),
    {
      name: "TypeError",
      message: 'Cannot set message handler: unknown event type "nope"',
    },
  );
});

async function waitFor(condition: () => boolean, timeout = 5000) {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("Condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("cNet: one cNet node per CryptoNet node; the default wraps CryptoNet's default", async () => {
  await using w = await world();
  assert.throws(() => new CNetNode({ cryptoNet: w.server.cryptoNet }), {
    name: "TypeError",
    message:
      "Cannot create cNet node: the CryptoNet node already has an open cNet node",
  });
  const { CryptoNet } = await import("../../cnet/mod.ts");
  const previous = CryptoNet.getDefaultNode();
  CryptoNet.setDefaultNode(w.client.cryptoNet);
  try {
    assert.equal(CNetNode.default, w.client);
    CNetNode.setDefault(w.server);
    assert.equal(CNetNode.default, w.server);
    CNetNode.setDefault(undefined);
    assert.equal(CNetNode.default, w.client);
  } finally {
    CryptoNet.setDefaultNode(previous);
  }
  const own = new CNetNode({ cryptoNet: previous });
  await own.close();
  assert.equal(previous.isClosed, false);
  await previous.close();
});

Deno.test("cNet: startEventLoop runs until the node closes; a throwing onStart closes it", async () => {
  const directory = await Deno.makeTempDir({ prefix: "cnet_loop_test_" });
  try {
    const steps: string[] = [];
    const node = new CNetNode({ directory });
    await node.startEventLoop(async (self) => {
      steps.push("started");
      await self.close();
    });
    steps.push("ended");
    assert.deepEqual(steps, ["started", "ended"]);
    assert.equal(node.cryptoNet.isClosed, true);

    const failing = new CNetNode({ directory });
    await assert.rejects(
      () =>
        failing.setup(() => {
          throw new RangeError("boom");
        }),
      { name: "RangeError", message: "boom" },
    );
    assert.equal(failing.cryptoNet.isClosed, true);
    await assert.rejects(failing.connectCtcp("anything"), {
      name: "ConnectionClosedError",
      message: 'Cannot connect CTCP to "anything": node is closed',
    });
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
