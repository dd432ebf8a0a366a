// Copyright 2026 the moonwire authors. MIT license.
// mm servers across a NATS cluster (real nats-server nodes): broadcasts
// reach every client of every server in the room exactly once, in each
// origin's order; send() stays local; the bus format is exact.
import assert from "node:assert/strict";
import {
  Client,
  EVENT_ERROR,
  EVENT_RECEIVE,
  NetworkEvents,
  Server,
} from "../../mm/mod.ts";
import { NatsRoom } from "../../mm/nats.ts";
import {
  natsClient,
  natsIgnore,
  startNatsCluster,
  startNatsServer,
} from "../_nats_server.ts";
import { timer } from "../_schedule.ts";
import { waitFor } from "./_helpers.ts";
import { closeMembers, meshed, roomMember } from "./_nats_rooms.ts";

const CLIENTS = 100;
const TABLES = 60;

Deno.test({
  name:
    "NatsRoom: 3 servers on 3 cluster nodes, 100 clients each: each server's broadcasts reach all 300 clients exactly once, in its order; send() stays local",
  ignore: natsIgnore !== undefined,
  async fn() {
    await using cluster = await startNatsCluster(3);
    const members = await Promise.all(
      cluster.urls.map((url) =>
        roomMember(CLIENTS, { servers: url, room: "lobby" })
      ),
    );
    try {
      await meshed(members);
      // Interleaved: 6 ticks of 10 broadcasts per server, timers between.
      for (let tick = 0; tick < TABLES / 10; tick++) {
        members.forEach((m, o) => {
          for (let i = 0; i < 10; i++) {
            assert.equal(m.server.broadcast({ o, n: tick * 10 + i }), CLIENTS);
          }
        });
        await timer(2);
      }
      // A send to one local connection reaches that client only.
      const target = members[1];
      const connection = target.connections[0];
      assert.equal(
        target.server.send({ local: true }, connection),
        1,
      );
      const expected = 3 * TABLES;
      await waitFor("every table at every client", () => {
        members.forEach((m) => m.poll());
        return members.every((m) =>
          [...m.received.values()].every((list) =>
            list.filter((t) => !("local" in t)).length >= expected
          )
        );
      }, 60_000);
      // Anything extra (a duplicate, an echo) would have arrived by now.
      await timer(300);
      members.forEach((m) => m.poll());
      let locals = 0;
      for (const m of members) {
        for (const list of m.received.values()) {
          const tables = list.filter((t) => !("local" in t)) as {
            o: number;
            n: number;
          }[];
          locals += list.length - tables.length;
          assert.equal(tables.length, expected);
          for (let o = 0; o < 3; o++) {
            assert.deepEqual(
              tables.filter((t) => t.o === o).map((t) => t.n),
              Array.from({ length: TABLES }, (_, n) => n),
            );
          }
        }
      }
      assert.equal(locals, 1);
      assert.equal(
        [...target.received.values()].filter((list) =>
          list.some((t) => "local" in t)
        ).length,
        1,
      );
      for (const m of members) {
        assert.deepEqual(m.roomErrors, []);
        const stats = m.room.stats;
        assert.equal(stats.relayed, TABLES);
        assert.equal(stats.received, 2 * TABLES);
        assert.equal(stats.missed + stats.lost + stats.rejected, 0);
      }
    } finally {
      await closeMembers(members);
    }
  },
});

Deno.test({
  name:
    "NatsRoom: the bus carries the exact room format: header, then each table as u32 length + msgpack",
  ignore: natsIgnore !== undefined,
  async fn() {
    await using nats = await startNatsServer();
    const watcher = await natsClient(nats.url);
    const seen: Uint8Array[] = [];
    watcher.subscribe("moonwire.mm.wire", {
      callback: (_error, message) =>
        void seen.push(Uint8Array.from(message.data)),
    });
    await watcher.flush();
    await using server = new Server("127.0.0.1", 0);
    const room = await NatsRoom.join(server, {
      servers: nats.url,
      room: "wire",
      heartbeatInterval: 60_000,
    });
    try {
      assert.equal(room.subject, "moonwire.mm.wire");
      assert.equal(room.sealed, false);
      server.broadcast({ a: 1 });
      server.broadcast([true]);
      await room.flush();
      await waitFor("two messages", () => seen.length >= 2);
      const origin = Uint8Array.fromHex(room.origin);
      const header = (
        kind: number,
        number: number,
        seq: number,
        n: number,
      ) => [
        0x52,
        1,
        kind,
        0,
        ...origin,
        0,
        0,
        0,
        number,
        0,
        0,
        0,
        seq,
        0,
        0,
        0,
        n,
      ];
      // The join's heartbeat: nothing sent yet.
      assert.deepEqual([...seen[0]], header(2, 0, 0, 0));
      // Both broadcasts of the tick in one message.
      assert.deepEqual([...seen[1]], [
        ...header(1, 1, 0, 2),
        ...[0, 0, 0, 4, 0x81, 0xa1, 0x61, 0x01],
        ...[0, 0, 0, 2, 0x91, 0xc3],
      ]);
      await room.close();
      await waitFor("the leave", () => seen.length >= 3);
      assert.deepEqual([...seen[2]], header(3, 2, 2, 0));
    } finally {
      await room.close();
      await watcher.close();
    }
  },
});

