// Copyright 2026 the moonwire authors. MIT license.
// A seeded random mix of sends, broadcasts, awaits of random depth, timers,
// disconnects and reconnects by a few clients and a server at once. Every
// accepted table must arrive exactly once and in per-sender order, or its
// connection must have reported a failure (then what arrived is a prefix).
import assert from "node:assert/strict";
import {
  Client,
  type ClientConnection,
  EVENT_CLIENT_CLOSE,
  EVENT_CONNECT,
  EVENT_CONNECTED,
  EVENT_ERROR,
  EVENT_RECEIVE,
  EVENT_SERVER_CLOSE,
  type NetworkEvent,
  NetworkEvents,
  Server,
} from "../../mm/mod.ts";
import { mulberry32 } from "../_random.ts";
import { randomPause, testSeed } from "../_schedule.ts";
import { KEY, LOST, waitFor } from "./_helpers.ts";

const SLOTS = 3; // clients at a time
const RUN_MS = 1200; // per mode

/** One client instance and what was accepted for it and seen by it. */
interface Peer {
  id: number;
  client: Client;
  /** Seqs of tables client.send accepted, in order. */
  sent: number[];
  /** Seqs of server tables the client received, in order. */
  received: number[];
  /** The client saw a failure (EVENT_ERROR / EVENT_CONNECTED false / EVENT_SERVER_CLOSE). */
  failed: boolean;
  /** EVENT_SERVER_CLOSE seen (after a server disconnect it is expected). */
  serverClosed: boolean;
  /** The test called disconnect() on it. */
  left: boolean;
}

/** The server's view of one connection. */
interface Link {
  /** The client's id, from its first table. */
  id: number | undefined;
  /** Seqs of tables the server accepted for this connection, in order. */
  sent: number[];
  /** Client seqs received on it, in order. */
  received: number[];
  /** Events on it after the first EVENT_CLIENT_CLOSE or EVENT_ERROR. */
  closedAt: number | undefined;
  closeEvents: string[];
  /** The errors text of its EVENT_ERROR, if any. */
  error: string | undefined;
  /** The test called server.disconnect() on it. */
  dropped: boolean;
}

function isPrefix(part: number[], whole: number[]): boolean {
  return part.length <= whole.length && part.every((v, i) => v === whole[i]);
}

