// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  Client,
  EVENT_CLIENT_CLOSE,
  EVENT_CONNECT,
  EVENT_CONNECTED,
  EVENT_ERROR,
  EVENT_RECEIVE,
  EVENT_SERVER_CLOSE,
  type NetworkEvent,
  NetworkEvents,
  Server,
} from "../../mm/mod.ts";
import {
  cutAt,
  delay,
  EventLog,
  FrameProxy,
  type FrameTransform,
  KEY,
  KEY_256,
  readAll,
  writeAll,
} from "./_helpers.ts";
import { mulberry32 } from "../_random.ts";

const HELLO_PLAIN = [0, 0, 0, 5, 0x6d, 0x6d, 0x77, 2, 0];
const HELLO_NOISE = [0, 0, 0, 5, 0x6d, 0x6d, 0x77, 2, 1];

function kinds(events: NetworkEvent[]): string[] {
  return events.map((e) =>
    e.event === EVENT_CONNECTED ? `connected ${e.result}` : e.event
  );
}

/** Runs a refused pairing and returns both sides' events. */
async function refused(
  serverKey: string | undefined,
  clientKey: string | undefined,
): Promise<{ server: NetworkEvent[]; client: NetworkEvent[]; port: number }> {
  const serverEvents = new NetworkEvents();
  const clientEvents = new NetworkEvents();
  const serverLog = new EventLog(serverEvents);
  const clientLog = new EventLog(clientEvents);
  await using server = new Server("127.0.0.1", 0, {
    cipherKey: serverKey,
    events: serverEvents,
  });
  await using client = new Client("127.0.0.1", server.getPort(), {
    cipherKey: clientKey,
    events: clientEvents,
  });
  // Queued before the handshake: must never reach the server.
  assert.equal(client.send(["injected"]), true);
  assert.equal((await client.waitForConnect()).ok, false);
  await serverLog.count("server error", 1, (e) => e.event === EVENT_ERROR);
  await clientLog.count("client result", 1, (e) => e.event === EVENT_CONNECTED);
  assert.equal(server.connectionCount(), 0);
  assert.equal(server.broadcast(["secret"]), 0);
  assert.equal(client.send(["after"]), false);
  await delay(50);
  for (const e of serverLog.poll()) assert.equal(e.object, server);
  for (const e of clientLog.poll()) assert.equal(e.object, client);
  return {
    server: serverLog.take(),
    client: clientLog.take(),
    port: server.getPort(),
  };
}

Deno.test("a client with the wrong key is refused on both sides", async () => {
  const { server, client, port } = await refused(KEY, KEY.replace("0C", "0D"));
  assert.deepEqual(kinds(server), ["error"]);
  assert.match(
    server[0].errors,
    /^Cannot complete handshake with 127\.0\.0\.1:\d+: wrong cipher key or corrupted handshake$/,
  );
  assert.deepEqual(kinds(client), ["error", "connected false"]);
  // The server drops the connection: a clean end or, rarely, a reset.
  assert.match(
    client[0].errors,
    new RegExp(`^Cannot complete handshake with 127\\.0\\.0\\.1:${port}: `),
  );
  if (!client[0].errors.includes("reset")) {
    assert.equal(
      client[0].errors,
      `Cannot complete handshake with 127.0.0.1:${port}: connection closed by peer (wrong cipher key?)`,
    );
  }
  assert.equal(client[1].errors, client[0].errors);
});

Deno.test("a 128-bit and a 256-bit key do not match", async () => {
  const { server, client } = await refused(KEY, KEY_256);
  assert.deepEqual(kinds(server), ["error"]);
  assert.deepEqual(kinds(client), ["error", "connected false"]);
});

Deno.test("a client without a key is refused by an encrypted server", async () => {
  const { server, client, port } = await refused(KEY, undefined);
  assert.deepEqual(kinds(server), ["error"]);
  assert.match(
    server[0].errors,
    /^Cannot complete handshake with 127\.0\.0\.1:\d+: client does not use a cipher key$/,
  );
  assert.deepEqual(kinds(client), ["error", "connected false"]);
  assert.equal(
    client[0].errors,
    `Cannot complete handshake with 127.0.0.1:${port}: server requires a cipher key`,
  );
});

Deno.test("a client with a key is refused by a plaintext server", async () => {
  const { server, client, port } = await refused(undefined, KEY);
  assert.deepEqual(kinds(server), ["error"]);
  assert.match(
    server[0].errors,
    /^Cannot complete handshake with 127\.0\.0\.1:\d+: client requires a cipher key$/,
  );
  assert.deepEqual(kinds(client), ["error", "connected false"]);
  assert.equal(
    client[0].errors,
    `Cannot complete handshake with 127.0.0.1:${port}: server does not use a cipher key`,
  );
});

