// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { DatagramEndpoint } from "../../net/datagram_endpoint.ts";
import { ConnectionClosedError } from "../../net/errors.ts";
import { netnsAvailable, runInNetns } from "../_netns.ts";

const text = (data: Uint8Array) => new TextDecoder().decode(data);
const bytes = (value: string) => new TextEncoder().encode(value);

Deno.test("DatagramEndpoint.bind reports the real port and exchanges datagrams", async () => {
  using a = DatagramEndpoint.bind();
  using b = DatagramEndpoint.bind({ hostname: "127.0.0.1", port: 0 });
  assert.equal(a.hostname, "127.0.0.1");
  assert.ok(a.port > 0 && b.port > 0 && a.port !== b.port);
  assert.equal(a.maxDatagramSize, 65507);

  assert.equal(await a.send(bytes("one"), "127.0.0.1", b.port), 3);
  assert.equal(await a.send(bytes("two"), "127.0.0.1", b.port), 3);
  const first = await b.receive();
  assert.deepEqual(first, {
    data: bytes("one"),
    hostname: "127.0.0.1",
    port: a.port,
  });
  assert.equal(text((await b.receive())!.data), "two");

  await b.send(bytes("back"), "127.0.0.1", a.port);
  const reply = await a.receive();
  assert.equal(text(reply!.data), "back");
  assert.equal(reply!.port, b.port);
  // Received payloads are exact-size copies.
  assert.equal(reply!.data.buffer.byteLength, 4);
});

Deno.test("DatagramEndpoint sends empty and maximum-size datagrams", async () => {
  using a = DatagramEndpoint.bind({ maxDatagramSize: 2000 });
  assert.equal(await a.send(new Uint8Array(0), "127.0.0.1", a.port), 0);
  assert.deepEqual((await a.receive())!.data, new Uint8Array(0));
  const big = new Uint8Array(2000).map((_, i) => i & 0xff);
  assert.equal(await a.send(big, "127.0.0.1", a.port), 2000);
  assert.deepEqual((await a.receive())!.data, big);
});

Deno.test("DatagramEndpoint drops received datagrams over maxDatagramSize", async () => {
  using small = DatagramEndpoint.bind({ maxDatagramSize: 50 });
  using big = DatagramEndpoint.bind();
  await big.send(new Uint8Array(51), "127.0.0.1", small.port);
  await big.send(new Uint8Array(50).fill(1), "127.0.0.1", small.port);
  assert.deepEqual((await small.receive())!.data, new Uint8Array(50).fill(1));
});

Deno.test("DatagramEndpoint.receive gives null for a pending call on close and after", async () => {
  const endpoint = DatagramEndpoint.bind();
  const pending = endpoint.receive();
  const second = endpoint.receive();
  endpoint.close();
  assert.equal(await pending, null);
  assert.equal(await second, null);
  assert.equal(await endpoint.receive(), null);
  assert.equal(endpoint.isClosed, true);
  await endpoint.closed;
  endpoint.close();
});

Deno.test("DatagramEndpoint async iteration ends when the endpoint closes", async () => {
  const endpoint = DatagramEndpoint.bind();
  for (const n of [1, 2, 3]) {
    await endpoint.send(new Uint8Array([n]), "127.0.0.1", endpoint.port);
  }
  const seen: number[] = [];
  for await (const datagram of endpoint) {
    seen.push(datagram.data[0]);
    if (seen.length === 3) setTimeout(() => endpoint.close(), 10);
  }
  assert.deepEqual(seen, [1, 2, 3]);
});

Deno.test("DatagramEndpoint.send validates its arguments and refuses after close", async () => {
  const endpoint = DatagramEndpoint.bind({ maxDatagramSize: 10 });
  await assert.rejects(endpoint.send(new Uint8Array(11), "127.0.0.1", 9), {
    name: "RangeError",
    message: "Cannot send datagram: size 11 exceeds limit 10",
  });
  await assert.rejects(endpoint.send(new Uint8Array(1), "127.0.0.1", 0), {
    name: "RangeError",
    message: "Cannot send datagram: port 0 is not an integer in 1..65535",
  });
  await assert.rejects(endpoint.send(new Uint8Array(1), "127.0.0.1", 70000), {
    name: "RangeError",
    message: "Cannot send datagram: port 70000 is not an integer in 1..65535",
  });
  await assert.rejects(
    endpoint.send("x" as unknown as Uint8Array, "127.0.0.1", 9),
    {
      name: "TypeError",
      message: "Cannot send datagram: data must be a Uint8Array, got string",
    },
  );
  endpoint.close();
  await assert.rejects(endpoint.send(new Uint8Array(1), "127.0.0.1", 9), {
    name: "ConnectionClosedError",
    message: "Cannot send datagram: endpoint is closed",
  });
  assert.ok(new ConnectionClosedError("x") instanceof Error);
});

