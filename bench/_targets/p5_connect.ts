// Copyright 2026 the moonwire authors. MIT license.
// P5: CryptoNet connect (Noise NK, server certificate known) + first message
// received, over a MemoryNetwork and over UdpModems with 127.0.0.1 peer
// lists, vs Deno TLS connect + handshake + 1 byte received on loopback.
import {
  CryptoNet,
  MemoryNetwork,
  type Modem,
  UdpModem,
} from "../../cnet/mod.ts";
import {
  median,
  ratioRow,
  type Sample,
  type Target,
  timed,
} from "./_target.ts";
import type { TlsMaterial } from "../_loopback.ts";

// Connections per side per round; the figure is the mean time of one.
const CONNECTS = 100;

interface NodePair {
  server: CryptoNet.CryptoNetNode;
  client: CryptoNet.CryptoNetNode;
  hosted: CryptoNet.Server;
  /** Resolved by the next encrypted message the server receives. */
  received(): Promise<void>;
}

async function nodePair(
  directory: string,
  name: string,
  modems: [Modem, Modem],
): Promise<NodePair> {
  await Deno.mkdir(`${directory}/${name}_server`);
  await Deno.mkdir(`${directory}/${name}_client`);
  const server = new CryptoNet.CryptoNetNode({
    directory: `${directory}/${name}_server`,
    modems: { top: modems[0] },
  });
  const client = new CryptoNet.CryptoNetNode({
    directory: `${directory}/${name}_client`,
    modems: { top: modems[1] },
  });
  const hosted = await server.host(`bench_${name}`);
  let waiting: (() => void) | undefined;
  server.on("encrypted_message", () => waiting?.());
  return {
    server,
    client,
    hosted,
    received() {
      const { promise, resolve } = Promise.withResolvers<void>();
      waiting = resolve;
      return promise;
    },
  };
}

async function cryptoNetConnects(pair: NodePair): Promise<number> {
  const ms = await timed(async () => {
    for (let i = 0; i < CONNECTS; i++) {
      const received = pair.received();
      const socket = await pair.client.connect(pair.hosted.name, {
        certificate: pair.hosted.certificate,
      });
      await pair.client.send(socket, "x");
      await received;
      // Like the TLS side's close: it goes out, nobody waits for it.
      socket.close();
    }
  });
  return ms / CONNECTS;
}

/** Makes the P5 target: node pairs and a TLS listener for all rounds. */
export async function connectTarget(tls: TlsMaterial): Promise<Target> {
  const directory = await Deno.makeTempDir({ prefix: "moonwire_p5_" });
  const network = new MemoryNetwork();
  const memory = await nodePair(directory, "memory", [
    network.createModem(),
    network.createModem(),
  ]);
  const a = await UdpModem.create({ peers: [] });
  const b = await UdpModem.create({
    peers: [{ hostname: "127.0.0.1", port: a.port }],
  });
  a.addPeer("127.0.0.1", b.port);
  const udp = await nodePair(directory, "udp", [a, b]);

  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: tls.cert,
    key: tls.key,
  });
  let tlsReceived: (() => void) | undefined;
  const serving = (async () => {
    for await (const conn of listener) {
      (async () => {
        try {
          await conn.handshake();
          if ((await conn.read(new Uint8Array(16))) !== null) tlsReceived?.();
        } catch {
          // The client went away.
        } finally {
          conn.close();
        }
      })();
    }
  })();
  const one = new Uint8Array([1]);
  async function tlsConnects(): Promise<number> {
    const ms = await timed(async () => {
      for (let i = 0; i < CONNECTS; i++) {
        const { promise, resolve } = Promise.withResolvers<void>();
        tlsReceived = resolve;
        const tcp = await Deno.connect({
          hostname: "127.0.0.1",
          port: listener.addr.port,
        });
        tcp.setNoDelay(true);
        const conn = await Deno.startTls(tcp, {
          hostname: "127.0.0.1",
          caCerts: [tls.caCert],
        });
        await conn.handshake();
        await conn.write(one);
        await promise;
        conn.close();
      }
    });
    return ms / CONNECTS;
  }

  const note = (key: string) => (baselines: Sample[], moonwires: Sample[]) =>
    `${median(moonwires.map((m) => m[key])).toFixed(2)} ms vs TLS ${
      median(baselines.map((b) => b.tls)).toFixed(2)
    } ms per connect`;
  return {
    title: `P5 CryptoNet connect (NK) + first message vs Deno TLS connect + ` +
      `handshake + 1 byte, ${CONNECTS} connects`,
    rounds: 3,
    warmup: true,
    rows: [
      ratioRow(
        "P5 connect, MemoryNetwork",
        (b, m) => b.tls / m.memory,
        1.5,
        ">=",
        note("memory"),
      ),
      ratioRow(
        "P5 connect, UdpModem",
        (b, m) => b.tls / m.udp,
        1.5,
        ">=",
        note("udp"),
      ),
    ],
    async measure(side): Promise<Sample> {
      if (side === "baseline") return { tls: await tlsConnects() };
      return {
        memory: await cryptoNetConnects(memory),
        udp: await cryptoNetConnects(udp),
      };
    },
    async close() {
      listener.close();
      await serving;
      for (const pair of [memory, udp]) {
        await pair.client.close();
        await pair.server.close();
      }
      network.close();
      await Deno.remove(directory, { recursive: true });
    },
  };
}