/**
 * Connects an encrypted client through a proxy that applies `transform` to
 * the client → server frames (0 = hello, 1 = Noise message 1, 2.. = records)
 * and sends one table per record.
 */
async function tampered(
  transform: FrameTransform,
  tables: number,
): Promise<{ server: NetworkEvent[]; client: NetworkEvent[] }> {
  const serverEvents = new NetworkEvents();
  const clientEvents = new NetworkEvents();
  const serverLog = new EventLog(serverEvents);
  const clientLog = new EventLog(clientEvents);
  const server = new Server("127.0.0.1", 0, {
    cipherKey: KEY,
    events: serverEvents,
  });
  const proxy = await FrameProxy.listen(server.getPort(), {
    toServer: transform,
  });
  const client = new Client("127.0.0.1", proxy.port, {
    cipherKey: KEY,
    events: clientEvents,
  });
  try {
    assert.equal((await client.waitForConnect()).ok, true);
    for (let i = 0; i < tables; i++) {
      client.send({ i });
      await client.flush(); // one record per table
    }
    await serverLog.count(
      "server close",
      1,
      (e) => e.event === EVENT_CLIENT_CLOSE,
    );
    await clientLog.count(
      "client close",
      1,
      (e) => e.event === EVENT_SERVER_CLOSE,
    );
    assert.equal(server.connectionCount(), 0);
    return { server: serverLog.take(), client: clientLog.take() };
  } finally {
    await client.disconnect();
    await proxy.close();
    await server.close();
  }
}

const ENDED_WITHOUT_CLOSE =
  /^Cannot read from 127\.0\.0\.1:\d+: connection ended without close record$/;
const AUTH_FAILED =
  /^Cannot read record from 127\.0\.0\.1:\d+: authentication failed \(modified, replayed, reordered or truncated record\)$/;

Deno.test("a modified record ends the connection with an error", async () => {
  for (const position of [4, 10, -1]) {
    const { server, client } = await tampered((index, frame) => {
      if (index === 3) {
        const copy = frame.slice();
        copy[position < 0 ? copy.length + position : position] ^= 0x01;
        return [copy];
      }
      return [frame];
    }, 3);
    assert.deepEqual(kinds(server), [
      "connect",
      "receive",
      "error",
      "client_close",
    ]);
    assert.deepEqual(server[1].event === EVENT_RECEIVE && server[1].packet, {
      i: 0,
    });
    assert.match(server[2].errors, AUTH_FAILED);
    assert.equal(server[3].errors, server[2].errors);
    // The server drops the connection on the error: no close record, so
    // the client cannot take it for a graceful close either.
    assert.deepEqual(kinds(client), [
      "connected true",
      "error",
      "server_close",
    ]);
    assert.match(client[1].errors, ENDED_WITHOUT_CLOSE);
    assert.equal(client[2].errors, client[1].errors);
  }
});

Deno.test("a replayed record ends the connection with an error", async () => {
  const { server } = await tampered(
    (index, frame) => index === 2 ? [frame, frame] : [frame],
    2,
  );
  assert.deepEqual(kinds(server), [
    "connect",
    "receive",
    "error",
    "client_close",
  ]);
  assert.match(server[2].errors, AUTH_FAILED);
});

Deno.test("reordered records end the connection with an error", async () => {
  let held: Uint8Array | undefined;
  const { server } = await tampered((index, frame) => {
    if (index === 2) {
      held = frame;
      return [];
    }
    if (index === 3) return [frame, held!];
    return [frame];
  }, 2);
  assert.deepEqual(kinds(server), ["connect", "error", "client_close"]);
  assert.match(server[1].errors, AUTH_FAILED);
});

Deno.test("a truncated record ends the connection with an error", async () => {
  const { server } = await tampered((index, frame) => {
    if (index !== 2) return [frame];
    const cut = frame.slice(0, frame.length - 1);
    new DataView(cut.buffer).setUint32(0, cut.length - 4);
    return [cut];
  }, 1);
  assert.deepEqual(kinds(server), ["connect", "error", "client_close"]);
  assert.match(server[1].errors, AUTH_FAILED);
});

