// Copyright 2026 the moonwire authors. MIT license.
// The datagram delivery guarantee (DESIGN §3) for the transport core and both
// socket APIs: every accepted datagram is handed to the socket once, in the
// order of the sends, also when the sends straddle a pause, follow the bind
// in the same turn, or come right before close(). The receiver is a raw
// Deno.listenDatagram socket on 127.0.0.1.
import assert from "node:assert/strict";
import { DatagramEndpoint } from "../../net/datagram_endpoint.ts";
import { openUdp } from "../../net/udp.ts";
import { resolveAddress } from "../../net/address.ts";
import { createUdpEndpoint } from "../../net/create_udp_endpoint.ts";
import { pauses, randomPause, testSeed } from "../_schedule.ts";
import { rawUdpPeer } from "../_udp_peer.ts";
import { silentCallbacks } from "./_udp_callbacks.ts";

const encoder = new TextEncoder();
const local = resolveAddress("127.0.0.1");
const BURST = 5;

function burst(label: string): string[] {
  return Array.from({ length: BURST }, (_, i) => `${label} ${i}`);
}

Deno.test("DatagramEndpoint: send, pause, send, close hands both to the socket in order", async () => {
  await using peer = rawUdpPeer();
  for (const pause of pauses()) {
    const endpoint = DatagramEndpoint.bind();
    const first = endpoint.send(
      encoder.encode(`${pause.name} a`),
      "127.0.0.1",
      peer.port,
    );
    await pause.wait();
    const second = endpoint.send(
      encoder.encode(`${pause.name} b`),
      "127.0.0.1",
      peer.port,
    );
    endpoint.close();
    assert.deepEqual(await Promise.all([first, second]), [
      `${pause.name} a`.length,
      `${pause.name} b`.length,
    ], pause.name);
    await endpoint.closed;
    await peer.expectInOrder(
      [`${pause.name} a`, `${pause.name} b`],
      pause.name,
    );
  }
});

Deno.test("DatagramEndpoint: sends right after bind leave in order", async () => {
  await using peer = rawUdpPeer();
  for (const pause of pauses()) {
    const endpoint = DatagramEndpoint.bind();
    await pause.wait();
    const sends = burst(pause.name).map((text) =>
      endpoint.send(encoder.encode(text), "127.0.0.1", peer.port)
    );
    await Promise.all(sends);
    await peer.expectInOrder(burst(pause.name), pause.name);
    endpoint.close();
    await endpoint.closed;
  }
});

Deno.test("DatagramEndpoint: a send that fails does not stop the ones behind it", async () => {
  await using peer = rawUdpPeer();
  const endpoint = DatagramEndpoint.bind();
  const results = Promise.allSettled([
    endpoint.send(encoder.encode("one"), "127.0.0.1", peer.port),
    endpoint.send(encoder.encode("x"), "255.255.255.255", 9),
    endpoint.send(encoder.encode("three"), "127.0.0.1", peer.port),
  ]);
  endpoint.close();
  const [first, broadcast, third] = await results;
  assert.deepEqual(first, { status: "fulfilled", value: 3 });
  assert.equal(broadcast.status, "rejected");
  assert.equal(
    (broadcast as PromiseRejectedResult).reason.message,
    "Cannot send datagram: 255.255.255.255 is a broadcast address and broadcast is off; call setBroadcast(true) first",
  );
  assert.deepEqual(third, { status: "fulfilled", value: 5 });
  await assert.rejects(
    endpoint.send(encoder.encode("late"), "127.0.0.1", peer.port),
    {
      name: "ConnectionClosedError",
      message: "Cannot send datagram: endpoint is closed",
    },
  );
  await endpoint.closed;
  await peer.expectInOrder(["one", "three"], "after a failed send");
});

Deno.test("DatagramEndpoint copies the payload when the send is accepted", async () => {
  await using peer = rawUdpPeer();
  await using endpoint = DatagramEndpoint.bind();
  const data = encoder.encode("before");
  const first = endpoint.send(data, "127.0.0.1", peer.port);
  const second = endpoint.send(data, "127.0.0.1", peer.port);
  data.set(encoder.encode("after!"));
  await Promise.all([first, second]);
  await peer.expectInOrder(["before", "before"], "copies");
});

