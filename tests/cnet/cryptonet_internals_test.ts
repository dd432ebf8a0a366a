// Copyright 2026 the moonwire authors. MIT license.
// Unit tests of the CryptoNet building blocks: replay window, reassembly,
// packet codec (with seeded random input), event queue, channels.
import assert from "node:assert/strict";
import { ReplayWindow } from "../../cnet/cryptonet/_replay_window.ts";
import { Reassembly } from "../../cnet/cryptonet/_reassembly.ts";
import * as packet from "../../cnet/cryptonet/_packet.ts";
import { EventQueue } from "../../cnet/cryptonet/_event_queue.ts";
import {
  DISCOVERY_CHANNEL,
  serverChannel,
} from "../../cnet/cryptonet/_server_channel.ts";
import { ephemeralKeyPair } from "../../cnet/cryptonet/_x25519.ts";
import {
  EPHEMERAL_POOL_SIZE,
  pooledEphemeralKeys,
  takeEphemeralKey,
} from "../../crypto/_ephemeral_pool.ts";
import { keyPairFromPrivateKey } from "../../crypto/mod.ts";
import { mulberry32 } from "../_random.ts";
import { createWorld } from "./_cryptonet_fixtures.ts";

Deno.test("ReplayWindow accepts each counter once, tolerates reordering, rejects old", () => {
  const window = new ReplayWindow(64);
  const accept = (n: number) => {
    const ok = window.check(BigInt(n));
    if (ok) window.commit(BigInt(n));
    return ok;
  };
  assert.equal(accept(0), true);
  assert.equal(accept(0), false);
  assert.equal(accept(5), true);
  assert.equal(accept(3), true);
  assert.equal(accept(3), false);
  assert.equal(accept(4), true);
  assert.equal(accept(100), true);
  assert.equal(accept(36), false); // 64 behind
  assert.equal(accept(37), true); // 63 behind
  assert.equal(accept(37), false);
  assert.equal(accept(5), false);
  assert.equal(accept(1000), true);
  assert.equal(accept(100), false);
  assert.equal(window.highest, 1000n);
  // check never records.
  assert.equal(window.check(1001n), true);
  assert.equal(window.check(1001n), true);
  assert.throws(() => new ReplayWindow(10), {
    name: "RangeError",
    message:
      "Cannot create replay window: size 10 is not a positive multiple of 32",
  });
});

Deno.test("ReplayWindow: random order delivery accepts exactly the fresh ones", () => {
  const random = mulberry32(77);
  const window = new ReplayWindow(1024);
  const seen = new Set<number>();
  let highest = -1;
  for (let i = 0; i < 20_000; i++) {
    const base = Math.floor(i / 2);
    const n = Math.max(0, base - Math.floor(random() * 1500));
    const fresh = !seen.has(n) && highest - n < 1024;
    const ok = window.check(BigInt(n));
    assert.equal(ok, fresh, `counter ${n} at step ${i}`);
    if (ok) {
      window.commit(BigInt(n));
      seen.add(n);
      highest = Math.max(highest, n);
    }
  }
});

Deno.test("Reassembly: completes in any order, bounded, times out", () => {
  const limits = {
    maxBytes: 100,
    maxFragments: 4,
    maxConcurrent: 2,
    timeout: 1000,
  };
  const r = new Reassembly(limits);
  const piece = (n: number) => new Uint8Array(10).fill(n);
  assert.equal(r.add(1, 2, 3, piece(3), 0), undefined);
  assert.equal(r.add(1, 0, 3, piece(1), 0), undefined);
  assert.equal(r.add(1, 0, 3, piece(9), 0), undefined); // duplicate ignored
  assert.deepEqual(
    r.add(1, 1, 3, piece(2), 0),
    new Uint8Array([...piece(1), ...piece(2), ...piece(3)]),
  );
  assert.equal(r.pending, 0);
  // Too many fragments, bad index, count mismatch.
  assert.equal(r.add(2, 0, 5, piece(1), 0), undefined);
  assert.equal(r.add(2, 3, 3, piece(1), 0), undefined);
  r.add(3, 0, 2, piece(1), 0);
  assert.equal(r.add(3, 1, 3, piece(1), 0), undefined);
  assert.equal(r.dropped, 3);
  // Too many bytes.
  r.add(4, 0, 2, new Uint8Array(60), 0);
  assert.equal(r.add(4, 1, 2, new Uint8Array(60), 0), undefined);
  assert.equal(r.dropped, 4);
  // Concurrency: the oldest partial is dropped.
  r.add(5, 0, 2, piece(1), 0);
  r.add(6, 0, 2, piece(1), 0);
  r.add(7, 0, 2, piece(1), 0);
  assert.equal(r.pending, 2);
  assert.equal(r.dropped, 5);
  assert.equal(r.add(5, 1, 2, piece(1), 0), undefined);
  // Timeout.
  r.sweep(5000);
  assert.equal(r.pending, 0);
});

