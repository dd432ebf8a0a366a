// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  StreamSocket,
  type StreamSocketHandlers,
} from "../../net/stream_socket.ts";
import { ConnectionClosedError, TimeoutError } from "../../net/errors.ts";
import { ignoreReason } from "../_tools.ts";
import { makeTestCertificates } from "../_certs.ts";
import { pipe } from "./_delivery.ts";
import { pair } from "./_stream_pair.ts";
import { tlsEcho } from "./_tls_echo.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const opensslMissing = ignoreReason("openssl");

/** Records events; `ended` resolves at end or error. */
function recorder(): {
  handlers: StreamSocketHandlers;
  events: string[];
  chunks: Uint8Array[];
  errors: Error[];
  ended: Promise<void>;
  bytes(): Uint8Array;
  waitFor(n: number): Promise<void>;
} {
  const events: string[] = [];
  const chunks: Uint8Array[] = [];
  const errors: Error[] = [];
  const ended = Promise.withResolvers<void>();
  let total = 0;
  let want = Infinity;
  let gotEnough: (() => void) | undefined;
  return {
    events,
    chunks,
    errors,
    ended: ended.promise,
    handlers: {
      data(chunk) {
        chunks.push(chunk);
        total += chunk.length;
        if (total >= want) gotEnough?.();
      },
      end() {
        events.push("end");
        ended.resolve();
      },
      error(error) {
        events.push("error");
        errors.push(error);
        ended.resolve();
      },
    },
    bytes() {
      const out = new Uint8Array(total);
      let offset = 0;
      for (const c of chunks) {
        out.set(c, offset);
        offset += c.length;
      }
      return out;
    },
    waitFor(n) {
      if (total >= n) return Promise.resolve();
      want = n;
      const { promise, resolve } = Promise.withResolvers<void>();
      gotEnough = resolve;
      return promise;
    },
  };
}

