// Copyright 2026 the moonwire authors. MIT license.
// The close record: a graceful close ends with it, and only after it does
// the receiver report a clean close. A man in the middle cuts the stream
// after N records (end of stream or reset), drops the close record, injects
// a forged one or appends data after it, in both directions and both modes.
import assert from "node:assert/strict";
import {
  Client,
  type ClientConnection,
  EVENT_CLIENT_CLOSE,
  EVENT_CONNECT,
  EVENT_CONNECTED,
  EVENT_RECEIVE,
  EVENT_SERVER_CLOSE,
  type NetworkEvent,
  NetworkEvents,
  type NetworkObject,
  Server,
} from "../../mm/mod.ts";
import { timer } from "../_schedule.ts";
import {
  cutAt,
  EventLog,
  FrameProxy,
  type FrameProxyOptions,
  type FrameTransform,
  KEY,
} from "./_helpers.ts";

const MODES = [["plaintext", undefined], ["encrypted", KEY]] as const;
const DIRECTIONS = ["client → server", "server → client"] as const;
type Direction = typeof DIRECTIONS[number];
const CUTS = ["fin", "reset"] as const;

/** The close record as a plaintext frame: length 5, array32 of no tables. */
const PLAIN_CLOSE = Uint8Array.of(0, 0, 0, 5, 0xdd, 0, 0, 0, 0);
const ENDED =
  /^Cannot read from 127\.0\.0\.1:\d+: connection ended without close record$/;
const AUTH_FAILED =
  /^Cannot read record from 127\.0\.0\.1:\d+: authentication failed \(modified, replayed, reordered or truncated record\)$/;
const DATA_AFTER =
  /^Cannot read from 127\.0\.0\.1:\d+: data after close record$/;

/** A server and a client talking through a proxy that rewrites one direction. */
interface Pair extends AsyncDisposable {
  server: Server;
  client: Client;
  connection: ClientConnection;
  /** Events of the sending side (client or connection) and of the receiver. */
  senderLog: EventLog;
  receiverLog: EventLog;
  sender: NetworkObject;
  receiver: NetworkObject;
  /** Sends `{ n }` from the sender; asserts it was accepted. */
  send(n: number): void;
  /** The sender's graceful close: client.disconnect or server.disconnect. */
  close(): Promise<void>;
  /** The close event the receiver gets. */
  closeEvent: string;
}

/** Frames of each side's hello and handshake, before its first record. */
function handshakeFrames(cipherKey: string | undefined): number {
  return cipherKey ? 2 : 1;
}

async function openPair(
  cipherKey: string | undefined,
  direction: Direction,
  transform: FrameTransform,
): Promise<Pair> {
  const serverEvents = new NetworkEvents();
  const clientEvents = new NetworkEvents();
  const serverLog = new EventLog(serverEvents);
  const clientLog = new EventLog(clientEvents);
  const server = new Server("127.0.0.1", 0, {
    cipherKey,
    events: serverEvents,
  });
  const options: FrameProxyOptions = direction === "client → server"
    ? { toServer: transform }
    : { toClient: transform };
  const proxy = await FrameProxy.listen(server.getPort(), options);
  const client = new Client("127.0.0.1", proxy.port, {
    cipherKey,
    events: clientEvents,
  });
  assert.equal((await client.waitForConnect()).ok, true);
  const [connect] = await serverLog.count(
    "EVENT_CONNECT",
    1,
    (e) => e.event === EVENT_CONNECT,
  );
  const connection = connect.object as ClientConnection;
  const upward = direction === "client → server";
  const dispose = async () => {
    await client.disconnect();
    await server.close();
    await proxy.close();
  };
  return {
    server,
    client,
    connection,
    senderLog: upward ? clientLog : serverLog,
    receiverLog: upward ? serverLog : clientLog,
    sender: upward ? client : connection,
    receiver: upward ? connection : client,
    send(n) {
      if (upward) assert.equal(client.send({ n }), true);
      else assert.equal(server.send({ n }, connection), 1);
    },
    close: upward ? () => client.disconnect() : () => {
      assert.equal(server.disconnect(connection), 1);
      return Promise.resolve();
    },
    closeEvent: upward ? EVENT_CLIENT_CLOSE : EVENT_SERVER_CLOSE,
    [Symbol.asyncDispose]: dispose,
  };
}

