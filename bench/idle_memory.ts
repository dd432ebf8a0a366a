// Copyright 2026 the moonwire authors. MIT license.
// Memory of idle connections (a script, not a `deno bench` file; the
// summary's P7 target measures mm pairs the same way): opens PAIRS
// connection pairs of one kind, lets them go quiet, and prints heap (after
// gc) and RSS per pair. Kinds:
// "ws" (Deno.serve + upgradeWebSocket + new WebSocket, the baseline),
// "framed" (FramedConnection pairs in the borrowFrames mode mm and cnet
// use), "mm" (Client/Server pairs through the public mm API, encrypted),
// "cnet" (CryptoNet sessions over a MemoryNetwork) and "tcpLink" (callback
// API TcpLink pairs; both as in the P7 report). Each kind runs in its own
// process, so their heaps do not mix:
//   deno run -A --v8-flags=--expose-gc bench/idle_memory.ts [kinds...]
import { FramedConnection } from "../net/framed_connection.ts";
import { CIPHER_KEY } from "./_targets/_mm.ts";
import { cryptoNetSessions, mmPairs, tcpLinks } from "./_targets/p7_memory.ts";

const PAIRS = 1000;
// Long enough for every handshake timer and send-arena trim to have run.
const SETTLE_MS = 2500;

type Kind = "ws" | "framed" | "mm" | "mmEncrypted" | "cnet" | "tcpLink";
const KINDS: Kind[] = ["ws", "framed", "mm", "mmEncrypted", "cnet", "tcpLink"];

const gc = (globalThis as { gc?: () => void }).gc;

async function settle(): Promise<{ heap: number; rss: number }> {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const { heapUsed, rss } = Deno.memoryUsage();
  return { heap: heapUsed, rss };
}

async function openWebSockets(): Promise<() => Promise<void>> {
  const sockets: WebSocket[] = [];
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
  }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    sockets.push(socket);
    return response;
  });
  const clients = await Promise.all(
    Array.from(
      { length: PAIRS },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(`ws://127.0.0.1:${server.addr.port}/`);
          ws.onopen = () => resolve(ws);
          ws.onerror = () => reject(new Error("Cannot open WebSocket"));
        }),
    ),
  );
  return async () => {
    const closed = clients.map((ws) =>
      new Promise((resolve) => (ws.onclose = resolve))
    );
    for (const ws of clients) ws.close();
    await Promise.all(closed);
    await server.shutdown();
  };
}

async function openFramed(): Promise<() => Promise<void>> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const options = {
    borrowFrames: true,
    keepAlive: { interval: 25_000, maxMissed: 2 },
  };
  const pairs: FramedConnection[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const accepted = listener.accept();
    const client = await FramedConnection.connect(
      "127.0.0.1",
      listener.addr.port,
      options,
    );
    const server = new FramedConnection(await accepted, options);
    // One exchange each way, as after a handshake; then both wait to read.
    await client.send(new Uint8Array(64));
    await server.readMany();
    await server.send(new Uint8Array(64));
    await client.readMany();
    const reading = [client.readMany(), server.readMany()];
    for (const read of reading) read.catch(() => {});
    pairs.push(client, server);
  }
  return async () => {
    await Promise.all(pairs.map((conn) => conn.close()));
  };
}

const OPEN: Record<Kind, () => Promise<() => Promise<void>>> = {
  ws: openWebSockets,
  framed: openFramed,
  mm: () => mmPairs(),
  mmEncrypted: () => mmPairs(CIPHER_KEY),
  cnet: cryptoNetSessions,
  tcpLink: tcpLinks,
};

if (Deno.args[0] === "--child") {
  const kind = Deno.args[1] as Kind;
  const before = await settle();
  const close = await OPEN[kind]();
  const after = await settle();
  console.log(JSON.stringify({
    kind,
    heapPerPair: (after.heap - before.heap) / PAIRS,
    rssPerPair: (after.rss - before.rss) / PAIRS,
  }));
  await close();
} else {
  if (gc === undefined) {
    console.error("Run with --v8-flags=--expose-gc for heap after gc");
  }
  const kinds = Deno.args.length > 0 ? Deno.args as Kind[] : KINDS;
  for (const kind of kinds) {
    const child = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        import.meta.filename!,
        "--child",
        kind,
      ],
      stderr: "inherit",
    }).output();
    const result = JSON.parse(new TextDecoder().decode(child.stdout));
    console.log(
      `${kind.padEnd(11)} heap ${
        (result.heapPerPair / 1024).toFixed(1).padStart(6)
      } KB/pair  RSS ${
        (result.rssPerPair / 1024).toFixed(1).padStart(6)
      } KB/pair`,
    );
  }
}
