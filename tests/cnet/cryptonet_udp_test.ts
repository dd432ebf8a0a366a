// Copyright 2026 the moonwire authors. MIT license.
// The CryptoNet scenario over UdpModem in peer-list mode on 127.0.0.1.
import assert from "node:assert/strict";
import { CryptoNet, UdpModem } from "../../cnet/mod.ts";
import { settle, until } from "./_cryptonet_fixtures.ts";

const COUNT = 1000;

Deno.test("CryptoNet over UdpModem (peer list on loopback): discover, connect, login, 1000 messages each way", async () => {
  const directory = await Deno.makeTempDir({ prefix: "cryptonet_udp_" });
  await Deno.mkdir(`${directory}/server`);
  await Deno.mkdir(`${directory}/client`);
  await using serverModem = await UdpModem.create({ peers: [] });
  await using clientModem = await UdpModem.create({ peers: [] });
  serverModem.addPeer("127.0.0.1", clientModem.port);
  clientModem.addPeer("127.0.0.1", serverModem.port);
  const serverNode = new CryptoNet.CryptoNetNode({
    directory: `${directory}/server`,
    modems: { back: serverModem },
  });
  const clientNode = new CryptoNet.CryptoNetNode({
    directory: `${directory}/client`,
    modems: { front: clientModem },
  });
  try {
    const server = await serverNode.host("udp-door");
    await serverNode.host("udp-hidden", { discoverable: false });
    await serverNode.addUser(server, "ann", "udp password", 2);
    const found = await clientNode.discover({ timeout: 0.3 });
    assert.deepEqual(found.map((s) => s.name), ["udp-door"]);
    const socket = await clientNode.connect("udp-door", { certTimeout: 0.2 });
    assert.equal(await clientNode.login(socket, "ann", "udp password"), true);
    assert.equal(socket.permissionLevel, 2);
    await until(() => server.sockets[0]?.username === "ann");
    const serverSocket = server.sockets[0];
    const atServer: number[] = [];
    const atClient: number[] = [];
    serverNode.on("encrypted_message", (event) => {
      if (event.message instanceof Uint8Array) return;
      const m = event.message as { i: number; text: string };
      assert.equal(m.text, `client ${m.i}`);
      atServer.push(m.i);
    });
    clientNode.on("encrypted_message", (event) => {
      const m = event.message as { i: number; text: string };
      assert.equal(m.text, `server ${m.i}`);
      atClient.push(m.i);
    });
    for (let i = 0; i < COUNT; i++) {
      await clientNode.send(socket, { i, text: `client ${i}` });
      await serverNode.send(serverSocket, { i, text: `server ${i}` });
      // Pace the burst so loopback socket buffers are not the bottleneck.
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5));
    }
    await settle(() => atServer.length + atClient.length, 300);
    for (const received of [atServer, atClient]) {
      assert.equal(new Set(received).size, received.length, "duplicates");
      // UDP is lossy in principle; on loopback with pacing nothing is lost.
      assert.ok(received.length >= COUNT * 0.95, `${received.length}`);
    }
    // A large message is fragmented into 1200-byte datagrams.
    const big = new Uint8Array(50_000).map((_, j) => j & 255);
    const heard = new Promise<CryptoNet.EncryptedMessageEvent>((resolve) =>
      serverNode.on("encrypted_message", (e) => {
        if (e.message instanceof Uint8Array) resolve(e);
      })
    );
    await clientNode.send(socket, big);
    assert.deepEqual((await heard).message, big);
    await socket.close();
    await until(() => server.sockets.length === 0);
  } finally {
    await clientNode.close();
    await serverNode.close();
    await Deno.remove(directory, { recursive: true });
  }
});
