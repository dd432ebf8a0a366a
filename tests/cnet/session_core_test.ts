// Copyright 2026 the moonwire authors. MIT license.
// The sans-I/O session core and client handshake, driven by hand with a
// fake clock: no modem, no timer. Packets move only when a test moves them,
// so loss, duplication, reordering and hours of expiry run in milliseconds.
import assert from "node:assert/strict";
import {
  createCertificateAuthority,
  generateCertificate,
  HandshakeError,
  keyPairFromPrivateKey,
  signCertificate,
} from "../../crypto/mod.ts";
import { decodeTable, TimeoutError } from "../../net/mod.ts";
import { ClientHandshake } from "../../cnet/cryptonet/_client_handshake.ts";
import {
  decodePacket,
  HandshakePattern,
  Inner,
  type Packet,
  PacketType,
} from "../../cnet/cryptonet/_packet.ts";
import { SessionCore } from "../../cnet/cryptonet/_session_core.ts";
import type {
  SessionEvent,
  SessionLimits,
} from "../../cnet/cryptonet/_session_types.ts";
import { pauses, testSeed } from "../_schedule.ts";

const LIMITS: SessionLimits = {
  idleTimeout: 60_000,
  keepAlive: 20_000,
  retransmit: 250,
  handshakeTimeout: 5_000,
  requestTimeout: 10_000,
  maxMessageSize: 1024 * 1024,
  reassembly: {
    maxBytes: 1024 * 1024 + 1,
    maxFragments: 65535,
    maxConcurrent: 8,
    timeout: 10_000,
  },
};
const PAYLOAD = 600;
const identity = generateCertificate("core");
const keyPair = keyPairFromPrivateKey("x25519", identity.privateKey);

type Data = Extract<Packet, { type: 7 | 8 }>;

function handshakeFor(
  options: { provided?: boolean; now?: number; timeout?: number } = {},
): ClientHandshake {
  return new ClientHandshake({
    action: 'connect to "core"',
    name: "core",
    idBytes: crypto.getRandomValues(new Uint8Array(16)),
    provided: options.provided === false ? undefined : identity.certificate,
    allowUnsigned: false,
    timeout: options.timeout ?? 5_000,
    certTimeout: 1_000,
    retransmit: 250,
    now: options.now ?? 0,
  });
}

/** Read through a call, so a test's earlier assertion does not narrow it. */
function outcome(hs: ClientHandshake): ClientHandshake["result"] {
  return hs.result;
}

function hello(bytes: Uint8Array<ArrayBuffer>): Extract<Packet, { type: 5 }> {
  const packet = decodePacket(bytes);
  assert.equal(packet?.type, PacketType.HELLO);
  return packet as Extract<Packet, { type: 5 }>;
}

/** A server core that answered `hs`'s first HELLO (at `now`). */
async function answer(
  hs: ClientHandshake,
  limits: SessionLimits,
  now: number,
): Promise<{ server: SessionCore; reply: Uint8Array }> {
  await hs.handleTimeout(now);
  const packet = hello(hs.pollTransmit()!);
  const server = new SessionCore({
    role: "server",
    idBytes: packet.sessionId,
    maxPayloadSize: PAYLOAD,
    limits,
    now,
  });
  assert.equal(
    await server.respond({
      serverName: "core",
      pattern: packet.pattern,
      hello: packet.message,
      keyPair,
      certificate: identity.certificate,
    }),
    true,
  );
  const reply = decodePacket(server.pollTransmit()!.packet);
  assert.equal(reply?.type, PacketType.HELLO_REPLY);
  return { server, reply: (reply as Extract<Packet, { type: 6 }>).message };
}

/** A client and a server core with an open session (t = 0). */
async function pair(limits: SessionLimits = LIMITS) {
  const hs = handshakeFor();
  await hs.start();
  hs.setCaKey(undefined);
  const { server, reply } = await answer(hs, limits, 0);
  await hs.handleReply(reply);
  const result = hs.result;
  assert.ok(result?.ok);
  const client = new SessionCore({
    role: "client",
    idBytes: server.idBytes,
    maxPayloadSize: PAYLOAD,
    limits,
    now: 0,
  });
  client.established(result.candidate.handshake.split(), 0);
  return { client, server };
}