function pattern(length: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

Deno.test("StreamSocket delivers bytes in order in fresh buffers", async () => {
  const { client, server } = await pair({ readChunkSize: 1024 });
  const rec = recorder();
  server.start(rec.handlers);
  const data = pattern(200_000);
  await client.write(data);
  await rec.waitFor(data.length);
  assert.deepEqual(rec.bytes(), data);
  // Buffers are never reused: every chunk has its own backing store.
  const buffers = new Set(rec.chunks.map((c) => c.buffer));
  assert.equal(buffers.size, rec.chunks.length);
  assert.equal(server.stats.bytesRead, data.length);
  client.close();
  await rec.ended;
  assert.deepEqual(rec.events, ["end"]);
  server.close();
  await Promise.all([client.closed, server.closed]);
});

Deno.test("StreamSocket end is reported once and close stays silent", async () => {
  const { client, server } = await pair();
  const rec = recorder();
  server.start(rec.handlers);
  await client.closeWrite();
  await rec.ended;
  // The server can still write after the peer's half-close.
  const back = recorder();
  client.start(back.handlers);
  await server.write(encoder.encode("bye"));
  await server.closeWrite();
  await back.ended;
  assert.equal(decoder.decode(back.bytes()), "bye");
  assert.deepEqual(back.events, ["end"]);
  server.close();
  server.close();
  await client[Symbol.asyncDispose]();
  await server.closed;
  assert.deepEqual(rec.events, ["end"]);
});

Deno.test("StreamSocket close() with a read in flight settles it, no events", async () => {
  const { client, server } = await pair();
  const rec = recorder();
  server.start(rec.handlers);
  await new Promise((resolve) => setTimeout(resolve, 20));
  server.close();
  await server.closed;
  assert.equal(server.isClosed, true);
  client.close();
  await client.closed;
  assert.deepEqual(rec.events, []);
});

Deno.test("StreamSocket write after close rejects and tryWrite throws", async () => {
  const { client, server } = await pair();
  client.close();
  await assert.rejects(client.write(encoder.encode("x")), {
    name: "ConnectionClosedError",
    message: "Cannot write: socket is closed",
  });
  assert.throws(() => client.tryWrite(encoder.encode("x")), {
    name: "ConnectionClosedError",
    message: "Cannot write: socket is closed",
  });
  await assert.rejects(client.closeWrite(), ConnectionClosedError);
  server.close();
  await Promise.all([client.closed, server.closed]);
});

Deno.test("StreamSocket write after closeWrite rejects", async () => {
  const { client, server } = await pair();
  await client.closeWrite();
  await assert.rejects(client.write(encoder.encode("x")), {
    name: "ConnectionClosedError",
    message: "Cannot write: write side is closed",
  });
  client.close();
  server.close();
  await Promise.all([client.closed, server.closed]);
});

Deno.test("StreamSocket coalesces writes queued together and while in flight", async () => {
  const { client, server } = await pair();
  const rec = recorder();
  server.start(rec.handlers);
  const writes = [];
  for (let i = 0; i < 10; i++) {
    writes.push(client.write(encoder.encode(`${i}`)));
  }
  assert.equal(client.pendingBytes, 10);
  await Promise.all(writes);
  assert.equal(client.stats.writeCalls, 1);
  assert.equal(client.pendingBytes, 0);
  // One write in flight; everything queued meanwhile goes out as one more.
  const first = client.write(new Uint8Array(100_000));
  await Promise.resolve();
  const more = [];
  for (let i = 0; i < 20; i++) more.push(client.write(encoder.encode("ab")));
  await Promise.all([first, ...more]);
  const afterBig = client.stats.writeCalls;
  assert.ok(afterBig >= 3 && afterBig <= 4, `writeCalls ${afterBig}`);
  await rec.waitFor(10 + 100_000 + 40);
  const all = rec.bytes();
  assert.equal(decoder.decode(all.subarray(0, 10)), "0123456789");
  assert.equal(decoder.decode(all.subarray(100_010)), "ab".repeat(20));
  assert.equal(client.stats.bytesWritten, 100_050);
  client.close();
  server.close();
  await Promise.all([client.closed, server.closed]);
});

Deno.test("StreamSocket large batches: small chunks grouped, big ones direct, order kept", async () => {
  const { client, server } = await pair();
  const rec = recorder();
  server.start(rec.handlers);
  const sizes: number[] = [];
  for (let i = 0; i < 300; i++) sizes.push(i % 50 === 0 ? 200_000 : 5000 + i);
  const parts = sizes.map((size, i) => pattern(size, i + 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  await Promise.all(parts.map((part) => client.write(part)));
  assert.equal(client.stats.bytesWritten, total);
  // 6 big chunks written as they are; the small ones grouped per MiB.
  assert.ok(
    client.stats.writeCalls < 40,
    `writeCalls ${client.stats.writeCalls}`,
  );
  await rec.waitFor(total);
  const expected = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    expected.set(part, offset);
    offset += part.length;
  }
  assert.deepEqual(rec.bytes(), expected);
  client.close();
  server.close();
  await Promise.all([client.closed, server.closed]);
});

Deno.test("StreamSocket tryWrite accepts up to the free space", async () => {
  const { client, server } = await pair({ maxQueuedBytes: 1000 });
  const data = pattern(2500);
  assert.equal(client.tryWrite(data), 1000);
  assert.equal(client.pendingBytes, 1000);
  assert.equal(client.tryWrite(data.subarray(1000)), 0);
  await client.drained();
  assert.equal(client.pendingBytes, 0);
  assert.equal(client.tryWrite(data.subarray(1000)), 1000);
  // The queue copies: changing the caller's buffer does not change what is sent.
  data[1000] ^= 0xff;
  await client.drained();
  data[1000] ^= 0xff;
  assert.equal(client.tryWrite(data.subarray(2000)), 500);
  const rec = recorder();
  server.start(rec.handlers);
  await rec.waitFor(2500);
  assert.deepEqual(rec.bytes(), data);
  client.close();
  server.close();
  await Promise.all([client.closed, server.closed]);
});

Deno.test("StreamSocket write waits while the queue is full (backpressure)", async () => {
  const { client, server } = await pair({ maxQueuedBytes: 64 * 1024 });
  // The server does not read, so kernel buffers fill and writes must wait.
  const chunk = new Uint8Array(64 * 1024);
  let resolved = 0;
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 400; i++) {
    writes.push(client.write(chunk).then(() => void resolved++));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok(resolved < 400, `all ${resolved} writes resolved without a reader`);
  assert.ok(client.pendingBytes <= 64 * 1024);
  assert.equal(client.tryWrite(chunk), 0);
  const rec = recorder();
  server.start(rec.handlers);
  await Promise.all(writes);
  await rec.waitFor(400 * 64 * 1024);
  assert.equal(rec.bytes().length, 400 * 64 * 1024);
  client.close();
  server.close();
  await Promise.all([client.closed, server.closed]);
});

Deno.test("StreamSocket close rejects queued and waiting writes", async () => {
  const { client, server } = await pair({ maxQueuedBytes: 1024 });
  const a = client.write(new Uint8Array(1024));
  const b = client.write(new Uint8Array(1024));
  const drained = client.drained();
  client.close();
  await assert.rejects(a, ConnectionClosedError);
  await assert.rejects(b, {
    name: "ConnectionClosedError",
    message: "Cannot write: socket is closed",
  });
  await assert.rejects(drained, {
    name: "ConnectionClosedError",
    message: "Cannot drain: socket is closed",
  });
  server.close();
  await Promise.all([client.closed, server.closed]);
});

Deno.test("StreamSocket pause holds data back until resume", async () => {
  const { client, server } = await pair();
  const rec = recorder();
  let paused = false;
  server.start({
    ...rec.handlers,
    data(chunk) {
      rec.handlers.data(chunk);
      if (!paused) {
        paused = true;
        server.pause();
      }
    },
  });
  await client.write(encoder.encode("one"));
  await rec.waitFor(3);
  await client.write(encoder.encode("two"));
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(decoder.decode(rec.bytes()), "one");
  server.resume();
  await rec.waitFor(6);
  assert.equal(decoder.decode(rec.bytes()), "onetwo");
  client.close();
  server.close();
  await Promise.all([client.closed, server.closed]);
});

Deno.test("StreamSocket writes to a vanished peer reject; end came first", async () => {
  const { client, server } = await pair();
  const rec = recorder();
  client.start(rec.handlers);
  server.close();
  await rec.ended;
  let error: unknown;
  for (let i = 0; i < 100 && !error; i++) {
    try {
      await client.write(new Uint8Array(65536));
    } catch (e) {
      error = e;
    }
  }
  assert.ok(error instanceof ConnectionClosedError);
  assert.match(error.message, /^Cannot write: /);
  assert.deepEqual(rec.events, ["end"]);
  await Promise.all([client.closed, server.closed]);
});

Deno.test("StreamSocket write failure before the peer's end reports error once", async () => {
  const { client, server } = await pair();
  server.close();
  // Not started yet: the failure is reported when start() is called.
  let error: unknown;
  for (let i = 0; i < 100 && !error; i++) {
    try {
      await client.write(new Uint8Array(65536));
    } catch (e) {
      error = e;
    }
  }
  assert.ok(error instanceof ConnectionClosedError);
  const rec = recorder();
  client.start(rec.handlers);
  assert.deepEqual(rec.events, []);
  await rec.ended;
  assert.deepEqual(rec.events, ["error"]);
  assert.equal(rec.errors[0], error);
  await Promise.all([client.closed, server.closed]);
});

Deno.test("StreamSocket data handler that throws becomes the error event", async () => {
  const { client, server } = await pair();
  const events: string[] = [];
  const failed = Promise.withResolvers<Error>();
  server.start({
    data() {
      throw new Error("boom");
    },
    end: () => events.push("end"),
    error: (e) => {
      // The socket is already closed when error() runs.
      events.push(`error closed=${server.isClosed}`);
      failed.resolve(e);
    },
  });
  await client.write(encoder.encode("x"));
  assert.equal((await failed.promise).message, "boom");
  assert.equal(server.isClosed, true);
  assert.deepEqual(events, ["error closed=true"]);
  client.close();
  await Promise.all([client.closed, server.closed]);
});

Deno.test("StreamSocket argument checks", async () => {
  const { client, server } = await pair();
  assert.throws(() => client.start({} as StreamSocketHandlers), {
    name: "TypeError",
    message:
      "Cannot start socket: handlers must have data, end and error functions",
  });
  const rec = recorder();
  client.start(rec.handlers);
  assert.throws(() => client.start(rec.handlers), {
    name: "Error",
    message: "Cannot start socket: already started",
  });
  assert.throws(() => client.tryWrite("x" as unknown as Uint8Array), {
    name: "TypeError",
    message: "Cannot write: data must be a Uint8Array",
  });
  client.close();
  server.close();
  await Promise.all([client.closed, server.closed]);
  assert.throws(
    () => new StreamSocket({} as Deno.Conn, { maxQueuedBytes: 0 }),
    {
      name: "RangeError",
      message:
        "Cannot create socket: maxQueuedBytes must be a positive integer, got 0",
    },
  );
  for (const port of [0, -1, 70000, 1.5, NaN]) {
    await assert.rejects(StreamSocket.connect("127.0.0.1", port), {
      name: "RangeError",
      message:
        `Cannot connect: port must be an integer from 1 to 65535, got ${port}`,
    });
  }
  await assert.rejects(
    StreamSocket.connect(1 as unknown as string, 80),
    {
      name: "TypeError",
      message: "Cannot connect: hostname must be a string, got number",
    },
  );
});

Deno.test("StreamSocket.connect to a closed port is refused", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  await assert.rejects(
    StreamSocket.connect("127.0.0.1", port),
    Deno.errors.ConnectionRefused,
  );
});

Deno.test("StreamSocket.connect times out when TLS gets no answer", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  await assert.rejects(
    StreamSocket.connect("127.0.0.1", listener.addr.port, {
      tls: {},
      timeout: 300,
    }),
    (error) => {
      assert.ok(error instanceof TimeoutError);
      assert.equal(
        error.message,
        `Cannot connect to 127.0.0.1:${listener.addr.port}: no answer within 300 ms`,
      );
      return true;
    },
  );
  (await accepted).close();
});

