// Copyright 2026 the moonwire authors. MIT license.
// P7: heap and RSS per idle mm connection pair (client + server end, 1000
// pairs in this process) vs a Deno WebSocket pair (Deno.serve + upgrade).
// Also reported, without a target: encrypted mm pairs (cipherKey), CryptoNet
// sessions over a MemoryNetwork and callback-API TcpLinks per idle
// connection (both ends).
// Each measurement runs in a fresh child process (this file run as a
// script), because RSS seldom shrinks after a close: in one process a later
// measurement would reuse pages an earlier one freed.
import { CryptoNet, MemoryNetwork } from "../../cnet/mod.ts";
import { Client, NetworkEvents, Server } from "../../mm/mod.ts";
import { connect, listen, type TcpLink } from "../../net/mod.ts";
import { median, ratioRow, type Sample, type Target } from "./_target.ts";
import {
  canForceGc,
  closeWebSocket,
  delay,
  openWebSocket,
  settledMemory,
  webSocketServer,
} from "../_loopback.ts";
import { CIPHER_KEY } from "./_mm.ts";

const PAIRS = 1000;

/** Bytes of heap and RSS per pair that `open` holds until `close`. */
async function perPair(
  open: () => Promise<() => Promise<void>>,
): Promise<Sample> {
  const before = await settledMemory();
  const close = await open();
  const after = await settledMemory();
  await close();
  return {
    heap: (after.heap - before.heap) / PAIRS,
    rss: (after.rss - before.rss) / PAIRS,
  };
}

async function webSocketPairs(): Promise<() => Promise<void>> {
  let accepted = 0;
  const allAccepted = Promise.withResolvers<void>();
  const server = webSocketServer((socket) => {
    socket.onopen = () => {
      if (++accepted === PAIRS) allAccepted.resolve();
    };
  });
  const url = `ws://127.0.0.1:${server.addr.port}`;
  const sockets = await Promise.all(
    Array.from({ length: PAIRS }, () => openWebSocket(url)),
  );
  await allAccepted.promise;
  return async () => {
    await Promise.all(sockets.map(closeWebSocket));
    await server.shutdown();
  };
}

/**
 * Opens PAIRS idle mm Client/Server pairs, encrypted when `cipherKey` is
 * given; resolves to their close.
 */
export async function mmPairs(
  cipherKey?: string,
): Promise<() => Promise<void>> {
  const events = new NetworkEvents({ capacity: PAIRS * 3 });
  const server = new Server("127.0.0.1", 0, { cipherKey, events });
  const clients = Array.from(
    { length: PAIRS },
    () => new Client("127.0.0.1", server.getPort(), { cipherKey, events }),
  );
  const results = await Promise.all(
    clients.map((client) => client.waitForConnect(10)),
  );
  if (!results.every((result) => result.ok)) {
    throw new Error("Cannot open idle mm pairs: a client did not connect");
  }
  while (server.connectionCount() < PAIRS) await delay(10);
  events.poll();
  return async () => {
    await Promise.all(clients.map((client) => client.disconnect()));
    await server.close();
  };
}

/** Opens PAIRS idle callback-API TcpLink pairs; resolves to their close. */
export async function tcpLinks(): Promise<() => Promise<void>> {
  const links: TcpLink[] = [];
  let count = 0;
  const all = Promise.withResolvers<void>();
  const failed = (_link: TcpLink, code: string, message: string) =>
    all.reject(new Error(`Cannot open idle TcpLinks: ${code} ${message}`));
  const callbacks = {
    onReceivedData() {},
    onRemoteClosed() {},
    onError: failed,
  };
  const counted = (link: TcpLink) => {
    links.push(link);
    if (++count === 2 * PAIRS) all.resolve();
  };
  const server = listen(0, {
    onIncomingConnection: () => callbacks,
    onAccepted: counted,
    onError: (code, message) => all.reject(new Error(`${code} ${message}`)),
  }, { hostname: "127.0.0.1" });
  for (let i = 0; i < PAIRS; i++) {
    connect("127.0.0.1", server.getPort(), {
      ...callbacks,
      onConnected: counted,
    });
  }
  await all.promise;
  return async () => {
    for (const link of links) link.close();
    server.close();
    await server.closed;
  };
}