/** Every queued packet of `core`, decoded as DATA. */
function drain(core: SessionCore): Data[] {
  const out: Data[] = [];
  for (let t = core.pollTransmit(); t; t = core.pollTransmit()) {
    const packet = decodePacket(t.packet);
    assert.ok(
      packet?.type === PacketType.DATA_TO_SERVER ||
        packet?.type === PacketType.DATA_TO_CLIENT,
    );
    out.push(packet);
  }
  return out;
}

function events(core: SessionCore): SessionEvent[] {
  const out: SessionEvent[] = [];
  for (let e = core.pollEvent(); e; e = core.pollEvent()) out.push(e);
  return out;
}

async function deliver(to: SessionCore, packets: Data[], now: number) {
  for (const p of packets) {
    await to.handlePacket(p.counter, p.header, p.ciphertext, now);
  }
}

function messages(list: SessionEvent[]): unknown[] {
  return list.flatMap((e) => e.type === "message" ? [e.message] : []);
}

/** The client's first OPEN goes out, the server opens and answers it. */
async function open(client: SessionCore, server: SessionCore) {
  await client.handleTimeout(0);
  await deliver(server, drain(client), 0);
  await deliver(client, drain(server), 0);
  assert.deepEqual(events(server), [{ type: "opened" }]);
  assert.equal(client.confirmed, true);
}

Deno.test("session core: the client handshake retransmits HELLO every 250 ms and gives up at exactly the timeout", async () => {
  const hs = handshakeFor({ now: 1_000 });
  await hs.start();
  hs.setCaKey(undefined);
  const sent: number[] = [];
  for (let now = 1_000; hs.result === undefined;) {
    await hs.handleTimeout(now);
    while (hs.pollTransmit() !== undefined) sent.push(now);
    const next = hs.pollTimeout();
    if (next === undefined) break;
    now = next;
  }
  // 1000, 1250, ... 5750: 20 HELLOs, then the deadline at 6000.
  assert.equal(sent.length, 20);
  assert.deepEqual(sent.slice(0, 3), [1_000, 1_250, 1_500]);
  assert.equal(sent.at(-1), 5_750);
  assert.equal(hs.pollTimeout(), undefined);
  assert.ok(hs.result?.ok === false);
  assert.ok(hs.result.error instanceof TimeoutError);
  assert.equal(
    hs.result.error.message,
    'Cannot connect to "core": no answer within 5000 ms',
  );
});

Deno.test("session core: NX learns the certificate; an unsigned one is refused when a CA key is known", async () => {
  const hs = handshakeFor({ provided: false });
  await hs.start();
  hs.setCaKey(createCertificateAuthority().publicKey);
  const { reply } = await answer(hs, LIMITS, 0);
  await hs.handleReply(reply);
  assert.equal(outcome(hs), undefined);
  await hs.handleTimeout(5_000);
  const refused = outcome(hs);
  assert.ok(refused?.ok === false);
  assert.ok(refused.error instanceof HandshakeError);
  assert.equal(
    refused.error.message,
    'Cannot connect to "core": the certificate is not signed by the certificate authority',
  );
  // Signed by the CA: accepted at once, verified.
  const ca = createCertificateAuthority();
  const signed = signCertificate(identity.certificate, ca.privateKey);
  const nx = handshakeFor({ provided: false });
  await nx.start();
  nx.setCaKey(ca.publicKey);
  await nx.handleTimeout(0);
  const packet = hello(nx.pollTransmit()!);
  const server = new SessionCore({
    role: "server",
    idBytes: packet.sessionId,
    maxPayloadSize: PAYLOAD,
    limits: LIMITS,
    now: 0,
  });
  await server.respond({
    serverName: "core",
    pattern: HandshakePattern.NX,
    hello: packet.message,
    keyPair,
    certificate: signed,
  });
  const answerPacket = decodePacket(server.pollTransmit()!.packet) as Extract<
    Packet,
    { type: 6 }
  >;
  await nx.handleReply(answerPacket.message);
  assert.ok(nx.result?.ok);
  assert.equal(nx.result.candidate.verified, true);
});

