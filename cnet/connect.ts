// Copyright 2026 the moonwire authors. MIT license.
import type { CryptoNetConnectOptions, Socket } from "./_cnet_cryptonet.ts";
import { CNetNode } from "./cnet_node.ts";

/**
 * Opens an encrypted CryptoNet session to a server (seed 000) on the default
 * node ({@linkcode CNetNode.default}), returning the socket to `send` over.
 *
 * @param serverName The server (default: inferred from `options.certificate`).
 * @param options CryptoNet's connect options (`timeout`, `certTimeout`,
 * `certificate`, `modemSide`, `certAuthKey`, `allowUnsigned`).
 * @returns The socket.
 *
 * @example Connect and send
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
 * const socket = await connect("chat");
 * await send(socket, { text: "hi" });
 * assert.deepEqual(await received.promise, { text: "hi" });
 * CNetNode.setDefault(undefined);
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export function connect(
  serverName?: string,
  options?: CryptoNetConnectOptions,
): Promise<Socket> {
  return CNetNode.default.connect(serverName, options);
}
