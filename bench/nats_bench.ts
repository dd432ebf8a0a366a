// Copyright 2026 the moonwire authors. MIT license.
// NatsModem on a real nats-server (started here on a random port unless
// MOONWIRE_NATS_URL names one):
//
//   deno bench --frozen --allow-all bench/nats_bench.ts
//
// Groups:
// - nats 64 B: 1000 datagrams of 64 B from one modem to another, vs raw
//   NATS pub/sub of the same 1000 64 B messages between two connections of
//   the same client, on a subject as long as the modem's, the subscriber
//   reading each message's bytes (the baseline). Target: the modem at ≥ 0.7× the raw
//   rate; the ratio and PASS/MISS are printed at the end.
// - cttp over nats: CTTP round trips over CTCP over CryptoNet on two
//   NatsModems; p50/p99 printed at the end.
// - mm across servers: 1000 broadcasts of a 64-byte table on one mm Server
//   until the client of another Server in the same NatsRoom has received
//   them all (NATS, then that server's TCP connection to its client), plain
//   and sealed, vs the raw 1000 × 64 B pub/sub above (the baseline). The
//   ratios are printed at the end.
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { CNetNode, CttpRequest } from "../cnet/mod.ts";
import { NatsModem } from "../cnet/nats.ts";
import { Client, EVENT_RECEIVE, NetworkEvents, Server } from "../mm/mod.ts";
import { NatsRoom } from "../mm/nats.ts";
import { type NatsServer, startNatsServer } from "../tests/_nats_server.ts";

const DATAGRAMS = 1000;
const ROUND_TRIPS = 100;
const TARGET = 0.7;
const payload = new Uint8Array(64).fill(0x2a);
// As long as the modem's subject for channel 7 ("moonwire.cnet.7"): the
// client's cost per message grows with the subject.
const RAW_SUBJECT = "moonwire.raw.77";

let server: NatsServer | undefined;
let url = Deno.env.get("MOONWIRE_NATS_URL");
if (url === undefined) {
  server = await startNatsServer();
  url = server.url;
}

// Milliseconds per iteration, per benchmark, for the ratio and percentiles.
const samples = new Map<string, number[]>();
function record(name: string, ms: number): void {
  let list = samples.get(name);
  if (list === undefined) samples.set(name, list = []);
  list.push(ms);
}
function percentile(name: string, p: number): number {
  const sorted = [...samples.get(name) ?? []].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** Resolves when `count()` has reached `target` (checked on each message). */
function counter(): { add(): void; until(target: number): Promise<void> } {
  let seen = 0;
  let waiting: { target: number; resolve: () => void } | undefined;
  return {
    add() {
      seen++;
      if (waiting !== undefined && seen >= waiting.target) waiting.resolve();
    },
    until(target) {
      if (seen >= target) return Promise.resolve();
      const { promise, resolve } = Promise.withResolvers<void>();
      waiting = { target, resolve };
      return promise;
    },
  };
}

// Baseline: the same client, raw subjects, no header, no checks.
const rawPublisher: NatsConnection = await connect({ servers: url });
const rawSubscriber: NatsConnection = await connect({ servers: url });
const rawCount = counter();
// Like the modem's subscriber, this one takes each message's bytes.
let rawBytes = 0;
rawSubscriber.subscribe(RAW_SUBJECT, {
  callback: (_error, message) => {
    rawBytes += message.data.length;
    rawCount.add();
  },
});
await rawSubscriber.flush();
let rawSent = 0;

Deno.bench({
  name: "raw NATS pub/sub, 1000 × 64 B",
  group: "nats 64 B",
  baseline: true,
  async fn(b) {
    b.start();
    const started = performance.now();
    for (let i = 0; i < DATAGRAMS; i++) {
      rawPublisher.publish(RAW_SUBJECT, payload);
    }
    rawSent += DATAGRAMS;
    await rawCount.until(rawSent);
    record("raw", performance.now() - started);
    b.end();
  },
});

const sender = await NatsModem.connect(url);
const receiver = await NatsModem.connect(url);
const modemCount = counter();
receiver.open(7);
let modemBytes = 0;
receiver.subscribe((message) => {
  modemBytes += message.payload.length;
  modemCount.add();
});
await receiver.flush();
let modemSent = 0;

Deno.bench({
  name: "NatsModem transmit, 1000 × 64 B",
  group: "nats 64 B",
  async fn(b) {
    b.start();
    const started = performance.now();
    for (let i = 0; i < DATAGRAMS; i++) sender.transmit(7, 8, payload);
    modemSent += DATAGRAMS;
    await modemCount.until(modemSent);
    record("modem", performance.now() - started);
    b.end();
  },
});

// CTTP over CryptoNet sessions on two NatsModems.
const directory = await Deno.makeTempDir({ prefix: "nats_bench_" });
const cttpServer = new CNetNode({
  directory,
  modems: { top: await NatsModem.connect(url) },
});
const cttpClient = new CNetNode({
  directory,
  modems: { top: await NatsModem.connect(url) },
});
await cttpServer.host("bench-nats");
cttpServer.setRestApi("GET", "/ping", () => "pong");
const connection = await cttpClient.connectCtcp("bench-nats");

Deno.bench({
  name: "CTTP round trip over NatsModem (100 sequential)",
  group: "cttp over nats",
  n: 20,
  warmup: 2,
  async fn(b) {
    b.start();
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const started = performance.now();
      const { response } = await cttpClient.sendCttpRequest(
        connection,
        new CttpRequest("GET", "/ping"),
      );
      if (response?.data !== "pong") throw new Error("no CTTP response");
      record("cttp", performance.now() - started);
    }
    b.end();
  },
});

