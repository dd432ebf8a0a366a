// Copyright 2026 the moonwire authors. MIT license.
// CryptoNet's network waits (connect, discover, requestCertificate, login)
// honour `{ signal }`: an abort rejects at once with an AbortError (cause:
// the signal's reason), an already fired signal rejects before anything is
// sent, a non-AbortSignal is a TypeError, and what completes after the
// abort is cleaned up (a late session closed, a late login logged out).
// Also: typed `send` sends `undefined` fields as nil.
import assert from "node:assert/strict";
import { CNetNode, type CryptoNet } from "../../cnet/mod.ts";
import { assertAborted } from "../_abort.ts";
import {
  createWorld,
  record,
  settle,
  sleep,
  until,
} from "./_cryptonet_fixtures.ts";

const PROMPT_MS = 2000;

/** Aborts `wait` after 50 ms: it must reject promptly with `message`. */
async function assertAbortsPromptly(
  wait: (signal: AbortSignal) => Promise<unknown>,
  message: string,
): Promise<void> {
  const controller = new AbortController();
  const reason = new Error("Stop");
  const timer = setTimeout(() => controller.abort(reason), 50);
  const started = performance.now();
  try {
    await assertAborted(wait(controller.signal), message, reason);
  } finally {
    clearTimeout(timer);
  }
  const elapsed = performance.now() - started;
  assert.ok(elapsed < PROMPT_MS, `took ${elapsed} ms`);
}

const types = (events: CryptoNet.CryptoNetEvent[], ...wanted: string[]) =>
  events.map((e) => e.type).filter((type) => wanted.includes(type));

Deno.test("CryptoNet connect: an abort while no server answers rejects promptly; the session it opens later is closed at once", async () => {
  await using w = await createWorld();
  const client = await w.node("client");
  const server = await w.node("server");
  const clientEvents = record(client);
  await assertAbortsPromptly(
    (signal) => client.connect("late", { timeout: 30, signal }),
    'Cannot connect to "late": aborted',
  );
  // The handshake runs on: once the server is up its HELLO is answered.
  await server.host("late");
  await until(
    () => types(clientEvents, "connection_closed").length === 1,
    10_000,
    "the late session to close",
  );
  assert.deepEqual(
    types(clientEvents, "connection_opened", "connection_closed"),
    ["connection_opened", "connection_closed"],
  );
  assert.deepEqual(client.sockets, []);
  await until(() => server.sockets.length === 0, 5000, "server side closed");
});

Deno.test("CryptoNet connect: an already aborted signal rejects without a handshake", async () => {
  await using w = await createWorld();
  const client = await w.node("client");
  const server = await w.node("server");
  await server.host("early");
  const serverEvents = record(server);
  const reason = new Error("Never");
  await assertAborted(
    client.connect("early", { signal: AbortSignal.abort(reason) }),
    'Cannot connect to "early": aborted',
    reason,
  );
  // Without a name the message names no server.
  await assertAborted(
    client.connect(undefined, { signal: AbortSignal.abort(reason) }),
    "Cannot connect: aborted",
    reason,
  );
  await sleep(500);
  assert.deepEqual(serverEvents, []);
  assert.deepEqual(server.sockets, []);
  assert.deepEqual(client.sockets, []);
});

Deno.test("CryptoNet calls: a signal that is not an AbortSignal is a TypeError", async () => {
  await using w = await createWorld();
  const client = await w.node("client");
  const server = await w.node("server");
  const state = await server.host("typed");
  await server.addUser(state, "ann", "ann's password");
  const socket = await client.connect("typed");
  const bad = { signal: "stop" as unknown as AbortSignal };
  await assert.rejects(client.connect("typed", bad), {
    name: "TypeError",
    message:
      'Cannot connect to "typed": signal must be an AbortSignal, got string',
  });
  await assert.rejects(client.discover({ signal: null as never }), {
    name: "TypeError",
    message: "Cannot discover: signal must be an AbortSignal, got null",
  });
  await assert.rejects(client.requestCertificate("typed", bad), {
    name: "TypeError",
    message:
      'Cannot request certificate for "typed": signal must be an AbortSignal, got string',
  });
  await assert.rejects(client.login(socket, "ann", "ann's password", bad), {
    name: "TypeError",
    message: "Cannot log in: signal must be an AbortSignal, got string",
  });
  assert.equal(socket.username, undefined);
  assert.equal(client.sockets.length, 1);
});

Deno.test("CryptoNet discover: an abort mid-wait rejects promptly; the node discovers again", async () => {
  await using w = await createWorld();
  const client = await w.node("client");
  const server = await w.node("server");
  await server.host("found");
  await assertAbortsPromptly(
    (signal) => client.discover({ timeout: 30, signal }),
    "Cannot discover: aborted",
  );
  const found = await client.discover({ timeout: 0.3 });
  assert.deepEqual(found.map((s) => s.name), ["found"]);
  await assertAborted(
    client.discover({ signal: AbortSignal.abort("early") }),
    "Cannot discover: aborted",
    "early",
  );
});

