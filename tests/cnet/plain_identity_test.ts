// Copyright 2026 the moonwire authors. MIT license.
// §4 of "Hold under attack": a PLAIN packet is bound only to the session
// id, which travels in clear in every header. An on-path sender who
// sniffed it injects `{ cmd: "open_door" }` into admin's session; the
// server's plain_message event must not present it as admin's.
import assert from "node:assert/strict";
import { CNetNode, type CryptoNet } from "../../cnet/mod.ts";
import {
  decodePacket,
  encodePlain,
  PacketType,
} from "../../cnet/cryptonet/_packet.ts";
import { encodeTable } from "../../net/mod.ts";
import { createWorld, until } from "./_cryptonet_fixtures.ts";

Deno.test("plain_message: an injected PLAIN packet in admin's session is unauthenticated and carries no identity; the socket still answers and closes", async () => {
  await using w = await createWorld();
  const serverNode = await w.node("server");
  const server = await serverNode.host("door");
  await serverNode.addUser(server, "admin", "admin's secret", 3);
  const heard: CryptoNet.PlainMessageEvent[] = [];
  serverNode.on("plain_message", (event) => heard.push(event));
  // The attacker only listens on the server's channel and transmits.
  using attacker = w.network.createModem();
  attacker.open(server.channel);
  let sniffed: Uint8Array | undefined;
  using _sniff = attacker.subscribe((message) => {
    const packet = decodePacket(message.payload);
    if (packet?.type === PacketType.DATA_TO_SERVER) {
      sniffed ??= packet.sessionId.slice();
    }
  });
  const client = await w.node("client");
  const socket = await client.connect("door");
  assert.equal(await client.login(socket, "admin", "admin's secret"), true);
  const [serverSocket] = server.sockets;
  assert.equal(serverSocket.username, "admin");
  assert.equal(serverSocket.permissionLevel, 3);
  assert.ok(sniffed !== undefined, "the session id travels in clear");
  attacker.transmit(
    server.channel,
    4242,
    encodePlain(
      PacketType.PLAIN_TO_SERVER,
      sniffed,
      encodeTable({ cmd: "open_door" }),
    ),
  );
  await until(() => heard.length === 1, 5000, "the injected message");
  const [event] = heard;
  assert.deepEqual(event.message, { cmd: "open_door" });
  assert.equal(event.authenticated, false);
  assert.equal(event.socket.username, undefined);
  assert.equal(event.socket.permissionLevel, 0);
  // It names the session (the same id, server and side) but is not the
  // session's own socket, whose login is untouched.
  assert.equal(event.socket.id, serverSocket.id);
  assert.equal(event.socket.server, server);
  assert.notEqual(event.socket, serverSocket);
  assert.equal(serverSocket.username, "admin");
  // The view is accepted to answer on and to close the session.
  const answered = new Promise<CryptoNet.PlainMessageEvent>((resolve) =>
    client.on("plain_message", resolve)
  );
  await serverNode.sendUnencrypted(event.socket, "refused");
  const answer = await answered;
  assert.equal(answer.message, "refused");
  assert.equal(answer.authenticated, false);
  assert.equal(answer.socket.id, socket.id);
  assert.equal(answer.socket.isOpen, true);
  const closed = new Promise<void>((resolve) =>
    client.on("connection_closed", () => resolve())
  );
  await serverNode.close(event.socket);
  await closed;
  assert.equal(event.socket.isOpen, false);
  assert.equal(socket.isOpen, false);
});

Deno.test("plain_message: the Copper face hands handlers the same withheld identity", async () => {
  await using w = await createWorld();
  const directory = `${w.directory}/copper`;
  await Deno.mkdir(directory);
  await using server = new CNetNode({
    directory,
    modems: { top: w.network.createModem() },
  });
  await using client = new CNetNode({
    directory,
    modems: { top: w.network.createModem() },
  });
  const hosted = await server.host("shop");
  await server.addUser(hosted, "admin", "admin's secret", 3);
  const heard = Promise.withResolvers<CryptoNet.PlainMessageEvent>();
  server.setMessageHandler("plain_message", (event) => heard.resolve(event));
  const socket = await client.connect("shop");
  assert.equal(await client.login(socket, "admin", "admin's secret"), true);
  await client.sendUnencrypted(socket, "ping");
  const event = await heard.promise;
  assert.equal(event.message, "ping");
  assert.equal(event.authenticated, false);
  assert.equal(event.socket.username, undefined);
  assert.equal(event.socket.permissionLevel, 0);
  assert.equal(hosted.sockets[0].username, "admin");
});
