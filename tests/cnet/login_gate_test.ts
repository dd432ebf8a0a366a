// Copyright 2026 the moonwire authors. MIT license.
// The node-wide bound on password checks (_login_gate.ts): the unit, the
// `busy` answer over real sessions, and a 200-login storm measured in a
// child process (tests/cnet/_login_storm_program.ts).
import assert from "node:assert/strict";
import { LoginGate } from "../../cnet/cryptonet/_login_gate.ts";
import { createWorld, record } from "./_cryptonet_fixtures.ts";

Deno.test("LoginGate: maxConcurrent run, maxWaiting wait in order, the rest are refused", async () => {
  const gate = new LoginGate(2, 2);
  const a = gate.tryEnter()!;
  const b = gate.tryEnter()!;
  const c = gate.tryEnter()!;
  const d = gate.tryEnter()!;
  assert.equal(gate.tryEnter(), undefined);
  assert.deepEqual([gate.running, gate.waiting], [2, 2]);
  const started: string[] = [];
  c.ready.then(() => started.push("c"));
  d.ready.then(() => started.push("d"));
  await a.ready;
  await b.ready;
  a.release();
  a.release(); // idempotent: does not start a second waiter
  await c.ready;
  assert.deepEqual(started, ["c"]);
  assert.deepEqual([gate.running, gate.waiting], [2, 1]);
  // A place frees up in the queue too: one more may wait.
  const e = gate.tryEnter()!;
  assert.equal(gate.tryEnter(), undefined);
  e.release(); // leaves the queue without ever running
  assert.deepEqual([gate.running, gate.waiting], [2, 1]);
  b.release();
  await d.ready;
  assert.deepEqual(started, ["c", "d"]);
  c.release();
  d.release();
  assert.deepEqual([gate.running, gate.waiting], [0, 0]);
  assert.ok(gate.tryEnter() !== undefined);
});

Deno.test("login gate: beyond maxConcurrentLogins + maxWaitingLogins a login fails at once with 'busy', not counted as a failure", async () => {
  await using w = await createWorld();
  const serverNode = await w.node("server", {
    maxConcurrentLogins: 1,
    maxWaitingLogins: 2,
  });
  const server = await serverNode.host("bank", {
    maxLoginChecksPerSecond: 1000,
  });
  await serverNode.addUser(server, "alice", "alice's secret", 2);
  const serverEvents = record(serverNode);
  const client = await w.node("client");
  const clientEvents = record(client);
  const sockets = await Promise.all(
    Array.from({ length: 6 }, () => client.connect("bank")),
  );
  const results = await Promise.all(
    sockets.map((socket, i) => client.login(socket, `guest${i}`, "guess")),
  );
  assert.deepEqual(results, [false, false, false, false, false, false]);
  const reasons = (events: typeof clientEvents) =>
    events.flatMap((e) =>
      e.type === "login_failed" ? [`${e.username}:${e.reason}`] : []
    ).sort();
  const expected = [
    "guest0:invalid_credentials",
    "guest1:invalid_credentials",
    "guest2:invalid_credentials",
    "guest3:busy",
    "guest4:busy",
    "guest5:busy",
  ];
  assert.deepEqual(reasons(clientEvents), expected);
  assert.deepEqual(reasons(serverEvents), expected);
  // A busy socket is not delayed: the user logs in on it right away.
  assert.equal(await client.login(sockets[5], "alice", "alice's secret"), true);
  assert.equal(sockets[5].permissionLevel, 2);
});

Deno.test("login gate: a login that waited half the server node's requestTimeout is answered 'busy' without a check", async () => {
  await using w = await createWorld();
  // Half of 20 ms is far shorter than one scrypt run (32 MiB of memory).
  const serverNode = await w.node("server", {
    maxConcurrentLogins: 1,
    requestTimeout: 0.02,
  });
  const server = await serverNode.host("bank", {
    maxLoginChecksPerSecond: 1000,
  });
  const checked: string[] = [];
  serverNode.on(
    "login_failed",
    (e) => checked.push(`${e.username}:${e.reason}`),
  );
  const client = await w.node("client");
  const sockets = await Promise.all(
    Array.from({ length: 3 }, () => client.connect("bank")),
  );
  await Promise.all(
    sockets.map((socket, i) => client.login(socket, `guest${i}`, "guess")),
  );
  assert.deepEqual(checked.sort(), [
    "guest0:invalid_credentials",
    "guest1:busy",
    "guest2:busy",
  ]);
  assert.equal(server.isOpen, true);
});

Deno.test("login gate: node options are checked", async () => {
  await using w = await createWorld();
  await assert.rejects(
    async () => await w.node("bad", { maxConcurrentLogins: 0 }),
    RangeError,
    "Cannot create node: maxConcurrentLogins 0 is not an integer in 1-64",
  );
  await assert.rejects(
    async () => await w.node("bad2", { maxWaitingLogins: 1.5 }),
    RangeError,
    "Cannot create node: maxWaitingLogins 1.5 is not an integer in 1-10000",
  );
});

Deno.test("login gate: a storm of 200 logins from 200 sessions stays within 2 checks' memory, every login is answered and alice still logs in", async () => {
  const directory = await Deno.makeTempDir({ prefix: "login_storm_" });
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--frozen",
        "--allow-all",
        new URL("./_login_storm_program.ts", import.meta.url).pathname,
        directory,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stdout);
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const result = JSON.parse(text);
    // The default maxConcurrentLogins (2) scrypt runs of 32 MiB, plus slack
    // for session buffers and the allocator.
    const MiB = 1024 * 1024;
    assert.ok(
      result.growth < 2 * 32 * MiB + 32 * MiB,
      `RSS grew ${(result.growth / MiB).toFixed(1)} MiB`,
    );
    assert.equal(result.answered, 200);
    assert.equal(result.successes, 0);
    const { busy = 0, invalid_credentials = 0, rate_limited = 0 } =
      result.reasons;
    // Every attacker heard an answer: at most 2 + 32 checked, the rest busy.
    assert.equal(busy + invalid_credentials + rate_limited, 200);
    assert.ok(invalid_credentials <= 34, JSON.stringify(result.reasons));
    assert.ok(busy >= 200 - 34, JSON.stringify(result.reasons));
    // The documented bound (maxWaitingLogins): the queue drains in about
    // 34 checks; generous here for a loaded machine.
    assert.ok(result.aliceMs >= 0 && result.aliceMs < 30_000, text);
    assert.equal(result.aliceLevel, 2);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