Deno.test("session core: a retransmitted HELLO gets the same answer; another HELLO for the id gets none", async () => {
  const hs = handshakeFor();
  await hs.start();
  hs.setCaKey(undefined);
  await hs.handleTimeout(0);
  const first = hello(hs.pollTransmit()!);
  const server = new SessionCore({
    role: "server",
    idBytes: first.sessionId,
    maxPayloadSize: PAYLOAD,
    limits: LIMITS,
    now: 0,
  });
  await server.respond({
    serverName: "core",
    pattern: first.pattern,
    hello: first.message,
    keyPair,
    certificate: identity.certificate,
  });
  const reply = server.pollTransmit()!.packet;
  server.handleHello(first.message);
  assert.deepEqual(server.pollTransmit()!.packet, reply);
  const forged = first.message.slice();
  forged[forged.length - 1] ^= 1;
  server.handleHello(forged);
  assert.equal(server.pollTransmit(), undefined);
});

Deno.test("session core: a half-open server session expires just after handshakeTimeout, quietly, with its keys wiped", async () => {
  const hs = handshakeFor();
  await hs.start();
  hs.setCaKey(undefined);
  const { server } = await answer(hs, LIMITS, 100);
  assert.equal(server.state, "pending");
  assert.equal(server.pollTimeout(), 5_101);
  const cipher = server.sendCipher!;
  await server.handleTimeout(5_100);
  assert.equal(server.state, "pending");
  await server.handleTimeout(5_101);
  assert.equal(server.state, "closed");
  assert.deepEqual(events(server), [{ type: "expired" }]);
  assert.equal(cipher.destroyed, true);
  assert.equal(server.hello, undefined);
  assert.equal(server.pollTimeout(), undefined);
});

Deno.test("session core: OPEN goes out at once, is retransmitted until the server answers, and never after", async () => {
  const { client, server } = await pair();
  assert.equal(client.pollTimeout(), 0);
  await client.handleTimeout(0);
  const first = drain(client);
  assert.equal(first.length, 1);
  assert.equal(client.pollTimeout(), 250);
  await client.handleTimeout(250);
  const again = drain(client);
  assert.equal(again.length, 1);
  // Lost OPENs do not matter; the second one opens the session.
  await deliver(server, again, 250);
  assert.deepEqual(events(server), [{ type: "opened" }]);
  await deliver(client, drain(server), 250);
  assert.equal(client.confirmed, true);
  await client.handleTimeout(500);
  assert.deepEqual(drain(client), []);
  // Only the keepalive and idle deadlines are left.
  assert.equal(client.pollTimeout(), 250 + 20_000);
});

Deno.test("session core: an encrypted message sent right after connect stands in for the first OPEN", async () => {
  const { client, server } = await pair();
  await client.send("first", 0);
  await client.handleTimeout(0);
  const packets = drain(client);
  assert.equal(packets.length, 1);
  await deliver(server, packets, 0);
  assert.deepEqual(events(server), [
    { type: "opened" },
    { type: "message", message: "first" },
  ]);
});

Deno.test("session core: keepalive after 20 s of own silence, idle close after 60 s without hearing the peer", async () => {
  const { client, server } = await pair();
  await open(client, server);
  let now = 0;
  const pings: number[] = [];
  while (client.isOpen) {
    now = client.pollTimeout()!;
    await client.handleTimeout(now);
    const out = drain(client);
    // (The OPEN retransmission slot at 250 finds the session confirmed.)
    const stillOpen = client.isOpen;
    if (stillOpen && out.length > 0) {
      assert.equal(out.length, 1);
      pings.push(now);
      await deliver(server, out, now);
    } else if (!stillOpen) {
      // The CLOSE after the idle timeout.
      assert.equal(out.length, 1);
      await deliver(server, out, now);
    }
  }
  assert.deepEqual(pings, [20_000, 40_000, 60_000]);
  assert.equal(now, 60_001);
  assert.deepEqual(events(client), [
    { type: "closed", reason: "timeout", wasOpen: true },
  ]);
  assert.deepEqual(events(server), [
    { type: "closed", reason: "peer", wasOpen: true },
  ]);
  assert.equal(client.pollTimeout(), undefined);
  assert.equal(server.pollTimeout(), undefined);
});

