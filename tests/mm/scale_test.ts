// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  Client,
  EVENT_CONNECT,
  EVENT_ERROR,
  EVENT_RECEIVE,
  NetworkEvents,
  type NetworkObject,
  Server,
} from "../../mm/mod.ts";
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