Deno.test("Udp: send, pause, send, close hands every accepted datagram to the socket in order", async () => {
  await using peer = rawUdpPeer();
  for (const pause of pauses()) {
    const udp = openUdp(local, 0);
    assert.equal(udp.send(local, peer.port, `${pause.name} a`), true);
    await pause.wait();
    assert.equal(udp.send(local, peer.port, `${pause.name} b`), true);
    udp.close();
    await udp.closed;
    assert.equal(udp.error, null, pause.name);
    await peer.expectInOrder(
      [`${pause.name} a`, `${pause.name} b`],
      pause.name,
    );
  }
});

Deno.test("Udp: sends right after open, then close, arrive in order", async () => {
  await using peer = rawUdpPeer();
  for (const pause of pauses()) {
    const udp = openUdp(local, 0);
    await pause.wait();
    for (const text of burst(pause.name)) {
      assert.equal(udp.send(local, peer.port, text), true);
    }
    udp.close();
    await udp.closed;
    await peer.expectInOrder(burst(pause.name), pause.name);
  }
});

Deno.test("UdpEndpoint: sends right after the bind arrive in order", async () => {
  await using peer = rawUdpPeer();
  const errors: string[] = [];
  for (const pause of pauses()) {
    const endpoint = createUdpEndpoint(0, silentCallbacks(errors), {
      hostname: "127.0.0.1",
    });
    await pause.wait();
    for (const text of burst(pause.name)) {
      assert.equal(endpoint.send(text, "127.0.0.1", peer.port), true);
    }
    await peer.expectInOrder(burst(pause.name), pause.name);
    endpoint.close();
    await endpoint.closed;
  }
  assert.deepEqual(errors, []);
});

Deno.test("UdpEndpoint: send, pause, send, close hands both to the socket in order", async () => {
  await using peer = rawUdpPeer();
  const errors: string[] = [];
  for (const pause of pauses()) {
    const endpoint = createUdpEndpoint(0, silentCallbacks(errors), {
      hostname: "127.0.0.1",
    });
    assert.equal(
      endpoint.send(`${pause.name} a`, "127.0.0.1", peer.port),
      true,
    );
    await pause.wait();
    assert.equal(
      endpoint.send(`${pause.name} b`, "127.0.0.1", peer.port),
      true,
    );
    endpoint.close();
    await endpoint.closed;
    await peer.expectInOrder(
      [`${pause.name} a`, `${pause.name} b`],
      pause.name,
    );
  }
  assert.deepEqual(errors, []);
});

Deno.test("DatagramEndpoint, Udp, UdpEndpoint: seeded random sends and pauses, then close, arrive once in order", async () => {
  const { random } = testSeed("datagram random schedule");
  await using peer = rawUdpPeer();
  const errors: string[] = [];
  for (let round = 0; round < 30; round++) {
    const face = round % 3;
    const endpoint = face === 0 ? DatagramEndpoint.bind() : undefined;
    const udp = face === 1 ? openUdp(local, 0) : undefined;
    const callback = face === 2
      ? createUdpEndpoint(0, silentCallbacks(errors), { hostname: "127.0.0.1" })
      : undefined;
    const sent: string[] = [];
    const accepted: Promise<number>[] = [];
    const count = 1 + Math.floor(random() * 6);
    for (let i = 0; i < count; i++) {
      if (random() < 0.5) await randomPause(random).wait();
      const text = `round ${round} face ${face} #${i}`;
      if (endpoint) {
        accepted.push(
          endpoint.send(encoder.encode(text), "127.0.0.1", peer.port),
        );
      }
      udp?.send(local, peer.port, text);
      callback?.send(text, "127.0.0.1", peer.port);
      sent.push(text);
    }
    if (random() < 0.5) await randomPause(random).wait();
    endpoint?.close();
    udp?.close();
    callback?.close();
    await Promise.all(accepted);
    await Promise.all([endpoint?.closed, udp?.closed, callback?.closed]);
    assert.equal(udp?.error ?? null, null);
    await peer.expectInOrder(sent, `round ${round}`);
  }
  assert.deepEqual(errors, []);
});
