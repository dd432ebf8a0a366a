// Copyright 2026 the moonwire authors. MIT license.
// The bounded datagram send queue (maxPendingSends, maxPendingBytes) of the
// transport core and both socket APIs: each queue is filled synchronously
// past its bound against a raw Deno.listenDatagram peer; exactly the
// accepted datagrams arrive, in order, the refused ones are reported in the
// face's own idiom (a RangeError, `false`), and the queue accepts again once
// it drained.
import assert from "node:assert/strict";
import { DatagramEndpoint } from "../../net/datagram_endpoint.ts";
import { openUdp } from "../../net/udp.ts";
import { resolveAddress } from "../../net/address.ts";
import { createUdpEndpoint } from "../../net/create_udp_endpoint.ts";
import { pauses } from "../_schedule.ts";
import { rawUdpPeer } from "../_udp_peer.ts";
import { silentCallbacks } from "./_udp_callbacks.ts";
import { pollFor } from "./_poll_helpers.ts";

const encoder = new TextEncoder();
const local = resolveAddress("127.0.0.1");

function labels(label: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${label} ${i}`);
}

// A payload of exactly `size` bytes that starts with `label`.
function sized(label: string, size: number): string {
  return label.padEnd(size, ".");
}

Deno.test("DatagramEndpoint: a send past maxPendingSends rejects with a RangeError; exactly the accepted ones arrive, in order; the drained queue takes as many again", async () => {
  await using peer = rawUdpPeer();
  await using endpoint = DatagramEndpoint.bind({ maxPendingSends: 4 });
  assert.equal(endpoint.maxPendingSends, 4);
  assert.equal(endpoint.maxPendingBytes, 4 * 1024 * 1024);
  for (const round of ["first", "second"]) {
    const accepted = labels(round, 4).map((text) =>
      endpoint.send(encoder.encode(text), "127.0.0.1", peer.port)
    );
    const refused = [
      endpoint.send(encoder.encode("refused"), "127.0.0.1", peer.port),
      endpoint.send(encoder.encode("refused"), "127.0.0.1", peer.port),
    ];
    assert.equal(endpoint.pendingSends, 4, round);
    assert.equal(endpoint.pendingBytes, 4 * `${round} 0`.length, round);
    for (const send of refused) {
      await assert.rejects(send, {
        name: "RangeError",
        message:
          `Cannot send datagram to 127.0.0.1:${peer.port}: send queue is full (4 datagrams)`,
      });
    }
    assert.deepEqual(
      await Promise.all(accepted),
      labels(round, 4).map((text) => text.length),
    );
    // Settled means taken by the socket: the queue is empty again.
    assert.equal(endpoint.pendingSends, 0, round);
    assert.equal(endpoint.pendingBytes, 0, round);
    await peer.expectInOrder(labels(round, 4), round);
  }
});

Deno.test("DatagramEndpoint: maxPendingBytes refuses the datagram that does not fit and accepts a smaller one that does", async () => {
  await using peer = rawUdpPeer();
  await using endpoint = DatagramEndpoint.bind({
    maxDatagramSize: 1000,
    maxPendingBytes: 2500,
  });
  const send = (text: string) =>
    endpoint.send(encoder.encode(text), "127.0.0.1", peer.port);
  const a = send(sized("a", 1000));
  const b = send(sized("b", 1000));
  const tooBig = send(sized("too big", 1000));
  const c = send(sized("c", 500));
  const overByOne = send("x");
  assert.equal(endpoint.pendingBytes, 2500);
  await assert.rejects(tooBig, {
    name: "RangeError",
    message:
      `Cannot send datagram to 127.0.0.1:${peer.port}: send queue is full (2000 of 2500 bytes queued, 1000 more do not fit)`,
  });
  await assert.rejects(overByOne, {
    name: "RangeError",
    message:
      `Cannot send datagram to 127.0.0.1:${peer.port}: send queue is full (2500 of 2500 bytes queued, 1 more do not fit)`,
  });
  assert.deepEqual(await Promise.all([a, b, c]), [1000, 1000, 500]);
  assert.equal(await send(sized("after", 1000)), 1000);
  await peer.expectInOrder(
    [sized("a", 1000), sized("b", 1000), sized("c", 500), sized("after", 1000)],
    "byte bound",
  );
});

Deno.test("DatagramEndpoint: a full queue, then close(): every accepted datagram arrives before the socket closes", async () => {
  await using peer = rawUdpPeer();
  const endpoint = DatagramEndpoint.bind({ maxPendingSends: 3 });
  const sends = labels("close", 5).map((text) =>
    endpoint.send(encoder.encode(text), "127.0.0.1", peer.port)
  );
  endpoint.close();
  const results = await Promise.allSettled(sends);
  assert.deepEqual(
    results.map((result) => result.status),
    ["fulfilled", "fulfilled", "fulfilled", "rejected", "rejected"],
  );
  await endpoint.closed;
  await peer.expectInOrder(labels("close", 3), "full, then close");
});

Deno.test("DatagramEndpoint: fill, pause, send again, close: exactly the accepted datagrams arrive, in order", async () => {
  await using peer = rawUdpPeer();
  for (const pause of pauses()) {
    const endpoint = DatagramEndpoint.bind({ maxPendingSends: 3 });
    const texts = [
      ...labels(`${pause.name} a`, 5),
      ...labels(`${pause.name} b`, 5),
    ];
    // Settled at once, so a refusal is not an unhandled rejection during
    // the pause.
    const send = (text: string) =>
      Promise.allSettled([
        endpoint.send(encoder.encode(text), "127.0.0.1", peer.port),
      ]).then(([result]) => result);
    const sends = texts.slice(0, 5).map(send);
    await pause.wait();
    sends.push(...texts.slice(5).map(send));
    endpoint.close();
    const results = await Promise.all(sends);
    for (const result of results) {
      if (result.status === "rejected") {
        assert.match(
          result.reason.message,
          /^Cannot send datagram to 127\.0\.0\.1:\d+: send queue is full \(3 datagrams\)$/,
          pause.name,
        );
      }
    }
    const accepted = texts.filter((_, i) => results[i].status === "fulfilled");
    // Of the synchronous five, three fit; how many of the five after the
    // pause fit depends on how much the pause let the socket take.
    assert.deepEqual(
      results.slice(0, 5).map((result) => result.status),
      ["fulfilled", "fulfilled", "fulfilled", "rejected", "rejected"],
      pause.name,
    );
    await endpoint.closed;
    await peer.expectInOrder(accepted, pause.name);
  }
});

Deno.test("DatagramEndpoint.bind checks the send-queue bounds", () => {
  assert.throws(() => DatagramEndpoint.bind({ maxPendingSends: 0 }), {
    name: "RangeError",
    message:
      "Cannot bind datagram endpoint: maxPendingSends must be a positive integer, got 0",
  });
  assert.throws(() => DatagramEndpoint.bind({ maxPendingBytes: 1.5 }), {
    name: "RangeError",
    message:
      "Cannot bind datagram endpoint: maxPendingBytes must be a positive integer, got 1.5",
  });
  assert.throws(
    () =>
      DatagramEndpoint.bind({
        maxPendingSends: "8" as unknown as number,
      }),
    {
      name: "TypeError",
      message:
        "Cannot bind datagram endpoint: maxPendingSends must be a number, got string",
    },
  );
  assert.throws(
    () =>
      DatagramEndpoint.bind({ maxDatagramSize: 1000, maxPendingBytes: 999 }),
    {
      name: "RangeError",
      message:
        "Cannot bind datagram endpoint: maxPendingBytes 999 is smaller than the largest datagram (1000 bytes)",
    },
  );
});

Deno.test("Udp.send returns false past maxPendingSends; exactly the accepted datagrams arrive, in order; it accepts again once drained", async () => {
  await using peer = rawUdpPeer();
  await using udp = openUdp(local, 0, { maxPendingSends: 4 });
  for (const text of labels("udp", 4)) {
    assert.equal(udp.send(local, peer.port, text), true, text);
  }
  assert.equal(udp.send(local, peer.port, "refused"), false);
  assert.equal(udp.send(local, peer.port, "refused"), false);
  await peer.expectInOrder(labels("udp", 4), "accepted");
  // Retrying a refused send is the documented idiom; each false sent nothing.
  await pollFor(() => udp.send(local, peer.port, "again") || null);
  await peer.expectInOrder(["again"], "after the drain");
  assert.equal(udp.error, null);
});

Deno.test("Udp.send returns false past maxPendingBytes", async () => {
  await using peer = rawUdpPeer();
  await using udp = openUdp(local, 0, { maxPendingBytes: 65507 });
  assert.equal(udp.send(local, peer.port, sized("a", 40000)), true);
  assert.equal(udp.send(local, peer.port, sized("too big", 30000)), false);
  assert.equal(udp.send(local, peer.port, sized("b", 25507)), true);
  assert.equal(udp.send(local, peer.port, "x"), false);
  udp.close();
  await udp.closed;
  assert.equal(udp.error, null);
  await peer.expectInOrder(
    [sized("a", 40000), sized("b", 25507)],
    "byte bound",
  );
});

Deno.test("Udp: fill past the bound, close at once: exactly the accepted datagrams arrive", async () => {
  await using peer = rawUdpPeer();
  const udp = openUdp(local, 0, { maxPendingSends: 3 });
  const outcomes = labels("udp close", 5).map((text) =>
    udp.send(local, peer.port, text)
  );
  udp.close();
  assert.deepEqual(outcomes, [true, true, true, false, false]);
  await udp.closed;
  await peer.expectInOrder(labels("udp close", 3), "full, then close");
});

Deno.test("openUdp checks the send-queue bounds", () => {
  assert.throws(() => openUdp(local, 0, { maxPendingSends: 0 }), {
    name: "RangeError",
    message:
      "Cannot open UDP socket: maxPendingSends must be a positive integer, got 0",
  });
  assert.throws(() => openUdp(local, 0, { maxPendingBytes: 65506 }), {
    name: "RangeError",
    message:
      "Cannot open UDP socket: maxPendingBytes 65506 is smaller than the largest datagram (65507 bytes)",
  });
});

Deno.test("UdpEndpoint.send returns false past maxPendingSends, without onError; exactly the accepted datagrams arrive, in order; it accepts again once drained", async () => {
  await using peer = rawUdpPeer();
  const errors: string[] = [];
  const endpoint = createUdpEndpoint(0, silentCallbacks(errors), {
    hostname: "127.0.0.1",
    maxPendingSends: 4,
  });
  for (const text of labels("callback", 4)) {
    assert.equal(endpoint.send(text, "127.0.0.1", peer.port), true, text);
  }
  assert.equal(endpoint.send("refused", "127.0.0.1", peer.port), false);
  assert.equal(endpoint.send("refused", "127.0.0.1", peer.port), false);
  assert.equal(endpoint.isOpen(), true);
  await peer.expectInOrder(labels("callback", 4), "accepted");
  await pollFor(() => endpoint.send("again", "127.0.0.1", peer.port) || null);
  await peer.expectInOrder(["again"], "after the drain");
  // Full again, then close at once: the accepted ones still arrive.
  const outcomes = labels("callback close", 6).map((text) =>
    endpoint.send(text, "127.0.0.1", peer.port)
  );
  endpoint.close();
  const accepted = labels("callback close", 6).filter((_, i) => outcomes[i]);
  assert.ok(accepted.length >= 3, `accepted ${accepted.length}`);
  assert.deepEqual(outcomes.slice(4), [false, false]);
  await endpoint.closed;
  await peer.expectInOrder(accepted, "full, then close");
  assert.deepEqual(errors, []);
});

Deno.test("UdpEndpoint.send returns false past maxPendingBytes", async () => {
  await using peer = rawUdpPeer();
  const errors: string[] = [];
  const endpoint = createUdpEndpoint(0, silentCallbacks(errors), {
    hostname: "127.0.0.1",
    maxPendingBytes: 65507,
  });
  assert.equal(endpoint.send(sized("a", 60000), "127.0.0.1", peer.port), true);
  assert.equal(endpoint.send(sized("b", 6000), "127.0.0.1", peer.port), false);
  assert.equal(endpoint.send(sized("c", 5507), "127.0.0.1", peer.port), true);
  endpoint.close();
  await endpoint.closed;
  await peer.expectInOrder([sized("a", 60000), sized("c", 5507)], "bytes");
  assert.deepEqual(errors, []);
});

Deno.test("createUdpEndpoint throws for a bad send-queue bound, before binding and without onError", () => {
  const errors: string[] = [];
  assert.throws(
    () =>
      createUdpEndpoint(0, silentCallbacks(errors), {
        hostname: "127.0.0.1",
        maxPendingSends: -1,
      }),
    {
      name: "RangeError",
      message:
        "Cannot bind UDP endpoint: maxPendingSends must be a positive integer, got -1",
    },
  );
  assert.deepEqual(errors, []);
});
