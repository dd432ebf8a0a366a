// Copyright 2026 the moonwire authors. MIT license.
// The delivery guarantee across await boundaries: a table whose send was
// accepted arrives, once and in order, even when the program yields between
// sends (every pause from tests/_schedule.ts) or closes right after.
import assert from "node:assert/strict";
import {
  Client,
  type ClientConnection,
  EVENT_CLIENT_CLOSE,
  EVENT_CONNECT,
  EVENT_RECEIVE,
  EVENT_SERVER_CLOSE,
  type NetworkEvent,
  NetworkEvents,
  type NetworkObject,
  Server,
} from "../../mm/mod.ts";
import { type Pause, pauses } from "../_schedule.ts";
import { connectFailure, EventLog, KEY, unusedPort } from "./_helpers.ts";

/** How long an accepted table may take to arrive on an idle loopback. */
const BOUND = 2000;

const MODES = [["plaintext", undefined], ["encrypted", KEY]] as const;

interface Pair extends AsyncDisposable {
  server: Server;
  client: Client;
  connection: ClientConnection;
  log: EventLog;
}

async function openPair(cipherKey: string | undefined): Promise<Pair> {
  const events = new NetworkEvents({ capacity: 100_000 });
  const log = new EventLog(events);
  const server = new Server("127.0.0.1", 0, { cipherKey, events });
  const client = new Client("127.0.0.1", server.getPort(), {
    cipherKey,
    events,
  });
  assert.equal((await client.waitForConnect()).ok, true);
  const [connect] = await log.count(
    "EVENT_CONNECT",
    1,
    (e) => e.event === EVENT_CONNECT,
  );
  log.take();
  return {
    server,
    client,
    connection: connect.object as ClientConnection,
    log,
    async [Symbol.asyncDispose]() {
      await client.disconnect();
      await server.close();
      events.close();
    },
  };
}

/** What `object` received or saw, as short strings, in order. */
function seen(all: NetworkEvent[], object: NetworkObject): string[] {
  return all.filter((e) => e.object === object).map((e) =>
    e.event === EVENT_RECEIVE ? JSON.stringify(e.packet) : e.event
  );
}

/** Waits (at most BOUND ms) until `object` saw `expected`, then compares. */
async function expectSeen(
  log: EventLog,
  object: NetworkObject,
  expected: string[],
  what: string,
): Promise<void> {
  try {
    await log.until(
      what,
      (all) => seen(all, object).length >= expected.length,
      BOUND,
    );
  } catch {
    // Fall through: the comparison shows what is missing.
  }
  assert.deepEqual(seen(log.all, object), expected, what);
}

/** Like expectSeen, for the server side of the first connection. */
async function expectServerSaw(
  log: EventLog,
  expected: string[],
  what: string,
): Promise<void> {
  const [connect] = await log.count(
    "EVENT_CONNECT",
    1,
    (e) => e.event === EVENT_CONNECT,
  );
  await expectSeen(log, connect.object!, expected, what);
}

type Side = "client" | "server" | "broadcast";

/** Sends `table` the `side` way; asserts the send was accepted. */
function sendVia(pair: Pair, side: Side, table: { n: number }): void {
  if (side === "client") assert.equal(pair.client.send(table), true);
  else if (side === "server") {
    assert.equal(pair.server.send(table, pair.connection), 1);
  } else assert.equal(pair.server.broadcast(table), 1);
}

function receiver(pair: Pair, side: Side): NetworkObject {
  return side === "client" ? pair.connection : pair.client;
}

/** Send, pause, send, pause, close the `side` way: all, then the event. */
async function closeAfter(
  cipherKey: string | undefined,
  side: Side,
  pause: Pause,
  close: (pair: Pair) => Promise<void>,
  closeEvent: string,
): Promise<void> {
  await using pair = await openPair(cipherKey);
  const to = receiver(pair, side);
  sendVia(pair, side, { n: 0 });
  await pause.wait();
  sendVia(pair, side, { n: 1 });
  await pause.wait();
  await close(pair);
  await expectSeen(
    pair.log,
    to,
    ['{"n":0}', '{"n":1}', closeEvent],
    `close after ${pause.name}`,
  );
}