Deno.test({
  name:
    "NatsRoom: argument errors name the action and the reason; one room per server; a table too large for the bus is refused for everyone",
  ignore: natsIgnore !== undefined,
  async fn() {
    await using nats = await startNatsServer({ config: "max_payload: 4096" });
    await using server = new Server("127.0.0.1", 0);
    await assert.rejects(
      NatsRoom.join({} as Server, { servers: nats.url, room: "x" }),
      {
        name: "TypeError",
        message: "Cannot join room: server must be an mm Server",
      },
    );
    await assert.rejects(
      NatsRoom.join(server, { servers: nats.url, room: "a b" }),
      {
        name: "SyntaxError",
        message:
          'Cannot join room: room "a b" is not a subject (letters, digits, "_" and "-" in tokens separated by ".")',
      },
    );
    await assert.rejects(
      NatsRoom.join(server, { servers: nats.url, room: "x", prefix: "a.>" }),
      { name: "SyntaxError" },
    );
    await assert.rejects(
      NatsRoom.join(server, {
        servers: nats.url,
        room: "x",
        heartbeatInterval: 5,
      }),
      {
        name: "RangeError",
        message:
          "Cannot join room: heartbeatInterval 5 is not an integer of at least 10",
      },
    );
    await assert.rejects(
      NatsRoom.join(server, { servers: nats.url, room: "x", cipherKey: "00" }),
      { name: "RangeError" },
    );
    await assert.rejects(
      NatsRoom.join(server, { servers: "nats://127.0.0.1:1", room: "x" }),
      {
        message:
          "Cannot join room: no NATS server answered at nats://127.0.0.1:1 (connection refused)",
      },
    );
    const room = await NatsRoom.join(server, { servers: nats.url, room: "x" });
    try {
      await assert.rejects(
        NatsRoom.join(server, { servers: nats.url, room: "y" }),
        { message: "Cannot join room: server is already in a room" },
      );
      // 4096 less the 24-byte header and the 4-byte length.
      const big = { s: "x".repeat(4096) };
      assert.throws(() => server.broadcast(big), {
        name: "RangeError",
        message:
          "Cannot broadcast table: 4102 bytes exceed the room's limit 4068 (NATS max_payload less the room header)",
      });
      assert.equal(server.broadcast({ s: "fits" }), 0);
      await room.flush();
      assert.equal(room.stats.relayed, 1);
    } finally {
      await room.close();
    }
    // Out of the room, the big table is only a local broadcast.
    assert.equal(server.broadcast({ s: "x".repeat(4096) }), 0);
  },
});

Deno.test({
  name:
    "NatsRoom: a relayed table over the receiving server's maxMessageSize is not delivered there, counted and reported",
  ignore: natsIgnore !== undefined,
  async fn() {
    await using nats = await startNatsServer();
    const options = { servers: nats.url, room: "sizes" };
    const origin = await roomMember(0, options);
    const serverEvents = new NetworkEvents();
    const clientEvents = new NetworkEvents();
    const limited = new Server("127.0.0.1", 0, {
      maxMessageSize: 64,
      events: serverEvents,
    });
    const room = await NatsRoom.join(limited, options);
    const client = new Client("127.0.0.1", limited.getPort(), {
      maxMessageSize: 64,
      events: clientEvents,
    });
    try {
      assert.ok((await client.waitForConnect(5)).ok);
      await waitFor("connected", () => limited.connectionCount() === 1);
      await waitFor(
        "meshed",
        () => room.peers === 1 && origin.room.peers === 1,
      );
      origin.server.broadcast({ s: "x".repeat(100) });
      origin.server.broadcast({ s: "fits" });
      const received = await waitFor("the small table", () => {
        const list = clientEvents.poll().filter((e) =>
          e.event === EVENT_RECEIVE
        );
        return list.length > 0 && list;
      });
      assert.deepEqual(
        received.map((e) => e.event === EVENT_RECEIVE && e.packet),
        [{ s: "fits" }],
      );
      assert.equal(room.stats.received, 2);
      assert.equal(room.stats.undelivered, 1);
      const errors = serverEvents.poll().filter((e) =>
        e.event === EVENT_ERROR && e.object === room
      ).map((e) => e.errors);
      assert.deepEqual(errors, [
        'Cannot deliver relayed tables in room "sizes": 1 local delivery refused (send queue full or table over maxMessageSize)',
      ]);
    } finally {
      await room.close();
      await client.disconnect();
      await limited.close();
      await closeMembers([origin]);
    }
  },
});

Deno.test({
  name:
    "NatsRoom: a room that fails to start (its connection draining) leaves the server free to join again",
  ignore: natsIgnore !== undefined,
  async fn() {
    await using nats = await startNatsServer();
    await using server = new Server("127.0.0.1", 0);
    const draining = await natsClient(nats.url);
    const drained = draining.drain();
    assert.throws(
      () => new NatsRoom(server, draining, { room: "x" }),
      /draining/,
    );
    await drained;
    const room = await NatsRoom.join(server, { servers: nats.url, room: "x" });
    await room.close();
  },
});
