// Copyright 2026 the moonwire authors. MIT license.
// CTCP's delivery guarantee across every schedule: a request, a pause from
// tests/_schedule.ts, another request (and a disconnect). CTCP is reliable:
// over a clean or a lossy, duplicating, reordering network every accepted
// request reaches the handler exactly once and in order, and its response
// comes back, or the call reports the failure.
import assert from "node:assert/strict";
import {
  CttpRequest,
  type LuaValue,
  type MemoryNetworkOptions,
} from "../../cnet/mod.ts";
import { pauses } from "../_schedule.ts";
import { FAST_CTCP, world } from "./_cnet_world.ts";

const NETWORKS: [string, MemoryNetworkOptions][] = [
  ["a clean network", {}],
  ["a lossy, duplicating, reordering network", {
    seed: 7,
    loss: 0.15,
    duplication: 0.15,
    reordering: 0.2,
    reorderDelay: 3,
  }],
];

for (const [label, options] of NETWORKS) {
  const lossy = options.loss !== undefined;
  Deno.test(`CTCP delivery over ${label}: request, pause, request again — each handled once, in order, each answered`, async () => {
    await using w = await world(options);
    await w.server.host("ordered");
    const handled: LuaValue[] = [];
    w.server.setRestApi("POST", "/log", (_args, _header, data) => {
      handled.push(data);
      return data;
    });
    const connection = await w.client.connectCtcp("ordered", { timeout: 10 });
    assert.ok(connection);
    const results: Promise<unknown>[] = [];
    const expected: string[] = [];
    const request = (value: string) => {
      expected.push(value);
      results.push(
        w.client.sendCttpRequest(
          connection,
          new CttpRequest("POST", "/log", {}, value),
          { timeout: 20 },
        ).then(({ response, acknowledged }) => {
          assert.equal(acknowledged, true, value);
          assert.equal(response?.data, value);
        }),
      );
    };
    for (const pause of pauses()) {
      request(`${pause.name} a`);
      await pause.wait();
      request(`${pause.name} b`);
    }
    await Promise.all(results);
    assert.deepEqual(handled, expected);
    assert.equal(await w.client.disconnectCtcp(connection), true);
  });

  Deno.test(`CTCP delivery over ${label}: request, pause, disconnectCtcp — both requests handled and answered, then the connection closes`, async () => {
    await using w = await world(options);
    await w.server.host("closing");
    const order: string[] = [];
    w.server.setRestApi("POST", "/log", (_args, _header, data) => {
      order.push(String(data));
      return data;
    });
    w.server.cryptoNet.on("connection_closed", () => order.push("closed"));
    for (const pause of pauses()) {
      const connection = await w.client.connectCtcp("closing", {
        timeout: 10,
      });
      assert.ok(connection);
      const send = (value: string) =>
        w.client.sendCttpRequest(
          connection,
          new CttpRequest("POST", "/log", {}, value),
          { timeout: 20 },
        );
      const first = send("a");
      await pause.wait();
      const second = send("b");
      await pause.wait();
      const closed = w.client.disconnectCtcp(connection, { timeout: 20 });
      const [one, two, acknowledged] = await Promise.all([
        first,
        second,
        closed,
      ]);
      assert.equal(acknowledged, true, pause.name);
      assert.deepEqual(
        [one.acknowledged, one.response?.data],
        [true, "a"],
        pause.name,
      );
      assert.deepEqual(
        [two.acknowledged, two.response?.data],
        [true, "b"],
        pause.name,
      );
      if (lossy) {
        // The session's CLOSE is one datagram (CryptoNet is not reliable)
        // and so is the final ACK: either may be lost (the server then
        // retransmits its FIN-ACK until it gives up, like TCP's TIME-WAIT).
        assert.deepEqual(order.filter((e) => e !== "closed"), ["a", "b"]);
      } else {
        const deadline = Date.now() + 5000;
        while (!order.includes("closed") && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        assert.deepEqual(order, ["a", "b", "closed"], pause.name);
        assert.equal(w.server.acceptedConnections, 0, pause.name);
      }
      order.length = 0;
    }
  });
}

Deno.test("CTCP delivery: a request still being answered when the client's FIN arrives gets its answer before the FIN-ACK", async () => {
  await using w = await world();
  await w.server.host("slow");
  w.server.setRestApi("GET", "/slow", async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return "late but here";
  });
  const connection = await w.client.connectCtcp("slow", { timeout: 10 });
  assert.ok(connection);
  const answer = w.client.sendCttpRequest(
    connection,
    new CttpRequest("GET", "/slow"),
    { timeout: 10 },
  );
  const closed = w.client.disconnectCtcp(connection, { timeout: 10 });
  const [{ response, acknowledged }, graceful] = await Promise.all([
    answer,
    closed,
  ]);
  assert.equal(acknowledged, true);
  assert.equal(response?.data, "late but here");
  assert.equal(graceful, true);
});

Deno.test("CTCP delivery: when the server goes silent, accepted requests report the failure and the connection closes", async () => {
  await using w = await world({}, {
    ctcp: { ...FAST_CTCP, maxRetransmits: 4 },
  });
  await w.server.host("silent");
  w.server.setRestApi("GET", "/", () => "ok");
  const connection = await w.client.connectCtcp("silent");
  const closed = new Promise<void>((resolve) =>
    w.client.cryptoNet.on("connection_closed", () => resolve())
  );
  // The server's modem goes dark: nothing it would send or hear gets through.
  w.server.cryptoNet.getModem().close();
  const results = await Promise.all(
    [1, 2, 3].map((n) =>
      w.client.sendCttpRequest(connection, new CttpRequest("GET", `/${n}`), {
        timeout: 30,
      })
    ),
  );
  assert.deepEqual(
    results,
    Array(3).fill({ response: null, acknowledged: false }),
  );
  await closed;
  assert.equal(connection.isOpen, false);
});
