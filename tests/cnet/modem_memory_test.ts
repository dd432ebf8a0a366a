// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  MemoryModem,
  MemoryNetwork,
  type ModemMessage,
} from "../../cnet/mod.ts";

function collect(modem: MemoryModem): ModemMessage[] {
  const heard: ModemMessage[] = [];
  modem.subscribe((message) => heard.push(message));
  return heard;
}

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("MemoryModem hears open channels only, never its own", async () => {
  using network = new MemoryNetwork();
  const a = network.createModem();
  const b = network.createModem();
  const c = network.createModem();
  a.open(1);
  b.open(1);
  const heardA = collect(a);
  const heardB = collect(b);
  const heardC = collect(c);
  a.transmit(1, 9, new Uint8Array([1, 2]));
  c.transmit(2, 9, new Uint8Array([3]));
  await tick();
  assert.deepEqual(heardA, []);
  assert.deepEqual(heardB, [{
    channel: 1,
    replyChannel: 9,
    payload: new Uint8Array([1, 2]),
    distance: undefined,
  }]);
  assert.deepEqual(heardC, []);
  b.close(1);
  a.transmit(1, 9, new Uint8Array([4]));
  await tick();
  assert.equal(heardB.length, 1);
});

Deno.test("MemoryModem validates channels and payload size", () => {
  using network = new MemoryNetwork({ maxPayloadSize: 4 });
  using modem = new MemoryModem(network, { maxOpenChannels: 2 });
  assert.throws(() => modem.open(65536), {
    name: "RangeError",
    message: "Cannot open channel: channel 65536 is not an integer in 0-65535",
  });
  assert.throws(() => modem.open(-1), { name: "RangeError" });
  assert.throws(() => modem.open(1.5), { name: "RangeError" });
  assert.throws(() => modem.open("1" as unknown as number), {
    name: "TypeError",
    message: "Cannot open channel: channel must be a number, got string",
  });
  assert.throws(() => modem.transmit(1, 70000, new Uint8Array()), {
    name: "RangeError",
    message: "Cannot transmit: channel 70000 is not an integer in 0-65535",
  });
  assert.throws(() => modem.transmit(1, 1, new Uint8Array(5)), {
    name: "RangeError",
    message: "Cannot transmit: payload of 5 bytes exceeds limit 4",
  });
  modem.open(0);
  modem.open(65535);
  assert.throws(() => modem.open(3), {
    name: "RangeError",
    message: "Cannot open channel: 2 channels are already open",
  });
  modem.closeAll();
  assert.equal(modem.isOpen(0), false);
  modem.close();
  assert.equal(modem.isClosed, true);
  assert.throws(() => modem.transmit(1, 1, new Uint8Array()), {
    name: "Error",
    message: "Cannot transmit: modem is closed",
  });
  assert.throws(() => modem.open(1), {
    name: "Error",
    message: "Cannot open channel: modem is closed",
  });
  modem.close();
  assert.equal(modem.isOpen(0), false);
  assert.throws(() => new MemoryModem(network, { maxOpenChannels: 0 }), {
    name: "RangeError",
    message: "Cannot create modem: maxOpenChannels 0 is not in 1-65536",
  });
  using other = new MemoryModem(network);
  assert.throws(() => other.transmit(1, 1, [1] as unknown as Uint8Array), {
    name: "TypeError",
    message: "Cannot transmit: payload must be a Uint8Array",
  });
});

Deno.test("MemoryModem: receivers get independent copies", async () => {
  using network = new MemoryNetwork();
  const a = network.createModem();
  const b = network.createModem();
  const c = network.createModem();
  b.open(5);
  c.open(5);
  const heardB = collect(b);
  const heardC = collect(c);
  const payload = new Uint8Array([1, 2, 3]);
  a.transmit(5, 5, payload);
  payload[0] = 99;
  await tick();
  heardB[0].payload[1] = 42;
  assert.deepEqual(heardC[0].payload, new Uint8Array([1, 2, 3]));
});

Deno.test("MemoryNetwork without faults keeps order and loses nothing", async () => {
  using network = new MemoryNetwork();
  const a = network.createModem();
  const b = network.createModem();
  b.open(3);
  const heard = collect(b);
  for (let i = 0; i < 1000; i++) a.transmit(3, 3, new Uint8Array([i & 255]));
  await tick();
  assert.equal(heard.length, 1000);
  heard.forEach((m, i) => assert.equal(m.payload[0], i & 255));
  assert.deepEqual(network.stats, {
    transmitted: 1000,
    delivered: 1000,
    lost: 0,
    duplicated: 0,
    reordered: 0,
  });
});

Deno.test("MemoryNetwork fault injection is seeded and reproducible", async () => {
  async function run(): Promise<number[]> {
    using network = new MemoryNetwork({
      seed: 1234,
      loss: 0.1,
      duplication: 0.1,
      reordering: 0.1,
      reorderDelay: 3,
    });
    const a = network.createModem();
    const b = network.createModem();
    b.open(3);
    const heard = collect(b);
    for (let i = 0; i < 500; i++) {
      a.transmit(3, 3, new Uint8Array([i >> 8, i & 255]));
    }
    await tick(20);
    const stats = network.stats;
    assert.equal(stats.transmitted, 500);
    assert.ok(stats.lost > 20 && stats.lost < 90, `lost ${stats.lost}`);
    assert.ok(stats.duplicated > 20, `duplicated ${stats.duplicated}`);
    assert.ok(stats.reordered > 20, `reordered ${stats.reordered}`);
    assert.equal(heard.length, stats.delivered);
    assert.equal(stats.delivered, 500 - stats.lost + stats.duplicated);
    return heard.map((m) => (m.payload[0] << 8) | m.payload[1]);
  }
  const first = await run();
  const second = await run();
  assert.deepEqual(first, second);
  const sorted = [...first].sort((x, y) => x - y);
  assert.notDeepEqual(first, sorted);
});

Deno.test("MemoryNetwork delay and close cancel pending deliveries", async () => {
  const network = new MemoryNetwork({ delay: { min: 50, max: 100 } });
  const a = network.createModem();
  const b = network.createModem();
  b.open(1);
  const heard = collect(b);
  a.transmit(1, 1, new Uint8Array([1]));
  await tick(5);
  assert.equal(heard.length, 0);
  network.close();
  assert.equal(a.isClosed, true);
  assert.equal(b.isClosed, true);
  assert.throws(() => network.createModem(), {
    name: "Error",
    message: "Cannot create modem: network is closed",
  });
});

Deno.test("MemoryNetwork validates options", () => {
  assert.throws(() => new MemoryNetwork({ loss: 2 }), {
    name: "RangeError",
    message: "Cannot create memory network: loss 2 is not in 0-1",
  });
  assert.throws(() => new MemoryNetwork({ delay: { min: 5, max: 1 } }), {
    name: "RangeError",
    message: "Cannot create memory network: delay.max 1 is below delay.min 5",
  });
  assert.throws(() => new MemoryNetwork({ maxPayloadSize: 0 }), {
    name: "RangeError",
    message:
      "Cannot create memory network: maxPayloadSize 0 is not in 1-16777216",
  });
});