// mm across servers: one room per mode, a broadcasting server and a
// receiving server with one client.
const KEY = "0C03EA65238DD2C25EB87CE563868098";
// 64 bytes encoded, as the raw messages.
const table = { op: 10, data: "x".repeat(52) };
const rooms: { close(): Promise<void> }[] = [];
for (const sealed of [false, true]) {
  const cipherKey = sealed ? KEY : undefined;
  const name = sealed ? "mm-sealed" : "mm-plain";
  const origin = new Server("127.0.0.1", 0, { cipherKey });
  const target = new Server("127.0.0.1", 0, { cipherKey });
  const originRoom = await NatsRoom.join(origin, { servers: url, room: name });
  const targetRoom = await NatsRoom.join(target, { servers: url, room: name });
  const events = new NetworkEvents({ capacity: 10_000 });
  const client = new Client("127.0.0.1", target.getPort(), {
    cipherKey,
    events,
  });
  if (!(await client.waitForConnect(5)).ok) throw new Error("no mm client");
  while (originRoom.peers < 1 || targetRoom.peers < 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  rooms.push({
    close: async () => {
      await originRoom.close();
      await targetRoom.close();
      await client.disconnect();
      await origin.close();
      await target.close();
    },
  });
  Deno.bench({
    name: `mm broadcast across servers (${
      sealed ? "sealed" : "plain"
    }), 1000 × 64 B`,
    group: "nats 64 B",
    async fn(b) {
      b.start();
      const started = performance.now();
      for (let i = 0; i < DATAGRAMS; i++) origin.broadcast(table);
      let received = 0;
      for await (const event of events) {
        if (event.event === EVENT_RECEIVE && ++received === DATAGRAMS) break;
      }
      record(name, performance.now() - started);
      b.end();
    },
  });
}

globalThis.addEventListener("unload", () => {
  const raw = percentile("raw", 0.5);
  const modem = percentile("modem", 0.5);
  // Rate ratio: time per batch of the baseline over the modem's (medians).
  const ratio = raw / modem;
  console.log(
    `\nBytes received: raw ${rawBytes}, modem ${modemBytes} (64 per message)`,
  );
  console.log(
    `\nNatsModem 64 B datagrams: ${
      (DATAGRAMS / modem * 1000).toFixed(0)
    }/s, raw NATS ${(DATAGRAMS / raw * 1000).toFixed(0)}/s: ratio ${
      ratio.toFixed(2)
    }× (target ≥ ${TARGET}×) ${ratio >= TARGET ? "PASS" : "MISS"}`,
  );
  for (const name of ["mm-plain", "mm-sealed"]) {
    const mm = percentile(name, 0.5);
    console.log(
      `${name}: 1000 tables across servers in ${mm.toFixed(2)} ms (${
        (DATAGRAMS / mm * 1000).toFixed(0)
      }/s), raw NATS ${raw.toFixed(2)} ms: ratio ${(raw / mm).toFixed(2)}×`,
    );
  }
  console.log(
    `CTTP over NatsModem: p50 ${percentile("cttp", 0.5).toFixed(3)} ms, p99 ${
      percentile("cttp", 0.99).toFixed(3)
    } ms (n=${samples.get("cttp")?.length ?? 0})`,
  );
});

// Tear down after the last benchmark (deno bench awaits pending work first).
globalThis.addEventListener("beforeunload", () => {
  void (async () => {
    for (const room of rooms) await room.close();
    await cttpClient.close();
    await cttpServer.close();
    await sender[Symbol.asyncDispose]();
    await receiver[Symbol.asyncDispose]();
    await rawPublisher.close();
    await rawSubscriber.close();
    await server?.stop();
    await Deno.remove(directory, { recursive: true });
  })();
});