Deno.test("DatagramEndpoint.bind validates options", () => {
  assert.throws(() => DatagramEndpoint.bind({ port: -1 }), {
    name: "RangeError",
    message:
      "Cannot bind datagram endpoint: port -1 is not an integer in 0..65535",
  });
  assert.throws(() => DatagramEndpoint.bind({ maxDatagramSize: 70000 }), {
    name: "RangeError",
    message:
      "Cannot bind datagram endpoint: maxDatagramSize 70000 is not an integer in 1..65507",
  });
  using taken = DatagramEndpoint.bind();
  assert.throws(() => DatagramEndpoint.bind({ port: taken.port }), (error) => {
    assert.ok(error instanceof Deno.errors.AddrInUse);
    assert.equal(
      error.message,
      `Cannot bind datagram endpoint on 127.0.0.1:${taken.port}: Address already in use (os error 98)`,
    );
    assert.ok(error.cause instanceof Deno.errors.AddrInUse);
    assert.equal(
      (error.cause as Error).message,
      "Address already in use (os error 98)",
    );
    return true;
  });
  using shared1 = DatagramEndpoint.bind({ reuseAddress: true });
  using shared2 = DatagramEndpoint.bind({
    reuseAddress: true,
    port: shared1.port,
  });
  assert.equal(shared2.port, shared1.port);
});

Deno.test("DatagramEndpoint keeps broadcast off until setBroadcast(true)", async () => {
  using endpoint = DatagramEndpoint.bind();
  assert.equal(endpoint.broadcast, false);
  await assert.rejects(endpoint.send(new Uint8Array(1), "255.255.255.255", 9), {
    name: "Error",
    message:
      "Cannot send datagram: 255.255.255.255 is a broadcast address and broadcast is off; call setBroadcast(true) first",
  });
  // The loopback network's directed broadcast address counts too.
  await assert.rejects(endpoint.send(new Uint8Array(1), "127.255.255.255", 9), {
    message:
      "Cannot send datagram: 127.255.255.255 is a broadcast address and broadcast is off; call setBroadcast(true) first",
  });
  endpoint.setBroadcast(true);
  assert.equal(endpoint.broadcast, true);
  endpoint.setBroadcast(false);
  assert.throws(() => endpoint.setBroadcast(1 as unknown as boolean), {
    name: "TypeError",
    message: "Cannot set broadcast: enabled must be a boolean, got number",
  });
});

Deno.test("DatagramEndpoint.joinMulticast validates the group", async () => {
  using endpoint = DatagramEndpoint.bind();
  await assert.rejects(endpoint.joinMulticast("not-an-ip"), {
    name: "TypeError",
    message: "Cannot join multicast group: not-an-ip is not an IPv4 address",
  });
  await assert.rejects(endpoint.joinMulticast("192.168.1.1"), {
    name: "RangeError",
    message: "Cannot join multicast group: 192.168.1.1 is not in 224.0.0.0/4",
  });
  await assert.rejects(endpoint.joinMulticast("239.1.1.1", "eth0"), {
    name: "TypeError",
    message:
      "Cannot join multicast group: interface eth0 is not an IPv4 address",
  });
  await endpoint.leaveMulticast("239.1.1.1");
});

Deno.test({
  name:
    "DatagramEndpoint multicast and broadcast inside a private network namespace",
  ignore: !netnsAvailable(),
  async fn() {
    const out = await runInNetns(
      new URL("./netns/datagram_multicast.ts", import.meta.url),
      { setup: ["ip route add 255.255.255.255 dev lo"] },
    );
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout.trim()), {
      multicast: "to the group",
      multicastFromSender: true,
      broadcastOff:
        "Cannot send datagram: 255.255.255.255 is a broadcast address and broadcast is off; call setBroadcast(true) first",
      broadcastOn: "to everyone",
      left: true,
    });
  },
});