Deno.test("StreamSocket.connect without verification also times out", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  await assert.rejects(
    StreamSocket.connect("127.0.0.1", listener.addr.port, {
      tls: { unsafelyDisableVerification: true },
      timeout: 200,
    }),
    {
      name: "TimeoutError",
      message:
        `Cannot connect to 127.0.0.1:${listener.addr.port}: no answer within 200 ms`,
    },
  );
  (await accepted).close();
});

Deno.test("StreamSocket.connect honours an abort signal", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const controller = new AbortController();
  const attempt = StreamSocket.connect("127.0.0.1", listener.addr.port, {
    tls: {},
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(new Error("Stop")), 50);
  await assert.rejects(attempt, { name: "Error", message: "Stop" });
  (await accepted).close();
  const aborted = AbortSignal.abort(new Error("Already"));
  await assert.rejects(
    StreamSocket.connect("127.0.0.1", listener.addr.port, { signal: aborted }),
    { message: "Already" },
  );
});

Deno.test("StreamSocket.connect honours an abort that lands while TLS starts", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const controller = new AbortController();
  // Abort in the window between Deno.startTls and the handshake: the
  // peer never answers, so only the abort can end the attempt.
  const startTls = Deno.startTls;
  Deno.startTls = async (conn, options) => {
    const tlsConn = await startTls(conn, options);
    controller.abort(new Error("Stop"));
    return tlsConn;
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const attempt = StreamSocket.connect("127.0.0.1", listener.addr.port, {
      tls: {},
      signal: controller.signal,
      timeout: 60_000,
    });
    const stalled = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve("stalled"), 3000);
    });
    const outcome = await Promise.race([
      attempt.then(() => "connected", (error: Error) => error.message),
      stalled,
    ]);
    assert.equal(outcome, "Stop");
  } finally {
    clearTimeout(timer);
    Deno.startTls = startTls;
    (await accepted).close();
  }
});

