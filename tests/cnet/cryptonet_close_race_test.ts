// Copyright 2026 the moonwire authors. MIT license.
// A node closed while a connect's handshake is being decided: the connect
// rejects (or resolves with a socket the close then closes), and no session
// (with its timer) outlives the node, whatever the microtask the close
// starts at.
import assert from "node:assert/strict";
import { PacketType } from "../../cnet/cryptonet/_packet.ts";
import { microtasks } from "../_schedule.ts";
import { createWorld } from "./_cryptonet_fixtures.ts";

Deno.test("CryptoNet close: a connect whose answer arrives as the node closes leaves no session behind", async () => {
  await using world = await createWorld();
  const serverNode = await world.node("server");
  const server = await serverNode.host("late-answer");
  for (let turns = 0; turns <= 60; turns++) {
    const modem = world.network.createModem();
    const clientNode = await world.node(`client${turns}`, { modem });
    let closing: Promise<void> | undefined;
    // Heard after the node's own handler: the answer is being judged.
    modem.subscribe((message) => {
      if (message.payload[3] !== PacketType.HELLO_REPLY) return;
      closing ??= microtasks(turns).then(() => clientNode.close());
    });
    const outcome = await clientNode.connect("late-answer", {
      certificate: server.certificate,
    }).then((socket) => socket, (error: Error) => error);
    await closing;
    if (outcome instanceof Error) {
      assert.equal(outcome.name, "ConnectionClosedError", `${turns} turns`);
      assert.equal(
        outcome.message,
        'Cannot connect to "late-answer": node is closed',
        `${turns} turns`,
      );
    } else {
      assert.equal(outcome.isOpen, false, `${turns} turns: socket left open`);
    }
    assert.deepEqual(clientNode.sockets, [], `${turns} turns`);
  }
});