Deno.test("a stream cut inside a record ends the connection with an error", async () => {
  const { server } = await tampered((index, frame) => {
    if (index !== 2) return [frame];
    // Forward half the record, then close both sides.
    return cutAt([frame.subarray(0, frame.length >> 1)], "fin");
  }, 1);
  assert.deepEqual(kinds(server), ["connect", "error", "client_close"]);
  assert.match(server[1].errors, ENDED_WITHOUT_CLOSE);
});

Deno.test("a handshake that does not finish in time is closed", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  for (const cipherKey of [undefined, KEY]) {
    await using server = new Server("127.0.0.1", 0, {
      cipherKey,
      events,
      handshakeTimeout: 300,
    });
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.getPort(),
    });
    const start = performance.now();
    const bytes = await readAll(conn); // the server's hello, then the end
    const elapsed = performance.now() - start;
    conn.close();
    assert.deepEqual([...bytes], cipherKey ? HELLO_NOISE : HELLO_PLAIN);
    assert.ok(elapsed >= 250 && elapsed < 10_000, String(elapsed));
    const [error] = await log.count(
      "timeout error",
      1,
      (e) => e.event === EVENT_ERROR,
    );
    assert.equal(error.object, server);
    assert.match(
      error.errors,
      /^Cannot complete handshake with 127\.0\.0\.1:\d+: not finished within 300 ms$/,
    );
    log.take();
  }
});

Deno.test("random bytes at the server port: error events, others keep working", async () => {
  const events = new NetworkEvents({ capacity: 10_000 });
  const log = new EventLog(events);
  for (const cipherKey of [undefined, KEY]) {
    await using server = new Server("127.0.0.1", 0, {
      cipherKey,
      events,
      handshakeTimeout: 2000,
    });
    await using client = new Client("127.0.0.1", server.getPort(), {
      cipherKey,
      events,
    });
    assert.equal((await client.waitForConnect()).ok, true);
    const random = mulberry32(cipherKey ? 2 : 1);
    const rounds = 40;
    await Promise.all(Array.from({ length: rounds }, async (_, round) => {
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: server.getPort(),
      });
      const garbage = new Uint8Array(1 + Math.floor(random() * 2000));
      for (let i = 0; i < garbage.length; i++) garbage[i] = random() * 256;
      // Some rounds start like a real peer, then go wrong.
      if (round % 4 === 0) garbage.set(cipherKey ? HELLO_NOISE : HELLO_PLAIN);
      try {
        await writeAll(conn, garbage);
        await conn.closeWrite();
      } catch {
        // The server may already have dropped us.
      }
      await readAll(conn);
      conn.close();
    }));
    const errors = await log.count(
      "errors",
      rounds,
      (e) => e.event === EVENT_ERROR,
    );
    for (const error of errors) {
      assert.equal(error.object, server);
      assert.match(
        error.errors,
        /^Cannot complete handshake with 127\.0\.0\.1:\d+: /,
      );
    }
    assert.equal(server.connectionCount(), 1);
    assert.equal(client.send(["still here"]), true);
    assert.equal(server.broadcast(["you too"]), 1);
    await log.count("receives", 2, (e) => e.event === EVENT_RECEIVE);
    log.take();
  }
});

Deno.test("garbage after the handshake ends only that connection", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  await using server = new Server("127.0.0.1", 0, { events });
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.getPort(),
  });
  await writeAll(conn, Uint8Array.from(HELLO_PLAIN));
  await log.count("connect", 1, (e) => e.event === EVENT_CONNECT);
  await writeAll(conn, Uint8Array.of(0, 0, 0, 3, 0, 0, 0)); // record too short
  await readAll(conn);
  conn.close();
  const seen = await log.count(
    "close",
    1,
    (e) => e.event === EVENT_CLIENT_CLOSE,
  );
  assert.match(
    seen[0].errors,
    /^Cannot read record: missing record header \(peer 127\.0\.0\.1:\d+\)$/,
  );
  assert.deepEqual(kinds(log.take()), ["connect", "error", "client_close"]);
});

