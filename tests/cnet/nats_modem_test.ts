// Copyright 2026 the moonwire authors. MIT license.
// NatsModem against a real nats-server (started per test on a random port):
// the wire format, no echo, the payload limit from max_payload, ownership,
// close after a pause at every schedule offset, status events, errors.
import assert from "node:assert/strict";
import type { ModemMessage } from "../../cnet/mod.ts";
import { NATS_MODEM_HEADER_LENGTH, NatsModem } from "../../cnet/nats.ts";
import type { NatsStatus } from "../../cnet/nats.ts";
import { natsClient, natsIgnore, startNatsServer } from "../_nats_server.ts";
import { pauses } from "../_schedule.ts";
import { until } from "./_cryptonet_fixtures.ts";

const ignore = natsIgnore !== undefined;
const bytes = (...values: number[]) => new Uint8Array(values);

function collect(modem: NatsModem): ModemMessage[] {
  const heard: ModemMessage[] = [];
  modem.subscribe((message) => heard.push(message));
  return heard;
}

Deno.test({
  name:
    "NatsModem: channel N is <prefix>.N, the body is the 12-byte header then the payload, and only other modems with the channel open hear it",
  ignore,
  async fn() {
    await using server = await startNatsServer();
    await using a = await NatsModem.connect(server.url);
    await using b = await NatsModem.connect(server.url, { prefix: "game.x" });
    await using c = await NatsModem.connect([server.url], {
      prefix: "game.x",
    });
    const spy = await natsClient(server.url);
    try {
      const raw: { subject: string; data: Uint8Array }[] = [];
      spy.subscribe(">", {
        callback: (_error, message) =>
          void raw.push({
            subject: message.subject,
            data: Uint8Array.from(message.data),
          }),
      });
      a.open(7); // default prefix: does not hear game.x.7
      b.open(7);
      c.open(7);
      await Promise.all([a.flush(), b.flush(), c.flush(), spy.flush()]);
      const atA = collect(a);
      const atB = collect(b);
      const atC = collect(c);
      b.transmit(7, 513, bytes(1, 2, 3));
      c.transmit(8, 1, bytes(9)); // nobody has 8 open
      await until(() => atC.length === 1 && raw.length === 2);
      assert.equal(b.prefix, "game.x");
      assert.equal(a.prefix, "moonwire.cnet");
      assert.deepEqual(atC, [{
        channel: 7,
        replyChannel: 513,
        payload: bytes(1, 2, 3),
        distance: undefined,
      }]);
      assert.equal(Object.getPrototypeOf(atC[0].payload), Uint8Array.prototype);
      assert.deepEqual(atB, [], "a modem never hears itself");
      assert.deepEqual(atA, [], "another prefix is another world");
      // b and c publish on connections of their own: no order between them.
      assert.deepEqual(raw.map((m) => m.subject).sort(), [
        "game.x.7",
        "game.x.8",
      ]);
      const body = raw.find((m) => m.subject === "game.x.7")!.data;
      assert.equal(body.length, NATS_MODEM_HEADER_LENGTH + 3);
      assert.deepEqual([...body.subarray(0, 4)], [0x4e, 1, 2, 1]);
      assert.deepEqual([...body.subarray(12)], [1, 2, 3]);
      assert.deepEqual(
        [b.stats, c.stats],
        [{ sent: 1, delivered: 0, dropped: 0, lost: 0 }, {
          sent: 1,
          delivered: 1,
          dropped: 0,
          lost: 0,
        }],
      );
    } finally {
      await spy.close();
    }
  },
});

