// Copyright 2026 the moonwire authors. MIT license.
// CTTP request/response round trips: over CTCP on an in-memory pipe (protocol
// cost only), over CryptoNet on MemoryNetwork and on UdpModem (loopback,
// peer-list mode), next to a plain Deno.serve HTTP request/response on
// loopback (the baseline). Each iteration does ROUND_TRIPS sequential round
// trips; per-request latencies are collected and their p50/p99 printed at the
// end of the run.
import { CnetCore } from "../cnet/_cnet_core.ts";
import { connectionState } from "../cnet/_ctcp_registry.ts";
import { CttpRequest } from "../cnet/cttp_request.ts";
import type { CttpResponse } from "../cnet/cttp_response.ts";
import type { CtcpConnection } from "../cnet/ctcp_connection.ts";
import { CNetNode } from "../cnet/cnet_node.ts";
import { MemoryNetwork } from "../cnet/memory_network.ts";
import { UdpModem } from "../cnet/udp_modem.ts";

const ROUND_TRIPS = 100;
const GROUP = "cttp round trip";
const latencies = new Map<string, number[]>();

function record(name: string, ms: number): void {
  let list = latencies.get(name);
  if (list === undefined) latencies.set(name, list = []);
  list.push(ms);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

globalThis.addEventListener("unload", () => {
  console.log("\nCTTP round-trip latency (ms):");
  for (const [name, list] of latencies) {
    const sorted = [...list].sort((a, b) => a - b);
    const total = sorted.reduce((sum, value) => sum + value, 0);
    console.log(
      `  ${name.padEnd(34)} n=${String(sorted.length).padStart(5)}  p50=${
        percentile(sorted, 0.5).toFixed(3)
      }  p99=${percentile(sorted, 0.99).toFixed(3)}  round trips/s=${
        (sorted.length / (total / 1000)).toFixed(0)
      }`,
    );
  }
});

// Baseline: HTTP on loopback with a keep-alive client.
const httpServer = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen: () => {} },
  () => new Response("pong"),
);
const httpUrl = `http://127.0.0.1:${httpServer.addr.port}/ping`;

Deno.bench({
  name: "HTTP Deno.serve + fetch (loopback)",
  group: GROUP,
  baseline: true,
  n: 20,
  warmup: 2,
  async fn(b) {
    b.start();
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const started = performance.now();
      const response = await fetch(httpUrl);
      await response.text();
      record("HTTP Deno.serve (loopback)", performance.now() - started);
    }
    b.end();
  },
});

// CTCP/CTTP alone over a perfect in-memory pipe (no crypto, no modem).
interface Link {
  peer?: Link;
}
const pipeClient: CnetCore<Link> = new CnetCore<Link>({
  send: (link, packet) =>
    queueMicrotask(() =>
      pipeServer.receive(link.peer!, structuredClone(packet))
    ),
});
const pipeServer: CnetCore<Link> = new CnetCore<Link>({
  send: (link, packet) =>
    queueMicrotask(() =>
      pipeClient.receive(link.peer!, structuredClone(packet))
    ),
});
pipeServer.router.set("GET", "/ping", () => "pong");
const clientLink: Link = {};
clientLink.peer = { peer: clientLink };
const pipeConnection = (await pipeClient.connect(clientLink, 5000))!;

async function roundTrips(
  name: string,
  connection: CtcpConnection<unknown>,
): Promise<void> {
  const state = connectionState(connection)!;
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const started = performance.now();
    const { response } = await state.request(
      new CttpRequest("GET", "/ping"),
      5000,
    ) as { response: CttpResponse | null };
    if (response?.data !== "pong") throw new Error(`${name}: no response`);
    record(name, performance.now() - started);
  }
}

Deno.bench({
  name: "CTTP over CTCP, in-memory pipe (no crypto)",
  group: GROUP,
  n: 20,
  warmup: 2,
  async fn(b) {
    b.start();
    await roundTrips("CTTP in-memory pipe (no crypto)", pipeConnection);
    b.end();
  },
});

// CTTP over CTCP over CryptoNet (Noise sessions, ChaCha20-Poly1305) on a
// modem: one server node and one client node per medium.
const directory = await Deno.makeTempDir({ prefix: "cttp_bench_" });

async function cnetPair(
  name: string,
  serverModem: import("../cnet/modem.ts").Modem,
  clientModem: import("../cnet/modem.ts").Modem,
) {
  const server = new CNetNode({ directory, modems: { top: serverModem } });
  const client = new CNetNode({ directory, modems: { top: clientModem } });
  await server.host(name);
  server.setRestApi("GET", "/ping", () => "pong");
  const connection = await client.connectCtcp(name);
  if (connection === null) throw new Error(`${name}: cannot connect`);
  return { server, client, connection };
}

const memoryNetwork = new MemoryNetwork();
const memory = await cnetPair(
  "bench-memory",
  memoryNetwork.createModem(),
  memoryNetwork.createModem(),
);

const udpServerModem = await UdpModem.create({ peers: [] });
const udpClientModem = await UdpModem.create({
  peers: [{ hostname: "127.0.0.1", port: udpServerModem.port }],
});
udpServerModem.addPeer("127.0.0.1", udpClientModem.port);
const udp = await cnetPair("bench-udp", udpServerModem, udpClientModem);

Deno.bench({
  name: "CTTP over CryptoNet, MemoryNetwork",
  group: GROUP,
  n: 20,
  warmup: 2,
  async fn(b) {
    b.start();
    await roundTrips("CTTP CryptoNet MemoryNetwork", memory.connection);
    b.end();
  },
});

Deno.bench({
  name: "CTTP over CryptoNet, UdpModem loopback (peers)",
  group: GROUP,
  n: 20,
  warmup: 2,
  async fn(b) {
    b.start();
    await roundTrips("CTTP CryptoNet UdpModem loopback", udp.connection);
    b.end();
  },
});

globalThis.addEventListener("unload", () => {
  pipeClient.close();
  pipeServer.close();
  void httpServer.shutdown();
});

// Tear down after the last benchmark (deno bench awaits pending work first).
globalThis.addEventListener("beforeunload", () => {
  void (async () => {
    for (const pair of [memory, udp]) {
      await pair.client.close();
      await pair.server.close();
    }
    memoryNetwork.close();
    await udpServerModem.close();
    await udpClientModem.close();
    await Deno.remove(directory, { recursive: true });
  })();
});
