// Copyright 2026 the moonwire authors. MIT license.
// A closed CryptoNet session keeps no key material: its cipher states are
// destroyed (keys zeroed) once its last packet is out, and its handshake
// bytes are dropped, while the socket object itself keeps failing cleanly.
import assert from "node:assert/strict";
import type { CryptoNet, ModemMessage } from "../../cnet/mod.ts";
import { PacketType } from "../../cnet/cryptonet/_packet.ts";
import type { ServerState, Session } from "../../cnet/cryptonet/_session.ts";
import type { NoiseCipherState } from "../../crypto/mod.ts";
import { createWorld, record, settle, until } from "./_cryptonet_fixtures.ts";
import { sendRogueHello } from "./_cryptonet_hello.ts";

const DESTROYED = {
  name: "TypeError",
  message: "Cannot encrypt: cipher state is destroyed",
};

function ciphersOf(socket: CryptoNet.Socket): NoiseCipherState[] {
  const session = socket as Session;
  assert.ok(session.sendCipher !== undefined);
  assert.ok(session.receiveCipher !== undefined);
  return [session.sendCipher, session.receiveCipher];
}

function assertWiped(socket: CryptoNet.Socket, ciphers: NoiseCipherState[]) {
  const session = socket as Session;
  assert.equal(session.sendCipher, undefined);
  assert.equal(session.receiveCipher, undefined);
  assert.equal(session.hello, undefined);
  assert.equal(session.helloReply, undefined);
  assert.equal(session.lastLoginReply, undefined);
  assert.equal(session.reassembly.pending, 0);
  assert.deepEqual(ciphers.map((cipher) => cipher.destroyed), [true, true]);
}

Deno.test("CryptoNet close: both ends destroy their cipher states after the last packet", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server");
  const clientNode = await world.node("client");
  const server = await serverNode.host("wipe");
  await serverNode.addUser(server, "ann", "ann's password", 2);
  const serverEvents = record(serverNode);
  const socket = await clientNode.connect("wipe", { certTimeout: 0.05 });
  assert.equal(await clientNode.login(socket, "ann", "ann's password"), true);
  await until(() => server.sockets.length === 1, 5000, "server socket");
  const serverSocket = server.sockets[0];
  await until(() => serverSocket.username === "ann", 5000, "server login");
  const clientCiphers = ciphersOf(socket);
  const serverCiphers = ciphersOf(serverSocket);
  const serverSession = serverSocket as Session;
  assert.ok(serverSession.hello !== undefined);
  assert.ok(serverSession.helloReply !== undefined);
  assert.ok(serverSession.lastLoginReply !== undefined);
  for (const cipher of [...clientCiphers, ...serverCiphers]) {
    assert.equal(cipher.destroyed, false);
  }

  // Queued right before the close: sealed with the key before it goes,
  // then the CLOSE, sealed the same way.
  const last = clientNode.send(socket, "last words");
  await socket.close();
  await last;
  assertWiped(socket, clientCiphers);
  await assert.rejects(
    clientCiphers[0].encryptWithNonce(0n, new Uint8Array(1)),
    DESTROYED,
  );
  await assert.rejects(clientCiphers[1].decrypt(new Uint8Array(16)), {
    name: "TypeError",
    message: "Cannot decrypt: cipher state is destroyed",
  });

  await until(() => !serverSocket.isOpen, 5000, "peer close");
  await until(
    () => serverCiphers.every((cipher) => cipher.destroyed),
    5000,
    "server wipe",
  );
  assertWiped(serverSocket, serverCiphers);
  assert.deepEqual(
    serverEvents.map((e) =>
      e.type === "encrypted_message"
        ? `${e.type}:${e.message}`
        : e.type === "connection_closed"
        ? `${e.type}:${e.reason}`
        : e.type
    ),
    [
      "connection_opened",
      "login",
      "encrypted_message:last words",
      "connection_closed:peer",
    ],
  );
  // The public view is unchanged.
  assert.equal(socket.isOpen, false);
  assert.equal(socket.username, "ann");
  assert.equal(socket.certificate.name, "wipe");
  assert.equal(serverSocket.username, "ann");
  assert.equal(serverSocket.permissionLevel, 2);
});

Deno.test("CryptoNet close: every operation on a closed socket is a ConnectionClosedError", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server");
  const clientNode = await world.node("client");
  const server = await serverNode.host("closed-ops");
  await serverNode.addUser(server, "bo", "bo's password");
  const socket = await clientNode.connect("closed-ops", { certTimeout: 0.05 });
  await clientNode.send(socket, "hi");
  await until(() => server.sockets.length === 1, 5000, "server socket");
  const serverSocket = server.sockets[0];
  const ciphers = [...ciphersOf(socket), ...ciphersOf(serverSocket)];
  await serverNode.close(serverSocket);
  await until(() => !socket.isOpen, 5000, "peer close");
  await until(() => ciphers.every((c) => c.destroyed), 5000, "wipe");

  for (
    const [node, closed] of [[clientNode, socket], [
      serverNode,
      serverSocket,
    ]] as const
  ) {
    await assert.rejects(node.send(closed, 1), {
      name: "ConnectionClosedError",
      message: "Cannot send: socket is closed",
    });
    assert.throws(() => node.sendUnencrypted(closed, 1), {
      name: "ConnectionClosedError",
      message: "Cannot send unencrypted message: socket is closed",
    });
    await assert.rejects(node.login(closed, "bo", "bo's password"), {
      name: "ConnectionClosedError",
      message: "Cannot log in: socket is closed",
    });
    await assert.rejects(node.logout(closed), {
      name: "ConnectionClosedError",
      message: "Cannot log out: socket is closed",
    });
    // Closing again is a no-op.
    await closed.close();
    await node.close(closed);
  }
  assert.deepEqual(serverNode.sockets, []);
  assert.deepEqual(clientNode.sockets, []);
});

