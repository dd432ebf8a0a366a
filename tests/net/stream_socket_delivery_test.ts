// Copyright 2026 the moonwire authors. MIT license.
// The delivery guarantee of StreamSocket (DESIGN §3): bytes a write accepted
// (write() or tryWrite()) arrive exactly once and in order whatever the
// program does between two writes (tests/_schedule.ts): both directions,
// plain and TLS, with a full queue, across a paused reader, through a
// STARTTLS upgrade, and before the end of stream of closeWrite().
import assert from "node:assert/strict";
import tls from "node:tls";
import { StreamSocket } from "../../net/stream_socket.ts";
import { microtasks, type Pause, pauses } from "../_schedule.ts";
import { ignoreReason } from "../_tools.ts";
import { makeTestCertificates, type TestCertificates } from "../_certs.ts";
import {
  fewerPauses,
  Inbox,
  pipe,
  randomSchedule,
  sweepBothWays,
  utf8,
} from "./_delivery.ts";
import { pair } from "./_stream_pair.ts";

const opensslMissing = ignoreReason("openssl");

interface End {
  socket: StreamSocket;
  inbox: Inbox;
}

function started(socket: StreamSocket): End {
  const inbox = new Inbox();
  socket.start({
    data: (chunk) => inbox.push(chunk),
    end: () => inbox.end(),
    error: (error) => inbox.end(error),
  });
  return { socket, inbox };
}

async function plainPair(
  options: { maxQueuedBytes?: number } = {},
): Promise<[End, End]> {
  const { client, server } = await pair(options);
  return [started(client), started(server)];
}

async function tlsPair(certs: TestCertificates): Promise<[End, End]> {
  using listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: certs.cert,
    key: certs.key,
  });
  const accepted = listener.accept();
  const client = await StreamSocket.connect("127.0.0.1", listener.addr.port, {
    tls: { serverName: "localhost", caCerts: [certs.caCert] },
  });
  const server = await accepted;
  return [started(client), started(new StreamSocket(server))];
}

async function closeAll(ends: End[]): Promise<void> {
  for (const { socket } of ends) socket.close();
  await Promise.all(ends.map(({ socket }) => socket.closed));
}

type Writer = (socket: StreamSocket, text: string) => Promise<void>;

const writers: Record<string, Writer> = {
  "write (not awaited)": (socket, text) => {
    socket.write(utf8(text));
    return Promise.resolve();
  },
  "write (awaited)": (socket, text) => socket.write(utf8(text)),
  "tryWrite": (socket, text) => {
    assert.equal(socket.tryWrite(utf8(text)), text.length);
    return Promise.resolve();
  },
};

// For every writer and pause: write, pause, write, both directions.
function sweep(
  ends: [End, End],
  list: Pause[],
  names = Object.keys(writers),
): Promise<void> {
  const received = ["", ""];
  return sweepBothWays(
    Object.fromEntries(names.map((name) => [name, writers[name]])),
    list,
    {
      send: (write, from, text) => write(ends[from].socket, text),
      expect: (to, text, what) =>
        ends[to].inbox.until(received[to] += text, what),
    },
  );
}

Deno.test("StreamSocket delivers write, pause, write at every pause, both directions", async () => {
  const ends = await plainPair();
  await sweep(ends, pauses());
  await closeAll(ends);
});

Deno.test("StreamSocket delivers across pauses with a queue that fills (writes wait)", async () => {
  // Each write is larger than the queue: the second waits for the first.
  const ends = await plainPair({ maxQueuedBytes: 4 });
  await sweep(ends, pauses(), ["write (not awaited)", "write (awaited)"]);
  await closeAll(ends);
});

Deno.test("StreamSocket delivers what was written while the reader was paused, once resumed", async () => {
  const ends = await plainPair();
  let sent = "";
  for (const pause of pauses()) {
    const what = `paused reader, ${pause.name}`;
    ends[1].socket.pause();
    await ends[0].socket.write(utf8(`a(${pause.name});`));
    await pause.wait();
    ends[0].socket.write(utf8(`b(${pause.name});`));
    await pause.wait();
    ends[1].socket.resume();
    sent += `a(${pause.name});b(${pause.name});`;
    await ends[1].inbox.until(sent, what);
  }
  await closeAll(ends);
});

