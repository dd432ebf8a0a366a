// Copyright 2026 the moonwire authors. MIT license.
// Logins: 64 B mm round trips (client → server → client) on loopback, p99
// without logins vs while 20 CryptoNet logins (MemoryNetwork, one user
// each, scrypt at the default cost) run concurrently in the same process.
import { CryptoNet, MemoryNetwork } from "../../cnet/mod.ts";
import { type ClientConnection, EVENT_RECEIVE } from "../../mm/mod.ts";
import { median, quantile, type Sample, type Target } from "./_target.ts";
import { delay } from "../_loopback.ts";
import { type MmPair, mmPair, SMALL_TABLE } from "./_mm.ts";

const LOGINS = 20;
const MIN_TRIPS = 200;
const TABLE = SMALL_TABLE;

/** One timed round trip: the server echoes the table back. */
async function roundTrip(pair: MmPair): Promise<number> {
  const start = performance.now();
  if (!pair.client.send(TABLE)) {
    throw new Error("Cannot send mm round trip: send queue full");
  }
  for (
    const [events, echo] of [[pair.serverEvents, true], [
      pair.clientEvents,
      false,
    ]] as const
  ) {
    const next = events[Symbol.asyncIterator]();
    for (;;) {
      const { value } = await next.next();
      if (value?.event !== EVENT_RECEIVE) continue;
      if (echo) pair.server.send(TABLE, value.object as ClientConnection);
      break;
    }
  }
  return performance.now() - start;
}

/** Makes the logins target: one mm pair and one CryptoNet pair throughout. */
export async function loginsTarget(): Promise<Target> {
  const pair = await mmPair();
  const directory = await Deno.makeTempDir({ prefix: "moonwire_logins_" });
  const network = new MemoryNetwork();
  const serverNode = new CryptoNet.CryptoNetNode({
    directory,
    modems: { top: network.createModem() },
  });
  const clientNode = new CryptoNet.CryptoNetNode({
    directory,
    modems: { top: network.createModem() },
    // Queued logins on a loaded machine may take longer than the default
    // 10 s; their latency is not what this target measures.
    requestTimeout: 120,
  });
  const hosted = await serverNode.host("bench_logins");
  const users = Array.from({ length: LOGINS }, (_, i) => `user${i}`);
  for (const user of users) {
    await serverNode.addUser(hosted, user, `password of ${user}`);
  }
  let lastLogins = -Infinity;

  async function trips(during?: Promise<unknown>): Promise<number[]> {
    let running = during !== undefined;
    during?.finally(() => running = false);
    const times: number[] = [];
    while (running || times.length < MIN_TRIPS) {
      times.push(await roundTrip(pair));
    }
    await during;
    return times;
  }

  async function logins(sockets: CryptoNet.Socket[]): Promise<void> {
    lastLogins = performance.now();
    const results = await Promise.all(
      sockets.map((socket, i) =>
        clientNode.login(socket, users[i], `password of ${users[i]}`)
      ),
    );
    if (!results.every(Boolean)) {
      throw new Error("Cannot run logins target: a login failed");
    }
    for (const socket of sockets) socket.close();
  }

  const p99 = (samples: Sample[]) => median(samples.map((s) => s.p99));
  return {
    title: `Logins: 64 B mm round trip p99 with ${LOGINS} concurrent ` +
      "CryptoNet logins vs without",
    rounds: 3,
    warmup: false,
    rows: [{
      label: "Logins p99 delay",
      figure: (b, m) => m.p99 - b.p99,
      goal: { compare: "<=", value: 10 },
      unit: " ms",
      note: (b, m) =>
        `p99 ${p99(m).toFixed(2)} ms with logins, ${
          p99(b).toFixed(2)
        } ms without; ${LOGINS} logins took ${
          (median(m.map((s) => s.loginsMs)) / 1000).toFixed(1)
        } s`,
    }],
    async measure(side): Promise<Sample> {
      if (side === "baseline") {
        const times = await trips();
        return { p99: quantile(times, 0.99), trips: times.length };
      }
      // The server allows 20 password checks per second, bursts included.
      const wait = lastLogins + 1100 - performance.now();
      if (wait > 0) await delay(wait);
      // Sessions first: only the logins run during the round trips.
      const sockets = await Promise.all(
        users.map(() =>
          clientNode.connect("bench_logins", {
            certificate: hosted.certificate,
          })
        ),
      );
      const start = performance.now();
      const during = logins(sockets).then(() => performance.now() - start);
      const times = await trips(during);
      return {
        p99: quantile(times, 0.99),
        trips: times.length,
        loginsMs: await during,
      };
    },
    async close() {
      await pair.close();
      await clientNode.close();
      await serverNode.close();
      network.close();
      await Deno.remove(directory, { recursive: true });
    },
  };
}
