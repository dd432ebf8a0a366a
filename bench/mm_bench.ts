// Copyright 2026 the moonwire authors. MIT license.
// mm throughput and memory, one-way client → server on loopback.
//
//   deno bench --allow-all bench/mm_bench.ts
//
// Groups (each ratio is against the group's baseline):
// - mm plaintext 64 B tables vs FramedConnection with pre-encoded frames
//   (baseline: sendMany in batches of 1000; also shown: one send() per frame)
// - mm encrypted 64 B tables vs mm plaintext
// - mm encrypted 64 KiB byte-string tables vs Deno TLS streaming the bytes;
//   also shown: mm's record cipher alone (the same bytes sealed in place and
//   opened in 512 KiB records, no I/O), the floor under the mm line
// Memory per idle connected client is printed before the benches run.
import { FramedConnection } from "../net/framed_connection.ts";
import { encodeTable } from "../net/table_codec.ts";
import { NoiseCipherState } from "../crypto/noise_cipher_state.ts";
import { Client, EVENT_RECEIVE, NetworkEvents, Server } from "../mm/mod.ts";

const KEY = "0C03EA65238DD2C25EB87CE563868098";
const SMALL_COUNT = 20_000;
const LARGE_COUNT = 160;
const SMALL_TABLE = { data: "x".repeat(56) }; // encodes to 64 bytes
const LARGE_TABLE = { data: new Uint8Array(64 * 1024).fill(7) };
const SMALL_FRAME = encodeTable(SMALL_TABLE);
if (SMALL_FRAME.length !== 64) throw new Error("Small table is not 64 bytes");

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Pair {
  events: NetworkEvents;
  server: Server;
  client: Client;
  close(): Promise<void>;
}

async function mmPair(cipherKey?: string): Promise<Pair> {
  const events = new NetworkEvents({ capacity: SMALL_COUNT + 100 });
  const server = new Server("127.0.0.1", 0, { cipherKey, events });
  const client = new Client("127.0.0.1", server.getPort(), {
    cipherKey,
    events,
  });
  if (!(await client.waitForConnect()).ok) throw new Error("No connection");
  events.poll();
  return {
    events,
    server,
    client,
    async close() {
      await client.disconnect();
      await server.close();
    },
  };
}

/**
 * Sends `count` tables, keeping the send queue bounded, until all arrived.
 * Between polls it sleeps until the next event arrives (the hub's async
 * iterator), like the baselines' `await read()`: a `setTimeout(0)` poll loop
 * would mostly measure timer clamping (1–4 ms per wait in Deno).
 */
async function mmRun(pair: Pair, table: object, count: number): Promise<void> {
  const next = pair.events[Symbol.asyncIterator]();
  let sent = 0;
  let received = 0;
  while (received < count) {
    while (sent < count && pair.client.send(table as never)) sent++;
    for (const event of pair.events.poll()) {
      if (event.event === EVENT_RECEIVE) received++;
    }
    if (received < count) {
      const { value } = await next.next();
      if (value?.event === EVENT_RECEIVE) received++;
    }
  }
}

// Memory per idle connected client (both ends live in this process).
{
  const CLIENTS = 1000;
  const gc = (globalThis as { gc?: () => void }).gc;
  const events = new NetworkEvents({ capacity: CLIENTS * 3 });
  const server = new Server("127.0.0.1", 0, { events });
  gc?.();
  const before = Deno.memoryUsage();
  const clients = Array.from(
    { length: CLIENTS },
    () => new Client("127.0.0.1", server.getPort(), { events }),
  );
  await Promise.all(clients.map((client) => client.waitForConnect(10)));
  while (server.connectionCount() < CLIENTS) await delay(10);
  events.poll();
  gc?.();
  const after = Deno.memoryUsage();
  const perHeap = (after.heapUsed - before.heapUsed) / CLIENTS;
  const perRss = (after.rss - before.rss) / CLIENTS;
  console.log(
    `mm memory per idle connected client (client + server end, ${CLIENTS} clients${
      gc ? "" : ", no --expose-gc"
    }): heap ${perHeap.toFixed(0)} B, rss ${perRss.toFixed(0)} B`,
  );
  await Promise.all(clients.map((client) => client.disconnect()));
  await server.close();
}

/** A bench body: an mm pair (encrypted with `cipherKey`), `count` tables timed. */
function mmBench(
  table: object,
  count: number,
  cipherKey?: string,
): (b: Deno.BenchContext) => Promise<void> {
  return async (b) => {
    const pair = await mmPair(cipherKey);
    b.start();
    await mmRun(pair, table, count);
    b.end();
    await pair.close();
  };
}

/** Two FramedConnections over loopback TCP, for the raw-framing baselines. */
async function framedPair(): Promise<{
  sender: FramedConnection;
  receiver: FramedConnection;
  close(): Promise<void>;
}> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const sender = await FramedConnection.connect(
    "127.0.0.1",
    listener.addr.port,
  );
  const receiver = new FramedConnection(await accepted);
  return {
    sender,
    receiver,
    async close() {
      await sender.close();
      await receiver.close();
      listener.close();
    },
  };
}

/** Reads `count` frames; throws if the connection ends first. */
async function readFrames(
  receiver: FramedConnection,
  count: number,
): Promise<void> {
  let received = 0;
  while (received < count) {
    if ((await receiver.read()) === null) throw new Error("Ended early");
    received++;
  }
}