for (
  const [mode, cipherKey] of [["plaintext", undefined], ["encrypted", KEY]]
) {
  Deno.test(`random sends, broadcasts, pauses and disconnects: every accepted table once, in order, or a reported failure (${mode})`, async () => {
    const { random } = testSeed(`mm random delivery (${mode})`);
    const fork = () => mulberry32((random() * 2 ** 32) >>> 0);
    const serverEvents = new NetworkEvents({ capacity: 1_000_000 });
    const clientEvents = new NetworkEvents({ capacity: 1_000_000 });
    const server = new Server("127.0.0.1", 0, {
      cipherKey,
      events: serverEvents,
    });
    const peers = new Map<Client, Peer>();
    const links = new Map<ClientConnection, Link>();
    const open = new Set<ClientConnection>(); // in the server's session set
    let nextId = 0;
    let serverSeq = 0;

    function pollClients(): void {
      for (const event of clientEvents.poll()) {
        const peer = peers.get(event.object as Client)!;
        if (event.event === EVENT_RECEIVE) {
          peer.received.push((event.packet as { t: number }).t);
        } else if (
          event.event === EVENT_ERROR || event.event === EVENT_SERVER_CLOSE ||
          (event.event === EVENT_CONNECTED && !event.result)
        ) {
          peer.failed = true;
          if (event.event === EVENT_SERVER_CLOSE) peer.serverClosed = true;
        }
      }
    }

    function pollServer(): void {
      for (const event of serverEvents.poll()) record(event);
    }

    function record(event: NetworkEvent): void {
      if (event.object === server) {
        // A refused handshake: only a client that left mid-connect does that.
        assert.equal(event.event, EVENT_ERROR);
        return;
      }
      const connection = event.object as ClientConnection;
      if (event.event === EVENT_CONNECT) {
        links.set(connection, {
          id: undefined,
          sent: [],
          received: [],
          closedAt: undefined,
          closeEvents: [],
          error: undefined,
          dropped: false,
        });
        open.add(connection);
        return;
      }
      const link = links.get(connection)!;
      if (event.event === EVENT_RECEIVE) {
        const { c, s } = event.packet as { c: number; s: number };
        link.id ??= c;
        assert.equal(c, link.id, "one client per connection");
        assert.equal(link.closedAt, undefined, "a table after the close");
        link.received.push(s);
      } else {
        link.closedAt ??= link.received.length;
        link.closeEvents.push(event.event);
        if (event.event === EVENT_ERROR) link.error ??= event.errors;
        if (event.event === EVENT_CLIENT_CLOSE) open.delete(connection);
      }
    }

    function newPeer(): Peer {
      const client = new Client("127.0.0.1", server.getPort(), {
        cipherKey,
        events: clientEvents,
      });
      const peer: Peer = {
        id: nextId++,
        client,
        sent: [0],
        received: [],
        failed: false,
        serverClosed: false,
        left: false,
      };
      peers.set(client, peer);
      // The first table names the client (queued before the connection).
      assert.equal(client.send({ c: peer.id, s: 0 }), true);
      return peer;
    }

    const deadline = performance.now() + RUN_MS;
    const clientActor = async (next: () => number) => {
      let peer = newPeer();
      let seq = 0;
      while (performance.now() < deadline) {
        const roll = next();
        if (roll < 0.5) {
          if (peer.client.send({ c: peer.id, s: ++seq })) peer.sent.push(seq);
        } else if (roll < 0.56) {
          const burst = 1 + Math.floor(next() * 20);
          for (let i = 0; i < burst; i++) {
            if (peer.client.send({ c: peer.id, s: ++seq })) {
              peer.sent.push(seq);
            }
          }
        } else if (roll < 0.985) {
          await randomPause(next).wait();
        } else {
          peer.left = true;
          const leaving = peer.client.disconnect();
          if (next() < 0.5) await leaving;
          peer = newPeer();
          seq = 0;
        }
        pollClients();
        if (peer.failed && !peer.left) {
          peer = newPeer();
          seq = 0;
        }
      }
    };
    const serverActor = async (next: () => number) => {
      while (performance.now() < deadline) {
        pollServer();
        const roll = next();
        const targets = [...open];
        if (roll < 0.35 && targets.length > 0) {
          const connection = targets[Math.floor(next() * targets.length)];
          const seq = ++serverSeq;
          assert.equal(server.send({ t: seq }, connection), 1);
          links.get(connection)!.sent.push(seq);
        } else if (roll < 0.5) {
          // Every session is known here (events are pushed synchronously).
          assert.equal(server.connectionCount(), targets.length);
          const seq = ++serverSeq;
          assert.equal(server.broadcast({ t: seq }), targets.length);
          for (const connection of targets) {
            links.get(connection)!.sent.push(seq);
          }
        } else if (roll < 0.99 || targets.length === 0) {
          await randomPause(next).wait();
        } else {
          const connection = targets[Math.floor(next() * targets.length)];
          assert.equal(server.disconnect(connection), 1);
          open.delete(connection);
          links.get(connection)!.dropped = true;
        }
      }
    };

    try {
      await Promise.all([
        serverActor(fork()),
        ...Array.from({ length: SLOTS }, () => clientActor(fork())),
      ]);
      // Quiet now: every accepted table still in flight must arrive.
      const byId = () =>
        new Map([...links.values()].map((link) => [link.id, link]));
      // Connections the server dropped before their first table came: the
      // client may have left quietly before seeing EVENT_SERVER_CLOSE.
      const anonymousDrops = () =>
        [...links.values()].filter((l) => l.id === undefined && l.dropped)
          .length;
      await waitFor("every accepted table", () => {
        pollClients();
        pollServer();
        const links = byId();
        for (const peer of peers.values()) {
          if (peer.failed) continue;
          const link = links.get(peer.id);
          if (link === undefined) {
            if (peer.left && anonymousDrops() > 0) continue;
            return false;
          }
          // Dropped by the server: EVENT_SERVER_CLOSE is still to come,
          // unless the client left (quietly) first.
          if (link.dropped) {
            if (peer.left) continue;
            return false;
          }
          if (link.received.length < peer.sent.length) return false;
          // One that left: its close must have arrived too.
          if (peer.left) {
            if (link.closedAt === undefined && !link.dropped) return false;
          } else if (peer.received.length < link.sent.length) return false;
        }
        return true;
      }, 10_000).catch(() => undefined); // the checks below say what is missing

      const linkOf = byId();
      let checked = 0;
      for (const peer of peers.values()) {
        const link = linkOf.get(peer.id);
        const who = `client ${peer.id}`;
        if (link === undefined) {
          // Never connected (or its first table never arrived): only a
          // client that left early or saw a failure may be missing.
          assert.ok(
            peer.failed || (peer.left && anonymousDrops() > 0),
            `${who}: no connection`,
          );
          continue;
        }
        // Client → server: everything, unless the connection reported a
        // failure or the server dropped it (then a prefix).
        if (peer.failed || link.dropped) {
          assert.ok(isPrefix(link.received, peer.sent), `${who} → server`);
        } else {
          assert.deepEqual(link.received, peer.sent, `${who} → server`);
        }
        // A client that left gracefully: its tables, then the close.
        if (peer.left && !peer.failed && !link.dropped) {
          // Tables the server still had queued for it are reported lost.
          if (link.error === undefined) {
            assert.deepEqual(link.closeEvents, [EVENT_CLIENT_CLOSE], who);
          } else {
            assert.deepEqual(
              link.closeEvents,
              [EVENT_ERROR, EVENT_CLIENT_CLOSE],
              who,
            );
            assert.match(link.error, LOST, who);
          }
          assert.equal(link.closedAt, peer.sent.length, who);
        }
        // Server → client: everything, unless the client left itself or its
        // connection reported a failure (a server disconnect is graceful:
        // everything, then EVENT_SERVER_CLOSE).
        if (
          peer.left || (peer.failed && !(link.dropped && peer.serverClosed))
        ) {
          assert.ok(isPrefix(peer.received, link.sent), `server → ${who}`);
        } else {
          assert.deepEqual(peer.received, link.sent, `server → ${who}`);
        }
        checked++;
      }
      assert.ok(checked >= SLOTS, `only ${checked} clients checked`);
      assert.equal(serverEvents.droppedCount, 0);
      assert.equal(clientEvents.droppedCount, 0);
    } finally {
      await Promise.all([...peers.keys()].map((client) => client.disconnect()));
      await server.close();
      serverEvents.close();
      clientEvents.close();
    }
  });
}
