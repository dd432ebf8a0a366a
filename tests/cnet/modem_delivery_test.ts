// Copyright 2026 the moonwire authors. MIT license.
// The delivery guarantee (DESIGN §3) for modems: every accepted transmission
// reaches the medium once and in order, right after create() and right
// before close(), at every pause of the schedule. UdpModem is checked against
// a raw Deno.listenDatagram peer on 127.0.0.1 (peer-list mode), MemoryModem
// against another modem of a network without fault injection.
import assert from "node:assert/strict";
import {
  MemoryNetwork,
  type ModemMessage,
  UDP_MODEM_HEADER_LENGTH,
  UdpModem,
} from "../../cnet/mod.ts";
import { pauses } from "../_schedule.ts";
import { rawUdpPeer } from "../_udp_peer.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const BURST = 5;

function burst(label: string): string[] {
  return Array.from({ length: BURST }, (_, i) => `${label} ${i}`);
}

Deno.test("UdpModem: transmissions right after create() and before close() reach the peer in order", async () => {
  await using peer = rawUdpPeer();
  for (const pause of pauses()) {
    const modem = await UdpModem.create({
      peers: [{ hostname: "127.0.0.1", port: peer.port }],
    });
    for (const text of burst(`${pause.name} a`)) {
      modem.transmit(1, 2, encoder.encode(text));
    }
    await pause.wait();
    for (const text of burst(`${pause.name} b`)) {
      modem.transmit(1, 2, encoder.encode(text));
    }
    modem.close();
    await modem.closed;
    assert.deepEqual(modem.stats, {
      sent: 2 * BURST,
      sendErrors: 0,
      receiveErrors: 0,
      delivered: 0,
      dropped: 0,
    });
    await peer.expectInOrder(
      [...burst(`${pause.name} a`), ...burst(`${pause.name} b`)],
      pause.name,
      UDP_MODEM_HEADER_LENGTH,
    );
  }
});

Deno.test("UdpModem: the header of a transmission names the channels", async () => {
  await using peer = rawUdpPeer();
  const modem = await UdpModem.create({
    peers: [{ hostname: "127.0.0.1", port: peer.port }],
  });
  modem.transmit(0x1234, 0xfedc, new Uint8Array([9]));
  modem.close();
  await modem.closed;
  await peer.waitFor(1, "one transmission");
  const datagram = peer.received[0];
  assert.deepEqual(datagram.subarray(0, 4), new Uint8Array([0x43, 0x4d, 1, 0]));
  assert.deepEqual(
    datagram.subarray(8),
    new Uint8Array([0x12, 0x34, 0xfe, 0xdc, 9]),
  );
});

Deno.test("MemoryModem: transmissions across pauses and the sender's close arrive once, in order", async () => {
  using network = new MemoryNetwork();
  const receiver = network.createModem();
  receiver.open(1);
  const heard: ModemMessage[] = [];
  receiver.subscribe((message) => heard.push(message));
  const expected: string[] = [];
  for (const pause of pauses()) {
    const sender = network.createModem();
    for (const text of burst(`${pause.name} a`)) {
      sender.transmit(1, 2, encoder.encode(text));
    }
    await pause.wait();
    for (const text of burst(`${pause.name} b`)) {
      sender.transmit(1, 2, encoder.encode(text));
    }
    sender.close();
    expected.push(...burst(`${pause.name} a`), ...burst(`${pause.name} b`));
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(
      heard.map((message) => decoder.decode(message.payload)),
      expected,
      pause.name,
    );
  }
  assert.equal(network.stats.transmitted, expected.length);
  assert.equal(network.stats.delivered, expected.length);
});

Deno.test("MemoryModem: a delivery delay keeps the order and survives the sender's close", async () => {
  using network = new MemoryNetwork({ delay: 2 });
  const receiver = network.createModem();
  receiver.open(1);
  const heard: string[] = [];
  receiver.subscribe((message) => heard.push(decoder.decode(message.payload)));
  const expected: string[] = [];
  for (const pause of pauses(4)) {
    const sender = network.createModem();
    sender.transmit(1, 2, encoder.encode(`${pause.name} a`));
    await pause.wait();
    sender.transmit(1, 2, encoder.encode(`${pause.name} b`));
    sender.close();
    expected.push(`${pause.name} a`, `${pause.name} b`);
  }
  const deadline = performance.now() + 3000;
  while (heard.length < expected.length && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.deepEqual(heard, expected);
});