Deno.test("session core: over loss, duplication and reordering each message arrives at most once and in send order", async () => {
  const { random } = testSeed("session core loss/dup/reorder");
  const { client, server } = await pair();
  await open(client, server);
  const sent: number[] = [];
  let wire: Data[] = [];
  for (let i = 0; i < 200; i++) {
    await client.send(i, 1);
    sent.push(i);
    for (const p of drain(client)) {
      const roll = random();
      if (roll < 0.15) continue; // lost
      wire.push(p);
      if (roll > 0.85) wire.push(p); // duplicated
    }
    if (random() < 0.3) {
      // reordered: a random permutation of what is in flight
      wire.sort(() => random() - 0.5);
      await deliver(server, wire, 1);
      wire = [];
    }
  }
  await deliver(server, wire, 1);
  const list = events(server);
  const got = messages(list) as number[];
  assert.ok(got.length > 50, `${got.length}`);
  for (let i = 1; i < got.length; i++) assert.ok(got[i] > got[i - 1]);
  const replays = list.filter((e) => e.type === "dropped" && e.replay);
  assert.ok(replays.length > 0);
  assert.ok(list.every((e) => e.type === "message" || e.type === "dropped"));
});

Deno.test("session core: a large message is fragmented to the payload limit and reassembled from fragments in any order, once", async () => {
  const { client, server } = await pair();
  await open(client, server);
  const big = "x".repeat(5_000);
  await client.send(big, 1);
  const fragments = drain(client);
  assert.equal(fragments.length, 10);
  const reversed = [...fragments].reverse();
  await deliver(server, [...reversed, fragments[3]], 1);
  const list = events(server);
  assert.deepEqual(messages(list), [big]);
  assert.deepEqual(list.filter((e) => e.type === "dropped"), [
    { type: "dropped", replay: true },
  ]);
});

Deno.test("session core: a partial message expires after the reassembly timeout", async () => {
  const { client, server } = await pair();
  await open(client, server);
  await client.send("y".repeat(2_000), 100);
  const fragments = drain(client);
  await deliver(server, fragments.slice(1), 100);
  assert.equal(server.reassembly.pending, 1);
  // The keepalive (20100) comes first, then the partial's deadline.
  await server.handleTimeout(10_100);
  assert.equal(server.reassembly.pending, 1);
  assert.ok(server.pollTimeout()! <= 10_101);
  await server.handleTimeout(10_101);
  assert.equal(server.reassembly.pending, 0);
  assert.equal(server.reassembly.dropped, 1);
  await deliver(server, fragments.slice(0, 1), 10_102);
  assert.deepEqual(messages(events(server)), []);
});

Deno.test("session core: a replayed packet is refused as a replay, a forged one as a plain drop", async () => {
  const { client, server } = await pair();
  await open(client, server);
  await client.send("once", 1);
  const [packet] = drain(client);
  await deliver(server, [packet, packet], 1);
  const forged = packet.ciphertext.slice();
  forged[0] ^= 1;
  await server.handlePacket(packet.counter + 1n, packet.header, forged, 1);
  assert.deepEqual(events(server), [
    { type: "message", message: "once" },
    { type: "dropped", replay: true },
    { type: "dropped", replay: false },
  ]);
});

Deno.test("session core: past the message limit sends are refused (reconnect), and nothing is queued", async () => {
  const { client } = await pair({ ...LIMITS, maxCounter: 3n });
  await client.send(1, 0);
  await client.send(2, 0);
  await client.send(3, 0);
  await assert.rejects(client.send(4, 0), {
    name: "RangeError",
    message: "Cannot send: session message limit reached; reconnect",
  });
  assert.equal(drain(client).length, 3);
  assert.equal(client.sendCounter, 3n);
});