Deno.test("a 1 MiB frame header before the handshake is refused at once", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  await using server = new Server("127.0.0.1", 0, {
    cipherKey: KEY,
    events,
    handshakeTimeout: 5000,
  });
  // Without a hello, and after the hello instead of the Noise message.
  for (const prefix of [[], HELLO_NOISE]) {
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.getPort(),
    });
    const start = performance.now();
    await writeAll(conn, Uint8Array.from([...prefix, 0, 0x10, 0, 0]));
    const bytes = await readAll(conn); // the server's hello, then the end
    const port = conn.localAddr.port;
    conn.close();
    assert.deepEqual([...bytes], HELLO_NOISE);
    // Refused on the header, not after the handshake timeout.
    assert.ok(performance.now() - start < 4000);
    const [error] = await log.count("error", 1, (e) => e.event === EVENT_ERROR);
    assert.equal(error.object, server);
    assert.equal(
      error.errors,
      `Cannot complete handshake with 127.0.0.1:${port}: Cannot decode frame: length 1048576 exceeds limit 1024`,
    );
    assert.deepEqual(kinds(log.take()), ["error"]);
  }
  // A real client still gets through.
  await using client = new Client("127.0.0.1", server.getPort(), {
    cipherKey: KEY,
    events,
  });
  assert.equal((await client.waitForConnect()).ok, true);
  assert.equal(client.send(["still served"]), true);
  const [received] = await log.count(
    "receive",
    1,
    (e) => e.event === EVENT_RECEIVE,
  );
  assert.deepEqual(received.event === EVENT_RECEIVE && received.packet, [
    "still served",
  ]);
});

Deno.test("records up to maxMessageSize pass right after the handshake", async () => {
  for (const cipherKey of [undefined, KEY]) {
    const events = new NetworkEvents();
    const log = new EventLog(events);
    await using server = new Server("127.0.0.1", 0, {
      cipherKey,
      events,
      maxMessageSize: 200_000,
    });
    await using client = new Client("127.0.0.1", server.getPort(), {
      cipherKey,
      events,
      maxMessageSize: 200_000,
    });
    const big = "x".repeat(150_000);
    // Queued before the handshake: the first record follows it at once.
    assert.equal(client.send([big]), true);
    const [connect] = await log.count(
      "connect",
      1,
      (e) => e.event === EVENT_CONNECT,
    );
    // Sent by the server as soon as it is established.
    assert.equal(server.send([big, 2], connect.object as never), 1);
    const received = await log.count(
      "receives",
      2,
      (e) => e.event === EVENT_RECEIVE,
    );
    assert.deepEqual(
      received.map((e) => e.event === EVENT_RECEIVE && e.packet).sort(),
      [[big], [big, 2]].sort(),
    );
    assert.equal(
      log.all.filter((e) => e.event === EVENT_ERROR).length,
      0,
    );
  }
});

Deno.test("maxHandshakes: further peers wait in the backlog until a handshake ends", async () => {
  const events = new NetworkEvents();
  const log = new EventLog(events);
  await using server = new Server("127.0.0.1", 0, {
    cipherKey: KEY,
    events,
    maxHandshakes: 2,
    handshakeTimeout: 5000,
  });
  const connect = (): Promise<Deno.TcpConn> =>
    Deno.connect({ hostname: "127.0.0.1", port: server.getPort() });
  const hello = async (conn: Deno.Conn) => {
    const bytes = new Uint8Array(HELLO_NOISE.length);
    for (let filled = 0; filled < bytes.length;) {
      const got = await conn.read(bytes.subarray(filled));
      if (got === null) throw new Error("end of stream before the hello");
      filled += got;
    }
    return [...bytes];
  };
  // Two silent peers take both handshake slots (each gets the hello).
  const first = await connect();
  const second = await connect();
  const third = await connect(); // the kernel completes the connection
  try {
    assert.deepEqual(await hello(first), HELLO_NOISE);
    assert.deepEqual(await hello(second), HELLO_NOISE);
    const thirdHello = hello(third);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const early = await Promise.race([
      thirdHello.then(() => "served"),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve("waiting"), 500);
      }),
    ]);
    clearTimeout(timer);
    assert.equal(early, "waiting");
    assert.deepEqual(kinds(log.poll()), []);
    // The first peer leaves: its handshake fails and the third is accepted.
    first.close();
    assert.deepEqual(await thirdHello, HELLO_NOISE);
    const [error] = await log.count("error", 1, (e) => e.event === EVENT_ERROR);
    assert.match(
      error.errors,
      /^Cannot complete handshake with 127\.0\.0\.1:\d+: connection closed by peer \(wrong cipher key\?\)$/,
    );
  } finally {
    for (const conn of [first, second, third]) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
  }
  // Both slots free again: a real client gets through.
  await log.count("errors", 3, (e) => e.event === EVENT_ERROR);
  await using client = new Client("127.0.0.1", server.getPort(), {
    cipherKey: KEY,
    events,
  });
  assert.equal((await client.waitForConnect()).ok, true);
  assert.equal(server.connectionCount(), 1);
});
