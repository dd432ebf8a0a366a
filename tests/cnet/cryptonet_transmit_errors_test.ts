// Copyright 2026 the moonwire authors. MIT license.
// A modem may refuse a transmit (UdpModem with a full send queue throws a
// RangeError; any modem throws once closed). On paths no call waits for
// (answers to the network, retransmissions, keepalives) the node counts the
// refusal in stats.transmitErrors and carries on; a call that waits on its
// packet rejects with the modem's error.
import assert from "node:assert/strict";
import type { Modem, ModemMessageHandler } from "../../cnet/mod.ts";
import { PacketType } from "../../cnet/cryptonet/_packet.ts";
import { createWorld, until } from "./_cryptonet_fixtures.ts";

/** A modem that throws for the payloads `refuse` picks. */
function refusing(
  inner: Modem,
  refuse: (payload: Uint8Array) => boolean,
): Modem & { refused: number } {
  const modem = {
    refused: 0,
    get maxPayloadSize() {
      return inner.maxPayloadSize;
    },
    get isClosed() {
      return inner.isClosed;
    },
    open: (channel: number) => inner.open(channel),
    isOpen: (channel: number) => inner.isOpen(channel),
    close: (channel?: number) => inner.close(channel),
    closeAll: () => inner.closeAll(),
    subscribe: (handler: ModemMessageHandler) => inner.subscribe(handler),
    transmit(channel: number, replyChannel: number, payload: Uint8Array) {
      if (refuse(payload)) {
        modem.refused++;
        throw new RangeError("Cannot transmit: send queue is full");
      }
      inner.transmit(channel, replyChannel, payload);
    },
    [Symbol.dispose]: () => inner.close(),
  };
  return modem;
}

const type = (payload: Uint8Array) => payload[3];
const named = (payload: Uint8Array, name: string) =>
  new TextDecoder().decode(payload).includes(name);

Deno.test("CryptoNet transmit errors: a refused DISCOVER answer is counted and the other servers still answer", async () => {
  await using world = await createWorld();
  const modem = refusing(
    world.network.createModem(),
    (payload) =>
      type(payload) === PacketType.DISCOVER_REPLY && named(payload, "alpha"),
  );
  const serverNode = await world.node("server", { modem });
  await serverNode.host("alpha");
  await serverNode.host("beta");
  const clientNode = await world.node("client");
  const found = await clientNode.discover({ timeout: 0.3 });
  assert.deepEqual(found.map((server) => server.name), ["beta"]);
  assert.ok(modem.refused >= 1);
  assert.equal(serverNode.stats.transmitErrors, modem.refused);
  assert.equal(serverNode.stats.droppedPackets, 0);
});

Deno.test("CryptoNet transmit errors: a refused certificate answer is counted, not dropped; the retransmitted request is answered", async () => {
  await using world = await createWorld();
  let refuseNext = true;
  const modem = refusing(world.network.createModem(), (payload) => {
    if (type(payload) !== PacketType.CERT_REPLY || !refuseNext) return false;
    refuseNext = false;
    return true;
  });
  const serverNode = await world.node("server", { modem });
  const server = await serverNode.host("gamma");
  const clientNode = await world.node("client", { retransmitInterval: 0.05 });
  const answer = await clientNode.requestCertificate("gamma", {
    timeout: 0.5,
  });
  assert.deepEqual(answer.certificate.publicKey, server.certificate.publicKey);
  assert.equal(modem.refused, 1);
  assert.equal(serverNode.stats.transmitErrors, 1);
  assert.equal(serverNode.stats.droppedPackets, 0);
});

Deno.test("CryptoNet transmit errors: a refused HELLO answer is counted; the retransmitted HELLO gets it again", async () => {
  await using world = await createWorld();
  let refuseNext = true;
  const modem = refusing(world.network.createModem(), (payload) => {
    if (type(payload) !== PacketType.HELLO_REPLY || !refuseNext) return false;
    refuseNext = false;
    return true;
  });
  const serverNode = await world.node("server", { modem });
  const server = await serverNode.host("delta");
  const clientNode = await world.node("client");
  const socket = await clientNode.connect("delta", { certTimeout: 0.05 });
  assert.equal(socket.isOpen, true);
  assert.equal(modem.refused, 1);
  assert.equal(serverNode.stats.transmitErrors, 1);
  assert.equal(server.stats.handshakes, 1);
});

Deno.test("CryptoNet transmit errors: keepalives a modem refuses are counted; send and sendUnencrypted reject with the modem's error", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server");
  await serverNode.host("epsilon");
  let refuse = false;
  const modem = refusing(
    world.network.createModem(),
    (payload) =>
      refuse && (type(payload) === PacketType.DATA_TO_SERVER ||
        type(payload) === PacketType.PLAIN_TO_SERVER),
  );
  const clientNode = await world.node("client", {
    modem,
    keepAliveInterval: 0.05,
  });
  const socket = await clientNode.connect("epsilon", { certTimeout: 0.05 });
  refuse = true;
  await until(
    () => clientNode.stats.transmitErrors >= 2,
    5000,
    "refused keepalives",
  );
  const error = {
    name: "RangeError",
    message: "Cannot transmit: send queue is full",
  };
  const counted = clientNode.stats.transmitErrors;
  await assert.rejects(clientNode.send(socket, "lost"), error);
  await assert.rejects(clientNode.sendUnencrypted(socket, "lost"), error);
  // Rejected calls are reported to their caller, not counted.
  assert.ok(clientNode.stats.transmitErrors - counted <= 1);
  refuse = false;
  const heard = new Promise<unknown>((resolve) =>
    serverNode.on("encrypted_message", (event) => resolve(event.message))
  );
  await clientNode.send(socket, "after");
  assert.equal(await heard, "after");
});
