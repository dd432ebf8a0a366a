// Copyright 2026 the moonwire authors. MIT license.
// A cluster node is killed (SIGKILL) while three servers broadcast: the
// server that was on it reports the disconnect, its broadcasts are held and
// relayed after the reconnect, and every table any server did not get is
// reported as an EVENT_ERROR with its count. Nothing is lost silently: at
// every server, per origin, tables delivered + tables reported missed =
// tables broadcast, each origin's tables in order at every client.
import assert from "node:assert/strict";
import { natsIgnore, startNatsCluster } from "../_nats_server.ts";
import { timer } from "../_schedule.ts";
import { waitFor } from "./_helpers.ts";
import { closeMembers, meshed, roomMember } from "./_nats_rooms.ts";

const CLIENTS = 20;
const MISSED =
  /^Cannot receive relayed tables in room "lobby": (\d+) tables? from origin ([0-9a-f]{16}) missed \(sequence (\d+)-(\d+)\)$/;

Deno.test({
  name:
    "NatsRoom failover: a node killed mid-broadcast; the cut-off server reports the disconnect, every missed table is an EVENT_ERROR with its count, delivered + missed = broadcast per origin",
  ignore: natsIgnore !== undefined,
  async fn() {
    await using cluster = await startNatsCluster(3);
    const members = await Promise.all(
      cluster.urls.map((url) =>
        roomMember(CLIENTS, {
          servers: url,
          room: "lobby",
          heartbeatInterval: 200,
        })
      ),
    );
    try {
      await meshed(members);
      const sent = [0, 0, 0];
      const broadcast = async (rounds: number) => {
        for (let r = 0; r < rounds; r++) {
          members.forEach((m, o) => {
            for (let i = 0; i < 3; i++) {
              m.server.broadcast({ o, n: sent[o]++ });
            }
          });
          await timer(1);
        }
      };
      await broadcast(50);
      // The node the first server's room is on dies mid-broadcast.
      const victim = cluster.servers[0];
      victim.kill("SIGKILL");
      await broadcast(300);
      await waitFor("the cut-off server reconnected", () => {
        members[0].poll();
        return members[0].room.getPort() !== victim.port &&
          members[0].room.getPort() !== null;
      }, 10_000);
      await broadcast(50);
      // Heartbeats (every 200 ms) tell everyone where each origin ended.
      const total = (m: (typeof members)[number], o: number) => {
        const list = [...m.received.values()][0];
        return list.filter((t) => (t as { o: number }).o === o).length;
      };
      const missedFrom = (m: (typeof members)[number]) => {
        const counts = new Map<string, number>();
        for (const errors of m.roomErrors) {
          const match = MISSED.exec(errors);
          if (match === null) continue;
          assert.equal(
            Number(match[4]) - Number(match[3]) + 1,
            Number(match[1]),
          );
          counts.set(match[2], (counts.get(match[2]) ?? 0) + Number(match[1]));
        }
        return counts;
      };
      await waitFor("every table delivered or reported missed", () => {
        members.forEach((m) => m.poll());
        return members.every((m, s) =>
          members.every((origin, o) =>
            o === s ||
            total(m, o) + (missedFrom(m).get(origin.room.origin) ?? 0) ===
              sent[o]
          )
        );
      }, 20_000);
      await timer(500);
      members.forEach((m) => m.poll());
      const cutOff = members[0];
      assert.ok(
        cutOff.roomErrors.some((e) =>
          e ===
            `Cannot relay tables in room "lobby": lost the NATS connection to 127.0.0.1:${victim.port}; broadcasts are held until it is back, tables relayed meanwhile may be missed`
        ),
        cutOff.roomErrors.join("\n"),
      );
      assert.equal(cutOff.room.stats.disconnects, 1);
      let missedTotal = 0;
      for (const [s, m] of members.entries()) {
        const missed = missedFrom(m);
        const reported = [...missed.values()].reduce((a, b) => a + b, 0);
        // Every missed table was reported, and only those.
        assert.equal(m.room.stats.missed, reported);
        missedTotal += reported;
        for (const [o, origin] of members.entries()) {
          if (o === s) continue;
          const lists = [...m.received.values()].map((list) =>
            list.filter((t) => (t as { o: number }).o === o).map((t) =>
              (t as { n: number }).n
            )
          );
          // Each client of a server got the same tables, in origin order.
          for (const list of lists) {
            assert.deepEqual(list, lists[0]);
            for (let i = 1; i < list.length; i++) {
              assert.ok(list[i] > list[i - 1], `order from ${o} at ${s}`);
            }
          }
          assert.equal(
            lists[0].length + (missed.get(origin.room.origin) ?? 0),
            sent[o],
            `server ${s}, origin ${o}`,
          );
        }
      }
      console.log(
        `broadcast ${sent.join(" + ")}; missed ${missedTotal}: ${
          members.map((m) => JSON.stringify(m.room.stats)).join("; ")
        }`,
      );
      // The cut-off server lost tables while it redialled, and said so.
      assert.ok(missedTotal > 0, "a kill mid-broadcast misses tables");
    } finally {
      await closeMembers(members);
    }
  },
});

