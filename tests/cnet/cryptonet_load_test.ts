// Copyright 2026 the moonwire authors. MIT license.
// Anonymous peers cannot lock real clients out: a HELLO flood gets
// stateless cookies (no state, no key work) once half the half-open cap is
// in use, and anonymous sessions squatting every slot are evicted, oldest
// first, for a new client. Documented bound used here: under either attack
// a real client connects and logs in within 3 s (generous for a loaded
// machine; it takes well under one when idle).
import assert from "node:assert/strict";
import type { CryptoNet } from "../../cnet/mod.ts";
import {
  decodePacket,
  encodeHello,
  PacketType,
} from "../../cnet/cryptonet/_packet.ts";
import { sendRandomHello } from "./_cryptonet_hello.ts";
import { createWorld, settle, sleep, until } from "./_cryptonet_fixtures.ts";

const SERVICE_WITHIN = 3000;

/** Connects to `name` and logs in as ann, within SERVICE_WITHIN ms. */
async function serviceFor(
  node: CryptoNet.CryptoNetNode,
  name: string,
): Promise<CryptoNet.Socket> {
  const started = Date.now();
  const socket = await node.connect(name, {
    timeout: SERVICE_WITHIN / 1000,
    certTimeout: 0.05,
  });
  assert.equal(await node.login(socket, "ann", "the right one"), true);
  const took = Date.now() - started;
  assert.ok(took < SERVICE_WITHIN, `connect and login took ${took} ms`);
  return socket;
}

/** A world whose server node hosts `name` with the user ann. */
async function served(name: string, options: { maxSessions?: number } = {}) {
  const world = await createWorld();
  const serverNode = await world.node("server", options);
  const clientNode = await world.node("client");
  const server = await serverNode.host(name);
  await serverNode.addUser(server, "ann", "the right one");
  return { world, serverNode, clientNode, server };
}

/** `text` sent over `socket` reaches the server node. */
async function assertHeard(
  clientNode: CryptoNet.CryptoNetNode,
  serverNode: CryptoNet.CryptoNetNode,
  socket: CryptoNet.Socket,
  text: string,
): Promise<void> {
  const heard = new Promise<CryptoNet.EncryptedMessageEvent>((resolve) =>
    serverNode.on("encrypted_message", resolve)
  );
  await clientNode.send(socket, text);
  assert.equal((await heard).message, text);
}

Deno.test("CryptoNet: a flood of 1600 HELLOs gets cookies; a real client still connects and logs in (default caps)", async () => {
  const { world, serverNode, clientNode, server } = await served("flooded");
  await using _ = world;
  const rogue = world.network.createModem();
  const burst = async (count: number) => {
    for (let i = 0; i < count; i++) {
      sendRandomHello(rogue, server);
      if (i % 50 === 49) await sleep(1);
    }
  };
  // 1100 HELLOs first (more than the 1024 sessions a server holds), then
  // 500 more while the real client connects and logs in.
  await burst(1100);
  const flood = burst(500);
  const socket = await serviceFor(clientNode, "flooded");
  await flood;
  // At most half the half-open cap (64) got a handshake before cookies
  // were asked for; the real client's cookie-proven HELLO is one more.
  const stats = server.stats;
  assert.ok(stats.handshakes <= 33, `${stats.handshakes} handshakes`);
  assert.ok(stats.cookies >= 1600 - 32, `${stats.cookies} cookies`);
  assert.equal(stats.evicted, 0);
  await assertHeard(clientNode, serverNode, socket, "served");
  rogue.close();
});

Deno.test("CryptoNet: anonymous sessions squatting every slot are evicted oldest first; a logged-in client never is", async () => {
  const { world, serverNode, clientNode, server } = await served(
    "squatted",
    { maxSessions: 48 },
  );
  await using _ = world;
  const squatter = await world.node("squatter");
  const certificate = server.certificate;
  const squat: CryptoNet.Socket[] = [];
  const open = async () => {
    squat.push(
      await squatter.connect("squatted", { certificate, timeout: 0.5 }),
    );
  };
  // Every slot taken by finished anonymous handshakes (kept alive).
  for (let i = 0; i < 60; i++) await open();
  assert.equal(server.stats.evicted, 12);
  // The oldest go first; their clients hear the CLOSE.
  await until(() => !squat.slice(0, 12).some((socket) => socket.isOpen));
  assert.equal(squat.slice(12).every((socket) => socket.isOpen), true);
  // The squat goes on while a real client connects and logs in.
  let squatting = true;
  const more = (async () => {
    while (squatting) {
      await open();
      await sleep(25);
    }
  })();
  let socket!: CryptoNet.Socket;
  let evictedBefore = 0;
  try {
    socket = await serviceFor(clientNode, "squatted");
    evictedBefore = server.stats.evicted;
    // Logged in: the squat goes on for 1.8 s more and never evicts it.
    await sleep(1800);
  } finally {
    squatting = false;
    await more;
  }
  assert.ok(server.stats.evicted >= evictedBefore + 10);
  assert.equal(socket.isOpen, true);
  assert.ok(server.sockets.length <= 48, `${server.sockets.length}`);
  assert.equal(
    server.sockets.filter((s) => s.username === "ann").length,
    1,
  );
  await assertHeard(clientNode, serverNode, socket, "still served");
});

Deno.test("CryptoNet: a flood that answers its cookies fills the half-open cap; the oldest make room and a real client is served", async () => {
  const { world, clientNode, server } = await served("flooded");
  await using _ = world;
  // The attacker receives on its reply channel and repeats each HELLO
  // with its cookie, so every repeat is proven and costs the server a
  // handshake.
  const rogue = world.network.createModem();
  rogue.open(4322);
  const hellos = new Map<string, Uint8Array<ArrayBuffer>>();
  rogue.subscribe((message) => {
    const packet = decodePacket(message.payload);
    if (packet?.type !== PacketType.COOKIE) return;
    const hello = decodePacket(hellos.get(packet.sessionId.toHex())!);
    if (hello?.type !== PacketType.HELLO) return;
    rogue.transmit(
      server.channel,
      4322,
      encodeHello(
        hello.sessionId,
        hello.pattern,
        hello.name,
        hello.message,
        packet.cookie,
      ),
    );
  });
  for (let i = 0; i < 1100; i++) {
    const packet = encodeHello(
      crypto.getRandomValues(new Uint8Array(16)),
      2,
      server.name,
      crypto.getRandomValues(new Uint8Array(32)),
    );
    hellos.set(packet.subarray(4, 20).toHex(), packet);
    rogue.transmit(server.channel, 4322, packet);
    if (i % 50 === 49) await sleep(1);
  }
  await settle(() => server.stats.handshakes, 200);
  // 32 before cookies were asked for, then every proven repeat; past 64
  // half-open each one closed the oldest.
  assert.equal(server.stats.handshakes, 1100);
  assert.equal(server.stats.cookies, 1100 - 32);
  assert.equal(server.stats.evicted, 1100 - 64);
  const socket = await serviceFor(clientNode, "flooded");
  assert.equal(socket.isOpen, true);
  assert.equal(server.stats.evicted, 1100 - 64 + 1);
  rogue.close();
});