/** Sends `{ n: 0 }` … `{ n: count - 1 }`, one record each. */
async function sendRecords(pair: Pair, count: number): Promise<void> {
  for (let n = 0; n < count; n++) {
    pair.send(n);
    await timer(1); // the flush loop seals the record on the next turn
  }
}

/**
 * `object`'s events after its connect event, as short strings: receives as
 * JSON, the rest by kind.
 */
function kinds(events: NetworkEvent[], object: NetworkObject): string[] {
  return events.filter((e) =>
    e.object === object && e.event !== EVENT_CONNECT &&
    !(e.event === EVENT_CONNECTED && e.result)
  ).map((e) => e.event === EVENT_RECEIVE ? JSON.stringify(e.packet) : e.event);
}

function tables(count: number): string[] {
  return Array.from({ length: count }, (_, n) => JSON.stringify({ n }));
}

/** Waits for `object`'s close event; returns all its events so far. */
async function untilClosed(
  log: EventLog,
  object: NetworkObject,
): Promise<NetworkEvent[]> {
  await log.count(
    "close event",
    1,
    (e) =>
      e.object === object &&
      (e.event === EVENT_CLIENT_CLOSE || e.event === EVENT_SERVER_CLOSE),
  );
  return log.all.filter((e) => e.object === object);
}

/**
 * Forwards the handshake and `count` records, then `then(record, frame)` in
 * place of each later frame (`record` counts from 0 at the first record).
 */
function afterRecords(
  cipherKey: string | undefined,
  count: number,
  then: FrameTransform,
): FrameTransform {
  const first = handshakeFrames(cipherKey);
  return (index, frame) =>
    index < first + count ? [frame] : then(index - first, frame);
}

/**
 * Waits for `object`'s close event and asserts it received `count` tables,
 * then an error matching `error`, then its close event carrying the same
 * text: never a clean close.
 */
async function expectFailed(
  log: EventLog,
  object: NetworkObject,
  count: number,
  closeEvent: string,
  error: RegExp,
  what: string,
): Promise<void> {
  const events = await untilClosed(log, object);
  assert.deepEqual(
    kinds(events, object),
    [...tables(count), "error", closeEvent],
    what,
  );
  const [failure, close] = events.slice(-2);
  assert.match(failure.errors, error, what);
  assert.equal(close.errors, failure.errors, what);
}

/**
 * The sender sends `count` records, then closes gracefully (`close`) or
 * sends one more; the proxy cuts the stream (`cut`) in place of the next
 * record. The receiver gets the `count` tables and an error; so does the
 * sender when it did not close (its local close is quiet).
 */
async function cutAfter(
  cipherKey: string | undefined,
  direction: Direction,
  cut: typeof CUTS[number],
  count: number,
  close: boolean,
): Promise<void> {
  const what = close
    ? `${count} records, then ${cut} instead of the close record`
    : `${cut} after ${count} records, mid-stream`;
  await using pair = await openPair(
    cipherKey,
    direction,
    afterRecords(cipherKey, count, () => cutAt([], cut)),
  );
  await sendRecords(pair, close ? count : count + 1);
  if (close) await pair.close();
  await expectFailed(
    pair.receiverLog,
    pair.receiver,
    count,
    pair.closeEvent,
    ENDED,
    what,
  );
  if (close) {
    assert.deepEqual(kinds(pair.senderLog.poll(), pair.sender), [], what);
    return;
  }
  await expectFailed(
    pair.senderLog,
    pair.sender,
    0,
    pair.closeEvent === EVENT_CLIENT_CLOSE
      ? EVENT_SERVER_CLOSE
      : EVENT_CLIENT_CLOSE,
    ENDED,
    what,
  );
}

