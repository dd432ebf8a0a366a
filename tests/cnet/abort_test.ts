// Copyright 2026 the moonwire authors. MIT license.
// The cNet calls that wait on the network honour an abort signal: they
// reject at once with an AbortError (cause: the signal's reason), close the
// session they opened, clear their timers (sanitizers), and leave an open
// connection usable. UdpModem.create too.
import assert from "node:assert/strict";
import {
  CNetNode,
  CryptoNet,
  type CtcpConnection,
  CttpRequest,
  UdpModem,
} from "../../cnet/mod.ts";
import { assertAborted } from "../_abort.ts";
import { netnsAvailable, runInNetns } from "../_netns.ts";
import { freePort } from "../interop/_peer.ts";
import { FAST_CTCP, world } from "./_cnet_world.ts";

const PROMPT_MS = 2000;

function until(what: string, done: () => boolean, timeout = 10_000) {
  const deadline = performance.now() + timeout;
  return (async () => {
    while (!done()) {
      if (performance.now() > deadline) throw new Error(`No ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
}

/** A handler that holds each request until `release()`. */
function heldHandler() {
  const seen: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  return {
    seen,
    release: () => release(),
    handler: async (args: string[]) => {
      seen.push(args.join("/"));
      if (args[0] === "slow") await released;
      return { args };
    },
  };
}

Deno.test("cNet connectCtcp: an abort while no server answers rejects promptly; a session opened late is closed at once", async () => {
  await using w = await world();
  const events: string[] = [];
  w.client.setMessageHandler("connection_opened", () => events.push("opened"));
  w.client.setMessageHandler("connection_closed", () => events.push("closed"));
  const controller = new AbortController();
  const reason = new Error("Stop");
  const started = performance.now();
  setTimeout(() => controller.abort(reason), 50);
  await assertAborted(
    w.client.connectCtcp("store", { timeout: 30, signal: controller.signal }),
    'Cannot connect CTCP to "store": aborted',
    reason,
  );
  const elapsed = performance.now() - started;
  assert.ok(elapsed < PROMPT_MS, `took ${elapsed} ms`);
  // CryptoNet's connect has no signal: its HELLO is still repeated, and the
  // session it opens once the server is up is closed straight away.
  await w.server.host("store");
  await until("late session", () => events.length >= 2);
  assert.deepEqual(events, ["opened", "closed"]);
  assert.equal(w.server.acceptedConnections, 0);
});

Deno.test("cNet connectCtcp: an abort during the CTCP handshake closes the session", async () => {
  await using w = await world();
  // A bare CryptoNet server: the session opens, the SYN is never answered.
  await using bare = new CryptoNet.CryptoNetNode({
    directory: w.directory,
    modems: { top: w.network.createModem() },
  });
  await bare.host("bare");
  const sockets: CryptoNet.Socket[] = [];
  w.client.setMessageHandler("connection_opened", (event) => {
    sockets.push(event.socket);
  });
  const controller = new AbortController();
  const attempt = w.client.connectCtcp("bare", {
    timeout: 30,
    signal: controller.signal,
  });
  await until("session", () => sockets.length === 1);
  const reason = new Error("Stop");
  const started = performance.now();
  controller.abort(reason);
  await assertAborted(
    attempt,
    'Cannot connect CTCP to "bare": aborted',
    reason,
  );
  const elapsed = performance.now() - started;
  assert.ok(elapsed < PROMPT_MS, `took ${elapsed} ms`);
  await until("session closed", () => !sockets[0].isOpen);
});

Deno.test("cNet connectCtcp, connectAndSendCttpRequest, register: an already aborted signal sends nothing", async () => {
  await using w = await world();
  await w.server.host("store");
  const held = heldHandler();
  w.server.setRestApi("GET", "/x", held.handler);
  const opened: string[] = [];
  w.client.setMessageHandler("connection_opened", () => opened.push("opened"));
  const reason = new Error("Already");
  const signal = AbortSignal.abort(reason);
  const message = 'Cannot connect CTCP to "store": aborted';
  await assertAborted(
    w.client.connectCtcp("store", { signal }),
    message,
    reason,
  );
  await assertAborted(
    w.client.connectAndSendCttpRequest(
      "store",
      new CttpRequest("GET", "/x/1"),
      { signal },
    ),
    message,
    reason,
  );
  await assertAborted(
    w.client.register("store", "ann", "secret", { signal }),
    message,
    reason,
  );
  assert.deepEqual(opened, []);
  assert.deepEqual(held.seen, []);
});

Deno.test("cNet sendCttpRequest: an abort stops the wait; the request still arrives and the connection stays usable", async () => {
  await using w = await world();
  await w.server.host("store");
  const held = heldHandler();
  w.server.setRestApi("GET", "/x", held.handler);
  const connection: CtcpConnection<CryptoNet.Socket> = await w.client
    .connectCtcp("store");
  const controller = new AbortController();
  const reason = new Error("Stop");
  const waiting = w.client.sendCttpRequest(
    connection,
    new CttpRequest("GET", "/x/slow"),
    { timeout: 30, signal: controller.signal },
  );
  await until("request at the server", () => held.seen.length === 1);
  const started = performance.now();
  controller.abort(reason);
  await assertAborted(waiting, "Cannot send CTTP request: aborted", reason);
  assert.ok(performance.now() - started < PROMPT_MS);
  // The late response is dropped; the next request gets its own.
  held.release();
  const next = await w.client.sendCttpRequest(
    connection,
    new CttpRequest("GET", "/x/fast"),
    { signal: new AbortController().signal },
  );
  assert.deepEqual(next.response?.data, { args: ["fast"] });
  assert.equal(next.acknowledged, true);
  await assertAborted(
    w.client.sendCttpRequest(connection, new CttpRequest("GET", "/x/never"), {
      signal: AbortSignal.abort(reason),
    }),
    "Cannot send CTTP request: aborted",
    reason,
  );
  assert.equal(await w.client.disconnectCtcp(connection), true);
  assert.deepEqual(held.seen, ["slow", "fast"]);
});

Deno.test("cNet connectAndSendCttpRequest: an abort while waiting for the response drops the connection", async () => {
  await using w = await world();
  await w.server.host("store");
  const held = heldHandler();
  w.server.setRestApi("GET", "/x", held.handler);
  const controller = new AbortController();
  const reason = new Error("Stop");
  const attempt = w.client.connectAndSendCttpRequest(
    "store",
    new CttpRequest("GET", "/x/slow"),
    { timeout: 30, signal: controller.signal },
  );
  await until("request at the server", () => held.seen.length === 1);
  assert.equal(w.server.acceptedConnections, 1);
  controller.abort(reason);
  await assertAborted(attempt, "Cannot send CTTP request: aborted", reason);
  await until("connection dropped", () => w.server.acceptedConnections === 0);
  held.release();
});

Deno.test("cNet connectAndSendCttpRequest: an abort while the close waits for its FIN-ACK drops the connection", async () => {
  await using w = await world();
  await w.server.host("store");
  // A client whose transmissions stop once the server has the request: its
  // FIN then goes unanswered.
  const modem = w.network.createModem();
  let deaf = false;
  const transmit = modem.transmit.bind(modem);
  modem.transmit = (channel, replyChannel, payload) => {
    if (!deaf) transmit(channel, replyChannel, payload);
  };
  await using client = new CNetNode({
    directory: w.directory,
    modems: { top: modem },
    retransmitInterval: 0.02,
    ctcp: FAST_CTCP,
  });
  const closed: string[] = [];
  client.setMessageHandler("connection_closed", () => closed.push("closed"));
  w.server.setRestApi("GET", "/x", () => {
    deaf = true;
    return "answer";
  });
  const controller = new AbortController();
  const reason = new Error("Stop");
  const attempt = client.connectAndSendCttpRequest(
    "store",
    new CttpRequest("GET", "/x"),
    { timeout: 30, signal: controller.signal },
  );
  await until("request answered", () => deaf);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(closed, []);
  const started = performance.now();
  controller.abort(reason);
  await assertAborted(attempt, "Cannot disconnect CTCP: aborted", reason);
  assert.ok(performance.now() - started < PROMPT_MS);
  await until("session closed", () => closed.length === 1);
});

Deno.test("cNet connectAndSendCttpRequest: a request refused for its size closes the connection it opened", async () => {
  await using w = await world({}, { maxRequestSize: 1024 });
  await w.server.host("store");
  const accepted: string[] = [];
  w.server.setMessageHandler("connection_opened", () => accepted.push("open"));
  w.server.setMessageHandler(
    "connection_closed",
    () => accepted.push("closed"),
  );
  await assert.rejects(
    w.client.connectAndSendCttpRequest(
      "store",
      new CttpRequest("POST", "/x", {}, "x".repeat(4096)),
    ),
    {
      name: "RangeError",
      message: "Cannot send CTTP request: request exceeds 1024 bytes",
    },
  );
  // Before, the session stayed open until the node closed.
  await until("session closed", () => accepted.at(-1) === "closed");
  assert.equal(w.server.acceptedConnections, 0);
});

Deno.test("cNet connectCtcp and sendCttpRequest check the signal's type", async () => {
  await using w = await world();
  await assert.rejects(
    w.client.connectCtcp("store", { signal: "soon" as never }),
    {
      name: "TypeError",
      message: "Cannot connect CTCP: signal must be an AbortSignal, got string",
    },
  );
  await w.server.host("store");
  const connection = await w.client.connectCtcp("store");
  await assert.rejects(
    w.client.sendCttpRequest(connection, new CttpRequest("GET", "/"), {
      signal: 1 as never,
    }),
    {
      name: "TypeError",
      message:
        "Cannot send CTTP request: signal must be an AbortSignal, got number",
    },
  );
  assert.equal(await w.client.disconnectCtcp(connection), true);
});

Deno.test("UdpModem.create: an already aborted signal rejects and binds nothing", async () => {
  const port = freePort("udp");
  const reason = new Error("Already");
  await assertAborted(
    UdpModem.create({ peers: [], port, signal: AbortSignal.abort(reason) }),
    "Cannot create UDP modem: aborted",
    reason,
  );
  // The port is still free, and a signal that never fires changes nothing.
  await using modem = await UdpModem.create({
    peers: [],
    port,
    signal: new AbortController().signal,
  });
  assert.equal(modem.port, port);
  await assert.rejects(UdpModem.create({ peers: [], signal: {} as never }), {
    name: "TypeError",
    message:
      "Cannot create UDP modem: signal must be an AbortSignal, got object",
  });
});

Deno.test({
  name:
    "UdpModem.create: an abort while joining the group closes the socket (private network namespace)",
  ignore: !netnsAvailable(),
  async fn() {
    const out = await runInNetns(
      new URL("./netns/udp_modem_abort.ts", import.meta.url),
    );
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), {
      aborted: {
        name: "AbortError",
        message: "Cannot create UDP modem: aborted",
        cause: "Stop",
      },
      mode: "multicast",
      port: 47802,
    });
  },
});