for (const [mode, cipherKey] of MODES) {
  for (const side of ["client", "server", "broadcast"] as const) {
    Deno.test(`${side} send, every pause, send again: both arrive in order (${mode})`, async () => {
      await using pair = await openPair(cipherKey);
      const to = receiver(pair, side);
      let n = 0;
      for (const pause of pauses()) {
        const first = n++;
        const second = n++;
        sendVia(pair, side, { n: first });
        await pause.wait();
        sendVia(pair, side, { n: second });
        await expectSeen(
          pair.log,
          to,
          [`{"n":${first}}`, `{"n":${second}}`],
          `after ${pause.name}`,
        );
        pair.log.take();
      }
    });
  }

  Deno.test(`tables queued before connect, then a send right after waitForConnect (${mode})`, async () => {
    const events = new NetworkEvents();
    const log = new EventLog(events);
    await using server = new Server("127.0.0.1", 0, { cipherKey, events });
    await using client = new Client("127.0.0.1", server.getPort(), {
      cipherKey,
      events,
    });
    assert.equal(client.send({ n: 0 }), true);
    assert.equal(client.send({ n: 1 }), true);
    assert.equal((await client.waitForConnect()).ok, true);
    assert.equal(client.send({ n: 2 }), true);
    await expectServerSaw(
      log,
      [EVENT_CONNECT, '{"n":0}', '{"n":1}', '{"n":2}'],
      "queued and later tables",
    );
  });

  Deno.test(`client send, pause, disconnect: everything, then EVENT_CLIENT_CLOSE (${mode})`, async () => {
    for (const pause of pauses()) {
      await closeAfter(
        cipherKey,
        "client",
        pause,
        (pair) => pair.client.disconnect(),
        EVENT_CLIENT_CLOSE,
      );
    }
  });

  Deno.test(`server send, pause, disconnect(connection): everything, then EVENT_SERVER_CLOSE (${mode})`, async () => {
    for (const pause of pauses()) {
      await closeAfter(cipherKey, "server", pause, (pair) => {
        assert.equal(pair.server.disconnect(pair.connection), 1);
        return Promise.resolve();
      }, EVENT_SERVER_CLOSE);
    }
  });

  Deno.test(`broadcast, pause, server close: everything, then EVENT_SERVER_CLOSE (${mode})`, async () => {
    for (const pause of pauses()) {
      await closeAfter(
        cipherKey,
        "broadcast",
        pause,
        (pair) => pair.server.close(),
        EVENT_SERVER_CLOSE,
      );
    }
  });
}

for (const [mode, cipherKey] of MODES) {
  Deno.test(`disconnect before the connection is up still delivers the queued tables (${mode})`, async () => {
    const events = new NetworkEvents();
    const log = new EventLog(events);
    await using server = new Server("127.0.0.1", 0, { cipherKey, events });
    const client = new Client("127.0.0.1", server.getPort(), {
      cipherKey,
      events,
    });
    assert.equal(client.send({ n: 0 }), true);
    assert.equal(client.send({ n: 1 }), true);
    await client.disconnect();
    assert.equal(client.send({ n: 2 }), false);
    await expectServerSaw(
      log,
      [EVENT_CONNECT, '{"n":0}', '{"n":1}', EVENT_CLIENT_CLOSE],
      "queued tables, then the close",
    );
    // The disconnect is quiet on the client's side.
    assert.deepEqual(seen(log.all, client), []);
  });
}

Deno.test("disconnect before a connection that fails reports the queued tables' loss", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  const port = unusedPort();
  const client = new Client("127.0.0.1", port, { events });
  assert.equal(client.send({ n: 0 }), true);
  await client.disconnect();
  await connectFailure(log, client, port);
  // Without queued tables a disconnect while connecting stays quiet.
  const quiet = new Client("127.0.0.1", port, { events });
  await quiet.disconnect();
  assert.deepEqual(seen(log.take(), quiet), []);
});

Deno.test("flush() while connecting waits until the queued tables are handed over", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  await using server = new Server("127.0.0.1", 0, { events });
  await using client = new Client("127.0.0.1", server.getPort(), { events });
  assert.equal(client.send({ n: 0 }), true);
  await client.flush();
  // Before, flush() resolved at once, before the connection was even up.
  assert.equal(client.getPort(), server.getPort());
  await expectServerSaw(log, [EVENT_CONNECT, '{"n":0}'], "the queued table");
  // A connection that fails ends the wait (and reports the loss).
  const port = unusedPort();
  await using lost = new Client("127.0.0.1", port, { events });
  assert.equal(lost.send({ n: 1 }), true);
  await lost.flush();
  await connectFailure(log, lost, port);
});
