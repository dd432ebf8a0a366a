// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { Address, resolveAddress } from "../../net/address.ts";
import { openUdp, Udp } from "../../net/udp.ts";
import { Datagram } from "../../net/datagram.ts";
import { withFailingReceive } from "../_failing_receive.ts";
import { pollFor } from "./_poll_helpers.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const local = resolveAddress("127.0.0.1");

Deno.test("openUdp sends and receives datagrams between two sockets", async () => {
  await using a = openUdp(local, 0);
  await using b = openUdp(local, 0);
  assert.ok(a instanceof Udp);
  assert.ok(a.getPort() > 0 && b.getPort() > 0);
  assert.equal(a.receive(), null);
  assert.equal(a.send(local, b.getPort(), "hello"), true);
  assert.equal(
    a.send(local, b.getPort(), encoder.encode("bytes\x00\xff")),
    true,
  );
  const first = await pollFor(() => b.receive());
  assert.ok(first instanceof Datagram);
  assert.equal(decoder.decode(first.getData()), "hello");
  assert.equal(first.getPort(), a.getPort());
  assert.ok(first.getAddress() instanceof Address);
  assert.equal(first.getAddress().getIp(), "127.0.0.1");
  assert.equal(first.getAddress().getStatus(), "success");
  const second = await pollFor(() => b.receive());
  assert.deepEqual(second.getData(), encoder.encode("bytes\x00\xff"));
  assert.equal(b.receive(), null);
  // Reply to the sender's address.
  assert.equal(b.send(first.getAddress(), first.getPort(), "reply"), true);
  const reply = await pollFor(() => a.receive());
  assert.equal(decoder.decode(reply.getData()), "reply");
  assert.equal(reply.getPort(), b.getPort());
  assert.equal(a.error, null);
  assert.equal(b.dropped, 0);
});

Deno.test("Udp keeps at most maxQueued datagrams, dropping the oldest", async () => {
  await using receiver = openUdp(local, 0, { maxQueued: 2 });
  await using sender = openUdp(local, 0);
  for (let i = 0; i < 5; i++) {
    assert.equal(sender.send(local, receiver.getPort(), `${i}`), true);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(receiver.dropped, 3);
  assert.equal(decoder.decode(receiver.receive()!.getData()), "3");
  assert.equal(decoder.decode(receiver.receive()!.getData()), "4");
  assert.equal(receiver.receive(), null);
});

Deno.test("Udp.send returns false when too many sends are in flight", async () => {
  await using receiver = openUdp(local, 0);
  await using sender = openUdp(local, 0, { maxPendingSends: 1 });
  assert.equal(sender.send(local, receiver.getPort(), "a"), true);
  assert.equal(sender.send(local, receiver.getPort(), "b"), false);
  assert.equal(
    decoder.decode((await pollFor(() => receiver.receive())).getData()),
    "a",
  );
  assert.equal(sender.send(local, receiver.getPort(), "c"), true);
});

Deno.test("Udp after close: receive null, send throws", async () => {
  const udp = openUdp(local, 0);
  udp.close();
  udp.close();
  await udp.closed;
  assert.equal(udp.receive(), null);
  assert.throws(() => udp.send(local, 9, "x"), {
    name: "ConnectionClosedError",
    message: "Cannot send datagram: socket is closed",
  });
});

Deno.test("openUdp and send argument checks", async () => {
  assert.throws(() => openUdp(local, 70000), {
    name: "RangeError",
    message:
      "Cannot open UDP socket: port must be an integer from 0 to 65535, got 70000",
  });
  assert.throws(() => openUdp("127.0.0.1" as never, 0), {
    name: "TypeError",
    message:
      "Cannot open UDP socket: address must be an Address (use resolveAddress())",
  });
  await using udp = openUdp(local, 0);
  const pending = resolveAddress("localhost");
  assert.throws(() => udp.send(pending, 9, "x"), {
    name: "Error",
    message:
      "Cannot send datagram: address localhost is not resolved (status waiting)",
  });
  await pending.waitUntilResolved(-1);
  assert.throws(() => udp.send(local, 0x10000, "x"), RangeError);
  assert.throws(() => udp.send(local, 9, 42 as unknown as string), {
    name: "TypeError",
    message: "Cannot send datagram: data must be a Uint8Array or string",
  });
  assert.throws(() => udp.send(local, 9, new Uint8Array(65508)), {
    name: "RangeError",
    message: "Cannot send datagram: size 65508 exceeds limit 65507",
  });
  assert.throws(() => openUdp(local, 0, { maxQueued: 0 }), RangeError);
});

Deno.test("openUdp on a port in use names the address and port", async () => {
  await using taken = openUdp(local, 0);
  assert.throws(() => openUdp(local, taken.getPort()), (error) => {
    assert.ok(error instanceof Deno.errors.AddrInUse);
    assert.equal(
      error.message,
      `Cannot open UDP socket on 127.0.0.1:${taken.getPort()}: Address already in use (os error 98)`,
    );
    assert.ok(error.cause instanceof Deno.errors.AddrInUse);
    return true;
  });
});

Deno.test("openUdp with null binds all interfaces", async () => {
  await using any = openUdp(null, 0);
  await using sender = openUdp(local, 0);
  assert.equal(sender.send(local, any.getPort(), "to any"), true);
  const datagram = await pollFor(() => any.receive());
  assert.equal(decoder.decode(datagram.getData()), "to any");
});

Deno.test("Udp: a receive error that repeats does not starve timers", async () => {
  await withFailingReceive(async (calls) => {
    await using udp = openUdp(local, 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(calls() < 100, `${calls()} receive attempts within 20 ms`);
    assert.equal(udp.error?.message, "Receive failed");
  });
});
