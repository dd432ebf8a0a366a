// Copyright 2026 the moonwire authors. MIT license.
// The room's send path across await boundaries (tests/_schedule.ts): a
// broadcast, a pause of every kind, another broadcast; and a broadcast, a
// pause, then close(). The other server's client gets every table once, in
// order, plain and sealed (sealing is asynchronous, publishing must not be).
import assert from "node:assert/strict";
import { NatsRoom } from "../../mm/nats.ts";
import { natsClient, natsIgnore, startNatsServer } from "../_nats_server.ts";
import { pauses } from "../_schedule.ts";
import { KEY, waitFor } from "./_helpers.ts";
import { closeMembers, meshed, roomMember } from "./_nats_rooms.ts";

for (const cipherKey of [undefined, KEY]) {
  const mode = cipherKey === undefined ? "plain" : "sealed";
  Deno.test({
    name:
      `NatsRoom schedule (${mode}): broadcast, pause (every offset), broadcast; broadcast, pause, close: each table reaches the other server's client once, in order`,
    ignore: natsIgnore !== undefined,
    async fn() {
      await using nats = await startNatsServer();
      const options = { servers: nats.url, room: "sweep" };
      const origin = await roomMember(0, options, cipherKey);
      const target = await roomMember(1, options, cipherKey);
      const shared = await natsClient(nats.url);
      const members = [origin, target];
      try {
        await meshed(members);
        let next = 0;
        for (const pause of pauses()) {
          origin.server.broadcast({ i: next++, pause: pause.name });
          await pause.wait();
          origin.server.broadcast({ i: next++, pause: pause.name });
        }
        await origin.room.close();
        // Rooms on a caller-owned connection, closed right after a pause.
        for (const pause of pauses()) {
          const room = new NatsRoom(origin.server, shared, {
            room: "sweep",
            ...(cipherKey === undefined ? {} : { cipherKey }),
          });
          origin.server.broadcast({ i: next++, pause: pause.name });
          await pause.wait();
          await room.close();
        }
        const client = target.clients[0];
        await waitFor("every table", () => {
          target.poll();
          return target.received.get(client)!.length >= next;
        });
        await new Promise((resolve) => setTimeout(resolve, 200));
        target.poll();
        const got = target.received.get(client)!.map((t) =>
          (t as { i: number }).i
        );
        assert.deepEqual(got, Array.from({ length: next }, (_, i) => i));
        assert.equal(target.room.stats.missed, 0);
        assert.deepEqual(target.roomErrors, []);
      } finally {
        await closeMembers(members);
        await shared.close();
      }
    },
  });
}