Deno.test("CryptoNet requestCertificate: an abort while nobody answers rejects promptly; already aborted rejects too", async () => {
  await using w = await createWorld();
  const client = await w.node("client");
  const server = await w.node("server");
  await assertAbortsPromptly(
    (signal) => client.requestCertificate("nobody", { timeout: 30, signal }),
    'Cannot request certificate for "nobody": aborted',
  );
  await server.host("somebody");
  const serverEvents = record(server);
  await assertAborted(
    client.requestCertificate("somebody", { signal: AbortSignal.abort(7) }),
    'Cannot request certificate for "somebody": aborted',
    7,
  );
  const answer = await client.requestCertificate("somebody", { timeout: 0.3 });
  assert.equal(answer.certificate.name, "somebody");
  assert.deepEqual(serverEvents, []);
});

Deno.test("CryptoNet login: an abort while the login is in flight rejects at once; the late success is logged out", async () => {
  await using w = await createWorld();
  const client = await w.node("client");
  const server = await w.node("server");
  const state = await server.host("door");
  await server.addUser(state, "ann", "ann's password");
  const socket = await client.connect("door");
  const clientEvents = record(client);
  const serverEvents = record(server);
  const controller = new AbortController();
  const reason = new Error("Stop");
  const login = client.login(socket, "ann", "ann's password", {
    signal: controller.signal,
  });
  // The request is out; the server's scrypt check answers much later, and
  // the rejection comes first.
  controller.abort(reason);
  await assertAborted(login, "Cannot log in: aborted", reason);
  assert.equal(socket.username, undefined);
  assert.deepEqual(types(clientEvents, "login"), []);
  await until(
    () => types(clientEvents, "logout").length === 1,
    10_000,
    "the late login to be logged out",
  );
  assert.deepEqual(types(clientEvents, "login", "logout"), ["login", "logout"]);
  assert.equal(socket.username, undefined);
  await until(() => types(serverEvents, "logout").length === 1, 5000, "logout");
  assert.deepEqual(types(serverEvents, "login", "logout"), ["login", "logout"]);
  assert.equal(server.sockets[0].username, undefined);
  // The socket stays open and usable.
  assert.equal(await client.login(socket, "ann", "ann's password"), true);
});

Deno.test("CryptoNet login: an already aborted signal sends no request", async () => {
  await using w = await createWorld();
  const client = await w.node("client");
  const server = await w.node("server");
  await server.addUser(await server.host("door"), "ann", "ann's password");
  const socket = await client.connect("door");
  const serverEvents = record(server);
  const reason = new Error("Never");
  await assertAborted(
    client.login(socket, "ann", "ann's password", {
      signal: AbortSignal.abort(reason),
    }),
    "Cannot log in: aborted",
    reason,
  );
  await settle(() => serverEvents.length);
  assert.deepEqual(types(serverEvents, "login", "login_failed"), []);
  assert.equal(socket.username, undefined);
});

Deno.test("CNetNode login: an abort rejects with the AbortError, not a failed login (false)", async () => {
  await using w = await createWorld();
  await using server = new CNetNode({
    directory: w.directory,
    modems: { top: w.network.createModem() },
  });
  await using client = new CNetNode({
    directory: w.directory,
    modems: { top: w.network.createModem() },
  });
  await server.addUser(await server.host("gate"), "ann", "ann's password");
  const socket = await client.connect("gate");
  const serverEvents = record(server.cryptoNet);
  const controller = new AbortController();
  const login = client.login(socket, "ann", "ann's password", {
    signal: controller.signal,
  });
  controller.abort("gone");
  await assertAborted(login, "Cannot log in: aborted", "gone");
  await until(() => types(serverEvents, "logout").length === 1, 10_000);
  assert.deepEqual(types(serverEvents, "login", "logout"), ["login", "logout"]);
  assert.equal(socket.username, undefined);
});

Deno.test("CryptoNet send: a typed message's undefined fields arrive as nil", async () => {
  await using w = await createWorld();
  const client = await w.node("client");
  const server = await w.node("server");
  await server.host("typed");
  interface Move {
    x: number;
    note?: string;
    path: (number | undefined)[];
  }
  const move: Move = { x: 1, note: undefined, path: [1, undefined, 3] };
  const heard = new Promise<CryptoNet.EncryptedMessageEvent>((resolve) =>
    server.on("encrypted_message", resolve)
  );
  await client.send(await client.connect("typed"), move);
  assert.deepEqual((await heard).message, { x: 1, path: [1, null, 3] });
});