Deno.test("Packet codec round-trips every packet type", () => {
  const id8 = new Uint8Array(8).fill(1);
  const id16 = new Uint8Array(16).fill(2);
  assert.deepEqual(packet.decodePacket(packet.encodeDiscover(id8)), {
    type: 1,
    requestId: id8,
  });
  assert.deepEqual(
    packet.decodePacket(
      packet.encodeDiscoverReply(id8, "srv", new Uint8Array([5])),
    ),
    { type: 2, requestId: id8, name: "srv", certificate: new Uint8Array([5]) },
  );
  assert.deepEqual(
    packet.decodePacket(packet.encodeDiscoverReply(id8, "srv", undefined)),
    {
      type: 2,
      requestId: id8,
      name: "srv",
      certificate: undefined,
    },
  );
  assert.deepEqual(packet.decodePacket(packet.encodeCertRequest(id8, "ü")), {
    type: 3,
    requestId: id8,
    name: "ü",
  });
  assert.deepEqual(
    packet.decodePacket(
      packet.encodeHello(
        id16,
        packet.HandshakePattern.NX,
        "n",
        new Uint8Array(32),
      ),
    ),
    {
      type: 5,
      sessionId: id16,
      pattern: 2,
      name: "n",
      message: new Uint8Array(32),
    },
  );
  assert.deepEqual(
    packet.decodePacket(packet.encodeHelloReply(id16, new Uint8Array([1]))),
    {
      type: 6,
      sessionId: id16,
      message: new Uint8Array([1]),
    },
  );
  const header = packet.encodeDataHeader(7, id16, 0x0102030405060708n);
  const data = packet.decodePacket(
    packet.joinBytes(header, new Uint8Array(17)),
  );
  assert.equal(data?.type, 7);
  assert.equal((data as { counter: bigint }).counter, 0x0102030405060708n);
  assert.deepEqual((data as { header: Uint8Array }).header, header);
  assert.deepEqual(
    packet.decodePacket(packet.encodePlain(9, id16, new Uint8Array([3]))),
    {
      type: 9,
      sessionId: id16,
      body: new Uint8Array([3]),
    },
  );
  assert.throws(() => packet.encodeHello(id16, 1, "", new Uint8Array(1)), {
    name: "RangeError",
    message: "Cannot connect: server name must be 1-128 UTF-8 bytes, got 0",
  });
});

Deno.test("Packet codec: seeded random and mutated input never throws", () => {
  const random = mulberry32(1234);
  const valid = [
    packet.encodeDiscover(new Uint8Array(8)),
    packet.encodeDiscoverReply(new Uint8Array(8), "abc", new Uint8Array(40)),
    packet.encodeCertRequest(new Uint8Array(8), "abc"),
    packet.encodeHello(new Uint8Array(16), 1, "abc", new Uint8Array(48)),
    packet.encodeHello(
      new Uint8Array(16),
      2,
      "abc",
      new Uint8Array(32),
      new Uint8Array(32),
    ),
    packet.encodeCookie(new Uint8Array(16), new Uint8Array(32)),
    packet.joinBytes(
      packet.encodeDataHeader(8, new Uint8Array(16), 1n),
      new Uint8Array(30),
    ),
  ];
  let parsed = 0;
  for (let i = 0; i < 20_000; i++) {
    let bytes: Uint8Array<ArrayBuffer>;
    if (i % 2 === 0) {
      bytes = Uint8Array.from(
        { length: Math.floor(random() * 200) },
        () => Math.floor(random() * 256),
      );
      if (i % 4 === 0 && bytes.length >= 4) bytes.set([0x43, 0x4e, 1], 0);
    } else {
      const base = valid[i % valid.length];
      bytes = base.slice(0, Math.floor(random() * (base.length + 1)));
      if (bytes.length > 0) {
        bytes[Math.floor(random() * bytes.length)] ^= 1 <<
          Math.floor(random() * 8);
      }
    }
    if (packet.decodePacket(bytes) !== undefined) parsed++;
  }
  assert.ok(parsed > 0);
});

