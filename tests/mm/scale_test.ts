// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  Client,
  EVENT_CONNECT,
  EVENT_CONNECTED,
  EVENT_ERROR,
  EVENT_RECEIVE,
  NetworkEvents,
  type NetworkObject,
  Server,
} from "../../mm/mod.ts";
import { timer } from "../_schedule.ts";
import { KEY, waitFor } from "./_helpers.ts";

const CLIENTS = 1000;
const TABLES = 100;

/** Soft limit on open files (Linux), or undefined when unknown. */
function openFileLimit(): number | undefined {
  try {
    const limits = Deno.readTextFileSync("/proc/self/limits");
    const match = limits.match(/^Max open files\s+(\d+|unlimited)/m);
    if (match === null) return undefined;
    return match[1] === "unlimited" ? Infinity : Number(match[1]);
  } catch {
    return undefined;
  }
}
// Both ends live in this process: two descriptors per client, plus spare.
const needed = 2 * CLIENTS + 100;
const limit = openFileLimit();
const fdReason = limit !== undefined && limit < needed
  ? `needs ${needed} open files, the limit is ${limit} (raise it with ulimit -n)`
  : undefined;
if (fdReason) console.warn(`ignored: ${fdReason}`);

for (const cipherKey of [undefined, KEY]) {
  Deno.test({
    name:
      `${CLIENTS} clients each send ${TABLES} tables: all received once, in order (${
        cipherKey ? "encrypted" : "plaintext"
      })`,
    ignore: fdReason !== undefined,
    fn: async () => {
      const serverEvents = new NetworkEvents({
        capacity: CLIENTS * (TABLES + 5),
      });
      const clientEvents = new NetworkEvents({ capacity: CLIENTS * 5 });
      const server = new Server("127.0.0.1", 0, {
        cipherKey,
        events: serverEvents,
      });
      const clients: Client[] = [];
      const started = performance.now();
      try {
        for (let c = 0; c < CLIENTS; c++) {
          const client = new Client("127.0.0.1", server.getPort(), {
            cipherKey,
            events: clientEvents,
            handshakeTimeout: 20_000,
          });
          clients.push(client);
          // Queued now, sent once connected: all in the same tick.
          for (let n = 0; n < TABLES; n++) client.send({ c, n });
        }
        const received = new Map<NetworkObject, number[]>();
        const owner = new Map<NetworkObject, number>();
        let total = 0;
        await waitFor("every table", () => {
          for (const event of serverEvents.poll()) {
            if (event.event === EVENT_CONNECT) received.set(event.object, []);
            else if (event.event === EVENT_RECEIVE) {
              const { c, n } = event.packet as { c: number; n: number };
              const list = received.get(event.object)!;
              if (!owner.has(event.object)) owner.set(event.object, c);
              assert.equal(
                owner.get(event.object),
                c,
                "one client per connection",
              );
              list.push(n);
              total++;
            } else {
              assert.fail(`unexpected ${event.event}: ${event.errors}`);
            }
          }
          return total >= CLIENTS * TABLES;
        }, 60_000);
        const elapsed = performance.now() - started;
        console.log(
          `${CLIENTS} clients x ${TABLES} tables in ${elapsed.toFixed(0)} ms`,
        );
        assert.equal(server.connectionCount(), CLIENTS);
        assert.equal(received.size, CLIENTS);
        assert.equal(new Set(owner.values()).size, CLIENTS);
        const expected = Array.from({ length: TABLES }, (_, n) => n);
        for (const list of received.values()) assert.deepEqual(list, expected);
        assert.equal(serverEvents.droppedCount, 0);
        assert.equal(
          clientEvents.poll().filter((e) => e.event === EVENT_ERROR).length,
          0,
        );
      } finally {
        await Promise.all(clients.map((client) => client.disconnect()));
        await server.close();
      }
    },
  });
}

// The broadcast load from the stranded-send issue (one broadcast per ms to
// 1000 clients lost 70-86% of tables), scaled to a few seconds on a shared
// two-core box: 1000 clients, a broadcast after every 1 ms timer for 400
// rounds (about 1.3 s of broadcasting here, 400,000 tables).
const ROUNDS = 400;

Deno.test({
  name:
    `broadcast every ms to ${CLIENTS} clients for ${ROUNDS} rounds: every table arrives, in order`,
  ignore: fdReason !== undefined,
  fn: async () => {
    const serverEvents = new NetworkEvents({ capacity: CLIENTS * 5 });
    const clientEvents = new NetworkEvents({ capacity: CLIENTS * ROUNDS });
    const server = new Server("127.0.0.1", 0, { events: serverEvents });
    const clients: Client[] = [];
    const received = new Map<NetworkObject, number>();
    const poll = () => {
      for (const event of clientEvents.poll()) {
        if (event.event === EVENT_RECEIVE) {
          const { b } = event.packet as { b: number };
          const next = received.get(event.object) ?? 0;
          assert.equal(b, next, "every broadcast once, in order");
          received.set(event.object, next + 1);
        } else if (event.event !== EVENT_CONNECTED) {
          assert.fail(`unexpected ${event.event}: ${event.errors}`);
        }
      }
    };
    try {
      for (let c = 0; c < CLIENTS; c++) {
        clients.push(
          new Client("127.0.0.1", server.getPort(), {
            events: clientEvents,
            handshakeTimeout: 20_000,
          }),
        );
      }
      await waitFor(
        "every connection",
        () => server.connectionCount() === CLIENTS,
        60_000,
      );
      const started = performance.now();
      for (let b = 0; b < ROUNDS; b++) {
        assert.equal(server.broadcast({ b }), CLIENTS);
        await timer(1);
        poll();
      }
      const sent = performance.now() - started;
      await waitFor("every table", () => {
        poll();
        return received.size === CLIENTS &&
          [...received.values()].every((count) => count === ROUNDS);
      }, 30_000).catch(() => undefined);
      const total = [...received.values()].reduce((a, b) => a + b, 0);
      console.log(
        `${ROUNDS} broadcasts to ${CLIENTS} clients: sent in ${
          sent.toFixed(0)
        } ms, all received after ${
          (performance.now() - started).toFixed(0)
        } ms`,
      );
      assert.equal(total, CLIENTS * ROUNDS, "tables lost");
      assert.equal(clientEvents.droppedCount, 0);
    } finally {
      await Promise.all(clients.map((client) => client.disconnect()));
      await server.close();
    }
  },
});