Deno.test("StreamSocket.upgradeTls times out while a peer that reads nothing holds the plain-text flush", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const socket = await StreamSocket.connect("127.0.0.1", listener.addr.port, {
    maxQueuedBytes: 64 * 1024 * 1024,
  });
  using _peer = await accepted; // never reads
  // More than the kernel's socket buffers hold.
  const write = socket.write(new Uint8Array(32 * 1024 * 1024))
    .catch((error: Error) => error);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stalled = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("stalled"), 10_000);
  });
  const outcome = await Promise.race([
    socket.upgradeTls({ timeout: 500 }).then(
      () => "upgraded",
      (error: Error) => `${error.name}: ${error.message}`,
    ),
    stalled,
  ]);
  clearTimeout(timer);
  socket.close();
  await write;
  await socket.closed;
  assert.equal(
    outcome,
    "TimeoutError: Cannot upgrade to TLS: no handshake within 500 ms",
  );
});

async function roundTrip(socket: StreamSocket, text: string): Promise<string> {
  const rec = recorder();
  socket.start(rec.handlers);
  await socket.write(encoder.encode(text));
  await rec.waitFor(text.length);
  return decoder.decode(rec.bytes());
}

Deno.test({
  name: "StreamSocket.connect TLS verifies against caCerts",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    const server = tlsEcho(certs);
    const socket = await StreamSocket.connect("localhost", server.port, {
      tls: { caCerts: [certs.caCert] },
    });
    assert.equal(await roundTrip(socket, "secure hello"), "secure hello");
    socket.close();
    await Promise.all([socket.closed, server.done]);
    server.listener.close();
  },
});