Deno.test("EventQueue: bounded, drops oldest, wakes readers, ends on close", async () => {
  const queue = new EventQueue<number>(3);
  for (let i = 0; i < 5; i++) queue.push(i);
  assert.equal(queue.dropped, 2);
  assert.equal(await queue.next(), 2);
  const waiting = [queue.next(), queue.next(), queue.next()];
  queue.push(9);
  assert.deepEqual(await Promise.all(waiting.slice(0, 2)), [3, 4]);
  assert.equal(await waiting[2], 9);
  const pending = queue.next();
  queue.close();
  assert.equal(await pending, undefined);
  assert.equal(await queue.next(), undefined);
});

Deno.test("Server channels are derived from the name and avoid discovery", () => {
  assert.equal(serverChannel("door"), serverChannel("door"));
  assert.notEqual(serverChannel("door"), serverChannel("door2"));
  for (let i = 0; i < 5000; i++) {
    assert.notEqual(serverChannel(`name${i}`), DISCOVERY_CHANNEL);
  }
});

Deno.test("ephemeralKeyPair: native X25519 pairs that match", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const pair = ephemeralKeyPair();
    assert.equal(pair.privateKey.length, 32);
    assert.deepEqual(
      keyPairFromPrivateKey("x25519", pair.privateKey).publicKey,
      pair.publicKey,
    );
    seen.add(pair.publicKey.join());
  }
  assert.equal(seen.size, 20);
});

Deno.test("connect refills the ephemeral key pool on both ends once their handshake messages are out", async () => {
  await using world = await createWorld();
  const server = await world.node("server");
  const client = await world.node("client");
  const hosted = await server.host("pool");
  const drain = () => {
    while (pooledEphemeralKeys() > 0) takeEphemeralKey();
  };
  drain();
  const received = new Promise((resolve) =>
    server.on("encrypted_message", resolve)
  );
  const socket = await client.connect("pool", {
    certificate: hosted.certificate,
  });
  // Refilled after the HELLO and again after the answer: full.
  assert.equal(pooledEphemeralKeys(), EPHEMERAL_POOL_SIZE);
  await client.send(socket, "x");
  await received;
  socket.close();
});

Deno.test("Packet encoders write the documented layout byte for byte", () => {
  const id8 = Uint8Array.from({ length: 8 }, (_, i) => i + 1);
  const id16 = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
  const hex = (bytes: Uint8Array) => bytes.toHex();
  const session = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";
  assert.equal(
    hex(packet.encodeDiscover(id8)),
    "434e01010102030405060708",
  );
  assert.equal(
    hex(packet.encodeDiscoverReply(id8, "sü", Uint8Array.of(9, 8))),
    "434e01020102030405060708010373c3bc0908",
  );
  assert.equal(
    hex(packet.encodeDiscoverReply(id8, "s", undefined)),
    "434e01020102030405060708000173",
  );
  assert.equal(
    hex(packet.encodeCertRequest(id8, "ab")),
    "434e01030102030405060708026162",
  );
  assert.equal(
    hex(packet.encodeCertReply(id8, Uint8Array.of(7, 7, 7))),
    "434e01040102030405060708070707",
  );
  assert.equal(
    hex(packet.encodeHello(id16, 2, "x", Uint8Array.of(1, 2, 3))),
    `434e0105${session}020178010203`,
  );
  assert.equal(
    hex(packet.encodeHelloReply(id16, Uint8Array.of(4, 5))),
    `434e0106${session}0405`,
  );
  assert.equal(
    hex(packet.encodePlain(9, id16, Uint8Array.of(0xff))),
    `434e0109${session}ff`,
  );
  assert.equal(
    hex(packet.encodeDataHeader(8, id16, 0x0102030405060708n)),
    `434e0108${session}0102030405060708`,
  );
});
