// Copyright 2026 the moonwire authors. MIT license.
// One-way stream over loopback of N frames per iteration, timed with
// b.start()/b.end() around the transfer. Each benchmark keeps one connection
// pair for all its iterations (steady state, like a long-lived connection).
// Baseline in every group: a raw Deno.Conn writing the same pre-framed bytes
// and a raw reader counting them.
// - "stream": FramedConnection on both ends (read() per frame, or readMany(),
//   with fresh or borrowed frames).
// - "send side": FramedConnection sender, the raw reader as receiver.
// - "receive side": the raw writer as sender, FramedConnection receiver
//   (fresh or borrowed frames).
import {
  FramedConnection,
  type FramedConnectionOptions,
} from "../net/framed_connection.ts";
import { FrameEncoder } from "../net/frame_codec.ts";
import { readTotal, writeAll } from "./_loopback.ts";

const CASES: [string, number, number][] = [
  ["64 B", 64, 50_000],
  ["1 KiB", 1024, 10_000],
  ["64 KiB", 64 * 1024, 256],
];
// Enough warmup for the JIT to settle; enough timed runs (each a few ms)
// for stable averages on a shared machine.
const RUNS = { n: 40, warmup: 20 };
// The producer waits for room (ready()) only when this much is queued.
const HIGH_WATER = 256 * 1024;

const cleanups: (() => void)[] = [];
globalThis.addEventListener("unload", () => {
  for (const cleanup of cleanups) cleanup();
});

async function connectedPair(): Promise<[Deno.TcpConn, Deno.TcpConn]> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const client = await Deno.connect({
    hostname: "127.0.0.1",
    port: listener.addr.port,
  });
  const server = await accepted;
  cleanups.push(() => {
    client.close();
    server.close();
  });
  return [client, server];
}

// Lazily made on the first iteration of each benchmark, then reused.
function persistent<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}

async function framedSend(
  conn: FramedConnection,
  payload: Uint8Array,
  count: number,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    if (conn.pendingBytes >= HIGH_WATER) await conn.ready();
    conn.send(payload);
  }
}

async function framedRead(
  conn: FramedConnection,
  count: number,
  many: boolean,
): Promise<void> {
  if (many) {
    for (let got = 0; got < count;) {
      const frames = await conn.readMany();
      if (frames === null) throw new Error("early end of stream");
      got += frames.length;
    }
    if (count < 0) throw new Error("unreachable");
    return;
  }
  for (let i = 0; i < count; i++) {
    if ((await conn.read()) === null) throw new Error("early end of stream");
  }
}

function framedPair(
  readerOptions: FramedConnectionOptions,
): Promise<[FramedConnection, FramedConnection]> {
  return connectedPair().then(([client, server]) => {
    const pair: [FramedConnection, FramedConnection] = [
      new FramedConnection(client),
      new FramedConnection(server, readerOptions),
    ];
    return pair;
  });
}

const READERS: [string, boolean, FramedConnectionOptions][] = [
  ["read()", false, {}],
  ["readMany()", true, {}],
  ["readMany(), borrowFrames", true, { borrowFrames: true }],
];

for (const [label, size, count] of CASES) {
  const payload = new Uint8Array(size).fill(7);
  const framed = new FrameEncoder().encodeMany(
    Array.from({ length: count }, () => payload),
  );
  const name = `${label} x${count}`;

  // Registered right before its group, so the baseline runs in the same
  // conditions (heap state, JIT) as the benchmarks it is compared with.
  const rawBaseline = (group: string) => {
    const conns = persistent(connectedPair);
    const buffer = new Uint8Array(64 * 1024);
    Deno.bench({
      name: `raw Deno.Conn ${name}`,
      group: `${group} ${label}`,
      baseline: true,
      ...RUNS,
      async fn(b) {
        const [client, server] = await conns();
        b.start();
        await Promise.all([
          readTotal(server, buffer, framed.length),
          writeAll(client, framed),
        ]);
        b.end();
      },
    });
  };

  rawBaseline("stream");
  for (const [reader, many, readerOptions] of READERS) {
    const conns = persistent(() => framedPair(readerOptions));
    Deno.bench({
      name: `FramedConnection ${name}, ${reader}`,
      group: `stream ${label}`,
      ...RUNS,
      async fn(b) {
        const [client, server] = await conns();
        b.start();
        await Promise.all([
          framedRead(server, count, many),
          framedSend(client, payload, count),
        ]);
        b.end();
      },
    });
  }

  rawBaseline("send side");
  {
    const conns = persistent(async () => {
      const [client, server] = await connectedPair();
      return [new FramedConnection(client), server] as const;
    });
    const buffer = new Uint8Array(64 * 1024);
    Deno.bench({
      name: `FramedConnection.send ${name}`,
      group: `send side ${label}`,
      ...RUNS,
      async fn(b) {
        const [client, server] = await conns();
        b.start();
        await Promise.all([
          readTotal(server, buffer, framed.length),
          framedSend(client, payload, count),
        ]);
        b.end();
      },
    });
  }

  rawBaseline("receive side");
  for (const borrowFrames of [false, true]) {
    const conns = persistent(async () => {
      const [client, server] = await connectedPair();
      return [client, new FramedConnection(server, { borrowFrames })] as const;
    });
    Deno.bench({
      name: `FramedConnection.readMany ${name}${
        borrowFrames ? ", borrowFrames" : ""
      }`,
      group: `receive side ${label}`,
      ...RUNS,
      async fn(b) {
        const [client, server] = await conns();
        b.start();
        await Promise.all([
          framedRead(server, count, true),
          writeAll(client, framed),
        ]);
        b.end();
      },
    });
  }
}