for (const [mode, cipherKey] of MODES) {
  for (const direction of DIRECTIONS) {
    for (const cut of CUTS) {
      Deno.test(`a graceful close whose close record is cut off (${cut}) is an error, not a clean close (${direction}, ${mode})`, async () => {
        for (let count = 0; count <= 3; count++) {
          await cutAfter(cipherKey, direction, cut, count, true);
        }
      });

      Deno.test(`a stream cut (${cut}) after N records is an error on both sides (${direction}, ${mode})`, async () => {
        for (let count = 0; count <= 3; count++) {
          await cutAfter(cipherKey, direction, cut, count, false);
        }
      });
    }

    Deno.test(`an honest close ends with the close record, after every table: a clean close (${direction}, ${mode})`, async () => {
      for (let count = 0; count <= 3; count++) {
        const frames: Uint8Array[] = [];
        await using pair = await openPair(cipherKey, direction, (_, frame) => {
          frames.push(frame);
          return [frame];
        });
        // One record each, then a burst in one record, then the close.
        await sendRecords(pair, count);
        for (let n = count; n < 2 * count; n++) pair.send(n);
        await pair.close();
        const events = await untilClosed(pair.receiverLog, pair.receiver);
        assert.deepEqual(
          kinds(events, pair.receiver),
          [...tables(2 * count), pair.closeEvent],
        );
        assert.equal(events.at(-1)!.errors, "");
        const records = frames.slice(handshakeFrames(cipherKey));
        assert.equal(records.length, count + (count > 0 ? 2 : 1));
        const last = records.at(-1)!;
        if (cipherKey) {
          // Sealed: 5 bytes of record + the 16-byte tag.
          assert.deepEqual([...last.subarray(0, 4)], [0, 0, 0, 21]);
          assert.equal(last.length, 25);
          assert.notDeepEqual([...last.subarray(4, 9)], [0xdd, 0, 0, 0, 0]);
        } else assert.deepEqual(last, PLAIN_CLOSE);
      }
    });

    Deno.test(`a record after the close record is an error (${direction}, ${mode})`, async () => {
      // Encrypted: the real close record, then a replay of the first record
      // (refused without being opened). Plaintext: a forged close record in
      // front of the first record.
      let replay: Uint8Array | undefined;
      await using pair = await openPair(
        cipherKey,
        direction,
        afterRecords(cipherKey, 0, (record, frame) => {
          if (cipherKey === undefined) {
            return record === 0 ? [PLAIN_CLOSE, frame] : [frame];
          }
          if (record === 0) replay = frame;
          return record === 1 ? [frame, replay!] : [frame];
        }),
      );
      await sendRecords(pair, 1);
      if (cipherKey !== undefined) await pair.close();
      await expectFailed(
        pair.receiverLog,
        pair.receiver,
        cipherKey ? 1 : 0,
        pair.closeEvent,
        DATA_AFTER,
        "data after the close record",
      );
    });
  }
}

for (const direction of DIRECTIONS) {
  Deno.test(`an injected plaintext close record fails authentication in encrypted mode (${direction})`, async () => {
    for (let count = 0; count <= 2; count++) {
      const what = `forged close record after ${count} records`;
      // The forged end, then a clean end of stream: nothing real after.
      await using pair = await openPair(
        KEY,
        direction,
        afterRecords(KEY, count, () => cutAt([PLAIN_CLOSE], "fin")),
      );
      await sendRecords(pair, count + 1);
      await expectFailed(
        pair.receiverLog,
        pair.receiver,
        count,
        pair.closeEvent,
        AUTH_FAILED,
        what,
      );
    }
  });

  Deno.test(`a plaintext close record proves nothing: a forged one passes for a clean close (${direction})`, async () => {
    // Documented: without a cipher key anyone on the path can end the
    // connection cleanly; the record only tells an honest end from a cut.
    await using pair = await openPair(
      undefined,
      direction,
      afterRecords(undefined, 1, () => cutAt([PLAIN_CLOSE], "fin")),
    );
    await sendRecords(pair, 2);
    const events = await untilClosed(pair.receiverLog, pair.receiver);
    assert.deepEqual(
      kinds(events, pair.receiver),
      [...tables(1), pair.closeEvent],
    );
    assert.equal(events.at(-1)!.errors, "");
  });
}
