// Copyright 2026 the moonwire authors. MIT license.
// Login throttling per user name and server-wide: the unit with a fake
// clock, then parallel attackers over real sessions (CryptoNet and the
// Copper face), while a user with another name still logs in.
import assert from "node:assert/strict";
import type { CryptoNet } from "../../cnet/mod.ts";
import {
  LOGIN_THROTTLE_DEFAULTS,
  LoginThrottle,
} from "../../cnet/cryptonet/_login_throttle.ts";
import { world } from "./_cnet_world.ts";
import { createWorld, type Node, until } from "./_cryptonet_fixtures.ts";

function throttle(overrides: Partial<LoginThrottle["limits"]> = {}) {
  return new LoginThrottle({
    ...LOGIN_THROTTLE_DEFAULTS,
    baseDelay: 500,
    ...overrides,
  });
}

Deno.test("LoginThrottle: per name, one check at a time and delays doubling up to the cap", () => {
  const t = throttle({ checksPerSecond: 1000 });
  const allowedAt: number[] = [];
  let now = 0;
  // Guess every 10 ms for 3 minutes, each failing.
  for (; now < 180_000; now += 10) {
    if (!t.begin("ann", now)) continue;
    assert.equal(t.begin("ann", now), false, "a second check in flight");
    allowedAt.push(now);
    t.end("ann", false, now);
  }
  assert.deepEqual(
    allowedAt.slice(0, 8),
    [0, 500, 1500, 3500, 7500, 15500, 31500, 63500],
  );
  // The documented bound: 7 in the first minute, then 1 per minute.
  assert.equal(allowedAt.filter((t) => t < 60_000).length, 7);
  assert.deepEqual(allowedAt.slice(8), [123500]);
  // Another name is not affected; a success clears the name.
  assert.equal(t.begin("bob", now), true);
  t.end("bob", true, now);
  assert.equal(t.trackedNames, 1);
});

Deno.test("LoginThrottle: a name without failures for forgetAfter is forgotten", () => {
  const t = throttle({ forgetAfter: 10_000, checksPerSecond: 1000 });
  for (const at of [0, 500, 1500]) {
    assert.equal(t.begin("ann", at), true);
    t.end("ann", false, at);
  }
  assert.equal(t.begin("ann", 3000), false); // 2 s delay after the 3rd
  assert.equal(t.begin("ann", 11_600), true); // forgotten: starts over
  t.end("ann", false, 11_600);
  assert.equal(t.begin("ann", 11_700), false);
  assert.equal(t.begin("ann", 12_100), true); // 500 ms: first delay again
});

Deno.test("LoginThrottle: at most maxNames names, least recently used dropped", () => {
  const t = throttle({ maxNames: 100, checksPerSecond: 1_000_000 });
  for (let i = 0; i < 1000; i++) {
    assert.equal(t.begin(`user${i}`, i), true);
    t.end(`user${i}`, false, i);
    assert.ok(t.trackedNames <= 100);
  }
  assert.equal(t.trackedNames, 100);
  assert.equal(t.begin("user999", 1000), false); // recent: still delayed
  assert.equal(t.begin("user0", 1000), true); // evicted: unknown again
});

Deno.test("LoginThrottle: the server-wide bucket allows checksPerSecond checks per second", () => {
  const t = throttle({ checksPerSecond: 5 });
  let allowed = 0;
  let name = 0;
  // 100 different names per second for 10 s.
  for (let now = 0; now < 10_000; now += 10) {
    if (t.begin(`n${name++}`, now)) {
      allowed++;
      t.end(`n${name - 1}`, false, now);
    }
  }
  // A burst of 5, then 5 per second.
  assert.ok(allowed <= 5 + 50, `${allowed}`);
  assert.ok(allowed >= 50, `${allowed}`);
});

/**
 * Counts the password checks the server ran (with the time each ended) and
 * the throttled answers, per name.
 */
function tally(node: Node) {
  const checks = new Map<string, number>();
  const checkTimes: number[] = [];
  const throttled = new Map<string, number>();
  const count = (map: Map<string, number>, name: string) =>
    map.set(name, (map.get(name) ?? 0) + 1);
  node.on("login_failed", (event) => {
    if (event.reason !== "invalid_credentials") {
      count(throttled, event.username);
      return;
    }
    count(checks, event.username);
    checkTimes.push(Date.now());
  });
  node.on("login", (event) => count(checks, event.username));
  /** Milliseconds from the first failed check to the last. */
  const span = () =>
    checkTimes.length === 0 ? 0 : checkTimes.at(-1)! - checkTimes[0];
  return { checks, throttled, span };
}

const ATTACK_MS = 2500;
// Failed checks of one name within t ms of its first with loginDelay d ms:
// each waits d * 2^(n-1) after the previous one ended, so they end at
// 0, d, 3d, 7d, ... at the earliest.
function bound(d: number, t: number): number {
  return 1 + Math.floor(Math.log2(t / d + 1));
}

