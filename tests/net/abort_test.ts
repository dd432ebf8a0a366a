// Copyright 2026 the moonwire authors. MIT license.
// Every polling wait and the callback connect honour an abort signal: the
// wait ends at once with an AbortError whose cause is the signal's reason,
// timers are cleared (sanitizers), and the object waited on goes on.
import assert from "node:assert/strict";
import {
  connect,
  type LinkCallbacks,
  openTcp,
  resolveAddress,
  type TcpLink,
} from "../../net/mod.ts";
import { assertAborted } from "../_abort.ts";
import { silentPort } from "../_silent_port.ts";

/** Aborts `controller` with `reason` after `ms`; returns the start time. */
function abortLater(
  controller: AbortController,
  reason: unknown,
  ms = 50,
): number {
  setTimeout(() => controller.abort(reason), ms);
  return performance.now();
}

Deno.test("Address.waitUntilResolved: an abort ends the wait; the lookup goes on", async () => {
  const address = resolveAddress("localhost");
  assert.equal(address.getStatus(), "waiting");
  const controller = new AbortController();
  const reason = new Error("Stop");
  const waiting = address.waitUntilResolved(-1, {
    signal: controller.signal,
  });
  // The lookup needs an event-loop turn: the wait is under way now.
  controller.abort(reason);
  await assertAborted(waiting, "Cannot wait for address: aborted", reason);
  assert.equal(await address.waitUntilResolved(-1), "success");
  assert.equal(address.getIp(), "127.0.0.1");
});

Deno.test("Address.waitUntilResolved: an already aborted signal rejects, even for a resolved address and timeout 0", async () => {
  const address = resolveAddress("127.0.0.1");
  const signal = AbortSignal.abort();
  for (const timeout of [0, 1000, -1]) {
    await assertAborted(
      address.waitUntilResolved(timeout, { signal }),
      "Cannot wait for address: aborted",
      signal.reason,
    );
  }
  assert.equal(signal.reason.name, "AbortError");
  assert.equal(await address.waitUntilResolved(0, {}), "success");
});

Deno.test("Tcp.waitUntilConnected: an abort mid-wait rejects promptly; close() ends connecting", async () => {
  using silent = await silentPort();
  const tcp = openTcp(resolveAddress("127.0.0.1"), silent.port, {
    timeout: 60_000,
  });
  const controller = new AbortController();
  const reason = new Error("Stop");
  const started = abortLater(controller, reason);
  await assertAborted(
    tcp.waitUntilConnected(-1, { signal: controller.signal }),
    "Cannot wait for connection: aborted",
    reason,
  );
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 2000, `took ${elapsed} ms`);
  // Only the wait ended: the connection attempt is still under way.
  assert.equal(tcp.getStatus(), "waiting");
  assert.equal(await tcp.waitUntilConnected(20), "waiting");
  tcp.close();
  await tcp.closed;
  assert.equal(tcp.getStatus(), "failure");
});

Deno.test("Tcp.waitUntilConnected: an already aborted signal rejects; the connection still comes up", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  await using tcp = openTcp(resolveAddress("127.0.0.1"), listener.addr.port);
  const reason = new Error("Already");
  await assertAborted(
    tcp.waitUntilConnected(0, { signal: AbortSignal.abort(reason) }),
    "Cannot wait for connection: aborted",
    reason,
  );
  assert.equal(await tcp.waitUntilConnected(5000), "success");
  (await accepted).close();
});

Deno.test("Tcp.waitUntilDrained: an abort ends the wait; every accepted byte still arrives", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  await using tcp = openTcp(resolveAddress("127.0.0.1"), listener.addr.port, {
    maxQueuedBytes: 1024 * 1024,
  });
  assert.equal(await tcp.waitUntilConnected(5000), "success");
  using peer = await accepted;
  // The peer reads nothing: fill the kernel buffers and the send queue.
  const chunk = new Uint8Array(64 * 1024).map((_, i) => i % 251);
  let written = 0;
  for (let i = 0; i < 2000 && tcp.getPendingWrites() < 512 * 1024; i++) {
    written += tcp.write(chunk.subarray(written % chunk.length));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assert.ok(tcp.getPendingWrites() > 0, "the send queue never filled");
  const controller = new AbortController();
  const reason = new Error("Stop");
  const started = abortLater(controller, reason);
  await assertAborted(
    tcp.waitUntilDrained(-1, { signal: controller.signal }),
    "Cannot wait for drain: aborted",
    reason,
  );
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 2000, `took ${elapsed} ms`);
  assert.ok(tcp.getPendingWrites() > 0);
  // The bytes are still queued and go out once the peer reads.
  const reading = (async () => {
    const buffer = new Uint8Array(written);
    let got = 0;
    while (got < written) {
      const n = await peer.read(buffer.subarray(got));
      if (n === null) break;
      got += n;
    }
    return buffer.subarray(0, got);
  })();
  assert.equal(await tcp.waitUntilDrained(-1), 0);
  const received = await reading;
  assert.equal(received.length, written);
  for (let i = 0; i < written; i += 4099) {
    assert.equal(received[i], i % chunk.length % 251, `byte ${i}`);
  }
  assert.equal(await tcp.waitUntilDrained(0, { signal: undefined }), 0);
});