Deno.test({
  name:
    "NatsModem: two modems on one caller-owned connection (echo on) hear each other, never themselves; foreign messages are dropped and counted",
  ignore,
  async fn() {
    await using server = await startNatsServer();
    const connection = await natsClient(server.url);
    try {
      const a = new NatsModem(connection);
      const b = new NatsModem(connection);
      assert.equal(a.ownsConnection, false);
      a.open(1);
      b.open(1);
      const atA = collect(a);
      const atB = collect(b);
      a.transmit(1, 2, bytes(10));
      b.transmit(1, 3, bytes(20));
      connection.publish("moonwire.cnet.1", bytes(1, 2, 3)); // not a modem's
      await until(() => a.stats.dropped + b.stats.dropped === 4);
      assert.deepEqual(atA.map((m) => [m.replyChannel, ...m.payload]), [[
        3,
        20,
      ]]);
      assert.deepEqual(atB.map((m) => [m.replyChannel, ...m.payload]), [[
        2,
        10,
      ]]);
      // Each dropped its own echo and the foreign message.
      assert.deepEqual(a.stats, { sent: 1, delivered: 1, dropped: 2, lost: 0 });
      a.close();
      b.close();
      await Promise.all([a.closed, b.closed]);
      assert.equal(connection.isClosed(), false, "the caller still owns it");
    } finally {
      await connection.close();
    }
  },
});

Deno.test({
  name:
    "NatsModem: the payload limit is the server's max_payload less the header; one byte more is a RangeError and nothing is published",
  ignore,
  async fn() {
    await using server = await startNatsServer({ config: "max_payload: 4096" });
    await using a = await NatsModem.connect(server.url);
    await using capped = await NatsModem.connect(server.url, {
      maxPayloadSize: 100,
    });
    await using b = await NatsModem.connect(server.url);
    assert.equal(a.maxPayloadSize, 4096 - 12);
    assert.equal(capped.maxPayloadSize, 100);
    b.open(3);
    await b.flush();
    const atB = collect(b);
    assert.throws(() => a.transmit(3, 3, new Uint8Array(4085)), {
      name: "RangeError",
      message: "Cannot transmit: payload of 4085 bytes exceeds limit 4084",
    });
    assert.throws(() => capped.transmit(3, 3, new Uint8Array(101)), {
      name: "RangeError",
      message: "Cannot transmit: payload of 101 bytes exceeds limit 100",
    });
    a.transmit(3, 3, new Uint8Array(4084).fill(7));
    await until(() => atB.length === 1);
    await a.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(atB.length, 1);
    assert.equal(atB[0].payload.length, 4084);
    assert.deepEqual(a.stats.sent, 1);
    assert.deepEqual(capped.stats.sent, 0);
  },
});

Deno.test({
  name:
    "NatsModem: argument errors name the action and the reason; connect failure names the servers",
  ignore,
  async fn() {
    await using server = await startNatsServer();
    await using a = await NatsModem.connect(server.url);
    assert.throws(() => a.open(65536), {
      name: "RangeError",
      message:
        "Cannot open channel: channel 65536 is not an integer in 0-65535",
    });
    assert.throws(() => a.transmit(1, -1, bytes()), {
      name: "RangeError",
      message: "Cannot transmit: channel -1 is not an integer in 0-65535",
    });
    assert.throws(() => a.transmit(1, 1, "x" as unknown as Uint8Array), {
      name: "TypeError",
      message: "Cannot transmit: payload must be a Uint8Array",
    });
    await assert.rejects(
      () => NatsModem.connect(server.url, { prefix: "a.*" }),
      {
        name: "SyntaxError",
        message:
          'Cannot create NATS modem: prefix "a.*" is not a subject (letters, digits, "_" and "-" in tokens separated by ".")',
      },
    );
    await assert.rejects(() => NatsModem.connect([]), {
      name: "TypeError",
      message:
        "Cannot connect NATS modem: servers must be a URL string or a non-empty array of them",
    });
    await assert.rejects(
      () => NatsModem.connect(server.url, { pingInterval: 0 }),
      {
        name: "RangeError",
        message:
          "Cannot connect NATS modem: pingInterval 0 is not in 10-604800000",
      },
    );
    const error = await NatsModem.connect("127.0.0.1:1").catch((e) => e);
    assert.equal(
      error.message,
      "Cannot connect NATS modem: no NATS server answered at 127.0.0.1:1 (connection refused)",
    );
    assert.equal(error.cause?.name, "ConnectionError");
    const few = await NatsModem.connect(server.url, { maxOpenChannels: 2 });
    few.open(1);
    few.open(2);
    assert.throws(() => few.open(3), {
      name: "RangeError",
      message: "Cannot open channel: 2 channels are already open",
    });
    await few[Symbol.asyncDispose]();
    assert.throws(() => few.transmit(1, 1, bytes()), {
      name: "Error",
      message: "Cannot transmit: modem is closed",
    });
    assert.throws(() => few.open(1), {
      message: "Cannot open channel: modem is closed",
    });
  },
});