Deno.test("login throttle: 6 parallel attackers, a new session per guess, stay under the per-name bound; another user still logs in", async () => {
  await using w = await createWorld();
  const serverNode = await w.node("server");
  const server = await serverNode.host("door", { loginDelay: 0.2 });
  await serverNode.addUser(server, "ann", "ann's secret");
  await serverNode.addUser(server, "bob", "bob's secret", 3);
  const { checks, throttled, span } = tally(serverNode);
  const certificate = server.certificate;
  const end = Date.now() + ATTACK_MS;
  const attackers = await Promise.all(
    Array.from({ length: 6 }, (_, i) => w.node(`attacker${i}`)),
  );
  const legit = await w.node("bob");
  let bobIn = false;
  await Promise.all([
    ...attackers.map(async (node, i) => {
      let guess = 0;
      while (Date.now() < end) {
        const socket = await node.connect("door", { certificate });
        assert.equal(
          await node.login(socket, "ann", `guess ${i}/${guess++}`),
          false,
        );
        await node.close(socket);
        // MemoryNetwork delivers in microtasks: without a macrotask turn
        // the attack would starve the server's scrypt callbacks.
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }),
    (async () => {
      await new Promise((resolve) => setTimeout(resolve, ATTACK_MS / 2));
      const socket = await legit.connect("door", { certificate });
      bobIn = await legit.login(socket, "bob", "bob's secret");
      assert.equal(socket.permissionLevel, 3);
    })(),
  ]);
  assert.equal(bobIn, true);
  const annChecks = checks.get("ann") ?? 0;
  // Every failed check is ann's: their spread bounds how many there can be.
  assert.ok(
    annChecks <= bound(200, span()),
    `${annChecks} checks for ann in ${span()} ms, bound ${bound(200, span())}`,
  );
  // At least the first guess ran a check (on a loaded machine one scrypt
  // can take most of the attack, so more is not guaranteed).
  assert.ok(annChecks >= 1, `${annChecks}`);
  assert.ok((throttled.get("ann") ?? 0) > 10, `${throttled.get("ann")}`);
});

Deno.test("login throttle: the server-wide rate caps checks spread over many names", async () => {
  await using w = await createWorld();
  const serverNode = await w.node("server");
  const server = await serverNode.host("door", {
    loginDelay: 0.2,
    maxLoginChecksPerSecond: 2,
  });
  const { checks, throttled, span } = tally(serverNode);
  const certificate = server.certificate;
  const attacker = await w.node("attacker");
  const start = Date.now();
  const end = start + ATTACK_MS;
  let n = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (Date.now() < end) {
      const socket = await attacker.connect("door", { certificate });
      await attacker.login(socket, `name${n++}`, "guess");
      await attacker.close(socket);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }));
  const elapsed = Date.now() - start;
  const total = [...checks.values()].reduce((a, b) => a + b, 0);
  // A burst of 2, then 2 per second. Tokens are taken when a check starts,
  // and every check started within the attack, however long scrypt took
  // on a loaded machine: bound by the attack's own duration.
  const allowed = 2 + Math.ceil(2 * elapsed / 1000);
  assert.ok(
    total <= allowed,
    `${total} checks in ${elapsed} ms (ends spread over ${span()} ms), bound ${allowed}`,
  );
  assert.ok(total >= 2, `${total} checks`);
  assert.ok([...throttled.values()].reduce((a, b) => a + b, 0) > 0);
});

Deno.test("login throttle: the Copper face (CNetNode.login over CTCP) goes through the same throttle", async () => {
  await using w = await world({}, {});
  const server = await w.server.host("shop", { loginDelay: 0.2 });
  await w.server.cryptoNet.addUser(server, "ann", "ann's secret");
  const { checks, span } = tally(
    w.server.cryptoNet as CryptoNet.CryptoNetNode,
  );
  const end = Date.now() + ATTACK_MS;
  let guesses = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (Date.now() < end) {
      const connection = await w.client.connectCtcp("shop");
      assert.equal(await w.client.login(connection, "ann", "guess"), false);
      guesses++;
      await w.client.disconnectCtcp(connection);
    }
  }));
  await until(() => (checks.get("ann") ?? 0) > 0);
  const annChecks = checks.get("ann")!;
  assert.ok(
    annChecks <= bound(200, span()),
    `${annChecks} checks in ${span()} ms`,
  );
  assert.ok(guesses > annChecks * 2, `${guesses} guesses, ${annChecks} checks`);
});

Deno.test("login throttle: maxLoginChecksPerSecond must be a positive integer", async () => {
  await using w = await createWorld();
  const node = await w.node("server");
  await assert.rejects(node.host("door", { maxLoginChecksPerSecond: 0 }), {
    name: "RangeError",
    message:
      'Cannot host "door": maxLoginChecksPerSecond 0 is not an integer in 1-1000000',
  });
});
