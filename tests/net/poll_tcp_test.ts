// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { resolveAddress } from "../../net/address.ts";
import { openTcp, Tcp } from "../../net/tcp.ts";
import { ConnectionClosedError, TimeoutError } from "../../net/errors.ts";
import { readExactly, readToEnd } from "./_poll_helpers.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const local = resolveAddress("127.0.0.1");

function pattern(length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    offset += await conn.write(data.subarray(offset));
  }
}

async function readAll(conn: Deno.Conn, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = await conn.read(out.subarray(got));
    if (n === null) break;
    got += n;
  }
  return out.subarray(0, got);
}

Deno.test("openTcp connects in the background and exchanges bytes", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const tcp = openTcp(local, listener.addr.port);
  assert.ok(tcp instanceof Tcp);
  assert.equal(tcp.getStatus(), "waiting");
  assert.equal(tcp.getAddress(), local);
  // Not connected yet: nothing to read, nothing accepted for writing.
  assert.deepEqual(tcp.read(10), new Uint8Array(0));
  assert.equal(tcp.write("early"), 0);
  assert.equal(tcp.getPendingWrites(), 0);
  assert.equal(await tcp.waitUntilDrained(1000), 0);
  assert.equal(await tcp.waitUntilConnected(5000), "success");
  assert.equal(tcp.getStatus(), "success");
  assert.equal(tcp.error, null);
  const peer = await accepted;

  assert.equal(tcp.write("hello "), 6);
  assert.equal(tcp.write(encoder.encode("world")), 5);
  assert.equal(tcp.getPendingWrites(), 11);
  assert.equal(await tcp.waitUntilDrained(5000), 0);
  assert.equal(tcp.getPendingWrites(), 0);
  assert.equal(decoder.decode(await readAll(peer, 11)), "hello world");

  await peer.write(encoder.encode("abcdefghij"));
  assert.equal(decoder.decode(await readExactly(tcp, 4)), "abcd");
  assert.equal(decoder.decode(tcp.read(100)!), "efghij");
  assert.deepEqual(tcp.read(1), new Uint8Array(0));

  // End of stream: buffered bytes first, then null.
  await peer.write(encoder.encode("last"));
  peer.close();
  assert.equal(decoder.decode(await readToEnd(tcp)), "last");
  assert.equal(tcp.read(1), null);
  assert.equal(tcp.getStatus(), "success");
  await tcp[Symbol.asyncDispose]();
  assert.equal(tcp.getStatus(), "failure");
  assert.equal(tcp.read(1), null);
});

Deno.test("Tcp reads across chunk boundaries exactly", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  await using tcp = openTcp(local, listener.addr.port);
  assert.equal(await tcp.waitUntilConnected(-1), "success");
  using peer = await accepted;
  const data = pattern(300_000);
  const writing = writeAll(peer, data);
  const got = await readExactly(tcp, data.length);
  await writing;
  assert.deepEqual(got, data);
});

Deno.test("Tcp write accepts up to the send buffer and 0 when full", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  await using tcp = openTcp(local, listener.addr.port, {
    maxQueuedBytes: 1000,
  });
  assert.equal(await tcp.waitUntilConnected(5000), "success");
  using peer = await accepted;
  const data = pattern(2500);
  assert.equal(tcp.write(data), 1000);
  assert.equal(tcp.write(data.subarray(1000)), 0);
  assert.equal(tcp.getPendingWrites(), 1000);
  assert.equal(await tcp.waitUntilDrained(-1), 0);
  assert.equal(tcp.write(data.subarray(1000)), 1000);
  assert.equal(await tcp.waitUntilDrained(5000), 0);
  assert.equal(tcp.write(data.subarray(2000)), 500);
  assert.equal(await tcp.waitUntilDrained(5000), 0);
  assert.deepEqual(await readAll(peer, 2500), data);
});