// A modem has at most 128 channels open and each client session holds one.
const SESSIONS_PER_CLIENT = 100;

/**
 * Opens PAIRS idle CryptoNet sessions over a MemoryNetwork; resolves to
 * their close.
 */
export async function cryptoNetSessions(): Promise<() => Promise<void>> {
  const directory = await Deno.makeTempDir({ prefix: "moonwire_p7_" });
  const network = new MemoryNetwork();
  const node = () =>
    new CryptoNet.CryptoNetNode({
      directory,
      modems: { top: network.createModem() },
    });
  const server = node();
  const hosted = await server.host("bench_idle");
  const clients = Array.from(
    { length: PAIRS / SESSIONS_PER_CLIENT },
    node,
  );
  for (const client of clients) {
    await Promise.all(
      Array.from(
        { length: SESSIONS_PER_CLIENT },
        () => client.connect("bench_idle", { certificate: hosted.certificate }),
      ),
    );
  }
  return async () => {
    for (const client of clients) await client.close();
    await server.close();
    network.close();
    await Deno.remove(directory, { recursive: true });
  };
}

const KINDS = {
  webSocket: webSocketPairs,
  mm: () => mmPairs(),
  mmEncrypted: () => mmPairs(CIPHER_KEY),
  cryptoNet: cryptoNetSessions,
  tcpLink: tcpLinks,
};
type Kind = keyof typeof KINDS;

/** Runs one measurement of `kind` in a child process. */
async function measureInChild(kind: Kind): Promise<Sample> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--frozen",
      "--allow-all",
      "--v8-flags=--expose-gc",
      import.meta.filename!,
      kind,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) {
    throw new Error(
      `Cannot measure ${kind} memory: child exited ${output.code}`,
    );
  }
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

/** Makes the P7 target. */
export function memoryTarget(): Target {
  const format = (sample: Sample) =>
    `heap ${(sample.heap / 1024).toFixed(1)} KiB, RSS ${
      (sample.rss / 1024).toFixed(1)
    } KiB`;
  const note = (key: "heap" | "rss") => (b: Sample[], m: Sample[]) =>
    `${(median(m.map((s) => s[key])) / 1024).toFixed(1)} KiB vs ${
      (median(b.map((s) => s[key])) / 1024).toFixed(1)
    } KiB per pair`;
  return {
    title: `P7 memory per idle connection pair (${PAIRS} pairs, both ends) ` +
      "vs Deno WebSocket pairs, each in a fresh process",
    rounds: 3,
    warmup: false,
    rows: [
      ratioRow(
        "P7 heap per idle pair",
        (b, m) => m.heap / b.heap,
        1.0,
        "<=",
        note("heap"),
      ),
      ratioRow(
        "P7 RSS per idle pair",
        (b, m) => m.rss / b.rss,
        1.0,
        "<=",
        note("rss"),
      ),
    ],
    measure(side) {
      return measureInChild(side === "baseline" ? "webSocket" : "mm");
    },
    async report() {
      return [
        `  encrypted mm (cipherKey) per idle pair: ${
          format(await measureInChild("mmEncrypted"))
        }`,
        `  CryptoNet sessions (MemoryNetwork) per idle pair: ${
          format(await measureInChild("cryptoNet"))
        }`,
        `  callback TcpLinks per idle pair: ${
          format(await measureInChild("tcpLink"))
        }`,
      ];
    },
    async close() {},
  };
}

if (import.meta.main) {
  const kind = Deno.args[0] as Kind;
  if (!(kind in KINDS)) {
    throw new TypeError(
      `Cannot measure memory: kind must be one of ${
        Object.keys(KINDS).join(", ")
      }, got ${kind}`,
    );
  }
  if (!canForceGc) {
    throw new TypeError("Cannot measure memory: run with --expose-gc");
  }
  console.log(JSON.stringify(await perPair(KINDS[kind])));
}
