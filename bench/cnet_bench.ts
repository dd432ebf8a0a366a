// Copyright 2026 the moonwire authors. MIT license.
// CryptoNet handshakes and encrypted messages on a MemoryNetwork.
//
//   deno bench --allow-all bench/cnet_bench.ts
//
// Groups (each ratio is against the group's baseline):
// - handshake: CryptoNet connect (Noise NK, certificate known) + first
//   message received, vs Deno.connectTls + TLS handshake + first message
//   received on loopback (certificate made with openssl at start; skipped
//   with a printed reason when openssl is missing)
// - messages 64 B / 16 KiB: encrypted CryptoNet messages, 100 per iteration
import { CryptoNet, MemoryNetwork } from "../cnet/mod.ts";

const MESSAGES = 100;
const network = new MemoryNetwork();
const directory = await Deno.makeTempDir({ prefix: "cnet_bench_" });
await Deno.mkdir(`${directory}/server`);
await Deno.mkdir(`${directory}/client`);
const serverNode = new CryptoNet.CryptoNetNode({
  directory: `${directory}/server`,
  modems: { top: network.createModem() },
});
const clientNode = new CryptoNet.CryptoNetNode({
  directory: `${directory}/client`,
  modems: { top: network.createModem() },
});
const server = await serverNode.host("bench");
let waiting: { count: number; resolve: () => void } | undefined;
serverNode.on("encrypted_message", () => {
  if (waiting !== undefined && --waiting.count === 0) waiting.resolve();
});
function expect(count: number): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  waiting = { count, resolve };
  return promise;
}

Deno.bench({
  name: "CryptoNet connect (NK) + first message, MemoryNetwork",
  group: "handshake",
  async fn() {
    const received = expect(1);
    const socket = await clientNode.connect("bench", {
      certificate: server.certificate,
    });
    await clientNode.send(socket, "hello");
    await received;
    // Like conn.close() below: the close goes out, nobody waits for it.
    socket.close();
  },
});

// The TLS baseline: a loopback Deno TLS server with an openssl-made cert.
let tls: { port: number; cert: string } | undefined;
// Resolved by the in-process TLS server when it has read the first message
// (no reply: a server write would meet Nagle and delayed ACKs).
let tlsReceived: (() => void) | undefined;
try {
  const out = new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-keyout",
      `${directory}/key.pem`,
      "-out",
      `${directory}/cert.pem`,
    ],
    stdout: "null",
    stderr: "null",
  }).outputSync();
  if (!out.success) throw new Error("openssl failed");
  const cert = await Deno.readTextFile(`${directory}/cert.pem`);
  const key = await Deno.readTextFile(`${directory}/key.pem`);
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert,
    key,
  });
  tls = { port: listener.addr.port, cert };
  (async () => {
    for await (const conn of listener) {
      (async () => {
        try {
          await conn.handshake();
          const read = await conn.read(new Uint8Array(64));
          if (read !== null) tlsReceived?.();
        } catch {
          // The client went away.
        } finally {
          conn.close();
        }
      })();
    }
  })();
} catch (error) {
  console.log(
    `skipped TLS baseline: openssl not available (${(error as Error).message})`,
  );
}

if (tls !== undefined) {
  const { port, cert } = tls;
  Deno.bench({
    name: "Deno.connectTls + handshake + first message, loopback",
    group: "handshake",
    baseline: true,
    async fn() {
      const { promise, resolve } = Promise.withResolvers<void>();
      tlsReceived = resolve;
      const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
      tcp.setNoDelay(true);
      const conn = await Deno.startTls(tcp, {
        hostname: "127.0.0.1",
        caCerts: [cert],
      });
      await conn.handshake();
      await conn.write(new TextEncoder().encode("hello"));
      await promise;
      conn.close();
    },
  });
}

const socket = await clientNode.connect("bench", {
  certificate: server.certificate,
});
for (const [label, size] of [["64 B", 64], ["16 KiB", 16 * 1024]] as const) {
  const message = new Uint8Array(size - 3).fill(7); // table-encoded: size bytes
  Deno.bench({
    name: `CryptoNet encrypted messages ${label} x${MESSAGES}`,
    group: `messages ${label}`,
    baseline: true,
    async fn(b) {
      const received = expect(MESSAGES);
      b.start();
      for (let i = 0; i < MESSAGES; i++) await clientNode.send(socket, message);
      await received;
      b.end();
    },
  });
}

globalThis.addEventListener("unload", () => {
  Deno.removeSync(directory, { recursive: true });
});