Deno.test("Tcp waitUntilDrained returns pending bytes on timeout", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  await using tcp = openTcp(local, listener.addr.port, {
    maxQueuedBytes: 1 << 20,
  });
  assert.equal(await tcp.waitUntilConnected(5000), "success");
  using peer = await accepted;
  // The peer does not read: the kernel buffers fill and writes stay pending.
  const chunk = new Uint8Array(1 << 20);
  let pending = 0;
  for (let i = 0; i < 200 && pending === 0; i++) {
    tcp.write(chunk);
    pending = await tcp.waitUntilDrained(50);
  }
  assert.ok(pending > 0, "the queue never backed up");
  assert.equal(tcp.getPendingWrites(), pending);
  assert.equal(tcp.write(chunk.subarray(0, 1 << 20)), (1 << 20) - pending);
  assert.equal(tcp.write(chunk), 0);
  peer.close();
});

Deno.test("Tcp read buffer is bounded: reading pauses and resumes", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  await using tcp = openTcp(local, listener.addr.port, {
    maxReadBufferBytes: 1024 * 1024,
  });
  assert.equal(await tcp.waitUntilConnected(5000), "success");
  const peer = await accepted;
  // Far more than loopback kernel buffers hold: if the Tcp kept reading
  // without a bound, the peer would finish writing while we do not read.
  const data = pattern(32 * 1024 * 1024);
  let finished = false;
  const writing = writeAll(peer, data).then(() => {
    finished = true;
    peer.close();
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(finished, false, "the peer wrote 32 MiB into a paused reader");
  const got = await readToEnd(tcp, 30_000);
  await writing;
  assert.equal(got.length, data.length);
  for (let i = 0; i < data.length; i += 4096) {
    if (got[i] !== data[i]) assert.fail(`byte ${i} differs`);
  }
  assert.deepEqual(got.subarray(-65536), data.subarray(-65536));
});

Deno.test("openTcp to a closed port fails with the error", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  await using tcp = openTcp(local, port);
  assert.equal(await tcp.waitUntilConnected(-1), "failure");
  assert.equal(tcp.getStatus(), "failure");
  assert.ok(tcp.error instanceof Deno.errors.ConnectionRefused);
  assert.equal(tcp.read(5), null);
  assert.throws(() => tcp.write("x"), {
    name: "ConnectionClosedError",
    message: `Cannot write: ${tcp.error.message}`,
  });
});

Deno.test("openTcp connect timeout gives failure with TimeoutError", async () => {
  // A plain listener never answers the TLS handshake.
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  await using tcp = openTcp(local, listener.addr.port, {
    tls: true,
    timeout: 200,
  });
  assert.equal(await tcp.waitUntilConnected(50), "waiting");
  assert.equal(await tcp.waitUntilConnected(5000), "failure");
  assert.ok(tcp.error instanceof TimeoutError);
  assert.equal(
    tcp.error.message,
    `Cannot connect to 127.0.0.1:${listener.addr.port}: no answer within 200 ms`,
  );
  (await accepted).close();
});

Deno.test("Tcp close() while connecting cancels the attempt", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const tcp = openTcp(local, listener.addr.port, { tls: true });
  tcp.close();
  tcp.close();
  await tcp.closed;
  assert.equal(tcp.getStatus(), "failure");
  assert.ok(tcp.error instanceof ConnectionClosedError);
  assert.equal(tcp.error.message, "Cannot use connection: it was closed");
  assert.equal(await tcp.waitUntilConnected(-1), "failure");
  (await accepted).close();
});

Deno.test("Tcp after close: read null, write throws, status failure", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const tcp = openTcp(local, listener.addr.port);
  assert.equal(await tcp.waitUntilConnected(5000), "success");
  using peer = await accepted;
  await peer.write(encoder.encode("dropped"));
  await new Promise((resolve) => setTimeout(resolve, 50));
  tcp.close();
  await tcp.closed;
  assert.equal(tcp.read(10), null);
  assert.throws(() => tcp.write("x"), {
    name: "ConnectionClosedError",
    message: "Cannot write: connection is closed",
  });
  assert.equal(tcp.getStatus(), "failure");
  assert.equal(tcp.getPendingWrites(), 0);
  // The peer sees the end of stream.
  assert.equal(await peer.read(new Uint8Array(1)), null);
});

