// Copyright 2026 the moonwire authors. MIT license.
// A room whose servers use a cipher key: the bus carries ciphertext only
// (a subscriber to ">" never sees a table's text), a server with another
// key or none refuses the messages and says so, and replayed or modified
// messages never reach a client.
import assert from "node:assert/strict";
import { natsClient, natsIgnore, startNatsCluster } from "../_nats_server.ts";
import { timer } from "../_schedule.ts";
import { KEY, KEY_256, waitFor } from "./_helpers.ts";
import { closeMembers, meshed, roomMember } from "./_nats_rooms.ts";

const SECRET = "attack at dawn, bring the blue key";
const secret = new TextEncoder().encode(SECRET);

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return true;
  }
  return false;
}

Deno.test({
  name:
    "NatsRoom sealed: a '>' subscriber sees ciphertext only; another key or no key is refused and reported; replays and modified messages never reach a client",
  ignore: natsIgnore !== undefined,
  async fn() {
    await using cluster = await startNatsCluster(3);
    const watcher = await natsClient(cluster.urls[2]);
    const seen: { subject: string; data: Uint8Array }[] = [];
    watcher.subscribe(">", {
      callback: (_error, message) =>
        void seen.push({
          subject: message.subject,
          data: Uint8Array.from(message.data),
        }),
    });
    await watcher.flush();
    const options = (i: number) => ({
      servers: cluster.urls[i],
      room: "vault",
    });
    const a = await roomMember(10, options(0), KEY);
    const b = await roomMember(10, options(1), KEY);
    // Another cipher key, and a plain server, in the same room.
    const other = await roomMember(2, options(2), KEY_256);
    const plain = await roomMember(2, options(2));
    const members = [a, b, other, plain];
    try {
      assert.equal(a.room.sealed, true);
      assert.equal(plain.room.sealed, false);
      await meshed([a, b]);
      for (let n = 0; n < 5; n++) {
        a.server.broadcast({ n, text: SECRET, bytes: secret });
      }
      await timer(1);
      b.server.broadcast({ n: 100, text: SECRET });
      await waitFor("a's and b's tables at the other side", () => {
        a.poll();
        b.poll();
        // Each client also has its own server's broadcasts.
        return [...a.received.values(), ...b.received.values()].every((list) =>
          list.length === 6
        );
      });
      const fromA = [0, 1, 2, 3, 4].map((n) => ({
        n,
        text: SECRET,
        bytes: secret,
      }));
      for (const list of b.received.values()) {
        assert.deepEqual(
          list.filter((t) => (t as { n: number }).n !== 100),
          fromA,
        );
      }
      for (const list of a.received.values()) {
        assert.deepEqual(list.filter((t) => (t as { n: number }).n === 100), [{
          n: 100,
          text: SECRET,
        }]);
      }
      // Everything on the bus is a sealed room message without the text.
      const room = seen.filter((m) => m.subject === "moonwire.mm.vault");
      assert.ok(room.length >= 4, `${room.length} room messages`);
      for (const { data } of seen) assert.ok(!contains(data, secret));
      for (const { data } of room) {
        if (data[3] === 1) continue;
        // Only the plain server's own heartbeats are unsealed.
        assert.equal(data[2], 2);
        assert.equal(data.subarray(4, 12).toHex(), plain.room.origin);
      }
      // a's tables message: 5 tables, sealed, body = tables + 16-byte tag.
      const tables = room.find((m) =>
        m.data[2] === 1 && m.data.subarray(4, 12).toHex() === a.room.origin
      )!.data;
      assert.deepEqual([...tables.subarray(0, 4)], [0x52, 1, 1, 1]);
      assert.equal(new DataView(tables.buffer).getUint32(20), 5);

      // The other key and the plain server refuse a's and b's messages.
      await waitFor("refusals", () => {
        other.poll();
        plain.poll();
        return other.roomErrors.some((e) =>
          e.includes(a.room.origin)
        ) &&
          plain.roomErrors.some((e) => e.includes(a.room.origin));
      });
      assert.ok(
        other.roomErrors.includes(
          `Cannot receive relayed tables in room "vault": a message from origin ${a.room.origin} failed authentication (another cipher key, or modified)`,
        ),
        other.roomErrors.join("\n"),
      );
      assert.ok(
        plain.roomErrors.includes(
          `Cannot receive relayed tables in room "vault": a sealed message from origin ${a.room.origin} in a plain room (do the servers use the same cipher key?)`,
        ),
        plain.roomErrors.join("\n"),
      );
      // And a's room refuses the plain server's heartbeats.
      await waitFor("a refuses plain", () => {
        a.poll();
        return a.roomErrors.some((e) => e.includes(plain.room.origin));
      });
      for (const m of [other, plain]) {
        for (const list of m.received.values()) assert.deepEqual(list, []);
        assert.equal(m.room.stats.received, 0);
        assert.ok(m.room.stats.rejected > 0);
      }

      // A replay of a's message is dropped as a duplicate; a modified copy
      // fails authentication. b's clients still have 6 tables each.
      const rejectedBefore = b.room.stats.rejected;
      watcher.publish("moonwire.mm.vault", tables);
      const modified = tables.slice();
      modified[30] ^= 1;
      watcher.publish("moonwire.mm.vault", modified);
      await watcher.flush();
      await waitFor("replay and forgery handled", () => {
        const stats = b.room.stats;
        return stats.duplicates === 5 && stats.rejected === rejectedBefore + 1;
      });
      await timer(100);
      b.poll();
      for (const list of b.received.values()) assert.equal(list.length, 6);
      assert.ok(
        b.roomErrors.includes(
          `Cannot receive relayed tables in room "vault": a message from origin ${a.room.origin} failed authentication (another cipher key, or modified)`,
        ),
      );
      assert.equal(b.room.stats.missed, 0);
    } finally {
      await closeMembers(members);
      await watcher.close();
    }
  },
});