Deno.bench({
  name: "FramedConnection pre-encoded 64 B frames",
  group: "plaintext 64 B",
  baseline: true,
  n: 30,
  warmup: 5,
  async fn(b) {
    const { sender, receiver, close } = await framedPair();
    const batch = Array.from({ length: 1000 }, () => SMALL_FRAME);
    b.start();
    const reading = readFrames(receiver, SMALL_COUNT);
    for (let sent = 0; sent < SMALL_COUNT; sent += batch.length) {
      await sender.sendMany(batch);
    }
    await reading;
    b.end();
    await close();
  },
});

Deno.bench({
  name: "FramedConnection send() per pre-encoded 64 B frame",
  group: "plaintext 64 B",
  n: 30,
  warmup: 5,
  async fn(b) {
    const { sender, receiver, close } = await framedPair();
    b.start();
    const reading = readFrames(receiver, SMALL_COUNT);
    // One send per message, like mm's one send per table; the connection
    // batches them into few writes.
    const sends: Promise<void>[] = [];
    for (let sent = 0; sent < SMALL_COUNT; sent++) {
      sends.push(sender.send(SMALL_FRAME));
    }
    await Promise.all(sends);
    await reading;
    b.end();
    await close();
  },
});

Deno.bench({
  name: "mm plaintext 64 B tables",
  group: "plaintext 64 B",
  n: 30,
  warmup: 5,
  fn: mmBench(SMALL_TABLE, SMALL_COUNT),
});

Deno.bench({
  name: "mm plaintext 64 B tables (baseline)",
  group: "encrypted 64 B",
  baseline: true,
  n: 30,
  warmup: 5,
  fn: mmBench(SMALL_TABLE, SMALL_COUNT),
});

Deno.bench({
  name: "mm encrypted 64 B tables",
  group: "encrypted 64 B",
  n: 30,
  warmup: 5,
  fn: mmBench(SMALL_TABLE, SMALL_COUNT, KEY),
});

// A throw-away certificate for the TLS baseline.
function makeCertificate(): { cert: string; key: string } | undefined {
  const dir = Deno.makeTempDirSync({ prefix: "mm_bench_" });
  try {
    const result = new Deno.Command("openssl", {
      args: [
        ..."req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
          .split(" "),
        ..."-days 1 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1"
          .split(" "),
        ..."-addext basicConstraints=critical,CA:FALSE".split(" "),
        ..."-addext extendedKeyUsage=serverAuth".split(" "),
        ...["-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`],
      ],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    if (!result.success) return undefined;
    return {
      cert: Deno.readTextFileSync(`${dir}/cert.pem`),
      key: Deno.readTextFileSync(`${dir}/key.pem`),
    };
  } catch {
    return undefined;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
const tlsCertificate = makeCertificate();
if (tlsCertificate === undefined) {
  console.log("TLS baseline skipped: openssl not available");
}

Deno.bench({
  name: "Deno TLS streaming 64 KiB chunks",
  group: "encrypted 64 KiB",
  baseline: true,
  n: 10,
  warmup: 2,
  ignore: tlsCertificate === undefined,
  async fn(b) {
    const { cert, key } = tlsCertificate!;
    const listener = Deno.listenTls({
      hostname: "127.0.0.1",
      port: 0,
      cert,
      key,
    });
    const accepted = listener.accept();
    const client = await Deno.connectTls({
      hostname: "127.0.0.1",
      port: listener.addr.port,
      caCerts: [cert],
    });
    const server = await accepted;
    const chunk = LARGE_TABLE.data;
    const total = chunk.length * LARGE_COUNT;
    b.start();
    const reading = (async () => {
      const buffer = new Uint8Array(256 * 1024);
      let received = 0;
      while (received < total) {
        const n = await server.read(buffer);
        if (n === null) throw new Error("Ended early");
        received += n;
      }
    })();
    for (let i = 0; i < LARGE_COUNT; i++) {
      let offset = 0;
      while (offset < chunk.length) {
        offset += await client.write(chunk.subarray(offset));
      }
    }
    await reading;
    b.end();
    client.close();
    server.close();
    listener.close();
  },
});

Deno.bench({
  name: "mm encrypted 64 KiB byte-string tables",
  group: "encrypted 64 KiB",
  n: 10,
  warmup: 2,
  fn: mmBench(LARGE_TABLE, LARGE_COUNT, KEY),
});

Deno.bench({
  name:
    "ChaCha20-Poly1305 alone on the 64 KiB tables' bytes (in place, no I/O)",
  group: "encrypted 64 KiB",
  n: 10,
  warmup: 2,
  async fn(b) {
    // What mm's record cipher does to the bench's bytes: 512 KiB records
    // sealed in place (NoiseCipherState.encryptInto) and opened into fresh
    // buffers (decrypt), as mm/_record_cipher.ts does.
    const key = new Uint8Array(32);
    using sender = new NoiseCipherState(key);
    using receiver = new NoiseCipherState(key);
    const size = 512 * 1024;
    const buffer = new Uint8Array(size + 16);
    const records = (LARGE_TABLE.data.length * LARGE_COUNT) / size;
    b.start();
    for (let i = 0; i < records; i++) {
      const sealed = await sender.encryptInto(buffer.subarray(0, size), buffer);
      await receiver.decrypt(sealed);
    }
    b.end();
  },
});
