// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  type ModemMessage,
  UdpModem,
  type UdpModemPeer,
} from "../../cnet/mod.ts";
import { DatagramEndpoint } from "../../net/mod.ts";
import { netnsAvailable, runInNetns } from "../_netns.ts";
import { withFailingReceive } from "../_failing_receive.ts";

function collect(modem: UdpModem): ModemMessage[] {
  const heard: ModemMessage[] = [];
  modem.subscribe((message) => heard.push(message));
  return heard;
}

async function until(predicate: () => boolean, timeout = 3000) {
  const end = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > end) throw new Error("Timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

Deno.test("UdpModem peer list: channels, replies, never its own", async () => {
  await using a = await UdpModem.create({ peers: [] });
  await using b = await UdpModem.create({ peers: [] });
  await using c = await UdpModem.create({ peers: [] });
  for (const modem of [a, b, c]) {
    for (const other of [a, b, c]) modem.addPeer("127.0.0.1", other.port);
  }
  a.open(1);
  b.open(1);
  const heardA = collect(a);
  const heardB = collect(b);
  const heardC = collect(c);
  a.transmit(1, 2, new Uint8Array([9, 8, 7]));
  await until(() => heardB.length === 1);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(heardA, []);
  assert.deepEqual(heardC, []);
  assert.deepEqual(heardB, [{
    channel: 1,
    replyChannel: 2,
    payload: new Uint8Array([9, 8, 7]),
    distance: undefined,
  }]);
  assert.equal(a.stats.sent, 3);
  assert.equal(a.stats.dropped, 1); // its own datagram, sent to itself
  assert.equal(a.removePeer("127.0.0.1", a.port), true);
  assert.equal(a.removePeer("127.0.0.1", a.port), false);
});

Deno.test("UdpModem: limits and validation", async () => {
  await using modem = await UdpModem.create({ peers: [], maxPayloadSize: 100 });
  assert.equal(modem.mode, "peers");
  assert.equal(modem.hostname, "127.0.0.1");
  assert.throws(() => modem.transmit(1, 1, new Uint8Array(101)), {
    name: "RangeError",
    message: "Cannot transmit: payload of 101 bytes exceeds limit 100",
  });
  assert.throws(() => modem.transmit(65536, 1, new Uint8Array(1)), {
    name: "RangeError",
    message: "Cannot transmit: channel 65536 is not an integer in 0-65535",
  });
  assert.throws(() => modem.addPeer("127.0.0.1", 0), {
    name: "RangeError",
    message: "Cannot add peer: port 0 is not an integer in 1-65535",
  });
  assert.throws(() => modem.addPeer("not an ip", 9), {
    name: "SyntaxError",
    message: 'Cannot add peer: hostname "not an ip" is not an IPv4 address',
  });
  assert.deepEqual(modem.peers, []);
  await assert.rejects(UdpModem.create({ maxPayloadSize: 65496 }), {
    name: "RangeError",
    message: "Cannot create UDP modem: maxPayloadSize 65496 is not in 1-65495",
  });
  modem.close();
  assert.equal(modem.isClosed, true);
  assert.throws(() => modem.transmit(1, 1, new Uint8Array(1)), {
    name: "Error",
    message: "Cannot transmit: modem is closed",
  });
  assert.throws(() => modem.open(1), {
    name: "Error",
    message: "Cannot open channel: modem is closed",
  });
  modem.close();
  await modem.closed;
  await assert.rejects(UdpModem.create({ peers: [], maxOpenChannels: 65537 }), {
    name: "RangeError",
    message: "Cannot create UDP modem: maxOpenChannels 65537 is not in 1-65536",
  });
});

Deno.test("UdpModem.create refuses a bad peer list, naming the option and the peer", async () => {
  const cases: [unknown, string, string][] = [
    [
      "x",
      "TypeError",
      "Cannot create UDP modem: options.peers must be an array of { hostname, port }",
    ],
    [
      [null],
      "TypeError",
      "Cannot create UDP modem: options.peers[0] must be an object { hostname, port }, got null",
    ],
    [
      [{ hostname: "127.0.0.1", port: 9 }, { hostname: 7, port: 9 }],
      "TypeError",
      "Cannot create UDP modem: options.peers[1].hostname must be a string, got number",
    ],
    [
      [{ hostname: "127.0.0.1", port: 9 }, { hostname: "not an ip", port: 9 }],
      "SyntaxError",
      'Cannot create UDP modem: options.peers[1].hostname "not an ip" is not an IPv4 address',
    ],
    [
      [{ hostname: "::1", port: 9 }],
      "SyntaxError",
      'Cannot create UDP modem: options.peers[0].hostname "::1" is not an IPv4 address',
    ],
    [
      [{ hostname: "127.0.0.1", port: "9" }],
      "TypeError",
      "Cannot create UDP modem: options.peers[0].port must be a number, got string",
    ],
    [
      [{ hostname: "127.0.0.1", port: 0 }],
      "RangeError",
      "Cannot create UDP modem: options.peers[0].port 0 is not an integer in 1-65535",
    ],
    [
      [{ hostname: "127.0.0.1", port: 65536 }],
      "RangeError",
      "Cannot create UDP modem: options.peers[0].port 65536 is not an integer in 1-65535",
    ],
    [
      [{ hostname: "127.0.0.1", port: 1.5 }],
      "RangeError",
      "Cannot create UDP modem: options.peers[0].port 1.5 is not an integer in 1-65535",
    ],
  ];
  for (const [peers, name, message] of cases) {
    await assert.rejects(
      UdpModem.create({ peers: peers as UdpModemPeer[] }),
      { name, message },
      message,
    );
  }
});

Deno.test("UdpModem.create on a port in use names the address and port", async () => {
  await using taken = await UdpModem.create({ peers: [] });
  await assert.rejects(
    UdpModem.create({ peers: [], port: taken.port }),
    (error) => {
      assert.ok(error instanceof Deno.errors.AddrInUse);
      assert.equal(
        error.message,
        `Cannot create UDP modem on 127.0.0.1:${taken.port}: Address already in use (os error 98)`,
      );
      assert.ok(error.cause instanceof Deno.errors.AddrInUse);
      return true;
    },
  );
});

Deno.test("UdpModem: a receive error that repeats does not starve timers and is counted", async () => {
  await withFailingReceive(async (calls) => {
    await using modem = await UdpModem.create({ peers: [] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(calls() < 100, `${calls()} receive attempts within 20 ms`);
    assert.equal(modem.stats.receiveErrors, calls());
  });
});

Deno.test("UdpModem: foreign and malformed datagrams are dropped and counted", async () => {
  await using modem = await UdpModem.create({ peers: [] });
  modem.open(7);
  const heard = collect(modem);
  using raw = DatagramEndpoint.bind();
  // Seeded random datagrams, then one valid one.
  let state = 99;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) >>> 24;
  for (let i = 0; i < 200; i++) {
    const bytes = Uint8Array.from({ length: next() % 40 }, next);
    if (bytes[0] === 0x43) bytes[0] = 0;
    await raw.send(bytes, "127.0.0.1", modem.port);
  }
  await raw.send(
    new Uint8Array([0x43, 0x4d, 1, 0, 1, 2, 3, 4, 0, 7, 0, 8, 42]),
    "127.0.0.1",
    modem.port,
  );
  await until(() => heard.length === 1);
  assert.deepEqual(heard[0].payload, new Uint8Array([42]));
  assert.equal(heard[0].replyChannel, 8);
  assert.equal(modem.stats.dropped, 200);
});

Deno.test({
  name: "UdpModem multicast + CryptoNet inside a private network namespace",
  ignore: !netnsAvailable(),
  async fn() {
    const out = await runInNetns(
      new URL("./netns/udp_modem_multicast.ts", import.meta.url),
      { timeout: 30_000 },
    );
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), {
      mode: "multicast",
      raw: [5, 6, 1, 2, 3],
      selfHeard: 0,
      burst: [0, 1, 2, 3, 4],
      found: ["mc-door"],
      protocol: "Noise_NX_25519_ChaChaPoly_SHA256",
      loggedIn: true,
      permissionLevel: 2,
      received: 20,
      echoes: 20,
      lastEcho: "echo m19",
    });
  },
});
