// Copyright 2026 the moonwire authors. MIT license.
// createUdpEndpoint / UdpEndpoint (Cuberite cUDPEndpoint) on loopback, and
// enableBroadcasts inside a private network namespace.
import assert from "node:assert/strict";
import { createUdpEndpoint } from "../../net/create_udp_endpoint.ts";
import type { UdpCallbacks } from "../../net/udp_endpoint.ts";
import { netnsAvailable, runInNetns } from "../_netns.ts";
import { withFailingReceive } from "../_failing_receive.ts";

const decoder = new TextDecoder();

function recorder(): {
  callbacks: UdpCallbacks;
  events: string[];
  next: () => Promise<void>;
} {
  const events: string[] = [];
  let waiter: (() => void) | undefined;
  return {
    events,
    next: () => new Promise<void>((resolve) => (waiter = resolve)),
    callbacks: {
      onReceivedData: (_endpoint, data, host, port) => {
        events.push(`${decoder.decode(data)} from ${host}:${port}`);
        waiter?.();
      },
      onError: (code, message) => {
        events.push(`error ${code}: ${message}`);
        waiter?.();
      },
    },
  };
}

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50));
}

Deno.test("UDP endpoints exchange datagrams; nothing runs synchronously", async () => {
  const a = recorder();
  const b = recorder();
  const ea = createUdpEndpoint(0, a.callbacks, { hostname: "127.0.0.1" });
  const eb = createUdpEndpoint(0, b.callbacks, { hostname: "127.0.0.1" });
  assert.equal(ea.isOpen(), true);
  assert.ok(ea.getPort() > 0);
  const got = b.next();
  assert.equal(ea.send("one", "127.0.0.1", eb.getPort()), true);
  assert.deepEqual(b.events, []);
  await got;
  const back = a.next();
  eb.send(new Uint8Array([0x74, 0x77, 0x6f]), "127.0.0.1", ea.getPort());
  await back;
  assert.deepEqual(b.events, [`one from 127.0.0.1:${ea.getPort()}`]);
  assert.deepEqual(a.events, [`two from 127.0.0.1:${eb.getPort()}`]);
  ea.close();
  eb.close();
  await Promise.all([ea.closed, eb.closed]);
});

Deno.test("a UDP bind failure calls onError before returning; the endpoint is not open", async () => {
  const first = createUdpEndpoint(0, recorder().callbacks, {
    hostname: "127.0.0.1",
  });
  const second = recorder();
  const endpoint = createUdpEndpoint(first.getPort(), second.callbacks, {
    hostname: "127.0.0.1",
  });
  assert.deepEqual(second.events, [
    `error EADDRINUSE: Cannot bind UDP endpoint on 127.0.0.1:${first.getPort()}: Address already in use (os error 98)`,
  ]);
  assert.equal(endpoint.isOpen(), false);
  assert.equal(endpoint.getPort(), 0);
  assert.equal(endpoint.send("x", "127.0.0.1", first.getPort()), false);
  endpoint.enableBroadcasts();
  endpoint.close();
  await endpoint.closed;
  first.close();
  await first.closed;
  assert.equal(second.events.length, 1);
});

Deno.test("no UDP callback after close()", async () => {
  const receiver = recorder();
  const endpoint = createUdpEndpoint(0, receiver.callbacks, {
    hostname: "127.0.0.1",
  });
  const sender = createUdpEndpoint(0, recorder().callbacks, {
    hostname: "127.0.0.1",
  });
  const port = endpoint.getPort();
  endpoint.close();
  assert.equal(endpoint.isOpen(), false);
  assert.equal(endpoint.send("x", "127.0.0.1", sender.getPort()), false);
  sender.send("late", "127.0.0.1", port);
  await tick();
  assert.deepEqual(receiver.events, []);
  sender.close();
  await Promise.all([endpoint.closed, sender.closed]);
});