Deno.test("StreamSocket closeWrite after a pause delivers everything, then the end", async () => {
  for (const pause of pauses()) {
    for (const [name, write] of Object.entries(writers)) {
      const what = `${name}, ${pause.name}, then closeWrite`;
      const ends = await plainPair();
      await write(ends[0].socket, "a;");
      await pause.wait();
      await write(ends[0].socket, "b;");
      await pause.wait();
      const closing = ends[0].socket.closeWrite();
      await ends[1].inbox.untilEnd("a;b;", what);
      await closing;
      await closeAll(ends);
    }
  }
});

Deno.test({
  name:
    "StreamSocket over TLS delivers write, pause, write, both directions, and closeWrite",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    const ends = await tlsPair(certs);
    await sweep(ends, fewerPauses());
    await closeAll(ends);
    for (const pause of fewerPauses()) {
      const what = `TLS, ${pause.name}, then closeWrite`;
      const ends = await tlsPair(certs);
      ends[0].socket.write(utf8("a;"));
      await pause.wait();
      ends[0].socket.write(utf8("b;"));
      await pause.wait();
      const closing = ends[0].socket.closeWrite();
      await ends[1].inbox.untilEnd("a;b;", what);
      await closing;
      await closeAll(ends);
    }
  },
});

// A plain-text front that reads up to "STARTTLS\n", then relays raw bytes to
// a TLS server whose accepted connection is returned as a started socket.
function startTlsServer(certs: TestCertificates): {
  port: number;
  plainText: Promise<string>;
  secure: Promise<End>;
  [Symbol.asyncDispose](): Promise<void>;
} {
  const tls = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: certs.cert,
    key: certs.key,
  });
  const front = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const plainText = Promise.withResolvers<string>();
  const secure = tls.accept().then((conn) => started(new StreamSocket(conn)));
  secure.catch(() => {}); // A test that failed first never takes it.
  const relay = (async () => {
    const conn = await front.accept();
    const buffer = new Uint8Array(1);
    let text = "";
    // One byte at a time: nothing after the marker may be taken here.
    while (!text.endsWith("STARTTLS\n")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += String.fromCharCode(buffer[0]);
    }
    plainText.resolve(text);
    if (!text.endsWith("STARTTLS\n")) {
      conn.close();
      return;
    }
    const back = await Deno.connect({
      hostname: "127.0.0.1",
      port: tls.addr.port,
    });
    await Promise.allSettled([pipe(conn, back), pipe(back, conn)]);
    conn.close();
    back.close();
  })();
  return {
    port: front.addr.port,
    plainText: plainText.promise,
    secure,
    async [Symbol.asyncDispose]() {
      front.close();
      tls.close();
      await relay;
    },
  };
}

Deno.test({
  name:
    "StreamSocket STARTTLS: plain writes before upgradeTls go out first, writes during it go out encrypted",
  ignore: opensslMissing !== undefined,
  async fn() {
    using certs = makeTestCertificates();
    for (const pause of fewerPauses()) {
      const what = `STARTTLS, ${pause.name}`;
      await using server = startTlsServer(certs);
      // Not started: upgradeTls needs no read in flight.
      const socket = await StreamSocket.connect("127.0.0.1", server.port);
      socket.write(utf8("plain a;"));
      await pause.wait();
      socket.write(utf8("plain b;STARTTLS\n"));
      await pause.wait();
      const upgraded = socket.upgradeTls({
        serverName: "localhost",
        caCerts: [certs.caCert],
      });
      socket.write(utf8("secret a;"));
      await pause.wait();
      socket.write(utf8("secret b;"));
      await upgraded;
      const client = started(socket);
      socket.write(utf8("secret c;"));
      assert.equal(await server.plainText, "plain a;plain b;STARTTLS\n", what);
      const peer = await server.secure;
      await peer.inbox.until("secret a;secret b;secret c;", what);
      peer.socket.write(utf8("back a;"));
      await pause.wait();
      peer.socket.write(utf8("back b;"));
      await client.inbox.until("back a;back b;", `${what}, server→client`);
      const closing = client.socket.closeWrite();
      await peer.inbox.untilEnd("secret a;secret b;secret c;", what);
      await closing;
      await closeAll([client, peer]);
    }
  },
});