Deno.test({
  name:
    "NatsModem: transmit, pause (every schedule offset), transmit, close: the other modem hears both, in order; close waits for the server",
  ignore,
  async fn() {
    await using server = await startNatsServer();
    await using receiver = await NatsModem.connect(server.url);
    receiver.open(2);
    await receiver.flush();
    const heard = collect(receiver);
    const expected: number[] = [];
    let n = 0;
    for (const pause of pauses()) {
      const sender = await NatsModem.connect(server.url);
      const first = n++;
      const second = n++;
      sender.transmit(2, 0, bytes(first));
      await pause.wait();
      sender.transmit(2, 0, bytes(second));
      sender.close();
      assert.throws(() => sender.transmit(2, 0, bytes(0)), {
        message: "Cannot transmit: modem is closed",
      });
      await sender.closed;
      expected.push(first, second);
    }
    await until(() => heard.length >= expected.length);
    await receiver.flush();
    assert.deepEqual(heard.map((m) => m.payload[0]), expected);
  },
});

Deno.test({
  name:
    "NatsModem: a caller-owned connection closing closes the modem and reports close; an owned one is closed by the modem",
  ignore,
  async fn() {
    await using server = await startNatsServer();
    const connection = await natsClient(server.url);
    const statuses: NatsStatus[] = [];
    const modem = new NatsModem(connection, {
      onStatus: (status) => statuses.push(status),
    });
    modem.open(1);
    await connection.close();
    await modem.closed;
    assert.equal(modem.isClosed, true);
    assert.deepEqual(statuses, [{ type: "close" }]);

    const ownedStatuses: NatsStatus[] = [];
    const owned = await NatsModem.connect(server.url, {
      onStatus: (status) => ownedStatuses.push(status),
    });
    assert.equal(owned.ownsConnection, true);
    assert.equal(owned.server, `127.0.0.1:${server.port}`);
    owned.close();
    await owned.closed;
    assert.deepEqual(ownedStatuses, [{ type: "close" }]);
    // The resource sanitizer proves the owned socket and timers are gone.
  },
});

Deno.test({
  name:
    "NatsModem: status events: a restarted server reports disconnect, reconnecting, reconnect",
  ignore,
  async fn() {
    const first = await startNatsServer();
    const statuses: NatsStatus[] = [];
    await using _modem = await NatsModem.connect(first.url, {
      reconnectTimeWait: 50,
      onStatus: (status) => statuses.push(status),
    });
    await first.stop();
    await until(() => statuses.length >= 1);
    assert.deepEqual(statuses[0], {
      type: "disconnect",
      server: `127.0.0.1:${first.port}`,
    });
    // A new server on the same port: the modem finds it again.
    await using second = await startNatsServer({ port: first.port });
    await until(() => statuses.some((s) => s.type === "reconnect"), 10_000);
    assert.deepEqual(statuses.at(-1), {
      type: "reconnect",
      server: `127.0.0.1:${second.port}`,
    });
    assert.ok(statuses.slice(1, -1).every((s) => s.type === "reconnecting"));
  },
});

Deno.test({
  name:
    "NatsModem: payloads stay intact across slabs (3000 × 100 B, 5000 B ones); changing the sent array after transmit changes nothing",
  ignore,
  async fn() {
    await using server = await startNatsServer();
    await using a = await NatsModem.connect(server.url);
    await using b = await NatsModem.connect(server.url);
    b.open(4);
    await b.flush();
    const heard = collect(b);
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 3000; i++) {
      const size = i % 500 === 0 ? 5000 : 100;
      const payload = new Uint8Array(size).map((_, j) => (i * 7 + j) & 255);
      sent.push(payload.slice());
      a.transmit(4, i & 0xffff, payload);
      payload.fill(0); // already copied
    }
    await until(() => heard.length === sent.length, 10_000);
    heard.forEach((message, i) => {
      assert.equal(message.replyChannel, i);
      assert.deepEqual(message.payload, sent[i], `message ${i}`);
    });
  },
});