Deno.test("UDP argument errors throw at once", async () => {
  const callbacks = recorder().callbacks;
  assert.throws(() => createUdpEndpoint(70000, callbacks), {
    name: "RangeError",
    message: "Cannot create UDP endpoint: port 70000 is out of range 0-65535",
  });
  assert.throws(
    () =>
      createUdpEndpoint(0, {
        onError: () => {},
      } as unknown as UdpCallbacks),
    {
      name: "TypeError",
      message:
        "Cannot create UDP endpoint: callbacks.onReceivedData must be a function, got undefined",
    },
  );
  using endpoint = createUdpEndpoint(0, callbacks, { hostname: "127.0.0.1" });
  assert.throws(() => endpoint.send("x", "127.0.0.1", 0), {
    name: "RangeError",
    message: "Cannot send datagram: port 0 is out of range 1-65535",
  });
  assert.throws(() => endpoint.send("x", "127.0.0.1", 65536), {
    name: "RangeError",
    message: "Cannot send datagram: port 65536 is out of range 0-65535",
  });
  assert.throws(
    () => endpoint.send(new Uint8Array(65508), "127.0.0.1", 9),
    {
      name: "RangeError",
      message: "Cannot send datagram: size 65508 exceeds limit 65507",
    },
  );
  assert.throws(
    () => endpoint.send(5 as unknown as string, "127.0.0.1", 9),
    {
      name: "TypeError",
      message:
        "Cannot send datagram: data must be a Uint8Array or a string, got number",
    },
  );
  assert.throws(
    () => endpoint.send("x", null as unknown as string, 9),
    {
      name: "TypeError",
      message: "Cannot send datagram: host must be a string, got object",
    },
  );
  endpoint.close();
  await endpoint.closed;
});

Deno.test("broadcast without enableBroadcasts() reaches onError EACCES; the endpoint stays open", async () => {
  const rec = recorder();
  const endpoint = createUdpEndpoint(0, rec.callbacks, {
    hostname: "127.0.0.1",
  });
  const failed = rec.next();
  assert.equal(endpoint.send("x", "255.255.255.255", 9), true);
  await failed;
  assert.deepEqual(rec.events, [
    "error EACCES: Cannot send datagram: 255.255.255.255 is a broadcast address; call enableBroadcasts() first",
  ]);
  assert.equal(endpoint.isOpen(), true);
  const self = rec.next();
  endpoint.send("still here", "127.0.0.1", endpoint.getPort());
  await self;
  assert.equal(
    rec.events[1],
    `still here from 127.0.0.1:${endpoint.getPort()}`,
  );
  endpoint.close();
  await endpoint.closed;
});

Deno.test("a send to a dead port does not close the endpoint", async () => {
  const rec = recorder();
  const endpoint = createUdpEndpoint(0, rec.callbacks, {
    hostname: "127.0.0.1",
  });
  const dead = createUdpEndpoint(0, recorder().callbacks, {
    hostname: "127.0.0.1",
  });
  const deadPort = dead.getPort();
  dead.close();
  await dead.closed;
  endpoint.send("nobody", "127.0.0.1", deadPort);
  await tick();
  for (let i = 0; i < 20; i++) {
    const got = rec.next();
    endpoint.send(`ping ${i}`, "127.0.0.1", endpoint.getPort());
    await got;
    if (rec.events.some((e) => e.startsWith("ping"))) break;
  }
  assert.equal(endpoint.isOpen(), true);
  assert.ok(rec.events.some((e) => e.startsWith("ping ")), rec.events.join());
  for (const event of rec.events.filter((e) => e.startsWith("error"))) {
    assert.match(event, /^error ECONNREFUSED: Cannot receive datagram: /);
  }
  endpoint.close();
  await endpoint.closed;
});

Deno.test("a UDP receive error that repeats reaches onError without starving timers", async () => {
  await withFailingReceive(async (calls) => {
    const rec = recorder();
    const endpoint = createUdpEndpoint(0, rec.callbacks, {
      hostname: "127.0.0.1",
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    endpoint.close();
    await endpoint.closed;
    assert.ok(calls() < 100, `${calls()} receive attempts within 20 ms`);
    // One report per failed receive while open (the last one, after
    // close(), is not reported).
    assert.ok(rec.events.length >= 1 && rec.events.length <= calls());
    assert.deepEqual(
      rec.events,
      rec.events.map(() =>
        "error Error: Cannot receive datagram: Receive failed"
      ),
    );
  });
});

Deno.test({
  name: "enableBroadcasts() inside a private network namespace",
  ignore: !netnsAvailable(),
  async fn() {
    const out = await runInNetns(
      new URL("./netns/callback_broadcast.ts", import.meta.url),
      { setup: ["ip route add 255.255.255.255 dev lo"] },
    );
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout.trim()), {
      errors: [
        "EACCES: Cannot send datagram: 255.255.255.255 is a broadcast address; call enableBroadcasts() first",
      ],
      sentWhileOff: true,
      sentWhileOn: true,
      received: "to everyone",
    });
  },
});