Deno.test("CryptoNet close: sends queued before the peer's CLOSE still go out", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server");
  const clientNode = await world.node("client");
  const server = await serverNode.host("queued");
  const socket = await clientNode.connect("queued", { certTimeout: 0.05 });
  await clientNode.send(socket, "first");
  await until(() => server.sockets.length === 1, 5000, "server socket");
  const ciphers = ciphersOf(socket);
  const sends: Promise<void>[] = [];
  for (let i = 0; i < 20; i++) sends.push(clientNode.send(socket, i));
  const closing = serverNode.close(server.sockets[0]);
  // All were queued while the socket was open: none fails, whenever the
  // server's CLOSE is read.
  await Promise.all(sends);
  await closing;
  await until(() => !socket.isOpen, 5000, "peer close");
  await until(() => ciphers.every((c) => c.destroyed), 5000, "wipe");
  assertWiped(socket, ciphers);
});

Deno.test("CryptoNet close: an idle timeout destroys the cipher states on both ends", async () => {
  await using world = await createWorld();
  const quiet = { idleTimeout: 0.5, keepAliveInterval: 0 };
  const serverNode = await world.node("server", quiet);
  const clientNode = await world.node("client", quiet);
  const server = await serverNode.host("idle");
  const socket = await clientNode.connect("idle", { certTimeout: 0.05 });
  await until(() => server.sockets.length === 1, 5000, "server socket");
  const serverSocket = server.sockets[0];
  const ciphers = [...ciphersOf(socket), ...ciphersOf(serverSocket)];
  await until(
    () => !socket.isOpen && !serverSocket.isOpen,
    5000,
    "idle timeout",
  );
  await until(() => ciphers.every((c) => c.destroyed), 5000, "wipe");
  assertWiped(socket, ciphers.slice(0, 2));
  assertWiped(serverSocket, ciphers.slice(2));
});

Deno.test("CryptoNet close: an expired half-open handshake destroys its cipher states", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server", { handshakeTimeout: 0.3 });
  const server = await serverNode.host("half") as ServerState;
  const rogue = world.network.createModem();
  await sendRogueHello(rogue, server);
  await until(() => server.stats.handshakes === 1, 5000, "handshake");
  const [session] = server.sessions;
  assert.equal(session.state, "pending");
  const ciphers = ciphersOf(session);
  await until(() => server.sessions.size === 0, 5000, "expiry");
  assertWiped(session, ciphers);
  rogue.close();
});

Deno.test("CryptoNet close: late and duplicated packets for a closed session are dropped", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server");
  const clientNode = await world.node("client");
  const server = await serverNode.host("late");
  // An observer hearing every channel records the session's packets.
  const spy = world.network.createModem({ maxOpenChannels: 65536 });
  for (let channel = 0; channel <= 65535; channel++) spy.open(channel);
  const data: ModemMessage[] = [];
  const plain: ModemMessage[] = [];
  let recording = true;
  spy.subscribe((message) => {
    const type = message.payload[3];
    if (!recording) return;
    if (
      type === PacketType.DATA_TO_SERVER || type === PacketType.DATA_TO_CLIENT
    ) {
      data.push(message);
    } else if (type === PacketType.PLAIN_TO_SERVER) {
      plain.push(message);
    }
  });
  const socket = await clientNode.connect("late", { certTimeout: 0.05 });
  for (let i = 0; i < 5; i++) await clientNode.send(socket, `message ${i}`);
  await clientNode.sendUnencrypted(socket, "plain");
  await until(() => server.sockets.length === 1, 5000, "server socket");
  const serverSocket = server.sockets[0];
  await serverNode.send(serverSocket, "reply");
  await settle(() => data.length + plain.length, 100);
  recording = false;
  assert.ok(data.length >= 6, `${data.length}`);
  assert.equal(plain.length, 1);
  const replay = (packets: ModemMessage[]) => {
    for (const message of packets) {
      spy.transmit(message.channel, message.replyChannel, message.payload);
    }
  };
  const serverEvents = record(serverNode);
  const clientEvents = record(clientNode);

  // Duplicates arriving while the close is under way (the server's end may
  // still be open: its replay window refuses them), then well after.
  const closing = socket.close();
  replay(data);
  await closing;
  await until(() => !serverSocket.isOpen, 5000, "peer close");
  await settle(() => serverNode.stats.droppedPackets, 100);
  const before = { server: serverNode.stats, client: clientNode.stats };
  for (let i = 0; i < 3; i++) replay([...data, ...plain]);
  await settle(() => world.network.stats.delivered, 200);
  // A packet naming no live session is ignored, exactly as one naming a
  // session that never existed (see the garbage test): nothing is emitted,
  // nothing decrypted, the counters stay where they were.
  assert.deepEqual(serverEvents.map((e) => e.type), ["connection_closed"]);
  assert.deepEqual(clientEvents.map((e) => e.type), ["connection_closed"]);
  assert.deepEqual(
    { server: serverNode.stats, client: clientNode.stats },
    before,
  );
  assert.equal((socket as Session).receiveCipher, undefined);
  assert.equal((serverSocket as Session).receiveCipher, undefined);

  // Both nodes keep serving.
  const heard = new Promise<CryptoNet.EncryptedMessageEvent>((resolve) =>
    serverNode.on("encrypted_message", resolve)
  );
  const fresh = await clientNode.connect("late", { certTimeout: 0.05 });
  await clientNode.send(fresh, "still here");
  assert.equal((await heard).message, "still here");
  spy.close();
});