Deno.test("Polling waits check the options and the signal", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  await using tcp = openTcp(resolveAddress("127.0.0.1"), listener.addr.port);
  const address = resolveAddress("127.0.0.1");
  await assert.rejects(
    tcp.waitUntilConnected(0, { signal: "soon" as unknown as AbortSignal }),
    {
      name: "TypeError",
      message:
        "Cannot wait for connection: signal must be an AbortSignal, got string",
    },
  );
  await assert.rejects(
    tcp.waitUntilDrained(0, null as never),
    {
      name: "TypeError",
      message: "Cannot wait for drain: options must be an object, got null",
    },
  );
  await assert.rejects(
    address.waitUntilResolved(0, { signal: null as never }),
    {
      name: "TypeError",
      message:
        "Cannot wait for address: signal must be an AbortSignal, got null",
    },
  );
  assert.equal(await tcp.waitUntilConnected(5000), "success");
  (await accepted).close();
});

/** Link callbacks that log each call; `terminal` resolves at onError. */
function logged() {
  const events: string[] = [];
  const terminal = Promise.withResolvers<void>();
  const connected = Promise.withResolvers<TcpLink>();
  const callbacks: LinkCallbacks = {
    onConnected: (link) => {
      events.push("connected");
      connected.resolve(link);
    },
    onReceivedData: (_link, data) =>
      events.push(`data ${new TextDecoder().decode(data)}`),
    onRemoteClosed: () => events.push("remoteClosed"),
    onError: (_link, code, message) => {
      events.push(`error ${code} ${message}`);
      terminal.resolve();
    },
  };
  return { events, callbacks, terminal: terminal.promise, connected };
}

Deno.test("connect: an abort while connecting calls onError once with AbortError, promptly", async () => {
  using silent = await silentPort();
  const log = logged();
  const controller = new AbortController();
  assert.equal(
    connect("127.0.0.1", silent.port, log.callbacks, {
      timeout: 60_000,
      signal: controller.signal,
    }),
    true,
  );
  const started = abortLater(controller, new Error("Stop"));
  await log.terminal;
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 2000, `took ${elapsed} ms`);
  // Nothing follows the terminal callback.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(log.events, [
    `error AbortError Cannot connect to 127.0.0.1:${silent.port}: aborted`,
  ]);
});

Deno.test("connect: an already aborted signal still reports on a later turn, never inside the call", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  const log = logged();
  // A reason with an errno code of its own: the code stays AbortError.
  const reason = Object.assign(new Error("Gone"), { code: "ECONNRESET" });
  assert.equal(
    connect("127.0.0.1", port, log.callbacks, {
      signal: AbortSignal.abort(reason),
    }),
    true,
  );
  assert.deepEqual(log.events, []);
  await log.terminal;
  assert.deepEqual(log.events, [
    `error AbortError Cannot connect to 127.0.0.1:${port}: aborted`,
  ]);
});

Deno.test("connect: an abort after onConnected leaves the link alone", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const log = logged();
  const controller = new AbortController();
  connect("127.0.0.1", listener.addr.port, log.callbacks, {
    signal: controller.signal,
  });
  const link = await log.connected.promise;
  controller.abort(new Error("Too late"));
  using peer = await accepted;
  await peer.write(new TextEncoder().encode("still here"));
  assert.equal(link.send("pong"), true);
  const buffer = new Uint8Array(4);
  let got = 0;
  while (got < 4) got += (await peer.read(buffer.subarray(got)))!;
  assert.equal(new TextDecoder().decode(buffer), "pong");
  const until = performance.now() + 5000;
  while (log.events.length < 2 && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.deepEqual(log.events, ["connected", "data still here"]);
  link.close();
});

Deno.test("connect: a signal that is not an AbortSignal throws", () => {
  const log = logged();
  assert.throws(
    () =>
      connect("127.0.0.1", 1, log.callbacks, {
        signal: {} as AbortSignal,
      }),
    {
      name: "TypeError",
      message: "Cannot connect: signal must be an AbortSignal, got object",
    },
  );
  assert.deepEqual(log.events, []);
});