Deno.test({
  name: "StreamSocket.connect TLS fails closed on an unknown CA",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    const server = tlsEcho(certs);
    await assert.rejects(
      StreamSocket.connect("127.0.0.1", server.port, {
        tls: { caCerts: [certs.otherCaCert] },
      }),
      {
        name: "InvalidData",
        message: /invalid peer certificate: UnknownIssuer/,
      },
    );
    await server.done;
    server.listener.close();
  },
});

Deno.test({
  name: "StreamSocket.connect TLS without verification only when asked",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    const server = tlsEcho(certs);
    const socket = await StreamSocket.connect("127.0.0.1", server.port, {
      tls: { unsafelyDisableVerification: true },
    });
    assert.equal(socket.remoteAddr.port, server.port);
    assert.equal(await roundTrip(socket, "unverified"), "unverified");
    await socket.closeWrite();
    socket.close();
    await Promise.all([socket.closed, server.done]);
    server.listener.close();
  },
});

Deno.test({
  name: "StreamSocket.upgradeTls before start() (STARTTLS)",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    const server = tlsEcho(certs);
    const socket = await StreamSocket.connect("127.0.0.1", server.port);
    const upgraded = socket.upgradeTls({
      hostname: "localhost",
      caCerts: [certs.caCert],
    });
    // Written while the upgrade runs: waits and goes out encrypted.
    const early = socket.write(encoder.encode("queued during upgrade "));
    await upgraded;
    await early;
    assert.equal(
      await roundTrip(socket, "then more"),
      "queued during upgrade then more",
    );
    await assert.rejects(socket.upgradeTls(), Error);
    socket.close();
    await Promise.all([socket.closed, server.done]);
    server.listener.close();
  },
});

Deno.test({
  name: "StreamSocket.upgradeTls after pause() in the data handler",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    const tlsServer = tlsEcho(certs);
    // A plain-text front: answers "STARTTLS" with "GO", then relays raw bytes
    // to the TLS echo server.
    using front = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const relay = (async () => {
      const conn = await front.accept();
      const buffer = new Uint8Array(9);
      let got = 0;
      while (got < 9) got += (await conn.read(buffer.subarray(got)))!;
      assert.equal(decoder.decode(buffer), "STARTTLS\n");
      await conn.write(encoder.encode("GO\n"));
      const back = await Deno.connect({
        hostname: "127.0.0.1",
        port: tlsServer.port,
      });
      await Promise.allSettled([pipe(conn, back), pipe(back, conn)]);
      conn.close();
      back.close();
    })();
    const socket = await StreamSocket.connect("127.0.0.1", front.addr.port);
    const go = Promise.withResolvers<string>();
    const rec = recorder();
    let plain = true;
    socket.start({
      ...rec.handlers,
      data(chunk) {
        if (plain) {
          plain = false;
          socket.pause();
          go.resolve(decoder.decode(chunk));
        } else rec.handlers.data(chunk);
      },
    });
    await socket.write(encoder.encode("STARTTLS\n"));
    assert.equal(await go.promise, "GO\n");
    await socket.upgradeTls({
      serverName: "localhost",
      caCerts: [certs.caCert],
    });
    socket.resume();
    await socket.write(encoder.encode("over tls"));
    await rec.waitFor(8);
    assert.equal(decoder.decode(rec.bytes()), "over tls");
    await socket.closeWrite();
    await rec.ended;
    assert.deepEqual(rec.events, ["end"], String(rec.errors[0]));
    socket.close();
    await Promise.all([socket.closed, relay, tlsServer.done]);
    tlsServer.listener.close();
  },
});