Deno.test("openTcp argument checks", async () => {
  assert.throws(() => openTcp("127.0.0.1" as never, 80), {
    name: "TypeError",
    message:
      "Cannot open TCP connection: address must be an Address (use resolveAddress())",
  });
  assert.throws(() => openTcp(local, 65536), {
    name: "RangeError",
    message:
      "Cannot open TCP connection: port must be an integer from 1 to 65535, got 65536",
  });
  for (const port of [0, -1, 1.5, NaN, Infinity]) {
    assert.throws(() => openTcp(local, port), {
      name: "RangeError",
      message:
        `Cannot open TCP connection: port must be an integer from 1 to 65535, got ${port}`,
    });
  }
  assert.throws(() => openTcp(local, "80" as unknown as number), {
    name: "TypeError",
    message: "Cannot open TCP connection: port must be a number, got string",
  });
  assert.throws(() => openTcp(local, 80, { maxQueuedBytes: 0 }), {
    name: "RangeError",
    message:
      "Cannot open TCP connection: maxQueuedBytes must be a positive integer, got 0",
  });
  assert.throws(() => openTcp(local, 80, { maxReadBufferBytes: 1.5 }), {
    name: "RangeError",
    message:
      "Cannot open TCP connection: maxReadBufferBytes must be a positive integer, got 1.5",
  });
  assert.throws(() => openTcp(local, 80, { timeout: -1 }), {
    name: "RangeError",
    message:
      "Cannot open TCP connection: timeout must be a non-negative number, got -1",
  });
  assert.throws(() => openTcp(local, 80, { tls: "yes" as never }), {
    name: "TypeError",
    message:
      "Cannot open TCP connection: tls must be a boolean or an options object",
  });
  const pending = resolveAddress("localhost");
  assert.throws(() => openTcp(pending, 80), {
    name: "Error",
    message:
      "Cannot open TCP connection: address localhost is not resolved yet; wait with waitUntilResolved()",
  });
  await pending.waitUntilResolved(-1);
  const failed = resolveAddress("no-such-host.invalid");
  await failed.waitUntilResolved(-1);
  assert.throws(() => openTcp(failed, 80), (error: Error) => {
    assert.match(
      error.message,
      /^Cannot open TCP connection: address no-such-host\.invalid did not resolve: Cannot resolve no-such-host\.invalid: /,
    );
    assert.equal(error.cause, failed.error);
    return true;
  });
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  await using tcp = openTcp(local, listener.addr.port);
  assert.throws(() => tcp.read(0), {
    name: "RangeError",
    message: "Cannot read: amount must be a positive integer, got 0",
  });
  assert.throws(() => tcp.read("1" as unknown as number), TypeError);
  assert.throws(() => tcp.write(5 as unknown as string), {
    name: "TypeError",
    message: "Cannot write: data must be a Uint8Array or string",
  });
  await assert.rejects(tcp.waitUntilConnected(-5), RangeError);
  await assert.rejects(tcp.waitUntilDrained(0.5), RangeError);
  (await accepted).close();
});

Deno.test("openTcp by host name connects to the resolved IP", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const address = resolveAddress("localhost");
  assert.equal(await address.waitUntilResolved(-1), "success");
  await using tcp = openTcp(address, listener.addr.port);
  assert.equal(await tcp.waitUntilConnected(5000), "success");
  assert.equal(tcp.getAddress().getHostname(), "localhost");
  using peer = await accepted;
  assert.equal((peer.remoteAddr as Deno.NetAddr).hostname, "127.0.0.1");
});
