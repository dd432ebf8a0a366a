// Copyright 2026 the moonwire authors. MIT license.
// Wire version 2's record cipher and the bulk send path: an outside Noise
// implementation speaking Noise_NNpsk0_25519_ChaChaPoly_SHA256 talks to a
// server; records are filled up to the record target without copying the
// table that reaches it; received byte strings never change under the
// caller (a send buffer is reused, a decrypted record is shared).
import assert from "node:assert/strict";
import { deriveKey } from "../../crypto/derive_key.ts";
import { NoiseHandshake } from "../../crypto/noise_handshake.ts";
import { parseCipherKey } from "../../crypto/parse_cipher_key.ts";
import {
  Client,
  type ClientConnection,
  EVENT_CONNECT,
  EVENT_ERROR,
  EVENT_RECEIVE,
  NetworkEvents,
  Server,
} from "../../mm/mod.ts";
import { FramedConnection } from "../../net/framed_connection.ts";
import { decodeTable, encodeTable } from "../../net/table_codec.ts";
import { EventLog, frameRecorder, KEY } from "./_helpers.ts";

const encoder = new TextEncoder();

Deno.test("encrypted records are Noise_NNpsk0_25519_ChaChaPoly_SHA256 (an outside client)", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  await using server = new Server("127.0.0.1", 0, { cipherKey: KEY, events });
  await using framed = await FramedConnection.connect(
    "127.0.0.1",
    server.getPort(),
  );
  const noise = new NoiseHandshake("Noise_NNpsk0_25519_ChaChaPoly_SHA256", {
    initiator: true,
    prologue: encoder.encode("moonwire mm v2 NNpsk0"),
    psks: [deriveKey(parseCipherKey(KEY), "moonwire mm v2 psk", 32)],
  });
  await framed.sendMany([
    Uint8Array.of(0x6d, 0x6d, 0x77, 2, 1),
    await noise.writeMessage(),
  ]);
  assert.deepEqual(await framed.read(), Uint8Array.of(0x6d, 0x6d, 0x77, 2, 1));
  // The server's handshake message authenticates under this cipher only.
  await noise.readMessage((await framed.read())!);
  const { send, receive } = noise.split();
  const table = encodeTable({ cipher: "chacha" });
  const record = new Uint8Array(5 + table.length);
  record.set([0xdd, 0, 0, 0, 1]);
  record.set(table, 5);
  await framed.send(await send.encrypt(record));
  const [connect] = await log.count(
    "connect",
    1,
    (e) => e.event === EVENT_CONNECT,
  );
  const [received] = await log.count(
    "receive",
    1,
    (e) => e.event === EVENT_RECEIVE,
  );
  assert.deepEqual(
    received.event === EVENT_RECEIVE && received.packet,
    { cipher: "chacha" },
  );
  assert.equal(
    server.send({ reply: 1 }, connect.object as ClientConnection),
    1,
  );
  const reply = await receive.decrypt((await framed.read())!);
  assert.deepEqual(decodeTable(reply), [{ reply: 1 }]);
  send[Symbol.dispose]();
  receive[Symbol.dispose]();
});

for (const cipherKey of [undefined, KEY]) {
  const mode = cipherKey ? "encrypted" : "plaintext";

  Deno.test(`the table that reaches the record target stays in its record (${mode})`, async () => {
    const events = new NetworkEvents();
    const log = new EventLog(events);
    await using server = new Server("127.0.0.1", 0, { cipherKey, events });
    const { proxy, frames } = await frameRecorder(server.getPort());
    const client = new Client("127.0.0.1", proxy.port, { cipherKey, events });
    try {
      assert.equal((await client.waitForConnect()).ok, true);
      const handshakeFrames = frames.length;
      // 65547 bytes each: the 8th passes the 512 KiB target.
      const big = { data: new Uint8Array(64 * 1024) };
      assert.equal(encodeTable(big).length, 65547);
      for (let i = 0; i < 9; i++) assert.equal(client.send(big), true);
      await log.count("9 tables", 9, (e) => e.event === EVENT_RECEIVE);
      const overhead = 4 + 5 + (cipherKey ? 16 : 0);
      assert.deepEqual(frames.slice(handshakeFrames), [
        overhead + 8 * 65547,
        overhead + 65547,
      ]);
    } finally {
      await client.disconnect();
      await proxy.close();
    }
  });

  Deno.test(`received byte strings never change under the caller (${mode})`, async () => {
    const events = new NetworkEvents({ capacity: 1000 });
    const log = new EventLog(events);
    await using server = new Server("127.0.0.1", 0, { cipherKey, events });
    await using client = new Client("127.0.0.1", server.getPort(), {
      cipherKey,
      events,
    });
    assert.equal((await client.waitForConnect()).ok, true);
    // Several bursts of several records each: send buffers and read
    // buffers are reused across them.
    const COUNT = 120;
    for (let burst = 0; burst < 4; burst++) {
      for (let i = burst * 30; i < (burst + 1) * 30; i++) {
        const data = new Uint8Array(40_000 + i).fill(i);
        assert.equal(client.send({ i, data }), true);
      }
      await log.count(
        "burst",
        (burst + 1) * 30,
        (e) => e.event === EVENT_RECEIVE,
      );
    }
    const received = log.all.filter((e) => e.event === EVENT_RECEIVE);
    assert.equal(received.length, COUNT);
    received.forEach((event, i) => {
      const { i: n, data } = (event.event === EVENT_RECEIVE &&
        event.packet) as { i: number; data: Uint8Array };
      assert.equal(n, i);
      assert.equal(data.length, 40_000 + i);
      assert.ok(data.every((byte) => byte === (i & 0xff)), `table ${i}`);
    });
  });
}

Deno.test("records whose tables fill their buffer to the last byte are sealed intact (no room left for the tag)", async () => {
  const events = new NetworkEvents({ capacity: 1000 });
  const log = new EventLog(events);
  await using server = new Server("127.0.0.1", 0, { cipherKey: KEY, events });
  await using client = new Client("127.0.0.1", server.getPort(), {
    cipherKey: KEY,
    events,
  });
  assert.equal((await client.waitForConnect()).ok, true);
  const [connect] = await log.count(
    "connect",
    1,
    (e) => e.event === EVENT_CONNECT,
  );
  const connection = connect.object as ClientConnection;
  // A record buffer starts with 256 bytes for the tables' record plus 16 for
  // the tag, and the next one gets the last record's size plus 16. A table
  // queued with send() is copied in without growing the buffer while it
  // fits, so tables of 267, 283, 299, ... bytes, one record each, leave no
  // room for the tag: sealing in place must make room first.
  const sent: Uint8Array[] = [];
  for (let k = 0; k < 12; k++) {
    const size = 256 + 16 * k - 5 + 16;
    // A map of one byte string: 1 + 5 ("data") + 3 (bin16 header) + n bytes.
    const table = {
      data: new Uint8Array(size - 9).map((_, i) => (i * 7 + k) & 0xff),
    };
    assert.equal(encodeTable(table).length, size);
    sent.push(table.data);
    assert.equal(server.send(table, connection), 1);
    await log.count("receive", k + 1, (e) => e.event === EVENT_RECEIVE);
  }
  const received = log.all.filter((e) => e.event === EVENT_RECEIVE);
  assert.equal(received.length, sent.length);
  received.forEach((event, k) => {
    const packet = event.event === EVENT_RECEIVE && event.packet;
    assert.deepEqual(packet, { data: sent[k] });
  });
  assert.equal(log.all.some((e) => e.event === EVENT_ERROR), false);
});