Deno.test("StreamSocket.upgradeTls refuses with a read in flight or unverified", async () => {
  const { client, server } = await pair();
  await assert.rejects(
    client.upgradeTls({ unsafelyDisableVerification: true }),
    {
      name: "TypeError",
      message:
        "Cannot upgrade to TLS: unsafelyDisableVerification is not supported for STARTTLS (Deno.startTls always verifies certificates)",
    },
  );
  const rec = recorder();
  client.start(rec.handlers);
  await assert.rejects(client.upgradeTls(), {
    name: "Error",
    message:
      "Cannot upgrade to TLS: a read is in flight; call upgradeTls() before start() or after pause() inside the data handler",
  });
  client.close();
  await assert.rejects(client.upgradeTls(), {
    name: "ConnectionClosedError",
    message: "Cannot upgrade to TLS: socket is closed",
  });
  server.close();
  await Promise.all([client.closed, server.closed]);
  assert.deepEqual(rec.events, []);
});

Deno.test({
  name: "StreamSocket.upgradeTls failure reaches the error handler and rejects",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    const server = tlsEcho(certs);
    const socket = await StreamSocket.connect("127.0.0.1", server.port);
    const rec = recorder();
    socket.pause();
    socket.start(rec.handlers);
    await assert.rejects(
      socket.upgradeTls({ caCerts: [certs.otherCaCert] }),
      { name: "InvalidData" },
    );
    await rec.ended;
    assert.deepEqual(rec.events, ["error"]);
    assert.equal(rec.errors[0].name, "InvalidData");
    await Promise.all([socket.closed, server.done]);
    server.listener.close();
  },
});

for (
  const [readChunkSize, sizes] of [
    [64 * 1024, [1024, 2048, 4096, 8192, 16384, 32768, 65536]],
    [undefined, [1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144]],
  ] as const
) {
  Deno.test(`StreamSocket borrowed chunks stay intact until release and reuse one growing buffer (readChunkSize ${readChunkSize ?? "default"})`, async () => {
    const { client, server } = await pair({ readChunkSize });
    const data = pattern(1_000_000, 7);
    const lent = Promise.withResolvers<Uint8Array<ArrayBuffer>>();
    let current = lent;
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    const ended = Promise.withResolvers<void>();
    server.start({
      data(chunk) {
        chunks.push(chunk);
        current.resolve(chunk);
      },
      end: () => ended.resolve(),
      error: ended.reject,
    }, { borrowChunks: true });
    // Not awaited yet: the kernel may not hold it all while chunks are held.
    const sent = client.write(data).then(() => client.closeWrite());
    const received: Uint8Array[] = [];
    let total = 0;
    while (total < data.length) {
      const chunk = await current.promise;
      const copy = chunk.slice();
      const reads = server.stats.readCalls;
      // The rest of the data is waiting in the kernel, yet nothing is read
      // into the lent buffer until it is released.
      await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(server.stats.readCalls, reads);
      assert.deepEqual(chunk, copy);
      received.push(copy);
      total += copy.length;
      current = Promise.withResolvers();
      server.release();
    }
    await Promise.all([sent, ended.promise]);
    const all = new Uint8Array(total);
    let offset = 0;
    for (const part of received) {
      all.set(part, offset);
      offset += part.length;
    }
    assert.deepEqual(all, data);
    // One buffer per size: 1 KiB, doubling to readChunkSize (default 256 KiB
    // when borrowing) when reads fill it.
    const used = [...new Set(chunks.map((c) => c.buffer))].map((b) =>
      b.byteLength
    );
    assert.deepEqual(used, sizes);
    client.close();
    server.close();
    await Promise.all([client.closed, server.closed]);
  });
}

