// Copyright 2026 the moonwire authors. MIT license.
import type { LuaValueOf } from "../net/table_codec.ts";
import type { Socket } from "./_cnet_cryptonet.ts";
import { CNetNode } from "./cnet_node.ts";

/**
 * Sends an encrypted message over a CryptoNet socket (seed 000), through the
 * default node ({@linkcode CNetNode.default}). Delivery is at most once and
 * in send order, not reliable (a lossy modem may lose a message); use CTCP
 * (`connectCtcp`) for reliable requests.
 *
 * @typeParam T Checked by {@linkcode LuaValueOf}: interfaces fit; functions,
 * Dates, bigints do not; `undefined` fields are nil.
 * @param socket The socket.
 * @param message Any Lua value.
 * @returns A promise that resolves when the message is handed to the modem.
 *
 * @example Send a table
 * ```ts
 * import { CNetNode, connect, MemoryNetwork, send } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * await using server = new CNetNode({ directory, modems: { top: network.createModem() } });
 * await using client = new CNetNode({ directory, modems: { top: network.createModem() } });
 * await server.host("chat");
 * const received = Promise.withResolvers<unknown>();
 * server.setMessageHandler("encrypted_message", (event) => received.resolve(event.message));
 * CNetNode.setDefault(client);
 * await send(await connect("chat"), [1, 2, 3]);
 * assert.deepEqual(await received.promise, [1, 2, 3]);
 * CNetNode.setDefault(undefined);
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function send<T extends LuaValueOf<T>>(
  socket: Socket,
  message: T,
): Promise<void> {
  return CNetNode.default.send(socket, message);
}
