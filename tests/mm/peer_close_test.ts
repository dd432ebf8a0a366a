// Copyright 2026 the moonwire authors. MIT license.
// The peer's close record arrives while this end still has accepted tables
// queued: they cannot be delivered any more, and that is reported (an
// EVENT_ERROR, then the close event with the same text), never a clean close.
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
import { decodeTable } from "../../net/table_codec.ts";
import { EventLog, KEY, LOST, readAll, writeAll } from "./_helpers.ts";

const BIG = "x".repeat(64 * 1024);
/** Far more than loopback socket buffers hold: most stays queued. */
const TABLES = 400;
const QUEUE = TABLES * (BIG.length + 16);

/** The number of tables the error names; asserts the error and close event. */
function lostTables(events: NetworkEvent[], closeEvent: string): number {
  assert.deepEqual(
    events.map((e) => e.event),
    [EVENT_ERROR, closeEvent],
  );
  const [error, close] = events;
  assert.equal(close.errors, error.errors);
  const match = LOST.exec(error.errors);
  assert.ok(match, error.errors);
  return Number(match[1]);
}

/** Tables in the complete mm records of `bytes` (frames after the hello). */
function receivedTables(bytes: Uint8Array): unknown[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const tables: unknown[] = [];
  let offset = 9; // the client's hello frame
  while (offset + 4 <= bytes.length) {
    const length = view.getUint32(offset);
    if (offset + 4 + length > bytes.length) break; // cut by the close
    const record = bytes.subarray(offset + 4, offset + 4 + length);
    if (length > 0) {
      tables.push(
        ...decodeTable(record, { maxBytes: length, maxDepth: 65 }) as unknown[],
      );
    }
    offset += 4 + length;
  }
  return tables;
}

Deno.test("peer's close record while tables are queued reports how many were not delivered", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const events = new NetworkEvents();
  const log = new EventLog(events);
  await using client = new Client("127.0.0.1", listener.addr.port, {
    events,
    maxQueuedBytes: QUEUE,
  });
  using conn = await accepted;
  // The server's hello (plaintext, version 2).
  await writeAll(conn, Uint8Array.of(0, 0, 0, 5, 0x6d, 0x6d, 0x77, 2, 0));
  await log.count("connected", 1, (e) => e.event === EVENT_CONNECTED);
  log.take();
  for (let i = 0; i < TABLES; i++) assert.equal(client.send([i, BIG]), true);
  // The peer closes without reading: the close record, then its end.
  await writeAll(conn, Uint8Array.of(0, 0, 0, 5, 0xdd, 0, 0, 0, 0));
  await conn.closeWrite();
  const lost = lostTables(
    await log.until("close", (all) => all.length >= 2),
    EVENT_SERVER_CLOSE,
  );
  // Everything that reached the peer came in order; the rest is counted.
  const received = receivedTables(await readAll(conn));
  received.forEach((table, i) => assert.deepEqual(table, [i, BIG]));
  assert.ok(lost > 0 && lost <= TABLES, String(lost));
  assert.ok(received.length + lost >= TABLES, `${received.length} + ${lost}`);
  assert.equal(client.send(["late"]), false);
  assert.equal(log.take().length, 2); // nothing after the close event
});

Deno.test("client disconnect while the server's tables are queued: the server reports the loss", async () => {
  const serverEvents = new NetworkEvents();
  const clientEvents = new NetworkEvents();
  const serverLog = new EventLog(serverEvents);
  await using server = new Server("127.0.0.1", 0, {
    cipherKey: KEY,
    events: serverEvents,
    maxQueuedBytes: QUEUE,
  });
  await using client = new Client("127.0.0.1", server.getPort(), {
    cipherKey: KEY,
    events: clientEvents,
  });
  assert.equal((await client.waitForConnect()).ok, true);
  const [connect] = await serverLog.count(
    "connect",
    1,
    (e) => e.event === EVENT_CONNECT,
  );
  serverLog.take();
  const connection = connect.object as ClientConnection;
  for (let i = 0; i < TABLES; i++) {
    assert.equal(server.send([i, BIG], connection), 1);
  }
  await client.disconnect();
  const lost = lostTables(
    await serverLog.until("close", (all) => all.length >= 2),
    EVENT_CLIENT_CLOSE,
  );
  assert.ok(lost > 0 && lost <= TABLES, String(lost));
  // The client stopped at its disconnect: whatever it got came in order.
  const got = clientEvents.poll().filter((e) => e.event === EVENT_RECEIVE);
  got.forEach((e, i) =>
    assert.deepEqual(e.event === EVENT_RECEIVE && e.packet, [i, BIG])
  );
  assert.ok(got.length + lost <= TABLES, `${got.length} + ${lost}`);
});