Deno.test({
  name:
    "NatsRoom failover: broadcasts made while the connection is down are held and relayed after the reconnect; with maxPendingBytes 0 they are lost, reported at both ends with the count",
  ignore: natsIgnore !== undefined,
  async fn() {
    await using cluster = await startNatsCluster(2);
    const room = "hold";
    const receiver = await roomMember(1, { servers: cluster.urls[1], room });
    const holding = await roomMember(0, { servers: cluster.urls[0], room });
    const dropping = await roomMember(0, {
      servers: cluster.urls[0],
      room,
      maxPendingBytes: 0,
    });
    const members = [receiver, holding, dropping];
    try {
      await meshed(members);
      cluster.servers[0].kill("SIGKILL");
      await waitFor(
        "both see the disconnect",
        () =>
          holding.room.stats.disconnects === 1 &&
          dropping.room.stats.disconnects === 1,
      );
      for (const [o, m] of [[1, holding], [2, dropping]] as const) {
        for (let n = 0; n < 3; n++) m.server.broadcast({ o, n });
      }
      await waitFor(
        "the reconnects",
        () =>
          [holding, dropping].every((m) =>
            m.room.getPort() === cluster.servers[1].port
          ),
      );
      await timer(50);
      dropping.server.broadcast({ o: 2, n: 3 });
      const client = receiver.clients[0];
      await waitFor("held tables and the one after", () => {
        receiver.poll();
        return receiver.received.get(client)!.length === 4;
      });
      // Each origin's tables in order; no order between the two origins.
      const got = receiver.received.get(client) as { o: number; n: number }[];
      assert.deepEqual(got.filter((t) => t.o === 1), [
        { o: 1, n: 0 },
        { o: 1, n: 1 },
        { o: 1, n: 2 },
      ]);
      assert.deepEqual(got.filter((t) => t.o === 2), [{ o: 2, n: 3 }]);
      assert.equal(holding.room.stats.lost, 0);
      dropping.poll();
      assert.equal(dropping.room.stats.lost, 3);
      assert.ok(
        dropping.roomErrors.includes(
          'Cannot relay 3 tables in room "hold": the NATS connection is down and 0 bytes are held (maxPendingBytes 0)',
        ),
        dropping.roomErrors.join("\n"),
      );
      assert.ok(
        receiver.roomErrors.includes(
          `Cannot receive relayed tables in room "hold": 3 tables from origin ${dropping.room.origin} missed (sequence 0-2)`,
        ),
        receiver.roomErrors.join("\n"),
      );
      assert.equal(receiver.room.stats.missed, 3);
    } finally {
      await closeMembers(members);
    }
  },
});