Deno.test("StreamSocket sends a write made while the last one is unacknowledged at once (no Nagle delay)", async () => {
  // With Nagle's algorithm on, the second small write of each round waits
  // for the peer's delayed ACK (40 ms on Linux): 20 rounds take 800 ms or
  // more. The queue coalesces writes itself, so the socket sets TCP_NODELAY.
  const ends = await plainPair();
  const sent = ["", ""];
  const start = performance.now();
  for (let round = 0; round < 20; round++) {
    const [from, to] = round % 2 === 0 ? [0, 1] : [1, 0];
    await ends[from].socket.write(utf8(`a${round};`));
    await microtasks(3);
    await ends[from].socket.write(utf8(`b${round};`));
    sent[to] += `a${round};b${round};`;
    await ends[to].inbox.until(sent[to], `round ${round}`);
  }
  const elapsed = performance.now() - start;
  await closeAll(ends);
  assert.ok(elapsed < 400, `20 rounds took ${elapsed.toFixed(0)} ms`);
});

for (
  const [name, clientTls] of [
    [
      "unverified TLS (node:tls)",
      () => ({ unsafelyDisableVerification: true }),
    ],
    ["verified TLS (Deno.startTls)", (certs: TestCertificates) => ({
      serverName: "localhost",
      caCerts: [certs.caCert],
    })],
  ] as const
) {
  Deno.test({
    name:
      `StreamSocket over ${name} sends a write made while the last one is unacknowledged at once (no Nagle delay)`,
    ignore: opensslMissing !== undefined,
    async fn() {
      // Both TLS client paths open their own TCP socket, so each must set
      // TCP_NODELAY (a Deno.TlsConn has no setNoDelay). The peer is a node:tls
      // server end with TCP_NODELAY, so only the client can add the 40 ms
      // delayed-ACK wait: 60 rounds take 1200 ms or more with Nagle on.
      using certs = makeTestCertificates();
      const accepted = Promise.withResolvers<tls.TLSSocket>();
      const server = tls.createServer(
        { cert: certs.cert, key: certs.key },
        (socket) => accepted.resolve(socket),
      );
      const listening = Promise.withResolvers<void>();
      server.listen(0, "127.0.0.1", () => listening.resolve());
      await listening.promise;
      const { port } = server.address() as { port: number };
      const client = started(
        await StreamSocket.connect("127.0.0.1", port, {
          tls: clientTls(certs),
        }),
      );
      const peer = await accepted.promise;
      peer.setNoDelay(true);
      const peerInbox = new Inbox();
      peer.on("data", (chunk: Uint8Array) => peerInbox.push(chunk));
      const peerWrite = (text: string) =>
        new Promise<void>((resolve) => peer.write(utf8(text), () => resolve()));
      const sent = ["", ""];
      const start = performance.now();
      for (let round = 0; round < 60; round++) {
        const [write, inbox, to] = round % 2 === 0
          ? [(text: string) => client.socket.write(utf8(text)), peerInbox, 0]
          : [peerWrite, client.inbox, 1];
        await write(`a${round};`);
        await microtasks(3);
        await write(`b${round};`);
        sent[to] += `a${round};b${round};`;
        await inbox.until(sent[to], `round ${round}`);
      }
      const elapsed = performance.now() - start;
      const peerClosed = new Promise((resolve) => peer.once("close", resolve));
      const serverClosed = new Promise((resolve) => server.close(resolve));
      await closeAll([client]);
      peer.destroy();
      await Promise.all([peerClosed, serverClosed]);
      assert.ok(elapsed < 900, `60 rounds took ${elapsed.toFixed(0)} ms`);
    },
  });
}

Deno.test("StreamSocket delivers a seeded random mix of writes and pauses in order, both directions", async () => {
  const ends = await plainPair({ maxQueuedBytes: 16 });
  const received = ["", ""];
  await randomSchedule("stream socket random schedule", writers, {
    send: (write, from, text) =>
      // tryWrite takes only what fits in the small queue: write the rest.
      write === writers.tryWrite
        ? ends[from].socket.write(utf8(text))
        : write(ends[from].socket, text),
    expect: (to, text, what) =>
      ends[to].inbox.until(received[to] += text, what),
  });
  await closeAll(ends);
});
