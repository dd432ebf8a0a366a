// Copyright 2026 the moonwire authors. MIT license.
// Child program for the login storm test: 200 anonymous sessions (4
// attacker nodes, one MemoryNetwork) each send a wrong LOGIN at the same
// moment while alice logs in, retrying on `busy`/`rate_limited`. It samples
// this process's RSS every 2 ms and prints one JSON line: the RSS growth
// over the warm baseline, every answer's reason, and alice's time to log in.
import { CryptoNet, MemoryNetwork } from "../../cnet/mod.ts";

const directory = Deno.args[0];
const SESSIONS = 200;
// 50 sessions per attacker node: within a modem's 128 open channels.
using network = new MemoryNetwork();
const options = { directory, requestTimeout: 60 };
const node = (caps = {}) =>
  new CryptoNet.CryptoNetNode({
    ...options,
    ...caps,
    modems: { top: network.createModem() },
    eventQueueSize: 10,
  });
// Room for all 200 at once: this storm is about password checks, not the
// session caps (tests/cnet/cryptonet_load_test.ts covers those).
await using serverNode = node({
  maxHalfOpenSessions: 256,
  maxPreLoginSessions: 512,
});
const server = await serverNode.host("bank", { discoverable: false });
await serverNode.addUser(server, "alice", "alice's secret", 2);
await using attackerA = node();
await using attackerB = node();
await using attackerC = node();
await using attackerD = node();
await using legit = node();
const attackers = [attackerA, attackerB, attackerC, attackerD];
const sockets = await Promise.all(
  Array.from(
    { length: SESSIONS },
    (_, i) => attackers[i % 4].connect("bank", { timeout: 60 }),
  ),
);
const aliceSocket = await legit.connect("bank");
// Warm up: the unknown-user dummy hash and scrypt's first allocations.
await legit.login(aliceSocket, "nobody", "x");
await new Promise((resolve) => setTimeout(resolve, 100));
const baseline = Deno.memoryUsage().rss;
let peak = baseline;
const sampler = setInterval(() => {
  peak = Math.max(peak, Deno.memoryUsage().rss);
}, 2);
const reasons: Record<string, number> = {};
for (const attacker of attackers) {
  attacker.on("login_failed", (e) => {
    reasons[e.reason] = (reasons[e.reason] ?? 0) + 1;
  });
}
const start = Date.now();
let aliceMs = -1;
const answers = await Promise.all([
  ...sockets.map((socket, i) =>
    attackers[i % 4].login(socket, `guest${i}`, `guess ${i}`)
  ),
  (async () => {
    // alice's per-socket delay is not raised by busy or rate_limited.
    while (!await legit.login(aliceSocket, "alice", "alice's secret")) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    aliceMs = Date.now() - start;
    return true;
  })(),
]);
clearInterval(sampler);
peak = Math.max(peak, Deno.memoryUsage().rss);
console.log(JSON.stringify({
  growth: peak - baseline,
  answered: answers.length - 1,
  successes: answers.slice(0, SESSIONS).filter((ok) => ok).length,
  reasons,
  aliceMs,
  aliceLevel: aliceSocket.permissionLevel,
}));