Deno.test("session core: a request is retransmitted every 250 ms until answered, and fails at requestTimeout", async () => {
  const { client, server } = await pair();
  await open(client, server);
  const { requestId, sent } = client.request(
    Inner.LOGOUT,
    new Uint8Array(0),
    0,
  );
  await sent;
  assert.equal(drain(client).length, 1);
  let now = 0;
  let retransmits = 0;
  while (client.state === "open") {
    now = client.pollTimeout()!;
    await client.handleTimeout(now);
    retransmits += drain(client).length;
    const failed = events(client).find((e) => e.type === "request_failed");
    if (failed !== undefined) {
      assert.deepEqual(failed, {
        type: "request_failed",
        requestId,
        reason: "timeout",
        error: undefined,
      });
      break;
    }
  }
  assert.equal(now, 10_000);
  // 250, 500, ... 9750 (the 20 s keepalive never came due).
  assert.equal(retransmits, 39);
  // Answered: the answer is reported once and retransmission stops.
  const second = client.request(Inner.LOGOUT, new Uint8Array(0), now);
  await second.sent;
  await deliver(server, drain(client), now);
  assert.deepEqual(events(server), [
    { type: "logout", requestId: second.requestId },
  ]);
  await server.sendControl(
    Inner.LOGOUT_RESULT,
    second.requestId,
    new Uint8Array(0),
    now,
  );
  await deliver(client, drain(server), now);
  assert.deepEqual(events(client), [
    { type: "answer", requestId: second.requestId, body: new Uint8Array(0) },
  ]);
  await client.handleTimeout(now + 250);
  assert.deepEqual(drain(client), []);
});

Deno.test("session core: send, pause, send — and send, pause, close — queue everything in order, the CLOSE last", async () => {
  for (const pause of pauses()) {
    const { client, server } = await pair();
    await open(client, server);
    const a = client.send("a", 1);
    await pause.wait();
    const b = client.send("b", 1);
    await pause.wait();
    const closing = client.close("closed", true, 1);
    await Promise.all([a, b, closing]);
    await deliver(server, drain(client), 1);
    assert.deepEqual(events(server), [
      { type: "message", message: "a" },
      { type: "message", message: "b" },
      { type: "closed", reason: "peer", wasOpen: true },
    ], pause.name);
    assert.equal(client.sendCipher, undefined, pause.name);
  }
});

Deno.test("session core: login travels sealed and reaches the server core with its credentials; logout gets its answer", async () => {
  const { client, server } = await pair();
  await open(client, server);
  const { requestId, sent } = client.login("ann", "ann's secret", 1);
  await sent;
  const packets = drain(client);
  const plain = new TextEncoder().encode("ann's secret");
  for (const p of packets) {
    const bytes = p.ciphertext;
    const found = bytes.findIndex((_, i) =>
      plain.every((b, j) => bytes[i + j] === b)
    );
    assert.equal(found, -1, "the password is visible on the wire");
  }
  await deliver(server, packets, 1);
  const [event] = events(server);
  assert.ok(event.type === "login");
  assert.equal(event.requestId, requestId);
  assert.deepEqual(decodeTable(event.body), {
    username: "ann",
    password: "ann's secret",
  });
  const out = client.logout(2);
  await out.sent;
  await deliver(server, drain(client), 2);
  assert.deepEqual(events(server), [
    { type: "logout", requestId: out.requestId },
  ]);
});

Deno.test("session core: closing a pending server session (evicted before the client's OPEN) tells the client, which believes it is open", async () => {
  const { client, server } = await pair();
  assert.equal(server.state, "pending");
  assert.equal(client.isOpen, true);
  await server.close("closed", true, 10);
  assert.deepEqual(events(server), [
    { type: "closed", reason: "closed", wasOpen: false },
  ]);
  const sent = drain(server);
  assert.equal(sent.length, 1);
  await deliver(client, sent, 10);
  assert.deepEqual(events(client), [
    { type: "closed", reason: "peer", wasOpen: true },
  ]);
  // A half-open session with no keys yet has nothing to say.
  const fresh = new SessionCore({
    role: "server",
    idBytes: new Uint8Array(16),
    maxPayloadSize: PAYLOAD,
    limits: LIMITS,
    now: 0,
  });
  await fresh.close("closed", true, 0);
  assert.equal(fresh.pollTransmit(), undefined);
});