Deno.test("StreamSocket borrowed chunk released from the data handler reads on", async () => {
  const { client, server } = await pair({ readChunkSize: 512 });
  const rec = recorder();
  const copies: Uint8Array[] = [];
  server.start({
    ...rec.handlers,
    data(chunk) {
      copies.push(chunk.slice());
      rec.handlers.data(chunk);
      server.release();
    },
  }, { borrowChunks: true });
  const data = pattern(100_000, 3);
  await client.write(data);
  await rec.waitFor(data.length);
  const all = new Uint8Array(data.length);
  let offset = 0;
  for (const part of copies) {
    all.set(part, offset);
    offset += part.length;
  }
  assert.deepEqual(all, data);
  // readChunkSize below 1 KiB: one 512 B buffer throughout.
  assert.equal(new Set(rec.chunks.map((c) => c.buffer)).size, 1);
  assert.equal(rec.chunks[0].buffer.byteLength, 512);
  client.close();
  await rec.ended;
  assert.deepEqual(rec.events, ["end"]);
  server.close();
  await server.closed;
});

Deno.test("StreamSocket release({ keep: true }) keeps the chunk and reads into a new buffer", async () => {
  const { client, server } = await pair();
  const rec = recorder();
  server.start({
    ...rec.handlers,
    data(chunk) {
      rec.handlers.data(chunk);
      server.release({ keep: true });
    },
  }, { borrowChunks: true });
  await client.write(encoder.encode("one"));
  await rec.waitFor(3);
  await client.write(encoder.encode("two"));
  await rec.waitFor(6);
  assert.deepEqual(rec.chunks.map((c) => decoder.decode(c)), ["one", "two"]);
  assert.notEqual(rec.chunks[0].buffer, rec.chunks[1].buffer);
  client.close();
  server.close();
  await Promise.all([client.closed, server.closed]);
});

Deno.test("StreamSocket release() without a borrowed chunk is an error, a no-op once closed", async () => {
  const { client, server } = await pair();
  const rec = recorder();
  server.start(rec.handlers, { borrowChunks: true });
  assert.throws(() => server.release(), {
    name: "Error",
    message: "Cannot release chunk: no chunk is borrowed",
  });
  client.start(recorder().handlers);
  assert.throws(() => client.release(), {
    name: "Error",
    message: "Cannot release chunk: socket was not started with borrowChunks",
  });
  await client.write(encoder.encode("x"));
  await rec.waitFor(1);
  server.release();
  assert.throws(() => server.release(), {
    name: "Error",
    message: "Cannot release chunk: no chunk is borrowed",
  });
  client.close();
  server.close();
  server.release();
  client.release();
  await Promise.all([client.closed, server.closed]);
  assert.throws(
    () => server.start(rec.handlers, null as unknown as object),
    {
      name: "TypeError",
      message: "Cannot start socket: options must be an object",
    },
  );
});

Deno.test("StreamSocket close() while a chunk is borrowed leaks nothing and keeps it intact", async () => {
  const { client, server } = await pair();
  const rec = recorder();
  server.start(rec.handlers, { borrowChunks: true });
  await client.write(encoder.encode("held"));
  await rec.waitFor(4);
  await client.write(encoder.encode("more"));
  server.close();
  await server.closed;
  assert.equal(decoder.decode(rec.chunks[0]), "held");
  assert.equal(rec.chunks.length, 1);
  assert.deepEqual(rec.events, []);
  server.release();
  client.close();
  await client.closed;
});

Deno.test("StreamSocket pause and release together: reading waits for both", async () => {
  const { client, server } = await pair();
  const rec = recorder();
  server.start(rec.handlers, { borrowChunks: true });
  await client.write(encoder.encode("one"));
  await rec.waitFor(3);
  server.pause();
  server.release();
  await client.write(encoder.encode("two"));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(rec.chunks.length, 1);
  server.resume();
  await rec.waitFor(6);
  assert.equal(decoder.decode(rec.chunks[1]), "two");
  client.close();
  server.close();
  await Promise.all([client.closed, server.closed]);
});
